/**
 * Dataset problems as diagnostics on the lines of a JSONL (or CSV) file: live for open documents (checked from the
 * editor's text, no tokenizer, debounced), and from the panel's full check for files that are not open.
 */
import * as vscode from 'vscode';
import type { DatasetReport } from '../../core/dataset/types';
import { loadDatasetCore } from './core';
import { memoryFileAccess } from '../../core/files';

const SEVERITY = { error: vscode.DiagnosticSeverity.Error, warning: vscode.DiagnosticSeverity.Warning, info: vscode.DiagnosticSeverity.Information } as const;
/** Open documents larger than this are not checked live (the panel's streaming check still is). */
const MAX_LIVE_CHARS = 32 * 1024 * 1024;

/** Whether a document is a line-oriented dataset we diagnose. */
export function isLineDataset(uri: vscode.Uri): boolean { return /\.(jsonl|ndjson)$/i.test(uri.path); }

/**
 * Diagnostics of a report: each row problem on its line (whole line), file-level findings on line 1, duplicate
 * examples as information with the earlier row as related information.
 */
export function diagnosticsOf(report: DatasetReport, uri: vscode.Uri, lineLength: (line: number) => number = () => 1 << 16): vscode.Diagnostic[] {
  const out: vscode.Diagnostic[] = [];
  const range = (line: number): vscode.Range => new vscode.Range(line, 0, line, lineLength(line));
  for (const p of report.problems) {
    if (p.code === 'more-problems') continue;
    const d = new vscode.Diagnostic(range(p.line !== undefined ? p.line - 1 : 0), p.message, SEVERITY[p.severity]);
    d.code = p.code; d.source = 'LLM Training';
    out.push(d);
  }
  for (const e of report.duplicates.examples) {
    if (e.ref.line === undefined || e.of.line === undefined) continue;
    const d = new vscode.Diagnostic(range(e.ref.line - 1), e.kind === 'exact' ? `Duplicate of line ${e.of.line} (identical after NFC and whitespace collapsing)` : `Near duplicate of line ${e.of.line} (MinHash Jaccard ~${e.similarity})`, vscode.DiagnosticSeverity.Information);
    d.code = e.kind === 'exact' ? 'duplicate' : 'near-duplicate'; d.source = 'LLM Training';
    d.relatedInformation = [new vscode.DiagnosticRelatedInformation(new vscode.Location(uri, range(e.of.line - 1)), `line ${e.of.line}`)];
    out.push(d);
  }
  return out;
}

/** Live diagnostics for open JSONL documents; `set` for results of full checks. */
export class DatasetDiagnostics implements vscode.Disposable {
  readonly collection = vscode.languages.createDiagnosticCollection('llmTraining.dataset');
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private readonly subscriptions: vscode.Disposable[];

  constructor(private readonly log: vscode.LogOutputChannel) {
    this.subscriptions = [
      this.collection,
      vscode.workspace.onDidOpenTextDocument((d) => this.schedule(d, 0)),
      vscode.workspace.onDidChangeTextDocument((e) => this.schedule(e.document, 400)),
      vscode.workspace.onDidCloseTextDocument((d) => { if (isLineDataset(d.uri) && d.uri.scheme === 'untitled') this.collection.delete(d.uri); }),
    ];
    for (const d of vscode.workspace.textDocuments) this.schedule(d, 0);
  }

  /** Diagnostics from a full check (the panel), for a file whether or not it is open. */
  set(uri: vscode.Uri, report: DatasetReport): void {
    if (!isLineDataset(uri) && !/\.(csv|tsv)$/i.test(uri.path)) return;
    const doc = vscode.workspace.textDocuments.find((d) => d.uri.toString() === uri.toString());
    this.collection.set(uri, diagnosticsOf(report, uri, doc ? (l) => (l < doc.lineCount ? doc.lineAt(l).text.length : 0) : undefined));
  }

  private schedule(doc: vscode.TextDocument, delay: number): void {
    if (!isLineDataset(doc.uri)) return;
    const key = doc.uri.toString();
    clearTimeout(this.timers.get(key));
    this.timers.set(key, setTimeout(() => { this.timers.delete(key); void this.check(doc); }, delay));
  }

  private async check(doc: vscode.TextDocument): Promise<void> {
    if (doc.isClosed) return;
    const text = doc.getText();
    if (text.length > MAX_LIVE_CHARS) return;
    const version = doc.version;
    try {
      const core = await loadDatasetCore();
      const path = doc.uri.path || '/untitled.jsonl';
      const report = await core.checkDataset(memoryFileAccess({ [path]: text }), path, { kind: 'jsonl', previewRows: 0 });
      if (doc.isClosed || doc.version !== version) return;
      this.collection.set(doc.uri, diagnosticsOf(report, doc.uri, (l) => (l < doc.lineCount ? doc.lineAt(l).text.length : 0)));
    } catch (e) {
      // Binary content and the like: one diagnostic saying so.
      this.collection.set(doc.uri, [Object.assign(new vscode.Diagnostic(new vscode.Range(0, 0, 0, 0), (e as Error).message, vscode.DiagnosticSeverity.Error), { source: 'LLM Training' })]);
      this.log.info(`dataset diagnostics: ${doc.uri.toString()}: ${(e as Error).message}`);
    }
  }

  dispose(): void {
    for (const t of this.timers.values()) clearTimeout(t);
    for (const s of this.subscriptions) s.dispose();
  }
}
