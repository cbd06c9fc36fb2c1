/**
 * Key lists checked against the frameworks' source (TRL dpo/grpo/orpo/reward/ppo_config.py, PEFT LoraConfig,
 * DeepSpeed runtime/config.py + zero/config.py + offload_config.py): real keys with real values must produce no
 * unknown-key / invalid-value / wrong-type issue, and a one-letter typo of each must be flagged with a
 * did-you-mean pointing at the real key.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { validateConfig } from '../../src/core/config/index';
import type { ConfigIssue } from '../../src/core/config/index';

const SCHEMA_CODES = new Set(['unknown-key', 'invalid-value', 'wrong-type', 'out-of-range', 'renamed-key']);
const schemaIssues = (text: string, fileName: string, framework?: 'hf-trainer'): ConfigIssue[] =>
  validateConfig(text, { fileName, framework }).issues.filter((i) => SCHEMA_CODES.has(i.code));
const show = (xs: ConfigIssue[]): string => xs.map((i) => `${i.code}: ${i.message}`).join('\n');

const HF_HEAD = 'model_name_or_path: Qwen/Qwen2.5-0.5B-Instruct\noutput_dir: out\nper_device_train_batch_size: 4\nlearning_rate: 5.0e-7\n';

// ---- TRL: each block uses keys and values as the config file defines them
const DPO = HF_HEAD + `beta: 0.1
loss_type: sigmoid
label_smoothing: 0.0
max_prompt_length: 512
max_completion_length: 512
max_length: 1024
truncation_mode: keep_end
precompute_ref_log_probs: false
precompute_ref_batch_size: 16
f_divergence_type: js_divergence
f_alpha_divergence_coef: 1.0
rpo_alpha: 1.0
discopop_tau: 0.05
use_weighting: true
sync_ref_model: true
ref_model_mixup_alpha: 0.6
ref_model_sync_steps: 512
use_logits_to_keep: true
padding_free: false
generate_during_eval: false
`;
const DPO_IPO = HF_HEAD + 'beta: 0.01\nloss_type: ipo\nreference_free: true\nforce_use_ref_model: false\n';
const DPO_LIST = HF_HEAD + 'loss_type: [sigmoid, bco_pair, sft]\nloss_weights: [0.8, 0.2, 1.0]\n';
const GRPO = HF_HEAD + `num_generations: 8
num_generations_eval: 4
max_prompt_length: 512
max_completion_length: 1024
use_vllm: true
vllm_mode: colocate
vllm_gpu_memory_utilization: 0.3
vllm_tensor_parallel_size: 1
vllm_max_model_length: 4096
vllm_enable_sleep_mode: true
vllm_model_impl: vllm
vllm_importance_sampling_correction: true
vllm_importance_sampling_mode: sequence_mask
vllm_importance_sampling_cap: 3.0
beta: 0.0
epsilon: 0.2
epsilon_high: 0.28
loss_type: dapo
scale_rewards: batch
multi_objective_aggregation: normalize_then_sum
importance_sampling_level: sequence
mask_truncated_completions: true
top_entropy_quantile: 0.2
reward_weights: [1.0, 0.5]
temperature: 0.7
top_p: 0.95
top_k: 0
min_p: 0.05
repetition_penalty: 1.0
steps_per_generation: 4
num_iterations: 1
chat_template_kwargs:
  enable_thinking: false
cast_lm_head_to_fp32: false
log_completions: true
num_completions_to_print: 2
log_unique_prompts: true
`;
const GRPO_SERVER = HF_HEAD + 'use_vllm: true\nvllm_mode: server\nvllm_server_host: 10.0.0.5\nvllm_server_port: 8000\nvllm_server_timeout: 600\nvllm_group_port: 51216\nloss_type: dr_grpo\nscale_rewards: false\nsapo_temperature_neg: 1.05\nsapo_temperature_pos: 1.0\noff_policy_mask_threshold: 0.5\nuse_bias_correction_kl: true\nmax_tool_calling_iterations: 4\n';
const ORPO = HF_HEAD + 'beta: 0.1\nmax_length: 2048\nmax_prompt_length: 1024\nmax_completion_length: 1024\ndisable_dropout: true\nis_encoder_decoder: false\nlabel_pad_token_id: -100\n';
const REWARD = HF_HEAD + 'max_length: 2048\ncenter_rewards_coefficient: 0.01\ndisable_dropout: true\nremove_unused_columns: false\n';
const KTO = HF_HEAD + 'beta: 0.1\nloss_type: apo_zero_unpaired\ndesirable_weight: 1.33\nundesirable_weight: 1.0\nprecompute_ref_log_probs: true\nuse_liger_loss: false\n';
const CPO = HF_HEAD + 'loss_type: alphapo\nalpha: 0.25\nsimpo_gamma: 0.5\ncpo_alpha: 0.0\nlabel_smoothing: 0.0\n';
const PPO = HF_HEAD + 'reward_model_path: EleutherAI/pythia-1b-deduped\nsft_model_path: EleutherAI/pythia-1b-deduped\nnum_ppo_epochs: 4\nnum_mini_batches: 1\nwhiten_rewards: false\nkl_coef: 0.05\nkl_estimator: k3\ncliprange: 0.2\nvf_coef: 0.1\ncliprange_value: 0.2\ngamma: 1.0\nlam: 0.95\ntotal_episodes: 10000\nlocal_rollout_forward_batch_size: 16\nresponse_length: 53\nstop_token: eos\nmissing_eos_penalty: 1.0\nmini_batch_size: 64\n';

const ds = (o: unknown): string => JSON.stringify(o, null, 2) + '\n';
const DS = ds({
  train_micro_batch_size_per_gpu: 'auto', gradient_accumulation_steps: 'auto', gradient_clipping: 'auto',
  bf16: { enabled: 'auto', immediate_grad_update: true }, communication_data_type: 'bf16', zero_allow_untested_optimizer: true, zero_force_ds_cpu_optimizer: false,
  use_data_before_expert_parallelism: true, dataloader_drop_last: true, seq_parallel_communication_data_type: 'fp32',
  zero_optimization: {
    stage: 3, overlap_comm: true, contiguous_gradients: true, sub_group_size: 1e9, reduce_bucket_size: 'auto',
    stage3_prefetch_bucket_size: 'auto', stage3_param_persistence_threshold: 'auto', stage3_max_live_parameters: 1e9,
    stage3_max_reuse_distance: 1e9, stage3_gather_16bit_weights_on_model_save: true, zero_hpz_partition_size: 8,
    zero_quantized_weights: true, zero_quantized_gradients: true, round_robin_gradients: false,
    offload_optimizer: { device: 'cpu', pin_memory: true, ratio: 0.5 },
    offload_param: { device: 'nvme', nvme_path: '/local_nvme', buffer_count: 5, buffer_size: 1e8, max_in_cpu: 1e9, pin_memory: true },
  },
});
const DS_HPU = ds({ zero_optimization: { stage: 2, offload_optimizer: { device: 'hpu' } } });

const PEFT = ds({
  peft_type: 'LORA', task_type: 'CAUSAL_LM', base_model_name_or_path: 'meta-llama/Llama-3.1-8B', revision: null, inference_mode: true,
  r: 16, lora_alpha: 32, lora_dropout: 0.05, target_modules: ['q_proj', 'k_proj', 'v_proj', 'o_proj'], exclude_modules: null,
  bias: 'none', use_rslora: false, use_dora: true, modules_to_save: null, init_lora_weights: 'pissa_niter_16',
  layers_to_transform: [0, 1, 2, 3], layers_pattern: 'layers', rank_pattern: {}, alpha_pattern: {}, megatron_config: null,
  megatron_core: 'megatron.core', trainable_token_indices: null, loftq_config: {}, eva_config: null, corda_config: null,
  lora_ga_config: null, use_bdlora: null, alora_invocation_tokens: null, use_qalora: false, qalora_group_size: 16,
  layer_replication: null, lora_bias: false, target_parameters: null, arrow_config: null, ensure_weight_tying: false,
  fan_in_fan_out: false, auto_mapping: null, peft_version: '0.17.1',
});
const PEFT_SCALAR_LAYER = ds({ peft_type: 'LORA', r: 8, target_modules: ['q_proj', 'v_proj'], layers_to_transform: 5, layers_pattern: ['layers', 'h'], trainable_token_indices: { embed_tokens: [128000, 128001] } });

const clean: [string, string, string, 'hf-trainer'?][] = [
  ['DPOConfig (sigmoid, TR-DPO, RPO, WPO)', DPO, 'dpo.yaml', 'hf-trainer'],
  ['DPOConfig (ipo, reference_free)', DPO_IPO, 'dpo.yaml', 'hf-trainer'],
  ['DPOConfig (loss_type list + loss_weights)', DPO_LIST, 'dpo.yaml', 'hf-trainer'],
  ['GRPOConfig (colocated vLLM, DAPO-style)', GRPO, 'grpo.yaml', 'hf-trainer'],
  ['GRPOConfig (vLLM server, dr_grpo, scale_rewards: false)', GRPO_SERVER, 'grpo.yaml', 'hf-trainer'],
  ['ORPOConfig', ORPO, 'orpo.yaml', 'hf-trainer'],
  ['RewardConfig', REWARD, 'rm.yaml', 'hf-trainer'],
  ['PPOConfig (OnPolicyConfig)', PPO, 'ppo.yaml', 'hf-trainer'],
  ['KTOConfig (apo_zero_unpaired)', KTO, 'kto.yaml', 'hf-trainer'],
  ['CPOConfig (AlphaPO)', CPO, 'cpo.yaml', 'hf-trainer'],
  ['DeepSpeed ZeRO-3 with NVMe/CPU offload, ZeRO++ and HF "auto"', DS, 'ds_config.json'],
  ['DeepSpeed offload to hpu', DS_HPU, 'ds_config.json'],
  ['adapter_config.json (PEFT 0.17-0.19 fields)', PEFT, 'adapter_config.json'],
  ['adapter_config.json (scalar layers_to_transform, dict trainable_token_indices)', PEFT_SCALAR_LAYER, 'adapter_config.json'],
];

for (const [name, text, file, fw] of clean) {
  test(`real keys do not warn: ${name}`, () => {
    const res = validateConfig(text, { fileName: file, framework: fw });
    assert.notEqual(res.framework, 'unknown', 'framework detected');
    const bad = schemaIssues(text, file, fw);
    assert.equal(bad.length, 0, show(bad));
  });
}

const typos: { name: string; text: string; file: string; fw?: 'hf-trainer'; code: string; sugg: string; severity: string }[] = [
  { name: 'DPO beta typo', text: HF_HEAD + 'betaa: 0.1\nloss_type: sigmoid\n', file: 'dpo.yaml', fw: 'hf-trainer', code: 'unknown-key', sugg: 'beta', severity: 'error' },
  { name: 'DPO loss_type value typo', text: HF_HEAD + 'beta: 0.1\nloss_type: sigmoud\n', file: 'dpo.yaml', fw: 'hf-trainer', code: 'invalid-value', sugg: 'sigmoid', severity: 'warning' },
  { name: 'GRPO num_generation typo', text: HF_HEAD + 'num_generation: 8\nuse_vllm: true\n', file: 'grpo.yaml', fw: 'hf-trainer', code: 'unknown-key', sugg: 'num_generations', severity: 'error' },
  { name: 'GRPO vllm_mode value typo', text: HF_HEAD + 'use_vllm: true\nvllm_mode: colocated\n', file: 'grpo.yaml', fw: 'hf-trainer', code: 'invalid-value', sugg: 'colocate', severity: 'error' },
  { name: 'GRPO scale_rewards value typo', text: HF_HEAD + 'num_generations: 8\nscale_rewards: grop\n', file: 'grpo.yaml', fw: 'hf-trainer', code: 'invalid-value', sugg: 'group', severity: 'warning' },
  { name: 'GRPO old wandb_log_unique_prompts', text: HF_HEAD + 'num_generations: 8\nwandb_log_unique_prompts: true\n', file: 'grpo.yaml', fw: 'hf-trainer', code: 'renamed-key', sugg: 'log_unique_prompts', severity: 'warning' },
  { name: 'DPO old use_num_logits_to_keep', text: HF_HEAD + 'beta: 0.1\nuse_num_logits_to_keep: true\n', file: 'dpo.yaml', fw: 'hf-trainer', code: 'renamed-key', sugg: 'use_logits_to_keep', severity: 'warning' },
  { name: 'GRPO removed vllm_device (open-r1 era configs)', text: HF_HEAD + 'use_vllm: true\nvllm_device: auto\n', file: 'grpo.yaml', fw: 'hf-trainer', code: 'renamed-key', sugg: 'trl vllm-serve', severity: 'warning' },
  { name: 'PPO kl_estimator k2', text: HF_HEAD + 'num_ppo_epochs: 4\nkl_estimator: k2\n', file: 'ppo.yaml', fw: 'hf-trainer', code: 'invalid-value', sugg: 'k1', severity: 'error' },
  { name: 'Reward center_reward_coefficient typo', text: HF_HEAD + 'center_reward_coefficient: 0.01\n', file: 'rm.yaml', fw: 'hf-trainer', code: 'unknown-key', sugg: 'center_rewards_coefficient', severity: 'error' },
  { name: 'PEFT use_dora typo', text: ds({ peft_type: 'LORA', r: 8, use_doral: true }), file: 'adapter_config.json', code: 'unknown-key', sugg: 'use_dora', severity: 'warning' },
  { name: 'PEFT layers_to_transform as a string', text: ds({ peft_type: 'LORA', r: 8, target_modules: ['q_proj'], layers_to_transform: '0-3' }), file: 'adapter_config.json', code: 'wrong-type', sugg: 'int', severity: 'error' },
  { name: 'DeepSpeed stage3 gather key typo', text: ds({ zero_optimization: { stage: 3, stage3_gather_16bit_weight_on_model_save: true } }), file: 'ds_config.json', code: 'unknown-key', sugg: 'stage3_gather_16bit_weights_on_model_save', severity: 'error' },
  { name: 'DeepSpeed communication_data_type typo', text: ds({ communication_data_type: 'bf61' }), file: 'ds_config.json', code: 'invalid-value', sugg: 'bf16', severity: 'error' },
  { name: 'DeepSpeed zero_allow_untested_optimizer typo', text: ds({ zero_allow_untested_optimiser: true, zero_optimization: { stage: 2 } }), file: 'ds_config.json', code: 'unknown-key', sugg: 'zero_allow_untested_optimizer', severity: 'warning' },
  { name: 'DeepSpeed offload device gpu', text: ds({ zero_optimization: { stage: 3, offload_param: { device: 'gpu' } } }), file: 'ds_config.json', code: 'invalid-value', sugg: 'cpu', severity: 'error' },
];

for (const t of typos) {
  test(`flagged: ${t.name}`, () => {
    const hits = validateConfig(t.text, { fileName: t.file, framework: t.fw }).issues.filter((i) => i.code === t.code);
    assert.equal(hits.length, 1, `expected one ${t.code}; got ${show(schemaIssues(t.text, t.file, t.fw))}`);
    assert.equal(hits[0]!.severity, t.severity);
    assert.ok(hits[0]!.message.includes(t.sugg), `message names ${t.sugg}: ${hits[0]!.message}`);
  });
}
