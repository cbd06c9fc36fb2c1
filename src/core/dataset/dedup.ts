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
 * Memory: one signature (112 × 4 bytes) per row plus 14 table slots; past `maxNearRows` rows (default 1,000,000)
 * new rows are still compared against the indexed ones but not added, and the report says how many were indexed.
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
    const cap = (this.mask + 1) * 2;
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
const SPACE = /\s/;

/**
 * One pass over a text (after NFC) giving what both checks need without building strings: the 64-bit fingerprint of
 * (lower-casing is per code point: a Greek final sigma stays σ, where String.toLowerCase on a whole word gives ς)
 * `exactKey(text)` and the 32-bit hashes of `nearWords(text)`, in order. Same results as hashing those strings.
 */
export function fingerprint(text: string): { hi: number; lo: number; words: Uint32Array; nWords: number } {
  const t = text.normalize('NFC');
  let hi = 0x811c9dc5 >>> 0, lo = (0x811c9dc5 ^ 0x5bd1e995) >>> 0;
  let pendingSpace = false, started = false;
  let words = new Uint32Array(64), nWords = 0;
  let wh = 0x811c9dc5 >>> 0, inWord = false;
  const endWord = (): void => {
    if (!inWord) return;
    if (nWords === words.length) { const g = new Uint32Array(words.length * 2); g.set(words); words = g; }
    words[nWords++] = wh >>> 0; wh = 0x811c9dc5 >>> 0; inWord = false;
  };
  for (let i = 0; i < t.length; i++) {
    let c = t.charCodeAt(i);
    const space = c < 128 ? (c === 32 || (c >= 9 && c <= 13)) : SPACE.test(t[i]);
    // exact: whitespace runs -> one space, trimmed
    if (space) { if (started) pendingSpace = true; }
    else {
      if (pendingSpace) { hi ^= 32; hi = Math.imul(hi, 0x01000193); lo ^= 32; lo = Math.imul(lo, 0x01000193); pendingSpace = false; }
      started = true;
      hi ^= c; hi = Math.imul(hi, 0x01000193); lo ^= c; lo = Math.imul(lo, 0x01000193);
    }
    // near: lower-case, punctuation/symbols as separators
    if (space) { endWord(); continue; }
    if (c < 128) {
      if (c >= 65 && c <= 90) c += 32;
      else if (!((c >= 97 && c <= 122) || (c >= 48 && c <= 57))) { endWord(); continue; }
      wh ^= c; wh = Math.imul(wh, 0x01000193); inWord = true;
      continue;
    }
    // a surrogate pair is one code point (emoji are symbols)
    const ch = c >= 0xd800 && c <= 0xdbff && i + 1 < t.length ? t.slice(i, i + 2) : t[i];
    if (ch.length === 2) { i++; const c2 = ch.charCodeAt(1); hi ^= c2; hi = Math.imul(hi, 0x01000193); lo ^= c2; lo = Math.imul(lo, 0x01000193); }
    if (PUNCT.test(ch)) { endWord(); continue; }
    const low = ch.toLowerCase();
    for (let k = 0; k < low.length; k++) { wh ^= low.charCodeAt(k); wh = Math.imul(wh, 0x01000193); }
    inWord = true;
  }
  endWord();
  return { hi: hi >>> 0, lo: lo >>> 0, words, nWords };
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

/** `minhash` over precomputed 32-bit word hashes (FNV-1a of each word), the first `n` of `wh`. */
export function minhashOfHashes(wh: Uint32Array, n0: number, p: MinHashParams = DEFAULT_MINHASH, out?: Uint32Array): Uint32Array | undefined {
  if (n0 === 0) return undefined;
  const words = { length: n0 };
  const k = p.bands * p.rowsPerBand;
  const sig = out ?? new Uint32Array(k);
  sig.fill(0xffffffff);
  const filled = new Uint8Array(k);
  const n = Math.min(p.ngram, words.length);
  for (let i = 0; i + n <= words.length; i++) {
    let x = 0x9747b28c;
    for (let j = 0; j < n; j++) x = Math.imul(x ^ wh[i + j], 0x01000193);
    x = fmix(x);
    const bin = Math.floor((x / 4294967296) * k);
    const v = fmix(x ^ 0x5bd1e995);
    if (v < sig[bin]) sig[bin] = v;
    filled[bin] = 1;
  }
  // Optimal densification: empty bin i takes the value of the first non-empty bin in its own hash sequence.
  const src = sig.slice();
  for (let i = 0; i < k; i++) {
    if (filled[i]) continue;
    for (let t = 1; ; t++) {
      const j = t <= 256 ? fmix(Math.imul(i + 1, 0x9e3779b1) ^ t) % k : (i + t) % k;
      if (filled[j]) { sig[i] = fmix(src[j] ^ (i + 1)); break; }
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
  private readonly k: number;
  exactCount = 0; nearCount = 0; nearIndexed = 0;
  constructor(readonly params: MinHashParams = DEFAULT_MINHASH, readonly maxNearRows = 500_000) {
    this.bandTables = Array.from({ length: params.bands }, () => new FingerprintTable());
    this.k = params.bands * params.rowsPerBand;
  }

  add(index: number, text: string): DupVerdict {
    const fp = fingerprint(text);
    const prev = this.exact.getOrInsert(fp.hi, fp.lo, index);
    if (prev >= 0) { this.exactCount++; return { kind: 'exact', of: prev }; }
    const sig = minhashOfHashes(fp.words, fp.nWords, this.params);
    if (!sig) return undefined;
    const { bands, rowsPerBand, threshold } = this.params;
    const k = this.k;
    const insert = this.nearIndexed < this.maxNearRows;
    const slot = this.nearIndexed;
    const bits = new Uint8Array(k);
    for (let i = 0; i < k; i++) bits[i] = sig[i] & 0xff;
    let best: { of: number; similarity: number } | undefined;
    const seen = new Set<number>();
    for (let b = 0; b < bands; b++) {
      let h1 = b + 1, h2 = 0x7f4a7c15 ^ b;
      for (let r = 0; r < rowsPerBand; r++) { const v = sig[b * rowsPerBand + r]; h1 = fmix((h1 ^ v) + r); h2 = fmix(h2 + Math.imul(v, 0x27d4eb2d)); }
      // The band table stores the signature slot of the first row with this band.
      const other = this.bandTables[b].getOrInsert(h1, h2, slot, insert);
      if (other >= 0 && !seen.has(other)) {
        seen.add(other);
        const sim = signatureSimilarity(bits, 0, this.sigs, other * k, k);
        if (sim >= threshold && (!best || sim > best.similarity)) best = { of: this.rowOf[other], similarity: sim };
      }
    }
    if (insert) {
      if ((slot + 1) * k > this.sigs.length) { const g = new Uint8Array(Math.max(k * 1024, this.sigs.length * 2)); g.set(this.sigs); this.sigs = g; }
      this.sigs.set(bits, slot * k);
      this.rowOf.push(index);
      this.nearIndexed++;
    }
    if (best) { this.nearCount++; return { kind: 'near', ...best }; }
    return undefined;
  }
  private readonly rowOf: number[] = [];
}
