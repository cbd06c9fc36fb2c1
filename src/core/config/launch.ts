/**
 * Which config files run together (issue 15, "Files belong to one launch when a launch says so"): an
 * `accelerate launch --config_file A ... B.yaml` command in a tasks.json task (an `llm-training` task's argv, a
 * `process` task's command and args, a `shell` task's command line), or files given together to
 * `llmtrain validate A B`; and the directory a config is launched from (`launchDirFor`: a task's cwd, a run's).
 * Pure: text in, groups out; the command line is read by `parseLaunchArgv`
 * (core/checkpoint/resume.ts), the same reader the resume pre-check uses.
 */
import { parse as parseJsonc } from 'jsonc-parser';
import type { Framework, LaunchInfo } from './types';
import { resolvePath } from './engine';
import { parseLaunchArgv } from '../checkpoint/resume';
import { splitShellWords } from '../runs/shellWords';

/** Files of one launch (absolute POSIX paths) and what its command says. */
export interface LaunchGroup { files: string[]; worldSize?: number; worldSizeFrom?: string; source: string }

/**
 * The Accelerate config and training config an `accelerate launch` command runs together, or undefined when the
 * command is not `accelerate launch --config_file A <script> <config>` (accelerate's default config file is not read:
 * it lives outside the workspace). Relative paths are resolved against `cwd`, as the launcher opens them.
 */
export function accelerateLaunchOf(argv: string[], cwd: string, source: string): LaunchGroup | undefined {
  const f = parseLaunchArgv(argv);
  if (f.launcher !== 'accelerate' || !f.accelerateConfig || f.accelerateConfig === 'default' || !f.trainingConfig) return undefined;
  return {
    files: [resolvePath(cwd, f.accelerateConfig), resolvePath(cwd, f.trainingConfig)],
    ...(f.worldSize !== undefined ? { worldSize: f.worldSize, worldSizeFrom: f.worldSizeFrom } : {}),
    source,
  };
}

/** A shell line cut at `&&`, `||`, `;` and `|` outside single or double quotes. */
function splitShellLine(line: string): string[] {
  const out: string[] = [];
  let cur = ''; let q: string | undefined;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (q) { cur += c; if (c === q) q = undefined; else if (c === '\\' && q === '"') cur += line[++i] ?? ''; continue; }
    if (c === '"' || c === "'") { q = c; cur += c; continue; }
    if (c === '\\') { cur += c + (line[++i] ?? ''); continue; }
    if (c === ';' || c === '|' || (c === '&' && line[i + 1] === '&')) { out.push(cur); cur = ''; if (line[i + 1] === c) i++; continue; }
    cur += c;
  }
  out.push(cur);
  return out.map((s) => s.trim()).filter(Boolean);
}

/** `${workspaceFolder}` and `${cwd}` in a tasks.json string (other variables: left as they are). */
function expand(s: string, folder: string): string { return s.replace(/\$\{(workspaceFolder|workspaceRoot|cwd)\}/g, folder); }

/**
 * Launch groups from a workspace's `.vscode/tasks.json` (JSON with comments). `folder` is the workspace folder
 * (POSIX path): the default cwd of a task and the value of `${workspaceFolder}`. Shell command lines are split at
 * `&&`, `;` and `|`, each part read on its own; never throws (unreadable JSON: no groups).
 */
export function launchesFromTasks(tasksJson: string, folder: string): LaunchGroup[] {
  return launchesFromCommands(taskCommands(tasksJson, folder));
}

/** Launch groups from tasks.json commands already read by {@link taskCommands} (one parse serves both uses). */
export function launchesFromCommands(commands: readonly TaskCommand[]): LaunchGroup[] {
  const out: LaunchGroup[] = [];
  for (const c of commands) {
    // `VAR=x accelerate launch ...`: drop leading environment assignments.
    const i = c.argv.findIndex((w) => !/^[A-Za-z_][A-Za-z0-9_]*=/.test(w));
    const g = i < 0 ? undefined : accelerateLaunchOf(c.argv.slice(i), c.cwd, c.source);
    if (g) out.push(g);
  }
  return out;
}

/** One command of a tasks.json task: its argv, the directory it runs in (absolute POSIX) and `tasks.json task "label"`. */
export interface TaskCommand { argv: string[]; cwd: string; source: string }

/**
 * The commands of a workspace's `.vscode/tasks.json` (JSON with comments), each with the directory it runs in: the
 * task's `options.cwd` (or an `llm-training` task's `cwd`), `${workspaceFolder}` expanded, relative to `folder`,
 * else `folder` itself (VS Code's default cwd of a task). Shell command lines are split at `&&`, `||`, `;` and `|`,
 * each part read on its own. Never throws (unreadable JSON: none).
 */
export function taskCommands(tasksJson: string, folder: string): TaskCommand[] {
  let doc: unknown;
  try { doc = parseJsonc(tasksJson, [], { allowTrailingComma: true }); } catch { return []; }
  const tasks = (doc as { tasks?: unknown })?.tasks;
  if (!Array.isArray(tasks)) return [];
  const out: TaskCommand[] = [];
  for (const t of tasks as Record<string, unknown>[]) {
    if (!t || typeof t !== 'object') continue;
    const label = typeof t.label === 'string' ? t.label : typeof t.name === 'string' ? t.name : 'unnamed';
    const opts = t.options as { cwd?: unknown } | undefined;
    const cwdRaw = typeof t.cwd === 'string' ? t.cwd : typeof opts?.cwd === 'string' ? opts.cwd : folder;
    const cwd = resolvePath(folder, expand(cwdRaw, folder));
    const strs = (a: unknown): string[] => (Array.isArray(a) ? a.map((x) => (typeof x === 'string' ? expand(x, folder) : typeof x === 'object' && x && typeof (x as { value?: unknown }).value === 'string' ? expand((x as { value: string }).value, folder) : '')) : []);
    let commands: string[][] = [];
    if (t.type === 'llm-training') commands = [strs(t.argv)];
    else if (typeof t.command === 'string') {
      const cmd = expand(t.command, folder);
      if (t.type === 'process') commands = [[cmd, ...strs(t.args)]];
      else {
        // A shell line: one command per part between && || ; | (outside quotes); a part the word splitter refuses
        // (redirections, substitutions) is skipped.
        for (const part of splitShellLine([cmd, ...strs(t.args)].join(' '))) {
          try { commands.push(splitShellWords(part)); } catch { /* not a plain command */ }
        }
      }
    }
    for (const argv of commands) if (argv.length) out.push({ argv, cwd, source: `tasks.json task "${label}"` });
  }
  return out;
}

/** Where a config will be launched from, and who says so (for messages and the log). */
export interface LaunchDir { dir: string; source: string }

/** Whether `argv`, run in `cwd`, names `file`: a word (or the value of `--opt=value`) that resolves to it. */
function namesFile(argv: string[], cwd: string, file: string): boolean {
  return argv.some((w) => {
    const v = /^--?[\w.-]+=(.+)$/.exec(w)?.[1] ?? w;
    return !!v && !v.startsWith('-') && resolvePath(cwd, v) === file;
  });
}

/** A run as its run.json records it: enough to tell whether it ran a config and from where. */
export interface RunLaunch { argv: string[]; cwd: string; startTime?: string; id: string; name?: string }

/**
 * The launch directory of the config `file` (absolute POSIX path), when a launch says so (issue 15, "an error only
 * where the launch directory is known (a task, a run, a Launch Run in progress)"): the cwd of the first tasks.json
 * command that names the file (`taskCommands`), else the cwd of the newest run (run.json on this machine; Launch
 * Run writes one when it starts) whose argv names it. Undefined when none does: references are then searched from
 * the config's folder upwards and a miss is a warning.
 */
export function launchDirFor(file: string, tasks: TaskCommand[], runs: RunLaunch[]): LaunchDir | undefined {
  const t = tasks.find((c) => namesFile(c.argv, c.cwd, file));
  if (t) return { dir: t.cwd, source: t.source };
  const r = runs.filter((x) => x.cwd.startsWith('/') && namesFile(x.argv, x.cwd, file))
    .sort((a, b) => (b.startTime ?? '').localeCompare(a.startTime ?? ''))[0];
  return r ? { dir: r.cwd, source: `run ${r.name ? `"${r.name}"` : r.id} (run.json)` } : undefined;
}

/** The launch `file` (absolute POSIX path) belongs to, with the other files of it; the first group that has it. */
export function launchFor(file: string, groups: LaunchGroup[]): LaunchInfo | undefined {
  const g = groups.find((x) => x.files.includes(file));
  if (!g) return undefined;
  return { files: g.files.filter((f) => f !== file), source: g.source, ...(g.worldSize !== undefined ? { worldSize: g.worldSize, worldSizeFrom: g.worldSizeFrom } : {}) };
}

const TRAINING: Framework[] = ['hf-trainer', 'axolotl', 'llamafactory'];

/**
 * Files given together to `llmtrain validate A B ...`: when exactly one of them is an Accelerate config, it and each
 * training config (HF/TRL, Axolotl, LLaMA-Factory) are one launch. With none or several Accelerate configs no
 * pairing is guessed (a folder of unrelated configs must not be checked against each other).
 * Returns, per path, its launch.
 */
export function pairedForValidate(files: { path: string; framework: Framework }[]): Map<string, LaunchInfo> {
  const out = new Map<string, LaunchInfo>();
  const acc = files.filter((f) => f.framework === 'accelerate');
  if (acc.length !== 1) return out;
  const training = files.filter((f) => TRAINING.includes(f.framework));
  if (!training.length) return out;
  const source = 'given together to llmtrain validate';
  out.set(acc[0].path, { files: training.map((t) => t.path), source });
  for (const t of training) out.set(t.path, { files: [acc[0].path], source });
  return out;
}
