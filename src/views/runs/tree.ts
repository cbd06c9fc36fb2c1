import * as vscode from 'vscode';
import type { RunRecord, RunState } from '../../core/runs/types';
import type { RunsBackend, HostEntry, GpuStatus } from './backend';
import type { RunFeeds } from './feeds';
import { describeRun, gpuLabel, gib, runDescription, runLabel, runProblem } from './format';
import { reportHostKeyError } from './prompts';
import { displayText, quoteArgv } from '../../core/runs/quote';
import { endedLabel, formatClock } from '../../core/runs/runState';

/** Tree nodes: hosts at the root; under each a GPU status line and its runs. */
export type RunsNode =
  | { kind: 'host'; host: HostEntry }
  | { kind: 'gpu'; host: string; gpus?: GpuStatus; error?: string }
  | { kind: 'run'; host: string; run: RunRecord }
  | { kind: 'message'; host: string; text: string; error?: boolean; launch?: HostEntry };

interface HostState { runs?: RunRecord[]; gpus?: GpuStatus; error?: string; gpuError?: string; loading?: Promise<void> }

const STATE_ICON: Record<RunState, [string, string | undefined]> = {
  starting: ['loading~spin', 'charts.blue'],
  running: ['sync~spin', 'charts.blue'],
  finished: ['pass', 'testing.iconPassed'],
  failed: ['error', 'testing.iconFailed'],
  crashed: ['flame', 'testing.iconFailed'],
  stopped: ['debug-stop', 'disabledForeground'],
  unknown: ['question', undefined],
};

/**
 * Runs tree (`llmTraining.runs`). Hosts come from the backend; `local` is expanded, remote hosts connect only
 * when the user expands them (so opening the view never pops an SSH prompt for every host in ~/.ssh/config).
 * Runs show state icons and `step 120/500 · loss 1.234 · 3.1 it/s · ETA 2:10`; a run with an alert shows a warning
 * icon. `contextValue` is `run.<state>` (+ `.attached` when a follower runs) for the menus in package.json.
 */
export class RunsTreeProvider implements vscode.TreeDataProvider<RunsNode>, vscode.Disposable {
  private readonly emitter = new vscode.EventEmitter<RunsNode | RunsNode[] | undefined>();
  readonly onDidChangeTreeData = this.emitter.event;
  private readonly loaded = new vscode.EventEmitter<{ host: string; runs: RunRecord[] }>();
  /** Fires each time a host's runs were read (state refreshed): the failed-run notices watch it. */
  readonly onDidLoadRuns = this.loaded.event;
  private hosts?: HostEntry[];
  private readonly state = new Map<string, HostState>();
  private readonly hostNodes = new Map<string, RunsNode>();
  /** One node object per run, reused across getChildren calls, so a feed update repaints only its row. */
  private readonly runNodes = new Map<string, Extract<RunsNode, { kind: 'run' }>>();
  private readonly subs: vscode.Disposable[] = [];
  private pending?: NodeJS.Timeout;
  private readonly dirty = new Set<string>();

  constructor(private readonly backend: RunsBackend, private readonly feeds: RunFeeds, private readonly log: vscode.LogOutputChannel) {
    // Feed updates arrive per batch; coalesce repaints to at most ~4/s and repaint only the rows that changed
    // (a whole-tree repaint would rebuild every row, and a hovered inline action with it).
    this.subs.push(feeds.onDidChangeRun((id) => { this.dirty.add(id); this.schedule(); }));
  }

  private schedule(): void {
    if (this.pending) return;
    this.pending = setTimeout(() => {
      this.pending = undefined;
      const nodes = [...this.dirty].map((id) => this.runNodes.get(id)).filter((n): n is Extract<RunsNode, { kind: 'run' }> => n !== undefined);
      this.dirty.clear();
      if (nodes.length) this.emitter.fire(nodes);
    }, 250);
  }

  /** Drops cached host lists and runs and re-reads everything visible. */
  refresh(): void {
    this.hosts = undefined;
    for (const s of this.state.values()) { s.runs = undefined; s.gpus = undefined; s.error = undefined; }
    this.emitter.fire(undefined);
  }

  /** Re-reads the runs of hosts already loaded (the visible-view poll). Hosts not yet expanded stay untouched. */
  async poll(): Promise<void> {
    await Promise.all([...this.state.entries()].filter(([, s]) => s.runs || s.error).map(([alias]) => this.loadHost(alias)));
    this.emitter.fire(undefined);
  }

  /** Runs of every host already read (nothing is loaded or connected for this): the Checkpoints view's run roots. */
  loadedRuns(): { host: string; runs: RunRecord[] }[] {
    return [...this.state.entries()].filter(([, s]) => s.runs).map(([host, s]) => ({ host, runs: s.runs! }));
  }

  /** Runs of a host as last read (loading them if needed). */
  async runsOf(alias: string): Promise<RunRecord[]> {
    await this.loadHost(alias);
    return this.state.get(alias)?.runs ?? [];
  }

  private loadHost(alias: string): Promise<void> {
    let s = this.state.get(alias);
    if (!s) { s = {}; this.state.set(alias, s); }
    if (s.loading) return s.loading;
    const st = s;
    st.loading = (async () => {
      try {
        const runner = await this.backend.getRunner(alias);
        const [runs, gpus] = await Promise.all([
          this.backend.listRuns(runner),
          this.backend.queryGpus(runner).then((g) => { st.gpuError = undefined; return g; }, (e: unknown) => { st.gpuError = String(e instanceof Error ? e.message : e); return undefined; }),
        ]);
        st.runs = runs;
        st.gpus = gpus;
        st.error = undefined;
        this.loaded.fire({ host: alias, runs });
        for (const r of runs) {
          this.feeds.updateRun(r);
          // A running run whose follower stopped (connection drop) or that this window never followed (after a
          // reload) is re-attached: from the kept offset, or from byte 0 into a fresh feed.
          const e = this.feeds.entry(r.id);
          if ((r.state === 'running' || r.state === 'starting') && (!e || !e.following)) this.feeds.attach(r, runner);
        }
      } catch (e) {
        st.error = e instanceof Error ? e.message : String(e);
        reportHostKeyError(e);
        this.log.warn(`runs on ${alias}: ${st.error}`);
      } finally {
        st.loading = undefined;
      }
    })();
    return st.loading;
  }

  async getChildren(node?: RunsNode): Promise<RunsNode[]> {
    if (!node) {
      if (!this.hosts) {
        try { this.hosts = await this.backend.listHosts(); } catch (e) {
          this.log.error(`listing hosts: ${e instanceof Error ? e.message : String(e)}`);
          this.hosts = [{ alias: 'local', source: 'local' }];
        }
      }
      if (await this.isEmpty()) return [];
      return this.hosts.map((h) => this.hostNode(h));
    }
    if (node.kind !== 'host') return [];
    const alias = node.host.alias;
    // Repaints (several per second while a run streams) reuse what was read; refresh() and poll() re-read.
    const cached = this.state.get(alias);
    if (!cached || (cached.runs === undefined && cached.error === undefined) || cached.loading) await this.loadHost(alias);
    const s = this.state.get(alias)!;
    if (s.error) return [{ kind: 'message', host: alias, text: s.error, error: true }];
    const out: RunsNode[] = [{ kind: 'gpu', host: alias, gpus: s.gpus, error: s.gpuError }];
    for (const run of s.runs ?? []) {
      let n = this.runNodes.get(run.id);
      if (n && n.host === alias) n.run = run;
      else this.runNodes.set(run.id, (n = { kind: 'run', host: alias, run }));
      out.push(n);
    }
    // A host without runs while other hosts are listed (alone, `local` without runs leaves the view to its welcome).
    if ((s.runs ?? []).length === 0) out.push({ kind: 'message', host: alias, text: 'No runs on this host yet: Launch Run…', launch: node.host });
    return out;
  }

  /**
   * True when there is nothing to show: `local` is the only host and it has no runs (read without error). The view
   * then has no rows, so its `viewsWelcome` (package.json) says what to do. With SSH hosts the hosts stay listed:
   * their runs are unknown until the user expands them.
   */
  private async isEmpty(): Promise<boolean> {
    if (this.hosts?.length !== 1 || this.hosts[0].source !== 'local') return false;
    const runs = await this.runsOf(this.hosts[0].alias);
    return runs.length === 0 && !this.state.get(this.hosts[0].alias)?.error;
  }

  private hostNode(h: HostEntry): RunsNode {
    let n = this.hostNodes.get(h.alias);
    if (!n || n.kind !== 'host' || n.host.detail !== h.detail) { n = { kind: 'host', host: h }; this.hostNodes.set(h.alias, n); }
    return n;
  }

  getTreeItem(node: RunsNode): vscode.TreeItem {
    switch (node.kind) {
      case 'host': {
        const h = node.host;
        const item = new vscode.TreeItem(h.alias, h.source === 'local' ? vscode.TreeItemCollapsibleState.Expanded : vscode.TreeItemCollapsibleState.Collapsed);
        item.id = `host:${h.alias}`;
        item.iconPath = new vscode.ThemeIcon(h.source === 'local' ? 'vm' : 'remote');
        item.description = h.source === 'local' ? 'this machine' : h.detail;
        item.contextValue = `host.${h.source}`;
        item.tooltip = h.source === 'ssh-config' ? `${h.alias} (ssh config) ${h.detail ?? ''}` : h.source === 'settings' ? `${h.alias} (llmTraining.hosts)` : 'Runs on this machine, without SSH';
        return item;
      }
      case 'gpu': {
        const item = new vscode.TreeItem(gpuLabel(node), vscode.TreeItemCollapsibleState.None);
        item.id = `gpu:${node.host}`;
        item.iconPath = new vscode.ThemeIcon('circuit-board');
        item.contextValue = 'gpu';
        if (node.gpus?.available) {
          item.tooltip = node.gpus.gpus.map((g) => `GPU ${g.index} ${g.name}: ${g.utilizationGpu ?? '?'}% · ${gib(g.memoryUsed)}/${gib(g.memoryTotal)} GiB${g.temperature !== undefined ? ` · ${g.temperature} °C` : ''}${g.powerDraw !== undefined ? ` · ${g.powerDraw} W` : ''}`).join('\n');
        } else if (node.gpus) item.tooltip = node.gpus.reason;
        return item;
      }
      case 'message': {
        const item = new vscode.TreeItem(node.text, vscode.TreeItemCollapsibleState.None);
        item.iconPath = new vscode.ThemeIcon(node.error ? 'warning' : 'info');
        item.contextValue = node.error ? 'hostError' : 'message';
        item.tooltip = node.text;
        if (node.launch) item.command = { command: 'llmTraining.launchRun', title: 'Launch Run…', arguments: [{ kind: 'host', host: node.launch }] };
        return item;
      }
      case 'run': return this.runItem(node.host, node.run);
    }
  }

  private runItem(host: string, run: RunRecord): vscode.TreeItem {
    const e = this.feeds.entry(run.id);
    const item = new vscode.TreeItem(runLabel(run), vscode.TreeItemCollapsibleState.None);
    item.id = `run:${host}:${run.id}`;
    const state = run.state === 'crashed' ? 'crashed' : e && e.run.state !== 'unknown' ? e.run.state : run.state;
    // An ended run says how and when it ended, never a rate or an ETA (the process is gone).
    const shown = { ...run, ...(e && e.run.state !== 'unknown' && run.state !== 'crashed' ? { state: e.run.state, endTime: e.run.endTime ?? run.endTime, exitCode: e.run.exitCode ?? run.exitCode } : {}) };
    const ended = endedLabel(shown);
    const summary = e ? describeRun({ progress: e.progress, loss: e.loss, ended: ended !== undefined }) : '';
    const problem = runProblem(shown);
    item.description = runDescription({ ended, problem, summary, fallback: `${state} · ${formatClock(run.startTime) ?? run.startTime}` });
    if (e && e.alerts.some((a) => a.kind !== 'restart') && state !== 'crashed') {
      item.iconPath = new vscode.ThemeIcon('warning', new vscode.ThemeColor('problemsWarningIcon.foreground'));
    } else {
      const [icon, color] = STATE_ICON[state] ?? STATE_ICON.unknown;
      item.iconPath = new vscode.ThemeIcon(icon, color ? new vscode.ThemeColor(color) : undefined);
    }
    item.contextValue = `run.${state}${e?.following ? '.attached' : ''}`;
    // Markdown with $(icon) support: every text from the run (name, reasons, messages, paths) goes through appendText,
    // which escapes markdown and $(...), or into a code block.
    const md = new vscode.MarkdownString(undefined, true);
    if (run.name) md.appendText(displayText(run.name)).appendMarkdown('\n\n');
    md.appendMarkdown(`**${state}** on `).appendText(host).appendMarkdown(' · id ').appendText(run.id).appendMarkdown('\n\n');
    md.appendCodeblock(quoteArgv(run.argv), 'shellscript');
    // a crashed run's line that ended it; a failed run's last log line (see RunRecord.lastError)
    if (run.lastError) md.appendMarkdown(state === 'crashed' ? '\n$(flame) **' : '\n**').appendText(displayText(state === 'crashed' ? run.crashReason ?? 'crashed' : 'last log line')).appendMarkdown('**\n').appendCodeblock(run.lastError, 'text');
    if (problem) md.appendMarkdown(`\n$(error) **${problem === run.error ? 'launch failed' : 'Slurm'}**\n`).appendCodeblock(problem, 'text');
    md.appendMarkdown('\ncwd ').appendText(displayText(run.cwd)).appendMarkdown(` · started ${run.startTime}${run.endTime ? ` · ended ${run.endTime}` : ''}${run.exitCode !== undefined ? ` · exit ${run.exitCode}` : ''}\n`);
    for (const a of e?.alerts ?? []) md.appendMarkdown('\n$(warning) ').appendText(displayText(`step ${a.step}: ${a.message}`)).appendMarkdown('  \n');
    if (e?.error) md.appendMarkdown('\n').appendText(displayText(`following stopped at byte ${e.offset}: ${e.error} (Re-attach resumes there)`)).appendMarkdown('\n');
    item.tooltip = md;
    item.command = { command: 'llmTraining.runs.showLossCurve', title: 'Show Loss Curve', arguments: [{ kind: 'run', host, run } satisfies RunsNode] };
    return item;
  }

  dispose(): void {
    if (this.pending) clearTimeout(this.pending);
    for (const s of this.subs) s.dispose();
    this.emitter.dispose();
    this.loaded.dispose();
  }
}


