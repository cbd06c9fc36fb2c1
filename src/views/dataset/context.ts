/** What the dataset commands, CodeLens and panels share (one object, rust-analyzer's `Ctx` pattern). */
import type * as vscode from 'vscode';
import type { FilesService } from '../files';
import type { DatasetDiagnostics } from './diagnostics';
import type { DatasetPanel } from './panel';

export interface DatasetContext {
  extensionUri: vscode.Uri;
  log: vscode.LogOutputChannel;
  files: FilesService;
  diagnostics: DatasetDiagnostics;
  /** Open panels by dataset URI. */
  panels: Map<string, DatasetPanel>;
  /** Label of a format (from the core, once loaded). */
  formatLabel(format: string): string;
}
