/**
 * GGUF headers (spec: https://github.com/ggml-org/ggml/blob/master/docs/gguf.md) through `@huggingface/gguf`.
 * The library reads a URL in 2 MB range requests through a `fetch` it accepts as a parameter; we hand it a fetch that
 * answers those Range requests from our `FileAccess`, so local and SSH files are read the same way and only the
 * header chunks are read (the library's own local-file path, `allowLocalFile`, would bypass the seam).
 */
import type { gguf } from '@huggingface/gguf' with { 'resolution-mode': 'import' };
import { hfGguf } from '../vendor';
import type { FileAccess } from '../files';
import { parseLfsPointer } from './lfs';
import { CheckpointReadError } from './types';
import type { TensorInfo } from './types';

/** Whether the first bytes are the GGUF magic `GGUF`. */
export function isGguf(head: Uint8Array): boolean {
  return head.length >= 4 && head[0] === 0x47 && head[1] === 0x47 && head[2] === 0x55 && head[3] === 0x46;
}

/** A parsed GGUF header: tensors (dtype = GGML type name, bytes from the offsets), key/values as text. */
export interface GgufHeader { tensors: TensorInfo[]; metadata: Record<string, string>; architecture?: string; version: number; fileSize: number }

/** Arrays longer than this (token lists) are summarised in metadata instead of printed. */
const MAX_ARRAY_SHOWN = 16;

function show(v: unknown): string {
  if (Array.isArray(v)) return v.length > MAX_ARRAY_SHOWN ? `[${v.length} items: ${v.slice(0, 4).map(show).join(', ')}, ...]` : `[${v.map(show).join(', ')}]`;
  if (typeof v === 'bigint') return v.toString();
  return typeof v === 'string' ? v : JSON.stringify(v);
}

/**
 * Reads the GGUF header at `path`. Tensor bytes are the distance to the next tensor's offset (or to the end of the
 * file for the last), so they include alignment padding (< `general.alignment`, 32 by default).
 * Throws CheckpointReadError naming the file for a missing file, an LFS pointer, a bad magic or a corrupt header.
 */
export async function readGgufHeader(files: FileAccess, path: string): Promise<GgufHeader> {
  const info = await files.stat(path);
  if (!info) throw new CheckpointReadError(path, 'no such file');
  const head = await files.read(path, 0, 1024);
  const lfs = parseLfsPointer(head);
  if (lfs) throw new CheckpointReadError(path, `is a Git LFS pointer (object of ${lfs.size} bytes), not the weights: run \`git lfs pull\``);
  if (!isGguf(head)) throw new CheckpointReadError(path, 'is not a GGUF file (no GGUF magic)');
  const size = info.size;
  const rangeFetch = (async (_input: unknown, init?: { headers?: Record<string, string> }) => {
    const m = /bytes=(\d+)-(\d+)/.exec(init?.headers?.Range ?? '');
    const start = m ? Number(m[1]) : 0;
    const end = m ? Math.min(size, Number(m[2]) + 1) : size;
    const bytes = start < size ? await files.read(path, start, end) : new Uint8Array(0);
    return new Response(bytes as unknown as BodyInit, { status: 206, headers: { 'content-range': `bytes ${start}-${start + Math.max(0, bytes.length - 1)}/${size}` } });
  }) as unknown as typeof fetch;
  let parsed: Awaited<ReturnType<typeof gguf>>;
  try {
    parsed = await hfGguf().gguf(`https://llmtrain.invalid/${encodeURIComponent(path)}`, { fetch: rangeFetch });
  } catch (e) {
    throw new CheckpointReadError(path, `GGUF header: ${(e as Error).message}`);
  }
  const dataStart = Number(parsed.tensorDataOffset);
  const order = parsed.tensorInfos.map((t, i) => ({ i, off: Number(t.offset) })).sort((a, b) => a.off - b.off);
  const bytesOf = new Map<number, number>();
  order.forEach((o, k) => bytesOf.set(o.i, (k + 1 < order.length ? order[k + 1].off : size - dataStart) - o.off));
  const tensors: TensorInfo[] = parsed.tensorInfos.map((t, i) => ({
    name: t.name,
    dtype: hfGguf().GGMLQuantizationType[t.dtype] ?? `GGML_TYPE_${t.dtype}`,
    // GGUF lists dimensions fastest-first (ne[0] = columns); reverse to the row-major order torch and safetensors use.
    shape: t.shape.map((d) => Number(d)).reverse(),
    bytes: Math.max(0, bytesOf.get(i) ?? 0),
  }));
  const metadata: Record<string, string> = {};
  for (const [k, v] of Object.entries(parsed.metadata)) metadata[k] = show(v);
  const arch = parsed.metadata['general.architecture'];
  return { tensors, metadata, architecture: typeof arch === 'string' ? arch : undefined, version: Number(parsed.metadata.version), fileSize: size };
}
