/**
 * Byte-level fast path for Hugging Face Trainer dict lines (`{'loss': 1.82, 'grad_norm': 0.93, ...}`), the bulk of
 * most fine-tuning logs. It reads the UTF-8 bytes the log follower delivers without decoding them to a string
 * (typed-array loads are several times cheaper than `charCodeAt`, and the decode is skipped), compares keys with the
 * keys of the previous line, and parses decimals exactly like `literal.ts` (same rounding, same fallback).
 * Anything it does not fully understand returns false and goes through the general text path.
 */
import { decimalValue, wideDecimalInto } from './literal';

/** A key as the byte scan compares it: its bytes with the closing `': `, the whole groups of four of those as
 * little-endian int32 words (the rest is compared by byte), and the string reported for it. */
interface ByteKey { bytes: Uint8Array; words: Int32Array; key: string }

/**
 * Keys of the previous dict lines, per position: the last line's (`last`) and the one before that differed from it
 * (`alt`), so logs that alternate two kinds of lines (train and eval dicts) compare instead of decoding again.
 */
export interface ByteKeyCache { last: ByteKey[]; alt: (ByteKey | undefined)[] }

export function newByteKeyCache(): ByteKeyCache { return { last: [], alt: [] }; }

function byteKey(b: Uint8Array, a: number, z: number, key: string): ByteKey {
  const bytes = b.slice(a, z), words = new Int32Array(bytes.length >> 2), v = new DataView(bytes.buffer);
  for (let w = 0; w < words.length; w++) words[w] = v.getInt32(w << 2, true);
  return { bytes, words, key };
}

/** True when b[base..] (viewed as `dv` too, same indices) starts with `k`'s bytes, all before `limit`. */
function sameKey(b: Uint8Array, dv: DataView, base: number, limit: number, k: ByteKey): boolean {
  const kb = k.bytes, kw = k.words, n = kb.length, nw = kw.length;
  if (base + n > limit) return false;
  let w = 0;
  while (w < nw && dv.getInt32(base + (w << 2), true) === kw[w]) w++;
  if (w < nw) return false;
  let j = nw << 2;
  while (j < n && b[base + j] === kb[j]) j++;
  return j === n;
}

/** Output slots (reused): keys (identical string objects from the cache) and values. */
export interface ByteDictOut { count: number; keys: string[]; values: number[] }

const latin = new TextDecoder('utf-8');

/** Exact powers of ten representable in a double (10^0 .. 10^22). */
const POW10 = [1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22];
/** 2^53: below it every integer is a double, so digits accumulated as `hi * 10 + d` stay exact. */
const EXACT_INT = 9007199254740992;

/**
 * Any decimal / nan / inf at b[i] (before `end`), parsed like `literal.ts` `scanNumber`, into `out[k]`; returns the
 * index just after it, or -1 when no number starts there.
 */
function fullNumber(b: Uint8Array, i: number, end: number, out: number[], k: number): number {
  const start = i;
  let c = b[i];
  let neg = false;
  if (c === 45 || c === 43) { neg = c === 45; i++; c = b[i]; }
  if ((c < 48 || c > 57) && c !== 46) {
    // nan / inf (Python repr)
    if (c === 110 && b[i + 1] === 97 && b[i + 2] === 110) { out[k] = NaN; return i + 3; }
    if (c === 105 && b[i + 1] === 110 && b[i + 2] === 102) { out[k] = neg ? -Infinity : Infinity; return i + 3; }
    return -1;
  }
  let hi = 0, lo = 0, sig = 0, extra = 0, frac = 0, any = false;
  while (i < end && (c = b[i]) >= 48 && c <= 57) {
    if (sig < 15) { hi = hi * 10 + (c - 48); if (hi !== 0) sig++; } else { lo = lo * 10 + (c - 48); extra++; sig++; }
    any = true; i++;
  }
  if (c === 46 && i < end) {
    i++;
    while (i < end && (c = b[i]) >= 48 && c <= 57) {
      if (sig < 15) { hi = hi * 10 + (c - 48); if (hi !== 0) sig++; } else { lo = lo * 10 + (c - 48); extra++; sig++; }
      frac++; any = true; i++;
    }
  }
  if (!any) return -1;
  let exp = 0;
  if ((c === 101 || c === 69) && i < end) {
    let j = i + 1, eneg = false, ev = 0, edig = 0;
    let d = b[j];
    if (d === 45 || d === 43) { eneg = d === 45; j++; }
    while (j < end && (d = b[j]) >= 48 && d <= 57) { ev = ev * 10 + (d - 48); edig++; j++; }
    if (edig > 0) { exp = eneg ? -ev : ev; i = j; }
  }
  let v = decimalValue(hi, lo, extra, exp - frac);
  if (v !== v) v = Number(latin.decode(b.subarray(neg || b[start] === 43 ? start + 1 : start, i)));
  out[k] = neg ? -v : v;
  return i;
}

/**
 * The value of four ASCII digits loaded as one little-endian int32 (`w`, first digit in the low byte), which the caller
 * has checked are all '0'..'9' (`(w & 0xf0f0f0f0) === 0x30303030` and, adding 6 to each byte, still so). Two
 * multiply-adds combine neighbouring digits, then neighbouring pairs (SWAR): 0..9999, exact.
 */
function digits4(w: number): number {
  let x = w - 0x30303030;                                  // bytes d0 d1 d2 d3, each 0..9
  x = (Math.imul(x, 10) + (x >>> 8)) & 0x00ff00ff;         // d0*10+d1 | d2*10+d3
  return (x & 0xffff) * 100 + (x >>> 16);
}

/**
 * Scans `{'key': number, ...}` starting at b[a] === '{' (single spaces after ':' and ','), not past `limit`.
 * Fills `out` and returns the index just after the closing brace; returns -1 on any other shape (then nothing is
 * reported and the caller parses the line as text) or when the bytes end before the brace.
 *
 * `dv` views the same bytes as `b` (same indices; `limit` at most its length). Keys: compared with the key at the
 * same position of the previous lines (see {@link ByteKeyCache}; with its closing `': `), four bytes per DataView
 * load, so a repeated key costs a few word compares and yields the same string object.
 *
 * Numbers, inline (a call per value costs more than most values' parsing, and a double returned from a call is a
 * heap number): unsigned `digits[.digits]` with at most 18 significant digits and at most 22 after the point (the
 * Trainer's `loss`, `epoch`, and the 17 significant digits of Python's float repr of a grad norm or a learning rate).
 * The significant digits (leading zeros skipped) are gathered as two int32 chunks of up to 9 (`hi`, then `lo`), four
 * digits per load where four follow ({@link digits4}):
 * integer arithmetic, where a double `x * 10 + d` per digit is a chain of floating-point latencies. Then, for
 * N = hi * 10^nlo + lo below 2^53, `N / 10^frac` divides two exact doubles, one correctly rounded operation
 * (Clinger's fast path); above, N is exact in double-double and `wideDecimalInto` (literal.ts) rounds the quotient
 * once. Either way the value is the one {@link fullNumber} and `Number()` give. Everything else (a sign, an
 * exponent, nan/inf, more digits, a number touching `limit`, a quotient too close to a rounding boundary) is read
 * again by {@link fullNumber}.
 */
export function scanByteDict(b: Uint8Array, dv: DataView, a: number, limit: number, cache: ByteKeyCache, out: ByteDictOut): number {
  let i = a + 1;
  let count = 0;
  const last = cache.last, alt = cache.alt, keys = out.keys, values = out.values;
  for (;;) {
    if (b[i] !== 39 /* ' */) return -1;
    let v0 = -1; // start of the value
    if (count < last.length) {
      const k = last[count];
      if (sameKey(b, dv, i + 1, limit, k)) { v0 = i + 1 + k.bytes.length; keys[count] = k.key; }
    }
    if (v0 < 0) {
      let q = i + 1;
      while (q < limit && b[q] !== 39) { if (b[q] === 92 /* \ */ || b[q] < 32) return -1; q++; }
      if (q + 2 >= limit || b[q + 1] !== 58 /* : */ || b[q + 2] !== 32) return -1;
      v0 = q + 3;
      const k2 = count < alt.length ? alt[count] : undefined;
      if (k2 !== undefined && sameKey(b, dv, i + 1, limit, k2)) {
        alt[count] = last[count]; last[count] = k2; keys[count] = k2.key;
      } else {
        const key = latin.decode(b.subarray(i + 1, q));
        if (count < 64) {
          if (count < last.length) alt[count] = last[count];
          last[count] = byteKey(b, i + 1, v0, key);
        }
        keys[count] = key;
      }
    }
    let j = v0, c = 0, hi = 0, nhi = 0, lo = 0, nlo = 0, dot = -1;
    // Three loops, so that no digit pays for a branch of another phase: leading zeros (and a point among them),
    // then up to 9 significant digits into `hi`, then the rest into `lo`.
    for (; j < limit; j++) {
      c = b[j];
      if (c !== 48 /* 0 */) { if (c === 46 /* . */ && dot < 0) dot = j; else break; }
    }
    for (; j < limit; j++) {
      // Four digits at once where four follow (see digits4); the point or the end falls back to one byte at a time.
      if (nhi <= 5 && j + 4 <= limit) {
        const w = dv.getInt32(j, true);
        if ((w & 0xf0f0f0f0) === 0x30303030 && ((w + 0x06060606) & 0xf0f0f0f0) === 0x30303030) {
          hi = hi * 10000 + digits4(w); nhi += 4; j += 3;
          if (nhi === 9) { j++; break; }
          continue;
        }
      }
      c = b[j];
      const d = c - 48;
      if (d >= 0 && d <= 9) { hi = (hi * 10 + d) | 0; if (++nhi === 9) { j++; break; } } else if (c === 46 /* . */ && dot < 0) dot = j;
      else break;
    }
    if (nhi === 9) {
      for (; j < limit; j++) {
        if (nlo <= 5 && j + 4 <= limit) {
          const w = dv.getInt32(j, true);
          if ((w & 0xf0f0f0f0) === 0x30303030 && ((w + 0x06060606) & 0xf0f0f0f0) === 0x30303030) { lo = lo * 10000 + digits4(w); nlo += 4; j += 3; continue; }
        }
        c = b[j];
        const d = c - 48;
        if (d >= 0 && d <= 9) { lo = (lo * 10 + d) | 0; nlo++; } else if (c === 46 /* . */ && dot < 0) dot = j;
        else break;
      }
    }
    c = j < limit ? b[j] : 0;
    const frac = dot < 0 ? 0 : j - dot - 1;
    let done = false;
    if (j - v0 !== (dot < 0 ? 0 : 1) && nlo <= 9 && frac <= 22 && c !== 101 /* e */ && c !== 69 /* E */ && j < limit) {
      const x = hi * POW10[nlo] + lo;
      if (x < EXACT_INT) { values[count] = x / POW10[frac]; done = true; }
      else if (frac > 0) { const w = wideDecimalInto(hi, nlo, lo, -frac)[0]; if (w === w) { values[count] = w; done = true; } }
    }
    if (!done) { j = fullNumber(b, v0, limit, values, count); if (j < 0) return -1; }
    i = j;
    count++;
    c = b[i];
    if (c === 44) { if (b[i + 1] !== 32) return -1; i += 2; continue; }
    if (c === 125 && i < limit) { out.count = count; return i + 1; }
    return -1;
  }
}
