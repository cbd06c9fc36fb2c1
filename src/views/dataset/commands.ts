/**
 * The dataset feature's commands, ids in one table (rust-analyzer `createCommands` pattern), each a small factory
 * over the DatasetContext.
 */
import * as vscode from 'vscode';
import type { DatasetContext } from './context';
import type { PlanInput } from '../../core/dataset/plan';
import type { DatasetReport } from '../../core/dataset/types';
import { DatasetPanel } from './panel';
import { loadDatasetCore } from './core';
import { uriOf } from '../files';

export const DATASET_COMMANDS = {
  /** Palette and Explorer: check a .jsonl/.json/.parquet/.csv file. Arg: the file's Uri (Explorer), else the active editor's or a picked one. */
  check: 'llmTraining.checkDataset',
  /** CodeLens on a config's dataset key. Args: the config's Uri string and the dataset's index in `datasetsInConfig`. */
  checkFromConfig: 'llmTraining.dataset.checkFromConfig',
} as const;

const DATASET_FILE = /\.(jsonl|ndjson|json|parquet|csv|tsv)$/i;

/** Opens (or reuses) the panel for a dataset and runs the check; resolves to the report (undefined when it failed). */
export async function openDataset(ctx: DatasetContext, uri: vscode.Uri, input: PlanInput): Promise<DatasetReport | undefined> {
  const existing = ctx.panels.get(uri.toString());
  if (existing) { existing.reveal(); return existing.rerun(input); }
  const { files, path } = await ctx.files.forUri(uri);
  const panel = new DatasetPanel(ctx, uri, files, path, input);
  ctx.panels.set(uri.toString(), panel);
  return panel.run();
}

/** `llmTraining.checkDataset [uri]`. */
export function checkDatasetCommand(ctx: DatasetContext) {
  return async (arg?: vscode.Uri): Promise<DatasetReport | undefined> => {
    let uri = arg instanceof vscode.Uri ? arg : undefined;
    const active = vscode.window.activeTextEditor?.document.uri;
    if (!uri && active && DATASET_FILE.test(active.path)) uri = active;
    if (!uri) {
      const picked = await vscode.window.showOpenDialog({ canSelectMany: false, openLabel: 'Check dataset', filters: { Datasets: ['jsonl', 'ndjson', 'json', 'parquet', 'csv', 'tsv'] } });
      uri = picked?.[0];
    }
    if (!uri) return undefined;
    return openDataset(ctx, uri, {});
  };
}

/** `llmTraining.dataset.checkFromConfig(configUri, index)`: resolves the config's dataset, then checks it with the config. */
export function checkFromConfigCommand(ctx: DatasetContext) {
  return async (configUri: string | vscode.Uri, index: number): Promise<DatasetReport | undefined> => {
    const cfgUri = typeof configUri === 'string' ? vscode.Uri.parse(configUri) : configUri;
    const core = await loadDatasetCore();
    const doc = await vscode.workspace.openTextDocument(cfgUri);
    const { files, path: configPath, host } = await ctx.files.forUri(cfgUri);
    const settings = core.datasetsInConfig(doc.getText(), configPath);
    const d = settings?.datasets[index];
    if (!settings || !d) { void vscode.window.showWarningMessage('The config no longer names that dataset.'); return undefined; }
    const resolved = await core.resolveDataset(files, settings, d);
    if ('error' in resolved) { void vscode.window.showWarningMessage(`${d.key} ${d.name}: ${resolved.error}`); return undefined; }
    let spec = resolved.specs[0];
    if (resolved.specs.length > 1) {
      const pick = await vscode.window.showQuickPick(resolved.specs.map((s) => ({ label: s.path.split('/').pop()!, description: s.path, spec: s })), { title: `${d.name}: which file?` });
      if (!pick) return undefined;
      spec = pick.spec;
    }
    const input: PlanInput = { configPath, configText: doc.getText(), spec: { declared: spec.declared, declaredAs: spec.declaredAs, fields: spec.fields } };
    return openDataset(ctx, uriOf({ host, path: spec.path }), input);
  };
}
