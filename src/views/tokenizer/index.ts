/**
 * The tokenizer feature in VS Code: the inspector (palette command, explorer context menu, custom read-only editor
 * for `tokenizer.model`), a CodeLens on the config key that names the run's tokenizer, and diagnostics from the
 * tokenizer checks while a `tokenizer_config.json` is open.
 */
import * as vscode from 'vscode';
import { homedir } from 'node:os';
import { dirName, readText } from '../../core/files';
import { parseOpenInput } from '../../core/tokenizer/openInput';
import { tokenizerQuickFix } from '../../core/tokenizer/quickFixes';
import { loadTokenizer, readTokenizerSources } from '../../core/tokenizer';
import { checkTokenizer } from '../../core/tokenizer/checks';
import { findTokenizerReferences, hubCacheDir, resolveTokenizerPath } from '../../core/tokenizer/resolve';
import type { FilesService } from '../files';
import { TokenizerInspector, type InspectorContext } from './panel';
import { directHost, type RegistrationHost } from '../registrationHost';

/** Command ids of the feature (one table). */
export const TOKENIZER_COMMANDS = {
  open: 'llmTraining.tokenizer.open',
} as const;

const TOKENIZER_GLOB = '**/{tokenizer.json,tokenizer.model,spiece.model,tokenizer_config.json,vocab.txt,vocab.json}';

/** The tokenizer a training config names (first key that resolves: a local path or a Hub id in the local cache). */
async function tokenizerOfConfig(files: FilesService, configUri: vscode.Uri): Promise<vscode.Uri | undefined> {
  const { files: fa, path } = await files.forUri(configUri);
  const text = await readText(fa, path, 4 * 1024 * 1024);
  const cache = hubCacheDir(fa.host === 'local' ? process.env : {}, fa.host === 'local' ? homedir() : '~');
  for (const r of findTokenizerReferences(text)) {
    const resolved = await resolveTokenizerPath(fa, r.value, dirName(path), cache).catch(() => undefined);
    if (resolved) return configUri.with({ path: resolved });
  }
  return undefined;
}

/**
 * `llmTraining.tokenizer.open(uri?, input?)`: opens the inspector on `uri` (a tokenizer file or model folder), or on
 * the tokenizer `input.config` names, or asks (the workspace's tokenizer folders, Browse…). `input` pre-fills it
 * (TokenizerOpenInput: text, messages, a dataset row, the training config); it is validated, and what does not
 * validate is dropped with a warning.
 */
async function openInspector(ctx: InspectorContext, uri?: unknown, rawInput?: unknown): Promise<TokenizerInspector | undefined> {
  const { input, errors } = parseOpenInput(rawInput);
  if (errors.length > 0) { ctx.log.warn(`tokenizer.open: ${errors.join('; ')}`); void vscode.window.showWarningMessage(`Tokenizer inspector: ignored ${errors.join('; ')}`); }
  let target = uri instanceof vscode.Uri ? uri : typeof uri === 'string' && uri.length > 0 ? vscode.Uri.parse(uri) : undefined;
  if (!target && input.config) target = await tokenizerOfConfig(ctx.files, vscode.Uri.parse(input.config)).catch(() => undefined);
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
  return TokenizerInspector.show(ctx, target, input);
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
      lenses.push(new vscode.CodeLens(new vscode.Range(r.line, 0, r.line, 0), { title: `$(symbol-key) Inspect tokenizer (${r.value})`, command: TOKENIZER_COMMANDS.open, arguments: [target, { config: doc.uri.toString() }] }));
    }
    return lenses;
  }
}

/** Per tokenizer_config.json (URI string): the problem codes whose quick fix applies (see TokenizerQuickFixes). */
const fixable = new Map<string, Set<string>>();

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
      const fixableCodes = new Set<string>();
      const diags = checkTokenizer({ tokenizer: tok, sources: s.sources, chatTemplate: s.chatTemplate }).map((p) => {
        const at = p.key ? text.indexOf(`"${p.key}"`) : -1;
        const range = at >= 0 ? new vscode.Range(doc.positionAt(at), doc.positionAt(at + p.key!.length + 2)) : new vscode.Range(0, 0, 0, 1);
        const d = new vscode.Diagnostic(range, p.fix ? `${p.message}\nFix: ${p.fix}` : p.message, p.severity === 'error' ? vscode.DiagnosticSeverity.Error : p.severity === 'warning' ? vscode.DiagnosticSeverity.Warning : vscode.DiagnosticSeverity.Information);
        d.code = p.code;
        d.source = 'LLM Training (tokenizer)';
        // "legacy": false changes the encoding only where transformers builds the tokenizer from the .model (slow
        // tokenizer); a tokenizer.json ignores it, so no quick fix there
        if (p.code !== 'legacy-space-after-special' || tok?.kind === 'sentencepiece') fixableCodes.add(p.code);
        if (p.file && p.file !== path) d.relatedInformation = [new vscode.DiagnosticRelatedInformation(new vscode.Location(doc.uri.with({ path: p.file }), new vscode.Position(0, 0)), 'the file the fix belongs in')];
        return d;
      });
      collection.set(doc.uri, diags);
      fixable.set(doc.uri.toString(), fixableCodes);
    } catch (e) { log.warn(`tokenizer checks on ${doc.uri.toString()}: ${(e as Error).message}`); }
  };
  context.subscriptions.push(
    vscode.workspace.onDidOpenTextDocument((d) => void update(d)),
    vscode.workspace.onDidSaveTextDocument((d) => void update(d)),
    vscode.workspace.onDidCloseTextDocument((d) => { collection.delete(d.uri); fixable.delete(d.uri.toString()); }),
  );
  for (const d of vscode.workspace.textDocuments) void update(d);
}

/** Quick fixes on the tokenizer diagnostics of a tokenizer_config.json where the edit is unambiguous (quickFixes.ts). */
class TokenizerQuickFixes implements vscode.CodeActionProvider {
  static readonly kinds = [vscode.CodeActionKind.QuickFix];
  provideCodeActions(doc: vscode.TextDocument, _range: vscode.Range, ctx: vscode.CodeActionContext): vscode.CodeAction[] {
    const out: vscode.CodeAction[] = [];
    for (const d of ctx.diagnostics) {
      if (d.source !== 'LLM Training (tokenizer)' || typeof d.code !== 'string' || !fixable.get(doc.uri.toString())?.has(d.code)) continue;
      const fix = tokenizerQuickFix(d.code, doc.getText());
      if (!fix) continue;
      const action = new vscode.CodeAction(fix.title, vscode.CodeActionKind.QuickFix);
      action.diagnostics = [d];
      action.edit = new vscode.WorkspaceEdit();
      for (const e of fix.edits) action.edit.replace(doc.uri, new vscode.Range(doc.positionAt(e.offset), doc.positionAt(e.offset + e.length)), e.content);
      out.push(action);
    }
    return out;
  }
}

/** Registers the inspector, its commands, the tokenizer.model editor (through `host`), the CodeLens and the diagnostics. */
export function registerTokenizer(context: vscode.ExtensionContext, files: FilesService, log: vscode.LogOutputChannel, host: RegistrationHost = directHost): void {
  const ctx: InspectorContext = { extensionUri: context.extensionUri, files, log };
  context.subscriptions.push(
    vscode.commands.registerCommand(TOKENIZER_COMMANDS.open, (uri?: unknown, input?: unknown) => openInspector(ctx, uri, input)),
    host.registerCustomEditorProvider('llmTraining.tokenizerModel', new TokenizerModelEditor(ctx), { supportsMultipleEditorsPerDocument: true }),
    vscode.languages.registerCodeLensProvider([{ language: 'yaml' }, { language: 'json' }, { language: 'jsonc' }], new TokenizerCodeLens(files)),
    vscode.languages.registerCodeActionsProvider({ pattern: '**/tokenizer_config.json' }, new TokenizerQuickFixes(), { providedCodeActionKinds: TokenizerQuickFixes.kinds }),
  );
  registerDiagnostics(context, files, log);
}
