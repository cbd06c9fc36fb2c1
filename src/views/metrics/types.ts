/**
 * Types the metrics views share (the panel, the sparklines view, the registration), kept below them so no two of
 * them import each other.
 */
import type * as vscode from 'vscode';
import type { MetricsFeed } from '../../core/metrics/types';

/** Where panels find feeds by run id (the Runs feature's `RunFeeds` implements it). */
export interface FeedRegistry {
  get(runId: string): MetricsFeed | undefined;
  all(): MetricsFeed[];
  onDidChange: vscode.Event<void>;
  /** The local folder a run works in (its working directory on `local`), where its chart exports go; undefined for remote runs. */
  folderOf?(runId: string): string | undefined;
}

/**
 * Opens a log file as a feed that keeps following it while it grows, until `token` is cancelled or the feed is
 * disposed by its last viewer. Rejects with the file named when it cannot be read.
 */
export type LogFeedOpener = (uri: vscode.Uri, token?: vscode.CancellationToken) => Promise<MetricsFeed>;
