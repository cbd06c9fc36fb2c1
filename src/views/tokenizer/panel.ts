/**
 * Host side of the tokenizer inspector (a webview panel, or the custom read-only editor of `tokenizer.model`):
 * loads the tokenizer through FilesService (local paths and `llmtraining-remote:` URIs alike), encodes what the
 * webview sends, renders chat templates with their loss mask, and shows the tokenizer checks.
 */
import * as vscode from 'vscode';
import { loadTokenizer, type Encoding, type LoadedTokenizer } from '../../core/tokenizer';
import { checkTokenizer } from '../../core/tokenizer/checks';
import { renderChatWithMask, type LossMaskMode } from '../../core/tokenizer/lossMask';
import type { ChatMessage } from '../../core/tokenizer/chat';
import type { EncodedView, MaskChoice, ProblemView, TokenizerHostToWebview, TokenizerInfoView, TokenizerWebviewToHost } from '../../shared/protocol/tokenizer';
import { WebviewHost, surfaceOf } from '../webviewHost';
import type { FilesService } from '../files';
import { parseTokenizerMessage } from './messages';

export const SAMPLE_TEXT = 'Hello world! Tokenizers split text into pieces: 训练 🙂 <s> 2024-01-31';
export const SAMPLE_CHAT = JSON.stringify([
  { role: 'system', content: 'You are a helpful assistant.' },
  { role: 'user', content: 'What is 2+2?' },
  { role: 'assistant', content: 'It is 4.' },
], null, 2);

function maskMode(m: MaskChoice): LossMaskMode {
  switch (m) {
    case 'trl-assistant': return { framework: 'trl', assistantOnlyLoss: true };
    case 'trl-completion': return { framework: 'trl', completionOnlyLoss: true };
    case 'axolotl': return { framework: 'axolotl' };
    case 'llamafactory': return { framework: 'llamafactory' };
    default: return { framework: 'trl' };
  }
}

function infoOf(tok: LoadedTokenizer, label: string): TokenizerInfoView {
  return { label, path: tok.path, host: tok.host, kind: tok.kind, vocabSize: tok.vocabSize, bosToken: tok.bosToken, eosToken: tok.eosToken, padToken: tok.padToken, hasChatTemplate: !!tok.chatTemplate };
}

function view(seq: number, text: string, enc: Encoding, decoded: string, ms: number): EncodedView {
  return { seq, ids: enc.ids, tokens: enc.tokens, offsets: enc.utf16Offsets, special: enc.special, decoded, roundTrip: decoded === text, chars: text.length, ms };
}

/** One open inspector. */
export class TokenizerInspector implements vscode.Disposable {
  static readonly viewType = 'llmTraining.tokenizerInspector';
  private static readonly open = new Map<string, TokenizerInspector>();
  private readonly host: WebviewHost<TokenizerWebviewToHost, TokenizerHostToWebview>;
  private tok?: LoadedTokenizer;
  private compare?: LoadedTokenizer;
  private error?: string;
  private text = SAMPLE_TEXT;
  private addSpecial = true;
  private chat = SAMPLE_CHAT;
  private mask: MaskChoice = 'axolotl';
  private readonly loaded: Promise<void>;

  /** Shows (or reveals) the inspector for `uri` (a tokenizer file or model folder). */
  static show(ctx: InspectorContext, uri: vscode.Uri): TokenizerInspector {
    const key = uri.toString();
    const existing = TokenizerInspector.open.get(key);
    if (existing) { existing.panel.reveal(); return existing; }
    const panel = vscode.window.createWebviewPanel(TokenizerInspector.viewType, `Tokenizer: ${labelOf(uri)}`, vscode.ViewColumn.Active, {});
    return new TokenizerInspector(ctx, panel, uri);
  }

  constructor(private readonly ctx: InspectorContext, readonly panel: vscode.WebviewPanel, readonly uri: vscode.Uri) {
    TokenizerInspector.open.set(uri.toString(), this);
    this.host = new WebviewHost(surfaceOf(panel), ctx.extensionUri, {
      app: 'tokenizer', label: 'tokenizer inspector', parse: parseTokenizerMessage,
      snapshot: async () => { await this.loaded; return this.snapshot(); },
      handlers: {
        encode: (m) => this.encode(m.seq, m.text, m.addSpecialTokens),
        renderChat: (m) => this.renderChat(m.seq, m.messages, m.mask),
        pickCompare: () => this.pickCompare(),
      },
    }, ctx.log);
    this.host.onDidDispose(() => TokenizerInspector.open.delete(uri.toString()));
    this.loaded = this.load(uri).then((t) => { this.tok = t; }, (e: Error) => { this.error = e.message; ctx.log.warn(`tokenizer inspector: ${e.message}`); });
  }

  private async load(uri: vscode.Uri): Promise<LoadedTokenizer> {
    const { files, path } = await this.ctx.files.forUri(uri);
    return loadTokenizer(files, path);
  }

  private snapshot(): TokenizerHostToWebview {
    const problems: ProblemView[] = this.tok ? checkTokenizer({ tokenizer: this.tok, sources: this.tok.sources }).map((p) => ({ code: p.code, severity: p.severity, message: p.message, fix: p.fix })) : [];
    return {
      type: 'snapshot', tokenizer: this.tok ? infoOf(this.tok, labelOf(this.uri)) : undefined, compare: this.compare ? infoOf(this.compare, this.compare.path) : undefined,
      problems, text: this.text, addSpecialTokens: this.addSpecial, chatMessages: this.chat, mask: this.mask, error: this.error,
    };
  }

  private async encode(seq: number, text: string, addSpecialTokens: boolean): Promise<void> {
    await this.loaded;
    this.text = text; this.addSpecial = addSpecialTokens;
    if (!this.tok) return;
    try {
      const t0 = Date.now();
      const enc = this.tok.encode(text, { addSpecialTokens });
      const plain = addSpecialTokens ? this.tok.encode(text, { addSpecialTokens: false }).ids : enc.ids;
      const main = view(seq, text, enc, this.tok.decode(plain), Date.now() - t0);
      let compare: EncodedView | undefined;
      if (this.compare) {
        const t1 = Date.now();
        const e2 = this.compare.encode(text, { addSpecialTokens });
        compare = view(seq, text, e2, this.compare.decode(this.compare.encode(text, { addSpecialTokens: false }).ids), Date.now() - t1);
      }
      this.host.postDelta({ type: 'encoded', main, compare });
    } catch (e) {
      this.host.postDelta({ type: 'error', seq, message: (e as Error).message });
    }
  }

  private async renderChat(seq: number, messages: string, mask: MaskChoice): Promise<void> {
    await this.loaded;
    this.chat = messages; this.mask = mask;
    if (!this.tok) return;
    try {
      let parsed: unknown;
      try { parsed = JSON.parse(messages); } catch (e) { throw new Error(`messages are not valid JSON: ${(e as Error).message}`); }
      if (!Array.isArray(parsed) || !parsed.every((m) => m && typeof m.role === 'string')) throw new Error('messages must be a JSON list of {"role", "content"}');
      const r = renderChatWithMask(this.tok, parsed as ChatMessage[], maskMode(mask));
      this.host.postDelta({ type: 'chat', chat: { seq, text: r.text, ids: r.ids, tokens: r.tokens, offsets: r.offsets, special: r.special, mask: r.mask, generationPrompt: r.generationPrompt, notes: r.notes } });
    } catch (e) {
      this.host.postDelta({ type: 'error', seq, message: (e as Error).message });
    }
  }

  private async pickCompare(): Promise<void> {
    const picked = await vscode.window.showOpenDialog({ canSelectFiles: true, canSelectFolders: true, canSelectMany: false, openLabel: 'Compare with this tokenizer' });
    if (!picked?.[0]) return;
    try { this.compare = await this.load(picked[0]); } catch (e) { void vscode.window.showErrorMessage((e as Error).message); return; }
    await this.host.refresh();
  }

  /** The loaded tokenizer (tests). */
  async tokenizer(): Promise<LoadedTokenizer | undefined> { await this.loaded; return this.tok; }

  dispose(): void { this.host.dispose(); }
}

/** What the inspector needs from the extension. */
export interface InspectorContext { extensionUri: vscode.Uri; files: FilesService; log: vscode.LogOutputChannel }

export function labelOf(uri: vscode.Uri): string {
  const parts = uri.path.split('/').filter(Boolean);
  return parts.slice(-2).join('/') || uri.path;
}
