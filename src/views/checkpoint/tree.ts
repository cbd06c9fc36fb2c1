/**
 * The Checkpoints tree (`llmTraining.checkpoints`): one root per run output folder (from each local run's
 * `--output_dir` or config snapshot) and per folder the user added (`/path` or `host:/path`); under each, its
 * checkpoints (`checkpoint-N/`, `global_stepN/`, the final model) with step, eval metric, size and time, and a badge
 * on `best_model_checkpoint`. Nodes carry a `resourceUri` (file: or llmtraining-remote:) of the checkpoint folder.
 */
import * as vscode from 'vscode';
import { inspectCheckpoint } from '../../core/checkpoint/index';
import type { CheckpointEntry } from '../../core/checkpoint/types';
import { runOutputDir } from '../../core/checkpoint/runs';
import { formatBytes, readTextIfExists } from '../../core/files';
import type { FilesService, FileLocation } from '../files';
import { uriOf } from '../files';
import type { RunsBackend } from '../runs/backend';

export type CheckpointNode =
  | { kind: 'root'; loc: FileLocation; label: string; source: 'run' | 'user' }
  | { kind: 'checkpoint'; loc: FileLocation; entry: CheckpointEntry; root: FileLocation }
  | { kind: 'message'; text: string; loc?: FileLocation };

/** Context values of the nodes (menus key on them). */
export const CHECKPOINT_CONTEXT = { root: 'checkpointRoot', rootUser: 'checkpointRoot.user', checkpoint: 'checkpoint', best: 'checkpoint.best' } as const;

const USER_FOLDERS_KEY = 'llmTraining.checkpoints.folders';

export class CheckpointsTreeProvider implements vscode.TreeDataProvider<CheckpointNode>, vscode.Disposable {
  private readonly emitter = new vscode.EventEmitter<CheckpointNode | undefined>();
  readonly onDidChangeTreeData = this.emitter.event;

  constructor(private readonly state: vscode.Memento, private readonly files: FilesService, private readonly backend: RunsBackend | undefined, private readonly log: vscode.LogOutputChannel) {}

  refresh(): void { this.emitter.fire(undefined); }
  dispose(): void { this.emitter.dispose(); }

  /** Folders the user added, as `host:/path` (plain `/path` for local). */
  userFolders(): string[] { return this.state.get<string[]>(USER_FOLDERS_KEY, []); }
  async addFolder(loc: FileLocation): Promise<void> {
    const key = loc.host === 'local' ? loc.path : `${loc.host}:${loc.path}`;
    const list = this.userFolders();
    if (!list.includes(key)) await this.state.update(USER_FOLDERS_KEY, [...list, key]);
    this.refresh();
  }
  async removeFolder(loc: FileLocation): Promise<void> {
    await this.state.update(USER_FOLDERS_KEY, this.userFolders().filter((k) => k !== loc.path && k !== `${loc.host}:${loc.path}`));
    this.refresh();
  }

  getTreeItem(n: CheckpointNode): vscode.TreeItem {
    if (n.kind === 'message') { const it = new vscode.TreeItem(n.text); it.contextValue = 'message'; return it; }
    if (n.kind === 'root') {
      const it = new vscode.TreeItem(n.label, vscode.TreeItemCollapsibleState.Expanded);
      it.description = n.loc.host === 'local' ? n.loc.path : `${n.loc.host}:${n.loc.path}`;
      it.resourceUri = uriOf(n.loc);
      it.iconPath = new vscode.ThemeIcon(n.source === 'run' ? 'pulse' : 'folder');
      it.contextValue = n.source === 'user' ? CHECKPOINT_CONTEXT.rootUser : CHECKPOINT_CONTEXT.root;
      it.tooltip = it.description;
      return it;
    }
    const e = n.entry;
    const name = n.loc.path.split('/').pop() ?? n.loc.path;
    const it = new vscode.TreeItem(e.kind === 'final' ? `${name} (final)` : name, vscode.TreeItemCollapsibleState.None);
    const parts = [e.step !== undefined ? `step ${e.step}` : '', e.metric ? `${e.metric.name} ${Number(e.metric.value.toPrecision(4))}` : '', e.bytes !== undefined ? formatBytes(e.bytes) : '', e.mtimeMs ? new Date(e.mtimeMs).toLocaleString() : ''].filter(Boolean);
    it.description = `${e.best ? '★ best · ' : ''}${parts.join(' · ')}`;
    it.resourceUri = uriOf(n.loc);
    it.iconPath = new vscode.ThemeIcon(e.best ? 'star-full' : e.kind === 'global_step' ? 'database' : 'save');
    it.contextValue = e.best ? CHECKPOINT_CONTEXT.best : CHECKPOINT_CONTEXT.checkpoint;
    it.tooltip = `${n.loc.host === 'local' ? '' : `${n.loc.host}:`}${n.loc.path}${e.best ? '\nbest_model_checkpoint' : ''}`;
    it.command = { command: 'llmTraining.checkpoints.openDetails', title: 'Open Details', arguments: [n] };
    return it;
  }

  async getChildren(n?: CheckpointNode): Promise<CheckpointNode[]> {
    if (!n) return this.roots();
    if (n.kind !== 'root') return [];
    try {
      const files = await this.files.forHost(n.loc.host);
      const r = await inspectCheckpoint(files, n.loc.path, { sizes: true });
      const out: CheckpointNode[] = (r.checkpoints ?? []).map((entry) => ({ kind: 'checkpoint', loc: { host: n.loc.host, path: entry.path }, entry, root: n.loc }));
      if (r.format !== 'trainer-run' && r.format !== 'unknown' && !(r.checkpoints ?? []).some((c) => c.path === n.loc.path)) {
        out.push({ kind: 'checkpoint', loc: n.loc, root: n.loc, entry: { path: n.loc.path, best: false, kind: 'final', bytes: r.bytes, step: r.deepspeed?.step } });
      }
      return out.length ? out : [{ kind: 'message', text: 'No checkpoints yet', loc: n.loc }];
    } catch (e) {
      return [{ kind: 'message', text: (e as Error).message, loc: n.loc }];
    }
  }

  private async roots(): Promise<CheckpointNode[]> {
    const out: CheckpointNode[] = [];
    const seen = new Set<string>();
    if (this.backend) {
      try {
        const runner = await this.backend.getRunner('local');
        const files = await this.files.forHost('local');
        for (const run of (await this.backend.listRuns(runner)).slice(-50)) {
          const cfg = run.configSnapshot ? await readTextIfExists(files, run.configSnapshot, 4 * 1024 * 1024).catch(() => undefined) : undefined;
          const dir = runOutputDir(run.argv, run.cwd, cfg);
          if (!dir || seen.has(`local:${dir}`)) continue;
          seen.add(`local:${dir}`);
          out.push({ kind: 'root', loc: { host: 'local', path: dir }, label: run.name ?? run.id, source: 'run' });
        }
      } catch (e) { this.log.warn(`checkpoints: listing runs failed: ${(e as Error).message}`); }
    }
    for (const key of this.userFolders()) {
      const m = /^([A-Za-z0-9_.@-]+):(\/.*)$/.exec(key);
      const loc = m && m[1] !== 'local' ? { host: m[1], path: m[2] } : { host: 'local', path: m ? m[2] : key };
      if (seen.has(`${loc.host}:${loc.path}`)) continue;
      seen.add(`${loc.host}:${loc.path}`);
      out.push({ kind: 'root', loc, label: loc.path.split('/').filter(Boolean).pop() ?? loc.path, source: 'user' });
    }
    return out;
  }
}
