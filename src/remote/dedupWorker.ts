/**
 * The dataset check's duplicate search off the checking thread: a `DedupStage` (core/dataset/dedup.ts) whose
 * `Deduplicator` runs in a worker thread (dedupWorkerMain.ts, bundled to dist/dedupWorker.js). The checking thread
 * reads, parses and checks rows while the worker fingerprints and MinHashes the texts of earlier ones, so a check
 * takes about the longer of the two instead of their sum where a second core is free. Verdicts, counts and their
 * order are those of the inline stage (the same `Deduplicator` sees the same texts in the same order; a unit test
 * compares the two). Used by `llmtrain data` and the dataset panel; small files (below `minBytes`) and a missing
 * worker script run inline.
 */
import { existsSync } from 'node:fs';
import { Worker } from 'node:worker_threads';
import type { DedupStage, DedupStageFactory, DedupTotals, RowVerdict } from '../core/dataset/dedup';

/** Messages to the worker: `init` once, then `rows` batches in row order, then `finish`. */
export type DedupToWorker =
  | { type: 'init'; maxNearRows?: number }
  | { type: 'rows'; indexes: Int32Array; texts: string[] }
  | { type: 'finish' };
/**
 * Messages from the worker: per `rows` batch its verdicts, packed as (row index, 0 exact | 1 near, index of the
 * earlier row, similarity) quadruples; `totals` after `finish`; `error` with the message of whatever threw.
 */
export type DedupFromWorker =
  | { type: 'verdicts'; packed: Float64Array }
  | { type: 'totals'; totals: DedupTotals }
  | { type: 'error'; message: string };

/** Options of `workerDedup`. */
export interface WorkerDedupOptions {
  /** Path of dist/dedupWorker.js (tests: a shim that loads dedupWorkerMain.ts through tsx). */
  script: string;
  execArgv?: string[];
  /** Files smaller than this many bytes are searched inline (starting a thread costs more than it saves); default 4 MiB, 0: always a worker. */
  minBytes?: number;
  /** A batch is sent at this many rows or UTF-16 code units of text, whichever comes first; defaults 512 and 1 Mi. */
  batchRows?: number; batchChars?: number;
  /** Batches sent and not answered before `backpressure` holds the reader (default 8: at most ~8 Mi code units queued). */
  maxInFlight?: number;
}

/**
 * A stage factory that runs the search in a worker thread (see the file comment); undefined (the check's inline
 * search) below `minBytes` or when the script is missing (a development run from the TypeScript sources).
 */
export function workerDedup(o: WorkerDedupOptions): DedupStageFactory {
  return ({ maxNearRows, bytes }) => (bytes < (o.minBytes ?? 4 * 1024 * 1024) || !existsSync(o.script) ? undefined : new WorkerDedupStage(o, maxNearRows));
}

const NONE: RowVerdict[] = [];

class WorkerDedupStage implements DedupStage {
  private readonly worker: Worker;
  private indexes: number[] = [];
  private texts: string[] = [];
  private chars = 0;
  private inFlight = 0;
  private ready: RowVerdict[] = [];
  private failure: Error | undefined;
  private done = false;
  private wake: (() => void) | undefined;
  private totals: { resolve(t: DedupTotals): void; reject(e: Error): void } | undefined;

  constructor(private readonly o: WorkerDedupOptions, maxNearRows?: number) {
    this.worker = new Worker(o.script, { execArgv: o.execArgv });
    this.worker.on('message', (m: DedupFromWorker) => this.onMessage(m));
    this.worker.on('error', (e) => this.fail(new Error(`the duplicate search worker failed: ${e.message}`)));
    this.worker.on('exit', (code) => { if (!this.done) this.fail(new Error(`the duplicate search worker exited (code ${code}) before it finished`)); });
    this.post({ type: 'init', maxNearRows });
  }

  private post(m: DedupToWorker, transfer: ArrayBuffer[] = []): void { this.worker.postMessage(m, transfer); }

  private onMessage(m: DedupFromWorker): void {
    if (m.type === 'verdicts') {
      const p = m.packed;
      for (let i = 0; i < p.length; i += 4) {
        this.ready.push({ index: p[i], verdict: p[i + 1] === 0 ? { kind: 'exact', of: p[i + 2] } : { kind: 'near', of: p[i + 2], similarity: p[i + 3] } });
      }
      this.inFlight--;
      this.wakeUp();
    } else if (m.type === 'totals') {
      this.done = true;
      this.totals?.resolve(m.totals);
      this.dispose();
    } else this.fail(new Error(`the duplicate search worker failed: ${m.message}`));
  }

  private fail(e: Error): void {
    if (this.failure || this.done) return;
    this.failure = e;
    this.totals?.reject(e);
    this.wakeUp();
  }

  private wakeUp(): void { const w = this.wake; this.wake = undefined; w?.(); }

  private send(): void {
    if (this.texts.length === 0) return;
    const indexes = Int32Array.from(this.indexes);
    this.post({ type: 'rows', indexes, texts: this.texts }, [indexes.buffer]);
    this.inFlight++;
    this.indexes = []; this.texts = []; this.chars = 0;
  }

  add(index: number, text: string): void {
    this.indexes.push(index); this.texts.push(text); this.chars += text.length;
    if (this.texts.length >= (this.o.batchRows ?? 512) || this.chars >= (this.o.batchChars ?? 1 << 20)) this.send();
  }

  take(): RowVerdict[] {
    if (this.ready.length === 0) return NONE;
    const r = this.ready; this.ready = []; return r;
  }

  backpressure(): Promise<void> | undefined {
    if (this.failure) return Promise.reject(this.failure);
    const max = this.o.maxInFlight ?? 8;
    if (this.inFlight <= max) return undefined;
    return new Promise<void>((resolve, reject) => {
      const check = (): void => {
        if (this.failure) reject(this.failure);
        else if (this.inFlight <= max / 2) resolve();
        else this.wake = check;
      };
      this.wake = check;
    });
  }

  finish(): Promise<DedupTotals> {
    if (this.failure) return Promise.reject(this.failure);
    this.send();
    const p = new Promise<DedupTotals>((resolve, reject) => { this.totals = { resolve, reject }; });
    this.post({ type: 'finish' });
    return p;
  }

  dispose(): void {
    this.done = true;
    void this.worker.terminate();
  }
}
