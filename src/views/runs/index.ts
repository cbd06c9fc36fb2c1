import * as vscode from 'vscode';
import type { RunRecord } from '../../core/runs/types';
import type { MetricsFeed } from '../../core/metrics/types';
import type { RunsContext } from './context';
import type { RunsBackend } from './backend';
import { RunFeeds } from './feeds';
import { RunsTreeProvider, type RunsNode } from './tree';
import { checkLaunchArgs, launch, launchRunCommand, type LaunchRunArgs } from './launch';
import { RemoteLogProvider, LOG_SCHEME, remoteLogUri } from './logDocument';
import { RunTaskProvider, TASK_TYPE } from './tasks';
import { createBackend } from './backendImpl';
import { notifyAlerts } from '../alertNotice';
import { registerFailureNotices } from './failureNotices';
import { clearFinishedCommand, removeRunCommand, renameRunCommand } from './manage';
import { runnerFileAccess } from '../../remote/files';
import { quoteArgv } from '../../core/runs/quote';
import { STOP_GRACE, stopSequenceText } from '../../core/runs/runState';
import { pollWhileVisible } from '../pollWhileVisible';
import { directHost, type RegistrationHost } from '../registrationHost';

export { RunFeeds } from './feeds';
export type { LaunchRunArgs } from './launch';

/** What `registerRuns` hands back: the feeds registry (the loss-curve panel's data) and the tree, for tests. */
export interface RunsApi {
  readonly feeds: RunFeeds;
  readonly tree: RunsTreeProvider;
  readonly backend: RunsBackend;
  readonly tasks: RunTaskProvider;
  /**
   * Starts a run from code, without prompts (an export, a check, any host-side work): see `StartedRun`.
   * `args`: host alias, cwd on that host (`~/x` allowed; must exist), argv (no shell), env, name, optional `slurm`.
   * `opts.token` cancels before the launch and rejects `ended` (the run itself keeps going: stop it with
   * `llmTraining.runs.stop`); `opts.progress` gets the steps. Throws in an untrusted workspace, for a missing working
   * directory, and with the host's reason when the command could not start.
   */
  readonly start: (args: LaunchRunArgs, opts?: { token?: vscode.CancellationToken; progress?: vscode.Progress<{ message?: string }> }) => Promise<StartedRun>;
}

/** A run started with `RunsApi.start`: listed in the Runs view, its log followed into its feed (the loss-curve panel's data). */
export interface StartedRun {
  /** The record as written to run.json at launch (state `running`, or `starting` for a pending Slurm job). */
  readonly run: RunRecord;
  /** The run's metrics feed, filled as its log grows. */
  readonly feed: MetricsFeed;
  /**
   * Resolves with the final record (state, `exitCode`, `endTime`) once the run has ended AND its whole log went into
   * `feed`; rejects with a CancellationError when `opts.token` fires first.
   */
  readonly ended: Promise<RunRecord>;
}

/** A run as commands receive it: a tree node, or `{ host, runId }` from code (tests, other commands). */
type RunRef = Extract<RunsNode, { kind: 'run' }> | { host: string; runId: string };

/**
 * Registers the Runs feature: the Launch Run command, the Runs tree (`llmTraining.runs`) with its menus, the
 * `llmtraining-log:` document provider, the `llm-training` task type and alert notifications.
 * Call once from activate(); everything is disposed with the extension. `host`: where the view and the providers register.
 */
export function registerRuns(context: vscode.ExtensionContext, log: vscode.LogOutputChannel, host: RegistrationHost = directHost, backend: RunsBackend = createBackend(context, log)): RunsApi {
  const feeds = new RunFeeds(backend, log);
  const tree = new RunsTreeProvider(backend, feeds, log);
  const ctx: RunsContext = { extension: context, log, backend, feeds, tree };
  const view = host.createTreeView('llmTraining.runs', { treeDataProvider: tree, showCollapseAll: true, canSelectMany: true });
  const logs = new RemoteLogProvider(async (host) => runnerFileAccess(await backend.getRunner(host)));
  const tasks = new RunTaskProvider(ctx);
  context.subscriptions.push(backend, feeds, tree, view, logs,
    host.registerTextDocumentContentProvider(LOG_SCHEME, logs),
    host.registerTaskProvider(TASK_TYPE, tasks),
    vscode.commands.registerCommand('llmTraining.launchRun', launchRunCommand(ctx)),
    vscode.commands.registerCommand('llmTraining.refreshRuns', () => tree.refresh()),
    vscode.commands.registerCommand('llmTraining.runs.showLossCurve', showLossCurveCommand(ctx)),
    vscode.commands.registerCommand('llmTraining.runs.openLog', openLogCommand(ctx, logs)),
    vscode.commands.registerCommand('llmTraining.runs.stop', stopRunCommand(ctx)),
    vscode.commands.registerCommand('llmTraining.runs.reattach', reattachCommand(ctx)),
    vscode.commands.registerCommand('llmTraining.runs.remove', removeRunCommand(ctx)),
    vscode.commands.registerCommand('llmTraining.runs.clearFinished', clearFinishedCommand(ctx)),
    vscode.commands.registerCommand('llmTraining.runs.rename', renameRunCommand(ctx)),
    vscode.commands.registerCommand('llmTraining.runs.copyId', (ref: RunRef) => vscode.env.clipboard.writeText(refId(ref))),
    feeds.onDidAlert(({ entry, alert }) => {
      log.warn(`${entry.runId}: ${alert.kind} at step ${alert.step}: ${alert.message}`);
      notifyAlerts(entry.feed.title, [alert], () => void vscode.commands.executeCommand('llmTraining.showLossCurve', entry.runId));
    }),
    registerFailureNotices(ctx),
    // Re-reads run states every `llmTraining.runs.refreshIntervalSeconds` while the Runs view is visible, never otherwise.
    pollWhileVisible(view, { section: 'llmTraining.runs', key: 'refreshIntervalSeconds', fallback: 10 }, () => void tree.poll()),
    vscode.workspace.onDidChangeConfiguration((e) => {
      if (e.affectsConfiguration('llmTraining.hosts') || e.affectsConfiguration('llmTraining.sshConfigFile')) tree.refresh();
    }),
  );
  const start = async (args: LaunchRunArgs, opts: { token?: vscode.CancellationToken; progress?: vscode.Progress<{ message?: string }> } = {}): Promise<StartedRun> => {
    const a = checkLaunchArgs(args);
    const run = await launch(ctx, a, opts);
    const entry = feeds.entry(run.id)!;
    const ended = (async () => {
      const ac = new AbortController();
      const sub = opts.token?.onCancellationRequested(() => ac.abort(new vscode.CancellationError()));
      try {
        const final = await backend.waitForRun(await backend.getRunner(a.host), run, ac.signal);
        // The follower ends by itself once the run is over and the log is read to its end.
        if (entry.following) {
          await new Promise<void>((resolve, reject) => {
            const onAbort = () => { done.dispose(); reject(ac.signal.reason); };
            const done = feeds.onDidStopFollowing(({ entry: e }) => {
              if (e.runId !== run.id) return;
              done.dispose();
              ac.signal.removeEventListener('abort', onAbort);
              resolve();
            });
            ac.signal.addEventListener('abort', onAbort, { once: true });
          });
        }
        feeds.updateRun(final);
        return final;
      } finally { sub?.dispose(); }
    })();
    ended.catch(() => undefined); // a caller that ignores `ended` must not get an unhandled rejection
    return { run, feed: entry.feed, ended };
  };
  return { feeds, tree, backend, tasks, start };
}

const refId = (r: RunRef) => ('runId' in r ? r.runId : r.run.id);
const refHost = (r: RunRef) => r.host;

async function resolveRun(ctx: RunsContext, ref: RunRef): Promise<RunRecord> {
  if ('run' in ref) return ref.run;
  const runs = await ctx.tree.runsOf(ref.host);
  const run = runs.find((r) => r.id === ref.runId) ?? ctx.feeds.entry(ref.runId)?.run;
  if (!run) throw new Error(`no run ${ref.runId} on ${ref.host}`);
  return run;
}

/** Shows the run's loss curve, attaching a feed first when this window has none for it (a finished run, or after a reload). */
function showLossCurveCommand(ctx: RunsContext) {
  // With several runs selected in the tree VS Code passes (clicked, selection): the panel then compares them.
  return async (ref: RunRef, selection?: RunsNode[]): Promise<MetricsFeed | undefined> => {
    const refs: RunRef[] = selection && selection.length > 1 ? selection.filter((n): n is Extract<RunsNode, { kind: 'run' }> => n.kind === 'run') : [ref];
    const ids: string[] = [];
    for (const r of refs) {
      const run = await resolveRun(ctx, r);
      if (!ctx.feeds.get(run.id)) ctx.feeds.attach(run, await ctx.backend.getRunner(refHost(r)));
      ids.push(run.id);
    }
    await vscode.commands.executeCommand('llmTraining.showLossCurve', ids.length === 1 ? ids[0] : ids);
    return ctx.feeds.get(ids[0]);
  };
}

/** Opens output.log: a local file directly (VS Code follows its changes), a remote one read-only via `llmtraining-log:`. */
function openLogCommand(ctx: RunsContext, logs: RemoteLogProvider) {
  return async (ref: RunRef): Promise<vscode.TextEditor> => {
    const run = await resolveRun(ctx, ref);
    const uri = refHost(ref) === 'local' ? vscode.Uri.file(run.logPath) : remoteLogUri(refHost(ref), run.id, run.logPath);
    if (uri.scheme === LOG_SCHEME) logs.refresh(uri);
    const doc = await vscode.workspace.openTextDocument(uri);
    return vscode.window.showTextDocument(doc, { preview: true });
  };
}

/**
 * Stops a run after a modal confirmation from the tree: SIGINT to its process group, SIGTERM and then SIGKILL each
 * after a grace period (`STOP_GRACE`, remote/runs.ts `stopRun`); a Slurm job gets scancel.
 */
function stopRunCommand(ctx: RunsContext) {
  return async (ref: RunRef): Promise<RunRecord | undefined> => {
    const run = await resolveRun(ctx, ref);
    if ('run' in ref) {
      const ok = await vscode.window.showWarningMessage(`Stop run ${run.id} on ${ref.host}?`, { modal: true, detail: `${quoteArgv(run.argv)}\n\n${stopSequenceText(STOP_GRACE, !!run.slurmJobId)}` }, 'Stop Run');
      if (ok !== 'Stop Run') return undefined;
    }
    const runner = await ctx.backend.getRunner(refHost(ref));
    const stopped = await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: `Stopping ${run.id}` }, () => ctx.backend.stopRun(runner, run));
    ctx.log.info(`stopped ${run.id} on ${refHost(ref)}: ${stopped.state}`);
    ctx.feeds.updateRun(stopped);
    void ctx.tree.poll();
    return stopped;
  };
}

/** Resumes following a run's log from the last byte this window delivered (or from 0 for a run not yet followed). */
function reattachCommand(ctx: RunsContext) {
  return async (ref: RunRef): Promise<number> => {
    const run = await resolveRun(ctx, ref);
    const runner = await ctx.backend.getRunner(refHost(ref));
    ctx.feeds.detach(run.id); // a follower that looks alive but is stuck is replaced; the offset is kept
    const e = ctx.feeds.attach(run, runner);
    ctx.log.info(`re-attached ${run.id} at byte ${e.offset}`);
    return e.offset;
  };
}
