/**
 * PyTorch checkpoints written by `torch.save` (torch/serialization.py): since 1.6 a stored zip with
 * `<archive>/data.pkl` (the object graph, tensors as persistent ids), `<archive>/data/<key>` (one member per storage),
 * `<archive>/version` and `<archive>/byteorder`. Only the zip directory and data.pkl are read; storages never are.
 * Files from before 1.6 (a pickle stream starting with the magic number 0x1950a86a20f9469cfc6c) are named as legacy.
 */
import type { FileAccess } from '../files';
import { parseLfsPointer } from './lfs';
import { isTensorRef, PickleError, PickleGlobal, PickleObject, readPickle } from './pickle';
import type { TorchTensorRef } from './pickle';
import { numel, SAFETENSORS_DTYPE_BITS } from './safetensors';
import { CheckpointReadError } from './types';
import type { Problem, TensorInfo } from './types';
import { hostileZipName, isZip, readZipDirectory, readZipEntry } from './zip';

/** data.pkl over this is refused (a state dict's pickle is ~100 bytes per tensor). */
export const MAX_PICKLE_BYTES = 256 * 1024 * 1024;

/** What a torch zip holds: tensors found by walking the object graph, shared storages, and the top-level value. */
export interface TorchZipContents {
  tensors: TensorInfo[];
  /** Pairs of tensors that are views of one storage (tied weights saved once). */
  tied: [string, string][];
  /** The unpickled top-level object (Maps for dicts, inert PickleObjects for other classes). */
  root: unknown;
  /** Keys of the top-level dict, when it is one. */
  topKeys: string[];
  fileSize: number;
  problems: Problem[];
  /** Archive member names (sanitised: hostile ones reported in problems, not listed). */
  members: number;
}

/** How a torch file starts: zip (>= 1.6), a legacy pickle stream, an LFS pointer, or something else. */
export function sniffTorch(head: Uint8Array): 'zip' | 'legacy' | 'lfs' | 'unknown' {
  if (isZip(head)) return 'zip';
  if (parseLfsPointer(head)) return 'lfs';
  // Legacy: protocol-2 pickle whose first object is LONG1 of the magic number 0x1950a86a20f9469cfc6c.
  if (head[0] === 0x80 && head[1] === 0x02 && head[2] === 0x8a && head[3] === 0x0a && head[4] === 0x6c && head[5] === 0xfc && head[6] === 0x9c) return 'legacy';
  return 'unknown';
}

/**
 * Reads the tensors of a torch zip at `path` from its data.pkl. Throws CheckpointReadError (naming the file) for a
 * missing file, an LFS pointer, a legacy or non-zip file, a zip without data.pkl, or a pickle we cannot parse.
 */
export async function readTorchZip(files: FileAccess, path: string): Promise<TorchZipContents> {
  const info = await files.stat(path);
  if (!info) throw new CheckpointReadError(path, 'no such file');
  if (info.isDirectory) throw new CheckpointReadError(path, 'is a folder, not a file');
  const head = await files.read(path, 0, 1024);
  const kind = sniffTorch(head);
  if (kind === 'lfs') throw new CheckpointReadError(path, `is a Git LFS pointer (object of ${parseLfsPointer(head)!.size} bytes), not the weights: run \`git lfs pull\``);
  if (kind === 'legacy') throw new CheckpointReadError(path, 'is a legacy PyTorch file (torch.save before 1.6, not a zip): its header cannot be read without unpickling; re-save it with a current torch or convert it to safetensors');
  if (kind !== 'zip') throw new CheckpointReadError(path, head.length < 4 ? 'is too short to be a PyTorch file (truncated?)' : 'is not a PyTorch zip file (no PK header)');
  const entries = await readZipDirectory(files, path, info.size);
  const problems: Problem[] = [];
  const safe = entries.filter((e) => {
    const why = hostileZipName(e.name);
    if (why) problems.push({ severity: 'error', file: path, message: `zip member with a hostile name (${why}): ${JSON.stringify(e.name.slice(0, 200))}; this file was crafted, do not torch.load it` });
    return !why;
  });
  const pkl = safe.find((e) => /^[^/]+\/data\.pkl$/.test(e.name));
  if (!pkl) throw new CheckpointReadError(path, 'zip has no <archive>/data.pkl: not a torch.save file');
  const prefix = pkl.name.slice(0, -'data.pkl'.length);
  const storageSizes = new Map<string, number>();
  for (const e of safe) if (e.name.startsWith(`${prefix}data/`)) storageSizes.set(e.name.slice(prefix.length + 5), e.size);
  const bytes = await readZipEntry(files, path, pkl, info.size, MAX_PICKLE_BYTES);
  let root: unknown;
  try { root = readPickle(bytes); } catch (e) {
    throw new CheckpointReadError(path, `data.pkl: ${e instanceof PickleError ? e.message : String(e)}`);
  }
  const found: { name: string; t: TorchTensorRef }[] = [];
  walk(root, '', found, 0);
  const tensors: TensorInfo[] = [];
  const byStorage = new Map<string, string[]>();
  for (const { name, t } of found) {
    const bits = SAFETENSORS_DTYPE_BITS[t.storage.dtype] ?? (t.storage.dtype === 'C128' ? 128 : 8);
    const n = numel(t.shape);
    tensors.push({ name, dtype: t.storage.dtype, shape: t.shape, bytes: Math.ceil((n * bits) / 8) });
    const list = byStorage.get(t.storage.key) ?? [];
    list.push(name);
    byStorage.set(t.storage.key, list);
    const size = storageSizes.get(t.storage.key);
    if (size === undefined) problems.push({ severity: 'error', file: path, message: `${name}: storage data/${t.storage.key} is missing from the zip` });
    else if (n > 0 && (t.offset + n) * bits / 8 > size) problems.push({ severity: 'error', file: path, message: `${name}: needs ${Math.ceil(((t.offset + n) * bits) / 8)} bytes of storage data/${t.storage.key}, which has ${size}` });
  }
  const tied: [string, string][] = [];
  for (const names of byStorage.values()) for (let i = 1; i < names.length; i++) tied.push([names[0], names[i]]);
  const topKeys = root instanceof Map ? [...root.keys()].map(String) : [];
  return { tensors, tied, root, topKeys, fileSize: info.size, problems, members: safe.length };
}

/** Collects tensors under dotted names (`model.layers.0.weight`); dict keys and list indexes join with dots. */
function walk(x: unknown, name: string, out: { name: string; t: TorchTensorRef }[], depth: number): void {
  if (depth > 12 || out.length > 1_000_000) return;
  const join = (k: unknown): string => (name ? `${name}.${String(k)}` : String(k));
  if (isTensorRef(x)) { out.push({ name: name || '(root)', t: x }); return; }
  if (x instanceof Map) { for (const [k, v] of x) walk(v, join(k), out, depth + 1); return; }
  if (Array.isArray(x)) { x.forEach((v, i) => walk(v, join(i), out, depth + 1)); return; }
  if (x instanceof PickleObject && x.state instanceof Map) walk(x.state, name, out, depth + 1);
}

/** Converts an unpickled value to plain JSON (Maps to objects, globals to their names), for ds_config and metadata. */
export function toJson(x: unknown, depth = 0): unknown {
  if (depth > 20) return '...';
  if (x instanceof Map) { const o: Record<string, unknown> = {}; for (const [k, v] of x) o[String(k)] = toJson(v, depth + 1); return o; }
  if (Array.isArray(x)) return x.slice(0, 1000).map((v) => toJson(v, depth + 1));
  if (x instanceof Set) return [...x].slice(0, 1000).map((v) => toJson(v, depth + 1));
  if (x instanceof PickleGlobal) return x.full;
  if (x instanceof PickleObject) return { __object__: x.callable instanceof PickleGlobal ? x.callable.full : 'object', state: toJson(x.state, depth + 1) };
  if (isTensorRef(x)) return { __tensor__: x.storage.dtype, shape: x.shape };
  if (x instanceof Uint8Array) return `<${x.length} bytes>`;
  return x;
}

/** The value at `key` of a top-level dict (Map), or undefined. */
export function getKey(root: unknown, key: string): unknown {
  return root instanceof Map ? root.get(key) : undefined;
}
