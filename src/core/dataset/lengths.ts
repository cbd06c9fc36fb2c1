/**
 * Token lengths of rows as the training framework builds its sequences, and what the framework does with rows over
 * its length limit.
 *
 * Sequence text per format (what the model sees; prompt tokens count toward the limit even when masked):
 * - conversational rows (messages, ShareGPT, KTO/completion/preference with a chat template): the tokenizer's chat
 *   template over the whole conversation (TRL `maybe_apply_chat_template`, Axolotl `chat_template` strategy,
 *   torchtune and LLaMA-Factory templates, which mirror the model's); without a chat template the turn texts joined
 *   by newlines (an approximation, said in `counted`).
 * - alpaca under Axolotl: `AlpacaPrompter` (axolotl `src/axolotl/prompters.py`): the system preamble, then
 *   `### Instruction:\n…\n\n### Input:\n…\n\n### Response:\n` and the output, plus EOS.
 * - text: the text plus EOS (Axolotl `completion`, TRL language modeling `add_eos`).
 * - preference: prompt + the longer of chosen and rejected (TRL DPO truncates each pair to `max_length`).
 *
 * Limits and policies: see {@link lengthPolicyOf}.
 */
import type { ChatMessage, DatasetFormat, HistogramBin } from './types';
import type { Framework } from '../config/types';
import { formatDef } from './formats';
import type { FieldMap } from './types';

/**
 * The part of the tokenizer core (`src/core/tokenizer`, `LoadedTokenizer`) the length checks use; any object with
 * this shape works (tests pass a whitespace tokenizer).
 */
export interface TokenizerLike {
  encode(text: string, opts?: { addSpecialTokens?: boolean }): { ids: ArrayLike<number> };
  renderChat?(messages: ChatMessage[], opts?: { addGenerationPrompt?: boolean }): string;
  chatTemplate?: string | null;
  eosToken?: string | null;
}

/** Counts the tokens of one row of a format (sync; the tokenizer is loaded before the scan). */
export interface TokenCounter {
  /** For the report: which tokenizer and template. */
  readonly counted: string;
  count(row: Record<string, unknown>, format: DatasetFormat, fields: FieldMap): number;
}

const ALPACA_SYSTEM = 'Below is an instruction that describes a task, paired with an input that provides further context. Write a response that appropriately completes the request.\n\n';
const ALPACA_SYSTEM_NO_INPUT = 'Below is an instruction that describes a task. Write a response that appropriately completes the request.\n\n';

/** Axolotl's AlpacaPrompter text of a row (prompters.py, prompt_style "instruct"). */
export function axolotlAlpacaText(instruction: string, input: string, output: string): string {
  return input ? `${ALPACA_SYSTEM}### Instruction:\n${instruction}\n\n### Input:\n${input}\n\n### Response:\n${output}` : `${ALPACA_SYSTEM_NO_INPUT}### Instruction:\n${instruction}\n\n### Response:\n${output}`;
}

/**
 * A TokenCounter over a tokenizer for a framework. Chat-template rendering errors (a template that raises on a role
 * it does not accept) fall back to the joined text for that row.
 */
export function tokenCounter(tok: TokenizerLike, framework: Framework | undefined, name: string): TokenCounter {
  const chat = !!tok.renderChat && !!tok.chatTemplate;
  const len = (text: string, special: boolean): number => tok.encode(text, { addSpecialTokens: special }).ids.length;
  const eos = tok.eosToken ? 1 : 0;
  const conv = (msgs: ChatMessage[]): number => {
    if (chat) { try { return len(tok.renderChat!(msgs, { addGenerationPrompt: false }), false); } catch { /* fall through */ } }
    return len(msgs.map((m) => m.content).join('\n'), true) + eos;
  };
  const str = (v: unknown): string => (typeof v === 'string' ? v : '');
  return {
    counted: `${name}${chat ? ', chat template' : ', no chat template (turns joined by newlines)'}${framework === 'axolotl' ? ', Axolotl alpaca prompt for alpaca rows' : ''}`,
    count(row, format, f) {
      const def = formatDef(format);
      if (format === 'text') return len(def.text(row, f), true) + eos;
      if (format === 'alpaca' && (framework === 'axolotl' || !chat)) {
        return len(axolotlAlpacaText(str(row[f.instruction ?? 'instruction']), str(row[f.input ?? 'input']), str(row[f.output ?? 'output'])), true) + eos;
      }
      if (format === 'preference') {
        const rejected = { ...row, [f.chosen ?? 'chosen']: row[f.rejected ?? 'rejected'] };
        return Math.max(conv(def.messages(row, f) ?? []), conv(def.messages(rejected, f) ?? []));
      }
      const msgs = def.messages(row, f);
      return msgs ? conv(msgs) : len(def.text(row, f), true) + eos;
    },
  };
}

/** What a framework does with a sequence over its limit. */
export type OverLimitPolicy = 'truncate' | 'drop' | 'unknown';

/** A length limit from the config (or the command line) and what happens past it. */
export interface LengthLimit { value: number; key: string; policy: OverLimitPolicy; why: string }

/**
 * The length limit a config trains with and the framework's policy past it:
 * - Axolotl `sequence_len` (default 2048): rows over it are dropped (`drop_long_seq` filter in
 *   `src/axolotl/utils/data/utils.py` / `utils/trainer.py`), unless `excess_length_strategy: truncate`.
 * - LLaMA-Factory `cutoff_len` (default 2048, `hparams/data_args.py`): truncated (`infer_seqlen` in
 *   `data/processor/processor_utils.py` shortens source and target), never dropped.
 * - TRL `max_length` (SFTConfig/DPOConfig default 1024; `max_seq_length` before TRL 0.20): truncated
 *   (`truncate_dataset` in `trl/trainer/sft_trainer.py`; DPO `truncation_mode`).
 * - torchtune `tokenizer.max_seq_len`: truncated (`truncate` in `torchtune/modules/transforms/tokenizers/_utils.py`).
 * `num` reads a number at a config path. Undefined when the config sets no limit and the framework has no default.
 */
export function lengthPolicyOf(framework: Framework, num: (...path: string[]) => number | undefined, str: (...path: string[]) => string | undefined, trl: boolean): LengthLimit | undefined {
  switch (framework) {
    case 'axolotl': {
      const v = num('sequence_len') ?? 2048;
      const strat = str('excess_length_strategy');
      return { value: v, key: 'sequence_len', policy: strat === 'truncate' ? 'truncate' : 'drop', why: strat === 'truncate' ? 'Axolotl truncates rows over sequence_len (excess_length_strategy: truncate)' : 'Axolotl drops rows over sequence_len (drop_long_seq)' };
    }
    case 'llamafactory': return { value: num('cutoff_len') ?? 2048, key: 'cutoff_len', policy: 'truncate', why: 'LLaMA-Factory truncates to cutoff_len (infer_seqlen)' };
    case 'torchtune': { const v = num('tokenizer', 'max_seq_len'); return v ? { value: v, key: 'tokenizer.max_seq_len', policy: 'truncate', why: 'torchtune truncates to tokenizer.max_seq_len' } : undefined; }
    case 'hf-trainer': {
      const v = num('max_length') ?? num('max_seq_length');
      const key = num('max_length') !== undefined ? 'max_length' : 'max_seq_length';
      if (v !== undefined) return { value: v, key, policy: 'truncate', why: `TRL truncates to ${key}` };
      return trl ? { value: 1024, key: 'max_length', policy: 'truncate', why: 'TRL truncates to max_length (default 1024)' } : undefined;
    }
    default: return undefined;
  }
}

/** Nearest-rank percentile of sorted values (p in [0, 100]). */
export function percentile(sorted: ArrayLike<number>, p: number): number {
  if (sorted.length === 0) return 0;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i];
}

/** A "nice" bin width (1, 2 or 5 × 10^k) giving at most `maxBins` bins up to `top`. */
function niceWidth(top: number, maxBins: number): number {
  const raw = Math.max(1, top / maxBins);
  const p = 10 ** Math.floor(Math.log10(raw));
  for (const m of [1, 2, 5, 10]) if (m * p >= raw) return m * p;
  return 10 * p;
}

/** Histogram of lengths in equal-width bins covering [0, max(values, limit)], at most `maxBins` (default 24). */
export function histogram(values: ArrayLike<number>, limit?: number, maxBins = 24): HistogramBin[] {
  let top = limit ?? 0;
  for (let i = 0; i < values.length; i++) if (values[i] > top) top = values[i];
  if (values.length === 0) return [];
  const w = niceWidth(top + 1, maxBins);
  const n = Math.floor(top / w) + 1;
  const bins: HistogramBin[] = Array.from({ length: n }, (_, i) => ({ from: i * w, to: (i + 1) * w, count: 0 }));
  for (let i = 0; i < values.length; i++) bins[Math.min(n - 1, Math.floor(values[i] / w))].count++;
  return bins;
}

/**
 * Optimizer steps in one epoch on one GPU: ceil(rows / micro batch) batches, ceil(batches / accumulation) steps, as
 * transformers' Trainer computes `num_update_steps_per_epoch` (trainer.py `set_initial_training_values`). Without
 * sample packing; divide by the number of GPUs for data parallel runs.
 */
export function stepsPerEpoch(rows: number, micro: number, gas: number): number {
  if (rows <= 0) return 0;
  return Math.max(1, Math.ceil(Math.ceil(rows / Math.max(1, micro)) / Math.max(1, gas)));
}
