import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { activeExtension, waitFor, waitForTab, workspaceRoot } from './helpers';
import { mixedText } from '../../bench/mixedText';

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
    // the legacy SentencePiece diagnostic has a quick fix that adds "legacy": false (not applied: the fixture stays)
    const legacy = diags.find((d) => d.code === 'legacy-space-after-special');
    assert.ok(legacy, `legacy-space-after-special among ${diags.map((d) => d.code).join(', ')}`);
    const actions = await vscode.commands.executeCommand<vscode.CodeAction[]>('vscode.executeCodeActionProvider', cfg, legacy!.range, vscode.CodeActionKind.QuickFix.value);
    const fix = actions.find((a) => a.title.startsWith('Set "legacy": false'));
    assert.ok(fix?.edit, `quick fix among ${actions.map((a) => a.title).join(' | ')}`);
    const edits = fix!.edit!.get(cfg);
    assert.equal(edits.length, 1);
    assert.match(edits[0].newText, /"legacy": false/);
    assert.equal(actions.filter((a) => a.title.includes('pad')).length, 0, 'pad-equals-eos has no unambiguous fix');
  });

  test('tokenizer.open(uri, input) pre-fills the inspector from a dataset row and a training config', async function () {
    this.timeout(60_000);
    await activeExtension();
    const root = vscode.Uri.file(workspaceRoot());
    const folder = vscode.Uri.joinPath(root, 'tokenizers', 'tinyllama');
    const row = vscode.Uri.joinPath(root, 'datasets', 'sft-defects.jsonl');
    const config = vscode.Uri.joinPath(root, 'configs', 'axolotl-lora-1b.yml');
    const inspector = await vscode.commands.executeCommand<{ state(): { text: string; chatMessages: string; mask: string; origin?: string; training?: { framework?: string } } }>(
      'llmTraining.tokenizer.open', folder, { datasetRow: { uri: row.toString(), index: 1 }, config: config.toString() });
    const s = inspector.state();
    assert.match(s.text, /Add 2 and 2\.[\s\S]*4/);
    assert.deepEqual(JSON.parse(s.chatMessages).map((m: { role: string; content: string }) => [m.role, m.content]), [['user', 'Add 2 and 2.'], ['assistant', '4']]);
    assert.equal(s.mask, 'axolotl');
    assert.equal(s.training?.framework, 'axolotl');
    assert.equal(s.origin, 'config configs/axolotl-lora-1b.yml · row 1 of datasets/sft-defects.jsonl (alpaca)');
    const again = await vscode.commands.executeCommand<{ state(): { text: string } }>('llmTraining.tokenizer.open', folder, { text: 'plain 🙂 text' });
    assert.equal(again, inspector, 'the same tokenizer reuses its panel');
    assert.equal(again.state().text, 'plain 🙂 text');
  });

  test('a 1 MiB text: the panel draws all its tokens (count) while the DOM holds only a window of token spans', async function () {
    this.timeout(180_000);
    await activeExtension();
    const folder = vscode.Uri.joinPath(vscode.Uri.file(workspaceRoot()), 'tokenizers', 'tinyllama');
    const text = mixedText(1024 * 1024);
    type Painted = { count: number; domTokens: number; chars: number };
    const inspector = await vscode.commands.executeCommand<{ panel: vscode.WebviewPanel; tokenizer(): Promise<{ encode(t: string): { ids: number[] } } | undefined>; whenPainted(accept: (p: Painted) => boolean, timeoutMs?: number): Promise<Painted> }>(
      'llmTraining.tokenizer.open', folder, { text });
    const expected = (await inspector.tokenizer())!.encode(text).ids.length;
    assert.ok(expected > 300_000, `${expected} tokens`);
    const painted = await inspector.whenPainted((p) => p.chars === text.length, 150_000);
    assert.equal(painted.count, expected);
    assert.ok(painted.domTokens > 0 && painted.domTokens < 1000, `${painted.domTokens} token spans in the DOM for ${expected} tokens`);
    inspector.panel.dispose();
  });

  test('compare with a second tokenizer: the same 1 MiB text, both counts exact, both lists virtualized', async function () {
    this.timeout(240_000);
    await activeExtension();
    const root = vscode.Uri.file(workspaceRoot());
    const folder = vscode.Uri.joinPath(root, 'tokenizers', 'tinyllama');
    const bert = vscode.Uri.joinPath(root, 'tokenizers', 'bert-wiki', 'tokenizer.json');
    const text = mixedText(1024 * 1024);
    type Painted = { count: number; domTokens: number; chars: number; compareCount?: number; compareDomTokens?: number };
    type Tok = { encode(t: string): { ids: number[] } };
    type Inspector = { panel: vscode.WebviewPanel; tokenizer(): Promise<Tok | undefined>; whenPainted(accept: (p: Painted) => boolean, timeoutMs?: number): Promise<Painted> };
    const inspector = await vscode.commands.executeCommand<Inspector>('llmTraining.tokenizer.open', folder, { text, compareWith: bert.toString() });
    const expected = (await inspector.tokenizer())!.encode(text).ids.length;
    // The compare tokenizer's exact count, from the same loader in this extension host (a WordPiece tokenizer.json).
    const other = await vscode.commands.executeCommand<Inspector>('llmTraining.tokenizer.open', bert);
    const expectedCompare = (await other.tokenizer())!.encode(text).ids.length;
    other.panel.dispose();
    assert.notEqual(expectedCompare, expected, 'the two tokenizers cut the text differently');
    const painted = await inspector.whenPainted((p) => p.chars === text.length && p.compareCount !== undefined, 200_000);
    assert.equal(painted.count, expected);
    assert.equal(painted.compareCount, expectedCompare);
    assert.ok(painted.compareDomTokens! > 0 && painted.compareDomTokens! < 1000, `${painted.compareDomTokens} compare token spans in the DOM for ${expectedCompare} tokens (it drew a fixed 500 before)`);
    inspector.panel.dispose();
  });
});
