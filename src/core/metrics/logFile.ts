/**
 * A training log file as a MetricsFeed, read through a `FileAccess` (local or remote alike), and followed while it
 * grows. The one opener behind "Open Log as Chart" (src/views/metrics/logFeed.ts) and anything else that charts a
 * file rather than a run.
 *
 * - Points whose line has no timestamp get none (`now: null`; NaN time in the chart): the moment a file is read says
 *   nothing about when its steps ran, so the wall-clock and relative axes only show times the log printed.
 * - The bytes present at open time are read in chunks of CHUNK bytes (bounded memory); then, unless `follow` is
 *   false, the size is checked every `pollMs` and appended bytes are parsed, until `signal` aborts. A file that shrinks
 *   (truncated, rotated) or disappears ends the following. A line still being written is held until it is complete,
 *   or until following ends (then the last partial line is flushed).
 * - Whole-document files (`*.json`: trainer_state.json is rewritten by the trainer, not appended) are read once.
 * - A log that has gone quiet (not modified for `settleMs`, at open time or while followed) is settled once
 *   (WritableMetricsFeed.settle): the optimizer step still accumulating micro-batch records is drawn, so a finished
 *   LitGPT log shows its last step although no line closes it.
 */
import { FileNotFoundError, readChunks, type FileAccess } from '../files';
import { createMetricsFeed, type WritableMetricsFeed } from './feed';

/** Bytes handed to the parser at a time. */
export const LOG_CHUNK_BYTES = 4 << 20;

/** Options of openLogFile. */
export interface OpenLogFileOptions {
  /** Feed id (default `log:<host>:<path>`) and title (default the file name). */
  runId?: string;
  title?: string;
  /** Aborting stops reading/following; the feed keeps what it has. Aborting before the first read ends rejects. */
  signal?: AbortSignal;
  /** Follow appended bytes (default true; `*.json` is never followed). */
  follow?: boolean;
  /** ms between size checks while following (default 1000). */
  pollMs?: number;
  /** ms without a change after which the log counts as quiet and is settled (default 30,000): longer than a
   * micro-batch takes, so a live run's open step is not closed early. */
  settleMs?: number;
  /** Clock (ms since the epoch), for tests; default Date.now. */
  clock?: () => number;
  /** Called between chunks of the first read (the extension host yields to its event loop there). */
  yieldBetweenChunks?: () => Promise<void>;
}

/** Why following ended, with the byte offset read up to. */
export interface LogFileEnd { offset: number; reason: 'not-followed' | 'aborted' | 'gone' | 'shrank' | 'error'; error?: string }

/**
 * Opens `path` on `files` as a feed. Resolves once the bytes present at open time are parsed, with `done`, which
 * settles when following ends (never rejects). Rejects with the path named when the file is missing
 * (FileNotFoundError), a folder, or unreadable, and with the signal's reason when aborted during the first read.
 */
export async function openLogFile(files: FileAccess, path: string, opts: OpenLogFileOptions = {}): Promise<{ feed: WritableMetricsFeed; done: Promise<LogFileEnd> }> {
  const shown = files.host === 'local' ? path : `${files.host}:${path}`;
  const name = path.split('/').pop() || path;
  const info = await files.stat(path);
  if (!info) throw new FileNotFoundError(path, files.host);
  if (info.isDirectory) throw new Error(`cannot read ${shown}: it is a folder`);
  const feed = createMetricsFeed(opts.runId ?? `log:${files.host}:${path}`, opts.title ?? name, { fileName: name, now: null });
  let offset = 0;
  try {
    for await (const chunk of readChunks(files, path, { chunkSize: LOG_CHUNK_BYTES, signal: opts.signal })) {
      feed.pushChunk(chunk);
      offset += chunk.length;
      await opts.yieldBetweenChunks?.();
    }
  } catch (err) {
    if (opts.signal?.aborted) throw err;
    throw new Error(`cannot read ${shown}: ${(err as Error).message}`);
  }
  if (opts.follow === false || /\.json$/i.test(name)) { feed.end(); return { feed, done: Promise.resolve({ offset, reason: 'not-followed' }) }; }
  const settleMs = opts.settleMs ?? 30_000, clock = opts.clock ?? Date.now;
  // Quiet already (a finished log opened after the fact): settle at once rather than a period later.
  const quiet = info.mtimeMs > 0 && clock() - info.mtimeMs >= settleMs;
  if (quiet) feed.settle();
  const done = followLog(files, path, feed, offset, opts.pollMs ?? 1000, opts.signal, { settleMs, clock, settled: quiet }).then((end) => { feed.end(); return end; });
  return { feed, done };
}

async function followLog(files: FileAccess, path: string, feed: WritableMetricsFeed, offset: number, pollMs: number, signal: AbortSignal | undefined,
  quiet: { settleMs: number; clock: () => number; settled: boolean }): Promise<LogFileEnd> {
  let failingSince: number | undefined;
  let grewAt = quiet.clock();
  for (;;) {
    if (signal?.aborted) return { offset, reason: 'aborted' };
    await new Promise<void>((resolve) => {
      const t = setTimeout(done, pollMs);
      function done() { clearTimeout(t); signal?.removeEventListener('abort', done); resolve(); }
      signal?.addEventListener('abort', done, { once: true });
    });
    if (signal?.aborted) return { offset, reason: 'aborted' };
    try {
      const info = await files.stat(path);
      if (!info) return { offset, reason: 'gone' };
      if (info.size < offset) return { offset, reason: 'shrank' };
      while (offset < info.size && !signal?.aborted) {
        const chunk = await files.read(path, offset, Math.min(info.size, offset + LOG_CHUNK_BYTES));
        if (chunk.length === 0) break;
        offset += chunk.length;
        feed.pushChunk(chunk);
        grewAt = quiet.clock(); quiet.settled = false;
      }
      if (!quiet.settled && quiet.clock() - grewAt >= quiet.settleMs) { quiet.settled = true; feed.settle(); }
      failingSince = undefined;
    } catch (err) {
      // A dropped SSH connection: the runner reconnects by itself; give up after a minute of failures.
      failingSince ??= Date.now();
      if (Date.now() - failingSince > 60_000) return { offset, reason: 'error', error: (err as Error).message };
    }
  }
}
