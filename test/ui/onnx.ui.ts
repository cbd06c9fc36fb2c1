// UI test: a user opens an .onnx file from the Explorer and the ONNX model view (the default editor for *.onnx)
// shows its producer, inputs/outputs with symbolic shapes and the op-type histogram. Saves
// test-results/onnx-model-view.png (used in the README). The model is test/fixtures/workspace/onnx/tiny-gpt.onnx,
// a tiny-gpt checkpoint exported by media/python/export_onnx.py (see test/fixtures/SOURCES.tsv).
import * as assert from 'node:assert/strict';
import { workbench, waitFor } from './workbench';

suite('ONNX model view (UI)', function () {
  this.timeout(120_000);

  test('Explorer → tiny-gpt.onnx opens the model view with inputs, outputs and operators', async () => {
    const wb = workbench();
    const page = wb.page;
    await wb.closeQuickInput();
    const explorer = page.locator('.explorer-folders-view');
    const row = (name: string) => explorer.locator('.monaco-list-row', { hasText: name }).first();
    await row('onnx').waitFor({ state: 'visible', timeout: 30_000 });
    if ((await row('onnx').getAttribute('aria-expanded')) !== 'true') await row('onnx').click();
    await row('tiny-gpt.onnx').click();
    const frame = await wb.webviewFrame({ hasSelector: 'table', timeoutMs: 60_000 });
    const text = await waitFor('the model summary', async () => {
      const t = await frame.locator('body').innerText().catch(() => '');
      return t.includes('Operators') ? t : undefined;
    }, 30_000);
    assert.match(text, /pytorch 1\.13/);
    assert.match(text, /input_ids\s+\[batch, sequence\]\s+int64/);
    assert.match(text, /logits\s+\[batch, sequence, 57\]\s+float32/);
    assert.match(text, /ai\.onnx 14/);
    assert.match(text, /MatMul/);
    assert.match(text, /none: all weights are inside the \.onnx file/);
    await wb.screenshot('onnx-model-view');
  });
});
