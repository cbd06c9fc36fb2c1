/**
 * Incremental smoothing of a growing series for the chart: appending points recomputes only the tail.
 * The metrics core has the batch forms (src/core/metrics/smoothing.ts: emaDebiased, emaTimeWeighted, gaussianSmooth);
 * the chart needs per-append cost proportional to the new points and a Gaussian whose cost does not grow with sigma
 * on 1M-point series, hence these. A unit test checks they agree with the core's functions.
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
  private last = 0; private debiasWeight = 0; private prevX = NaN; private wPow = 1;
  private lastDx = NaN; private lastDecay = 0;

  constructor(readonly params: SmoothingParams) {}

  update(xs: ArrayLike<number>, ys: ArrayLike<number>, n: number): void {
    if (n < this.length) { this.length = 0; this.last = 0; this.debiasWeight = 0; this.prevX = NaN; this.wPow = 1; this.lastDx = NaN; }
    if (this.values.length < n) { const grown = new Float64Array(Math.max(n, this.values.length * 2, 1024)); grown.set(this.values.subarray(0, this.length)); this.values = grown; }
    switch (this.params.method) {
      case 'none': for (let i = this.length; i < n; i++) this.values[i] = ys[i]; break;
      case 'ema': this.ema(ys, n); break;
      case 'ema-time': this.emaTime(xs, ys, n); break;
      case 'gaussian': this.gaussian(xs, ys, n); break;
    }
    this.length = n;
  }

  // Hot loops keep their state in locals and write it back once (fields mutated per point cost boxing).
  private ema(ys: ArrayLike<number>, n: number): void {
    const w = this.params.weight, out = this.values;
    let last = this.last, wPow = this.wPow;
    for (let i = this.length; i < n; i++) {
      const v = ys[i];
      if (!(v - v === 0)) { out[i] = v; continue; } // NaN/Inf pass through and do not enter the average
      last = last * w + (1 - w) * v;
      // w^(finite points so far) as a running product. Once below 1e-17 the debias factor is exactly 1; stop there,
      // because the product would otherwise settle on the smallest denormal and every multiply would be slow.
      if (wPow > 1e-17) { wPow *= w; out[i] = last / (1 - wPow); } else out[i] = last;
    }
    this.last = last; this.wPow = wPow;
  }

  private emaTime(xs: ArrayLike<number>, ys: ArrayLike<number>, n: number): void {
    const h = this.params.halfLife, out = this.values;
    let sum = this.last, weight = this.debiasWeight, prevX = this.prevX, lastDx = this.lastDx, lastDecay = this.lastDecay;
    for (let i = this.length; i < n; i++) {
      const v = ys[i];
      if (!(v - v === 0)) { out[i] = v; continue; }
      let decay = 0;
      if (prevX === prevX) { // not NaN: there is a previous point
        const dx = xs[i] > prevX ? xs[i] - prevX : 0;
        // Regularly spaced points repeat dx: reuse the last decay instead of a pow per point.
        if (dx !== lastDx) { lastDx = dx; lastDecay = Math.pow(2, -dx / h); }
        decay = lastDecay;
      }
      // Weighted sum and weight total decay together; their ratio is the debiased average.
      sum = sum * decay + v;
      weight = weight * decay + 1;
      prevX = xs[i];
      out[i] = sum / weight;
    }
    this.last = sum; this.debiasWeight = weight; this.prevX = prevX; this.lastDx = lastDx; this.lastDecay = lastDecay;
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
