/**
 * Host side of the tokenizer inspector (a webview panel, or the custom read-only editor of `tokenizer.model`):
 * loads the tokenizer through FilesService (local paths and `llmtraining-remote:` URIs alike), encodes what the
 * webview sends, renders chat templates with their loss mask, and shows the tokenizer checks.
 */
import * as vscode from 'vscode';
import { join } from 'node:path';
import { loadTokenizer, type LoadedTokenizer } from '../../core/tokenizer';
import { recordingFileAccess } from '../../core/tokenizer/fileSnapshot';
import { inspectEncode, inspectRoundTrip, type InspectedEncoding } from '../../core/tokenizer/inspectEncode';
import { EncodeCancelledError, EncodeWorkerClient, type EncodeJob } from './workerClient';
import { checkTokenizer } from '../../core/tokenizer/checks';
import { renderChatWithMask, type LossMaskMode } from '../../core/tokenizer/lossMask';
import type { ChatMessage } from '../../core/tokenizer/chat';
import type { EncodePhase, EncodedView, MaskChoice, ProblemView, TokenizerHostToWebview, TokenizerInfoView, TokenizerWebviewToHost } from '../../shared/protocol/tokenizer';
import { WebviewHost, surfaceOf } from '../webviewHost';
import type { FilesService } from '../files';
import { parseTokenizerMessage } from './messages';
import { inputFromRow, trainingConfigOf, type TokenizerOpenInput } from '../../core/tokenizer/openInput';
import { frameworkTemplate, renderFrameworkChat, renderFrameworkText } from '../../core/tokenizer/frameworkTemplates';
import type { TrainingContext } from '../../core/tokenizer/checks';
import { loadDatasetCore } from '../dataset/core';
import { readText } from '../../core/files';

export const SAMPLE_TEXT = 'Hello world! Tokenizers split text into pieces: 训练 🙂 <s> 2024-01-31';
export const SAMPLE_CHAT = JSON.stringify([
  { role: 'system', content: 'You are a helpful assistant.' },
  { role: 'user', content: 'What is 2+2?' },
  { role: 'assistant', content: 'It is 4.' },
], null, 2);

function maskMode(m: MaskChoice, fromConfig?: LossMaskMode): LossMaskMode {
  if (fromConfig && maskChoiceOf(fromConfig) === m) return fromConfig;
  switch (m) {
    case 'trl-assistant': return { framework: 'trl', assistantOnlyLoss: true };
    case 'trl-completion': return { framework: 'trl', completionOnlyLoss: true };
    case 'axolotl': return { framework: 'axolotl' };
    case 'llamafactory': return { framework: 'llamafactory' };
    default: return { framework: 'trl' };
  }
}

/** The panel's mask choice for a config's loss-mask mode. */
export function maskChoiceOf(mode: LossMaskMode): MaskChoice {
  if (mode.framework === 'trl') return mode.assistantOnlyLoss ? 'trl-assistant' : mode.completionOnlyLoss ? 'trl-completion' : 'trl';
  return mode.framework;
}

/** Rows offered by "Pick a dataset row…" (the first ones of the file). */
const PICK_ROWS = 200;

function infoOf(tok: LoadedTokenizer, label: string): TokenizerInfoView {
  return { label, path: tok.path, host: tok.host, kind: tok.kind, vocabSize: tok.vocabSize, bosToken: tok.bosToken, eosToken: tok.eosToken, padToken: tok.padToken, hasChatTemplate: !!tok.chatTemplate };
}

function view(seq: number, r: InspectedEncoding): EncodedView {
  return { seq, packed: r.packed, chars: r.chars, ms: r.ms };
}

/** The inspector's latest encode job in the worker, and what it was asked. */
interface EncodeRun { text: string; addSpecialTokens: boolean; compareGen: number; job: EncodeJob; t0: number; phase: EncodePhase; slot: 'main' | 'compare'; inWorker?: boolean }

/** `f()` as a promise (rejected when it throws), with a no-op handler so an unawaited failure is not unhandled. */
function settle<T>(f: () => T): Promise<T> {
  let p: Promise<T>;
  try { p = Promise.resolve(f()); } catch (e) { p = Promise.reject(e as Error); }
  p.catch(() => { /* the awaiting handler reports it */ });
  return p;
}

/** How often the panel hears how long a running encode has taken (ms). */
const PROGRESS_EVERY_MS = 250;
/**
 * Texts shorter than this (UTF-16 code units) are encoded on the extension host's thread (tens of ms), so typing
 * into a short text pays no worker round trip; longer ones go to the worker.
 */
export const WORKER_MIN_CHARS = 20_000;

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
  /** Bumped on each pre-fill, so the webview takes the host's text over its saved state. */
  private prefill = 0;
  /** Where the pre-filled input came from ("row 3 of train.jsonl", "config sft.yaml"). */
  private origin?: string;
  /** The training config's loss-mask settings and context for the checks (from `input.config`). */
  private configMask?: LossMaskMode;
  private training?: TrainingContext;
  private readonly loaded: Promise<void>;
  /** The webview's last `painted` report, and an event per report (tests, the first-paint bench). */
  private lastPainted?: PaintedReport;
  private readonly paintedEvents = new vscode.EventEmitter<PaintedReport>();
  /** Encodes run in a worker thread (dist/tokenizerWorker.js), off the extension host's thread; cancelled by newer input. */
  private readonly encoder: EncodeWorkerClient;
  /** The latest encode (kept: the webview's request for the text the host pre-filled finds it running or done). */
  private run?: EncodeRun;
  /** Bumped when the compare tokenizer changes (a kept encode without it is then stale). */
  private compareGen = 0;

  /**
   * Shows (or reveals) the inspector for `uri` (a tokenizer file or model folder), pre-filled from `input` when given
   * (see TokenizerOpenInput). Resolves once the input is applied; an input that cannot be read is reported in a
   * warning and the rest still applies.
   */
  static async show(ctx: InspectorContext, uri: vscode.Uri, input?: TokenizerOpenInput): Promise<TokenizerInspector> {
    const key = uri.toString();
    let inspector = TokenizerInspector.open.get(key);
    if (inspector) inspector.panel.reveal();
    else {
      const panel = vscode.window.createWebviewPanel(TokenizerInspector.viewType, `Tokenizer: ${labelOf(uri)}`, vscode.ViewColumn.Active, {});
      inspector = new TokenizerInspector(ctx, panel, uri);
    }
    if (input && Object.keys(input).length > 0) await inspector.applyInput(input);
    return inspector;
  }

  constructor(private readonly ctx: InspectorContext, readonly panel: vscode.WebviewPanel, readonly uri: vscode.Uri) {
    TokenizerInspector.open.set(uri.toString(), this);
    this.encoder = new EncodeWorkerClient(join(ctx.extensionUri.fsPath, 'dist', 'tokenizerWorker.js'), { log: (m) => ctx.log.warn(`tokenizer inspector: ${m}`) });
    this.host = new WebviewHost(surfaceOf(panel), ctx.extensionUri, {
      app: 'tokenizer', label: 'tokenizer inspector', parse: parseTokenizerMessage,
      snapshot: async () => { await this.loaded; return this.snapshot(); },
      handlers: {
        encode: (m) => this.encode(m.seq, m.text, m.addSpecialTokens),
        renderChat: (m) => this.renderChat(m.seq, m.messages, m.mask),
        pickCompare: () => this.pickCompare(),
        pickRow: () => this.pickRow(),
        painted: (m) => { this.lastPainted = m; this.paintedEvents.fire(m); },
      },
    }, ctx.log);
    this.host.onDidDispose(() => { TokenizerInspector.open.delete(uri.toString()); this.paintedEvents.dispose(); this.encoder.dispose(); });
    this.loaded = this.load(uri, 'main').then((t) => { this.tok = t; }, (e: Error) => { this.error = e.message; ctx.log.warn(`tokenizer inspector: ${e.message}`); });
  }

  /** Loads the tokenizer at `uri` here, recording the reads, and hands the recording to the encode worker's `slot`. */
  private async load(uri: vscode.Uri, slot: 'main' | 'compare'): Promise<LoadedTokenizer> {
    const { files, path } = await this.ctx.files.forUri(uri);
    const rec = recordingFileAccess(files);
    const tok = await loadTokenizer(rec.files, path);
    this.encoder.setTokenizer(slot, path, rec.snapshot());
    return tok;
  }

  private snapshot(): TokenizerHostToWebview {
    const problems: ProblemView[] = this.tok ? checkTokenizer({ tokenizer: this.tok, sources: this.tok.sources, training: this.training }).map((p) => ({ code: p.code, severity: p.severity, message: p.message, fix: p.fix })) : [];
    return {
      type: 'snapshot', tokenizer: this.tok ? { ...infoOf(this.tok, labelOf(this.uri)), hasChatTemplate: !!this.tok.chatTemplate || !!this.training?.template } : undefined, compare: this.compare ? infoOf(this.compare, this.compare.path) : undefined,
      problems, text: this.text, addSpecialTokens: this.addSpecial, chatMessages: this.chat, mask: this.mask, error: this.error,
      prefill: this.prefill, origin: this.origin,
    };
  }

  /**
   * Pre-fills the panel: the training config first (mask mode and check context), then a dataset row (its text and
   * messages), then explicit `text`/`messages` (they win over the row's), and `compareWith` as the compare tokenizer.
   * Posts a fresh snapshot.
   */
  async applyInput(input: TokenizerOpenInput): Promise<void> {
    const origins: string[] = [];
    const warn = (m: string): void => { this.ctx.log.warn(`tokenizer inspector: ${m}`); void vscode.window.showWarningMessage(m); };
    if (input.config) {
      try {
        const uri = vscode.Uri.parse(input.config);
        const { files, path } = await this.ctx.files.forUri(uri);
        const info = trainingConfigOf(await readText(files, path, 4 * 1024 * 1024), path);
        this.training = info.training;
        this.configMask = info.mask;
        if (this.configMask) this.mask = maskChoiceOf(this.configMask);
        origins.push(`config ${labelOf(uri)}`);
      } catch (e) { warn(`Cannot read the training config ${input.config}: ${(e as Error).message}`); }
    }
    if (input.datasetRow) {
      try {
        const uri = vscode.Uri.parse(input.datasetRow.uri);
        const row = await this.readRow(uri, input.datasetRow.index);
        if (row === undefined) throw new Error(`no row ${input.datasetRow.index}`);
        const r = inputFromRow(row);
        if (!r) throw new Error(`row ${input.datasetRow.index} is not of a known dataset format`);
        this.text = r.text;
        if (r.messages) this.chat = JSON.stringify(r.messages, null, 2);
        origins.push(`row ${input.datasetRow.index} of ${labelOf(uri)}${r.format ? ` (${r.format})` : ''}`);
      } catch (e) { warn(`Cannot open the dataset row in the tokenizer inspector: ${(e as Error).message}`); }
    }
    if (input.text !== undefined) this.text = input.text;
    if (input.messages) this.chat = JSON.stringify(input.messages, null, 2);
    if (input.compareWith) {
      try { await this.setCompare(vscode.Uri.parse(input.compareWith)); } catch (e) { warn(`Cannot load the tokenizer to compare with: ${(e as Error).message}`); }
    }
    if (origins.length > 0) this.origin = origins.join(' · ');
    this.prefill++;
    await this.loaded;
    // Start encoding the pre-filled text now: the webview asks for it once the panel has loaded and shown the text.
    if (this.tok) this.startEncode(this.text, this.addSpecial);
    await this.host.refresh();
  }

  /** The value of row `index` (0-based, as the dataset readers count) of a dataset file, or undefined past the end. */
  private async readRow(uri: vscode.Uri, index: number): Promise<unknown> {
    const core = await loadDatasetCore();
    const { files, path } = await this.ctx.files.forUri(uri);
    const kind = core.fileKindOf(path);
    if (!kind) throw new Error(`${path}: not a dataset file (.jsonl, .json, .csv, .parquet)`);
    for await (const r of core.readRows(files, path, kind)) {
      if (r.ref.index === index) { if (r.error) throw new Error(`${path}: row ${index}: ${r.error.message}`); return r.value; }
      if (r.ref.index > index) break;
    }
    return undefined;
  }

  /** "Pick a dataset row…": a dataset file, then one of its first rows, into the text and chat boxes. */
  private async pickRow(): Promise<void> {
    const picked = await vscode.window.showOpenDialog({ canSelectMany: false, openLabel: 'Pick rows from this dataset', filters: { Datasets: ['jsonl', 'ndjson', 'json', 'csv', 'tsv', 'parquet'] } });
    if (!picked?.[0]) return;
    const index = await this.pickRowIndex(picked[0]);
    if (index !== undefined) await this.applyInput({ datasetRow: { uri: picked[0].toString(), index } });
  }

  private async pickRowIndex(uri: vscode.Uri): Promise<number | undefined> {
    const core = await loadDatasetCore();
    const { files, path } = await this.ctx.files.forUri(uri);
    const kind = core.fileKindOf(path);
    if (!kind) { void vscode.window.showWarningMessage(`${path}: not a dataset file`); return undefined; }
    const items: (vscode.QuickPickItem & { index: number })[] = [];
    try {
      for await (const r of core.readRows(files, path, kind)) {
        if (r.error) continue;
        const shown = inputFromRow(r.value);
        const preview = (shown?.text ?? JSON.stringify(r.value) ?? '').replace(/\s+/g, ' ').slice(0, 120);
        items.push({ label: `Row ${r.ref.index}`, description: r.ref.line !== undefined ? `line ${r.ref.line}` : undefined, detail: preview, index: r.ref.index });
        if (items.length >= PICK_ROWS) break;
      }
    } catch (e) { void vscode.window.showErrorMessage((e as Error).message); return undefined; }
    const pick = await vscode.window.showQuickPick(items, { title: `Pick a row of ${labelOf(uri)}`, matchOnDetail: true });
    return pick?.index;
  }

  /**
   * The encode job for `text`: the latest one when it was asked the same (running or done), else a new one: here for
   * a short text, in the worker for a long one (either cancels the latest).
   */
  private startEncode(text: string, addSpecialTokens: boolean): EncodeRun {
    const r = this.run;
    if (r && r.text === text && r.addSpecialTokens === addSpecialTokens && r.compareGen === this.compareGen) return r;
    const run: EncodeRun = { text, addSpecialTokens, compareGen: this.compareGen, t0: Date.now(), phase: 'queued', slot: 'main', job: undefined as unknown as EncodeJob };
    if (text.length < WORKER_MIN_CHARS && this.tok) {
      this.encoder.cancel(); // newer input: a long encode still running in the worker is not wanted any more
      const tok = this.tok, cmp = this.compare;
      run.job = {
        encoded: settle(() => ({ main: inspectEncode(tok, text, addSpecialTokens), compare: cmp && inspectEncode(cmp, text, addSpecialTokens) })),
        roundTrip: settle(() => ({ main: inspectRoundTrip(tok, text), compare: cmp && inspectRoundTrip(cmp, text) })),
      };
      run.job.encoded.catch(() => { if (this.run === run) this.run = undefined; });
      this.run = run;
      return run;
    }
    run.inWorker = true;
    run.job = this.encoder.encode(text, addSpecialTokens, this.compare ? ['main', 'compare'] : ['main'], (slot, phase) => { run.slot = slot; run.phase = phase; });
    // A failed job is not kept: asking again retries.
    run.job.encoded.catch(() => { if (this.run === run) this.run = undefined; });
    this.run = run;
    return run;
  }

  /**
   * Encodes in the worker (a newer encode cancels this one: it then returns quietly), posting `progress` while it
   * runs, the packed encodings when done, then the round trip.
   */
  private async encode(seq: number, text: string, addSpecialTokens: boolean): Promise<void> {
    await this.loaded;
    this.text = text; this.addSpecial = addSpecialTokens;
    if (!this.tok) return;
    const run = this.startEncode(text, addSpecialTokens);
    const progress = (): void => this.host.postDelta({ type: 'progress', seq, phase: run.phase, slot: run.slot, chars: text.length, elapsedMs: Date.now() - run.t0 });
    if (run.inWorker) progress();
    const timer = run.inWorker ? setInterval(progress, PROGRESS_EVERY_MS) : undefined;
    try {
      const r = await run.job.encoded;
      clearInterval(timer);
      this.host.postDelta({ type: 'encoded', main: view(seq, r.main!), compare: r.compare && view(seq, r.compare) });
      const t = await run.job.roundTrip;
      this.host.postDelta({ type: 'roundTrip', seq, main: t.main!, compare: t.compare });
    } catch (e) {
      if (e instanceof EncodeCancelledError) return;
      this.host.postDelta({ type: 'error', seq, message: (e as Error).message });
    } finally {
      clearInterval(timer);
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
      const fwRef = this.training?.template;
      const fw = fwRef && fwRef.framework === maskMode(mask, this.configMask).framework ? frameworkTemplate(fwRef.framework, fwRef.name) : undefined;
      if (fw) {
        // The config names a built-in template of the framework: render with it, as the run will.
        const msgs = parsed as ChatMessage[];
        const f = renderFrameworkChat(this.tok, fw, msgs);
        const lastUser = msgs.map((m) => m.role).lastIndexOf('user');
        let generationPrompt = '';
        if (lastUser >= 0) {
          const prompt = renderFrameworkText(fw, msgs.slice(0, lastUser + 1), { bos: this.tok.bosToken, eos: this.tok.eosToken }, true);
          const user = typeof msgs[lastUser].content === 'string' ? msgs[lastUser].content as string : '';
          generationPrompt = prompt.slice(prompt.lastIndexOf(user) + user.length);
        }
        const notes = [`rendered with ${fw.framework === 'llamafactory' ? 'LLaMA-Factory template' : 'Axolotl chat_template'}: ${fw.name} from ${this.training?.configPath ?? 'the training config'}, not the tokenizer's chat_template`];
        this.host.postDelta({ type: 'chat', chat: { seq, text: f.text, ids: f.ids, tokens: f.tokens, offsets: f.offsets, special: f.special, mask: f.mask, generationPrompt, notes } });
        return;
      }
      const r = renderChatWithMask(this.tok, parsed as ChatMessage[], maskMode(mask, this.configMask));
      this.host.postDelta({ type: 'chat', chat: { seq, text: r.text, ids: r.ids, tokens: r.tokens, offsets: r.offsets, special: r.special, mask: r.mask, generationPrompt: r.generationPrompt, notes: r.notes } });
    } catch (e) {
      this.host.postDelta({ type: 'error', seq, message: (e as Error).message });
    }
  }

  private async pickCompare(): Promise<void> {
    const picked = await vscode.window.showOpenDialog({ canSelectFiles: true, canSelectFolders: true, canSelectMany: false, openLabel: 'Compare with this tokenizer' });
    if (!picked?.[0]) return;
    try { await this.setCompare(picked[0]); } catch (e) { void vscode.window.showErrorMessage((e as Error).message); return; }
    await this.host.refresh();
  }

  /** Loads the tokenizer at `uri` as the compare tokenizer (its encodes then travel with the main one's). */
  private async setCompare(uri: vscode.Uri): Promise<void> {
    this.compare = await this.load(uri, 'compare');
    this.compareGen++;
  }

  /** What the panel is filled with (tests): the text and chat boxes, the mask choice, where a pre-fill came from. */
  state(): { text: string; chatMessages: string; mask: MaskChoice; origin?: string; training?: TrainingContext } {
    return { text: this.text, chatMessages: this.chat, mask: this.mask, origin: this.origin, training: this.training };
  }

  /** The loaded tokenizer (tests). */
  async tokenizer(): Promise<LoadedTokenizer | undefined> { await this.loaded; return this.tok; }

  /**
   * Resolves with the first `painted` report of the webview (the last one already received included) that `accept`
   * takes; rejects after `timeoutMs`. Tests and the first-paint bench use it.
   */
  whenPainted(accept: (p: PaintedReport) => boolean, timeoutMs = 60_000): Promise<PaintedReport> {
    if (this.lastPainted && accept(this.lastPainted)) return Promise.resolve(this.lastPainted);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => { sub.dispose(); reject(new Error(`the tokenizer inspector reported no accepted paint within ${timeoutMs} ms (last: ${JSON.stringify(this.lastPainted)})`)); }, timeoutMs);
      const sub = this.paintedEvents.event((p) => { if (accept(p)) { clearTimeout(timer); sub.dispose(); resolve(p); } });
    });
  }

  dispose(): void { this.encoder.dispose(); this.paintedEvents.dispose(); this.host.dispose(); }
}

/** What the webview reports once an encoding is on screen (see the `painted` message). */
export type PaintedReport = Extract<TokenizerWebviewToHost, { type: 'painted' }>;

/** What the inspector needs from the extension. */
export interface InspectorContext { extensionUri: vscode.Uri; files: FilesService; log: vscode.LogOutputChannel }

export function labelOf(uri: vscode.Uri): string {
  const parts = uri.path.split('/').filter(Boolean);
  return parts.slice(-2).join('/') || uri.path;
}
