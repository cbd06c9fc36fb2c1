/**
 * The seam between the dataset check and its duplicate search (dedup.ts): where the search runs, in the checking
 * thread (`inlineDedup` in dedup.ts) or a worker thread (src/remote/dedupWorker.ts). Types and one error class, so
 * a front end can offer a stage without loading the search itself.
 */
import type { DupVerdict } from './dedup';

/** One row's duplicate verdict, by the row's index (0-based, in reading order). */
export interface RowVerdict { index: number; verdict: NonNullable<DupVerdict> }

/** What a finished duplicate search counted (see `Deduplicator`: exactCount, nearCount, nearIndexed, maxNearRows). */
export interface DedupTotals { exact: number; near: number; nearIndexed: number; maxNearRows: number }

/**
 * Where a check's duplicate search runs: in the checking thread (`inlineDedup`, the default) or elsewhere (a worker
 * thread: src/remote/dedupWorker.ts), with the same verdicts in the same row order either way. Rows go in with
 * `add`; verdicts come out of `take` in row order, possibly later than their rows (a worker answers in batches);
 * `finish` waits for the last ones. The checker awaits `backpressure()` when it returns a promise (a stage with many
 * rows queued holds the reader back, so memory stays bounded) and calls `dispose()` when it stops, also on error or
 * cancel. A stage that fails rejects `backpressure` or `finish` with a `DedupStageError` saying what failed;
 * `checkDataset` then checks the file again with the inline search and says so in a note.
 */
export interface DedupStage {
  add(index: number, text: string): void;
  /** The verdicts decided since the last call, in row order (rows with no duplicate give none). */
  take(): RowVerdict[];
  backpressure(): Promise<void> | undefined;
  /** Resolves when every added row is decided; `take()` then returns the rest. */
  finish(): Promise<DedupTotals>;
  dispose(): void;
}

/** A `DedupStage` that stopped working (its worker died or failed): the check is redone in its own thread. */
export class DedupStageError extends Error {
  constructor(message: string) { super(message); this.name = 'DedupStageError'; }
}

/** Makes the stage of one check; `bytes` is the file's size. Undefined: the check runs `inlineDedup` (for small files, say). */
export type DedupStageFactory = (opts: { maxNearRows?: number; bytes: number }) => DedupStage | undefined;

