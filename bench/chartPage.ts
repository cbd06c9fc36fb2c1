/**
 * Opens the built chart webview (dist/webview/metrics.{js,css}) in headless Chromium via playwright-core, outside
 * VS Code: a page with a stubbed `acquireVsCodeApi` that records what the app posts. Used by bench/chart.bench.ts
 * and test/unit/chartBrowser.test.ts. Needs `npm run build` first and Chromium at /usr/bin/chromium (or CHROMIUM_PATH).
 */
import { chromium, type Browser, type Page } from 'playwright-core';
import { existsSync, mkdtempSync, rmSync, writeFileSync, copyFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

export interface ChartPage { browser: Browser; page: Page; close(): Promise<void> }

/** A dark theme's variables, so colours resolve as they do inside VS Code. */
const THEME = `--vscode-editor-background:#1e1e1e;--vscode-editor-foreground:#cccccc;--vscode-foreground:#cccccc;--vscode-font-family:sans-serif;--vscode-font-size:13px;
--vscode-charts-blue:#3794ff;--vscode-charts-orange:#d18616;--vscode-charts-green:#89d185;--vscode-charts-purple:#b180d7;--vscode-charts-red:#f14c4c;--vscode-charts-yellow:#cca700;--vscode-charts-lines:rgba(204,204,204,0.25)`;

export function chromiumPath(): string | undefined {
  for (const p of [process.env.CHROMIUM_PATH, '/usr/bin/chromium', '/usr/bin/chromium-browser']) if (p && existsSync(p)) return p;
  return undefined;
}

/** @param opts.state the webview state getState() returns at start (view options, as a restored panel has them). */
/** @param opts.dist the folder of the built webview bundles (default dist/webview; a comparison may load an older build). */
export async function openChartPage(opts: { width?: number; height?: number; state?: unknown; app?: 'metrics' | 'sparklines'; dist?: string } = {}): Promise<ChartPage> {
  const app = opts.app ?? 'metrics';
  const dist = resolve(opts.dist ?? 'dist/webview');
  if (!existsSync(join(dist, `${app}.js`))) throw new Error(`dist/webview/${app}.js is missing: run \`npm run build\` first`);
  const exe = chromiumPath();
  if (!exe) throw new Error('Chromium not found (set CHROMIUM_PATH)');
  const dir = mkdtempSync(join(tmpdir(), 'chart-page-'));
  copyFileSync(join(dist, `${app}.js`), join(dir, 'app.js'));
  copyFileSync(join(dist, `${app}.css`), join(dir, 'app.css'));
  writeFileSync(join(dir, 'index.html'), `<!DOCTYPE html><html style="${THEME.replace(/\n/g, '')}"><head><meta charset="utf-8">
<link rel="stylesheet" href="app.css"><script>
window.__name = (f) => f; // tsx (esbuild keepNames) wraps functions handed to page.evaluate in __name(...)
window.__posted = []; window.__state = ${JSON.stringify(opts.state ?? null)} ?? undefined;
window.acquireVsCodeApi = () => ({ postMessage: (m) => window.__posted.push(m), getState: () => window.__state, setState: (s) => { window.__state = s; } });
</script></head><body><script src="app.js"></script></body></html>`);
  const browser = await chromium.launch({ executablePath: exe, headless: true, args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--allow-file-access-from-files'] });
  const page = await browser.newPage({ viewport: { width: opts.width ?? 1200, height: opts.height ?? 700 } });
  await page.goto(pathToFileURL(join(dir, 'index.html')).href);
  await page.waitForFunction(() => (window as unknown as { __posted: { type: string }[] }).__posted.some((m) => m.type === 'ready'));
  return { browser, page, close: async () => { await browser.close(); rmSync(dir, { recursive: true, force: true }); } };
}

/**
 * Posts a synthetic snapshot built inside the page (no 1M-point transfer over the devtools protocol): one `loss` series
 * of `n` points, 2.5 * exp(-step / (n/4)) + deterministic noise, with a single spike `spike` at `spikeAt` when given,
 * plus an `eval_loss` every n/20 steps. Resolves after the chart has drawn it (two animation frames). Returns the ms
 * from posting the message to after the draw was painted.
 * The message is what the host's `seriesData` sends for such columns (src/shared/packedColumn.ts): steps at a fixed
 * interval as an arithmetic sequence; the times, whole milliseconds with a few ms of jitter as logged times have, as
 * 4-byte offsets from the first.
 */
export async function postSyntheticSnapshot(page: Page, n: number, spike?: { at: number; value: number }, opts: { packed?: boolean } = {}): Promise<number> {
  const packed = opts.packed ?? true;
  return page.evaluate(async ({ n, spike, packed }) => {
    const values = new Float64Array(n), times = new Float64Array(n);
    let seed = 12345;
    const rnd = () => { seed = (seed * 1103515245 + 12345) & 0x7fffffff; return seed / 0x7fffffff; };
    const t0 = Date.UTC(2026, 0, 1);
    for (let i = 0; i < n; i++) { values[i] = 2.5 * Math.exp(-(i + 1) / (n / 4)) + 0.5 + 0.05 * (rnd() - 0.5); times[i] = t0 + i * 1000 + (i % 7); }
    if (spike) values[spike.at - 1] = spike.value;
    const evalEvery = Math.max(1, Math.floor(n / 20));
    const en = Math.floor(n / evalEvery);
    const es = new Float64Array(en), ev = new Float64Array(en), et = new Float64Array(en);
    for (let k = 0; k < en; k++) { es[k] = (k + 1) * evalEvery; ev[k] = values[es[k] - 1] + 0.1; et[k] = times[es[k] - 1]; }
    // packed false: as hosts before the packed forms sent them (a comparison with an older build)
    const lossSteps = packed ? { first: 1, stride: 1, count: n } : Float64Array.from({ length: n }, (_, i) => i + 1);
    const evalSteps = packed ? { first: evalEvery, stride: evalEvery, count: en } : es;
    const lossTimes = packed ? { base: t0, offsets: Int32Array.from(times, (t) => t - t0) } : times;
    const evalTimes = packed ? { base: et[0], offsets: Int32Array.from(et, (t) => t - et[0]) } : et;
    const w = window as unknown as { __lossChart: { summary(): { draws: number } } };
    const before = w.__lossChart.summary().draws;
    const start = performance.now();
    window.postMessage({ type: 'snapshot', runs: [{ runId: 'bench', title: 'synthetic', series: [{ name: 'loss', steps: lossSteps, values, times: lossTimes }, { name: 'eval_loss', steps: evalSteps, values: ev, times: evalTimes }], alerts: [] }] }, '*');
    while (w.__lossChart.summary().draws === before) await new Promise((r) => setTimeout(r, 0));
    await new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)));
    return performance.now() - start;
  }, { n, spike, packed });
}
