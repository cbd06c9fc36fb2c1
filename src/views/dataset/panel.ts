/**
 * The dataset panel: one webview per dataset file (local or `llmtraining-remote:`), hosted by WebviewHost. It runs
 * the check in `window.withProgress` (cancellable; the token aborts the streaming read), shows the histogram,
 * problems, duplicates and a preview, jumps to a row in the file, and opens a row in the tokenizer inspector.
 */
import * as vscode from 'vscode';
import { WebviewHost, surfaceOf } from '../webviewHost';
import type { DatasetHostToWebview, DatasetSnapshot, DatasetWebviewToHost } from '../../shared/protocol/dataset';
import type { DatasetReport, DatasetProgress } from '../../core/dataset/types';
import type { PlanInput } from '../../core/dataset/plan';
import type { FileAccess } from '../../core/files';
import { baseName } from '../../core/files';
import { parseDatasetMessage } from './messages';
import { loadDatasetCore } from './core';
import type { DatasetContext } from './context';
import { uriOf } from '../files';
import { workerDedup } from '../../remote/dedupWorker';
import { TOKENIZER_COMMANDS } from '../tokenizer';


/** One open dataset panel. */
export class DatasetPanel {
  private report?: DatasetReport;
  private running?: DatasetProgress;
  private error?: string;
  private readonly host: WebviewHost<DatasetWebviewToHost, DatasetHostToWebview>;
  private readonly panel: vscode.WebviewPanel;
  private cancel?: vscode.CancellationTokenSource;

  constructor(private readonly ctx: DatasetContext, readonly uri: vscode.Uri, private readonly files: FileAccess, private readonly path: string, private input: PlanInput) {
    this.panel = vscode.window.createWebviewPanel('llmTraining.dataset', `Dataset: ${baseName(path)}`, vscode.ViewColumn.Active, { enableScripts: true });
    this.host = new WebviewHost(surfaceOf(this.panel), ctx.extensionUri, {
      app: 'dataset', label: 'dataset panel', parse: parseDatasetMessage,
      snapshot: () => this.snapshot(),
      handlers: {
        reveal: (m) => this.revealRow(m.line ?? m.startLine, m.index),
        inspect: (m) => this.inspect(m.index),
        recheck: async () => { await this.run(); },
        chooseTokenizer: () => this.chooseTokenizer(),
      },
    }, ctx.log);
    this.host.onDidDispose(() => { this.cancel?.cancel(); ctx.panels.delete(uri.toString()); });
  }

  /** The whole state for the webview. */
  snapshot(): DatasetSnapshot {
    return { type: 'snapshot', title: baseName(this.path), location: `${this.files.host}:${this.path}`, report: this.report, formatLabel: this.report ? this.ctx.formatLabel(this.report.format) : undefined, running: this.running, error: this.error, canInspect: !!this.input.tokenizerPath || !!this.report?.tokenizerPath };
  }

  /** The latest report (tests read it). */
  get lastReport(): DatasetReport | undefined { return this.report; }

  reveal(): void { this.panel.reveal(); }

  /** Updates what the check uses (a CodeLens on another config) and re-runs. */
  async rerun(input?: PlanInput): Promise<DatasetReport | undefined> { if (input) this.input = input; return this.run(); }

  /** Runs the check with progress and cancellation; the report lands in the panel and the file's diagnostics. */
  async run(): Promise<DatasetReport | undefined> {
    this.cancel?.cancel();
    const cts = new vscode.CancellationTokenSource();
    this.cancel = cts;
    const core = await loadDatasetCore();
    this.error = undefined;
    this.running = { bytes: 0, totalBytes: 0, rows: 0 };
    await this.host.refresh();
    return vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: `Checking ${baseName(this.path)}`, cancellable: true }, async (progress, token) => {
      const abort = new AbortController();
      const subs = [token.onCancellationRequested(() => abort.abort(new vscode.CancellationError())), cts.token.onCancellationRequested(() => abort.abort(new vscode.CancellationError()))];
      let last = 0, lastPct = 0;
      try {
        const report = await core.checkWithPlan(this.files, this.path, this.input, {
          signal: abort.signal,
          dedup: workerDedup({ script: vscode.Uri.joinPath(this.ctx.extensionUri, 'dist', 'dedupWorker.js').fsPath }),
          onProgress: (p) => {
            this.running = p;
            const pct = p.totalBytes ? (100 * p.bytes) / p.totalBytes : 0;
            progress.report({ increment: pct - lastPct, message: `${p.rows.toLocaleString('en-US')} rows` });
            lastPct = pct;
            if (Date.now() - last > 200) { last = Date.now(); this.host.postDelta({ type: 'progress', ...p }); }
          },
        });
        this.report = report;
        this.ctx.log.info(`dataset check ${this.files.host}:${this.path}: ${report.rows} rows, ${report.problems.length} problems, ${report.duplicates.exact}+${report.duplicates.near} duplicates in ${report.elapsedMs} ms`);
        this.ctx.diagnostics.set(this.uri, report);
        return report;
      } catch (e) {
        this.error = abort.signal.aborted ? 'Check cancelled.' : (e as Error).message;
        if (!abort.signal.aborted) this.ctx.log.warn(`dataset check ${this.path}: ${(e as Error).message}`);
        return undefined;
      } finally {
        this.running = undefined;
        for (const s of subs) s.dispose();
        await this.host.refresh();
      }
    });
  }

  private async chooseTokenizer(): Promise<void> {
    let path: string | undefined;
    if (this.files.host === 'local') {
      const picked = await vscode.window.showOpenDialog({ canSelectFiles: true, canSelectFolders: true, canSelectMany: false, openLabel: 'Use tokenizer', title: 'Tokenizer (tokenizer.json, tokenizer.model or a model folder)' });
      path = picked?.[0]?.fsPath;
    } else path = await vscode.window.showInputBox({ title: `Tokenizer on ${this.files.host}`, prompt: 'Path of a tokenizer.json, tokenizer.model or model folder on the host', ignoreFocusOut: true });
    if (!path) return;
    this.input = { ...this.input, tokenizerPath: path };
    await this.run();
  }

  /** Opens the file at a 1-based line (text files) or shows the row (Parquet). */
  private async revealRow(line: number | undefined, index: number): Promise<void> {
    if (line !== undefined && this.report?.kind !== 'parquet') {
      const doc = await vscode.workspace.openTextDocument(this.uri);
      const pos = new vscode.Position(Math.max(0, line - 1), 0);
      await vscode.window.showTextDocument(doc, { selection: new vscode.Range(pos, pos), viewColumn: vscode.ViewColumn.Beside, preserveFocus: false });
      return;
    }
    const value = await this.rowValue(index);
    const doc = await vscode.workspace.openTextDocument({ language: 'json', content: JSON.stringify(value, null, 2) });
    await vscode.window.showTextDocument(doc, { viewColumn: vscode.ViewColumn.Beside, preview: true });
  }

  /** A row's value: from the preview, else by streaming the file up to it. */
  private async rowValue(index: number): Promise<unknown> {
    const hit = this.report?.preview.find((p) => p.ref.index === index);
    if (hit) return hit.value;
    const core = await loadDatasetCore();
    const kind = this.report?.kind ?? core.fileKindOf(this.path);
    if (!kind) return undefined;
    for await (const r of core.readRows(this.files, this.path, kind)) if (r.ref.index === index) return r.value;
    return undefined;
  }

  /** Opens a row in the tokenizer inspector: the text the framework's template gives, with the run's tokenizer. */
  private async inspect(index: number): Promise<void> {
    const core = await loadDatasetCore();
    const value = await this.rowValue(index);
    const format = this.report?.format;
    if (!value || typeof value !== 'object' || !format || format === 'unknown') { void vscode.window.showWarningMessage(`Row ${index} has no ${format ?? ''} fields to tokenize.`); return; }
    const def = core.formatDef(format);
    const row = value as Record<string, unknown>;
    const fields = this.input.spec?.fields ?? {};
    const messages = def.messages(row, fields);
    const text = def.text(row, fields);
    const tokPath = this.input.tokenizerPath ?? this.report?.tokenizerPath;
    const tokenizer = tokPath ? uriOf({ host: this.files.host, path: tokPath }) : undefined;
    // The inspector opens pre-filled (tokenizer.open's TokenizerOpenInput): the row's template text and messages, and
    // the training config when the check came from one (its loss-mask settings).
    await vscode.commands.executeCommand(TOKENIZER_COMMANDS.open, tokenizer, { text, messages, ...(this.input.configPath ? { config: uriOf({ host: this.files.host, path: this.input.configPath }).toString() } : {}) });
  }

  dispose(): void { this.panel.dispose(); }
}
