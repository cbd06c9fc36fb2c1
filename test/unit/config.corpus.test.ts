/**
 * Every real config of the corpus (copied to test/fixtures/configs, origins in SOURCES.tsv) validates without
 * errors; the framework detected for each is asserted; every warning is listed and defended below.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { validateConfig, validateConfigWithFiles, detectFramework, referencedFiles, fileAccessReader } from '../../src/core/config/index';
import { memoryFileAccess } from '../../src/core/files';
import type { Framework } from '../../src/core/config/index';

const DIR = join(__dirname, '..', 'fixtures', 'configs');
const read = (f: string): string => readFileSync(join(DIR, f), 'utf8');

/** [file, framework, expected issues as "severity:code@line:char" (0-based)] */
const EXPECTED: [string, Framework, string[]][] = [
  ['accelerate__alignment-handbook-fsdp.yaml', 'accelerate', []],
  ['accelerate__alignment-handbook-zero3.yaml', 'accelerate', []],
  ['accelerate__deepspeed-template.yaml', 'accelerate', []],
  ['accelerate__fsdp-template.yaml', 'accelerate', []],
  ['accelerate__llamafactory-fsdp-config.yaml', 'accelerate', []],
  // learning_rate: 2e-5 is a *string* for PyYAML, but axolotl's HyperparametersConfig.convert_learning_rate
  // (src/axolotl/utils/schemas/training.py) turns it into a float, so no warning is right here.
  ['axolotl__gpt-oss-20b-fft-deepspeed-zero3.yaml', 'axolotl', []],
  ['axolotl__llama2-relora.yml', 'axolotl', []],
  ['axolotl__llama3-lora-1b.yml', 'axolotl', []],
  // Defended (issue 15): FSDPConfig (axolotl src/axolotl/utils/schemas/fsdp.py, 0.18) has no limit_all_gathers or
  // sharding_strategy; after check_fsdp_config_kwargs_prefix strips `fsdp_`, pydantic drops them: a warning.
  ['axolotl__llama3-qlora-fsdp-70b.yaml', 'axolotl', ['warning:unknown-key@60:2', 'warning:unknown-key@68:2']],
  ['axolotl__mistral-qlora-orpo.yml', 'axolotl', []],
  ['axolotl__mixtral-qlora-fsdp.yml', 'axolotl', ['warning:unknown-key@67:2', 'warning:unknown-key@75:2', 'warning:unknown-key@76:2', 'warning:unknown-key@77:2']],
  ['axolotl__tinyllama-pretrain.yml', 'axolotl', []],
  ['deepspeed__axolotl-zero2.json', 'deepspeed', []],
  ['deepspeed__axolotl-zero3-bf16-cpuoffload-all.json', 'deepspeed', []],
  ['deepspeed__dsexamples-autotuning-fp16-z3.json', 'deepspeed', []],
  ['deepspeed__dsexamples-megatron-zero2.json', 'deepspeed', []],
  ['deepspeed__transformers-tests-ds_config_zero2.json', 'deepspeed', []],
  // Defended: `stage3_gather_fp16_weights_on_model_save` is the deprecated alias of
  // `stage3_gather_16bit_weights_on_model_save` (DeepSpeed zero/config.py marks it deprecated with new_param);
  // it still works, so a warning with a rename fix, not an error. This file is an older stored version.
  ['deepspeed__transformers-tests-ds_config_zero3.json', 'deepspeed', ['warning:renamed-key@28:8']],
  ['deepspeed__user-zero2-two-gpu.json', 'deepspeed', []],
  ['hf-trainingargs__alignment-handbook-zephyr-141b-orpo.yaml', 'hf-trainer', []],
  ['hf-trainingargs__alignment-handbook-zephyr-7b-beta-dpo-qlora.yaml', 'hf-trainer', []],
  // Defended: `max_seq_length` was renamed `max_length` in TRL 0.16 (SFTConfig) and removed in TRL 0.20; the
  // recipe predates that. With a current TRL the key is rejected, so the user should hear about it.
  ['hf-trainingargs__alignment-handbook-zephyr-7b-beta-sft-full.yaml', 'hf-trainer', ['warning:renamed-key@41:0']],
  // LitGPT (jsonargparse) and NeMo (Hydra, `???`, `${...}`) are recognised and deliberately not validated.
  ['litgpt__llama-3.2-1B-lora.yaml', 'unknown', []],
  ['litgpt__pretrain-tinyllama.yaml', 'unknown', []],
  ['llamafactory__llama3-lora-sft-gptq.yaml', 'llamafactory', []],
  ['llamafactory__qwen3-lora-sft-ds3.yaml', 'llamafactory', []],
  ['llamafactory__qwen3-lora-sft.yaml', 'llamafactory', []],
  ['llamafactory__user-qwen25-3b-full-sft-16k.yaml', 'llamafactory', []],
  ['nemo__megatron-gpt-config.yaml', 'unknown', []],
  ['peft__tinyllama-adapter_config.json', 'peft', []],
  ['torchtune__dev-3B-full-grpo.yaml', 'torchtune', []],
  ['torchtune__llama3_1-8B-full.yaml', 'torchtune', []],
  ['torchtune__llama3_2-1B-lora-single-device.yaml', 'torchtune', []],
  ['torchtune__llama3_2-8B-to-1B-KD-lora.yaml', 'torchtune', []],
  ['torchtune__mistral-7B-full-ppo-low-memory.yaml', 'torchtune', []],
  ['trl__cli-example-config.yaml', 'hf-trainer', []],
];

test('the expectation table covers every corpus config', () => {
  const files = readdirSync(DIR).filter((f) => !f.endsWith('.tsv')).sort();
  assert.deepEqual(EXPECTED.map((e) => e[0]).sort(), files);
  const sources = read('SOURCES.tsv');
  for (const f of files) assert.ok(sources.includes(`test/fixtures/configs/${f}\t`), `SOURCES.tsv row for ${f}`);
});

for (const [file, fw, expected] of EXPECTED) {
  test(`corpus ${file}: ${fw}, ${expected.length ? expected.join(' ') : 'no issues'}`, () => {
    const text = read(file);
    assert.equal(detectFramework(text, file).framework, fw);
    const r = validateConfig(text, { fileName: file });
    assert.equal(r.framework, fw);
    assert.ok(r.frameworkReason.length > 5);
    assert.deepEqual(r.issues.map((i) => `${i.severity}:${i.code}@${i.range.start.line}:${i.range.start.character}`), expected);
  });
}

test('facts: effective batch size and tokens per optimizer step', () => {
  const r = validateConfig(read('axolotl__llama3-lora-1b.yml'), { fileName: 'axolotl__llama3-lora-1b.yml' });
  assert.deepEqual(r.facts.map((f) => f.label), ['Effective batch: 2 × 2 = 4 per GPU (× number of GPUs)', 'Tokens per optimizer step: ≤ 8,192 per GPU']);
  const d = validateConfig(read('deepspeed__dsexamples-megatron-zero2.json'), { fileName: 'deepspeed__dsexamples-megatron-zero2.json' });
  assert.deepEqual(d.facts, []);
  const a = validateConfig(read('accelerate__alignment-handbook-zero3.yaml'), { fileName: 'zero3.yaml' });
  assert.deepEqual(a.facts.map((f) => f.label), ['World size: 8 processes']);
});

test('cross-file: the real user config with its real ZeRO-2 JSON is consistent; without it, the reference is an error', async () => {
  const file = 'llamafactory__user-qwen25-3b-full-sft-16k.yaml';
  const text = read(file);
  const dsPath = '/home/<user>/projects/P1/LLaMA-Factory/examples/deepspeed/my_dz_twoGPU.json';
  assert.deepEqual((await referencedFiles(text, { fileName: file })).map((r) => [r.path, r.range.start.line, r.range.start.character]), [[dsPath, 9, 11]]);
  const ok = await validateConfigWithFiles(text, { fileName: file, readFile: async (p) => (p === dsPath ? read('deepspeed__user-zero2-two-gpu.json') : undefined) });
  assert.deepEqual(ok.issues, []);
  const missing = await validateConfigWithFiles(text, { fileName: file, readFile: async () => undefined });
  assert.deepEqual(missing.issues.map((i) => [i.code, i.severity, i.range.start.line, i.range.start.character, i.range.end.character]), [['missing-reference', 'error', 9, 11, 88]]);
});

test('cross-file: the HF test ZeRO-3 JSON (explicit values) against a training YAML reports each mismatch at both places', async () => {
  const yaml = 'output_dir: out\nper_device_train_batch_size: 4\nlearning_rate: 2.0e-5\nbf16: true\nnum_train_epochs: 1\nlr_scheduler_type: cosine\ndeepspeed: ds/zero3.json\n';
  const r = await validateConfigWithFiles(yaml, { fileName: '/proj/train.yaml', readFile: async (p) => (p === '/proj/ds/zero3.json' ? read('deepspeed__transformers-tests-ds_config_zero3.json') : undefined) });
  const got = r.issues.map((i) => `${i.code}@${i.range.start.line}:${i.range.start.character}->${i.related.map((x) => `${x.range.start.line}:${x.range.start.character}`).join('|')}`);
  // learning_rate 2e-5 vs optimizer lr 3e-5 (line 34) and warmup_max_lr 3e-5 (line 45), both at learning_rate;
  // not set here, so at the `deepspeed:` reference: fp16 (default false vs fp16.enabled true, line 2),
  // adam betas (default [0.9, 0.999] vs [0.8, 0.999], line 35), weight_decay (default 0 vs 3e-7, line 37).
  // eps 1e-8 equals the default; no bf16 block, so bf16: true is not compared (HF fill_match skips absent keys).
  // warmup_num_steps 500 (line 46) where no warmup is set: trainer_config_finalize compares it with warmup_steps 0.
  assert.deepEqual(got.sort(), ['ds-mismatch@2:15->34:18', 'ds-mismatch@2:15->45:29', 'ds-mismatch@6:11->2:19', 'ds-mismatch@6:11->35:21', 'ds-mismatch@6:11->37:28', 'ds-scheduler-steps@6:11->46:32']);
  const fix = r.issues.find((i) => i.related[0]?.range.start.line === 34)!.fixes[0];
  assert.equal(fix.edits[0].file, '/proj/ds/zero3.json');
  assert.equal(fix.edits[0].newText, '"auto"');
});

test('unrelated YAML/JSON and checkpoint files: detected as unknown, no issues (no false alarms)', () => {
  const samples: [string, string][] = [
    ['.github/workflows/ci.yml', 'name: CI\non:\n  push:\n    branches: [main]\njobs:\n  test:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/checkout@v4\n'],
    ['docker-compose.yml', 'version: "3"\nservices:\n  web:\n    image: nginx\n    ports:\n      - "80:80"\n'],
    ['pod.yaml', 'apiVersion: v1\nkind: Pod\nmetadata:\n  name: x\nspec:\n  containers:\n    - name: a\n      image: b\n'],
    ['.pre-commit-config.yaml', 'repos:\n  - repo: https://github.com/psf/black\n    rev: 23.1.0\n    hooks:\n      - id: black\n'],
    ['config.json', JSON.stringify({ architectures: ['LlamaForCausalLM'], hidden_size: 4096, torch_dtype: 'bfloat16', vocab_size: 32000 })],
    ['generation_config.json', JSON.stringify({ do_sample: true, temperature: 0.6, top_p: 0.9, max_length: 4096 })],
    ['trainer_state.json', JSON.stringify({ epoch: 1.0, global_step: 100, log_history: [{ loss: 1.2, step: 10 }], train_batch_size: 8, max_steps: 100 })],
    ['wandb/config.yaml', 'wandb_version: 1\n_wandb:\n  desc: null\nlearning_rate:\n  desc: null\n  value: 1.0e-05\n'],
    ['conf/train.yaml', 'defaults:\n  - model: llama\n  - _self_\ntrainer:\n  max_steps: 100\nlr: ${optim.lr}\n'],
  ];
  for (const [f, t] of samples) {
    const r = validateConfig(t, { fileName: f });
    assert.equal(r.framework, 'unknown', `${f}: ${r.frameworkReason}`);
    assert.deepEqual(r.issues, [], f);
  }
});

test('cross-file: a relative reference is found in the folders above the config (launch dir = repo root), read through a FileAccess', async () => {
  // axolotl examples name `deepspeed_configs/zero3_bf16.json` relative to the repository root. The stored axolotl
  // ZeRO-3 JSON (bf16, CPU offload, all batch values "auto") stands in for that file here.
  const file = '/repo/examples/gpt-oss/gpt-oss-20b-fft-deepspeed-zero3.yaml';
  const text = read('axolotl__gpt-oss-20b-fft-deepspeed-zero3.yaml');
  const readFile = fileAccessReader(memoryFileAccess({ '/repo/deepspeed_configs/zero3_bf16.json': read('deepspeed__axolotl-zero3-bf16-cpuoffload-all.json') }));
  assert.deepEqual((await referencedFiles(text, { fileName: file, readFile })).map((r) => r.path), ['/repo/deepspeed_configs/zero3_bf16.json']);
  assert.deepEqual((await validateConfigWithFiles(text, { fileName: file, readFile })).issues, []);
  // Issue 15: where it will be launched from is unknown here, so a miss is a warning naming where we looked ...
  const missing = await validateConfigWithFiles(text, { fileName: file, readFile: fileAccessReader(memoryFileAccess({})) });
  assert.deepEqual(missing.issues.map((i) => `${i.severity}:${i.code}`), ['warning:missing-reference']);
  assert.match(missing.issues[0].message, /not found from the config's folder or the folders above it \(looked at \/repo\/examples\/gpt-oss\/deepspeed_configs\/zero3_bf16\.json, \/repo\/examples\/deepspeed_configs\/zero3_bf16\.json, \/repo\/deepspeed_configs\/zero3_bf16\.json/);
  // ... and where the launch directory is known (a task, a run, Launch Run), the file is opened from there only.
  assert.deepEqual((await validateConfigWithFiles(text, { fileName: file, readFile, launchDir: '/repo' })).issues, []);
  const wrongDir = await validateConfigWithFiles(text, { fileName: file, readFile, launchDir: '/repo/examples' });
  assert.deepEqual(wrongDir.issues.map((i) => `${i.severity}:${i.code}`), ['error:missing-reference']);
  assert.match(wrongDir.issues[0].message, /is not in the launch directory \/repo\/examples \(\/repo\/examples\/deepspeed_configs\/zero3_bf16\.json\)/);
});
