/**
 * A compact, transferable form of an encoding for the inspector: typed arrays instead of arrays of numbers, pairs and
 * booleans, and each distinct token string once. An encoding of 10 MB of text (about 3 M tokens) is four typed arrays
 * plus a few tens of thousands of strings, which `postMessage` moves between the worker, the extension host and the
 * webview without building millions of small objects (structured clone and VS Code's webview messages transfer
 * ArrayBuffers as bytes). No imports: the webview reads it through the protocol's types.
 */

/** An encoding of `count` tokens, packed. Token `i` is `pieces[pieceOf[i]]`, id `ids[i]`, source UTF-16 range
 *  `[offsets[2i], offsets[2i + 1])`, special when `special[i]` is 1. */
export interface PackedEncoding {
  count: number;
  ids: Int32Array;
  /** `[start, end)` per token, in UTF-16 code units of the encoded text, flattened: length `2 * count`. */
  offsets: Uint32Array;
  /** 1 for special tokens (template BOS/EOS/CLS, added special tokens, control pieces), else 0. */
  special: Uint8Array;
  /** Distinct token strings, in order of first use. */
  pieces: string[];
  /** Index into `pieces` per token. */
  pieceOf: Uint32Array;
}

/** What `packEncoding` takes: parallel lists of one encoding (`offsets` in UTF-16 code units). */
export interface UnpackedEncoding { ids: number[]; tokens: string[]; offsets: [number, number][]; special: boolean[] }

/** Packs parallel lists (all of the same length; throws a RangeError otherwise). */
export function packEncoding(e: UnpackedEncoding): PackedEncoding {
  const n = e.ids.length;
  if (e.tokens.length !== n || e.offsets.length !== n || e.special.length !== n) {
    throw new RangeError(`packEncoding: ${n} ids but ${e.tokens.length} tokens, ${e.offsets.length} offsets, ${e.special.length} special flags`);
  }
  const ids = new Int32Array(n);
  const offsets = new Uint32Array(2 * n);
  const special = new Uint8Array(n);
  const pieceOf = new Uint32Array(n);
  const pieces: string[] = [];
  const index = new Map<string, number>();
  for (let i = 0; i < n; i++) {
    ids[i] = e.ids[i];
    offsets[2 * i] = e.offsets[i][0];
    offsets[2 * i + 1] = e.offsets[i][1];
    special[i] = e.special[i] ? 1 : 0;
    const t = e.tokens[i];
    let k = index.get(t);
    if (k === undefined) { k = pieces.length; pieces.push(t); index.set(t, k); }
    pieceOf[i] = k;
  }
  return { count: n, ids, offsets, special, pieces, pieceOf };
}

/** The parallel lists back (tests, and callers that want plain arrays of a small encoding). */
export function unpackEncoding(p: PackedEncoding): UnpackedEncoding {
  const out: UnpackedEncoding = { ids: [], tokens: [], offsets: [], special: [] };
  for (let i = 0; i < p.count; i++) {
    out.ids.push(p.ids[i]);
    out.tokens.push(p.pieces[p.pieceOf[i]]);
    out.offsets.push([p.offsets[2 * i], p.offsets[2 * i + 1]]);
    out.special.push(p.special[i] === 1);
  }
  return out;
}

/** The ArrayBuffers of a packed encoding, for `postMessage`'s transfer list. */
export function packedBuffers(p: PackedEncoding): ArrayBuffer[] {
  return [p.ids.buffer, p.offsets.buffer, p.special.buffer, p.pieceOf.buffer] as ArrayBuffer[];
}
