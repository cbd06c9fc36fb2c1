import * as vscode from 'vscode';
import type { RunRecord } from '../../core/runs/types';
import { failureMessage, lastLogLine } from '../../core/runs/runState';
import type { RunsContext } from './context';
import { FAILURE_NOTICES_SINCE_KEY } from '../shellCommands';
import { noticeText } from '../../core/runs/quote';

/** globalState keys: ids already notified (newest last, at most NOTIFIED_MAX) and when notices began (ISO; written by the activation shell). */
const NOTIFIED_KEY = 'llmTraining.runs.failureNotified';
const NOTIFIED_MAX = 500;
/** Bytes of the log's end read for its last line. */
const TAIL_BYTES = 8 * 1024;

/**
 * Notifies once per failed or crashed run, with its exit code and the last error line of its log (the crash line, or
 * the log's last line), and the buttons Open Log / Show Loss Curve. Runs are seen as this window follows them
 * (`RunFeeds.onDidChangeRun`) and as the Runs tree lists them (`onDidLoadRuns`, so a run that failed while VS Code was
 * closed is reported after the next start). The ids notified are kept in globalState, so a reload does not notify
 * again; runs that ended before the first activation with this feature are not reported (no flood on upgrade).
 * Launch failures (`run.error`: the command never ran) are left to the launch, which reports them itself.
 */
export function registerFailureNotices(ctx: RunsContext): vscode.Disposable {
  const state = ctx.extension.globalState;
  // The activation shell writes the start at the first activation; without it (a first start racing here) it is now.
  const since = Date.parse(state.get<string>(FAILURE_NOTICES_SINCE_KEY) ?? new Date().toISOString());
  const seen = new Set(state.get<string[]>(NOTIFIED_KEY, []));

  const consider = (run: RunRecord) => {
    if ((run.state !== 'failed' && run.state !== 'crashed') || run.error || seen.has(run.id)) return;
    const ended = Date.parse(run.endTime ?? run.startTime);
    if (!(ended >= since - 1000)) return;
    seen.add(run.id);
    void state.update(NOTIFIED_KEY, [...seen].slice(-NOTIFIED_MAX));
    void notify(ctx, run);
  };
  return vscode.Disposable.from(
    ctx.feeds.onDidChangeRun((id) => { const e = ctx.feeds.entry(id); if (e) consider(e.run); }),
    ctx.tree.onDidLoadRuns(({ runs }) => { for (const r of runs) consider(r); }),
  );
}

async function notify(ctx: RunsContext, run: RunRecord): Promise<void> {
  let line = run.lastError;
  if (!line) {
    try {
      const runner = await ctx.backend.getRunner(run.host);
      const size = (await runner.stat(run.logPath))?.size ?? 0;
      if (size > 0) line = lastLogLine(new TextDecoder().decode(await runner.readRange(run.logPath, Math.max(0, size - TAIL_BYTES), size)));
    } catch (e) {
      ctx.log.warn(`reading the end of ${run.logPath}: ${e instanceof Error ? e.message : String(e)}`);
    }
  }
  const message = failureMessage(run.name ?? run.id, run, line);
  ctx.log.error(message);
  const ref = { host: run.host, runId: run.id };
  const b = await vscode.window.showErrorMessage(noticeText(message), 'Open Log', 'Show Loss Curve');
  if (b === 'Open Log') await vscode.commands.executeCommand('llmTraining.runs.openLog', ref);
  else if (b === 'Show Loss Curve') await vscode.commands.executeCommand('llmTraining.runs.showLossCurve', ref);
}
