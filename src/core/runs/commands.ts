/**
 * Pure command builders for the run lifecycle (the vscode-containers pattern): each returns the argv to execute
 * on a host and how to read its output. A `Runner` executes them; nothing here touches a process or a file.
 * Shell text is only ever produced by `shellQuote`/`shellJoin` (./quote.ts).
 */
import { isEnvName, shellJoin, shellQuote } from './quote';
import type { RunRecord, RunState } from './types';

/** What an executed command gave back (the subset of `ExecResult` the parsers need). */
export interface CommandOutput { stdout: string; stderr: string; exitCode: number | null }

/** A command to run plus the parser for its output. */
export interface CommandSpec<T> { argv: string[]; parse(out: CommandOutput): T }

/** Folder under the host's home that holds one folder per run. */
export const RUNS_SUBDIR = '.llm-training-studio/runs';

/** `exit.json`, written by the run wrapper when the command ends: `{"exitCode": N, "endTime": ISO}`. */
export interface ExitInfo { exitCode: number; endTime: string }
/** `stop.json`, written by stopRun before it signals: `{"requestedAt": ISO, "signals": [...]}`. */
export interface StopInfo { requestedAt: string; signals?: string[] }

/**
 * The wrapper every run is started under: `sh -c RUN_WRAPPER llmtrain-run RUN_DIR ARGV...`.
 * It runs ARGV in the foreground and records its exit status (128+N for a signal, 127 when not found) into
 * RUN_DIR/exit.json atomically (tmp + mv). It traps INT/TERM/HUP with a no-op handler (not an ignore, which the
 * child would inherit) so that a signal sent to the process group reaches the child, and the wrapper survives to
 * write the exit file after the child ends. Only SIGKILL prevents the file; stopRun then records the stop itself.
 * It exports PYTHONUNBUFFERED=1 unless it is set (so Python runs write their log as they go).
 */
export const RUN_WRAPPER = [
  'd=$1; shift',
  // Python block-buffers stdout into a file: without this a run started without `-u` writes nothing to its log until
  // it exits. Set for every launcher (local, SSH, Slurm all start under this wrapper) unless the user's environment
  // or the run's env already sets it (to anything, even empty).
  'export PYTHONUNBUFFERED="${PYTHONUNBUFFERED-1}"',
  "trap ':' INT TERM HUP",
  '"$@"',
  'code=$?',
  `printf '{"exitCode":%d,"endTime":"%s"}\\n' "$code" "$(date -u +%Y-%m-%dT%H:%M:%SZ)" > "$d/exit.json.tmp" && mv -f "$d/exit.json.tmp" "$d/exit.json"`,
  'exit "$code"',
].join('\n');

/** The argv that runs `argv` under RUN_WRAPPER for the run directory `runDir`. */
export function wrapRunArgv(runDir: string, argv: readonly string[]): string[] {
  if (argv.length === 0) throw new Error('empty command');
  return ['sh', '-c', RUN_WRAPPER, 'llmtrain-run', runDir, ...argv];
}

/**
 * POSIX sh script that starts argv detached and prints its pid on stdout: `cd`, env assignments, `setsid -f`
 * (fork, new session: the pid is the session and process group id), stdin from /dev/null, stdout+stderr appended to
 * logPath. The child reports its own pid through a temp file, which the script waits for (up to 10 s).
 *
 * Not `cmd &`: a non-interactive shell starts background commands with SIGINT and SIGQUIT ignored (POSIX XCU 2.11),
 * an ignored signal cannot be trapped again by a shell, and Python then never raises KeyboardInterrupt, so the
 * gentle first step of stopRun would do nothing. Exits 97 when cwd is missing, 98 when the child never reported.
 */
export function detachedLaunchScript(argv: readonly string[], cwd: string, env: Record<string, string>, logPath: string): string {
  const assigns = Object.entries(env).map(([k, v]) => {
    if (!isEnvName(k)) throw new Error(`invalid environment variable name: ${JSON.stringify(k)}`);
    return `${k}=${shellQuote(v)}`;
  });
  const child = 'echo "$$" > "$1.tmp" && mv -f "$1.tmp" "$1"; shift; exec "$@"';
  return [
    `cd -- ${shellQuote(cwd)} || exit 97`,
    'p=$(mktemp) || exit 98',
    `${[...assigns, 'setsid', '-f', 'sh', '-c', shellQuote(child), 'llmtrain-launch', '"$p"', shellJoin(argv)].join(' ')} >> ${shellQuote(logPath)} 2>&1 < /dev/null`,
    'i=0; while [ ! -s "$p" ] && [ "$i" -lt 200 ]; do sleep 0.05; i=$((i+1)); done',
    'pid=$(cat "$p"); rm -f "$p" "$p.tmp"',
    '[ -n "$pid" ] || { echo "the run did not start (no pid reported)" >&2; exit 98; }',
    'echo "$pid"',
  ].join('\n');
}

/** Parses the pid printed by `detachedLaunchScript`. Throws with the remote's stderr when the launch failed. */
export function parseDetachedPid(out: CommandOutput): number {
  if (out.exitCode === 97) throw new Error(`working directory does not exist on the host: ${out.stderr.trim()}`);
  const pid = Number.parseInt(out.stdout.trim().split('\n').pop() ?? '', 10);
  if (out.exitCode !== 0 || !Number.isInteger(pid) || pid <= 0) throw new Error(`could not start the run (exit ${out.exitCode}): ${out.stderr.trim() || out.stdout.trim()}`);
  return pid;
}

/** One row of the process table. `stat` is ps's STAT column (first letter: R, S, D, Z zombie, T stopped, ...). */
export interface ProcessEntry { pid: number; pgid: number; stat: string }

/** `ps -A -o pid= -o pgid= -o stat=`: the whole process table in one call (Linux procps and BSD/macOS ps). */
export function processTableCommand(): CommandSpec<ProcessEntry[]> {
  return {
    argv: ['ps', '-A', '-o', 'pid=', '-o', 'pgid=', '-o', 'stat='],
    parse: (out) => {
      // An empty table from a failed ps would read as "every run ended".
      if (out.exitCode !== 0) throw new Error(out.stderr.trim() || `ps exited with ${out.exitCode}`);
      return parseProcessTable(out.stdout);
    },
  };
}

/** Parses `ps -o pid= -o pgid= -o stat=` lines; malformed lines are skipped. */
export function parseProcessTable(stdout: string): ProcessEntry[] {
  const rows: ProcessEntry[] = [];
  for (const line of stdout.split('\n')) {
    const m = /^\s*(\d+)\s+(\d+)\s+(\S+)/.exec(line);
    if (m) rows.push({ pid: Number(m[1]), pgid: Number(m[2]), stat: m[3] });
  }
  return rows;
}

/** True when any non-zombie process is in group `pgid` (a zombie answers `kill -0`, so that test is not used). */
export function groupAlive(procs: readonly ProcessEntry[], pgid: number): boolean {
  return procs.some((p) => p.pgid === pgid && !p.stat.startsWith('Z'));
}

/** What one run folder holds, as scanned on the host. */
export interface ScannedRun { dir: string; record?: RunRecord; exit?: ExitInfo; stop?: StopInfo; error?: string }

const MARK = '\u001eLLMTRAIN';

/**
 * One round trip that lists every run folder under `runsRoot` with its run.json, exit.json and stop.json, followed by
 * the process table. Parse gives the runs (newest first by id) and the process rows.
 */
export function scanRunsCommand(runsRoot: string): CommandSpec<{ runs: ScannedRun[]; procs: ProcessEntry[] }> {
  const script = [
    'cd -- "$1" 2>/dev/null && for d in */; do',
    '  d=${d%/}; [ -f "$d/run.json" ] || continue',
    `  for f in run exit stop; do if [ -f "$d/$f.json" ]; then printf '\\036LLMTRAIN %s %s\\n' "$f" "$d"; cat -- "$d/$f.json"; echo; fi; done`,
    'done',
    `printf '\\036LLMTRAIN ps -\\n'`,
    'ps -A -o pid= -o pgid= -o stat=',
  ].join('\n');
  return {
    argv: ['sh', '-c', script, 'llmtrain-scan', runsRoot],
    parse: (out) => parseRunScan(out.stdout),
  };
}

/** Parses scanRunsCommand output: sections `\x1eLLMTRAIN <kind> <dir>` then the body; newest run first. */
export function parseRunScan(stdout: string): { runs: ScannedRun[]; procs: ProcessEntry[] } {
  const byDir = new Map<string, ScannedRun>();
  let procs: ProcessEntry[] = [];
  const sections = stdout.split(MARK + ' ').slice(1);
  for (const sec of sections) {
    const nl = sec.indexOf('\n');
    const [kind, dir] = sec.slice(0, nl).split(' ');
    const body = sec.slice(nl + 1);
    if (kind === 'ps') { procs = parseProcessTable(body); continue; }
    const entry = byDir.get(dir) ?? { dir };
    byDir.set(dir, entry);
    try {
      const value = JSON.parse(body);
      if (kind === 'run') entry.record = value as RunRecord;
      else if (kind === 'exit') entry.exit = value as ExitInfo;
      else if (kind === 'stop') entry.stop = value as StopInfo;
    } catch (e) {
      if (kind === 'run') entry.error = `unreadable run.json: ${(e as Error).message}`;
    }
  }
  // Newest first by run.json startTime (ids carry only seconds, and runs started in the same second would otherwise
  // sort by their random suffix); the directory name breaks ties and orders runs whose run.json is unreadable.
  const started = (r: ScannedRun) => { const t = r.record ? Date.parse(r.record.startTime) : NaN; return Number.isNaN(t) ? -Infinity : t; };
  const runs = [...byDir.values()].sort((a, b) => started(b) - started(a) || (a.dir < b.dir ? 1 : a.dir > b.dir ? -1 : 0));
  return { runs, procs };
}

/**
 * Live state of a non-Slurm run from what the host shows: an exit file wins (finished/failed, or stopped when a stop
 * was requested); else a live process in the group means running; else stopped (after a stop) or unknown (the
 * process vanished without an exit file: SIGKILL from outside, OOM killer, reboot).
 */
export function resolveRunState(scan: { record: RunRecord; exit?: ExitInfo; stop?: StopInfo }, procs: readonly ProcessEntry[]): { state: RunState; exitCode?: number; endTime?: string } {
  const { record, exit, stop } = scan;
  if (exit) return { state: stop ? 'stopped' : exit.exitCode === 0 ? 'finished' : 'failed', exitCode: exit.exitCode, endTime: exit.endTime };
  const pgid = record.pgid ?? record.pid;
  if (pgid !== undefined && groupAlive(procs, pgid)) return { state: 'running' };
  return { state: stop ? 'stopped' : 'unknown' };
}

/** One GPU as nvidia-smi reports it. Numbers are undefined where nvidia-smi prints `[N/A]`/`[Not Supported]`. */
export interface GpuInfo {
  index: number; name: string; uuid: string;
  /** percent */ utilizationGpu?: number;
  /** MiB */ memoryUsed?: number;
  /** MiB */ memoryTotal?: number;
  /** degrees C */ temperature?: number;
  /** W */ powerDraw?: number;
}
/** GPUs of a host, or why there are none (missing nvidia-smi, driver failure, no devices). */
export type GpuStatus = { available: true; gpus: GpuInfo[] } | { available: false; reason: string };

/** Fields queried, in order; names from `nvidia-smi --help-query-gpu`. */
export const GPU_QUERY_FIELDS = ['index', 'name', 'uuid', 'utilization.gpu', 'memory.used', 'memory.total', 'temperature.gpu', 'power.draw'] as const;

/** `nvidia-smi --query-gpu=... --format=csv,noheader,nounits`. A host without the tool or driver gives `available: false`. */
export function gpuQueryCommand(): CommandSpec<GpuStatus> {
  // Through sh so that a missing binary is an exit code (127), not a failed spawn.
  return {
    argv: ['sh', '-c', 'command -v nvidia-smi >/dev/null 2>&1 || exit 127; exec nvidia-smi --query-gpu="$1" --format=csv,noheader,nounits', 'sh', GPU_QUERY_FIELDS.join(',')],
    parse: parseGpuQuery,
  };
}

/** Parses gpuQueryCommand output (CSV, no header, no units; `[N/A]` becomes undefined). */
export function parseGpuQuery(out: CommandOutput): GpuStatus {
  if (out.exitCode === 127) return { available: false, reason: 'no GPUs: nvidia-smi is not installed on this host' };
  if (out.exitCode !== 0) {
    const msg = (out.stdout + out.stderr).trim().split('\n')[0] ?? '';
    return { available: false, reason: `no GPUs: nvidia-smi failed (exit ${out.exitCode})${msg ? `: ${msg}` : ''}` };
  }
  const num = (s: string | undefined): number | undefined => {
    const v = Number.parseFloat((s ?? '').trim());
    return Number.isFinite(v) ? v : undefined;
  };
  const gpus: GpuInfo[] = [];
  for (const line of out.stdout.split('\n')) {
    if (!line.trim()) continue;
    const c = line.split(',').map((s) => s.trim());
    if (c.length < GPU_QUERY_FIELDS.length) continue;
    gpus.push({ index: Number(c[0]), name: c[1], uuid: c[2], utilizationGpu: num(c[3]), memoryUsed: num(c[4]), memoryTotal: num(c[5]), temperature: num(c[6]), powerDraw: num(c[7]) });
  }
  if (gpus.length === 0) return { available: false, reason: 'no GPUs: nvidia-smi lists no devices' };
  return { available: true, gpus };
}
