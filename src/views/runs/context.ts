import type * as vscode from 'vscode';
import type { RunsBackend } from './backend';
import type { RunFeeds } from './feeds';
import type { RunsTreeProvider } from './tree';

/** What every Runs command factory receives (rust-analyzer's `Ctx` pattern): services, no globals. */
export interface RunsContext {
  readonly extension: vscode.ExtensionContext;
  readonly log: vscode.LogOutputChannel;
  readonly backend: RunsBackend;
  readonly feeds: RunFeeds;
  readonly tree: RunsTreeProvider;
}
