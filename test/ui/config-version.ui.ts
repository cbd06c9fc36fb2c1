// UI test (issue 15, "Version awareness"): a training config next to a lock file shows, in the status bar, the
// framework, the version the run will use and where that version was read (test/fixtures/workspace/locked:
// a TRL CLI config and a uv.lock pinning trl 0.19.1; the code-server's python3 has no trl, so the lock file decides).
import * as assert from 'node:assert/strict';
import { workbench, waitFor } from './workbench';

suite('config version in the status bar', () => {
  test('an HF/TRL config beside a uv.lock shows "TRL 0.19.1 (uv.lock)"', async () => {
    const wb = workbench();
    const page = wb.page;
    await wb.closeQuickInput();
    const explorer = page.locator('.explorer-folders-view');
    const row = (name: string) => explorer.locator('.monaco-list-row', { hasText: name }).first();
    await row('locked').waitFor({ state: 'visible', timeout: 30_000 });
    if ((await row('locked').getAttribute('aria-expanded')) !== 'true') await row('locked').click();
    await row('trl-cli-sft.yaml').click();

    const item = page.locator('.statusbar-item', { has: page.locator('.codicon-beaker') });
    const want = 'HF Trainer / TRL · TRL 0.19.1 (uv.lock)';
    const text = await waitFor(`the status bar to say ${want}`, async () => {
      if ((await item.count()) === 0) return undefined;
      const t = (await item.first().innerText()).trim();
      return t.includes('TRL 0.19.1') ? t : undefined;
    }, 30_000);
    assert.equal(text, want);
    await wb.screenshot('config-status-bar-version-uv-lock');
  });
});
