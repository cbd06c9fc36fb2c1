/**
 * Min/max (M4) downsampling for line charts (Jugel et al., "M4: A Visualization-Oriented Time Series Data
 * Aggregation", VLDB 2014), shared by the metrics store (host) and the chart (webview); it lives in src/shared
 * because webview apps import only src/shared and their own folder. For every pixel column the first, minimum, maximum and last point of the column are kept,
 * in x order, so the drawn line covers exactly the pixels the full data would: every spike survives any zoom level,
 * and the drawn min/max of each column equal the true min/max. Deterministic (ties keep the earliest point).
 * Zooming re-resolves from the full data: call again with the new [x0, x1].
 *
 * Non-finite values: ±Infinity take part in min/max; the first NaN of a column is kept too (a NaN loss is an event
 * the chart marks, not a gap to hide).
 */

/** Result of {@link minMaxColumns}: the points to draw and "pointsUsed of total points". */
export interface Downsampled { x: Float64Array; y: Float64Array; pointsUsed: number; total: number; /** Index of each kept point in the input. */ index: Uint32Array }

/** First index with xs[i] >= v (xs ascending). */
function lowerBound(xs: ArrayLike<number>, v: number, lo: number, hi: number): number {
  while (lo < hi) { const mid = (lo + hi) >>> 1; if (xs[mid] < v) lo = mid + 1; else hi = mid; }
  return lo;
}
/** First index with xs[i] > v. */
function upperBound(xs: ArrayLike<number>, v: number, lo: number, hi: number): number {
  while (lo < hi) { const mid = (lo + hi) >>> 1; if (xs[mid] <= v) lo = mid + 1; else hi = mid; }
  return lo;
}

/**
 * Downsamples the points with x in [x0, x1] to at most 5 points per column (first, min, max, last, first NaN).
 * `xs` ascending (steps, times, tokens are); `ys` any numbers; `columns` the plot width in pixels (>= 1).
 * `total` counts the input points in [x0, x1]; `pointsUsed` the points returned. When the range holds no more
 * than 4 x `columns` points they are all returned unchanged.
 */
export function minMaxColumns(xs: ArrayLike<number>, ys: ArrayLike<number>, x0: number, x1: number, columns: number): Downsampled {
  const n = Math.min(xs.length, ys.length);
  const cols = Math.max(1, Math.floor(columns));
  const a = lowerBound(xs, x0, 0, n);
  const b = upperBound(xs, x1, a, n);
  const total = b - a;
  if (total <= 4 * cols) {
    const x = new Float64Array(total), y = new Float64Array(total), index = new Uint32Array(total);
    for (let i = 0; i < total; i++) { x[i] = xs[a + i]; y[i] = ys[a + i]; index[i] = a + i; }
    return { x, y, pointsUsed: total, total, index };
  }
  const span = x1 - x0;
  const scale = span > 0 ? cols / span : 0;
  const keep: number[] = [];
  let i = a;
  while (i < b) {
    let c = Math.floor((xs[i] - x0) * scale);
    if (c >= cols) c = cols - 1;
    const first = i;
    let minI = -1, maxI = -1, nanI = -1;
    let minV = Infinity, maxV = -Infinity;
    let j = i;
    for (; j < b; j++) {
      let cj = Math.floor((xs[j] - x0) * scale);
      if (cj >= cols) cj = cols - 1;
      if (cj !== c) break;
      const v = ys[j];
      if (v !== v) { if (nanI < 0) nanI = j; continue; }
      if (minI < 0 || v < minV) { minV = v; minI = j; }
      if (maxI < 0 || v > maxV) { maxV = v; maxI = j; }
    }
    const last = j - 1;
    const pick = [first, minI, maxI, nanI, last].filter((k) => k >= 0).sort((p, q) => p - q);
    for (let k = 0; k < pick.length; k++) if (k === 0 || pick[k] !== pick[k - 1]) keep.push(pick[k]);
    i = j;
  }
  const m = keep.length;
  const x = new Float64Array(m), y = new Float64Array(m), index = new Uint32Array(m);
  for (let k = 0; k < m; k++) { x[k] = xs[keep[k]]; y[k] = ys[keep[k]]; index[k] = keep[k]; }
  return { x, y, pointsUsed: m, total, index };
}
