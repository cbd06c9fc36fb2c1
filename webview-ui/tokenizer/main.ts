/**
 * Tokenizer inspector webview: text in, tokens drawn as coloured spans with their ids (special/added tokens marked,
 * byte-fallback tokens as their bytes), hover a token to highlight its source characters and the reverse, counts,
 * decode with a round-trip check, a second tokenizer side by side, the checks, and a chat template rendered with its
 * loss mask. All text is set with textContent. Encodings arrive packed (typed arrays) from the host's encode worker;
 * the token list is virtualized: tokens are laid out in rows of fixed height (estimated widths, a new row after a
 * newline), and only the rows in view (plus a margin) are in the DOM, so a 10 MB text scrolls like a short one.
 */
import './style.css';
import '@vscode-elements/elements/dist/vscode-button/index.js';
import '@vscode-elements/elements/dist/vscode-checkbox/index.js';
import '@vscode-elements/elements/dist/vscode-single-select/index.js';
import '@vscode-elements/elements/dist/vscode-option/index.js';
import '@vscode-elements/elements/dist/vscode-textarea/index.js';
import '@vscode-elements/elements/dist/vscode-progress-bar/index.js';
import { dispatch, type Handlers, type ChatView, type EncodedView, type RoundTripView, type MaskChoice, type TokenizerHostToWebview, type TokenizerWebviewToHost } from '../../src/shared/protocol/tokenizer';

interface VsCodeApi { postMessage(message: TokenizerWebviewToHost): void; getState(): unknown; setState(s: unknown): void }
declare function acquireVsCodeApi(): VsCodeApi;
const vscode = acquireVsCodeApi();

/** Height of one row of the token list (px; .trow in style.css). */
const ROW_H = 30;
/** Rows drawn above and below the visible ones. */
const OVERSCAN = 8;
const SOURCE_LIMIT = 200_000;
const $ = <T extends HTMLElement>(id: string): T => document.getElementById(id) as T;
function el<K extends keyof HTMLElementTagNameMap>(tag: K, cls?: string, text?: string): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  if (cls) e.className = cls;
  if (text !== undefined) e.textContent = text;
  return e;
}

document.body.append(
  el('div', 'header'), el('div', 'problems'),
  el('section', 'input'), el('div', 'progress'), el('div', 'stats'), el('div', 'tokens'), el('pre', 'source'), el('div', 'decode'),
  el('div', 'compare'), el('h3', undefined, 'Chat template and loss mask'), el('section', 'chat-input'), el('div', 'chat-stats'), el('div', 'chat-tokens'), el('div', 'chat-notes'),
);
const [header, problemsEl, inputEl, progressEl, statsEl, tokensEl, sourceEl, decodeEl, compareEl, , chatInputEl, chatStatsEl, chatTokensEl, chatNotesEl] = Array.from(document.body.children) as HTMLElement[];
header.id = 'header'; problemsEl.id = 'problems'; progressEl.id = 'progress'; statsEl.id = 'stats'; tokensEl.id = 'tokens'; sourceEl.id = 'source'; decodeEl.id = 'decode';
compareEl.id = 'compare'; chatStatsEl.id = 'chat-stats'; chatTokensEl.id = 'chat'; chatNotesEl.id = 'chat-notes';
// #compare > .compare-head (what is compared, counts) + #compare-tokens (a second virtualized list, hidden until used)
const compareHead = el('div', 'compare-head');
const compareTokensEl = el('div', 'tokens');
compareTokensEl.id = 'compare-tokens'; compareTokensEl.hidden = true;
compareEl.append(compareHead, compareTokensEl);

const textArea = document.createElement('vscode-textarea') as HTMLElement & { value: string };
textArea.id = 'text'; textArea.setAttribute('rows', '5'); textArea.setAttribute('placeholder', 'Type or paste text to tokenize');
const special = document.createElement('vscode-checkbox') as HTMLElement & { checked: boolean };
special.id = 'special'; special.setAttribute('label', 'Add special tokens'); special.textContent = 'Add special tokens';
const compareBtn = document.createElement('vscode-button');
compareBtn.textContent = 'Compare with…';
compareBtn.addEventListener('click', () => vscode.postMessage({ type: 'pickCompare' }));
const rowBtn = document.createElement('vscode-button');
rowBtn.id = 'pick-row'; rowBtn.textContent = 'Pick a dataset row…';
rowBtn.addEventListener('click', () => vscode.postMessage({ type: 'pickRow' }));
const originEl = el('div', 'origin');
originEl.id = 'origin';
inputEl.append(originEl, textArea, el('div', 'row'));
(inputEl.lastChild as HTMLElement).append(special, compareBtn, rowBtn);

const chatArea = document.createElement('vscode-textarea') as HTMLElement & { value: string };
chatArea.id = 'chat-messages'; chatArea.setAttribute('rows', '6');
const maskSel = document.createElement('vscode-single-select') as HTMLElement & { value: string };
maskSel.id = 'mask';
for (const [v, label] of [['trl', 'TRL: all tokens'], ['trl-assistant', 'TRL: assistant_only_loss'], ['trl-completion', 'TRL: completion_only_loss'], ['axolotl', 'Axolotl: train_on_inputs false'], ['llamafactory', 'LLaMA-Factory']] as const) {
  const o = document.createElement('vscode-option'); o.setAttribute('value', v); o.textContent = label; maskSel.append(o);
}
const renderBtn = document.createElement('vscode-button');
renderBtn.id = 'render'; renderBtn.textContent = 'Render chat';
chatInputEl.append(chatArea, el('div', 'row'));
(chatInputEl.lastChild as HTMLElement).append(maskSel, renderBtn);

let seq = 0;
let chatSeq = 0;
let lastText = '';
/** What the compare tokenizer is (label, kind, vocabulary size), from the last snapshot; '' when none. */
let compareLabel = '';
const display = (t: string): string => t.replace(/\n/g, '↵').replace(/\t/g, '→').replace(/\r/g, '␍') || '∅';

// Progress of a running encode: an indeterminate bar and what the worker is doing.
const progressBar = document.createElement('vscode-progress-bar') as HTMLElement & { indeterminate: boolean };
progressBar.indeterminate = true;
const progressText = el('span', 'progress-text');
progressEl.append(progressBar, progressText);
progressEl.hidden = true;
const mb = (chars: number): string => chars >= 100_000 ? `${(chars / 1e6).toFixed(1)} M characters` : `${chars} characters`;
function showProgress(text: string): void { progressEl.hidden = false; progressText.textContent = text; }

function sendEncode(): void {
  lastText = textArea.value ?? '';
  vscode.setState({ ...(vscode.getState() as object | undefined), text: lastText });
  vscode.postMessage({ type: 'encode', seq: ++seq, text: lastText, addSpecialTokens: !!special.checked });
  showProgress(`Encoding ${mb(lastText.length)}…`);
}
let timer: ReturnType<typeof setTimeout> | undefined;
const schedule = (): void => { if (timer) clearTimeout(timer); timer = setTimeout(sendEncode, 120); };
textArea.addEventListener('input', schedule);
special.addEventListener('change', schedule);
renderBtn.addEventListener('click', () => vscode.postMessage({ type: 'renderChat', seq: ++chatSeq, messages: chatArea.value ?? '', mask: (maskSel.value || 'trl') as MaskChoice }));

const isByte = (t: string): boolean => /^<0x[0-9A-F]{2}>$/.test(t);
function tokenSpan(t: string, id: number, i: number, isSpecial: boolean, extra = ''): HTMLSpanElement {
  const s = el('span', `tok c${i % 6}${isSpecial ? ' special' : ''}${isByte(t) ? ' byte' : ''}${extra}`);
  s.append(el('span', 'piece', display(t)), el('sub', 'id', String(id)));
  s.dataset.i = String(i);
  s.title = `${JSON.stringify(t)} id ${id}${isSpecial ? ' (special)' : ''}`;
  return s;
}
const pieceAt = (v: EncodedView, i: number): string => v.packed.pieces[v.packed.pieceOf[i]];

// --- the virtualized token lists -------------------------------------------------------------------------------
// box (scrolls) > .spacer (height = rows * ROW_H) > .window (absolute, at the first drawn row) > .trow > .tok
/** Width of one character of the editor font in a token list (px), measured once per layout. */
function measureChar(box: HTMLElement): number {
  const probe = el('span', 'tok');
  probe.append(el('span', 'piece', 'MMMMMMMMMMMMMMMMMMMM'));
  probe.style.visibility = 'hidden'; probe.style.position = 'absolute';
  box.append(probe);
  const w = probe.firstElementChild!.getBoundingClientRect().width / 20;
  probe.remove();
  return w > 0 ? w : 8;
}

/** Columns a string takes: wide (CJK, emoji, other astral) characters count 2. */
function columns(t: string): number {
  let n = 0;
  for (const ch of t) { const c = ch.codePointAt(0)!; n += c >= 0x1100 && (c <= 0x115f || (c >= 0x2e80 && c <= 0xa4cf) || (c >= 0xac00 && c <= 0xd7a3) || (c >= 0xf900 && c <= 0xfaff) || (c >= 0xfe30 && c <= 0xfe4f) || (c >= 0xff00 && c <= 0xff60) || c >= 0x1f000) ? 2 : 1; }
  return n;
}

/**
 * One virtualized token list (the main tokenizer's and the compare tokenizer's): the encoding is laid out into rows
 * of the box's width (estimated widths; a newline in a token's source ends its row) and only the rows in view, plus
 * OVERSCAN, are in the DOM. `box.dataset.rows` / `.drawn` say how many rows there are and how many tokens are drawn.
 */
class TokenList {
  view: EncodedView | undefined;
  /** Token index where each row starts; rowStarts[rows] = count. */
  private rowStarts = new Uint32Array([0]);
  private rows = 0;
  private drawnFirst = -1;
  private drawnLast = -1;
  private hovered = -1;
  private lastWidth = 0;
  private drawQueued = false;
  private readonly spacer = el('div', 'spacer');
  private readonly windowEl = el('div', 'window');

  constructor(readonly box: HTMLElement) {
    box.classList.add('vlist');
    this.spacer.append(this.windowEl);
    box.append(this.spacer);
    box.addEventListener('scroll', () => {
      if (this.drawQueued) return;
      this.drawQueued = true;
      requestAnimationFrame(() => { this.drawQueued = false; this.draw(); });
    });
    new ResizeObserver(() => {
      if (!this.view || box.clientWidth === this.lastWidth) return;
      this.lastWidth = box.clientWidth;
      this.layout(); this.draw(true);
    }).observe(box);
    box.addEventListener('mouseover', (e) => {
      const span = (e.target as HTMLElement).closest('.tok') as HTMLElement | null;
      if (!span || !this.view || !this.windowEl.contains(span)) return;
      const i = Number(span.dataset.i);
      this.setHovered(i);
      highlightSource(this.view.packed.offsets[2 * i], this.view.packed.offsets[2 * i + 1]);
    });
  }

  /** Shows `v` (or nothing), scrolled to the top. */
  set(v: EncodedView | undefined): void {
    this.view = v; this.hovered = -1;
    this.box.scrollTop = 0;
    this.layout();
    this.lastWidth = this.box.clientWidth;
    this.draw(true);
  }

  /** Token spans in the DOM now. */
  domTokens(): number { return this.windowEl.querySelectorAll('.tok').length; }

  private layout(): void {
    const v = this.view;
    if (!v) { this.rowStarts = new Uint32Array([0]); this.rows = 0; this.spacer.style.height = '0px'; this.box.dataset.rows = '0'; return; }
    const p = v.packed;
    const width = Math.max(80, this.box.clientWidth - 16);
    const cols = width / measureChar(this.box);
    const pieceCols = new Float32Array(p.pieces.length).fill(-1);
    const starts: number[] = [0];
    let used = 0;
    for (let i = 0; i < p.count; i++) {
      const k = p.pieceOf[i];
      if (pieceCols[k] < 0) pieceCols[k] = columns(display(p.pieces[k])) + 1.5;
      const w = pieceCols[k] + 0.75 * String(p.ids[i]).length;
      if (used > 0 && used + w > cols) { starts.push(i); used = 0; }
      used += w;
      const a = p.offsets[2 * i], b = p.offsets[2 * i + 1];
      let newline = false;
      for (let c = a; c < b && !newline; c++) newline = lastText.charCodeAt(c) === 10;
      if (newline && i + 1 < p.count) { starts.push(i + 1); used = 0; }
    }
    starts.push(p.count);
    this.rowStarts = Uint32Array.from(starts);
    this.rows = starts.length - 1;
    this.spacer.style.height = `${this.rows * ROW_H}px`;
    this.box.dataset.rows = String(this.rows);
  }

  /** The row holding token `i`. */
  private rowOf(i: number): number {
    let lo = 0, hi = this.rows - 1;
    while (lo < hi) { const mid = (lo + hi + 1) >> 1; if (this.rowStarts[mid] <= i) lo = mid; else hi = mid - 1; }
    return lo;
  }

  /** Draws the rows in view (plus OVERSCAN); `force` redraws even when the same rows are drawn. */
  draw(force = false): void {
    const v = this.view, box = this.box;
    if (!v) { this.windowEl.replaceChildren(); this.drawnFirst = this.drawnLast = -1; box.dataset.drawn = '0'; return; }
    const first = Math.max(0, Math.floor(box.scrollTop / ROW_H) - OVERSCAN);
    const last = Math.min(this.rows, Math.ceil((box.scrollTop + Math.max(box.clientHeight, ROW_H)) / ROW_H) + OVERSCAN);
    if (!force && first === this.drawnFirst && last === this.drawnLast) return;
    this.drawnFirst = first; this.drawnLast = last;
    const frag = document.createDocumentFragment();
    const p = v.packed;
    for (let r = first; r < last; r++) {
      const row = el('div', 'trow');
      for (let i = this.rowStarts[r]; i < this.rowStarts[r + 1]; i++) row.append(tokenSpan(pieceAt(v, i), p.ids[i], i, p.special[i] === 1, i === this.hovered ? ' hover' : ''));
      frag.append(row);
    }
    this.windowEl.style.top = `${first * ROW_H}px`;
    this.windowEl.replaceChildren(frag);
    box.dataset.drawn = String(this.rowStarts[last] - this.rowStarts[first]);
  }

  setHovered(i: number): void {
    this.box.querySelectorAll('.hover').forEach((x) => x.classList.remove('hover'));
    this.hovered = i;
    if (i >= 0) this.box.querySelector(`[data-i="${i}"]`)?.classList.add('hover');
  }

  /** Scrolls the list so token `i` is in view (drawing its row), and marks it. */
  reveal(i: number): void {
    const top = this.rowOf(i) * ROW_H, box = this.box;
    if (top < box.scrollTop || top + ROW_H > box.scrollTop + box.clientHeight) box.scrollTop = Math.max(0, top - box.clientHeight / 2);
    this.draw();
    this.setHovered(i);
  }

  /** The token whose source span holds character `offset`, or -1 (offsets are sorted: binary search). */
  tokenAt(offset: number): number {
    const v = this.view;
    if (!v) return -1;
    const o = v.packed.offsets;
    let lo = 0, hi = v.packed.count - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (o[2 * mid + 1] <= offset) lo = mid + 1;
      else if (o[2 * mid] > offset) hi = mid - 1;
      else return mid;
    }
    // Tokens with an empty span (special tokens) or overlapping byte-fallback pieces: a short linear look around.
    for (let k = Math.max(0, lo - 4); k < Math.min(v.packed.count, lo + 4); k++) if (o[2 * k] <= offset && offset < o[2 * k + 1]) return k;
    return -1;
  }
}

const mainList = new TokenList(tokensEl);
const compareList = new TokenList(compareTokensEl);

function highlightSource(start: number, end: number): void {
  sourceEl.replaceChildren();
  if (lastText.length > SOURCE_LIMIT) { sourceEl.textContent = `characters ${start}–${end}`; return; }
  const mark = el('mark', undefined, lastText.slice(start, end));
  sourceEl.append(document.createTextNode(lastText.slice(0, start)), mark, document.createTextNode(lastText.slice(end)));
  mark.scrollIntoView({ block: 'nearest' });
}
sourceEl.addEventListener('mousemove', (e) => {
  if (!mainList.view || lastText.length > SOURCE_LIMIT) return;
  const pos = (document as any).caretRangeFromPoint?.(e.clientX, e.clientY) as Range | undefined;
  if (!pos) return;
  let offset = pos.startOffset;
  for (let n = pos.startContainer.previousSibling; n; n = n.previousSibling) offset += n.textContent?.length ?? 0;
  // The character's token in both lists: where the two tokenizers cut the same text differently shows side by side.
  for (const list of [mainList, compareList]) {
    const i = list.tokenAt(offset);
    if (i >= 0) list.reveal(i); else list.setHovered(-1);
  }
});

function showEncoded(v: EncodedView, target: HTMLElement, stats: HTMLElement): void {
  const n = v.packed.count;
  stats.replaceChildren(el('strong', undefined, `${n} tokens`), document.createTextNode(` · ${v.chars} characters · ${(v.chars / Math.max(1, n)).toFixed(2)} characters per token · ${v.ms} ms`));
  stats.dataset.count = String(n);
  target.dataset.count = String(n);
}

/** Tells the host that `v` is on screen, after the next frame (tests and the first-paint bench wait on it). */
function reportPainted(v: EncodedView): void {
  requestAnimationFrame(() => setTimeout(() => {
    if (mainList.view !== v) return;
    const c = compareList.view;
    vscode.postMessage({ type: 'painted', seq: v.seq, count: v.packed.count, domTokens: mainList.domTokens(), chars: v.chars, ...(c ? { compareCount: c.packed.count, compareDomTokens: compareList.domTokens() } : {}) });
  }, 0));
}

function showDecode(v: RoundTripView | undefined): void {
  if (!v) { decodeEl.replaceChildren(el('span', undefined, 'Checking decode(encode(text)) == text…')); decodeEl.removeAttribute('data-round-trip'); return; }
  decodeEl.replaceChildren(el('span', v.roundTrip ? 'ok' : 'bad', v.roundTrip ? '✓ decode(encode(text)) == text' : '✗ round trip differs: '));
  if (!v.roundTrip && v.firstDiff) {
    const d = v.firstDiff;
    decodeEl.append(el('code', undefined, `at ${d.at}: ${JSON.stringify(d.text)} → ${JSON.stringify(d.decoded)}`));
  }
  decodeEl.dataset.roundTrip = String(v.roundTrip);
}

function showChat(c: ChatView): void {
  chatTokensEl.replaceChildren();
  const frag = document.createDocumentFragment();
  c.tokens.forEach((t, i) => frag.append(tokenSpan(t, c.ids[i], i, c.special[i], c.mask[i] ? ' trained' : ' masked')));
  chatTokensEl.append(frag);
  const trained = c.mask.filter((m) => m).length;
  chatTokensEl.dataset.count = String(c.ids.length);
  chatTokensEl.dataset.trained = String(trained);
  chatStatsEl.replaceChildren(el('strong', undefined, `${trained} of ${c.ids.length} tokens trained`), document.createTextNode(' (bright: label kept; dim: label -100) · generation prompt: '), el('code', undefined, JSON.stringify(c.generationPrompt)));
  chatNotesEl.replaceChildren(...c.notes.map((n) => el('div', 'note', n)));
}

const handlers = {
  snapshot: (m) => {
    header.replaceChildren();
    if (m.tokenizer) {
      const t = m.tokenizer;
      header.append(el('strong', undefined, t.label), document.createTextNode(` · ${t.kind} · ${t.vocabSize} ids${t.host !== 'local' ? ` · on ${t.host}` : ''} · bos ${t.bosToken ?? '–'} · eos ${t.eosToken ?? '–'} · pad ${t.padToken ?? '–'}`));
    }
    if (m.error) header.append(el('div', 'bad', m.error));
    problemsEl.replaceChildren(...m.problems.map((p) => { const d = el('div', `problem ${p.severity}`); d.append(el('strong', undefined, `${p.severity} ${p.code}: `), document.createTextNode(p.message), ...(p.fix ? [el('div', 'fix', `Fix: ${p.fix}`)] : [])); return d; }));
    problemsEl.dataset.count = String(m.problems.length);
    const state = vscode.getState() as { text?: string; prefill?: number } | undefined;
    // A pre-fill from the host (tokenizer.open's input, a picked row) wins over the text saved in the webview state.
    const fresh = m.prefill > (state?.prefill ?? 0);
    if (fresh) vscode.setState({ ...state, prefill: m.prefill, text: m.text });
    textArea.value = fresh ? m.text : state?.text ?? m.text;
    originEl.textContent = m.origin ? `From ${m.origin}` : '';
    special.checked = m.addSpecialTokens;
    chatArea.value = m.chatMessages;
    maskSel.value = m.mask;
    compareLabel = m.compare ? `${m.compare.label} (${m.compare.kind}, ${m.compare.vocabSize} ids)` : '';
    compareHead.replaceChildren(compareLabel ? el('div', undefined, `Compare: ${compareLabel}`) : '');
    if (!m.compare) { compareList.set(undefined); compareTokensEl.hidden = true; }
    chatInputEl.hidden = !m.tokenizer?.hasChatTemplate;
    if (m.tokenizer) { sendEncode(); if (m.tokenizer.hasChatTemplate) renderBtn.click(); }
  },
  encoded: (m) => {
    if (m.main.seq < seq) return; // a newer encode is on its way
    progressEl.hidden = true;
    showEncoded(m.main, tokensEl, statsEl);
    mainList.set(m.main);
    showDecode(undefined);
    highlightSource(0, 0);
    const c = m.compare;
    compareTokensEl.hidden = !c;
    compareList.set(c);
    if (c) {
      const n = c.packed.count;
      compareTokensEl.dataset.count = String(n);
      compareHead.replaceChildren(el('div', undefined, `Compare: ${compareLabel} · ${n} tokens (${(c.chars / Math.max(1, n)).toFixed(2)} characters per token) vs ${m.main.packed.count} · hover a token or a character to see both cuts`));
    }
    reportPainted(m.main);
  },
  progress: (m) => {
    if (m.seq < seq) return;
    if (m.phase === 'round-trip') return; // the tokens are drawn; the decode line says it is checking
    const what = m.phase === 'queued' ? 'Starting the encode worker' : m.phase === 'encoding' ? 'Encoding' : 'Packing';
    showProgress(`${what} ${mb(m.chars)}${m.slot === 'compare' ? ' with the compare tokenizer' : ''} in a worker… ${(m.elapsedMs / 1000).toFixed(1)} s`);
  },
  roundTrip: (m) => {
    if (m.seq !== seq || mainList.view?.seq !== m.seq) return;
    showDecode(m.main);
    if (m.compare) {
      compareHead.append(el('span', m.compare.roundTrip ? 'ok' : 'bad', m.compare.roundTrip ? ' ✓ round trip' : ' ✗ round trip differs'));
      compareTokensEl.dataset.roundTrip = String(m.compare.roundTrip);
    }
  },
  chat: (m) => showChat(m.chat),
  error: (m) => {
    if (m.seq === seq) { progressEl.hidden = true; statsEl.replaceChildren(el('span', 'bad', m.message)); }
    chatNotesEl.replaceChildren(el('div', 'bad', m.message));
  },
} satisfies Handlers<TokenizerHostToWebview>;

window.addEventListener('message', (e: MessageEvent<TokenizerHostToWebview>) => dispatch(handlers, e.data));
vscode.postMessage({ type: 'ready' });
