/**
 * Follows a run's output.log from a byte offset and delivers every byte exactly once, in order, across connection
 * drops: it counts the bytes it has delivered and, after any failure, resumes from that count. It streams with the
 * runner's `tail` when there is one (SSH: `tail -c +N -F` on an exec channel, lowest latency; local: file events)
 * and polls with `stat` + `readRange` otherwise. It ends when the run is no longer active and the file is drained.
 *
 * Events: `data` (chunk: Uint8Array, offset of its first byte), `status` (FollowerStatus), `end` ({ offset }),
 * `error` (Error, when it gave up: a fatal error such as a changed host key, or `maxRetries` exceeded).
 */
import { EventEmitter } from 'node:events';
import { isFatalError } from './connection';
import type { Runner, TailHandle } from './types';

export type FollowerStatus =
  | { kind: 'reconnecting'; attempt: number; delayMs: number; message: string }
  | { kind: 'resumed'; offset: number; afterMs: number }
  | { kind: 'waiting'; message: string };

export interface LogFollowerOptions {
  /** The runner, or a function giving the current one (re-asked after every failure). */
  runner: Runner | (() => Promise<Runner>);
  /** Absolute path of the log on the host. */
  path: string;
  /** First byte to deliver (default 0). */
  fromOffset?: number;
  /** Whether the producer is still running; when it answers false and the file is drained, the follower ends. Omit to follow until stop(). */
  isActive?: () => Promise<boolean>;
  /** How often to ask isActive and, when polling, to read (ms, default 1000 / 250). */
  activeCheckMs?: number;
  pollMs?: number;
  /** Use the runner's streaming `tail` when it has one (default true). */
  stream?: boolean;
  /** Backoff between retries: initial and max delay in ms (defaults 250 and 5000); give up after maxRetries consecutive failures (default: never). */
  backoff?: { initialMs?: number; maxMs?: number; maxRetries?: number };
}

export class LogFollower extends EventEmitter {
  private pos: number;
  private stopped = false;
  /** Set when the runner refused a stream (e.g. too many open on the connection): poll from then on. */
  private polling = false;
  private tailHandle?: TailHandle;
  private wake?: () => void;
  /** Resolves when the follower ended (run over and drained, stop(), or gave up). */
  readonly done: Promise<{ offset: number; error?: Error }>;
  private resolveDone!: (v: { offset: number; error?: Error }) => void;

  constructor(private readonly opts: LogFollowerOptions) {
    super();
    this.pos = opts.fromOffset ?? 0;
    this.done = new Promise((r) => { this.resolveDone = r; });
  }

  /** Bytes delivered so far plus the starting offset: the next byte to deliver. */
  get offset(): number { return this.pos; }

  start(): this {
    void this.loop();
    return this;
  }

  stop(): void {
    this.stopped = true;
    this.tailHandle?.stop();
    this.wake?.();
  }

  private async runner(): Promise<Runner> {
    return typeof this.opts.runner === 'function' ? this.opts.runner() : this.opts.runner;
  }

  private deliver(chunk: Uint8Array): void {
    if (chunk.length === 0) return;
    const at = this.pos;
    this.pos += chunk.length;
    this.emit('data', chunk, at);
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((r) => {
      const t = setTimeout(() => { this.wake = undefined; r(); }, ms);
      this.wake = () => { clearTimeout(t); this.wake = undefined; r(); };
    });
  }

  /** Reads [pos, size) with readRange, in 1 MiB pieces. */
  private async drainTo(runner: Runner, size: number): Promise<void> {
    while (!this.stopped && this.pos < size) {
      const chunk = await runner.readRange(this.opts.path, this.pos, Math.min(size, this.pos + (1 << 20)));
      if (chunk.length === 0) break;
      this.deliver(chunk);
    }
  }

  /** Final check: when the producer is done, drain to the file's size and report true. */
  private async finishedAndDrained(runner: Runner): Promise<boolean> {
    if (!this.opts.isActive || (await this.opts.isActive())) return false;
    const st = await runner.stat(this.opts.path);
    await this.drainTo(runner, st?.size ?? 0);
    return true;
  }

  private async loop(): Promise<void> {
    const b = this.opts.backoff ?? {};
    let failures = 0;
    let lostAt: number | undefined;
    let error: Error | undefined;
    while (!this.stopped) {
      try {
        const runner = await this.runner();
        if (lostAt !== undefined) {
          this.emit('status', { kind: 'resumed', offset: this.pos, afterMs: Date.now() - lostAt } satisfies FollowerStatus);
          lostAt = undefined;
        }
        const ended = runner.tail && this.opts.stream !== false && !this.polling ? await this.followStreaming(runner, () => { failures = 0; }) : await this.followPolling(runner, () => { failures = 0; });
        if (ended) break;
      } catch (e) {
        if (this.stopped) break;
        if ((e as { streamUnavailable?: boolean }).streamUnavailable && !this.polling) {
          this.polling = true;
          this.emit('status', { kind: 'waiting', message: (e as Error).message } satisfies FollowerStatus);
          continue;
        }
        failures++;
        lostAt ??= Date.now();
        // A changed host key or failed auth cannot heal by retrying: stop with the error.
        if (isFatalError(e) || (b.maxRetries !== undefined && failures > b.maxRetries)) { error = e as Error; break; }
        const delayMs = Math.min(b.maxMs ?? 5000, (b.initialMs ?? 250) * 2 ** Math.min(failures - 1, 10));
        this.emit('status', { kind: 'reconnecting', attempt: failures, delayMs, message: (e as Error).message } satisfies FollowerStatus);
        await this.sleep(delayMs);
      }
    }
    this.tailHandle?.stop();
    if (error) this.emit('error', error);
    else this.emit('end', { offset: this.pos });
    this.resolveDone({ offset: this.pos, ...(error ? { error } : {}) });
  }

  /** Returns true when the run ended and the log is drained; throws when the stream broke. */
  private async followStreaming(runner: Runner, ok: () => void): Promise<boolean> {
    let live = true;
    let broke: Error | undefined;
    const handle = runner.tail!(this.opts.path, this.pos, (chunk) => { if (live && !this.stopped) { ok(); this.deliver(chunk); } });
    this.tailHandle = handle;
    void handle.done.then((r) => { broke = r.error ?? new Error('log stream ended'); this.wake?.(); });
    try {
      while (!this.stopped) {
        await this.sleep(this.opts.activeCheckMs ?? 1000);
        if (broke || this.stopped) break;
        if (this.opts.isActive && !(await this.opts.isActive())) {
          // The producer is gone: stop the stream, then read what it has not delivered yet, exactly from pos.
          live = false;
          handle.stop();
          const st = await runner.stat(this.opts.path);
          await this.drainTo(runner, st?.size ?? 0);
          return true;
        }
        ok();
      }
    } finally {
      live = false;
      handle.stop();
    }
    if (this.stopped) return true;
    throw broke ?? new Error('log stream ended');
  }

  private async followPolling(runner: Runner, ok: () => void): Promise<boolean> {
    const pollMs = this.opts.pollMs ?? 250;
    const checkEvery = Math.max(1, Math.round((this.opts.activeCheckMs ?? 1000) / pollMs));
    for (let i = 0; !this.stopped; i++) {
      const st = await runner.stat(this.opts.path);
      if (st) {
        if (st.size < this.pos) throw new Error(`${this.opts.path} shrank from ${this.pos} to ${st.size} bytes`);
        await this.drainTo(runner, st.size);
      }
      ok();
      if (i % checkEvery === checkEvery - 1 && (await this.finishedAndDrained(runner))) return true;
      await this.sleep(pollMs);
    }
    return true;
  }
}
