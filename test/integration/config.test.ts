// Config validation in a real VS Code: diagnostics with exact ranges, quick fixes, hover, completion, cross-file
// re-validation (editor buffer and disk), the per-file framework override and settings.
// Fixtures: test/fixtures/workspace/configs (origins in SOURCES.tsv there). Every test leaves the files as it found them.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { activeExtension, waitFor, workspaceRoot } from './helpers';

const SOURCE = 'LLM Training';

function fixture(name: string): vscode.Uri {
  return vscode.Uri.joinPath(vscode.Uri.file(workspaceRoot()), 'configs', name);
}

async function open(name: string | vscode.Uri): Promise<vscode.TextEditor> {
  const doc = await vscode.workspace.openTextDocument(typeof name === 'string' ? fixture(name) : name);
  return vscode.window.showTextDocument(doc, { preview: false });
}

function ours(uri: vscode.Uri): vscode.Diagnostic[] {
  return vscode.languages.getDiagnostics(uri).filter((d) => d.source === SOURCE);
}

function codeOf(d: vscode.Diagnostic): string {
  return typeof d.code === 'object' ? String(d.code.value) : String(d.code);
}

/** Waits until our diagnostics of `uri` satisfy `pred`; returns them. */
function diagnosticsWhere(uri: vscode.Uri, what: string, pred: (ds: vscode.Diagnostic[]) => boolean, timeoutMs = 10_000): Promise<vscode.Diagnostic[]> {
  return waitFor(what, () => { const ds = ours(uri); return pred(ds) ? ds : undefined; }, timeoutMs);
}

function rangeOf(r: vscode.Range): [number, number, number, number] {
  return [r.start.line, r.start.character, r.end.line, r.end.character];
}

/** Reverts and closes every editor (a dirty one would make "close all" ask). */
async function closeAll(): Promise<void> {
  for (const doc of vscode.workspace.textDocuments.filter((d) => d.isDirty)) {
    await vscode.window.showTextDocument(doc);
    await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
  }
  await vscode.commands.executeCommand('workbench.action.closeAllEditors');
}

async function replaceText(doc: vscode.TextDocument, range: vscode.Range, text: string): Promise<void> {
  const edit = new vscode.WorkspaceEdit();
  edit.replace(doc.uri, range, text);
  assert.equal(await vscode.workspace.applyEdit(edit), true, 'applyEdit failed');
}

/** The range of the first occurrence of `needle` in `doc`. */
function find(doc: vscode.TextDocument, needle: string): vscode.Range {
  const i = doc.getText().indexOf(needle);
  assert.ok(i >= 0, `${needle} not in ${doc.uri.path}`);
  return new vscode.Range(doc.positionAt(i), doc.positionAt(i + needle.length));
}

interface Description { isConfig: boolean; framework: string; reason: string; overridden: boolean; statusText: string; issueCount: number }
const describe = (uri: vscode.Uri) => vscode.commands.executeCommand<Description>('llmTraining.config.describe', uri);

suite('config validation', () => {
  suiteSetup(async () => { await activeExtension(); });
  teardown(closeAll);

  test('a misspelt key gets an unknown-key warning on exactly the key', async () => {
    const { document: doc } = await open('axolotl-lora-1b-typo.yml');
    const ds = await diagnosticsWhere(doc.uri, 'the unknown-key diagnostic', (d) => d.some((x) => codeOf(x) === 'unknown-key'));
    const d = ds.find((x) => codeOf(x) === 'unknown-key')!;
    assert.deepEqual(rangeOf(d.range), [38, 0, 38, 15]);
    assert.equal(doc.getText(d.range), 'micro_batchsize');
    assert.equal(d.severity, vscode.DiagnosticSeverity.Warning);
    assert.match(d.message, /Did you mean `micro_batch_size`\?/);
    assert.equal(ds.length, 1, `only the typo is reported: ${ds.map((x) => `${codeOf(x)} ${x.message}`).join(' | ')}`);
  });

  test('the preferred quick fix renames the key and the diagnostic goes away', async () => {
    const { document: doc } = await open('axolotl-lora-1b-typo.yml');
    const [d] = await diagnosticsWhere(doc.uri, 'the unknown-key diagnostic', (x) => x.some((y) => codeOf(y) === 'unknown-key'));
    const actions = await vscode.commands.executeCommand<vscode.CodeAction[]>('vscode.executeCodeActionProvider', doc.uri, d!.range, vscode.CodeActionKind.QuickFix.value);
    const fix = actions.find((a) => a.title === 'Change to `micro_batch_size`');
    assert.ok(fix, `no rename fix among: ${actions.map((a) => a.title).join(', ')}`);
    assert.equal(fix.isPreferred, true);
    assert.ok(fix.edit, 'the fix carries a WorkspaceEdit');
    assert.equal(await vscode.workspace.applyEdit(fix.edit), true);
    assert.equal(doc.lineAt(38).text, 'micro_batch_size: 2');
    await diagnosticsWhere(doc.uri, 'no diagnostics after the fix', (x) => x.length === 0);
  });

  test('closing a config clears its diagnostics', async () => {
    const { document: doc } = await open('axolotl-lora-1b-typo.yml');
    await diagnosticsWhere(doc.uri, 'the unknown-key diagnostic', (x) => x.length > 0);
    await closeAll();
    await diagnosticsWhere(doc.uri, 'diagnostics cleared on close', (x) => x.length === 0);
  });

  test('hover over a key shows its documentation', async () => {
    const { document: doc } = await open('axolotl-lora-1b.yml');
    const key = find(doc, 'learning_rate');
    const hovers = await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', doc.uri, key.start.translate(0, 3));
    const text = hovers.flatMap((h) => h.contents.map((c) => (typeof c === 'string' ? c : c.value))).join('\n');
    assert.match(text, /\*\*learning_rate\*\*/);
    assert.match(text, /Axolotl/);
    const ourHover = hovers.find((h) => h.contents.some((c) => typeof c !== 'string' && c.value.includes('**learning_rate**')))!;
    assert.deepEqual(ourHover.range && rangeOf(ourHover.range), rangeOf(key));
  });

  test('completion offers a missing key and the values of an enum key', async () => {
    const { document: doc } = await open('axolotl-lora-1b.yml');
    // A new key being typed at the top level: `max_st` -> max_steps.
    const at = find(doc, 'num_epochs: 1').end;
    await replaceText(doc, new vscode.Range(at, at), '\nmax_st');
    const keyPos = new vscode.Position(at.line + 1, 6);
    const keys = await vscode.commands.executeCommand<vscode.CompletionList>('vscode.executeCompletionItemProvider', doc.uri, keyPos);
    const maxSteps = keys.items.find((i) => i.label === 'max_steps' || (typeof i.label === 'object' && i.label.label === 'max_steps'));
    assert.ok(maxSteps, 'max_steps is offered');
    assert.equal(maxSteps.kind, vscode.CompletionItemKind.Property);
    assert.equal(keys.items.some((i) => i.label === 'num_epochs'), false, 'keys already present are not offered');
    // The value of an enum key: lr_scheduler: <cursor>
    const v = find(doc, 'lr_scheduler: cosine');
    const valueStart = v.start.translate(0, 'lr_scheduler: '.length);
    await replaceText(doc, new vscode.Range(valueStart, v.end), '');
    const values = await vscode.commands.executeCommand<vscode.CompletionList>('vscode.executeCompletionItemProvider', doc.uri, valueStart, ' ');
    const labels = values.items.map((i) => (typeof i.label === 'string' ? i.label : i.label.label));
    assert.ok(labels.includes('cosine') && labels.includes('linear'), `enum values offered: ${labels.slice(0, 20).join(', ')}`);
  });

  test('a framework override applies to one file and "auto" gives detection back', async () => {
    const { document: doc } = await open('not-a-config.yaml');
    await waitFor('the mkdocs file to be looked at', async () => (await describe(doc.uri)).reason !== '' || undefined);
    let desc = await describe(doc.uri);
    assert.equal(desc.isConfig, false);
    assert.equal(desc.statusText, '');
    assert.deepEqual(ours(doc.uri), []);

    desc = await vscode.commands.executeCommand<Description>('llmTraining.setConfigFramework', doc.uri, 'axolotl');
    assert.equal(desc.framework, 'axolotl');
    assert.equal(desc.overridden, true);
    assert.equal(desc.statusText, '$(beaker) Axolotl $(pinned)');
    const ds = await diagnosticsWhere(doc.uri, 'Axolotl rules on the mkdocs file', (x) => x.some((y) => codeOf(y) === 'unknown-key'));
    assert.deepEqual(rangeOf(ds.find((y) => doc.getText(y.range) === 'site_name')!.range), [2, 0, 2, 9]);

    desc = await vscode.commands.executeCommand<Description>('llmTraining.setConfigFramework', doc.uri, 'auto');
    assert.equal(desc.isConfig, false);
    assert.equal(desc.overridden, false);
    await diagnosticsWhere(doc.uri, 'diagnostics gone after Auto-detect', (x) => x.length === 0);
  });

  test('the status text names the detected framework; "None" silences a config', async () => {
    const { document: doc } = await open('hf-zephyr-sft-full.yaml');
    const desc = await waitFor('hf-trainer detection', async () => { const d = await describe(doc.uri); return d.isConfig ? d : undefined; });
    assert.equal(desc.framework, 'hf-trainer');
    assert.equal(desc.statusText, '$(beaker) HF Trainer / TRL');
    assert.equal(desc.overridden, false);
    assert.ok(desc.reason.length > 0);
    const none = await vscode.commands.executeCommand<Description>('llmTraining.setConfigFramework', doc.uri, 'unknown');
    assert.equal(none.isConfig, false);
    assert.equal(none.statusText, '$(beaker) Not a training config $(pinned)');
    assert.deepEqual(ours(doc.uri), []);
    await vscode.commands.executeCommand('llmTraining.setConfigFramework', doc.uri, 'auto');
    assert.equal((await describe(doc.uri)).framework, 'hf-trainer');
  });

  test('llmTraining.validation.rules turns a rule off and back on', async () => {
    const { document: doc } = await open('axolotl-lora-1b-typo.yml');
    await diagnosticsWhere(doc.uri, 'the unknown-key diagnostic', (x) => x.some((y) => codeOf(y) === 'unknown-key'));
    const cfg = vscode.workspace.getConfiguration('llmTraining.validation');
    try {
      await cfg.update('rules', { 'unknown-key': 'off' }, vscode.ConfigurationTarget.Global);
      await diagnosticsWhere(doc.uri, 'unknown-key switched off', (x) => !x.some((y) => codeOf(y) === 'unknown-key'));
      await cfg.update('rules', { 'unknown-key': 'error' }, vscode.ConfigurationTarget.Global);
      const ds = await diagnosticsWhere(doc.uri, 'unknown-key as an error', (x) => x.some((y) => codeOf(y) === 'unknown-key' && y.severity === vscode.DiagnosticSeverity.Error));
      assert.equal(ds.length, 1);
    } finally {
      await cfg.update('rules', undefined, vscode.ConfigurationTarget.Global);
    }
  });
});
