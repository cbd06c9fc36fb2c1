/**
 * A hand-written scanner for one-line dict literals: Python `repr` of a dict (the Hugging Face Trainer's log line,
 * `{'loss': 1.82, 'learning_rate': 1.9e-05, 'epoch': 0.1}`; single quotes, `nan`, `inf`, `True`, `None`) and JSON
 * objects (`{"loss": 1.82, ...}`, with `NaN`/`Infinity` as Python's json module writes them).
 *
 * Only the top-level keys with numeric values are reported; other values (strings, booleans, nested containers,
 * `tensor(...)` calls) are skipped with bracket and quote balancing. This is the parser's hot path: it reads the
 * string in place (no regex, no substring per value) and parses short decimals exactly without `Number()`.
 */

/** Exact powers of ten representable in a double (10^0 .. 10^22), for Clinger's fast path. */
const POW10 = [1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22];

/** Output of {@link scanDict}: parallel arrays, reused between calls (copy what you keep). */
export interface DictScan {
  /** Number of numeric pairs found. */
  count: number;
  keys: string[];
  values: number[];
  /** True when the closing brace was found; false for a dict cut off mid-way (then only pairs followed by `,` count). */
  closed: boolean;
  /** Index just past the closing brace (or the end scanned). */
  end: number;
  /** Names of non-numeric top-level string values (key -> text), only when `wantStrings` was set. */
  strings?: Map<string, string>;
  /** Key seen at each pair position of the previous dict: log lines repeat their keys, so the scanner compares
   * instead of slicing and hashing a new string (and callers get the same string object back). */
  keyCache: string[];
}

const C_SPACE = 32, C_TAB = 9, C_QUOTE = 39, C_DQUOTE = 34, C_COLON = 58, C_COMMA = 44, C_LBRACE = 123, C_RBRACE = 125;
const C_MINUS = 45, C_PLUS = 43, C_DOT = 46, C_0 = 48, C_9 = 57, C_e = 101, C_E = 69, C_BACKSLASH = 92;

function skipWs(s: string, i: number, end: number): number {
  while (i < end) { const c = s.charCodeAt(i); if (c !== C_SPACE && c !== C_TAB) break; i++; }
  return i;
}

/** Result slot of scanNumber (avoids allocating a tuple per number). */
let numEnd = 0;

// Double-double helpers (Dekker 1971): error-free products and sums. Results go to `dd` ([hi, lo]): a typed array
// holds doubles unboxed, where each write of a double to a module-level `let` allocates a heap number.
const SPLIT = 134217729; // 2^27 + 1
const dd = new Float64Array(2);

/** dd[0] + dd[1] = a * b exactly. */
function twoProduct(a: number, b: number): void {
  const p = a * b;
  let t = SPLIT * a; const ah = t - (t - a), al = a - ah;
  t = SPLIT * b; const bh = t - (t - b), bl = b - bh;
  dd[0] = p; dd[1] = ((ah * bh - p) + ah * bl + al * bh) + al * bl;
}

/** (dd[0], dd[1]) <- (ah + al) / d to about 2^-104 relative. */
function ddDivide(ah: number, al: number, d: number): void {
  const q1 = ah / d;
  twoProduct(q1, d);
  const r = ((ah - dd[0]) - dd[1]) + al;
  const q2 = r / d;
  const s = q1 + q2;
  dd[0] = s; dd[1] = q2 - (s - q1);
}

/**
 * Correctly rounded value of the decimal hi * 10^extra + lo, times 10^e10 (e10 < 0), for 16-19 significant digits,
 * where Clinger's fast path does not apply: the quotient is computed in double-double (error < 2^-100 relative) and
 * rounded once; when it lies too close to a rounding boundary to decide, returns NaN (the caller falls back).
 * Also exact for hi below 2^30, 10^extra at most 10^9 and lo below 10^extra (bytesDict.ts reads up to 18 digits so).
 */
export function wideDecimal(hi: number, extra: number, lo: number, e10: number): number { return wideDecimalInto(hi, extra, lo, e10)[0]; }

/**
 * {@link wideDecimal}'s value as element 0 of a shared Float64Array (overwritten by the next call): a hot caller reads
 * it unboxed, where a double returned from a call that is not inlined is allocated as a heap number.
 */
export function wideDecimalInto(hi: number, extra: number, lo: number, e10: number): Float64Array {
  let ah: number, al: number;
  if (hi < 1073741824 && extra <= 9) {
    // hi * 10^extra = (hi * 5^extra) * 2^extra has at most 30 + 21 significant bits: one multiply is exact, and the
    // sum with lo (below 10^extra, so below the product for hi >= 1) is exact as a rounded sum and its error (Fast2Sum).
    const p = hi * POW10[extra];
    ah = p + lo; al = lo - (ah - p);
  } else {
    twoProduct(hi, POW10[extra]);
    ah = dd[0] + lo; // dd[0], lo are integers below 2^64 and 2^30: the sum is exact in double-double form
    al = dd[1] + (lo - (ah - dd[0]));
    const s0 = ah + al; al = al - (s0 - ah); ah = s0;
  }
  let e = -e10;
  while (e > 22) { ddDivide(ah, al, 1e22); ah = dd[0]; al = dd[1]; e -= 22; }
  ddDivide(ah, al, POW10[e]);
  const delta = Math.abs(dd[0]) * 8.077935669463161e-28; // 2^-90
  const up = dd[0] + (dd[1] + delta), down = dd[0] + (dd[1] - delta);
  dd[0] = up === down ? up : NaN;
  return dd;
}

/**
 * Value of the decimal (hi * 10^extra + lo) * 10^e10, where hi holds the first (up to) 15 significant digits and lo
 * the `extra` digits after them; correctly rounded, or NaN when the caller must fall back to Number().
 */
export function decimalValue(hi: number, lo: number, extra: number, e10: number): number {
  if (extra === 0) {
    if (e10 >= -22 && e10 <= 22) return e10 >= 0 ? hi * POW10[e10] : hi / POW10[-e10];
    return NaN;
  }
  if (extra <= 4 && e10 < 0 && e10 > -300) return wideDecimal(hi, extra, lo, e10);
  return NaN;
}

/**
 * Parses a decimal number at `i` (optional sign, digits, fraction, exponent) or `nan`/`inf`/`NaN`/`Infinity`.
 * Returns the value and sets `numEnd`; returns undefined (numEnd unchanged) when no number starts at `i`.
 * Exact (correctly rounded, as Number() would): up to 15 significant digits by Clinger's fast path, up to 19 in
 * double-double, else by Number().
 */
function scanNumber(s: string, i: number, end: number): number | undefined {
  const start = i;
  let c = s.charCodeAt(i);
  let neg = false;
  if (c === 45 /* - */ || c === 43 /* + */) { neg = c === 45 /* - */; i++; c = s.charCodeAt(i); }
  if (c < 48 /* 0 */ || c > 57 /* 9 */) {
    if (c !== 46 /* . */) {
      // nan / inf / NaN / Infinity
      const w = s.slice(i, i + 8);
      const after3 = s.charCodeAt(i + 3);
      const wordEnds = !(after3 >= 65 && after3 <= 90) && !(after3 >= 97 && after3 <= 122) && after3 !== 95;
      if ((w.startsWith('nan') || w.startsWith('NaN')) && wordEnds) { numEnd = i + 3; return NaN; }
      if (w === 'Infinity') { numEnd = i + 8; return neg ? -Infinity : Infinity; }
      if (w.startsWith('inf') && wordEnds) { numEnd = i + 3; return neg ? -Infinity : Infinity; }
      return undefined;
    }
  }
  // hi: the first 15 significant digits; lo: the `extra` digits after them.
  let hi = 0, lo = 0, sig = 0, extra = 0, fracDigits = 0, any = false;
  while (i < end && (c = s.charCodeAt(i)) >= 48 /* 0 */ && c <= 57 /* 9 */) {
    if (sig < 15) { hi = hi * 10 + (c - 48 /* 0 */); if (hi !== 0) sig++; } else { lo = lo * 10 + (c - 48 /* 0 */); extra++; sig++; }
    any = true; i++;
  }
  if (c === 46 /* . */ && i < end) {
    i++;
    while (i < end && (c = s.charCodeAt(i)) >= 48 /* 0 */ && c <= 57 /* 9 */) {
      if (sig < 15) { hi = hi * 10 + (c - 48 /* 0 */); if (hi !== 0) sig++; } else { lo = lo * 10 + (c - 48 /* 0 */); extra++; sig++; }
      fracDigits++; any = true; i++;
    }
  }
  if (!any) return undefined;
  let exp = 0;
  if ((c === 101 /* e */ || c === 69 /* E */) && i < end) {
    let j = i + 1, eneg = false, ev = 0, edig = 0;
    let d = s.charCodeAt(j);
    if (d === 45 /* - */ || d === 43 /* + */) { eneg = d === 45 /* - */; j++; }
    while (j < end && (d = s.charCodeAt(j)) >= 48 /* 0 */ && d <= 57 /* 9 */) { ev = ev * 10 + (d - 48 /* 0 */); edig++; j++; }
    if (edig > 0) { exp = eneg ? -ev : ev; i = j; }
  }
  numEnd = i;
  let v = decimalValue(hi, lo, extra, exp - fracDigits);
  if (v !== v) v = Number(s.slice(neg || s.charCodeAt(start) === 43 /* + */ ? start + 1 : start, i));
  return neg ? -v : v;
}

/** Test hook: the scanner's reading of a whole number token (undefined when it is not one). */
export function scanNumberForTest(t: string): number | undefined { const v = scanNumber(t, 0, t.length); return v !== undefined && numEnd === t.length ? v : undefined; }

/** Skips a quoted string starting at `i` (the quote); returns the index after the closing quote, or -1. */
function skipString(s: string, i: number, end: number): number {
  const q = s.charCodeAt(i);
  i++;
  while (i < end) {
    const c = s.charCodeAt(i);
    if (c === C_BACKSLASH) { i += 2; continue; }
    if (c === q) return i + 1;
    i++;
  }
  return -1;
}

/** Skips any value (balanced brackets, strings, bare words, calls) up to the next top-level `,` or `}`. Returns -1 if unterminated. */
function skipValue(s: string, i: number, end: number): number {
  let depth = 0;
  while (i < end) {
    const c = s.charCodeAt(i);
    if (c === C_QUOTE || c === C_DQUOTE) { i = skipString(s, i, end); if (i < 0) return -1; continue; }
    if (c === 91 || c === 40 || c === C_LBRACE) depth++;
    else if (c === 93 || c === 41 || c === C_RBRACE) { if (depth === 0) return i; depth--; }
    else if (c === C_COMMA && depth === 0) return i;
    i++;
  }
  return -1;
}

/** Decodes the escapes Python's repr and JSON use in keys (rare: only when a backslash is present). */
function unescape(raw: string): string {
  return raw.replace(/\\(u[0-9a-fA-F]{4}|x[0-9a-fA-F]{2}|.)/g, (_m, e: string) => {
    if (e[0] === 'u' || (e[0] === 'x' && e.length === 3)) return String.fromCharCode(parseInt(e.slice(1), 16));
    return e === 'n' ? '\n' : e === 't' ? '\t' : e === 'r' ? '\r' : e;
  });
}

/**
 * Scans a dict literal starting at `s[i] === '{'` and ending before `end`. Fills `out` (reused) and returns true
 * when at least the opening brace and one well-formed pair were read; false when this is not a dict literal.
 * Never throws.
 */
export function scanDict(s: string, i: number, end: number, out: DictScan, wantStrings = false): boolean {
  out.count = 0; out.closed = false; out.end = i;
  if (wantStrings) out.strings = new Map(); else out.strings = undefined;
  if (s.charCodeAt(i) !== C_LBRACE) return false;
  i = skipWs(s, i + 1, end);
  if (s.charCodeAt(i) === C_RBRACE) { out.closed = true; out.end = i + 1; return true; }
  let pairs = 0;
  for (;;) {
    const q = s.charCodeAt(i);
    if (q !== C_QUOTE && q !== C_DQUOTE) return pairs > 0 && finishCut(out, i);
    let key: string;
    let kEnd: number;
    const ck = out.keyCache[pairs];
    if (ck !== undefined && s.charCodeAt(i + 1 + ck.length) === q && s.startsWith(ck, i + 1)) { key = ck; kEnd = i + 2 + ck.length; }
    else {
      kEnd = skipString(s, i, end);
      if (kEnd < 0) return pairs > 0 && finishCut(out, i);
      key = s.slice(i + 1, kEnd - 1);
      if (key.indexOf('\\') >= 0) key = unescape(key);
      else if (pairs < 64) out.keyCache[pairs] = key;
    }
    i = skipWs(s, kEnd, end);
    if (s.charCodeAt(i) !== C_COLON) return pairs > 0 && finishCut(out, i);
    i = skipWs(s, i + 1, end);
    const c = s.charCodeAt(i);
    let value: number | undefined;
    let vEnd: number;
    if ((c >= C_0 && c <= C_9) || c === C_MINUS || c === C_PLUS || c === C_DOT || c === 110 /* n */ || c === 105 /* i */ || c === 78 /* N */ || c === 73 /* I */) {
      value = scanNumber(s, i, end);
      vEnd = value === undefined ? skipValue(s, i, end) : numEnd;
    } else if (wantStrings && (c === C_QUOTE || c === C_DQUOTE)) {
      vEnd = skipString(s, i, end);
      if (vEnd > 0) out.strings!.set(key, s.slice(i + 1, vEnd - 1));
    } else vEnd = skipValue(s, i, end);
    if (vEnd < 0) return pairs > 0 && finishCut(out, i);
    i = skipWs(s, vEnd, end);
    const sep = s.charCodeAt(i);
    if (sep !== C_COMMA && sep !== C_RBRACE) {
      // The number ran into something else ('1.5abc'): not a literal we understand; stop here.
      return pairs > 0 && finishCut(out, i);
    }
    if (value !== undefined) { out.keys[out.count] = key; out.values[out.count] = value; out.count++; }
    pairs++;
    if (sep === C_RBRACE) { out.closed = true; out.end = i + 1; return true; }
    i = skipWs(s, i + 1, end);
    if (i >= end) return finishCut(out, i);
    if (s.charCodeAt(i) === C_RBRACE) { out.closed = true; out.end = i + 1; return true; } // trailing comma
  }
}

/**
 * Fast path for the shape the Hugging Face Trainer prints on every logging step: `{'key': number, 'key': number}`
 * with single spaces, numeric values only, keys as in the previous line (compared in place through the key cache).
 * Returns false as soon as the line has any other shape (the caller then uses {@link scanDict}, which reads
 * everything this reads, the same way). `s[a]` must be `{`.
 */
export function scanFlatNumericDict(s: string, a: number, b: number, out: DictScan): boolean {
  let i = a + 1;
  let count = 0;
  const cache = out.keyCache, keys = out.keys, values = out.values;
  for (;;) {
    if (s.charCodeAt(i) !== C_QUOTE) return false;
    const ck = count < cache.length ? cache[count] : undefined;
    let kEnd: number;
    if (ck !== undefined && s.charCodeAt(i + 1 + ck.length) === C_QUOTE && s.startsWith(ck, i + 1)) { kEnd = i + 2 + ck.length; keys[count] = ck; }
    else {
      const q = s.indexOf("'", i + 1);
      if (q < 0 || q >= b) return false;
      const key = s.slice(i + 1, q);
      if (key.indexOf('\\') >= 0) return false;
      if (count < 64) cache[count] = key;
      keys[count] = key;
      kEnd = q + 1;
    }
    if (s.charCodeAt(kEnd) !== C_COLON || s.charCodeAt(kEnd + 1) !== C_SPACE) return false;
    const v = scanNumber(s, kEnd + 2, b);
    if (v === undefined) return false;
    values[count++] = v;
    i = numEnd;
    const c = s.charCodeAt(i);
    if (c === C_COMMA) { if (s.charCodeAt(i + 1) !== C_SPACE) return false; i += 2; continue; }
    if (c === C_RBRACE) { out.count = count; out.closed = true; out.end = i + 1; out.strings = undefined; return true; }
    return false;
  }
}

function finishCut(out: DictScan, i: number): boolean { out.closed = false; out.end = i; return true; }

/** A fresh, reusable scan buffer. */
export function newDictScan(): DictScan { return { count: 0, keys: [], values: [], closed: false, end: 0, keyCache: [] }; }

/**
 * Parses a number token as logs print it: decimal/scientific, `nan`, `inf`, `-inf`, `NaN`, `Infinity`, thousands
 * separators (`10,050`) and a trailing `%`. Returns undefined for anything else.
 */
export function parseNumberToken(tok: string): number | undefined {
  let t = tok.trim();
  if (t.endsWith('%')) t = t.slice(0, -1);
  if (t.indexOf(',') > 0 && /^[-+]?\d{1,3}(,\d{3})+(\.\d+)?$/.test(t)) t = t.replace(/,/g, '');
  if (t.length === 0) return undefined;
  const v = scanNumber(t, 0, t.length);
  if (v === undefined || numEnd !== t.length) return undefined;
  return v;
}
