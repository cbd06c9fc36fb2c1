/**
 * The one seam through which every reader in `src/core` sees files, local or remote (hexeditor's `FileAccessor`
 * pattern). Readers take a `FileAccess` and read byte ranges, so a checkpoint header, a tokenizer file or a dataset
 * is read the same way on this machine and on an SSH host (range reads over the connection), with no second code
 * path. Paths are POSIX paths on the machine the FileAccess reads from (`/home/u/run/checkpoint-10/model.safetensors`).
 *
 * Implementations: `localFileAccess()` (node:fs) and `runnerFileAccess(runner)` (any `Runner`: local or SSH) in
 * `src/remote/files.ts`; `memoryFileAccess(files)` here, for tests and for bytes already in memory.
 */
import { formatBytes } from '../shared/format';

export { formatBytes };

/** What `stat` tells: size in bytes, modification time in ms since the epoch, and whether it is a folder. */
/**
 * What `stat` says of a path: size in bytes, modification time (ms since the epoch), whether it is a folder, and
 * `special` when it is neither a regular file nor a folder (a FIFO, a device, a socket: its size says nothing of
 * what reading it gives).
 */
export interface FileInfo { size: number; mtimeMs: number; isDirectory: boolean; special?: boolean }

/** Async byte-range access to files on one machine. Every method rejects with an Error naming the path on failure. */
export interface FileAccess {
  /** Where the files are, for messages and keys: `local`, or the SSH host alias. */
  readonly host: string;
  /** Bytes [start, end) of a file; `end` beyond the end of the file is clipped (so a short result means EOF). */
  read(path: string, start: number, end: number): Promise<Uint8Array>;
  /** Size, mtime and kind; `undefined` when nothing is at `path`. */
  stat(path: string): Promise<FileInfo | undefined>;
  /** Names (not paths) of a folder's entries, sorted; `[]` when nothing is at `path`; rejects when it cannot be read. */
  list(path: string): Promise<string[]>;
}

/** Raised when a whole-file read would exceed its cap (a 500 MB `tokenizer.json`, a 2 GB single-line JSON). */
export class FileTooLargeError extends Error {
  constructor(readonly path: string, readonly size: number, readonly limit: number) {
    super(`${path} is ${formatBytes(size)}, over the ${formatBytes(limit)} this reader accepts`);
    this.name = 'FileTooLargeError';
  }
}

/** Raised when a file that must exist does not. */
export class FileNotFoundError extends Error {
  constructor(readonly path: string, readonly host = 'local') {
    super(host === 'local' ? `no such file: ${path}` : `no such file on ${host}: ${path}`);
    this.name = 'FileNotFoundError';
  }
}

/** Default cap of `readAll` / `readText`: 256 MiB. */
export const DEFAULT_READ_LIMIT = 256 * 1024 * 1024;

/**
 * The whole file, refusing files over `limit` bytes before reading any data (FileTooLargeError), and a missing
 * file with FileNotFoundError. Reads in pieces of at most 16 MiB so a remote read never holds one huge buffer twice.
 */
export async function readAll(files: FileAccess, path: string, limit = DEFAULT_READ_LIMIT): Promise<Uint8Array> {
  const info = await files.stat(path);
  if (!info) throw new FileNotFoundError(path, files.host);
  if (info.isDirectory) throw new Error(`${path} is a folder, not a file`);
  if (info.size > limit) throw new FileTooLargeError(path, info.size, limit);
  const piece = 16 * 1024 * 1024;
  if (info.size <= piece) return files.read(path, 0, info.size);
  const out = new Uint8Array(info.size);
  let pos = 0;
  while (pos < info.size) {
    const chunk = await files.read(path, pos, Math.min(info.size, pos + piece));
    if (chunk.length === 0) break;
    out.set(chunk, pos);
    pos += chunk.length;
  }
  return pos === info.size ? out : out.subarray(0, pos);
}

/** `readAll` decoded as UTF-8 (a leading BOM dropped; invalid sequences become U+FFFD). */
export async function readText(files: FileAccess, path: string, limit = DEFAULT_READ_LIMIT): Promise<string> {
  return decodeUtf8(await readAll(files, path, limit));
}

/** UTF-8 text of bytes, BOM dropped. */
export function decodeUtf8(bytes: Uint8Array): string {
  return new TextDecoder('utf-8', { ignoreBOM: false }).decode(bytes);
}

/** `readText` when the file exists, `undefined` when it does not (other errors still reject). */
export async function readTextIfExists(files: FileAccess, path: string, limit = DEFAULT_READ_LIMIT): Promise<string | undefined> {
  const info = await files.stat(path);
  if (!info || info.isDirectory) return undefined;
  return readText(files, path, limit);
}

/**
 * Reads a file front to back in chunks of `chunkSize` bytes (default 4 MiB), for streaming readers (datasets, logs):
 * memory stays bounded by one chunk. Stops early when `signal` aborts (rejects with its reason).
 */
export async function* readChunks(files: FileAccess, path: string, opts: { chunkSize?: number; start?: number; signal?: AbortSignal } = {}): AsyncGenerator<Uint8Array> {
  const info = await files.stat(path);
  if (!info) throw new FileNotFoundError(path, files.host);
  const size = opts.chunkSize ?? 4 * 1024 * 1024;
  let pos = opts.start ?? 0;
  while (pos < info.size) {
    opts.signal?.throwIfAborted();
    const chunk = await files.read(path, pos, Math.min(info.size, pos + size));
    if (chunk.length === 0) return;
    pos += chunk.length;
    yield chunk;
  }
}

/** POSIX path join (the paths a FileAccess takes are POSIX on every host). */
export function joinPath(...parts: string[]): string {
  const joined = parts.filter((p) => p.length > 0).join('/');
  return normalizePath(joined);
}

/** Collapses `//`, `/./` and `dir/..`; keeps a leading `/`; never climbs above the root of an absolute path. */
export function normalizePath(path: string): string {
  const abs = path.startsWith('/');
  const out: string[] = [];
  for (const seg of path.split('/')) {
    if (seg === '' || seg === '.') continue;
    if (seg === '..') { if (out.length && out[out.length - 1] !== '..') out.pop(); else if (!abs) out.push('..'); continue; }
    out.push(seg);
  }
  const s = out.join('/');
  return abs ? `/${s}` : (s || '.');
}

/** Folder part of a POSIX path (`/a/b/c.json` -> `/a/b`). */
export function dirName(path: string): string {
  const i = path.replace(/\/+$/, '').lastIndexOf('/');
  if (i < 0) return '.';
  return i === 0 ? '/' : path.slice(0, i);
}

/** Last segment of a POSIX path (`/a/b/c.json` -> `c.json`). */
export function baseName(path: string): string {
  const trimmed = path.replace(/\/+$/, '');
  return trimmed.slice(trimmed.lastIndexOf('/') + 1);
}

/**
 * A FileAccess over files held in memory (`{ '/m/config.json': '{...}' }`); folders are implied by the paths.
 * For unit tests of readers and for content the caller already has.
 */
export function memoryFileAccess(files: Record<string, string | Uint8Array>, host = 'memory'): FileAccess {
  const enc = new TextEncoder();
  const data = new Map<string, Uint8Array>();
  for (const [p, v] of Object.entries(files)) data.set(normalizePath(p), typeof v === 'string' ? enc.encode(v) : v);
  const isDir = (p: string): boolean => { const pre = p === '/' ? '/' : `${p}/`; for (const k of data.keys()) if (k.startsWith(pre)) return true; return false; };
  return {
    host,
    async read(path, start, end) {
      const d = data.get(normalizePath(path));
      if (!d) throw new FileNotFoundError(path, host);
      return d.slice(Math.max(0, start), Math.max(start, Math.min(end, d.length)));
    },
    async stat(path) {
      const p = normalizePath(path);
      const d = data.get(p);
      if (d) return { size: d.length, mtimeMs: 0, isDirectory: false };
      return isDir(p) ? { size: 0, mtimeMs: 0, isDirectory: true } : undefined;
    },
    async list(path) {
      const p = normalizePath(path);
      if (!isDir(p)) return [];
      const pre = p === '/' ? '/' : `${p}/`;
      const names = new Set<string>();
      for (const k of data.keys()) if (k.startsWith(pre)) names.add(k.slice(pre.length).split('/')[0]);
      return [...names].sort();
    },
  };
}
