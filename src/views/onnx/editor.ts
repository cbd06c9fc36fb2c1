/**
 * The ONNX model view: a read-only custom editor for `*.onnx` (local, or `llmtraining-remote:` on an SSH host) on the
 * shared WebviewHost. It reads the model's summary with `readOnnxModel` (no initializer data; bounded memory) and
 * shows inputs, outputs, opsets, producer, the op-type histogram, initializers and external data files.
 */
import * as vscode from 'vscode';
import { readOnnxModel } from '../../core/onnx/model';
import type { OnnxIn, OnnxOut } from '../../shared/protocol/onnx';
import type { FilesService } from '../files';
import { surfaceOf, WebviewHost } from '../webviewHost';
import { parseOnnxMessage } from './messages';

interface EditorCtx { extensionUri: vscode.Uri; files: FilesService; log: vscode.LogOutputChannel }

/** `llmTraining.onnx`: the custom editor provider. */
export class OnnxEditorProvider implements vscode.CustomReadonlyEditorProvider {
  static readonly viewType = 'llmTraining.onnx';
  constructor(private readonly ctx: EditorCtx) {}
  openCustomDocument(uri: vscode.Uri): vscode.CustomDocument { return { uri, dispose: () => undefined }; }
  resolveCustomEditor(document: vscode.CustomDocument, panel: vscode.WebviewPanel): void {
    hostOnnxView(panel, document.uri, this.ctx);
  }
}

/** Hosts the model view of `uri` in `panel`; returns the host (tests read it). */
export function hostOnnxView(panel: vscode.WebviewPanel, uri: vscode.Uri, ctx: EditorCtx): WebviewHost<OnnxIn, OnnxOut> {
  let state: Promise<OnnxOut> | undefined;
  const load = (): Promise<OnnxOut> => (state = (async () => {
    const { files, path, host } = await ctx.files.forUri(uri);
    const t0 = performance.now();
    try {
      const summary = await readOnnxModel(files, path);
      const parseMs = Math.round(performance.now() - t0);
      ctx.log.info(`ONNX model view: read ${host}:${path} in ${parseMs} ms`);
      return { type: 'snapshot', host, path, summary, parseMs } as const;
    } catch (e) {
      return { type: 'error', host, path, message: (e as Error).message } as const;
    }
  })());
  const host: WebviewHost<OnnxIn, OnnxOut> = new WebviewHost<OnnxIn, OnnxOut>(surfaceOf(panel), ctx.extensionUri, {
    app: 'onnx',
    label: 'ONNX model view',
    parse: parseOnnxMessage,
    snapshot: () => state ?? load(),
    handlers: {
      refresh: async () => { await load(); await host.refresh(); },
      copy: async (m) => { await vscode.env.clipboard.writeText(m.text); },
    },
  }, ctx.log);
  return host;
}
