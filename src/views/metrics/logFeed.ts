/**
 * The one "Open Log as Chart" opener: a training log (local `file:`, a file on an SSH host as
 * `llmtraining-remote:`, a run's `llmtraining-log:` document, or any other scheme VS Code can read) becomes a
 * MetricsFeed, read through a `FileAccess` (range reads; remote files over the host's Runner) and parsed by the
 * metrics core (format detected per line; trainer_state.json, TensorBoard event files and CSV metrics by file name).
 *
 * - Points whose line has no timestamp get none (`now: null`, time NaN in the chart): the moment the file was read
 *   says nothing about when the step ran, so the wall-clock and relative axes show only times the log printed.
 * - The file is read in chunks (bounded memory, the extension host breathes between them) and then FOLLOWED: every
 *   `pollMs` its size is checked and appended bytes go into the feed, until `token` is cancelled (the panel showing
 *   it closes). A file that shrinks (truncated, rotated) stops the following, with a warning in the log. A line still
 *   being written is held until it is complete, or until following stops.
 * - Whole-document files (`*.json`, e.g. trainer_state.json, rewritten by the trainer rather than appended) are read
 *   once and not followed.
 */
import * as vscode from 'vscode';
import { FileNotFoundError, readChunks, type FileAccess } from '../../core/files';
import { createMetricsFeed, type WritableMetricsFeed } from '../../core/metrics';
import type { LogFeedOpener } from './types';

/** Bytes handed to the parser at a time. */
const CHUNK = 4 << 20;

/** Where the opener finds a FileAccess for a URI (FilesService.forUri fits). */
export type FileAccessResolver = (uri: vscode.Uri) => Promise<{ files: FileAccess; path: string }>;

/** Options of openLogFeed. */
export interface OpenLogOptions {
  /** Cancelling stops the reading or the following (the feed keeps what it has, its last partial line flushed). */
  token?: vscode.CancellationToken;
  /** ms between size checks while following (default 1000); 0 = read once, do not follow. */
  pollMs?: number;
  log?: vscode.LogOutputChannel;
}

/**
 * Opens `uri` as a feed (see the file comment). Resolves once the bytes present at open time are parsed; following
 * continues in the background. Rejects with the file named when it cannot be read (missing, a folder, no permission).
 */
export async function openLogFeed(resolve: FileAccessResolver, uri: vscode.Uri, opts: OpenLogOptions = {}): Promise<WritableMetricsFeed> {
  const { files, path } = await resolve(uri);
  const shown = files.host === 'local' ? path : `${files.host}:${path}`;
  const name = path.split('/').pop() || uri.toString();
  let info;
  try { info = await files.stat(path); } catch (err) { throw new Error(`cannot read ${shown}: ${(err as Error).message}`); }
  if (!info) throw new FileNotFoundError(path, files.host);
  if (info.isDirectory) throw new Error(`cannot read ${shown}: it is a folder`);
  const feed = createMetricsFeed(`log:${uri.toString()}`, name, { fileName: name, now: null });
  const abort = new AbortController();
  const sub = opts.token?.onCancellationRequested(() => abort.abort(new vscode.CancellationError()));
  let offset = 0;
  try {
    for await (const chunk of readChunks(files, path, { chunkSize: CHUNK, signal: abort.signal })) {
      feed.pushChunk(chunk);
      offset += chunk.length;
      await new Promise((r) => setImmediate(r)); // let the extension host breathe between chunks
    }
  } catch (err) {
    sub?.dispose();
    if (err instanceof vscode.CancellationError) { feed.end(); throw err; }
    throw new Error(`cannot read ${shown}: ${(err as Error).message}`);
  }
  const pollMs = opts.pollMs ?? 1000;
  if (pollMs <= 0 || /\.json$/i.test(name) || abort.signal.aborted) { sub?.dispose(); feed.end(); return feed; }
  void follow(files, path, shown, feed, offset, pollMs, abort.signal, opts.log).finally(() => { sub?.dispose(); feed.end(); });
  return feed;
}

async function follow(files: FileAccess, path: string, shown: string, feed: WritableMetricsFeed, offset: number, pollMs: number, signal: AbortSignal, log?: vscode.LogOutputChannel): Promise<void> {
  let failures = 0;
  while (!signal.aborted) {
    await new Promise<void>((r) => { const t = setTimeout(r, pollMs); signal.addEventListener('abort', () => { clearTimeout(t); r(); }, { once: true }); });
    if (signal.aborted) return;
    try {
      const info = await files.stat(path);
      if (!info) { log?.warn(`${shown}: gone; stopped following at byte ${offset}`); return; }
      if (info.size < offset) { log?.warn(`${shown}: shrank from ${offset} to ${info.size} bytes (truncated or rotated); stopped following`); return; }
      while (offset < info.size && !signal.aborted) {
        const chunk = await files.read(path, offset, Math.min(info.size, offset + CHUNK));
        if (chunk.length === 0) break;
        offset += chunk.length;
        feed.pushChunk(chunk);
      }
      failures = 0;
    } catch (err) {
      // A dropped SSH connection: the runner reconnects by itself; give up only after a minute of failures.
      if (++failures * pollMs > 60_000) { log?.warn(`${shown}: stopped following at byte ${offset}: ${(err as Error).message}`); return; }
    }
  }
}

/**
 * The opener the extension registers: local and `llmtraining-remote:` files through FilesService, a run's
 * `llmtraining-log:` document through its host (authority = host alias, query = the log's path), any other scheme
 * through `vscode.workspace.fs` (whole-file reads: such file systems have no range reads).
 */
export function logFeedOpener(forHost: (host: string) => Promise<FileAccess>, log: vscode.LogOutputChannel): LogFeedOpener {
  const resolve: FileAccessResolver = async (uri) => {
    if (uri.scheme === 'file') return { files: await forHost('local'), path: uri.fsPath };
    if (uri.scheme === 'llmtraining-remote') return { files: await forHost(uri.authority), path: uri.path };
    if (uri.scheme === 'llmtraining-log') return { files: await forHost(uri.authority), path: uri.query };
    return { files: workspaceFsAccess(uri), path: uri.path };
  };
  return (uri, token) => openLogFeed(resolve, uri, { token, log });
}

/** A FileAccess over one URI of any VS Code file system (for schemes without a Runner: vscode-remote:, vfs...). */
function workspaceFsAccess(base: vscode.Uri): FileAccess {
  const at = (path: string) => base.with({ path });
  return {
    host: base.authority || base.scheme,
    async read(path, start, end) { const all = await vscode.workspace.fs.readFile(at(path)); return all.slice(start, Math.min(end, all.length)); },
    async stat(path) {
      try { const s = await vscode.workspace.fs.stat(at(path)); return { size: s.size, mtimeMs: s.mtime, isDirectory: (s.type & vscode.FileType.Directory) !== 0 }; } catch { return undefined; }
    },
    async list(path) { try { return (await vscode.workspace.fs.readDirectory(at(path))).map(([n]) => n).sort(); } catch { return []; } },
  };
}
