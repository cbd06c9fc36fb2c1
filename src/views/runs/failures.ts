import * as vscode from 'vscode';
import type { RunRecord } from '../../core/runs/types';
import { CRASH_TAIL_BYTES } from '../../core/runs/crash';
import type { RunsBackend } from './backend';
import type { RunFeeds } from './feeds';
import { commandLabel } from './format';
import { NOTIFIED_FAILURES_KEY, NOTIFIED_FAILURES_MAX, failureMessage, isFailure, lastErrorLine, shouldNotifyFailure } from './runState';

/** One failure notification as shown (the test hook `RunsApi.failures.shown`). */
export interface FailureNotice { runId: string; host: string; message: string; buttons: string[] }

/**
 * Tells the user once about each run that failed or crashed (issue 11): an error notification with the exit code and
 * the last error line of its log (runState.ts `lastErrorLine`), with Open Log and Show Loss Curve. The ids already
 * told are kept in globalState (`NOTIFIED_FAILURES_KEY`), so a reload or a second window does not tell them again;
 * old failures this window never saw running are not told (`shouldNotifyFailure`).
 * Fed by `observe` with every run list the Runs tree reads, and by followers that reached the end of a run's log.
 */
export class FailureNotifier implements vscode.Disposable {
  private readonly seenRunning = new Set<string>();
  private readonly inFlight = new Set<string>();
  /** Notifications shown by this window, oldest first (for tests and the log). */
  readonly shown: FailureNotice[] = [];
  private readonly subs: vscode.Disposable[] = [];

  constructor(private readonly state: vscode.Memento, private readonly backend: RunsBackend, private readonly feeds: RunFeeds, private readonly log: vscode.LogOutputChannel) {
    // A followed run's log was read to its end: the run is over, so read its final state now rather than at the
    // next poll (which only runs while the Runs view is visible).
    this.subs.push(feeds.onDidStopFollowing(({ entry, error }) => {
      if (error) return;
      this.seenRunning.add(entry.runId);
      void this.checkHost(entry.run.host);
    }));
  }

  /** Re-reads the runs of `host` and notifies its new failures; the feeds get the final records (the tree repaints). */
  async checkHost(host: string): Promise<void> {
    try {
      const runs = await this.backend.listRuns(await this.backend.getRunner(host));
      for (const r of runs) this.feeds.updateRun(r);
      await this.observe(host, runs);
    } catch (e) {
      this.log.warn(`failed-run check on ${host}: ${e instanceof Error ? e.message : String(e)}`);
    }
  }

  /** Notes running runs and notifies the failures among `runs` (one host's list) not told yet. */
  async observe(host: string, runs: readonly RunRecord[]): Promise<void> {
    const notified = new Set(this.state.get<string[]>(NOTIFIED_FAILURES_KEY, []));
    const todo: RunRecord[] = [];
    for (const r of runs) {
      if (r.state === 'running' || r.state === 'starting') this.seenRunning.add(r.id);
      else if (isFailure(r.state) && !this.inFlight.has(r.id) && shouldNotifyFailure(r, notified, this.seenRunning.has(r.id))) todo.push(r);
    }
    if (!todo.length) return;
    // Remembered before anything is shown: a reload while the notification is open does not show it again.
    for (const r of todo) { this.inFlight.add(r.id); notified.add(r.id); }
    await this.state.update(NOTIFIED_FAILURES_KEY, [...notified].slice(-NOTIFIED_FAILURES_MAX));
    await Promise.all(todo.map((r) => this.notify(host, r)));
  }

  private async notify(host: string, run: RunRecord): Promise<void> {
    let line = run.lastError;
    if (!line || /^exit code /.test(line)) {
      try {
        const runner = await this.backend.getRunner(host);
        const size = (await runner.stat(run.logPath))?.size ?? 0;
        const bytes = size > 0 ? await runner.readRange(run.logPath, Math.max(0, size - CRASH_TAIL_BYTES), size) : new Uint8Array();
        line = lastErrorLine(new TextDecoder().decode(bytes), run.exitCode) ?? line;
      } catch (e) {
        this.log.warn(`${run.id}: could not read the end of ${run.logPath}: ${e instanceof Error ? e.message : String(e)}`);
      }
    }
    const message = failureMessage(`${run.name ?? commandLabel(run.argv)} · ${host}`, run, line);
    const buttons = ['Open Log', 'Show Loss Curve'];
    this.shown.push({ runId: run.id, host, message, buttons });
    this.log.warn(message);
    const ref = { host, runId: run.id };
    const picked = await vscode.window.showErrorMessage(message, ...buttons);
    if (picked === 'Open Log') await vscode.commands.executeCommand('llmTraining.runs.openLog', ref);
    else if (picked === 'Show Loss Curve') await vscode.commands.executeCommand('llmTraining.runs.showLossCurve', ref);
  }

  dispose(): void { for (const s of this.subs) s.dispose(); }
}
