/**
 * Before/after comparison of the chart's first draw, in one browser and interleaved (machine load hits both alike):
 * an older build of the metrics webview (steps and times sent as arrays, as hosts did before src/shared/packedColumn.ts) against
 * this checkout's dist/webview. Not part of `npm run bench` (it needs the older build):
 *   git stash && npm run build && mkdir -p /tmp/old && cp dist/webview/metrics.* /tmp/old/ && git stash pop && npm run build
 *   CHART_BEFORE=/tmp/old REPS=9 npx tsx bench/chartCompare.ts
 * Prints the median and every sample of firstDraw2k and firstDraw1M for both, and their 1M/2k ratios.
 */
import { openChartPage, postSyntheticSnapshot } from './chartPage';

const median = (xs: number[]) => { const s = [...xs].sort((a, b) => a - b); return s[s.length >> 1]; };

async function main(): Promise<void> {
  const dir = process.env.CHART_BEFORE;
  if (!dir) throw new Error('CHART_BEFORE (the folder of the older metrics.js and metrics.css) is not set');
  const before = await openChartPage({ dist: dir });
  const after = await openChartPage();
  try {
    const r: Record<'b2k' | 'b1m' | 'a2k' | 'a1m', number[]> = { b2k: [], b1m: [], a2k: [], a1m: [] };
    for (const [p, packed] of [[before.page, false], [after.page, true]] as const) {
      await postSyntheticSnapshot(p, 2000, undefined, { packed });
      await postSyntheticSnapshot(p, 1_000_000, undefined, { packed });
    }
    for (let i = 0; i < Number(process.env.REPS ?? 9); i++) {
      r.b2k.push(await postSyntheticSnapshot(before.page, 2000, undefined, { packed: false }));
      r.a2k.push(await postSyntheticSnapshot(after.page, 2000));
      r.b1m.push(await postSyntheticSnapshot(before.page, 1_000_000, undefined, { packed: false }));
      r.a1m.push(await postSyntheticSnapshot(after.page, 1_000_000));
    }
    for (const [k, v] of Object.entries(r)) console.log(k, 'median', median(v).toFixed(1), 'all', v.map((x) => x.toFixed(0)).join(' '));
    console.log('ratio before', (median(r.b1m) / median(r.b2k)).toFixed(2), 'after', (median(r.a1m) / median(r.a2k)).toFixed(2));
  } finally {
    await before.close(); await after.close();
  }
}

main().catch((e) => { console.error(e); process.exit(1); });
