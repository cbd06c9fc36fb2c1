import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { activeExtension, waitFor, waitForTab, workspaceRoot } from './helpers';

suite('tokenizer', () => {
  test('the inspector opens on the TinyLlama folder; tokenizer_config.json gets the checks as diagnostics', async function () {
    this.timeout(120_000);
    await activeExtension();
    const folder = vscode.Uri.joinPath(vscode.Uri.file(workspaceRoot()), 'tokenizers', 'tinyllama');
    await vscode.commands.executeCommand('llmTraining.tokenizer.open', folder);
    await waitForTab('Tokenizer: tokenizers/tinyllama', 60_000);
    const cfg = vscode.Uri.joinPath(folder, 'tokenizer_config.json');
    await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(cfg));
    const diags = await waitFor('tokenizer diagnostics', () => { const d = vscode.languages.getDiagnostics(cfg).filter((x) => x.source === 'LLM Training (tokenizer)'); return d.length > 0 ? d : undefined; }, 60_000, 300);
    const pad = diags.find((d) => d.code === 'pad-equals-eos');
    assert.ok(pad, `pad-equals-eos among ${diags.map((d) => d.code).join(', ')}`);
    assert.equal(pad!.severity, vscode.DiagnosticSeverity.Warning);
    const doc = vscode.window.activeTextEditor!.document;
    assert.equal(doc.getText(pad!.range), '"pad_token"');
  });
});
