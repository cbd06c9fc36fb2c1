/**
 * Compact wire form of a numeric column for the host -> webview messages (issue 12: the chart's first draw of 1M
 * points). Steps are usually logged at a fixed interval (every step, every `logging_steps`), so a column that is an
 * exact arithmetic sequence travels as three numbers instead of 8 bytes a point: nothing to copy on the host, clone in
 * postMessage, or scan for restarts in the webview. Wall times in whole milliseconds (what logs print, what Date.now()
 * gives) travel as 4-byte offsets from the first. Both forms are lossless: a column that fits neither travels as it is.
 * Pure and dependency-free (bundled into the webview).
 */

/** The column `first + i * stride` for i in [0, count), exactly (no rounding: every value was checked when packed). */
export interface ArithmeticColumn { first: number; stride: number; count: number }

/**
 * Whole numbers within 2^31 - 1 of `base`: value i is `base + offsets[i]`, or NaN where `offsets[i]` is OFFSET_NAN
 * (points without a time).
 */
export interface OffsetColumn { base: number; offsets: Int32Array }

/** The offset that stands for NaN in an OffsetColumn. */
export const OFFSET_NAN = -0x80000000;

/** A column as it travels: the values themselves, the arithmetic sequence they are, or whole-number offsets. */
export type PackedColumn = Float64Array | ArithmeticColumn | OffsetColumn;

/** Fewer points than this travel as they are (the form saves nothing on a few points). */
const MIN_PACKED = 8;

/** True for the three-number form. */
export function isArithmetic(c: PackedColumn): c is ArithmeticColumn { return !(c instanceof Float64Array) && 'stride' in c; }

/** True for the offsets form. */
export function isOffsets(c: PackedColumn): c is OffsetColumn { return !(c instanceof Float64Array) && 'offsets' in c; }

/**
 * The packed form of `xs` (at least MIN_PACKED values): an ArithmeticColumn when every `xs[i] === xs[0] + i * (xs[1] -
 * xs[0])` exactly (finite); else an OffsetColumn when every value is NaN or a whole number less than 2^31 - 1 away from
 * the first finite one (and not all are NaN); else an exact-length copy (a typed array is cloned with its whole buffer).
 */
export function packColumn(xs: Float64Array): PackedColumn {
  const n = xs.length;
  if (n >= MIN_PACKED) {
    const first = xs[0], stride = xs[1] - first;
    if (Number.isFinite(first) && Number.isFinite(stride)) {
      let i = 2;
      while (i < n && xs[i] === first + i * stride) i++;
      if (i === n) return { first, stride, count: n };
    }
    const offsets = offsetsOf(xs);
    if (offsets) return offsets;
  }
  return xs.slice();
}

function offsetsOf(xs: Float64Array): OffsetColumn | undefined {
  const n = xs.length;
  let base = NaN;
  for (let i = 0; i < n; i++) if (xs[i] === xs[i]) { base = xs[i]; break; }
  if (!Number.isInteger(base)) return undefined;
  const offsets = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const v = xs[i];
    if (v !== v) { offsets[i] = OFFSET_NAN; continue; }
    const d = v - base;
    if (!Number.isInteger(d) || d <= OFFSET_NAN || d > 0x7fffffff || base + d !== v) return undefined;
    offsets[i] = d;
  }
  return { base, offsets };
}

/** Number of values in the column. */
export function columnLength(c: PackedColumn): number { return isArithmetic(c) ? c.count : isOffsets(c) ? c.offsets.length : c.length; }

/** The values as a Float64Array (the array itself when it travelled as one). */
export function unpackColumn(c: PackedColumn): Float64Array {
  if (isOffsets(c)) {
    const { base, offsets } = c, out = new Float64Array(offsets.length);
    for (let i = 0; i < offsets.length; i++) { const o = offsets[i]; out[i] = o === OFFSET_NAN ? NaN : base + o; }
    return out;
  }
  if (!isArithmetic(c)) return c;
  const out = new Float64Array(c.count);
  for (let i = 0; i < c.count; i++) out[i] = c.first + i * c.stride;
  return out;
}

/** The value at index i (0 <= i < length). */
export function columnAt(c: PackedColumn, i: number): number {
  if (isArithmetic(c)) return c.first + i * c.stride;
  if (isOffsets(c)) return c.offsets[i] === OFFSET_NAN ? NaN : c.base + c.offsets[i];
  return c[i];
}
