/**
 * The run lifecycle over any `Runner`: launch (detached, with a run directory), list with live state, stop with
 * escalation. The host's run directory is the truth (`~/.llm-training-studio/runs/<id>/`):
 *   run.json    RunRecord written at launch (env NAMES only, never values)
 *   output.log  stdout+stderr of the command, appended
 *   exit.json   `{"exitCode", "endTime"}` written by the run wrapper when the command ends
 *   stop.json   written by stopRun before it signals
 *   config/     snapshot of the training config, when one was given
 */
import { RUNS_SUBDIR, processTableCommand, groupAlive, resolveRunState, scanRunsCommand, wrapRunArgv } from '../core/runs/commands';
import type { ProcessEntry, ScannedRun, StopInfo } from '../core/runs/commands';
import { assertEnvNames } from '../core/runs/env';
import { isValidRunId, makeRunId } from '../core/runs/runId';
import type { RunRecord } from '../core/runs/types';
import { CRASH_TAIL_BYTES, crashOfLog, mayHaveCrashed } from '../core/runs/crash';
import { STOP_GRACE, isEnded, lastLogLine } from '../core/runs/runState';
import { mergeSettings, settingsFromConfig, worldSizeFromArgv, type RunSettings } from '../shared/runSettings';
import type { Runner } from './types';
import { runSpec } from './commands';
import { cancelSlurmJob, slurmRunStates, submitSlurmRun } from './slurm';
import { SlurmQueryError } from '../core/runs/slurm';
import { LogFollower } from './logFollower';
import type { LogFollowerOptions } from './logFollower';
import type { SlurmOptions } from './slurm';

/** What to launch (see launchRun). */
export interface LaunchOptions {
  /** The command, as argv (never a shell string). */
  argv: string[];
  /** Working directory on the host (must exist). */
  cwd: string;
  /** Extra environment variables. Values reach the process only; run.json records the names. */
  env?: Record<string, string>;
  /** Free-text run name; sanitized into the id. */
  name?: string;
  /** The training config to keep with the run: copied to `<runDir>/config/<fileName>`. */
  configSnapshot?: { fileName: string; content: string };
  /** Submit through Slurm (`sbatch`) instead of starting directly on the host. */
  slurm?: SlurmOptions;
}

/** `<home>/.llm-training-studio/runs` on the runner's host. */
export async function runsRoot(runner: Runner): Promise<string> {
  return `${(await runner.home()).replace(/\/+$/, '')}/${RUNS_SUBDIR}`;
}

/** The folder of run `id` (validated: an id from user input never escapes the runs root). */
export async function runDir(runner: Runner, id: string): Promise<string> {
  if (!isValidRunId(id)) throw new Error(`not a run id: ${JSON.stringify(id)}`);
  return `${await runsRoot(runner)}/${id}`;
}

async function gitInfo(runner: Runner, cwd: string): Promise<{ gitCommit?: string; gitDirty?: boolean }> {
  try {
    const head = await runner.exec(['git', '-C', cwd, 'rev-parse', '--verify', '-q', 'HEAD'], { timeoutMs: 10_000 });
    if (head.exitCode !== 0) return {};
    const status = await runner.exec(['git', '-C', cwd, 'status', '--porcelain', '--untracked-files=no'], { timeoutMs: 20_000 });
    return { gitCommit: head.stdout.trim(), ...(status.exitCode === 0 ? { gitDirty: status.stdout.trim() !== '' } : {}) };
  } catch {
    return {};
  }
}

function encodeRecord(r: RunRecord): string {
  return `${JSON.stringify(r, null, 2)}\n`;
}

/**
 * Throws a clear error when `cwd` is not a directory on the runner's host. The front ends call it once before a
 * launch: without it a missing folder surfaces as the shell's "spawn sh ENOENT" after a run directory was made.
 */
export async function assertWorkingDirectory(runner: Runner, cwd: string): Promise<void> {
  const st = await runner.stat(cwd);
  if (!st?.isDirectory) throw new Error(`working directory ${cwd} does not exist on ${runner.host}${st ? ' (it is a file)' : ''}`);
}

/**
 * `~` and `~/x` resolved against the host's home (`runner.home()`); any other path is returned unchanged.
 * Nothing is expanded otherwise (no `$VAR`): the path is the host's literal path.
 */
export async function resolveHostPath(runner: Runner, p: string): Promise<string> {
  if (p === '~' || p.startsWith('~/')) return `${(await runner.home()).replace(/\/+$/, '')}${p.slice(1)}`;
  return p;
}

/**
 * Starts a run detached on the runner's host and returns its record (state `running`, or `starting` for a Slurm job
 * still pending). Throws with the reason when the command could not be started; the run directory then keeps a
 * run.json with state `failed` and the error. `opts.cwd` is used as given (see `startRun` for `~` and the check that
 * it exists).
 */
export async function launchRun(runner: Runner, opts: LaunchOptions): Promise<RunRecord> {
  if (opts.argv.length === 0) throw new Error('launchRun: empty command');
  const env = opts.env ?? {};
  assertEnvNames(env);
  const id = makeRunId(opts.name);
  const dir = await runDir(runner, id);
  const logPath = `${dir}/output.log`;
  const record: RunRecord = {
    id,
    ...(opts.name ? { name: opts.name } : {}),
    host: runner.host,
    argv: [...opts.argv],
    cwd: opts.cwd,
    envNames: Object.keys(env).sort(),
    startTime: new Date().toISOString(),
    state: 'starting',
    logPath,
    ...(await gitInfo(runner, opts.cwd)),
  };
  if (opts.configSnapshot) {
    const base = opts.configSnapshot.fileName.split(/[\\/]/).pop() || 'config';
    const safe = base.replace(/[^A-Za-z0-9._-]/g, '_').replace(/^\.+/, '_');
    record.configSnapshot = `${dir}/config/${safe}`;
    await runner.writeFile(record.configSnapshot, opts.configSnapshot.content);
  }
  await runner.writeFile(`${dir}/run.json`, encodeRecord(record));
  await runner.writeFile(logPath, '');
  try {
    if (opts.slurm) {
      record.slurmJobId = await submitSlurmRun(runner, { runDir: dir, argv: opts.argv, cwd: opts.cwd, env, logPath, name: opts.name ?? id, slurm: opts.slurm });
      record.state = 'starting';
    } else {
      const { pid } = await runner.spawnDetached(wrapRunArgv(dir, opts.argv), opts.cwd, env, logPath);
      processTables.delete(runner); // a table read before this launch does not have the new group: never answer from it
      record.pid = pid;
      record.pgid = pid;
      record.state = 'running';
    }
  } catch (e) {
    record.state = 'failed';
    record.error = (e as Error).message;
    await runner.writeFile(`${dir}/run.json`, encodeRecord(record)).catch(() => undefined);
    throw e;
  }
  await runner.writeFile(`${dir}/run.json`, encodeRecord(record));
  return record;
}

/**
 * Runs launched from code: what any feature calls to run a command on a host as a run (an ONNX export, a parity
 * check, a data scan), without the interactive Launch Run flow. The run gets everything a training run gets: its
 * directory on the host (`run.json`, `output.log`, `exit.json`), a log that can be followed and re-attached, Stop,
 * and a row in the Runs view and `llmtrain runs`.
 *
 * - `runner`: the host's Runner (`local`: `openRunner('local', ...)`; in the extension `api.runs.backend.getRunner(alias)`).
 * - `opts.argv`: the command, `argv[0]` looked up on the host's PATH; never run through a shell.
 * - `opts.cwd`: directory on the host; `~` / `~/x` are resolved against the host's home; it must exist (else a
 *   clear `working directory ... does not exist on <host>` error, before any run directory is made).
 * - `opts.env`: extra variables; names must be POSIX names (`parseEnvAssignments`/`parseEnvList` in core/runs/env.ts build it
 *   from `NAME=value` text); only the names are written to run.json.
 * - `opts.slurm`: submit with `sbatch` (nodes, GPUs per node, time, partition, account, launcher) instead of starting
 *   on the host directly.
 * Resolves with the RunRecord (its `id` is what `getRun`, `stopRun`, `followRun` and `waitForRun` take). In the
 * extension, `api.runs.start(...)` wraps this and also attaches the run's metrics feed (views/runs/index.ts).
 */
export async function startRun(runner: Runner, opts: LaunchOptions): Promise<RunRecord> {
  const cwd = await resolveHostPath(runner, opts.cwd);
  await assertWorkingDirectory(runner, cwd);
  return launchRun(runner, { ...opts, cwd });
}

/** How waitForRun polls. */
export interface WaitOptions {
  /** Aborting rejects with the signal's reason (an `AbortError`); the run keeps running (stop it with stopRun). */
  signal?: AbortSignal;
  /** ms between liveness checks (default 1000). One shared `ps` per host (see isRunActive), squeue for Slurm. */
  pollMs?: number;
}

/**
 * Resolves with the run's final record (state `finished`, `failed`, `stopped` or `unknown`, `exitCode` and `endTime`
 * from exit.json) once its process group is gone, or its Slurm job is over. Never times out by itself: pass a signal.
 */
export async function waitForRun(runner: Runner, run: RunRecord, opts: WaitOptions = {}): Promise<RunRecord> {
  const pollMs = opts.pollMs ?? 1000;
  for (;;) {
    opts.signal?.throwIfAborted();
    if (!(await isRunActive(runner, run))) break;
    await new Promise<void>((resolve, reject) => {
      if (opts.signal?.aborted) { reject(opts.signal.reason); return; }
      const t = setTimeout(() => { opts.signal?.removeEventListener('abort', onAbort); resolve(); }, pollMs);
      const onAbort = () => { clearTimeout(t); reject(opts.signal!.reason); };
      opts.signal?.addEventListener('abort', onAbort, { once: true });
    });
  }
  return getRun(runner, run.id);
}

function merge(scan: ScannedRun & { record: RunRecord }, procs: Parameters<typeof resolveRunState>[1]): RunRecord {
  const r = { ...scan.record };
  if (r.state === 'failed' && r.error) return r;
  if (r.slurmJobId) {
    if (scan.exit) { r.exitCode = scan.exit.exitCode; r.endTime = scan.exit.endTime; }
    return r; // state filled from Slurm by the caller
  }
  const live = resolveRunState({ record: r, exit: scan.exit, stop: scan.stop }, procs);
  r.state = live.state;
  if (live.exitCode !== undefined) r.exitCode = live.exitCode;
  if (live.endTime !== undefined) r.endTime = live.endTime;
  return r;
}

/**
 * Every run on the host, newest first, with live state (from the process table, exit.json/stop.json, and Slurm for
 * Slurm jobs). One round trip for the scan plus one for Slurm when there are Slurm runs. Unreadable run folders are
 * skipped (listed in `skipped`). When Slurm does not answer, Slurm runs keep the state their folders give and
 * `slurmError` says why.
 */
export async function listRunsDetailed(runner: Runner): Promise<{ runs: RunRecord[]; skipped: { dir: string; error: string }[]; slurmError?: string }> {
  let slurmError: string | undefined;
  const { runs, procs } = await runSpec(runner, scanRunsCommand(await runsRoot(runner)), { timeoutMs: 60_000 });
  const skipped = runs.filter((s) => !s.record).map((s) => ({ dir: s.dir, error: s.error ?? 'no run.json' }));
  const records = runs.filter((s): s is ScannedRun & { record: RunRecord } => !!s.record).map((s) => merge(s, procs));
  const slurmRuns = records.filter((r) => r.slurmJobId && !(r.state === 'failed' && r.error));
  if (slurmRuns.length > 0) {
    // Slurm not answering (slurmctld restarting, a socket timeout) must not hide the list: the runs keep what their
    // folders say (exit.json, stop.json), and the listing says Slurm did not answer.
    try {
      const states = await slurmRunStates(runner, slurmRuns);
      for (const r of slurmRuns) {
        const s = states.get(r.slurmJobId!);
        if (s) r.state = s.state;
        if (s?.problem) r.slurmError = `Slurm job ${r.slurmJobId}: ${s.problem}`;
        if (s?.waiting) r.slurmWaiting = `Slurm job ${r.slurmJobId} is ${s.waiting}`;
      }
    } catch (e) {
      if (!(e instanceof SlurmQueryError)) throw e;
      slurmError = e.message;
      // said on each Slurm run too, where the Runs view shows it: its state is the folder's, not Slurm's
      for (const r of slurmRuns) r.slurmError = `Slurm did not answer (${e.message}): the state is what the run folder says`;
    }
  }
  await markCrashes(runner, records);
  return { runs: records, skipped, ...(slurmError ? { slurmError } : {}) };
}

/**
 * What a run's config snapshot and launch command say about its batch geometry (see core/metrics/settings.ts): the
 * snapshot is read through the runner (YAML or JSON, at most 1 MiB) and the world size taken from the argv
 * (`torchrun --nproc_per_node`, `accelerate launch --num_processes`, `deepspeed --num_gpus`). Never throws: an
 * unreadable or unparsable config gives what the argv alone says.
 */
export async function runSettingsOf(runner: Runner, run: RunRecord): Promise<RunSettings> {
  const fromArgv: RunSettings = { sources: {} };
  const ws = worldSizeFromArgv(run.argv);
  if (ws !== undefined) { fromArgv.worldSize = ws; fromArgv.sources.worldSize = 'launch command'; }
  if (!run.configSnapshot) return fromArgv;
  try {
    const bytes = await runner.readRange(run.configSnapshot, 0, 1 << 20);
    const text = new TextDecoder().decode(bytes);
    // yaml is required here, not imported: only a run with a config snapshot needs it (activation stays cheap)
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const value: unknown = /\.json$/i.test(run.configSnapshot) ? JSON.parse(text) : (require('yaml') as typeof import('yaml')).parse(text);
    return mergeSettings(settingsFromConfig(value), fromArgv);
  } catch {
    return fromArgv;
  }
}

/** How many ended runs per listing get their log's tail read (newest first): one range read each. */
const CRASH_CHECKS = 20;

/**
 * Runs that ended badly (non-zero exit, or gone without exit.json) whose log's tail shows a line that ends runs
 * become `crashed`, with `crashReason` and `lastError`; a failed one without such a line gets its log's last non-blank
 * line as `lastError`. The newest CRASH_CHECKS such runs are read, in parallel.
 */
async function markCrashes(runner: Runner, records: RunRecord[]): Promise<void> {
  const todo = records.filter(mayHaveCrashed).slice(0, CRASH_CHECKS);
  await Promise.all(todo.map(async (r) => {
    try {
      const st = await runner.stat(r.logPath);
      const size = st?.size ?? 0;
      const bytes = size > 0 ? await runner.readRange(r.logPath, Math.max(0, size - CRASH_TAIL_BYTES), size) : new Uint8Array();
      const tail = new TextDecoder().decode(bytes);
      const c = crashOfLog(tail, r.exitCode);
      if (c) { r.state = 'crashed'; r.crashReason = c.reason; r.lastError = c.lastError; }
      // a run that failed on its own error line (`ERROR: dataset shard 17 is corrupt`, then exit 2): its last words
      else if (r.state === 'failed') r.lastError = lastLogLine(tail);
    } catch { /* an unreadable log leaves the state as it was */ }
  }));
}

/** Every run on the host, newest first, with live state. */
export async function listRuns(runner: Runner): Promise<RunRecord[]> {
  return (await listRunsDetailed(runner)).runs;
}

/**
 * Every run's record as its run.json holds it (argv, cwd, name, start time), without live state: one round trip, no
 * Slurm query, no log read. For callers that need only how runs were launched (a config's launch directory).
 */
export async function runRecords(runner: Runner): Promise<RunRecord[]> {
  const { runs } = await runSpec(runner, scanRunsCommand(await runsRoot(runner)), { timeoutMs: 60_000 });
  return runs.flatMap((s) => (s.record ? [s.record] : []));
}

/** One run with live state; throws `no run <id>` when it does not exist. */
export async function getRun(runner: Runner, id: string): Promise<RunRecord> {
  await runDir(runner, id); // validates the id
  const run = (await listRuns(runner)).find((r) => r.id === id);
  if (!run) throw new Error(`no run ${id} on ${runner.host}`);
  return run;
}

/** Process tables fetched in the last PROCESS_TABLE_TTL_MS, shared by every follower of the same runner. */
const PROCESS_TABLE_TTL_MS = 250;
const processTables = new WeakMap<Runner, { at: number; table: Promise<ProcessEntry[]> }>();

async function processTable(runner: Runner): Promise<ProcessEntry[]> {
  const hit = processTables.get(runner);
  if (hit && Date.now() - hit.at < PROCESS_TABLE_TTL_MS) return hit.table;
  const table = runSpec(runner, processTableCommand()).catch((e: Error) => { throw new Error(`ps failed on ${runner.host}: ${e.message}`); });
  processTables.set(runner, { at: Date.now(), table });
  table.catch(() => { if (processTables.get(runner)?.table === table) processTables.delete(runner); });
  return table;
}

/**
 * True while the run's process group (or Slurm job) is alive. Throws (SlurmQueryError, or the runner's error) when
 * that cannot be known: a LogFollower treats a throw as a lost connection and retries, never as "the run ended". Many followers on one host share one `ps` call per
 * 250 ms, so following many runs costs one exec per interval, not one per run.
 */
export async function isRunActive(runner: Runner, run: RunRecord): Promise<boolean> {
  if (run.slurmJobId) {
    const s = (await slurmRunStates(runner, [run])).get(run.slurmJobId)?.state;
    return s === 'running' || s === 'starting';
  }
  const pgid = run.pgid ?? run.pid;
  if (pgid === undefined) return false;
  return groupAlive(await processTable(runner), pgid);
}

/**
 * A LogFollower for a run's output.log that ends when the run ends (process group gone or Slurm job over) and the
 * log is drained. Not started: attach `data`/`status`/`end` listeners, then call `start()`.
 */
export function followRun(runner: Runner, run: RunRecord, opts: Partial<Omit<LogFollowerOptions, 'runner' | 'path' | 'isActive'>> = {}): LogFollower {
  return new LogFollower({ ...opts, runner, path: run.logPath, isActive: () => isRunActive(runner, run) });
}

/** Grace periods and progress reporting of stopRun. */
export interface StopOptions {
  /** ms to wait after SIGINT before SIGTERM (default 10 000). */
  interruptGraceMs?: number;
  /** ms to wait after SIGTERM before SIGKILL (default 10 000). */
  terminateGraceMs?: number;
  /** Called with each step ("SIGINT sent", ...). */
  onProgress?: (message: string) => void;
}

/**
 * Stops a run: SIGINT to its process group (lets a trainer save and exit), then SIGTERM, then SIGKILL, each after
 * its grace period; a Slurm job gets `scancel`. Records stop.json first, so the run reads `stopped` afterwards.
 * Resolves with the run's final record and the signals sent.
 */
export async function stopRun(runner: Runner, id: string, opts: StopOptions = {}): Promise<{ run: RunRecord; signals: string[] }> {
  const dir = await runDir(runner, id);
  const run = await getRun(runner, id);
  const signals: string[] = [];
  const progress = opts.onProgress ?? (() => undefined);
  if (run.state !== 'running' && run.state !== 'starting') return { run, signals };
  const stop: StopInfo = { requestedAt: new Date().toISOString(), signals };
  await runner.writeFile(`${dir}/stop.json`, `${JSON.stringify(stop)}\n`);
  if (run.slurmJobId) {
    await cancelSlurmJob(runner, run.slurmJobId);
    signals.push('scancel');
    progress(`scancel ${run.slurmJobId}`);
    const deadline = Date.now() + (opts.terminateGraceMs ?? 30_000);
    while (Date.now() < deadline && (await isRunActive(runner, run))) await sleep(250);
  } else {
    const pgid = run.pgid ?? run.pid!;
    const steps: ['SIGINT' | 'SIGTERM' | 'SIGKILL', number][] = [
      ['SIGINT', opts.interruptGraceMs ?? STOP_GRACE.interruptGraceMs],
      ['SIGTERM', opts.terminateGraceMs ?? STOP_GRACE.terminateGraceMs],
      ['SIGKILL', 5_000],
    ];
    for (const [sig, graceMs] of steps) {
      await runner.kill(pgid, sig);
      signals.push(sig);
      progress(`${sig} sent to process group ${pgid}`);
      const deadline = Date.now() + graceMs;
      let alive = true;
      while ((alive = await isRunActive(runner, run)) && Date.now() < deadline) await sleep(200);
      if (!alive) break;
    }
  }
  await runner.writeFile(`${dir}/stop.json`, `${JSON.stringify(stop)}\n`);
  return { run: await getRun(runner, id), signals };
}

/**
 * Deletes an ended run's directory (run.json, output.log, the config snapshot, ...) with `rm -rf -- <dir>` as argv
 * through the runner (no shell on either side). Throws for a run that is not over (`isEnded`: finished, failed,
 * crashed, stopped; a running one must be stopped first), and with rm's stderr when it fails. Files the run wrote
 * elsewhere (checkpoints in its `output_dir`) are not touched.
 */
export async function removeRun(runner: Runner, id: string): Promise<void> {
  const dir = await runDir(runner, id);
  const run = await getRun(runner, id);
  if (!isEnded(run)) throw new Error(`run ${id} is ${run.state}: stop it before removing it`);
  const r = await runner.exec(['rm', '-rf', '--', dir], { timeoutMs: 60_000 });
  if (r.exitCode !== 0) throw new Error(`${runner.host}: rm -rf ${dir} failed: ${r.stderr.trim() || `exit ${r.exitCode}`}`);
}

/**
 * Sets the run's `name` in its run.json (the rest of the file is kept as written; the id does not change). `name`
 * is stored as given: check it first (core/runs/runName.ts `checkRunName`). Throws when run.json cannot be read.
 */
export async function renameRun(runner: Runner, id: string, name: string): Promise<void> {
  const file = `${await runDir(runner, id)}/run.json`;
  const size = (await runner.stat(file))?.size;
  if (size === undefined) throw new Error(`${runner.host}: ${file} does not exist`);
  const record = JSON.parse(new TextDecoder().decode(await runner.readRange(file, 0, size))) as Record<string, unknown>;
  record.name = name;
  await runner.writeFile(file, `${JSON.stringify(record, null, 2)}\n`);
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
