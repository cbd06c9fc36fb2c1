// The SSH prompts as a user meets them, in the real workbench: expanding a host in the Runs view connects to it, so
// an unknown host key brings up the trust modal (Trust and Connect, or Cancel) and an encrypted key brings up the
// passphrase box, then the offer to keep the passphrase in VS Code's secret storage. Against a real OpenSSH server on
// 127.0.0.1 (started here as root); the ssh config is chosen the way a user would, in the settings file
// (llmTraining.sshConfigFile is machine-scoped: in code-server's remote window that is the Machine settings file).
// (A UI test, not an extension-host suite: while extension tests run, the workbench answers modals itself.)
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, copyFileSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { workbench, waitFor } from './workbench';
import { removeSshd, sharedTempDir, startSshd, type Sshd } from '../fixtures/remote/sshd';

suite('SSH prompts (host key modal, key passphrase)', function () {
  this.timeout(180_000);
  let sshd: Sshd;
  let dir: string;
  let fingerprint: string;
  let settingsBefore: string;
  let userSettingsBefore: string;
  const userSettingsFile = () => { const f = process.env.LLMTS_USER_SETTINGS; assert.ok(f, 'the harness names the user settings file'); return f; };
  const settingsFile = () => { const f = process.env.LLMTS_MACHINE_SETTINGS; assert.ok(f, 'the harness names the machine settings file'); return f; };
  const kh = (name: string) => join(dir, `known_hosts_${name}`);
  const encKey = () => join(dir, 'enc_ed25519');

  suiteSetup(async () => {
    sshd = await startSshd();
    dir = sharedTempDir('llmts-ssh-prompts-');
    // What `ssh-keygen -lf` prints for the server's key: what the user compares the modal with.
    fingerprint = /SHA256:\S+/.exec(spawnSync('ssh-keygen', ['-lf', join(sshd.dir, 'host_ed25519.pub')], { encoding: 'utf8' }).stdout)![0];
    copyFileSync(sshd.clientKeyPath, encKey());
    chmodSync(encKey(), 0o600);
    assert.equal(spawnSync('ssh-keygen', ['-q', '-p', '-P', '', '-N', 'correct horse', '-f', encKey()]).status, 0);
    for (const n of ['accept', 'reject']) writeFileSync(kh(n), '');
    writeFileSync(kh('known'), `${sshd.knownHostsLine}\n`);
    const host = (alias: string, knownHosts: string, key: string) => [`Host ${alias}`, '  HostName 127.0.0.1', `  Port ${sshd.port}`, `  User ${sshd.user}`,
      `  IdentityFile ${key}`, '  IdentitiesOnly yes', `  UserKnownHostsFile ${knownHosts}`];
    const config = join(dir, 'ssh_config');
    writeFileSync(config, [
      ...host('hk-accept', kh('accept'), sshd.clientKeyPath), ...host('hk-reject', kh('reject'), sshd.clientKeyPath),
      // One alias per connection (the extension keeps one connection per alias), all with the encrypted key.
      ...host('enc-first', kh('known'), encKey()), ...host('enc-again', kh('known'), encKey()), ...host('enc-stale', kh('known'), encKey()),
      '',
    ].join('\n'));
    settingsBefore = existsSync(settingsFile()) ? readFileSync(settingsFile(), 'utf8') : '';
    let current: Record<string, unknown> = {};
    try { current = JSON.parse(settingsBefore || '{}') as Record<string, unknown>; } catch { /* empty or not JSON: start afresh */ }
    mkdirSync(dirname(settingsFile()), { recursive: true });
    writeFileSync(settingsFile(), JSON.stringify({ ...current, 'llmTraining.sshConfigFile': config }, null, 2));
    // No background polling of the Runs view here: each poll reconnects a refused host, and its modal would cover
    // the prompts under test (that re-prompt on every poll is a product finding, reported separately).
    userSettingsBefore = readFileSync(userSettingsFile(), 'utf8');
    writeFileSync(userSettingsFile(), JSON.stringify({ ...JSON.parse(userSettingsBefore), 'llmTraining.runs.refreshIntervalSeconds': 0 }, null, 2));
    const wb = workbench();
    await wb.showViewContainer('LLM Training');
    await waitFor('the Runs view to list the hosts of the ssh config', async () => (await hostRow('enc-stale').count()) > 0 || undefined, 60_000, 500)
      .catch(async (err: Error) => { throw new Error(`${err.message}; the side bar lists: ${JSON.stringify(await wb.page.locator('.part.sidebar .monaco-list-row').allInnerTexts())}`); });
  });

  suiteTeardown(async () => {
    if (settingsBefore !== undefined) writeFileSync(settingsFile(), settingsBefore);
    if (userSettingsBefore !== undefined) writeFileSync(userSettingsFile(), userSettingsBefore);
    if (sshd) { await sshd.stop(); removeSshd(sshd); }
    if (dir) rmSync(dir, { recursive: true, force: true });
    await workbench().closeQuickInput().catch(() => {});
    await workbench().runCommand('View: Show Explorer').catch(() => {}); // the side bar as other tests expect it
  });

  /** The Runs view's row of a host alias. */
  function hostRow(alias: string) {
    const page = workbench().page;
    return page.locator('.part.sidebar .monaco-list-row[aria-level="1"]').filter({ has: page.locator('.label-name', { hasText: new RegExp(`^\\s*${alias}\\s*$`) }) }).first();
  }
  /** Texts of the rows under a host (level 2 rows after it, by the list's data-index). */
  async function childTexts(alias: string): Promise<string[]> {
    const page = workbench().page;
    const idx = Number(await hostRow(alias).getAttribute('data-index'));
    const out: string[] = [];
    for (let i = idx + 1; ; i++) {
      const r = page.locator(`.part.sidebar .monaco-list-row[data-index="${i}"]`);
      if ((await r.count()) === 0 || (await r.getAttribute('aria-level')) !== '2') break;
      out.push((await r.innerText()).replace(/\s+/g, ' ').trim());
    }
    return out;
  }
  /** Expands a host (a click on its row): the extension connects to it. */
  async function expand(alias: string): Promise<void> {
    await hostRow(alias).click();
    await waitFor(`${alias} to expand`, async () => (await hostRow(alias).getAttribute('aria-expanded')) === 'true' || undefined, 10_000);
  }
  /**
   * Clicks `button` on the notification containing `contains`: its toast, or, where the toast already went (toasts
   * hide after a while; a busy machine can be slower than that), the notification center.
   */
  async function answerNotification(contains: string, button: string): Promise<string> {
    const page = workbench().page;
    const item = page.locator('.notifications-toasts .notification-list-item, .notifications-center .notification-list-item').filter({ hasText: contains }).first();
    return waitFor(`the notification '${contains}'`, async () => {
      if (!(await item.isVisible())) {
        if (!(await page.locator('.notifications-center').isVisible())) await workbench().runCommand('Notifications: Show Notifications').catch(() => undefined);
        return undefined;
      }
      const text = await item.innerText();
      if (button) await item.getByRole('button', { name: button, exact: true }).click({ timeout: 5_000 });
      return text;
    }, 60_000, 1_000);
  }
  const connectedChildren = (alias: string) => waitFor(`${alias}'s GPU line and runs`, async () => {
    const kids = await childTexts(alias);
    return kids.some((k) => /GPU/.test(k)) ? kids : undefined;
  }, 60_000, 300);

  test('unknown host key: the modal shows the SHA256 fingerprint; "Trust and Connect" connects and records the key', async () => {
    const page = workbench().page;
    await expand('hk-accept');
    const dialog = page.locator('.monaco-dialog-box');
    await dialog.waitFor({ state: 'visible', timeout: 60_000 });
    const text = await dialog.innerText();
    assert.match(text, new RegExp(`authenticity of host '\\[127\\.0\\.0\\.1\\]:${sshd.port}' \\(hk-accept\\) can't be established`));
    assert.ok(text.includes(fingerprint), `the modal does not show ${fingerprint}:\n${text}`);
    assert.ok(text.includes(kh('accept')), 'the modal names the known_hosts file it will write');
    await workbench().screenshot('ssh-host-key-modal');
    await dialog.getByRole('button', { name: 'Trust and Connect', exact: true }).click();
    const kids = await connectedChildren('hk-accept');
    assert.ok(kids.some((k) => k.startsWith('No runs on this host yet')), JSON.stringify(kids));
    assert.ok(readFileSync(kh('accept'), 'utf8').includes(sshd.hostKey.split(' ')[1]), 'the trusted key was not added to known_hosts');
  });

  test('unknown host key: Cancel refuses the connection, says so, and writes nothing', async () => {
    const page = workbench().page;
    await expand('hk-reject');
    const dialog = page.locator('.monaco-dialog-box');
    await dialog.waitFor({ state: 'visible', timeout: 60_000 });
    assert.ok((await dialog.innerText()).includes(fingerprint));
    await dialog.getByRole('button', { name: 'Cancel', exact: true }).click();
    const kids = await waitFor('the refusal under hk-reject', async () => { const k = await childTexts('hk-reject'); return k.length ? k : undefined; }, 30_000, 300);
    assert.equal(kids.length, 1);
    assert.match(kids[0], /not known .* and was not accepted/);
    assert.equal(readFileSync(kh('reject'), 'utf8'), '', 'known_hosts changed although the key was not trusted');
  });

  test('key passphrase: asked in a password box, kept in secret storage on "Keep": not asked again after a window reload', async () => {
    const wb = workbench();
    await expand('enc-first');
    const input = wb.quickInput.locator('input');
    await input.waitFor({ state: 'visible', timeout: 60_000 });
    assert.equal((await wb.quickInput.locator('.quick-input-title').innerText()).trim(), `SSH key passphrase for 127.0.0.1:${sshd.port}`);
    assert.equal(await input.getAttribute('type'), 'password', 'the passphrase box must hide what is typed');
    await input.fill('correct horse');
    await input.press('Enter');
    assert.ok((await answerNotification('Keep the passphrase', 'Keep')).includes(encKey()));
    await connectedChildren('enc-first');
    // Kept means kept beyond this session: reload the window (a new extension host, so no passphrase in memory and
    // no open connection), then a connection with the same key connects without any prompt.
    await wb.page.reload();
    await wb.ready();
    await wb.showViewContainer('LLM Training');
    await waitFor('the Runs view after the reload', async () => (await hostRow('enc-again').count()) > 0 || undefined, 60_000, 500);
    await expand('enc-again');
    let prompted = false;
    await waitFor('enc-again to connect', async () => {
      if (await wb.quickInput.locator('input').isVisible()) prompted = true;
      return (await childTexts('enc-again')).some((k) => /GPU/.test(k)) || undefined;
    }, 60_000, 200);
    assert.equal(prompted, false, 'asked again for a kept passphrase');
  });

  test('a kept passphrase that no longer decrypts the key is forgotten: the user is told, and the next connection asks again', async () => {
    const wb = workbench();
    // The key's passphrase changes on disk (as after `ssh-keygen -p`): the kept one is now wrong.
    assert.equal(spawnSync('ssh-keygen', ['-q', '-p', '-P', 'correct horse', '-N', 'new passphrase', '-f', encKey()]).status, 0);
    await expand('enc-stale');
    assert.match(await answerNotification('Wrong passphrase', ''), /not kept; the next connection asks again/);
    // The next connection (Refresh Runs reconnects the expanded host) asks instead of using the forgotten one.
    await wb.runCommand('LLM Training: Refresh Runs');
    const input = wb.quickInput.locator('input');
    // (the command palette closing is a quick input too: wait for the passphrase box by its title)
    const want = `SSH key passphrase for 127.0.0.1:${sshd.port}`;
    await waitFor('the passphrase box again', async () => ((await wb.quickInput.locator('.quick-input-title').innerText().catch(() => '')).trim() === want && (await input.isVisible())) || undefined, 60_000, 250);
    await input.fill('new passphrase');
    await input.press('Enter');
    await answerNotification('Keep the passphrase', 'Keep');
    await connectedChildren('enc-stale');
  });
});
