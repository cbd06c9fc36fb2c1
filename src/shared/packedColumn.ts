/**
 * Compact wire form of a numeric column for the host -> webview messages (issue 12: the chart's first draw of 1M
 * points). Steps are usually logged at a fixed interval (every step, every `logging_steps`), so a column that is an
 * exact arithmetic sequence travels as three numbers instead of 8 bytes a point: nothing to copy on the host, clone in
 * postMessage, or scan for restarts in the webview. Pure and dependency-free (bundled into the webview).
 */

/** The column `first + i * stride` for i in [0, count), exactly (no rounding: every value was checked when packed). */
export interface ArithmeticColumn { first: number; stride: number; count: number }

/** A column as it travels: the values themselves, or the arithmetic sequence they are. */
export type PackedColumn = Float64Array | ArithmeticColumn;

/** Fewer points than this travel as they are (the form saves nothing on a few points). */
const MIN_PACKED = 8;

/** True for the three-number form. */
export function isArithmetic(c: PackedColumn): c is ArithmeticColumn { return !(c instanceof Float64Array); }

/**
 * The packed form of `xs`: an ArithmeticColumn when every `xs[i] === xs[0] + i * (xs[1] - xs[0])` exactly (finite,
 * at least MIN_PACKED values), else an exact-length copy (a typed array is cloned with its whole buffer).
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
  }
  return xs.slice();
}

/** Number of values in the column. */
export function columnLength(c: PackedColumn): number { return isArithmetic(c) ? c.count : c.length; }

/** The values as a Float64Array (the array itself when it travelled as one). */
export function unpackColumn(c: PackedColumn): Float64Array {
  if (!isArithmetic(c)) return c;
  const out = new Float64Array(c.count);
  for (let i = 0; i < c.count; i++) out[i] = c.first + i * c.stride;
  return out;
}

/** The value at index i (0 <= i < length). */
export function columnAt(c: PackedColumn, i: number): number { return isArithmetic(c) ? c.first + i * c.stride : c[i]; }
