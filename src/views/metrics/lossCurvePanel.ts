/**
 * Host side of the loss-curve webview panel: one panel per run, or per comparison of runs, on the shared WebviewHost
 * (ready -> snapshot -> deltas, re-snapshot when shown again, inbound messages validated and logged).
 *
 * The feed holds the data; the panel forwards it: a full snapshot on `ready`, then coalesced `append` deltas at most
 * every APPEND_INTERVAL_MS. Deltas the webview cannot take (hidden, still loading) are dropped and the next `ready`
 * or re-show sends a snapshot instead. No `retainContextWhenHidden`: the webview keeps its view options with
 * setState, and a WebviewPanelSerializer restores panels after a window reload from that state (`origin`: the run
 * ids, or the log file).
 */
import * as vscode from 'vscode';
import type { MetricsFeed } from '../../core/metrics/types';
import type { ChartViewState, Handlers, HostToWebview, PanelOrigin, WebviewToHost } from '../../shared/protocol/metrics';
import { WebviewHost, surfaceOf } from '../webviewHost';
import { decodePngDataUrl, infoOf, metricsCsv, PendingAppend, runDataOf, exportFileStem } from './data';
import { parseWebviewMessage } from './messages';
import type { FeedRegistry, LogFeedOpener } from './types';

const APPEND_INTERVAL_MS = 100;

export class LossCurvePanel {
  static readonly viewType = 'llmTraining.lossCurve';
  private static readonly open = new Map<string, LossCurvePanel>();

  private readonly disposables: vscode.Disposable[] = [];
  private readonly pending = new Map<string, PendingAppend>();
  private readonly unsubscribe = new Map<string, () => void>();
  private feeds: MetricsFeed[] = [];
  private timer: ReturnType<typeof setTimeout> | undefined;
  private disposed = false;
  /** Where exports are offered by default (a local run's working directory); else the log's folder or the workspace. */
  private exportFolder: string | undefined;
  private readonly host: WebviewHost<WebviewToHost, HostToWebview>;

  /**
   * Shows the panel for a run (or a comparison of runs), reusing an open one for the same runs.
   * @param origin where the data came from when not the run registry (a log file), so a reload can reopen it;
   *   `release` is called when the panel closes (stops following the log).
   */
  static show(context: vscode.ExtensionContext, log: vscode.LogOutputChannel, feed: MetricsFeed | MetricsFeed[], origin?: { logUri?: string; release?: () => void; folder?: string }): LossCurvePanel {
    const feeds = Array.isArray(feed) ? feed : [feed];
    if (feeds.length === 0) throw new Error('LossCurvePanel.show: no feed given');
    const key = LossCurvePanel.keyOf(feeds.map((f) => f.runId));
    const existing = LossCurvePanel.open.get(key);
    if (existing) { origin?.release?.(); existing.panel.reveal(); return existing; }
    const panel = vscode.window.createWebviewPanel(LossCurvePanel.viewType, LossCurvePanel.titleOf(feeds), { viewColumn: vscode.ViewColumn.Active, preserveFocus: false }, { enableScripts: true, localResourceRoots: [vscode.Uri.joinPath(context.extensionUri, 'dist', 'webview')] });
    const p = new LossCurvePanel(context, log, panel, feeds, { runIds: feeds.map((f) => f.runId), logUri: origin?.logUri });
    if (origin?.release) p.disposables.push({ dispose: origin.release });
    p.exportFolder = origin?.folder;
    return p;
  }

  /** Restores a panel from its saved state (serializer); feeds that are not available yet are attached when they appear. */
  static revive(context: vscode.ExtensionContext, log: vscode.LogOutputChannel, panel: vscode.WebviewPanel, origin: PanelOrigin, registry: FeedRegistry | undefined, openLog: LogFeedOpener | undefined): LossCurvePanel {
    const p = new LossCurvePanel(context, log, panel, [], origin);
    if (origin.logUri && openLog) {
      const cts = new vscode.CancellationTokenSource();
      p.disposables.push({ dispose: () => { cts.cancel(); cts.dispose(); } });
      openLog(vscode.Uri.parse(origin.logUri), cts.token).then((feed) => p.attach([feed]), (err: Error) => {
        log.warn(`loss curve: could not reopen ${origin.logUri}: ${err.message}`);
        p.host.postDelta({ type: 'exported', what: 'csv', ok: false, detail: `Could not reopen ${origin.logUri}: ${err.message}` });
      });
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

  private static keyOf(runIds: string[]): string { return [...runIds].sort().join('\u0000'); }
  private static titleOf(feeds: MetricsFeed[]): string { return feeds.length === 1 ? `Loss: ${feeds[0].title}` : `Loss: ${feeds.map((f) => f.title).join(' vs ')}`; }

  private constructor(context: vscode.ExtensionContext, log: vscode.LogOutputChannel, readonly panel: vscode.WebviewPanel, feeds: MetricsFeed[], private origin: PanelOrigin) {
    const handlers = {
      exportCsv: () => this.exportCsv(),
      exportPng: (m) => this.exportPng(m.dataUrl),
      openRun: (m) => { void vscode.commands.executeCommand('llmTraining.showLossCurve', m.runId); },
    } satisfies Handlers<Exclude<WebviewToHost, { type: 'ready' }>>;
    this.host = new WebviewHost<WebviewToHost, HostToWebview>(surfaceOf(panel), context.extensionUri, {
      app: 'metrics',
      label: 'Loss curve',
      parse: parseWebviewMessage,
      // Everything received so far is in the feeds' snapshots: pending deltas are part of it.
      snapshot: () => {
        for (const p of this.pending.values()) p.clear();
        return { type: 'snapshot', runs: this.feeds.map(runDataOf), origin: this.origin };
      },
      handlers,
    }, log);
    this.host.onDidDispose(() => this.dispose());
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
    void this.host.refresh();
  }

  private post(message: HostToWebview): void { this.host.postDelta(message); }

  private schedule(): void {
    if (this.timer || this.disposed) return;
    this.timer = setTimeout(() => { this.timer = undefined; this.flush(); }, APPEND_INTERVAL_MS);
  }

  /** Sends what arrived since the last send; a webview that cannot take it gets a snapshot at its next ready/show. */
  private flush(): void {
    for (const [runId, p] of this.pending) {
      if (p.empty) continue;
      const feed = this.feeds.find((f) => f.runId === runId);
      const info = feed && infoOf(feed);
      this.post({ type: 'append', runId, ...p.take(), ...(info ? { info } : {}) });
    }
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
    const logUri = this.origin.logUri ? vscode.Uri.parse(this.origin.logUri) : undefined;
    const folder = this.exportFolder ? vscode.Uri.file(this.exportFolder)
      : logUri?.scheme === 'file' ? vscode.Uri.joinPath(logUri, '..')
      : vscode.workspace.workspaceFolders?.[0]?.uri;
    const name = `${exportFileStem(this.feeds.map((f) => f.title))}.${ext}`;
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
    this.host.dispose();
    this.panel.dispose();
  }

  /** Open panels (for tests and the runs view). */
  static panels(): LossCurvePanel[] { return [...LossCurvePanel.open.values()]; }

  /** Serializer: restores panels from the state their webview saved (`ChartViewState.origin`). */
  static serializer(context: vscode.ExtensionContext, log: vscode.LogOutputChannel, registry: FeedRegistry | undefined, openLog: LogFeedOpener | undefined): vscode.WebviewPanelSerializer<ChartViewState> {
    return {
      deserializeWebviewPanel: async (panel, state) => {
        const origin = state?.origin;
        if (!origin || (!origin.logUri && origin.runIds.length === 0)) { panel.dispose(); return; }
        LossCurvePanel.revive(context, log, panel, origin, registry, openLog);
      },
    };
  }
}
