/**
 * Sidebar webview view `llmTraining.sparklines`: a sparkline of the loss of every run the registry knows, with the
 * latest value, on the shared WebviewHost. Updates at most once a second and only while the view can take them (a
 * hidden or reloading view gets the whole picture at its next `ready`/show). Clicking a run opens its loss-curve panel.
 */
import * as vscode from 'vscode';
import type { Handlers } from '../../shared/protocol/dispatch';
import type { SparkHostToWebview, SparkWebviewToHost } from '../../shared/protocol/sparklines';
import { WebviewHost, surfaceOf } from '../webviewHost';
import { sparkRunOf } from './data';
import { parseSparkMessage } from './messages';
import type { FeedRegistry } from './types';

const UPDATE_INTERVAL_MS = 1000;

export class SparklinesViewProvider implements vscode.WebviewViewProvider, vscode.Disposable {
  static readonly viewId = 'llmTraining.sparklines';
  private host: WebviewHost<SparkWebviewToHost, SparkHostToWebview> | undefined;
  private readonly subscriptions = new Map<string, () => void>();
  private readonly registrySub: vscode.Disposable;
  private timer: ReturnType<typeof setTimeout> | undefined;

  constructor(private readonly context: vscode.ExtensionContext, private readonly registry: FeedRegistry, private readonly log: vscode.LogOutputChannel) {
    // Registered once for the provider's life (a view resolved again does not add a second listener).
    this.registrySub = registry.onDidChange(() => { this.resubscribe(); this.schedule(); });
  }

  resolveWebviewView(view: vscode.WebviewView): void {
    this.host?.dispose();
    const handlers = {
      open: (m) => { void vscode.commands.executeCommand('llmTraining.showLossCurve', m.runId); },
    } satisfies Handlers<Exclude<SparkWebviewToHost, { type: 'ready' }>>;
    const host = new WebviewHost<SparkWebviewToHost, SparkHostToWebview>(surfaceOf(view), this.context.extensionUri, {
      app: 'sparklines',
      label: 'Loss sparklines',
      parse: parseSparkMessage,
      snapshot: () => this.message(),
      handlers,
    }, this.log);
    this.host = host;
    host.onDidDispose(() => {
      if (this.host !== host) return;
      this.host = undefined;
      for (const u of this.subscriptions.values()) u();
      this.subscriptions.clear();
    });
    this.resubscribe();
  }

  private message(): SparkHostToWebview { return { type: 'runs', runs: this.registry.all().map(sparkRunOf) }; }

  /** Follows exactly the registry's feeds while the view exists: subscribes to new ones, drops removed ones. */
  private resubscribe(): void {
    if (!this.host) return;
    const feeds = this.registry.all();
    const ids = new Set(feeds.map((f) => f.runId));
    for (const [id, u] of this.subscriptions) if (!ids.has(id)) { u(); this.subscriptions.delete(id); }
    for (const f of feeds) if (!this.subscriptions.has(f.runId)) this.subscriptions.set(f.runId, f.subscribe(() => this.schedule()));
  }

  private schedule(): void {
    if (this.timer || !this.host) return;
    this.timer = setTimeout(() => { this.timer = undefined; this.host?.postDelta(this.message()); }, UPDATE_INTERVAL_MS);
  }

  dispose(): void {
    if (this.timer) clearTimeout(this.timer);
    this.host?.dispose();
    for (const u of this.subscriptions.values()) u();
    this.registrySub.dispose();
  }
}
