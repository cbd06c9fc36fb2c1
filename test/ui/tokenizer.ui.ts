// UI test of the tokenizer inspector in the real workbench: "LLM Training: Open Tokenizer Inspector" from the
// palette, pick the TinyLlama model folder of the test workspace, type text, and the drawn token count equals what
// the tokenizer core gives for the same text; the chat template is rendered with its loss mask (Axolotl defaults:
// assistant content and its </s> trained). Screenshot: test-results/tokenizer-inspector.png (README). Then 1 MiB of
// mixed text: the panel shows the worker's progress, draws the right token count, and the DOM holds only a window of
// token spans, which follows the scroll position.
import * as assert from 'node:assert/strict';
import { join, resolve } from 'node:path';
import { copyFileSync, mkdirSync } from 'node:fs';
import { localFileAccess } from '../../src/remote/files';
import { loadTokenizer } from '../../src/core/tokenizer';
import { workbench, waitFor } from './workbench';
import { mixedText } from '../../bench/mixedText';

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
    assert.equal(await waitFor('the round trip', async () => (await frame.getAttribute('#decode', 'data-round-trip')) ?? undefined, 60_000, 100), 'false');
    await frame.locator('#tokens .tok').nth(3).hover();
    assert.ok(((await frame.locator('#source mark').textContent()) ?? '').length > 0, 'hovering a token highlights its source characters');
    const trained = await waitFor('the chat loss mask', async () => Number(await frame.getAttribute('#chat', 'data-trained')) || undefined, 60_000, 300);
    const chatTrained = (await frame.locator('#chat .tok.trained .piece').allTextContents()).join('');
    assert.equal(chatTrained, 'It▁is▁4.</s>', `trained tokens (${trained})`);
    assert.ok(Number(await frame.getAttribute('#problems', 'data-count')) >= 1, 'pad == eos is reported');
    const shot = await wb.screenshot('tokenizer-inspector');
    mkdirSync(join(ROOT, 'media', 'screenshots'), { recursive: true });
    copyFileSync(shot, join(ROOT, 'media', 'screenshots', 'tokenizer-inspector.png'));

    // 1 MiB: encoded in the worker (progress shown), all tokens counted, only a window of them in the DOM.
    const big = mixedText(1024 * 1024).replace(/\r\n?/g, '\n'); // a <textarea>'s value has no CR (HTML normalizes it)
    const bigCount = tok.encode(big).ids.length;
    // as a paste does: the whole value at once and one input event (Playwright's fill of 1 MiB times out)
    await area.evaluate((e: HTMLTextAreaElement, t: string) => { e.value = t; e.dispatchEvent(new InputEvent('input', { bubbles: true, composed: true, inputType: 'insertFromPaste' })); }, big);
    await waitFor('the encode progress', async () => /in a worker/.test((await frame.locator('#progress').textContent()) ?? ''), 20_000, 50);
    await waitFor(`the drawn token count to be ${bigCount}`, async () => Number(await frame.getAttribute('#tokens', 'data-count')) === bigCount, 120_000, 300);
    assert.equal(await frame.locator('#progress').isVisible(), false, 'the progress is hidden once drawn');
    const spans = await frame.locator('#tokens .tok').count();
    assert.ok(spans > 0 && spans < 1000, `${spans} token spans in the DOM for ${bigCount} tokens`);
    const firstIndex = async (): Promise<number> => Number(await frame.locator('#tokens .tok').first().getAttribute('data-i'));
    assert.equal(await firstIndex(), 0);
    await frame.locator('#tokens').evaluate((e) => { e.scrollTop = e.scrollHeight / 2; });
    await waitFor('the rows in the middle to be drawn', async () => (await firstIndex()) > bigCount / 3, 10_000, 100);
    const middle = await frame.locator('#tokens .tok').count();
    assert.ok(middle > 0 && middle < 1000, `${middle} token spans in the DOM after scrolling`);
  });
});
