// Smoke suite: the extension under development loads in a real VS Code extension host, activates, and every
// command it contributes has a handler (a contributed command without one fails with "command not found").
import * as assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import * as vscode from 'vscode';
import { EXTENSION_ID, activeExtension } from './helpers';

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

  // The cores the extension requires on first use (dist/configCore.js, dist/datasetCore.js) and the libraries of
  // src/core/vendor.ts (dist/vendor/*.js) must be in the installed copy: a .vscodeignore that left out
  // dist/datasetCore.js passed activation and failed at the first Check Dataset.
  test('the lazily required cores are installed and load', async () => {
    const ext = await activeExtension();
    for (const [file, fn] of [['configCore.js', 'detectFramework'], ['datasetCore.js', 'checkDataset']] as const) {
      const path = join(ext.extensionPath, 'dist', file);
      assert.ok(existsSync(path), `${path} is missing from the installed extension`);
      const core = require(path) as Record<string, unknown>;
      assert.equal(typeof core[fn], 'function', `${file} does not export ${fn}`);
    }
    const vendor: [string, string][] = [['zod', 'z'], ['yaml', 'parseDocument'], ['jsonc-parser', 'parseTree'], ['chokidar', 'watch'], ['protobufjs', 'parse'],
      ['protobufjs-light', 'Root'], ['huggingface-gguf', 'gguf'], ['huggingface-tokenizers', 'Tokenizer'], ['huggingface-jinja', 'Template'], ['ssh2', 'Client'], ['ssh-config', 'SSHConfig']];
    for (const [file, key] of vendor) {
      const path = join(ext.extensionPath, 'dist', 'vendor', `${file}.js`);
      assert.ok(existsSync(path), `${path} is missing from the installed extension`);
      assert.ok((require(path) as Record<string, unknown>)[key], `dist/vendor/${file}.js has no ${key}`);
    }
  });
});
