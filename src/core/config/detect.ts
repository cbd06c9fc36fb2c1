/**
 * Framework detection from content (and file name where that is reliable, e.g. `adapter_config.json`).
 * Each family has marker keys; unique markers weigh 3, shared ones 1. Files of frameworks we do not validate
 * (LitGPT jsonargparse, NeMo/Hydra) are recognised explicitly so they get no schema and no false alarms.
 */
import { frameworkName } from './registry';
import type { Framework } from './types';
import type { CNode } from './tree';

const MARKERS: Record<Exclude<Framework, 'unknown'>, { unique: string[]; shared: string[] }> = {
  'hf-trainer': {
    unique: ['per_device_train_batch_size', 'num_train_epochs', 'lr_scheduler_type', 'eval_strategy', 'evaluation_strategy', 'save_strategy', 'logging_strategy', 'use_peft', 'dataset_mixer', 'dataset_mixture', 'dataset_name', 'hub_strategy', 'max_prompt_length', 'beta', 'dataset_train_split', 'optim', 'per_device_eval_batch_size', 'max_seq_length', 'dataset_text_field', 'packing', 'num_generations', 'model_name_or_path'],
    shared: ['output_dir', 'learning_rate', 'gradient_accumulation_steps', 'bf16', 'fp16', 'report_to', 'seed', 'logging_steps', 'warmup_ratio', 'gradient_checkpointing', 'deepspeed', 'lora_r', 'lora_alpha', 'torch_dtype', 'attn_implementation'],
  },
  axolotl: {
    unique: ['base_model', 'micro_batch_size', 'sequence_len', 'num_epochs', 'lr_scheduler', 'val_set_size', 'sample_packing', 'adapter', 'lora_target_linear', 'dataset_prepared_path', 'special_tokens', 'pretraining_dataset', 'evals_per_epoch', 'saves_per_epoch', 'wandb_project', 'tokenizer_type', 'rl', 'chat_template', 'datasets', 'optimizer', 'base_model_config'],
    shared: ['output_dir', 'learning_rate', 'gradient_accumulation_steps', 'bf16', 'load_in_4bit', 'load_in_8bit', 'lora_r', 'lora_alpha', 'lora_dropout', 'warmup_ratio', 'deepspeed', 'fsdp', 'fsdp_config'],
  },
  llamafactory: {
    unique: ['stage', 'finetuning_type', 'template', 'cutoff_len', 'lora_target', 'dataset_dir', 'plot_loss', 'lora_rank', 'max_samples', 'flash_attn', 'pref_beta', 'quantization_bit', 'freeze_trainable_layers', 'val_size', 'infer_backend', 'adapter_name_or_path', 'export_dir', 'export_size', 'use_unsloth', 'neat_packing', 'mix_strategy', 'pref_loss', 'pref_ftx', 'freeze_trainable_modules', 'enable_liger_kernel'],
    shared: ['model_name_or_path', 'dataset', 'output_dir', 'per_device_train_batch_size', 'learning_rate', 'num_train_epochs', 'lr_scheduler_type', 'deepspeed', 'do_train', 'bf16'],
  },
  torchtune: { unique: ['_component_'], shared: [] },
  deepspeed: {
    unique: ['zero_optimization', 'train_micro_batch_size_per_gpu', 'train_batch_size', 'zero_allow_untested_optimizer', 'steps_per_print', 'wall_clock_breakdown', 'zero_force_ds_cpu_optimizer', 'activation_checkpointing', 'gradient_clipping'],
    shared: ['fp16', 'bf16', 'optimizer', 'scheduler', 'gradient_accumulation_steps'],
  },
  accelerate: {
    unique: ['distributed_type', 'compute_environment', 'num_processes', 'machine_rank', 'main_training_function', 'mixed_precision', 'num_machines', 'deepspeed_config', 'downcast_bf16', 'rdzv_backend', 'same_network', 'use_cpu', 'main_process_ip', 'main_process_port', 'dynamo_config', 'megatron_lm_config', 'gpu_ids'],
    shared: ['fsdp_config', 'debug'],
  },
  peft: {
    unique: ['peft_type', 'target_modules', 'task_type', 'base_model_name_or_path', 'r', 'lora_alpha', 'fan_in_fan_out', 'modules_to_save', 'inference_mode', 'init_lora_weights'],
    shared: ['lora_dropout', 'bias', 'revision'],
  },
};

export interface Detection { framework: Framework; reason: string }

function topKeys(root: CNode | null): string[] { return root?.kind === 'map' ? root.entries!.map((e) => e.key) : []; }

function hasComponent(n: CNode | null, budget: { n: number }): boolean {
  if (!n || budget.n-- <= 0) return false;
  if (n.kind === 'map') { for (const e of n.entries!) { if (e.key === '_component_') return true; if (hasComponent(e.value, budget)) return true; } }
  else if (n.kind === 'seq') { for (const it of n.items!) if (hasComponent(it, budget)) return true; }
  return false;
}

/** Detects the framework of a parsed config (root may be null for empty/invalid files). */
export function detectFromTree(root: CNode | null, text: string, fileName: string, syntax: 'yaml' | 'json'): Detection {
  const base = fileName.replace(/^.*[\\/]/, '');
  if (syntax === 'json' && /^adapter_config\.json$/i.test(base)) return { framework: 'peft', reason: 'file name adapter_config.json (PEFT adapter config)' };
  const keys = topKeys(root);
  if (/^(trainer_state|all_results|train_results|eval_results|config|generation_config|tokenizer_config|special_tokens_map)\.json$/i.test(base) || (keys.includes('log_history') && keys.includes('global_step'))) {
    return { framework: 'unknown', reason: 'a checkpoint/model file (trainer state, model or tokenizer config), not a training config' };
  }
  if (syntax === 'json' && keys.length && /(^|[_-])(ds|deepspeed|zero\d?)([_-]|\.json$)|^ds_config|deepspeed/i.test(base) && !keys.includes('peft_type')) {
    return { framework: 'deepspeed', reason: `file name ${base} (DeepSpeed config)` };
  }
  if (!keys.length) return { framework: 'unknown', reason: root ? 'not a mapping at the top level' : 'empty or unparsable document' };
  const keySet = new Set(keys);
  // Frameworks we recognise but do not validate: say so rather than guess.
  if (keySet.has('class_path') || (/\binit_args:/.test(text) && /\bclass_path:/.test(text)) || (keySet.has('checkpoint_dir') && keySet.has('out_dir') && keySet.has('precision'))) {
    return { framework: 'unknown', reason: 'LitGPT / jsonargparse config (class_path, init_args, out_dir): not validated' };
  }
  if (/^\s*[\w.]+:\s*\?\?\?\s*(#.*)?$/m.test(text) || (keySet.has('trainer') && keySet.has('exp_manager')) || (keySet.has('defaults') && /\$\{/.test(text) && !hasComponent(root, { n: 5000 }))) {
    return { framework: 'unknown', reason: 'NeMo / Hydra config (trainer, exp_manager, ??? or ${...} interpolation): not validated' };
  }
  if (syntax === 'yaml' && hasComponent(root, { n: 20000 })) return { framework: 'torchtune', reason: 'has `_component_` nodes (torchtune recipe config)' };
  let best: Framework = 'unknown'; let bestScore = 0; let bestHits: string[] = [];
  for (const [fw, m] of Object.entries(MARKERS) as [Exclude<Framework, 'unknown'>, { unique: string[]; shared: string[] }][]) {
    if (fw === 'torchtune') continue;
    if (syntax === 'yaml' && (fw === 'deepspeed' || fw === 'peft')) continue;
    if (syntax === 'json' && (fw === 'axolotl' || fw === 'llamafactory' || fw === 'accelerate')) continue;
    let score = 0; const hits: string[] = [];
    for (const k of m.unique) if (keySet.has(k)) { score += 3; hits.push(k); }
    for (const k of m.shared) if (keySet.has(k)) score += 1;
    if (fw === 'axolotl' && keySet.has('datasets') && keySet.has('base_model')) score += 3;
    if (fw === 'llamafactory' && keySet.has('stage') && keySet.has('finetuning_type')) score += 6;
    if (fw === 'llamafactory' && keySet.has('template')) score += 3; // a prompt-template name is LLaMA-Factory's alone
    if (fw === 'deepspeed' && syntax === 'json' && (keySet.has('zero_optimization') || keySet.has('train_micro_batch_size_per_gpu'))) score += 6;
    if (fw === 'peft' && keySet.has('peft_type')) score += 10;
    if (score > bestScore) { best = fw; bestScore = score; bestHits = hits; }
  }
  if (bestScore < 4) return { framework: 'unknown', reason: 'no known training-config keys found' };
  return { framework: best, reason: `${frameworkName(best)} keys: ${bestHits.slice(0, 4).join(', ')}` };
}
