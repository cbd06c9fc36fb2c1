// Checkpoint browser in a real VS Code extension host: the Checkpoints tree over a trainer run written by real torch
// (steps, eval metric, best badge, resourceUri), the read-only custom editor opening a safetensors file, copy path,
// and compare (a report document with the tensors removed and changed).
import * as assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import * as vscode from 'vscode';
import type { ExtensionApi } from '../../src/extension';
import type { CheckpointNode } from '../../src/views/checkpoint';
import { makeCheckpoints } from '../fixtures/checkpoint/build';
import { activeExtension, waitFor } from './helpers';

suite('checkpoint browser', function () {
  this.timeout(120_000);
  let T = '';
  let api: ExtensionApi;

  suiteSetup(async () => {
    const ext = await activeExtension();
    api = ext.exports as ExtensionApi;
    T = makeCheckpoints(join(ext.extensionPath, 'test', 'fixtures', 'checkpoint', 'make_checkpoints.py'));
  });
  suiteTeardown(async () => {
    for (const f of api.checkpoints.userFolders()) await api.checkpoints.removeFolder({ host: 'local', path: f });
    if (T) rmSync(T, { recursive: true, force: true });
  });

  test('an added run folder lists its checkpoints with step, eval metric and the best badge', async () => {
    await vscode.commands.executeCommand('llmTraining.checkpoints.addFolder', join(T, 'run'));
    const roots = await api.checkpoints.getChildren();
    const root = roots.find((n) => n.kind === 'root' && n.loc.path === join(T, 'run'));
    assert.ok(root, `root not listed: ${JSON.stringify(roots)}`);
    const kids = await api.checkpoints.getChildren(root) as Extract<CheckpointNode, { kind: 'checkpoint' }>[];
    assert.deepEqual(kids.map((k) => [k.entry.step, k.entry.best, k.entry.metric?.value]), [[10, false, 2.5], [20, true, 2.1], [30, false, 2.3]]);
    const item = api.checkpoints.getTreeItem(kids[1]);
    assert.equal(item.contextValue, 'checkpoint.best');
    assert.match(String(item.description), /^★ best · step 20 · eval_loss 2\.1 · \d/);
    assert.equal(item.resourceUri?.toString(), vscode.Uri.file(join(T, 'run', 'checkpoint-20')).toString());
    await vscode.commands.executeCommand('llmTraining.checkpoints.copyPath', kids[1]);
    assert.equal(await vscode.env.clipboard.readText(), join(T, 'run', 'checkpoint-20'));
  });

  test('a .safetensors file opens in the read-only checkpoint editor', async () => {
    const uri = vscode.Uri.file(join(T, 'model', 'model.safetensors'));
    await vscode.commands.executeCommand('vscode.open', uri);
    const tab = await waitFor('the checkpoint editor tab', () => vscode.window.tabGroups.all.flatMap((g) => g.tabs)
      .find((t) => t.input instanceof vscode.TabInputCustom && t.input.uri.toString() === uri.toString()), 30_000);
    assert.equal((tab.input as vscode.TabInputCustom).viewType, 'llmTraining.checkpoint');
  });

  test('compare two checkpoints opens a report of removed and changed tensors', async () => {
    const a = { kind: 'root', loc: { host: 'local', path: join(T, 'model') }, label: 'model', source: 'user' };
    const b = { kind: 'root', loc: { host: 'local', path: join(T, 'ds') }, label: 'ds', source: 'user' };
    await vscode.commands.executeCommand('llmTraining.checkpoints.compare', a, [a, b]);
    const doc = await waitFor('the comparison document', () => vscode.workspace.textDocuments.find((d) => d.getText().startsWith(`# ${join(T, 'model')} → ${join(T, 'ds')}`)), 30_000);
    assert.match(doc.getText(), /0 added, 1 removed, 20 changed in dtype or shape, 0 unchanged/);
    assert.match(doc.getText(), /^- lm_head\.weight {2}F32 \[32, 8\]$/m);
  });
});
