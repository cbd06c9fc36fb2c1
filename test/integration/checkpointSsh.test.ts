// The checkpoint browser on an SSH host (a real OpenSSH server on 127.0.0.1, test/fixtures/remote): a run launched on
// the host shows its output_dir in the Checkpoints view without the Runs view ever reading that host, and a checkpoint
// there opens in the details editor through its llmtraining-remote:// URI (headers read over SFTP).
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { activeExtension, waitFor } from './helpers';
// sshd.ts only (not sshEnv.ts): the suite is bundled for the extension host and must not pull in ssh2's native parts.
import { ensureTestUser, removeSshd, sharedTempDir, startSshd, type Sshd } from '../fixtures/remote/sshd';
import { stopRunDir } from '../fixtures/remote/procs';
import { makeCheckpoints } from '../fixtures/checkpoint/build';
import type { ExtensionApi } from '../../src/extension';
import type { CheckpointNode } from '../../src/views/checkpoint';

const HOST = 'ckpt-loop';

suite('checkpoint browser on an SSH host (loopback sshd)', function () {
  this.timeout(180_000);
  let api: ExtensionApi;
  let sshd: Sshd | undefined;
  let dir = '';
  let T = '';
  let runId: string | undefined;

  suiteSetup(async () => {
    const ext = await activeExtension();
    api = ext.exports as ExtensionApi;
    // The harness's TMPDIR is private (0700); sshd and the test user must reach these folders.
    const tmp = process.env.TMPDIR;
    process.env.TMPDIR = '/tmp';
    try {
      sshd = await startSshd();
      dir = sharedTempDir('llmts-ckpt-ssh-');
      T = makeCheckpoints(path.join(ext.extensionPath, 'test', 'fixtures', 'checkpoint', 'make_checkpoints.py'));
    } finally {
      if (tmp === undefined) delete process.env.TMPDIR; else process.env.TMPDIR = tmp;
    }
    fs.chmodSync(T, 0o755); // mkdtemp's 0700: the test user reads the checkpoints over SFTP
    ensureTestUser(sshd.user);
    const knownHosts = path.join(dir, 'known_hosts');
    fs.writeFileSync(knownHosts, `${sshd.knownHostsLine}\n`);
    const config = path.join(dir, 'ssh_config');
    fs.writeFileSync(config, [`Host ${HOST}`, '  HostName 127.0.0.1', `  Port ${sshd.port}`, `  User ${sshd.user}`, `  IdentityFile ${sshd.clientKeyPath}`, '  IdentitiesOnly yes', `  UserKnownHostsFile ${knownHosts}`, ''].join('\n'));
    await vscode.workspace.getConfiguration('llmTraining').update('sshConfigFile', config, vscode.ConfigurationTarget.Global);
  });

  suiteTeardown(async () => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    if (runId) {
      const e = api?.runs.feeds.entry(runId);
      api?.runs.feeds.detach(runId);
      if (e) { stopRunDir(path.dirname(e.run.logPath)); fs.rmSync(path.dirname(e.run.logPath), { recursive: true, force: true }); }
    }
    await api?.checkpoints.forgetRunHost(HOST);
    await vscode.workspace.getConfiguration('llmTraining').update('sshConfigFile', undefined, vscode.ConfigurationTarget.Global);
    if (sshd) { await sshd.stop(); removeSshd(sshd); }
    for (const d of [dir, T]) if (d) fs.rmSync(d, { recursive: true, force: true });
  });

  test('a run on the SSH host lists its output_dir checkpoints without the Runs view reading the host', async () => {
    assert.ok(!api.runs.tree.loadedRuns().some((x) => x.host === HOST), 'the Runs view had already read the host');
    // A run whose command line names the trainer output folder (written by make_checkpoints.py).
    const started = await api.runs.start({ host: HOST, cwd: T, argv: ['/usr/bin/python3', '-c', 'import sys; print(sys.argv)', '--output_dir', path.join(T, 'run')], name: 'ckpt-ssh-run' });
    runId = started.run.id;
    await started.ended;
    const root = await waitFor('the run root on the SSH host', async () => (await api.checkpoints.getChildren())
      .find((n): n is Extract<CheckpointNode, { kind: 'root' }> => n.kind === 'root' && n.loc.host === HOST), 60_000);
    assert.equal(root.loc.path, path.join(T, 'run'));
    assert.equal(root.label, 'ckpt-ssh-run');
    assert.deepEqual(api.checkpoints.runHosts(), [HOST]);
    const kids = await api.checkpoints.getChildren(root) as Extract<CheckpointNode, { kind: 'checkpoint' }>[];
    assert.deepEqual(kids.map((k) => [k.entry.step, k.entry.best, k.entry.metric?.value]), [[10, false, 2.5], [20, true, 2.1], [30, false, 2.3]]);
    assert.equal(api.checkpoints.getTreeItem(kids[1]).resourceUri?.toString(), `llmtraining-remote://${HOST}${path.join(T, 'run', 'checkpoint-20')}`);
  });

  test('a checkpoint on the SSH host opens in the details editor through llmtraining-remote://', async () => {
    const uri = vscode.Uri.from({ scheme: 'llmtraining-remote', authority: HOST, path: path.join(T, 'model', 'model.safetensors') });
    await vscode.commands.executeCommand('vscode.open', uri);
    const tab = await waitFor('the remote checkpoint editor tab', () => vscode.window.tabGroups.all.flatMap((g) => g.tabs)
      .find((t) => t.input instanceof vscode.TabInputCustom && t.input.uri.toString() === uri.toString()), 60_000);
    assert.equal((tab.input as vscode.TabInputCustom).viewType, 'llmTraining.checkpoint');
    const state = await waitFor('the remote header to be read', async () => {
      const s = await vscode.commands.executeCommand<{ type: string; message?: string; report?: { format: string; host: string; tensors: { name: string }[]; parameters: number } }>('llmTraining.checkpoints.detailsState', uri.toString());
      if (s?.type === 'error') throw new Error(s.message);
      return s?.type === 'snapshot' ? s : undefined;
    }, 60_000);
    assert.equal(state.report?.format, 'safetensors');
    assert.equal(state.report?.host, HOST);
    assert.equal(state.report?.tensors.length, 21);
    assert.ok(state.report!.tensors.some((t) => t.name === 'lm_head.weight'));
  });
});
