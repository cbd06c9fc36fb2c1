/**
 * TensorBoard event files (`events.out.tfevents.*`): TFRecord framing around `tensorflow.Event` protobuf messages,
 * decoded by hand (the few messages and fields needed; no generated code).
 *
 * Framing (tensorflow/core/lib/io/record_writer.cc): `uint64 length (LE) | uint32 masked_crc32c(length bytes) |
 * data[length] | uint32 masked_crc32c(data)`, mask = `((crc >>> 15) | (crc << 17)) + 0xa282ead8`.
 * Both checksums are verified; a record with a bad data checksum is skipped, a bad length checksum makes the reader
 * search forward for the next valid header (so garbage or a torn write loses only the damaged records).
 *
 * Messages (tensorflow/core/util/event.proto, framework/summary.proto, framework/tensor.proto):
 * `Event { double wall_time = 1; int64 step = 2; string file_version = 3; Summary summary = 5; }`,
 * `Summary { repeated Value value = 1; }`,
 * `Value { string tag = 1; float simple_value = 2; TensorProto tensor = 8; SummaryMetadata metadata = 9; }`,
 * `SummaryMetadata { PluginData plugin_data = 1; }`, `PluginData { string plugin_name = 1; }`,
 * `TensorProto { DataType dtype = 1; TensorShapeProto tensor_shape = 2; bytes tensor_content = 4;
 *   repeated float float_val = 5; repeated double double_val = 6; repeated int32 int_val = 7; repeated int64 int64_val = 10;
 *   repeated int32 half_val = 13; }`.
 * Scalars come as `simple_value` (PyTorch's SummaryWriter, TF1) or as a one-element tensor under the `scalars`
 * plugin (TF2 `tf.summary.scalar`; the plugin metadata is written only with a tag's first value).
 */

const CRC_TABLE = (() => {
  const t = new Uint32Array(256);
  for (let i = 0; i < 256; i++) {
    let c = i;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0x82f63b78 : c >>> 1;
    t[i] = c >>> 0;
  }
  return t;
})();

/** CRC-32C (Castagnoli) of bytes[start, end). */
export function crc32c(bytes: Uint8Array, start = 0, end = bytes.length): number {
  let c = 0xffffffff;
  for (let i = start; i < end; i++) c = CRC_TABLE[(c ^ bytes[i]) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

/** TFRecord's masked CRC. */
export function maskedCrc32c(bytes: Uint8Array, start = 0, end = bytes.length): number {
  const c = crc32c(bytes, start, end);
  return ((((c >>> 15) | (c << 17)) >>> 0) + 0xa282ead8) >>> 0;
}

function u32(b: Uint8Array, o: number): number { return (b[o] | (b[o + 1] << 8) | (b[o + 2] << 16) | (b[o + 3] << 24)) >>> 0; }

/** True when `bytes` starts with a valid TFRecord header (length + its checksum). Needs 12 bytes. */
export function looksLikeTfRecord(bytes: Uint8Array): boolean {
  if (bytes.length < 12) return false;
  return maskedCrc32c(bytes, 0, 8) === u32(bytes, 8) && u32(bytes, 4) === 0;
}

/** One scalar read from an event file. `wallTime` in ms since the epoch. */
export interface TfScalar { tag: string; step: number; value: number; wallTime: number }

/** Minimal protobuf wire reader over a byte range. */
class Pb {
  pos: number;
  constructor(readonly b: Uint8Array, start: number, readonly end: number) { this.pos = start; }
  varint(): number {
    let result = 0, shift = 0, byte: number;
    do {
      if (this.pos >= this.end) throw new RangeError('truncated varint');
      byte = this.b[this.pos++];
      if (shift < 49) result += (byte & 0x7f) * 2 ** shift; // exact up to 2^53
      shift += 7;
    } while (byte & 0x80);
    return result;
  }
  /** Signed int64 varint (two's complement); exact within +-2^53. */
  int64(): number {
    const start = this.pos;
    const v = this.varint();
    if (this.pos - start >= 10 && this.b[this.pos - 1] === 0x01) return v - 2 ** 64;
    return v;
  }
  skip(wire: number): void {
    switch (wire) {
      case 0: this.varint(); break;
      case 1: this.pos += 8; break;
      case 2: { const n = this.varint(); this.pos += n; break; }
      case 5: this.pos += 4; break;
      default: throw new RangeError(`bad wire type ${wire}`);
    }
    if (this.pos > this.end) throw new RangeError('truncated field');
  }
  view(): DataView { return new DataView(this.b.buffer, this.b.byteOffset, this.b.byteLength); }
}

const utf8 = new TextDecoder('utf-8');

const DT_FLOAT = 1, DT_DOUBLE = 2, DT_INT32 = 3, DT_INT64 = 9, DT_BFLOAT16 = 14, DT_HALF = 19;

function halfToFloat(h: number): number {
  const s = h & 0x8000 ? -1 : 1, e = (h >> 10) & 0x1f, f = h & 0x3ff;
  if (e === 0) return s * 2 ** -14 * (f / 1024);
  if (e === 31) return f ? NaN : s * Infinity;
  return s * 2 ** (e - 15) * (1 + f / 1024);
}

/** Reads the single value of a one-element numeric TensorProto; undefined when it is not one. */
function tensorScalar(pb: Pb, end: number): number | undefined {
  let dtype = 0;
  const vals: number[] = [];
  let content: [number, number] | undefined;
  const dv = pb.view();
  while (pb.pos < end) {
    const key = pb.varint();
    const field = key >>> 3, wire = key & 7;
    if (field === 1 && wire === 0) dtype = pb.varint();
    else if (field === 4 && wire === 2) { const n = pb.varint(); content = [pb.pos, pb.pos + n]; pb.pos += n; }
    else if (field === 5 && wire === 2) { const n = pb.varint(); const e = pb.pos + n; for (; pb.pos + 4 <= e; pb.pos += 4) vals.push(dv.getFloat32(pb.pos, true)); pb.pos = e; }
    else if (field === 5 && wire === 5) { vals.push(dv.getFloat32(pb.pos, true)); pb.pos += 4; }
    else if (field === 6 && wire === 2) { const n = pb.varint(); const e = pb.pos + n; for (; pb.pos + 8 <= e; pb.pos += 8) vals.push(dv.getFloat64(pb.pos, true)); pb.pos = e; }
    else if (field === 6 && wire === 1) { vals.push(dv.getFloat64(pb.pos, true)); pb.pos += 8; }
    else if ((field === 7 || field === 10 || field === 13) && wire === 2) {
      const n = pb.varint(); const e = pb.pos + n;
      while (pb.pos < e) { const v = field === 10 ? pb.int64() : pb.varint(); vals.push(field === 13 ? halfToFloat(v) : field === 7 ? v | 0 : v); }
    } else if ((field === 7 || field === 10 || field === 13) && wire === 0) { const v = field === 10 ? pb.int64() : pb.varint(); vals.push(field === 13 ? halfToFloat(v) : field === 7 ? v | 0 : v); }
    else pb.skip(wire);
  }
  if (content) {
    const [a, b] = content;
    const n = b - a;
    if (dtype === DT_FLOAT && n === 4) return dv.getFloat32(a, true);
    if (dtype === DT_DOUBLE && n === 8) return dv.getFloat64(a, true);
    if (dtype === DT_INT32 && n === 4) return dv.getInt32(a, true);
    if (dtype === DT_INT64 && n === 8) return Number(dv.getBigInt64(a, true));
    if (dtype === DT_HALF && n === 2) return halfToFloat(dv.getUint16(a, true));
    if (dtype === DT_BFLOAT16 && n === 2) { const x = new DataView(new ArrayBuffer(4)); x.setUint16(2, dv.getUint16(a, true), false); x.setUint16(0, 0, false); return x.getFloat32(0, false); }
    return undefined;
  }
  return vals.length === 1 ? vals[0] : undefined;
}

/**
 * Streaming reader of an event file. Feed bytes with `push`; complete records are decoded at once, a partial
 * record waits for the next bytes.
 */
export class TfEventsReader {
  private buf = new Uint8Array(0);
  private len = 0;
  /** Plugin of each tag as declared by its first value's metadata. */
  private readonly plugins = new Map<string, string>();
  /** Records skipped for a bad checksum or undecodable content. */
  corruptRecords = 0;
  /** Bytes skipped while searching for a valid header after garbage. */
  skippedBytes = 0;

  constructor(private readonly onScalar: (s: TfScalar) => void, private readonly onFileVersion: (version: string) => void = () => {}) {}

  push(bytes: Uint8Array): void {
    if (this.len + bytes.length > this.buf.length) {
      const nb = new Uint8Array(Math.max(this.buf.length * 2, this.len + bytes.length, 4096));
      nb.set(this.buf.subarray(0, this.len));
      this.buf = nb;
    }
    this.buf.set(bytes, this.len);
    this.len += bytes.length;
    this.drain();
  }

  /** Bytes held that do not yet form a complete record (a torn last record at end of file). */
  get pendingBytes(): number { return this.len; }

  private drain(): void {
    const b = this.buf;
    let p = 0;
    while (this.len - p >= 12) {
      const lo = u32(b, p), hi = u32(b, p + 4);
      if (hi !== 0 || maskedCrc32c(b, p, p + 8) !== u32(b, p + 8)) { p++; this.skippedBytes++; continue; }
      const total = 12 + lo + 4;
      if (this.len - p < total) break;
      const ds = p + 12, de = ds + lo;
      if (maskedCrc32c(b, ds, de) !== u32(b, de)) this.corruptRecords++;
      else {
        try { this.decodeEvent(b, ds, de); } catch { this.corruptRecords++; }
      }
      p += total;
    }
    if (p > 0) { b.copyWithin(0, p, this.len); this.len -= p; }
  }

  private decodeEvent(b: Uint8Array, start: number, end: number): void {
    const pb = new Pb(b, start, end);
    let wallTime = 0, step = 0;
    let summary: [number, number] | undefined;
    while (pb.pos < end) {
      const key = pb.varint();
      const field = key >>> 3, wire = key & 7;
      if (field === 1 && wire === 1) { wallTime = pb.view().getFloat64(pb.pos, true); pb.pos += 8; }
      else if (field === 2 && wire === 0) step = pb.int64();
      else if (field === 3 && wire === 2) { const n = pb.varint(); this.onFileVersion(utf8.decode(b.subarray(pb.pos, pb.pos + n))); pb.pos += n; }
      else if (field === 5 && wire === 2) { const n = pb.varint(); summary = [pb.pos, pb.pos + n]; pb.pos += n; }
      else pb.skip(wire);
    }
    if (!summary) return;
    const sp = new Pb(b, summary[0], summary[1]);
    while (sp.pos < summary[1]) {
      const key = sp.varint();
      if (key >>> 3 !== 1 || (key & 7) !== 2) { sp.skip(key & 7); continue; }
      const n = sp.varint();
      const vEnd = sp.pos + n;
      this.decodeValue(b, sp.pos, vEnd, step, wallTime);
      sp.pos = vEnd;
    }
  }

  private decodeValue(b: Uint8Array, start: number, end: number, step: number, wallTime: number): void {
    const pb = new Pb(b, start, end);
    let tag = '';
    let simple: number | undefined;
    let tensor: [number, number] | undefined;
    let plugin: string | undefined;
    while (pb.pos < end) {
      const key = pb.varint();
      const field = key >>> 3, wire = key & 7;
      if (field === 1 && wire === 2) { const n = pb.varint(); tag = utf8.decode(b.subarray(pb.pos, pb.pos + n)); pb.pos += n; }
      else if (field === 2 && wire === 5) { simple = pb.view().getFloat32(pb.pos, true); pb.pos += 4; }
      else if (field === 8 && wire === 2) { const n = pb.varint(); tensor = [pb.pos, pb.pos + n]; pb.pos += n; }
      else if (field === 9 && wire === 2) {
        const n = pb.varint(); const me = pb.pos + n;
        const mp = new Pb(b, pb.pos, me);
        while (mp.pos < me) {
          const k = mp.varint();
          if (k >>> 3 === 1 && (k & 7) === 2) {
            const pn = mp.varint(); const pe = mp.pos + pn;
            const pp = new Pb(b, mp.pos, pe);
            while (pp.pos < pe) { const k2 = pp.varint(); if (k2 >>> 3 === 1 && (k2 & 7) === 2) { const sn = pp.varint(); plugin = utf8.decode(b.subarray(pp.pos, pp.pos + sn)); pp.pos += sn; } else pp.skip(k2 & 7); }
            mp.pos = pe;
          } else mp.skip(k & 7);
        }
        pb.pos = me;
      } else pb.skip(wire);
    }
    if (plugin !== undefined) this.plugins.set(tag, plugin);
    let value = simple;
    if (value === undefined && tensor) {
      const pl = this.plugins.get(tag);
      if (pl === undefined || pl === 'scalars') value = tensorScalar(new Pb(b, tensor[0], tensor[1]), tensor[1]);
    }
    if (value !== undefined && tag) this.onScalar({ tag, step, value, wallTime: wallTime * 1000 });
  }
}
