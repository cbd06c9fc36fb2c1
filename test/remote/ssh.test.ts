import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { HostKeyError } from '../../src/remote/connection';
import { startSshEnv } from '../fixtures/remote/sshEnv';

test('connects through a two-hop ProxyJump chain from an ssh config with Include; each hop is used', async () => {
  const env = await startSshEnv({ jumps: 2 });
  try {
    const pool = env.pool();
    const runner = env.runner(pool);
    const r = await runner.exec(['sh', '-c', 'echo "$USER:$SSH_CONNECTION"']);
    assert.equal(r.exitCode, 0, r.stderr);
    assert.match(r.stdout, /^llmtest:127\.0\.0\.1 \d+ 127\.0\.0\.1 \d+\n$/);
    // While connected, each jump sshd holds a per-connection process: the chain really went through them.
    for (const j of env.jumps) assert.ok(j.connectionPids().length >= 1, `jump on port ${j.port} carries the connection`);
    assert.equal(await runner.home(), env.home);
  } finally { await env.cleanup(); }
});

test('a changed host key is refused with a clear error and nothing is written', async () => {
  const env = await startSshEnv();
  try {
    const other = spawnSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', join(env.dir, 'other')]);
    assert.equal(other.status, 0);
    const wrong = `[127.0.0.1]:${env.target.port} ${readFileSync(join(env.dir, 'other.pub'), 'utf8').split(' ').slice(0, 2).join(' ')}\n`;
    writeFileSync(env.knownHostsPath, wrong);
    let prompted = false;
    const pool = env.pool({ callbacks: { hostKeyPrompt: async () => { prompted = true; return true; } } });
    await assert.rejects(env.runner(pool, 'direct').exec(['true']), (e: Error) => {
      assert.ok(e instanceof HostKeyError);
      assert.match(e.message, /HOST KEY CHANGED/);
      assert.match(e.message, /SHA256:/);
      return true;
    });
    assert.equal(prompted, false, 'a changed key never reaches the prompt');
    assert.equal(readFileSync(env.knownHostsPath, 'utf8'), wrong);
  } finally { await env.cleanup(); }
});

test('an unknown host key goes to the prompt with its SHA256 fingerprint; rejected -> refused, accepted -> recorded', async () => {
  const env = await startSshEnv();
  try {
    const kh = join(env.dir, 'empty_known_hosts');
    const fp = spawnSync('ssh-keygen', ['-l', '-E', 'sha256', '-f', join(env.target.dir, 'host_ed25519.pub')], { encoding: 'utf8' }).stdout.split(' ')[1];
    const seen: string[] = [];
    const reject = env.pool({ knownHostsPath: kh, callbacks: { hostKeyPrompt: async (i) => { seen.push(i.fingerprint); return false; } } });
    await assert.rejects(env.runner(reject, 'direct').exec(['true']), /not known .*not accepted/);
    assert.deepEqual(seen, [fp]);
    assert.equal(existsSync(kh), false);

    const accept = env.pool({ knownHostsPath: kh, callbacks: { hostKeyPrompt: async (i) => { seen.push(i.fingerprint); return true; } } });
    assert.equal((await env.runner(accept, 'direct').exec(['echo', 'ok'])).stdout, 'ok\n');
    assert.equal(readFileSync(kh, 'utf8'), `${env.target.knownHostsLine}\n`);
    // Known now: a fresh pool connects without asking.
    const again = env.pool({ knownHostsPath: kh, callbacks: { hostKeyPrompt: async () => assert.fail('should not prompt') } });
    assert.equal((await env.runner(again, 'direct').exec(['echo', 'ok'])).exitCode, 0);
    // Hashed entries (ssh-keygen -H) verify too.
    assert.equal(spawnSync('ssh-keygen', ['-H', '-f', kh]).status, 0);
    assert.match(readFileSync(kh, 'utf8'), /^\|1\|/);
    const hashed = env.pool({ knownHostsPath: kh, callbacks: { hostKeyPrompt: async () => assert.fail('should not prompt') } });
    assert.equal((await env.runner(hashed, 'direct').exec(['echo', 'ok'])).exitCode, 0);
  } finally { await env.cleanup(); }
});
