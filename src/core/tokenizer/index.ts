/**
 * Tokenizer core: load any Hugging Face / SentencePiece tokenizer artifact through a `FileAccess` (local or SSH) and
 * encode/decode exactly as the reference libraries do (Rust `tokenizers` for tokenizer.json, vocab.txt and
 * vocab.json+merges.txt as transformers converts them; C++ `sentencepiece` for `.model`).
 *
 * Artifacts: `tokenizer.json` (BPE with merges as strings or pairs, byte-level BPE, WordPiece, Unigram, old files
 * whose `model` has no `type`), SentencePiece `.model`, `vocab.txt`, `vocab.json` + `merges.txt`,
 * `tokenizer_config.json` (`chat_template`, `added_tokens_decoder`, `add_bos_token`...), `special_tokens_map.json`,
 * `added_tokens.json`, `chat_template.jinja` / `.jinja`, `chat_template.json`, or a model folder holding them
 * (with `config.json` and `generation_config.json`, read for the checks).
 */
import { baseName, dirName, joinPath, readAll, readText, readTextIfExists, type FileAccess } from '../files';
import { HfTokenizer, type RawToken } from './hfTokenizer';
import { parseSentencePieceModel, SentencePieceProcessor } from './sentencepiece';
import { renderChatTemplate, type ChatMessage, type RenderOptions } from './chat';
import { chatTemplateOf, tokenContent } from './configValues';

export { chatTemplateOf, tokenContent } from './configValues';

export type { ChatMessage, RenderOptions } from './chat';

/** Largest tokenizer file we read whole (a 500 MB "tokenizer.json" is refused before reading). */
export const TOKENIZER_READ_LIMIT = 128 * 1024 * 1024;

export type { Encoding, TokenizerKind, AddedTokenInfo, TokenizerSources, LoadedTokenizer } from './types';
import type { Encoding, TokenizerKind, AddedTokenInfo, TokenizerSources, LoadedTokenizer } from './types';

/** Names we recognise inside a model folder. */
const SP_NAMES = ['tokenizer.model', 'spiece.model', 'sentencepiece.bpe.model', 'sentencepiece.model'];

async function readJson(files: FileAccess, path: string): Promise<any> {
  const text = await readText(files, path, TOKENIZER_READ_LIMIT);
  try { return JSON.parse(text); } catch (e) { throw new Error(`${path}: not valid JSON (${(e as Error).message})`); }
}
async function readJsonIfExists(files: FileAccess, path: string): Promise<any | undefined> {
  const text = await readTextIfExists(files, path, 16 * 1024 * 1024);
  if (text === undefined) return undefined;
  try { return JSON.parse(text); } catch (e) { throw new Error(`${path}: not valid JSON (${(e as Error).message})`); }
}

/**
 * Loads a tokenizer from `path` (a file of any supported kind, or a folder) through `files`. Rejects with an Error
 * naming the file on a missing, truncated, oversized or foreign file.
 */
export async function loadTokenizer(files: FileAccess, path: string): Promise<LoadedTokenizer> {
  const { info, src, chatTemplate: template, entries, standard } = await readSourcesInternal(files, path);
  let chatTemplate = template;
  const folder = src.folder;
  const name = info.isDirectory ? '' : baseName(path);
  const has = (n: string): boolean => entries.includes(n);
  // Which vocabulary file to use.
  let vocabPath: string | undefined;
  let kind: TokenizerKind | undefined;
  const lower = name.toLowerCase();
  if (!info.isDirectory && lower.endsWith('.model')) { vocabPath = path; kind = 'sentencepiece'; }
  else if (!info.isDirectory && lower.endsWith('.txt') && lower !== 'merges.txt') { vocabPath = path; kind = 'wordpiece-vocab'; }
  else if (!info.isDirectory && lower.endsWith('.json') && !/(tokenizer_config|special_tokens_map|added_tokens|^config|generation_config|chat_template|vocab)\.json$/.test(lower)) {
    vocabPath = path; kind = 'tokenizer.json';
  } else if (lower === 'vocab.json' || lower === 'merges.txt') { vocabPath = joinPath(folder, 'vocab.json'); kind = 'bpe-vocab'; }
  if (!vocabPath) {
    if (has('tokenizer.json')) { vocabPath = joinPath(folder, 'tokenizer.json'); kind = 'tokenizer.json'; }
    else if (SP_NAMES.some(has)) { vocabPath = joinPath(folder, SP_NAMES.find(has)!); kind = 'sentencepiece'; }
    else if (has('vocab.json') && has('merges.txt')) { vocabPath = joinPath(folder, 'vocab.json'); kind = 'bpe-vocab'; }
    else if (has('vocab.txt')) { vocabPath = joinPath(folder, 'vocab.txt'); kind = 'wordpiece-vocab'; }
  }
  if (!vocabPath || !kind) {
    throw new Error(`${path}: no tokenizer vocabulary found (looked for tokenizer.json, tokenizer.model/spiece.model, vocab.json+merges.txt, vocab.txt in ${folder})`);
  }
  src.paths.tokenizer = vocabPath;
  const cfg = src.tokenizerConfig ?? {};
  const stm = src.specialTokensMap ?? {};
  const special = (key: string): string | undefined => tokenContent(cfg[key]) ?? tokenContent(stm[key]);

  let core: Core;
  if (kind === 'sentencepiece') {
    const bytes = await readAll(files, vocabPath, TOKENIZER_READ_LIMIT);
    core = sentencePieceCore(new SentencePieceProcessor(parseSentencePieceModel(bytes, vocabPath)), standard ? src : undefined);
  } else {
    let json: any;
    if (kind === 'tokenizer.json') {
      json = await readJson(files, vocabPath);
      if (!json || typeof json !== 'object' || !json.model) throw new Error(`${vocabPath}: not a tokenizer.json (no "model")`);
    } else if (kind === 'wordpiece-vocab') {
      json = wordPieceJson(await readText(files, vocabPath, TOKENIZER_READ_LIMIT), cfg, stm);
    } else {
      src.paths.merges = joinPath(folder, 'merges.txt');
      json = byteLevelBpeJson(await readJson(files, vocabPath), await readText(files, src.paths.merges, TOKENIZER_READ_LIMIT), cfg, stm);
    }
    src.tokenizerJson = json;
    let hf: HfTokenizer;
    try { hf = new HfTokenizer(json, {}); } catch (e) { throw new Error(`${vocabPath}: cannot build the tokenizer (${(e as Error).message})`); }
    core = hfCore(hf);
  }

  const tok: LoadedTokenizer = {
    kind, path, host: files.host, sources: src, chatTemplate,
    bosToken: special('bos_token') ?? core.defaults.bos, eosToken: special('eos_token') ?? core.defaults.eos,
    padToken: special('pad_token') ?? core.defaults.pad, unkToken: special('unk_token') ?? core.defaults.unk,
    vocabSize: core.vocabSize, addedTokens: core.added,
    idToToken: core.idToToken, tokenToId: core.tokenToId, isSpecialId: core.isSpecialId,
    encode(text, opts) { return toEncoding(text, core.encode(text, opts?.addSpecialTokens ?? true)); },
    decode(ids, opts) { return core.decode(ids, opts?.skipSpecialTokens ?? false); },
  };
  if (chatTemplate !== undefined) {
    tok.renderChat = (messages, opts) => renderChatTemplate(chatTemplate!, messages, {
      ...opts, specialTokens: { bos_token: tok.bosToken ?? '', eos_token: tok.eosToken ?? '', pad_token: tok.padToken ?? '', unk_token: tok.unkToken ?? '' },
    });
  }
  return tok;
}

/** What `readTokenizerSources` finds around a path: the config files and chat template, no vocabulary needed. */
export interface SourcesOnly { sources: TokenizerSources; chatTemplate?: string }

/**
 * Reads the tokenizer's side files around `path` (tokenizer_config.json, special_tokens_map.json, added_tokens.json,
 * config.json, generation_config.json, chat_template.jinja/.json, or the `.jinja` file itself), for the checks on
 * files that have no vocabulary beside them.
 */
export async function readTokenizerSources(files: FileAccess, path: string): Promise<SourcesOnly> {
  const r = await readSourcesInternal(files, path);
  return { sources: r.src, chatTemplate: r.chatTemplate };
}

async function readSourcesInternal(files: FileAccess, path: string): Promise<{ info: { isDirectory: boolean }; src: TokenizerSources; chatTemplate?: string; entries: string[]; standard: boolean }> {
  const info = await files.stat(path);
  if (!info) throw new Error(files.host === 'local' ? `no such file or folder: ${path}` : `no such file or folder on ${files.host}: ${path}`);
  const folder = info.isDirectory ? path : dirName(path);
  const name = info.isDirectory ? '' : baseName(path);
  const src: TokenizerSources = { folder, paths: {} };
  const entries = await files.list(folder).catch(() => [] as string[]);
  const has = (n: string): boolean => entries.includes(n);
  // Sibling files apply when the path is a folder or one of the standard file names in it.
  const standard = info.isDirectory || ['tokenizer.json', 'tokenizer_config.json', 'special_tokens_map.json', 'added_tokens.json', 'chat_template.jinja', 'chat_template.json', 'vocab.txt', 'vocab.json', 'merges.txt', 'config.json', 'generation_config.json', ...SP_NAMES].includes(name);
  const own = async (role: keyof TokenizerSources['paths']): Promise<any> => { src.paths[role] = path; return readJson(files, path); };
  if (standard) {
    const sib = async (file: string, role: keyof TokenizerSources['paths']): Promise<any> => {
      if (!has(file)) return undefined;
      src.paths[role] = joinPath(folder, file);
      return readJsonIfExists(files, joinPath(folder, file));
    };
    src.tokenizerConfig = await sib('tokenizer_config.json', 'tokenizerConfig');
    src.specialTokensMap = await sib('special_tokens_map.json', 'specialTokensMap');
    src.addedTokensJson = await sib('added_tokens.json', 'addedTokens');
    src.modelConfig = await sib('config.json', 'config');
    src.generationConfig = await sib('generation_config.json', 'generationConfig');
  } else if (name.endsWith('.json')) {
    // A renamed side file (corpus style `model__tokenizer_config.json`): recognise it by name or content.
    if (/tokenizer_config\.json$/.test(name)) src.tokenizerConfig = await own('tokenizerConfig');
    else if (/special_tokens_map\.json$/.test(name)) src.specialTokensMap = await own('specialTokensMap');
    else if (/added_tokens\.json$/.test(name)) src.addedTokensJson = await own('addedTokens');
    else if (/generation_config\.json$/.test(name)) src.generationConfig = await own('generationConfig');
  }
  let chatTemplate = chatTemplateOf(src.tokenizerConfig);
  if (standard && has('chat_template.jinja')) { src.paths.chatTemplate = joinPath(folder, 'chat_template.jinja'); chatTemplate = await readText(files, src.paths.chatTemplate, 4 * 1024 * 1024); }
  else if (standard && has('chat_template.json')) {
    src.paths.chatTemplate = joinPath(folder, 'chat_template.json');
    chatTemplate = chatTemplateOf(await readJson(files, src.paths.chatTemplate)) ?? chatTemplate;
  }
  if (name.toLowerCase().endsWith('.jinja')) { chatTemplate = await readText(files, path, 4 * 1024 * 1024); src.paths.chatTemplate = path; }
  return { info, src, chatTemplate, entries, standard };
}

/** The engine-specific part behind a LoadedTokenizer. */
interface Core {
  encode(text: string, addSpecial: boolean): RawToken[];
  decode(ids: number[], skipSpecial: boolean): string;
  vocabSize: number;
  added: AddedTokenInfo[];
  idToToken(id: number): string | undefined;
  tokenToId(token: string): number | undefined;
  isSpecialId(id: number): boolean;
  defaults: { bos?: string; eos?: string; pad?: string; unk?: string };
}

function hfCore(hf: HfTokenizer): Core {
  const added = hf.addedTokens();
  return {
    encode(text, addSpecial) { const toks = hf.encode(text, addSpecial); hf.trimTokenOffsets(text, toks); return toks; },
    decode: (ids, skip) => hf.decode(ids, skip),
    vocabSize: hf.vocabSize,
    added,
    idToToken: (id) => hf.idToToken(id),
    tokenToId: (t) => hf.tokenToId(t),
    isSpecialId: (id) => hf.isSpecialId(id),
    defaults: { unk: hf.tok.model?.unk_token ?? undefined },
  };
}

/**
 * A SentencePiece `.model`. Bare, it encodes as the sentencepiece library does (no BOS/EOS). With a
 * tokenizer_config.json beside it (transformers' slow `LlamaTokenizer`/`T5Tokenizer` path), special-token strings
 * in the text are split out first and `add_bos_token` (default true for Llama) / `add_eos_token` apply.
 */
function sentencePieceCore(sp: SentencePieceProcessor, src: TokenizerSources | undefined): Core {
  const t = sp.model.trainer;
  const added: AddedTokenInfo[] = [];
  sp.pieces.forEach((p, id) => { if (p.type === 3 || p.type === 2 || p.type === 4) added.push({ id, content: p.piece, special: p.type !== 4 }); });
  const cfg = src?.tokenizerConfig;
  const decoderAdded = new Map<string, number>();
  for (const [id, v] of Object.entries(cfg?.added_tokens_decoder ?? {})) { const c = tokenContent(v); if (c !== undefined) decoderAdded.set(c, Number(id)); }
  for (const [c, id] of Object.entries(src?.addedTokensJson ?? {})) decoderAdded.set(c, Number(id));
  if (cfg) {
    // transformers splits every special token of the config out of the text before SentencePiece sees it
    for (const k of ['bos_token', 'eos_token', 'unk_token', 'pad_token']) {
      const c = tokenContent(cfg[k]) ?? tokenContent(src?.specialTokensMap?.[k]);
      if (c && !decoderAdded.has(c) && sp.pieceToId(c) !== sp.unkId) decoderAdded.set(c, sp.pieceToId(c));
    }
  }
  const addBos = cfg ? (cfg.add_bos_token ?? true) : false;
  const addEos = cfg ? !!cfg.add_eos_token : false;
  const enc = new TextEncoder();
  // transformers' LlamaTokenizer/T5Tokenizer with `legacy: false` load the model with add_dummy_prefix off
  // (`get_spm_processor`) and add the "▁" themselves, once, at the start of the text (`tokenize`).
  const legacy = cfg?.legacy !== false;
  const spNoPrefix = legacy ? sp : new SentencePieceProcessor({ ...sp.model, normalizer: { ...sp.model.normalizer, addDummyPrefix: false } });
  const unkPiece = sp.idToPiece(sp.unkId) ?? '<unk>';
  const unkLength = legacy ? 0 : spNoPrefix.encodeBytes(enc.encode(unkPiece)).length;
  /**
   * Encodes `text` (at `base` in the whole input) and appends its pieces. `prefix` is encoded in front and its first
   * `drop` pieces are dropped (transformers' `_tokenize` trick: `sp.encode(unk_token + text)[unk_token_length:]`).
   */
  const encodePlain = (text: string, base: number, out: RawToken[], proc = sp, prefix = '', drop = 0): void => {
    const pre = enc.encode(prefix);
    const body = enc.encode(text);
    const bytes = pre.length === 0 ? body : new Uint8Array(pre.length + body.length);
    if (pre.length > 0) { bytes.set(pre); bytes.set(body, pre.length); }
    // byte offset (in text) -> UTF-16 offset
    const b2u = new Int32Array(body.length + 1);
    let bi = 0;
    for (let u = 0; u < text.length; u++) {
      const cp = text.codePointAt(u)!;
      const n = cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
      for (let k = 0; k < n; k++) b2u[bi + k] = u;
      bi += n;
      if (cp > 0xffff) u++;
    }
    b2u[body.length] = text.length;
    const at = (b: number): number => b2u[Math.min(body.length, Math.max(0, b - pre.length))];
    proc.encodeBytes(bytes).forEach((p, k) => {
      if (k < drop) return;
      let start = at(p.begin);
      let end = at(p.end);
      if (p.begin === p.end && proc.isByte(p.id)) {
        // a leading byte piece of a character: report the character's range
        const cp = text.codePointAt(start) ?? 0;
        end = start + (cp > 0xffff ? 2 : 1);
      }
      if (end < start) [start, end] = [end, start];
      out.push({ id: p.id, token: p.piece, start: base + start, end: base + end, special: proc.isControl(p.id) });
    });
  };
  /** transformers `LlamaTokenizer._tokenize` with legacy false: a segment starting with a space keeps it as "▁". */
  const encodeSegment = (text: string, base: number, out: RawToken[], first: boolean): void => {
    if (legacy) { encodePlain(text, base, out); return; }
    // tokenize(): "▁" in the text becomes " ", and the text gets one "▁" in front (add_prefix_space, default true)
    const t = text.replace(/\u2581/g, ' ');
    const addPrefix = first && cfg?.add_prefix_space !== false;
    if (addPrefix || t.startsWith(' ')) encodePlain(t, base, out, spNoPrefix, unkPiece + (addPrefix ? '\u2581' : ''), unkLength);
    else encodePlain(t, base, out, spNoPrefix);
  };
  const splitters = [...decoderAdded.keys()].filter((s) => s.length > 0).sort((a, b) => b.length - a.length);
  return {
    encode(text, addSpecial) {
      const out: RawToken[] = [];
      if (addSpecial && addBos && t.bosId >= 0) out.push({ id: t.bosId, token: sp.idToPiece(t.bosId)!, start: 0, end: 0, special: true });
      const first = out.length;
      if (!legacy && text.length === 0) { /* tokenize('') is [] */ }
      else if (splitters.length === 0) encodeSegment(text, 0, out, true);
      else {
        let pos = 0;
        let seg = 0;
        while (pos < text.length) {
          const hit = splitters.find((s) => text.startsWith(s, pos));
          if (hit) {
            if (pos > seg || (seg === 0 && !legacy)) encodeSegment(text.slice(seg, pos), seg, out, seg === 0);
            out.push({ id: decoderAdded.get(hit)!, token: hit, start: pos, end: pos + hit.length, special: true });
            pos += hit.length; seg = pos;
          } else pos++;
        }
        if (seg < text.length) encodeSegment(text.slice(seg), seg, out, seg === 0);
        // tokenize(): a lone "▁" before a special token at the start is dropped
        if (!legacy && out.length > first + 1 && out[first].token === '\u2581' && out[first + 1].special && out[first].end === out[first].start) out.splice(first, 1);
      }
      if (addSpecial && addEos && t.eosId >= 0) out.push({ id: t.eosId, token: sp.idToPiece(t.eosId)!, start: text.length, end: text.length, special: true });
      return out;
    },
    decode(ids, skipSpecial) {
      const kept = skipSpecial ? ids.filter((id) => !sp.isControl(id)) : ids;
      return sp.decode(kept);
    },
    vocabSize: sp.vocabSize,
    added,
    idToToken: (id) => sp.idToPiece(id),
    tokenToId: (tok) => { const id = sp.pieceToId(tok); return id === sp.unkId && tok !== sp.idToPiece(sp.unkId) ? undefined : id; },
    isSpecialId: (id) => sp.isControl(id) || sp.isUnknown(id),
    defaults: {
      bos: t.bosId >= 0 ? sp.idToPiece(t.bosId) : undefined, eos: t.eosId >= 0 ? sp.idToPiece(t.eosId) : undefined,
      pad: t.padId >= 0 ? sp.idToPiece(t.padId) : undefined, unk: sp.idToPiece(sp.unkId),
    },
  };
}

/** Offsets as code points (Python) and UTF-16 units. */
function toEncoding(text: string, toks: RawToken[]): Encoding {
  const cpAt = new Int32Array(text.length + 1);
  let cp = 0;
  for (let u = 0; u < text.length; u++) {
    cpAt[u] = cp;
    const c = text.charCodeAt(u);
    if (c >= 0xd800 && c < 0xdc00 && u + 1 < text.length) { const d = text.charCodeAt(u + 1); if (d >= 0xdc00 && d < 0xe000) { cpAt[u + 1] = cp; u++; } }
    cp++;
  }
  cpAt[text.length] = cp;
  return {
    ids: toks.map((t) => t.id),
    tokens: toks.map((t) => t.token),
    offsets: toks.map((t) => [cpAt[t.start], cpAt[t.end]]),
    utf16Offsets: toks.map((t) => [t.start, t.end]),
    special: toks.map((t) => t.special),
  };
}

/**
 * A tokenizer.json equivalent of a BERT `vocab.txt`, as transformers' `BertConverter` builds it
 * (BertNormalizer with `do_lower_case`, BertPreTokenizer, WordPiece `##`, `[CLS] A [SEP]`, WordPiece decoder).
 */
export function wordPieceJson(vocabTxt: string, cfg: Record<string, any> = {}, stm: Record<string, any> = {}): any {
  const vocab: Record<string, number> = {};
  const lines = vocabTxt.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  lines.forEach((l, i) => { const t = l.replace(/\r$/, ''); if (!(t in vocab)) vocab[t] = i; });
  const tok = (k: string, d: string): string => tokenContent(cfg[k]) ?? tokenContent(stm[k]) ?? d;
  const cls = tok('cls_token', '[CLS]'), sep = tok('sep_token', '[SEP]'), unk = tok('unk_token', '[UNK]');
  const specials = [unk, sep, tok('pad_token', '[PAD]'), cls, tok('mask_token', '[MASK]')].filter((s) => s in vocab);
  const lowercase = cfg.do_lower_case ?? true;
  return {
    version: '1.0', truncation: null, padding: null,
    added_tokens: specials.map((s) => ({ id: vocab[s], content: s, single_word: false, lstrip: false, rstrip: false, normalized: false, special: true })),
    normalizer: { type: 'BertNormalizer', clean_text: true, handle_chinese_chars: cfg.tokenize_chinese_chars ?? true, strip_accents: cfg.strip_accents ?? null, lowercase },
    pre_tokenizer: { type: 'BertPreTokenizer' },
    post_processor: cls in vocab && sep in vocab ? {
      type: 'TemplateProcessing',
      single: [{ SpecialToken: { id: cls, type_id: 0 } }, { Sequence: { id: 'A', type_id: 0 } }, { SpecialToken: { id: sep, type_id: 0 } }],
      pair: [{ SpecialToken: { id: cls, type_id: 0 } }, { Sequence: { id: 'A', type_id: 0 } }, { SpecialToken: { id: sep, type_id: 0 } }, { Sequence: { id: 'B', type_id: 1 } }, { SpecialToken: { id: sep, type_id: 1 } }],
      special_tokens: { [cls]: { id: cls, ids: [vocab[cls]], tokens: [cls] }, [sep]: { id: sep, ids: [vocab[sep]], tokens: [sep] } },
    } : null,
    decoder: { type: 'WordPiece', prefix: '##', cleanup: true },
    model: { type: 'WordPiece', unk_token: unk, continuing_subword_prefix: '##', max_input_chars_per_word: 100, vocab },
  };
}

/**
 * A tokenizer.json equivalent of GPT-2 style `vocab.json` + `merges.txt` (transformers' `GPT2Converter`):
 * ByteLevel pre-tokenizer (`add_prefix_space` from the config), BPE, ByteLevel decoder and post-processor.
 */
export function byteLevelBpeJson(vocab: Record<string, number>, mergesTxt: string, cfg: Record<string, any> = {}, stm: Record<string, any> = {}): any {
  const merges = mergesTxt.split('\n').map((l) => l.replace(/\r$/, '')).filter((l) => l.length > 0 && !l.startsWith('#version'));
  const added: any[] = [];
  for (const [id, v] of Object.entries(cfg.added_tokens_decoder ?? {})) {
    const c = tokenContent(v);
    if (c !== undefined) added.push({ id: Number(id), content: c, single_word: false, lstrip: !!(v as any).lstrip, rstrip: !!(v as any).rstrip, normalized: !!(v as any).normalized, special: (v as any).special ?? true });
  }
  if (added.length === 0) {
    for (const k of ['bos_token', 'eos_token', 'unk_token', 'pad_token']) {
      const c = tokenContent(cfg[k]) ?? tokenContent(stm[k]);
      if (c !== undefined && c in vocab && !added.some((a) => a.content === c)) added.push({ id: vocab[c], content: c, single_word: false, lstrip: false, rstrip: false, normalized: false, special: true });
    }
  }
  const aps = !!cfg.add_prefix_space;
  return {
    version: '1.0', truncation: null, padding: null, added_tokens: added, normalizer: null,
    pre_tokenizer: { type: 'ByteLevel', add_prefix_space: aps, trim_offsets: true, use_regex: true },
    post_processor: { type: 'ByteLevel', add_prefix_space: true, trim_offsets: false, use_regex: true },
    decoder: { type: 'ByteLevel', add_prefix_space: true, trim_offsets: true, use_regex: true },
    model: { type: 'BPE', dropout: null, unk_token: null, continuing_subword_prefix: '', end_of_word_suffix: '', fuse_unk: false, byte_fallback: false, vocab, merges },
  };
}
