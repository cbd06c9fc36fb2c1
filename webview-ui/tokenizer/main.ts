/**
 * Tokenizer inspector webview: text in, tokens drawn as coloured spans with their ids (special/added tokens marked,
 * byte-fallback tokens as their bytes), hover a token to highlight its source characters and the reverse, counts,
 * decode with a round-trip check, a second tokenizer side by side, the checks, and a chat template rendered with its
 * loss mask. All text is set with textContent. Long encodings are drawn in pages as the list scrolls.
 */
import './style.css';
import '@vscode-elements/elements/dist/vscode-button/index.js';
import '@vscode-elements/elements/dist/vscode-checkbox/index.js';
import '@vscode-elements/elements/dist/vscode-single-select/index.js';
import '@vscode-elements/elements/dist/vscode-option/index.js';
import '@vscode-elements/elements/dist/vscode-textarea/index.js';
import { dispatch, type Handlers, type ChatView, type EncodedView, type MaskChoice, type TokenizerHostToWebview, type TokenizerWebviewToHost } from '../../src/shared/protocol/tokenizer';

interface VsCodeApi { postMessage(message: TokenizerWebviewToHost): void; getState(): unknown; setState(s: unknown): void }
declare function acquireVsCodeApi(): VsCodeApi;
const vscode = acquireVsCodeApi();

const PAGE = 2000;
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
  el('section', 'input'), el('div', 'stats'), el('div', 'tokens'), el('pre', 'source'), el('div', 'decode'),
  el('div', 'compare'), el('h3', undefined, 'Chat template and loss mask'), el('section', 'chat-input'), el('div', 'chat-stats'), el('div', 'chat-tokens'), el('div', 'chat-notes'),
);
const [header, problemsEl, inputEl, statsEl, tokensEl, sourceEl, decodeEl, compareEl, , chatInputEl, chatStatsEl, chatTokensEl, chatNotesEl] = Array.from(document.body.children) as HTMLElement[];
header.id = 'header'; problemsEl.id = 'problems'; statsEl.id = 'stats'; tokensEl.id = 'tokens'; sourceEl.id = 'source'; decodeEl.id = 'decode';
compareEl.id = 'compare'; chatStatsEl.id = 'chat-stats'; chatTokensEl.id = 'chat'; chatNotesEl.id = 'chat-notes';

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
let current: EncodedView | undefined;
let drawn = 0;
const display = (t: string): string => t.replace(/\n/g, '↵').replace(/\t/g, '→').replace(/\r/g, '␍') || '∅';

function sendEncode(): void {
  lastText = textArea.value ?? '';
  vscode.setState({ ...(vscode.getState() as object | undefined), text: lastText });
  vscode.postMessage({ type: 'encode', seq: ++seq, text: lastText, addSpecialTokens: !!special.checked });
}
let timer: ReturnType<typeof setTimeout> | undefined;
const schedule = (): void => { if (timer) clearTimeout(timer); timer = setTimeout(sendEncode, 120); };
textArea.addEventListener('input', schedule);
special.addEventListener('change', schedule);
renderBtn.addEventListener('click', () => vscode.postMessage({ type: 'renderChat', seq: ++chatSeq, messages: chatArea.value ?? '', mask: (maskSel.value || 'trl') as MaskChoice }));

function tokenSpan(t: string, id: number, i: number, isSpecial: boolean, extra = ''): HTMLSpanElement {
  const s = el('span', `tok c${i % 6}${isSpecial ? ' special' : ''}${/^<0x[0-9A-F]{2}>$/.test(t) ? ' byte' : ''}${extra}`);
  s.append(el('span', 'piece', display(t)), el('sub', 'id', String(id)));
  s.dataset.i = String(i);
  s.title = `${JSON.stringify(t)} id ${id}${isSpecial ? ' (special)' : ''}`;
  return s;
}

function drawPage(): void {
  if (!current) return;
  const end = Math.min(current.ids.length, drawn + PAGE);
  const frag = document.createDocumentFragment();
  for (let i = drawn; i < end; i++) frag.append(tokenSpan(current.tokens[i], current.ids[i], i, current.special[i]));
  tokensEl.append(frag);
  drawn = end;
  tokensEl.dataset.drawn = String(drawn);
}
tokensEl.addEventListener('scroll', () => { if (tokensEl.scrollTop + tokensEl.clientHeight > tokensEl.scrollHeight - 200) drawPage(); });

function highlightSource(start: number, end: number): void {
  sourceEl.replaceChildren();
  if (lastText.length > SOURCE_LIMIT) { sourceEl.textContent = `characters ${start}–${end}`; return; }
  const mark = el('mark', undefined, lastText.slice(start, end));
  sourceEl.append(document.createTextNode(lastText.slice(0, start)), mark, document.createTextNode(lastText.slice(end)));
  mark.scrollIntoView({ block: 'nearest' });
}
tokensEl.addEventListener('mouseover', (e) => {
  const span = (e.target as HTMLElement).closest('.tok') as HTMLElement | null;
  if (!span || !current) return;
  tokensEl.querySelectorAll('.hover').forEach((x) => x.classList.remove('hover'));
  span.classList.add('hover');
  const [s, t] = current.offsets[Number(span.dataset.i)];
  highlightSource(s, t);
});
sourceEl.addEventListener('mousemove', (e) => {
  if (!current || lastText.length > SOURCE_LIMIT) return;
  const pos = (document as any).caretRangeFromPoint?.(e.clientX, e.clientY) as Range | undefined;
  if (!pos) return;
  let offset = pos.startOffset;
  for (let n = pos.startContainer.previousSibling; n; n = n.previousSibling) offset += n.textContent?.length ?? 0;
  const i = current.offsets.findIndex(([a, b]) => a <= offset && offset < b);
  tokensEl.querySelectorAll('.hover').forEach((x) => x.classList.remove('hover'));
  if (i >= 0) { while (i >= drawn) drawPage(); const span = tokensEl.querySelector(`[data-i="${i}"]`); span?.classList.add('hover'); span?.scrollIntoView({ block: 'nearest' }); }
});

function showEncoded(v: EncodedView, target: HTMLElement, stats: HTMLElement): void {
  stats.replaceChildren(el('strong', undefined, `${v.ids.length} tokens`), document.createTextNode(` · ${v.chars} characters · ${(v.chars / Math.max(1, v.ids.length)).toFixed(2)} characters per token · ${v.ms} ms`));
  stats.dataset.count = String(v.ids.length);
  target.dataset.count = String(v.ids.length);
}

/** Tells the host that `v` is on screen, after the next frame (tests and the first-paint bench wait on it). */
function reportPainted(v: EncodedView): void {
  requestAnimationFrame(() => setTimeout(() => {
    if (current !== v) return;
    vscode.postMessage({ type: 'painted', seq: v.seq, count: v.ids.length, domTokens: tokensEl.querySelectorAll('.tok').length, chars: v.chars });
  }, 0));
}

function showDecode(v: EncodedView): void {
  decodeEl.replaceChildren(el('span', v.roundTrip ? 'ok' : 'bad', v.roundTrip ? '✓ decode(encode(text)) == text' : '✗ round trip differs: '));
  if (!v.roundTrip) {
    // first difference, with context
    let i = 0;
    while (i < lastText.length && i < v.decoded.length && lastText[i] === v.decoded[i]) i++;
    decodeEl.append(el('code', undefined, `at ${i}: ${JSON.stringify(lastText.slice(i, i + 20))} → ${JSON.stringify(v.decoded.slice(i, i + 20))}`));
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
    compareEl.replaceChildren(m.compare ? el('div', undefined, `Compare: ${m.compare.label} (${m.compare.kind}, ${m.compare.vocabSize} ids)`) : '');
    chatInputEl.hidden = !m.tokenizer?.hasChatTemplate;
    if (m.tokenizer) { sendEncode(); if (m.tokenizer.hasChatTemplate) renderBtn.click(); }
  },
  encoded: (m) => {
    if (m.main.seq < seq) return; // a newer encode is on its way
    current = m.main; drawn = 0;
    tokensEl.replaceChildren();
    drawPage();
    showEncoded(m.main, tokensEl, statsEl);
    showDecode(m.main);
    highlightSource(0, 0);
    reportPainted(m.main);
    if (m.compare) {
      const c = m.compare;
      compareEl.replaceChildren(el('div', undefined, `Compare: ${c.ids.length} tokens (${(c.chars / Math.max(1, c.ids.length)).toFixed(2)} characters per token) vs ${m.main.ids.length}`), el('div', 'tokens small'));
      const box = compareEl.lastChild as HTMLElement;
      for (let i = 0; i < Math.min(c.ids.length, PAGE); i++) box.append(tokenSpan(c.tokens[i], c.ids[i], i, c.special[i]));
    }
  },
  chat: (m) => showChat(m.chat),
  error: (m) => { chatNotesEl.replaceChildren(el('div', 'bad', m.message)); },
} satisfies Handlers<TokenizerHostToWebview>;

window.addEventListener('message', (e: MessageEvent<TokenizerHostToWebview>) => dispatch(handlers, e.data));
vscode.postMessage({ type: 'ready' });
