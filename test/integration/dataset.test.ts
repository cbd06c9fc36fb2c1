// Dataset checks in a real VS Code: the "Check dataset" CodeLens on an Axolotl config's datasets[].path, running it
// (the panel's check through the command), diagnostics on the lines of the open JSONL file, and the Explorer command.
// Fixtures: test/fixtures/workspace/datasets (built by test/fixtures/dataset/defects.ts; SOURCES.tsv there).
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { activeExtension, waitFor, workspaceRoot } from './helpers';
import { ALPACA_DEFECTS } from '../fixtures/dataset/defects';

interface Report { rows: number; format: string; problems: { line?: number; code: string; severity: string }[]; duplicates: { exact: number; near: number }; tokens: { limit?: number; dropped: number; overLimit: number; stepsPerEpoch?: number } | null }

const dir = (): vscode.Uri => vscode.Uri.joinPath(vscode.Uri.file(workspaceRoot()), 'datasets');
const codeOf = (d: vscode.Diagnostic): string => (typeof d.code === 'object' ? String(d.code.value) : String(d.code));

suite('dataset checks', () => {
  suiteTeardown(async () => { await vscode.commands.executeCommand('workbench.action.closeAllEditors'); });

  test('CodeLens "Check dataset" on datasets[].path runs the check with the config (type, sequence_len, batch, tokenizer)', async () => {
    await activeExtension();
    const cfg = vscode.Uri.joinPath(dir(), 'axolotl-sft.yml');
    await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(cfg));
    const lenses = await waitFor('the Check dataset lens', async () => {
      const ls = await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', cfg, 10);
      const mine = ls.filter((l) => l.command?.title === 'Check dataset');
      return mine.length ? mine : undefined;
    }, 30_000);
    assert.equal(lenses.length, 1);
    assert.equal(lenses[0].range.start.line, 5, 'on the `- path:` line of datasets[0]');
    assert.equal(lenses[0].command!.command, 'llmTraining.dataset.checkFromConfig');
    const report = await vscode.commands.executeCommand<Report>(lenses[0].command!.command, ...(lenses[0].command!.arguments ?? []));
    assert.ok(report, 'the check returned a report');
    assert.equal(report.rows, 71);
    assert.equal(report.format, 'alpaca');
    assert.deepEqual(report.problems.filter((p) => p.line !== undefined).map((p) => [p.line, p.code]), [[4, 'invalid-json'], [6, 'empty-field'], [7, 'wrong-type'], [8, 'missing-field'], [9, 'not-an-object']]);
    assert.deepEqual([report.duplicates.exact, report.duplicates.near], [1, 1]);
    assert.ok(report.tokens, 'the config\'s tokenizer_config was loaded');
    assert.equal(report.tokens.limit, 512);
    assert.ok(report.tokens.dropped > 0 && report.tokens.dropped === report.tokens.overLimit, 'Axolotl drops rows over sequence_len');
    assert.ok(report.tokens.stepsPerEpoch! > 0);
    await waitFor('the dataset panel tab', () => vscode.window.tabGroups.all.flatMap((g) => g.tabs).find((t) => t.label === 'Dataset: sft-defects.jsonl'), 15_000);
  });

  test('diagnostics on the lines of an open JSONL file, duplicates with the earlier line as related information', async () => {
    const uri = vscode.Uri.joinPath(dir(), 'sft-defects.jsonl');
    await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(uri));
    const ds = await waitFor('dataset diagnostics', () => { const d = vscode.languages.getDiagnostics(uri).filter((x) => x.source === 'LLM Training'); return d.length >= 7 ? d : undefined; }, 30_000);
    const at = (line: number): string[] => ds.filter((d) => d.range.start.line === line - 1).map(codeOf).sort();
    assert.deepEqual(at(4), ['invalid-json']);
    assert.deepEqual(at(6), ['empty-field']);
    assert.deepEqual(at(7), ['wrong-type']);
    assert.deepEqual(at(8), ['missing-field']);
    assert.deepEqual(at(9), ['not-an-object']);
    assert.deepEqual(at(3), ['duplicate']);
    assert.deepEqual(at(11), ['near-duplicate']);
    assert.equal(ALPACA_DEFECTS[11], 'near-duplicate-of-10');
    const dup = ds.find((d) => codeOf(d) === 'duplicate')!;
    assert.equal(dup.relatedInformation?.[0].location.range.start.line, 0);
    assert.equal(ds.find((d) => codeOf(d) === 'invalid-json')!.severity, vscode.DiagnosticSeverity.Error);
    assert.ok(ds.find((d) => codeOf(d) === 'invalid-json')!.range.end.character > 10, 'the whole line');
  });

  test('LLM Training: Check Dataset from the Explorer (a file URI) checks it without a config', async () => {
    const uri = vscode.Uri.joinPath(dir(), 'sft-defects.jsonl');
    const report = await vscode.commands.executeCommand<Report>('llmTraining.checkDataset', uri);
    assert.equal(report.rows, 71);
    assert.equal(report.tokens, null, 'no tokenizer without a config');
    assert.ok(report.problems.some((p) => p.code === 'no-tokenizer'));
  });
});
