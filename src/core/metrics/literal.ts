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
}

const C_SPACE = 32, C_TAB = 9, C_QUOTE = 39, C_DQUOTE = 34, C_COLON = 58, C_COMMA = 44, C_LBRACE = 123, C_RBRACE = 125;
const C_MINUS = 45, C_PLUS = 43, C_DOT = 46, C_0 = 48, C_9 = 57, C_e = 101, C_E = 69, C_BACKSLASH = 92;

function skipWs(s: string, i: number, end: number): number {
  while (i < end) { const c = s.charCodeAt(i); if (c !== C_SPACE && c !== C_TAB) break; i++; }
  return i;
}

/** Result slot of scanNumber (avoids allocating a tuple per number). */
let numEnd = 0;

/**
 * Parses a decimal number at `i` (optional sign, digits, fraction, exponent) or `nan`/`inf`/`NaN`/`Infinity`.
 * Returns the value and sets `numEnd`; returns undefined (numEnd unchanged) when no number starts at `i`.
 */
function scanNumber(s: string, i: number, end: number): number | undefined {
  const start = i;
  let c = s.charCodeAt(i);
  let neg = false;
  if (c === C_MINUS || c === C_PLUS) { neg = c === C_MINUS; i++; c = s.charCodeAt(i); }
  if (c < C_0 || c > C_9) {
    if (c !== C_DOT) {
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
  let mant = 0, sig = 0, fracDigits = 0, any = false;
  while (i < end && (c = s.charCodeAt(i)) >= C_0 && c <= C_9) { mant = mant * 10 + (c - C_0); if (mant !== 0) sig++; any = true; i++; }
  if (c === C_DOT && i < end) {
    i++;
    while (i < end && (c = s.charCodeAt(i)) >= C_0 && c <= C_9) { mant = mant * 10 + (c - C_0); if (mant !== 0) sig++; fracDigits++; any = true; i++; }
  }
  if (!any) return undefined;
  let exp = 0;
  if ((c === C_e || c === C_E) && i < end) {
    let j = i + 1, eneg = false, ev = 0, edig = 0;
    let d = s.charCodeAt(j);
    if (d === C_MINUS || d === C_PLUS) { eneg = d === C_MINUS; j++; }
    while (j < end && (d = s.charCodeAt(j)) >= C_0 && d <= C_9) { ev = ev * 10 + (d - C_0); edig++; j++; }
    if (edig > 0) { exp = eneg ? -ev : ev; i = j; }
  }
  numEnd = i;
  const e10 = exp - fracDigits;
  let v: number;
  if (sig <= 15 && e10 >= -22 && e10 <= 22) v = e10 >= 0 ? mant * POW10[e10] : mant / POW10[-e10];
  else v = Number(s.slice(neg || s.charCodeAt(start) === C_PLUS ? start + 1 : start, i));
  return neg ? -v : v;
}

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
    const kEnd = skipString(s, i, end);
    if (kEnd < 0) return pairs > 0 && finishCut(out, i);
    let key = s.slice(i + 1, kEnd - 1);
    if (key.indexOf('\\') >= 0) key = unescape(key);
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

function finishCut(out: DictScan, i: number): boolean { out.closed = false; out.end = i; return true; }

/** A fresh, reusable scan buffer. */
export function newDictScan(): DictScan { return { count: 0, keys: [], values: [], closed: false, end: 0 }; }

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
