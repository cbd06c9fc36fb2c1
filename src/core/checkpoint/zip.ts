/**
 * The central directory of a zip file by range reads (APPNOTE.TXT 6.3: end of central directory record 4.3.16,
 * ZIP64 end record and locator 4.3.14/4.3.15, central file header 4.3.12, ZIP64 extra field 4.5.3). `torch.save`
 * (>= 1.6) writes stored (uncompressed) zips, ZIP64 for files over 4 GB; only the tail and the directory are read.
 */
import type { FileAccess } from '../files';
import { CheckpointReadError } from './types';

/** One member of the archive. `dataOffset` is resolved lazily from the local header (see `readZipEntry`). */
export interface ZipEntry { name: string; method: number; compressedSize: number; size: number; localHeaderOffset: number }

/** A central directory over this is refused (a torch zip lists a few entries per tensor: ~100 bytes each). */
export const MAX_CENTRAL_DIRECTORY = 64 * 1024 * 1024;

const EOCD_SIG = 0x06054b50;
const Z64_LOC_SIG = 0x07064b50;
const Z64_EOCD_SIG = 0x06064b50;
const CDH_SIG = 0x02014b50;
const LFH_SIG = 0x04034b50;

function u64(v: DataView, off: number): number {
  const x = v.getBigUint64(off, true);
  if (x > BigInt(Number.MAX_SAFE_INTEGER)) throw new Error('64-bit field over 2^53');
  return Number(x);
}

/** Whether the first bytes are a zip local file header (`PK\x03\x04`). */
export function isZip(head: Uint8Array): boolean {
  return head.length >= 4 && head[0] === 0x50 && head[1] === 0x4b && head[2] === 0x03 && head[3] === 0x04;
}

/**
 * Lists the entries of the zip at `path` (size `fileSize`) from its central directory: two or three range reads.
 * Throws CheckpointReadError when there is no end record (truncated), or offsets point outside the file.
 */
export async function readZipDirectory(files: FileAccess, path: string, fileSize: number): Promise<ZipEntry[]> {
  const tailLen = Math.min(fileSize, 22 + 65535 + 20);
  const tail = await files.read(path, fileSize - tailLen, fileSize);
  const tv = new DataView(tail.buffer, tail.byteOffset, tail.length);
  let eocd = -1;
  for (let i = tail.length - 22; i >= 0; i--) if (tv.getUint32(i, true) === EOCD_SIG) { eocd = i; break; }
  if (eocd < 0) throw new CheckpointReadError(path, 'zip end-of-central-directory record not found (truncated file?)');
  let count = tv.getUint16(eocd + 10, true);
  let cdSize = tv.getUint32(eocd + 12, true);
  let cdOffset = tv.getUint32(eocd + 16, true);
  if (count === 0xffff || cdSize === 0xffffffff || cdOffset === 0xffffffff) {
    const loc = eocd - 20;
    if (loc < 0 || tv.getUint32(loc, true) !== Z64_LOC_SIG) throw new CheckpointReadError(path, 'ZIP64 locator missing (corrupt zip)');
    const z64Off = u64(tv, loc + 8);
    if (z64Off + 56 > fileSize) throw new CheckpointReadError(path, 'ZIP64 end record past the end of the file');
    const z = await files.read(path, z64Off, z64Off + 56);
    const zv = new DataView(z.buffer, z.byteOffset, z.length);
    if (z.length < 56 || zv.getUint32(0, true) !== Z64_EOCD_SIG) throw new CheckpointReadError(path, 'ZIP64 end record not found (corrupt zip)');
    count = u64(zv, 32); cdSize = u64(zv, 40); cdOffset = u64(zv, 48);
  }
  if (cdOffset + cdSize > fileSize) throw new CheckpointReadError(path, `zip central directory (${cdOffset}+${cdSize}) past the end of the file (${fileSize} bytes; truncated?)`);
  if (cdSize > MAX_CENTRAL_DIRECTORY) throw new CheckpointReadError(path, `zip central directory of ${cdSize} bytes is over the ${MAX_CENTRAL_DIRECTORY} this reader accepts`);
  const cd = await files.read(path, cdOffset, cdOffset + cdSize);
  const v = new DataView(cd.buffer, cd.byteOffset, cd.length);
  const out: ZipEntry[] = [];
  let p = 0;
  const dec = new TextDecoder();
  while (out.length < count && p + 46 <= cd.length) {
    if (v.getUint32(p, true) !== CDH_SIG) throw new CheckpointReadError(path, `bad zip central directory entry at ${cdOffset + p}`);
    const method = v.getUint16(p + 10, true);
    let compressedSize = v.getUint32(p + 20, true);
    let size = v.getUint32(p + 24, true);
    const nameLen = v.getUint16(p + 28, true), extraLen = v.getUint16(p + 30, true), commentLen = v.getUint16(p + 32, true);
    let localHeaderOffset = v.getUint32(p + 42, true);
    if (p + 46 + nameLen + extraLen > cd.length) break;
    const name = dec.decode(cd.subarray(p + 46, p + 46 + nameLen));
    // ZIP64 extended information: the 64-bit values of the fields set to 0xFFFFFFFF, in this order.
    let e = p + 46 + nameLen;
    const eEnd = e + extraLen;
    while (e + 4 <= eEnd) {
      const id = v.getUint16(e, true), len = v.getUint16(e + 2, true);
      if (id === 0x0001) {
        let q = e + 4;
        if (size === 0xffffffff && q + 8 <= e + 4 + len) { size = u64(v, q); q += 8; }
        if (compressedSize === 0xffffffff && q + 8 <= e + 4 + len) { compressedSize = u64(v, q); q += 8; }
        if (localHeaderOffset === 0xffffffff && q + 8 <= e + 4 + len) { localHeaderOffset = u64(v, q); q += 8; }
      }
      e += 4 + len;
    }
    out.push({ name, method, compressedSize, size, localHeaderOffset });
    p += 46 + nameLen + extraLen + commentLen;
  }
  return out;
}

/**
 * Why a member name is unsafe to use as a path (`../x`, `/etc/x`, `C:\x`, NUL or control characters), or undefined.
 * We never write members to disk, but a name like this means the file was crafted, so it is reported and skipped.
 */
export function hostileZipName(name: string): string | undefined {
  if (name.startsWith('/') || /^[A-Za-z]:/.test(name)) return 'absolute path';
  if (name.split(/[\\/]/).includes('..')) return 'climbs out with ..';
  if (name.includes('\\')) return 'backslash in name';
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(name)) return 'control character in name';
  return undefined;
}

/** Bytes of a stored (method 0) member, refusing members over `limit` bytes and compressed ones. */
export async function readZipEntry(files: FileAccess, path: string, entry: ZipEntry, fileSize: number, limit: number): Promise<Uint8Array> {
  if (entry.method !== 0) throw new CheckpointReadError(path, `zip member ${entry.name} is compressed (method ${entry.method}); torch.save writes stored members`);
  if (entry.size > limit) throw new CheckpointReadError(path, `zip member ${entry.name} is ${entry.size} bytes, over the ${limit} this reader accepts`);
  if (entry.localHeaderOffset + 30 > fileSize) throw new CheckpointReadError(path, `zip member ${entry.name} starts past the end of the file (truncated?)`);
  // Local header (30 bytes + name + extra) then the data; read a little extra so one read usually covers both.
  const guess = 30 + 512 + entry.size;
  const buf = await files.read(path, entry.localHeaderOffset, entry.localHeaderOffset + guess);
  const v = new DataView(buf.buffer, buf.byteOffset, buf.length);
  if (buf.length < 30 || v.getUint32(0, true) !== LFH_SIG) throw new CheckpointReadError(path, `zip member ${entry.name}: local header not found`);
  const start = 30 + v.getUint16(26, true) + v.getUint16(28, true);
  const end = start + entry.size;
  if (entry.localHeaderOffset + end > fileSize) throw new CheckpointReadError(path, `zip member ${entry.name} ends past the end of the file (truncated?)`);
  if (end <= buf.length) return buf.subarray(start, end);
  return files.read(path, entry.localHeaderOffset + start, entry.localHeaderOffset + end);
}
