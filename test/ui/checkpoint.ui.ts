// UI test of the checkpoint browser in the real workbench: Delete from the Checkpoints view's context menu (the modal
// accepted: gone from disk and from the view), and a file written by torch opening in the custom editor showing totals,
// grouped tensors and the filter; screenshot test-results/checkpoint-details.png (copied to media/screenshots/ for the README).
import * as assert from 'node:assert/strict';
import { cpSync, existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { makeCheckpoints } from '../fixtures/checkpoint/build';
import { workbench, waitFor } from './workbench';

suite('Checkpoint details (UI)', function () {
  this.timeout(240_000);
  let T = '';
  suiteSetup(() => {
    T = makeCheckpoints();
    cpSync(join(T, 'run', 'checkpoint-30'), join(T, 'run', 'checkpoint-40'), { recursive: true }); // deleted below (a copy of the newest: its trainer_state.json holds every step's metric)
  });
  suiteTeardown(() => { if (T) rmSync(T, { recursive: true, force: true }); });

  test('a torch.save file opens with totals, tied tensors, layer groups and a working filter', async () => {
    const wb = workbench();
    const page = wb.page;
    // The Checkpoints view with a trainer run added through its command (input box: a path or host:/path).
    await wb.runCommand('LLM Training: Add Checkpoint Folder…', 60_000);
    await wb.quickInput.locator('input').waitFor({ state: 'visible' });
    await wb.quickInput.locator('input').fill(join(T, 'run'));
    await wb.quickInput.locator('input').press('Enter');
    await wb.showViewContainer('LLM Training');
    await waitFor('the Checkpoints view to list checkpoint-20 as best', async () => {
      const rows = await page.locator('.part.sidebar .monaco-list-row').allInnerTexts();
      return rows.some((r) => r.includes('checkpoint-20') && r.includes('★ best') && r.includes('eval_loss 2.1')) || undefined;
    }, 60_000);
    // Delete checkpoint-40 from its context menu: a modal names the folder; accepted, it goes from disk and view.
    const row = page.locator('.part.sidebar .monaco-list-row').filter({ hasText: 'checkpoint-40' }).first();
    await wb.contextMenu(row, 'Delete Checkpoint…');
    const dialog = page.locator('.monaco-dialog-box');
    await dialog.waitFor({ state: 'visible', timeout: 15_000 });
    assert.ok((await dialog.innerText()).includes(`Delete ${join(T, 'run', 'checkpoint-40')} and everything in it?`));
    await dialog.getByRole('button', { name: 'Delete', exact: true }).click();
    await waitFor('checkpoint-40 to leave the view', async () => {
      const rows = await page.locator('.part.sidebar .monaco-list-row').allInnerTexts();
      return (!rows.some((r) => r.includes('checkpoint-40')) && rows.some((r) => r.includes('checkpoint-30'))) || undefined;
    }, 30_000);
    assert.equal(existsSync(join(T, 'run', 'checkpoint-40')), false);
    const file = join(T, 'torch_tied', 'pytorch_model.bin');
    await page.keyboard.press('Control+P');
    await wb.quickInput.locator('input').waitFor({ state: 'visible' });
    await wb.quickInput.locator('input').fill(file);
    await waitFor('quick open to list the file', async () => ((await wb.quickPickLabels()).some((l) => l.includes('pytorch_model.bin')) ? true : undefined), 30_000);
    await page.keyboard.press('Enter');
    const frame = await wb.webviewFrame({ hasSelector: 'details', timeoutMs: 90_000 });
    const text = await frame.locator('body').innerText();
    assert.match(text, /format\s+pytorch-zip/);
    assert.match(text, /tensors\s+22/);
    assert.match(text, /parameters\s+1\.6K/, 'the tied lm_head counts once');
    assert.match(text, /model\.embed_tokens\.weight\s+lm_head\.weight/, 'tied tensors listed');
    assert.equal(await frame.locator('details').count(), 4, 'groups: model.layers.0, model.layers.1, model, lm_head');
    await frame.locator('details').first().evaluate((d) => { (d as HTMLDetailsElement).open = true; });
    await wb.screenshot('checkpoint-details');
    await frame.locator('input.filter').fill('down_proj');
    await waitFor('the filter to leave two tensors', async () => (await frame.locator('td.name').count()) === 2 || undefined, 15_000);
    assert.deepEqual(await frame.locator('td.name').allInnerTexts(), ['model.layers.0.mlp.down_proj.weight', 'model.layers.1.mlp.down_proj.weight']);
  });
});
