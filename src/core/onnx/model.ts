/**
 * A summary of an ONNX model read without loading initializer data: inputs and outputs with shapes, opset imports,
 * producer, an op-type histogram of the main graph, initializer count and bytes, external data files.
 *
 * Format: `onnx/onnx.proto` (ModelProto, GraphProto, NodeProto, TensorProto, ValueInfoProto, TypeProto,
 * TensorShapeProto, OperatorSetIdProto; field numbers as in onnx 1.12-1.17, https://github.com/onnx/onnx/blob/main/onnx/onnx.proto).
 *
 * Memory stays bounded on a multi-GB file: ModelProto, GraphProto, NodeProto and TensorProto are walked on the wire
 * format straight from a `FileAccess` (a sliding window of CHUNK bytes), and every field not needed here (`raw_data`,
 * `float_data`, node attributes holding constant tensors, ...) is skipped by moving the read position, never read.
 * Only the small messages (ValueInfoProto, OperatorSetIdProto, bounded by SMALL_MESSAGE_LIMIT) are read whole and
 * decoded with protobufjs from the definitions in `onnxProto.ts`.
 */
import { baseName, dirName, FileNotFoundError, joinPath, type FileAccess } from '../files';
import { decodeOperatorSetId, decodeValueInfo, ONNX_DTYPES, type OnnxValueInfo } from './onnxProto';

export type { OnnxValueInfo } from './onnxProto';

/** One external data file named by initializers (`location`), whether it is there and big enough. */
export interface OnnxExternalFile {
  /** As written in the model (relative to the model's folder). */
  location: string;
  /** Initializers whose data lives in it. */
  tensors: number;
  /** Bytes those initializers take in it (sum of their `length`, or of their sizes by dims and type). */
  bytes: number;
  /** End of the furthest tensor (`offset + length`): the file must be at least this long. */
  requiredSize: number;
  /** The file's size, when it exists. */
  size?: number;
  /** `ok`, `missing`, or `short` (smaller than requiredSize), or `outside` (location leaves the model folder). */
  status: 'ok' | 'missing' | 'short' | 'outside';
}

/** What `readOnnxModel` returns. Counts are of the main graph (subgraphs of If/Loop/Scan are not walked). */
export interface OnnxModelSummary {
  path: string;
  fileSize: number;
  irVersion?: number;
  producerName?: string;
  producerVersion?: string;
  domain?: string;
  modelVersion?: number;
  graphName?: string;
  /** `{ domain, version }`, domain `''` for the default `ai.onnx` opset. */
  opsetImports: { domain: string; version: number }[];
  /** Graph inputs that are not initializers (the model's real inputs). */
  inputs: OnnxValueInfo[];
  outputs: OnnxValueInfo[];
  /** Nodes of the main graph. */
  nodeCount: number;
  /** op_type (prefixed with `domain:` outside the default domain) -> count, most frequent first. */
  opTypes: { opType: string; count: number }[];
  initializerCount: number;
  /** Bytes of initializer data: numel x element size by dims and data_type (encoded size for strings). */
  initializerBytes: number;
  /** Initializer bytes inside this file vs in external files. */
  embeddedBytes: number;
  externalBytes: number;
  externalData: OnnxExternalFile[];
  /** Keys of metadata_props. */
  metadata: Record<string, string>;
}

/** A file that is not a readable ONNX ModelProto (bad wire format, truncated, wrong message). */
export class OnnxFormatError extends Error {
  constructor(readonly path: string, detail: string) {
    super(`${path}: not a valid ONNX model (${detail})`);
    this.name = 'OnnxFormatError';
  }
}

const CHUNK = 1 << 20;
/** Largest ValueInfoProto / OperatorSetIdProto / string field read whole (a name is never near this). */
const SMALL_MESSAGE_LIMIT = 4 << 20;

/** Sliding-window reader of protobuf wire format over a FileAccess. Positions are absolute file offsets. */
class WireCursor {
  private buf: Uint8Array = new Uint8Array(0);
  private bufStart = 0;
  pos = 0;
  constructor(private readonly files: FileAccess, readonly path: string, readonly size: number) {}

  fail(detail: string): never { throw new OnnxFormatError(this.path, `${detail} at byte ${this.pos}`); }

  private async fill(n: number): Promise<void> {
    const have = this.bufStart + this.buf.length - this.pos;
    if (this.pos >= this.bufStart && have >= n) return;
    const want = Math.min(this.size, this.pos + Math.max(n, CHUNK));
    this.buf = await this.files.read(this.path, this.pos, want);
    this.bufStart = this.pos;
  }

  /** A varint (up to 2^53 exactly; larger values lose precision, which no size or count here reaches). */
  async varint(): Promise<number> {
    await this.fill(Math.min(10, this.size - this.pos));
    let result = 0;
    let mul = 1;
    for (let i = 0; i < 10; i++) {
      const at = this.pos - this.bufStart;
      if (at >= this.buf.length) this.fail('truncated varint');
      const b = this.buf[at];
      this.pos++;
      result += (b & 0x7f) * mul;
      if (b < 0x80) return result;
      mul *= 128;
    }
    this.fail('varint longer than 10 bytes');
  }

  async bytes(n: number): Promise<Uint8Array> {
    if (this.pos + n > this.size) this.fail(`field of ${n} bytes runs past the end of the file`);
    await this.fill(n);
    const at = this.pos - this.bufStart;
    this.pos += n;
    return this.buf.slice(at, at + n);
  }

  /** Skips the value of a field of `wireType` (the tag already read), never reading a length-delimited body. */
  async skip(wireType: number): Promise<void> {
    switch (wireType) {
      case 0: await this.varint(); return;
      case 1: this.pos += 8; break;
      case 2: { const n = await this.varint(); this.pos += n; break; } // not `pos += await`: that reads pos before the await
      case 5: this.pos += 4; break;
      default: this.fail(`wire type ${wireType} (groups are not used by onnx.proto)`);
    }
    if (this.pos > this.size) this.fail('field runs past the end of the file');
  }

  /** Calls `onField(fieldNumber, wireType)` for each field until `end`; the callback consumes the value. */
  async fields(end: number, onField: (field: number, wireType: number) => Promise<void>): Promise<void> {
    while (this.pos < end) {
      const tag = await this.varint();
      const field = Math.floor(tag / 8);
      const wt = tag & 7;
      if (field === 0) this.fail('field number 0');
      await onField(field, wt);
    }
    if (this.pos !== end) this.fail(`message overruns its length (ends at ${end})`);
  }

  /** The length prefix of a length-delimited field; returns the absolute end of its body. */
  async lengthEnd(wireType: number): Promise<number> {
    if (wireType !== 2) this.fail(`expected a length-delimited field, got wire type ${wireType}`);
    const len = await this.varint();
    const end = this.pos + len;
    if (end > this.size) this.fail(`field of ${len} bytes runs past the end of the file`);
    return end;
  }

  async string(wireType: number): Promise<string> {
    const end = await this.lengthEnd(wireType);
    if (end - this.pos > SMALL_MESSAGE_LIMIT) { this.pos = end; return ''; }
    return new TextDecoder().decode(await this.bytes(end - this.pos));
  }

  async small(wireType: number): Promise<Uint8Array> {
    const end = await this.lengthEnd(wireType);
    if (end - this.pos > SMALL_MESSAGE_LIMIT) this.fail(`message of ${end - this.pos} bytes where a small one was expected`);
    return this.bytes(end - this.pos);
  }
}

interface InitializerScan { name: string; dims: number[]; dataType: number; encodedBytes: number; external?: Record<string, string> }

async function readTensorHeader(c: WireCursor, end: number): Promise<InitializerScan> {
  const t: InitializerScan = { name: '', dims: [], dataType: 0, encodedBytes: 0 };
  let location = 0;
  const ext: Record<string, string> = {};
  await c.fields(end, async (f, wt) => {
    if (f === 1 && wt === 0) t.dims.push(await c.varint());
    else if (f === 1 && wt === 2) { const e = await c.lengthEnd(wt); while (c.pos < e) t.dims.push(await c.varint()); }
    else if (f === 2 && wt === 0) t.dataType = await c.varint();
    else if (f === 8) t.name = await c.string(wt);
    else if (f === 14 && wt === 0) location = await c.varint();
    else if (f === 13) {
      const e = await c.lengthEnd(wt);
      let key = ''; let value = '';
      await c.fields(e, async (g, w) => { if (g === 1) key = await c.string(w); else if (g === 2) value = await c.string(w); else await c.skip(w); });
      ext[key] = value;
    } else if ([4, 5, 6, 7, 9, 10, 11].includes(f) && wt === 2) {
      const e = await c.lengthEnd(wt);
      t.encodedBytes += e - c.pos;
      c.pos = e; // raw_data / *_data: skipped, never read
    } else await c.skip(wt);
  });
  if (location === 1) t.external = ext;
  return t;
}

async function readNodeOpType(c: WireCursor, end: number): Promise<string> {
  let op = ''; let domain = '';
  await c.fields(end, async (f, wt) => {
    if (f === 4) op = await c.string(wt);
    else if (f === 7) domain = await c.string(wt);
    else if (wt === 2) c.pos = await c.lengthEnd(wt); // inputs, outputs, attributes (constant tensors, subgraphs)
    else await c.skip(wt);
  });
  return domain && domain !== 'ai.onnx' ? `${domain}:${op}` : op;
}

function tensorBytes(t: InitializerScan): number {
  const size = ONNX_DTYPES[t.dataType]?.bytes;
  if (size === undefined) return t.encodedBytes;
  const numel = t.dims.reduce((a, b) => a * b, 1);
  return size === 0.5 ? Math.ceil(numel / 2) : numel * size;
}

/**
 * Reads the summary of the ONNX model at `path` (see OnnxModelSummary). Checks external data files with `stat` only.
 * Errors: FileNotFoundError when the file is missing; OnnxFormatError for anything that is not a ModelProto
 * (a truncated file, a text file, a wrong message).
 */
export async function readOnnxModel(files: FileAccess, path: string): Promise<OnnxModelSummary> {
  const info = await files.stat(path);
  if (!info) throw new FileNotFoundError(path, files.host);
  if (info.isDirectory) throw new Error(`${path} is a folder, not an ONNX file`);
  const c = new WireCursor(files, path, info.size);
  const s: OnnxModelSummary = {
    path, fileSize: info.size, opsetImports: [], inputs: [], outputs: [], nodeCount: 0, opTypes: [], initializerCount: 0,
    initializerBytes: 0, embeddedBytes: 0, externalBytes: 0, externalData: [], metadata: {},
  };
  const ops = new Map<string, number>();
  const initializerNames = new Set<string>();
  const graphInputs: OnnxValueInfo[] = [];
  const externals = new Map<string, { tensors: number; bytes: number; requiredSize: number }>();
  let sawGraph = false;
  await c.fields(info.size, async (f, wt) => {
    switch (f) {
      case 1: s.irVersion = await c.varint(); break;
      case 2: s.producerName = await c.string(wt); break;
      case 3: s.producerVersion = await c.string(wt); break;
      case 4: s.domain = await c.string(wt); break;
      case 5: s.modelVersion = await c.varint(); break;
      case 8: s.opsetImports.push(decodeOperatorSetId(await c.small(wt))); break;
      case 14: {
        const e = await c.lengthEnd(wt);
        let key = ''; let value = '';
        await c.fields(e, async (g, w) => { if (g === 1) key = await c.string(w); else if (g === 2) value = await c.string(w); else await c.skip(w); });
        s.metadata[key] = value;
        break;
      }
      case 7: {
        sawGraph = true;
        const gEnd = await c.lengthEnd(wt);
        await c.fields(gEnd, async (g, w) => {
          if (g === 1) {
            const op = await readNodeOpType(c, await c.lengthEnd(w));
            s.nodeCount++;
            ops.set(op, (ops.get(op) ?? 0) + 1);
          } else if (g === 2) s.graphName = await c.string(w);
          else if (g === 5) {
            const t = await readTensorHeader(c, await c.lengthEnd(w));
            s.initializerCount++;
            initializerNames.add(t.name);
            const bytes = tensorBytes(t);
            s.initializerBytes += bytes;
            if (t.external) {
              const loc = t.external.location ?? '';
              const length = t.external.length !== undefined ? Number(t.external.length) : bytes;
              const offset = Number(t.external.offset ?? 0);
              const e = externals.get(loc) ?? { tensors: 0, bytes: 0, requiredSize: 0 };
              e.tensors++; e.bytes += length; e.requiredSize = Math.max(e.requiredSize, offset + length);
              externals.set(loc, e);
              s.externalBytes += length;
            } else s.embeddedBytes += bytes;
          } else if (g === 11) graphInputs.push(decodeValueInfo(await c.small(w)));
          else if (g === 12) s.outputs.push(decodeValueInfo(await c.small(w)));
          else await c.skip(w);
        });
        break;
      }
      default: await c.skip(wt);
    }
  });
  if (!sawGraph || s.irVersion === undefined) throw new OnnxFormatError(path, sawGraph ? 'no ir_version' : 'no graph');
  s.inputs = graphInputs.filter((i) => !initializerNames.has(i.name));
  s.opTypes = [...ops].map(([opType, count]) => ({ opType, count })).sort((a, b) => b.count - a.count || a.opType.localeCompare(b.opType));
  const folder = dirName(path);
  for (const [location, e] of externals) {
    const normalized = joinPath(folder, location);
    const outside = location.startsWith('/') || !normalized.startsWith(folder === '/' ? '/' : `${folder}/`);
    const st = outside ? undefined : await files.stat(normalized);
    s.externalData.push({
      location, ...e, ...(st ? { size: st.size } : {}),
      status: outside ? 'outside' : !st || st.isDirectory ? 'missing' : st.size < e.requiredSize ? 'short' : 'ok',
    });
  }
  return s;
}

/** Whether every external data file of the model is present and long enough. */
export function externalDataComplete(s: OnnxModelSummary): boolean {
  return s.externalData.every((e) => e.status === 'ok');
}

/** `name [batch, sequence, 57] float32`. */
export function formatValueInfo(v: OnnxValueInfo): string {
  return `${v.name} [${v.shape.map((d) => (d === null ? '?' : String(d))).join(', ')}] ${v.dtype}`;
}

/** The file name of the model, for titles. */
export function onnxTitle(s: OnnxModelSummary): string {
  return baseName(s.path);
}
