/**
 * The one registry of dataset record formats: how each is recognised, what a valid row looks like, its text (for
 * duplicate detection) and its conversation (for templates and token lengths).
 *
 * Rules mirror the loaders that consume the data:
 * - alpaca / sharegpt: LLaMA-Factory `src/llamafactory/data/converter.py` (`AlpacaDatasetConverter`,
 *   `SharegptDatasetConverter`: roles must alternate user/assistant after an optional system turn, an odd count or
 *   an unknown tag makes it log "Invalid role tag" / "Invalid message count" and skip the row; `ranking` rows need
 *   `chosen` and `rejected`), Axolotl `prompt_strategies/alpaca_*.py` and `sharegpt.py`.
 * - messages / preference / kto / text / completion: TRL's dataset formats (docs "Dataset formats and types",
 *   `trl/data_utils.py` `is_conversational`, `maybe_apply_chat_template`), KTO's boolean `label`.
 */
import type { ChatMessage, DatasetFormat, FieldMap, Severity } from './types';

/** A problem with one row, before the reader attaches its position. */
export interface RowIssue { severity: Severity; code: string; message: string }

type Row = Record<string, unknown>;

/** One format of the registry. */
export interface FormatDef {
  id: DatasetFormat;
  label: string;
  /** Canonical field names whose presence identifies the format (all required for a match). */
  keys: (f: FieldMap) => string[];
  /** Problems of one row (already known to be an object). */
  check(row: Row, f: FieldMap, out: RowIssue[]): void;
  /** The row's conversation (system/user/assistant), for chat templates; undefined when it is not conversational. */
  messages(row: Row, f: FieldMap): ChatMessage[] | undefined;
  /** The row's text for duplicate detection: every field that reaches the model, in order. */
  text(row: Row, f: FieldMap): string;
}

const str = (v: unknown): string => (typeof v === 'string' ? v : v === undefined || v === null ? '' : typeof v === 'object' ? JSON.stringify(v) : String(v));
const typeName = (v: unknown): string => (v === null ? 'null' : Array.isArray(v) ? 'a list' : typeof v === 'object' ? 'an object' : typeof v === 'string' ? 'a string' : `a ${typeof v}`);

/** Required non-empty string field. */
function needString(row: Row, key: string, out: RowIssue[], opts: { optional?: boolean; allowEmpty?: boolean } = {}): void {
  const v = row[key];
  if (v === undefined || v === null) {
    if (!opts.optional) out.push({ severity: 'error', code: 'missing-field', message: `"${key}" is missing` });
    return;
  }
  if (typeof v !== 'string') { out.push({ severity: 'error', code: 'wrong-type', message: `"${key}" is ${typeName(v)}, not a string` }); return; }
  if (!opts.allowEmpty && v.trim() === '') out.push({ severity: opts.optional ? 'warning' : 'error', code: 'empty-field', message: `"${key}" is empty` });
}

const USER_ROLES = new Set(['user', 'human']);
const ASSISTANT_ROLES = new Set(['assistant', 'gpt', 'model', 'bot', 'chatgpt']);
const SYSTEM_ROLES = new Set(['system', 'developer']);
const TOOL_ROLES = new Set(['tool', 'function', 'function_call', 'observation', 'ipython']);

/** Canonical role of a turn's role/from tag, or undefined when unknown. */
function canonicalRole(tag: string, f: FieldMap): 'user' | 'assistant' | 'system' | 'tool' | undefined {
  const r = f.roles;
  if (r) {
    if (tag === r.user) return 'user';
    if (tag === r.assistant) return 'assistant';
    if (tag === r.system) return 'system';
    if (tag === r.observation || tag === r.function) return 'tool';
  }
  const t = tag.toLowerCase();
  if (USER_ROLES.has(t)) return 'user';
  if (ASSISTANT_ROLES.has(t)) return 'assistant';
  if (SYSTEM_ROLES.has(t)) return 'system';
  if (TOOL_ROLES.has(t)) return 'tool';
  return undefined;
}

/**
 * Checks a conversation: a non-empty list of turns, each an object with a role tag and string content, known roles,
 * user/assistant alternating after an optional leading system turn (tool/observation turns answer the assistant),
 * ending with an assistant turn (otherwise nothing is trained on).
 */
function checkConversation(v: unknown, key: string, roleKey: string, contentKey: string, f: FieldMap, out: RowIssue[], opts: { endWithAssistant: boolean } = { endWithAssistant: true }): void {
  if (v === undefined || v === null) { out.push({ severity: 'error', code: 'missing-field', message: `"${key}" is missing` }); return; }
  if (!Array.isArray(v)) { out.push({ severity: 'error', code: 'wrong-type', message: `"${key}" is ${typeName(v)}, not a list of turns` }); return; }
  if (v.length === 0) { out.push({ severity: 'error', code: 'empty-conversation', message: `"${key}" has no turns` }); return; }
  let prev: string | undefined;
  let alternationReported = false;
  for (let i = 0; i < v.length; i++) {
    const t = v[i] as Row;
    if (!t || typeof t !== 'object' || Array.isArray(t)) { out.push({ severity: 'error', code: 'wrong-type', message: `${key}[${i}] is ${typeName(t)}, not an object with "${roleKey}" and "${contentKey}"` }); return; }
    const tag = t[roleKey];
    if (typeof tag !== 'string') { out.push({ severity: 'error', code: tag === undefined ? 'missing-field' : 'wrong-type', message: `${key}[${i}] has no string "${roleKey}"` }); return; }
    const content = t[contentKey];
    if (content === undefined || content === null) {
      // an assistant turn with tool calls and no content is valid in the OpenAI format
      if (!(contentKey === 'content' && t.tool_calls)) out.push({ severity: 'error', code: 'missing-field', message: `${key}[${i}] (${tag}) has no "${contentKey}"` });
    } else if (typeof content !== 'string' && !Array.isArray(content)) out.push({ severity: 'error', code: 'wrong-type', message: `${key}[${i}].${contentKey} is ${typeName(content)}, not a string` });
    else if (typeof content === 'string' && content.trim() === '') out.push({ severity: 'warning', code: 'empty-field', message: `${key}[${i}] (${tag}) has empty "${contentKey}"` });
    const role = canonicalRole(tag, f);
    if (!role) { out.push({ severity: 'error', code: 'unknown-role', message: `${key}[${i}] has unknown ${roleKey} "${tag}"` }); return; }
    if (role === 'system') {
      if (i !== 0) out.push({ severity: 'warning', code: 'bad-alternation', message: `${key}[${i}] is a system turn after the first turn` });
      continue;
    }
    if (role === 'tool') { prev = 'tool'; continue; }
    const expected = prev === undefined ? 'user' : prev === 'user' ? 'assistant' : prev === 'tool' ? 'assistant' : 'user';
    if (role !== expected && !alternationReported && !(prev === 'tool' && role === 'user')) {
      out.push({ severity: 'error', code: 'bad-alternation', message: `${key}[${i}] is ${tag} after ${prev ?? 'the start'}; turns must alternate user/assistant` });
      alternationReported = true;
    }
    prev = role;
  }
  if (opts.endWithAssistant && prev !== undefined && prev !== 'assistant' && !alternationReported) out.push({ severity: 'warning', code: 'no-assistant-turn', message: `"${key}" ends with a ${prev} turn: no assistant reply to train on` });
  if (prev === undefined) out.push({ severity: 'error', code: 'empty-conversation', message: `"${key}" has only a system turn` });
}

function convMessages(v: unknown, roleKey: string, contentKey: string, f: FieldMap): ChatMessage[] | undefined {
  if (!Array.isArray(v)) return undefined;
  const out: ChatMessage[] = [];
  for (const t of v) {
    if (!t || typeof t !== 'object') return undefined;
    const tag = str((t as Row)[roleKey]);
    out.push({ role: canonicalRole(tag, f) ?? tag, content: str((t as Row)[contentKey]) });
  }
  return out;
}
const convText = (v: unknown, contentKey: string): string => (Array.isArray(v) ? v.map((t) => str((t as Row)?.[contentKey])).join('\n') : str(v));

const k = (f: FieldMap, name: keyof Omit<FieldMap, 'roles'>): string => f[name] ?? name;

/** A preference side: a string or a list of messages. */
function checkSide(row: Row, key: string, out: RowIssue[]): void {
  const v = row[key];
  if (Array.isArray(v)) { checkConversation(v, key, 'role', 'content', {}, out, { endWithAssistant: false }); return; }
  needString(row, key, out);
}

export const FORMATS: readonly FormatDef[] = [
  {
    id: 'preference', label: 'preference pairs (prompt/chosen/rejected)',
    keys: (f) => [k(f, 'chosen'), k(f, 'rejected')],
    check(row, f, out) {
      const p = row[k(f, 'prompt')];
      if (p !== undefined && typeof p !== 'string' && !Array.isArray(p)) out.push({ severity: 'error', code: 'wrong-type', message: `"${k(f, 'prompt')}" is ${typeName(p)}, not a string or a list of messages` });
      checkSide(row, k(f, 'chosen'), out);
      if (row[k(f, 'rejected')] === undefined || row[k(f, 'rejected')] === null) out.push({ severity: 'error', code: 'missing-rejected', message: `"${k(f, 'rejected')}" is missing: a preference pair needs both answers` });
      else checkSide(row, k(f, 'rejected'), out);
      const c = row[k(f, 'chosen')], r = row[k(f, 'rejected')];
      if (c !== undefined && r !== undefined && JSON.stringify(c) === JSON.stringify(r)) out.push({ severity: 'error', code: 'chosen-equals-rejected', message: `"${k(f, 'chosen')}" is identical to "${k(f, 'rejected')}": the pair teaches nothing (DPO loss gradient is zero)` });
    },
    messages(row, f) {
      const p = row[k(f, 'prompt')], c = row[k(f, 'chosen')];
      const prompt = Array.isArray(p) ? convMessages(p, 'role', 'content', f) ?? [] : p === undefined ? [] : [{ role: 'user', content: str(p) }];
      const chosen = Array.isArray(c) ? convMessages(c, 'role', 'content', f) ?? [] : [{ role: 'assistant', content: str(c) }];
      return [...prompt, ...chosen];
    },
    text: (row, f) => [row[k(f, 'prompt')], row[k(f, 'chosen')], row[k(f, 'rejected')]].map((v) => convText(v, 'content')).join('\n'),
  },
  {
    id: 'kto', label: 'KTO (prompt/completion/label)',
    keys: (f) => [k(f, 'prompt'), k(f, 'completion'), k(f, 'label')],
    check(row, f, out) {
      needString(row, k(f, 'prompt'), out, { allowEmpty: true });
      needString(row, k(f, 'completion'), out);
      const l = row[k(f, 'label')];
      if (typeof l !== 'boolean') out.push({ severity: 'error', code: 'wrong-type', message: `"${k(f, 'label')}" is ${typeName(l)}, not a boolean (KTO: true = desirable)` });
    },
    messages: (row, f) => [{ role: 'user', content: str(row[k(f, 'prompt')]) }, { role: 'assistant', content: str(row[k(f, 'completion')]) }],
    text: (row, f) => `${str(row[k(f, 'prompt')])}\n${str(row[k(f, 'completion')])}`,
  },
  {
    id: 'sharegpt', label: 'ShareGPT (conversations of from/value)',
    keys: (f) => [k(f, 'conversations')],
    check(row, f, out) { checkConversation(row[k(f, 'conversations')], k(f, 'conversations'), f.roleKey ?? 'from', f.contentKey ?? 'value', f, out); },
    messages: (row, f) => convMessages(row[k(f, 'conversations')], f.roleKey ?? 'from', f.contentKey ?? 'value', f),
    text: (row, f) => convText(row[k(f, 'conversations')], f.contentKey ?? 'value'),
  },
  {
    id: 'messages', label: 'messages (role/content)',
    keys: (f) => [k(f, 'messages')],
    check(row, f, out) { checkConversation(row[k(f, 'messages')], k(f, 'messages'), f.roleKey ?? 'role', f.contentKey ?? 'content', f, out); },
    messages: (row, f) => convMessages(row[k(f, 'messages')], f.roleKey ?? 'role', f.contentKey ?? 'content', f),
    text: (row, f) => convText(row[k(f, 'messages')], f.contentKey ?? 'content'),
  },
  {
    id: 'alpaca', label: 'alpaca (instruction/input/output)',
    keys: (f) => [k(f, 'instruction'), k(f, 'output')],
    check(row, f, out) {
      needString(row, k(f, 'instruction'), out);
      needString(row, k(f, 'input'), out, { optional: true, allowEmpty: true });
      needString(row, k(f, 'output'), out);
      if (row[k(f, 'system')] !== undefined) needString(row, k(f, 'system'), out, { optional: true, allowEmpty: true });
    },
    messages(row, f) {
      const sys = row[k(f, 'system')];
      const input = str(row[k(f, 'input')]);
      const user = input ? `${str(row[k(f, 'instruction')])}\n${input}` : str(row[k(f, 'instruction')]);
      return [...(typeof sys === 'string' && sys ? [{ role: 'system', content: sys }] : []), { role: 'user', content: user }, { role: 'assistant', content: str(row[k(f, 'output')]) }];
    },
    text: (row, f) => [row[k(f, 'system')], row[k(f, 'instruction')], row[k(f, 'input')], row[k(f, 'output')]].map(str).join('\n'),
  },
  {
    id: 'completion', label: 'prompt-completion',
    keys: (f) => [k(f, 'prompt'), k(f, 'completion')],
    check(row, f, out) { needString(row, k(f, 'prompt'), out, { allowEmpty: true }); needString(row, k(f, 'completion'), out); },
    messages: (row, f) => [{ role: 'user', content: str(row[k(f, 'prompt')]) }, { role: 'assistant', content: str(row[k(f, 'completion')]) }],
    text: (row, f) => `${str(row[k(f, 'prompt')])}\n${str(row[k(f, 'completion')])}`,
  },
  {
    id: 'text', label: 'plain text',
    keys: (f) => [k(f, 'text')],
    check(row, f, out) { needString(row, k(f, 'text'), out); },
    messages: () => undefined,
    text: (row, f) => str(row[k(f, 'text')]),
  },
];

const BY_ID = new Map(FORMATS.map((d) => [d.id, d]));
/** The registry entry of a format. */
export function formatDef(id: DatasetFormat): FormatDef { return BY_ID.get(id)!; }

/**
 * The format one row has, by its keys (most specific first: preference before KTO before completion); undefined
 * when no format's keys are all present.
 */
export function detectRowFormat(row: Row, f: FieldMap = {}): DatasetFormat | undefined {
  for (const d of FORMATS) if (d.keys(f).every((key) => key in row)) return d.id;
  return undefined;
}

/** Human label of a format. */
export function formatLabel(id: DatasetFormat | 'unknown'): string { return id === 'unknown' ? 'unknown' : formatDef(id).label; }
