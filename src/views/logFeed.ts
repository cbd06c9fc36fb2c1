/**
 * Opens a training log file (any scheme VS Code can read: local, remote, virtual) as a MetricsFeed, through the
 * metrics core's streaming parser (format detected per line; trainer_state.json, TensorBoard event files and CSV
 * metrics by file name). Points without a timestamp in the log get none (`now: null`): the read time would be a lie.
 */
import * as vscode from 'vscode';
import { createMetricsFeed, type WritableMetricsFeed } from '../core/metrics';

/** Bytes handed to the parser at a time (keeps peak string size bounded on large logs). */
const CHUNK = 4 << 20;

/** Reads and parses the whole file. Errors (missing file, permission) propagate with the file named. */
export async function openLogFeed(uri: vscode.Uri): Promise<WritableMetricsFeed> {
  let bytes: Uint8Array;
  try { bytes = await vscode.workspace.fs.readFile(uri); } catch (err) { throw new Error(`cannot read ${uri.fsPath || uri.toString()}: ${(err as Error).message}`); }
  const name = uri.path.split('/').pop() || uri.toString();
  const feed = createMetricsFeed(`log:${uri.toString()}`, name, { fileName: name, now: null });
  for (let at = 0; at < bytes.length; at += CHUNK) {
    feed.pushChunk(bytes.subarray(at, Math.min(bytes.length, at + CHUNK)));
    await new Promise((r) => setImmediate(r)); // let the extension host breathe between chunks
  }
  feed.end();
  return feed;
}
