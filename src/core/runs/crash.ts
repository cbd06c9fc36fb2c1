/**
 * Why a run ended badly, read from the end of its log: the lines that end training runs (CUDA out of memory, NCCL
 * watchdog timeouts, CUDA device-side asserts, `Killed` / exit 137, a Python traceback's exception line,
 * torch.distributed.elastic child failures; recognized by `detectCrashLine` in core/metrics) and the exit code.
 * Pure: the caller reads the log's tail (`CRASH_TAIL_BYTES`) through a Runner or FileAccess.
 */
import { parseLog } from '../metrics/parser';
import { detectCrashLine } from '../metrics/textFormats';
import type { RunRecord } from './types';

/** Bytes of the log's end that are searched (a traceback of 64 KiB is rare; rank-prefixed copies are common). */
export const CRASH_TAIL_BYTES = 64 * 1024;

/** The run's end as the log tells it: a short `reason` for the Runs view and the `lastError` line itself. */
export interface CrashInfo { reason: string; lastError: string }

// eslint-disable-next-line no-control-regex
const ANSI_RE = /\x1b\[[0-9;?]*[ -/]*[@-~]/g;
const RANK_PREFIX_RE = /^(?:\[rank\d+\]:|\[default\d+\]:|\d{1,5}: )\s*/;
/** A tqdm bar the crash line was glued to (no newline between the redraw and the next write; LlamaFactory#8261),
 * with a line-number prefix (`[1763] `) before it: everything up to the bar's `[elapsed<remaining, rate]`. */
const GLUED_BAR_RE = /^.*?\d+\/\d+\s*\[[^\]]*(?:it\/s|s\/it|\?)[^\]]*\]/;

/**
 * The crash a log's tail shows, or undefined. The first crash line of the tail names the reason (the root cause:
 * later lines are usually its echo on other ranks, or the launcher's report of it), the last one is `lastError`.
 * A traceback followed by a training record at a later step than any before it was caught and logged while training
 * went on (a failed upload, a callback): it is no crash (as the metrics feed reads it, see core/metrics `CrashEvent`).
 * `exitCode` 137 (128 + SIGKILL) without a crash line still reads as killed (the OOM killer prints nothing to the log).
 */
export function crashOfLog(tail: string, exitCode?: number): CrashInfo | undefined {
  const st: { inTraceback?: boolean } = {};
  const lines = tail.split(/\r\n|\r|\n/);
  const found: Array<{ reason: string; line: string; at: number; traceback: boolean }> = [];
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i].replace(ANSI_RE, '').replace(GLUED_BAR_RE, '').trim().replace(RANK_PREFIX_RE, '');
    if (!line) continue;
    const c = detectCrashLine(line, st);
    if (c) found.push({ reason: c.reason, line: c.line, at: i, traceback: c.kind === 'traceback' });
  }
  const kept = found.filter((c) => !c.traceback || !trainingWentOn(lines, c.at));
  if (kept.length > 0) return { reason: kept[0].reason, lastError: kept[kept.length - 1].line };
  if (exitCode === 137 || exitCode === -9) return { reason: 'killed (SIGKILL, exit 137: the host ran out of memory?)', lastError: `exit code ${exitCode}` };
  return undefined;
}

/** Whether a run in this state may have crashed (ended without a clean exit, and not stopped by the user). */
export function mayHaveCrashed(r: RunRecord): boolean {
  return (r.state === 'failed' && !r.error) || (r.state === 'unknown' && r.pid !== undefined);
}

/** Whether the lines after `at` hold a training record at a later step than every record up to it. */
function trainingWentOn(lines: readonly string[], at: number): boolean {
  const after = parseLog(`${lines.slice(at + 1).join('\n')}\n`).points;
  if (after.length === 0) return false;
  let last = -Infinity;
  for (const p of parseLog(`${lines.slice(0, at + 1).join('\n')}\n`).points) if (p.step > last) last = p.step;
  return after.some((p) => p.step > last);
}
