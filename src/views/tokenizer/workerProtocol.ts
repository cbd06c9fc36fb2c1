/**
 * Messages between the inspector's encode worker (encodeWorker.ts, bundled to dist/tokenizerWorker.js) and its
 * client (workerClient.ts). Types only. A job answers `encoded` (all slots' encodings, to draw), then `roundTrip`
 * (the slower check), or `failed`.
 */
import type { FileSnapshot } from '../../core/tokenizer/fileSnapshot';
import type { InspectedEncoding, InspectedRoundTrip, InspectPhase } from '../../core/tokenizer/inspectEncode';

/** Which tokenizer of the inspector: the one it opened, or the one it compares with. */
export type EncodeSlot = 'main' | 'compare';

export type ToEncodeWorker =
  /** Load a tokenizer from the files the host recorded while loading it (path as the host loaded it). */
  | { type: 'load'; slot: EncodeSlot; path: string; snapshot: FileSnapshot }
  | { type: 'encode'; job: number; text: string; addSpecialTokens: boolean; slots: EncodeSlot[] };

export type FromEncodeWorker =
  | { type: 'loaded'; slot: EncodeSlot; error?: string }
  | { type: 'progress'; job: number; slot: EncodeSlot; phase: InspectPhase }
  | { type: 'encoded'; job: number; results: Partial<Record<EncodeSlot, InspectedEncoding>> }
  | { type: 'roundTrip'; job: number; results: Partial<Record<EncodeSlot, InspectedRoundTrip>> }
  | { type: 'failed'; job: number; message: string };
