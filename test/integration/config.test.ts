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

const scratchDirs: vscode.Uri[] = [];

/**
 * Copies fixtures into a fresh folder under configs/ (tests that edit work on copies, so the fixtures stay as
 * committed even if an editor gets saved). Returns the copies' URIs in the order given; removed in suiteTeardown.
 */
async function scratch(...names: (string | [from: string, to: string])[]): Promise<vscode.Uri[]> {
  const dir = vscode.Uri.joinPath(vscode.Uri.file(workspaceRoot()), 'configs', `tmp-${process.pid}-${scratchDirs.length}`);
  scratchDirs.push(dir);
  await vscode.workspace.fs.createDirectory(dir);
  const out: vscode.Uri[] = [];
  for (const n of names) {
    const [from, name] = typeof n === 'string' ? [n, n] : n;
    const to = vscode.Uri.joinPath(dir, name);
    await vscode.workspace.fs.copy(fixture(from), to, { overwrite: true });
    out.push(to);
  }
  return out;
}

async function fixtureTexts(): Promise<Map<string, string>> {
  const dir = vscode.Uri.joinPath(vscode.Uri.file(workspaceRoot()), 'configs');
  const out = new Map<string, string>();
  for (const [name, type] of await vscode.workspace.fs.readDirectory(dir)) {
    if (type === vscode.FileType.File) out.set(name, new TextDecoder().decode(await vscode.workspace.fs.readFile(vscode.Uri.joinPath(dir, name))));
  }
  return out;
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
  const root = vscode.Uri.file(workspaceRoot()).toString();
  for (const doc of vscode.workspace.textDocuments.filter((d) => d.isDirty && d.uri.toString().startsWith(root))) {
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

function textDocument(uri: vscode.Uri): vscode.TextDocument {
  const d = vscode.workspace.textDocuments.find((t) => t.uri.toString() === uri.toString());
  assert.ok(d, `${uri.path} is not open`);
  return d;
}

interface Description { isConfig: boolean; framework: string; reason: string; overridden: boolean; statusText: string; issueCount: number }
const describe = (uri: vscode.Uri) => vscode.commands.executeCommand<Description>('llmTraining.config.describe', uri);

suite('config validation', () => {
  let before: Map<string, string>;
  suiteSetup(async () => { await activeExtension(); before = await fixtureTexts(); });
  teardown(closeAll);
  suiteTeardown(async () => {
    for (const d of scratchDirs) await vscode.workspace.fs.delete(d, { recursive: true, useTrash: false }).then(undefined, () => undefined);
    const after = await fixtureTexts();
    const changed = [...before].filter(([n, t]) => after.get(n) !== t).map(([n]) => n);
    assert.deepEqual(changed, [], 'the suite changed fixture files on disk');
  });

  test('a misspelt key gets an unknown-key warning on exactly the key', async () => {
    const { document: doc } = await open('axolotl-lora-1b-typo.yml');
    const ds = await diagnosticsWhere(doc.uri, 'the unknown-key diagnostic', (d) => d.some((x) => codeOf(x) === 'unknown-key'));
    const d = ds.find((x) => codeOf(x) === 'unknown-key')!;
    assert.deepEqual(rangeOf(d.range), [38, 0, 38, 15]);
    assert.equal(doc.getText(d.range), 'micro_batchsize');
    assert.equal(d.severity, vscode.DiagnosticSeverity.Warning);
    assert.match(d.message, /Did you mean `micro_batch_size`\?/);
    // With micro_batch_size misspelt, Axolotl also lacks a second batch-size field: reported on the one present.
    assert.deepEqual(ds.map((x) => codeOf(x)).sort(), ['batch-size-fields', 'unknown-key'], ds.map((x) => x.message).join(' | '));
  });

  test('the preferred quick fix renames the key and the diagnostic goes away', async () => {
    const [copy] = await scratch('axolotl-lora-1b-typo.yml');
    const { document: doc } = await open(copy!);
    const ds = await diagnosticsWhere(doc.uri, 'the unknown-key diagnostic', (x) => x.some((y) => codeOf(y) === 'unknown-key'));
    const d = ds.find((y) => codeOf(y) === 'unknown-key')!;
    const actions = await vscode.commands.executeCommand<vscode.CodeAction[]>('vscode.executeCodeActionProvider', doc.uri, d.range, vscode.CodeActionKind.QuickFix.value);
    const fix = actions.find((a) => a.title === 'Change to `micro_batch_size`');
    assert.ok(fix, `no rename fix among: ${actions.map((a) => a.title).join(', ')}`);
    assert.equal(fix.isPreferred, true);
    assert.ok(fix.edit, 'the fix carries a WorkspaceEdit');
    assert.equal(await vscode.workspace.applyEdit(fix.edit), true);
    assert.equal(doc.lineAt(38).text, 'micro_batch_size: 2');
    await diagnosticsWhere(doc.uri, 'no diagnostics after the fix', (x) => x.length === 0);
  });

  test('"Turn off rule" writes the workspace setting and the diagnostic goes away', async () => {
    const { document: doc } = await open('axolotl-lora-1b-typo.yml');
    const ds = await diagnosticsWhere(doc.uri, 'the unknown-key diagnostic', (x) => x.some((y) => codeOf(y) === 'unknown-key'));
    const d = ds.find((y) => codeOf(y) === 'unknown-key')!;
    const actions = await vscode.commands.executeCommand<vscode.CodeAction[]>('vscode.executeCodeActionProvider', doc.uri, d.range, vscode.CodeActionKind.QuickFix.value);
    const off = actions.find((a) => a.title === 'Turn off rule "unknown-key" in this workspace');
    assert.ok(off?.command, `actions: ${actions.map((a) => a.title).join(', ')}`);
    assert.notEqual(off.isPreferred, true);
    const settingsDir = vscode.Uri.joinPath(vscode.Uri.file(workspaceRoot()), '.vscode');
    const hadSettingsDir = await vscode.workspace.fs.stat(settingsDir).then(() => true, () => false);
    const cfg = () => vscode.workspace.getConfiguration('llmTraining.validation', doc.uri);
    try {
      await vscode.commands.executeCommand(off.command.command, ...(off.command.arguments ?? []));
      assert.deepEqual(cfg().inspect('rules')?.workspaceFolderValue, { 'unknown-key': 'off' });
      await diagnosticsWhere(doc.uri, 'unknown-key gone', (x) => !x.some((y) => codeOf(y) === 'unknown-key'));
      assert.ok(ours(doc.uri).some((y) => codeOf(y) === 'batch-size-fields'), 'other rules still report');
    } finally {
      await cfg().update('rules', undefined, vscode.ConfigurationTarget.WorkspaceFolder);
      if (!hadSettingsDir) await vscode.workspace.fs.delete(settingsDir, { recursive: true, useTrash: false }).then(undefined, () => undefined);
    }
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

  test('JSON: our hover where no schema is contributed, the JSON language server\'s where one is', async () => {
    // Same DeepSpeed config under a name that no jsonValidation pattern claims (detected from its keys).
    const [plain] = await scratch(['ds_config_two_gpu.json', 'offload-settings.json']);
    const { document: doc } = await open(plain!);
    await waitFor('DeepSpeed detection', async () => (await describe(doc.uri)).framework === 'deepspeed' || undefined);
    const at = find(doc, '"stage"').start.translate(0, 2);
    const texts = async (d: vscode.TextDocument) => (await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', d.uri, at))
      .flatMap((h) => h.contents.map((c) => (typeof c === 'string' ? c : c.value)));
    const mine = (await texts(doc)).filter((t) => t.includes('**stage** — DeepSpeed'));
    assert.equal(mine.length, 1, 'our hover on a DeepSpeed JSON without a contributed schema');
    const { document: covered } = await open('ds_config_two_gpu.json');
    assert.equal(covered.getText(new vscode.Range(at, at.translate(0, 3))), doc.getText(new vscode.Range(at, at.translate(0, 3))));
    // The JSON language server loads schemas/deepspeed.schema.json (package.json jsonValidation) and shows its description.
    const served = await waitFor('the JSON language server\'s schema hover', async () => { const t = await texts(covered); return t.some((x) => x.includes('ZeRO stage')) ? t : undefined; }, 20_000);
    assert.deepEqual(served.filter((t) => t.includes('**stage** — DeepSpeed')), [], 'no second hover of ours where the JSON language server has our schema');
  });

  test('completion offers a missing key and the values of an enum key', async () => {
    const [copy] = await scratch('axolotl-lora-1b.yml');
    const { document: doc } = await open(copy!);
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
    // Issue 15: the status bar names the release the checks assume (the Axolotl key table's).
    assert.equal(desc.statusText, '$(beaker) Axolotl 0.18.0 $(pinned)');
    const ds = await diagnosticsWhere(doc.uri, 'Axolotl rules on the mkdocs file', (x) => x.some((y) => codeOf(y) === 'unknown-key'));
    assert.deepEqual(rangeOf(ds.find((y) => doc.getText(y.range) === 'site_name')!.range), [2, 0, 2, 9]);

    desc = await vscode.commands.executeCommand<Description>('llmTraining.setConfigFramework', doc.uri, 'auto');
    assert.equal(desc.isConfig, false);
    assert.equal(desc.overridden, false);
    await diagnosticsWhere(doc.uri, 'diagnostics gone after Auto-detect', (x) => x.length === 0);
  });

  test('llmTraining.validation.frameworkAssociations makes a glob a framework; a per-file choice still wins', async () => {
    const { document: doc } = await open('not-a-config.yaml');
    const cfg = vscode.workspace.getConfiguration('llmTraining.validation');
    try {
      await cfg.update('frameworkAssociations', { '**/configs/not-a-config.yaml': 'axolotl' }, vscode.ConfigurationTarget.Global);
      const desc = await waitFor('the association to apply', async () => { const d = await describe(doc.uri); return d.isConfig ? d : undefined; });
      assert.equal(desc.framework, 'axolotl');
      assert.equal(desc.overridden, false);
      assert.match(desc.reason, /frameworkAssociations/);
      await diagnosticsWhere(doc.uri, 'Axolotl rules via the association', (x) => x.some((y) => codeOf(y) === 'unknown-key'));
      const none = await vscode.commands.executeCommand<Description>('llmTraining.setConfigFramework', doc.uri, 'unknown');
      assert.equal(none.isConfig, false);
      assert.deepEqual(ours(doc.uri), []);
    } finally {
      await vscode.commands.executeCommand('llmTraining.setConfigFramework', doc.uri, 'auto');
      await cfg.update('frameworkAssociations', undefined, vscode.ConfigurationTarget.Global);
    }
    await waitFor('detection back', async () => !(await describe(doc.uri)).isConfig || undefined);
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

  test('a YAML naming a DeepSpeed JSON with another per-GPU batch gets ds-mismatch pointing into the JSON', async () => {
    const { document: doc } = await open('llamafactory-sft-ds.yaml');
    const ds = await diagnosticsWhere(doc.uri, 'ds-mismatch', (x) => x.some((y) => codeOf(y) === 'ds-mismatch'));
    const d = ds.find((y) => codeOf(y) === 'ds-mismatch')!;
    assert.equal(d.severity, vscode.DiagnosticSeverity.Error);
    assert.deepEqual(rangeOf(d.range), [29, 29, 29, 30]);
    assert.equal(doc.lineAt(29).text.slice(0, 30), 'per_device_train_batch_size: 1');
    assert.equal(d.relatedInformation?.length, 1);
    const rel = d.relatedInformation![0]!;
    assert.equal(rel.location.uri.toString(), fixture('ds_config_two_gpu.json').toString());
    assert.deepEqual(rangeOf(rel.location.range), [1, 36, 1, 37]);
    const json = await vscode.workspace.openTextDocument(rel.location.uri);
    assert.equal(json.getText(rel.location.range), '2');
  });

  // Issue 15: `accelerate launch --config_file A ... B.yaml` in tasks.json makes A and B one launch. The handbook's
  // zero3.yaml with `gradient_accumulation_steps: 4` added under deepspeed_config (as `accelerate config` writes it)
  // against the zephyr SFT recipe (gradient_accumulation_steps: 1): the Trainer's fill_match refuses the mismatch.
  test('a tasks.json accelerate launch pairs the Accelerate config with the training config: launch-mismatch with related information', async () => {
    const [sft, acc] = await scratch('hf-zephyr-sft-full.yaml', 'accelerate-zero3.yaml');
    const accText = new TextDecoder().decode(await vscode.workspace.fs.readFile(acc!)).replace('  zero_stage: 3\n', '  zero_stage: 3\n  gradient_accumulation_steps: 4\n');
    await vscode.workspace.fs.writeFile(acc!, new TextEncoder().encode(accText));
    const root = vscode.Uri.file(workspaceRoot());
    const rel = (u: vscode.Uri) => u.path.slice(root.path.replace(/\/+$/, '').length + 1);
    const tasks = vscode.Uri.joinPath(root, '.vscode', 'tasks.json');
    await vscode.workspace.fs.writeFile(tasks, new TextEncoder().encode(JSON.stringify({ version: '2.0.0', tasks: [{ label: 'sft', type: 'shell', command: `accelerate launch --config_file ${rel(acc!)} scripts/run_sft.py ${rel(sft!)}` }] })));
    try {
      const { document: doc } = await open(sft!);
      const ds = await diagnosticsWhere(doc.uri, 'launch-mismatch', (x) => x.some((y) => codeOf(y) === 'launch-mismatch'));
      const d = ds.find((y) => codeOf(y) === 'launch-mismatch')!;
      assert.equal(d.severity, vscode.DiagnosticSeverity.Error);
      assert.equal(doc.lineAt(d.range.start.line).text, 'gradient_accumulation_steps: 1');
      assert.equal(d.relatedInformation?.length, 1);
      assert.equal(d.relatedInformation![0]!.location.uri.toString(), acc!.toString());
      const accDoc = await vscode.workspace.openTextDocument(acc!);
      assert.equal(accDoc.getText(d.relatedInformation![0]!.location.range), 'gradient_accumulation_steps: 4');
    } finally {
      await vscode.workspace.fs.delete(vscode.Uri.joinPath(root, '.vscode'), { recursive: true, useTrash: false });
    }
  });

  // Issue 15, "References whose launch directory is unknown": the DeepSpeed JSON the YAML names is not next to it nor
  // above it: a warning saying where it looked. A tasks.json task that runs the YAML from its own folder (options.cwd)
  // makes that the launch directory: an error naming the task. The JSON copied there: no finding.
  test('a missing DeepSpeed JSON: warning without a launch directory, error in the cwd of the tasks.json task that runs the config', async () => {
    const [yaml] = await scratch('llamafactory-sft-ds.yaml');
    const root = vscode.Uri.file(workspaceRoot());
    const dir = vscode.Uri.joinPath(yaml!, '..');
    // The deepspeed: line (the fixture's dataset_dir, also missing here, has its own missing-reference).
    const missing = (x: vscode.Diagnostic[]) => x.filter((y) => codeOf(y) === 'missing-reference' && y.range.start.line === 9);
    const { document: doc } = await open(yaml!);
    const w = missing(await diagnosticsWhere(doc.uri, 'missing-reference warning', (x) => missing(x).length === 1));
    assert.equal(w[0]!.severity, vscode.DiagnosticSeverity.Warning);
    assert.deepEqual(rangeOf(w[0]!.range), [9, 11, 9, 33]);
    assert.match(w[0]!.message, /^DeepSpeed config ds_config_two_gpu\.json not found from the config's folder or the folders above it \(looked at /);
    // Its dataset_dir (checked for existence only) likewise.
    const dataDir = (x: vscode.Diagnostic[]) => x.filter((y) => codeOf(y) === 'missing-reference' && y.range.start.line === 13);
    assert.deepEqual(dataDir(ours(doc.uri)).map((y) => [y.severity, ...rangeOf(y.range)]), [[vscode.DiagnosticSeverity.Warning, 13, 13, 13, 17]]);
    const tasks = vscode.Uri.joinPath(root, '.vscode', 'tasks.json');
    await vscode.workspace.fs.writeFile(tasks, new TextEncoder().encode(JSON.stringify({ version: '2.0.0', tasks: [{ label: 'train', type: 'shell', command: 'llamafactory-cli train llamafactory-sft-ds.yaml', options: { cwd: dir.fsPath } }] })));
    try {
      const e = missing(await diagnosticsWhere(doc.uri, 'missing-reference error', (x) => missing(x).some((y) => y.severity === vscode.DiagnosticSeverity.Error)));
      assert.deepEqual(rangeOf(e[0]!.range), [9, 11, 9, 33]);
      assert.equal(e[0]!.message, `DeepSpeed config not found: ds_config_two_gpu.json is not in the launch directory ${dir.path} (${dir.path}/ds_config_two_gpu.json) (the launch directory given by tasks.json task "train"). Training stops at start-up when it opens this file.`);
      assert.deepEqual(dataDir(ours(doc.uri)).map((y) => y.severity), [vscode.DiagnosticSeverity.Error]);
      assert.match(dataDir(ours(doc.uri))[0]!.message, /^dataset_info\.json of dataset_dir not found: data \(data\/dataset_info\.json\) is not in the launch directory /);
      await vscode.workspace.fs.copy(fixture('ds_config_two_gpu.json'), vscode.Uri.joinPath(dir, 'ds_config_two_gpu.json'));
      await diagnosticsWhere(doc.uri, 'no missing-reference', (x) => missing(x).length === 0);
    } finally {
      await vscode.workspace.fs.delete(vscode.Uri.joinPath(root, '.vscode'), { recursive: true, useTrash: false });
    }
  });

  test('editing the referenced JSON in an editor re-validates the YAML, reverting brings the error back', async () => {
    const [yaml, json] = await scratch('llamafactory-sft-ds.yaml', 'ds_config_two_gpu.json');
    const { document: doc } = await open(yaml!);
    // The fixture's dataset_dir is not in the workspace either: a missing-reference warning comes first.
    const d = (await diagnosticsWhere(doc.uri, 'ds-mismatch', (x) => x.some((y) => codeOf(y) === 'ds-mismatch'))).find((y) => codeOf(y) === 'ds-mismatch');
    assert.equal(d!.relatedInformation![0]!.location.uri.toString(), json!.toString());
    const jsonEditor = await open(json!);
    await replaceText(jsonEditor.document, d!.relatedInformation![0]!.location.range, '1');
    await diagnosticsWhere(doc.uri, 'ds-mismatch gone after the JSON edit', (x) => !x.some((y) => codeOf(y) === 'ds-mismatch'));
    await vscode.window.showTextDocument(jsonEditor.document);
    await vscode.commands.executeCommand('workbench.action.files.revert');
    assert.equal(jsonEditor.document.isDirty, false);
    await diagnosticsWhere(doc.uri, 'ds-mismatch back after revert', (x) => x.some((y) => codeOf(y) === 'ds-mismatch'));
  });

  test('the cross-file quick fix edits the JSON and clears the YAML error', async () => {
    const [yaml, jsonUri] = await scratch('llamafactory-sft-ds.yaml', 'ds_config_two_gpu.json');
    const { document: doc } = await open(yaml!);
    const d = (await diagnosticsWhere(doc.uri, 'ds-mismatch', (x) => x.some((y) => codeOf(y) === 'ds-mismatch'))).find((y) => codeOf(y) === 'ds-mismatch');
    const actions = await vscode.commands.executeCommand<vscode.CodeAction[]>('vscode.executeCodeActionProvider', doc.uri, d!.range, vscode.CodeActionKind.QuickFix.value);
    const fix = actions.find((a) => a.title.startsWith('Set train_micro_batch_size_per_gpu to "auto"'));
    assert.ok(fix?.edit, `no cross-file fix among: ${actions.map((a) => a.title).join(', ')}`);
    assert.deepEqual(fix.edit.entries().map(([u]) => u.toString()), [jsonUri!.toString()]);
    assert.equal(await vscode.workspace.applyEdit(fix.edit), true);
    const json = textDocument(jsonUri!);
    assert.equal(json.lineAt(1).text.trim(), '"train_micro_batch_size_per_gpu": "auto",');
    await diagnosticsWhere(doc.uri, 'ds-mismatch gone after the fix', (x) => !x.some((y) => codeOf(y) === 'ds-mismatch'));
  });

  test('a change to the referenced JSON on disk re-validates the YAML (file watcher)', async () => {
    const [yamlUri, jsonUri] = await scratch('llamafactory-sft-ds.yaml', 'ds_config_two_gpu.json');
    const jsonText = new TextDecoder().decode(await vscode.workspace.fs.readFile(jsonUri!));
    await open(yamlUri!);
    await diagnosticsWhere(yamlUri!, 'ds-mismatch', (x) => x.some((y) => codeOf(y) === 'ds-mismatch'));
    const fixed = jsonText.replace('"train_micro_batch_size_per_gpu": 2,', '"train_micro_batch_size_per_gpu": 1,');
    assert.notEqual(fixed, jsonText);
    await vscode.workspace.fs.writeFile(jsonUri!, new TextEncoder().encode(fixed));
    await diagnosticsWhere(yamlUri!, 'ds-mismatch gone after the JSON changed on disk', (x) => !x.some((y) => codeOf(y) === 'ds-mismatch'), 20_000);
    await vscode.workspace.fs.writeFile(jsonUri!, new TextEncoder().encode(jsonText));
    await diagnosticsWhere(yamlUri!, 'ds-mismatch back after the old JSON came back', (x) => x.some((y) => codeOf(y) === 'ds-mismatch'), 20_000);
    await vscode.workspace.fs.delete(jsonUri!);
    const missing = await diagnosticsWhere(yamlUri!, 'a diagnostic on the path once the JSON is deleted', (x) => x.some((y) => textDocument(yamlUri!).getText(y.range).includes('ds_config_two_gpu.json')), 20_000);
    assert.ok(!missing.some((y) => codeOf(y) === 'ds-mismatch'));
  });

  test('CodeLens shows the effective batch size and the setting hides it', async () => {
    const { document: doc } = await open('llamafactory-sft-ds.yaml');
    await diagnosticsWhere(doc.uri, 'validation done', (x) => x.length > 0);
    const lenses = await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', doc.uri);
    const batch = lenses.find((l) => l.command?.title.startsWith('Effective batch'));
    assert.ok(batch, `lenses: ${lenses.map((l) => l.command?.title).join(' | ')}`);
    assert.equal(batch.command!.title, 'Effective batch: 1 × 8 = 8 per GPU (× number of GPUs)');
    assert.equal(batch.range.start.line, 29);
    const cfg = vscode.workspace.getConfiguration('llmTraining.validation');
    try {
      await cfg.update('codeLens', false, vscode.ConfigurationTarget.Global);
      const none = await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', doc.uri);
      assert.deepEqual(none.filter((l) => l.command?.title.startsWith('Effective batch')), []);
    } finally {
      await cfg.update('codeLens', undefined, vscode.ConfigurationTarget.Global);
    }
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
      assert.equal(ds.filter((y) => codeOf(y) === 'unknown-key').length, 1);
      assert.equal(ds.find((y) => codeOf(y) === 'batch-size-fields')?.severity, vscode.DiagnosticSeverity.Error, 'other rules keep their own severity');
    } finally {
      await cfg.update('rules', undefined, vscode.ConfigurationTarget.Global);
    }
  });
});
