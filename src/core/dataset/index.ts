/**
 * Public API of the dataset-check core. Pure: files through `FileAccess`, no vscode/fs.
 *
 *  - checkDataset(files, path, opts)      one streaming pass: rows, format, problems, duplicates, token lengths
 *  - datasetsInConfig(text, configPath)   the datasets a training config names (with ranges) and its run settings
 *  - resolveDataset(files, settings, d)   a named dataset -> files, declared format, field mapping
 *  - tokenCounter(tokenizer, framework)   token lengths after the framework's template
 *  - readRows / fileKindOf                the streaming readers (JSONL, JSON array, CSV, Parquet)
 *  - planCheck / checkWithPlan            options from a config / tokenizer / limit, as the CLI and editor use them
 */
export * from './types';
export { checkDataset } from './check';
export type { CheckOptions } from './check';
export { datasetsInConfig, resolveDataset } from './resolve';
export type { ConfigDataset, RunSettings, Resolved } from './resolve';
export { tokenCounter, lengthPolicyOf, histogram, percentile, stepsPerEpoch, axolotlAlpacaText } from './lengths';
export type { TokenizerLike, TokenCounter, LengthLimit, OverLimitPolicy } from './lengths';
export { readRows, fileKindOf, DatasetFileError, DEFAULT_MAX_ROW_BYTES } from './readers';
export type { RawRow, ReadOptions } from './readers';
export { FORMATS, formatDef, formatLabel, detectRowFormat } from './formats';
export { Deduplicator, exactKey, nearWords, minhash, inlineDedup } from './dedup';
export type { DupVerdict } from './dedup';
export { DedupStageError } from './stage';
export type { DedupStage, DedupStageFactory, DedupTotals, RowVerdict } from './stage';
export { planCheck, checkWithPlan } from './plan';
export type { PlanInput, Plan } from './plan';
