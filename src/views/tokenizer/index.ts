/**
 * The tokenizer feature in VS Code: the inspector (palette command, explorer context menu, custom read-only editor
 * for `tokenizer.model`), a CodeLens on the config key that names the run's tokenizer, and diagnostics from the
 * tokenizer checks while a `tokenizer_config.json` is open.
 */
import * as vscode from 'vscode';
import { homedir } from 'node:os';
import { dirName } from '../../core/files';
import { loadTokenizer, readTokenizerSources } from '../../core/tokenizer';
import { checkTokenizer } from '../../core/tokenizer/checks';
import { findTokenizerReferences, hubCacheDir, resolveTokenizerPath } from '../../core/tokenizer/resolve';
import type { FilesService } from '../files';
import { TokenizerInspector, type InspectorContext } from './panel';

/** Command ids of the feature (one table). */
export const TOKENIZER_COMMANDS = {
  open: 'llmTraining.tokenizer.open',
} as const;

const TOKENIZER_GLOB = '**/{tokenizer.json,tokenizer.model,spiece.model,tokenizer_config.json,vocab.txt,vocab.json}';

/** Opens the inspector on `uri`, or asks: the active editor's tokenizer file, else the workspace's tokenizer folders. */
async function openInspector(ctx: InspectorContext, uri?: vscode.Uri): Promise<TokenizerInspector | undefined> {
  let target = uri instanceof vscode.Uri ? uri : undefined;
  if (!target) {
    const found = await vscode.workspace.findFiles(TOKENIZER_GLOB, '**/node_modules/**', 200);
    const folders = new Map<string, vscode.Uri>();
    for (const f of found) { const d = vscode.Uri.joinPath(f, '..'); folders.set(d.toString(), d); }
    const items: (vscode.QuickPickItem & { uri?: vscode.Uri })[] = [...folders.values()]
      .sort((a, b) => a.path.localeCompare(b.path))
      .map((d) => ({ label: vscode.workspace.asRelativePath(d), description: 'model folder', uri: d }));
    items.push({ label: 'Browse…', description: 'a tokenizer file or folder' });
    const pick = await vscode.window.showQuickPick(items, { title: 'Open Tokenizer Inspector', placeHolder: 'tokenizer folder or file' });
    if (!pick) return undefined;
    target = pick.uri ?? (await vscode.window.showOpenDialog({ canSelectFiles: true, canSelectFolders: true, openLabel: 'Inspect' }))?.[0];
    if (!target) return undefined;
  }
  return TokenizerInspector.show(ctx, target);
}

/** Read-only custom editor: `tokenizer.model` opens in the inspector. */
class TokenizerModelEditor implements vscode.CustomReadonlyEditorProvider {
  constructor(private readonly ctx: InspectorContext) {}
  openCustomDocument(uri: vscode.Uri): vscode.CustomDocument { return { uri, dispose: () => {} }; }
  resolveCustomEditor(doc: vscode.CustomDocument, panel: vscode.WebviewPanel): void { new TokenizerInspector(this.ctx, panel, doc.uri); }
}

/** CodeLens "Inspect tokenizer" on the key naming the run's tokenizer, when it resolves locally. */
class TokenizerCodeLens implements vscode.CodeLensProvider {
  constructor(private readonly files: FilesService) {}
  async provideCodeLenses(doc: vscode.TextDocument): Promise<vscode.CodeLens[]> {
    if (doc.uri.scheme !== 'file' && doc.uri.scheme !== 'llmtraining-remote') return [];
    const refs = findTokenizerReferences(doc.getText());
    if (refs.length === 0) return [];
    const { files, path } = await this.files.forUri(doc.uri);
    const cache = hubCacheDir(files.host === 'local' ? process.env : {}, files.host === 'local' ? homedir() : '~');
    const lenses: vscode.CodeLens[] = [];
    for (const r of refs) {
      const resolved = await resolveTokenizerPath(files, r.value, dirName(path), cache).catch(() => undefined);
      if (!resolved) continue;
      const target = doc.uri.with({ path: resolved });
      lenses.push(new vscode.CodeLens(new vscode.Range(r.line, 0, r.line, 0), { title: `$(symbol-key) Inspect tokenizer (${r.value})`, command: TOKENIZER_COMMANDS.open, arguments: [target] }));
    }
    return lenses;
  }
}

/** Diagnostics from the tokenizer checks for an open tokenizer_config.json (and the files beside it). */
function registerDiagnostics(context: vscode.ExtensionContext, files: FilesService, log: vscode.LogOutputChannel): void {
  const collection = vscode.languages.createDiagnosticCollection('llmTraining.tokenizer');
  context.subscriptions.push(collection);
  const isConfig = (d: vscode.TextDocument): boolean => /(^|\/)tokenizer_config\.json$/.test(d.uri.path);
  const update = async (doc: vscode.TextDocument): Promise<void> => {
    if (!isConfig(doc)) return;
    try {
      const { files: fa, path } = await files.forUri(doc.uri);
      const tok = await loadTokenizer(fa, path).catch(() => undefined);
      const s = tok ? { sources: tok.sources, chatTemplate: tok.chatTemplate } : await readTokenizerSources(fa, path);
      const text = doc.getText();
      const diags = checkTokenizer({ tokenizer: tok, sources: s.sources, chatTemplate: s.chatTemplate }).map((p) => {
        const at = p.key ? text.indexOf(`"${p.key}"`) : -1;
        const range = at >= 0 ? new vscode.Range(doc.positionAt(at), doc.positionAt(at + p.key!.length + 2)) : new vscode.Range(0, 0, 0, 1);
        const d = new vscode.Diagnostic(range, p.fix ? `${p.message}\nFix: ${p.fix}` : p.message, p.severity === 'error' ? vscode.DiagnosticSeverity.Error : p.severity === 'warning' ? vscode.DiagnosticSeverity.Warning : vscode.DiagnosticSeverity.Information);
        d.code = p.code;
        d.source = 'LLM Training (tokenizer)';
        if (p.file && p.file !== path) d.relatedInformation = [new vscode.DiagnosticRelatedInformation(new vscode.Location(doc.uri.with({ path: p.file }), new vscode.Position(0, 0)), 'the file the fix belongs in')];
        return d;
      });
      collection.set(doc.uri, diags);
    } catch (e) { log.warn(`tokenizer checks on ${doc.uri.toString()}: ${(e as Error).message}`); }
  };
  context.subscriptions.push(
    vscode.workspace.onDidOpenTextDocument((d) => void update(d)),
    vscode.workspace.onDidSaveTextDocument((d) => void update(d)),
    vscode.workspace.onDidCloseTextDocument((d) => collection.delete(d.uri)),
  );
  for (const d of vscode.workspace.textDocuments) void update(d);
}

/** Registers the inspector, its commands, the tokenizer.model editor, the CodeLens and the diagnostics. */
export function registerTokenizer(context: vscode.ExtensionContext, files: FilesService, log: vscode.LogOutputChannel): void {
  const ctx: InspectorContext = { extensionUri: context.extensionUri, files, log };
  context.subscriptions.push(
    vscode.commands.registerCommand(TOKENIZER_COMMANDS.open, (uri?: vscode.Uri) => openInspector(ctx, uri)),
    vscode.window.registerCustomEditorProvider('llmTraining.tokenizerModel', new TokenizerModelEditor(ctx), { supportsMultipleEditorsPerDocument: true }),
    vscode.languages.registerCodeLensProvider([{ language: 'yaml' }, { language: 'json' }, { language: 'jsonc' }], new TokenizerCodeLens(files)),
  );
  registerDiagnostics(context, files, log);
}
