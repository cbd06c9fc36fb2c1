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
 *
 * A gap in x (consecutive points more than `minGap` apart, the gaps the chart draws, gaps.ts) splits the series into
 * segments smoothed independently: the EMAs restart after it, debiased as at the start of a series (TensorBoard does
 * the same at a series' first point), and the Gaussian's windows stop at it. Carrying the average across would start
 * the line after a gap at the level the run had before it (issue 11: far above the raw loss after steps 21..299 were
 * missing), a value nobody measured there.
 */
import type { SmoothingMethod } from '../../src/shared/protocol/metrics';
import { ColumnGrid, isSequence, lowerBound, type XValues } from './columns';

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

/**
 * Smooths one series incrementally; `update` after appends. `values` has `length` valid entries, or, after an update
 * with `whole` false, that update's entries only (`from`).
 */
export class Smoother {
  /** Smoothed values: of points [0, length) while `whole`; else of the last update's points [from, length), at i - from. */
  values = new Float64Array(0);
  length = 0;
  /** Whether `values` holds every point's smoothed value (see `update`'s `whole`). */
  whole = true;
  /** The point whose smoothed value is values[0] (0 while `whole`). */
  from = 0;
  /** Whether the last update smoothed from the first point again (a new series, a moved gap threshold, a shrunk series, or whole values asked for after a window). */
  restarted = false;
  // EMA state after `length` points
  private last = 0; private debiasWeight = 0; private prevX = NaN; private wPow = 1;
  private lastDx = NaN; private lastDecay = 0;
  /** The gap threshold the current values were computed with (x units; Infinity = no gaps). */
  private minGap = Infinity;

  constructor(readonly params: SmoothingParams) {}

  /**
   * Smooths points [length, n) of `xs` (ascending) / `ys`, given points before `length` are unchanged since the last
   * call. `minGap` (x units, default Infinity): consecutive points further apart start a new segment (see the module
   * doc). A threshold more than twice or less than half the one used so far recomputes everything (a live series'
   * typical spacing settles as it grows; small drifts keep the earlier result so appends stay cheap).
   * `xs` may be a sequence (steps kept unwritten, columns.ts XValues): the smoothed values are the same.
   * `whole` false (EMAs and 'none'; the Gaussian's passes read earlier values, so it keeps them all): keep only this
   * update's values, values[i - from] for i in [from, n) with `from` the length before the call; the chart folds them
   * into its grid chunk by chunk (foldSmoothed) instead of holding 8 MB per 1M points. Asking for whole values again
   * recomputes them from the first point (the same values: the computation is deterministic).
   */
  update(xs: XValues, ys: ArrayLike<number>, n: number, minGap = Infinity, whole = true): void {
    const g = minGap > 0 ? minGap : Infinity;
    const moved = g === Infinity || this.minGap === Infinity ? g !== this.minGap : g > 2 * this.minGap || g < this.minGap / 2;
    if (this.params.method === 'gaussian') whole = true;
    if (moved) { this.minGap = g; this.length = 0; }
    if (n < this.length) this.length = 0;
    if (whole && !this.whole) this.length = 0; // the earlier values were not kept
    this.restarted = this.length === 0 && n > 0;
    if (this.length === 0) { this.last = 0; this.debiasWeight = 0; this.prevX = NaN; this.wPow = 1; this.lastDx = NaN; }
    const from = whole ? 0 : this.length;
    if (this.values.length < n - from) {
      const grown = new Float64Array(Math.max(n - from, whole ? this.values.length * 2 : 0, 1024));
      if (whole) grown.set(this.values.subarray(0, this.length));
      this.values = grown;
    }
    this.whole = whole; this.from = from;
    switch (this.params.method) {
      case 'none': for (let i = this.length; i < n; i++) this.values[i - from] = ys[i]; break;
      case 'ema': this.ema(xs, ys, n); break;
      case 'ema-time': this.emaTime(xs, ys, n); break;
      case 'gaussian': this.gaussian(isSequence(xs) ? this.writtenOut(xs, n) : xs, ys, n); break;
    }
    this.length = n;
  }

  /** A sequence's values for the Gaussian's window searches, written out incrementally (kept across appends). */
  private seqOut = new Float64Array(0);
  private seqOutN = 0;
  private seqOf: { first: number; stride: number } | undefined;

  private writtenOut(xs: { first: number; stride: number }, n: number): Float64Array {
    if (!this.seqOf || this.seqOf.first !== xs.first || this.seqOf.stride !== xs.stride) { this.seqOf = { first: xs.first, stride: xs.stride }; this.seqOutN = 0; }
    if (this.seqOut.length < n) { const grown = new Float64Array(Math.max(n, this.seqOut.length * 2, 1024)); grown.set(this.seqOut.subarray(0, this.seqOutN)); this.seqOut = grown; }
    for (let i = this.seqOutN; i < n; i++) this.seqOut[i] = xs.first + i * xs.stride;
    if (n > this.seqOutN) this.seqOutN = n;
    return this.seqOut;
  }

  // Hot loops keep their state in locals and write it back once (fields mutated per point cost boxing). A sequence's
  // x is computed as the store's Column writes it out (first + i * stride), so both forms give the same doubles.
  private ema(xs: XValues, ys: ArrayLike<number>, n: number): void {
    const w = this.params.weight, out = this.values, gap = this.minGap, off = this.from;
    const seq = isSequence(xs), arr = xs as ArrayLike<number>, f = seq ? xs.first : 0, st = seq ? xs.stride : 0;
    let last = this.last, wPow = this.wPow;
    for (let i = this.length; i < n; i++) {
      // a new segment: restart, debiased from its first point
      if (i > 0 && (seq ? (f + i * st) - (f + (i - 1) * st) : arr[i] - arr[i - 1]) > gap) { last = 0; wPow = 1; }
      const v = ys[i];
      if (!(v - v === 0)) { out[i - off] = v; continue; } // NaN/Inf pass through and do not enter the average
      last = last * w + (1 - w) * v;
      // w^(finite points so far) as a running product. Once below 1e-17 the debias factor is exactly 1; stop there,
      // because the product would otherwise settle on the smallest denormal and every multiply would be slow.
      if (wPow > 1e-17) { wPow *= w; out[i - off] = last / (1 - wPow); } else out[i - off] = last;
    }
    this.last = last; this.wPow = wPow;
  }

  private emaTime(xs: XValues, ys: ArrayLike<number>, n: number): void {
    const h = this.params.halfLife, out = this.values, gap = this.minGap, off = this.from;
    const seq = isSequence(xs), arr = xs as ArrayLike<number>, f = seq ? xs.first : 0, st = seq ? xs.stride : 0;
    let sum = this.last, weight = this.debiasWeight, prevX = this.prevX, lastDx = this.lastDx, lastDecay = this.lastDecay;
    for (let i = this.length; i < n; i++) {
      const x = seq ? f + i * st : arr[i];
      if (i > 0 && x - (seq ? f + (i - 1) * st : arr[i - 1]) > gap) { sum = 0; weight = 0; prevX = NaN; } // a new segment: restart
      const v = ys[i];
      if (!(v - v === 0)) { out[i - off] = v; continue; }
      let decay = 0;
      if (prevX === prevX) { // not NaN: there is a previous point
        const dx = x > prevX ? x - prevX : 0;
        // Regularly spaced points repeat dx: reuse the last decay instead of a pow per point.
        if (dx !== lastDx) { lastDx = dx; lastDecay = Math.pow(2, -dx / h); }
        decay = lastDecay;
      }
      // Weighted sum and weight total decay together; their ratio is the debiased average.
      sum = sum * decay + v;
      weight = weight * decay + 1;
      prevX = x;
      out[i - off] = sum / weight;
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
    const gap = this.minGap;
    boxPass(xs, ys, this.pass1, n, from(1), r, gap);
    boxPass(xs, this.pass1, this.pass2, n, from(2), r, gap);
    boxPass(xs, this.pass2, this.values, n, from(3), r, gap);
    // Keep non-finite points visible as such in the smoothed line too (a NaN loss is news, not noise).
    for (let i = this.length; i < n; i++) if (!Number.isFinite(ys[i])) this.values[i] = ys[i];
  }
}

/** Points smoothed per window by foldSmoothed (512 KB of values, reused). */
const FOLD_CHUNK = 1 << 16;

/**
 * Smooths points [smoother.length, n) and folds them into `grid`, a window of FOLD_CHUNK points at a time, so a 1M-point
 * series never holds its smoothed values whole (8 MB to fault in: a tenth of the chart's first draw on a VM; issue 12).
 * The grid keeps each bucket's values, so the drawn line is the one whole values give. Where a grid must read every
 * value (no more than `grid.maxBuckets` points, no positive x span yet, the Gaussian, a grid behind the smoother),
 * the smoother keeps whole values as before. A smoother that starts again from the first point gets a new grid.
 * @returns the grid to keep (a new one after a restart) and the values to hand to its `resolve` (read only when whole)
 */
export function foldSmoothed(smoother: Smoother, grid: ColumnGrid, xs: XValues, ys: ArrayLike<number>, n: number, minGap: number): { grid: ColumnGrid; values: Float64Array } {
  const whole = () => {
    smoother.update(xs, ys, n, minGap);
    if (smoother.restarted && grid.folded > 0) grid = new ColumnGrid(grid.columns);
    grid.update(xs, smoother.values, n);
    return { grid, values: smoother.values };
  };
  if (n <= grid.maxBuckets || smoother.params.method === 'gaussian' || smoother.length !== grid.folded || !grid.reserve(xs, n)) return whole();
  for (;;) {
    const m = Math.min(n, smoother.length + FOLD_CHUNK);
    smoother.update(xs, ys, m, minGap, false);
    if (smoother.from !== grid.folded) { grid = new ColumnGrid(grid.columns); grid.reserve(xs, n); } // started again from the first point
    grid.update(xs, smoother.values, m, smoother.from);
    if (grid.folded !== m) return whole(); // no positive x span yet: the grid keeps no buckets
    if (m === n) return { grid, values: smoother.values };
  }
}

/**
 * dst[i] = mean of the finite src[j] with |xs[j] - xs[i]| <= r and no step between i and j wider than `gap`, for i in
 * [from, n). NaN when there are none.
 */
function boxPass(xs: ArrayLike<number>, src: ArrayLike<number>, dst: Float64Array, n: number, from: number, r: number, gap: number): void {
  if (from >= n) return;
  let lo = lowerBound(xs, n, xs[from] - r); // window is [lo, hi)
  for (let j = from; j > lo; j--) if (xs[j] - xs[j - 1] > gap) { lo = j; break; } // not back across a gap
  let hi = lo, sum = 0, count = 0;
  for (let i = from; i < n; i++) {
    const x = xs[i];
    if (i > 0 && xs[i] - xs[i - 1] > gap) { // i starts a segment: drop the window behind it
      while (lo < i) { const v = src[lo]; if (Number.isFinite(v)) { sum -= v; count--; } lo++; }
    }
    while (hi < n && xs[hi] <= x + r && (hi <= i || !(xs[hi] - xs[hi - 1] > gap))) { const v = src[hi]; if (Number.isFinite(v)) { sum += v; count++; } hi++; }
    while (xs[lo] < x - r) { const v = src[lo]; if (Number.isFinite(v)) { sum -= v; count--; } lo++; }
    dst[i] = count > 0 ? sum / count : NaN;
  }
}
