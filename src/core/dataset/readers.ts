/**
 * Streaming row readers over `FileAccess` (`readChunks`): JSON Lines, JSON arrays, CSV and Parquet. Memory is
 * bounded by one chunk (4 MiB) plus the longest row, and a row longer than `maxRowBytes` is skipped and reported,
 * never buffered: a 2 GB single-line file costs `maxRowBytes` of memory and a scan, not 2 GB.
 *
 * Formats: JSON Lines (https://jsonlines.org: UTF-8, one JSON value per `\n`-terminated line, `\r\n` accepted);
 * JSON (RFC 8259) top-level array of rows, as Hugging Face `datasets`' json builder reads it when the file is not
 * JSON Lines; CSV (RFC 4180, header row, quoted fields may span lines); Parquet (Apache Parquet format spec, read
 * with `hyparquet` one row group at a time through range reads).
 *
 * Positions: JSONL and CSV rows carry their 1-based `line`, JSON-array and Parquet rows their 0-based `row`; every
 * row also carries `startLine` (1-based line where it begins) where the file is text, so an editor can jump to it.
 */
import { readChunks, formatBytes, FileNotFoundError } from '../files';
import type { FileAccess } from '../files';
import type { DatasetProblem, FileKind, RowRef } from './types';

/** One row as read: its position and value, or the reason it could not be read (`value` undefined). */
export interface RawRow { ref: RowRef & { startLine?: number }; value?: unknown; error?: { code: string; message: string } }

/** Options of every reader. */
export interface ReadOptions {
  signal?: AbortSignal;
  /** A row (line, array element, CSV record) longer than this many bytes is skipped with `row-too-long` (default 64 MiB). */
  maxRowBytes?: number;
  chunkSize?: number;
  /** Called after each chunk with the bytes consumed so far. */
  onBytes?: (bytes: number) => void;
  /** File-level findings (BOM, CRLF, encoding). */
  onProblem?: (p: DatasetProblem) => void;
}

/** A file that cannot be read as a dataset at all (binary, UTF-16, unsupported Parquet codec); the message says which and why. */
export class DatasetFileError extends Error {
  constructor(readonly path: string, readonly code: string, message: string) { super(`${path}: ${message}`); this.name = 'DatasetFileError'; }
}

export const DEFAULT_MAX_ROW_BYTES = 64 * 1024 * 1024;

/** The file kind from the extension (`.jsonl`/`.ndjson`, `.json`, `.parquet`, `.csv`/`.tsv`); undefined for anything else. */
export function fileKindOf(path: string): FileKind | undefined {
  const m = /\.([a-z0-9]+)$/i.exec(path);
  switch (m?.[1].toLowerCase()) {
    case 'jsonl': case 'ndjson': return 'jsonl';
    case 'json': return 'json';
    case 'parquet': case 'pq': return 'parquet';
    case 'csv': case 'tsv': return 'csv';
    default: return undefined;
  }
}

/** Refuses binary and UTF-16/32 content by looking at the first bytes (NUL bytes never occur in UTF-8 text datasets). */
function sniff(path: string, head: Uint8Array): void {
  if ((head[0] === 0xff && head[1] === 0xfe) || (head[0] === 0xfe && head[1] === 0xff)) throw new DatasetFileError(path, 'utf16', 'is UTF-16 text (it starts with a UTF-16 byte-order mark); training loaders read UTF-8 only. Convert it: iconv -f UTF-16 -t UTF-8');
  const n = Math.min(head.length, 8192);
  // UTF-16 without a byte-order mark: ASCII text with a NUL after (LE) or before (BE) every character.
  let nulOdd = 0, nulEven = 0;
  for (let i = 0; i < n; i++) if (head[i] === 0) { if (i & 1) nulOdd++; else nulEven++; }
  if (n >= 8 && Math.max(nulOdd, nulEven) > n / 2 * 0.9 && Math.min(nulOdd, nulEven) === 0) throw new DatasetFileError(path, 'utf16', `looks like UTF-16${nulOdd ? 'LE' : 'BE'} text without a byte-order mark (a NUL byte beside every character); training loaders read UTF-8 only. Convert it: iconv -f UTF-16${nulOdd ? 'LE' : 'BE'} -t UTF-8`);
  let ctrl = 0;
  for (let i = 0; i < n; i++) {
    const c = head[i];
    if (c === 0) throw new DatasetFileError(path, 'binary', `is binary, not UTF-8 text (NUL byte at offset ${i})${head[0] === 0x50 && head[1] === 0x41 && head[2] === 0x52 && head[3] === 0x31 ? '; it looks like Parquet: name it .parquet' : ''}`);
    if (c < 9 || (c > 13 && c < 32)) ctrl++;
  }
  if (n > 64 && ctrl / n > 0.1) throw new DatasetFileError(path, 'binary', `is binary, not UTF-8 text (${Math.round((100 * ctrl) / n)}% control bytes in the first ${n} bytes)`);
}

const BOM = [0xef, 0xbb, 0xbf];
const hasBom = (b: Uint8Array): boolean => b[0] === BOM[0] && b[1] === BOM[1] && b[2] === BOM[2];
/** The note for a JSON or JSON Lines file that starts with a UTF-8 byte-order mark (the readers skip it). */
const JSON_BOM_NOTE: DatasetProblem = { severity: 'info', code: 'bom', message: 'The file starts with a UTF-8 byte-order mark; Python\'s json reads it only with encoding="utf-8-sig" (Hugging Face datasets strips it).' };

function concat(parts: Uint8Array[], total: number): Uint8Array {
  if (parts.length === 1) return parts[0];
  const out = new Uint8Array(total);
  let o = 0;
  for (const p of parts) { out.set(p, o); o += p.length; }
  return out;
}

/** Index of the first byte that is not valid UTF-8 (for the message), or -1. */
function firstInvalidUtf8(b: Uint8Array): number {
  let i = 0;
  while (i < b.length) {
    const c = b[i];
    if (c < 0x80) { i++; continue; }
    const n = c >= 0xc2 && c <= 0xdf ? 1 : c >= 0xe0 && c <= 0xef ? 2 : c >= 0xf0 && c <= 0xf4 ? 3 : -1;
    if (n < 0) return i;
    for (let j = 1; j <= n; j++) if (i + j >= b.length || (b[i + j] & 0xc0) !== 0x80) return i;
    i += n + 1;
  }
  return -1;
}

/**
 * JSON Lines rows. Blank lines are skipped (not rows); a trailing `\r` is dropped; a line that is not valid UTF-8
 * or not valid JSON is a row with an error (`invalid-utf8`, `invalid-json`) at its 1-based line.
 */
export async function* readJsonl(files: FileAccess, path: string, opts: ReadOptions = {}): AsyncGenerator<RawRow> {
  const max = opts.maxRowBytes ?? DEFAULT_MAX_ROW_BYTES;
  const strict = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
  let line = 0, index = 0, bytes = 0, crlf = 0;
  let pending: Uint8Array[] = [], pendingLen = 0, overflow = 0, first = true;

  function* emit(buf: Uint8Array): Generator<RawRow> {
    // `buf` holds one or more complete lines, each ended by \n (the last may lack it at EOF).
    let text: string | undefined;
    try { text = strict.decode(buf); } catch { text = undefined; }
    if (text !== undefined) {
      // count('\n') + 1 lines: the caller strips the final newline.
      for (let s = 0; ;) {
        const nl = text.indexOf('\n', s);
        const e = nl < 0 ? text.length : nl;
        line++;
        let l = text.slice(s, e);
        s = e + 1;
        if (l.charCodeAt(l.length - 1) === 13) { l = l.slice(0, -1); crlf++; }
        if (l.trim() !== '') yield parseLine(l, line, index++);
        if (nl < 0) break;
      }
      return;
    }
    // Some line is not UTF-8: find which, line by line.
    for (let s = 0; ;) {
      const nl = buf.indexOf(10, s);
      const e = nl < 0 ? buf.length : nl;
      line++;
      const lb = buf.subarray(s, e);
      s = e + 1;
      let l: string | undefined;
      try { l = strict.decode(lb); } catch {
        if (lb[lb.length - 1] === 13) crlf++;
        const at = firstInvalidUtf8(lb);
        yield { ref: { index: index++, line, startLine: line }, error: { code: 'invalid-utf8', message: `not valid UTF-8${at >= 0 ? ` (byte 0x${lb[at].toString(16).padStart(2, '0')} at column ${at + 1})` : ''}: the file mixes encodings; save it as UTF-8` } };
      }
      if (l !== undefined) {
        if (l.charCodeAt(l.length - 1) === 13) { l = l.slice(0, -1); crlf++; }
        if (l.trim() !== '') yield parseLine(l, line, index++);
      }
      if (nl < 0) break;
    }
  }

  for await (let chunk of readChunks(files, path, { chunkSize: opts.chunkSize, signal: opts.signal })) {
    bytes += chunk.length;
    if (first) {
      first = false;
      if (hasBom(chunk)) { chunk = chunk.subarray(3); opts.onProblem?.({ ...JSON_BOM_NOTE }); }
      sniff(path, chunk);
    }
    let s = 0;
    while (s < chunk.length) {
      const nl = chunk.indexOf(10, s);
      if (overflow > 0) {
        // Skipping the rest of a too-long line.
        if (nl < 0) { overflow += chunk.length - s; s = chunk.length; break; }
        overflow += nl - s;
        line++;
        yield { ref: { index: index++, line, startLine: line }, error: { code: 'row-too-long', message: `line is ${formatBytes(overflow)} long, over the ${formatBytes(max)} a row may have: skipped (is this one huge JSON value instead of JSON Lines?)` } };
        overflow = 0; s = nl + 1;
        continue;
      }
      if (nl < 0) {
        const rest = chunk.subarray(s);
        if (pendingLen + rest.length > max) { overflow = pendingLen + rest.length; pending = []; pendingLen = 0; }
        else { pending.push(rest); pendingLen += rest.length; }
        break;
      }
      // Complete lines up to the last newline of the chunk, in one decode.
      const last = chunk.lastIndexOf(10);
      const firstLen = nl - s;
      if (pendingLen + firstLen > max) {
        line++;
        yield { ref: { index: index++, line, startLine: line }, error: { code: 'row-too-long', message: `line is ${formatBytes(pendingLen + firstLen)} long, over the ${formatBytes(max)} a row may have: skipped` } };
        pending = []; pendingLen = 0; s = nl + 1;
        continue;
      }
      const body = chunk.subarray(s, last + 1);
      const buf = pendingLen ? concat([...pending, body], pendingLen + body.length) : body;
      pending = []; pendingLen = 0;
      yield* emit(buf.subarray(0, buf.length - 1));
      s = last + 1;
    }
    opts.onBytes?.(bytes);
  }
  if (overflow > 0) { line++; yield { ref: { index: index++, line, startLine: line }, error: { code: 'row-too-long', message: `line is ${formatBytes(overflow)} long, over the ${formatBytes(max)} a row may have: skipped` } }; }
  else if (pendingLen) yield* emit(concat(pending, pendingLen));
  if (crlf > 0) opts.onProblem?.({ severity: 'info', code: 'crlf', message: `${crlf} line(s) end with CRLF (\\r\\n); JSON Lines readers accept it, the \\r is dropped.` });
}

function parseLine(text: string, line: number, index: number): RawRow {
  try { return { ref: { index, line, startLine: line }, value: JSON.parse(text) }; } catch (e) {
    return { ref: { index, line, startLine: line }, error: { code: 'invalid-json', message: `invalid JSON: ${(e as Error).message}` } };
  }
}

/**
 * Rows of a JSON file. A top-level array is streamed element by element (a byte scanner tracks strings and depth,
 * so the file is never held whole); a file that starts with `{` is read as JSON Lines, as `datasets` does.
 */
export async function* readJsonArray(files: FileAccess, path: string, opts: ReadOptions = {}): AsyncGenerator<RawRow> {
  const head = await files.read(path, 0, 4096).catch(() => { throw new FileNotFoundError(path, files.host); });
  const bom = hasBom(head);
  let p = bom ? 3 : 0;
  while (p < head.length && (head[p] === 0x20 || head[p] === 0x0a || head[p] === 0x0d || head[p] === 0x09)) p++;
  if (head[p] !== 0x5b /* [ */) { yield* readJsonl(files, path, opts); return; }
  const max = opts.maxRowBytes ?? DEFAULT_MAX_ROW_BYTES;
  const strict = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
  let depth = 0, inStr = false, esc = false, started = false, done = false;
  let elemParts: Uint8Array[] = [], elemLen = 0, inElem = false, elemTooLong = 0, elemLine = 1;
  let line = 1, row = 0, bytes = 0, first = true;
  const finish = (): RawRow => {
    const ref = { index: row, row, startLine: elemLine };
    row++;
    if (elemTooLong) { const r: RawRow = { ref, error: { code: 'row-too-long', message: `element is ${formatBytes(elemTooLong)} long, over the ${formatBytes(max)} a row may have: skipped` } }; elemTooLong = 0; return r; }
    const buf = concat(elemParts, elemLen);
    elemParts = []; elemLen = 0;
    let text: string;
    try { text = strict.decode(buf); } catch { return { ref, error: { code: 'invalid-utf8', message: 'not valid UTF-8: the file mixes encodings; save it as UTF-8' } }; }
    try { return { ref, value: JSON.parse(text) }; } catch (e) { return { ref, error: { code: 'invalid-json', message: `invalid JSON: ${(e as Error).message}` } }; }
  };
  for await (let chunk of readChunks(files, path, { chunkSize: opts.chunkSize, signal: opts.signal })) {
    bytes += chunk.length;
    if (first) { first = false; if (bom) { chunk = chunk.subarray(3); opts.onProblem?.({ ...JSON_BOM_NOTE }); } sniff(path, chunk); }
    let segStart = inElem ? 0 : -1;
    const out: RawRow[] = [];
    for (let i = 0; i < chunk.length && !done; i++) {
      const c = chunk[i];
      if (c === 0x0a) line++;
      if (inStr) { if (esc) esc = false; else if (c === 0x5c) esc = true; else if (c === 0x22) inStr = false; continue; }
      if (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) continue;
      if (!started) { if (c === 0x5b) { started = true; depth = 1; } continue; }
      if (depth === 1) {
        if (c === 0x2c /* , */ || c === 0x5d /* ] */) {
          if (inElem) {
            if (segStart >= 0) { const seg = chunk.subarray(segStart, i); if (!elemTooLong) { elemParts.push(seg); elemLen += seg.length; } segStart = -1; }
            inElem = false; out.push(finish());
          }
          if (c === 0x5d) { depth = 0; done = true; }
          continue;
        }
        if (!inElem) { inElem = true; elemLine = line; segStart = i; }
      }
      if (c === 0x22) inStr = true;
      else if (c === 0x7b || c === 0x5b) depth++;
      else if (c === 0x7d || c === 0x5d) depth--;
    }
    if (inElem) {
      const seg = chunk.subarray(segStart);
      if (elemTooLong) elemTooLong += seg.length;
      else if (elemLen + seg.length > max) { elemTooLong = elemLen + seg.length; elemParts = []; elemLen = 0; }
      else { elemParts.push(seg); elemLen += seg.length; }
    }
    yield* out;
    opts.onBytes?.(bytes);
    if (done) break;
  }
  if (!done) yield { ref: { index: row, row, startLine: line }, error: { code: 'invalid-json', message: started ? 'the JSON array is not closed: the file ends inside it (truncated download?)' : 'no JSON array found' } };
}

/**
 * CSV rows (RFC 4180: `,` separator, or tab for `.tsv`; `"` quoting with `""` escapes; quoted fields may contain
 * newlines). The first record is the header; each row is an object of strings keyed by it, at the 1-based line
 * where the record starts. A record with a different field count is an error (`csv-columns`), as pandas raises.
 */
export async function* readCsv(files: FileAccess, path: string, opts: ReadOptions = {}): AsyncGenerator<RawRow> {
  const sep = /\.tsv$/i.test(path) ? '\t' : ',';
  const max = opts.maxRowBytes ?? DEFAULT_MAX_ROW_BYTES;
  const dec = new TextDecoder('utf-8', { fatal: false, ignoreBOM: false });
  let header: string[] | undefined;
  let fields: string[] = [], field = '', inQ = false, quoteSeen = false, recLine = 1, line = 1, index = 0, bytes = 0, first = true, recLen = 0, bad = false, badUtf8 = false;
  let carry = new Uint8Array(0);
  const rows: RawRow[] = [];
  const endRecord = (): void => {
    fields.push(field); field = '';
    const rec = fields; fields = [];
    const startLine = recLine; recLine = line; recLen = 0;
    if (rec.length === 1 && rec[0] === '') return; // blank line
    if (!header) { header = rec; return; }
    const ref = { index: index++, line: startLine, startLine };
    if (bad) { bad = false; rows.push({ ref, error: { code: 'row-too-long', message: `record is over the ${formatBytes(max)} a row may have: skipped` } }); return; }
    if (rec.length !== header.length) { rows.push({ ref, error: { code: 'csv-columns', message: `${rec.length} fields where the header has ${header.length}` } }); return; }
    const o: Record<string, string> = {};
    for (let i = 0; i < header.length; i++) o[header[i]] = rec[i];
    rows.push({ ref, value: o });
  };
  for await (let chunk of readChunks(files, path, { chunkSize: opts.chunkSize, signal: opts.signal })) {
    bytes += chunk.length;
    if (first) { first = false; if (hasBom(chunk)) { chunk = chunk.subarray(3); opts.onProblem?.({ severity: 'info', code: 'bom', message: 'The file starts with a UTF-8 byte-order mark (pandas reads it with encoding="utf-8-sig").' }); } sniff(path, chunk); }
    const text = dec.decode(chunk, { stream: true });
    // Bytes that are not UTF-8 decode to U+FFFD here (pandas would raise UnicodeDecodeError): name the first one. A
    // sequence cut by the chunk's end is scanned with the next chunk.
    if (!badUtf8) {
      const scan = carry.length ? concat([carry, chunk], carry.length + chunk.length) : chunk;
      let end = scan.length;
      for (let k = 1; k <= 3 && end - k >= 0; k++) { const c = scan[end - k]; if (c >= 0xc0) { end -= k; break; } if (c < 0x80) break; }
      const at = text.includes('\ufffd') ? firstInvalidUtf8(scan.subarray(0, end)) : -1;
      carry = scan.slice(end);
      if (at >= 0) {
        badUtf8 = true;
        let l = line;
        for (let k = 0; k < at; k++) if (scan[k] === 10) l++;
        opts.onProblem?.({ line: l, severity: 'error', code: 'invalid-utf8', message: `line ${l} is not valid UTF-8 (byte 0x${scan[at].toString(16).padStart(2, '0')}): the file mixes encodings; save it as UTF-8 (its characters read as U+FFFD)` });
      }
    }
    for (let i = 0; i < text.length; i++) {
      const ch = text[i];
      if (inQ) {
        if (ch === '"') { if (text[i + 1] === '"') { field += '"'; i++; } else inQ = false; }
        else { if (ch === '\n') line++; if (!bad) field += ch; }
      } else if (ch === '"' && field === '' && !quoteSeen) { inQ = true; quoteSeen = true; }
      else if (ch === sep) { fields.push(field); field = ''; quoteSeen = false; }
      else if (ch === '\n') { line++; if (field.endsWith('\r')) field = field.slice(0, -1); quoteSeen = false; endRecord(); }
      else if (!bad) field += ch;
      if (++recLen > max && !bad) { bad = true; field = ''; fields = []; }
    }
    yield* rows.splice(0);
    opts.onBytes?.(bytes);
  }
  if (field !== '' || fields.length) endRecord();
  yield* rows.splice(0);
}

/**
 * Parquet rows via hyparquet, one row group at a time (memory: one row group's decoded columns). The AsyncBuffer
 * hyparquet reads from is a range reader over the FileAccess, so a remote file is read by ranges over SSH too.
 * Nested types come back as JS arrays/objects (a `messages` list of structs is a list of `{role, content}`);
 * 64-bit integers as numbers.
 */
export async function* readParquet(files: FileAccess, path: string, opts: ReadOptions = {}): AsyncGenerator<RawRow> {
  const info = await files.stat(path);
  if (!info) throw new FileNotFoundError(path, files.host);
  const hp = await import('hyparquet');
  const file = { byteLength: info.size, slice: async (start: number, end?: number): Promise<ArrayBuffer> => { const b = await files.read(path, start, end ?? info.size); return b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength) as ArrayBuffer; } };
  const magic = await files.read(path, 0, 4);
  if (String.fromCharCode(...magic) !== 'PAR1') throw new DatasetFileError(path, 'not-parquet', 'is not a Parquet file (it does not start with the PAR1 magic bytes)');
  let meta;
  try { meta = await hp.parquetMetadataAsync(file); } catch (e) { throw new DatasetFileError(path, 'bad-parquet', `cannot read the Parquet footer: ${(e as Error).message}`); }
  let row = 0, bytes = 0;
  for (const rg of meta.row_groups) {
    opts.signal?.throwIfAborted();
    const n = Number(rg.num_rows);
    let objs: Record<string, unknown>[];
    try { objs = await hp.parquetReadObjects({ file, metadata: meta, rowStart: row, rowEnd: row + n }); } catch (e) {
      throw new DatasetFileError(path, 'bad-parquet', `cannot decode row group at row ${row}: ${(e as Error).message}`);
    }
    for (const o of objs) { yield { ref: { index: row, row }, value: plain(o) }; row++; }
    for (const c of rg.columns) bytes += Number(c.meta_data?.total_compressed_size ?? 0);
    opts.onBytes?.(Math.min(bytes, info.size));
  }
  opts.onBytes?.(info.size);
}

/** BigInt -> number, recursively (JSON-like values for the checks). */
function plain(v: unknown): unknown {
  if (typeof v === 'bigint') return Number(v);
  if (Array.isArray(v)) return v.map(plain);
  if (v && typeof v === 'object' && !(v instanceof Date) && !(v instanceof Uint8Array)) { const o: Record<string, unknown> = {}; for (const [k, x] of Object.entries(v)) o[k] = plain(x); return o; }
  return v;
}

/** The reader for a file kind. */
export function readRows(files: FileAccess, path: string, kind: FileKind, opts: ReadOptions = {}): AsyncGenerator<RawRow> {
  switch (kind) {
    case 'jsonl': return readJsonl(files, path, opts);
    case 'json': return readJsonArray(files, path, opts);
    case 'csv': return readCsv(files, path, opts);
    case 'parquet': return readParquet(files, path, opts);
  }
}
