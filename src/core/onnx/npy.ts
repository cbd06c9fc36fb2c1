/**
 * NumPy `.npy` files (format versions 1.0, 2.0 and 3.0, as `numpy.lib.format` writes them:
 * https://numpy.org/doc/stable/reference/generated/numpy.lib.format.html), for the parity check's inputs and
 * reference outputs written by `media/python/export_onnx.py`. C order only; little-endian or byte-order-free dtypes.
 */

/** A decoded array: numpy dtype name, shape and the data as a typed array of that dtype. */
export interface NpyArray {
  dtype: 'float32' | 'float64' | 'float16' | 'int64' | 'int32' | 'int8' | 'uint8' | 'bool';
  shape: number[];
  data: Float32Array | Float64Array | Uint16Array | BigInt64Array | Int32Array | Int8Array | Uint8Array;
}

const DESCR: Record<string, NpyArray['dtype']> = {
  '<f4': 'float32', '<f8': 'float64', '<f2': 'float16', '<i8': 'int64', '<i4': 'int32', '|i1': 'int8', '|u1': 'uint8', '|b1': 'bool',
};

/** Parses `.npy` bytes. Throws naming `what` for a bad magic, a Fortran-order array or an unsupported dtype. */
export function parseNpy(bytes: Uint8Array, what = 'npy'): NpyArray {
  const magic = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59];
  if (bytes.length < 10 || magic.some((b, i) => bytes[i] !== b)) throw new Error(`${what}: not an .npy file`);
  const major = bytes[6];
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headerLen = major === 1 ? view.getUint16(8, true) : view.getUint32(8, true);
  const headerStart = major === 1 ? 10 : 12;
  const header = new TextDecoder(major === 3 ? 'utf-8' : 'latin1').decode(bytes.subarray(headerStart, headerStart + headerLen));
  const descr = /'descr':\s*'([^']+)'/.exec(header)?.[1];
  const fortran = /'fortran_order':\s*(True|False)/.exec(header)?.[1];
  const shapeText = /'shape':\s*\(([^)]*)\)/.exec(header)?.[1];
  if (!descr || !fortran || shapeText === undefined) throw new Error(`${what}: unreadable .npy header ${JSON.stringify(header)}`);
  if (fortran === 'True') throw new Error(`${what}: Fortran-order arrays are not supported`);
  const dtype = DESCR[descr];
  if (!dtype) throw new Error(`${what}: dtype ${descr} is not supported`);
  const shape = shapeText.split(',').map((s) => s.trim()).filter((s) => s !== '').map(Number);
  const numel = shape.reduce((a, b) => a * b, 1);
  const start = headerStart + headerLen;
  const raw = new Uint8Array(bytes.length - start); // an aligned copy of its own (a Buffer's slice shares a pool)
  raw.set(bytes.subarray(start));
  const buf = raw.buffer;
  const data = dtype === 'float32' ? new Float32Array(buf, 0, numel) : dtype === 'float64' ? new Float64Array(buf, 0, numel)
    : dtype === 'float16' ? new Uint16Array(buf, 0, numel) : dtype === 'int64' ? new BigInt64Array(buf, 0, numel)
      : dtype === 'int32' ? new Int32Array(buf, 0, numel) : dtype === 'int8' ? new Int8Array(buf, 0, numel) : new Uint8Array(buf, 0, numel);
  return { dtype, shape, data };
}

/** IEEE half to number. */
export function halfToNumber(h: number): number {
  const s = h & 0x8000 ? -1 : 1;
  const e = (h >> 10) & 0x1f;
  const f = h & 0x3ff;
  if (e === 0) return s * f * 2 ** -24;
  if (e === 31) return f ? NaN : s * Infinity;
  return s * (1 + f / 1024) * 2 ** (e - 15);
}

/**
 * max |a - b| over two arrays of the same length (float16 given as raw Uint16 bits is converted). NaN or an infinite
 * difference anywhere gives NaN / Infinity, so a comparison against atol fails. Throws when the lengths differ.
 */
export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>, aIsHalf = false, bIsHalf = false): number {
  if (a.length !== b.length) throw new Error(`arrays differ in length: ${a.length} vs ${b.length}`);
  let m = 0;
  for (let i = 0; i < a.length; i++) {
    const x = aIsHalf ? halfToNumber(a[i]) : a[i];
    const y = bIsHalf ? halfToNumber(b[i]) : b[i];
    const d = Math.abs(x - y);
    if (Number.isNaN(d)) return NaN;
    if (d > m) m = d;
  }
  return m;
}
