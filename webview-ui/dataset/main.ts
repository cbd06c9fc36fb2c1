/**
 * The dataset panel: summary, token-length histogram against the run's limit, problems (click: jump to the row),
 * duplicate examples, and a preview of the first rows (open in the file / in the tokenizer inspector). All dataset
 * text is set with textContent; the histogram is SVG built with createElementNS.
 */
import './style.css';
import '@vscode-elements/elements/dist/vscode-button/index.js';
import '@vscode-elements/elements/dist/vscode-progress-bar/index.js';
import { dispatch, type Handlers } from '../../src/shared/protocol/dataset';
import type { DatasetHostToWebview, DatasetSnapshot, DatasetWebviewToHost } from '../../src/shared/protocol/dataset';
import type { DatasetReport, RowRef, TokenStats } from '../../src/core/dataset/types';

interface VsCodeApi { postMessage(message: DatasetWebviewToHost): void }
declare function acquireVsCodeApi(): VsCodeApi;
const vscode = acquireVsCodeApi();

let state: DatasetSnapshot | undefined;
const fmt = (n: number): string => n.toLocaleString('en-US');

function el<K extends keyof HTMLElementTagNameMap>(tag: K, props: Partial<HTMLElementTagNameMap[K]> & { className?: string } = {}, ...children: (Node | string)[]): HTMLElementTagNameMap[K] {
  const e = Object.assign(document.createElement(tag), props);
  e.append(...children);
  return e;
}
function button(label: string, onClick: () => void, secondary = false): HTMLElement {
  const b = document.createElement('vscode-button');
  b.textContent = label;
  if (secondary) b.setAttribute('secondary', '');
  b.addEventListener('click', onClick);
  return b;
}
function card(value: string, key: string, cls = ''): HTMLElement { return el('div', { className: `card ${cls}` }, el('div', { className: 'v', textContent: value }), el('div', { className: 'k', textContent: key })); }
const posText = (r: { line?: number; row?: number }): string => (r.line !== undefined ? `line ${r.line}` : r.row !== undefined ? `row ${r.row}` : '');
function reveal(ref: RowRef | { index?: number; line?: number; row?: number; startLine?: number }): void {
  vscode.postMessage({ type: 'reveal', index: ref.index ?? (ref.row ?? 0), ...(ref.line !== undefined ? { line: ref.line } : {}), ...(ref.row !== undefined ? { row: ref.row } : {}), ...('startLine' in ref && ref.startLine !== undefined ? { startLine: ref.startLine } : {}) });
}
function clickable(tr: HTMLTableRowElement, go: () => void): HTMLTableRowElement {
  tr.className = 'clickable'; tr.tabIndex = 0;
  tr.addEventListener('click', go);
  tr.addEventListener('keydown', (e) => { if (e.key === 'Enter') go(); });
  return tr;
}

const SVG = 'http://www.w3.org/2000/svg';
function svg<K extends keyof SVGElementTagNameMap>(tag: K, attrs: Record<string, string | number>): SVGElementTagNameMap[K] {
  const e = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, String(v));
  return e;
}

/** Histogram: one bar per bin, red past the limit, a dashed line at the limit, axis labels. */
function histogram(t: TokenStats): SVGSVGElement {
  const W = 800, H = 180, L = 40, B = 22, T = 8;
  const s = svg('svg', { class: 'hist', viewBox: `0 0 ${W} ${H}`, preserveAspectRatio: 'none', role: 'img', 'aria-label': 'token length histogram' });
  const bins = t.histogram;
  if (!bins.length) return s;
  const top = Math.max(1, ...bins.map((b) => b.count));
  const x1 = bins[bins.length - 1].to;
  const sx = (v: number): number => L + ((W - L - 4) * v) / x1;
  const sy = (c: number): number => T + (H - T - B) * (1 - c / top);
  for (const b of bins) {
    const r = svg('rect', { class: `bar${t.limit !== undefined && b.from >= t.limit ? ' over' : ''}`, x: sx(b.from) + 0.5, y: sy(b.count), width: Math.max(1, sx(b.to) - sx(b.from) - 1), height: H - B - sy(b.count) });
    const title = svg('title', {}); title.textContent = `${fmt(b.from)}–${fmt(b.to)} tokens: ${fmt(b.count)} rows`;
    r.append(title);
    s.append(r);
  }
  if (t.limit !== undefined) {
    s.append(svg('line', { class: 'limit', x1: sx(t.limit), x2: sx(t.limit), y1: T, y2: H - B }));
    const lt = svg('text', { x: Math.min(W - 120, sx(t.limit) + 4), y: T + 10 }); lt.textContent = `${t.limitKey} ${fmt(t.limit)}`; s.append(lt);
  }
  for (const v of [0, x1 / 2, x1]) { const tx = svg('text', { x: Math.min(W - 30, sx(v)), y: H - 6 }); tx.textContent = fmt(Math.round(v)); s.append(tx); }
  const yt = svg('text', { x: 2, y: T + 8 }); yt.textContent = fmt(top); s.append(yt);
  return s;
}

function tokensSection(r: DatasetReport, canInspect: boolean): Element[] {
  const t = r.tokens;
  if (!t) return [el('h2', { textContent: 'Token lengths' }), el('p', { className: 'note', textContent: canInspect ? 'Not counted.' : 'No tokenizer: choose one to see token lengths against the run\'s limit.' }), button('Choose tokenizer…', () => vscode.postMessage({ type: 'chooseTokenizer' }), true)];
  const cards = el('div', { className: 'cards' }, card(fmt(t.max), 'max'), card(fmt(t.p50), 'p50'), card(fmt(t.p95), 'p95'), card(fmt(t.total), 'total tokens'));
  if (t.limit !== undefined) cards.append(card(fmt(t.overLimit), `over ${t.limitKey}`, t.overLimit ? 'warning' : ''), card(fmt(t.dropped), 'dropped', t.dropped ? 'error' : ''), card(fmt(t.truncated), 'truncated', t.truncated ? 'warning' : ''));
  if (t.stepsPerEpoch !== undefined) cards.append(card(fmt(t.stepsPerEpoch), 'steps / epoch (1 GPU)'));
  return [el('h2', { textContent: 'Token lengths' }), el('div', { className: 'note', textContent: t.counted }), cards, histogram(t)];
}

function problemsSection(r: DatasetReport): HTMLElement[] {
  const out: HTMLElement[] = [el('h2', { textContent: `Problems (${fmt(r.problems.length)})` })];
  if (!r.problems.length) { out.push(el('p', { className: 'note', textContent: 'No problems found.' })); return out; }
  const table = el('table', {}, el('tr', {}, el('th', { textContent: 'Where' }), el('th', { textContent: 'Severity' }), el('th', { textContent: 'Code' }), el('th', { textContent: 'Message' })));
  for (const p of r.problems.slice(0, 500)) {
    const tr = el('tr', {}, el('td', { className: 'pos', textContent: posText(p) || 'file' }), el('td', { className: `sev-${p.severity}`, textContent: p.severity }), el('td', {}, el('code', { className: 'code', textContent: p.code })), el('td', { textContent: p.message }));
    table.append(p.line !== undefined || p.row !== undefined ? clickable(tr, () => reveal({ line: p.line, row: p.row, index: p.row })) : tr);
  }
  out.push(table);
  return out;
}

function duplicatesSection(r: DatasetReport): HTMLElement[] {
  const d = r.duplicates;
  const out: HTMLElement[] = [el('h2', { textContent: 'Duplicates' }), el('div', { className: 'cards' }, card(fmt(d.exact), 'exact', d.exact ? 'warning' : ''), card(fmt(d.near), 'near (Jaccard ≥ 0.8)', d.near ? 'warning' : ''))];
  if (d.nearCapped) out.push(el('p', { className: 'note', textContent: `Near duplicates: the first ${fmt(d.nearCheckedRows)} distinct rows were indexed; later rows were compared against them.` }));
  if (d.examples.length) {
    const table = el('table', {}, el('tr', {}, el('th', { textContent: 'Row' }), el('th', { textContent: 'Repeats' }), el('th', { textContent: 'Kind' })));
    for (const e of d.examples) table.append(clickable(el('tr', {}, el('td', { className: 'pos', textContent: posText(e.ref) }), el('td', { className: 'pos', textContent: posText(e.of) }), el('td', { textContent: e.kind === 'near' ? `near (~${e.similarity})` : 'exact' })), () => reveal(e.ref)));
    out.push(table);
  }
  return out;
}

function previewSection(r: DatasetReport, canInspect: boolean): HTMLElement[] {
  if (!r.preview.length) return [];
  const out: HTMLElement[] = [el('h2', { textContent: `First rows (${r.preview.length})` })];
  for (const p of r.preview) {
    const head = el('header', {}, el('span', { className: 'pos', textContent: posText(p.ref) || `row ${p.ref.index}` }));
    const open = el('a', { className: 'link', textContent: 'Open in file', tabIndex: 0 });
    open.addEventListener('click', () => reveal(p.ref));
    head.append(open);
    if (canInspect || r.format !== 'unknown') {
      const ins = el('a', { className: 'link', textContent: 'Open in tokenizer inspector', tabIndex: 0 });
      ins.addEventListener('click', () => vscode.postMessage({ type: 'inspect', index: p.ref.index }));
      head.append(ins);
    }
    out.push(el('div', { className: 'row' }, head, el('pre', { textContent: JSON.stringify(p.value, null, 2) })));
  }
  return out;
}

function render(): void {
  const root = document.getElementById('root') ?? document.body.appendChild(el('div', { id: 'root' }));
  root.replaceChildren();
  if (!state) { root.append(el('p', { className: 'note', textContent: 'Loading…' })); return; }
  root.append(el('h1', { textContent: state.title }), el('div', { className: 'location', textContent: state.location }));
  const bar = el('div', { className: 'toolbar' }, button('Re-check', () => vscode.postMessage({ type: 'recheck' })), button('Choose tokenizer…', () => vscode.postMessage({ type: 'chooseTokenizer' }), true));
  root.append(bar);
  if (state.running) {
    const pb = document.createElement('vscode-progress-bar');
    root.append(pb, el('p', { className: 'note', id: 'progress', textContent: progressText(state.running) }));
  }
  if (state.error) root.append(el('p', { className: 'error-text', textContent: state.error }));
  const r = state.report;
  if (!r) return;
  const errors = r.problems.filter((p) => p.severity === 'error').length, warnings = r.problems.filter((p) => p.severity === 'warning').length;
  root.append(el('div', { className: 'cards' }, card(fmt(r.rows), 'rows'), card(state.formatLabel ?? r.format, 'format'), card(fmt(errors), 'errors', errors ? 'error' : ''), card(fmt(warnings), 'warnings', warnings ? 'warning' : ''), card(`${(r.elapsedMs / 1000).toFixed(1)} s`, 'checked in')));
  root.append(...tokensSection(r, state.canInspect), ...problemsSection(r), ...duplicatesSection(r), ...previewSection(r, state.canInspect));
}

function progressText(p: { bytes: number; totalBytes: number; rows: number }): string {
  return `${fmt(p.rows)} rows${p.totalBytes ? `, ${Math.round((100 * p.bytes) / p.totalBytes)}%` : ''}…`;
}

const handlers = {
  snapshot: (m) => { state = m; render(); },
  progress: (m) => { if (!state) return; state.running = { bytes: m.bytes, totalBytes: m.totalBytes, rows: m.rows }; const p = document.getElementById('progress'); if (p) p.textContent = progressText(m); else render(); },
} satisfies Handlers<DatasetHostToWebview>;

window.addEventListener('message', (e: MessageEvent<DatasetHostToWebview>) => { if (e.data && typeof e.data === 'object' && 'type' in e.data) void dispatch(handlers, e.data); });
render();
vscode.postMessage({ type: 'ready' });
