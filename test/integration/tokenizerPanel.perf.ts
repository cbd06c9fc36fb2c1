// Not a test suite (no .test.ts): bench/tokenizerPanel.bench.ts runs this in code-server (scripts/test-vscode.mjs
// with LLMTS_EXTRA_ENTRIES) on the fixtures workspace and times the tokenizer inspector's first paint from the
// extension host: `llmTraining.tokenizer.open(tinyllama, { text })` on a panel that is not open, until the webview
// reports (`painted`, sent after the frame that shows it) the encoding of that whole text on screen.
// Large: 1 MiB of mixed text (bench/mixedText.ts). Baseline: the same for a short text, in the same extension host,
// alternating which goes first. Writes { largeMs: number[], smallMs: number[], tokens, domTokens } to LLMTS_BENCH_OUT.
import * as assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import * as vscode from 'vscode';
import { activeExtension, workspaceRoot } from './helpers';
import { mixedText } from '../../bench/mixedText';

interface Inspector { panel: vscode.WebviewPanel; whenPainted(accept: (p: { count: number; chars: number; domTokens: number }) => boolean, timeoutMs?: number): Promise<{ count: number; chars: number; domTokens: number }> }

const SMALL = 'Fine-tuning TinyLlama: 训练 🙂 <s> done';
const RUNS = Number(process.env.LLMTS_BENCH_PAINT_RUNS || 5);

/** Milliseconds from opening a fresh inspector on `text` to its encoding being painted; closes the panel after. */
async function firstPaint(folder: vscode.Uri, text: string): Promise<{ ms: number; count: number; domTokens: number }> {
  const t0 = performance.now();
  const inspector = await vscode.commands.executeCommand<Inspector>('llmTraining.tokenizer.open', folder, { text });
  const p = await inspector.whenPainted((r) => r.chars === text.length && r.count > 0, 300_000);
  const ms = performance.now() - t0;
  inspector.panel.dispose();
  await new Promise((r) => setTimeout(r, 300));
  return { ms, count: p.count, domTokens: p.domTokens };
}

suite('tokenizer inspector first paint (bench)', () => {
  test('1 MiB text vs a short text, fresh panel each time', async function () {
    this.timeout(900_000);
    const out = process.env.LLMTS_BENCH_OUT;
    assert.ok(out, 'LLMTS_BENCH_OUT is not set');
    await activeExtension();
    const folder = vscode.Uri.joinPath(vscode.Uri.file(workspaceRoot()), 'tokenizers', 'tinyllama');
    const large = mixedText(1024 * 1024);
    // Warm-up (not counted): the first panel loads the webview bundle and the JIT warms up.
    await firstPaint(folder, SMALL);
    await firstPaint(folder, large);
    const largeMs: number[] = [], smallMs: number[] = [];
    let tokens = 0, domTokens = 0;
    for (let i = 0; i < RUNS; i++) {
      const order = i % 2 ? [large, SMALL] : [SMALL, large];
      for (const text of order) {
        const r = await firstPaint(folder, text);
        if (text === large) { largeMs.push(r.ms); tokens = r.count; domTokens = r.domTokens; } else smallMs.push(r.ms);
      }
    }
    writeFileSync(out, JSON.stringify({ largeMs, smallMs, tokens, domTokens, chars: large.length }));
  });
});
