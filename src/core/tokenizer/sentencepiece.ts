/**
 * SentencePiece `.model` files: parsing (protobuf, with protobufjs over our own copy of the message definitions we
 * need from the published schema `src/sentencepiece_model.proto` of google/sentencepiece) and encoding/decoding as
 * the sentencepiece library (C++, `SentencePieceProcessor::Encode`/`Decode`) does it:
 * - normalization from the model's `NormalizerSpec` (`Normalizer::Normalize`: the precompiled charsmap, a Darts
 *   double-array trie over UTF-8 bytes, longest match; `add_dummy_prefix`, `remove_extra_whitespaces`,
 *   `escape_whitespaces`, `treat_whitespace_as_suffix`; user-defined symbols matched first and never normalized);
 * - the Unigram model (`unigram_model.cc` `EncodeOptimized`: Viterbi over byte positions, float32 scores, unknown
 *   characters at `min_score - 10`, user-defined symbols at `length * max_score - 0.1`);
 * - the BPE model (`bpe_model.cc`: merge the adjacent pair with the highest piece score, leftmost on ties;
 *   resegment UNUSED pieces);
 * - WORD and CHAR models;
 * - byte fallback (unknown pieces become `<0xNN>` pieces) and the merging of runs of unknown pieces.
 * Offsets are `[begin, end)` in the original text, from the normalizer's norm-to-orig map, as `SentencePieceText`.
 */
import type protobuf from 'protobufjs';
import { protobuf as loadProtobuf } from '../vendor';
import { PairTable } from './fastBpe';

/** Piece types of `ModelProto.SentencePiece.Type`. */
export const enum PieceType { NORMAL = 1, UNKNOWN = 2, CONTROL = 3, USER_DEFINED = 4, UNUSED = 5, BYTE = 6 }
/** `TrainerSpec.ModelType`. */
export const enum SpModelType { UNIGRAM = 1, BPE = 2, WORD = 3, CHAR = 4 }

/** The message definitions we read (field numbers and defaults as in sentencepiece_model.proto, proto2). */
const PROTO = `
syntax = "proto2";
package sentencepiece;
message TrainerSpec {
  enum ModelType { UNIGRAM = 1; BPE = 2; WORD = 3; CHAR = 4; }
  optional ModelType model_type = 3 [default = UNIGRAM];
  optional int32 vocab_size = 4 [default = 8000];
  optional int32 max_sentencepiece_length = 20 [default = 16];
  optional bool treat_whitespace_as_suffix = 24 [default = false];
  optional bool split_digits = 25 [default = false];
  optional bool byte_fallback = 35 [default = false];
  optional int32 unk_id = 40 [default = 0];
  optional int32 bos_id = 41 [default = 1];
  optional int32 eos_id = 42 [default = 2];
  optional int32 pad_id = 43 [default = -1];
  optional string unk_surface = 44 [default = " ⁇ "];
  optional string unk_piece = 45 [default = "<unk>"];
  optional string bos_piece = 46 [default = "<s>"];
  optional string eos_piece = 47 [default = "</s>"];
  optional string pad_piece = 48 [default = "<pad>"];
  extensions 200 to max;
}
message NormalizerSpec {
  optional string name = 1;
  optional bytes precompiled_charsmap = 2;
  optional bool add_dummy_prefix = 3 [default = true];
  optional bool remove_extra_whitespaces = 4 [default = true];
  optional bool escape_whitespaces = 5 [default = true];
  optional string normalization_rule_tsv = 6;
  extensions 200 to max;
}
message ModelProto {
  message SentencePiece {
    enum Type { NORMAL = 1; UNKNOWN = 2; CONTROL = 3; USER_DEFINED = 4; BYTE = 6; UNUSED = 5; }
    optional string piece = 1;
    optional float score = 2;
    optional Type type = 3 [default = NORMAL];
    extensions 200 to max;
  }
  repeated SentencePiece pieces = 1;
  optional TrainerSpec trainer_spec = 2;
  optional NormalizerSpec normalizer_spec = 3;
  optional NormalizerSpec denormalizer_spec = 5;
  extensions 200 to max;
}
`;

let modelType: protobuf.Type | undefined;
function modelProtoType(): protobuf.Type {
  return modelType ??= loadProtobuf().parse(PROTO, { keepCase: true }).root.lookupType('sentencepiece.ModelProto');
}

/** One vocabulary entry of a `.model`. */
export interface SpPiece { piece: string; score: number; type: PieceType }

/** The parts of a `ModelProto` the encoder uses. */
export interface SpModelProto {
  pieces: SpPiece[];
  trainer: {
    modelType: SpModelType; vocabSize: number; byteFallback: boolean; treatWhitespaceAsSuffix: boolean; splitDigits: boolean;
    unkId: number; bosId: number; eosId: number; padId: number; unkSurface: string;
    unkPiece: string; bosPiece: string; eosPiece: string; padPiece: string;
  };
  normalizer: { name: string; precompiledCharsmap: Uint8Array; addDummyPrefix: boolean; removeExtraWhitespaces: boolean; escapeWhitespaces: boolean };
  denormalizer?: { name: string; precompiledCharsmap: Uint8Array };
}

/**
 * Parses the bytes of a SentencePiece `.model` (a serialized `sentencepiece.ModelProto`). Throws an Error naming
 * `path` when the bytes are not such a protobuf (or hold no pieces).
 */
export function parseSentencePieceModel(bytes: Uint8Array, path = '<model>'): SpModelProto {
  let msg: Record<string, any>;
  try {
    const type = modelProtoType();
    msg = type.toObject(type.decode(bytes), { defaults: true, longs: Number, enums: Number, bytes: Uint8Array as any }) as Record<string, any>;
  } catch (e) {
    throw new Error(`${path} is not a SentencePiece model (protobuf ModelProto): ${(e as Error).message}`);
  }
  const pieces: SpPiece[] = (msg.pieces ?? []).map((p: any) => ({ piece: String(p.piece ?? ''), score: Number(p.score ?? 0), type: Number(p.type ?? 1) }));
  if (pieces.length === 0) throw new Error(`${path} is not a SentencePiece model: it holds no pieces`);
  const t = msg.trainer_spec ?? {};
  const n = msg.normalizer_spec ?? {};
  const asBytes = (b: unknown): Uint8Array => (b instanceof Uint8Array ? b : new Uint8Array(0));
  const model: SpModelProto = {
    pieces,
    trainer: {
      modelType: Number(t.model_type ?? 1), vocabSize: Number(t.vocab_size ?? pieces.length), byteFallback: !!t.byte_fallback,
      treatWhitespaceAsSuffix: !!t.treat_whitespace_as_suffix, splitDigits: !!t.split_digits,
      unkId: Number(t.unk_id ?? 0), bosId: Number(t.bos_id ?? 1), eosId: Number(t.eos_id ?? 2), padId: Number(t.pad_id ?? -1),
      unkSurface: t.unk_surface ?? ' \u2047 ', unkPiece: t.unk_piece ?? '<unk>', bosPiece: t.bos_piece ?? '<s>', eosPiece: t.eos_piece ?? '</s>', padPiece: t.pad_piece ?? '<pad>',
    },
    normalizer: {
      name: String(n.name ?? ''), precompiledCharsmap: asBytes(n.precompiled_charsmap),
      addDummyPrefix: n.add_dummy_prefix ?? true, removeExtraWhitespaces: n.remove_extra_whitespaces ?? true, escapeWhitespaces: n.escape_whitespaces ?? true,
    },
  };
  if (msg.denormalizer_spec && asBytes(msg.denormalizer_spec.precompiled_charsmap).length > 0) {
    model.denormalizer = { name: String(msg.denormalizer_spec.name ?? ''), precompiledCharsmap: asBytes(msg.denormalizer_spec.precompiled_charsmap) };
  }
  return model;
}

const SPACE_SYMBOL = '\u2581';
const SPACE_BYTES = [0xe2, 0x96, 0x81];
const REPLACEMENT = [0xef, 0xbf, 0xbd];
const utf8 = new TextEncoder();
const utf8Decoder = new TextDecoder('utf-8');

/** Byte length of the UTF-8 character starting with byte `b` (1 for an invalid lead byte). */
function oneCharLen(b: number): number {
  return b < 0x80 ? 1 : b < 0xc0 ? 1 : b < 0xe0 ? 2 : b < 0xf0 ? 3 : b < 0xf8 ? 4 : 1;
}

/** Length of a valid UTF-8 character at `pos`, or 0 when the bytes there are malformed (`IsValidDecodeUTF8`). */
function validCharLen(bytes: Uint8Array, pos: number, end: number): number {
  const b = bytes[pos];
  const n = oneCharLen(b);
  if (b >= 0x80 && b < 0xc2) return 0;
  if (n === 1) return b < 0x80 ? 1 : 0;
  if (pos + n > end) return 0;
  for (let i = 1; i < n; i++) if ((bytes[pos + i] & 0xc0) !== 0x80) return 0;
  return n;
}

/** A byte trie (children per byte), used for pieces and user-defined symbols. */
class ByteTrie {
  private readonly next: Array<Map<number, number>> = [new Map()];
  private readonly value: number[] = [-1];
  insert(key: Uint8Array, value: number): void {
    let node = 0;
    for (const b of key) {
      let child = this.next[node].get(b);
      if (child === undefined) { child = this.next.length; this.next.push(new Map()); this.value.push(-1); this.next[node].set(b, child); }
      node = child;
    }
    this.value[node] = value;
  }
  /** Calls `fn(length, value)` for every key that is a prefix of bytes[pos..end). */
  prefixes(bytes: Uint8Array, pos: number, end: number, fn: (length: number, value: number) => void): void {
    let node = 0;
    for (let i = pos; i < end; i++) {
      const child = this.next[node].get(bytes[i]);
      if (child === undefined) return;
      node = child;
      if (this.value[node] >= 0) fn(i - pos + 1, this.value[node]);
    }
  }
  /** Length of the longest key that is a prefix of bytes[pos..end), 0 when none. */
  longest(bytes: Uint8Array, pos: number, end: number): number {
    let best = 0;
    this.prefixes(bytes, pos, end, (len) => { best = len; });
    return best;
  }
}

/**
 * The precompiled charsmap of a `NormalizerSpec`: `uint32le trie_size`, a Darts-clone double array of `trie_size`
 * bytes (uint32 units), then the NUL-terminated replacement strings the trie's values point into
 * (sentencepiece `normalizer.cc` `DecodePrecompiledCharsMap`).
 */
class CharsMap {
  private readonly units: Uint32Array;
  private readonly normalized: Uint8Array;
  constructor(blob: Uint8Array) {
    if (blob.length < 4) throw new Error('precompiled charsmap is truncated');
    const view = new DataView(blob.buffer, blob.byteOffset, blob.byteLength);
    const trieSize = view.getUint32(0, true);
    if (trieSize % 4 !== 0 || 4 + trieSize > blob.length) throw new Error('precompiled charsmap has a bad trie size');
    this.units = new Uint32Array(trieSize / 4);
    for (let i = 0; i < this.units.length; i++) this.units[i] = view.getUint32(4 + i * 4, true);
    this.normalized = blob.subarray(4 + trieSize);
  }
  /** Longest match at `pos` (Darts `commonPrefixSearch`): [length, replacement bytes] or undefined. */
  match(bytes: Uint8Array, pos: number, end: number): [number, Uint8Array] | undefined {
    const u = this.units;
    let nodePos = 0;
    let unit = u[nodePos];
    nodePos ^= offsetOf(unit);
    let bestLen = 0;
    let bestValue = 0;
    for (let i = pos; i < end; i++) {
      const c = bytes[i];
      nodePos ^= c;
      if (nodePos >= u.length) break;
      unit = u[nodePos];
      if ((unit & 0x800000ff) >>> 0 !== c) break;
      nodePos ^= offsetOf(unit);
      if ((unit >>> 8) & 1) { bestLen = i - pos + 1; bestValue = u[nodePos] & 0x7fffffff; }
    }
    if (bestLen === 0) return undefined;
    let stop = bestValue;
    while (stop < this.normalized.length && this.normalized[stop] !== 0) stop++;
    return [bestLen, this.normalized.subarray(bestValue, stop)];
  }
}
function offsetOf(unit: number): number {
  return ((unit >>> 10) << ((unit & (1 << 9)) >>> 6)) >>> 0;
}

/** Normalized UTF-8 bytes plus, for each normalized byte (and one past the end), the original byte offset. */
interface Normalized { bytes: Uint8Array; length: number; normToOrig: Int32Array }

/** One encoded piece: id, piece string, original byte range. */
interface SpToken { id: number; piece: string; begin: number; end: number }

/** A loaded SentencePiece processor over a parsed `.model`. */
export class SentencePieceProcessor {
  readonly pieces: SpPiece[];
  private readonly pieceIds = new Map<string, number>();
  private readonly reserved = new Map<string, number>();
  private readonly pieceTrie = new ByteTrie();
  private readonly userTrie = new ByteTrie();
  private readonly hasUserDefined: boolean;
  private readonly charsMap?: CharsMap;
  private readonly scores: Float32Array;
  private readonly types: Uint8Array;
  private readonly minScore: number;
  private readonly maxScore: number;
  readonly unkId: number;
  private readonly byteIds = new Int32Array(256).fill(-1);

  constructor(readonly model: SpModelProto) {
    this.pieces = model.pieces;
    this.scores = new Float32Array(model.pieces.length);
    this.types = new Uint8Array(model.pieces.length);
    let minScore = Infinity;
    let maxScore = -Infinity;
    let unk = -1;
    let hasUser = false;
    model.pieces.forEach((p, i) => {
      this.scores[i] = p.score;
      this.types[i] = p.type;
      const normalLike = p.type === PieceType.NORMAL || p.type === PieceType.USER_DEFINED || p.type === PieceType.UNUSED;
      if (normalLike) {
        this.pieceIds.set(p.piece, i);
        if (p.type !== PieceType.UNUSED) this.pieceTrie.insert(utf8.encode(p.piece), i);
      } else this.reserved.set(p.piece, i);
      if (p.type === PieceType.USER_DEFINED) { this.userTrie.insert(utf8.encode(p.piece), i); hasUser = true; }
      if (p.type === PieceType.UNKNOWN) unk = i;
      if (p.type === PieceType.NORMAL) { minScore = Math.min(minScore, this.scores[i]); maxScore = Math.max(maxScore, this.scores[i]); }
      if (p.type === PieceType.BYTE) {
        const m = /^<0x([0-9A-F]{2})>$/.exec(p.piece);
        if (m) this.byteIds[parseInt(m[1], 16)] = i;
      }
    });
    if (unk < 0) throw new Error('SentencePiece model has no <unk> piece');
    this.unkId = unk;
    this.hasUserDefined = hasUser;
    this.minScore = minScore === Infinity ? 0 : minScore;
    this.maxScore = maxScore === -Infinity ? 0 : maxScore;
    if (model.normalizer.precompiledCharsmap.length > 0) this.charsMap = new CharsMap(model.normalizer.precompiledCharsmap);
  }

  get vocabSize(): number { return this.pieces.length; }
  pieceToId(piece: string): number { return this.reserved.get(piece) ?? this.pieceIds.get(piece) ?? this.unkId; }
  idToPiece(id: number): string | undefined { return this.pieces[id]?.piece; }
  isControl(id: number): boolean { return this.types[id] === PieceType.CONTROL; }
  isUnknown(id: number): boolean { return this.types[id] === PieceType.UNKNOWN; }
  isByte(id: number): boolean { return this.types[id] === PieceType.BYTE; }
  isUserDefined(id: number): boolean { return this.types[id] === PieceType.USER_DEFINED; }

  /** `Normalizer::Normalize` over UTF-8 bytes, with the norm-to-orig byte map. */
  normalize(input: Uint8Array): Normalized {
    const spec = this.model.normalizer;
    const treatSuffix = this.model.trainer.treatWhitespaceAsSuffix;
    const out = new Uint8Array(input.length * 3 + 16);
    const n2o = new Int32Array(input.length * 3 + 17);
    let len = 0;
    const ensure = (extra: number): void => { if (len + extra > out.length) throw new Error('normalized text grew past its buffer'); };
    let buf = out;
    let map = n2o;
    const push = (b: number, orig: number): void => {
      if (len >= buf.length) {
        const nb = new Uint8Array(buf.length * 2); nb.set(buf); buf = nb;
        const nm = new Int32Array(map.length * 2); nm.set(map); map = nm;
      }
      buf[len] = b; map[len] = orig; len++;
    };
    void ensure;
    const end = input.length;
    let consumed = 0;
    const prefix = (pos: number): [Uint8Array | number[], number] => {
      if (this.hasUserDefined) {
        const l = this.userTrie.longest(input, pos, end);
        if (l > 0) return [input.subarray(pos, pos + l), l];
      }
      if (this.charsMap) {
        const m = this.charsMap.match(input, pos, end);
        if (m) return [m[1], m[0]];
      }
      const l = validCharLen(input, pos, end);
      if (l === 0) return [REPLACEMENT, 1];
      return [input.subarray(pos, pos + l), l];
    };
    const isSpaceOnly = (p: Uint8Array | number[]): boolean => p.length === 1 && p[0] === 0x20;
    const addWs = (orig: number): void => {
      if (spec.escapeWhitespaces) for (const b of SPACE_BYTES) push(b, orig); else push(0x20, orig);
    };
    if (end === 0) return { bytes: buf, length: 0, normToOrig: Int32Array.of(0) };
    if (spec.removeExtraWhitespaces) {
      while (consumed < end) {
        const [p, l] = prefix(consumed);
        if (!isSpaceOnly(p)) break;
        consumed += l;
      }
    }
    if (consumed >= end) return { bytes: buf, length: 0, normToOrig: Int32Array.of(consumed) };
    if (!treatSuffix && spec.addDummyPrefix) addWs(consumed);
    let isPrevSpace = spec.removeExtraWhitespaces;
    while (consumed < end) {
      const [p, l] = prefix(consumed);
      let s = 0;
      if (isPrevSpace && spec.removeExtraWhitespaces) while (s < p.length && p[s] === 0x20) s++;
      if (s < p.length) {
        for (let k = s; k < p.length; k++) {
          if (spec.escapeWhitespaces && p[k] === 0x20) for (const b of SPACE_BYTES) push(b, consumed);
          else push(p[k], consumed);
        }
        isPrevSpace = p[p.length - 1] === 0x20;
      }
      consumed += l;
      if (!spec.removeExtraWhitespaces) isPrevSpace = false;
    }
    if (spec.removeExtraWhitespaces) {
      if (spec.escapeWhitespaces) {
        while (len >= 3 && buf[len - 3] === 0xe2 && buf[len - 2] === 0x96 && buf[len - 1] === 0x81) len -= 3;
      } else while (len >= 1 && buf[len - 1] === 0x20) len--;
    }
    if (treatSuffix && spec.addDummyPrefix) addWs(consumed);
    if (len >= map.length) { const nm = new Int32Array(map.length + 1); nm.set(map); map = nm; }
    map[len] = consumed;
    return { bytes: buf, length: len, normToOrig: map };
  }

  /** The model's segmentation of normalized bytes: [byteStart, byteEnd, id] triples, in order. */
  private segment(bytes: Uint8Array, size: number): Array<[number, number, number]> {
    switch (this.model.trainer.modelType) {
      case SpModelType.BPE: return this.segmentBpe(bytes, size);
      case SpModelType.WORD: return this.segmentWord(bytes, size);
      case SpModelType.CHAR: return this.segmentChar(bytes, size);
      default: return this.segmentUnigram(bytes, size);
    }
  }

  /** `unigram_model.cc` `Model::EncodeOptimized`. */
  private segmentUnigram(bytes: Uint8Array, size: number): Array<[number, number, number]> {
    const unkScore = Math.fround(this.minScore - 10);
    const bestScore = new Float32Array(size + 1);
    const startsAt = new Int32Array(size + 1).fill(-1);
    const bestId = new Int32Array(size + 1).fill(-1);
    let pos = 0;
    while (pos < size) {
      const till = bestScore[pos];
      const mblen = Math.min(oneCharLen(bytes[pos]), size - pos);
      let hasSingle = false;
      this.pieceTrie.prefixes(bytes, pos, size, (length, id) => {
        const score = this.types[id] === PieceType.USER_DEFINED ? Math.fround(length * this.maxScore - 0.1) : this.scores[id];
        const cand = Math.fround(score + till);
        const target = pos + length;
        if (startsAt[target] === -1 || cand > bestScore[target]) { bestScore[target] = cand; startsAt[target] = pos; bestId[target] = id; }
        if (length === mblen) hasSingle = true;
      });
      if (!hasSingle) {
        const target = pos + mblen;
        const cand = Math.fround(unkScore + till);
        if (startsAt[target] === -1 || cand > bestScore[target]) { bestScore[target] = cand; startsAt[target] = pos; bestId[target] = this.unkId; }
      }
      pos += mblen;
    }
    const out: Array<[number, number, number]> = [];
    let endsAt = size;
    while (endsAt > 0) {
      const s = startsAt[endsAt];
      out.push([s, endsAt, bestId[endsAt]]);
      endsAt = s;
    }
    return out.reverse();
  }

  /** Id-pair merge table for BPE, built on first use: (left piece, right piece) -> merged piece. */
  private bpeTable?: { table: PairTable; charIds: Map<string, number> };
  private bpeTables(): { table: PairTable; charIds: Map<string, number> } {
    if (this.bpeTable) return this.bpeTable;
    // Symbols are always vocabulary pieces or single characters; characters outside the vocabulary get ids past it.
    const charIds = new Map<string, number>();
    const idOf = (str: string, single: boolean): number | undefined => {
      const id = this.pieceIds.get(str);
      if (id !== undefined) return id;
      if (!single) return undefined;
      let c = charIds.get(str);
      if (c === undefined) { c = this.pieces.length + charIds.size; charIds.set(str, c); }
      return c;
    };
    const table = new PairTable(this.pieceIds.size * 4);
    for (const [piece, id] of this.pieceIds) {
      const cps = Array.from(piece);
      if (cps.length < 2) continue;
      let left = '';
      for (let k = 1; k < cps.length; k++) {
        left += cps[k - 1];
        const right = cps.slice(k).join('');
        const l = idOf(left, k === 1);
        const r = idOf(right, k === cps.length - 1);
        if (l !== undefined && r !== undefined) table.setIfAbsent(l, r, 0, id);
      }
    }
    this.bpeTable = { table, charIds };
    return this.bpeTable;
  }

  /** `bpe_model.cc` `Model::SampleEncode` without dropout, on piece ids. */
  private segmentBpe(bytes: Uint8Array, size: number): Array<[number, number, number]> {
    const { table, charIds } = this.bpeTables();
    const nPieces = this.pieces.length;
    const text = utf8Decoder.decode(bytes.subarray(0, size));
    // initial symbols: user-defined symbols (frozen) or one character each
    const sym: number[] = [];
    const start: number[] = [];
    const len: number[] = [];
    const frozen: number[] = [];
    const charOf: string[] = [];
    let pos = 0;
    let u = 0;
    while (pos < size) {
      let l = this.hasUserDefined ? this.userTrie.longest(bytes, pos, size) : 0;
      if (l > 0) {
        const str = utf8Decoder.decode(bytes.subarray(pos, pos + l));
        sym.push(this.pieceIds.get(str) ?? this.unkId); start.push(pos); len.push(l); frozen.push(1); charOf.push(str);
        pos += l; u += str.length;
        continue;
      }
      l = Math.min(oneCharLen(bytes[pos]), size - pos);
      const cp = text.codePointAt(u)!;
      const ch = cp > 0xffff ? text.slice(u, u + 2) : text[u];
      u += ch.length;
      let id = this.pieceIds.get(ch);
      if (id === undefined) { id = charIds.get(ch); if (id === undefined) { id = nPieces + charIds.size; charIds.set(ch, id); } }
      sym.push(id); start.push(pos); len.push(l); frozen.push(0); charOf.push(ch);
      pos += l;
    }
    const n = sym.length;
    const next = new Int32Array(n);
    const prev = new Int32Array(n);
    for (let i = 0; i < n; i++) { prev[i] = i - 1; next[i] = i + 1 < n ? i + 1 : -1; }
    // max-heap on (score desc, left asc) over typed arrays
    let hScore = new Float64Array(Math.max(16, n));
    let hLeft = new Int32Array(hScore.length);
    let hRight = new Int32Array(hScore.length);
    let hSize = new Int32Array(hScore.length);
    let count = 0;
    const before = (i: number, j: number): boolean => hScore[i] > hScore[j] || (hScore[i] === hScore[j] && hLeft[i] < hLeft[j]);
    const swap = (i: number, j: number): void => {
      let t = hScore[i]; hScore[i] = hScore[j]; hScore[j] = t;
      t = hLeft[i]; hLeft[i] = hLeft[j]; hLeft[j] = t;
      t = hRight[i]; hRight[i] = hRight[j]; hRight[j] = t;
      t = hSize[i]; hSize[i] = hSize[j]; hSize[j] = t;
    };
    const revMerge = new Map<number, [number, number]>();
    const maybeAdd = (left: number, right: number): void => {
      if (left === -1 || right === -1 || frozen[left] || frozen[right]) return;
      const slot = table.find(sym[left], sym[right]);
      if (slot < 0) return;
      const id = table.merged[slot];
      if (count === hScore.length) {
        const grow = <T extends Float64Array | Int32Array>(a: T): T => { const b = new (a.constructor as any)(a.length * 2); b.set(a); return b; };
        hScore = grow(hScore); hLeft = grow(hLeft); hRight = grow(hRight); hSize = grow(hSize);
      }
      let i = count++;
      hScore[i] = this.scores[id]; hLeft[i] = left; hRight[i] = right; hSize[i] = len[left] + len[right];
      while (i > 0) { const p = (i - 1) >> 1; if (!before(i, p)) break; swap(i, p); i = p; }
      if (this.types[id] === PieceType.UNUSED) revMerge.set(id, [sym[left], sym[right]]);
    };
    for (let i = 1; i < n; i++) maybeAdd(i - 1, i);
    while (count > 0) {
      const left = hLeft[0], right = hRight[0], sz = hSize[0];
      count--;
      if (count > 0) {
        hScore[0] = hScore[count]; hLeft[0] = hLeft[count]; hRight[0] = hRight[count]; hSize[0] = hSize[count];
        let i = 0;
        for (;;) {
          const l = 2 * i + 1, r = l + 1;
          let k = i;
          if (l < count && before(l, k)) k = l;
          if (r < count && before(r, k)) k = r;
          if (k === i) break;
          swap(i, k); i = k;
        }
      }
      if (len[left] === 0 || len[right] === 0 || len[left] + len[right] !== sz || next[left] !== right) continue;
      const slot = table.find(sym[left], sym[right]);
      if (slot < 0) continue;
      sym[left] = table.merged[slot];
      len[left] += len[right];
      next[left] = next[right];
      if (next[right] >= 0) prev[next[right]] = left;
      len[right] = 0;
      maybeAdd(prev[left], left);
      maybeAdd(left, next[left]);
    }
    const out: Array<[number, number, number]> = [];
    const pieceLen = (id: number): number => utf8.encode(this.pieces[id].piece).length;
    const resegment = (s: number, id: number): void => {
      const p = this.types[id] === PieceType.UNUSED ? revMerge.get(id) : undefined;
      if (!p) { out.push([s, s + pieceLen(id), id]); return; }
      const [l, r] = p;
      if (l >= nPieces || r >= nPieces) { out.push([s, s + pieceLen(id), id]); return; }
      resegment(s, l);
      resegment(s + pieceLen(l), r);
    };
    for (let i = n > 0 ? 0 : -1; i !== -1; i = next[i]) {
      const id = sym[i];
      if (id >= nPieces) out.push([start[i], start[i] + len[i], this.unkId]);
      else if (this.types[id] === PieceType.UNUSED) resegment(start[i], id);
      else out.push([start[i], start[i] + len[i], id]);
    }
    return out;
  }

  /** `word_model.cc`: split before each whitespace symbol. */
  private segmentWord(bytes: Uint8Array, size: number): Array<[number, number, number]> {
    const out: Array<[number, number, number]> = [];
    let start = 0;
    for (let i = 0; i < size; i += oneCharLen(bytes[i])) {
      const isWs = bytes[i] === 0xe2 && bytes[i + 1] === 0x96 && bytes[i + 2] === 0x81;
      if (isWs && i > start) { out.push([start, i, this.pieceToId(utf8Decoder.decode(bytes.subarray(start, i)))]); start = i; }
    }
    if (start < size) out.push([start, size, this.pieceToId(utf8Decoder.decode(bytes.subarray(start, size)))]);
    return out;
  }

  /** `char_model.cc`: one piece per character. */
  private segmentChar(bytes: Uint8Array, size: number): Array<[number, number, number]> {
    const out: Array<[number, number, number]> = [];
    for (let i = 0; i < size;) {
      const l = Math.min(oneCharLen(bytes[i]), size - i);
      out.push([i, i + l, this.pieceToId(utf8Decoder.decode(bytes.subarray(i, i + l)))]);
      i += l;
    }
    return out;
  }

  /**
   * `SentencePieceProcessor::Encode`: ids, pieces and original byte ranges (`begin`/`end` into the UTF-8 of `input`).
   * Unknown pieces keep their surface as piece text and consecutive ones merge; with byte fallback they become
   * `<0xNN>` pieces (all but the last with an empty range, as the library does).
   */
  encodeBytes(input: Uint8Array): SpToken[] {
    const norm = this.normalize(input);
    const segs = this.segment(norm.bytes, norm.length);
    const out: SpToken[] = [];
    let prevUnk = false;
    const byteFallback = this.model.trainer.byteFallback;
    for (const [s, e, id] of segs) {
      const isUnk = id === this.unkId;
      const begin = norm.normToOrig[s];
      const end = norm.normToOrig[e];
      if (isUnk && byteFallback) {
        for (let k = s; k < e; k++) {
          const b = norm.bytes[k];
          const bid = this.byteIds[b] >= 0 ? this.byteIds[b] : this.unkId;
          out.push({ id: bid, piece: `<0x${b.toString(16).toUpperCase().padStart(2, '0')}>`, begin, end: k === e - 1 ? end : begin });
        }
      } else {
        const piece = utf8Decoder.decode(norm.bytes.subarray(s, e));
        if (prevUnk && isUnk) {
          const last = out[out.length - 1];
          last.piece += piece; last.end = end;
        } else out.push({ id, piece, begin, end });
      }
      prevUnk = isUnk;
    }
    return out;
  }

  /** `SentencePieceProcessor::Decode` over ids (ids outside the vocabulary throw, as the library does). */
  decode(ids: number[]): string {
    const spec = this.model.normalizer;
    let text = '';
    let isBosWs = true;
    let bosWsSeen = false;
    let bytes: number[] = [];
    const flushBytes = (): void => {
      if (bytes.length === 0) return;
      const arr = Uint8Array.from(bytes);
      let i = 0;
      while (i < arr.length) {
        const l = validCharLen(arr, i, arr.length);
        if (l === 0) { text += '\ufffd'; i += 1; } else { text += utf8Decoder.decode(arr.subarray(i, i + l)); i += l; }
      }
      bytes = [];
    };
    for (const id of ids) {
      if (!Number.isInteger(id) || id < 0 || id >= this.pieces.length) throw new Error(`Invalid id: ${id}`);
      if (this.isByte(id)) { bytes.push(parseInt(this.pieces[id].piece.slice(3, 5), 16)); continue; }
      flushBytes();
      if (bosWsSeen || text.length > 0) isBosWs = false;
      let piece = this.pieces[id].piece;
      bosWsSeen = false;
      if (this.isControl(id)) continue;
      if (this.isUnknown(id)) { text += this.model.trainer.unkSurface; continue; }
      if (isBosWs && (spec.addDummyPrefix || spec.removeExtraWhitespaces)) {
        if (piece.startsWith(SPACE_SYMBOL)) { piece = piece.slice(1); bosWsSeen = !spec.removeExtraWhitespaces; }
      }
      text += piece.split(SPACE_SYMBOL).join(' ');
    }
    flushBytes();
    return text;
  }
}

