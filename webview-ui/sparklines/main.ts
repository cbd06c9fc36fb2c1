/**
 * Sidebar sparklines: one row per run with its title, latest loss, step and a canvas sparkline. All run text is set
 * with textContent. Clicking (or Enter on) a row asks the host to open that run's loss-curve panel.
 */
import './style.css';
import { dispatch, type Handlers } from '../../src/shared/protocol/metrics';
import type { SparkHostToWebview, SparkRun, SparkWebviewToHost } from '../../src/shared/protocol/sparklines';

interface VsCodeApi { postMessage(message: SparkWebviewToHost): void }
declare function acquireVsCodeApi(): VsCodeApi;
const vscode = acquireVsCodeApi();

function cssVar(name: string, fallback: string): string {
  return getComputedStyle(document.documentElement).getPropertyValue(name).trim() || fallback;
}

function formatValue(v: number | null): string {
  if (v === null) return '–';
  return Math.abs(v) >= 1000 || (Math.abs(v) < 0.001 && v !== 0) ? v.toExponential(3) : v.toFixed(4);
}

function draw(canvas: HTMLCanvasElement, run: SparkRun): void {
  const dpr = devicePixelRatio || 1;
  const w = Math.max(40, canvas.clientWidth), h = Math.max(10, canvas.clientHeight);
  canvas.width = Math.round(w * dpr); canvas.height = Math.round(h * dpr);
  const ctx = canvas.getContext('2d');
  if (!ctx || run.xs.length === 0) return;
  let x0 = run.xs[0], x1 = run.xs[run.xs.length - 1], y0 = Infinity, y1 = -Infinity;
  for (const y of run.ys) if (Number.isFinite(y)) { if (y < y0) y0 = y; if (y > y1) y1 = y; }
  if (!Number.isFinite(y0)) return;
  if (x1 <= x0) x1 = x0 + 1;
  if (y1 <= y0) { y1 = y0 + 1; y0 -= 1; }
  const pad = 2 * dpr, W = canvas.width - 2 * pad, H = canvas.height - 2 * pad;
  ctx.strokeStyle = cssVar('--vscode-charts-blue', '#3794ff');
  ctx.lineWidth = 1.25 * dpr;
  ctx.beginPath();
  let pen = false;
  for (let i = 0; i < run.xs.length; i++) {
    const y = run.ys[i];
    if (!Number.isFinite(y)) { pen = false; continue; }
    const px = pad + ((run.xs[i] - x0) / (x1 - x0)) * W, py = pad + (1 - (y - y0) / (y1 - y0)) * H;
    if (pen) ctx.lineTo(px, py); else { ctx.moveTo(px, py); pen = true; }
  }
  ctx.stroke();
}

function row(run: SparkRun): HTMLElement {
  const div = document.createElement('div');
  div.className = 'run';
  div.tabIndex = 0;
  div.dataset.runId = run.runId;
  div.setAttribute('role', 'button');
  const title = Object.assign(document.createElement('span'), { className: 'title', textContent: run.title, title: run.title });
  const value = Object.assign(document.createElement('span'), { className: 'value', textContent: formatValue(run.latest) });
  value.title = run.series;
  const canvas = document.createElement('canvas');
  canvas.setAttribute('aria-label', `${run.series} of ${run.title}`);
  const stepText = run.latestStep === null ? run.empty ?? 'no points yet' : `${run.series} at step ${run.latestStep}${run.total ? ` / ${run.total}` : ''}`;
  const meta = Object.assign(document.createElement('span'), { className: run.alerts ? 'meta alert' : 'meta', textContent: run.alerts ? `${stepText} · ${run.alerts} alert${run.alerts > 1 ? 's' : ''}` : stepText });
  meta.title = stepText;
  div.append(title, value, canvas, meta);
  const open = () => vscode.postMessage({ type: 'open', runId: run.runId });
  div.addEventListener('click', open);
  div.addEventListener('keydown', (e) => { if (e.key === 'Enter' || e.key === ' ') { e.preventDefault(); open(); } });
  requestAnimationFrame(() => draw(canvas, run));
  return div;
}

let last: SparkRun[] = [];
function render(runs: SparkRun[]): void {
  last = runs;
  if (runs.length === 0) {
    document.body.replaceChildren(Object.assign(document.createElement('div'), { className: 'empty', textContent: 'No active runs.' }));
    return;
  }
  document.body.replaceChildren(...runs.map(row));
}

const handlers = { runs: (m) => render(m.runs) } satisfies Handlers<SparkHostToWebview>;
window.addEventListener('message', (e: MessageEvent<SparkHostToWebview>) => { if (e.data && e.data.type in handlers) void dispatch(handlers, e.data); });
let width = 0;
new ResizeObserver(() => { const w = document.documentElement.clientWidth; if (w !== width) { width = w; render(last); } }).observe(document.documentElement);
render([]);
vscode.postMessage({ type: 'ready' });
