import * as vscode from 'vscode';
import { decodeUtf8, type FileAccess } from '../../core/files';

/** URI scheme of remote run logs, read-only: `llmtraining-log://<host>/<run-id>/output.log?<absolute log path>`. */
export const LOG_SCHEME = 'llmtraining-log';
/** Logs bigger than this show only their tail (the head is rarely what one looks for in a running job). */
const MAX_BYTES = 16 * 1024 * 1024;

/** Builds the read-only URI of a remote run's log. */
export function remoteLogUri(host: string, runId: string, logPath: string): vscode.Uri {
  return vscode.Uri.from({ scheme: LOG_SCHEME, authority: host, path: `/${runId}/output.log`, query: logPath });
}

/**
 * Serves `llmtraining-log:` documents by reading the log through the host's FileAccess (`stat` + a range read of
 * at most the last MAX_BYTES).
 * Documents from a TextDocumentContentProvider are read-only in VS Code. `refresh(uri)` re-reads (the Open Log
 * command calls it so a re-opened log shows the latest bytes).
 */
export class RemoteLogProvider implements vscode.TextDocumentContentProvider, vscode.Disposable {
  private readonly emitter = new vscode.EventEmitter<vscode.Uri>();
  readonly onDidChange = this.emitter.event;
  constructor(private readonly forHost: (host: string) => Promise<FileAccess>) {}

  async provideTextDocumentContent(uri: vscode.Uri, token: vscode.CancellationToken): Promise<string> {
    const files = await this.forHost(uri.authority);
    const logPath = uri.query;
    const st = await files.stat(logPath);
    if (!st) return `(no log at ${uri.authority}:${logPath})`;
    const start = Math.max(0, st.size - MAX_BYTES);
    const bytes = await files.read(logPath, start, st.size);
    if (token.isCancellationRequested) return '';
    const text = decodeUtf8(bytes);
    return start > 0 ? `[… first ${start} bytes not shown: the log is larger than ${MAX_BYTES / 1048576} MiB …]\n${text.slice(text.indexOf('\n') + 1)}` : text;
  }

  refresh(uri: vscode.Uri): void { this.emitter.fire(uri); }
  dispose(): void { this.emitter.dispose(); }
}
