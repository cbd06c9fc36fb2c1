/**
 * Sidebar webview view `llmTraining.sparklines`: a sparkline of the loss of every run the registry knows, with the
 * latest value. Updates at most once a second, and only while the view is visible (a hidden view gets the whole
 * picture when shown again). Clicking a run opens its loss-curve panel.
 */
import * as vscode from 'vscode';
import { dispatch, type Handlers } from '../shared/protocol/metrics';
import { sparkWebviewToHostSchema, type SparkHostToWebview, type SparkWebviewToHost } from '../shared/protocol/sparklines';
import type { FeedRegistry } from './lossCurvePanel';
import { sparkRunOf } from './lossCurveData';
import { webviewHtml } from './webviewHtml';

const UPDATE_INTERVAL_MS = 1000;

export class SparklinesViewProvider implements vscode.WebviewViewProvider, vscode.Disposable {
  static readonly viewId = 'llmTraining.sparklines';
  private view: vscode.WebviewView | undefined;
  private readonly subscriptions = new Map<string, () => void>();
  private readonly disposables: vscode.Disposable[] = [];
  private timer: ReturnType<typeof setTimeout> | undefined;
  private ready = false;

  constructor(private readonly context: vscode.ExtensionContext, private readonly registry: FeedRegistry) {
    this.disposables.push(registry.onDidChange(() => { this.resubscribe(); this.schedule(); }));
  }

  resolveWebviewView(view: vscode.WebviewView): void {
    this.view = view;
    this.ready = false;
    const root = vscode.Uri.joinPath(this.context.extensionUri, 'dist', 'webview');
    view.webview.options = { enableScripts: true, localResourceRoots: [root] };
    view.webview.html = webviewHtml({ cspSource: view.webview.cspSource, scriptUri: view.webview.asWebviewUri(vscode.Uri.joinPath(root, 'sparklines.js')).toString(), styleUri: view.webview.asWebviewUri(vscode.Uri.joinPath(root, 'sparklines.css')).toString() });
    const handlers = {
      ready: () => { this.ready = true; this.send(); },
      open: (m) => { void vscode.commands.executeCommand('llmTraining.showLossCurve', m.runId); },
    } satisfies Handlers<SparkWebviewToHost>;
    this.disposables.push(
      view.webview.onDidReceiveMessage((raw: unknown) => {
        const r = sparkWebviewToHostSchema.safeParse(raw);
        if (r.success) void dispatch(handlers, r.data);
      }),
      view.onDidChangeVisibility(() => { if (view.visible) this.send(); }),
      view.onDidDispose(() => { this.view = undefined; this.ready = false; for (const u of this.subscriptions.values()) u(); this.subscriptions.clear(); }),
    );
    this.resubscribe();
  }

  /** Follows exactly the registry's feeds: subscribes to new ones, drops removed ones. */
  private resubscribe(): void {
    if (!this.view) return;
    const feeds = this.registry.all();
    const ids = new Set(feeds.map((f) => f.runId));
    for (const [id, u] of this.subscriptions) if (!ids.has(id)) { u(); this.subscriptions.delete(id); }
    for (const f of feeds) if (!this.subscriptions.has(f.runId)) this.subscriptions.set(f.runId, f.subscribe(() => this.schedule()));
  }

  private schedule(): void {
    if (this.timer) return;
    this.timer = setTimeout(() => { this.timer = undefined; this.send(); }, UPDATE_INTERVAL_MS);
  }

  private send(): void {
    if (!this.view || !this.ready || !this.view.visible) return;
    const message: SparkHostToWebview = { type: 'runs', runs: this.registry.all().map(sparkRunOf) };
    void this.view.webview.postMessage(message);
  }

  dispose(): void {
    if (this.timer) clearTimeout(this.timer);
    for (const u of this.subscriptions.values()) u();
    for (const d of this.disposables) d.dispose();
  }
}
