/**
 * safetensors headers by range reads (format: https://github.com/huggingface/safetensors, README "Format" and
 * `safetensors/src/tensor.rs`): an 8-byte little-endian u64 N, then N bytes of UTF-8 JSON mapping tensor names to
 * `{ dtype, shape, data_offsets: [begin, end) }` (offsets relative to the byte after the header) plus an optional
 * `__metadata__` string map, then the data. Only the first 8 + N bytes are read, whatever the file's size.
 */
import type { FileAccess, FileInfo } from '../files';
import { parseLfsPointer } from './lfs';
import { CheckpointReadError } from './types';
import type { Problem, TensorInfo } from './types';

export type { TensorInfo } from './types';

/** The safetensors library refuses headers over this (`MAX_HEADER_SIZE` in tensor.rs: 100_000_000 bytes). */
export const MAX_HEADER_SIZE = 100_000_000;

/** Bytes read speculatively with the length prefix: one SFTP read covers the header of most files (up to 255 KB). */
export const FIRST_READ_BYTES = 64 * 1024;

/**
 * Bits per element of each safetensors dtype (`Dtype::bitsize` in tensor.rs). Sub-byte types (F4, F6) pack several
 * elements per byte.
 */
export const SAFETENSORS_DTYPE_BITS: Record<string, number> = {
  BOOL: 8, U8: 8, I8: 8, F8_E5M2: 8, F8_E4M3: 8, F8_E8M0: 8, F4: 4, F6_E2M3: 6, F6_E3M2: 6,
  I16: 16, U16: 16, F16: 16, BF16: 16, I32: 32, U32: 32, F32: 32, F64: 64, I64: 64, U64: 64, C64: 64,
};

/** Number of elements of a shape (1 for a scalar `[]`). */
export function numel(shape: number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

/** Bytes a tensor of `dtype` and `shape` takes (rounded up to whole bytes); undefined for an unknown dtype. */
export function tensorBytes(dtype: string, shape: number[]): number | undefined {
  const bits = SAFETENSORS_DTYPE_BITS[dtype];
  return bits === undefined ? undefined : Math.ceil((numel(shape) * bits) / 8);
}

/** A parsed header: tensors in file order (by data offset), `__metadata__`, header length N and the file's size. */
export interface SafetensorsHeader {
  tensors: TensorInfo[];
  metadata: Record<string, string>;
  /** N: the JSON header's length in bytes (the data section starts at 8 + N). */
  headerBytes: number;
  fileSize: number;
  /** Offsets that the safetensors library would refuse (gaps, overlaps, past EOF, size vs shape); empty when sound. */
  problems: Problem[];
}

/**
 * Reads the header of the safetensors file at `path` with at most two range reads (the first 64 KiB, then the rest of
 * a larger header) and one stat, issued together.
 * Throws CheckpointReadError (message names the file) when the file is missing, is a Git LFS pointer, is shorter than
 * 8 bytes, declares a header over 100 MB (as the library does) or past the end of the file, or the header is not a
 * JSON object of tensor entries. `prefetched`: the stat and the first `FIRST_READ_BYTES` bytes when the caller has
 * them already (format sniffing), so they are not read twice. Offsets that do not fit the file are reported in `problems` (the library refuses to
 * load such a file: `InvalidOffset`, `MetadataIncompleteBuffer`, `TensorInvalidInfo`).
 */
export async function readSafetensorsHeader(files: FileAccess, path: string, prefetched?: { info: FileInfo | undefined; first: Uint8Array | Error }): Promise<SafetensorsHeader> {
  const [info, first] = prefetched ? [prefetched.info, prefetched.first] : await Promise.all([files.stat(path), files.read(path, 0, FIRST_READ_BYTES).catch((e: Error) => e)]);
  if (!info) throw new CheckpointReadError(path, 'no such file');
  if (info.isDirectory) throw new CheckpointReadError(path, 'is a folder, not a safetensors file');
  if (first instanceof Error) throw new CheckpointReadError(path, first.message);
  const fileSize = info.size;
  const lfs = parseLfsPointer(first.subarray(0, Math.min(first.length, 1024)));
  if (lfs) throw new CheckpointReadError(path, `is a Git LFS pointer (object of ${lfs.size} bytes), not the weights: run \`git lfs pull\``);
  if (fileSize < 8 || first.length < 8) throw new CheckpointReadError(path, `is ${fileSize} bytes, too short for a safetensors header (8-byte length first)`);
  const n64 = new DataView(first.buffer, first.byteOffset, 8).getBigUint64(0, true);
  if (n64 > BigInt(MAX_HEADER_SIZE)) throw new CheckpointReadError(path, `declares a ${n64} byte header, over the 100 MB the safetensors library accepts (truncated, corrupt, or not safetensors)`);
  const n = Number(n64);
  if (8 + n > fileSize) throw new CheckpointReadError(path, `declares a ${n} byte header but the file is ${fileSize} bytes (truncated download?)`);
  let headerBytes: Uint8Array;
  if (8 + n <= first.length) headerBytes = first.subarray(8, 8 + n);
  else {
    const rest = await files.read(path, first.length, 8 + n);
    headerBytes = new Uint8Array(8 + n - 8);
    headerBytes.set(first.subarray(8), 0);
    headerBytes.set(rest, first.length - 8);
    if (first.length + rest.length < 8 + n) throw new CheckpointReadError(path, 'file ended inside the header (truncated)');
  }
  const parsed = parseSafetensorsHeaderJson(path, headerBytes);
  const dataSize = fileSize - 8 - n;
  return { ...parsed, headerBytes: n, fileSize, problems: checkOffsets(path, parsed.tensors, dataSize) };
}

/** Parses the JSON header text (bytes after the length prefix). Throws CheckpointReadError naming `path`. */
export function parseSafetensorsHeaderJson(path: string, bytes: Uint8Array): { tensors: TensorInfo[]; metadata: Record<string, string> } {
  let text: string;
  try { text = new TextDecoder('utf-8', { fatal: true }).decode(bytes); } catch { throw new CheckpointReadError(path, 'header is not valid UTF-8 (not a safetensors file?)'); }
  // The library requires the header to start with '{' (HeaderStartsWithInvalidChar); trailing spaces are padding.
  if (!text.startsWith('{')) throw new CheckpointReadError(path, 'header is not a JSON object (not a safetensors file?)');
  let json: unknown;
  try { json = JSON.parse(text); } catch (e) { throw new CheckpointReadError(path, `header is not valid JSON (${(e as Error).message})`); }
  if (!json || typeof json !== 'object' || Array.isArray(json)) throw new CheckpointReadError(path, 'header is not a JSON object');
  const metadata: Record<string, string> = {};
  const tensors: TensorInfo[] = [];
  for (const [name, v] of Object.entries(json as Record<string, unknown>)) {
    if (name === '__metadata__') {
      if (v && typeof v === 'object') for (const [k, mv] of Object.entries(v as Record<string, unknown>)) metadata[k] = typeof mv === 'string' ? mv : JSON.stringify(mv);
      continue;
    }
    const e = v as { dtype?: unknown; shape?: unknown; data_offsets?: unknown };
    if (!e || typeof e !== 'object' || typeof e.dtype !== 'string' || !Array.isArray(e.shape) || !Array.isArray(e.data_offsets) || e.data_offsets.length !== 2
      || !e.shape.every((d) => Number.isSafeInteger(d) && (d as number) >= 0) || !e.data_offsets.every((d) => Number.isSafeInteger(d) && (d as number) >= 0)) {
      throw new CheckpointReadError(path, `header entry "${name}" is not {dtype, shape, data_offsets}`);
    }
    const [b, end] = e.data_offsets as [number, number];
    tensors.push({ name, dtype: e.dtype, shape: e.shape as number[], bytes: Math.max(0, end - b), dataOffsets: [b, end] });
  }
  tensors.sort((x, y) => x.dataOffsets![0] - y.dataOffsets![0] || x.dataOffsets![1] - y.dataOffsets![1]);
  return { tensors, metadata };
}

/**
 * The checks of `Metadata::validate` in safetensors' tensor.rs: tensors sorted by offset must tile the data section
 * from 0 with no gap or overlap (InvalidOffset), each `end - begin` must equal elements x dtype size
 * (TensorInvalidInfo), and the last end must equal the data section's size (MetadataIncompleteBuffer).
 */
function checkOffsets(path: string, tensors: TensorInfo[], dataSize: number): Problem[] {
  const out: Problem[] = [];
  let pos = 0;
  for (const t of tensors) {
    const [b, e] = t.dataOffsets!;
    if (e < b) out.push({ severity: 'error', file: path, message: `${t.name}: data_offsets [${b}, ${e}) end before begin` });
    else if (b !== pos) out.push({ severity: 'error', file: path, message: `${t.name}: data starts at ${b}, expected ${pos} (${b > pos ? 'gap' : 'overlap'}; the safetensors library refuses this)` });
    const want = tensorBytes(t.dtype, t.shape);
    if (want === undefined) out.push({ severity: 'warning', file: path, message: `${t.name}: unknown dtype ${t.dtype}` });
    else if (want !== e - b) out.push({ severity: 'error', file: path, message: `${t.name}: ${t.dtype} ${JSON.stringify(t.shape)} needs ${want} bytes, data_offsets give ${e - b}` });
    if (e > dataSize) out.push({ severity: 'error', file: path, message: `${t.name}: data ends at ${e}, past the end of the file's data (${dataSize} bytes; truncated?)` });
    pos = Math.max(pos, e);
  }
  if (pos < dataSize) out.push({ severity: 'warning', file: path, message: `${dataSize - pos} bytes after the last tensor (the safetensors library refuses files with trailing data)` });
  return out.slice(0, 50);
}
