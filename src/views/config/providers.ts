/**
 * Language features over the config core for training configs: quick fixes (from `ConfigIssue.fixes`), hover
 * (`hoverAt`), completion (`completeAt`) and CodeLens for computed facts (`ValidationResult.facts`).
 * Each works only on documents the controller holds as training configs.
 */
import * as vscode from 'vscode';
import { loadConfigCore } from './core';
import type { ConfigCompletion } from '../../core/config';
import { DIAGNOSTIC_SOURCE, toRange, toWorkspaceEdit } from './convert';
import type { ConfigValidationController } from './controller';
import type { RuleLevel } from './model';

/** Documents our providers attach to; each provider then checks that the document is a training config. */
export const CONFIG_SELECTOR: vscode.DocumentSelector = ['yaml', 'json', 'jsonc'].flatMap((language) =>
  ['file', 'untitled', 'vscode-remote'].map((scheme) => ({ language, scheme })));

/**
 * Where a language server already serves this extension's JSON Schemas (package.json `jsonValidation` for VS Code's
 * JSON language features, `yamlValidation` for Red Hat's YAML extension when installed): there it gives hover and
 * completion from the same descriptions, so ours would show everything twice. Diagnostics stay ours everywhere
 * (they carry rule codes, cross-file checks and quick fixes).
 */
export class SchemaCoverage {
  private readonly json: string[];
  private readonly yaml: string[];
  constructor(packageJSON: { contributes?: { jsonValidation?: { fileMatch?: string | string[] }[]; yamlValidation?: { fileMatch?: string | string[] }[] } }) {
    const globs = (xs?: { fileMatch?: string | string[] }[]) => (xs ?? []).flatMap((x) => (Array.isArray(x.fileMatch) ? x.fileMatch : x.fileMatch ? [x.fileMatch] : []));
    this.json = globs(packageJSON.contributes?.jsonValidation);
    this.yaml = globs(packageJSON.contributes?.yamlValidation);
  }

  /** True when another language server gives schema hover/completion for `doc`. */
  covers(doc: vscode.TextDocument): boolean {
    const patterns = doc.languageId === 'yaml' ? (vscode.extensions.getExtension('redhat.vscode-yaml') ? this.yaml : []) : this.json;
    return patterns.some((pattern) => vscode.languages.match({ pattern }, doc) > 0);
  }
}

/** Internal command behind the "Turn off rule" action: `(code, level, uri?)` writes `llmTraining.validation.rules`. */
export const SET_RULE_LEVEL_COMMAND = 'llmTraining.config.setRuleLevel';

/**
 * Sets one rule's level in `llmTraining.validation.rules`, keeping the other entries: in the workspace folder's
 * settings when `uri` is in one (so the team shares it), else in the user settings.
 */
export async function setRuleLevel(code: string, level: RuleLevel, uri?: vscode.Uri): Promise<void> {
  const folder = uri ? vscode.workspace.getWorkspaceFolder(uri) : undefined;
  const cfg = vscode.workspace.getConfiguration('llmTraining.validation', folder?.uri);
  const target = folder ? vscode.ConfigurationTarget.WorkspaceFolder : vscode.ConfigurationTarget.Global;
  const inspected = cfg.inspect<Record<string, string>>('rules');
  const current = (folder ? inspected?.workspaceFolderValue : inspected?.globalValue) ?? {};
  await cfg.update('rules', { ...current, [code]: level }, target);
}

/** Quick fixes for our diagnostics; a fix may edit another file (e.g. the DeepSpeed JSON a YAML names). */
export class ConfigCodeActionProvider implements vscode.CodeActionProvider {
  static readonly metadata: vscode.CodeActionProviderMetadata = { providedCodeActionKinds: [vscode.CodeActionKind.QuickFix] };
  constructor(private readonly controller: ConfigValidationController) {}

  async provideCodeActions(doc: vscode.TextDocument, _range: vscode.Range, context: vscode.CodeActionContext): Promise<vscode.CodeAction[]> {
    if (context.only && !vscode.CodeActionKind.QuickFix.intersects(context.only)) return [];
    const ours = context.diagnostics.filter((d) => d.source === DIAGNOSTIC_SOURCE);
    if (ours.length === 0) return [];
    const state = await this.controller.currentState(doc);
    if (!state?.isConfig) return [];
    const actions: vscode.CodeAction[] = [];
    for (const d of ours) {
      const issue = this.controller.issueFor(state, d);
      for (const fix of issue?.fixes ?? []) {
        const a = new vscode.CodeAction(fix.title, vscode.CodeActionKind.QuickFix);
        a.diagnostics = [d];
        a.isPreferred = fix.isPreferred === true;
        a.edit = toWorkspaceEdit(doc, fix, state.mapPath);
        actions.push(a);
      }
    }
    // Last, one "turn this rule off" per rule code (like ESLint's disable actions), never preferred.
    const folder = vscode.workspace.getWorkspaceFolder(doc.uri);
    for (const code of new Set(ours.map((d) => this.controller.issueFor(state, d)?.code).filter((c): c is string => !!c))) {
      const a = new vscode.CodeAction(`Turn off rule "${code}" ${folder ? 'in this workspace' : 'for all files'}`, vscode.CodeActionKind.QuickFix);
      a.diagnostics = ours.filter((d) => this.controller.issueFor(state, d)?.code === code);
      a.command = { title: a.title, command: SET_RULE_LEVEL_COMMAND, arguments: [code, 'off', doc.uri] };
      actions.push(a);
    }
    return actions;
  }
}

/** Hover with the key's documentation (type, default, what the framework does with it). Not trusted: no command links. */
export class ConfigHoverProvider implements vscode.HoverProvider {
  constructor(private readonly controller: ConfigValidationController, private readonly coverage: SchemaCoverage) {}

  async provideHover(doc: vscode.TextDocument, pos: vscode.Position): Promise<vscode.Hover | undefined> {
    if (this.coverage.covers(doc)) return undefined;
    const state = await this.controller.currentState(doc);
    if (!state?.isConfig) return undefined;
    const h = (await loadConfigCore()).hoverAt(doc.getText(), doc.offsetAt(pos), state.options);
    if (!h) return undefined;
    const md = new vscode.MarkdownString(h.markdown);
    md.isTrusted = false;
    md.supportHtml = false;
    return new vscode.Hover(md, doc.validateRange(toRange(h.range)));
  }
}

/** Completion of keys (with their docs) and of enum values (e.g. `lr_scheduler_type`, `zero_optimization.stage`). */
export class ConfigCompletionProvider implements vscode.CompletionItemProvider {
  /** `:` after a key (value next), space after `key:`; `"` opens a JSON key or string value. */
  static readonly triggerCharacters = [':', ' ', '"'];
  constructor(private readonly controller: ConfigValidationController, private readonly coverage: SchemaCoverage) {}

  async provideCompletionItems(doc: vscode.TextDocument, pos: vscode.Position, _token: vscode.CancellationToken, ctx: vscode.CompletionContext): Promise<vscode.CompletionItem[] | undefined> {
    if (this.coverage.covers(doc)) return undefined;
    const state = await this.controller.currentState(doc);
    if (!state?.isConfig) return undefined;
    // A space only starts a completion right after `key:` (a value slot); elsewhere it is just typing.
    if (ctx.triggerKind === vscode.CompletionTriggerKind.TriggerCharacter && ctx.triggerCharacter === ' ') {
      const before = doc.lineAt(pos.line).text.slice(0, pos.character);
      if (!/:\s$/.test(before)) return undefined;
    }
    const items = (await loadConfigCore()).completeAt(doc.getText(), doc.offsetAt(pos), state.options);
    return items.map((c) => toCompletionItem(doc, c));
  }
}

function toCompletionItem(doc: vscode.TextDocument, c: ConfigCompletion): vscode.CompletionItem {
  const item = new vscode.CompletionItem(c.label, c.kind === 'key' ? vscode.CompletionItemKind.Property : vscode.CompletionItemKind.EnumMember);
  if (c.detail) item.detail = c.detail;
  if (c.documentation) item.documentation = new vscode.MarkdownString(c.documentation);
  if (c.insertText !== undefined) item.insertText = c.insertText;
  if (c.range) item.range = doc.validateRange(toRange(c.range));
  return item;
}

/**
 * CodeLens over the keys a computed fact derives from, e.g. "effective batch size 64 = 4 × 8 × 2 GPUs".
 * Shown as plain text (no command); hidden with `llmTraining.validation.codeLens: false`.
 */
export class ConfigFactsCodeLensProvider implements vscode.CodeLensProvider, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChangeCodeLenses = this.changed.event;
  private readonly subscriptions: vscode.Disposable[];

  constructor(private readonly controller: ConfigValidationController) {
    this.subscriptions = [
      this.changed,
      controller.onDidChangeState(() => this.changed.fire()),
      vscode.workspace.onDidChangeConfiguration((e) => { if (e.affectsConfiguration('llmTraining.validation.codeLens')) this.changed.fire(); }),
    ];
  }

  dispose(): void {
    for (const s of this.subscriptions) s.dispose();
  }

  provideCodeLenses(doc: vscode.TextDocument): vscode.CodeLens[] {
    if (!vscode.workspace.getConfiguration('llmTraining.validation', doc.uri).get<boolean>('codeLens', true)) return [];
    const state = this.controller.state(doc.uri);
    // A stale state is fine here: lenses refresh when the new validation lands (onDidChangeState).
    if (!state?.isConfig) return [];
    return state.result.facts.map((f) => new vscode.CodeLens(doc.validateRange(toRange(f.range)), {
      title: f.label,
      command: '',
      ...(f.detail ? { tooltip: f.detail } : {}),
    }));
  }
}
