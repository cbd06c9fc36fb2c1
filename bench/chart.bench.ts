/**
 * Loss-curve chart benchmark, in headless Chromium (playwright-core + Debian's chromium) on a page that loads the
 * built dist/webview/metrics.{js,css} with a stubbed acquireVsCodeApi (bench/chartPage.ts). Needs `npm run build`.
 *
 * - chart.firstDraw2k: ms from posting a 2k-point snapshot (+ eval_loss) to the drawn frame being painted (baseline).
 * - chart.firstDraw1M: the same for 1M points (one structured clone of the arrays, store, min/max columns, EMA, draw).
 * - chart.firstDraw1MvsFirstDraw2k: ratio of the two (goal <= 5: cost should follow pixels, not points).
 * - chart.append: ms for a live append of 100 points to the 1M-point chart until painted (tail-only re-resolve).
 * Each is the median of several repetitions in the same page.
 */
import { openChartPage, postSyntheticSnapshot } from './chartPage';

type Result = Record<string, { value: number; unit: string; baseline?: number; ratio?: number; goal?: number }>;

function median(xs: number[]): number { const s = [...xs].sort((a, b) => a - b); return s[Math.floor(s.length / 2)]; }

export async function run(): Promise<Result> {
  const p = await openChartPage({ width: 1200, height: 700 });
  try {
    // Warm up the JIT and uPlot once at each size.
    await postSyntheticSnapshot(p.page, 2000);
    await postSyntheticSnapshot(p.page, 1_000_000);
    const small: number[] = [], big: number[] = [];
    for (let i = 0; i < 5; i++) {
      small.push(await postSyntheticSnapshot(p.page, 2000));
      big.push(await postSyntheticSnapshot(p.page, 1_000_000));
    }
    const appendMs: number[] = await p.page.evaluate(async () => {
      const w = window as unknown as { __lossChart: { summary(): { draws: number; total: number } } };
      const out: number[] = [];
      let step = 1_000_000;
      for (let k = 0; k < 20; k++) {
        const n = 100, steps = new Float64Array(n), values = new Float64Array(n);
        for (let i = 0; i < n; i++) { steps[i] = ++step; values[i] = 0.5 + 0.01 * Math.sin(step); }
        const before = w.__lossChart.summary().draws;
        const t = performance.now();
        window.postMessage({ type: 'append', runId: 'bench', series: [{ name: 'loss', steps, values }], alerts: [] }, '*');
        while (w.__lossChart.summary().draws === before) await new Promise((r) => requestAnimationFrame(r));
        await new Promise((r) => requestAnimationFrame(r));
        out.push(performance.now() - t);
      }
      if (w.__lossChart.summary().total < 1_002_000) throw new Error('appends were not drawn');
      return out;
    });
    const d2k = median(small), d1m = median(big);
    return {
      'chart.firstDraw2k': { value: round(d2k), unit: 'ms' },
      'chart.firstDraw1M': { value: round(d1m), unit: 'ms', baseline: round(d2k), ratio: round(d1m / d2k) },
      'chart.firstDraw1MvsFirstDraw2k': { value: round(d1m / d2k), unit: 'ratio', goal: 5 },
      'chart.append': { value: round(median(appendMs)), unit: 'ms' },
    };
  } finally {
    await p.close();
  }
}

function round(x: number): number { return Math.round(x * 100) / 100; }

// `npx tsx bench/chart.bench.ts` runs it alone.
if (typeof require !== 'undefined' && require.main === module) run().then((r) => console.log(JSON.stringify(r, null, 2)), (e) => { console.error(e); process.exit(1); });
