/**
 * What the Runs view says about a run's state, and how Stop Run escalates. Pure: no vscode import, no I/O; times are
 * formatted in the process's local time zone.
 */
import type { RunRecord } from './types';

/** Stop Run's escalation (remote/runs.ts `stopRun`): SIGINT, then SIGTERM after `interruptGraceMs`, then SIGKILL after `terminateGraceMs`. */
export const STOP_GRACE = { interruptGraceMs: 10_000, terminateGraceMs: 10_000 } as const;

/** States in which a run's process is over (no ETA, no rate; Remove Run applies). */
export const ENDED_STATES: ReadonlySet<RunRecord['state']> = new Set(['finished', 'failed', 'crashed', 'stopped']);

/** True when the run's process is over (`finished`, `failed`, `crashed`, `stopped`). */
export function isEnded(run: Pick<RunRecord, 'state'>): boolean {
  return ENDED_STATES.has(run.state);
}

const pad = (n: number) => String(n).padStart(2, '0');
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/**
 * A clock time as the tree shows it: `14:02` on the same local day as `now`, else `Dec 4 14:02`, and with the year
 * when it differs from `now`'s. `undefined` for a missing or unparsable ISO string.
 */
export function formatClock(iso: string | undefined, now: Date = new Date()): string | undefined {
  if (!iso) return undefined;
  const t = new Date(iso);
  if (Number.isNaN(t.getTime())) return undefined;
  const hm = `${pad(t.getHours())}:${pad(t.getMinutes())}`;
  if (t.getFullYear() === now.getFullYear() && t.getMonth() === now.getMonth() && t.getDate() === now.getDate()) return hm;
  return `${MONTHS[t.getMonth()]} ${t.getDate()}${t.getFullYear() !== now.getFullYear() ? ` ${t.getFullYear()}` : ''} ${hm}`;
}

/**
 * How an ended run ended, with the time: `finished · 14:02`, `stopped · 14:02`, `failed (exit 3) · 14:02`,
 * `crashed: CUDA out of memory (exit 1) · 14:02`. Without `endTime` the time is left out. `undefined` for a run
 * that has not ended (`starting`, `running`, `unknown`): those show progress instead.
 */
export function endedLabel(run: Pick<RunRecord, 'state' | 'endTime' | 'exitCode' | 'crashReason'>, now: Date = new Date()): string | undefined {
  if (!isEnded(run)) return undefined;
  const exit = run.exitCode !== undefined && run.exitCode !== 0 && run.state !== 'stopped' ? ` (exit ${run.exitCode})` : '';
  const what = run.state === 'crashed' ? `crashed${run.crashReason ? `: ${run.crashReason}` : ''}${exit}` : `${run.state}${exit}`;
  const at = formatClock(run.endTime, now);
  return at ? `${what} · ${at}` : what;
}

// eslint-disable-next-line no-control-regex
const ANSI_RE = /\x1b\[[0-9;?]*[ -/]*[@-~]/g;

/**
 * The last non-blank line of a log's tail (ANSI colours removed, trimmed, at most 300 characters), or undefined.
 * A tqdm bar redrawn with `\r` counts as lines of its own, so only its last state is seen.
 */
export function lastLogLine(tail: string): string | undefined {
  const lines = tail.split(/\r\n|\r|\n/);
  for (let i = lines.length - 1; i >= 0; i--) {
    const l = lines[i].replace(ANSI_RE, '').trim();
    if (l) return l.length > 300 ? `${l.slice(0, 299)}…` : l;
  }
  return undefined;
}

/**
 * The text of the failed-run notification: `Run tiny-gpt failed (exit 3) on local: ValueError: bad lr`. `title` is
 * the run's name or id; `lastLine` the run's `lastError` or the log's last line (left out when undefined).
 */
export function failureMessage(title: string, run: Pick<RunRecord, 'state' | 'exitCode' | 'crashReason' | 'host'>, lastLine?: string): string {
  const exit = run.exitCode !== undefined ? ` (exit ${run.exitCode})` : '';
  const what = run.state === 'crashed' ? `crashed${run.crashReason ? `: ${run.crashReason}` : ''}${exit}` : `failed${exit}`;
  return `Run ${title} ${what} on ${run.host}${lastLine ? `: ${lastLine}` : ''}`;
}

const secs = (ms: number) => `${Math.round(ms / 1000)} s`;

/**
 * The Stop Run dialog's account of what happens, in order, from the grace periods `stopRun` uses (ms). A Slurm job
 * gets `scancel` instead.
 */
export function stopSequenceText(g: { interruptGraceMs: number; terminateGraceMs: number } = STOP_GRACE, slurm = false): string {
  if (slurm) return 'scancel cancels the Slurm job (Slurm signals its processes). Checkpoints not yet written are lost.';
  return `1. SIGINT goes to its whole process group (workers included), so a trainer can save and exit.\n`
    + `2. SIGTERM follows if it is still running ${secs(g.interruptGraceMs)} later.\n`
    + `3. SIGKILL follows if it is still running ${secs(g.terminateGraceMs)} after that.\n\nCheckpoints not yet written are lost.`;
}
