// Checkpoint browser in a real VS Code extension host: the Checkpoints tree over a trainer run written by real torch
// (steps, eval metric, best badge, resourceUri), the read-only custom editor (default only for checkpoint file names),
// copy path, compare, the loss-curve action, delete (modal answered through the harness's UI bridge), reveal, and the
// DeepSpeed resume check (diagnostic in a training config; the Launch Run modal).
import * as assert from 'node:assert/strict';
import { cpSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as vscode from 'vscode';
import type { ExtensionApi } from '../../src/extension';
import type { CheckpointNode } from '../../src/views/checkpoint';
import { makeCheckpoints } from '../fixtures/checkpoint/build';
import { activeExtension, hasUiBridge, uiBridge, waitFor, workspaceRoot } from './helpers';

const customTab = (uri: vscode.Uri): vscode.Tab | undefined => vscode.window.tabGroups.all.flatMap((g) => g.tabs)
  .find((t) => (t.input instanceof vscode.TabInputCustom || t.input instanceof vscode.TabInputText) && t.input.uri.toString() === uri.toString());

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
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    rmSync(join(workspaceRoot(), '.ckpt-reveal-test'), { recursive: true, force: true });
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

  test('the Checkpoints view shows a new checkpoint-N of a watched folder while visible, polls not while hidden, and catches up when shown', async function () {
    if (!hasUiBridge()) this.skip(); // the rows are read from the workbench page (scripts/test-vscode.mjs bridge)
    const dir = join(T, 'watched');
    cpSync(join(T, 'run'), dir, { recursive: true });
    const cfg = vscode.workspace.getConfiguration('llmTraining.checkpoints');
    await cfg.update('refreshIntervalSeconds', 2, vscode.ConfigurationTarget.Global);
    let refreshes = 0;
    const sub = api.checkpoints.onDidChangeTreeData(() => { refreshes++; });
    const polling = (): Thenable<boolean> => vscode.commands.executeCommand<boolean>('llmTraining.checkpoints.pollingForTests');
    const rows = async (): Promise<{ visible: boolean; rows: string[] }> => uiBridge<{ visible: boolean; rows: string[] }>({ action: 'treeRows', view: 'Checkpoints' });
    const shows = (name: string) => async (): Promise<boolean> => (await rows()).rows.some((r) => new RegExp(`(^|[^\\w-])${name}([^\\w-]|$)`).test(r));
    try {
      await vscode.commands.executeCommand('llmTraining.checkpoints.addFolder', dir);
      await vscode.commands.executeCommand('llmTraining.checkpoints.focus');
      await waitFor('the view to poll', async () => await polling(), 20_000);
      await waitFor('checkpoint-30 in the view', shows('checkpoint-30'), 30_000);
      assert.equal(await shows('checkpoint-50')(), false);
      // A new checkpoint is written while the view is open: no refresh command, no getChildren call from here.
      // A poll that fired just before the copy may list the folder just after it (VS Code asks for the children
      // asynchronously), so the row can show before any event counted from here: the claim checked is that the
      // row shows with no command from the test, and that the view keeps polling (another event within 2 periods).
      refreshes = 0;
      cpSync(join(dir, 'checkpoint-30'), join(dir, 'checkpoint-50'), { recursive: true });
      await waitFor('checkpoint-50 in the view', shows('checkpoint-50'), 30_000);
      await waitFor('a poll while visible', () => refreshes >= 1, 10_000);
      // Hidden (another view container): the timer stops, and nothing re-reads the folder.
      await vscode.commands.executeCommand('workbench.view.explorer');
      await waitFor('the view to be hidden', async () => !(await rows()).visible, 20_000);
      await waitFor('the poll to stop (the visibility change reaches the extension host)', async () => !(await polling()), 20_000);
      refreshes = 0;
      cpSync(join(dir, 'checkpoint-30'), join(dir, 'checkpoint-60'), { recursive: true });
      await new Promise((r) => setTimeout(r, 5_000)); // 2.5 periods of 2 s in which a poll would have fired
      assert.equal(refreshes, 0, 'no re-read while hidden');
      // Shown again: re-read (onShow, then the poll), and polling again.
      await vscode.commands.executeCommand('llmTraining.checkpoints.focus');
      await waitFor('checkpoint-60 in the view', shows('checkpoint-60'), 30_000);
      assert.equal(await polling(), true);
    } finally {
      sub.dispose();
      await cfg.update('refreshIntervalSeconds', undefined, vscode.ConfigurationTarget.Global);
      await api.checkpoints.removeFolder({ host: 'local', path: dir });
    }
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

  test('*.bin / *.index.json: a data.bin opens as usual, a model.safetensors.index.json in the checkpoint editor', async () => {
    const data = vscode.Uri.file(join(T, 'data.bin'));
    writeFileSync(data.fsPath, Buffer.from([0, 1, 2, 3, 255, 0, 7]));
    await vscode.commands.executeCommand('vscode.open', data);
    const dataTab = await waitFor('the data.bin tab', () => customTab(data), 30_000);
    assert.ok(dataTab.input instanceof vscode.TabInputText, `data.bin opened in ${(dataTab.input as { viewType?: string }).viewType}`);
    const index = vscode.Uri.file(join(T, 'sharded', 'model.safetensors.index.json'));
    await vscode.commands.executeCommand('vscode.open', index);
    const indexTab = await waitFor('the index tab', () => customTab(index), 30_000);
    assert.equal((indexTab.input as vscode.TabInputCustom).viewType, 'llmTraining.checkpoint');
    const state = await waitFor('the index details to load', async () => {
      const s = await vscode.commands.executeCommand<{ type: string; report?: { format: string; tensors: unknown[] } }>('llmTraining.checkpoints.detailsState', index.toString());
      return s?.type === 'snapshot' ? s : undefined;
    }, 30_000);
    assert.equal(state.report?.format, 'safetensors-sharded');
    assert.equal(state.report?.tensors.length, 21); // tiny_llama's 20 + the untied lm_head
  });

  test('the loss-curve action charts the newest trainer_state.json of a run (its whole log_history)', async () => {
    const root = { kind: 'root', loc: { host: 'local', path: join(T, 'run') }, label: 'run', source: 'user' };
    const charted = await vscode.commands.executeCommand<string>('llmTraining.checkpoints.showLossCurve', root);
    assert.equal(charted, vscode.Uri.file(join(T, 'run', 'checkpoint-30', 'trainer_state.json')).toString());
    await waitFor('the loss-curve tab', () => vscode.window.tabGroups.all.flatMap((g) => g.tabs).find((t) => t.label === 'Loss: trainer_state.json'), 30_000);
    const history = (JSON.parse(readFileSync(join(T, 'run', 'checkpoint-30', 'trainer_state.json'), 'utf8')) as { log_history: { step: number }[] }).log_history;
    assert.deepEqual(history.map((e) => e.step), [5, 10, 15, 20, 25, 30], 'the newest state holds every logged step');
  });

  test('delete asks first: with the modal refused (as the test workbench does) nothing is deleted; the accepted delete is in test/ui/checkpoint.ui.ts', async () => {
    // Extension tests run with a workbench that refuses every modal (DialogService in tests): the delete never starts.
    cpSync(join(T, 'run', 'checkpoint-30'), join(T, 'run', 'checkpoint-40'), { recursive: true });
    const root = (await api.checkpoints.getChildren()).find((n) => n.kind === 'root' && n.loc.path === join(T, 'run'))!;
    const victim = (await api.checkpoints.getChildren(root)).find((n) => n.kind === 'checkpoint' && n.entry.step === 40)!;
    assert.ok(victim, 'checkpoint-40 listed');
    assert.equal(await vscode.commands.executeCommand('llmTraining.checkpoints.delete', victim), undefined);
    assert.ok(existsSync(join(T, 'run', 'checkpoint-40', 'model.safetensors')));
    rmSync(join(T, 'run', 'checkpoint-40'), { recursive: true, force: true });
  });

  test('reveal: a checkpoint inside the workspace is revealed in the Explorer', async () => {
    const dir = join(workspaceRoot(), '.ckpt-reveal-test', 'checkpoint-5');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'trainer_state.json'), '{"global_step": 5, "log_history": []}');
    const node = { kind: 'checkpoint', loc: { host: 'local', path: dir }, root: { host: 'local', path: join(workspaceRoot(), '.ckpt-reveal-test') }, entry: { path: dir, best: false, kind: 'checkpoint', step: 5 } };
    assert.equal(await vscode.commands.executeCommand('llmTraining.checkpoints.reveal', node), 'explorer');
    if (hasUiBridge()) {
      const state = await uiBridge<{ notifications: string[] }>({ action: 'state' });
      assert.ok(!state.notifications.some((t) => /revealInExplorer|not found/.test(t)), `an error was shown: ${state.notifications.join(' | ')}`);
    }
  });

  test('a training config resuming a DeepSpeed save with another ZeRO stage gets an error on resume_from_checkpoint', async () => {
    writeFileSync(join(T, 'ds_z3.json'), JSON.stringify({ zero_optimization: { stage: 3 }, train_batch_size: 16, train_micro_batch_size_per_gpu: 2, gradient_accumulation_steps: 2 }));
    const cfg = join(T, 'sft_resume.yaml');
    writeFileSync(cfg, 'output_dir: out\nresume_from_checkpoint: ds\ndeepspeed: ds_z3.json\nlearning_rate: 1.0e-4\n');
    const doc = await vscode.workspace.openTextDocument(vscode.Uri.file(cfg));
    await vscode.window.showTextDocument(doc);
    const diags = await waitFor('the resume diagnostics', () => {
      const d = vscode.languages.getDiagnostics(doc.uri).filter((x) => x.code === 'deepspeed-resume');
      return d.length ? d : undefined;
    }, 60_000);
    assert.equal(diags.length, 2);
    assert.equal(doc.getText(diags[0].range), 'ds');
    assert.match(diags[0].message, /global_step20 was saved with ZeRO stage 2, the resume would use stage 3/);
    assert.match(diags[1].message, /holds 2 ZeRO partition\(s\) .*would start 4 process\(es\) \(train_batch_size/);
  });

  test('Launch Run: a resume that cannot work shows a modal first; one that matches, or no resume, goes on unasked', async () => {
    const plan = { args: { host: 'local', cwd: T, argv: ['torchrun', '--nproc_per_node', '4', 'train.py', '--deepspeed', 'ds_z3.json', '--resume_from_checkpoint', 'ds'] } };
    // The function Launch Run calls before launching, through its test hook (this bundle must not pull in ssh2).
    const confirm = (p: typeof plan) => vscode.commands.executeCommand<boolean>('llmTraining.checkpoints.confirmResumeForTests', p);
    // The test workbench refuses modals with an error that quotes them: the modal was about to ask.
    await assert.rejects(Promise.resolve(confirm(plan)), /refused to show dialog in tests\. Contents: The resume from .*\/ds will fail/);
    writeFileSync(join(T, 'ds_z2.json'), JSON.stringify({ zero_optimization: { stage: 2 } }));
    assert.equal(await confirm({ args: { ...plan.args, argv: ['torchrun', '--nproc_per_node', '2', 'train.py', '--deepspeed', 'ds_z2.json', '--resume_from_checkpoint', 'ds'] } }), true);
    assert.equal(await confirm({ args: { ...plan.args, argv: ['torchrun', '--nproc_per_node', '4', 'train.py', '--deepspeed', 'ds_z2.json'] } }), true, 'not a resume');
  });
});
