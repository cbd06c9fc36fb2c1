/**
 * Broken variants across the seven families: each asserts the rule code AND the exact range (0-based line,
 * character, end line, end character) of the issue, and its severity. Referenced files come from an in-memory
 * map (the same `readFile` seam the CLI and the extension use).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { validateConfig, validateConfigWithFiles } from '../../src/core/config/index';
import type { Framework, Severity, TextEdit } from '../../src/core/config/index';
import { LineIndex } from '../../src/core/config/lineIndex';

const HF = `model_name_or_path: meta-llama/Llama-3.1-8B
output_dir: out
per_device_train_batch_size: 4
num_train_epochs: 1
lr_scheduler_type: cosine
`;
const AX = `base_model: NousResearch/Llama-3.2-1B
datasets:
  - path: teknium/GPT4-LLM-Cleaned
    type: alpaca
sequence_len: 2048
micro_batch_size: 2
gradient_accumulation_steps: 4
num_epochs: 1
learning_rate: 0.0002
`;
const LF = `model_name_or_path: Qwen/Qwen3-4B
stage: sft
do_train: true
finetuning_type: lora
dataset: identity
template: qwen3
cutoff_len: 2048
output_dir: saves/x
per_device_train_batch_size: 1
`;
const TT = `output_dir: /tmp/out
model:
  _component_: torchtune.models.llama3_2.lora_llama3_2_1b
  lora_rank: 64
  lora_alpha: 128
  lora_dropout: 0.0
batch_size: 4
gradient_accumulation_steps: 8
optimizer:
  _component_: torch.optim.AdamW
  lr: 3e-4
metric_logger:
  _component_: torchtune.training.metric_logging.DiskLogger
  log_dir: \${output_dir}/logs
`;
const AC = `compute_environment: LOCAL_MACHINE
distributed_type: MULTI_GPU
mixed_precision: bf16
num_machines: 1
num_processes: 2
`;
const ds = (o: object): string => JSON.stringify(o, null, 2);

interface Case {
  name: string;
  text: string;
  file?: string;
  framework?: Framework;
  files?: Record<string, string>;
  code: string;
  severity: Severity;
  range: [number, number, number, number];
  /** The related location's file, when the rule points at a second place. */
  relatedFile?: string;
  /** The whole text after applying the issue's preferred quick fix (asserted, not just produced). */
  fixed?: string;
}

/** Applies same-file edits the way VS Code's WorkspaceEdit does (positions clamped to the text), last first. */
function applyEdits(text: string, edits: TextEdit[]): string {
  const li = new LineIndex(text);
  const at = (e: TextEdit) => [li.offset(e.range.start), li.offset(e.range.end)] as const;
  let out = text;
  for (const e of [...edits].sort((a, b) => at(b)[0] - at(a)[0])) { const [s, en] = at(e); out = out.slice(0, s) + e.newText + out.slice(en); }
  return out;
}

const lines = (base: string, replace: Record<number, string>): string => base.split('\n').map((l, i) => replace[i] ?? l).join('\n');

const cases: Case[] = [
  // ---------------- Hugging Face TrainingArguments / TRL
  { name: 'hf: 1e-5 is a string for PyYAML', text: HF + 'learning_rate: 1e-5\n', code: 'yaml11-float-string', severity: 'warning', range: [5, 15, 5, 19] },
  { name: 'hf: evaluation_strategy removed in 4.46', text: HF + 'evaluation_strategy: steps\n', code: 'renamed-key', severity: 'error', range: [5, 0, 5, 19], fixed: HF + 'eval_strategy: steps\n' },
  { name: 'hf: typo eval_stratgy', text: HF + 'eval_stratgy: steps\n', code: 'unknown-key', severity: 'error', range: [5, 0, 5, 12] },
  { name: 'hf: save_strategy: no is the boolean False', text: HF + 'save_strategy: no\n', code: 'yaml11-bool', severity: 'error', range: [5, 15, 5, 17] },
  { name: 'hf: scheduler typo', text: lines(HF, { 4: 'lr_scheduler_type: cosin' }), code: 'invalid-value', severity: 'error', range: [4, 19, 4, 24] },
  { name: 'hf: batch size is a word', text: lines(HF, { 2: 'per_device_train_batch_size: four' }), code: 'wrong-type', severity: 'error', range: [2, 29, 2, 33] },
  { name: 'hf: warmup_ratio above 1', text: HF + 'warmup_ratio: 1.5\n', code: 'out-of-range', severity: 'error', range: [5, 14, 5, 17] },
  { name: 'hf: fp16 and bf16', text: HF + 'fp16: true\nbf16: true\n', code: 'fp16-bf16-conflict', severity: 'error', range: [5, 0, 5, 10], fixed: HF + 'bf16: true\n' },
  { name: 'hf: load_best with different strategies', text: HF + 'load_best_model_at_end: true\neval_strategy: steps\nsave_strategy: epoch\n', code: 'load-best-strategy-mismatch', severity: 'error', range: [5, 0, 5, 22] },
  { name: 'hf: save_steps not a multiple of eval_steps', text: HF + 'load_best_model_at_end: true\neval_strategy: steps\nsave_strategy: steps\neval_steps: 300\nsave_steps: 500\n', code: 'save-steps-not-multiple', severity: 'error', range: [9, 12, 9, 15] },
  { name: 'hf: warmup_ratio 0.8', text: HF + 'warmup_ratio: 0.8\n', code: 'warmup-ratio-large', severity: 'warning', range: [5, 14, 5, 17] },
  { name: 'hf: 4-bit without use_peft', text: HF + 'load_in_4bit: true\n', code: 'quantized-full-finetune', severity: 'warning', range: [5, 0, 5, 12] },
  { name: 'hf: 4-bit and 8-bit', text: HF + 'use_peft: true\nload_in_4bit: true\nload_in_8bit: true\n', code: 'quantization-conflict', severity: 'error', range: [7, 0, 7, 12] },
  { name: 'hf: learning rate 5', text: HF + 'learning_rate: 5\n', code: 'lr-too-high', severity: 'warning', range: [5, 15, 5, 16] },
  { name: 'hf: bnb optimizer on CPU', text: HF + 'optim: adamw_bnb_8bit\nuse_cpu: true\n', code: 'optimizer-needs-gpu', severity: 'error', range: [5, 7, 5, 21] },
  { name: 'hf: leading-zero seed is octal', text: HF + 'seed: 0042\n', code: 'yaml11-octal', severity: 'warning', range: [5, 6, 5, 10] },
  { name: 'hf: prompt longer than max_length', text: HF + 'max_prompt_length: 2048\nmax_length: 1024\n', code: 'prompt-longer-than-max', severity: 'warning', range: [5, 19, 5, 23] },
  { name: 'hf: packing with max_length null', text: HF + 'packing: true\nmax_length: null\n', code: 'packing-needs-length', severity: 'error', range: [5, 0, 5, 7] },
  { name: 'hf: max_seq_length renamed (TRL 0.16)', text: HF + 'max_seq_length: 2048\n', code: 'renamed-key', severity: 'warning', range: [5, 0, 5, 14], fixed: HF + 'max_length: 2048\n' },
  { name: 'hf: YAML 1.2 octal 0o17 is a string for PyYAML', text: HF + 'save_total_limit: 0o17\n', code: 'wrong-type', severity: 'error', range: [5, 18, 5, 22] },
  { name: 'hf: 1:30:00 is sexagesimal', text: HF + 'ddp_timeout: 1:30:00\n', code: 'yaml11-sexagesimal', severity: 'warning', range: [5, 13, 5, 20] },
  { name: 'hf: nested unknown key', text: HF + 'gradient_checkpointing_kwargs:\n  use_reentrnt: false\n', code: 'unknown-key', severity: 'warning', range: [6, 2, 6, 14] },
  { name: 'hf: LoRA keys without use_peft', text: HF + 'lora_r: 16\n', code: 'lora-without-peft', severity: 'warning', range: [5, 0, 5, 6] },
  { name: 'hf: do_eval with eval_strategy no', text: HF + 'do_eval: true\neval_strategy: "no"\n', code: 'eval-never-runs', severity: 'warning', range: [5, 0, 5, 7] },
  {
    name: 'hf+ds: micro batch mismatch', text: HF + 'deepspeed: ds.json\n', file: '/w/train.yaml',
    files: { '/w/ds.json': ds({ train_micro_batch_size_per_gpu: 8, zero_optimization: { stage: 2 } }) },
    code: 'ds-mismatch', severity: 'error', range: [2, 29, 2, 30], relatedFile: '/w/ds.json',
  },
  // Issue 15: the launch directory is not known here, so a relative reference that is not found from the config's
  // folder upwards is a warning (an error only where the launch directory is known; see config.corpus.test.ts).
  { name: 'hf+ds: missing DeepSpeed file', text: HF + 'deepspeed: configs/ds.json\n', file: '/w/train.yaml', files: {}, code: 'missing-reference', severity: 'warning', range: [5, 11, 5, 26] },
  {
    name: 'hf+ds: optimizer lr differs', text: HF + 'learning_rate: 5.0e-5\ndeepspeed: ds.json\n', file: '/w/train.yaml',
    files: { '/w/ds.json': ds({ optimizer: { type: 'AdamW', params: { lr: 3e-5 } }, zero_optimization: { stage: 2 } }) },
    code: 'ds-mismatch', severity: 'error', range: [5, 15, 5, 21], relatedFile: '/w/ds.json',
  },
  {
    name: 'hf+ds: train_batch_size not a multiple', text: HF + 'deepspeed: ds.json\n', file: '/w/train.yaml',
    files: { '/w/ds.json': ds({ train_batch_size: 10, train_micro_batch_size_per_gpu: 'auto', zero_optimization: { stage: 2 } }) },
    code: 'ds-batch-size', severity: 'error', range: [5, 11, 5, 18], relatedFile: '/w/ds.json',
  },
  {
    name: 'hf+ds: fp16 disagrees', text: HF + 'fp16: true\ndeepspeed: ds.json\n', file: '/w/train.yaml',
    files: { '/w/ds.json': ds({ fp16: { enabled: false }, zero_optimization: { stage: 2 } }) },
    code: 'ds-mismatch', severity: 'error', range: [5, 6, 5, 10], relatedFile: '/w/ds.json',
  },
  {
    name: 'hf+ds: referenced JSON is broken', text: HF + 'deepspeed: ds.json\n', file: '/w/train.yaml',
    files: { '/w/ds.json': '{ "zero_optimization": { "stage": 2, }, }' },
    code: 'reference-invalid', severity: 'error', range: [5, 11, 5, 18], relatedFile: '/w/ds.json',
  },
  {
    name: 'hf+ds: DeepSpeed optimizer block overrides optim', text: HF + 'optim: adafactor\ndeepspeed: ds.json\n', file: '/w/train.yaml',
    files: { '/w/ds.json': ds({ optimizer: { type: 'AdamW', params: { lr: 'auto' } } }) },
    code: 'ds-optimizer-overrides', severity: 'warning', range: [5, 0, 5, 16], relatedFile: '/w/ds.json',
  },
  { name: 'hf: fsdp_config JSON path that does not exist', text: HF + 'fsdp: full_shard auto_wrap\nfsdp_config: fsdp.json\n', file: '/w/train.yaml', files: {}, code: 'missing-reference', severity: 'warning', range: [6, 13, 6, 22] },
  { name: 'hf: TrainingArguments as JSON (parse_json_file), removed key', file: 'args.json', text: ds({ output_dir: 'o', per_device_train_batch_size: 4, num_train_epochs: 1, lr_scheduler_type: 'cosine', evaluation_strategy: 'steps' }), code: 'renamed-key', severity: 'error', range: [5, 2, 5, 23], fixed: ds({ output_dir: 'o', per_device_train_batch_size: 4, num_train_epochs: 1, lr_scheduler_type: 'cosine', eval_strategy: 'steps' }) },
  { name: 'hf: reduce_lr_on_plateau without evaluation', text: lines(HF, { 4: 'lr_scheduler_type: reduce_lr_on_plateau' }), code: 'scheduler-needs-eval', severity: 'error', range: [4, 19, 4, 39] },
  { name: 'hf: cosine_with_min_lr without min_lr', text: lines(HF, { 4: 'lr_scheduler_type: cosine_with_min_lr' }), code: 'scheduler-needs-kwargs', severity: 'error', range: [4, 19, 4, 37] },
  { name: 'hf: gradient_checkpointing with FSDP activation checkpointing', text: HF + 'fsdp: full_shard auto_wrap\nfsdp_config:\n  activation_checkpointing: true\ngradient_checkpointing: true\n', code: 'checkpointing-conflict', severity: 'error', range: [8, 0, 8, 28] },
  { name: 'hf: deepspeed and fsdp', text: HF + 'fsdp: full_shard\ndeepspeed: ds.json\n', code: 'deepspeed-fsdp-conflict', severity: 'error', range: [6, 0, 6, 9] },
  { name: 'hf: eval_steps without an eval strategy', text: HF + 'eval_steps: 200\n', code: 'ignored-setting', severity: 'warning', range: [5, 0, 5, 10] },
  { name: 'hf: save_steps with save_strategy epoch', text: HF + 'save_strategy: epoch\nsave_steps: 200\n', code: 'ignored-setting', severity: 'warning', range: [6, 0, 6, 10] },
  { name: 'hf: warmup longer than training', text: HF + 'max_steps: 100\nwarmup_steps: 500\n', code: 'warmup-longer-than-training', severity: 'warning', range: [6, 14, 6, 17] },
  { name: 'hf: inline deepspeed mapping, typo inside zero_optimization', text: HF + 'deepspeed:\n  zero_optimization:\n    stage: 2\n    offload_optimzer:\n      device: cpu\n', code: 'unknown-key', severity: 'error', range: [8, 4, 8, 20] },
  { name: 'hf: inline deepspeed mapping disagrees with the micro batch', text: HF + 'deepspeed:\n  train_micro_batch_size_per_gpu: 2\n', code: 'ds-mismatch', severity: 'error', range: [2, 29, 2, 30], relatedFile: 'config.yaml' },
  // ---------------- Axolotl
  { name: 'axolotl: dataset key typo', text: lines(AX, { 3: '    tpye: alpaca' }), code: 'unknown-key', severity: 'warning', range: [3, 4, 3, 8] },
  { name: 'axolotl: only one batch field', text: lines(AX, { 6: '' }), code: 'batch-size-fields', severity: 'error', range: [5, 0, 5, 16] },
  { name: 'axolotl: qlora without 4-bit', text: AX + 'adapter: qlora\nlora_target_linear: true\n', code: 'qlora-needs-4bit', severity: 'error', range: [9, 9, 9, 14] },
  { name: 'axolotl: 8-bit without adapter', text: AX + 'load_in_8bit: true\n', code: 'quantized-full-finetune', severity: 'error', range: [9, 0, 9, 18] },
  { name: 'axolotl: two attention switches', text: AX + 'flash_attention: true\nsdp_attention: true\n', code: 'attention-conflict', severity: 'error', range: [10, 0, 10, 13] },
  { name: 'axolotl: streaming pretraining without max_steps', text: lines(AX, { 1: 'pretraining_dataset:' }), code: 'pretraining-needs-max-steps', severity: 'error', range: [1, 0, 1, 19] },
  { name: 'axolotl: evals_per_epoch and eval_steps', text: AX + 'val_set_size: 0.1\nevals_per_epoch: 4\neval_steps: 100\n', code: 'eval-frequency-conflict', severity: 'error', range: [11, 0, 11, 10] },
  { name: 'axolotl: warmup_steps and warmup_ratio', text: AX + 'warmup_steps: 10\nwarmup_ratio: 0.1\n', code: 'warmup-conflict', severity: 'error', range: [9, 0, 9, 12] },
  // The tryout's `warmup_steps: 0.1`: pydantic refuses the float (warmup_steps: int | None); the fraction is warmup_ratio.
  { name: 'axolotl: a fraction in warmup_steps: wrong-type, renamed to warmup_ratio by the fix', text: AX + 'warmup_steps: 0.1\n', code: 'wrong-type', severity: 'error', range: [9, 14, 9, 17], fixed: AX + 'warmup_ratio: 0.1\n' },
  { name: 'axolotl: fp16 and bf16', text: AX + 'bf16: true\nfp16: true\n', code: 'fp16-bf16-conflict', severity: 'error', range: [10, 0, 10, 10], fixed: AX + 'bf16: true\n' },
  { name: 'axolotl: lora without targets', text: AX + 'adapter: lora\nlora_r: 16\n', code: 'lora-no-targets', severity: 'warning', range: [9, 9, 9, 13] },
  { name: 'axolotl: lora_r without adapter', text: AX + 'lora_r: 8\n', code: 'lora-without-adapter', severity: 'warning', range: [9, 0, 9, 6] },
  { name: 'axolotl: packing without flash attention', text: AX + 'sample_packing: true\n', code: 'packing-attention', severity: 'warning', range: [9, 0, 9, 14] },
  { name: 'axolotl: deepspeed and fsdp', text: AX + 'deepspeed: zero2.json\nfsdp:\n  - full_shard\n', code: 'deepspeed-fsdp-conflict', severity: 'error', range: [9, 0, 9, 9] },
  { name: 'axolotl: rope_scaling moved under model_config', text: AX + 'rope_scaling:\n  type: linear\n', code: 'renamed-key', severity: 'error', range: [9, 0, 9, 12], fixed: AX + 'model_config:\n  rope_scaling:\n    type: linear\n' },
  { name: 'axolotl: scheduler typo', text: AX + 'lr_scheduler: cosin\n', code: 'invalid-value', severity: 'warning', range: [9, 14, 9, 19] },
  { name: 'axolotl: chat_template jinja without template', text: AX + 'chat_template: jinja\n', code: 'missing-chat-template-jinja', severity: 'error', range: [9, 15, 9, 20] },
  {
    name: 'axolotl+ds: micro_batch_size mismatch', text: AX + 'deepspeed: ds/zero2.json\n', file: '/w/ax.yml',
    files: { '/w/ds/zero2.json': ds({ train_micro_batch_size_per_gpu: 4, gradient_accumulation_steps: 'auto' }) },
    code: 'ds-mismatch', severity: 'error', range: [5, 18, 5, 19], relatedFile: '/w/ds/zero2.json',
  },
  { name: 'axolotl: evaluation requested without a validation set', text: AX + 'val_set_size: 0\nevals_per_epoch: 4\n', code: 'eval-without-data', severity: 'warning', range: [10, 0, 10, 15] },
  { name: 'axolotl: dataset entry without path', text: lines(AX, { 2: '  - type: alpaca', 3: '' }), code: 'dataset-missing-path', severity: 'error', range: [2, 4, 2, 16] },
  { name: 'axolotl: adapter typo', text: AX + 'adapter: qlroa\n', code: 'invalid-value', severity: 'error', range: [9, 9, 9, 14] },
  // ---------------- LLaMA-Factory
  { name: 'llamafactory: stage typo', text: lines(LF, { 1: 'stage: sftt' }), code: 'invalid-value', severity: 'error', range: [1, 7, 1, 11] },
  { name: 'llamafactory: quantized full fine-tuning', text: lines(LF, { 3: 'finetuning_type: full' }) + 'quantization_bit: 4\n', code: 'quantized-full-finetune', severity: 'error', range: [9, 0, 9, 16] },
  { name: 'llamafactory: lora_r is lora_rank here', text: LF + 'lora_r: 8\n', code: 'renamed-key', severity: 'warning', range: [9, 0, 9, 6], fixed: LF + 'lora_rank: 8\n' },
  { name: 'llamafactory: eval without eval data', text: LF + 'eval_strategy: steps\n', code: 'eval-without-data', severity: 'error', range: [9, 15, 9, 20] },
  { name: 'llamafactory: flash_attn value', text: LF + 'flash_attn: fa4\n', code: 'invalid-value', severity: 'error', range: [9, 12, 9, 15] },
  { name: 'llamafactory: quoted cutoff_len', text: lines(LF, { 6: 'cutoff_len: "2048"' }), code: 'wrong-type', severity: 'error', range: [6, 12, 6, 18] },
  { name: 'llamafactory: training without dataset', text: lines(LF, { 4: '' }), code: 'missing-dataset', severity: 'error', range: [2, 0, 2, 8] },
  // (issue 15) `pref_beta: float = 0.1` in finetuning_args.py has no bound and HfArgumentParser checks none, so a
  // negative beta is no longer reported as out of range (constraints come from the source); see the key tables.
  { name: 'llamafactory: do_eval without eval data', text: LF + 'do_eval: true\n', code: 'eval-without-data', severity: 'error', range: [9, 0, 9, 7] },
  { name: 'llamafactory: streaming without max_steps', text: LF + 'streaming: true\n', code: 'streaming-needs-max-steps', severity: 'error', range: [9, 0, 9, 9] },
  { name: 'llamafactory: val_size with eval_dataset', text: LF + 'eval_dataset: alpaca_en_demo\nval_size: 0.1\n', code: 'val-size-conflict', severity: 'error', range: [10, 0, 10, 8] },
  { name: 'llamafactory: interleave_probs with concat', text: LF + 'interleave_probs: 0.5\n', code: 'interleave-probs-concat', severity: 'error', range: [9, 0, 9, 16] },
  { name: 'llamafactory: interleave_probs count', text: LF + 'mix_strategy: interleave_under\ninterleave_probs: 0.5,0.5\n', code: 'interleave-probs-count', severity: 'error', range: [10, 18, 10, 25] },
  { name: 'llamafactory: mask_history with train_on_prompt', text: LF + 'mask_history: true\ntrain_on_prompt: true\n', code: 'mask-history-train-on-prompt', severity: 'error', range: [9, 0, 9, 12] },
  // ---------------- torchtune
  { name: 'torchtune: interpolation to a missing key', text: lines(TT, { 13: '  log_dir: ${output_dirr}/logs' }), code: 'unresolved-interpolation', severity: 'error', range: [13, 11, 13, 30] },
  { name: 'torchtune: optimizer_in_bwd with accumulation', text: TT + 'optimizer_in_bwd: True\n', code: 'optimizer-in-bwd-gas', severity: 'error', range: [7, 29, 7, 30] },
  { name: 'torchtune: fp16', text: TT + 'dtype: fp16\n', code: 'dtype-fp16', severity: 'warning', range: [14, 7, 14, 11] },
  { name: 'torchtune: lora_dropout 1.5', text: lines(TT, { 5: '  lora_dropout: 1.5' }), code: 'out-of-range', severity: 'error', range: [5, 16, 5, 19] },
  { name: 'torchtune: loss without _component_', text: TT + 'loss:\n  reduction: mean\n', code: 'missing-component', severity: 'error', range: [14, 0, 14, 4] },
  { name: 'torchtune: packed dataset without max_seq_len', text: TT + 'dataset:\n  _component_: torchtune.datasets.alpaca_cleaned_dataset\n  packed: True\n', code: 'packing-needs-length', severity: 'error', range: [16, 2, 16, 14] },
  { name: 'torchtune: dtype typo', text: TT + 'dtype: bf32\n', code: 'invalid-value', severity: 'error', range: [14, 7, 14, 11] },
  { name: 'torchtune: batch_size a string', text: lines(TT, { 6: 'batch_size: four' }), code: 'wrong-type', severity: 'error', range: [6, 12, 6, 16] },
  { name: 'torchtune: misspelled recipe key', text: lines(TT, { 7: 'gradient_accumulation_step: 8' }), code: 'unknown-key', severity: 'warning', range: [7, 0, 7, 26] },
  // ---------------- DeepSpeed JSON
  { name: 'deepspeed: batch identity impossible', file: 'ds_config.json', text: ds({ train_batch_size: 10, train_micro_batch_size_per_gpu: 4, gradient_accumulation_steps: 1 }), code: 'ds-batch-size', severity: 'error', range: [1, 22, 1, 24] },
  { name: 'deepspeed: fp16 and bf16', file: 'ds_config.json', text: ds({ fp16: { enabled: true }, bf16: { enabled: true } }), code: 'fp16-bf16-conflict', severity: 'error', range: [5, 15, 5, 19] },
  { name: 'deepspeed: offload_param with stage 2', file: 'ds_config.json', text: ds({ zero_optimization: { stage: 2, offload_param: { device: 'cpu' } } }), code: 'zero-offload-stage', severity: 'warning', range: [4, 16, 4, 21] },
  { name: 'deepspeed: zero_optimization typo', file: 'ds_config.json', text: ds({ zero_optimization: { stage: 2, overlap_com: true } }), code: 'unknown-key', severity: 'error', range: [3, 4, 3, 17] },
  { name: 'deepspeed: top-level typo is silently ignored', file: 'ds_config.json', text: ds({ gradient_acumulation_steps: 4 }), code: 'unknown-key', severity: 'warning', range: [1, 2, 1, 30] },
  { name: 'deepspeed: trailing comma', file: 'ds_config.json', text: '{\n  "zero_optimization": {"stage": 2},\n}', code: 'syntax', severity: 'error', range: [2, 0, 2, 1] },
  { name: 'deepspeed: stage 4', file: 'ds_config.json', text: ds({ zero_optimization: { stage: 4 } }), code: 'out-of-range', severity: 'error', range: [2, 13, 2, 14] },
  // A string DeepSpeedZeroConfig's lax mode converts ("3") is a converted-value warning (config.dsLaxStrings.test.ts).
  { name: 'deepspeed: stage as a word', file: 'ds_config.json', text: ds({ zero_optimization: { stage: 'three' } }), code: 'wrong-type', severity: 'error', range: [2, 13, 2, 20] },
  { name: 'deepspeed: deprecated gather key', file: 'ds_config.json', text: ds({ zero_optimization: { stage: 3, stage3_gather_fp16_weights_on_model_save: true } }), code: 'renamed-key', severity: 'warning', range: [3, 4, 3, 46], fixed: ds({ zero_optimization: { stage: 3, stage3_gather_16bit_weights_on_model_save: true } }) },
  { name: 'deepspeed: nvme without path', file: 'ds_config.json', text: ds({ zero_optimization: { stage: 3, offload_param: { device: 'nvme' } } }), code: 'nvme-path-missing', severity: 'error', range: [4, 16, 4, 22] },
  // ---------------- Accelerate
  { name: 'accelerate: unknown top-level key', text: AC + 'num_process: 4\n', code: 'unknown-key', severity: 'error', range: [5, 0, 5, 11] },
  { name: 'accelerate: distributed_type typo', text: lines(AC, { 1: 'distributed_type: MULTI_GPUS' }), code: 'invalid-value', severity: 'error', range: [1, 18, 1, 28] },
  { name: 'accelerate: deepspeed_config_file plus zero_stage', text: lines(AC, { 1: 'distributed_type: DEEPSPEED' }) + 'deepspeed_config:\n  deepspeed_config_file: ds.json\n  zero_stage: 2\n', file: '/w/acc.yaml', files: { '/w/ds.json': ds({ zero_optimization: { stage: 2 } }) }, code: 'ds-config-file-conflict', severity: 'error', range: [7, 2, 7, 12], fixed: lines(AC, { 1: 'distributed_type: DEEPSPEED' }) + 'deepspeed_config:\n  deepspeed_config_file: ds.json\n' },
  { name: 'accelerate: fsdp_config with MULTI_GPU', text: AC + 'fsdp_config:\n  fsdp_offload_params: false\n', code: 'ignored-section', severity: 'warning', range: [5, 0, 5, 11] },
  { name: 'accelerate: RAM-efficient loading without sync', text: lines(AC, { 1: 'distributed_type: FSDP' }) + 'fsdp_config:\n  fsdp_cpu_ram_efficient_loading: true\n  fsdp_sync_module_states: false\n', code: 'fsdp-sync-module-states', severity: 'error', range: [7, 27, 7, 32] },
  { name: 'accelerate: fewer processes than machines', text: lines(AC, { 3: 'num_machines: 2', 4: 'num_processes: 1' }) + 'main_process_ip: 10.0.0.1\n', code: 'num-processes', severity: 'error', range: [4, 15, 4, 16] },
  { name: 'accelerate: inline param offload with stage 2', text: lines(AC, { 1: 'distributed_type: DEEPSPEED' }) + 'deepspeed_config:\n  zero_stage: 2\n  offload_param_device: cpu\n', code: 'zero-offload-stage', severity: 'warning', range: [7, 24, 7, 27] },
  { name: 'accelerate+ds: precision conflict', text: lines(AC, { 1: 'distributed_type: DEEPSPEED' }) + 'deepspeed_config:\n  deepspeed_config_file: ds.json\n', file: '/w/acc.yaml', files: { '/w/ds.json': ds({ fp16: { enabled: true } }) }, code: 'precision-mismatch', severity: 'error', range: [2, 17, 2, 21], relatedFile: '/w/ds.json' },
  { name: 'accelerate: machine_rank out of range', text: lines(AC, { 3: 'num_machines: 2', 4: 'num_processes: 4' }) + 'machine_rank: 2\nmain_process_ip: 10.0.0.1\n', code: 'machine-rank', severity: 'error', range: [5, 14, 5, 15] },
  { name: 'accelerate: mixed_precision typo', text: lines(AC, { 2: 'mixed_precision: bf61' }), code: 'invalid-value', severity: 'error', range: [2, 17, 2, 21] },
  // ---------------- PEFT adapter_config.json
  { name: 'peft: rank 0', file: 'adapter_config.json', text: ds({ peft_type: 'LORA', r: 0, lora_alpha: 16 }), code: 'out-of-range', severity: 'error', range: [2, 7, 2, 8] },
  { name: 'peft: bias typo', file: 'adapter_config.json', text: ds({ peft_type: 'LORA', r: 8, bias: 'nonee' }), code: 'invalid-value', severity: 'error', range: [3, 10, 3, 17] },
  { name: 'peft: dropout 0.7', file: 'adapter_config.json', text: ds({ peft_type: 'LORA', r: 8, lora_dropout: 0.7 }), code: 'lora-dropout-large', severity: 'warning', range: [3, 18, 3, 21] },
  { name: 'peft: layers_pattern alone', file: 'adapter_config.json', text: ds({ peft_type: 'LORA', r: 8, layers_pattern: 'layers' }), code: 'peft-layers-pattern', severity: 'error', range: [3, 2, 3, 18] },
  { name: 'peft: task_type typo', file: 'adapter_config.json', text: ds({ peft_type: 'LORA', r: 8, task_type: 'CAUSAL' }), code: 'invalid-value', severity: 'error', range: [3, 15, 3, 23] },
  { name: 'peft: key typo', file: 'adapter_config.json', text: ds({ peft_type: 'LORA', r: 8, lora_aplha: 16 }), code: 'unknown-key', severity: 'warning', range: [3, 2, 3, 14], fixed: ds({ peft_type: 'LORA', r: 8, lora_alpha: 16 }) },
];

for (const c of cases) {
  test(c.name, async () => {
    const file = c.file ?? 'config.yaml';
    const res = c.files
      ? await validateConfigWithFiles(c.text, { fileName: file, framework: c.framework, readFile: async (p) => c.files![p] })
      : validateConfig(c.text, { fileName: file, framework: c.framework });
    const hits = res.issues.filter((i) => i.code === c.code);
    const summary = res.issues.map((i) => `${i.code}@${i.range.start.line}:${i.range.start.character}-${i.range.end.line}:${i.range.end.character}`).join(', ');
    assert.ok(hits.length > 0, `expected ${c.code}; got [${summary}] (framework ${res.framework})`);
    const at = hits.find((i) => i.range.start.line === c.range[0] && i.range.start.character === c.range[1] && i.range.end.line === c.range[2] && i.range.end.character === c.range[3]);
    assert.ok(at, `${c.code} at ${c.range.join(',')} not found; got [${summary}]`);
    assert.equal(at.severity, c.severity);
    assert.ok(at.message.length > 20, 'message explains the problem');
    if (c.relatedFile) assert.ok(at.related.some((r) => r.file === c.relatedFile), `related location in ${c.relatedFile}`);
    // Every quick fix offered in this file is applied: the edited text must parse, and the issue must be gone
    // from the edited text (a fix that renames into invalid JSON or into the wrong place fails here).
    for (const fix of at.fixes.filter((f) => f.edits.every((e) => !e.file))) {
      const edited = applyEdits(c.text, fix.edits);
      assert.notEqual(edited, c.text, `${fix.title}: changes nothing`);
      const after = c.files ? await validateConfigWithFiles(edited, { fileName: file, framework: c.framework, readFile: async (p) => c.files![p] }) : validateConfig(edited, { fileName: file, framework: c.framework });
      assert.deepEqual(after.issues.filter((i) => i.code === 'syntax').map((i) => i.message), [], `${fix.title}: the edited text does not parse:\n${edited}`);
      assert.ok(after.issues.filter((i) => i.code === c.code).length < hits.length, `${fix.title}: ${c.code} is still reported after the fix:\n${edited}`);
    }
    if (c.fixed !== undefined) {
      const preferred = at.fixes.find((f) => f.isPreferred);
      assert.ok(preferred, `no preferred fix among: ${at.fixes.map((f) => f.title).join(', ')}`);
      assert.equal(applyEdits(c.text, preferred.edits), c.fixed, preferred.title);
    }
  });
}

test('lr-too-high: 6e-3 warns when a pretrained model is fine-tuned, not for a from-scratch config (examples/tiny-gpt)', () => {
  const scratch = 'output_dir: out\nmax_steps: 400\nper_device_train_batch_size: 32\nlearning_rate: 0.006\n';
  assert.deepEqual(validateConfig(scratch, { fileName: 'config.yaml', framework: 'hf-trainer' }).issues.filter((i) => i.code === 'lr-too-high'), []);
  const ft = validateConfig('model_name_or_path: meta-llama/Llama-3.1-8B\n' + scratch, { fileName: 'config.yaml', framework: 'hf-trainer' }).issues.filter((i) => i.code === 'lr-too-high');
  assert.equal(ft.length, 1);
  assert.deepEqual([ft[0].range.start.line, ft[0].range.start.character], [4, 15]);
});
