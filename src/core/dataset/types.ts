/**
 * Shared types of the dataset-check core (`src/core/dataset`). Pure: bytes come in through `FileAccess`.
 * Row positions follow the convention: JSONL and CSV rows are named by their 1-based `line` in the file,
 * JSON arrays and Parquet by their 0-based `row` index.
 */
import type { Severity } from '../config/types';

export type { Severity };

/** The file syntaxes the readers stream. */
export type FileKind = 'jsonl' | 'json' | 'parquet' | 'csv';

/**
 * The record layouts of supervised and preference fine-tuning data (one registry, `FORMATS` in formats.ts):
 * - `alpaca`: `instruction` / `input` / `output` (Stanford Alpaca; Axolotl `type: alpaca`, LLaMA-Factory `formatting: alpaca`)
 * - `sharegpt`: `conversations` of `{ from, value }` (Axolotl `sharegpt`, LLaMA-Factory `formatting: sharegpt`)
 * - `messages`: `messages` of `{ role, content }` (OpenAI chat; TRL conversational, Axolotl `chat_template`)
 * - `preference`: `prompt` / `chosen` / `rejected` (TRL DPO/ORPO/CPO, LLaMA-Factory `ranking: true`)
 * - `kto`: `prompt` / `completion` / `label` (TRL KTO unpaired preference)
 * - `text`: `text` (pre-training / continued pre-training, TRL language modeling, Axolotl `completion`)
 * - `completion`: `prompt` / `completion` (TRL prompt-completion)
 */
export type DatasetFormat = 'alpaca' | 'sharegpt' | 'messages' | 'preference' | 'kto' | 'text' | 'completion';

/**
 * Where a row is: `line` (1-based, JSONL/CSV) or `row` (0-based, JSON array/Parquet); `index` is its 0-based ordinal
 * among rows; `startLine` the 1-based line where it begins in a text file (to jump to it).
 */
export interface RowRef { index: number; line?: number; row?: number; startLine?: number }

/** One finding, tied to a row when it is about a row. `code` is stable (see README, "Dataset checks"). */
export interface DatasetProblem { line?: number; row?: number; severity: Severity; code: string; message: string }

/** Roles and texts of one conversation turn, after the format's field mapping (for templates and tokenization). */
export interface ChatMessage { role: string; content: string; [k: string]: unknown }

/** Column names a config maps onto the canonical fields (LLaMA-Factory `columns`/`tags`, Axolotl `field_*`). */
export interface FieldMap {
  instruction?: string; input?: string; output?: string; system?: string;
  conversations?: string; messages?: string; roleKey?: string; contentKey?: string;
  prompt?: string; chosen?: string; rejected?: string; completion?: string; label?: string; text?: string;
  /** Role names of a ShareGPT-style conversation, mapped to user/assistant/system/tool (LLaMA-Factory `tags`). */
  roles?: { user?: string; assistant?: string; system?: string; observation?: string; function?: string };
}

/** A dataset as a training config names it, resolved to a file (see resolve.ts). */
export interface DatasetSpec {
  /** Path on the host of the FileAccess. */
  path: string;
  /** The format the config declares (Axolotl `type`, LLaMA-Factory `formatting`/`ranking`, torchtune component). */
  declared?: DatasetFormat;
  /** The declaration as written, for messages (`type: alpaca`, `formatting: sharegpt`). */
  declaredAs?: string;
  fields?: FieldMap;
}

/** A histogram bin: token counts in [from, to). */
export interface HistogramBin { from: number; to: number; count: number }

/** Token statistics with the run's tokenizer (after the framework's prompt template where known). */
export interface TokenStats {
  max: number; p50: number; p95: number; total: number;
  /** Rows longer than the limit (0 when there is no limit). */
  overLimit: number;
  histogram: HistogramBin[];
  /** The length limit and the config key it came from (`sequence_len`, `cutoff_len`, `max_seq_length`, `max_length`, `--max-length`). */
  limit?: number; limitKey?: string;
  /** Of the rows over the limit: how many the framework truncates and how many it drops (from the dataset). */
  truncated: number; dropped: number;
  /** Optimizer steps for one epoch on one GPU with the config's batch (rows kept / micro batch / accumulation); divide by the GPU count. */
  stepsPerEpoch?: number;
  /** What was counted: `tokenizer name, template` for the report. */
  counted: string;
}

/** The report of one dataset check; the CLI's `--format json` prints exactly its public part (see cli/data.ts). */
export interface DatasetReport {
  path: string;
  host: string;
  kind: FileKind;
  rows: number;
  format: DatasetFormat | 'unknown';
  problems: DatasetProblem[];
  /** Problem counts per code, over all rows (the `problems` list is capped). */
  problemCounts: Record<string, number>;
  /** `nearCapped`: more rows than the near-duplicate index holds (later rows were compared, not indexed). */
  duplicates: { exact: number; near: number; examples: DuplicateExample[]; nearCheckedRows: number; nearCapped: boolean };
  tokens: TokenStats | null;
  /** A few rows from the start, for the panel's preview. */
  preview: { ref: RowRef; value: unknown }[];
  /** The tokenizer the lengths were counted with (file or folder on `host`), when one was. */
  tokenizerPath?: string;
  /** Bytes read and how long it took. */
  bytes: number; elapsedMs: number;
  /** Set when the check stopped early (cancelled). */
  cancelled?: boolean;
}

/** A row that repeats an earlier one. */
export interface DuplicateExample { kind: 'exact' | 'near'; ref: RowRef; of: RowRef; similarity?: number }

/** Progress of a check: bytes read of the total, rows seen. */
export interface DatasetProgress { bytes: number; totalBytes: number; rows: number }
