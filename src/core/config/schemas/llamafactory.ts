/**
 * LLaMA-Factory YAML (`llamafactory-cli train config.yaml`). `read_args` loads the YAML with OmegaConf, then
 * `HfArgumentParser.parse_dict` fills ModelArguments, DataArguments, Seq2SeqTrainingArguments (transformers),
 * FinetuningArguments and GeneratingArguments; leftover keys raise "Some keys are not used by the HfArgumentParser"
 * (unless allow_extra_keys), so unknown keys are errors when we are sure of the key, warnings otherwise.
 *
 * Sources: https://github.com/hiyouga/LLaMA-Factory/tree/main/src/llamafactory/hparams (model_args.py,
 * data_args.py, finetuning_args.py, generating_args.py, training_args.py, parser.py)
 */
import { z } from 'zod';
import { any, bool, custom, enm, float, int, map, obj, str } from '../spec';
import type { KeySpec, ObjSpec } from '../spec';
import { TRANSFORMERS_EVAL_STRATEGY, trainingArguments } from './hf';
import { KEY_TABLES, flattenClass, keyTable, mergeTable, objFromClasses, tableForVersion, tableRelease, withOtherReleases } from '../tables';
import type { KeyTable, SpecOptions } from '../tables';

const H = 'https://github.com/hiyouga/LLaMA-Factory/tree/main/src/llamafactory/hparams';
const o = { source: H };
const csv = (doc: string, def?: unknown): KeySpec => custom('str (comma-separated) | list[str]', z.union([z.string(), z.array(z.string())]), doc, def, o);

export const LF_STAGES = ['pt', 'sft', 'rm', 'ppo', 'dpo', 'kto'] as const;
export const LF_FINETUNING = ['lora', 'oft', 'freeze', 'full'] as const;

const lf: Record<string, KeySpec> = {
  // ModelArguments
  model_name_or_path: str('Model (Hub id or local path).', null, o),
  adapter_name_or_path: csv('Adapter(s) to load (comma-separated).'),
  adapter_folder: str('Folder with adapter weights.', null, o),
  cache_dir: str('Cache directory.', null, o),
  use_fast_tokenizer: bool('Use the fast tokenizer.', true, o),
  resize_vocab: bool('Resize the vocabulary.', false, o),
  split_special_tokens: bool('Split special tokens.', false, o),
  add_tokens: csv('Tokens to add.'), add_special_tokens: csv('Special tokens to add.'),
  new_special_tokens_config: str('Config for new special tokens.', null, o),
  init_special_tokens: str('Init method for new special tokens.', 'noise_init', o),
  model_revision: str('Model revision.', 'main', o),
  low_cpu_mem_usage: bool('Low CPU memory loading.', true, o),
  rope_scaling: enm(['linear', 'dynamic', 'yarn', 'llama3'], 'RoPE scaling for longer contexts.', null, o),
  flash_attn: enm(['auto', 'disabled', 'sdpa', 'fa2', 'fa3'], 'Attention implementation.', 'auto', o),
  shift_attn: bool('LongLoRA shift short attention.', false, o),
  mixture_of_depths: enm(['convert', 'load'], 'Mixture of depths.', null, o),
  use_unsloth: bool('Use Unsloth.', false, o), use_unsloth_gc: bool('Unsloth gradient checkpointing.', false, o),
  enable_liger_kernel: bool('Liger kernels.', false, o), moe_aux_loss_coef: float('MoE aux loss coefficient.', null, o),
  disable_gradient_checkpointing: bool('Disable gradient checkpointing (on by default).', false, o),
  use_reentrant_gc: bool('Reentrant gradient checkpointing.', true, o),
  upcast_layernorm: bool('Upcast LayerNorm to fp32.', false, o), upcast_lmhead_output: bool('Upcast lm_head output.', false, o),
  train_from_scratch: bool('Random init.', false, o), infer_backend: enm(['huggingface', 'vllm', 'sglang', 'ktransformers'], 'Inference backend.', 'huggingface', o),
  offload_folder: str('Offload folder.', 'offload', o), use_cache: bool('Use KV cache in generation.', true, o),
  infer_dtype: enm(['auto', 'float16', 'bfloat16', 'float32'], 'Inference dtype.', 'auto', o),
  hf_hub_token: str('HF token.', null, o), ms_hub_token: str('ModelScope token.', null, o), om_hub_token: str('Modelers token.', null, o),
  print_param_status: bool('Print parameter status.', false, o), trust_remote_code: bool('Allow custom code.', false, o),
  quantization_method: enm(['bnb', 'gptq', 'awq', 'aqlm', 'quanto', 'eetq', 'hqq', 'mxfp4', 'fp8'], 'On-the-fly quantization method.', 'bnb', { ...o, severity: 'warning' }),
  quantization_bit: int('Quantize the model to this many bits on the fly (QLoRA: 4 or 8).', null, o),
  quantization_type: enm(['fp4', 'nf4'], '4-bit quantization type.', 'nf4', o),
  double_quantization: bool('Double quantization.', true, o), quantization_device_map: enm(['auto'], 'Device map for quantized models.', null, o),
  image_max_pixels: int('Max image pixels.', null, o), image_min_pixels: int('Min image pixels.', null, o), image_do_pan_and_scan: bool('Pan and scan.', false, o),
  crop_to_patches: bool('Crop to patches.', false, o), video_max_pixels: int('Max video pixels.', null, o), video_min_pixels: int('Min video pixels.', null, o),
  video_fps: float('Video FPS.', null, o), video_maxlen: int('Max video frames.', null, o), use_audio_in_video: bool('Audio in video.', false, o), audio_sampling_rate: int('Audio rate.', null, o),
  export_dir: str('Export directory.', null, o), export_size: int('Export shard size (GB).', 5, o), export_device: enm(['cpu', 'auto'], 'Export device.', 'cpu', o),
  export_quantization_bit: int('Export quantization bits.', null, o), export_quantization_dataset: str('Export quantization dataset.', null, o),
  export_quantization_nsamples: int('Export samples.', 128, o), export_quantization_maxlen: int('Export maxlen.', 1024, o),
  export_legacy_format: bool('Export legacy format.', false, o), export_hub_model_id: str('Export hub id.', null, o),
  vllm_maxlen: int('vLLM max length.', 4096, o), vllm_gpu_util: float('vLLM GPU util.', 0.7, o), vllm_enforce_eager: bool('vLLM eager.', false, o),
  vllm_max_lora_rank: int('vLLM max LoRA rank.', 32, o), vllm_config: any('vLLM config.', null, o),
  sglang_maxlen: int('SGLang max length.', 4096, o), sglang_mem_fraction: float('SGLang memory.', 0.7, o), sglang_tp_size: int('SGLang TP.', -1, o),
  sglang_config: any('SGLang config.', null, o), sglang_lora_backend: str('SGLang LoRA backend.', 'triton', o),
  compute_dtype: str('Set internally.', null, o), device_map: any('Set internally.', null, o), model_max_length: int('Set internally.', null, o), block_diag_attn: bool('Set internally.', false, o),
  // DataArguments
  template: str('Prompt template (must match the model family, e.g. llama3, qwen, qwen3, mistral).', null, o),
  dataset: csv('Training dataset names from dataset_info.json (comma-separated).'),
  eval_dataset: csv('Evaluation dataset names (comma-separated).'),
  dataset_dir: str('Folder with dataset_info.json.', 'data', o),
  media_dir: str('Folder with images/videos.', null, o),
  cutoff_len: int('Maximum tokenized input length (truncation).', 2048, { min: 1, source: H }),
  train_on_prompt: bool('Also train on the prompt.', false, o), mask_history: bool('Train only on the last turn.', false, o),
  streaming: bool('Stream datasets.', false, o), buffer_size: int('Streaming shuffle buffer.', 16384, o),
  mix_strategy: enm(['concat', 'interleave_under', 'interleave_over'], 'How datasets are mixed.', 'concat', o),
  interleave_probs: csv('Sampling probabilities for interleave.'),
  overwrite_cache: bool('Overwrite the preprocessing cache.', false, o),
  preprocessing_batch_size: int('Preprocessing batch size.', 1000, o), preprocessing_num_workers: int('Preprocessing processes.', null, o),
  max_samples: int('Truncate each dataset to this many samples (debugging).', null, { min: 1, source: H }),
  eval_num_beams: int('Beams for evaluation.', null, o), ignore_pad_token_for_loss: bool('Ignore pad tokens in the loss.', true, o),
  val_size: float('Validation split: fraction (< 1) or number of samples.', 0.0, { min: 0, source: H }),
  eval_on_each_dataset: bool('Evaluate on each dataset.', false, o),
  packing: bool('Pack sequences (pretraining default).', null, o), neat_packing: bool('Packing without cross-attention.', false, o),
  tool_format: str('Tool format.', null, o), default_system: str('Default system message.', null, o), enable_thinking: bool('Thinking mode.', true, o),
  tokenized_path: str('Save/load tokenized data here.', null, o), data_shared_file_system: bool('Shared file system.', false, o),
  // FinetuningArguments
  stage: enm(LF_STAGES, 'Training stage: pt (pre-training), sft, rm (reward model), ppo, dpo, kto.', 'sft', o),
  finetuning_type: enm(LF_FINETUNING, 'lora, oft, freeze or full.', 'lora', o),
  use_llama_pro: bool('LLaMA Pro.', false, o), use_adam_mini: bool('Adam-mini.', false, o), use_mca: bool('Megatron-core adapter.', false, o), use_muon: bool('Muon optimizer.', false, o),
  use_dft_loss: bool('DFT loss.', false, o), freeze_vision_tower: bool('Freeze vision tower.', true, o), freeze_multi_modal_projector: bool('Freeze projector.', true, o),
  freeze_language_model: bool('Freeze LM.', false, o), compute_accuracy: bool('Compute accuracy.', false, o), disable_shuffling: bool('No shuffling.', false, o),
  early_stopping_steps: int('Early stopping patience.', null, o), plot_loss: bool('Save a loss plot.', false, o), include_effective_tokens_per_second: bool('Log effective tokens/s.', false, o),
  pure_bf16: bool('Pure bf16 (no AMP).', false, o),
  freeze_trainable_layers: int('Freeze: trainable layers (negative = first layers).', 2, o), freeze_trainable_modules: csv('Freeze: trainable modules.', 'all'), freeze_extra_modules: csv('Freeze: extra modules.'),
  additional_target: csv('Extra modules trained fully and saved.'),
  lora_alpha: int('LoRA alpha (defaults to 2 × lora_rank).', null, { min: 1, source: H }),
  lora_dropout: float('LoRA dropout.', 0.0, { min: 0, lt: 1, source: H }),
  lora_rank: int('LoRA rank.', 8, { min: 1, source: H }),
  lora_target: csv('Modules to apply LoRA to ("all" for all linear layers).', 'all'),
  loraplus_lr_ratio: float('LoRA+ ratio.', null, o), loraplus_lr_embedding: float('LoRA+ embedding LR.', 1e-6, o),
  use_rslora: bool('rsLoRA.', false, o), use_dora: bool('DoRA.', false, o), pissa_init: bool('PiSSA init.', false, o), pissa_iter: int('PiSSA iterations.', 16, o), pissa_convert: bool('PiSSA convert.', false, o),
  create_new_adapter: bool('New adapter on top of the loaded one.', false, o),
  oft_rank: int('OFT rank.', 0, o), oft_block_size: int('OFT block size.', 32, o), oft_target: csv('OFT targets.', 'all'), module_dropout: float('OFT dropout.', 0, o),
  pref_beta: float('DPO/KTO beta.', 0.1, { min: 0, source: H }), pref_ftx: float('SFT loss weight in DPO.', 0.0, o),
  pref_bco_weight: float('BCO weight.', 0.0, o),
  pref_loss: enm(['sigmoid', 'hinge', 'ipo', 'kto_pair', 'orpo', 'simpo'], 'Preference loss.', 'sigmoid', o),
  dpo_label_smoothing: float('cDPO label smoothing.', 0.0, { min: 0, max: 0.5, source: H }),
  kto_chosen_weight: float('KTO chosen weight.', 1.0, o), kto_rejected_weight: float('KTO rejected weight.', 1.0, o), simpo_gamma: float('SimPO gamma.', 0.5, o),
  ppo_buffer_size: int('PPO buffer.', 1, o), ppo_epochs: int('PPO epochs.', 4, o), ppo_score_norm: bool('PPO score norm.', false, o), ppo_target: float('PPO target KL.', 6.0, o), ppo_whiten_rewards: bool('PPO whiten.', false, o),
  ref_model: str('Reference model.', null, o), ref_model_adapters: str('Reference adapters.', null, o), ref_model_quantization_bit: int('Reference quantization.', null, o),
  reward_model: str('Reward model.', null, o), reward_model_adapters: str('Reward adapters.', null, o), reward_model_quantization_bit: int('Reward quantization.', null, o),
  reward_model_type: enm(['lora', 'full', 'api'], 'Reward model type.', 'lora', o), ld_alpha: float('LD-DPO alpha.', null, o),
  use_galore: bool('GaLore.', false, o), galore_target: csv('GaLore targets.', 'all'), galore_rank: int('GaLore rank.', 16, o), galore_update_interval: int('GaLore interval.', 200, o),
  galore_scale: float('GaLore scale.', 2.0, o), galore_proj_type: str('GaLore projection.', 'std', o), galore_layerwise: bool('GaLore layerwise.', false, o),
  use_apollo: bool('APOLLO.', false, o), apollo_target: csv('APOLLO targets.', 'all'), apollo_rank: int('APOLLO rank.', 16, o), apollo_update_interval: int('APOLLO interval.', 200, o),
  apollo_scale: float('APOLLO scale.', 32.0, o), apollo_proj: str('APOLLO projection.', 'random', o), apollo_proj_type: str('APOLLO projection type.', 'std', o),
  apollo_scale_type: str('APOLLO scale type.', 'channel', o), apollo_layerwise: bool('APOLLO layerwise.', false, o), apollo_scale_front: bool('APOLLO scale front.', false, o),
  use_badam: bool('BAdam.', false, o), badam_mode: enm(['layer', 'ratio'], 'BAdam mode.', 'layer', o), badam_start_block: int('BAdam start block.', null, o),
  badam_switch_mode: str('BAdam switch mode.', 'ascending', o), badam_switch_interval: int('BAdam interval.', 50, o), badam_update_ratio: float('BAdam ratio.', 0.05, o),
  badam_mask_mode: str('BAdam mask mode.', 'adjacent', o), badam_verbose: int('BAdam verbosity.', 0, o),
  use_swanlab: bool('SwanLab.', false, o), swanlab_project: str('SwanLab project.', null, o), swanlab_workspace: str('SwanLab workspace.', null, o), swanlab_run_name: str('SwanLab run.', null, o),
  swanlab_mode: str('SwanLab mode.', 'cloud', o), swanlab_api_key: str('SwanLab key.', null, o), swanlab_logdir: str('SwanLab logdir.', null, o), swanlab_lark_webhook_url: str('SwanLab webhook.', null, o), swanlab_lark_secret: str('SwanLab secret.', null, o),
  // GeneratingArguments
  do_sample: bool('Sample when generating.', true, o), temperature: float('Sampling temperature.', 0.95, o), top_p: float('Top-p.', 0.7, o), top_k: int('Top-k.', 50, o),
  num_beams: int('Beams.', 1, o), max_length: int('Max generation length.', 1024, o), max_new_tokens: int('Max new tokens.', 1024, o),
  repetition_penalty: float('Repetition penalty.', 1.0, o), length_penalty: float('Length penalty.', 1.0, o), skip_special_tokens: bool('Skip special tokens.', true, o),
  // LLaMA-Factory TrainingArguments extras
  ray_run_name: str('Ray run name.', null, o), ray_storage_path: str('Ray storage.', './saves', o), ray_storage_filesystem: str('Ray storage fs.', null, o),
  ray_num_workers: int('Ray workers.', 1, o), resources_per_worker: any('Ray resources.', null, o), placement_strategy: str('Ray placement.', 'PACK', o), ray_init_kwargs: any('Ray init kwargs.', null, o),
  fp8: bool('FP8 training.', false, o), fp8_backend: str('FP8 backend.', 'auto', o), fp8_enable_fsdp_float8_all_gather: bool('FP8 all-gather.', false, o),
  // Evaluation (llamafactory-cli eval)
  task: str('Eval task.', null, o), task_dir: str('Eval task dir.', 'evaluation', o), n_shot: int('Few-shot count.', 5, o), lang: enm(['en', 'zh'], 'Eval language.', 'en', o), save_dir: str('Eval save dir.', null, o),
  download_mode: str('Dataset download mode.', 'reuse_dataset_if_exists', o),
};

/**
 * LLaMA-Factory's keys: its own dataclasses from the generated table (ModelArguments, DataArguments,
 * TrainingArguments, FinetuningArguments, GeneratingArguments) merged under the hand-written specs, plus
 * transformers' Seq2SeqTrainingArguments (hand-written in hf.ts: the table's external base).
 *
 * `version`: the LLaMA-Factory version of the run (issue 15). It picks the table (the newest tabled release at or
 * below it, tables.ts tableForVersion); a key only another tabled release has is a `key-version` error (the
 * parser refuses it) naming the release that added or removed it. Without it, the newest table, plus the keys only
 * older tables have.
 */
export function llamafactoryRoot(version?: string): ObjSpec {
  const hand = llamafactoryHandRoot();
  const choice = tableForVersion('llamafactory', version);
  if (!choice) return hand;
  const t = choice.table;
  const gen = objFromClasses(t, llamafactoryRoots(t), 'LLaMA-Factory arguments', llamafactorySpecOptions(t));
  const root: ObjSpec = { ...mergeTable(hand, gen), unknown: 'error' };
  // The other tabled releases (0.9.4, 0.9.3): with the run's version, a key only they have is a key-version error.
  const all = withOtherReleases('llamafactory', root, choice, llamafactoryRoots, llamafactorySpecOptions, { label: 'LLaMA-Factory', where: 'the LLaMA-Factory arguments', history: 'llamafactory' });
  return all.versionGaps ? { ...all, versionGaps: { ...all.versionGaps, ...mcaGaps(t, Object.keys(all.versionGaps)) } } : all;
}

/**
 * Keys of `gaps` that a USE_MCA=1 launch of table `t` may read: from 0.9.4, `hparams/parser.py` gives HfArgumentParser
 * mcore_adapter's `TrainingArguments` instead of LLaMA-Factory's when `USE_MCA=1` is set and mcore_adapter is
 * installed (`_TRAIN_MCA_ARGS`, the table's `mca` root, its training class external). That class takes Megatron-Core
 * settings (`tensor_model_parallel_size`, `moe_grouped_gemm`, ...), which LLaMA-Factory's own source tables only
 * later, as `MegatronBridgeArguments` (root `megatron_bridge`). Such a key is a warning, not an error: whether the
 * launch sets USE_MCA is not in the config (0.9.4's examples/megatron set these keys). Key -> finding.
 */
function mcaGaps(t: KeyTable, gaps: string[]): Record<string, { message: string; severity: 'warning' }> {
  const mca = (t.roots.mca ?? []).find((c) => !t.classes[c]);
  if (!mca) return {};
  const out: Record<string, { message: string; severity: 'warning' }> = {};
  for (const other of KEY_TABLES.llamafactory ?? []) {
    const megatron = new Set((other.roots.megatron_bridge ?? []).flatMap((c) => flattenClass(other, c).map((x) => x.field.name)));
    for (const k of gaps) {
      if (out[k] || !megatron.has(k)) continue;
      out[k] = {
        severity: 'warning',
        message: `\`${k}\` is a Megatron-Core setting that LLaMA-Factory ${t.release.split('+')[0]} reads only in a USE_MCA=1 launch, through mcore_adapter's training arguments (\`${mca}\` in hparams/parser.py \`_TRAIN_MCA_ARGS\`; LLaMA-Factory ${other.release} has it in MegatronBridgeArguments). Without USE_MCA=1 (and mcore_adapter installed), llamafactory-cli fails with "Some keys are not used by the HfArgumentParser".`,
      };
    }
  }
  return out;
}

/** Training keys, plus those of Megatron Bridge launches and of chat/eval (a config may serve `llamafactory-cli chat`). */
const llamafactoryRoots = (t: KeyTable): string[] => [...new Set([...t.roots.config, ...(t.roots.megatron_bridge ?? []), ...(t.roots.infer ?? []), ...(t.roots.eval ?? [])])].filter((c) => t.classes[c]);
/** HfArgumentParser: unknown keys and values outside a Literal refused (error). */
const llamafactorySpecOptions = (t: KeyTable): SpecOptions => ({ nestedUnknown: 'error', enumSeverity: 'error', label: `LLaMA-Factory ${tableRelease(t)}` });

/**
 * LLaMA-Factory's v1 layout (`src/llamafactory/v1/config`: top-level `model`, `model_class`, `kernel_config`,
 * `dist_config`, `train_dataset`, `micro_batch_size`, ...), read by `HfArgumentParser([ModelArguments,
 * DataArguments, TrainingArguments, SampleArguments]).parse_dict(allow_extra_keys=False)` in v1/config/arg_parser.py:
 * an unknown key is an error (unless ALLOW_EXTRA_KEYS is set). All keys come from the generated table.
 */
export function llamafactoryV1Root(release?: string): ObjSpec {
  const t = keyTable('llamafactory-v1', release);
  if (!t) return obj('LLaMA-Factory v1 arguments', {}, 'warning');
  const label = `LLaMA-Factory v1 ${tableRelease(t)}`;
  const gen = objFromClasses(t, t.roots.config, 'LLaMA-Factory v1 arguments', { nestedUnknown: 'ignore', enumSeverity: 'error', label });
  return { ...gen, unknown: 'error', unknownNote: 'The v1 parser fails with "Some keys are not used by the HfArgumentParser" (unless ALLOW_EXTRA_KEYS=1).' };
}

function llamafactoryHandRoot(): ObjSpec {
  const keys: Record<string, KeySpec> = { ...trainingArguments, ...lf };
  return obj('LLaMA-Factory arguments', keys, 'warning', {
    source: H,
    renamed: {
      // transformers PR #30190 (released in 4.41.0) added `eval_strategy` and kept `evaluation_strategy` with the
      // FutureWarning "`evaluation_strategy` is deprecated and will be removed in version 4.46 of 🤗 Transformers"
      // (src/transformers/training_args.py __post_init__); from 4.46 TrainingArguments has no such field.
      evaluation_strategy: { to: 'eval_strategy', version: 'transformers 4.46 (deprecated in 4.41)', severity: 'error', byVersion: TRANSFORMERS_EVAL_STRATEGY },
      max_source_length: { to: 'cutoff_len', version: 'LLaMA-Factory 0.6', severity: 'warning' },
      max_target_length: { to: 'cutoff_len', version: 'LLaMA-Factory 0.6', severity: 'warning' },
      lora_target_modules: { to: 'lora_target', version: 'LLaMA-Factory (never accepted; HF/TRL name)', severity: 'warning' },
      lora_r: { to: 'lora_rank', version: 'LLaMA-Factory (never accepted; HF/TRL name)', severity: 'warning' },
      dpo_beta: { to: 'pref_beta', version: 'LLaMA-Factory 0.8', severity: 'warning' },
      dpo_ftx: { to: 'pref_ftx', version: 'LLaMA-Factory 0.8', severity: 'warning' },
      dpo_loss: { to: 'pref_loss', version: 'LLaMA-Factory 0.8', severity: 'warning' },
      use_liger_kernel: { to: 'enable_liger_kernel', version: 'LLaMA-Factory', severity: 'warning' },
    },
    unknownNote: 'llamafactory-cli fails with "Some keys are not used by the HfArgumentParser".',
  });
}
