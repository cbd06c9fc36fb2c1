/**
 * Gaps in a series' steps drawn as gaps (issue 11): a log with a stretch missing (an elided paste, a crash and a
 * restart later, a metric logged only for a while) must not show a straight line across the stretch as if values
 * had been measured there. uPlot breaks a line only at an explicit `null` (its `findGaps`, with `spanGaps: false`);
 * `undefined` (the fill of `uPlot.join` where another series has an x this one lacks) is bridged.
 */
import { xAt, type XValues } from './columns';

/**
 * The typical distance between consecutive x values: the median of up to 2,048 deltas sampled evenly over the
 * first `n` entries of ascending `xs` (the lower median for an even count: of two deltas, 1 and 319, the gap is the
 * 319). 0 when there are fewer than two points.
 */
export function typicalDelta(xs: XValues, n: number): number {
  if (n < 2) return 0;
  const m = Math.min(n - 1, 2048), stride = (n - 1) / m, deltas = new Float64Array(m);
  for (let k = 0; k < m; k++) { const i = Math.min(n - 2, Math.floor(k * stride)); deltas[k] = xAt(xs, i + 1) - xAt(xs, i); }
  deltas.sort();
  return deltas[(m - 1) >> 1];
}

/**
 * Inserts a `null` point midway between consecutive drawn points further apart than `minGap` (x units).
 * @returns new arrays (the inputs are not changed) and how many gaps were inserted
 */
export function withGaps(xs: ArrayLike<number>, ys: readonly (number | null | undefined)[], len: number, minGap: number): { xs: number[]; ys: (number | null | undefined)[]; gaps: number } {
  const ox: number[] = [], oy: (number | null | undefined)[] = [];
  let gaps = 0;
  for (let i = 0; i < len; i++) {
    if (i > 0 && minGap > 0 && xs[i] - xs[i - 1] > minGap) { ox.push((xs[i] + xs[i - 1]) / 2); oy.push(null); gaps++; }
    ox.push(xs[i]); oy.push(ys[i]);
  }
  return { xs: ox, ys: oy, gaps };
}

/** Gaps are steps more than GAP_FACTOR typical deltas apart (and more than two pixel columns: M4 output is sparse). */
export const GAP_FACTOR = 10;
