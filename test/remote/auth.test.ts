import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { AuthError, ConnectionPool } from '../../src/remote/connection';
import { SshRunner } from '../../src/remote/sshRunner';
import { removeSshd, sharedTempDir, startSshd } from '../fixtures/remote/sshd';
import type { Sshd } from '../fixtures/remote/sshd';
import { waitFor } from '../fixtures/remote/procs';

function configFor(dir: string, s: Sshd, extra: string[]): string {
  const p = join(dir, 'config');
  writeFileSync(p, ['Host t', '  HostName 127.0.0.1', `  Port ${s.port}`, `  User ${s.user}`, ...extra.map((l) => `  ${l}`), ''].join('\n'));
  writeFileSync(join(dir, 'known_hosts'), `${s.knownHostsLine}\n`);
  return p;
}

async function whoami(pool: ConnectionPool): Promise<string> {
  const r = await new SshRunner(pool.get('t')).exec(['id', '-un']);
  return r.stdout.trim();
}

test('auth with an encrypted identity file asks the passphrase callback; a wrong passphrase is a fatal auth error', async () => {
  const dir = sharedTempDir('llmt-auth-');
  const key = join(dir, 'enc_key');
  assert.equal(spawnSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', 'correct horse', '-f', key]).status, 0);
  const s = await startSshd({ clientKeyPath: key });
  try {
    const cfg = configFor(dir, s, [`IdentityFile ${key}`, 'IdentitiesOnly yes']);
    const asked: string[] = [];
    const ok = new ConnectionPool({ sshConfigPath: cfg, knownHostsPath: join(dir, 'known_hosts'), agent: false, callbacks: { passphrase: async (i) => { asked.push(i.keyPath); return 'correct horse'; } } });
    assert.equal(await whoami(ok), 'llmtest');
    assert.deepEqual(asked, [key]);
    ok.dispose();
    const rejected: string[] = [];
    const bad = new ConnectionPool({ sshConfigPath: cfg, knownHostsPath: join(dir, 'known_hosts'), agent: false, callbacks: { passphrase: async () => 'wrong', passphraseRejected: (i) => { rejected.push(i.keyPath); } } });
    await assert.rejects(whoami(bad), (e: Error) => e instanceof AuthError && /authentication to llmtest@127\.0\.0\.1:\d+ failed/.test(e.message));
    assert.deepEqual(rejected, [key], 'a passphrase that does not decrypt the key is reported, so a kept one is forgotten');
    bad.dispose();
  } finally { await s.stop(); removeSshd(s); }
});

test('auth through ssh-agent (SSH_AUTH_SOCK style socket), no key file needed', async () => {
  const dir = sharedTempDir('llmt-agent-');
  const s = await startSshd();
  const sock = join(dir, 'agent.sock');
  const agent = spawn('ssh-agent', ['-D', '-a', sock], { stdio: 'ignore' });
  try {
    await waitFor(() => spawnSync('test', ['-S', sock]).status === 0, 10_000, 'agent socket');
    assert.equal(spawnSync('ssh-add', [s.clientKeyPath], { env: { ...process.env, SSH_AUTH_SOCK: sock } }).status, 0);
    const cfg = configFor(dir, s, [`IdentityFile ${join(dir, 'does-not-exist')}`]);
    const pool = new ConnectionPool({ sshConfigPath: cfg, knownHostsPath: join(dir, 'known_hosts'), agent: sock });
    assert.equal(await whoami(pool), 'llmtest');
    pool.dispose();
  } finally { agent.kill(); await s.stop(); removeSshd(s); }
});

test('password and keyboard-interactive auth go through callbacks', async () => {
  const dir = sharedTempDir('llmt-pw-');
  const s = await startSshd({ extraConfig: ['PasswordAuthentication yes'] });
  const k = await startSshd({ extraConfig: ['UsePAM yes', 'KbdInteractiveAuthentication yes'] });
  try {
    assert.equal(spawnSync('chpasswd', [], { input: 'llmtest:s3cret pass\n' }).status, 0);
    const cfg = configFor(dir, s, [`IdentityFile ${join(dir, 'none')}`, 'IdentitiesOnly yes']);
    const asked: string[] = [];
    const pool = new ConnectionPool({ sshConfigPath: cfg, knownHostsPath: join(dir, 'known_hosts'), agent: false, callbacks: { password: async (i) => { asked.push(`${i.user}@${i.host}`); return 's3cret pass'; } } });
    assert.equal(await whoami(pool), 'llmtest');
    assert.ok(asked.length >= 1);
    assert.ok(asked.every((a) => a === `llmtest@127.0.0.1:${s.port}`), JSON.stringify(asked));
    pool.dispose();

    const dir2 = sharedTempDir('llmt-kbd-');
    const cfg2 = configFor(dir2, k, [`IdentityFile ${join(dir2, 'none')}`, 'IdentitiesOnly yes']);
    const prompts: string[] = [];
    const kbd = new ConnectionPool({ sshConfigPath: cfg2, knownHostsPath: join(dir2, 'known_hosts'), agent: false, callbacks: { keyboardInteractive: async (i) => { prompts.push(...i.prompts.map((p) => p.prompt)); return i.prompts.map(() => 's3cret pass'); } } });
    assert.equal(await whoami(kbd), 'llmtest');
    assert.ok(prompts.some((p) => /password/i.test(p)), `prompts: ${JSON.stringify(prompts)}`);
    kbd.dispose();
  } finally {
    spawnSync('usermod', ['-p', '*', 'llmtest']);
    await s.stop(); removeSshd(s);
    await k.stop(); removeSshd(k);
  }
});
