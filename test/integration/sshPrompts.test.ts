// The SSH prompts as a user meets them in a real VS Code: the unknown-host-key modal (trust, or cancel) and the key
// passphrase box with "keep it in secret storage", against a real OpenSSH server on 127.0.0.1 (started here as root).
// The harness's UI bridge (scripts/test-vscode.mjs) clicks the modal and types into the input box in this window's
// workbench; the suite checks what the user was shown (fingerprint, title) and what happened on disk (known_hosts).
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { activeExtension, hasUiBridge, uiBridge } from './helpers';
import { removeSshd, sharedTempDir, startSshd, type Sshd } from '../fixtures/remote/sshd';
import type { ExtensionApi } from '../../src/extension';

suite('SSH prompts in VS Code (host key modal, key passphrase)', function () {
  this.timeout(180_000);
  let api: ExtensionApi;
  let sshd: Sshd;
  let dir: string;
  let fingerprint: string;
  const kh = (name: string) => path.join(dir, `known_hosts_${name}`);
  const encKey = () => path.join(dir, 'enc_ed25519');

  suiteSetup(async function () {
    if (!hasUiBridge()) this.skip(); // @vscode/test-electron has no bridge to click the modal
    api = (await activeExtension()).exports as ExtensionApi;
    const tmp = process.env.TMPDIR;
    process.env.TMPDIR = '/tmp'; // see runsSsh.test.ts: sshd reads the keys as the test user
    try {
      sshd = await startSshd();
      dir = sharedTempDir('llmts-ssh-prompts-');
    } finally {
      if (tmp === undefined) delete process.env.TMPDIR; else process.env.TMPDIR = tmp;
    }
    // What `ssh-keygen -lf` prints for the server's key: the user compares this with the modal.
    const lf = spawnSync('ssh-keygen', ['-lf', path.join(sshd.dir, 'host_ed25519.pub')], { encoding: 'utf8' });
    fingerprint = /SHA256:\S+/.exec(lf.stdout)![0];
    // The client key with a passphrase (the server accepts its public half).
    fs.copyFileSync(sshd.clientKeyPath, encKey());
    fs.chmodSync(encKey(), 0o600);
    assert.equal(spawnSync('ssh-keygen', ['-q', '-p', '-P', '', '-N', 'correct horse', '-f', encKey()]).status, 0);
    for (const n of ['accept', 'reject']) fs.writeFileSync(kh(n), '');
    fs.writeFileSync(kh('known'), `${sshd.knownHostsLine}\n`);
    const host = (alias: string, knownHosts: string, key: string) => [`Host ${alias}`, '  HostName 127.0.0.1', `  Port ${sshd.port}`, `  User ${sshd.user}`,
      `  IdentityFile ${key}`, '  IdentitiesOnly yes', `  UserKnownHostsFile ${knownHosts}`];
    const config = path.join(dir, 'ssh_config');
    fs.writeFileSync(config, [
      ...host('hk-accept', kh('accept'), sshd.clientKeyPath), ...host('hk-reject', kh('reject'), sshd.clientKeyPath),
      // One alias per connection: each is a fresh connection (the pool keeps one per alias).
      ...host('enc-first', kh('known'), encKey()), ...host('enc-again', kh('known'), encKey()), ...host('enc-stale', kh('known'), encKey()),
      '',
    ].join('\n'));
    await vscode.workspace.getConfiguration('llmTraining').update('sshConfigFile', config, vscode.ConfigurationTarget.Global);
  });

  suiteTeardown(async () => {
    await vscode.workspace.getConfiguration('llmTraining').update('sshConfigFile', undefined, vscode.ConfigurationTarget.Global);
    if (sshd) { await sshd.stop(); removeSshd(sshd); }
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  /** Runs `echo <word>` on a host alias (connecting, and so prompting, on first use). */
  const echo = async (alias: string, word: string) => (await (await api.runs.backend.getRunner(alias)).exec(['echo', word])).stdout;

  test('unknown host key: the modal shows the SHA256 fingerprint; "Trust and Connect" connects and records the key', async () => {
    const connecting = echo('hk-accept', 'trusted');
    connecting.catch(() => undefined); // awaited below; keep an early rejection from going unhandled
    const d = await uiBridge<{ text: string }>({ action: 'dialog', button: 'Trust and Connect' });
    assert.match(d.text, new RegExp(`authenticity of host '\\[127\\.0\\.0\\.1\\]:${sshd.port}' \\(hk-accept\\) can't be established`));
    assert.ok(d.text.includes(fingerprint), `the modal does not show ${fingerprint}:\n${d.text}`);
    assert.ok(d.text.includes(kh('accept')), 'the modal names the known_hosts file it will write');
    assert.equal(await connecting, 'trusted\n');
    const written = fs.readFileSync(kh('accept'), 'utf8');
    assert.ok(written.includes(sshd.hostKey.split(' ')[1]), `the key was not added to known_hosts:\n${written}`);
  });

  test('unknown host key: Cancel refuses the connection and writes nothing', async () => {
    const connecting = echo('hk-reject', 'never');
    connecting.catch(() => undefined);
    const d = await uiBridge<{ text: string }>({ action: 'dialog', button: 'Cancel' });
    assert.ok(d.text.includes(fingerprint));
    await assert.rejects(connecting, /host key|not accepted|refused|rejected/i);
    assert.equal(fs.readFileSync(kh('reject'), 'utf8'), '', 'known_hosts changed although the key was not trusted');
  });

  test('key passphrase: asked in a password box, kept on "Keep", not asked again for the next connection', async () => {
    const first = echo('enc-first', 'unlocked');
    first.catch(() => undefined);
    const box = await uiBridge<{ title: string; prompt: string; password: boolean }>({ action: 'input', value: 'correct horse' });
    assert.equal(box.title, `SSH key passphrase for 127.0.0.1:${sshd.port}`);
    assert.ok(box.prompt.includes(encKey()), box.prompt);
    assert.equal(box.password, true, 'the passphrase box must hide what is typed');
    await uiBridge({ action: 'notification', contains: 'Keep the passphrase', button: 'Keep' });
    assert.equal(await first, 'unlocked\n');
    // A second connection with the same key: no prompt at all.
    assert.equal(await echo('enc-again', 'again'), 'again\n');
    const state = await uiBridge<{ input: boolean; dialog: boolean }>({ action: 'state' });
    assert.deepEqual([state.input, state.dialog], [false, false], 'a prompt opened for a kept passphrase');
  });

  // TODO(seams): src/remote/connection.ts never calls PassphraseStore.forget: a kept passphrase that no longer
  // decrypts the key is retried silently and the connection fails without asking. The seams branch fixes the product
  // (forget, then ask again); un-skip this test when that fix is on main.
  test.skip('a kept passphrase that no longer decrypts the key is forgotten and asked again', async () => {
    // The key's passphrase changes on disk (as after `ssh-keygen -p`): the kept one is now wrong.
    assert.equal(spawnSync('ssh-keygen', ['-q', '-p', '-P', 'correct horse', '-N', 'new passphrase', '-f', encKey()]).status, 0);
    const stale = echo('enc-stale', 'rekeyed');
    stale.catch(() => undefined);
    const box = await uiBridge<{ title: string }>({ action: 'input', value: 'new passphrase', timeoutMs: 30_000 });
    assert.equal(box.title, `SSH key passphrase for 127.0.0.1:${sshd.port}`);
    await uiBridge({ action: 'notification', contains: 'Keep the passphrase', button: 'Keep' });
    assert.equal(await stale, 'rekeyed\n');
  });
});
