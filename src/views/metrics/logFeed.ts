/**
 * "Open Log as Chart": a URI to a feed through the one log-file opener of the metrics core (`openLogFile`,
 * src/core/metrics/logFile.ts: read through FileAccess, followed while it grows, no invented times). Local `file:`
 * and `llmtraining-remote:` files and a run's `llmtraining-log:` document go through the host's FileAccess (range
 * reads); any other scheme VS Code can read through `vscode.workspace.fs`.
 */
import * as vscode from 'vscode';
import type { FileAccess } from '../../core/files';
import { openLogFile } from '../../core/metrics/logFile';
import type { LogFeedOpener } from './types';

/**
 * The opener the extension registers. The feed follows the file until `token` is cancelled (the panel closes);
 * cancelling during the first read rejects with a CancellationError.
 */
export function logFeedOpener(forHost: (host: string) => Promise<FileAccess>, log: vscode.LogOutputChannel): LogFeedOpener {
  return async (uri, token) => {
    const { files, path } = await fileOf(forHost, uri);
    const ac = new AbortController();
    const sub = token?.onCancellationRequested(() => ac.abort(new vscode.CancellationError()));
    if (token?.isCancellationRequested) ac.abort(new vscode.CancellationError());
    try {
      const { feed, done } = await openLogFile(files, path, { runId: `log:${uri.toString()}`, signal: ac.signal, yieldBetweenChunks: () => new Promise((r) => setImmediate(r)) });
      void done.then((end) => {
        sub?.dispose();
        if (end.reason !== 'aborted' && end.reason !== 'not-followed') log.warn(`${uri.toString()}: stopped following at byte ${end.offset}: ${end.reason}${end.error ? ` (${end.error})` : ''}`);
      });
      return feed;
    } catch (e) {
      sub?.dispose();
      throw e;
    }
  };
}

async function fileOf(forHost: (host: string) => Promise<FileAccess>, uri: vscode.Uri): Promise<{ files: FileAccess; path: string }> {
  if (uri.scheme === 'file') return { files: await forHost('local'), path: uri.fsPath };
  if (uri.scheme === 'llmtraining-remote') return { files: await forHost(uri.authority), path: uri.path };
  if (uri.scheme === 'llmtraining-log') return { files: await forHost(uri.authority), path: uri.query };
  return { files: workspaceFsAccess(uri), path: uri.path };
}

/** A FileAccess over one URI's file system (schemes without a Runner: vscode-remote:, vfs...): whole-file reads. */
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
