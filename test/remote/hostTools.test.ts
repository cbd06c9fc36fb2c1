import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync, existsSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gpuStatus, type GpuStatus } from '../../src/remote/gpu';
import { gpuQueryCommand } from '../../src/core/runs/commands';
import { listHosts } from '../../src/remote/hosts';
import { LocalRunner } from '../../src/remote/localRunner';
import { uploadChanged } from '../../src/remote/upload';
import { parseSshConfig, resolveChain } from '../../src/remote/sshConfig';
import * as kh from '../../src/remote/knownHosts';
import { createHash } from 'node:crypto';
import { startSshEnv } from '../fixtures/remote/sshEnv';

/** Runs nvidia-smi's query the way gpuStatus does, on a PATH that holds only `sh`: a host without the driver tools. */
async function gpuStatusWithoutNvidiaSmi(): Promise<GpuStatus> {
  const bin = mkdtempSync(join(tmpdir(), 'llmt-no-smi-'));
  try {
    symlinkSync('/bin/sh', join(bin, 'sh'));
    const cmd = gpuQueryCommand();
    return cmd.parse(await new LocalRunner().exec(cmd.argv, { env: { PATH: bin }, timeoutMs: 30_000 }));
  } finally { rmSync(bin, { recursive: true, force: true }); }
}

const NVIDIA_SMI = spawnSync('sh', ['-c', 'command -v nvidia-smi'], { encoding: 'utf8' }).stdout.trim();

test('GPU status on a host without nvidia-smi: said plainly, not an error', async () => {
  // Machine-independent: nvidia-smi is taken off the PATH (the parser for real output is covered with recorded
  // lines in quote.test.ts and runsViews.test.ts).
  assert.deepEqual(await gpuStatusWithoutNvidiaSmi(), { available: false, reason: 'no GPUs: nvidia-smi is not installed on this host' });
});

test('GPU status, live: local and over SSH agree with nvidia-smi itself', { skip: NVIDIA_SMI ? false : '(optional) nvidia-smi is not installed here (no NVIDIA GPU): the live path runs on GPU machines' }, async () => {
  const direct = spawnSync(NVIDIA_SMI, ['--query-gpu=index,name,uuid', '--format=csv,noheader,nounits'], { encoding: 'utf8' });
  assert.equal(direct.status, 0, direct.stderr);
  const want = direct.stdout.trim().split('\n').map((l) => l.split(',').map((x) => x.trim()));
  const local = await gpuStatus(new LocalRunner());
  assert.ok(local.available, JSON.stringify(local));
  assert.deepEqual(local.gpus.map((g) => [String(g.index), g.name, g.uuid]), want);
  for (const g of local.gpus) assert.ok(g.memoryTotal !== undefined && g.memoryTotal > 0, `memory.total of GPU ${g.index}`);
  // The loopback sshd is this machine: the same GPUs by UUID over SSH.
  const env = await startSshEnv();
  try {
    const remote = await gpuStatus(env.runner(env.pool(), 'direct'));
    assert.ok(remote.available, JSON.stringify(remote));
    assert.deepEqual(remote.gpus.map((g) => g.uuid), local.gpus.map((g) => g.uuid));
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

test('resolveChain: ProxyJump of any length, a jump host\'s own ProxyJump, explicit user@host:port, loops refused', async () => {
  const cfg = parseSshConfig([
    'Host gw', '  HostName gw.example.org', '  User gwuser', '  ProxyJump edge',
    'Host edge', '  HostName 203.0.113.7', '  Port 2201',
    'Host mid', '  HostName mid.internal', '  IdentityFile ~/.ssh/mid_%r_%h',
    'Host node7', '  HostName %h.cluster', '  ProxyJump gw,carol@mid:2222,[fd00::9]:22',
    'Host loop-a', '  ProxyJump loop-b', 'Host loop-b', '  ProxyJump loop-a',
    'Host *', '  User dflt',
  ].join('\n'));
  const chain = resolveChain('node7', cfg);
  assert.deepEqual(chain.map((h) => `${h.user}@${h.hostName}:${h.port}`), ['dflt@203.0.113.7:2201', 'gwuser@gw.example.org:22', 'carol@mid.internal:2222', 'dflt@fd00::9:22', 'dflt@node7.cluster:22']);
  assert.match(chain[2].identityFiles[0], /\/\.ssh\/mid_dflt_mid\.internal$/);
  const direct = resolveChain('root@10.1.2.3:2022', cfg);
  assert.deepEqual(direct.map((h) => [h.user, h.hostName, h.port]), [['root', '10.1.2.3', 2022]]);
  assert.throws(() => resolveChain('loop-a', cfg), /ProxyJump loop: loop-a -> loop-b -> loop-a/);
});

test('known_hosts: patterns, negation, hashed names, [host]:port, revoked and changed keys', async () => {
  const blob = (seed: string): Buffer => {
    const t = Buffer.from('ssh-ed25519');
    const k = Buffer.alloc(32, seed);
    const b = Buffer.alloc(4 + t.length + 4 + 32);
    b.writeUInt32BE(t.length, 0); t.copy(b, 4); b.writeUInt32BE(32, 4 + t.length); k.copy(b, 8 + t.length);
    return b;
  };
  const a = blob('a'); const b = blob('b');
  const line = (host: string, key: Buffer, marker = ''): string => `${marker}${marker ? ' ' : ''}${host} ssh-ed25519 ${key.toString('base64')}`;
  const check = (text: string, host: string, port: number, key: Buffer): string => kh.checkKnownHostsText(text, 'kh', [kh.knownHostName(host, port)], key).status;
  assert.equal(check(line('*.cluster,!bad.cluster', a), 'n1.cluster', 22, a), 'ok');
  assert.equal(check(line('*.cluster,!bad.cluster', a), 'bad.cluster', 22, a), 'unknown');
  assert.equal(check(line('[gpu?]:2222', a), 'gpu1', 2222, a), 'ok');
  assert.equal(check(line('[gpu?]:2222', a), 'gpu1', 22, a), 'unknown');
  assert.equal(check(line('gpu1', a), 'gpu1', 22, b), 'changed');
  assert.equal(check(`${line('gpu1', b)}\n${line('gpu1', a)}`, 'gpu1', 22, a), 'ok');
  assert.equal(check(`${line('gpu1', a)}\n${line('*', a, '@revoked')}`, 'gpu1', 22, a), 'revoked');
  assert.equal(check(line('gpu1', a, '@cert-authority'), 'gpu1', 22, a), 'unknown');
  const dir = mkdtempSync(join(tmpdir(), 'llmt-kh-'));
  try {
    const f = join(dir, 'sub', 'known_hosts');
    await kh.addKnownHost(f, 'gpu1', 2222, a, { hash: true });
    const text = readFileSync(f, 'utf8');
    assert.match(text, /^\|1\|[A-Za-z0-9+/=]+\|[A-Za-z0-9+/=]+ ssh-ed25519 /);
    assert.equal(kh.verifyHostKey([f], 'gpu1', 2222, a).status, 'ok');
    assert.equal(kh.verifyHostKey([f], 'gpu1', 22, a).status, 'unknown');
    assert.equal(kh.verifyHostKey([f], 'gpu1', 2222, b).status, 'changed');
    assert.equal(kh.fingerprintSha256(a), `SHA256:${createHash('sha256').update(a).digest('base64').replace(/=+$/, '')}`);
  } finally { rmSync(dir, { recursive: true, force: true }); }
});
