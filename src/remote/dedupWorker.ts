/**
 * The dataset check's duplicate search off the checking thread: a `DedupStage` (core/dataset/dedup.ts) whose
 * `Deduplicator` runs in a worker thread (dedupWorkerMain.ts, bundled to dist/dedupWorker.js). The checking thread
 * reads, parses and checks rows while the worker fingerprints and MinHashes the texts of earlier ones, so a check
 * takes about the longer of the two instead of their sum where a second core is free. Verdicts, counts and their
 * order are those of the inline stage (the same `Deduplicator` sees the same texts in the same order; a unit test
 * compares the two). Used by `llmtrain data` and the dataset panel; small files (below `minBytes`) and a missing
 * worker script run inline. A worker that finished a check is kept for the next check (one per script, `unref`'d so
 * it never keeps the process alive, ended after `IDLE_MS` unused): a fresh thread's first hundred milliseconds run
 * the hash loops unoptimised, which costs more than the thread saves on a file of some megabytes.
 */
import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { DedupStageError } from '../core/dataset/stage';
import type { DedupStage, DedupStageFactory, DedupTotals, RowVerdict } from '../core/dataset/stage';

/**
 * Messages to the worker: `init` once, then `rows` batches in row order, then `finish`. In a batch, row k (index
 * `indexes[k]`) is all ASCII when `ends[k] >= 0`: its text is `bytes` from the previous ASCII row's end (or 0) to
 * `ends[k]`; otherwise (`-1`) it is the next string of `texts`. Most rows travel as bytes: the worker then allocates
 * no string for them (`Deduplicator.addAscii`).
 */
export type DedupToWorker =
  | { type: 'init'; maxNearRows?: number }
  | { type: 'rows'; indexes: Int32Array; ends: Int32Array; bytes: Uint8Array; texts: string[] }
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
  /**
   * Fewest CPUs (`os.availableParallelism()`) for a worker; default 3 (the checking thread, the worker, and V8's
   * collector and the rest of the process beside them). On two CPUs it does not pay: with other work on the machine
   * it was slower than the inline search (1M rows: 11.6 s vs 10.8 s, 90 MB more), on a quiet one about 10% faster
   * (bench/dataset.bench.ts workerRatioToJsonParse vs inlineRatioToJsonParse).
   */
  minCores?: number;
  /**
   * A worker that answers nothing for this long (ms) while batches wait is taken for stuck: the check runs again
   * inline (`DedupStageError`). Default 60 s; a batch takes some milliseconds.
   */
  stallMs?: number;
}

/** `WorkerDedupOptions.minCores` when not given. */
export const DEFAULT_MIN_CORES = 3;

/**
 * A stage factory that runs the search in a worker thread (see the file comment); undefined (the check's inline
 * search) below `minBytes`, on fewer than `minCores` CPUs, or when the script is missing (a development run from the
 * TypeScript sources).
 */
export function workerDedup(o: WorkerDedupOptions): DedupStageFactory {
  return ({ maxNearRows, bytes }) => (bytes < (o.minBytes ?? 4 * 1024 * 1024) || availableParallelism() < (o.minCores ?? DEFAULT_MIN_CORES) || !existsSync(o.script) ? undefined : new WorkerDedupStage(o, maxNearRows));
}

const NONE: RowVerdict[] = [];
const UTF8 = new TextEncoder();

/** The listeners a stage or the idle pool put on a worker (removed one by one: Node's own stay). */
type Listeners = { message?: (m: DedupFromWorker) => void; error: (e: Error) => void; exit: (code: number) => void };
function listen(w: Worker, l: Listeners): () => void {
  if (l.message) w.on('message', l.message);
  w.on('error', l.error); w.on('exit', l.exit);
  return () => { if (l.message) w.off('message', l.message); w.off('error', l.error); w.off('exit', l.exit); };
}

/** How long a kept worker waits for the next check before it is ended (ms). */
export const IDLE_MS = 60_000;
const idle = new Map<string, { worker: Worker; unlisten(): void; timer: ReturnType<typeof setTimeout> }>();

function takeWorker(o: WorkerDedupOptions): Worker {
  const kept = idle.get(o.script);
  if (kept) { idle.delete(o.script); clearTimeout(kept.timer); kept.unlisten(); kept.worker.ref(); return kept.worker; }
  return new Worker(o.script, { execArgv: o.execArgv });
}

function keepWorker(script: string, w: Worker): void {
  if (idle.has(script)) { void w.terminate(); return; }
  w.unref();
  const unlisten = listen(w, { error: () => { /* dropped on exit, below */ }, exit: () => { if (idle.get(script)?.worker === w) idle.delete(script); } });
  const timer = setTimeout(() => { void w.terminate(); }, IDLE_MS);
  timer.unref();
  idle.set(script, { worker: w, unlisten, timer });
}

class WorkerDedupStage implements DedupStage {
  private readonly worker: Worker;
  private indexes: number[] = [];
  private ends: number[] = [];
  private texts: string[] = [];
  private bytes: Uint8Array<ArrayBuffer>;
  private used = 0;
  private chars = 0;
  private inFlight = 0;
  private ready: RowVerdict[] = [];
  private failure: Error | undefined;
  private done = false;
  private kept = false;
  private readonly unlisten: () => void;
  private wake: (() => void) | undefined;
  private stall: ReturnType<typeof setTimeout> | undefined;
  private totals: { resolve(t: DedupTotals): void; reject(e: Error): void } | undefined;

  constructor(private readonly o: WorkerDedupOptions, maxNearRows?: number) {
    this.bytes = new Uint8Array(this.batchChars() + 1024);
    this.worker = takeWorker(o);
    this.unlisten = listen(this.worker, {
      message: (m) => this.onMessage(m),
      error: (e) => this.fail(new DedupStageError(`the duplicate search worker failed: ${e.message}`)),
      exit: (code) => { if (!this.done) this.fail(new DedupStageError(`the duplicate search worker exited (code ${code}) before it finished`)); },
    });
    this.post({ type: 'init', maxNearRows });
  }

  private post(m: DedupToWorker, transfer: ArrayBuffer[] = []): void { this.worker.postMessage(m, transfer); }

  /** (Re)arms the stall timer while batches wait for an answer; disarms it when none does. */
  private watch(): void {
    if (this.stall) clearTimeout(this.stall);
    this.stall = undefined;
    if (this.inFlight > 0 || this.totals) {
      const ms = this.o.stallMs ?? 60_000;
      this.stall = setTimeout(() => this.fail(new DedupStageError(`the duplicate search worker answered nothing for ${ms / 1000} s`)), ms);
      this.stall.unref();
    }
  }

  private onMessage(m: DedupFromWorker): void {
    if (m.type === 'verdicts') {
      const p = m.packed;
      for (let i = 0; i < p.length; i += 4) {
        this.ready.push({ index: p[i], verdict: p[i + 1] === 0 ? { kind: 'exact', of: p[i + 2] } : { kind: 'near', of: p[i + 2], similarity: p[i + 3] } });
      }
      this.inFlight--;
      this.watch();
      this.wakeUp();
    } else if (m.type === 'totals') {
      this.done = true;
      this.kept = true;
      if (this.stall) clearTimeout(this.stall);
      this.unlisten();
      keepWorker(this.o.script, this.worker);
      this.totals?.resolve(m.totals);
    } else this.fail(new DedupStageError(`the duplicate search worker failed: ${m.message}`));
  }

  private fail(e: Error): void {
    if (this.failure || this.done) return;
    this.failure = e;
    if (this.stall) clearTimeout(this.stall);
    this.totals?.reject(e);
    this.wakeUp();
  }

  private wakeUp(): void { const w = this.wake; this.wake = undefined; w?.(); }

  private batchChars(): number { return this.o.batchChars ?? 1 << 20; }

  private send(): void {
    if (this.indexes.length === 0) return;
    const indexes = Int32Array.from(this.indexes), ends = Int32Array.from(this.ends), bytes = this.bytes;
    // The byte buffer goes to the worker (transferred, not copied); the next batch gets a new one.
    this.post({ type: 'rows', indexes, ends, bytes, texts: this.texts }, [indexes.buffer, ends.buffer, bytes.buffer]);
    if (this.inFlight++ === 0) this.watch();
    this.indexes = []; this.ends = []; this.texts = []; this.chars = 0; this.used = 0;
    this.bytes = new Uint8Array(this.batchChars() + 1024);
  }

  add(index: number, text: string): void {
    const n = text.length;
    if (this.used + n > this.bytes.length) { const g = new Uint8Array(Math.max(this.bytes.length * 2, this.used + n)); g.set(this.bytes.subarray(0, this.used)); this.bytes = g; }
    // An ASCII text is written as one byte per code unit; any other stops short of that (or runs out of room).
    const r = UTF8.encodeInto(text, this.bytes.subarray(this.used));
    if (r.read === n && r.written === n) { this.used += n; this.ends.push(this.used); } else { this.ends.push(-1); this.texts.push(text); }
    this.indexes.push(index);
    this.chars += n;
    if (this.indexes.length >= (this.o.batchRows ?? 512) || this.chars >= this.batchChars()) this.send();
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
    this.watch();
    return p;
  }

  /** Stops the worker, unless it finished its check and was kept for the next one. */
  dispose(): void {
    this.done = true;
    if (this.stall) clearTimeout(this.stall);
    if (!this.kept) void this.worker.terminate();
  }
}
