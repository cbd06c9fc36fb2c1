/**
 * One encode as the tokenizer inspector shows it: the encoding packed (packed.ts), and the round trip
 * `decode(encode(text, no special tokens)) == text` with its first difference. Runs in the inspector's encode worker
 * (src/views/tokenizer/encodeWorker.ts); pure.
 */
import type { LoadedTokenizer } from './types';
import { packEncoding, type PackedEncoding } from './packed';

/** Where `decoded` first differs from the text: UTF-16 index, and up to 20 code units of each from there. */
export interface FirstDifference { at: number; text: string; decoded: string }

/** An encode for the inspector. `ms`: wall-clock milliseconds of encode + decode. */
export interface InspectedEncoding { packed: PackedEncoding; roundTrip: boolean; firstDiff?: FirstDifference; chars: number; ms: number }

/** The steps, in order, for progress reports. */
export type InspectPhase = 'encoding' | 'decoding' | 'packing';

/** Encodes `text` (special tokens added as Hugging Face does by default when `addSpecialTokens`), decodes, packs. */
export function inspectEncode(tok: LoadedTokenizer, text: string, addSpecialTokens: boolean, onPhase?: (p: InspectPhase) => void): InspectedEncoding {
  const t0 = Date.now();
  onPhase?.('encoding');
  const enc = tok.encode(text, { addSpecialTokens });
  const plain = addSpecialTokens ? tok.encode(text, { addSpecialTokens: false }).ids : enc.ids;
  onPhase?.('decoding');
  const decoded = tok.decode(plain);
  const ms = Date.now() - t0;
  onPhase?.('packing');
  const packed = packEncoding({ ids: enc.ids, tokens: enc.tokens, offsets: enc.utf16Offsets, special: enc.special });
  return { packed, roundTrip: decoded === text, firstDiff: firstDifference(text, decoded), chars: text.length, ms };
}

/** The first difference of two strings, or undefined when they are equal. */
export function firstDifference(text: string, decoded: string): FirstDifference | undefined {
  if (text === decoded) return undefined;
  let i = 0;
  while (i < text.length && i < decoded.length && text.charCodeAt(i) === decoded.charCodeAt(i)) i++;
  return { at: i, text: text.slice(i, i + 20), decoded: decoded.slice(i, i + 20) };
}
