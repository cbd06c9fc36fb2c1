/** "Check dataset" CodeLens on the config keys that name datasets (Axolotl, LLaMA-Factory, TRL/HF, torchtune). */
import * as vscode from 'vscode';
import { loadDatasetCore } from './core';
import { DATASET_COMMANDS } from './commands';
import { locationOf } from '../files';

/** Training configs, local or on an SSH host. */
export const DATASET_CONFIG_SELECTOR: vscode.DocumentSelector = ['yaml', 'json', 'jsonc'].flatMap((language) => ['file', 'llmtraining-remote'].map((scheme) => ({ language, scheme })));

export class DatasetCodeLensProvider implements vscode.CodeLensProvider {
  async provideCodeLenses(doc: vscode.TextDocument): Promise<vscode.CodeLens[]> {
    const text = doc.getText();
    // Cheap pre-filter: only configs that mention a dataset key load the core.
    if (!/^\s*-?\s*(datasets|dataset|dataset_name|eval_dataset|test_datasets)\s*:|"(dataset|dataset_name|datasets)"\s*:/m.test(text)) return [];
    let path: string;
    try { path = locationOf(doc.uri).path; } catch { return []; }
    const core = await loadDatasetCore();
    const settings = core.datasetsInConfig(text, path);
    if (!settings) return [];
    return settings.datasets.map((d, i) => new vscode.CodeLens(new vscode.Range(d.range.start.line, d.range.start.character, d.range.end.line, d.range.end.character), {
      title: settings.datasets.filter((x) => x.key === d.key).length > 1 ? `Check dataset ${d.name}` : 'Check dataset',
      tooltip: `Check ${d.name}: format${d.declared ? ` (${d.declared})` : ''}, bad rows, duplicates, token lengths vs ${settings.limit ? `${settings.limit.key} ${settings.limit.value}` : 'the limit'}`,
      command: DATASET_COMMANDS.checkFromConfig,
      arguments: [doc.uri.toString(), i],
    }));
  }
}
