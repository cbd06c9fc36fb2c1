// Runs on the embedded `local` host, through the real commands in a real VS Code extension host: launch (with
// arguments, no prompts), live feed == the complete log parsed afterwards, the Runs tree, alerts, stop, re-attach,
// polling only while the Runs view is visible, tasks.
// Real parts only: tiny-gpt trains with Debian's PyTorch (/usr/bin/python3) on the CPU. Runs go to the harness's
// runs home (LLMTRAIN_LOCAL_HOME, a temp folder), never to ~/.llm-training-studio; whatever a test launched is
// stopped by its recorded process group in suiteTeardown, also when the test failed.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { spawnSync } from 'node:child_process';
import { activeExtension, waitFor } from './helpers';
import { stopRunDir } from '../fixtures/remote/procs';
import { parseLog } from '../../src/core/metrics';
import type { ExtensionApi } from '../../src/extension';
import type { RunRecord } from '../../src/core/runs/types';
import type { RunsNode } from '../../src/views/runs/tree';

const PYTHON = '/usr/bin/python3';

/** examples/tiny-gpt of the extension under test. */
function tinyGptDir(ext: vscode.Extension<unknown>): string {
  return path.join(ext.extensionPath, 'examples', 'tiny-gpt');
}

/** True while any process of the group exists (signal 0 probes without sending). */
function groupAlive(pgid: number): boolean {
  try { process.kill(-pgid, 0); return true; } catch (e) { return (e as NodeJS.ErrnoException).code === 'EPERM'; }
}

/** Waits until the run's follower has read its whole log after the run ended. */
async function waitForLogComplete(api: ExtensionApi, runId: string, timeoutMs: number): Promise<void> {
  await waitFor(`run ${runId} to end and its log to be read`, () => {
    const e = api.runs.feeds.entry(runId);
    if (e?.error) throw new Error(`follower stopped: ${e.error}`);
    return e !== undefined && !e.following;
  }, timeoutMs, 250);
}

async function runRecord(api: ExtensionApi, runId: string): Promise<RunRecord> {
  const runs = await api.runs.backend.listRuns(await api.runs.backend.getRunner('local'));
  const r = runs.find((x) => x.id === runId);
  assert.ok(r, `run ${runId} is not listed on local`);
  return r;
}

suite('Runs on the local host', function () {
  this.timeout(240_000);
  let ext: vscode.Extension<unknown>;
  let api: ExtensionApi;
  let outDir: string;
  const launched: string[] = [];
  /** Launches through the command and remembers the id for the clean-up. */
  const launch = async (args: { host: string; cwd: string; argv: string[]; env?: Record<string, string>; name: string }): Promise<string> => {
    const runId = await vscode.commands.executeCommand<string>('llmTraining.launchRun', args);
    if (typeof runId === 'string') launched.push(runId);
    return runId;
  };

  suiteSetup(async () => {
    assert.ok(process.env.LLMTRAIN_LOCAL_HOME, 'the harness gives the extension host its own runs home (LLMTRAIN_LOCAL_HOME)');
    ext = await activeExtension();
    api = ext.exports as ExtensionApi;
    assert.ok(api?.runs?.feeds, 'activate() does not return { runs }');
    outDir = fs.mkdtempSync(path.join(os.tmpdir(), 'llmts-runs-local-'));
  });
  // Leave nothing behind: every run launched here is stopped by its process group (a failed test may have left one
  // running), its feed detached and its directory removed.
  suiteTeardown(() => {
    for (const e of api?.runs.feeds.list() ?? []) {
      if (e.run.host !== 'local' || !(launched.includes(e.runId) || ['task run', 'started from code'].includes(e.run.name ?? ''))) continue;
      api.runs.feeds.detach(e.runId);
      stopRunDir(path.dirname(e.run.logPath));
      fs.rmSync(path.dirname(e.run.logPath), { recursive: true, force: true });
    }
    fs.rmSync(outDir, { recursive: true, force: true });
  });

  test('launchRun with arguments trains tiny-gpt; the chart feed holds exactly the points of output.log', async () => {
    const cwd = tinyGptDir(ext);
    const argv = [PYTHON, '-u', 'train.py', '--config', 'config.yaml', '--max_steps', '40', '--logging_steps', '5', '--eval_steps', '20', '--save_steps', '40', '--output_dir', path.join(outDir, 'a'), '--torch_num_threads', '1'];
    const runId = await launch({ host: 'local', cwd, argv, env: { PYTHONUNBUFFERED: '1' }, name: 'tiny-gpt local' });
    assert.equal(typeof runId, 'string');
    const entry = api.runs.feeds.entry(runId);
    assert.ok(entry, 'no feed was attached at launch');
    assert.deepEqual(entry.run.argv, argv);
    await waitForLogComplete(api, runId, 180_000);

    const run = await runRecord(api, runId);
    assert.equal(run.state, 'finished', `run ended ${run.state} (exit ${run.exitCode})`);
    assert.equal(run.exitCode, 0);
    const bytes = fs.readFileSync(run.logPath);
    assert.equal(api.runs.feeds.entry(runId)!.offset, bytes.length, 'the feed did not get every byte of output.log');

    const parsed = parseLog(bytes, { fileName: 'output.log' });
    const expected = new Map<string, [number, number][]>();
    for (const p of parsed.points) {
      let l = expected.get(p.series);
      if (!l) expected.set(p.series, (l = []));
      l.push([p.step, p.value]);
    }
    const feed = api.runs.feeds.get(runId)!;
    const snap = feed.snapshot();
    const loss = snap.series.find((s) => s.name === 'loss');
    assert.ok(loss, `no loss series in the feed (series: ${snap.series.map((s) => s.name).join(', ')})`);
    assert.equal(loss.steps.length, 8, 'tiny-gpt logs loss every 5 of 40 steps');
    for (const s of snap.series) {
      const want = expected.get(s.name) ?? [];
      const got = Array.from(s.steps, (st, i) => [st, s.values[i]] as [number, number]);
      assert.equal(got.length, want.length, `series ${s.name}: point count`);
      for (let i = 0; i < want.length; i++) {
        assert.equal(got[i][0], want[i][0], `series ${s.name} point ${i}: step`);
        // The store keeps values as float32 (or float64): equal to the log's value at that precision.
        assert.ok(Object.is(got[i][1], want[i][1]) || Math.abs(got[i][1] - want[i][1]) <= 1e-6 * Math.max(1, Math.abs(want[i][1])), `series ${s.name} step ${want[i][0]}: ${got[i][1]} != ${want[i][1]}`);
      }
    }
    assert.deepEqual([...expected.keys()].sort(), snap.series.map((s) => s.name).sort());
    // Loss fell: the run really trained.
    assert.ok(loss.values[loss.values.length - 1] < loss.values[0], 'loss did not fall');
    assert.equal(snap.progress?.step, 40);
    assert.equal(snap.progress?.total, 40);
  });

  test('api.runs.start: a run started from code (no prompts) is listed, its feed gets every point, `ended` gives the exit', async () => {
    const script = 'import sys\nfor i in range(1, 6):\n    print({"loss": round(2.0 / i, 4), "epoch": i / 5}, flush=True)\nsys.exit(3)\n';
    const started = await api.runs.start({ host: 'local', cwd: outDir, argv: [PYTHON, '-u', '-c', script], env: { EXPORT_OPSET: '17' }, name: 'started from code' });
    assert.equal(started.run.state, 'running');
    assert.deepEqual(started.run.envNames, ['EXPORT_OPSET']);
    assert.equal(api.runs.feeds.get(started.run.id), started.feed, 'the run is followed into the registry the views read');
    const final = await started.ended;
    assert.equal(final.state, 'failed');
    assert.equal(final.exitCode, 3);
    const loss = started.feed.snapshot().series.find((x) => x.name === 'loss');
    assert.deepEqual([...(loss?.values ?? [])], [2, 1, 0.6667, 0.5, 0.4].map(Math.fround), 'ended resolves after the whole log is in the feed (values stored as float32)');
    assert.equal((await runRecord(api, started.run.id)).exitCode, 3);
    await assert.rejects(api.runs.start({ host: 'local', cwd: path.join(outDir, 'missing'), argv: ['true'] }), /working directory .*missing does not exist on local/);
  });

  test('points already in the log when it is followed get no time; points appended while followed get the time they arrived (issue 11)', async () => {
    // Five records, a pause, five more: the feed is detached right after the start and attached again once the first
    // five are in the file, as a window that opens on a running run (or comes back after a dropped connection) does.
    const script = 'import time\nfor i in range(1, 6):\n    print({"loss": 2.0 - i / 10, "epoch": i / 10}, flush=True)\ntime.sleep(3)\nfor i in range(6, 11):\n    print({"loss": 2.0 - i / 10, "epoch": i / 10}, flush=True)\n    time.sleep(0.2)\n';
    const started = await api.runs.start({ host: 'local', cwd: outDir, argv: [PYTHON, '-u', '-c', script], name: 'started from code' });
    const id = started.run.id;
    api.runs.feeds.detach(id);
    const offsetAtDetach = api.runs.feeds.entry(id)!.offset;
    const records = (from: number, to: number) => fs.readFileSync(started.run.logPath).subarray(from, to).toString('utf8').split('\n').filter((l) => l.startsWith('{')).length;
    await waitFor('the first five records in the log', () => records(0, Infinity) >= 5, 30_000, 50);
    const sizeAtAttach = fs.statSync(started.run.logPath).size;
    const attachedAt = Date.now();
    api.runs.feeds.attach(started.run, await api.runs.backend.getRunner('local'));
    await started.ended;
    await waitForLogComplete(api, id, 60_000);
    const times = [...(started.feed.snapshot().series.find((x) => x.name === 'loss')?.times ?? [])];
    assert.equal(times.length, 10);
    const backlog = records(offsetAtDetach, sizeAtAttach);
    assert.ok(backlog > 0, 'the test needs records written while the feed was detached');
    assert.equal(times.filter((t) => !Number.isFinite(t)).length, backlog, `records in bytes ${offsetAtDetach}..${sizeAtAttach} have no time: ${times}`);
    for (const t of times.slice(5)) assert.ok(Number.isFinite(t) && t >= attachedAt - 5, `a record appended while followed has the time it arrived: ${t} vs ${attachedAt}`);
  });

  test('the Runs tree lists local first with its GPU line and the run with step, loss and state', async () => {
    api.runs.tree.refresh();
    const roots = await api.runs.tree.getChildren();
    assert.ok(roots.length >= 1);
    const local = roots[0];
    assert.equal(local.kind, 'host');
    assert.equal(local.kind === 'host' && local.host.alias, 'local');
    const rootItem = api.runs.tree.getTreeItem(local);
    assert.equal(rootItem.label, 'local');
    assert.equal(rootItem.collapsibleState, vscode.TreeItemCollapsibleState.Expanded);

    const children = await api.runs.tree.getChildren(local);
    assert.equal(children[0].kind, 'gpu');
    // The GPU line is what nvidia-smi says on this machine: "no GPUs" where it is absent (not a failure), else
    // the count and name of the GPUs it lists.
    const label = String(api.runs.tree.getTreeItem(children[0]).label);
    const smi = spawnSync('sh', ['-c', 'nvidia-smi --query-gpu=name --format=csv,noheader'], { encoding: 'utf8' });
    if (smi.status === 127) assert.equal(label, 'no GPUs');
    else {
      const names = smi.stdout.trim().split('\n').map((n) => n.trim());
      const name = new Set(names).size === 1 ? names[0] : 'GPU';
      assert.ok(label.startsWith(`${names.length}× ${name} · `), `GPU line '${label}' for ${names.join(', ')}`);
    }

    const runs = children.filter((c): c is Extract<RunsNode, { kind: 'run' }> => c.kind === 'run');
    const ours = runs.find((r) => r.run.name === 'tiny-gpt local');
    assert.ok(ours, `the tiny-gpt run is not in the tree (${runs.map((r) => r.run.id).join(', ')})`);
    const item = api.runs.tree.getTreeItem(ours);
    assert.equal(item.label, 'tiny-gpt local');
    // Ended: how and when, the last step and loss; no rate or ETA (the process is gone).
    assert.match(String(item.description), /^finished · (\w{3} \d+ )?\d\d:\d\d · step 40\/40 · loss \d+\.\d+$/);
    assert.equal(item.contextValue, 'run.finished');
    assert.equal((item.iconPath as vscode.ThemeIcon).id, 'pass');
    assert.equal(item.command?.command, 'llmTraining.runs.showLossCurve');
    // Newest first.
    const starts = runs.map((r) => Date.parse(r.run.startTime));
    assert.deepEqual(starts, [...starts].sort((a, b) => b - a));
  });

  test('Stop Run ends the whole process group and the run reads stopped', async () => {
    const cwd = tinyGptDir(ext);
    const argv = [PYTHON, '-u', 'train.py', '--config', 'config.yaml', '--max_steps', '100000', '--logging_steps', '1', '--step_delay', '0.05', '--output_dir', path.join(outDir, 'b'), '--torch_num_threads', '1'];
    const runId = await launch({ host: 'local', cwd, argv, name: 'tiny-gpt stop' });
    const run = api.runs.feeds.entry(runId)!.run;
    assert.ok(run.pgid && run.pgid > 1);
    await waitFor('a first loss point', () => (api.runs.feeds.get(runId)!.snapshot().series.find((s) => s.name === 'loss')?.steps.length ?? 0) > 0, 120_000, 200);
    assert.ok(groupAlive(run.pgid), 'the run is not running before stop');
    const stopped = await vscode.commands.executeCommand<RunRecord>('llmTraining.runs.stop', { host: 'local', runId });
    assert.equal(stopped?.state, 'stopped');
    assert.equal(groupAlive(run.pgid), false, `processes of group ${run.pgid} are left after Stop Run`);
    await waitForLogComplete(api, runId, 30_000);
    assert.equal((await runRecord(api, runId)).state, 'stopped');
  });

  test('an alert is raised once per episode and the run shows a warning icon', async () => {
    // 30 logged steps whose loss is NaN from step 10 on: one `nan` episode, however many NaN points follow.
    const script = "import time\nfor s in range(1, 31):\n    print({'loss': float('nan') if s >= 10 else 2.0 - s * 0.01, 'learning_rate': 1e-3, 'epoch': s / 30}, flush=True)\n    time.sleep(0.01)\n";
    const runId = await launch({ host: 'local', cwd: outDir, argv: [PYTHON, '-u', '-c', script], name: 'nan run' });
    await waitForLogComplete(api, runId, 60_000);
    const e = api.runs.feeds.entry(runId)!;
    const nan = e.alerts.filter((a) => a.kind === 'nan');
    assert.equal(nan.length, 1, `alerts: ${JSON.stringify(e.alerts)}`);
    assert.equal(nan[0].step, 10);
    const item = api.runs.tree.getTreeItem({ kind: 'run', host: 'local', run: e.run });
    assert.equal((item.iconPath as vscode.ThemeIcon).id, 'warning');
  });

  test('Re-attach resumes at the byte this window had: the feed still equals the complete log, no point lost or doubled', async () => {
    // 120 dict lines, one every 20 ms: long enough to re-attach while it runs.
    const script = "import time\nfor s in range(1, 121):\n    print({'loss': 3.0 - s * 0.01, 'epoch': s / 120}, flush=True)\n    time.sleep(0.02)\n";
    const runId = await launch({ host: 'local', cwd: outDir, argv: [PYTHON, '-u', '-c', script], name: 'reattach run' });
    const losses = () => api.runs.feeds.get(runId)?.snapshot().series.find((x) => x.name === 'loss');
    await waitFor('the first points', () => (losses()?.steps.length ?? 0) >= 5, 60_000, 50);
    const before = api.runs.feeds.entry(runId)!.offset;
    const at = await vscode.commands.executeCommand<number>('llmTraining.runs.reattach', { host: 'local', runId });
    assert.ok(at >= before && at > 0, `re-attached at byte ${at}, the window had ${before}`);
    await waitForLogComplete(api, runId, 60_000);
    const bytes = fs.readFileSync((await runRecord(api, runId)).logPath);
    assert.equal(api.runs.feeds.entry(runId)!.offset, bytes.length);
    const want = parseLog(bytes, { fileName: 'output.log' }).points.filter((p) => p.series === 'loss');
    const got = losses()!;
    assert.deepEqual(Array.from(got.steps), want.map((p) => p.step), 'steps after re-attach');
    assert.deepEqual(Array.from(got.steps), Array.from({ length: 120 }, (_, i) => i + 1));
  });

  test('the Runs view polls run states only while it is visible', async () => {
    const cfg = () => vscode.workspace.getConfiguration('llmTraining.runs');
    const intervalS = 2; // the smallest interval the view accepts
    const tree = api.runs.tree as unknown as { poll: () => Promise<void> };
    const original = tree.poll;
    let polls = 0;
    tree.poll = function (this: unknown) { polls++; return original.call(this); };
    try {
      await cfg().update('refreshIntervalSeconds', intervalS, vscode.ConfigurationTarget.Global);
      await vscode.commands.executeCommand('workbench.view.explorer'); // the Runs view (its own container) is hidden
      // A negative claim needs a window: three intervals with the view hidden, no poll.
      polls = 0;
      await new Promise((r) => setTimeout(r, 3 * intervalS * 1000 + 500));
      assert.equal(polls, 0, 'polled while the Runs view was hidden');
      await vscode.commands.executeCommand('llmTraining.runs.focus');
      await waitFor('two polls while the Runs view is visible', () => polls >= 2, 10 * intervalS * 1000, 100);
      await vscode.commands.executeCommand('workbench.view.explorer');
      // No sleep for the visibility event to reach the extension host: the one poll it may still let through is the
      // one the assertion allows; a timer that kept running would poll three times in the window.
      const atHide = polls;
      await new Promise((r) => setTimeout(r, 3 * intervalS * 1000 + 500));
      assert.ok(polls - atHide <= 1, `polled ${polls - atHide} times in three intervals after the view was hidden`);
    } finally {
      tree.poll = original;
      await cfg().update('refreshIntervalSeconds', undefined, vscode.ConfigurationTarget.Global);
    }
  });

  test('an llm-training task launches the run and closes with its exit code', async () => {
    const def = { type: 'llm-training', host: 'local', cwd: outDir, argv: [PYTHON, '-u', '-c', "print({'loss': 1.5}); print({'loss': 1.25}); import sys; sys.exit(3)"], name: 'task run' };
    const task = api.runs.tasks.resolveTask(new vscode.Task(def, vscode.TaskScope.Workspace, 'task run', 'llm-training'));
    assert.ok(task?.execution instanceof vscode.CustomExecution);
    const ended = new Promise<number | undefined>((resolve) => {
      const sub = vscode.tasks.onDidEndTaskProcess((e) => { if (e.execution.task.name === 'task run') { sub.dispose(); resolve(e.exitCode); } });
    });
    await vscode.tasks.executeTask(task);
    assert.equal(await ended, 3);
    const e = api.runs.feeds.list().find((x) => x.run.name === 'task run');
    assert.ok(e, 'the task did not attach a feed');
    assert.deepEqual(Array.from(e.feed.snapshot().series.find((s) => s.name === 'loss')!.values), [1.5, 1.25]);
  });
});
