/**
 * A Hugging Face `tokenizer.json` (the serialization of `tokenizers.Tokenizer`, Rust crate `tokenizers`) loaded with
 * `@huggingface/tokenizers` for the ids, plus what that library leaves out or gets wrong against the Rust reference:
 * - offsets: the library keeps none; we replay its pipeline (added-token split, normalizer, pre-tokenizer, model,
 *   post-processor) with aligned text (`aligned.ts`) and map each token back to the input;
 * - the `Whitespace` pre-tokenizer: the library splits with JavaScript's ASCII `\w`; Rust's regex `\w+|[^\w\s]+` is
 *   Unicode-aware (letters, marks, digits, connector punctuation, Join_Control), so a ZWJ emoji sequence
 *   `👨‍👩‍👧` splits into 5 words in Rust (test: "Whitespace pre-tokenizer splits ZWJ emoji like Rust");
 * - speed: BPE runs in `fastBpe.ts` (the library's BPE is ~50 KB/s on a long word);
 * - decoding: Rust never applies transformers' `clean_up_tokenization_spaces` and decodes `[]` to `''`
 *   (the library throws).
 */
import type { Tokenizer as TokenizerType } from '@huggingface/tokenizers' with { 'resolution-mode': 'import' };
import { hfTokenizers } from '../vendor';
// The package ships CommonJS too; required (through src/core/vendor.ts) on the first tokenizer loaded, not at activation.
const Tokenizer = (): typeof TokenizerType => hfTokenizers().Tokenizer;
import { FastBpe } from './fastBpe';
import { alignedOf, normalizeAligned, preTokenizeTransform, type Aligned } from './aligned';

/** Rust regex `\w` (Unicode): Alphabetic, marks, decimal digits, connector punctuation, Join_Control. */
const RUST_WORD = '\\p{Alphabetic}\\p{M}\\p{Nd}\\p{Pc}\\p{Join_Control}';
const RUST_WHITESPACE_SPLIT = new RegExp(`[${RUST_WORD}]+|[^${RUST_WORD}\\s]+`, 'gu');

/** One encoded token with its offsets in UTF-16 units of the input. */
export interface RawToken { id: number; token: string; start: number; end: number; special: boolean }

/** Patches library components whose behaviour differs from Rust `tokenizers` (see the module comment). */
function patchPreTokenizer(p: any): void {
  if (!p) return;
  if (p.constructor?.name?.startsWith('Whitespace') && !p.constructor.name.startsWith('WhitespaceSplit')) {
    p.pre_tokenize_text = (text: string): string[] => text.match(RUST_WHITESPACE_SPLIT) ?? [];
  }
  for (const child of p.tokenizers ?? p.pre_tokenizers ?? []) patchPreTokenizer(child);
}

/** Wraps a parsed tokenizer.json (plus the tokenizer_config.json object, for the library's options). */
export class HfTokenizer {
  readonly tok: any;
  private readonly json: any;
  private readonly unkToken?: string;
  private readonly specialIds = new Set<number>();
  private readonly trimOffsets: boolean;
  private readonly fast?: FastBpe;

  constructor(json: any, config: Record<string, unknown> = {}) {
    this.json = json;
    this.tok = new (Tokenizer())(json, { ...config, clean_up_tokenization_spaces: false });
    patchPreTokenizer(this.tok.pre_tokenizer);
    if (FastBpe.supports(json.model)) this.fast = new FastBpe(json.model);
    this.unkToken = json.model?.unk_token ?? undefined;
    for (const t of json.added_tokens ?? []) if (t.special) this.specialIds.add(t.id);
    const pp = json.post_processor;
    const trim = (c: any): boolean => !!c && (((c.type === 'ByteLevel' || c.type === 'RobertaProcessing') && c.trim_offsets !== false) || (c.type === 'Sequence' && (c.processors ?? []).some(trim)));
    this.trimOffsets = trim(pp);
  }

  /** Vocabulary size with added tokens (`Tokenizer.get_vocab_size(with_added_tokens=True)`). */
  get vocabSize(): number {
    let max = -1;
    for (const id of this.tok.get_vocab(true).values()) max = Math.max(max, id);
    return max + 1;
  }
  idToToken(id: number): string | undefined { return this.tok.id_to_token(id); }
  tokenToId(token: string): number | undefined { return this.tok.token_to_id(token); }
  isSpecialId(id: number): boolean { return this.specialIds.has(id); }
  addedTokens(): Array<{ id: number; content: string; special: boolean }> {
    return (this.json.added_tokens ?? []).map((t: any) => ({ id: t.id, content: t.content, special: !!t.special }));
  }

  /** Encodes `text`; special tokens from the post-processor's template when `addSpecialTokens` (default true). */
  encode(text: string, addSpecialTokens = true): RawToken[] {
    const tok = this.tok;
    const body = this.encodeText(text);
    const { tokens } = tok.post_processor ? tok.post_processor(body.map((t) => t.token), null, addSpecialTokens) : { tokens: body.map((t) => t.token) };
    // Locate the body inside the post-processed sequence; everything else is a template special token.
    let at = -1;
    for (let i = 0; i + body.length <= tokens.length; i++) {
      let ok = true;
      for (let k = 0; k < body.length && ok; k++) ok = tokens[i + k] === body[k].token;
      if (ok) { at = i; break; }
    }
    const out: RawToken[] = [];
    for (let i = 0; i < tokens.length; i++) {
      if (at >= 0 && i >= at && i < at + body.length) { out.push(body[i - at]); continue; }
      const t = tokens[i] as string;
      const id = this.idOf(t);
      out.push({ id, token: t, start: 0, end: 0, special: true });
    }
    return out;
  }

  private idOf(t: string): number {
    const tok = this.tok;
    return tok.added_tokens_map.get(t)?.id ?? tok.model.tokens_to_ids.get(t) ?? tok.model.unk_token_id;
  }

  /** The library's `encode_text`, replayed section by section with alignment. */
  private encodeText(text: string): RawToken[] {
    const tok = this.tok;
    const out: RawToken[] = [];
    const sections: string[] = tok.splitter_unnormalized.split(text);
    const ranges = splitRanges(sections);
    trimAround(sections, ranges, (x) => tok.added_tokens_map.get(x));
    sections.forEach((section, sectionIndex) => {
      if (section.length === 0) return;
      const [from, to] = ranges[sectionIndex];
      const added = tok.added_tokens_map.get(section);
      if (added) { out.push({ id: added.id, token: section, start: from, end: to, special: !!added.special }); return; }
      let aligned: Aligned;
      const normalized: string = tok.normalizer ? tok.normalizer(section) : section;
      try {
        aligned = normalizeAligned(alignedOf(section, from), this.json.normalizer);
        if (aligned.text !== normalized) throw new Error('alignment differs');
      } catch {
        aligned = coarse(normalized, from, to);
      }
      if (normalized.length === 0) return;
      const subsections: string[] = tok.splitter_normalized.split(normalized);
      const subRanges = splitRanges(subsections);
      trimAround(subsections, subRanges, (x) => tok.added_tokens_map.get(x));
      subsections.forEach((sub, j) => {
        const a0 = slice(aligned, subRanges[j][0], subRanges[j][1]);
        if (sub.length === 0) return;
        const addedN = tok.added_tokens_map.get(sub);
        if (addedN) { out.push({ id: addedN.id, token: sub, ...span(a0, 0, a0.text.length, from, to), special: !!addedN.special }); return; }
        const words: string[] = tok.pre_tokenizer ? tok.pre_tokenizer(sub, { section_index: sectionIndex }) : [sub];
        let transformed: Aligned;
        try { transformed = preTokenizeTransform(alignedOf(sub), this.json.pre_tokenizer, sectionIndex); } catch { transformed = alignedOf(sub); }
        // `transformed` is aligned to `sub`; compose with a0 (sub -> original).
        const composed: Aligned = { text: transformed.text, starts: transformed.starts.map((s) => a0.starts[s] ?? from), ends: transformed.ends.map((e) => a0.ends[e - 1] ?? to) };
        let wc = 0;
        for (const word of words) {
          const found = composed.text.indexOf(word, wc);
          const wa = found >= 0 ? slice(composed, found, found + word.length) : coarse(word, a0.starts[0] ?? from, a0.ends[a0.ends.length - 1] ?? to);
          if (found >= 0) wc = found + word.length;
          const toks: string[] = this.fast ? this.fast.tokens(word) : tok.model([word]);
          this.alignWord(word, wa, toks, out, from, to);
        }
      });
    });
    return out;
  }

  /** Maps the model's tokens for one pre-token back to character ranges. */
  private alignWord(word: string, wa: Aligned, toks: string[], out: RawToken[], from: number, to: number): void {
    const model = this.json.model ?? {};
    const prefix: string | undefined = model.continuing_subword_prefix ?? (model.type === 'WordPiece' || (!model.type && model.continuing_subword_prefix) ? '##' : undefined);
    const suffix: string | undefined = model.end_of_word_suffix ?? undefined;
    const byteFallback = !!model.byte_fallback;
    let c = 0;
    let pendingBytes = 0;
    let ok = true;
    toks.forEach((t, k) => {
      const id = this.idOf(t);
      const special = this.specialIds.has(id);
      if (!ok) { out.push({ id, token: t, ...span(wa, 0, wa.text.length, from, to), special }); return; }
      if (byteFallback && /^<0x[0-9A-F]{2}>$/.test(t)) {
        const cp = word.codePointAt(c) ?? 0;
        const units = cp > 0xffff ? 2 : 1;
        if (pendingBytes === 0) pendingBytes = cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
        out.push({ id, token: t, ...span(wa, c, c + units, from, to), special });
        pendingBytes--;
        if (pendingBytes === 0) c += units;
        return;
      }
      if (t === this.unkToken && model.type !== 'Unigram') {
        if (k === toks.length - 1 || prefix === '##' || model.type === 'WordPiece') {
          const end = k === toks.length - 1 ? word.length : Math.min(word.length, c + Math.max(1, word.length - c));
          out.push({ id, token: t, ...span(wa, c, end, from, to), special }); c = end; return;
        }
        let e = c + ((word.codePointAt(c) ?? 0) > 0xffff ? 2 : 1);
        const next = strip(toks[k + 1], prefix, suffix, true);
        if (model.fuse_unk) while (e < word.length && !word.startsWith(next, e)) e += (word.codePointAt(e) ?? 0) > 0xffff ? 2 : 1;
        out.push({ id, token: t, ...span(wa, c, e, from, to), special }); c = e; return;
      }
      const surface = strip(t, prefix, suffix, k > 0);
      if (word.startsWith(surface, c)) {
        out.push({ id, token: t, ...span(wa, c, c + surface.length, from, to), special });
        c += surface.length;
      } else {
        ok = false;
        out.push({ id, token: t, ...span(wa, c, wa.text.length, from, to), special });
      }
    });
  }

  /** Decodes ids as Rust `Tokenizer::decode` (no clean-up of tokenization spaces). */
  decode(ids: number[], skipSpecialTokens = false): string {
    if (ids.length === 0) return '';
    const kept = skipSpecialTokens ? ids.filter((id) => !this.specialIds.has(id)) : ids;
    if (kept.length === 0) return '';
    return this.tok.decode(kept, { skip_special_tokens: false, clean_up_tokenization_spaces: false });
  }

  /** `trim_offsets` of the ByteLevel / RobertaProcessing post-processors: offsets exclude surrounding whitespace. */
  trimTokenOffsets(text: string, tokens: RawToken[]): void {
    if (!this.trimOffsets) return;
    for (const t of tokens) {
      if (t.special) continue;
      while (t.start < t.end && /\s/.test(text[t.start])) t.start++;
      while (t.end > t.start && /\s/.test(text[t.end - 1])) t.end--;
    }
  }
}

/** Start/end (UTF-16) of each piece of a split whose pieces concatenate to the input. */
function splitRanges(pieces: string[]): Array<[number, number]> {
  let pos = 0;
  return pieces.map((p) => { const r: [number, number] = [pos, pos + p.length]; pos += p.length; return r; });
}

/** The library's lstrip/rstrip of added tokens: trims the neighbouring pieces, keeping their ranges in step. */
function trimAround(pieces: string[], ranges: Array<[number, number]>, addedOf: (s: string) => any): void {
  pieces.forEach((piece, i) => {
    const added = addedOf(piece);
    if (!added) return;
    if (added.lstrip && i > 0) { const t = pieces[i - 1].trimEnd(); ranges[i - 1][1] = ranges[i - 1][0] + t.length; pieces[i - 1] = t; }
    if (added.rstrip && i < pieces.length - 1) { const t = pieces[i + 1].trimStart(); ranges[i + 1][0] = ranges[i + 1][1] - t.length; pieces[i + 1] = t; }
  });
}

function strip(t: string, prefix: string | undefined, suffix: string | undefined, notFirst: boolean): string {
  let s = t;
  if (prefix && notFirst && s.startsWith(prefix) && s.length > prefix.length) s = s.slice(prefix.length);
  if (suffix && s.endsWith(suffix)) s = s.slice(0, s.length - suffix.length);
  return s;
}

function slice(a: Aligned, s: number, e: number): Aligned {
  return { text: a.text.slice(s, e), starts: a.starts.slice(s, e), ends: a.ends.slice(s, e) };
}

function coarse(text: string, from: number, to: number): Aligned {
  return { text, starts: new Array(text.length).fill(from), ends: new Array(text.length).fill(to) };
}

/** Union of the original ranges of `a[s, e)`. */
function span(a: Aligned, s: number, e: number, from: number, to: number): { start: number; end: number } {
  if (e <= s || s >= a.text.length) return { start: from, end: from === to ? from : to };
  let start = Infinity;
  let end = -Infinity;
  for (let k = s; k < Math.min(e, a.text.length); k++) { start = Math.min(start, a.starts[k]); end = Math.max(end, a.ends[k]); }
  return { start, end };
}
