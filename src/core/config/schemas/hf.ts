/**
 * Hugging Face `TrainingArguments` (transformers) and the TRL trainer configs built on it (SFTConfig, DPOConfig,
 * ORPOConfig, GRPOConfig, RewardConfig, PPOConfig, KTOConfig, CPOConfig), plus the argument dataclasses that the
 * usual entry points parse from the same YAML: TRL `ModelConfig` / `ScriptArguments` (the `trl` CLI, TrlParser) and
 * alignment-handbook `ModelArguments` / `DataArguments` / `ScriptArguments`.
 *
 * Loading: `HfArgumentParser.parse_yaml_file` = `yaml.safe_load` + `parse_dict` (no type conversion; unused keys
 * raise ValueError unless allow_extra_keys). TrlParser = `yaml.safe_load` + argparse defaults (string defaults are
 * converted by argparse). So a `1e-5` (a str for PyYAML) crashes the first and works with the second.
 *
 * Sources:
 *  - https://github.com/huggingface/transformers/blob/main/src/transformers/training_args.py
 *  - https://github.com/huggingface/transformers/blob/main/src/transformers/hf_argparser.py
 *  - https://github.com/huggingface/trl/tree/main/trl/trainer (sft_config.py, dpo_config.py, orpo_config.py,
 *    grpo_config.py, reward_config.py, ppo_config.py, kto_config.py, cpo_config.py, model_config.py)
 *    Checked field by field against the source: dpo_config.py (DPOConfig: loss_type choices, TR-DPO defaults 0.6 /
 *    512, use_num_logits_to_keep rename), grpo_config.py (GRPOConfig as of the sapo/luspo/cispo losses and vLLM
 *    importance-sampling options), orpo_config.py, reward_config.py and ppo_config.py (PPOConfig on OnPolicyConfig,
 *    including its computed batch fields), kto_config.py and cpo_config.py (loss_type choices, weights, alpha).
 *  - https://github.com/huggingface/trl/blob/main/trl/scripts/utils.py (ScriptArguments, TrlParser)
 *  - https://github.com/huggingface/alignment-handbook/blob/main/src/alignment/configs.py
 */
import { z } from 'zod';
import { any, bool, enm, float, int, list, listOf, map, obj, str } from '../spec';
import type { KeySpec, ObjSpec } from '../spec';
import { deepspeedRoot } from './deepspeed';
import type { KeyTable, VersionGap } from '../tables';
import { KEY_TABLES, addTable, flattenClass, objFromClasses, tableForVersion, tableRelease, versionGaps } from '../tables';

const TA = 'https://github.com/huggingface/transformers/blob/main/src/transformers/training_args.py';
const TRL = 'https://github.com/huggingface/trl/tree/main/trl/trainer';
const DPO = 'https://github.com/huggingface/trl/blob/main/trl/trainer/dpo_config.py';
const GRPO = 'https://github.com/huggingface/trl/blob/main/trl/trainer/grpo_config.py';
const ORPO = 'https://github.com/huggingface/trl/blob/main/trl/trainer/orpo_config.py';
const REWARD = 'https://github.com/huggingface/trl/blob/main/trl/trainer/reward_config.py';
const PPO = 'https://github.com/huggingface/trl/blob/main/trl/trainer/ppo_config.py';
const KTO = 'https://github.com/huggingface/trl/blob/main/trl/trainer/kto_config.py';
const CPO = 'https://github.com/huggingface/trl/blob/main/trl/trainer/cpo_config.py';
const MC = 'https://github.com/huggingface/trl/blob/main/trl/trainer/model_config.py';
const AH = 'https://github.com/huggingface/alignment-handbook/blob/main/src/alignment/configs.py';

export const HF_STRATEGIES = ['no', 'steps', 'epoch'] as const;
export const HF_SCHEDULERS = ['linear', 'cosine', 'cosine_with_restarts', 'polynomial', 'constant', 'constant_with_warmup', 'inverse_sqrt', 'reduce_lr_on_plateau', 'cosine_with_min_lr', 'cosine_warmup_with_min_lr', 'warmup_stable_decay'] as const;
/** transformers `OptimizerNames` (training_args.py). New ones appear every few releases, hence warnings. */
export const HF_OPTIMIZERS = ['adamw_torch', 'adamw_torch_fused', 'adamw_torch_xla', 'adamw_torch_npu_fused', 'adamw_apex_fused', 'adafactor', 'adamw_anyprecision', 'adamw_torch_4bit', 'adamw_torch_8bit', 'ademamix', 'sgd', 'adagrad', 'adamw_bnb_8bit', 'adamw_8bit', 'ademamix_8bit', 'lion_8bit', 'lion_32bit', 'paged_adamw_32bit', 'paged_adamw_8bit', 'paged_ademamix_32bit', 'paged_ademamix_8bit', 'paged_lion_32bit', 'paged_lion_8bit', 'rmsprop', 'rmsprop_bnb', 'rmsprop_bnb_8bit', 'rmsprop_bnb_32bit', 'galore_adamw', 'galore_adamw_8bit', 'galore_adafactor', 'galore_adamw_layerwise', 'galore_adamw_8bit_layerwise', 'galore_adafactor_layerwise', 'lomo', 'adalomo', 'grokadamw', 'schedule_free_radam', 'schedule_free_adamw', 'schedule_free_sgd', 'apollo_adamw', 'apollo_adamw_layerwise', 'stable_adamw', 'adamw_hf'] as const;
export const HF_REPORT_TO = ['azure_ml', 'clearml', 'codecarbon', 'comet_ml', 'dagshub', 'dvclive', 'flyte', 'mlflow', 'neptune', 'swanlab', 'tensorboard', 'trackio', 'wandb', 'all', 'none'] as const;
export const ATTN_IMPLEMENTATIONS = ['eager', 'sdpa', 'flash_attention_2', 'flash_attention_3', 'flex_attention', 'paged_attention', 'sdpa_paged', 'eager_paged'] as const;
export const TORCH_DTYPES = ['auto', 'bfloat16', 'float16', 'float32'] as const;

const reportTo: KeySpec = { ...list('str', 'Integrations to report results and logs to (`none` for none, `all` for every installed one).', 'all (none from v5)', { orScalar: true, source: TA }), values: HF_REPORT_TO };

/** transformers TrainingArguments (and Seq2SeqTrainingArguments). */
export const trainingArguments: Record<string, KeySpec> = {
  output_dir: str('Where checkpoints and predictions are written.', "'trainer_output'"),
  overwrite_output_dir: bool('Overwrite the content of output_dir (resuming from a checkpoint in it becomes impossible).', false),
  do_train: bool('Whether to run training (read by scripts, not by Trainer).', false),
  do_eval: bool('Whether to run evaluation (set automatically when eval_strategy is not "no").', false),
  do_predict: bool('Whether to run predictions on the test set (read by scripts).', false),
  eval_strategy: enm(HF_STRATEGIES, 'When to evaluate: "no", every `eval_steps` ("steps") or at each epoch end ("epoch").', 'no'),
  prediction_loss_only: bool('Only return the loss when evaluating.', false),
  per_device_train_batch_size: int('Batch size per GPU/accelerator for training (the micro batch).', 8, { min: 1 }),
  per_device_eval_batch_size: int('Batch size per GPU/accelerator for evaluation.', 8, { min: 1 }),
  per_gpu_train_batch_size: int('Deprecated alias of per_device_train_batch_size.', null, { deprecated: 'use per_device_train_batch_size' }),
  per_gpu_eval_batch_size: int('Deprecated alias of per_device_eval_batch_size.', null, { deprecated: 'use per_device_eval_batch_size' }),
  gradient_accumulation_steps: int('Micro-batches accumulated before each optimizer step.', 1, { min: 1 }),
  eval_accumulation_steps: int('Prediction steps to accumulate on the accelerator before moving results to the CPU.', null, { min: 1 }),
  eval_delay: float('Epochs or steps to wait before the first evaluation.', 0, { min: 0 }),
  torch_empty_cache_steps: int('Call torch.cuda.empty_cache() every this many steps.', null, { min: 1 }),
  learning_rate: float('Initial learning rate for the optimizer (AdamW by default).', 5e-5, { min: 0 }),
  weight_decay: float('Weight decay applied to all layers except biases and LayerNorm weights.', 0.0, { min: 0 }),
  adam_beta1: float('beta1 for AdamW.', 0.9, { min: 0, lt: 1 }),
  adam_beta2: float('beta2 for AdamW.', 0.999, { min: 0, lt: 1 }),
  adam_epsilon: float('epsilon for AdamW.', 1e-8, { min: 0 }),
  max_grad_norm: float('Gradient clipping norm (0 disables clipping).', 1.0, { min: 0 }),
  num_train_epochs: float('Total number of training epochs (fractions allowed). Ignored when max_steps > 0.', 3.0, { min: 0 }),
  max_steps: int('Total optimizer steps; overrides num_train_epochs when > 0.', -1),
  lr_scheduler_type: enm(HF_SCHEDULERS, 'Learning-rate schedule (transformers SchedulerType).', 'linear'),
  lr_scheduler_kwargs: map('Extra arguments for the scheduler, e.g. {num_cycles: 2} or {min_lr: 1e-6}.', undefined, {}),
  warmup_ratio: float('Fraction of total steps used for linear warmup (0 to 1).', 0.0, { min: 0, max: 1 }),
  warmup_steps: float('Steps of linear warmup; overrides warmup_ratio when > 0 (a float < 1 is a ratio from transformers v5).', 0, { min: 0 }),
  log_level: enm(['passive', 'debug', 'info', 'warning', 'error', 'critical'], 'Logger level on the main process.', 'passive'),
  log_level_replica: enm(['passive', 'debug', 'info', 'warning', 'error', 'critical'], 'Logger level on replicas.', 'warning'),
  log_on_each_node: bool('Log on the main process of each node (not only node 0).', true),
  logging_dir: str('TensorBoard log directory.', 'output_dir/runs/CURRENT_DATETIME_HOSTNAME'),
  logging_strategy: enm(HF_STRATEGIES, 'When to log: "no", every logging_steps ("steps") or each epoch.', 'steps'),
  logging_first_step: bool('Log the first optimizer step.', false),
  logging_steps: float('Log every this many steps (a float < 1 is a ratio of total steps).', 500, { gt: 0 }),
  logging_nan_inf_filter: bool('Filter nan/inf losses out of the logged loss.', true),
  save_strategy: enm([...HF_STRATEGIES, 'best'], 'When to save checkpoints: "no", every save_steps, each epoch, or on a new best metric.', 'steps'),
  save_steps: float('Save every this many steps (a float < 1 is a ratio of total steps).', 500, { gt: 0 }),
  // 0 or less: no checkpoint is deleted (trainer_utils.py rotate_checkpoints: `if save_total_limit is None or
  // save_total_limit <= 0: return`), so no bound.
  save_total_limit: int('Keep at most this many checkpoints (oldest deleted; the best one is kept with load_best_model_at_end; 0 or less keeps all).', null),
  save_safetensors: bool('Save weights as safetensors instead of torch.save.', true),
  save_on_each_node: bool('Save on every node (when nodes do not share storage).', false),
  save_only_model: bool('Save only the model, not optimizer/scheduler/RNG state (resuming is then impossible).', false),
  restore_callback_states_from_checkpoint: bool('Restore callback states when resuming.', false),
  no_cuda: bool('Removed in favour of use_cpu.', false, { deprecated: 'use use_cpu' }),
  use_cpu: bool('Train on the CPU even when a GPU is present.', false),
  use_mps_device: bool('Deprecated: MPS is used automatically when available.', false, { deprecated: 'MPS is picked automatically' }),
  seed: int('Random seed set at the beginning of training.', 42),
  data_seed: int('Seed for data samplers (defaults to seed).', null),
  jit_mode_eval: bool('Use PyTorch jit trace for inference.', false),
  use_ipex: bool('Use Intel extension for PyTorch.', false),
  bf16: bool('bfloat16 mixed precision (Ampere or newer GPUs, or CPU/XPU/NPU).', false),
  fp16: bool('float16 (fp16) mixed precision with loss scaling.', false),
  fp16_opt_level: str('Apex AMP optimization level (O0..O3) for fp16.', 'O1'),
  half_precision_backend: enm(['auto', 'apex', 'cpu_amp'], 'Backend for mixed precision.', 'auto'),
  bf16_full_eval: bool('Evaluate in full bf16 (not mixed).', false),
  fp16_full_eval: bool('Evaluate in full fp16 (not mixed).', false),
  tf32: bool('Enable TF32 matmuls on Ampere or newer GPUs.', null),
  local_rank: int('Process rank in distributed training (set by the launcher).', -1),
  ddp_backend: enm(['nccl', 'gloo', 'mpi', 'ccl', 'hccl', 'cncl', 'mccl'], 'Backend for distributed training.', null),
  tpu_num_cores: int('Number of TPU cores (set by the launcher).', null),
  tpu_metrics_debug: bool('Deprecated: use debug: tpu_metrics_debug.', false, { deprecated: 'use debug' }),
  debug: list('str', 'Debug features: "underflow_overflow", "tpu_metrics_debug".', '', { orScalar: true }),
  dataloader_drop_last: bool('Drop the last incomplete batch.', false),
  eval_steps: float('Evaluate every this many steps when eval_strategy="steps" (defaults to logging_steps; float < 1 = ratio).', null, { gt: 0 }),
  dataloader_num_workers: int('Worker processes for data loading (0 = main process).', 0, { min: 0 }),
  dataloader_prefetch_factor: int('Batches loaded in advance by each worker.', null, { min: 1 }),
  past_index: int('Index of past hidden states in the model outputs (TransformerXL/XLNet).', -1),
  run_name: str('Run name for wandb, mlflow, ... (defaults to output_dir).', null),
  disable_tqdm: bool('Disable progress bars.', null),
  remove_unused_columns: bool('Drop dataset columns the model forward() does not accept.', true),
  label_names: list('str', 'Keys in the inputs that are labels.', null),
  load_best_model_at_end: bool('Load the best checkpoint (by metric_for_best_model) at the end; needs save and eval strategies to match.', false),
  metric_for_best_model: str('Metric to compare checkpoints with (defaults to "loss" with load_best_model_at_end).', null),
  greater_is_better: bool('Whether a larger metric_for_best_model is better.', null),
  ignore_data_skip: bool('When resuming, do not skip already-seen batches.', false),
  fsdp: list('str', 'FSDP options: full_shard, shard_grad_op, hybrid_shard, hybrid_shard_zero2, offload, auto_wrap (list or space-separated string).', '', { orScalar: true }),
  fsdp_min_num_params: int('Deprecated: use fsdp_config.min_num_params.', 0, { deprecated: 'use fsdp_config.min_num_params' }),
  fsdp_config: any('FSDP config: a dict or a path to a JSON file (min_num_params, transformer_layer_cls_to_wrap, backward_prefetch, forward_prefetch, limit_all_gathers, use_orig_params, sync_module_states, cpu_ram_efficient_loading, activation_checkpointing, xla...).', null, { type: 'mapping | str' }),
  fsdp_transformer_layer_cls_to_wrap: str('Deprecated: use fsdp_config.transformer_layer_cls_to_wrap.', null, { deprecated: 'use fsdp_config.transformer_layer_cls_to_wrap' }),
  tp_size: int('Tensor-parallel degree (experimental).', 0),
  accelerator_config: any('Accelerator config: a dict or JSON path (split_batches, dispatch_batches, even_batches, use_seedable_sampler, ...).', null, { type: 'mapping | str' }),
  parallelism_config: any('Accelerate ParallelismConfig (dp/tp/cp sizes).', null, { type: 'mapping' }),
  deepspeed: { ...any('DeepSpeed: path to a ds_config.json, or the config inline as a mapping (checked like a ds_config.json).', null, { type: 'str | mapping' }), obj: deepspeedRoot() },
  label_smoothing_factor: float('Label smoothing epsilon (0 = none).', 0.0, { min: 0, max: 1 }),
  optim: { ...enm(HF_OPTIMIZERS, 'Optimizer (transformers OptimizerNames).', 'adamw_torch (adamw_torch_fused on torch>=2.8)', { severity: 'warning' }) },
  optim_args: str('Extra optimizer arguments as "key=value,key2=value2".', null),
  optim_target_modules: list('str', 'Target modules for GaLore/APOLLO optimizers.', null, { orScalar: true }),
  adafactor: bool('Deprecated: use optim: adafactor.', false, { deprecated: 'use optim: adafactor' }),
  group_by_length: bool('Group samples of similar length to reduce padding.', false),
  length_column_name: str('Column with precomputed lengths for group_by_length.', 'length'),
  report_to: reportTo,
  project: str('Project name for trackio logging.', 'huggingface'),
  trackio_space_id: str('Hugging Face Space id for trackio.', 'trackio'),
  ddp_find_unused_parameters: bool('Passed to DistributedDataParallel find_unused_parameters.', null),
  ddp_bucket_cap_mb: int('Passed to DistributedDataParallel bucket_cap_mb.', null),
  ddp_broadcast_buffers: bool('Passed to DistributedDataParallel broadcast_buffers.', null),
  ddp_timeout: int('Timeout (seconds) for torch.distributed.init_process_group.', 1800, { min: 1 }),
  dataloader_pin_memory: bool('Pin memory in data loaders.', true),
  dataloader_persistent_workers: bool('Keep data-loader workers alive between epochs.', false),
  skip_memory_metrics: bool('Skip the memory profiler metrics.', true),
  use_legacy_prediction_loop: bool('Use the legacy prediction_loop.', false),
  push_to_hub: bool('Push the model to the Hub at every save.', false),
  resume_from_checkpoint: str('Checkpoint folder to resume from (read by scripts).', null),
  hub_model_id: str('Repository name on the Hub to push to.', null),
  hub_strategy: enm(['end', 'every_save', 'checkpoint', 'all_checkpoints'], 'What and when to push to the Hub.', 'every_save'),
  hub_token: str('Token to push to the Hub (prefer `huggingface-cli login`).', null),
  hub_private_repo: bool('Make the Hub repository private.', null),
  hub_always_push: bool('Push even if the previous push has not finished.', false),
  hub_revision: str('Hub revision (branch) to push to.', null),
  gradient_checkpointing: bool('Recompute activations in the backward pass to save memory (slower).', false),
  gradient_checkpointing_kwargs: map('Arguments for gradient_checkpointing_enable(), e.g. {use_reentrant: false}.', obj('gradient_checkpointing_kwargs', { use_reentrant: bool('torch.utils.checkpoint use_reentrant.', true) }, 'warning'), null),
  include_inputs_for_metrics: bool('Deprecated: use include_for_metrics: [inputs].', false, { deprecated: 'use include_for_metrics' }),
  include_for_metrics: list('str', 'Extra data for compute_metrics: "inputs", "loss".', []),
  eval_do_concat_batches: bool('Concatenate eval batches before compute_metrics.', true),
  fp16_backend: str('Removed: use half_precision_backend.', 'auto', { deprecated: 'use half_precision_backend' }),
  push_to_hub_model_id: str('Removed: use hub_model_id.', null, { deprecated: 'use hub_model_id' }),
  push_to_hub_organization: str('Removed: use hub_model_id.', null, { deprecated: 'use hub_model_id' }),
  push_to_hub_token: str('Removed: use hub_token.', null, { deprecated: 'use hub_token' }),
  mp_parameters: str('Used by SageMaker model parallel.', ''),
  auto_find_batch_size: bool('Halve the batch size on CUDA OOM until it fits (needs accelerate).', false),
  full_determinism: bool('Call enable_full_determinism() (slower).', false),
  torchdynamo: str('Deprecated: use torch_compile_backend.', null, { deprecated: 'use torch_compile_backend' }),
  ray_scope: str('Ray Tune scope for the best trial.', 'last'),
  torch_compile: bool('Compile the model with torch.compile.', false),
  torch_compile_backend: str('torch.compile backend (e.g. inductor).', null),
  torch_compile_mode: enm(['default', 'reduce-overhead', 'max-autotune', 'max-autotune-no-cudagraphs'], 'torch.compile mode.', null),
  dispatch_batches: bool('Deprecated: use accelerator_config.dispatch_batches.', null, { deprecated: 'use accelerator_config' }),
  split_batches: bool('Deprecated: use accelerator_config.split_batches.', null, { deprecated: 'use accelerator_config' }),
  include_tokens_per_second: bool('Log tokens/s/device (computes lengths in advance).', false),
  // transformers 5 (training_args.py): `str | bool`, True -> "all", False -> "no"; trainer.py also reads "non_padding".
  include_num_input_tokens_seen: { ...enm(['no', 'all', 'non_padding'], 'Track the number of input tokens seen: "all", "non_padding" (tokens other than padding) or "no"; true/false mean "all"/"no".', false), zod: z.union([z.boolean(), z.string()]), type: "bool | 'no' | 'all' | 'non_padding'" },
  neftune_noise_alpha: float('NEFTune noise alpha (instruction fine-tuning).', null, { min: 0 }),
  batch_eval_metrics: bool('Call compute_metrics per batch.', false),
  eval_on_start: bool('Run an evaluation before training (sanity check).', false),
  use_liger_kernel: bool('Use Liger kernels (fused RMSNorm/RoPE/SwiGLU/CE).', false),
  liger_kernel_config: map('Liger kernel options.', undefined, null),
  eval_use_gather_object: bool('Gather nested objects across devices in evaluation.', false),
  average_tokens_across_devices: bool('Average token counts across devices for the loss.', true),
  // Seq2SeqTrainingArguments
  sortish_sampler: bool('Seq2Seq: sortish sampler.', false),
  predict_with_generate: bool('Seq2Seq: use generate() for metrics (ROUGE, BLEU).', false),
  generation_max_length: int('Seq2Seq: max_length for generate() in evaluation.', null),
  generation_num_beams: int('Seq2Seq: num_beams for generate() in evaluation.', null),
  generation_config: any('Seq2Seq: GenerationConfig path or dict.', null),
};

/** DPOConfig.loss_type choices (dpo_config.py `choices`; `sft` is accepted in a list for the RPO-style mix of newer TRL). */
export const TRL_DPO_LOSS_TYPES = ['sigmoid', 'hinge', 'ipo', 'exo_pair', 'nca_pair', 'robust', 'bco_pair', 'sppo_hard', 'aot', 'aot_pair', 'discopop', 'apo_zero', 'apo_down', 'sft'] as const;
/** GRPOConfig.loss_type (grpo_config.py docstring; default `dapo` in current TRL, `grpo` before). */
export const TRL_GRPO_LOSS_TYPES = ['grpo', 'dr_grpo', 'dapo', 'bnpo', 'cispo', 'sapo', 'luspo'] as const;
/**
 * Every loss_type value a TRL config built on TrainingArguments accepts: the file's trainer is not known from the
 * YAML alone, so an unknown value is a warning (with did-you-mean), not an error. SFT: nll, dft; KTO: kto,
 * apo_zero_unpaired; CPO adds simpo, alphapo.
 */
export const TRL_LOSS_TYPES = [...new Set<string>([...TRL_DPO_LOSS_TYPES, ...TRL_GRPO_LOSS_TYPES, 'nll', 'dft', 'kto', 'apo_zero_unpaired', 'simpo', 'alphapo'])];

/** TRL trainer configs: union of their own fields (each extends TrainingArguments). */
export const trlConfigs: Record<string, KeySpec> = {
  // shared
  model_init_kwargs: map('kwargs for AutoModel.from_pretrained when the model is a string.', undefined, null, { source: TRL }),
  ref_model_init_kwargs: map('DPO: kwargs for the reference model from_pretrained.', undefined, null, { source: DPO }),
  dataset_num_proc: int('Processes used to preprocess the dataset.', null, { min: 1, source: TRL }),
  disable_dropout: bool('Disable dropout in the model (DPO/ORPO/GRPO/Reward).', true, { source: TRL }),
  max_length: int('Maximum tokenized sequence length (prompt + completion); longer ones are truncated. SFTConfig: replaces max_seq_length (TRL 0.16).', 1024, { min: 1, source: TRL }),
  max_prompt_length: int('Maximum prompt length (DPO/ORPO/CPO/KTO/GRPO).', 512, { min: 1, source: TRL }),
  max_completion_length: int('Maximum completion length (DPO/ORPO/GRPO).', null, { min: 1, source: TRL }),
  max_target_length: int('Removed: use max_completion_length.', null, { source: TRL, deprecated: 'use max_completion_length' }),
  truncation_mode: enm(['keep_end', 'keep_start'], 'Which end to keep when truncating.', 'keep_end', { source: TRL }),
  label_pad_token_id: int('Label padding id (-100 ignored by the loss).', -100, { source: TRL }),
  padding_value: int('Padding value (defaults to the tokenizer pad id).', null, { source: TRL }),
  is_encoder_decoder: bool('Whether the model is encoder-decoder (inferred when unset).', null, { source: TRL }),
  generate_during_eval: bool('Generate and log completions during evaluation.', false, { source: TRL }),
  beta: float('DPO/ORPO/KTO/CPO/GRPO: strength of the KL/odds-ratio term (DPO 0.1, ORPO 0.1; GRPO 0.0, 0.04 in older TRL; 0 skips the reference model).', 0.1, { min: 0, source: DPO }),
  loss_type: { ...any('Loss variant (DPO: sigmoid (default), ipo, hinge, ...; GRPO: dapo (default), grpo, dr_grpo, bnpo, cispo, sapo, luspo; SFT: nll, dft). DPO in newer TRL also takes a list, weighted by loss_weights.', null, { type: 'str | list[str]', source: DPO }), values: TRL_LOSS_TYPES, enumSeverity: 'warning' },
  use_liger_loss: bool('Use Liger fused loss.', false, { source: TRL }),
  padding_free: bool('Flatten the batch without padding (needs flash attention).', false, { source: TRL }),
  pad_to_multiple_of: int('Pad sequences to a multiple of this.', null, { source: TRL }),
  tools: list('any', 'Tools for chat templates.', null, { source: TRL }),
  // SFT
  dataset_text_field: str('SFT: column that holds the text.', 'text', { source: TRL }),
  dataset_kwargs: map('SFT: dataset preparation options (e.g. {skip_prepare_dataset: true}).', undefined, null, { source: TRL }),
  packing: bool('SFT: pack several sequences into each max_length block.', false, { source: TRL }),
  packing_strategy: enm(['bfd', 'bfd_split', 'wrapped', 'ffd'], 'SFT: packing strategy.', 'bfd', { source: TRL, severity: 'warning' }),
  eval_packing: bool('SFT: pack the eval dataset (defaults to packing).', null, { source: TRL }),
  completion_only_loss: bool('SFT: loss only on the completion of prompt-completion data.', null, { source: TRL }),
  assistant_only_loss: bool('SFT: loss only on assistant turns (needs a template with generation markers).', false, { source: TRL }),
  activation_offloading: bool('Offload activations to CPU.', false, { source: TRL }),
  chat_template_path: str('SFT: tokenizer or Jinja file with the chat template.', null, { source: TRL }),
  eos_token: str('SFT: EOS token override.', null, { source: TRL }),
  pad_token: str('SFT: pad token override.', null, { source: TRL }),
  max_seq_length: int('SFT: renamed max_length in TRL 0.16; removed in 0.20.', 1024, { min: 1, source: TRL, deprecated: 'use max_length' }),
  dataset_batch_size: int('SFT (old): batch size for tokenization.', null, { source: TRL, deprecated: 'removed' }),
  num_of_sequences: int('SFT (old): number of sequences for ConstantLengthDataset.', null, { source: TRL, deprecated: 'removed' }),
  chars_per_token: float('SFT (old): characters per token for ConstantLengthDataset.', null, { source: TRL, deprecated: 'removed' }),
  // DPO
  label_smoothing: float('DPO: robust DPO label smoothing (0 to 0.5).', 0.0, { min: 0, max: 0.5, source: DPO }),
  use_weighting: bool('DPO: WPO weighting.', false, { source: DPO }),
  precompute_ref_log_probs: bool('DPO: precompute reference log-probs (frees the reference model).', false, { source: DPO }),
  precompute_ref_batch_size: int('DPO: batch size for precomputing reference log-probs.', null, { source: DPO }),
  model_adapter_name: str('DPO/PPO: adapter name of the trained model.', null, { source: TRL }),
  ref_adapter_name: str('DPO/PPO: adapter name of the reference model.', null, { source: TRL }),
  reference_free: bool('DPO: ignore the reference model (uniform reference).', false, { source: DPO }),
  force_use_ref_model: bool('DPO: keep a reference model even with PEFT.', false, { source: DPO }),
  f_divergence_type: enm(['reverse_kl', 'js_divergence', 'alpha_divergence'], 'DPO: f-divergence.', 'reverse_kl', { source: DPO }),
  f_alpha_divergence_coef: float('DPO: alpha for the alpha divergence.', 1.0, { source: DPO }),
  sync_ref_model: bool('DPO/GRPO: sync the reference model every ref_model_sync_steps (TR-DPO).', false, { source: TRL }),
  ref_model_mixup_alpha: float('TR-DPO/GRPO: mixup alpha.', 0.6, { min: 0, max: 1, source: TRL }),
  ref_model_sync_steps: int('TR-DPO/GRPO: steps between reference syncs.', 512, { source: TRL }),
  rpo_alpha: float('DPO: RPO NLL weight.', null, { source: DPO }),
  ld_alpha: float('DPO: LD-DPO alpha.', null, { source: DPO }),
  discopop_tau: float('DPO: DiscoPOP tau.', 0.05, { source: DPO }),
  loss_weights: list('float', 'DPO: weights of the losses in loss_type.', null, { source: DPO }),
  use_logits_to_keep: bool('DPO: compute only the needed logits.', false, { source: DPO }),
  base_model_attribute_name: str('DPO: attribute holding the base model.', 'model', { source: DPO }),
  // KTO / CPO
  desirable_weight: float('KTO: weight of desirable examples.', 1.0, { source: KTO }),
  undesirable_weight: float('KTO: weight of undesirable examples.', 1.0, { source: KTO }),
  cpo_alpha: float('CPO: NLL weight.', 1.0, { source: CPO }),
  simpo_gamma: float('CPO/SimPO: target reward margin.', 0.5, { source: CPO }),
  alpha: float('CPO (loss_type: alphapo): AlphaPO reward-shape alpha.', undefined, { source: CPO }),
  // Reward
  center_rewards_coefficient: float('Reward: coefficient that pushes rewards towards zero mean.', null, { source: REWARD }),
  // GRPO (grpo_config.py). Defaults are those of current TRL; older releases differ where noted.
  num_generations: int('GRPO: completions sampled per prompt (>= 2); the generation batch must be divisible by it.', 8, { min: 2, source: GRPO }),
  num_generations_eval: int('GRPO: completions per prompt in evaluation (defaults to num_generations).', null, { min: 1, source: GRPO }),
  cast_lm_head_to_fp32: bool('GRPO: cast the LM head to float32 (ScaleRL; needs untied embeddings).', false, { source: GRPO }),
  temperature: float('GRPO/PPO: sampling temperature.', 1.0, { gt: 0, source: GRPO }),
  top_p: float('GRPO: nucleus sampling, in (0, 1].', 1.0, { gt: 0, max: 1, source: GRPO }),
  top_k: int('GRPO: top-k sampling (0 disables; None in older TRL).', 0, { min: 0, source: GRPO }),
  min_p: float('GRPO: min-p sampling, 0 to 1.', null, { min: 0, max: 1, source: GRPO }),
  repetition_penalty: float('GRPO: repetition penalty (>1 discourages repeats).', 1.0, { gt: 0, source: GRPO }),
  generation_kwargs: map('GRPO: extra GenerationConfig / vLLM SamplingParams kwargs (override the options above).', undefined, null, { source: GRPO }),
  chat_template_kwargs: map('GRPO: extra kwargs for apply_chat_template when generating.', undefined, null, { source: GRPO }),
  use_transformers_paged: bool('GRPO: paged transformers generation (only without vLLM).', false, { source: GRPO }),
  cache_implementation: str('GRPO: KV cache implementation for generate() (without vLLM).', null, { source: GRPO }),
  use_vllm: bool('GRPO: generate completions with vLLM.', false, { source: GRPO }),
  vllm_mode: enm(['server', 'colocate'], 'GRPO: vLLM as a separate `trl vllm-serve` server or colocated on the training GPUs.', 'server', { source: GRPO }),
  vllm_model_impl: enm(['vllm', 'transformers'], 'GRPO: model implementation vLLM uses.', 'vllm', { source: GRPO }),
  vllm_structured_outputs_regex: str('GRPO: regex for vLLM structured outputs (None disables).', null, { source: GRPO }),
  vllm_server_base_url: str('GRPO (server): vLLM server URL; overrides host and port.', null, { source: GRPO }),
  vllm_server_host: str('GRPO (server): vLLM server host.', '0.0.0.0', { source: GRPO }),
  vllm_server_port: int('GRPO (server): vLLM server port.', 8000, { min: 1, max: 65535, source: GRPO }),
  vllm_server_timeout: float('GRPO (server): seconds to wait for the vLLM server.', 240, { gt: 0, source: GRPO }),
  vllm_group_port: int('GRPO (server): port of the weight-update group.', 51216, { min: 1, max: 65535, source: GRPO }),
  vllm_gpu_memory_utilization: float('GRPO (colocate): vLLM GPU memory fraction.', 0.3, { gt: 0, max: 1, source: GRPO }),
  vllm_max_model_length: int('GRPO (colocate): vLLM context window (at least prompt + max_completion_length).', null, { min: 1, source: GRPO }),
  vllm_tensor_parallel_size: int('GRPO (colocate): vLLM tensor parallel size.', 1, { min: 1, source: GRPO }),
  vllm_enable_sleep_mode: bool('GRPO (colocate): offload vLLM weights/cache during the optimizer step.', false, { source: GRPO }),
  vllm_importance_sampling_correction: bool('GRPO: importance-sampling correction for vLLM vs training log-probs.', true, { source: GRPO }),
  vllm_importance_sampling_mode: enm(['token_truncate', 'token_mask', 'sequence_truncate', 'sequence_mask'], 'GRPO: how the vLLM importance-sampling ratio is capped.', 'sequence_mask', { source: GRPO, severity: 'warning' }),
  vllm_importance_sampling_cap: float('GRPO: importance-sampling cap C.', 3.0, { gt: 0, source: GRPO }),
  epsilon: float('GRPO: lower clipping epsilon.', 0.2, { min: 0, source: GRPO }),
  epsilon_high: float('GRPO: upper clipping epsilon (DAPO recommends 0.28; CISPO 5.0).', null, { min: 0, source: GRPO }),
  delta: float('GRPO: two-sided clipping bound (INTELLECT-2; > 1 + epsilon).', null, { source: GRPO }),
  sapo_temperature_neg: float('GRPO (sapo loss): gate temperature for non-positive advantages.', 1.05, { gt: 0, source: GRPO }),
  sapo_temperature_pos: float('GRPO (sapo loss): gate temperature for positive advantages.', 1.0, { gt: 0, source: GRPO }),
  num_iterations: int('GRPO: iterations per generated batch (mu).', 1, { min: 1, source: GRPO }),
  scale_rewards: { ...any('GRPO: reward scaling: "group" (= true), "batch", "none" (= false) or "mean" (experimental).', 'group', { type: "'group' | 'batch' | 'none' | 'mean' | bool", source: GRPO }), values: ['group', 'batch', 'none', 'mean'], enumSeverity: 'warning' },
  multi_objective_aggregation: enm(['sum_then_normalize', 'normalize_then_sum'], 'GRPO: how several reward functions are combined.', 'sum_then_normalize', { source: GRPO, severity: 'warning' }),
  reward_weights: list('float', 'GRPO: weight of each reward function (same length as the reward functions).', null, { source: GRPO }),
  mask_truncated_completions: bool('GRPO: exclude truncated completions from the loss (DAPO).', false, { source: GRPO }),
  importance_sampling_level: enm(['token', 'sequence'], 'GRPO: importance sampling level (GSPO: sequence).', 'token', { source: GRPO }),
  top_entropy_quantile: float('GRPO: keep only the top-rho entropy tokens in the loss (0 to 1).', 1.0, { min: 0, max: 1, source: GRPO }),
  // 0: no tool call is run (grpo_trainer.py: `while idxs_with_tool and iteration_num < max_tool_calling_iterations`).
  max_tool_calling_iterations: int('GRPO: maximum tool-calling turns for agent training (0: none).', null, { min: 0, source: GRPO }),
  off_policy_mask_threshold: float('GRPO: KL threshold for off-policy sequence masking (DeepSeek-V3.2).', null, { gt: 0, source: GRPO }),
  use_bias_correction_kl: bool('GRPO: importance-sampling corrected KL estimator.', false, { source: GRPO }),
  generation_batch_size: int('GRPO: completions generated per generation step; exclusive with steps_per_generation.', null, { min: 1, source: GRPO }),
  steps_per_generation: int('GRPO: optimizer steps per generation (defaults to gradient_accumulation_steps); exclusive with generation_batch_size.', null, { min: 1, source: GRPO }),
  shuffle_dataset: bool('GRPO: shuffle the training dataset.', true, { source: GRPO }),
  ds3_gather_for_generation: bool('GRPO/PPO: gather ZeRO-3 weights for generation (false is incompatible with vLLM).', true, { source: GRPO }),
  log_completions: bool('GRPO: log a sample of (prompt, completion) pairs every logging_steps.', false, { source: GRPO }),
  num_completions_to_print: int('GRPO: completions printed with log_completions (null: all).', null, { min: 0, source: GRPO }),
  log_unique_prompts: bool('GRPO: log only unique prompts.', false, { source: GRPO }),
  log_completions_hub_repo: str('GRPO: Hub repo to upload logged completions to (needs log_completions).', null, { source: GRPO }),
  // PPO (OnPolicyConfig)
  exp_name: str('PPO: experiment name.', null, { source: PPO }),
  reward_model_path: str('PPO: reward model path.', 'EleutherAI/pythia-160m', { source: PPO }),
  sft_model_path: str('PPO: SFT model path.', 'EleutherAI/pythia-160m', { source: PPO }),
  world_size: int('PPO (OnPolicyConfig): process count; computed by the trainer, a set value is overwritten.', null, { source: PPO }),
  num_total_batches: int('PPO (OnPolicyConfig): total batches; computed from total_episodes.', null, { source: PPO }),
  micro_batch_size: int('PPO (OnPolicyConfig): per_device_train_batch_size x world_size; computed.', null, { source: PPO }),
  local_batch_size: int('PPO (OnPolicyConfig): per_device_train_batch_size x gradient_accumulation_steps; computed.', null, { source: PPO }),
  batch_size: int('PPO (OnPolicyConfig): global batch across devices; computed.', null, { source: PPO }),
  local_mini_batch_size: int('PPO (OnPolicyConfig): mini batch per GPU; computed.', null, { source: PPO }),
  mini_batch_size: int('PPO (OnPolicyConfig): mini batch across GPUs; computed.', null, { source: PPO }),
  num_ppo_epochs: int('PPO: epochs per batch.', 4, { min: 1, source: PPO }),
  whiten_rewards: bool('PPO: whiten rewards.', false, { source: PPO }),
  kl_coef: float('PPO: KL coefficient.', 0.05, { source: PPO }),
  kl_estimator: enm(['k1', 'k3'], 'PPO: KL estimator.', 'k1', { source: PPO }),
  cliprange: float('PPO: policy clip range.', 0.2, { source: PPO }),
  vf_coef: float('PPO: value loss coefficient.', 0.1, { source: PPO }),
  cliprange_value: float('PPO: value clip range.', 0.2, { source: PPO }),
  gamma: float('PPO: discount factor.', 1.0, { source: PPO }),
  lam: float('PPO: GAE lambda.', 0.95, { source: PPO }),
  num_mini_batches: int('PPO: mini-batches per batch.', 1, { source: PPO }),
  total_episodes: int('PPO: total episodes.', null, { source: PPO }),
  local_rollout_forward_batch_size: int('PPO: rollout forward batch size.', 64, { source: PPO }),
  num_sample_generations: int('PPO: sample generations for debugging.', 10, { source: PPO }),
  response_length: int('PPO: response length.', 53, { source: PPO }),
  stop_token: str('PPO: stop token ("eos").', null, { source: PPO }),
  stop_token_id: int('PPO: stop token id.', null, { source: PPO }),
  missing_eos_penalty: float('PPO/GRPO: penalty when no EOS is produced.', null, { source: PPO }),
};

/** TRL ModelConfig + ScriptArguments (+ the `env` block TrlParser reads). */
export const trlScript: Record<string, KeySpec> = {
  model_name_or_path: str('Model checkpoint (Hub id or local path).', null, { source: MC }),
  model_revision: str('Model revision (branch, tag or commit).', 'main', { source: MC }),
  torch_dtype: enm(TORCH_DTYPES, 'dtype to load the model in (renamed dtype in newer TRL).', null, { source: MC }),
  dtype: enm(TORCH_DTYPES, 'dtype to load the model in.', null, { source: MC }),
  trust_remote_code: bool('Allow custom model code from the Hub.', false, { source: MC }),
  attn_implementation: enm(ATTN_IMPLEMENTATIONS, 'Attention implementation (or a kernels-hub repo id).', null, { source: MC, severity: 'warning' }),
  use_peft: bool('Train a LoRA adapter with PEFT.', false, { source: MC }),
  lora_r: int('LoRA rank.', 16, { min: 1, source: MC }),
  lora_alpha: int('LoRA alpha (scaling = alpha / r).', 32, { min: 1, source: MC }),
  lora_dropout: float('LoRA dropout.', 0.05, { min: 0, lt: 1, source: MC }),
  lora_target_modules: list('str', 'Module names to adapt (or "all-linear").', null, { orScalar: true, source: MC }),
  lora_target_parameters: list('str', 'Parameter names to adapt (MoE experts).', null, { source: MC }),
  lora_modules_to_save: list('str', 'Modules trained fully and saved with the adapter.', null, { source: MC }),
  lora_task_type: str('PEFT task type.', 'CAUSAL_LM', { source: MC }),
  use_rslora: bool('Rank-stabilized LoRA (scaling alpha/sqrt(r)).', false, { source: MC }),
  use_dora: bool('DoRA.', false, { source: MC }),
  load_in_8bit: bool('Load the base model in 8-bit (bitsandbytes).', false, { source: MC }),
  load_in_4bit: bool('Load the base model in 4-bit (bitsandbytes, QLoRA).', false, { source: MC }),
  bnb_4bit_quant_type: enm(['fp4', 'nf4'], '4-bit quantization type.', 'nf4', { source: MC }),
  use_bnb_nested_quant: bool('Nested (double) quantization.', false, { source: MC }),
  bnb_4bit_quant_storage: str('Storage dtype of 4-bit weights (FSDP+QLoRA needs bfloat16 or the compute dtype).', null, { source: MC }),
  dataset_name: str('Dataset (Hub id or path).', null),
  dataset_config: str('Dataset config name.', null),
  dataset_train_split: str('Training split.', 'train'),
  dataset_test_split: str('Test split.', 'test'),
  dataset_streaming: bool('Stream the dataset.', false),
  gradient_checkpointing_use_reentrant: bool('use_reentrant for gradient checkpointing.', false),
  ignore_bias_buffers: bool('Ignore bool bias buffers (DDP).', false),
  env: map('Environment variables TrlParser sets before training.', undefined, null),
};

const mixtureDataset = obj('dataset_mixture.datasets[]', {
  id: str('Hub dataset id or local path.', undefined, { source: AH }),
  config: str('Dataset config name.', null, { source: AH }),
  split: str('Split to load.', 'train', { source: AH }),
  columns: list('str', 'Columns to keep.', null, { source: AH }),
  weight: float('Fraction of the dataset to use (0 to 1).', null, { min: 0, source: AH }),
  data_dir: str('Data directory.', null, { source: AH }),
}, 'warning', { source: AH });

/** alignment-handbook ModelArguments / DataArguments / ScriptArguments (old and new). */
export const alignmentHandbook: Record<string, KeySpec> = {
  base_model_revision: str('Base model revision (for PEFT adapters).', null, { source: AH }),
  model_code_revision: str('Revision of the model code.', null, { source: AH }),
  tokenizer_name_or_path: str('Tokenizer (defaults to the model).', null, { source: AH }),
  chat_template: str('Jinja chat template.', null, { source: AH }),
  dataset_mixer: map('Old handbook: dataset id -> fraction.', undefined, null, { source: AH }),
  dataset_mixture: map('Datasets to mix: {datasets: [{id, config, split, columns, weight}], test_split_size, seed}.', obj('dataset_mixture', {
    datasets: listOf(mixtureDataset, 'Datasets to mix.', { source: AH }),
    test_split_size: float('Size of the test split carved out of the mixture.', null, { source: AH }),
    seed: int('Shuffle seed.', 0, { source: AH }),
  }, 'warning', { source: AH }), null, { source: AH }),
  text_column: str('Column with text.', 'text', { source: AH }),
  dataset_splits: list('str', 'Splits to load.', ['train', 'test'], { source: AH }),
  dataset_configs: list('str', 'Dataset configs.', null, { source: AH }),
  preprocessing_num_workers: int('Preprocessing processes.', null, { source: AH }),
  truncation_side: enm(['left', 'right'], 'Tokenizer truncation side.', null, { source: AH }),
  auto_insert_empty_system_msg: bool('Insert an empty system message.', true, { source: AH }),
  bnb_4bit_compute_dtype: str('Compute dtype for 4-bit layers.', null, { source: AH }),
};

/**
 * `evaluation_strategy` -> `eval_strategy` by the transformers version of the run (issue 15): deprecated in 4.41.0,
 * removed in 4.46.0 (see the comment at its entry below). Shared by HF/TRL YAML and LLaMA-Factory (both parse
 * TrainingArguments with HfArgumentParser, which refuses a key no dataclass has).
 */
export const TRANSFORMERS_EVAL_STRATEGY = { pkg: 'transformers', label: 'transformers', deprecatedIn: '4.41.0', removedIn: '4.46.0', source: 'HfArgumentParser: "Some keys are not used by the HfArgumentParser"' };

export const hfRenamed = {
  // transformers PR #30190 (released in 4.41.0) added `eval_strategy` and kept `evaluation_strategy` with the
  // FutureWarning "`evaluation_strategy` is deprecated and will be removed in version 4.46 of 🤗 Transformers"
  // (src/transformers/training_args.py __post_init__); from 4.46 TrainingArguments has no such field.
  evaluation_strategy: { to: 'eval_strategy', version: 'transformers 4.46 (deprecated in 4.41)', severity: 'error' as const, byVersion: TRANSFORMERS_EVAL_STRATEGY },
  no_cuda: { to: 'use_cpu', version: 'transformers 4.34 (deprecated; removed in v5)', severity: 'warning' as const },
  per_gpu_train_batch_size: { to: 'per_device_train_batch_size', version: 'transformers 3.x (removed in v5)', severity: 'warning' as const },
  per_gpu_eval_batch_size: { to: 'per_device_eval_batch_size', version: 'transformers 3.x (removed in v5)', severity: 'warning' as const },
  push_to_hub_model_id: { to: 'hub_model_id', version: 'transformers 4.x (removed in v5)', severity: 'warning' as const },
  push_to_hub_token: { to: 'hub_token', version: 'transformers 4.x (removed in v5)', severity: 'warning' as const },
  fp16_backend: { to: 'half_precision_backend', version: 'transformers 4.x (removed in v5)', severity: 'warning' as const },
  include_inputs_for_metrics: { to: 'include_for_metrics', version: 'transformers 4.47 (include_for_metrics: [inputs])', severity: 'warning' as const },
  // trl/trainer/sft_config.py: SFTConfig got max_length in 0.16 and kept max_seq_length deprecated until 0.20. Other
  // classes had max_length all along, so `max_length` on an older TRL is checked per class (keyHistory.ts).
  max_seq_length: { to: 'max_length', version: 'TRL 0.16 (SFTConfig; removed in TRL 0.20)', severity: 'warning' as const, byVersion: { pkg: 'trl', label: 'TRL', deprecatedIn: '0.16.0', removedIn: '0.20.0', source: 'HfArgumentParser: "Some keys are not used by the HfArgumentParser"', newNameCheckedElsewhere: true } },
  max_target_length: { to: 'max_completion_length', version: 'TRL 0.13 (DPOConfig)', severity: 'warning' as const },
  // dpo_config.py: "use_num_logits_to_keep is deprecated ... Use use_logits_to_keep"
  use_num_logits_to_keep: { to: 'use_logits_to_keep', version: 'DPOConfig before TRL 0.17 (the old name is gone from 0.17)', severity: 'warning' as const },
  // grpo_config.py: the names current GRPOConfig has for these
  wandb_log_unique_prompts: { to: 'log_unique_prompts', version: 'a recent TRL release (GRPOConfig)', severity: 'warning' as const },
  vllm_guided_decoding_regex: { to: 'vllm_structured_outputs_regex', version: 'a recent TRL release (GRPOConfig, following vLLM)', severity: 'warning' as const },
  // grpo_config.py (TRL 0.16/0.17): "vllm_device is deprecated and will be removed in version 0.18.0 ... start a vLLM
  // server with the `trl vllm-serve` command"; the same for vllm_dtype, vllm_max_model_len, vllm_enable_prefix_caching.
  vllm_device: { version: 'TRL 0.18 (GRPOConfig)', severity: 'warning' as const, note: 'Start a vLLM server with `trl vllm-serve` (vllm_mode: server) or use vllm_mode: colocate.' },
  vllm_dtype: { version: 'TRL 0.18 (GRPOConfig)', severity: 'warning' as const, note: 'Pass --dtype to `trl vllm-serve` instead.' },
  vllm_max_model_len: { version: 'TRL 0.18 (GRPOConfig)', severity: 'warning' as const, note: 'Pass --max_model_len to `trl vllm-serve`; with vllm_mode: colocate, current TRL reads vllm_max_model_length.' },
  vllm_enable_prefix_caching: { version: 'TRL 0.18 (GRPOConfig)', severity: 'warning' as const, note: 'Pass --enable_prefix_caching to `trl vllm-serve` instead.' },
};

/**
 * The top level of an HF Trainer / TRL YAML. An unknown key is an **error**: `HfArgumentParser.parse_yaml_file` and
 * `parse_dict` (transformers src/transformers/hf_argparser.py) default to `allow_extra_keys=False` and raise
 * `ValueError("Some keys are not used by the HfArgumentParser: [...]")`; TRL's `TrlParser.parse_args_and_config`
 * (trl/scripts/utils.py) passes the YAML keys no dataclass has on as arguments and raises "Some specified arguments
 * are not used by the HfArgumentParser". Keys of TRL's ScriptArguments/ModelConfig and of the alignment handbook's
 * dataclasses are known here; a script with a dataclass of its own can turn the rule down with
 * `llmTraining.validation.rules` (`"unknown-key": "warning"`).
 *
 * `transformers`: the transformers version the run uses (issue 15). With it, the newest table at or below it (else
 * the oldest) is the only transformers table used: a TrainingArguments field that only another tabled release has is
 * a `key-version` finding (ObjSpec.versionGaps), unless a TRL or alignment-handbook dataclass defines it too.
 * Without it, every tabled release is added (a 4.x field v5 dropped is still known). `trlVersion`: the TRL version,
 * the same way for the TRL config classes' fields (tables/trl-<release>.json).
 */
export function hfRoot(transformers?: string, trlVersion?: string): ObjSpec {
  let keys: Record<string, KeySpec> = { ...alignmentHandbook, ...trlScript, ...trlConfigs, ...trainingArguments };
  // Generated tables (tables/transformers-<release>.json, tables/trl-<release>.json) add the fields the hand-written
  // lists lack, and the field's source line to the hover of those they have (addTable: hand-written types stay).
  // HfArgumentParser / TrlParser: a Literal or enum field refuses other values (argparse choices, Enum(value)).
  // Without a version, every tabled transformers release, newest first (its hover keeps the newest release's line
  // where both have it).
  const choice = tableForVersion('transformers', transformers);
  const tables = choice?.version ? [choice.table] : KEY_TABLES.transformers ?? [];
  // The table's defaults win over the hand-written ones (the run's release, else the newest: added first).
  for (const tf of tables) keys = addTable(obj('TrainingArguments', keys, 'error'), objFromClasses(tf, Object.values(tf.roots).flat(), 'TrainingArguments', { nestedUnknown: 'warning', enumSeverity: 'error', label: `transformers ${tableRelease(tf)}` }), { defaultsFrom: `transformers ${tableRelease(tf)}` }).keys;
  // TRL: the same rule with the TRL version (the newest TRL table at or below it; without one, every TRL table).
  const trlChoice = tableForVersion('trl', trlVersion);
  const trlTables = trlChoice?.version ? [trlChoice.table] : KEY_TABLES.trl ?? [];
  // trl/trainer/ configs first: a field's hover links SFTConfig/GRPOConfig/... rather than an experimental copy.
  const trlRootsOf = (t: KeyTable) => Object.values(t.roots).flat().sort((a, b) => Number(!t.classes[a]?.file.startsWith('trl/trainer/')) - Number(!t.classes[b]?.file.startsWith('trl/trainer/')));
  const handKeys = [...Object.keys(alignmentHandbook), ...Object.keys(trlScript), ...Object.keys(trlConfigs)];
  for (const t of trlTables) keys = addTable(obj('TRL config', keys, 'error'), objFromClasses(t, trlRootsOf(t), 'TRL config', { nestedUnknown: 'warning', enumSeverity: 'error', label: `TRL ${tableRelease(t)}` })).keys;
  const renamed: NonNullable<ObjSpec['renamed']> = {};
  for (const [k, v] of Object.entries(hfRenamed)) if (v) { renamed[k] = v; if (v.severity === 'error') delete keys[k]; }
  const gaps: Record<string, VersionGap> = {};
  const fieldsOf = (ts: KeyTable[], rootsOf: (t: KeyTable) => string[]) => ts.flatMap((t) => rootsOf(t).flatMap((c) => flattenClass(t, c).map((x) => x.field.name)));
  if (choice?.version) {
    // Keys another dataclass of the same parser defines stay known whatever the transformers release.
    // Without a TRL version, the newest TRL table's fields (the one the checks then assume).
    const others = new Set([...handKeys, ...fieldsOf(trlChoice?.version ? trlTables : trlTables.slice(0, 1), trlRootsOf)]);
    for (const [k, m] of Object.entries(versionGaps('transformers', choice, (t) => Object.values(t.roots).flat(), { label: 'transformers', where: 'TrainingArguments', history: 'transformers' }))) {
      if (others.has(k) || renamed[k]) continue;
      delete keys[k];
      gaps[k] = m;
    }
  }
  if (trlChoice?.version) {
    // A TRL config field only another tabled TRL release has: a key-version finding, unless a hand-written list or
    // the transformers table(s) in use define it (TrainingArguments fields the TRL configs override).
    const others = new Set([...handKeys, ...Object.keys(trainingArguments), ...fieldsOf(tables, (t) => Object.values(t.roots).flat())]);
    for (const [k, m] of Object.entries(versionGaps('trl', trlChoice, trlRootsOf, { label: 'TRL', where: 'the TRL configs', history: 'trl' }))) {
      if (others.has(k) || renamed[k] || gaps[k]) continue;
      delete keys[k];
      gaps[k] = m;
    }
  }
  return {
    ...obj('TrainingArguments / TRL config', keys, 'error', {
      renamed, source: TA,
      unknownNote: 'HfArgumentParser raises "Some keys are not used by the HfArgumentParser" unless the script defines it in its own dataclass.',
    }),
    ...(Object.keys(gaps).length ? { versionGaps: gaps } : {}),
  };
}
