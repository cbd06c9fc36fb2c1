// Smoke suite: the extension under development loads in a real VS Code extension host, activates, and every
// command it contributes has a handler (a contributed command without one fails with "command not found").
import * as assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import * as vscode from 'vscode';
import { Worker } from 'node:worker_threads';
import { memoryFileAccess } from '../../src/core/files';
import { EXTENSION_ID, activeExtension } from './helpers';
import { INTERNAL_COMMANDS, TEST_HOOK_COMMANDS } from '../../src/views/shellCommands';

suite('extension smoke', () => {
  test('the extension under development is loaded from this repository', () => {
    const ext = vscode.extensions.getExtension(EXTENSION_ID);
    assert.ok(ext, `${EXTENSION_ID} is not installed in this extension host`);
    assert.equal(ext.packageJSON.name, 'llm-training-studio');
    assert.equal(ext.packageJSON.main, './dist/extension.js');
    // Set by the harnesses: this checkout, or the folder code-server unpacked the .vsix into (test:vsix).
    if (process.env.LLMTS_EXTENSION_PATH) assert.equal(ext.extensionPath, process.env.LLMTS_EXTENSION_PATH);
  });

  test('activates without error', async () => {
    const ext = await activeExtension();
    assert.equal(ext.isActive, true);
  });

  test('registers llmTraining.launchRun', async () => {
    await activeExtension();
    const commands = await vscode.commands.getCommands(true);
    assert.ok(commands.includes('llmTraining.launchRun'), 'llmTraining.launchRun has no handler after activation');
  });

  test('every contributed command is registered after activation', async () => {
    const ext = await activeExtension();
    const contributed: string[] = (ext.packageJSON.contributes?.commands ?? []).map((c: { command: string }) => c.command);
    assert.ok(contributed.length > 0, 'package.json contributes no commands');
    const registered = new Set(await vscode.commands.getCommands(true));
    assert.deepEqual(contributed.filter((c) => !registered.has(c)), [], 'contributed but not registered');
  });

  // Activation registers placeholders (src/extension.ts) and loads the features on first use: the commands code and
  // tests call (not contributed) must be there too, and a stub must hand back what the real command returns.
  test('the commands code calls are registered after activation, and a stub answers as the real command', async () => {
    await activeExtension();
    const registered = new Set(await vscode.commands.getCommands(true));
    assert.deepEqual([...INTERNAL_COMMANDS, ...TEST_HOOK_COMMANDS].filter((c) => !registered.has(c)), [], 'not registered');
    const d = await vscode.commands.executeCommand<{ isConfig: boolean; framework: string }>('llmTraining.config.describe', vscode.Uri.file('/nonexistent/config.yaml'));
    assert.deepEqual([d.isConfig, d.framework], [false, 'unknown']);
  });

  // The cores the extension requires on first use (dist/configCore.js, dist/datasetCore.js) must be in the installed
  // copy: a .vscodeignore that left out dist/datasetCore.js passed activation and failed at the first Check Dataset.
  // Each is called, not only required: a bundle that loads but lost its engine (an entry point pointing at the wrong
  // file, a tree-shaken export) must fail here too.
  test('the lazily required cores are installed, load and answer', async () => {
    const ext = await activeExtension();
    const load = (file: string) => {
      const path = join(ext.extensionPath, 'dist', file);
      assert.ok(existsSync(path), `${path} is missing from the installed extension`);
      return require(path) as Record<string, unknown>;
    };
    const config = load('configCore.js') as { detectFramework(text: string, fileName: string): { framework: string }; validateConfig(text: string, o: { fileName: string }): { issues: { code: string; range: { start: { line: number; character: number } } }[] } };
    const axolotl = 'base_model: x\nmicro_batch_size: 2\ngradient_accumulation_steps: 1\nnum_epochs: two\n';
    assert.equal(config.detectFramework(axolotl, 'a.yml').framework, 'axolotl');
    assert.deepEqual(config.validateConfig(axolotl, { fileName: 'a.yml' }).issues.map((i) => `${i.code}@${i.range.start.line}:${i.range.start.character}`), ['wrong-type@3:12']);
    const dataset = load('datasetCore.js') as { checkDataset(files: unknown, path: string): Promise<{ rows: number; format: string; duplicates: { exact: number }; problemCounts: Record<string, number> }> };
    const rows = '{"instruction":"a","output":"b"}\n{"instruction":"a","output":"b"}\n{"instruction":"c"}\n';
    const r = await dataset.checkDataset(memoryFileAccess({ '/d/a.jsonl': rows }), '/d/a.jsonl');
    assert.deepEqual([r.rows, r.format, r.duplicates.exact, r.problemCounts], [3, 'alpaca', 1, { 'missing-field': 1 }]);
  });

  // The tokenizer inspector encodes in a worker thread started by path (dist/tokenizerWorker.js): the installed copy
  // must carry it, or the panel opens and never shows a token.
  test('the tokenizer inspector\'s encode worker is installed and encodes', async function () {
    this.timeout(60_000);
    const ext = await activeExtension();
    assert.ok(existsSync(join(ext.extensionPath, 'dist', 'tokenizerWorker.js')), 'dist/tokenizerWorker.js is missing from the installed extension');
    const folder = vscode.Uri.joinPath(vscode.workspace.workspaceFolders![0].uri, 'tokenizers', 'tinyllama');
    const text = 'Hello world! '.repeat(2000); // long enough for the worker (the inspector encodes short texts itself)
    const inspector = await vscode.commands.executeCommand<{ panel: vscode.WebviewPanel; whenPainted(accept: (p: { count: number; chars: number }) => boolean, timeoutMs?: number): Promise<{ count: number }> }>(
      'llmTraining.tokenizer.open', folder, { text });
    const painted = await inspector.whenPainted((p) => p.chars === text.length, 50_000);
    assert.equal(painted.count, 1 + 3 * 2000 + 1); // <s>, ▁Hello ▁world ! per repeat, the trailing ▁

    inspector.panel.dispose();
  });

  // `llmtrain data` and the dataset panel run the duplicate search in a worker thread started by path
  // (dist/dedupWorker.js, src/remote/dedupWorker.ts): the installed copy must carry it, and it must answer.
  test('the dataset check\'s duplicate-search worker is installed and finds a duplicate', async () => {
    const ext = await activeExtension();
    const script = join(ext.extensionPath, 'dist', 'dedupWorker.js');
    assert.ok(existsSync(script), 'dist/dedupWorker.js is missing from the installed extension');
    const worker = new Worker(script);
    try {
      const replies: unknown[] = [];
      const totals = new Promise<unknown>((resolve, reject) => {
        worker.on('message', (m: { type: string; packed?: Float64Array; totals?: unknown }) => { if (m.type === 'totals') resolve(m.totals); else replies.push(m.packed ? Array.from(m.packed) : m); });
        worker.on('error', reject);
      });
      worker.postMessage({ type: 'init' });
      // Rows 0 and 1 as bytes (ASCII), row 2 as a string: both ways a batch carries rows (DedupToWorker).
      const first = 'Hello  world,\tagain', second = 'a different row';
      const bytes = new TextEncoder().encode(first + second);
      worker.postMessage({ type: 'rows', indexes: Int32Array.from([0, 1, 2]), ends: Int32Array.from([first.length, first.length + second.length, -1]), bytes, texts: ['Hello world, again'] });
      worker.postMessage({ type: 'finish' });
      assert.deepEqual(await totals, { exact: 1, near: 0, nearIndexed: 2, maxNearRows: 500_000 });
      assert.deepEqual(replies, [[2, 0, 0, 1]]); // row 2 is an exact duplicate of row 0
    } finally { await worker.terminate(); }
  });

  // The libraries of src/core/vendor.ts (dist/vendor/*.js) are required on first use, not at activation: the installed
  // copy must carry each, with its entry point.
  test('the libraries required on first use (dist/vendor) are installed and load', async () => {
    const ext = await activeExtension();
    const vendor: [string, string][] = [['zod', 'z'], ['yaml', 'parseDocument'], ['jsonc-parser', 'parseTree'], ['chokidar', 'watch'], ['protobufjs', 'parse'],
      ['protobufjs-light', 'Root'], ['huggingface-gguf', 'gguf'], ['huggingface-tokenizers', 'Tokenizer'], ['huggingface-jinja', 'Template'], ['ssh2', 'Client'], ['ssh-config', 'SSHConfig']];
    for (const [file, key] of vendor) {
      const path = join(ext.extensionPath, 'dist', 'vendor', `${file}.js`);
      assert.ok(existsSync(path), `${path} is missing from the installed extension`);
      assert.ok((require(path) as Record<string, unknown>)[key], `dist/vendor/${file}.js has no ${key}`);
    }
  });
});
