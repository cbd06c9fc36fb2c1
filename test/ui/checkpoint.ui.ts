// UI test of the checkpoint details editor in the real workbench: a safetensors file written by torch opens in the
// custom editor (default for *.safetensors) showing totals, grouped tensors and the filter; screenshot
// test-results/checkpoint-details.png (copied to media/screenshots/ for the README).
import * as assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { makeCheckpoints } from '../fixtures/checkpoint/build';
import { workbench, waitFor } from './workbench';

suite('Checkpoint details (UI)', function () {
  this.timeout(240_000);
  let T = '';
  suiteSetup(() => { T = makeCheckpoints(); });
  suiteTeardown(() => { if (T) rmSync(T, { recursive: true, force: true }); });

  test('a torch.save file opens with totals, tied tensors, layer groups and a working filter', async () => {
    const wb = workbench();
    const page = wb.page;
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
    assert.match(text, /model\.embed_tokens\.weight\s+lm_head\.weight/, 'tied tensors listed');
    assert.equal(await frame.locator('details').count(), 4, 'groups: model.layers.0, model.layers.1, model, lm_head');
    await frame.locator('details').first().evaluate((d) => { (d as HTMLDetailsElement).open = true; });
    await wb.screenshot('checkpoint-details');
    await frame.locator('input.filter').fill('down_proj');
    await waitFor('the filter to leave two tensors', async () => (await frame.locator('td.name').count()) === 2 || undefined, 15_000);
    assert.deepEqual(await frame.locator('td.name').allInnerTexts(), ['model.layers.0.mlp.down_proj.weight', 'model.layers.1.mlp.down_proj.weight']);
  });
});
