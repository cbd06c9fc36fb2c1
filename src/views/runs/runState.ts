/**
 * What the Runs view says about a run that is no longer running (issue 11, "Run state must be true"): its end in
 * the tree (`failed (exit 3) · 14:02`, no ETA), and the one-time notification of a failed run with its exit code and
 * the last error line of its log. Pure: no vscode import.
 */
import { crashOfLog } from '../../core/runs/crash';
import type { RunRecord, RunState } from '../../core/runs/types';

/** States of a run whose process is gone: no progress, no ETA. */
const ENDED: ReadonlySet<RunState> = new Set<RunState>(['finished', 'failed', 'crashed', 'stopped']);

/** Whether a run in this state has ended (finished, failed, crashed or stopped). `unknown` and running states are not. */
export function isEnded(state: RunState): boolean { return ENDED.has(state); }

/** Whether the user should hear about this run's end: it failed or crashed (a stopped or finished run did not). */
export function isFailure(state: RunState): boolean { return state === 'failed' || state === 'crashed'; }

const pad = (n: number) => String(n).padStart(2, '0');

/**
 * A moment as the tree shows it, in local time: `14:02` on the day of `now`, `2026-12-04 14:02` on another day.
 * Undefined for a missing or unparsable ISO string.
 */
export function shortTime(iso: string | undefined, now: Date = new Date()): string | undefined {
  if (!iso) return undefined;
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return undefined;
  const hm = `${pad(d.getHours())}:${pad(d.getMinutes())}`;
  const sameDay = d.getFullYear() === now.getFullYear() && d.getMonth() === now.getMonth() && d.getDate() === now.getDate();
  return sameDay ? hm : `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${hm}`;
}

/**
 * The state word with the exit code where it says something: `finished`, `stopped`, `failed (exit 3)`,
 * `crashed (exit 1)`. A zero or missing exit code is not shown; a failed launch (`error`) reads `failed to start`.
 */
export function stateWord(run: Pick<RunRecord, 'state' | 'exitCode' | 'error'>): string {
  if (run.state === 'failed' && run.error && run.exitCode === undefined) return 'failed to start';
  if (isFailure(run.state) && run.exitCode !== undefined && run.exitCode !== 0) return `${run.state} (exit ${run.exitCode})`;
  return run.state;
}

/**
 * The Runs tree description of an ended run: `finished · 14:02`, `stopped · 14:02`, `failed (exit 3) · 14:02`,
 * `crashed (exit 1) · CUDA out of memory · 14:02`, then the last loss when known (`· loss 1.234`). Never progress or
 * an ETA. The time is `endTime` (local, see shortTime); without one, `ended` is left out. `loss` is preformatted.
 */
export function endedDescription(run: Pick<RunRecord, 'state' | 'exitCode' | 'error' | 'endTime' | 'crashReason'>, loss?: string, now: Date = new Date()): string {
  const parts = [stateWord(run)];
  if (run.crashReason) parts.push(run.crashReason);
  const t = shortTime(run.endTime, now);
  if (t) parts.push(t);
  if (loss) parts.push(`loss ${loss}`);
  return parts.join(' · ');
}

// eslint-disable-next-line no-control-regex
const ANSI_RE = /\x1b\[[0-9;?]*[ -/]*[@-~]/g;
const ERRORISH_RE = /\b(?:error|exception|fatal|failed|failure|abort(?:ed)?|denied|not found|no such|cannot|can't|traceback)\b/i;
/** Longest line a notification shows (VS Code truncates long messages anyway; the log has the rest). */
const MAX_LINE = 300;

/**
 * The log line that says why the run ended, from the end of its log (`tail`, any size; the caller reads
 * CRASH_TAIL_BYTES): the crash line when crash.ts recognizes one (traceback exception, CUDA OOM...), else the last
 * line that reads as an error (`error`, `exception`, `fatal`, `No such file` ...), else the last non-empty line.
 * ANSI colours are removed; long lines are cut at 300 characters with `…`. Undefined for an empty log.
 */
export function lastErrorLine(tail: string, exitCode?: number): string | undefined {
  const crash = crashOfLog(tail, exitCode);
  const lines = tail.split(/\r\n|\r|\n/).map((l) => l.replace(ANSI_RE, '').trim()).filter(Boolean);
  const line = crash && !/^exit code /.test(crash.lastError) ? crash.lastError : [...lines].reverse().find((l) => ERRORISH_RE.test(l)) ?? lines.at(-1);
  if (line === undefined) return undefined;
  return line.length > MAX_LINE ? `${line.slice(0, MAX_LINE - 1)}…` : line;
}

/**
 * The failed-run notification's text: `Run tiny-gpt · local failed with exit code 3: ValueError: bad lr`.
 * `title` names the run (its name or command label and host); without an exit code it says `failed`, a crash says
 * `crashed (CUDA out of memory)`; `line` is lastErrorLine's result.
 */
export function failureMessage(title: string, run: Pick<RunRecord, 'state' | 'exitCode' | 'crashReason' | 'error'>, line?: string): string {
  const how = run.state === 'crashed' ? `crashed${run.crashReason ? ` (${run.crashReason})` : ''}` : run.error && run.exitCode === undefined ? 'failed to start' : 'failed';
  const code = run.exitCode !== undefined ? ` with exit code ${run.exitCode}` : '';
  const why = line ?? run.error;
  return `Run ${title} ${how}${code}${why ? `: ${why}` : '.'}`;
}

/** globalState key holding the ids of failed runs already notified (a reload does not notify them again). */
export const NOTIFIED_FAILURES_KEY = 'llmTraining.runs.notifiedFailures';
/** How many notified ids are kept (oldest dropped first). */
export const NOTIFIED_FAILURES_MAX = 500;
/** A failure that ended longer ago than this and that this window never saw running is not notified (old history). */
export const NOTIFY_RECENT_MS = 24 * 3600 * 1000;

/**
 * Whether a run's failure gets the notification: it failed or crashed, its id is not in `notified`, and either this
 * window saw it running (`seenRunning`) or it ended within NOTIFY_RECENT_MS of `now` (a run that failed while VS Code
 * was closed is told once; months of old failures in the runs folder are not).
 */
export function shouldNotifyFailure(run: Pick<RunRecord, 'id' | 'state' | 'endTime' | 'startTime'>, notified: ReadonlySet<string>, seenRunning: boolean, now: number = Date.now()): boolean {
  if (!isFailure(run.state) || notified.has(run.id)) return false;
  if (seenRunning) return true;
  const end = Date.parse(run.endTime ?? run.startTime);
  return Number.isFinite(end) && now - end <= NOTIFY_RECENT_MS;
}
