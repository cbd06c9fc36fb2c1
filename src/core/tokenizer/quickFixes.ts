/**
 * Quick fixes for the tokenizer checks where the edit is unambiguous: one top-level key of tokenizer_config.json set
 * to one value. `legacy-space-after-special` → `"legacy": false` (transformers' non-legacy SentencePiece handling);
 * `double-bos` → `"add_bos_token": false` (the template keeps its BOS). Edits come from jsonc-parser's `modify`, so
 * the rest of the file (formatting, key order) is kept.
 */
import type { Edit } from 'jsonc-parser';
import { jsonc } from '../vendor';

/** A quick fix: its title and the text edits (offsets in UTF-16 code units of the file's text). */
export interface TokenizerQuickFix { title: string; code: string; edits: Edit[] }

const FIXES: Record<string, { key: string; value: unknown; title: string }> = {
  'legacy-space-after-special': { key: 'legacy', value: false, title: 'Set "legacy": false (no space inserted after special tokens)' },
  'double-bos': { key: 'add_bos_token', value: false, title: 'Set "add_bos_token": false (the chat template already writes BOS)' },
};

/** Codes that have a quick fix. */
export const FIXABLE_CODES = Object.keys(FIXES);

/**
 * The quick fix for problem `code` on a tokenizer_config.json whose text is `text`, or undefined when the code has
 * none, the file is not a JSON object, or the key already has the value.
 */
export function tokenizerQuickFix(code: string, text: string): TokenizerQuickFix | undefined {
  const f = Object.hasOwn(FIXES, code) ? FIXES[code] : undefined;
  if (!f) return undefined;
  const { modify, parseTree } = jsonc();
  const root = parseTree(text);
  if (!root || root.type !== 'object') return undefined;
  const prop = root.children?.find((c) => c.children?.[0]?.value === f.key);
  if (prop?.children?.[1]?.value === f.value) return undefined;
  const eol = text.includes('\r\n') ? '\r\n' : '\n';
  const indent = /\n([ \t]+)"/.exec(text)?.[1];
  const edits = modify(text, [f.key], f.value, { formattingOptions: { insertSpaces: !indent?.startsWith('\t'), tabSize: indent && !indent.startsWith('\t') ? indent.length : 2, eol } });
  return edits.length > 0 ? { title: f.title, code, edits } : undefined;
}
