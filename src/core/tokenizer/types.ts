/** Types of the tokenizer core, shared by its modules (index.ts re-exports them). */
import type { ChatMessage, RenderOptions } from './chat';

/** Result of `encode`. */
export interface Encoding {
  ids: number[];
  tokens: string[];
  /** `[start, end)` in Unicode code points of the input, as Python `tokenizers`/`transformers` report them. */
  offsets: [number, number][];
  /** The same ranges in UTF-16 code units (JavaScript string indices), for highlighting. */
  utf16Offsets: [number, number][];
  /** true for special tokens (template BOS/EOS/CLS, added special tokens, SentencePiece control pieces). */
  special: boolean[];
}

/** What kind of artifact the vocabulary came from. */
export type TokenizerKind = 'tokenizer.json' | 'sentencepiece' | 'wordpiece-vocab' | 'bpe-vocab';

/** An added token as `tokenizer_config.json`'s `added_tokens_decoder` / tokenizer.json `added_tokens` list it. */
export interface AddedTokenInfo { id: number; content: string; special: boolean }

/** The files a tokenizer was assembled from, and their parsed JSON (for the checks). */
export interface TokenizerSources {
  /** Folder the sibling files were looked up in. */
  folder: string;
  /** Paths actually read, by role. */
  paths: Partial<Record<'tokenizer' | 'tokenizerConfig' | 'specialTokensMap' | 'addedTokens' | 'chatTemplate' | 'config' | 'generationConfig' | 'merges', string>>;
  tokenizerJson?: any;
  tokenizerConfig?: Record<string, any>;
  specialTokensMap?: Record<string, any>;
  addedTokensJson?: Record<string, number>;
  modelConfig?: Record<string, any>;
  generationConfig?: Record<string, any>;
}

/** A tokenizer ready to encode, with its special tokens and chat template. */
export interface LoadedTokenizer {
  readonly kind: TokenizerKind;
  /** The file or folder it was loaded from, and the host. */
  readonly path: string;
  readonly host: string;
  encode(text: string, opts?: { addSpecialTokens?: boolean }): Encoding;
  decode(ids: number[], opts?: { skipSpecialTokens?: boolean }): string;
  /** Number of ids (vocabulary plus added tokens: highest id + 1). */
  readonly vocabSize: number;
  readonly chatTemplate?: string;
  readonly bosToken?: string;
  readonly eosToken?: string;
  readonly padToken?: string;
  readonly unkToken?: string;
  idToToken(id: number): string | undefined;
  tokenToId(token: string): number | undefined;
  isSpecialId(id: number): boolean;
  /** Added/special tokens with ids (tokenizer.json `added_tokens`, `added_tokens_decoder`, control pieces). */
  readonly addedTokens: AddedTokenInfo[];
  readonly sources: TokenizerSources;
  /** Renders the chat template (throws when there is none or it raises). */
  renderChat?(messages: ChatMessage[], opts?: RenderOptions): string;
}
