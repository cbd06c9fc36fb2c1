/**
 * Byte-level fast path for Hugging Face Trainer dict lines (`{'loss': 1.82, 'grad_norm': 0.93, ...}`), the bulk of
 * most fine-tuning logs. It reads the UTF-8 bytes the log follower delivers without decoding them to a string
 * (typed-array loads are several times cheaper than `charCodeAt`, and the decode is skipped), compares keys with the
 * keys of the previous line, and parses decimals exactly like `literal.ts` (same rounding, same fallback).
 * Anything it does not fully understand returns false and goes through the general text path.
 */
import { decimalValue } from './literal';

/** Keys of the previous dict line, per position: the bytes to compare and the string to report. */
export interface ByteKeyCache { bytes: Uint8Array[]; strings: string[] }

export function newByteKeyCache(): ByteKeyCache { return { bytes: [], strings: [] }; }

/** Output slots (reused): keys (identical string objects from the cache) and values. */
export interface ByteDictOut { count: number; keys: string[]; values: number[] }

const latin = new TextDecoder('utf-8');

/** Exact powers of ten representable in a double (10^0 .. 10^22). */
const POW10 = [1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22];
/** 2^53: below it every integer is a double, so digits accumulated as `hi * 10 + d` stay exact. */
const EXACT_INT = 9007199254740992;

/**
 * Reads the number at b[i] (before `end`) into `out[k]`; returns the index just after it, or -1 when no number
 * starts there. The value goes into the (double) array rather than being returned: a double returned from a call
 * that is not inlined is boxed into a new heap number, four million times per million-line log.
 *
 * Fast path, small enough for V8 to inline into the scanner: unsigned `digits[.digits]` whose digits form an integer
 * below 2^53 with at most 22 after the point (the Trainer's `loss`, `epoch`, most learning rates). Then
 * `hi / 10^frac` divides two exact doubles, one correctly rounded operation (Clinger's fast path), so the value is the
 * one {@link fullNumber} and `Number()` give. Everything else (a sign, an exponent, nan/inf, 16-17 significant digits
 * as Python's float repr prints grad norms, a number touching `end`) is read again by {@link fullNumber}.
 */
function byteNumber(b: Uint8Array, i: number, end: number, out: number[], k: number): number {
  let j = i, hi = 0, c = 0;
  while (j < end && (c = b[j]) >= 48 && c <= 57) { hi = hi * 10 + (c - 48); j++; }
  const intDigits = j - i;
  let frac = 0;
  if (c === 46 /* . */) {
    const f0 = ++j;
    while (j < end && (c = b[j]) >= 48 && c <= 57) { hi = hi * 10 + (c - 48); j++; }
    frac = j - f0;
  }
  if (intDigits + frac === 0 || hi >= EXACT_INT || frac > 22 || c === 101 /* e */ || c === 69 /* E */ || j >= end) return fullNumber(b, i, end, out, k);
  out[k] = hi / POW10[frac];
  return j;
}

/** Any decimal / nan / inf at b[i], as {@link byteNumber} (same contract), parsed like `literal.ts` `scanNumber`. */
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
 * Scans `{'key': number, ...}` starting at b[a] === '{' (single spaces after ':' and ','), not past `limit`.
 * Fills `out` and returns the index just after the closing brace; returns -1 on any other shape (then nothing is
 * reported and the caller parses the line as text) or when the bytes end before the brace.
 */
export function scanByteDict(b: Uint8Array, a: number, limit: number, cache: ByteKeyCache, out: ByteDictOut): number {
  let i = a + 1;
  let count = 0;
  const cb = cache.bytes, cs = cache.strings, keys = out.keys, values = out.values;
  for (;;) {
    if (b[i] !== 39 /* ' */) return -1;
    const kb = count < cb.length ? cb[count] : undefined;
    let kEnd = -1;
    if (kb !== undefined && b[i + 1 + kb.length] === 39) {
      const n = kb.length, base = i + 1;
      let j = 0;
      while (j < n && b[base + j] === kb[j]) j++;
      if (j === n) { kEnd = base + n + 1; keys[count] = cs[count]; }
    }
    if (kEnd < 0) {
      let q = i + 1;
      while (q < limit && b[q] !== 39) { if (b[q] === 92 /* \ */ || b[q] < 32) return -1; q++; }
      if (q >= limit) return -1;
      const key = latin.decode(b.subarray(i + 1, q));
      if (count < 64) { cb[count] = b.slice(i + 1, q); cs[count] = key; }
      keys[count] = key;
      kEnd = q + 1;
    }
    if (b[kEnd] !== 58 || b[kEnd + 1] !== 32) return -1;
    i = byteNumber(b, kEnd + 2, limit, values, count);
    if (i < 0) return -1;
    count++;
    const c = b[i];
    if (c === 44) { if (b[i + 1] !== 32) return -1; i += 2; continue; }
    if (c === 125 && i < limit) { out.count = count; return i + 1; }
    return -1;
  }
}
