/**
 * Record the file reads a loader makes, and replay them elsewhere: the inspector loads a tokenizer once through
 * FileAccess (local, or over SSH through a Runner), and its encode worker (a Node worker thread, which has no SSH
 * connection) loads the same tokenizer from the recorded answers. The snapshot is structured-clonable; its bytes are
 * ArrayBuffers a `postMessage` can transfer.
 */
import type { FileAccess, FileInfo } from '../files';

/** Every answer a FileAccess gave, keyed by the call. Bytes are copies (the recorder never shares the caller's). */
export interface FileSnapshot {
  host: string;
  reads: { path: string; start: number; end: number; bytes: Uint8Array }[];
  stats: { path: string; info: FileInfo | undefined }[];
  lists: { path: string; names: string[] }[];
}

/** Wraps `inner`: answers as it does and records each answer; `snapshot()` returns what was recorded so far. */
export function recordingFileAccess(inner: FileAccess): { files: FileAccess; snapshot(): FileSnapshot } {
  const snap: FileSnapshot = { host: inner.host, reads: [], stats: [], lists: [] };
  const files: FileAccess = {
    host: inner.host,
    async read(path, start, end) { const bytes = await inner.read(path, start, end); snap.reads.push({ path, start, end, bytes: bytes.slice() }); return bytes; },
    async stat(path) { const info = await inner.stat(path); snap.stats.push({ path, info: info && { ...info } }); return info; },
    async list(path) { const names = await inner.list(path); snap.lists.push({ path, names: [...names] }); return names; },
  };
  return { files, snapshot: () => snap };
}

/**
 * A FileAccess that answers from a snapshot: the same call gets the recorded answer; a call that was not recorded
 * rejects with an Error naming the path (the loader then fails as it would on an unreadable file).
 */
export function replayFileAccess(snap: FileSnapshot): FileAccess {
  const reads = new Map(snap.reads.map((r) => [`${r.path}\0${r.start}\0${r.end}`, r.bytes]));
  const stats = new Map(snap.stats.map((s) => [s.path, s.info]));
  const lists = new Map(snap.lists.map((l) => [l.path, l.names]));
  const missing = (what: string, path: string): Error => new Error(`${path}: not in the recorded files (${what})`);
  return {
    host: snap.host,
    async read(path, start, end) { const b = reads.get(`${path}\0${start}\0${end}`); if (!b) throw missing(`read ${start}-${end}`, path); return b.slice(); },
    async stat(path) { if (!stats.has(path)) throw missing('stat', path); const i = stats.get(path); return i && { ...i }; },
    async list(path) { const l = lists.get(path); if (!l) throw missing('list', path); return [...l]; },
  };
}

/** The ArrayBuffers of a snapshot's bytes, for `postMessage`'s transfer list (the snapshot's bytes are then gone). */
export function snapshotBuffers(snap: FileSnapshot): ArrayBuffer[] {
  return snap.reads.map((r) => r.bytes.buffer as ArrayBuffer);
}
