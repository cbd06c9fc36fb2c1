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
import type { RunRecord } from '../../core/runs/types';

/**
 * What the tree needs from the Runs feature: the backend (local runs, read on demand; the hosts list), the Runs
 * tree's per-host run lists (`runsOf` reads a host through the same cache the Runs view uses, connecting if needed;
 * `loadedRuns` is what it already read) and, optionally, the live feeds (a run launched in this window names its host).
 */
export interface RunsSource {
  backend: RunsBackend;
  tree: { loadedRuns(): { host: string; runs: RunRecord[] }[]; runsOf(alias: string): Promise<RunRecord[]> };
  feeds?: { onDidChangeRun: vscode.Event<string>; entry(runId: string): { run: RunRecord } | undefined };
}

export type CheckpointNode =
  | { kind: 'root'; loc: FileLocation; label: string; source: 'run' | 'user' }
  | { kind: 'checkpoint'; loc: FileLocation; entry: CheckpointEntry; root: FileLocation }
  | { kind: 'message'; text: string; loc?: FileLocation };

/** Context values of the nodes (menus key on them). */
export const CHECKPOINT_CONTEXT = { root: 'checkpointRoot', rootUser: 'checkpointRoot.user', checkpoint: 'checkpoint', best: 'checkpoint.best' } as const;

const USER_FOLDERS_KEY = 'llmTraining.checkpoints.folders';
/** SSH hosts on which runs were seen (launched in a window, or listed by the Runs view): their runs are read on their own. */
const RUN_HOSTS_KEY = 'llmTraining.checkpoints.runHosts';

export class CheckpointsTreeProvider implements vscode.TreeDataProvider<CheckpointNode>, vscode.Disposable {
  private readonly emitter = new vscode.EventEmitter<CheckpointNode | undefined>();
  readonly onDidChangeTreeData = this.emitter.event;

  private readonly subs: vscode.Disposable[] = [];

  constructor(private readonly state: vscode.Memento, private readonly files: FilesService, private readonly runs: RunsSource | undefined, private readonly log: vscode.LogOutputChannel) {
    // A run launched (or re-attached) on an SSH host makes that host one whose runs this view reads from now on.
    if (runs?.feeds) this.subs.push(runs.feeds.onDidChangeRun((id) => { const h = runs.feeds!.entry(id)?.run.host; if (h && h !== 'local') void this.rememberHost(h); }));
  }

  refresh(): void { this.emitter.fire(undefined); }
  dispose(): void { this.emitter.dispose(); for (const s of this.subs) s.dispose(); }

  /** SSH hosts whose runs the view reads without the Runs view (remembered across sessions). */
  runHosts(): string[] { return this.state.get<string[]>(RUN_HOSTS_KEY, []); }
  /** Stops reading a host's runs on its own (until runs are seen there again). */
  async forgetRunHost(host: string): Promise<void> {
    await this.state.update(RUN_HOSTS_KEY, this.runHosts().filter((h) => h !== host));
    this.refresh();
  }
  private async rememberHost(host: string): Promise<void> {
    const list = this.runHosts();
    if (list.includes(host)) return;
    await this.state.update(RUN_HOSTS_KEY, [...list, host]);
    this.refresh();
  }

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

  /**
   * Runs to take output folders from: local runs, and the runs of every SSH host that is configured in
   * `llmTraining.hosts`, remembered (runs seen there before), or already read by the Runs view. Each host is read
   * through the Runs tree's cache (`runsOf`), in parallel, so the Runs view need not have been opened; hosts only in
   * ~/.ssh/config and never used for runs are not contacted (no connection prompt for every host you have).
   * A host that cannot be reached is logged and skipped.
   */
  private async runSources(runs: RunsSource): Promise<{ host: string; runs: RunRecord[] }[]> {
    const loaded = runs.tree.loadedRuns().filter((x) => x.host !== 'local');
    for (const l of loaded) if (l.runs.length) void this.rememberHost(l.host);
    const configured = await runs.backend.listHosts().then((hs) => hs.filter((h) => h.source === 'settings').map((h) => h.alias), () => [] as string[]);
    const hosts = [...new Set([...configured, ...this.runHosts(), ...loaded.map((l) => l.host)])].filter((h) => h !== 'local');
    const read = async (host: string): Promise<{ host: string; runs: RunRecord[] } | undefined> => {
      try {
        return { host, runs: host === 'local' ? await runs.backend.listRuns(await runs.backend.getRunner('local')) : await runs.tree.runsOf(host) };
      } catch (e) { this.log.warn(`checkpoints: listing runs on ${host} failed: ${(e as Error).message}`); return undefined; }
    };
    return (await Promise.all(['local', ...hosts].map(read))).filter((x): x is { host: string; runs: RunRecord[] } => !!x);
  }

  private async roots(): Promise<CheckpointNode[]> {
    const out: CheckpointNode[] = [];
    const seen = new Set<string>();
    if (this.runs) {
      const sources = await this.runSources(this.runs);
      for (const { host, runs } of sources) {
        const files = await this.files.forHost(host).catch(() => undefined);
        if (!files) continue;
        for (const run of runs.slice(-50)) {
          const cfg = run.configSnapshot ? await readTextIfExists(files, run.configSnapshot, 4 * 1024 * 1024).catch(() => undefined) : undefined;
          const dir = runOutputDir(run.argv, run.cwd, cfg);
          if (!dir || seen.has(`${host}:${dir}`)) continue;
          seen.add(`${host}:${dir}`);
          out.push({ kind: 'root', loc: { host, path: dir }, label: run.name ?? run.id, source: 'run' });
        }
      }
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
