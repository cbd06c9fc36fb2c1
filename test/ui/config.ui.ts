// UI test: the config framework status bar item is visible for a training config, names the detected framework,
// and clicking it opens "Set Config Framework…" whose choice shows up in the status bar (and "Auto-detect" undoes it).
import * as assert from 'node:assert/strict';
import { workbench, waitFor } from './workbench';

suite('config framework status bar', () => {
  test('shows the detected framework and overrides it through the QuickPick', async () => {
    const wb = workbench();
    const page = wb.page;
    // Open the fixture from the Explorer (Quick Open's file search needs ripgrep, which code-server lacks here).
    await wb.closeQuickInput();
    const explorer = page.locator('.explorer-folders-view');
    const row = (name: string) => explorer.locator('.monaco-list-row', { hasText: name }).first();
    await row('configs').waitFor({ state: 'visible', timeout: 30_000 });
    if ((await row('configs').getAttribute('aria-expanded')) !== 'true') await row('configs').click();
    await row('axolotl-lora-1b.yml').click();

    const item = page.locator('.statusbar-item', { has: page.locator('.codicon-beaker') });
    await waitFor('the status bar to say Axolotl 0.18.0', async () => (await item.count()) > 0 && (await item.first().innerText()).trim() === 'Axolotl 0.18.0' || undefined, 30_000);
    await wb.screenshot('config-status-bar-axolotl');

    await item.first().click();
    await wb.quickInput.locator('input').waitFor({ state: 'visible', timeout: 10_000 });
    const labels = await wb.quickPickLabels();
    // (the list's label texts include each row's detail line, e.g. "Use the file name and keys …")
    const order = ['Auto-detect', 'Axolotl', 'HF Trainer / TRL', 'LLaMA-Factory'].map((l) => labels.indexOf(l));
    assert.ok(order.every((i, k) => i >= 0 && (k === 0 || i > order[k - 1]!)), JSON.stringify(labels));
    assert.ok(labels.includes('torchtune') && labels.includes('None'), JSON.stringify(labels));
    await wb.quickInput.locator('input').pressSequentially('torchtune', { delay: 10 });
    await waitFor('torchtune listed first', async () => (await wb.quickPickLabels())[0] === 'torchtune' || undefined);
    await page.keyboard.press('Enter');
    await waitFor('the status bar to say torchtune', async () => (await item.first().innerText()).trim() === 'torchtune' || undefined);
    assert.equal(await item.first().locator('.codicon-pinned').count(), 1, 'a pinned icon marks a user choice');
    await wb.screenshot('config-status-bar-torchtune-pinned');

    // Back to detection.
    await item.first().click();
    await wb.quickInput.locator('input').waitFor({ state: 'visible', timeout: 10_000 });
    await wb.quickInput.locator('input').pressSequentially('Auto-detect', { delay: 10 });
    await waitFor('Auto-detect listed first', async () => (await wb.quickPickLabels())[0] === 'Auto-detect' || undefined);
    await page.keyboard.press('Enter');
    await waitFor('the status bar to say Axolotl 0.18.0 again', async () => (await item.first().innerText()).trim() === 'Axolotl 0.18.0' || undefined);
    assert.equal(await item.first().locator('.codicon-pinned').count(), 0);
  });
});
