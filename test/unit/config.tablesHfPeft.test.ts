/**
 * Issue 15, "Keys the framework knows, from the framework's own source": the generated tables of transformers
 * TrainingArguments (5.18.0), TRL configs (1.9.0) and PEFT LoraConfig (0.20.0) added to the hand-written HF and PEFT
 * specs (tables.ts addTable). Every field being accepted is checked in config.frameworkExamples.test.ts; here, what a
 * user sees of a key only the table has, and what the table adds to a key the hand-written spec has.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { hoverAt, validateConfig } from '../../src/core/config/index';
import { keyTable, tableRelease } from '../../src/core/config/tables';

const HF = 'model_name_or_path: m\noutput_dir: o\nper_device_train_batch_size: 4\nlearning_rate: 0.0001\n';

function hover(text: string, key: string, fileName = 'train.yaml') {
  const offset = text.indexOf(key + ':') + 2;
  return hoverAt(text, offset, { fileName })!;
}

test('the tables are the releases they say, from the commit (or wheel) they name', () => {
  assert.equal(tableRelease(keyTable('peft')!), '0.20.0 (6fd7d3d6)'.replace('6fd7d3d6', keyTable('peft')!.commit!.slice(0, 8)));
  assert.match(keyTable('peft')!.commit!, /^[0-9a-f]{40}$/);
  assert.equal(keyTable('peft', '0.17.1')!.release, '0.17.1');
  assert.equal(keyTable('trl')!.release, '1.9.0');
  assert.equal(keyTable('transformers')!.commit, null);
  assert.match(keyTable('transformers')!.source ?? '', /^pypi transformers-5\.18\.0-py3-none-any\.whl sha256:[0-9a-f]{64}$/);
  assert.equal(tableRelease(keyTable('transformers')!), '5.18.0 (PyPI wheel)');
});

test('a TrainingArguments field only the table has: known, typed, and its hover gives type, default and source line', () => {
  const ok = validateConfig(HF + 'dataloader_in_order: false\n', { fileName: 'train.yaml' });
  assert.equal(ok.framework, 'hf-trainer');
  assert.deepEqual(ok.issues.filter((i) => i.severity === 'error').map((i) => i.message), []);
  const bad = validateConfig(HF + 'dataloader_in_order: [1]\n', { fileName: 'train.yaml' });
  assert.deepEqual(bad.issues.filter((i) => i.code === 'wrong-type').map((i) => i.range.start.line), [4]);
  const h = hover(HF + 'dataloader_in_order: false\n', 'dataloader_in_order');
  assert.match(h.markdown, /Type: `bool`/);
  assert.match(h.markdown, /Default: `true`/);
  assert.match(h.markdown, /github\.com\/huggingface\/transformers\/blob\/v5\.18\.0\/src\/transformers\/training_args\.py#L1345/);
});

test('a hand-written key keeps its doc and gets the table\'s source line and the values the release added', () => {
  const h = hover(HF + 'lr_scheduler_type: greedy\n', 'lr_scheduler_type');
  assert.match(h.markdown, /Learning-rate schedule/);
  assert.match(h.markdown, /blob\/v5\.18\.0\/src\/transformers\/training_args\.py#L786/);
  // `greedy` is a SchedulerType member in 5.18.0 that the hand-written list lacked.
  const r = validateConfig(HF + 'lr_scheduler_type: greedy\n', { fileName: 'train.yaml' });
  assert.deepEqual(r.issues.filter((i) => i.range.start.line === 4).map((i) => i.message), []);
  const typo = validateConfig(HF + 'lr_scheduler_type: greedyy\n', { fileName: 'train.yaml' });
  assert.deepEqual(typo.issues.filter((i) => i.range.start.line === 4).map((i) => i.severity), ['error']);
  // A TRL override of a TrainingArguments default does not take the hover's source: TrainingArguments' line stays.
  assert.match(hover(HF + 'logging_steps: 10\n', 'logging_steps').markdown, /training_args\.py#L\d+/);
});

test('a TRL config field only the table has is known (HfArgumentParser would refuse an unknown one)', () => {
  const t = keyTable('trl')!;
  const grpo = t.classes.GRPOConfig.fields.map((f) => f.name);
  assert.ok(grpo.includes('num_generations'));
  const r = validateConfig(HF + 'num_generations: 4\nnot_a_trl_key: 1\n', { fileName: 'train.yaml' });
  assert.deepEqual(r.issues.filter((i) => i.code === 'unknown-key').map((i) => `${i.severity}:${i.range.start.line}`), ['error:5']);
});

test('PEFT: a LoraConfig field of 0.20.0 the hand-written spec lacks is known, with its source line', () => {
  const json = '{\n  "peft_type": "LORA",\n  "r": 8,\n  "velora_config": null,\n  "no_such_field": 1\n}\n';
  const r = validateConfig(json, { fileName: 'adapter_config.json' });
  assert.equal(r.framework, 'peft');
  assert.deepEqual(r.issues.filter((i) => i.code === 'unknown-key').map((i) => `${i.severity}:${i.range.start.line}`), ['warning:4']);
  const h = hover(json, '"velora_config"', 'adapter_config.json');
  assert.match(h.markdown, new RegExp(`github\\.com/huggingface/peft/blob/${keyTable('peft')!.commit}/src/peft/tuners/lora/config\\.py#L\\d+`));
  // r keeps its hand-written bound (layer.py: "`r` should be a positive integer value").
  const r0 = validateConfig(json.replace('"r": 8', '"r": 0'), { fileName: 'adapter_config.json' });
  assert.deepEqual(r0.issues.filter((i) => i.range.start.line === 2).map((i) => i.severity), ['error']);
});

test('DeepSpeed zero_optimization: fields only the 0.19.5 table has are known, typed, take "auto", and link their line', () => {
  const text = (v: string) => `{\n "train_micro_batch_size_per_gpu": 1,\n "zero_optimization": {\n  "stage": 3,\n  "stage3_allgather_sequential": true,\n  "enable_sanity_checks": ${v},\n  "no_such_zero_key": 1\n }\n}\n`;
  const r = validateConfig(text('"auto"'), { fileName: 'ds_config.json' });
  assert.equal(r.framework, 'deepspeed');
  assert.deepEqual(r.issues.filter((i) => i.severity === 'error').map((i) => `${i.code}:${i.range.start.line}`), ['unknown-key:6']);
  const bad = validateConfig(text('[1]'), { fileName: 'ds_config.json' });
  assert.deepEqual(bad.issues.filter((i) => i.code === 'wrong-type').map((i) => i.range.start.line), [5]);
  const h = hover(text('false'), '"enable_sanity_checks"', 'ds_config.json');
  assert.match(h.markdown, /Type: `bool`/);
  assert.match(h.markdown, /Default: `false`/);
  assert.match(h.markdown, new RegExp(`github\\.com/deepspeedai/DeepSpeed/blob/${keyTable('deepspeed')!.commit}/deepspeed/runtime/zero/config\\.py#L\\d+`));
});
