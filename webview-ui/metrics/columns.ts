/**
 * Per-pixel-column min/max downsampling (M4: first, min, max and last point of every column) for the loss-curve chart.
 *
 * Two forms, both deterministic (same input -> same output, no sampling):
 * - `resolveColumns`: one pass over the points inside [x0, x1] (binary-searched), for a zoomed view.
 * - `ColumnGrid`: an incremental grid of buckets anchored at the first x, for the live full view. Appending points
 *   touches only the last bucket(s); when the data outgrows the grid, the bucket width doubles and neighbouring
 *   buckets merge (first/last/min/max of a union are computable from the parts), so no raw point is read twice.
 *   Buckets are at most one pixel column wide (between `columns` and `2*columns` buckets), so the minimum and maximum
 *   of every pixel column are drawn within one pixel of it (buckets are not aligned to pixel columns): a single spike in
 *   10M points stays visible at full zoom-out.
 *
 * Non-finite values (NaN/Inf) never become a column's min or max; a column with only non-finite values emits its first
 * and last point (drawn as a gap). Both forms also emit one point just outside each edge so lines reach the plot border.
 */

/** Points chosen for drawing: `xs`/`ys` hold `length` points in x order; `inRange` counts the source points they stand for. */
export interface Resolved { xs: Float64Array; ys: Float64Array; length: number; inRange: number }

/** First index i in [0, n) with xs[i] >= x (n when none). xs ascending. */
export function lowerBound(xs: ArrayLike<number>, n: number, x: number): number {
  let lo = 0, hi = n;
  while (lo < hi) { const mid = (lo + hi) >>> 1; if (xs[mid] < x) lo = mid + 1; else hi = mid; }
  return lo;
}

/** First index i in [0, n) with xs[i] > x (n when none). xs ascending. */
export function upperBound(xs: ArrayLike<number>, n: number, x: number): number {
  let lo = 0, hi = n;
  while (lo < hi) { const mid = (lo + hi) >>> 1; if (xs[mid] <= x) lo = mid + 1; else hi = mid; }
  return lo;
}

/** Appends indices a <= b <= c <= d (deduplicated, sorted) of one column to the output. */
function emitColumn(xs: ArrayLike<number>, ys: ArrayLike<number>, first: number, iMin: number, iMax: number, last: number, ox: Float64Array, oy: Float64Array, k: number): number {
  // Sort the (up to) four indices; iMin/iMax are -1 when the column has no finite value.
  let b = iMin < 0 ? first : iMin, c = iMax < 0 ? first : iMax;
  if (b > c) { const t = b; b = c; c = t; }
  let prev = -1;
  for (const i of [first, b, c, last]) {
    if (i > prev) { ox[k] = xs[i]; oy[k] = ys[i]; k++; prev = i; }
  }
  return k;
}

/**
 * Resolves the points of one series between x0 and x1 (inclusive) into at most 4 points per column, plus one point on
 * each side outside the range. When the range holds no more than `4 * columns` points they are returned unchanged.
 * @param xs ascending x values (first `n` used); @param ys values; @param columns plot width in device pixels (>= 1)
 */
export function resolveColumns(xs: ArrayLike<number>, ys: ArrayLike<number>, n: number, x0: number, x1: number, columns: number): Resolved {
  columns = Math.max(1, Math.floor(columns));
  const lo = lowerBound(xs, n, x0);
  const hi = upperBound(xs, n, x1);
  const inRange = Math.max(0, hi - lo);
  const from = lo > 0 ? lo - 1 : lo;
  const to = hi < n ? hi + 1 : hi; // exclusive
  if (inRange <= 4 * columns || !(x1 > x0)) {
    const len = Math.max(0, to - from);
    const ox = new Float64Array(len), oy = new Float64Array(len);
    for (let i = 0; i < len; i++) { ox[i] = xs[from + i]; oy[i] = ys[from + i]; }
    return { xs: ox, ys: oy, length: len, inRange };
  }
  const ox = new Float64Array(4 * columns + 2), oy = new Float64Array(4 * columns + 2);
  let k = 0;
  if (from < lo) { ox[k] = xs[from]; oy[k] = ys[from]; k++; }
  const w = (x1 - x0) / columns;
  let col = -1, first = -1, last = -1, iMin = -1, iMax = -1, vMin = Infinity, vMax = -Infinity;
  for (let i = lo; i < hi; i++) {
    let c = Math.floor((xs[i] - x0) / w);
    if (c >= columns) c = columns - 1;
    if (c !== col) {
      if (col >= 0) k = emitColumn(xs, ys, first, iMin, iMax, last, ox, oy, k);
      col = c; first = i; iMin = -1; iMax = -1; vMin = Infinity; vMax = -Infinity;
    }
    last = i;
    const v = ys[i];
    if (Number.isFinite(v)) {
      if (v < vMin) { vMin = v; iMin = i; }
      if (v > vMax) { vMax = v; iMax = i; }
    }
  }
  if (col >= 0) k = emitColumn(xs, ys, first, iMin, iMax, last, ox, oy, k);
  if (to > hi) { ox[k] = xs[hi]; oy[k] = ys[hi]; k++; }
  return { xs: ox.subarray(0, k), ys: oy.subarray(0, k), length: k, inRange };
}

/**
 * Incremental min/max buckets over the whole series (the live full view). Call `update(xs, ys, n)` after points were
 * appended (xs ascending, earlier points unchanged), then `resolve()`.
 */
export class ColumnGrid {
  private readonly maxBuckets: number;
  private width = 0; // bucket width in x units; 0 until the series spans a positive x range
  private origin = 0;
  private processed = 0;
  private count = 0; // buckets in use (index of last bucket + 1)
  private first: Int32Array; private last: Int32Array; private iMin: Int32Array; private iMax: Int32Array;

  /** @param columns plot width in device pixels; the grid keeps between `columns` and `2 * columns` buckets. */
  constructor(readonly columns: number) {
    this.maxBuckets = 2 * Math.max(1, Math.floor(columns));
    this.first = new Int32Array(this.maxBuckets); this.last = new Int32Array(this.maxBuckets);
    this.iMin = new Int32Array(this.maxBuckets); this.iMax = new Int32Array(this.maxBuckets);
  }

  /** Folds points [processed, n) into the buckets. */
  update(xs: ArrayLike<number>, ys: ArrayLike<number>, n: number): void {
    if (n < this.processed) throw new Error(`ColumnGrid.update: series shrank from ${this.processed} to ${n} points`);
    if (this.width === 0) {
      if (n < 2 || !(xs[n - 1] > xs[0])) return; // not yet a positive span: resolve() returns the points themselves
      this.origin = xs[0];
      // Power-of-two multiple of the first span's bucket width keeps later doublings exact in floating point.
      this.width = 2 ** Math.ceil(Math.log2((xs[n - 1] - xs[0]) / (this.maxBuckets - 1)));
      this.processed = 0; this.count = 0;
    }
    for (let i = this.processed; i < n; i++) {
      let b = Math.floor((xs[i] - this.origin) / this.width);
      while (b >= this.maxBuckets) { this.coarsen(); b = Math.floor((xs[i] - this.origin) / this.width); }
      if (b >= this.count) {
        for (let j = this.count; j < b; j++) this.first[j] = -1; // empty buckets between
        this.count = b + 1;
        this.first[b] = i; this.last[b] = i; this.iMin[b] = -1; this.iMax[b] = -1;
      }
      this.last[b] = i;
      const v = ys[i];
      if (Number.isFinite(v)) {
        if (this.iMin[b] < 0 || v < ys[this.iMin[b]]) this.iMin[b] = i;
        if (this.iMax[b] < 0 || v > ys[this.iMax[b]]) this.iMax[b] = i;
      }
    }
    this.processed = n;
    this.ysRef = ys;
  }
  private ysRef: ArrayLike<number> | undefined;

  /** Doubles the bucket width: bucket k becomes the union of buckets 2k and 2k+1 (exact: floor(floor(q)/2) = floor(q/2)). */
  private coarsen(): void {
    const ys = this.ysRef!;
    const { first, last, iMin, iMax } = this;
    let count = 0;
    for (let k = 0; 2 * k < this.count; k++) {
      const a = 2 * k, b = 2 * k + 1;
      const hasA = first[a] >= 0, hasB = b < this.count && first[b] >= 0;
      if (!hasA && !hasB) { first[k] = -1; continue; }
      count = k + 1;
      if (!hasA) { first[k] = first[b]; last[k] = last[b]; iMin[k] = iMin[b]; iMax[k] = iMax[b]; continue; }
      first[k] = first[a]; last[k] = hasB ? last[b] : last[a];
      let mn = iMin[a], mx = iMax[a];
      if (hasB) {
        if (iMin[b] >= 0 && (mn < 0 || ys[iMin[b]] < ys[mn])) mn = iMin[b];
        if (iMax[b] >= 0 && (mx < 0 || ys[iMax[b]] > ys[mx])) mx = iMax[b];
      }
      iMin[k] = mn; iMax[k] = mx;
    }
    this.count = count;
    this.width *= 2;
  }

  /** The drawn points of the whole series (every point when the series has no more than `2 * columns` points). */
  resolve(xs: ArrayLike<number>, ys: ArrayLike<number>, n: number): Resolved {
    if (this.width === 0 || n <= this.maxBuckets) {
      const ox = new Float64Array(n), oy = new Float64Array(n);
      for (let i = 0; i < n; i++) { ox[i] = xs[i]; oy[i] = ys[i]; }
      return { xs: ox, ys: oy, length: n, inRange: n };
    }
    const ox = new Float64Array(4 * this.count), oy = new Float64Array(4 * this.count);
    let k = 0;
    for (let b = 0; b < this.count; b++) {
      if (this.first[b] < 0) continue;
      k = emitColumn(xs, ys, this.first[b], this.iMin[b], this.iMax[b], this.last[b], ox, oy, k);
    }
    return { xs: ox.subarray(0, k), ys: oy.subarray(0, k), length: k, inRange: n };
  }
}
