/**
 * The metrics feature (loss curves), registered with one call from activate(): the loss-curve panel (and its
 * serializer), the sidebar sparklines view, `llmTraining.showLossCurve` (argument: run id(s) or nothing -> quick pick,
 * several picks = comparison), `llmTraining.openLogChart` (argument: a log file URI, else the active editor's file,
 * else an open dialog; the log is followed while its panel is open) and, in development and tests, the synthetic charts.
 */
import { testHooksOn } from '../shellCommands';
import * as vscode from 'vscode';
import type { MetricsFeed } from '../../core/metrics/types';
import type { FileAccess } from '../../core/files';
import { LossCurvePanel } from './lossCurvePanel';
import { SparklinesViewProvider } from './sparklinesView';
import { runIdsOfArgument } from './data';
import { logFeedOpener } from './logFeed';
import { startLiveSynthetic, syntheticFeed } from './syntheticFeed';
import type { FeedRegistry } from './types';
import { notifyAlerts } from '../alertNotice';
import { directHost, type RegistrationHost } from '../registrationHost';
import { noticeText } from '../../core/runs/quote';

export type { FeedRegistry, LogFeedOpener } from './types';
export { LossCurvePanel } from './lossCurvePanel';

/** Command ids of the metrics feature. */
export const METRICS_COMMANDS = {
  showLossCurve: 'llmTraining.showLossCurve',
  openLogChart: 'llmTraining.openLogChart',
  openSyntheticChart: 'llmTraining.test.openSyntheticChart',
  openLiveSyntheticChart: 'llmTraining.test.openLiveSyntheticChart',
  openSyntheticComparison: 'llmTraining.test.openSyntheticComparison',
} as const;

/**
 * Registers the metrics feature. `feeds`: the runs' metrics feeds (RunFeeds); `forHost`: FileAccess per host alias
 * (FilesService.forHost), through which logs are read; `host`: where the panel serializer and the view register.
 */
export function registerMetrics(context: vscode.ExtensionContext, log: vscode.LogOutputChannel, feeds: FeedRegistry, forHost: (host: string) => Promise<FileAccess>, host: RegistrationHost = directHost): void {
  const openLog = logFeedOpener(forHost, log);
  const sparklines = new SparklinesViewProvider(context, feeds, log);
  context.subscriptions.push(
    sparklines,
    host.registerWebviewPanelSerializer(LossCurvePanel.viewType, LossCurvePanel.serializer(context, log, feeds, openLog)),
    host.registerWebviewViewProvider(SparklinesViewProvider.viewId, sparklines),
    vscode.commands.registerCommand(METRICS_COMMANDS.showLossCurve, async (arg?: unknown, more?: unknown) => {
      let ids = runIdsOfArgument(arg, more);
      if (!ids) {
        const all = feeds.all();
        if (all.length === 0) {
          const pick = await vscode.window.showInformationMessage('No runs with metrics yet.', 'Open Log as Chart…');
          if (pick) await vscode.commands.executeCommand(METRICS_COMMANDS.openLogChart);
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
      if (missing.length) { void vscode.window.showErrorMessage(noticeText(`No metrics for run ${missing.join(', ')}.`)); return; }
      LossCurvePanel.show(context, log, found as MetricsFeed[], { folder: ids.length === 1 ? feeds.folderOf?.(ids[0]) : undefined });
    }),
    vscode.commands.registerCommand(METRICS_COMMANDS.openLogChart, async (arg?: unknown) => {
      let uri = arg instanceof vscode.Uri ? arg : typeof arg === 'string' ? vscode.Uri.parse(arg) : undefined;
      if (!uri) {
        const doc = vscode.window.activeTextEditor?.document;
        uri = doc && doc.uri.scheme !== 'untitled' ? doc.uri : (await vscode.window.showOpenDialog({ title: 'Open training log as chart', canSelectMany: false, filters: { Logs: ['log', 'txt', 'out', 'err', 'jsonl'], 'All files': ['*'] } }))?.[0];
      }
      if (!uri) return;
      const target = uri;
      // The token lives as long as the panel: parsing can be cancelled from the notification, following ends when the panel closes.
      const cts = new vscode.CancellationTokenSource();
      const release = () => { cts.cancel(); cts.dispose(); };
      let feed: MetricsFeed;
      try {
        feed = await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: `Parsing ${target.path.split('/').pop()}…`, cancellable: true }, (_p, token) => {
          token.onCancellationRequested(() => cts.cancel());
          return openLog(target, cts.token);
        });
      } catch (e) {
        release();
        if (e instanceof vscode.CancellationError) return;
        throw e;
      }
      // Alerts of an opened log notify as a run's do: what its first read found (one notice), then each new episode.
      let unsubscribe = () => {};
      const panel = LossCurvePanel.show(context, log, feed, { logUri: target.toString(), release: () => { unsubscribe(); release(); } });
      const reveal = () => panel.panel.reveal();
      notifyAlerts(feed.title, feed.snapshot().alerts, reveal);
      unsubscribe = feed.subscribe((batch) => notifyAlerts(feed.title, batch.alerts, reveal));
    }),
  );
  // Development/test only (the shell's context key `llmTraining.testHooks` shows it in the palette): a chart over a
  // synthetic feed, by default 1M points with one spike of 42 at step 654,321, without writing and parsing a 76 MB log.
  if (testHooksOn(context.extensionMode)) {
    context.subscriptions.push(vscode.commands.registerCommand(METRICS_COMMANDS.openSyntheticChart, (args?: { points?: number; spike?: { step: number; value: number } | null; runId?: string }) => {
      const n = Math.max(2, Math.min(20_000_000, Math.floor(args?.points ?? 1_000_000)));
      const spike = args?.spike === null ? undefined : args?.spike ?? (n >= 654_321 ? { step: 654_321, value: 42 } : undefined);
      const feed = syntheticFeed(args?.runId ?? `synthetic-${n}`, `synthetic ${n.toLocaleString('en-US')} points`, n, spike);
      LossCurvePanel.show(context, log, feed);
      return feed.runId;
    }), vscode.commands.registerCommand(METRICS_COMMANDS.openSyntheticComparison, () => {
      // Two 2,000-point runs with long names as one comparison (the grouped, collapsible series toggles).
      const feeds = ['a', 'b'].map((k) => syntheticFeed(`synthetic-compare-${k}`, `qwen2.5-7b-sft-lr2e-5-${k} · gpu-box-${k}`, 2000, undefined));
      LossCurvePanel.show(context, log, feeds);
      return feeds.map((f) => f.runId);
    }), vscode.commands.registerCommand(METRICS_COMMANDS.openLiveSyntheticChart, () => {
      // 2,000 points, then 50 more every 250 ms while the panel is open (live appends, hide/show re-snapshots).
      const feed = syntheticFeed(`synthetic-live-${Date.now()}`, 'synthetic live run', 2000, undefined);
      LossCurvePanel.show(context, log, feed);
      const stop = startLiveSynthetic(feed, { everyMs: 250, perTick: 50 });
      context.subscriptions.push({ dispose: stop });
      return feed.runId;
    }));
  }
}
