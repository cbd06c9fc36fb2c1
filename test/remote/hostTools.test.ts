import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gpuStatus } from '../../src/remote/gpu';
import { listHosts } from '../../src/remote/hosts';
import { LocalRunner } from '../../src/remote/localRunner';
import { uploadChanged } from '../../src/remote/upload';
import { startSshEnv } from '../fixtures/remote/sshEnv';

test('GPU status: this host has no NVIDIA GPU and says so plainly (local and over SSH)', async () => {
  // There is no GPU here; the parser for real nvidia-smi output is covered with recorded lines in quote.test.ts.
  const local = await gpuStatus(new LocalRunner());
  assert.deepEqual(local, { available: false, reason: 'no GPUs: nvidia-smi is not installed on this host' });
  const env = await startSshEnv();
  try {
    assert.deepEqual(await gpuStatus(env.runner(env.pool(), 'direct')), local);
  } finally { await env.cleanup(); }
});

test('uploadChanged sends modified and untracked files, honours .gitignore, over SFTP', async () => {
  const env = await startSshEnv();
  const repo = mkdtempSync(join(tmpdir(), 'llmt-repo-'));
  try {
    const git = (...a: string[]): void => { const r = spawnSync('git', ['-C', repo, ...a], { encoding: 'utf8' }); assert.equal(r.status, 0, r.stderr); };
    git('init', '-q');
    git('config', 'user.email', 't@example.com');
    git('config', 'user.name', 't');
    writeFileSync(join(repo, '.gitignore'), 'checkpoints/\n*.pt\n');
    writeFileSync(join(repo, 'train.py'), 'print(1)\n');
    writeFileSync(join(repo, 'unchanged.py'), 'x = 1\n');
    writeFileSync(join(repo, 'gone.py'), 'y\n');
    git('add', '.');
    git('commit', '-qm', 'init');
    writeFileSync(join(repo, 'train.py'), 'print(2)  # changed\n');
    mkdirSync(join(repo, 'configs', 'sub dir'), { recursive: true });
    writeFileSync(join(repo, 'configs', 'sub dir', "it's new ✓.yaml"), 'lr: 3e-4\n');
    mkdirSync(join(repo, 'checkpoints'));
    writeFileSync(join(repo, 'checkpoints', 'step1.bin'), 'ignored');
    writeFileSync(join(repo, 'model.pt'), 'ignored');
    rmSync(join(repo, 'gone.py'));
    const runner = env.runner(env.pool(), 'direct');
    const remote = join(env.work, 'proj');
    const res = await uploadChanged(runner, repo, remote);
    assert.deepEqual(res.uploaded, ["configs/sub dir/it's new ✓.yaml", 'train.py']);
    assert.deepEqual(res.skipped, ['gone.py']);
    assert.equal(readFileSync(join(remote, 'train.py'), 'utf8'), 'print(2)  # changed\n');
    assert.equal(readFileSync(join(remote, 'configs', 'sub dir', "it's new ✓.yaml"), 'utf8'), 'lr: 3e-4\n');
    assert.equal(existsSync(join(remote, 'unchanged.py')), false);
    assert.equal(existsSync(join(remote, 'model.pt')), false);
    assert.equal(existsSync(join(remote, 'checkpoints')), false);
  } finally {
    rmSync(repo, { recursive: true, force: true });
    await env.cleanup();
  }
});

test('listHosts: local first, config aliases without patterns, settings hosts after, no duplicates', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'llmt-hosts-'));
  try {
    writeFileSync(join(dir, 'extra.conf'), 'Host inc-a inc-b\n  HostName 10.0.0.9\n  User bob\n');
    writeFileSync(join(dir, 'config'), `Include ${dir}/*.conf\nHost gpu-1\n  HostName 10.0.0.5\n  Port 2222\n  ProxyJump carol@bastion:2200,hop\nHost gpu-* !gpu-9 *.internal\n  User alice\nHost *\n  User dave\n`);
    const hosts = await listHosts({ sshConfigPath: join(dir, 'config'), extraHosts: ['gpu-1', 'box.example.org'] });
    assert.deepEqual(hosts.map((h) => [h.alias, h.source]), [['local', 'builtin'], ['inc-a', 'ssh-config'], ['inc-b', 'ssh-config'], ['gpu-1', 'ssh-config'], ['box.example.org', 'settings']]);
    const g = hosts.find((h) => h.alias === 'gpu-1')!;
    assert.deepEqual([g.hostName, g.port, g.user, g.proxyJump], ['10.0.0.5', 2222, 'alice', ['carol@bastion:2200', 'hop']]);
    assert.equal(hosts.find((h) => h.alias === 'inc-a')!.user, 'bob');
  } finally { rmSync(dir, { recursive: true, force: true }); }
});
