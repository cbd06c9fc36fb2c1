/**
 * Incremental smoothing of a growing series for the chart: appending points recomputes only the tail.
 *
 * - `ema`: exponential moving average with zero-debiasing, as TensorBoard's scalar dashboard does it
 *   (tensorboard/plugins/scalar/tf_scalar_dashboard: `last = last * w + (1 - w) * v; smoothed = last / (1 - w^n)`).
 *   Non-finite values are passed through and do not enter the average.
 * - `ema-time`: the same EMA with a decay per unit of x (`alpha = 1 - 2^(-dx / halfLife)`), so irregularly spaced points
 *   (eval every N steps, wall-clock x) weigh by distance rather than by count; debiased the same way.
 * - `gaussian`: Gaussian kernel over x distance (sigma in x units, window +-3 sigma), normalised by the kernel weights
 *   present (edges are not pulled towards zero). A new point changes the last 3 sigma, which are recomputed.
 */
import type { SmoothingMethod } from '../../src/shared/protocol/metrics';
import { lowerBound } from './columns';

/** Parameters in x units derived from the UI's 0..1 amount and the series' x span. */
export interface SmoothingParams { method: SmoothingMethod; weight: number; halfLife: number; sigma: number }

/**
 * Maps the slider (0..1) to each method's parameter: EMA weight 0..0.999 (TensorBoard's range); half-life and sigma
 * grow cubically up to 5% of the x span, so the low end of the slider has fine control.
 */
export function smoothingParams(method: SmoothingMethod, amount: number, xSpan: number): SmoothingParams {
  const a = Math.min(1, Math.max(0, amount));
  const span = xSpan > 0 ? xSpan : 1;
  return { method, weight: a * 0.999, halfLife: Math.max(1e-12, a ** 3 * span * 0.05), sigma: Math.max(1e-12, a ** 3 * span * 0.05) };
}

/** Holds the smoothed values of one series; `update` after appends, `values` has `length` valid entries. */
export class Smoother {
  values = new Float64Array(0);
  length = 0;
  // EMA state after `length` points
  private last = 0; private debiasWeight = 0; private prevX = NaN; private seen = 0;

  constructor(readonly params: SmoothingParams) {}

  update(xs: ArrayLike<number>, ys: ArrayLike<number>, n: number): void {
    if (n < this.length) { this.length = 0; this.last = 0; this.debiasWeight = 0; this.prevX = NaN; this.seen = 0; }
    if (this.values.length < n) { const grown = new Float64Array(Math.max(n, this.values.length * 2, 1024)); grown.set(this.values.subarray(0, this.length)); this.values = grown; }
    switch (this.params.method) {
      case 'none': for (let i = this.length; i < n; i++) this.values[i] = ys[i]; break;
      case 'ema': this.ema(ys, n); break;
      case 'ema-time': this.emaTime(xs, ys, n); break;
      case 'gaussian': this.gaussian(xs, ys, n); break;
    }
    this.length = n;
  }

  private ema(ys: ArrayLike<number>, n: number): void {
    const w = this.params.weight;
    for (let i = this.length; i < n; i++) {
      const v = ys[i];
      if (!Number.isFinite(v)) { this.values[i] = v; continue; }
      this.last = this.last * w + (1 - w) * v;
      this.seen++;
      const debias = w === 0 ? 1 : 1 - Math.pow(w, this.seen);
      this.values[i] = this.last / debias;
    }
  }

  private emaTime(xs: ArrayLike<number>, ys: ArrayLike<number>, n: number): void {
    const h = this.params.halfLife;
    for (let i = this.length; i < n; i++) {
      const v = ys[i];
      if (!Number.isFinite(v)) { this.values[i] = v; continue; }
      const decay = Number.isNaN(this.prevX) ? 0 : Math.pow(2, -Math.max(0, xs[i] - this.prevX) / h);
      // Weighted sum and weight total decay together; their ratio is the debiased average.
      this.last = this.last * decay + v;
      this.debiasWeight = this.debiasWeight * decay + 1;
      this.prevX = xs[i];
      this.values[i] = this.last / this.debiasWeight;
    }
  }

  // Gaussian as three box filters of half-width sigma in x (variance 3 * (2 sigma)^2 / 12 = sigma^2): O(n) for any
  // sigma and exact x-distance windows for irregular spacing. A new point at xNew changes pass k for x >= xNew - k*r.
  private pass1 = new Float64Array(0);
  private pass2 = new Float64Array(0);

  private gaussian(xs: ArrayLike<number>, ys: ArrayLike<number>, n: number): void {
    const r = this.params.sigma;
    if (this.pass1.length < n) {
      const g1 = new Float64Array(this.values.length); g1.set(this.pass1.subarray(0, this.length)); this.pass1 = g1;
      const g2 = new Float64Array(this.values.length); g2.set(this.pass2.subarray(0, this.length)); this.pass2 = g2;
    }
    const xNew = this.length < n ? xs[this.length] : Infinity;
    const from = (k: number) => (this.length === 0 ? 0 : lowerBound(xs, n, xNew - k * r));
    boxPass(xs, ys, this.pass1, n, from(1), r);
    boxPass(xs, this.pass1, this.pass2, n, from(2), r);
    boxPass(xs, this.pass2, this.values, n, from(3), r);
    // Keep non-finite points visible as such in the smoothed line too (a NaN loss is news, not noise).
    for (let i = this.length; i < n; i++) if (!Number.isFinite(ys[i])) this.values[i] = ys[i];
  }
}

/** dst[i] = mean of the finite src[j] with |xs[j] - xs[i]| <= r, for i in [from, n). NaN when there are none. */
function boxPass(xs: ArrayLike<number>, src: ArrayLike<number>, dst: Float64Array, n: number, from: number, r: number): void {
  if (from >= n) return;
  let lo = lowerBound(xs, n, xs[from] - r), hi = lo; // window is [lo, hi)
  let sum = 0, count = 0;
  for (let i = from; i < n; i++) {
    const x = xs[i];
    while (hi < n && xs[hi] <= x + r) { const v = src[hi]; if (Number.isFinite(v)) { sum += v; count++; } hi++; }
    while (xs[lo] < x - r) { const v = src[lo]; if (Number.isFinite(v)) { sum -= v; count--; } lo++; }
    dst[i] = count > 0 ? sum / count : NaN;
  }
}
