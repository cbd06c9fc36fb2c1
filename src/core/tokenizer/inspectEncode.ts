/**
 * One encode as the tokenizer inspector shows it, in two steps so the tokens can be drawn before the slower check:
 * `inspectEncode` (the encoding, packed: packed.ts) and `inspectRoundTrip` (`decode(encode(text, no special tokens))
 * == text`, with its first difference). Runs in the inspector's encode worker (src/views/tokenizer/encodeWorker.ts);
 * pure.
 */
import type { LoadedTokenizer } from './types';
import { packEncoding, type PackedEncoding } from './packed';

/** Where `decoded` first differs from the text: UTF-16 index, and up to 20 code units of each from there. */
export interface FirstDifference { at: number; text: string; decoded: string }

/** An encode for the inspector. `chars`: UTF-16 length of the text; `ms`: wall-clock milliseconds of the encode. */
export interface InspectedEncoding { packed: PackedEncoding; chars: number; ms: number }

/** The round trip of a text: equal, else where it first differs. `ms`: the encode without special tokens + decode. */
export interface InspectedRoundTrip { roundTrip: boolean; firstDiff?: FirstDifference; ms: number }

/** The steps, in order, for progress reports. */
export type InspectPhase = 'encoding' | 'packing' | 'round-trip';

/** Encodes `text` (special tokens added as Hugging Face does by default when `addSpecialTokens`) and packs it. */
export function inspectEncode(tok: LoadedTokenizer, text: string, addSpecialTokens: boolean, onPhase?: (p: InspectPhase) => void): InspectedEncoding {
  const t0 = Date.now();
  onPhase?.('encoding');
  const enc = tok.encode(text, { addSpecialTokens });
  const ms = Date.now() - t0;
  onPhase?.('packing');
  return { packed: packEncoding({ ids: enc.ids, tokens: enc.tokens, offsets: enc.utf16Offsets, special: enc.special }), chars: text.length, ms };
}

/** `decode(encode(text, no special tokens)) == text`, and the first difference when not. */
export function inspectRoundTrip(tok: LoadedTokenizer, text: string): InspectedRoundTrip {
  const t0 = Date.now();
  const decoded = tok.decode(tok.encode(text, { addSpecialTokens: false }).ids);
  return { roundTrip: decoded === text, firstDiff: firstDifference(text, decoded), ms: Date.now() - t0 };
}

/** The first difference of two strings, or undefined when they are equal. */
export function firstDifference(text: string, decoded: string): FirstDifference | undefined {
  if (text === decoded) return undefined;
  let i = 0;
  while (i < text.length && i < decoded.length && text.charCodeAt(i) === decoded.charCodeAt(i)) i++;
  return { at: i, text: text.slice(i, i + 20), decoded: decoded.slice(i, i + 20) };
}
