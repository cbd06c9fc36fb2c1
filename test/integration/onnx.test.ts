// Export to ONNX through the real command in a real VS Code extension host: a tiny-gpt checkpoint trained here with
// Debian's PyTorch is exported on `local` as a run (listed in the Runs feeds), checked by onnx.checker and by
// onnxruntime-node parity; an LFS-pointer checkpoint is refused by the pre-check before any run; the ONNX model view
// (custom editor) opens the result.
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { activeExtension, waitFor } from './helpers';
import type { ExtensionApi } from '../../src/extension';

const PYTHON = '/usr/bin/python3';

suite('Export to ONNX', function () {
  this.timeout(300_000);
  let api: ExtensionApi;
  let ext: vscode.Extension<unknown>;
  let dir: string;

  suiteSetup(async () => {
    ext = await activeExtension();
    api = ext.exports as ExtensionApi;
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'llmts-onnx-'));
  });
  suiteTeardown(() => fs.rmSync(dir, { recursive: true, force: true }));

  test('llmTraining.exportOnnx on a tiny-gpt checkpoint URI: a run on local, checker and parity pass, the model view opens', async function () {
    if (spawnSync(PYTHON, ['-c', 'import torch, onnx'], { encoding: 'utf8' }).status !== 0) this.skip();
    const ex = path.join(dir, 'tiny-gpt');
    fs.cpSync(path.join(ext.extensionPath, 'examples', 'tiny-gpt'), ex, { recursive: true, filter: (s) => !/\/output(\/|$)/.test(s) });
    const train = spawnSync(PYTHON, ['train.py', '--config', 'config.yaml', '--max_steps', '2', '--n_layer', '1', '--n_embd', '32', '--n_head', '2', '--block_size', '16', '--eval_strategy', 'no', '--save_steps', '2'], { cwd: ex, encoding: 'utf8' });
    assert.equal(train.status, 0, train.stderr);
    const ckpt = path.join(ex, 'output', 'checkpoint-2');
    const out = path.join(dir, 'exported', 'model.onnx');
    const r = await vscode.commands.executeCommand<{ ok: boolean; onnx: string; host: string; runId: string; error?: string }>('llmTraining.exportOnnx', vscode.Uri.file(ckpt), { out, python: PYTHON, quiet: true });
    assert.ok(r, 'the command returned nothing');
    assert.equal(r.ok, true, r.error);
    assert.equal(r.host, 'local');
    assert.ok(fs.existsSync(out));
    const report = JSON.parse(fs.readFileSync(`${out}.export.json`, 'utf8'));
    assert.equal(report.checker.passed, true);
    assert.equal(report.parity.passed, true);
    assert.match(report.parity.runtime, /onnxruntime-node/);
    // A run like any other: in the Runs feeds, finished, its log holding the exporter's lines.
    const entry = await waitFor('the export run in the Runs feeds', () => api.runs.feeds.entry(r.runId), 10_000);
    assert.equal(entry.run.host, 'local');
    assert.match(fs.readFileSync(entry.run.logPath, 'utf8'), /onnx\.checker: passed/);

    await vscode.commands.executeCommand('vscode.openWith', vscode.Uri.file(out), 'llmTraining.onnx');
    const tab = await waitFor('the ONNX model view tab', () => vscode.window.tabGroups.all.flatMap((g) => g.tabs).find((t) => t.label === 'model.onnx' && t.input instanceof vscode.TabInputCustom && t.input.viewType === 'llmTraining.onnx'), 20_000);
    assert.ok(tab);
    await vscode.commands.executeCommand('workbench.action.closeActiveEditor');
    api.runs.feeds.detach(r.runId);
    fs.rmSync(path.dirname(entry.run.logPath), { recursive: true, force: true });
  });

  test('{ resourceUri } of an LFS-pointer checkpoint: refused by the pre-check with "git lfs pull", no run started', async () => {
    const ckpt = path.join(dir, 'lfs');
    fs.mkdirSync(ckpt);
    fs.writeFileSync(path.join(ckpt, 'config.json'), JSON.stringify({ architectures: ['LlamaForCausalLM'], model_type: 'llama' }));
    fs.writeFileSync(path.join(ckpt, 'model.safetensors'), `version https://git-lfs.github.com/spec/v1\noid sha256:${'b'.repeat(64)}\nsize 123456789\n`);
    const before = api.runs.feeds.list().length;
    const r = await vscode.commands.executeCommand<{ ok: boolean; error?: string }>('llmTraining.exportOnnx', { resourceUri: vscode.Uri.file(ckpt) }, { out: path.join(dir, 'x.onnx'), python: PYTHON, quiet: true });
    assert.equal(r?.ok, false);
    assert.match(r?.error ?? '', /git lfs pull/);
    assert.equal(api.runs.feeds.list().length, before, 'no run was started');
  });
});
