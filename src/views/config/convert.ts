/**
 * Turns the config core's plain types (src/core/config/types.ts) into VS Code's: ranges, diagnostics,
 * related information and workspace edits. Paths from the core are POSIX paths (URI paths); `PathMapper`
 * turns them back into URIs of the same scheme/authority as the validated document.
 */
import * as vscode from 'vscode';
import type { ConfigIssue, Fix, Range, Severity } from '../../core/config/types';

/** `source` of every diagnostic we publish (the Problems panel groups and filters by it). */
export const DIAGNOSTIC_SOURCE = 'LLM Training';

/** Maps a path as the core reports it (in `related[].file`, `TextEdit.file`) to a URI. */
export type PathMapper = (path: string) => vscode.Uri;

export function toRange(r: Range): vscode.Range {
  return new vscode.Range(r.start.line, r.start.character, r.end.line, r.end.character);
}

export function fromRange(r: vscode.Range): Range {
  return { start: { line: r.start.line, character: r.start.character }, end: { line: r.end.line, character: r.end.character } };
}

export function toSeverity(s: Severity): vscode.DiagnosticSeverity {
  switch (s) {
    case 'error': return vscode.DiagnosticSeverity.Error;
    case 'warning': return vscode.DiagnosticSeverity.Warning;
    default: return vscode.DiagnosticSeverity.Information;
  }
}

/** Rule codes that mean "this key is outdated": shown struck through (DiagnosticTag.Deprecated). */
const DEPRECATED_CODES = new Set(['renamed-key', 'deprecated-key', 'deprecated-value', 'deprecated']);

/**
 * One issue -> one Diagnostic. `docs` gives the URL of the rule's documentation (the code becomes a link);
 * the range is clamped to the document (a stale range never throws).
 */
export function toDiagnostic(doc: vscode.TextDocument, issue: ConfigIssue, mapPath: PathMapper, docs?: (code: string) => vscode.Uri | undefined): vscode.Diagnostic {
  const d = new vscode.Diagnostic(doc.validateRange(toRange(issue.range)), issue.message, toSeverity(issue.severity));
  d.source = DIAGNOSTIC_SOURCE;
  const target = docs?.(issue.code);
  d.code = target ? { value: issue.code, target } : issue.code;
  if (issue.related.length > 0) {
    d.relatedInformation = issue.related.map((r) => new vscode.DiagnosticRelatedInformation(new vscode.Location(mapPath(r.file), toRange(r.range)), r.message));
  }
  if (DEPRECATED_CODES.has(issue.code)) d.tags = [vscode.DiagnosticTag.Deprecated];
  return d;
}

/** The rule code of a diagnostic, whichever form `code` has. */
export function diagnosticCode(d: vscode.Diagnostic): string | undefined {
  const c = d.code;
  if (c === undefined) return undefined;
  return typeof c === 'object' ? String(c.value) : String(c);
}

/** A fix's edits as a WorkspaceEdit: edits without `file` go to `doc`, the others to the file they name. */
export function toWorkspaceEdit(doc: vscode.TextDocument, fix: Fix, mapPath: PathMapper): vscode.WorkspaceEdit {
  const edit = new vscode.WorkspaceEdit();
  for (const e of fix.edits) {
    const uri = e.file === undefined ? doc.uri : mapPath(e.file);
    const range = e.file === undefined ? doc.validateRange(toRange(e.range)) : toRange(e.range);
    edit.replace(uri, range, e.newText);
  }
  return edit;
}
