/**
 * Messages between the tokenizer inspector webview (`webview-ui/tokenizer`) and its host (`src/views/tokenizer`).
 * Types only (plus the dependency-free dispatch); the host validates inbound messages with zod
 * (`src/views/tokenizer/messages.ts`). Offsets are UTF-16 ranges of the text the webview sent.
 */
export { dispatch, type Handlers, type ReadyMessage } from './dispatch';
import type { ReadyMessage } from './dispatch';
import type { PackedEncoding } from '../../core/tokenizer/packed';
import type { FirstDifference, InspectPhase } from '../../core/tokenizer/inspectEncode';
export type { PackedEncoding, FirstDifference };

/** Loss-mask framework choices offered in the panel (see core/tokenizer/lossMask.ts). */
export type MaskChoice = 'trl' | 'trl-assistant' | 'trl-completion' | 'axolotl' | 'llamafactory';

/** A problem from the tokenizer checks. */
export interface ProblemView { code: string; severity: 'error' | 'warning' | 'info'; message: string; fix?: string }

/** What the panel shows about the loaded tokenizer. */
export interface TokenizerInfoView {
  label: string; path: string; host: string; kind: string; vocabSize: number;
  bosToken?: string; eosToken?: string; padToken?: string; hasChatTemplate: boolean;
}

/**
 * One encoding drawn as spans, packed (typed arrays, each token string once: see core/tokenizer/packed.ts), so a
 * 10 MB text's millions of tokens cross from the encode worker to the webview without millions of small objects.
 * `ms`: the encode in the worker.
 */
export interface EncodedView { seq: number; packed: PackedEncoding; chars: number; ms: number }

/** decode(encode(text, no special tokens)) == text, else `firstDiff` says where (sent after the encoding). */
export interface RoundTripView { roundTrip: boolean; firstDiff?: FirstDifference; ms: number }

/** Steps of an encode running in the worker (the panel shows them with the elapsed time). */
export type EncodePhase = 'queued' | InspectPhase;

export interface ChatView {
  seq: number; text: string; ids: number[]; tokens: string[]; offsets: [number, number][]; special: boolean[]; mask: number[];
  generationPrompt: string; notes: string[];
}

export type TokenizerHostToWebview =
  | { type: 'snapshot'; tokenizer?: TokenizerInfoView; compare?: TokenizerInfoView; problems: ProblemView[]; text: string; addSpecialTokens: boolean; chatMessages: string; mask: MaskChoice; error?: string;
      /** Bumped when the host pre-fills the text (tokenizer.open's input): the webview then takes `text` over its saved state. */
      prefill: number;
      /** Where the pre-filled input came from (dataset row, training config). */
      origin?: string }
  | { type: 'encoded'; main: EncodedView; compare?: EncodedView }
  | { type: 'roundTrip'; seq: number; main: RoundTripView; compare?: RoundTripView }
  /** An encode of `seq` is running in the worker: its phase, which tokenizer, the text's length, ms since it started. */
  | { type: 'progress'; seq: number; phase: EncodePhase; slot: 'main' | 'compare'; chars: number; elapsedMs: number }
  | { type: 'chat'; chat: ChatView }
  | { type: 'error'; seq: number; message: string };

export type TokenizerWebviewToHost =
  | ReadyMessage
  | { type: 'encode'; seq: number; text: string; addSpecialTokens: boolean }
  | { type: 'renderChat'; seq: number; messages: string; mask: MaskChoice }
  | { type: 'pickCompare' }
  | { type: 'pickRow' }
  /**
   * The encoding of `seq` is on screen (sent after the frame that shows it): `count` tokens in it, `domTokens` token
   * spans in the DOM (a window of the list), `chars` characters of text; with a compare tokenizer, its list's
   * `compareCount` and `compareDomTokens` (also virtualized). Tests and the first-paint bench wait on it.
   */
  | { type: 'painted'; seq: number; count: number; domTokens: number; chars: number; compareCount?: number; compareDomTokens?: number };
