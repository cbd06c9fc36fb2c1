// UI test: the dataset panel opened from the "Check dataset" CodeLens of an Axolotl config shows the token-length
// histogram against sequence_len, the problems by line and the duplicates; screenshot for the README.
import * as assert from 'node:assert/strict';
import { workbench, waitFor } from './workbench';

suite('dataset panel (UI)', () => {
  test('CodeLens -> panel with histogram, problems and duplicates', async function () {
    this.timeout(300_000); // loading the 3.6 MB tokenizer.json and counting tokens takes ~50 s on the loaded CI machine
    const wb = workbench();
    const page = wb.page;
    await wb.closeQuickInput();
    const explorer = page.locator('.explorer-folders-view');
    const row = (name: string) => explorer.locator('.monaco-list-row', { hasText: name }).first();
    await row('datasets').waitFor({ state: 'visible', timeout: 30_000 });
    if ((await row('datasets').getAttribute('aria-expanded')) !== 'true') await row('datasets').click();
    await row('axolotl-sft.yml').waitFor({ state: 'visible', timeout: 90_000 });
    await row('axolotl-sft.yml').click({ timeout: 60_000 });
    const lens = page.locator('.codelens-decoration a', { hasText: 'Check dataset' }).first();
    await lens.waitFor({ state: 'visible', timeout: 60_000 });
    await lens.click();
    const frame = await wb.webviewFrame({ hasSelector: 'svg.hist', timeoutMs: 240_000 });
    await waitFor('problems listed', async () => (await frame.locator('td.pos', { hasText: 'line 4' }).count()) > 0 || undefined, 30_000);
    const text = await frame.locator('body').innerText();
    assert.match(text, /sft-defects\.jsonl/);
    assert.match(text, /invalid-json/);
    assert.match(text, /over sequence_len/);
    assert.ok(await frame.locator('svg.hist rect.bar.over').count() > 0, 'bars past the limit are marked');
    // Screenshot once the webview has painted what was asserted (two animation frames), not after a fixed sleep.
    await frame.locator('body').evaluate(() => new Promise<void>((r) => requestAnimationFrame(() => requestAnimationFrame(() => r()))));
    await wb.screenshot('dataset-panel');
  });
});
