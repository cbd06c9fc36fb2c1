/**
 * Registers the checkpoint browser: the Checkpoints tree, its commands (one table, ids as constants), the read-only
 * custom editor for weight files, and polling of the tree while it is visible.
 */
import { testHooksOn } from '../shellCommands';
import * as vscode from 'vscode';
import { diffCheckpoints, parseValueDiff, valueDiffArgv } from '../../core/checkpoint/diff';
import { inspectCheckpoint } from '../../core/checkpoint/index';
import { joinPath } from '../../core/files';
import type { FilesService, FileLocation } from '../files';
import { locationOf, parseHostPath, uriOf } from '../files';
import type { RunsBackend } from '../runs/backend';
import type { RunsSource } from './tree';
import { CheckpointEditorProvider, openDetailsPanel } from './details';
import { CheckpointsTreeProvider } from './tree';
import { pollWhileVisible } from '../pollWhileVisible';
import { directHost, type RegistrationHost } from '../registrationHost';
import { confirmDeepSpeedResume, registerResumeDiagnostics } from './resume';
import type { ResumeLaunchPlan } from './resume';
import type { CheckpointNode } from './tree';
import type { CheckpointOut } from '../../shared/protocol/checkpoint';

export type { CheckpointsTreeProvider, CheckpointNode } from './tree';
export { confirmDeepSpeedResume, LAUNCH_ANYWAY, RESUME_DIAGNOSTIC } from './resume';

/** Command ids of the feature. */
export const CHECKPOINT_COMMANDS = {
  refresh: 'llmTraining.checkpoints.refresh',
  addFolder: 'llmTraining.checkpoints.addFolder',
  removeFolder: 'llmTraining.checkpoints.removeFolder',
  openDetails: 'llmTraining.checkpoints.openDetails',
  showLossCurve: 'llmTraining.checkpoints.showLossCurve',
  copyPath: 'llmTraining.checkpoints.copyPath',
  reveal: 'llmTraining.checkpoints.reveal',
  delete: 'llmTraining.checkpoints.delete',
  compare: 'llmTraining.checkpoints.compare',
  compareValues: 'llmTraining.checkpoints.compareValues',
} as const;

interface Ctx { extensionUri: vscode.Uri; files: FilesService; log: vscode.LogOutputChannel; tree: CheckpointsTreeProvider; backend?: RunsBackend; states?: Map<string, () => CheckpointOut> }

/** A node, a URI, or nothing (then the active custom editor's resource is used). */
function locOf(arg: unknown): FileLocation | undefined {
  if (arg instanceof vscode.Uri) return locationOf(arg);
  const n = arg as CheckpointNode | undefined;
  if (n && 'loc' in n && n.loc) return n.loc;
  return undefined;
}
const show = (l: FileLocation): string => (l.host === 'local' ? l.path : `${l.host}:${l.path}`);

async function compare(ctx: Ctx, a: FileLocation, b: FileLocation, values: boolean): Promise<void> {
  await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: `Comparing ${show(a)} and ${show(b)}…`, cancellable: false }, async () => {
    const [ra, rb] = await Promise.all([a, b].map(async (l) => inspectCheckpoint(await ctx.files.forHost(l.host), l.path, { sizes: false })));
    const d = diffCheckpoints(ra, rb);
    const lines = [`# ${show(a)} → ${show(b)}`, '', `${d.added.length} added, ${d.removed.length} removed, ${d.changed.length} changed in dtype or shape, ${d.same} unchanged`, ''];
    for (const t of d.added) lines.push(`+ ${t.name}  ${t.dtype} [${t.shape.join(', ')}]`);
    for (const t of d.removed) lines.push(`- ${t.name}  ${t.dtype} [${t.shape.join(', ')}]`);
    for (const c of d.changed) lines.push(`~ ${c.name}  ${c.from.dtype} [${c.from.shape.join(', ')}] → ${c.to.dtype} [${c.to.shape.join(', ')}]`);
    if (values) {
      if (a.host !== b.host || !ctx.backend) throw new Error('value comparison needs both checkpoints on the same host');
      const runner = await ctx.backend.getRunner(a.host);
      const python = vscode.workspace.getConfiguration('llmTraining').get<string>('checkpoints.python', 'python3');
      const r = await runner.exec(valueDiffArgv(a.path, b.path, python), { timeoutMs: 3_600_000 });
      if (r.exitCode !== 0) throw new Error(`value comparison failed on ${a.host}: ${r.stderr.trim().split('\n').pop()}`);
      lines.push('', '## Relative change per tensor (||b − a|| / ||a||)', '');
      for (const v of parseValueDiff(r.stdout).sort((x, y) => y.relative_change - x.relative_change)) lines.push(`${v.relative_change.toExponential(3)}  ${v.name}  (max |diff| ${v.max_abs_diff.toExponential(3)})`);
    }
    const doc = await vscode.workspace.openTextDocument({ language: 'markdown', content: lines.join('\n') + '\n' });
    await vscode.window.showTextDocument(doc, { preview: true });
  });
}

function commands(ctx: Ctx): Record<string, (...args: unknown[]) => unknown> {
  return {
    [CHECKPOINT_COMMANDS.refresh]: () => ctx.tree.refresh(),
    [CHECKPOINT_COMMANDS.addFolder]: async (arg?: unknown) => {
      const text = typeof arg === 'string' ? arg : await vscode.window.showInputBox({ title: 'Add checkpoint folder', prompt: 'A local folder, or host:/path on an SSH host', placeHolder: 'gpu-box:/scratch/me/runs/llama-sft' });
      if (!text) return;
      await ctx.tree.addFolder(parseHostPath(text));
    },
    [CHECKPOINT_COMMANDS.removeFolder]: async (n?: unknown) => { const l = locOf(n); if (l) await ctx.tree.removeFolder(l); },
    [CHECKPOINT_COMMANDS.openDetails]: (n?: unknown) => {
      const l = locOf(n); if (!l) return;
      openDetailsPanel(uriOf(l), ctx);
    },
    [CHECKPOINT_COMMANDS.showLossCurve]: async (n?: unknown) => {
      const l = locOf(n); if (!l) return;
      const node = n as CheckpointNode;
      // The newest checkpoint's trainer_state.json holds the whole log_history; the run root's own one is newer still.
      let path = joinPath(l.path, 'trainer_state.json');
      const files = await ctx.files.forHost(l.host);
      if (!(await files.stat(path)) && node.kind === 'root') {
        const r = await inspectCheckpoint(files, l.path, { sizes: false });
        const last = r.checkpoints?.filter((c) => c.kind === 'checkpoint').pop();
        if (last) path = joinPath(last.path, 'trainer_state.json');
      }
      if (!(await files.stat(path))) { void vscode.window.showWarningMessage(`No trainer_state.json in ${show(l)}.`); return; }
      const uri = uriOf({ host: l.host, path });
      await vscode.commands.executeCommand('llmTraining.openLogChart', uri);
      return uri.toString();
    },
    [CHECKPOINT_COMMANDS.copyPath]: (n?: unknown) => { const l = locOf(n); if (l) void vscode.env.clipboard.writeText(show(l)); },
    // Inside a workspace folder: the Explorer. A local folder elsewhere: the OS file manager where VS Code runs on this
    // machine's desktop. Otherwise (SSH host, or a browser / remote window where the OS reveal would be on another
    // machine): open the folder in a new window. Returns where it revealed (for tests).
    [CHECKPOINT_COMMANDS.reveal]: async (n?: unknown) => {
      const l = locOf(n); if (!l) return;
      const uri = uriOf(l);
      if (l.host === 'local' && vscode.workspace.getWorkspaceFolder(uri)) { await vscode.commands.executeCommand('revealInExplorer', uri); return 'explorer'; }
      if (l.host === 'local' && vscode.env.uiKind === vscode.UIKind.Desktop && !vscode.env.remoteName && (await vscode.commands.getCommands(true)).includes('revealFileInOS')) {
        await vscode.commands.executeCommand('revealFileInOS', uri); return 'os';
      }
      await vscode.commands.executeCommand('vscode.openFolder', uri, { forceNewWindow: true });
      return 'window';
    },
    [CHECKPOINT_COMMANDS.delete]: async (n?: unknown) => {
      const l = locOf(n); if (!l) return;
      const ok = await vscode.window.showWarningMessage(`Delete ${show(l)} and everything in it? This cannot be undone.`, { modal: true }, 'Delete');
      if (ok !== 'Delete') return;
      if (l.host === 'local') await vscode.workspace.fs.delete(vscode.Uri.file(l.path), { recursive: true, useTrash: false });
      else {
        if (!ctx.backend) return;
        const runner = await ctx.backend.getRunner(l.host);
        const r = await runner.exec(['rm', '-rf', '--', l.path]);
        if (r.exitCode !== 0) throw new Error(`rm on ${l.host} failed: ${r.stderr.trim()}`);
      }
      ctx.log.info(`checkpoints: deleted ${show(l)}`);
      ctx.tree.refresh();
      return true;
    },
    [CHECKPOINT_COMMANDS.compare]: async (n?: unknown, all?: unknown) => {
      const picked = (Array.isArray(all) ? all : [n]).map(locOf).filter((x): x is FileLocation => !!x);
      if (picked.length < 2) {
        const other = await vscode.window.showInputBox({ title: `Compare ${picked[0] ? show(picked[0]) : ''} with…`, prompt: 'Another checkpoint: a local path or host:/path' });
        if (!other) return;
        picked.push(parseHostPath(other));
      }
      await compare(ctx, picked[0], picked[1], false);
    },
    [CHECKPOINT_COMMANDS.compareValues]: async (n?: unknown, all?: unknown) => {
      const picked = (Array.isArray(all) ? all : [n]).map(locOf).filter((x): x is FileLocation => !!x);
      if (picked.length !== 2) { void vscode.window.showInformationMessage('Select two checkpoints (Ctrl/Cmd-click) to compare their values.'); return; }
      await compare(ctx, picked[0], picked[1], true);
    },
  };
}

/** Registers the checkpoint browser (the view and the editors through `host`). Call once from activate(). Returns the tree, for tests. */
export function registerCheckpoints(context: vscode.ExtensionContext, log: vscode.LogOutputChannel, files: FilesService, runs?: RunsSource, host: RegistrationHost = directHost): CheckpointsTreeProvider {
  const backend = runs?.backend;
  const tree = new CheckpointsTreeProvider(context.globalState, files, runs, log);
  const view = host.createTreeView('llmTraining.checkpoints', { treeDataProvider: tree, canSelectMany: true, showCollapseAll: true });
  // Development and test runs only: `llmTraining.checkpoints.detailsState` gives an open details view's state by URI.
  const testHooks = testHooksOn(context.extensionMode);
  const ctx: Ctx = { extensionUri: context.extensionUri, files, log, tree, backend, states: testHooks ? new Map() : undefined };
  if (testHooks && backend) context.subscriptions.push(
    vscode.commands.registerCommand('llmTraining.checkpoints.detailsState', (uri: string) => ctx.states?.get(uri)?.()),
    vscode.commands.registerCommand('llmTraining.checkpoints.confirmResumeForTests', (plan: ResumeLaunchPlan) => confirmDeepSpeedResume((h) => backend.getRunner(h), plan, log)),
  );
  // Re-lists the folders every `llmTraining.checkpoints.refreshIntervalSeconds` while the view is visible (a new
  // checkpoint-N shows up without a manual refresh), never while hidden; once at once when it is shown again.
  const poll = pollWhileVisible(view, { section: 'llmTraining.checkpoints', key: 'refreshIntervalSeconds', fallback: 30 }, () => tree.refresh(), () => tree.refresh());
  if (testHooks) context.subscriptions.push(vscode.commands.registerCommand('llmTraining.checkpoints.pollingForTests', () => poll.polling));
  context.subscriptions.push(tree, view, poll,
    ...[CheckpointEditorProvider.viewType, CheckpointEditorProvider.anyViewType].map((t) => host.registerCustomEditorProvider(t, new CheckpointEditorProvider(ctx), { supportsMultipleEditorsPerDocument: true })),
    ...Object.entries(commands(ctx)).map(([id, fn]) => vscode.commands.registerCommand(id, async (...args: unknown[]) => {
      try { return await fn(...args); } catch (e) { log.error(`${id}: ${(e as Error).message}`); void vscode.window.showErrorMessage((e as Error).message); return undefined; }
    })),
  );
  context.subscriptions.push(...registerResumeDiagnostics(files, log));
  return tree;
}
