/**
 * Per-pixel-column min/max downsampling (M4: first, min, max and last point of every column) for the loss-curve chart.
 *
 * Two forms, both deterministic (same input -> same output, no sampling):
 * - `resolveColumns`: the metrics core's `minMaxColumns` over the points inside [x0, x1], for a zoomed view.
 * - `ColumnGrid`: an incremental grid of buckets anchored at the first x, for the live full view. Appending points
 *   touches only the last bucket(s); when the data outgrows the grid, the bucket width doubles and neighbouring
 *   buckets merge (first/last/min/max of a union are computable from the parts), so no raw point is read twice.
 *   Buckets are at most one pixel column wide (between `columns` and `2*columns` buckets), so the minimum and maximum
 *   of every pixel column are drawn within one pixel of it (buckets are not aligned to pixel columns): a single spike in
 *   10M points stays visible at full zoom-out.
 *
 * In the grid, non-finite values (NaN/Inf) never become a bucket's min or max; a bucket with only non-finite values
 * emits its first and last point (drawn as a gap). NaN steps are marked by the alert markers, not by the line.
 */
import { minMaxColumns } from '../../src/shared/downsample';
import type { ArithmeticColumn } from '../../src/shared/packedColumn';

/**
 * The x values of a series: the values themselves, or the arithmetic sequence they are (steps received packed, kept
 * unwritten by the store's Column: `Column.arithmetic`). Value i of a sequence is `first + i * stride`, the same double
 * the Column writes out, so both forms bucket, smooth and draw alike.
 */
export type XValues = ArrayLike<number> | ArithmeticColumn;

/** True when `xs` is a sequence (`{ first, stride, count }`) rather than the values. */
export function isSequence(xs: XValues): xs is ArithmeticColumn { return (xs as ArithmeticColumn).stride !== undefined; }

/** xs[i] of either form. */
export function xAt(xs: XValues, i: number): number { return isSequence(xs) ? xs.first + i * xs.stride : xs[i]; }

/**
 * Points chosen for drawing: `xs`/`ys` hold `length` points in x order; `inRange` counts the source points inside the
 * x range they stand for; `drawn` counts the chosen points inside that range (`length` less the one point kept beyond
 * each edge so the line runs to the border), so `drawn <= inRange` always ("N of M points" in the footer).
 */
export interface Resolved { xs: Float64Array; ys: Float64Array; length: number; inRange: number; drawn: number }

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

/**
 * Appends a bucket's points first <= b <= c <= last (deduplicated, in index order) to the output, with the values the
 * bucket kept for them (yF, yMn, yMx, yL); iMin/iMax are -1 when the bucket has no finite value.
 */
function emitBucket(xs: XValues, first: number, iMin: number, iMax: number, last: number, yF: number, yMn: number, yMx: number, yL: number, ox: Float64Array, oy: Float64Array, k: number): number {
  let b = iMin < 0 ? first : iMin, c = iMax < 0 ? first : iMax, yb = iMin < 0 ? yF : yMn, yc = iMax < 0 ? yF : yMx;
  if (b > c) { const t = b; b = c; c = t; const u = yb; yb = yc; yc = u; }
  ox[k] = xAt(xs, first); oy[k] = yF; k++;
  if (b > first) { ox[k] = xAt(xs, b); oy[k] = yb; k++; }
  if (c > b && c > first) { ox[k] = xAt(xs, c); oy[k] = yc; k++; }
  if (last > c && last > first) { ox[k] = xAt(xs, last); oy[k] = yL; k++; }
  return k;
}

/**
 * Adapter over the metrics core's `minMaxColumns` (src/shared/downsample.ts, M4 per pixel column) for the chart:
 * works on the first `n` entries of growable columns, and adds the nearest point outside each edge of [x0, x1] so the
 * line runs to the plot border when zoomed. `inRange` counts the source points inside [x0, x1] ("N of M points").
 * @param columns plot width in device pixels (>= 1)
 */
export function resolveColumns(xs: Float64Array, ys: Float64Array, n: number, x0: number, x1: number, columns: number): Resolved {
  const d = minMaxColumns(xs.subarray(0, n), ys.subarray(0, n), x0, x1, columns);
  const lo = lowerBound(xs, n, x0), hi = upperBound(xs, n, x1);
  const before = lo > 0 ? 1 : 0, after = hi < n ? 1 : 0;
  if (!before && !after) return { xs: d.x, ys: d.y, length: d.pointsUsed, inRange: d.total, drawn: d.pointsUsed };
  const len = d.pointsUsed + before + after;
  const ox = new Float64Array(len), oy = new Float64Array(len);
  if (before) { ox[0] = xs[lo - 1]; oy[0] = ys[lo - 1]; }
  ox.set(d.x, before); oy.set(d.y, before);
  if (after) { ox[len - 1] = xs[hi]; oy[len - 1] = ys[hi]; }
  return { xs: ox, ys: oy, length: len, inRange: d.total, drawn: d.pointsUsed };
}

/**
 * Incremental min/max buckets over the whole series (the live full view). Call `update(xs, ys, n)` after points were
 * appended (xs ascending, earlier points unchanged), then `resolve()`. `xs` may be a sequence (XValues): the grid reads
 * x only to find bucket edges and the x of the points it emits. Each bucket keeps the values of its first, min, max and
 * last point, so y values are read once, when folded: `update` can be fed a window of them (`yFrom`), which lets the
 * chart smooth a 1M-point series chunk by chunk instead of writing out 8 MB of smoothed values (issue 12).
 */
export class ColumnGrid {
  /** Most buckets kept (2 * columns); up to this many points, `resolve` returns every point. */
  readonly maxBuckets: number;
  private width = 0; // bucket width in x units; 0 until the series spans a positive x range
  private origin = 0;
  private processed = 0;
  private count = 0; // buckets in use (index of last bucket + 1)
  private first: Int32Array; private last: Int32Array; private iMin: Int32Array; private iMax: Int32Array;
  private yFirst: Float64Array; private yLast: Float64Array; private yMin: Float64Array; private yMax: Float64Array;

  /** @param columns plot width in device pixels; the grid keeps between `columns` and `2 * columns` buckets. */
  constructor(readonly columns: number) {
    this.maxBuckets = 2 * Math.max(1, Math.floor(columns));
    this.first = new Int32Array(this.maxBuckets); this.last = new Int32Array(this.maxBuckets);
    this.iMin = new Int32Array(this.maxBuckets); this.iMax = new Int32Array(this.maxBuckets);
    this.yFirst = new Float64Array(this.maxBuckets); this.yLast = new Float64Array(this.maxBuckets);
    this.yMin = new Float64Array(this.maxBuckets); this.yMax = new Float64Array(this.maxBuckets);
  }

  /**
   * Sizes the buckets for points [0, n) as one `update` of them would (when not sized yet), so folding them in
   * windows makes the same buckets as folding them at once. Returns false while they span no positive x range.
   */
  reserve(xs: XValues, n: number): boolean {
    if (this.width > 0) return true;
    const x0 = xAt(xs, 0), x1 = n > 0 ? xAt(xs, n - 1) : NaN;
    if (n < 2 || !(x1 > x0)) return false;
    this.origin = x0;
    // Power-of-two multiple of the first span's bucket width keeps later doublings exact in floating point.
    this.width = 2 ** Math.ceil(Math.log2((x1 - x0) / (this.maxBuckets - 1)));
    this.processed = 0; this.count = 0;
    return true;
  }

  /** Points folded into the buckets so far (0 until the series spans a positive x range). */
  get folded(): number { return this.processed; }

  /**
   * Folds points [folded, n) into the buckets. `ys[k - yFrom]` is the value of point k; with `yFrom > 0` (a window of
   * values), `yFrom` must not exceed `folded`, and the grid must already span a positive x range (`folded > 0`).
   */
  update(xs: XValues, ys: ArrayLike<number>, n: number, yFrom = 0): void {
    if (n < this.processed) throw new Error(`ColumnGrid.update: series shrank from ${this.processed} to ${n} points`);
    const seq = isSequence(xs) ? xs : undefined, arr = xs as ArrayLike<number>;
    const x = (i: number) => (seq ? seq.first + i * seq.stride : arr[i]);
    if (this.width === 0 && !this.reserve(xs, n)) return; // not yet a positive span: resolve() returns the points themselves
    if (this.processed >= n) return;
    if (yFrom > this.processed) throw new Error(`ColumnGrid.update: values from point ${yFrom}, but ${this.processed} are folded`);
    const { first, last, iMin, iMax, yFirst, yLast, yMin, yMax, origin, maxBuckets } = this;
    // The width is a power of two, so multiplying by its inverse is exact (same buckets as dividing). Coarsen until the
    // last new point's bucket fits; coarsening is exact, so the buckets are those a point-by-point fold would make.
    let inv = 1 / this.width;
    while (Math.floor((x(n - 1) - origin) * inv) >= maxBuckets) { this.coarsen(); inv = 1 / this.width; }
    const bucketOf = (i: number) => Math.floor((x(i) - origin) * inv);
    // Bucket by bucket: xs ascend, so a bucket's points are one run [i, e); its end is found by a galloping search,
    // and the inner loop only compares values (the first draw of 1M points spends its time here).
    let b = this.count - 1;
    for (let i = this.processed; i < n;) {
      const nb = bucketOf(i);
      let step = 1, lo = i + 1, hi = i + 1;
      while (hi < n && bucketOf(hi) === nb) { lo = hi + 1; hi = i + (step *= 2); }
      if (hi > n) hi = n;
      while (lo < hi) { const mid = (lo + hi) >>> 1; if (bucketOf(mid) === nb) lo = mid + 1; else hi = mid; }
      const e = lo; // first index after the run
      let mn: number, mx: number, vMin: number, vMax: number;
      if (nb === b) { mn = iMin[b]; mx = iMax[b]; vMin = mn >= 0 ? yMin[b] : Infinity; vMax = mx >= 0 ? yMax[b] : -Infinity; }
      else {
        for (let j = b + 1; j < nb; j++) first[j] = -1; // empty buckets between
        b = nb; first[b] = i; yFirst[b] = ys[i - yFrom]; mn = -1; mx = -1; vMin = Infinity; vMax = -Infinity;
      }
      for (let k = i; k < e; k++) {
        const v = ys[k - yFrom];
        if (v - v === 0) { // finite
          if (v < vMin) { vMin = v; mn = k; }
          if (v > vMax) { vMax = v; mx = k; }
        }
      }
      iMin[b] = mn; iMax[b] = mx; yMin[b] = vMin; yMax[b] = vMax; last[b] = e - 1; yLast[b] = ys[e - 1 - yFrom];
      i = e;
    }
    this.count = b + 1;
    this.processed = n;
  }

  /** Doubles the bucket width: bucket k becomes the union of buckets 2k and 2k+1 (exact: floor(floor(q)/2) = floor(q/2)). */
  private coarsen(): void {
    const { first, last, iMin, iMax, yFirst, yLast, yMin, yMax } = this;
    let count = 0;
    for (let k = 0; 2 * k < this.count; k++) {
      const a = 2 * k, b = 2 * k + 1;
      const hasA = first[a] >= 0, hasB = b < this.count && first[b] >= 0;
      if (!hasA && !hasB) { first[k] = -1; continue; }
      count = k + 1;
      if (!hasA) {
        first[k] = first[b]; last[k] = last[b]; iMin[k] = iMin[b]; iMax[k] = iMax[b];
        yFirst[k] = yFirst[b]; yLast[k] = yLast[b]; yMin[k] = yMin[b]; yMax[k] = yMax[b];
        continue;
      }
      first[k] = first[a]; yFirst[k] = yFirst[a];
      if (hasB) { last[k] = last[b]; yLast[k] = yLast[b]; } else { last[k] = last[a]; yLast[k] = yLast[a]; }
      let mn = iMin[a], mx = iMax[a], vMin = yMin[a], vMax = yMax[a];
      if (hasB) {
        if (iMin[b] >= 0 && (mn < 0 || yMin[b] < vMin)) { mn = iMin[b]; vMin = yMin[b]; }
        if (iMax[b] >= 0 && (mx < 0 || yMax[b] > vMax)) { mx = iMax[b]; vMax = yMax[b]; }
      }
      iMin[k] = mn; iMax[k] = mx; yMin[k] = vMin; yMax[k] = vMax;
    }
    this.count = count;
    this.width *= 2;
  }

  /**
   * The drawn points of the whole series: every point (read from `ys`, all n of them) when the series has no more than
   * `maxBuckets` points or no positive x span (`folded` is 0); else each bucket's first, min, max and last point, from
   * the values the buckets kept (`ys` is not read).
   */
  resolve(xs: XValues, ys: ArrayLike<number>, n: number): Resolved {
    if (this.width === 0 || n <= this.maxBuckets) {
      const ox = new Float64Array(n), oy = new Float64Array(n);
      for (let i = 0; i < n; i++) { ox[i] = xAt(xs, i); oy[i] = ys[i]; }
      return { xs: ox, ys: oy, length: n, inRange: n, drawn: n };
    }
    const ox = new Float64Array(4 * this.count), oy = new Float64Array(4 * this.count);
    let k = 0;
    for (let b = 0; b < this.count; b++) {
      if (this.first[b] < 0) continue;
      k = emitBucket(xs, this.first[b], this.iMin[b], this.iMax[b], this.last[b], this.yFirst[b], this.yMin[b], this.yMax[b], this.yLast[b], ox, oy, k);
    }
    return { xs: ox.subarray(0, k), ys: oy.subarray(0, k), length: k, inRange: n, drawn: k };
  }
}
