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

/**
 * Reads another file a config refers to (a DeepSpeed JSON, an FSDP/Accelerator config): its text, or undefined when
 * nothing readable is there. Async, so it can read through a FileAccess (local or over SSH) or an editor buffer;
 * `fileAccessReader` (config/files.ts) builds one from a FileAccess. Paths are POSIX, as the core resolves them.
 * A rejection is reported like a missing file.
 */
export type ReadFile = (path: string) => Promise<string | undefined>;

export interface ValidateOptions {
  /** The file's path or name (used for detection and for resolving relative references). */
  fileName: string;
  /** Force a framework instead of detecting it. */
  framework?: Framework;
  /**
   * The directory the training will be launched from, when a launch says so (a task's cwd, a run's working
   * directory, Launch Run). Relative references are opened from there; unknown = they are searched from the
   * config's folder upwards and a miss is only a warning.
   */
  launchDir?: string;
  /** Who says `launchDir`, for messages: `tasks.json task "train"`, `run "x" (run.json)`, `--launch-dir`. */
  launchDirSource?: string;
  /** Home directory for references written `~/...` (absent: such references are not looked up). */
  home?: string;
  /**
   * Folders a relative reference is looked up in after the config's own folder (the launch directory is usually
   * one of them). Default: every folder above the config. The extension passes the config's workspace folder.
   */
  referenceRoots?: string[];
  /**
   * The versions of the frameworks the run will use, by Python distribution name (`trl`, `transformers`, `axolotl`,
   * `llamafactory`, `torchtune`, `peft`, `deepspeed`, `accelerate`), e.g. `{ trl: '0.19.1' }`: from the workspace's
   * lock/requirements files, the `llmTraining.validation.versions` setting or `llmtrain validate --version`.
   * Absent: the checks assume only what every tabled release agrees on.
   */
  versions?: Record<string, string>;
  /**
   * The launch this config belongs to, when one says so (a tasks.json task's `accelerate launch --config_file A ...
   * B.yaml`, files given together to `llmtrain validate A B`): the other files of that launch are read through
   * `readFile` and checked against this one (rulesCross.ts). Absent: only files the config names are.
   */
  launch?: LaunchInfo;
  /**
   * The local Hugging Face hub cache (`$HF_HUB_CACHE`, `$HF_HOME/hub`, `~/.cache/huggingface/hub`): a model named
   * by hub id is looked up there (`models--org--name/refs/main`, `snapshots/<rev>/config.json`); never the network.
   */
  hfHubCache?: string;
}

/** Files that run together, and what the launch command says about them (see {@link ValidateOptions.launch}). */
export interface LaunchInfo {
  /** The other config files of the launch (absolute or launch-relative POSIX paths). */
  files: string[];
  /** Processes the launcher starts (`accelerate launch --num_processes 4`), when its command line says. */
  worldSize?: number;
  /** Where `worldSize` comes from, e.g. `accelerate launch --num_processes 4`. */
  worldSizeFrom?: string;
  /** Who says these files run together, for messages: `tasks.json task "train"`, `llmtrain validate A B`. */
  source: string;
}

/** Options of `validateConfigWithFiles`/`referencedFiles`: the referenced files are read through `readFile`. */
export interface ValidateWithFilesOptions extends ValidateOptions {
  readFile: ReadFile;
  /**
   * Whether anything (a file or a folder) is at a POSIX path: how dataset paths are checked (datasetRefs.ts), since
   * a dataset can be too large to read. Absent: dataset paths are not checked. A rejection counts as unknown.
   */
  exists?: (path: string) => Promise<boolean>;
}

/**
 * What the rules see of other files: the texts read before they ran (the rules are synchronous; the async reads
 * happen first, in `validateConfigWithFiles`). Internal to the core.
 */
export interface RuleOptions extends ValidateOptions {
  lookup?: (path: string) => string | undefined;
  /** Whether a path exists, as asked before the rules ran (`ValidateWithFilesOptions.exists`); undefined = not known. */
  present?: (path: string) => boolean | undefined;
}

/** Computed facts shown as CodeLens / inlay hints (e.g. effective batch size). */
export interface ConfigFact { label: string; range: Range; detail?: string }

export interface ValidationResult {
  framework: Framework;
  /** Why that framework was chosen (shown in the status bar tooltip). */
  frameworkReason: string;
  issues: ConfigIssue[];
  facts: ConfigFact[];
  /** The framework release whose keys, types and defaults the checks assume, e.g. "Axolotl 0.18.0 (067b021c)". */
  assumes?: string;
}

/** A completion item: a key (with `: ` inserted) or a value. `range` is what it replaces, when known. */
export interface ConfigCompletion { label: string; kind: 'key' | 'value'; detail?: string; documentation?: string; insertText?: string; range?: Range }
