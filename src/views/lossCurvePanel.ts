/**
 * Host side of the loss-curve webview panel: one panel per run, or per comparison of runs.
 *
 * The feed holds the data; the panel forwards it. On `ready` (each time the webview document loads) the host sends a
 * full snapshot; afterwards, coalesced `append` deltas at most every APPEND_INTERVAL_MS. While the panel is hidden,
 * deltas are not sent (a hidden webview drops them); when it becomes visible again it gets a fresh snapshot.
 * No `retainContextWhenHidden`: the webview keeps its view options with setState, and a WebviewPanelSerializer
 * restores panels after a window reload from that state (`origin`: the run ids, or the log file).
 */
import * as vscode from 'vscode';
import type { MetricsFeed } from '../core/metrics/types';
import { dispatch, parseWebviewMessage, type ChartViewState, type Handlers, type HostToWebview, type PanelOrigin, type WebviewToHost } from '../shared/protocol/metrics';
import { decodePngDataUrl, metricsCsv, PendingAppend, runDataOf, runIdsOfArgument, safeFileStem } from './lossCurveData';
import { openLogFeed } from './logFeed';
import { SparklinesViewProvider } from './sparklinesView';
import { startLiveSynthetic, syntheticFeed } from './syntheticFeed';
import { webviewHtml } from './webviewHtml';

/** Where panels find feeds by run id (the runs-views helper's registry implements it). */
export interface FeedRegistry {
  get(runId: string): MetricsFeed | undefined;
  all(): MetricsFeed[];
  onDidChange: vscode.Event<void>;
}

/** Opens a log file as a feed (set by registerLossCurve; used to restore panels opened with llmTraining.openLogChart). */
export type LogFeedOpener = (uri: vscode.Uri) => Promise<MetricsFeed>;

const APPEND_INTERVAL_MS = 100;

export class LossCurvePanel {
  static readonly viewType = 'llmTraining.lossCurve';
  private static readonly open = new Map<string, LossCurvePanel>();

  private readonly disposables: vscode.Disposable[] = [];
  private readonly pending = new Map<string, PendingAppend>();
  private readonly unsubscribe = new Map<string, () => void>();
  private feeds: MetricsFeed[] = [];
  private timer: ReturnType<typeof setTimeout> | undefined;
  private ready = false;
  private stale = false;
  private disposed = false;

  /**
   * Shows the panel for a run (or a comparison of runs), reusing an open one for the same runs.
   * @param origin where the data came from when not the run registry (a log file), so a reload can reopen it.
   */
  static show(context: vscode.ExtensionContext, feed: MetricsFeed | MetricsFeed[], origin?: { logUri?: string }): LossCurvePanel {
    const feeds = Array.isArray(feed) ? feed : [feed];
    if (feeds.length === 0) throw new Error('LossCurvePanel.show: no feed given');
    const key = LossCurvePanel.keyOf(feeds.map((f) => f.runId));
    const existing = LossCurvePanel.open.get(key);
    if (existing) { existing.panel.reveal(); return existing; }
    const panel = vscode.window.createWebviewPanel(LossCurvePanel.viewType, LossCurvePanel.titleOf(feeds), { viewColumn: vscode.ViewColumn.Active, preserveFocus: false }, LossCurvePanel.webviewOptions(context));
    return new LossCurvePanel(context, panel, feeds, { runIds: feeds.map((f) => f.runId), logUri: origin?.logUri });
  }

  /** Restores a panel from its saved state (serializer); feeds that are not available yet are attached when they appear. */
  static revive(context: vscode.ExtensionContext, panel: vscode.WebviewPanel, origin: PanelOrigin, registry: FeedRegistry | undefined, openLog: LogFeedOpener | undefined): LossCurvePanel {
    panel.webview.options = LossCurvePanel.webviewOptions(context);
    const p = new LossCurvePanel(context, panel, [], origin);
    if (origin.logUri && openLog) {
      openLog(vscode.Uri.parse(origin.logUri)).then((feed) => p.attach([feed]), (err: Error) => p.post({ type: 'exported', what: 'csv', ok: false, detail: `Could not reopen ${origin.logUri}: ${err.message}` }));
    } else if (registry) {
      const tryAttach = () => {
        const found = origin.runIds.map((id) => registry.get(id)).filter((f): f is MetricsFeed => f !== undefined);
        if (found.length > p.feeds.length) p.attach(found);
        return found.length === origin.runIds.length;
      };
      if (!tryAttach()) {
        const sub = registry.onDidChange(() => { if (tryAttach()) sub.dispose(); });
        p.disposables.push(sub);
      }
    }
    return p;
  }

  private static webviewOptions(context: vscode.ExtensionContext): vscode.WebviewPanelOptions & vscode.WebviewOptions {
    return { enableScripts: true, localResourceRoots: [vscode.Uri.joinPath(context.extensionUri, 'dist', 'webview')], enableFindWidget: false };
  }

  private static keyOf(runIds: string[]): string { return [...runIds].sort().join('\u0000'); }
  private static titleOf(feeds: MetricsFeed[]): string { return feeds.length === 1 ? `Loss: ${feeds[0].title}` : `Loss: ${feeds.map((f) => f.title).join(' vs ')}`; }

  private constructor(private readonly context: vscode.ExtensionContext, readonly panel: vscode.WebviewPanel, feeds: MetricsFeed[], private origin: PanelOrigin) {
    const webview = panel.webview;
    const root = vscode.Uri.joinPath(context.extensionUri, 'dist', 'webview');
    webview.html = webviewHtml({ cspSource: webview.cspSource, scriptUri: webview.asWebviewUri(vscode.Uri.joinPath(root, 'metrics.js')).toString(), styleUri: webview.asWebviewUri(vscode.Uri.joinPath(root, 'metrics.css')).toString() });
    this.disposables.push(
      webview.onDidReceiveMessage((raw: unknown) => this.receive(raw)),
      panel.onDidChangeViewState(() => { if (panel.visible && this.ready && this.stale) this.sendSnapshot(); }),
      panel.onDidDispose(() => this.dispose()),
    );
    LossCurvePanel.open.set(LossCurvePanel.keyOf(origin.runIds), this);
    this.attach(feeds);
  }

  /** The runs this panel shows. */
  get runIds(): string[] { return this.origin.runIds; }

  /** Subscribes to feeds not yet attached and sends a fresh snapshot. */
  private attach(feeds: MetricsFeed[]): void {
    for (const feed of feeds) {
      if (this.unsubscribe.has(feed.runId)) continue;
      this.feeds.push(feed);
      const pending = new PendingAppend();
      this.pending.set(feed.runId, pending);
      this.unsubscribe.set(feed.runId, feed.subscribe((batch) => { pending.add(batch); this.schedule(); }));
    }
    if (feeds.length && !this.origin.runIds.length) this.origin = { ...this.origin, runIds: this.feeds.map((f) => f.runId) };
    this.panel.title = this.feeds.length ? LossCurvePanel.titleOf(this.feeds) : this.panel.title;
    if (this.ready) this.sendSnapshot();
  }

  private readonly handlers = {
    ready: () => { this.ready = true; this.sendSnapshot(); },
    exportCsv: () => this.exportCsv(),
    exportPng: (m) => this.exportPng(m.dataUrl),
    openRun: (m) => { void vscode.commands.executeCommand('llmTraining.showLossCurve', m.runId); },
  } satisfies Handlers<WebviewToHost>;

  private receive(raw: unknown): void {
    const parsed = parseWebviewMessage(raw);
    if (!parsed.ok) { console.warn(`[llmTraining] loss-curve webview sent an invalid message: ${parsed.error}`); return; }
    void Promise.resolve(dispatch(this.handlers, parsed.message)).catch((err: Error) => void vscode.window.showErrorMessage(`Loss curve: ${err.message}`));
  }

  private post(message: HostToWebview): void {
    if (this.disposed) return;
    void this.panel.webview.postMessage(message);
  }

  /** Full data of every feed; pending deltas are part of it (snapshot() has everything received so far). */
  private sendSnapshot(): void {
    for (const p of this.pending.values()) p.clear();
    this.stale = false;
    this.post({ type: 'snapshot', runs: this.feeds.map(runDataOf), origin: this.origin });
  }

  private schedule(): void {
    if (this.timer || this.disposed) return;
    this.timer = setTimeout(() => { this.timer = undefined; this.flush(); }, APPEND_INTERVAL_MS);
  }

  private flush(): void {
    if (!this.ready) return; // the snapshot on `ready` will carry everything
    if (!this.panel.visible) { this.stale = true; for (const p of this.pending.values()) p.clear(); return; }
    for (const [runId, p] of this.pending) if (!p.empty) this.post({ type: 'append', runId, ...p.take() });
  }

  private async exportCsv(): Promise<void> {
    const target = await vscode.window.showSaveDialog({ title: 'Export metrics as CSV', filters: { CSV: ['csv'] }, defaultUri: this.defaultUri('csv') });
    if (!target) return;
    try {
      await vscode.workspace.fs.writeFile(target, new TextEncoder().encode(metricsCsv(this.feeds)));
      this.post({ type: 'exported', what: 'csv', ok: true, detail: `Saved ${target.fsPath}` });
    } catch (err) {
      this.post({ type: 'exported', what: 'csv', ok: false, detail: `CSV export failed: ${(err as Error).message}` });
    }
  }

  private async exportPng(dataUrl: string): Promise<void> {
    const bytes = decodePngDataUrl(dataUrl); // throws on anything that is not PNG data: reported by receive()
    const target = await vscode.window.showSaveDialog({ title: 'Export chart as PNG', filters: { PNG: ['png'] }, defaultUri: this.defaultUri('png') });
    if (!target) return;
    try {
      await vscode.workspace.fs.writeFile(target, bytes);
      this.post({ type: 'exported', what: 'png', ok: true, detail: `Saved ${target.fsPath}` });
    } catch (err) {
      this.post({ type: 'exported', what: 'png', ok: false, detail: `PNG export failed: ${(err as Error).message}` });
    }
  }

  private defaultUri(ext: string): vscode.Uri | undefined {
    const folder = vscode.workspace.workspaceFolders?.[0]?.uri;
    const name = `${safeFileStem(this.feeds.map((f) => f.title).join('-vs-'))}.${ext}`;
    return folder ? vscode.Uri.joinPath(folder, name) : undefined;
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    if (this.timer) clearTimeout(this.timer);
    for (const u of this.unsubscribe.values()) u();
    this.unsubscribe.clear();
    LossCurvePanel.open.delete(LossCurvePanel.keyOf(this.origin.runIds));
    for (const d of this.disposables) d.dispose();
    this.panel.dispose();
  }

  /** Open panels (for tests and the runs view). */
  static panels(): LossCurvePanel[] { return [...LossCurvePanel.open.values()]; }

  /** Serializer: restores panels from the state their webview saved (`ChartViewState.origin`). */
  static serializer(context: vscode.ExtensionContext, registry: FeedRegistry | undefined, openLog: LogFeedOpener | undefined): vscode.WebviewPanelSerializer<ChartViewState> {
    return {
      deserializeWebviewPanel: async (panel, state) => {
        const origin = state?.origin;
        if (!origin || (!origin.logUri && origin.runIds.length === 0)) { panel.dispose(); return; }
        LossCurvePanel.revive(context, panel, origin, registry, openLog);
      },
    };
  }
}

/**
 * Registers the loss-curve features: the panel serializer, the sidebar sparklines view, `llmTraining.showLossCurve`
 * (argument: run id(s) or nothing -> quick pick, several picks = comparison) and `llmTraining.openLogChart`
 * (argument: a log file URI, else the active editor's file, else an open dialog).
 * `openLog` defaults to parsing the file with the metrics core (logFeed.ts).
 */
export function registerLossCurve(context: vscode.ExtensionContext, feeds: FeedRegistry, openLog: LogFeedOpener = openLogFeed): void {
  const sparklines = new SparklinesViewProvider(context, feeds);
  context.subscriptions.push(
    sparklines,
    vscode.window.registerWebviewPanelSerializer(LossCurvePanel.viewType, LossCurvePanel.serializer(context, feeds, openLog)),
    vscode.window.registerWebviewViewProvider(SparklinesViewProvider.viewId, sparklines),
    vscode.commands.registerCommand('llmTraining.showLossCurve', async (arg?: unknown, more?: unknown) => {
      let ids = runIdsOfArgument(arg, more);
      if (!ids) {
        const all = feeds.all();
        if (all.length === 0) {
          const pick = await vscode.window.showInformationMessage('No runs with metrics yet.', 'Open Log as Chart…');
          if (pick) await vscode.commands.executeCommand('llmTraining.openLogChart');
          return;
        }
        if (all.length === 1) ids = [all[0].runId];
        else {
          // The newest run comes preselected, so Enter alone opens it; checking more runs opens a comparison.
          const items = all.map((f, i) => ({ label: f.title, description: f.runId, runId: f.runId, picked: i === all.length - 1 }));
          const picked = await vscode.window.showQuickPick(items, { title: 'Show loss curve', placeHolder: 'Pick a run (several to compare)', canPickMany: true });
          if (!picked || picked.length === 0) return;
          ids = picked.map((p) => p.runId);
        }
      }
      const found = ids.map((id) => feeds.get(id));
      const missing = ids.filter((_, i) => !found[i]);
      if (missing.length) { void vscode.window.showErrorMessage(`No metrics for run ${missing.join(', ')}.`); return; }
      LossCurvePanel.show(context, found as MetricsFeed[]);
    }),
    vscode.commands.registerCommand('llmTraining.openLogChart', async (arg?: unknown) => {
      let uri = arg instanceof vscode.Uri ? arg : typeof arg === 'string' ? vscode.Uri.parse(arg) : undefined;
      if (!uri) {
        const doc = vscode.window.activeTextEditor?.document;
        uri = doc && doc.uri.scheme !== 'untitled' ? doc.uri : (await vscode.window.showOpenDialog({ title: 'Open training log as chart', canSelectMany: false, filters: { Logs: ['log', 'txt', 'out', 'err', 'jsonl'], 'All files': ['*'] } }))?.[0];
      }
      if (!uri) return;
      const target = uri;
      const feed = await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: `Parsing ${target.path.split('/').pop()}…` }, () => openLog(target));
      LossCurvePanel.show(context, feed, { logUri: target.toString() });
    }),
  );
  // Development/test only (context key `llmTraining.testHooks` shows it in the palette): a chart over a synthetic feed,
  // by default 1M points with one spike of 42 at step 654,321, without writing and parsing a 76 MB log.
  if (context.extensionMode !== vscode.ExtensionMode.Production || process.env.LLM_TRAINING_TEST_HOOKS === '1') {
    void vscode.commands.executeCommand('setContext', 'llmTraining.testHooks', true);
    context.subscriptions.push(vscode.commands.registerCommand('llmTraining.test.openSyntheticChart', (args?: { points?: number; spike?: { step: number; value: number } | null; runId?: string }) => {
      const n = Math.max(2, Math.min(20_000_000, Math.floor(args?.points ?? 1_000_000)));
      const spike = args?.spike === null ? undefined : args?.spike ?? (n >= 654_321 ? { step: 654_321, value: 42 } : undefined);
      const feed = syntheticFeed(args?.runId ?? `synthetic-${n}`, `synthetic ${n.toLocaleString('en-US')} points`, n, spike);
      LossCurvePanel.show(context, feed);
      return feed.runId;
    }), vscode.commands.registerCommand('llmTraining.test.openLiveSyntheticChart', () => {
      // 2,000 points, then 50 more every 250 ms while the panel is open (live appends, hide/show re-snapshots).
      const feed = syntheticFeed(`synthetic-live-${Date.now()}`, 'synthetic live run', 2000, undefined);
      LossCurvePanel.show(context, feed);
      const stop = startLiveSynthetic(feed, { everyMs: 250, perTick: 50 });
      context.subscriptions.push({ dispose: stop });
      return feed.runId;
    }));
  }
}
