/**
 * Duplicate detection in bounded memory.
 *
 * Exact: rows whose text is identical after Unicode NFC and collapsing every run of whitespace to one space
 * (trimmed). Each row keeps a 64-bit fingerprint (two independent 32-bit hashes) in an open-addressing table, not
 * its text.
 *
 * Near: MinHash over word 5-gram shingles of the lower-cased text with punctuation removed, Jaccard >= 0.8, found with
 * LSH banding, as datatrove (`datatrove/pipeline/dedup/minhash.py`: `MinhashConfig` n_grams=5, num_buckets=14,
 * hashes_per_bucket=8) and text-dedup (`text_dedup/minhash.py`: ngram 5, threshold 0.8, bands/rows from
 * `optimal_param`) do. 14 bands of 8 rows: a pair at Jaccard 0.8 becomes a candidate with probability
 * 1-(1-0.8^8)^14 = 0.92, a pair at 0.5 with 0.05. A candidate counts when the Jaccard estimated from the two full
 * signatures is >= the threshold (text-dedup's optional verification, done on signatures since texts are not kept).
 * Memory: one b-bit signature (112 bytes) per indexed row plus 14 band-table slots; past `maxNearRows` rows (default
 * 500,000) new rows are still compared against the indexed ones but not added, and the report says how many were.
 *
 * Speed (bench/dataset.bench.ts): one pass per row gives the exact fingerprint and the word hashes; an all-ASCII text
 * (already NFC) is read as bytes from `TextEncoder.encodeInto` (up to 128 Ki characters in a branch-light loop over
 * constant buffers), others char by char after NFC with the class of each non-ASCII code unit cached; the 5-gram hashes keep their window in locals; per-row buffers are reused. The hash
 * values are those of the plain definitions (tests compare them with `exactKey`/`nearWords`, and
 * test/unit/dataset.pinned.test.ts pins every signature and verdict of a corpus); only the band-table keys, which
 * are compared for equality only, use a cheaper mix.
 */

/** FNV-1a 32-bit over UTF-16 code units, with a seed (two seeds give a 64-bit fingerprint). */
function fnv1a(s: string, seed: number): number {
  let h = (0x811c9dc5 ^ seed) >>> 0;
  for (let i = 0; i < s.length; i++) { h ^= s.charCodeAt(i); h = Math.imul(h, 0x01000193); }
  return h >>> 0;
}

/** murmur3's 32-bit finaliser: a fast bijective mixer. */
function fmix(h: number): number {
  h ^= h >>> 16; h = Math.imul(h, 0x85ebca6b); h ^= h >>> 13; h = Math.imul(h, 0xc2b2ae35); h ^= h >>> 16;
  return h >>> 0;
}

/**
 * Open-addressing hash table from a 64-bit key (two uint32) to a row index (int32), growing by doubling at 50% load.
 * About 12 bytes per slot, no per-entry objects.
 */
export class FingerprintTable {
  private hi: Uint32Array; private lo: Uint32Array; private val: Int32Array; private mask: number; size = 0;
  constructor(capacity = 1 << 12) { this.hi = new Uint32Array(capacity); this.lo = new Uint32Array(capacity); this.val = new Int32Array(capacity).fill(-1); this.mask = capacity - 1; }
  /** The value stored under the key, or -1; stores `value` when the key is new and `insert` is true. */
  getOrInsert(hi: number, lo: number, value: number, insert = true): number {
    let i = fmix(hi ^ Math.imul(lo, 0x9e3779b1)) & this.mask;
    for (;;) {
      const v = this.val[i];
      if (v === -1) {
        if (!insert) return -1;
        this.hi[i] = hi; this.lo[i] = lo; this.val[i] = value; this.size++;
        if (this.size * 2 > this.mask) this.grow();
        return -1;
      }
      if (this.hi[i] === hi && this.lo[i] === lo) return v;
      i = (i + 1) & this.mask;
    }
  }
  private grow(): void {
    const { hi, lo, val } = this;
    const cap = (this.mask + 1) * 2; // x2: x4 halved the rehashing but doubled the 15 tables' peak (47 MB at 48k rows)
    this.hi = new Uint32Array(cap); this.lo = new Uint32Array(cap); this.val = new Int32Array(cap).fill(-1); this.mask = cap - 1; this.size = 0;
    for (let i = 0; i < val.length; i++) if (val[i] !== -1) this.getOrInsert(hi[i], lo[i], val[i]);
  }
  /** Bytes held by the table. */
  get bytes(): number { return this.val.length * 12; }
}

/** Exact-duplicate key text: NFC, whitespace runs collapsed to one space, trimmed. */
export function exactKey(text: string): string { return text.normalize('NFC').replace(/\s+/g, ' ').trim(); }

/** Words for near-duplicate shingles: lower-cased, punctuation and symbols removed, split on whitespace. */
export function nearWords(text: string): string[] {
  const t = text.normalize('NFC').toLowerCase().replace(/[\p{P}\p{S}]+/gu, ' ');
  return t.split(/\s+/).filter((w) => w.length > 0);
}

const PUNCT = /[\p{P}\p{S}]/u;
const FNV_PRIME = 0x01000193;
const FNV_BASIS = 0x811c9dc5;

/**
 * `/\s/` for one UTF-16 code unit of 128 or more: no-break space, ogham space, the U+2000-U+200A spaces, line and
 * paragraph separators, narrow no-break, medium mathematical space, ideographic space and the BOM (ECMAScript
 * WhiteSpace and LineTerminator; the unit test compares it with `/\s/` over every code unit).
 */
export function isNonAsciiSpace(c: number): boolean {
  return c === 0xa0 || c === 0x1680 || (c >= 0x2000 && c <= 0x200a) || c === 0x2028 || c === 0x2029 || c === 0x202f || c === 0x205f || c === 0x3000 || c === 0xfeff;
}

// What the near-duplicate words make of one non-ASCII code unit that is not the first half of a surrogate pair,
// filled on first sight: 1 punctuation or symbol (a word break), 2 a letter whose lower case is the one unit in LOWER,
// 3 a letter whose lower case is longer (İ -> i̇: lower-cased each time). 64 KiB + 128 KiB, allocated on first use.
let UNIT_KIND: Uint8Array | undefined;
let LOWER: Uint16Array | undefined;
function unitKind(c: number): number {
  if (!UNIT_KIND) { UNIT_KIND = new Uint8Array(0x10000); LOWER = new Uint16Array(0x10000); }
  let kind = UNIT_KIND[c];
  if (kind === 0) {
    const ch = String.fromCharCode(c);
    if (PUNCT.test(ch)) kind = 1;
    else { const low = ch.toLowerCase(); if (low.length === 1) { kind = 2; LOWER![c] = low.charCodeAt(0); } else kind = 3; }
    UNIT_KIND[c] = kind;
  }
  return kind;
}

/** A row's exact fingerprint and word hashes; `words` is reused and grown from row to row. */
interface Fingerprint { hi: number; lo: number; words: Uint32Array; nWords: number }

function grown(words: Uint32Array): Uint32Array { const g = new Uint32Array(words.length * 2); g.set(words); return g; }

// ASCII classes for the byte loop: 0 a letter or digit (LOWER_ASCII holds its lower case), 1 whitespace (\t-\r and
// space, as `\s`), 2 anything else (punctuation, symbols, control characters: a word break).
const ASCII_CLASS = new Uint8Array(128);
const LOWER_ASCII = new Uint8Array(128);
for (let c = 0; c < 128; c++) {
  ASCII_CLASS[c] = c === 32 || (c >= 9 && c <= 13) ? 1 : (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) ? 0 : 2;
  LOWER_ASCII[c] = c >= 65 && c <= 90 ? c + 32 : c;
}
const UTF8 = new TextEncoder();
let BYTES = new Uint8Array(1 << 16);

// The short-text ASCII loop's tables (0/1 flags, so that a class is arithmetic rather than a branch) and its scratch
// buffers. The buffers are fixed constants on purpose: V8 then knows their base and length, and the loop ran 1.4x
// faster than over the same arrays held in a `let` (bench/dataset.bench.ts texts, 15.6 M characters: 70 -> 51 ms).
const SPACE01 = new Uint8Array(256);
const WORD01 = new Uint8Array(256);
const EXACT_UNIT = new Uint8Array(256);
for (let c = 0; c < 128; c++) { SPACE01[c] = ASCII_CLASS[c] === 1 ? 1 : 0; WORD01[c] = ASCII_CLASS[c] === 0 ? 1 : 0; EXACT_UNIT[c] = ASCII_CLASS[c] === 1 ? 32 : c; }
const SHORT_MAX = 1 << 17;
const SHORT_BYTES = new Uint8Array(SHORT_MAX);
// A text of n characters has at most ceil(n / 2) words.
const SHORT_WORDS = new Uint32Array(SHORT_MAX / 2 + 2);

/**
 * `fingerprintInto` for an all-ASCII text of at most 128 Ki characters, written to the shared `SHORT_WORDS` (so
 * `out.words` is that buffer afterwards). Returns false, having written nothing, when the text is longer or has a
 * code unit of 128 or more. The whitespace of the exact key is trimmed first and a run collapses by skipping every
 * whitespace after a whitespace (a rarely taken branch); words are hashed without branching on the character class:
 * the running hash restarts from the FNV basis on a non-word character, and the word count steps at a word's end
 * (the slot past the last word is scratch). Same values as the loops below.
 */
function fingerprintAsciiShort(text: string, out: Fingerprint): boolean {
  const n = text.length;
  if (n > SHORT_MAX) return false;
  const r = UTF8.encodeInto(text, SHORT_BYTES);
  if (r.read !== n || r.written !== n) return false;
  hashShortAscii(n, out);
  return true;
}

/** The loop of `fingerprintAsciiShort` over the first `n` bytes of `SHORT_BYTES` (all ASCII, n <= SHORT_MAX). */
function hashShortAscii(n: number, out: Fingerprint): void {
  const b = SHORT_BYTES;
  let s = 0, e = n;
  while (s < e && SPACE01[b[s]] === 1) s++;
  while (e > s && SPACE01[b[e - 1]] === 1) e--;
  const words = SHORT_WORDS;
  const basis = FNV_BASIS | 0;
  // int32 locals throughout (FNV_BASIS itself is above 2^31, a double); the same bits as the uint32 forms
  let hi = basis, lo = (FNV_BASIS ^ 0x5bd1e995) | 0, wh = basis;
  let nWords = 0, prevSpace = 0, prevWord = 0;
  for (let i = s; i < e; i++) {
    const c = b[i];
    const space = SPACE01[c];
    if ((space & prevSpace) === 0) { const x = EXACT_UNIT[c]; hi = Math.imul(hi ^ x, FNV_PRIME); lo = Math.imul(lo ^ x, FNV_PRIME); }
    prevSpace = space;
    const word = WORD01[c];
    const t = Math.imul(wh ^ LOWER_ASCII[c], FNV_PRIME);
    nWords += prevWord & (word ^ 1);
    wh = ((t ^ basis) & -word) ^ basis;
    words[nWords] = wh;
    prevWord = word;
  }
  nWords += prevWord;
  out.hi = hi >>> 0; out.lo = lo >>> 0; out.words = words; out.nWords = nWords;
}

/**
 * `fingerprintInto` for a text that is all ASCII, over its bytes (`TextEncoder.encodeInto` is native and a byte
 * array loop is about twice as fast as `charCodeAt` on a string); an ASCII text is already NFC. Used for texts past
 * `fingerprintAsciiShort`'s 128 Ki characters. Returns false, having written nothing, when the text has a code unit
 * of 128 or more.
 */
function fingerprintAscii(text: string, out: Fingerprint): boolean {
  // One byte per code unit is enough room for an ASCII text (encodeInto stops early on any other); the scratch buffer
  // kept between rows is at most 1 MiB, a longer row gets its own.
  const n = text.length;
  let b = BYTES;
  if (b.length < n) { b = new Uint8Array(n); if (n <= 1 << 20) BYTES = b; }
  const r = UTF8.encodeInto(text, b);
  if (r.read !== n || r.written !== n) return false;
  hashAscii(b, n, out);
  return true;
}

/** The loop of `fingerprintAscii` over the first `n` bytes of `b` (all ASCII). */
function hashAscii(b: Uint8Array, n: number, out: Fingerprint): void {
  let hi = FNV_BASIS, lo = FNV_BASIS ^ 0x5bd1e995;
  let pendingSpace = false, started = false;
  let words = out.words, nWords = 0;
  // Runs rather than characters: a whitespace run, one other character, or a word (letters and digits) in a tight
  // loop that feeds the exact lanes and the word's hash together.
  for (let i = 0; i < n;) {
    let c = b[i];
    const cls = ASCII_CLASS[c];
    if (cls === 1) {
      do i++; while (i < n && ASCII_CLASS[b[i]] === 1);
      if (started) pendingSpace = true;
      continue;
    }
    if (pendingSpace) { hi = Math.imul(hi ^ 32, FNV_PRIME); lo = Math.imul(lo ^ 32, FNV_PRIME); pendingSpace = false; }
    started = true;
    if (cls === 2) { hi = Math.imul(hi ^ c, FNV_PRIME); lo = Math.imul(lo ^ c, FNV_PRIME); i++; continue; }
    let wh = FNV_BASIS;
    for (;;) {
      hi = Math.imul(hi ^ c, FNV_PRIME); lo = Math.imul(lo ^ c, FNV_PRIME);
      wh = Math.imul(wh ^ LOWER_ASCII[c], FNV_PRIME);
      if (++i === n) break;
      c = b[i];
      if (ASCII_CLASS[c] !== 0) break;
    }
    if (nWords === words.length) words = grown(words);
    words[nWords++] = wh;
  }
  out.hi = hi >>> 0; out.lo = lo >>> 0; out.words = words; out.nWords = nWords;
}

/**
 * `fingerprintInto` of the text whose UTF-8 bytes are `bytes[start, end)`, all below 128 (an ASCII text: the caller
 * knows, say from `TextEncoder.encodeInto` writing one byte per code unit). Same values as `fingerprintInto` of that
 * text, without a string: a worker thread hashes rows that arrive as bytes.
 */
function fingerprintAsciiBytes(bytes: Uint8Array, start: number, end: number, out: Fingerprint): void {
  const n = end - start;
  if (n <= SHORT_MAX) { SHORT_BYTES.set(bytes.subarray(start, end)); hashShortAscii(n, out); } else hashAscii(bytes.subarray(start, end), n, out);
}

/**
 * One pass over a text (after NFC) giving what both checks need without building strings: the 64-bit fingerprint of
 * `exactKey(text)` and the 32-bit hashes of `nearWords(text)`, in order (lower-casing is per code point: a Greek final
 * sigma stays σ, where String.toLowerCase on a whole word gives ς). Same results as hashing those strings; writes
 * into `out` (its `words` grown as needed). Hot loop: plain locals, ASCII first, non-ASCII code units from a table.
 */
function fingerprintInto(text: string, out: Fingerprint): void {
  if (fingerprintAsciiShort(text, out) || fingerprintAscii(text, out)) return;
  const t = text.normalize('NFC');
  const n = t.length;
  let hi = FNV_BASIS, lo = FNV_BASIS ^ 0x5bd1e995;
  let pendingSpace = false, started = false;
  let words = out.words, nWords = 0;
  let wh = FNV_BASIS, inWord = false;
  for (let i = 0; i < n; i++) {
    const c = t.charCodeAt(i);
    // Each code point is whitespace (exact: runs -> one space, trimmed), a word break (punctuation, symbols, ASCII
    // control characters: kept in the exact key), or part of a word (lower-cased into its hash).
    const cls = c < 128 ? ASCII_CLASS[c] : isNonAsciiSpace(c) ? 1 : 0;
    if (cls === 1) { if (started) pendingSpace = true; }
    else {
      if (pendingSpace) { hi = Math.imul(hi ^ 32, FNV_PRIME); lo = Math.imul(lo ^ 32, FNV_PRIME); pendingSpace = false; }
      started = true;
      hi = Math.imul(hi ^ c, FNV_PRIME); lo = Math.imul(lo ^ c, FNV_PRIME);
      if (cls === 0) {
        let low: string | undefined, unit = -1;
        if (c < 128) unit = LOWER_ASCII[c];
        else if (c >= 0xd800 && c <= 0xdbff && i + 1 < n && (t.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
          // a surrogate pair is one code point (emoji are symbols); a lone high surrogate is a word unit of its own
          // (as in nearWords), so whitespace or punctuation after it is still whitespace or punctuation
          const ch = t.slice(i, i + 2);
          const c2 = t.charCodeAt(++i);
          hi = Math.imul(hi ^ c2, FNV_PRIME); lo = Math.imul(lo ^ c2, FNV_PRIME);
          if (!PUNCT.test(ch)) low = ch.toLowerCase();
        } else {
          const kind = unitKind(c);
          if (kind === 2) unit = LOWER![c];
          else if (kind === 3) low = String.fromCharCode(c).toLowerCase();
        }
        if (unit >= 0) { wh = Math.imul(wh ^ unit, FNV_PRIME); inWord = true; continue; }
        if (low !== undefined) { for (let k = 0; k < low.length; k++) wh = Math.imul(wh ^ low.charCodeAt(k), FNV_PRIME); inWord = true; continue; }
      }
    }
    if (inWord) { if (nWords === words.length) words = grown(words); words[nWords++] = wh; wh = FNV_BASIS; inWord = false; }
  }
  if (inWord) { if (nWords === words.length) words = grown(words); words[nWords++] = wh; }
  out.hi = hi >>> 0; out.lo = lo >>> 0; out.words = words; out.nWords = nWords;
}

/**
 * The 64-bit fingerprint of `exactKey(text)` (`hi`, `lo`: FNV-1a 32-bit with seeds 0 and 0x5bd1e995) and the FNV-1a
 * hashes of `nearWords(text)` (the first `nWords` of `words`), computed in one pass without building those strings.
 */
export function fingerprint(text: string): Fingerprint {
  const out: Fingerprint = { hi: 0, lo: 0, words: new Uint32Array(64), nWords: 0 };
  fingerprintInto(text, out);
  out.words = out.words.slice(0, out.nWords); // not the shared scratch of the short ASCII path
  return out;
}

/** MinHash parameters (datatrove's defaults). */
export interface MinHashParams { ngram: number; bands: number; rowsPerBand: number; threshold: number }
export const DEFAULT_MINHASH: MinHashParams = { ngram: 5, bands: 14, rowsPerBand: 8, threshold: 0.8 };

/**
 * MinHash signature of a text's word n-gram shingles, `bands × rowsPerBand` values, computed by one-permutation
 * hashing with optimal densification (Li, Owen & Zhang, NIPS 2012; Shrivastava, ICML 2017): each shingle is hashed
 * once into one of the K bins, a bin keeps its minimum, and an empty bin borrows the value of a bin chosen by a
 * fixed hash sequence. The collision probability of each coordinate is the Jaccard similarity, as with K independent
 * permutations (datatrove/text-dedup), at O(shingles + K) instead of O(shingles × K): the speed the checks need.
 * A text shorter than n words is one shingle. Undefined for a text with no words.
 */
export function minhash(words: string[], p: MinHashParams = DEFAULT_MINHASH, out?: Uint32Array): Uint32Array | undefined {
  const wh = new Uint32Array(words.length);
  for (let i = 0; i < words.length; i++) wh[i] = fnv1a(words[i], 0);
  return minhashOfHashes(wh, wh.length, p, out);
}

// The densification probe sequence depends only on (bin, step): fmix((bin + 1) * golden ^ step) % K for steps 1-256,
// tabulated once per K.
const PROBES = new Map<number, Uint16Array>();
function probesFor(k: number): Uint16Array {
  let p = PROBES.get(k);
  if (!p) {
    p = new Uint16Array(k * 256);
    for (let i = 0; i < k; i++) for (let t = 1; t <= 256; t++) p[i * 256 + t - 1] = fmix(Math.imul(i + 1, 0x9e3779b1) ^ t) % k;
    PROBES.set(k, p);
  }
  return p;
}
let FILLED = new Uint8Array(0);

/** `minhash` over precomputed 32-bit word hashes (FNV-1a of each word), the first `n` of `wh`. */
export function minhashOfHashes(wh: Uint32Array, n0: number, p: MinHashParams = DEFAULT_MINHASH, out?: Uint32Array): Uint32Array | undefined {
  if (n0 === 0) return undefined;
  const k = p.bands * p.rowsPerBand;
  const sig = out ?? new Uint32Array(k);
  sig.fill(0xffffffff);
  if (FILLED.length < k) FILLED = new Uint8Array(k);
  const filled = FILLED;
  filled.fill(0, 0, k);
  const n = Math.min(p.ngram, n0);
  if (n === 5 && k < 0x10000) {
    // The default 5-grams with the window in locals (the same values as the general loop below).
    let w1 = wh[0], w2 = wh[1], w3 = wh[2], w4 = wh[3];
    for (let i = 4; i < n0; i++) {
      const w5 = wh[i];
      let x = Math.imul(Math.imul(Math.imul(Math.imul(Math.imul(0x9747b28c ^ w1, FNV_PRIME) ^ w2, FNV_PRIME) ^ w3, FNV_PRIME) ^ w4, FNV_PRIME) ^ w5, FNV_PRIME);
      x = fmix(x);
      // floor(x * k / 2^32) in integers (k < 2^16), the same bin as the float form below
      const bin = ((x >>> 16) * k + (((x & 0xffff) * k) >>> 16)) >>> 16;
      const v = fmix(x ^ 0x5bd1e995);
      if (v < sig[bin]) sig[bin] = v;
      filled[bin] = 1;
      w1 = w2; w2 = w3; w3 = w4; w4 = w5;
    }
  } else {
    for (let i = 0; i + n <= n0; i++) {
      let x = 0x9747b28c;
      for (let j = 0; j < n; j++) x = Math.imul(x ^ wh[i + j], FNV_PRIME);
      x = fmix(x);
      const bin = Math.floor((x / 4294967296) * k);
      const v = fmix(x ^ 0x5bd1e995);
      if (v < sig[bin]) sig[bin] = v;
      filled[bin] = 1;
    }
  }
  // Optimal densification: empty bin i takes the value of the first non-empty bin in its own hash sequence (only
  // empty bins are written, so the non-empty ones read here still hold their own minimum).
  const probes = probesFor(k);
  for (let i = 0; i < k; i++) {
    if (filled[i]) continue;
    for (let t = 1; ; t++) {
      const j = t <= 256 ? probes[i * 256 + t - 1] : (i + t) % k;
      if (filled[j]) { sig[i] = fmix(sig[j] ^ (i + 1)); break; }
    }
  }
  return sig;
}

/**
 * Estimated Jaccard similarity from b-bit signatures (the low 8 bits of each minimum, Li & König 2010): two
 * coordinates agree with probability J + (1 - J)/256, corrected here.
 */
export function signatureSimilarity(a: Uint8Array, aOff: number, b: Uint8Array, bOff: number, k: number): number {
  let eq = 0;
  for (let i = 0; i < k; i++) if (a[aOff + i] === b[bOff + i]) eq++;
  const r = eq / k;
  return Math.max(0, (r - 1 / 256) / (1 - 1 / 256));
}

/** What the deduplicator says of one row: a repeat of an earlier row (exact, or near with a similarity), or nothing. */
export type DupVerdict = { kind: 'exact'; of: number } | { kind: 'near'; of: number; similarity: number } | undefined;

/**
 * Streams rows through exact and near duplicate detection. `add(index, text)` returns the verdict for that row
 * against all earlier rows; a row counts once (exact wins over near). Memory: 24 bytes per row for the exact table,
 * K bytes of b-bit signature and K/rowsPerBand band-table slots per indexed row (about 0.3 KB a row).
 */
export class Deduplicator {
  private readonly exact = new FingerprintTable();
  private readonly bandTables: FingerprintTable[];
  private sigs = new Uint8Array(0);
  private rowOf = new Int32Array(1024);
  private readonly k: number;
  // Per-row scratch, reused: fingerprint, signature, its b-bit form, the candidates already compared.
  private readonly fp: Fingerprint = { hi: 0, lo: 0, words: new Uint32Array(256), nWords: 0 };
  private readonly sig: Uint32Array;
  private readonly bits: Uint8Array;
  private readonly seen: Int32Array;
  exactCount = 0; nearCount = 0; nearIndexed = 0;
  constructor(readonly params: MinHashParams = DEFAULT_MINHASH, readonly maxNearRows = 500_000) {
    this.bandTables = Array.from({ length: params.bands }, () => new FingerprintTable());
    this.k = params.bands * params.rowsPerBand;
    this.sig = new Uint32Array(this.k); this.bits = new Uint8Array(this.k); this.seen = new Int32Array(params.bands);
  }

  add(index: number, text: string): DupVerdict {
    fingerprintInto(text, this.fp);
    return this.decide(index);
  }

  /**
   * `add` for a row whose text is all ASCII, given as its bytes `bytes[start, end)` (one byte per character; a byte of
   * 128 or more would be hashed wrongly, so the caller must know): the same verdict as `add` of that text.
   */
  addAscii(index: number, bytes: Uint8Array, start: number, end: number): DupVerdict {
    fingerprintAsciiBytes(bytes, start, end, this.fp);
    return this.decide(index);
  }

  /** The verdict for the row whose fingerprint is in `this.fp`; indexes it. */
  private decide(index: number): DupVerdict {
    const fp = this.fp;
    const prev = this.exact.getOrInsert(fp.hi, fp.lo, index);
    if (prev >= 0) { this.exactCount++; return { kind: 'exact', of: prev }; }
    const sig = minhashOfHashes(fp.words, fp.nWords, this.params, this.sig);
    if (!sig) return undefined;
    const { bands, rowsPerBand, threshold } = this.params;
    const k = this.k;
    const insert = this.nearIndexed < this.maxNearRows;
    const slot = this.nearIndexed;
    const bits = this.bits, seen = this.seen;
    for (let i = 0; i < k; i++) bits[i] = sig[i] & 0xff;
    let bestOf = -1, bestSim = 0, nSeen = 0;
    for (let b = 0; b < bands; b++) {
      // A 64-bit key of the band's values (two multiply-xor lanes, mixed at the end): equal bands, equal keys.
      let h1 = b + 1, h2 = 0x7f4a7c15 ^ b;
      for (let r = b * rowsPerBand, e = r + rowsPerBand; r < e; r++) { const v = sig[r]; h1 = Math.imul(h1 ^ v, 0x9e3779b1); h2 = Math.imul(h2 ^ v, 0x85ebca6b) + r; }
      h1 = fmix(h1); h2 = fmix(h2);
      // The band table stores the signature slot of the first row with this band.
      const other = this.bandTables[b].getOrInsert(h1, h2, slot, insert);
      if (other < 0) continue;
      let dup = false;
      for (let s = 0; s < nSeen; s++) if (seen[s] === other) { dup = true; break; }
      if (dup) continue;
      seen[nSeen++] = other;
      const sim = signatureSimilarity(bits, 0, this.sigs, other * k, k);
      if (sim >= threshold && (bestOf < 0 || sim > bestSim)) { bestOf = this.rowOf[other]; bestSim = sim; }
    }
    if (insert) {
      if ((slot + 1) * k > this.sigs.length) { const g = new Uint8Array(Math.max(k * 1024, this.sigs.length * 2)); g.set(this.sigs); this.sigs = g; }
      this.sigs.set(bits, slot * k);
      if (slot === this.rowOf.length) { const g = new Int32Array(this.rowOf.length * 2); g.set(this.rowOf); this.rowOf = g; }
      this.rowOf[slot] = index;
      this.nearIndexed++;
    }
    if (bestOf >= 0) { this.nearCount++; return { kind: 'near', of: bestOf, similarity: bestSim }; }
    return undefined;
  }
}

import type { DedupStage, RowVerdict } from './stage';

const NONE: RowVerdict[] = [];

/** A `DedupStage` over a `Deduplicator` in the calling thread: each verdict is ready when `add` returns. */
export function inlineDedup(opts: { maxNearRows?: number } = {}): DedupStage {
  const d = new Deduplicator(undefined, opts.maxNearRows);
  let ready: RowVerdict[] = [];
  return {
    add(index, text) { const v = d.add(index, text); if (v) ready.push({ index, verdict: v }); },
    take() { if (ready.length === 0) return NONE; const r = ready; ready = []; return r; },
    backpressure: () => undefined,
    finish: () => Promise.resolve({ exact: d.exactCount, near: d.nearCount, nearIndexed: d.nearIndexed, maxNearRows: d.maxNearRows }),
    dispose() { /* nothing held */ },
  };
}
