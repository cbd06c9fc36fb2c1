/**
 * Issue 15, "FSDP `transformer_layer_cls_to_wrap` against the model's architecture": the model's config.json from a
 * local folder or the local hub cache, the layer classes of its model_type (tables/transformers-layer-classes.json,
 * scripts/gen-layer-classes.py over transformers' modeling files) and `fsdp-layer-class` (rulesCross.ts).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { validateConfigWithFiles } from '../../src/core/config/index';
import type { LaunchInfo, ValidationResult } from '../../src/core/config/index';
import layerTable from '../../src/core/config/tables/transformers-layer-classes.json';

const QWEN2 = '{\n  "architectures": ["Qwen2ForCausalLM"],\n  "hidden_size": 896,\n  "model_type": "qwen2",\n  "num_hidden_layers": 24\n}\n';
const LLAVA = '{\n  "architectures": ["LlavaForConditionalGeneration"],\n  "model_type": "llava",\n  "text_config": { "model_type": "llama" },\n  "vision_config": { "model_type": "clip_vision_model" }\n}\n';
const REV = '0123456789abcdef0123456789abcdef01234567';
const files: Record<string, string> = {
  '/w/models/qwen/config.json': QWEN2,
  // The hub cache layout huggingface_hub writes: refs/main holds the snapshot's commit.
  '/cache/hub/models--Qwen--Qwen2.5-0.5B/refs/main': `${REV}\n`,
  [`/cache/hub/models--Qwen--Qwen2.5-0.5B/snapshots/${REV}/config.json`]: QWEN2,
  '/cache/hub/models--llava-hf--llava-1.5-7b-hf/refs/main': `${REV}\n`,
  [`/cache/hub/models--llava-hf--llava-1.5-7b-hf/snapshots/${REV}/config.json`]: LLAVA,
};
const run = (text: string, fileName = '/w/train.yaml', launch?: LaunchInfo): Promise<ValidationResult> =>
  validateConfigWithFiles(text, { fileName, hfHubCache: '/cache/hub', readFile: async (p) => files[p], ...(launch ? { launch } : {}) });
const pick = (r: ValidationResult) => r.issues.filter((i) => i.code === 'fsdp-layer-class').map((i) => `${i.range.start.line + 1}:${i.range.start.character}`);

test('the table maps model types to their decoder layers, from transformers\' modeling files', () => {
  const m = (layerTable as unknown as { models: Record<string, { noSplit: string[]; classes: string[] }> }).models;
  assert.deepEqual(m.llama.noSplit, ['LlamaDecoderLayer']);
  assert.deepEqual(m.qwen2.noSplit, ['Qwen2DecoderLayer']);
  assert.deepEqual(m.gpt2.noSplit, ['GPT2Block']);
  assert.deepEqual(m.bloom.noSplit, ['BloomBlock']);
  assert.ok(m.mixtral.classes.includes('MixtralSparseMoeBlock'));
});

// tatsu-lab/stanford_alpaca#58 and #224: `fsdp_transformer_layer_cls_to_wrap: LLaMADecoderLayer` (the class was
// renamed LlamaDecoderLayer) -> "Exception: Could not find the transformer layer class to wrap in the model";
// hiyouga/LlamaFactory#8279: the same with a layer class of another architecture. Here a Qwen2 model with Llama's class.
test('fsdp-layer-class: a layer class of another architecture, for a model in the local hub cache and in a local folder', async () => {
  const yaml = 'model_name_or_path: Qwen/Qwen2.5-0.5B\noutput_dir: out\nfsdp: full_shard auto_wrap\nfsdp_config:\n  transformer_layer_cls_to_wrap: [LlamaDecoderLayer]\n';
  const r = await run(yaml);
  assert.deepEqual(pick(r), ['5:34']);
  const i = r.issues.find((x) => x.code === 'fsdp-layer-class')!;
  assert.equal(i.severity, 'error');
  assert.match(i.message, /Qwen2ForCausalLM \(model_type qwen2, .*snapshots\/0123.*config\.json\), which has no layer class `LlamaDecoderLayer`/);
  assert.match(i.message, /Its decoder layer is `Qwen2DecoderLayer`/);
  assert.deepEqual(i.fixes[0].edits.map((e) => e.newText), ['Qwen2DecoderLayer']);
  assert.equal(i.related[0].file, `/cache/hub/models--Qwen--Qwen2.5-0.5B/snapshots/${REV}/config.json`);
  assert.equal(i.related[0].range.start.line, 3);
  // The right class, or a model not found locally (no network): nothing.
  assert.deepEqual(pick(await run(yaml.replace('LlamaDecoderLayer', 'Qwen2DecoderLayer'))), []);
  assert.deepEqual(pick(await run(yaml.replace('Qwen/Qwen2.5-0.5B', 'someone/unknown-model'))), []);
  // A local folder, relative to the config (Axolotl `base_model:` and its fsdp_ prefixed key).
  const ax = 'base_model: ./models/qwen\nfsdp_config:\n  fsdp_transformer_layer_cls_to_wrap: LlamaDecoderLayer\n';
  assert.deepEqual(pick(await run(ax)), ['3:38']);
});

test('fsdp-layer-class: composite models accept their parts\' layers; an Accelerate config judges the launch\'s model', async () => {
  // Llava holds a Llama text model: LlamaDecoderLayer is a module of it (and CLIP's CLIPEncoderLayer too).
  assert.deepEqual(pick(await run('model_name_or_path: llava-hf/llava-1.5-7b-hf\nfsdp_config:\n  transformer_layer_cls_to_wrap: [LlamaDecoderLayer, CLIPEncoderLayer]\n')), []);
  files['/w/sft.yaml'] = 'model_name_or_path: Qwen/Qwen2.5-0.5B\noutput_dir: out\n';
  const acc = 'distributed_type: FSDP\nfsdp_config:\n  fsdp_auto_wrap_policy: TRANSFORMER_BASED_WRAP\n  fsdp_transformer_layer_cls_to_wrap: Qwen2DecoderLayer,GPT2Block\nnum_processes: 2\n';
  const r = await run(acc, '/w/acc.yaml', { files: ['/w/sft.yaml'], source: 'tasks.json task "sft"' });
  assert.deepEqual(pick(r), ['4:56']);
  assert.equal(r.issues.find((x) => x.code === 'fsdp-layer-class')!.fixes[0].edits[0].newText, 'Qwen2DecoderLayer');
  // SIZE_BASED_WRAP ignores the class: not judged. No launch: the model is not known, not judged.
  assert.deepEqual(pick(await run(acc.replace('TRANSFORMER_BASED_WRAP', 'SIZE_BASED_WRAP'), '/w/acc.yaml', { files: ['/w/sft.yaml'], source: 't' })), []);
  assert.deepEqual(pick(await run(acc, '/w/acc.yaml')), []);
});

test('fsdp-layer-class: HF `fsdp_config: fsdp.json`: reported at the reference, fixed in the JSON', async () => {
  files['/w/fsdp.json'] = '{\n  "transformer_layer_cls_to_wrap": ["GPT2Block"],\n  "backward_prefetch": "backward_pre"\n}\n';
  const r = await run('model_name_or_path: Qwen/Qwen2.5-0.5B\noutput_dir: out\nfsdp: full_shard auto_wrap\nfsdp_config: fsdp.json\n');
  assert.deepEqual(pick(r), ['4:13']);
  const i = r.issues.find((x) => x.code === 'fsdp-layer-class')!;
  assert.match(i.message, /no layer class `GPT2Block` \(in fsdp\.json\)/);
  assert.deepEqual(i.related.map((x) => [x.file, x.range.start.line, x.range.start.character]), [['/w/fsdp.json', 1, 36], [`/cache/hub/models--Qwen--Qwen2.5-0.5B/snapshots/${REV}/config.json`, 3, 16]]);
  assert.deepEqual(i.fixes[0].edits.map((e) => [e.file, e.newText]), [['/w/fsdp.json', '"Qwen2DecoderLayer"']]);
});
