/**
 * Shapes shared by the checkpoint readers (`src/core/checkpoint/*`): one tensor as a header describes it, a problem
 * found while reading, and the report of one file or folder that the CLI prints and the views show.
 */

/**
 * One tensor as read from a header, without its data.
 * `dtype` is in safetensors notation (`F32`, `F16`, `BF16`, `F8_E4M3`, `I64`, `U8`, `BOOL`, ...; GGUF quantization
 * types keep their GGML names: `Q4_K`, `Q8_0`, ...). `bytes` is the size of its data on disk; `dataOffsets` is the
 * safetensors `[begin, end)` relative to the data section, when the format has one.
 */
export interface TensorInfo { name: string; dtype: string; shape: number[]; bytes: number; dataOffsets?: [number, number] }

/** A finding about a checkpoint. `error`: loading or resuming will fail; `warning`: it will load but likely not as meant. */
export interface Problem { severity: 'error' | 'warning' | 'info'; message: string; file?: string }

/** Every format the readers recognise (one registry; labels in `FORMAT_LABELS`). */
export type CheckpointFormat =
  | 'safetensors' | 'safetensors-sharded' | 'pytorch-zip' | 'pytorch-sharded' | 'pytorch-legacy' | 'gguf'
  | 'peft-adapter' | 'deepspeed' | 'fsdp-dcp' | 'trainer-run' | 'hf-model' | 'lfs-pointer' | 'unknown';

/** Human label of each format, for views and text output. */
export const FORMAT_LABELS: Record<CheckpointFormat, string> = {
  safetensors: 'safetensors',
  'safetensors-sharded': 'sharded safetensors',
  'pytorch-zip': 'PyTorch zip (torch.save >= 1.6)',
  'pytorch-sharded': 'sharded PyTorch .bin',
  'pytorch-legacy': 'legacy PyTorch (pre-1.6, not zip)',
  gguf: 'GGUF',
  'peft-adapter': 'PEFT adapter',
  deepspeed: 'DeepSpeed checkpoint',
  'fsdp-dcp': 'FSDP / torch.distributed.checkpoint (sharded state)',
  'trainer-run': 'trainer output folder',
  'hf-model': 'Hugging Face model folder',
  'lfs-pointer': 'Git LFS pointer',
  unknown: 'unknown',
};

/** One checkpoint in a run folder (`checkpoint-N/`, `global_stepN/`, or the final model folder). */
export interface CheckpointEntry {
  /** Global step (from the folder name or trainer_state.json); `undefined` for a final model folder. */
  step?: number;
  path: string;
  /** Whether trainer_state.json's `best_model_checkpoint` names this folder. */
  best: boolean;
  kind: 'checkpoint' | 'global_step' | 'final';
  /** Folder mtime, ms since the epoch. */
  mtimeMs?: number;
  /** Bytes of the files directly in the folder (and one level of sub-folders). */
  bytes?: number;
  /** The eval metric (`metric_for_best_model`, else `eval_loss`) logged at this step, when there is one. */
  metric?: { name: string; value: number };
}

/** What a DeepSpeed `global_stepN/` holds: the layout a resume needs. */
export interface DeepSpeedInfo {
  step?: number;
  /** Data-parallel world size the state was saved with (`dp_world_size` of the model states; else the count of `zero_pp_rank_*_optim_states.pt`). */
  world_size?: number;
  zero_stage?: number;
  /** ZeRO partitions on disk: one `zero_pp_rank_<r>_…_optim_states.pt` per rank of the optimizer's group (MiCS: `mics_shard_size`, else `world_size`). */
  partitions?: number;
  /** ZeRO-3 MiCS shard size (`zero_optimization.mics_shard_size` > 0 in the saved `ds_config`). */
  mics_shard_size?: number;
  /** ZeRO-3 hpZ (ZeRO++) secondary partition size (`zero_optimization.zero_hpz_partition_size` > 1 in the saved `ds_config`). */
  hpz_partition_size?: number;
  /** Model-parallel ranks (count of `mp_rank_*_model_states.pt`). */
  mp_world_size?: number;
  /** The `ds_config` stored in the model-states file. */
  ds_config?: unknown;
  tag?: string;
}

/** A PEFT adapter (`adapter_config.json` + `adapter_model.safetensors|bin`). */
export interface PeftInfo {
  peft_type?: string;
  r?: number;
  lora_alpha?: number;
  target_modules: string[];
  base_model?: string;
  /** Base-model weight each adapter pair attaches to (`model.layers.0.self_attn.q_proj.weight`), with its A/B tensors. */
  attachments: { base: string; adapters: string[] }[];
  trainable_parameters: number;
  /** Parameters of the base tensors the adapter attaches to (the whole base model needs config.json; not read). */
  attached_base_parameters: number;
}

/** Per-group totals (by dtype, by module kind). */
export interface Totals { parameters: number; bytes: number; tensors: number }

/** Module kinds for totals, from the tensor name (the naming of transformers' Llama/GPT-2/BERT/Mistral models). */
export type ModuleKind = 'embeddings' | 'attention' | 'mlp' | 'norm' | 'head' | 'adapter' | 'other';

/**
 * The report for one file or folder: what `llmtrain checkpoint --format json` prints (the fields the issue names)
 * plus what the views show (totals, peft, files, checkpoints' details).
 */
export interface CheckpointReport {
  path: string;
  host: string;
  format: CheckpointFormat;
  tensors: TensorInfo[];
  parameters: number;
  /** Bytes of the weights on disk (sum of tensor data, or of the files when tensors are unknown). */
  bytes: number;
  /** `__metadata__` of safetensors, GGUF key/values (as text), or notable pickle keys. */
  metadata: Record<string, string>;
  /** Pairs of tensor names that share storage or are tied by config. */
  tied: [string, string][];
  problems: Problem[];
  checkpoints?: CheckpointEntry[];
  deepspeed?: DeepSpeedInfo;
  peft?: PeftInfo;
  /** Weight files read, with their own sizes. */
  files?: { path: string; bytes: number; format: CheckpointFormat }[];
  byDtype: Record<string, Totals>;
  byKind: Partial<Record<ModuleKind, Totals>>;
}

/** A header that cannot be read at all: the message names the file. */
export class CheckpointReadError extends Error {
  constructor(readonly path: string, message: string) {
    super(`${path}: ${message}`);
    this.name = 'CheckpointReadError';
  }
}
