/**
 * The pure choices behind the Launch Run steps (src/views/runs/launch.ts): which files the config step lists, which
 * working directory it proposes, which Python interpreter the command starts with, and how the environment step
 * says where its pre-filled value came from. No `vscode`, no file system: the view hands in what it read.
 */

/** A candidate file of the config step: `path` absolute (local), `text` its content (undefined when unreadable or too big). */
export interface ConfigCandidate { path: string; text?: string }

/** What the config detector says about a file (`detectFramework` of src/core/config, loaded lazily by the view). */
export type DetectFramework = (text: string, fileName: string) => { framework: string; reason: string };

/**
 * Splits the config step's candidates into training configs (the detector names a framework: Axolotl, HF
 * Trainer/TRL, LLaMA-Factory, torchtune, DeepSpeed, Accelerate, PEFT) and the rest (`.vscode/settings.json`,
 * `trainer_state.json` of a checkpoint, model or data YAML), which the step shows only behind "Other file…".
 * An unreadable file is among the others. Order is kept.
 */
export function splitLaunchConfigs<T extends ConfigCandidate>(files: readonly T[], detect: DetectFramework): { configs: T[]; others: T[] } {
  const configs: T[] = [];
  const others: T[] = [];
  for (const f of files) {
    let isConfig = false;
    if (f.text !== undefined) {
      try { isConfig = detect(f.text, f.path).framework !== 'unknown'; } catch { isConfig = false; }
    }
    (isConfig ? configs : others).push(f);
  }
  return { configs, others };
}

/** One row of the working-directory step: `path` absolute on the host; `why` says where it comes from. */
export interface WorkingDirectoryChoice { path: string; why: string[] }

/**
 * Rows of the working-directory step, the default first: the folder of the picked config (so `train.py` and the
 * config's relative paths such as `output_dir` resolve as in its README), else the last choice on this host, else
 * the first workspace folder; then the last choice, then every workspace folder. Paths are compared as given
 * (already absolute and normalised by the caller); each appears once, with all its reasons.
 * @param configDir folder of the picked config (absolute), or undefined when no config was picked
 * @param last the working directory of the previous launch on this host
 * @param workspaceFolders `[name, absolute path]` of each workspace folder, in order
 */
export function workingDirectoryChoices(configDir: string | undefined, last: string | undefined, workspaceFolders: readonly (readonly [string, string])[]): WorkingDirectoryChoice[] {
  const rows: WorkingDirectoryChoice[] = [];
  const add = (p: string | undefined, why: string) => {
    if (!p) return;
    const row = rows.find((r) => r.path === p);
    if (row) { if (!row.why.includes(why)) row.why.push(why); } else rows.push({ path: p, why: [why] });
  };
  add(configDir, 'folder of the config');
  add(last, 'last used');
  for (const [name, p] of workspaceFolders) add(p, `workspace folder ${name}`);
  return rows;
}

/**
 * A path relative to `from` in POSIX form (`configs/a.yaml`, `../data/b.yaml`), or `to` itself when it is not under
 * the same root. Both absolute, in the host's form (`/` or `\` separators). Used for the config and script arguments,
 * which the command resolves against its working directory.
 */
export function relativeTo(from: string, to: string): string {
  const split = (p: string) => p.replace(/\\/g, '/').replace(/\/+$/, '').split('/');
  const a = split(from); const b = split(to);
  if (a[0] !== b[0]) return to;
  let i = 0;
  while (i < a.length && i < b.length && a[i] === b[i]) i++;
  const rel = [...Array(a.length - i).fill('..'), ...b.slice(i)].join('/');
  return rel || '.';
}

/** Where the pre-filled interpreter comes from; `label` is what the launcher step shows. */
export interface InterpreterChoice { command: string; source: 'python-extension' | 'workspace-setting' | 'last-on-host' | 'default'; label: string }

/**
 * The shape of the Python extension's (ms-python.python) exported API that is read here: the newer
 * `environments.getActiveEnvironmentPath(resource)` + `resolveEnvironment(path)`, and the older
 * `settings.getExecutionDetails(resource).execCommand`. Source: github.com/microsoft/vscode-python
 * pythonExtensionApi/src/main.ts (`PythonExtension`, published as the npm package @vscode/python-extension);
 * `environmentPath.path` may be an environment folder, so it is resolved to its executable where possible.
 */
export interface PythonExtensionApi {
  ready?: Promise<void>;
  environments?: {
    getActiveEnvironmentPath?(resource?: unknown): { id?: string; path?: string } | undefined;
    resolveEnvironment?(env: unknown): Promise<{ executable?: { uri?: { fsPath?: string } } } | undefined>;
  };
  settings?: { getExecutionDetails?(resource?: unknown): { execCommand?: string[] } | undefined };
}

/**
 * The interpreter the Python extension has selected for `resource`: the resolved executable of the active
 * environment, else its path, else the first word of the old API's `execCommand`. Undefined when the API gives
 * nothing usable (not activated, no interpreter selected) or throws.
 */
export async function pythonFromExtensionApi(api: PythonExtensionApi | undefined, resource?: unknown): Promise<string | undefined> {
  if (!api) return undefined;
  try {
    const env = api.environments;
    const active = env?.getActiveEnvironmentPath?.(resource);
    if (active?.path) {
      if (!env?.resolveEnvironment) return active.path;
      const exe = (await env.resolveEnvironment(active).catch(() => undefined))?.executable?.uri?.fsPath;
      if (exe) return exe;
    }
  } catch { /* fall through to the older API */ }
  try {
    const exec = api.settings?.getExecutionDetails?.(resource)?.execCommand;
    if (exec?.length && exec[0]) return exec[0];
  } catch { /* nothing usable */ }
  return undefined;
}

/**
 * The interpreter the plain-python launcher starts with:
 * - on `local`: the Python extension's selected interpreter when it is installed and has one; without the extension,
 *   the workspace's `python.defaultInterpreterPath` setting (the interpreter the workspace names for it, which the
 *   extension would select), else `python3` (`python` is Python 2 or missing on many systems);
 * - on a remote host: the interpreter of the last launch on that host, else `python3`.
 * @param workspaceDefault `python.defaultInterpreterPath` with `${workspaceFolder}` resolved (see resolveInterpreterSetting)
 */
export function chooseInterpreter(host: { local: boolean; alias: string }, fromExtension: string | undefined, extensionInstalled: boolean, lastOnHost: string | undefined, workspaceDefault?: string): InterpreterChoice {
  if (host.local) {
    if (fromExtension) return { command: fromExtension, source: 'python-extension', label: `${fromExtension} (selected in the Python extension)` };
    if (!extensionInstalled && workspaceDefault) return { command: workspaceDefault, source: 'workspace-setting', label: `${workspaceDefault} (python.defaultInterpreterPath of this workspace)` };
    return { command: 'python3', source: 'default', label: extensionInstalled ? 'python3 (the Python extension has no interpreter selected)' : 'python3 on PATH (install the Python extension to use its selected interpreter)' };
  }
  if (lastOnHost) return { command: lastOnHost, source: 'last-on-host', label: `${lastOnHost} (last used on ${host.alias})` };
  return { command: 'python3', source: 'default', label: `python3 on ${host.alias}'s PATH` };
}

/**
 * The value of `python.defaultInterpreterPath` as a command: `${workspaceFolder}` replaced by `folder`, `python`
 * (the setting's default, not a choice) and values with other `${...}` variables ignored (undefined).
 */
export function resolveInterpreterSetting(value: unknown, folder: string | undefined): string | undefined {
  if (typeof value !== 'string') return undefined;
  let v = value.trim();
  if (!v || v === 'python') return undefined;
  if (folder) v = v.replace(/\$\{workspaceFolder\}/g, folder);
  return /\$\{/.test(v) ? undefined : v;
}

/** True when `argv0` names a Python interpreter (`python`, `python3.11`, `/opt/venv/bin/python`, `py.exe`), whose choice is remembered per host. */
export function isPythonInterpreter(argv0: string | undefined): boolean {
  if (!argv0) return false;
  const base = argv0.split(/[\\/]/).pop() ?? '';
  return /^(python[\d.]*|pypy[\d.]*|py)(\.exe)?$/i.test(base);
}

/** The environment step's starting value and the words that say where it came from. */
export interface EnvPrefill { value: string; from: 'previous-launch' | 'default'; note: string }

/** Default environment of a first launch: unbuffered Python output, so the log (and the curve) follows each step. */
export const DEFAULT_ENV = 'PYTHONUNBUFFERED=1';

/**
 * The environment step's value: the variables of the previous launch on this host in this workspace, labelled as
 * such (they are easy to carry into a run by accident), else {@link DEFAULT_ENV}, labelled as the default.
 */
export function envPrefill(previous: string | undefined, host: string): EnvPrefill {
  if (previous !== undefined) {
    return previous.trim() !== ''
      ? { value: previous, from: 'previous-launch', note: `Pre-filled from your previous launch on ${host}: check before you press Enter.` }
      : { value: previous, from: 'previous-launch', note: `Empty, as in your previous launch on ${host}.` };
  }
  return { value: DEFAULT_ENV, from: 'default', note: 'Pre-filled with the default (Python output unbuffered, so the log follows each step).' };
}
