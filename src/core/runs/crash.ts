/**
 * Why a run ended badly, read from the end of its log: the lines that end training runs (CUDA out of memory, NCCL
 * watchdog timeouts, CUDA device-side asserts, `Killed` / exit 137, `Segmentation fault` / exit 139, a Python
 * traceback's exception line, torch.distributed.elastic child failures; recognized by `detectCrashLine` in
 * core/metrics) and the exit code.
 * Pure: the caller reads the log's tail (`CRASH_TAIL_BYTES`) through a Runner or FileAccess.
 */
import { parseLog } from '../metrics/parser';
import { SEGFAULT_REASON } from '../metrics/textFormats';
import type { CrashEvent } from '../metrics/types';
import type { RunRecord } from './types';

/** Bytes of the log's end that are searched (a traceback of 64 KiB is rare; rank-prefixed copies are common). */
export const CRASH_TAIL_BYTES = 64 * 1024;

/** The run's end as the log tells it: a short `reason` for the Runs view and the `lastError` line itself. */
export interface CrashInfo { reason: string; lastError: string }

/**
 * The crash a log's tail shows, or undefined. The first crash line of the tail names the reason (the root cause:
 * later lines are usually its echo on other ranks, or the launcher's report of it), the last one is `lastError`.
 * The crash lines are the metrics parser's crash events (`parseLog(tail).events`, see core/metrics `CrashEvent`), so
 * the Runs view and the metrics feed read a log alike: a traceback followed by a training record at a later step than
 * any before it was caught and logged while training went on (a failed upload, a callback) and is no crash.
 * `exitCode` 137 (128 + SIGKILL) without a crash line still reads as killed (the OOM killer prints nothing to the log),
 * 139 (128 + SIGSEGV; -11 from a Python parent) as a segmentation fault.
 */
export function crashOfLog(tail: string, exitCode?: number): CrashInfo | undefined {
  // the run has ended: its last line is whole even without a newline (the parser would drop its last, maybe cut, token)
  const text = /[\r\n]$/.test(tail) ? tail : `${tail}\n`;
  const crashes = (parseLog(text, { format: 'text' }).events ?? []).filter((e): e is CrashEvent => e.kind === 'crash');
  if (crashes.length > 0) return { reason: crashes[0].reason, lastError: crashes[crashes.length - 1].line };
  if (exitCode === 137 || exitCode === -9) return { reason: 'killed (SIGKILL, exit 137: the host ran out of memory?)', lastError: `exit code ${exitCode}` };
  if (exitCode === 139 || exitCode === -11) return { reason: SEGFAULT_REASON, lastError: `exit code ${exitCode}` };
  return undefined;
}

/** Whether a run in this state may have crashed (ended without a clean exit, and not stopped by the user). */
export function mayHaveCrashed(r: RunRecord): boolean {
  return (r.state === 'failed' && !r.error) || (r.state === 'unknown' && r.pid !== undefined);
}
