// Not a test suite (no .test.ts): scripts/bench.mjs runs this in code-server with an empty workspace, where nothing
// triggers activation, and times ext.activate() from the extension host: loading dist/extension.js plus activate().
import * as assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import * as vscode from 'vscode';
import { EXTENSION_ID } from './helpers';

suite('activation (bench)', () => {
  test('ext.activate() of the not yet active extension', async () => {
    const ext = vscode.extensions.getExtension(EXTENSION_ID);
    assert.ok(ext, `${EXTENSION_ID} is not installed in this extension host`);
    assert.equal(ext.isActive, false, 'the extension is already active: the bench needs a workspace that does not activate it');
    const t0 = performance.now();
    await ext.activate();
    const activateMs = performance.now() - t0;
    const out = process.env.LLMTS_BENCH_OUT;
    assert.ok(out, 'LLMTS_BENCH_OUT is not set');
    writeFileSync(out, JSON.stringify({ activateMs }));
  });
});
