// UI test of the tokenizer inspector in the real workbench: "LLM Training: Open Tokenizer Inspector" from the
// palette, pick the TinyLlama model folder of the test workspace, type text, and the drawn token count equals what
// the tokenizer core gives for the same text; the chat template is rendered with its loss mask (Axolotl defaults:
// assistant content and its </s> trained). Screenshot: test-results/tokenizer-inspector.png (README).
import * as assert from 'node:assert/strict';
import { join, resolve } from 'node:path';
import { copyFileSync, mkdirSync } from 'node:fs';
import { localFileAccess } from '../../src/remote/files';
import { loadTokenizer } from '../../src/core/tokenizer';
import { workbench, waitFor } from './workbench';

const ROOT = resolve(__dirname, '..', '..');
const FOLDER = join(ROOT, 'test', 'fixtures', 'workspace', 'tokenizers', 'tinyllama');
const TEXT = 'Fine-tuning TinyLlama: 训练 🙂 <s> done';

suite('Tokenizer inspector (UI)', function () {
  this.timeout(240_000);

  test('opens from the palette, draws the tokens of typed text, renders the chat with its loss mask', async () => {
    const wb = workbench();
    const tok = await loadTokenizer(localFileAccess(), FOLDER);
    const expected = tok.encode(TEXT).ids.length;
    await wb.commandPaletteLabels('LLM Training: Open Tokenizer', (l) => l.includes('LLM Training: Open Tokenizer Inspector'), 90_000);
    await wb.quickInput.locator('input').press('Enter');
    await waitFor('the tokenizer folder pick', async () => (await wb.quickPickLabels()).some((l) => l.includes('tokenizers/tinyllama')), 60_000);
    await wb.quickInput.locator('.quick-input-list .monaco-list-row', { hasText: 'tokenizers/tinyllama' }).first().click();
    const frame = await wb.webviewFrame({ hasSelector: '#tokens[data-count]', timeoutMs: 90_000 });
    const area = frame.locator('#text textarea');
    await area.fill('');
    await area.pressSequentially(TEXT, { delay: 5 });
    await waitFor(`the drawn token count to be ${expected}`, async () => Number(await frame.getAttribute('#tokens', 'data-count')) === expected && (await frame.locator('#tokens .tok').count()) === expected, 60_000, 300);
    assert.equal(await frame.locator('#tokens .tok.special').count(), 2, '<s> added and <s> typed are special');
    // the typed <s> is a control piece: SentencePiece decodes it to nothing, so the panel must report the round trip as broken
    assert.equal(await frame.getAttribute('#decode', 'data-round-trip'), 'false');
    await frame.locator('#tokens .tok').nth(3).hover();
    assert.ok(((await frame.locator('#source mark').textContent()) ?? '').length > 0, 'hovering a token highlights its source characters');
    const trained = await waitFor('the chat loss mask', async () => Number(await frame.getAttribute('#chat', 'data-trained')) || undefined, 60_000, 300);
    const chatTrained = (await frame.locator('#chat .tok.trained .piece').allTextContents()).join('');
    assert.equal(chatTrained, 'It▁is▁4.</s>', `trained tokens (${trained})`);
    assert.ok(Number(await frame.getAttribute('#problems', 'data-count')) >= 1, 'pad == eos is reported');
    const shot = await wb.screenshot('tokenizer-inspector');
    mkdirSync(join(ROOT, 'media', 'screenshots'), { recursive: true });
    copyFileSync(shot, join(ROOT, 'media', 'screenshots', 'tokenizer-inspector.png'));
  });
});
