/** Hover, completion, JSON Schemas, references and the YAML 1.1 scalar reader. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { hoverAt, completeAt, jsonSchemaFor, referencedFiles, detectFramework, validateConfig, frameworkLabel } from '../../src/core/config/index';
import { shortLink } from '../../src/core/config/assist';
import { resolvePlain } from '../../src/core/config/pyyaml';
import { LineIndex } from '../../src/core/config/lineIndex';
import { didYouMean } from '../../src/core/config/suggest';
import { SCHEMA_FRAMEWORKS, schemaText } from '../../scripts/gen-schemas';

const at = (text: string, marker: string): { text: string; offset: number } => ({ text: text.replace(marker, ''), offset: text.indexOf(marker) });

test('PyYAML scalar reading (YAML 1.1) vs OmegaConf', () => {
  assert.deepEqual(resolvePlain('1e-5', 'pyyaml'), { value: '1e-5', pyType: 'str', quirk: 'float-without-dot' });
  assert.deepEqual(resolvePlain('1.0e-5', 'pyyaml'), { value: 1e-5, pyType: 'float', quirk: undefined });
  assert.equal(resolvePlain('1.0e5', 'pyyaml').pyType, 'str'); // PyYAML needs a signed exponent
  assert.deepEqual(resolvePlain('1e-5', 'omegaconf'), { value: 1e-5, pyType: 'float', quirk: undefined });
  assert.deepEqual(resolvePlain('no', 'pyyaml'), { value: false, pyType: 'bool', quirk: 'bool-word' });
  assert.deepEqual(resolvePlain('On', 'omegaconf'), { value: true, pyType: 'bool', quirk: 'bool-word' });
  assert.deepEqual(resolvePlain('True', 'pyyaml'), { value: true, pyType: 'bool', quirk: undefined });
  assert.deepEqual(resolvePlain('010', 'pyyaml'), { value: 8, pyType: 'int', quirk: 'octal' });
  assert.deepEqual(resolvePlain('1:30', 'pyyaml'), { value: 90, pyType: 'int', quirk: 'sexagesimal' });
  assert.deepEqual(resolvePlain('0x1F', 'pyyaml'), { value: 31, pyType: 'int', quirk: undefined });
  assert.deepEqual(resolvePlain('1_000', 'pyyaml'), { value: 1000, pyType: 'int', quirk: 'underscore' });
  assert.deepEqual(resolvePlain('~', 'pyyaml'), { value: null, pyType: 'NoneType' });
  assert.equal(resolvePlain('2024-01-02', 'pyyaml').pyType, 'datetime');
  assert.equal(resolvePlain('2024-01-02', 'omegaconf').pyType, 'str');
  assert.deepEqual(resolvePlain('.inf', 'pyyaml'), { value: Infinity, pyType: 'float', quirk: undefined });
  assert.deepEqual(resolvePlain('cosine', 'pyyaml'), { value: 'cosine', pyType: 'str' });
});

test('LineIndex maps offsets with \\n, \\r\\n and \\r line ends', () => {
  const li = new LineIndex('a\r\nbc\rd\ne');
  assert.deepEqual(li.position(0), { line: 0, character: 0 });
  assert.deepEqual(li.position(3), { line: 1, character: 0 });
  assert.deepEqual(li.position(6), { line: 2, character: 0 });
  assert.deepEqual(li.position(8), { line: 3, character: 0 });
  assert.equal(li.offset({ line: 2, character: 1 }), 7);
});

test('did-you-mean', () => {
  assert.equal(didYouMean('eval_stratgy', ['eval_strategy', 'save_strategy']), 'eval_strategy');
  assert.equal(didYouMean('learning-rate', ['learning_rate']), 'learning_rate');
  assert.equal(didYouMean('zzz', ['learning_rate']), undefined);
});

test('hover on a key: doc, type, default, allowed values, source', () => {
  const { text, offset } = at('output_dir: o\nper_device_train_batch_size: 4\nnum_train_epochs: 1\nlr_sch|eduler_type: cosine\n', '|');
  const h = hoverAt(text, offset, { fileName: 'train.yaml' })!;
  assert.ok(h);
  assert.match(h.markdown, /\*\*lr_scheduler_type\*\*/);
  assert.match(h.markdown, /Default: `linear`/);
  assert.match(h.markdown, /`cosine_with_restarts`/);
  assert.match(h.markdown, /Source: \[.*training_args\.py/);
  assert.deepEqual(h.range, { start: { line: 3, character: 0 }, end: { line: 3, character: 17 } });
});

test('hover on a value tells how the loader reads it', () => {
  const { text, offset } = at('output_dir: o\nper_device_train_batch_size: 4\nnum_train_epochs: 1\nlearning_rate: 1e|-5\n', '|');
  const h = hoverAt(text, offset, { fileName: 'train.yaml' })!;
  assert.match(h.markdown, /read as the string `'1e-5'`/);
  assert.deepEqual(h.range, { start: { line: 3, character: 15 }, end: { line: 3, character: 19 } });
});

test('hover inside nested DeepSpeed JSON', () => {
  const { text, offset } = at('{\n  "zero_optimization": {\n    "sta|ge": 3\n  }\n}', '|');
  const h = hoverAt(text, offset, { fileName: 'ds_config.json' })!;
  assert.match(h.markdown, /ZeRO stage/);
  assert.match(h.markdown, /zero_optimization/);
});

test('completion of top-level keys skips present ones and inserts `key: `', () => {
  const { text, offset } = at('output_dir: o\nper_device_train_batch_size: 4\nnum_train_epochs: 1\nlearn|\n', '|');
  const items = completeAt(text, offset, { fileName: 'train.yaml' });
  const lr = items.find((i) => i.label === 'learning_rate')!;
  assert.ok(lr);
  assert.equal(lr.insertText, 'learning_rate: ');
  assert.equal(lr.kind, 'key');
  assert.deepEqual(lr.range, { start: { line: 3, character: 0 }, end: { line: 3, character: 5 } });
  assert.ok(!items.some((i) => i.label === 'output_dir'));
});

test('completion of enum values quotes words PyYAML would turn into booleans', () => {
  const { text, offset } = at('output_dir: o\nper_device_train_batch_size: 4\nnum_train_epochs: 1\nsave_strategy: |\n', '|');
  const items = completeAt(text, offset, { fileName: 'train.yaml' });
  assert.deepEqual(items.map((i) => i.insertText), ['"no"', 'steps', 'epoch', 'best']);
  assert.ok(items.every((i) => i.kind === 'value'));
});

test('completion is context-aware: nested keys and dataset entries', () => {
  const ax = 'base_model: x\nmicro_batch_size: 1\ngradient_accumulation_steps: 1\ndatasets:\n  - path: a/b\n    |\n';
  const { text, offset } = at(ax, '|');
  const labels = completeAt(text, offset, { fileName: 'ax.yml' }).map((i) => i.label);
  assert.ok(labels.includes('type'), labels.slice(0, 10).join(','));
  assert.ok(!labels.includes('path'));
  assert.ok(!labels.includes('base_model'));
  const acc = at('distributed_type: FSDP\nnum_processes: 2\nfsdp_config:\n  fsdp_offload_params: false\n  fsdp_sh|\n', '|');
  const l2 = completeAt(acc.text, acc.offset, { fileName: 'acc.yaml' }).map((i) => i.label);
  assert.ok(l2.includes('fsdp_sharding_strategy'));
  assert.ok(!l2.includes('num_machines'));
  const v = at('distributed_type: FSDP\nnum_processes: 2\nfsdp_config:\n  fsdp_sharding_strategy: |\n', '|');
  assert.ok(completeAt(v.text, v.offset, { fileName: 'acc.yaml' }).some((i) => i.label === 'FULL_SHARD'));
});

test('completion in JSON: keys inside zero_optimization, values with quotes', () => {
  const k = at('{\n  "zero_optimization": {\n    "stage": 2,\n    "|"\n  }\n}', '|');
  const keys = completeAt(k.text, k.offset, { fileName: 'ds_config.json' });
  assert.ok(keys.some((i) => i.label === 'offload_optimizer'));
  assert.ok(!keys.some((i) => i.label === 'stage'));
  const v = at('{\n  "zero_optimization": {"stage": 3, "offload_param": {"device": |}}\n}', '|');
  assert.deepEqual(completeAt(v.text, v.offset, { fileName: 'ds_config.json' }).map((i) => i.insertText), ['"none"', '"cpu"', '"nvme"', '"hpu"']); // offload_config.py OffloadDeviceEnum
});

test('jsonSchemaFor: generated from the zod schemas, cached, strict where the framework is strict', () => {
  const s = jsonSchemaFor('accelerate') as { properties: Record<string, unknown>; additionalProperties?: unknown };
  assert.equal(s.additionalProperties, false);
  assert.ok('distributed_type' in s.properties);
  assert.equal(jsonSchemaFor('accelerate'), s);
  assert.equal(jsonSchemaFor('unknown'), undefined);
  const ds = jsonSchemaFor('deepspeed') as { properties: { zero_optimization: { anyOf: { additionalProperties?: unknown }[] } } };
  assert.equal(ds.properties.zero_optimization.anyOf[0].additionalProperties, false);
});

test('committed schemas/*.schema.json are up to date (run: npx tsx scripts/gen-schemas.ts)', () => {
  for (const fw of SCHEMA_FRAMEWORKS) assert.equal(readFileSync(join(__dirname, '..', '..', 'schemas', `${fw}.schema.json`), 'utf8'), schemaText(fw), fw);
});

test('referencedFiles resolves against the config directory', async () => {
  assert.deepEqual(await referencedFiles('base_model: x\nmicro_batch_size: 1\ngradient_accumulation_steps: 2\ndeepspeed: ../ds/zero2.json\n', { fileName: '/proj/cfg/ax.yml' }), [
    { path: '/proj/ds/zero2.json', range: { start: { line: 3, character: 11 }, end: { line: 3, character: 27 } } },
  ]);
  assert.deepEqual((await referencedFiles('distributed_type: DEEPSPEED\ndeepspeed_config:\n  deepspeed_config_file: z.json\n', { fileName: 'C:\\w\\acc.yaml' })).map((r) => r.path), ['C:/w/z.json']);
});

test('framework override per file (opts.framework) wins over detection', () => {
  const text = 'batch_size: 4\nepochs: 1\n';
  assert.equal(detectFramework(text, 'x.yaml').framework, 'unknown');
  const r = validateConfig(text, { fileName: 'x.yaml', framework: 'torchtune' });
  assert.equal(r.framework, 'torchtune');
  assert.equal(r.frameworkReason, 'set by the user');
});

test('frameworkLabel gives a short display name for every framework', () => {
  assert.equal(frameworkLabel('hf-trainer'), 'HF Trainer / TRL');
  assert.equal(frameworkLabel('unknown'), 'Not a training config');
});

test('detection: LLaMA-Factory inference/export configs without stage, TRL GRPO config, axolotl minimal', () => {
  assert.equal(detectFramework('model_name_or_path: Qwen/Qwen3-4B\ntemplate: qwen3\ninfer_backend: vllm\n', 'chat.yaml').framework, 'llamafactory');
  assert.equal(detectFramework('model_name_or_path: x\nadapter_name_or_path: saves/lora\ntemplate: llama3\nexport_dir: out\n', 'merge.yaml').framework, 'llamafactory');
  assert.equal(detectFramework('model_name_or_path: Qwen/Qwen2-0.5B\nnum_generations: 8\nlearning_rate: 1.0e-6\n', 'grpo.yaml').framework, 'hf-trainer');
  assert.equal(detectFramework('base_model: x\ndatasets:\n  - path: a\n', 'ax.yml').framework, 'axolotl');
  assert.equal(detectFramework('{"peft_type": "LORA", "r": 8}', 'adapter.json').framework, 'peft');
  assert.equal(detectFramework('{"r": 8, "lora_alpha": 16}', 'adapter_config.json').framework, 'peft');
});

test('hover source links are shortened between path segments, never cut mid-path', () => {

  assert.equal(shortLink('https://github.com/huggingface/transformers/blob/v4.46.0/src/transformers/training_args.py#L211'), 'github.com/huggingface/transformers/…/training_args.py#L211');
  assert.equal(shortLink('https://www.deepspeed.ai/docs/config-json/'), 'deepspeed.ai/docs/config-json/');
  assert.equal(shortLink('https://example.org/a/' + 'x'.repeat(80)).length, 60);
  for (const u of ['https://github.com/Lightning-AI/litgpt/blob/main/litgpt/args.py', 'https://github.com/NVIDIA/Megatron-LM/blob/core_r0.9.0/megatron/training/arguments.py#L1234']) {
    const s = shortLink(u);
    assert.ok(s.length <= 60, s);
    assert.ok(u.endsWith(s.split('/').pop()!), `${s}: ends with the whole last segment`);
  }
});
