// Not a test suite (no .test.ts): scripts/bench.mjs runs this in code-server with an empty workspace, where nothing
// triggers activation, and times ext.activate() from the extension host: loading dist/extension.js plus activate().
// The baseline is the same measurement for an extension whose activate() is empty (scripts/bench.mjs writes it and
// installs it next to ours as `llmts-bench.baseline`), in the same extension host. `llmts-bench.warmup`, another
// empty extension, is activated first and not counted: the first activation in a host pays a one-time cost.
import * as assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import * as vscode from 'vscode';
import { EXTENSION_ID } from './helpers';

export const BASELINE_ID = 'llmts-bench.baseline';

/** Milliseconds `ext.activate()` takes for the not yet active extension `id`. */
async function timeActivate(id: string): Promise<number> {
  const ext = vscode.extensions.getExtension(id);
  assert.ok(ext, `${id} is not installed in this extension host`);
  assert.equal(ext.isActive, false, `${id} is already active: the bench needs a workspace that does not activate it (open documents: ${vscode.workspace.textDocuments.map((d) => `${d.uri.toString()} [${d.languageId}]`).join(', ') || 'none'})`);
  const t0 = performance.now();
  await ext.activate();
  return performance.now() - t0;
}

/**
 * Resolves once the extension host's event loop has been idle for a while: ten 20 ms timers in a row each fired
 * within 4 ms of when it was due (at most 15 s). A host just started is still activating built-in extensions and
 * loading modules; a timed activate() that lands on that work measured it too (samples of 22 and 208 ms in one run).
 */
async function hostSettled(): Promise<void> {
  const until = performance.now() + 15_000;
  let calm = 0;
  while (calm < 10 && performance.now() < until) {
    const t = performance.now();
    await new Promise((r) => setTimeout(r, 20));
    calm = performance.now() - t - 20 <= 4 ? calm + 1 : 0;
  }
}

suite('activation (bench)', () => {
  test('ext.activate() of the not yet active extension, and of an empty baseline extension', async () => {
    const out = process.env.LLMTS_BENCH_OUT;
    assert.ok(out, 'LLMTS_BENCH_OUT is not set');
    await hostSettled();
    await timeActivate('llmts-bench.warmup');
    await hostSettled();
    // The bench alternates the order between runs, so neither side always comes second.
    let baselineMs: number;
    let activateMs: number;
    if (process.env.LLMTS_BENCH_ORDER === 'extension-first') {
      activateMs = await timeActivate(EXTENSION_ID);
      await hostSettled();
      baselineMs = await timeActivate(BASELINE_ID);
    } else {
      baselineMs = await timeActivate(BASELINE_ID);
      await hostSettled();
      activateMs = await timeActivate(EXTENSION_ID);
    }
    writeFileSync(out, JSON.stringify({ activateMs, baselineMs }));
  });
});
