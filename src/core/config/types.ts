/**
 * Shared types of the config-validation core (`src/core/config`). Pure: no `vscode`, no file system.
 * Views turn {@link ConfigIssue}s into Diagnostics and CodeActions; the CLI prints them.
 */

/** A zero-based position in a text document (line, UTF-16 character), as in LSP and VS Code. */
export interface Position { line: number; character: number }
/** A half-open range [start, end) of zero-based positions. */
export interface Range { start: Position; end: Position }

/** The config families we recognise. `unknown` means: syntax check only, no schema. */
export type Framework =
  | 'hf-trainer' // Hugging Face TrainingArguments and TRL configs (SFT/DPO/ORPO/GRPO/Reward/PPO)
  | 'axolotl'
  | 'llamafactory'
  | 'torchtune'
  | 'deepspeed'
  | 'accelerate'
  | 'peft'
  | 'unknown';

export type Severity = 'error' | 'warning' | 'info';

/** A text edit in the validated file (or, with `file`, in another file the rule looked at). */
export interface TextEdit { range: Range; newText: string; file?: string }

/** A quick fix offered for an issue. */
export interface Fix { title: string; edits: TextEdit[]; isPreferred?: boolean }

/** Another place involved in an issue (e.g. the DeepSpeed JSON that disagrees with the training YAML). */
export interface RelatedLocation { file: string; range: Range; message: string }

/**
 * One finding of a rule.
 * `code` is stable and documented (e.g. `unknown-key`, `renamed-key`, `fp16-bf16-conflict`);
 * `range` is the exact key or value it is about.
 */
export interface ConfigIssue {
  code: string;
  severity: Severity;
  message: string;
  range: Range;
  related: RelatedLocation[];
  fixes: Fix[];
}

/** Reads another file a config refers to; returns undefined when it does not exist. Paths are as resolved by the caller. */
export type ReadFile = (path: string) => string | undefined;

export interface ValidateOptions {
  /** The file's path or name (used for detection and for resolving relative references). */
  fileName: string;
  /** Force a framework instead of detecting it. */
  framework?: Framework;
  /** Access to files referenced by the config (DeepSpeed JSON, Accelerate YAML); absent = cross-file rules skipped. */
  readFile?: ReadFile;
}

/** Computed facts shown as CodeLens / inlay hints (e.g. effective batch size). */
export interface ConfigFact { label: string; range: Range; detail?: string }

export interface ValidationResult {
  framework: Framework;
  /** Why that framework was chosen (shown in the status bar tooltip). */
  frameworkReason: string;
  issues: ConfigIssue[];
  facts: ConfigFact[];
}

/** A completion item: a key (with `: ` inserted) or a value. `range` is what it replaces, when known. */
export interface ConfigCompletion { label: string; kind: 'key' | 'value'; detail?: string; documentation?: string; insertText?: string; range?: Range }
