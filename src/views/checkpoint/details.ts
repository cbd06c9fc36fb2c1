/**
 * The checkpoint details webview: a read-only custom editor for weight files and a panel for folders, both on `WebviewHost`. Only headers are read, through
 * the FilesService (local or `llmtraining-remote:`), so a 200 GB file opens as fast as a 1 MB one.
 */
import * as vscode from 'vscode';
import { inspectCheckpoint } from '../../core/checkpoint/index';
import { layerPrefix } from '../../core/checkpoint/summary';
import type { CheckpointIn, CheckpointOut } from '../../shared/protocol/checkpoint';
import type { FilesService } from '../files';
import { locationOf } from '../files';
import { WebviewHost, surfaceOf } from '../webviewHost';
import { parseCheckpointMessage } from './messages';

/** What the details views need; `states` (tests) gets each open view's current message by its URI. */
export interface DetailsCtx { extensionUri: vscode.Uri; files: FilesService; log: vscode.LogOutputChannel; states?: Map<string, () => CheckpointOut> }

/** Hosts one details webview for the checkpoint at `uri` (file or folder). */
export function hostCheckpointDetails(panel: vscode.WebviewPanel, uri: vscode.Uri, ctx: DetailsCtx): WebviewHost<CheckpointIn, CheckpointOut> {
  const loc = locationOf(uri);
  const title = `${loc.host === 'local' ? '' : `${loc.host}:`}${loc.path}`;
  let state: CheckpointOut = { type: 'loading', title };
  const load = async (): Promise<void> => {
    try {
      const { files, path } = await ctx.files.forUri(uri);
      const report = await inspectCheckpoint(files, path);
      state = { type: 'snapshot', title, report, groups: report.tensors.map((t) => layerPrefix(t.name)) };
    } catch (e) {
      state = { type: 'error', title, message: (e as Error).message };
      ctx.log.warn(`checkpoint details: ${(e as Error).message}`);
    }
    await host.refresh();
  };
  const host: WebviewHost<CheckpointIn, CheckpointOut> = new WebviewHost(surfaceOf(panel), ctx.extensionUri, {
    app: 'checkpoint',
    label: 'checkpoint details',
    parse: parseCheckpointMessage,
    snapshot: () => state,
    handlers: {
      refresh: () => { state = { type: 'loading', title }; void host.refresh(); void load(); },
      copy: (m) => { void vscode.env.clipboard.writeText(m.text); },
    },
  }, ctx.log);
  ctx.states?.set(uri.toString(), () => state);
  panel.onDidDispose(() => { if (ctx.states?.get(uri.toString())) ctx.states.delete(uri.toString()); });
  void load();
  return host;
}

/**
 * The read-only custom editor. `viewType` is the default editor of names that are checkpoints whatever the folder
 * (`*.safetensors`, `*.gguf`, `*.pt`, `*.pth`, `pytorch_model*.bin`, `adapter_model*.bin`, `consolidated*.bin`,
 * `*.safetensors.index.json`, `pytorch_model*.bin.index.json`); `anyViewType` is the same editor offered under
 * "Open With…" only for any other `*.bin` / `*.index.json` (a `data.bin` or a tokenizer index keeps its usual editor).
 */
export class CheckpointEditorProvider implements vscode.CustomReadonlyEditorProvider {
  static readonly viewType = 'llmTraining.checkpoint';
  static readonly anyViewType = 'llmTraining.checkpoint.any';
  constructor(private readonly ctx: DetailsCtx) {}
  openCustomDocument(uri: vscode.Uri): vscode.CustomDocument { return { uri, dispose: () => undefined }; }
  resolveCustomEditor(document: vscode.CustomDocument, panel: vscode.WebviewPanel): void {
    hostCheckpointDetails(panel, document.uri, this.ctx);
  }
}

/** Opens the details of a folder (or file) in a panel. */
export function openDetailsPanel(uri: vscode.Uri, ctx: DetailsCtx): void {
  const name = uri.path.split('/').filter(Boolean).pop() ?? uri.path;
  const panel = vscode.window.createWebviewPanel('llmTraining.checkpointDetails', `Checkpoint: ${name}`, vscode.ViewColumn.Active, {});
  hostCheckpointDetails(panel, uri, ctx);
}
