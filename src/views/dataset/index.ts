/**
 * Dataset checks in the editor: "Check dataset" CodeLens on configs, "LLM Training: Check Dataset" (Explorer and
 * palette), live diagnostics on open JSONL files, and the dataset panel. Activation only registers; the core
 * (dist/datasetCore.js) loads with the first check.
 */
import * as vscode from 'vscode';
import type { FilesService } from '../files';
import { DatasetDiagnostics } from './diagnostics';
import { DatasetCodeLensProvider, DATASET_CONFIG_SELECTOR } from './codeLens';
import { DATASET_COMMANDS, checkDatasetCommand, checkFromConfigCommand } from './commands';
import type { DatasetContext } from './context';
import type { DatasetPanel } from './panel';
import { loadedDatasetCore } from './core';

export { DATASET_COMMANDS } from './commands';

/** What tests read: the open panels by URI. */
export interface DatasetApi { panels: Map<string, DatasetPanel>; diagnostics: vscode.DiagnosticCollection }

/** Registers the dataset feature; disposables go to `context.subscriptions`. */
export function registerDatasets(context: vscode.ExtensionContext, log: vscode.LogOutputChannel, files: FilesService): DatasetApi {
  const diagnostics = new DatasetDiagnostics(log);
  // A format has a label once a check has loaded the core (a report exists only then); activation does not load it.
  const formatLabel = (f: string): string => loadedDatasetCore()?.FORMATS.find((d) => d.id === f)?.label ?? f;
  const ctx: DatasetContext = { extensionUri: context.extensionUri, log, files, diagnostics, panels: new Map(), formatLabel };
  context.subscriptions.push(
    diagnostics,
    vscode.languages.registerCodeLensProvider(DATASET_CONFIG_SELECTOR, new DatasetCodeLensProvider()),
    vscode.commands.registerCommand(DATASET_COMMANDS.check, checkDatasetCommand(ctx)),
    vscode.commands.registerCommand(DATASET_COMMANDS.checkFromConfig, checkFromConfigCommand(ctx)),
    { dispose: () => { for (const p of ctx.panels.values()) p.dispose(); } },
  );
  return { panels: ctx.panels, diagnostics: diagnostics.collection };
}
