/**
 * What another view may pass to `llmTraining.tokenizer.open(uri?, input?)` to open the inspector pre-filled: plain
 * text, a chat (messages), a dataset row, and/or the training config the run uses (its loss-mask settings and
 * framework template). `parseOpenInput` validates an untrusted argument (commands can be invoked from anywhere:
 * keybindings, other extensions, `command:` links); `inputFromRow` turns a dataset row into text and messages with
 * the dataset formats registry (Alpaca, ShareGPT, OpenAI messages, preference, KTO, plain text...);
 * `lossMaskModeOf` reads a training config's masking settings as the framework does; `trainingConfigOf` parses a
 * training config into those settings and the context of the training-context checks.
 */
import { detectRowFormat, formatDef } from '../dataset/formats';
import type { FieldMap } from '../dataset/types';
import type { ChatMessage } from './chat';
import type { LossMaskMode } from './lossMask';
import { trainingContextOf, type TrainingContext } from './checks';
import { yaml } from '../vendor';

/** Largest text accepted from a command argument (the inspector's own limit, 64 MiB of UTF-16). */
export const MAX_OPEN_TEXT = 64 * 1024 * 1024;

/** A row of a dataset file, named by the file's URI (string) and the row's 0-based index as the dataset reader counts it. */
export interface DatasetRowRef { uri: string; index: number }

/** Second argument of `llmTraining.tokenizer.open`. Every field is optional; unknown fields are ignored. */
export interface TokenizerOpenInput {
  /** Text for the encode box. */
  text?: string;
  /** A chat for the chat-template box (`[{ role, content }]`). */
  messages?: ChatMessage[];
  /** A dataset row to read (the inspector fills text and messages from it). */
  datasetRow?: DatasetRowRef;
  /** URI (string) of the training config: loss-mask mode, framework template and training-context checks. */
  config?: string;
  /** URI (string) of a second tokenizer (file or folder) to encode the same text with, side by side. */
  compareWith?: string;
}

/** Result of `parseOpenInput`: the accepted input and why the rest was dropped. */
export interface ParsedOpenInput { input: TokenizerOpenInput; errors: string[] }

function messagesOf(v: unknown, errors: string[]): ChatMessage[] | undefined {
  let value = v;
  if (typeof value === 'string') {
    try { value = JSON.parse(value); } catch (e) { errors.push(`messages: not valid JSON (${(e as Error).message})`); return undefined; }
  }
  if (!Array.isArray(value)) { errors.push('messages: not a list'); return undefined; }
  const ok = value.every((m) => m && typeof m === 'object' && typeof (m as { role?: unknown }).role === 'string');
  if (!ok) { errors.push('messages: every message needs a string "role"'); return undefined; }
  return value as ChatMessage[];
}

/**
 * Validates the second argument of `tokenizer.open`. Accepts an object (fields of TokenizerOpenInput; `chat` is an
 * alias of `messages`, a JSON string or a list), a bare string (the text) or a bare list (the messages). Never throws;
 * a field that does not validate is dropped with a message in `errors`.
 */
export function parseOpenInput(raw: unknown): ParsedOpenInput {
  const errors: string[] = [];
  const input: TokenizerOpenInput = {};
  if (raw === undefined || raw === null) return { input, errors };
  if (typeof raw === 'string') raw = { text: raw };
  else if (Array.isArray(raw)) raw = { messages: raw };
  if (typeof raw !== 'object') { errors.push(`input: expected an object, got ${typeof raw}`); return { input, errors }; }
  const r = raw as Record<string, unknown>;
  if (r.text !== undefined) {
    if (typeof r.text !== 'string') errors.push('text: not a string');
    else if (r.text.length > MAX_OPEN_TEXT) errors.push(`text: longer than ${MAX_OPEN_TEXT} characters`);
    else input.text = r.text;
  }
  const chat = r.messages ?? r.chat;
  if (chat !== undefined) { const m = messagesOf(chat, errors); if (m) input.messages = m; }
  if (r.datasetRow !== undefined) {
    const d = r.datasetRow as Record<string, unknown> | null;
    if (d && typeof d === 'object' && typeof d.uri === 'string' && Number.isInteger(d.index) && (d.index as number) >= 0) input.datasetRow = { uri: d.uri, index: d.index as number };
    else errors.push('datasetRow: expected { uri: string, index: non-negative integer }');
  }
  if (r.config !== undefined) {
    if (typeof r.config === 'string' && r.config.length > 0) input.config = r.config;
    else errors.push('config: expected a URI string');
  }
  if (r.compareWith !== undefined) {
    if (typeof r.compareWith === 'string' && r.compareWith.length > 0) input.compareWith = r.compareWith;
    else errors.push('compareWith: expected a URI string');
  }
  return { input, errors };
}

/** A dataset row as the inspector shows it. */
export interface RowInput { text: string; messages?: ChatMessage[]; format?: string }

/**
 * Text and messages of one dataset row, through the dataset formats registry (the same mapping the dataset check
 * uses, with the config's field names). `undefined` when the row is not an object of a known format; a bare string
 * row is its own text.
 */
export function inputFromRow(row: unknown, fields: FieldMap = {}): RowInput | undefined {
  if (typeof row === 'string') return { text: row };
  if (!row || typeof row !== 'object' || Array.isArray(row)) return undefined;
  const r = row as Record<string, unknown>;
  const format = detectRowFormat(r, fields);
  if (!format) return undefined;
  const def = formatDef(format);
  const messages = def.messages(r, fields);
  return { text: def.text(r, fields), messages: messages && messages.length > 0 ? messages as ChatMessage[] : undefined, format };
}

/**
 * The loss mask a training config asks for, read as each framework reads its keys:
 * TRL `assistant_only_loss` / `completion_only_loss` (SFTConfig), Axolotl `train_on_inputs`, `roles_to_train`,
 * `train_on_eos` (top level or on the first `datasets:` entry), LLaMA-Factory `train_on_prompt` (with `stage`/`template`).
 * `undefined` when the config names no framework we know.
 */
export function lossMaskModeOf(config: Record<string, unknown>): LossMaskMode | undefined {
  const c = config as Record<string, any>;
  if ('stage' in c || 'template' in c) return { framework: 'llamafactory', trainOnPrompt: c.train_on_prompt === true };
  if ('base_model' in c || 'datasets' in c) {
    const d0 = Array.isArray(c.datasets) && c.datasets[0] && typeof c.datasets[0] === 'object' ? c.datasets[0] : {};
    const roles = d0.roles_to_train ?? c.roles_to_train;
    const eos = d0.train_on_eos ?? c.train_on_eos;
    return {
      framework: 'axolotl', trainOnInputs: c.train_on_inputs === true,
      ...(Array.isArray(roles) && roles.every((x: unknown) => typeof x === 'string') ? { rolesToTrain: roles } : {}),
      ...(['turn', 'all', 'last', 'none'].includes(eos) ? { trainOnEos: eos } : {}),
    };
  }
  if ('assistant_only_loss' in c || 'completion_only_loss' in c || 'dataset_name' in c || 'dataset_text_field' in c) {
    return { framework: 'trl', assistantOnlyLoss: c.assistant_only_loss === true, completionOnlyLoss: c.completion_only_loss === true };
  }
  return undefined;
}

/** What a training config tells the tokenizer inspector and checks (see `trainingConfigOf`). */
export interface TrainingConfigInfo {
  /** Context for the training-context checks (pad = EOS in SFT, no chat_template, assistant-only loss, framework template). */
  training: TrainingContext;
  /** The config's loss-mask settings, when it names a framework we know (`lossMaskModeOf`). */
  mask?: LossMaskMode;
}

/**
 * Parses a training config's text (YAML, or JSON when `path` ends in `.json`) into what the inspector's CodeLens path
 * and `llmtrain tokenize --config` both use. Throws an Error naming `path` when the text does not parse or is not a
 * mapping at the top.
 */
export function trainingConfigOf(text: string, path: string): TrainingConfigInfo {
  let cfg: unknown;
  try { cfg = /\.json$/i.test(path) ? JSON.parse(text) : yaml().parse(text); } catch (e) { throw new Error(`${path}: not a training config: ${(e as Error).message}`); }
  if (!cfg || typeof cfg !== 'object' || Array.isArray(cfg)) throw new Error(`${path}: not a training config (expected a mapping of settings at the top)`);
  const c = cfg as Record<string, unknown>;
  return { training: trainingContextOf(c, path), mask: lossMaskModeOf(c) };
}
