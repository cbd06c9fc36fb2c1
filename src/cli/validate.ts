/**
 * `llmtrain validate <files...> [--framework X] [--format text|json] [--launch-dir DIR] [--workspace DIR] [--version NAME=X.Y] [--python PATH]`: the
 * config core from the command line. With --python, that interpreter is asked for the installed framework versions
 * (one importlib.metadata call; they win over the dependency files, --version wins over them). With --launch-dir, relative references are opened from DIR and a missing one is an error (issue 15).
 * Reads each file (and the DeepSpeed/Accelerate files it names, relative to the config) from disk; the DeepSpeed JSON
 * a config names is also checked on its own, under its own path, and counts in the exit status.
 * Exit status: 1 when any file has an error, 2 on usage errors, 0 otherwise.
 *
 * Output: text lines `file:line:col: severity code: message`, or (`--format json`) ONE JSON array of
 * `{file, framework, line, column, endLine, endColumn, severity, code, message}` with 1-based lines and columns.
 */
import { hubCacheDir } from '../core/tokenizer/resolve';
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { dirname, isAbsolute, join, relative, resolve } from 'node:path';
import { MAX_VALIDATE_BYTES, detectFramework, fileAccessReader, launchDirFor, launchesFromCommands, launchFor, pairedForValidate, referencedConfigs, taskCommands, validateConfigWithFiles } from '../core/config/index';
import type { LaunchGroup, RunLaunch, TaskCommand } from '../core/config/index';
import { runRecords } from '../remote/runs';
import { localFileAccess } from '../remote/files';
import { homedir } from 'node:os';
import { FRAMEWORK_IDS } from '../core/config/registry';
import { tablePackages } from '../core/config/frameworks';
import { formatBytes } from '../core/files';
import type { Framework } from '../core/config/index';
import type { DetectedVersions } from '../core/config/versions';
import { detectVersions, installedAsDetected, mergeVersions, parseVersionOverrides, plainVersions, versionFileRank } from '../core/config/versions';
import { LocalRunner } from '../remote/localRunner';
import { probeInstalledVersions } from '../remote/pythonVersions';

const FRAMEWORKS = FRAMEWORK_IDS;

/**
 * One finding of `llmtrain validate` (1-based positions). `assumes`: the key/component tables the file was checked
 * with for the run's framework versions (the status bar tooltip's text, frameworks.ts `assumes`), on every finding of a
 * file where a version that picks its tables is known (`transformers 4.57.6 (PyPI wheel), the newest key table at or
 * below the run's 5.3.0`).
 */
export interface CliIssue { file: string; framework: Framework; line: number; column: number; endLine: number; endColumn: number; severity: 'error' | 'warning' | 'info'; code: string; message: string; assumes?: string }

function readText(path: string): string | undefined {
  try {
    if (!statSync(path).isFile()) return undefined;
    return readFileSync(path, 'utf8');
  } catch { return undefined; }
}

export const validateUsage = 'usage: llmtrain validate <files...> [--framework hf-trainer|axolotl|llamafactory|torchtune|deepspeed|accelerate|peft] [--format text|json] [--launch-dir DIR] [--workspace DIR] [--version NAME=X.Y ...] [--python PATH]\n  --workspace DIR       the workspace whose .vscode/tasks.json says which files run together and where they are launched\n                        (default: the nearest folder above each config holding .vscode/tasks.json or .git)\n  --version trl=0.19.1  the framework version the run uses (default: read from uv.lock, poetry.lock, requirements*.txt,\n                        pyproject.toml or environment.yml in the config\'s folder or a folder above it)\n                        a file checked with a known version gets a line `FILE: checked with <tables>`, e.g. `transformers\n                        4.57.6 (PyPI wheel), the newest key table at or below the run\'s 5.3.0` (json: `assumes` on its findings)\n  --python PATH         ask this interpreter which framework versions are installed (they win over those files)\nThe DeepSpeed JSON a config names (deepspeed: ds.json, deepspeed_config_file:) is checked too, once, under its own path;\nits errors count in the exit status.';

/**
 * Framework versions for a config on disk: the dependency files (versionFileRank) in its folder and each folder
 * above it, nearest first, the first folder that has any of them deciding (a project's own lock file, not one of a
 * parent checkout).
 */
export function workspaceVersions(configPath: string): DetectedVersions {
  let dir = dirname(resolve(configPath));
  for (let i = 0; i < 32; i++) {
    let names: string[] = [];
    try { names = readdirSync(dir).filter((n) => versionFileRank(n) !== undefined); } catch { /* unreadable: go up */ }
    const files = names.map((n) => ({ path: join(dir, n), text: readText(join(dir, n)) ?? '' })).filter((f) => f.text.length < 8 * 1024 * 1024);
    const found = detectVersions(files);
    if (Object.keys(found).length) return found;
    const up = dirname(dir);
    if (up === dir) break;
    dir = up;
  }
  return {};
}

/**
 * The workspace folder of a config on disk, as the editor has it: the nearest folder at or above the config's that
 * holds `.vscode/tasks.json` or `.git`; undefined when none does (up to the file system root).
 */
export function workspaceRootOf(configPath: string): string | undefined {
  let dir = dirname(resolve(configPath));
  for (let i = 0; i < 64; i++) {
    if (existsSync(join(dir, '.vscode', 'tasks.json')) || existsSync(join(dir, '.git'))) return dir;
    const up = dirname(dir);
    if (up === dir) return undefined;
    dir = up;
  }
  return undefined;
}

/** What a workspace's `.vscode/tasks.json` says (issue 15): its commands (launch directories) and launch groups. */
interface WorkspaceLaunches { root: string; commands: TaskCommand[]; groups: LaunchGroup[] }

/**
 * Reads `<root>/.vscode/tasks.json` once (jsonc; absent or unreadable: no commands), as the editor does
 * (views/config/controller.ts): `taskCommands` for launch directories, `launchesFromCommands` for the files that
 * run together (`accelerate launch --config_file A ... B.yaml`).
 */
function workspaceLaunches(root: string): WorkspaceLaunches {
  const text = readText(join(root, '.vscode', 'tasks.json'));
  const commands = text === undefined ? [] : taskCommands(text, resolve(root));
  return { root: resolve(root), commands, groups: launchesFromCommands(commands) };
}

/**
 * Runs of this machine as their run.json records them (argv, cwd, start time), from the local runs home
 * (`LLMTRAIN_LOCAL_HOME`, else the home folder), for the launch directory of a config a run ran. One scan of the runs
 * folder (records only: no live state); an unreadable one gives none (validation then falls back to searching from the config's folder).
 */
async function localRunLaunches(): Promise<RunLaunch[]> {
  try { return await runRecords(new LocalRunner({ home: process.env.LLMTRAIN_LOCAL_HOME })); } catch { return []; }
}

/**
 * Validates files; returns the issues (1-based positions). Missing or unreadable files become `file-not-found`
 * errors. Files a config names (DeepSpeed JSON...) are read through the local FileAccess; `~/` is the user's home.
 * `workspace`: the folder whose `.vscode/tasks.json` pairs the files of one launch and gives their launch
 * directory (default: {@link workspaceRootOf} each file); `--launch-dir` wins over a task's directory, files given
 * together (pairedForValidate) over a task's pairing.
 * The config files a checked config names (its DeepSpeed JSON: referencedConfigs) are checked too, once each, after
 * the files given, as if given after them (framework `deepspeed`), their issues under their own path (relative to
 * the current directory when inside it, else absolute); a file also given on the command line is checked once, as
 * given. `checked` receives the label of every file checked, given or referenced, in order. `assumed`, when given,
 * gets for each file (by its label) the tables its checks assumed (CliIssue.assumes), where a version that picks
 * them is known.
 */
export async function validateFiles(files: string[], framework?: Framework, launchDir?: string, versions: DetectedVersions = {}, installed: DetectedVersions = {}, workspace?: string, checked: string[] = [], assumed?: Map<string, string>): Promise<CliIssue[]> {
  const out: CliIssue[] = [];
  const fa = localFileAccess();
  const readFile = fileAccessReader(fa);
  // Dataset paths are checked for existence only (they can be gigabytes).
  const exists = async (p: string): Promise<boolean> => (await fa.stat(resolve(p))) !== undefined;
  // Issue 15: files given together are one launch when exactly one is an Accelerate config (core/config/launch.ts).
  const paired = pairedForValidate(files.map((f) => { const abs = resolve(f); const t = readText(abs); return { path: abs, framework: framework ?? (t === undefined || t.length > MAX_VALIDATE_BYTES ? 'unknown' : detectFramework(t, abs).framework) }; }));
  const launchesByRoot = new Map<string, WorkspaceLaunches>();
  let runs: Promise<RunLaunch[]> | undefined;
  // The files given, then the configs they name (each once; a referenced file may name more: an Accelerate config's DeepSpeed JSON).
  const queue: { file: string; framework?: Framework }[] = files.map((file) => ({ file, framework }));
  const seen = new Set(files.map((f) => resolve(f)));
  for (let q = 0; q < queue.length; q++) {
    const { file, framework } = queue[q];
    checked.push(file);
    const abs = resolve(file);
    // Oversized: an error here (the editor shows it as info), with the size on disk, without reading the file.
    let size = -1;
    try { size = statSync(abs).size; } catch { /* reported as not found below */ }
    if (size > MAX_VALIDATE_BYTES) {
      out.push({ file, framework: framework ?? 'unknown', line: 1, column: 1, endLine: 1, endColumn: 1, severity: 'error', code: 'too-large', message: `${file} is ${formatBytes(size)}; configs over ${formatBytes(MAX_VALIDATE_BYTES)} are not validated (not a training config).` });
      continue;
    }
    const text = readText(abs);
    if (text === undefined) {
      out.push({ file, framework: framework ?? 'unknown', line: 1, column: 1, endLine: 1, endColumn: 1, severity: 'error', code: 'file-not-found', message: `Cannot read ${file} (missing, a directory, or no permission).` });
      continue;
    }
    const v = plainVersions(mergeVersions(workspaceVersions(abs), installed, versions));
    const rootDir = workspace !== undefined ? resolve(workspace) : workspaceRootOf(abs);
    let ws = rootDir === undefined ? undefined : launchesByRoot.get(rootDir);
    if (rootDir !== undefined && !ws) { ws = workspaceLaunches(rootDir); launchesByRoot.set(rootDir, ws); }
    const launch = paired.get(abs) ?? (ws ? launchFor(abs, ws.groups) : undefined);
    // As the editor: a task naming the file, else the newest run of this machine (its run.json) that ran it.
    let launchAt = launchDir === undefined && ws ? launchDirFor(abs, ws.commands, []) : undefined;
    if (launchDir === undefined && !launchAt) launchAt = launchDirFor(abs, [], await (runs ??= localRunLaunches()));
    const at = launchDir !== undefined ? { launchDir: resolve(launchDir), launchDirSource: '--launch-dir' } : launchAt ? { launchDir: launchAt.dir, launchDirSource: launchAt.source } : {};
    const opts = { fileName: abs, framework, home: homedir(), readFile: (p: string) => readFile(resolve(p)), exists, ...at, ...(ws ? { referenceRoots: [ws.root] } : {}), versions: v, ...(launch ? { launch } : {}), hfHubCache: hubCacheDir(process.env, homedir()) };
    const r = await validateConfigWithFiles(text, opts);
    for (const ref of await referencedConfigs(text, opts)) {
      const refAbs = resolve(ref.path);
      if (seen.has(refAbs)) continue;
      seen.add(refAbs);
      const rel = relative(process.cwd(), refAbs);
      queue.push({ file: rel && !rel.startsWith('..') && !isAbsolute(rel) ? rel : refAbs, framework: ref.framework });
    }
    // Issue 15: which tables the checks assumed, where the run's version of a package that picks them is known.
    const assumes = r.assumes && tablePackages(r.framework).some((p) => v[p]) ? r.assumes : undefined;
    if (assumes) assumed?.set(file, assumes);
    for (const i of r.issues) {
      out.push({ file, framework: r.framework, line: i.range.start.line + 1, column: i.range.start.character + 1, endLine: i.range.end.line + 1, endColumn: i.range.end.character + 1, severity: i.severity, code: i.code, message: i.message, ...(assumes ? { assumes } : {}) });
    }
  }
  return out;
}

export async function runValidate(args: string[], out: (s: string) => void = (s) => process.stdout.write(s), err: (s: string) => void = (s) => process.stderr.write(s)): Promise<number> {
  let framework: Framework | undefined; let format: 'text' | 'json' = 'text'; let launchDir: string | undefined; let versions: DetectedVersions = {}; let python: string | undefined; let workspace: string | undefined;
  const files: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    const val = (name: string): string | undefined => (a.startsWith(`${name}=`) ? a.slice(name.length + 1) : a === name ? args[++i] : undefined);
    if (a === '-h' || a === '--help') { out(validateUsage + '\n'); return 0; }
    if (a.startsWith('--framework')) {
      const v = val('--framework');
      if (!v || !FRAMEWORKS.includes(v as Framework)) { err(`llmtrain validate: --framework must be one of ${FRAMEWORKS.join(', ')}\n`); return 2; }
      framework = v as Framework;
    } else if (a.startsWith('--format')) {
      const v = val('--format');
      if (v !== 'text' && v !== 'json') { err('llmtrain validate: --format must be text or json\n'); return 2; }
      format = v;
    } else if (a.startsWith('--launch-dir')) {
      // Where the training will be launched from: relative references missing there are errors (else warnings).
      const v = val('--launch-dir');
      if (!v) { err('llmtrain validate: --launch-dir needs a directory\n'); return 2; }
      launchDir = v;
    } else if (a === '--workspace' || a.startsWith('--workspace=')) {
      // The workspace whose .vscode/tasks.json pairs launch files and gives launch directories (default: found above each file).
      const v = val('--workspace');
      if (!v) { err('llmtrain validate: --workspace needs a directory\n'); return 2; }
      if (!existsSync(v) || !statSync(v).isDirectory()) { err(`llmtrain validate: --workspace ${v} is not a directory\n`); return 2; }
      workspace = v;
    } else if (a === '--version' || a.startsWith('--version=')) {
      // NAME=X.Y: the version of a framework the run uses (overrides the workspace's dependency files).
      const v = val('--version');
      const o = parseVersionOverrides(v ? [v] : [''], '--version');
      if (o.invalid.length) { err(`llmtrain validate: --version needs NAME=X.Y (e.g. trl=0.19.1), got ${v ?? 'nothing'}\n`); return 2; }
      versions = { ...versions, ...o.versions };
    } else if (a === '--python' || a.startsWith('--python=')) {
      python = val('--python');
      if (!python) { err('llmtrain validate: --python needs an interpreter (e.g. .venv/bin/python)\n'); return 2; }
    } else if (a.startsWith('--') && a !== '--') { err(`llmtrain validate: unknown option ${a}\n${validateUsage}\n`); return 2; }
    else if (a !== '--') files.push(a);
  }
  if (!files.length) { err(validateUsage + '\n'); return 2; }
  let installed: DetectedVersions = {};
  if (python) {
    // A failed probe is said and the files' versions are used: it does not change the exit status.
    try { installed = installedAsDetected(await probeInstalledVersions(new LocalRunner(), python), 'local'); } catch (e) { err(`llmtrain validate: --python: ${e instanceof Error ? e.message : String(e)}; using the versions of the dependency files\n`); }
  }
  const checked: string[] = [];
  const assumed = new Map<string, string>();
  const issues = await validateFiles(files, framework, launchDir, versions, installed, workspace, checked, assumed);
  if (format === 'json') out(JSON.stringify(issues, null, 2) + '\n');
  else {
    // Per file: the tables its checks assumed (one line, as the status bar tooltip says it), then its findings.
    const byFile = new Map<string, CliIssue[]>();
    for (const i of issues) { const l = byFile.get(i.file); if (l) l.push(i); else byFile.set(i.file, [i]); }
    for (const f of new Set([...checked, ...byFile.keys()])) {
      const a = assumed.get(f);
      if (a) out(`${f}: checked with ${a}\n`);
      for (const i of byFile.get(f) ?? []) out(`${i.file}:${i.line}:${i.column}: ${i.severity} ${i.code}: ${i.message}\n`);
    }
    const e = issues.filter((i) => i.severity === 'error').length, w = issues.filter((i) => i.severity === 'warning').length;
    const named = checked.length - files.length;
    err(`${checked.length} file(s) checked${named > 0 ? ` (${named} named by ${named === 1 ? 'a config' : 'the configs'})` : ''}: ${e} error(s), ${w} warning(s)\n`);
  }
  return issues.some((i) => i.severity === 'error') ? 1 : 0;
}
