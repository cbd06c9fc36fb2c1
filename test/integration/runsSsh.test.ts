// Runs on an SSH host, through the real commands in a real VS Code extension host: a real OpenSSH server on
// 127.0.0.1 (test/fixtures/remote, started here as root), an ssh config chosen with `llmTraining.sshConfigFile`,
// tiny-gpt training with Debian's PyTorch as the test user. The connection is killed mid-run: the feed the chart
// shows must still equal the complete log, point for point.
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { activeExtension, waitFor } from './helpers';
import { parseLog } from '../../src/core/metrics';
// sshd.ts only (not sshEnv.ts): the suite is bundled for the extension host and must not pull in ssh2's native parts.
import { ensureTestUser, removeSshd, sharedTempDir, startSshd, type Sshd } from '../fixtures/remote/sshd';
import { stopRunDir } from '../fixtures/remote/procs';
import type { ExtensionApi } from '../../src/extension';
import type { RunsNode } from '../../src/views/runs/tree';

const PYTHON = '/usr/bin/python3';

function chownTree(p: string, uid: number, gid: number): void {
  fs.chownSync(p, uid, gid);
  if (fs.statSync(p).isDirectory()) for (const n of fs.readdirSync(p)) chownTree(path.join(p, n), uid, gid);
}

/** Series of a feed snapshot or a parsed log as `name -> [step, value][]`. */
function bySeries(points: { series: string; step: number; value: number }[]): Map<string, [number, number][]> {
  const m = new Map<string, [number, number][]>();
  for (const p of points) { let l = m.get(p.series); if (!l) m.set(p.series, (l = [])); l.push([p.step, p.value]); }
  return m;
}

suite('Runs on an SSH host (loopback sshd)', function () {
  this.timeout(300_000);
  let api: ExtensionApi;
  let sshd: Sshd;
  let dir: string;
  let work: string;
  const launched: string[] = [];

  suiteSetup(async () => {
    const ext = await activeExtension();
    api = ext.exports as ExtensionApi;
    // The harness points TMPDIR at a private (0700) folder; sshd reads authorized keys as the test user, who must
    // be able to reach them, so the fixture's folders go to /tmp for the duration of the set-up.
    const tmp = process.env.TMPDIR;
    process.env.TMPDIR = '/tmp';
    try {
      sshd = await startSshd();
      dir = sharedTempDir('llmts-runs-ssh-');
    } finally {
      if (tmp === undefined) delete process.env.TMPDIR; else process.env.TMPDIR = tmp;
    }
    const knownHosts = path.join(dir, 'known_hosts');
    fs.writeFileSync(knownHosts, `${sshd.knownHostsLine}\n`);
    // A second, wrong key for the same server: the `spoofed` alias must be refused, not prompted.
    const other = path.join(dir, 'other_host_key');
    assert.equal(spawnSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', other]).status, 0);
    const wrongKnownHosts = path.join(dir, 'known_hosts_wrong');
    fs.writeFileSync(wrongKnownHosts, `[127.0.0.1]:${sshd.port} ${fs.readFileSync(`${other}.pub`, 'utf8').trim().split(' ').slice(0, 2).join(' ')}\n`);
    const config = path.join(dir, 'ssh_config');
    const host = (alias: string, kh: string) => [`Host ${alias}`, '  HostName 127.0.0.1', `  Port ${sshd.port}`, `  User ${sshd.user}`, `  IdentityFile ${sshd.clientKeyPath}`, '  IdentitiesOnly yes', `  UserKnownHostsFile ${kh}`];
    fs.writeFileSync(config, [...host('gpu-loop', knownHosts), ...host('spoofed', wrongKnownHosts), ''].join('\n'));
    await vscode.workspace.getConfiguration('llmTraining').update('sshConfigFile', config, vscode.ConfigurationTarget.Global);
    // The training code on the "remote", owned by the test user (as an upload or a git checkout would leave it).
    const u = ensureTestUser(sshd.user);
    work = path.join(dir, 'tiny-gpt');
    const src = path.join(ext.extensionPath, 'examples', 'tiny-gpt');
    fs.cpSync(src, work, { recursive: true, filter: (f) => !/(^|\/)(output|__pycache__)(\/|$)/.test(path.relative(src, f)) });
    chownTree(work, u.uid, u.gid);
  });

  suiteTeardown(async () => {
    for (const id of launched) {
      const e = api?.runs.feeds.entry(id);
      api?.runs.feeds.detach(id);
      if (!e) continue;
      stopRunDir(path.dirname(e.run.logPath)); // by its recorded process group, should a failed test have left it running
      fs.rmSync(path.dirname(e.run.logPath), { recursive: true, force: true });
    }
    await vscode.workspace.getConfiguration('llmTraining').update('sshConfigFile', undefined, vscode.ConfigurationTarget.Global);
    if (sshd) { await sshd.stop(); removeSshd(sshd); }
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  test('hosts: local first, then the aliases of the configured ssh config', async () => {
    const hosts = await api.runs.backend.listHosts();
    assert.deepEqual(hosts.map((h) => h.alias), ['local', 'gpu-loop', 'spoofed']);
    assert.equal(hosts[1].source, 'ssh-config');
    assert.equal(hosts[1].detail, `${sshd.user}@127.0.0.1:${sshd.port}`);
  });

  test('tiny-gpt launched on gpu-loop: the chart feed equals output.log step by step, across a killed connection', async () => {
    const argv = [PYTHON, '-u', 'train.py', '--config', 'config.yaml', '--max_steps', '60', '--logging_steps', '2', '--eval_steps', '30', '--save_steps', '60', '--output_dir', 'out-ssh', '--torch_num_threads', '1'];
    const runId = await vscode.commands.executeCommand<string>('llmTraining.launchRun', { host: 'gpu-loop', cwd: work, argv, env: { PYTHONUNBUFFERED: '1', HF_TOKEN: 'hf_never_in_run_json' }, name: 'tiny-gpt ssh' });
    launched.push(runId);
    const entry = api.runs.feeds.entry(runId)!;
    assert.equal(entry.run.host, 'gpu-loop');
    assert.ok(entry.run.logPath.startsWith('/home/') || entry.run.logPath.includes('.llm-training-studio/runs/'), entry.run.logPath);
    const runJson = fs.readFileSync(path.join(path.dirname(entry.run.logPath), 'run.json'), 'utf8');
    assert.ok(!runJson.includes('hf_never_in_run_json'), 'an env value leaked into run.json');
    assert.deepEqual(JSON.parse(runJson).envNames, ['HF_TOKEN', 'PYTHONUNBUFFERED']);

    const lossCount = () => api.runs.feeds.get(runId)!.snapshot().series.find((s) => s.name === 'loss')?.steps.length ?? 0;
    await waitFor('the first loss points over SSH', () => lossCount() >= 3, 150_000, 200);
    // Drop the connection under the follower: every sshd process serving us dies, the run goes on.
    const before = api.runs.feeds.entry(runId)!.offset;
    for (const pid of sshd.connectionPids()) { try { process.kill(pid, 'SIGKILL'); } catch { /* gone */ } }
    await waitFor(`run ${runId} to end and its log to be read`, () => {
      const e = api.runs.feeds.entry(runId)!;
      if (e.error) throw new Error(`follower stopped: ${e.error}`);
      return !e.following;
    }, 240_000, 250);

    const bytes = fs.readFileSync(entry.run.logPath);
    const e = api.runs.feeds.entry(runId)!;
    assert.ok(e.offset > before, 'nothing was read after the connection was killed');
    assert.equal(e.offset, bytes.length, 'the feed did not get every byte of output.log');
    const want = bySeries(parseLog(bytes, { fileName: 'output.log' }).points);
    const snap = api.runs.feeds.get(runId)!.snapshot();
    const got = new Map(snap.series.map((s) => [s.name, Array.from(s.steps, (st, i) => [st, s.values[i]] as [number, number])]));
    assert.deepEqual([...got.keys()].sort(), [...want.keys()].sort());
    assert.equal(got.get('loss')!.length, 30, 'tiny-gpt logs loss every 2 of 60 steps');
    for (const [name, w] of want) {
      const g = got.get(name)!;
      assert.equal(g.length, w.length, `${name}: point count`);
      w.forEach(([step, value], i) => {
        assert.equal(g[i][0], step, `${name} point ${i}: step`);
        assert.ok(Object.is(g[i][1], value) || Math.abs(g[i][1] - value) <= 1e-6 * Math.max(1, Math.abs(value)), `${name} step ${step}: ${g[i][1]} != ${value}`);
      });
    }
    const runs = await api.runs.backend.listRuns(await api.runs.backend.getRunner('gpu-loop'));
    const done = runs.find((r) => r.id === runId)!;
    assert.equal(done.state, 'finished');
    assert.equal(done.exitCode, 0);
  });

  test('the Runs tree shows gpu-loop with its GPU line and the run; Open Log shows the remote log read-only', async () => {
    api.runs.tree.refresh();
    const roots = await api.runs.tree.getChildren();
    const host = roots.find((r): r is Extract<RunsNode, { kind: 'host' }> => r.kind === 'host' && r.host.alias === 'gpu-loop');
    assert.ok(host);
    const hostItem = api.runs.tree.getTreeItem(host);
    assert.equal(hostItem.collapsibleState, vscode.TreeItemCollapsibleState.Collapsed, 'remote hosts must not connect before they are expanded');
    const kids = await api.runs.tree.getChildren(host);
    // The loopback host is this machine: "no GPUs" where nvidia-smi is absent, else its GPU count.
    const smi = spawnSync('sh', ['-c', 'nvidia-smi --query-gpu=name --format=csv,noheader'], { encoding: 'utf8' });
    const gpuLine = String(api.runs.tree.getTreeItem(kids[0]).label);
    if (smi.status === 127) assert.equal(gpuLine, 'no GPUs');
    else assert.ok(gpuLine.startsWith(`${smi.stdout.trim().split('\n').length}× `), gpuLine);
    const run = kids.find((k): k is Extract<RunsNode, { kind: 'run' }> => k.kind === 'run' && k.run.name === 'tiny-gpt ssh');
    assert.ok(run, 'the SSH run is not in the tree');
    assert.match(String(api.runs.tree.getTreeItem(run).description), /^finished · (\w{3} \d+ )?\d\d:\d\d · step 60\/60 · loss \d+(\.\d+)?$/);

    const editor = await vscode.commands.executeCommand<vscode.TextEditor>('llmTraining.runs.openLog', run);
    assert.equal(editor.document.uri.scheme, 'llmtraining-log');
    assert.equal(editor.document.uri.authority, 'gpu-loop');
    // VS Code turns every line break, tqdm's lone \r included, into the document's one EOL (here \r\n).
    const lines = (t: string) => t.split(/\r\n|\r|\n/);
    assert.deepEqual(lines(editor.document.getText()), lines(fs.readFileSync(run.run.logPath, 'utf8')));
    await vscode.commands.executeCommand('workbench.action.closeActiveEditor');
  });

  test('a changed host key is refused without a prompt, and known_hosts is left as it was', async () => {
    const knownBefore = fs.readFileSync(path.join(dir, 'known_hosts_wrong'), 'utf8');
    await assert.rejects(
      Promise.resolve(vscode.commands.executeCommand('llmTraining.launchRun', { host: 'spoofed', cwd: work, argv: ['true'] })),
      /HOST KEY CHANGED/,
    );
    assert.equal(fs.readFileSync(path.join(dir, 'known_hosts_wrong'), 'utf8'), knownBefore);
  });
});
