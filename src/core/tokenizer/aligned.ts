/**
 * Text with an alignment to the original input, the way Hugging Face `tokenizers` keeps a `NormalizedString`:
 * every UTF-16 code unit of `text` carries the `[start, end)` range (UTF-16 units of the original) it came from.
 * Normalizers and pre-tokenizers that rewrite text (Prepend, Replace, NFx, Lowercase, StripAccents, BertNormalizer,
 * Strip, Metaspace, ByteLevel) are mirrored here so encodings get offsets; `@huggingface/tokenizers` computes the ids
 * but keeps no offsets. Inserted characters take the range of their neighbour (as `NormalizedString::transform`
 * aligns a prepended `▁` with the first character); decompositions map every output character to the source one.
 */
export interface Aligned { text: string; starts: number[]; ends: number[] }

/** An aligned string over `text[from, to)` of the original (identity alignment). */
export function alignedOf(text: string, from = 0): Aligned {
  const starts: number[] = new Array(text.length);
  const ends: number[] = new Array(text.length);
  let i = 0;
  while (i < text.length) {
    const cp = text.codePointAt(i)!;
    const n = cp > 0xffff ? 2 : 1;
    for (let k = 0; k < n; k++) { starts[i + k] = from + i; ends[i + k] = from + i + n; }
    i += n;
  }
  return { text, starts, ends };
}

/** Builder for a rewritten aligned string. */
class Out {
  text = '';
  starts: number[] = [];
  ends: number[] = [];
  push(s: string, start: number, end: number): void {
    this.text += s;
    for (let k = 0; k < s.length; k++) { this.starts.push(start); this.ends.push(end); }
  }
  done(): Aligned { return { text: this.text, starts: this.starts, ends: this.ends }; }
}

/** Maps every code point through `fn` (returning its replacement, possibly empty or several characters). */
export function mapChars(a: Aligned, fn: (ch: string) => string): Aligned {
  const out = new Out();
  let i = 0;
  while (i < a.text.length) {
    const cp = a.text.codePointAt(i)!;
    const n = cp > 0xffff ? 2 : 1;
    const ch = a.text.slice(i, i + n);
    out.push(fn(ch), a.starts[i], a.ends[i + n - 1]);
    i += n;
  }
  return out.done();
}

/** Puts `s` in front, aligned to the first character. No-op on empty text. */
export function prepend(a: Aligned, s: string): Aligned {
  if (a.text.length === 0) return a;
  const out = new Out();
  out.push(s, a.starts[0], a.ends[0]);
  out.text += a.text; out.starts.push(...a.starts); out.ends.push(...a.ends);
  return out.done();
}

/** Replaces every match of `pattern` (a literal string or a global RegExp) with `content`. */
export function replace(a: Aligned, pattern: string | RegExp, content: string): Aligned {
  const re = typeof pattern === 'string' ? new RegExp(pattern.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'), 'gu') : pattern;
  const out = new Out();
  let last = 0;
  const copy = (from: number, to: number): void => {
    out.text += a.text.slice(from, to);
    for (let k = from; k < to; k++) { out.starts.push(a.starts[k]); out.ends.push(a.ends[k]); }
  };
  for (const m of a.text.matchAll(re)) {
    const s = m.index!;
    const e = s + m[0].length;
    if (e === s) continue;
    copy(last, s);
    if (content.length === m[0].length) {
      for (let k = 0; k < content.length; k++) out.push(content[k], a.starts[s + k], a.ends[s + k]);
    } else out.push(content, a.starts[s], a.ends[e - 1]);
    last = e;
  }
  copy(last, a.text.length);
  return out.done();
}

/**
 * Unicode normalization with alignment: the text is cut into a starter plus its combining marks (`\p{M}`), each
 * piece normalized on its own, every output character aligned to the whole piece.
 */
export function unicodeNormalize(a: Aligned, form: 'NFC' | 'NFD' | 'NFKC' | 'NFKD'): Aligned {
  const out = new Out();
  const mark = /\p{M}/u;
  let i = 0;
  while (i < a.text.length) {
    let j = i + (a.text.codePointAt(i)! > 0xffff ? 2 : 1);
    while (j < a.text.length) {
      const cp = a.text.codePointAt(j)!;
      const ch = String.fromCodePoint(cp);
      if (!mark.test(ch)) break;
      j += ch.length;
    }
    const piece = a.text.slice(i, j).normalize(form);
    if (j - i === 1 || piece === a.text.slice(i, j)) {
      // unchanged: keep per-unit alignment
      if (piece === a.text.slice(i, j)) { for (let k = i; k < j; k++) out.push(a.text[k], a.starts[k], a.ends[k]); }
      else out.push(piece, a.starts[i], a.ends[j - 1]);
    } else {
      // decomposition of a single source character keeps that character's range for each output character
      out.push(piece, Math.min(a.starts[i], a.starts[j - 1]), Math.max(a.ends[i], a.ends[j - 1]));
    }
    i = j;
  }
  return out.done();
}

/** Removes leading and/or trailing whitespace. */
export function strip(a: Aligned, left: boolean, right: boolean): Aligned {
  let s = 0;
  let e = a.text.length;
  if (left) while (s < e && /\s/u.test(a.text[s])) s++;
  if (right) while (e > s && /\s/u.test(a.text[e - 1])) e--;
  return { text: a.text.slice(s, e), starts: a.starts.slice(s, e), ends: a.ends.slice(s, e) };
}

/** Chinese ideographs as BERT defines them (`_is_chinese_char`). */
export function isChineseChar(cp: number): boolean {
  return (cp >= 0x4e00 && cp <= 0x9fff) || (cp >= 0x3400 && cp <= 0x4dbf) || (cp >= 0x20000 && cp <= 0x2a6df) || (cp >= 0x2a700 && cp <= 0x2b73f)
    || (cp >= 0x2b740 && cp <= 0x2b81f) || (cp >= 0x2b820 && cp <= 0x2ceaf) || (cp >= 0xf900 && cp <= 0xfaff) || (cp >= 0x2f800 && cp <= 0x2fa1f);
}

/** Applies a tokenizer.json `normalizer` config with alignment; throws on a type it does not mirror. */
export function normalizeAligned(a: Aligned, cfg: any): Aligned {
  if (!cfg) return a;
  switch (cfg.type) {
    case 'Sequence': return (cfg.normalizers ?? []).reduce((acc: Aligned, n: any) => normalizeAligned(acc, n), a);
    case 'Prepend': return prepend(a, cfg.prepend ?? '');
    case 'Replace': {
      const p = cfg.pattern ?? {};
      return replace(a, 'String' in p ? p.String : new RegExp(p.Regex, 'gu'), cfg.content ?? '');
    }
    case 'NFC': case 'NFD': case 'NFKC': case 'NFKD': return unicodeNormalize(a, cfg.type);
    case 'Lowercase': return mapChars(a, (c) => c.toLowerCase());
    case 'StripAccents': return mapChars(a, (c) => (/\p{Mn}/u.test(c) ? '' : c));
    case 'Strip': return strip(a, cfg.strip_left ?? true, cfg.strip_right ?? true);
    case 'BertNormalizer': {
      let r = a;
      if (cfg.clean_text ?? true) {
        r = mapChars(r, (c) => {
          const cp = c.codePointAt(0)!;
          if (cp === 0 || cp === 0xfffd) return '';
          if (c !== '\t' && c !== '\n' && c !== '\r' && /\p{Cc}|\p{Cf}|\p{Co}|\p{Cs}/u.test(c)) return '';
          return /^\s$/u.test(c) ? ' ' : c;
        });
      }
      if (cfg.handle_chinese_chars ?? true) r = mapChars(r, (c) => (isChineseChar(c.codePointAt(0)!) ? ` ${c} ` : c));
      const lower = cfg.lowercase ?? true;
      if (lower) r = mapChars(r, (c) => c.toLowerCase());
      if ((lower && cfg.strip_accents !== false) || (!lower && cfg.strip_accents)) {
        r = mapChars(unicodeNormalize(r, 'NFD'), (c) => (/\p{Mn}/u.test(c) ? '' : c));
      }
      return r;
    }
    default: throw new Error(`no aligned normalizer for ${cfg.type}`);
  }
}

/** GPT-2's byte-to-unicode table (`bytes_to_unicode`), as ByteLevel uses it. */
export const BYTE_TO_UNICODE: string[] = (() => {
  const bs: number[] = [];
  for (let b = 0x21; b <= 0x7e; b++) bs.push(b);
  for (let b = 0xa1; b <= 0xac; b++) bs.push(b);
  for (let b = 0xae; b <= 0xff; b++) bs.push(b);
  const table: string[] = new Array(256);
  for (const b of bs) table[b] = String.fromCharCode(b);
  let n = 0;
  for (let b = 0; b < 256; b++) if (table[b] === undefined) table[b] = String.fromCharCode(256 + n++);
  return table;
})();

const enc = new TextEncoder();

/** Applies the text-rewriting part of a `pre_tokenizer` config (Metaspace, ByteLevel) with alignment. */
export function preTokenizeTransform(a: Aligned, cfg: any, sectionIndex: number): Aligned {
  if (!cfg) return a;
  switch (cfg.type) {
    case 'Sequence': return (cfg.pretokenizers ?? []).reduce((acc: Aligned, p: any) => preTokenizeTransform(acc, p, sectionIndex), a);
    case 'Metaspace': {
      const rep = cfg.replacement ?? '\u2581';
      const r = replace(a, ' ', rep);
      const scheme = cfg.prepend_scheme ?? (cfg.add_prefix_space === false ? 'never' : 'always');
      if (!r.text.startsWith(rep) && (scheme === 'always' || (scheme === 'first' && sectionIndex === 0))) return prepend(r, rep);
      return r;
    }
    case 'ByteLevel': {
      const r = cfg.add_prefix_space && !a.text.startsWith(' ') ? prepend(a, ' ') : a;
      return mapChars(r, (c) => Array.from(enc.encode(c), (b) => BYTE_TO_UNICODE[b]).join(''));
    }
    default: return a;
  }
}
