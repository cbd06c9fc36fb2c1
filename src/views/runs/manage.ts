import * as vscode from 'vscode';
import type { RunRecord } from '../../core/runs/types';
import { isEnded } from '../../core/runs/runState';
import { checkRunName } from '../../core/runs/runName';
import { commandLabel } from './format';
import type { RunsContext } from './context';
import type { RunsNode } from './tree';
import { noticeText } from '../../core/runs/quote';

type RunNode = Extract<RunsNode, { kind: 'run' }>;
const runNodes = (ref: RunNode, selection?: RunsNode[]): RunNode[] =>
  selection && selection.length > 1 ? selection.filter((n): n is RunNode => n.kind === 'run') : [ref];
const title = (r: RunRecord) => r.name ?? commandLabel(r.argv);

/** Deletes each run's directory on its host, detaching its feed; returns the errors by run id. */
async function removeAll(ctx: RunsContext, runs: { host: string; run: RunRecord }[]): Promise<string[]> {
  const errors: string[] = [];
  for (const { host, run } of runs) {
    try {
      ctx.feeds.detach(run.id);
      await ctx.backend.removeRun(await ctx.backend.getRunner(host), run);
      ctx.log.info(`removed run ${run.id} on ${host}`);
    } catch (e) {
      errors.push(`${run.id} on ${host}: ${e instanceof Error ? e.message : String(e)}`);
    }
  }
  await ctx.tree.poll();
  if (errors.length) void vscode.window.showErrorMessage(noticeText(`Could not remove ${errors.length === 1 ? errors[0] : `${errors.length} runs: ${errors.join('; ')}`}`));
  return errors;
}

/**
 * `llmTraining.runs.remove` (Remove Run…, ended runs only): after a modal confirmation, deletes the run directory
 * of the clicked run (or of every ended run selected) on its host, through the Runner (`rm -rf -- <dir>` as argv).
 * Resolves with the ids removed (none when cancelled).
 */
export function removeRunCommand(ctx: RunsContext) {
  return async (ref: RunNode, selection?: RunsNode[]): Promise<string[]> => {
    const picked = runNodes(ref, selection).filter((n) => isEnded(n.run));
    if (!picked.length) return [];
    const one = picked.length === 1 ? picked[0] : undefined;
    const ok = await vscode.window.showWarningMessage(
      one ? `Remove run "${title(one.run)}" on ${one.host}?` : `Remove ${picked.length} runs?`,
      { modal: true, detail: `Deletes ${one ? 'its run directory' : 'their run directories'} (run.json, output.log, the config snapshot) on the host:\n${picked.map((n) => `${n.host}: ${n.run.id}`).join('\n')}\n\nCheckpoints written elsewhere (output_dir) are kept.` },
      'Remove',
    );
    if (ok !== 'Remove') return [];
    const errors = await removeAll(ctx, picked);
    return picked.map((n) => n.run.id).filter((id) => !errors.some((e) => e.startsWith(`${id} `)));
  };
}

/**
 * `llmTraining.runs.clearFinished` (Clear Finished Runs…, Runs view title): removes every ended run (finished,
 * failed, crashed, stopped) of the hosts the view has read, after a modal confirmation with the count per state.
 * Resolves with the ids removed.
 */
export function clearFinishedCommand(ctx: RunsContext) {
  return async (): Promise<string[]> => {
    const ended = ctx.tree.loadedRuns().flatMap(({ host, runs }) => runs.filter(isEnded).map((run) => ({ host, run })));
    if (!ended.length) { void vscode.window.showInformationMessage('No ended runs to clear.'); return []; }
    const byState = new Map<string, number>();
    for (const { run } of ended) byState.set(run.state, (byState.get(run.state) ?? 0) + 1);
    const hosts = [...new Set(ended.map((e) => e.host))];
    const ok = await vscode.window.showWarningMessage(
      `Remove ${ended.length} ended run${ended.length === 1 ? '' : 's'} on ${hosts.join(', ')}?`,
      { modal: true, detail: `${[...byState].map(([s, n]) => `${n} ${s}`).join(', ')}. Their run directories (run.json, output.log, config snapshot) are deleted; running runs and checkpoints written elsewhere are kept.` },
      'Remove',
    );
    if (ok !== 'Remove') return [];
    const errors = await removeAll(ctx, ended);
    return ended.map((e) => e.run.id).filter((id) => !errors.some((x) => x.startsWith(`${id} `)));
  };
}

/**
 * `llmTraining.runs.rename` (Rename Run…): asks for a name (pre-filled with the current one) and stores it in the
 * run's run.json on its host; the tree and the chart title show it. `newName` from code skips the prompt.
 * Resolves with the name stored, or undefined when cancelled.
 */
export function renameRunCommand(ctx: RunsContext) {
  return async (ref: RunNode, newName?: string): Promise<string | undefined> => {
    const typed = typeof newName === 'string' ? newName : await vscode.window.showInputBox({
      title: `Rename run ${ref.run.id}`,
      value: ref.run.name ?? commandLabel(ref.run.argv),
      prompt: 'Shown in the Runs view and on charts; the run id does not change',
      validateInput: (v) => { const c = checkRunName(v); return 'error' in c ? c.error : undefined; },
    });
    if (typed === undefined) return undefined;
    const c = checkRunName(typed);
    if ('error' in c) throw new Error(c.error);
    await ctx.backend.renameRun(await ctx.backend.getRunner(ref.host), ref.run, c.name);
    const e = ctx.feeds.entry(ref.run.id);
    if (e) ctx.feeds.updateRun({ ...e.run, name: c.name });
    await ctx.tree.poll();
    return c.name;
  };
}
