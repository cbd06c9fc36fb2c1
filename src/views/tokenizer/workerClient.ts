/**
 * Client of the inspector's encode worker (encodeWorker.ts): one worker thread per inspector, started by its first
 * encode (it then loads the tokenizers from the kept snapshots). `encode` cancels the job still running (the worker is
 * terminated and a fresh one loads the tokenizers again from the kept snapshots), so typing into a 10 MB text never
 * queues encodes behind each other.
 */
import { Worker } from 'node:worker_threads';
import type { FileSnapshot } from '../../core/tokenizer/fileSnapshot';
import type { InspectedEncoding, InspectedRoundTrip, InspectPhase } from '../../core/tokenizer/inspectEncode';
import type { EncodeSlot, FromEncodeWorker, ToEncodeWorker } from './workerProtocol';

/** Rejection of an encode that a newer encode (or `dispose`) replaced. */
export class EncodeCancelledError extends Error {
  constructor() { super('encode cancelled by newer input'); this.name = 'EncodeCancelledError'; }
}

type Encoded = Partial<Record<EncodeSlot, InspectedEncoding>>;
type RoundTrips = Partial<Record<EncodeSlot, InspectedRoundTrip>>;
interface Deferred<T> { promise: Promise<T>; resolve(v: T): void; reject(e: Error): void }
function deferred<T>(): Deferred<T> {
  let resolve!: (v: T) => void, reject!: (e: Error) => void;
  const promise = new Promise<T>((a, b) => { resolve = a; reject = b; });
  promise.catch(() => { /* a caller may never await one of the two */ });
  return { promise, resolve, reject };
}
interface Job { id: number; encoded: Deferred<Encoded>; roundTrip: Deferred<RoundTrips>; onProgress?(slot: EncodeSlot, phase: InspectPhase): void }

/** A running encode: the encodings (to draw), then the round trips (the slower check). */
export interface EncodeJob { encoded: Promise<Encoded>; roundTrip: Promise<RoundTrips> }

/** Options of an EncodeWorkerClient. `execArgv` for the worker (tests run the TypeScript entry through tsx). */
export interface EncodeWorkerOptions { execArgv?: string[]; log?: (message: string) => void }

/**
 * One inspector's encode worker: tokenizers by slot (`setTokenizer`), at most one job at a time (`encode` cancels the
 * running one), `dispose` terminates the thread. Errors of the worker reach the job's promises and `options.log`.
 */
export class EncodeWorkerClient {
  private worker?: Worker;
  private readonly tokenizers = new Map<EncodeSlot, { path: string; snapshot: FileSnapshot }>();
  private job?: Job;
  private nextJob = 0;
  private disposed = false;
  /** Workers started so far (tests: a cancel starts a fresh one). */
  started = 0;

  /** `script`: path of dist/tokenizerWorker.js (or encodeWorker.ts with tsx's execArgv). */
  constructor(private readonly script: string, private readonly options: EncodeWorkerOptions = {}) {}

  /** Sets the tokenizer of a slot (the files recorded while the host loaded it from `path`); loads it in the worker. */
  setTokenizer(slot: EncodeSlot, path: string, snapshot: FileSnapshot): void {
    this.tokenizers.set(slot, { path, snapshot });
    if (this.worker) this.send({ type: 'load', slot, path, snapshot });
  }

  /** Whether a tokenizer is set for `slot`. */
  has(slot: EncodeSlot): boolean { return this.tokenizers.has(slot); }

  /**
   * Encodes `text` with the tokenizers of `slots` in the worker: `encoded` resolves with the encodings, then
   * `roundTrip` with the round trips. Cancels the job still running (encodings or round trip): its promises reject
   * with EncodeCancelledError. Both reject with an Error when the worker fails (its message) or exits.
   */
  encode(text: string, addSpecialTokens: boolean, slots: EncodeSlot[], onProgress?: Job['onProgress']): EncodeJob {
    const job: Job = { id: ++this.nextJob, encoded: deferred(), roundTrip: deferred(), onProgress };
    if (this.disposed) { job.encoded.reject(new EncodeCancelledError()); job.roundTrip.reject(new EncodeCancelledError()); return { encoded: job.encoded.promise, roundTrip: job.roundTrip.promise }; }
    if (this.job) this.cancel();
    const worker = this.ensureWorker();
    this.job = job;
    this.send({ type: 'encode', job: job.id, text, addSpecialTokens, slots }, worker);
    return { encoded: job.encoded.promise, roundTrip: job.roundTrip.promise };
  }

  /** Cancels the running job, if any (terminates the worker; the next encode starts a fresh one). */
  cancel(): void {
    const job = this.job;
    this.job = undefined;
    if (!job) return;
    const w = this.worker;
    this.worker = undefined;
    void w?.terminate();
    job.encoded.reject(new EncodeCancelledError());
    job.roundTrip.reject(new EncodeCancelledError());
  }

  dispose(): void {
    this.disposed = true;
    this.cancel();
    void this.worker?.terminate();
    this.worker = undefined;
  }

  private ensureWorker(): Worker {
    if (this.worker) return this.worker;
    const w = new Worker(this.script, { execArgv: this.options.execArgv });
    this.started++;
    this.worker = w;
    w.on('message', (m: FromEncodeWorker) => this.receive(w, m));
    w.on('error', (e) => this.fail(w, e));
    w.on('exit', (code) => this.fail(w, new Error(`the encode worker exited (code ${code})`)));
    for (const [slot, t] of this.tokenizers) this.send({ type: 'load', slot, path: t.path, snapshot: t.snapshot }, w);
    return w;
  }

  private send(m: ToEncodeWorker, w = this.worker): void { w?.postMessage(m); }

  private receive(w: Worker, m: FromEncodeWorker): void {
    if (w !== this.worker) return;
    if (m.type === 'loaded') { if (m.error) this.options.log?.(`encode worker: loading the ${m.slot} tokenizer failed: ${m.error}`); return; }
    const job = this.job;
    if (!job || job.id !== m.job) return;
    if (m.type === 'progress') { job.onProgress?.(m.slot, m.phase); return; }
    if (m.type === 'encoded') { job.encoded.resolve(m.results); return; }
    this.job = undefined;
    if (m.type === 'roundTrip') { job.roundTrip.resolve(m.results); return; }
    const e = new Error(m.message);
    job.encoded.reject(e);
    job.roundTrip.reject(e);
  }

  private fail(w: Worker, e: Error): void {
    if (w !== this.worker) return; // a terminated worker of a cancelled job
    this.worker = undefined;
    const job = this.job;
    this.job = undefined;
    this.options.log?.(`encode worker: ${e.message}`);
    job?.encoded.reject(e);
    job?.roundTrip.reject(e);
  }
}
