/**
 * Loss-curve webview app: receives a snapshot and appends from the panel host (protocol in
 * src/shared/protocol/metrics.ts), keeps every point in typed arrays, and draws them with uPlot (chart.ts).
 * View options persist with the webview's getState/setState, so hiding, showing and window reloads keep them.
 * Log-derived text (titles, series names, alert messages) only ever goes into textContent.
 */
import '@vscode-elements/elements/dist/vscode-button/index.js';
import '@vscode-elements/elements/dist/vscode-checkbox/index.js';
import '@vscode-elements/elements/dist/vscode-single-select/index.js';
import '@vscode-elements/elements/dist/vscode-option/index.js';
import 'uplot/dist/uPlot.min.css';
import './style.css';
import { DEFAULT_VIEW_STATE, dispatch, type ChartViewState, type Handlers, type HostToWebview, type SmoothingMethod, type WebviewToHost, type XAxisMode } from '../../src/shared/protocol/metrics';
import { LossChart, type DrawSummary } from './chart';
import { ChartStore } from './store';
import { batchGeometryDiffers, scaleDifferences } from '../../src/shared/runSettings';

interface VsCodeApi { postMessage(message: WebviewToHost): void; getState(): unknown; setState(state: unknown): void }
declare function acquireVsCodeApi(): VsCodeApi;

const vscode = acquireVsCodeApi();
const saved = vscode.getState() as Partial<ChartViewState> | undefined;
const state: ChartViewState = { ...DEFAULT_VIEW_STATE, ...(saved ?? {}) };
const save = () => vscode.setState(state);

function el<K extends keyof HTMLElementTagNameMap>(tag: K, props: Partial<HTMLElementTagNameMap[K]> = {}, ...children: (Node | string)[]): HTMLElementTagNameMap[K] {
  const e = Object.assign(document.createElement(tag), props);
  e.append(...children);
  return e;
}
function custom(tag: string, attrs: Record<string, string> = {}, ...children: (Node | string)[]): HTMLElement {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
  e.append(...children);
  return e;
}
function select(id: string, label: string, options: [string, string][], value: string): HTMLElement & { value: string } {
  const s = custom('vscode-single-select', { id, 'aria-label': label }, ...options.map(([v, text]) => { const o = custom('vscode-option', { value: v }, text); if (v === value) o.setAttribute('selected', ''); return o; }));
  return s as HTMLElement & { value: string };
}

// ---- layout ----
const title = el('span', { className: 'title' });
const smoothingSelect = select('smoothing', 'Smoothing', [['none', 'No smoothing'], ['ema', 'EMA (debiased)'], ['ema-time', 'Time-weighted EMA'], ['gaussian', 'Gaussian']], state.smoothing);
const amount = el('input', { type: 'range', id: 'smoothing-amount', min: '0', max: '0.99', step: '0.01', value: String(state.smoothingAmount), title: 'Smoothing amount' });
amount.setAttribute('aria-label', 'Smoothing amount');
const amountText = el('span', { className: 'amount' });
const xSelect = select('x-axis', 'X axis', [['step', 'Step'], ['tokens', 'Tokens'], ['wall', 'Wall time'], ['relative', 'Relative time']], state.xAxis);
const logBox = custom('vscode-checkbox', { id: 'log-scale', label: 'Log scale' }) as HTMLElement & { checked: boolean };
logBox.checked = state.logScale;
const rescaleBox = custom('vscode-checkbox', { id: 'rescale', label: 'Rescaled loss' }) as HTMLElement & { checked: boolean };
rescaleBox.checked = !!state.rescale;
rescaleBox.hidden = true;
const pngButton = custom('vscode-button', { id: 'export-png', secondary: '' }, 'Export PNG');
const csvButton = custom('vscode-button', { id: 'export-csv', secondary: '' }, 'Export CSV');
const toolbar = el('header', { className: 'toolbar' }, title, smoothingSelect, amount, amountText, xSelect, logBox, rescaleBox, pngButton, csvButton);
const toggles = el('div', { className: 'series-toggles', id: 'series' });
/** Notes about what the curves mean (loss scale, tokens source, unplaced records, runs on other scales): textContent only. */
const notes = el('ul', { id: 'notes', className: 'notes' });
const chartRoot = el('div', { id: 'chart' });
const emptyNote = el('div', { id: 'empty', hidden: true });
const points = el('span', { id: 'points' });
const readout = el('span', { id: 'readout' });
const status = el('span', { id: 'status' });
const footer = el('footer', {}, points, readout, status);
document.body.append(toolbar, toggles, notes, chartRoot, footer);

const store = new ChartStore();
const chart = new LossChart(chartRoot, store, () => state, readout);
chart.onDrawn = (s: DrawSummary) => {
  points.textContent = `${s.drawn.toLocaleString()} of ${s.total.toLocaleString()} points${s.zoomed ? ' (zoomed; double-click to reset)' : ''}`;
  // An empty chart says why (textContent: the reason can quote a log line).
  const runs = [...store.runs.values()];
  const anyPoints = runs.some((r) => [...r.series.values()].some((x) => x.length > 0));
  emptyNote.hidden = anyPoints;
  if (emptyNote.parentElement !== chartRoot) chartRoot.append(emptyNote); // a rebuild empties the chart's root
  if (!anyPoints) emptyNote.textContent = runs.map((r) => `${runs.length > 1 ? `${r.title}: ` : ''}${r.info?.empty ?? 'No points yet.'}`).join('\n');
};
let runTitles = '';

function showAmount(): void {
  amountText.textContent = state.smoothing === 'none' ? '' : state.smoothingAmount.toFixed(2);
  amount.disabled = state.smoothing === 'none';
}

/** Runs whose toggles the user collapsed in a comparison (kept across re-renders of the toggles). */
const collapsedRuns = new Set<string>();

/**
 * Rebuilds the series toggles: one checkbox per series (label via the element's label attribute = text). A comparison
 * groups them per run under a collapsible run name (without its host), so 16 series of 4 runs take a few short rows.
 */
/** What the toggles show (series, run titles, visibility), to skip re-rendering identical toggles. */
let togglesShown = '';

function renderToggles(): void {
  const multi = store.runs.size > 1;
  // A snapshot of the same series (a reload, a re-sent snapshot) keeps the toggles: new checkboxes render a frame
  // later, and the toggle row's height changing twice resized and redrew the chart twice more (3 draws per snapshot).
  const shown = JSON.stringify([multi, store.allSeries().map((s) => [s.key, s.runTitle, state.hidden.includes(s.key)])]);
  if (shown === togglesShown) return;
  togglesShown = shown;
  const items: HTMLElement[] = [];
  const groups = new Map<string, { title: string; items: HTMLElement[] }>();
  for (const s of store.allSeries()) {
    const box = custom('vscode-checkbox', { label: s.name }) as HTMLElement & { checked: boolean };
    box.checked = !state.hidden.includes(s.key);
    box.dataset.key = s.key;
    const swatch = el('span', { className: 'swatch' });
    const item = el('span', { className: 'series-toggle' }, swatch, box);
    const paint = () => { swatch.style.background = box.checked ? chart.colorOf(s) : 'transparent'; };
    box.addEventListener('change', () => {
      state.hidden = box.checked ? state.hidden.filter((k) => k !== s.key) : [...state.hidden, s.key];
      save(); chart.rebuild(); paint();
    });
    if (multi) {
      let g = groups.get(s.runId);
      if (!g) groups.set(s.runId, g = { title: s.runTitle, items: [] });
      g.items.push(item);
    } else items.push(item);
    queueMicrotask(paint);
  }
  if (multi) {
    for (const [runId, g] of groups) {
      const summary = el('summary', { title: g.title }, g.title.replace(/\s+·\s+[^·]*$/, ''));
      const details = el('details', { className: 'run-group', open: !collapsedRuns.has(runId) }, summary, ...g.items);
      details.addEventListener('toggle', () => { if (details.open) collapsedRuns.delete(runId); else collapsedRuns.add(runId); });
      items.push(details);
    }
  }
  toggles.replaceChildren(...items);
}

/** Series shown by default: losses and eval metrics; lr, grad_norm, epoch etc. start hidden (one click away). */
function defaultHidden(): void {
  if (saved?.hidden) return;
  state.hidden = store.allSeries().filter((s) => !/loss|ppl|perplexity/i.test(s.name)).map((s) => s.key);
}

/** The notes line and the rescale toggle, from every run's info; on a comparison, which settings scale the loss. */
function renderInfo(): void {
  const runs = [...store.runs.values()];
  const multi = runs.length > 1;
  const lines: string[] = [];
  for (const r of runs) {
    const who = multi ? `${r.title}: ` : '';
    for (const n of r.info?.notes ?? []) lines.push(`${who}${n}`);
    if (state.xAxis === 'tokens') lines.push(r.info?.tokens ? `${who}tokens from ${r.info.tokens.how}` : `${who}no tokens known (no running total of tokens seen in the log, no batch and sequence settings): not drawn on the tokens axis`);
    if (state.xAxis === 'wall' || state.xAxis === 'relative') {
      // Points get a time only from the log itself or from when this window saw their bytes appended (issue 11).
      let untimed = 0, total = 0;
      for (const s of r.series.values()) { total += s.length; untimed += s.length - s.timed; }
      if (total > 0 && untimed === total) lines.push(`${who}no times: the log prints none and was read after it was written, so its points are on the Step axis only`);
      else if (untimed > 0) lines.push(`${who}${untimed.toLocaleString()} of ${total.toLocaleString()} points were in the log before this window followed it: they have no time and are not on this axis`);
    }
  }
  for (let i = 0; i < runs.length; i++) for (let j = i + 1; j < runs.length; j++) {
    const a = runs[i], b = runs[j];
    if (a.info && b.info) for (const d of scaleDifferences({ title: a.title, settings: a.info.settings }, { title: b.title, settings: b.info.settings })) lines.push(d);
  }
  notes.replaceChildren(...lines.map((t) => el('li', { textContent: t })));
  rescaleBox.hidden = !runs.some((r) => r.info?.lossScale || r.info?.launches?.some((l) => l.lossScale));
}

/** Comparing runs whose batch or sequence settings differ: tokens line them up, steps do not (unless the user chose). */
function defaultAxis(): void {
  const runs = [...store.runs.values()];
  if (state.xAxisChosen || runs.length < 2 || !runs.every((r) => r.info?.tokens)) return;
  let differs = false;
  for (let i = 1; i < runs.length; i++) if (batchGeometryDiffers(runs[0].info!.settings, runs[i].info!.settings)) differs = true;
  if (differs && state.xAxis !== 'tokens') { state.xAxis = 'tokens'; xSelect.value = 'tokens'; save(); }
}

let knownSeries = 0;
const handlers = {
  snapshot: (m) => {
    store.reset(m.runs);
    if (m.origin) state.origin = m.origin;
    defaultHidden();
    save();
    runTitles = m.runs.map((r) => r.title).join(' vs ');
    title.textContent = runTitles;
    title.title = runTitles;
    document.title = runTitles;
    knownSeries = store.allSeries().length;
    defaultAxis();
    renderToggles();
    renderInfo();
    chart.invalidate(false);
    chart.rebuild();
  },
  append: (m) => {
    const before = JSON.stringify(store.runs.get(m.runId)?.info ?? null);
    store.append(m.runId, m.series, m.alerts, m.progress, m.info);
    if (m.info && JSON.stringify(m.info) !== before) { renderInfo(); rescaleBox.checked = !!state.rescale; }
    const n = store.allSeries().length;
    if (n !== knownSeries) {
      // A new series (e.g. the first eval_loss): hide it by default when it is not a loss, then rebuild.
      const fresh = store.allSeries().slice(knownSeries);
      for (const s of fresh) if (!/loss|ppl|perplexity/i.test(s.name)) state.hidden.push(s.key);
      knownSeries = n; save(); renderToggles(); chart.rebuild();
    } else chart.scheduleDraw();
  },
  exported: (m) => { status.textContent = m.detail; status.className = m.ok ? '' : 'error'; },
} satisfies Handlers<HostToWebview>;

window.addEventListener('message', (e: MessageEvent<HostToWebview>) => {
  const m = e.data;
  if (!m || typeof m !== 'object' || !(m.type in handlers)) return;
  try { void dispatch(handlers, m); } catch (err) { status.textContent = `error: ${(err as Error).message}`; status.className = 'error'; }
});

// ---- controls ----
smoothingSelect.addEventListener('change', () => { state.smoothing = smoothingSelect.value as SmoothingMethod; save(); showAmount(); chart.invalidate(false); chart.rebuild(); });
let amountTimer = 0;
amount.addEventListener('input', () => {
  state.smoothingAmount = Number(amount.value); showAmount(); save();
  cancelAnimationFrame(amountTimer);
  amountTimer = requestAnimationFrame(() => chart.invalidate());
});
xSelect.addEventListener('change', () => { state.xAxis = xSelect.value as XAxisMode; state.xAxisChosen = true; save(); renderInfo(); chart.invalidate(false); chart.zoomOut(); chart.rebuild(); });
logBox.addEventListener('change', () => { state.logScale = logBox.checked; save(); chart.rebuild(); });
rescaleBox.addEventListener('change', () => { state.rescale = rescaleBox.checked; save(); chart.invalidate(false); chart.rebuild(); });
pngButton.addEventListener('click', () => {
  try { vscode.postMessage({ type: 'exportPng', dataUrl: chart.toPng(runTitles) }); } catch (err) { status.textContent = `PNG export failed: ${(err as Error).message}`; }
});
csvButton.addEventListener('click', () => vscode.postMessage({ type: 'exportCsv' }));
showAmount();

/** Test/automation hook: read what was drawn, zoom programmatically (used by the UI test and the benchmark). */
(window as unknown as { __lossChart: unknown }).__lossChart = {
  summary: () => chart.summary,
  zoomTo: (x0: number, x1: number) => chart.zoomTo(x0, x1),
  zoomOut: () => chart.zoomOut(),
  drawNow: () => chart.drawNow(),
};

vscode.postMessage({ type: 'ready' });
