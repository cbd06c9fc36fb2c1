/**
 * Issue 15 ("zero false errors on real configs", "severity that matches what the framework does"): DeepSpeed's
 * sections zero_optimization (with offload_param / offload_optimizer), bf16, fp16 and comms_logger are pydantic
 * models (DeepSpeedConfigModel, deepspeed/runtime/config_utils.py:105-113 in 0.17.6, 0.18.9, 0.19.5) without
 * `strict`, so pydantic's lax mode converts "true", "3", "1e-5" for their bool/int/float fields. The cases below were
 * run through those models (the three tags' sources, pydantic 2.13.4): converted strings are warnings with a fix,
 * refused ones ("maybe", "three", "5e8" for an int) stay errors, and top-level keys (read by get_scalar_param,
 * runtime/config.py, no conversion) stay errors.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { validateConfig } from '../../src/core/config/index';
import { laxFromString } from '../../src/core/config/pydanticLax';

const ds = (o: object): string => JSON.stringify(o, null, 2);
const run = (text: string, fileName = 'ds_config.json', versions: Record<string, string> = {}) => validateConfig(text, { fileName, versions }).issues;
const brief = (text: string, fileName?: string, versions?: Record<string, string>) => run(text, fileName, versions).map((i) => `${i.range.start.line}:${i.range.start.character}:${i.severity}:${i.code}`);
const lineOf = (text: string, needle: string) => text.split('\n').findIndex((l) => l.includes(needle));

test('pydantic lax conversions as DeepSpeed 0.17.6-0.19.5 models do them (pydantic 2.13.4)', () => {
  for (const s of ['true', 'True', 'TRUE', 'yes', 'On', '1', 't', 'Y']) assert.equal(laxFromString(s, 'bool'), true, s);
  for (const s of ['false', 'FALSE', 'no', 'off', '0', 'f', 'n']) assert.equal(laxFromString(s, 'bool'), false, s);
  for (const s of ['maybe', '2', ' true', 'true ', '']) assert.equal(laxFromString(s, 'bool'), undefined, s);
  assert.deepEqual(['3', '+3', '-1', '010', ' 12 ', '1_000', '12.0', '12.00'].map((s) => laxFromString(s, 'int')), [3, 3, -1, 10, 12, 1000, 12, 12]);
  for (const s of ['5e8', '12.5', '12.', '0x10', '1__0', 'three', '']) assert.equal(laxFromString(s, 'int'), undefined, s);
  assert.deepEqual(['1e-5', '.5', '5.', '1E5', ' 1.5 ', '1_000.5', '+1.5', '0'].map((s) => laxFromString(s, 'float')), [1e-5, 0.5, 5, 1e5, 1.5, 1000.5, 1.5, 0]);
  for (const s of ['abc', '1,5', '0x1p3', '']) assert.equal(laxFromString(s, 'float'), undefined, s);
});

test('ds_config.json: bool strings in zero_optimization, offload_optimizer, bf16, comms_logger are converted-value warnings with a fix', () => {
  const text = ds({ zero_optimization: { stage: 2, overlap_comm: 'yes', offload_optimizer: { device: 'cpu', pin_memory: 'True' } }, bf16: { enabled: 'true' }, comms_logger: { enabled: 'on' } });
  const issues = run(text);
  assert.deepEqual(issues.map((i) => `${i.range.start.line}:${i.range.start.character}:${i.severity}:${i.code}`), [
    `${lineOf(text, 'overlap_comm')}:20:warning:converted-value`, `${lineOf(text, 'pin_memory')}:20:warning:converted-value`,
    `${lineOf(text, '"enabled": "true"')}:15:warning:converted-value`, `${lineOf(text, '"enabled": "on"')}:15:warning:converted-value`,
  ]);
  assert.equal(issues[0].message, '`overlap_comm` holds the string "yes" (quoted); DeepSpeed\'s pydantic model DeepSpeedZeroConfig converts it to the bool True (pydantic lax mode), so DeepSpeed accepts it. Write `true` without quotes.');
  assert.equal(issues[1].message, '`pin_memory` holds the string "True" (quoted); DeepSpeed\'s pydantic model DeepSpeedZeroOffloadOptimizerConfig converts it to the bool True (pydantic lax mode), so DeepSpeed accepts it. Write `true` without quotes.');
  assert.match(issues[2].message, /DeepSpeedBF16Config converts it to the bool True/);
  assert.match(issues[3].message, /CommsLoggerConfig converts it to the bool True/);
  // The fix writes the JSON literal over the quoted string, and the result validates clean.
  let fixed = text;
  for (const i of [...issues].reverse()) {
    const e = i.fixes[0].edits[0];
    const ls = fixed.split('\n');
    ls[e.range.start.line] = ls[e.range.start.line].slice(0, e.range.start.character) + e.newText + ls[e.range.start.line].slice(e.range.end.character);
    fixed = ls.join('\n');
  }
  assert.deepEqual(JSON.parse(fixed), { zero_optimization: { stage: 2, overlap_comm: true, offload_optimizer: { device: 'cpu', pin_memory: true } }, bf16: { enabled: true }, comms_logger: { enabled: true } });
  assert.deepEqual(brief(fixed), []);
});

test('ds_config.json: int strings ("3", "16.0") and float strings ("1e-5", "0.5") are converted-value warnings; stage says what HF/Accelerate make of it', () => {
  const text = ds({ zero_optimization: { stage: '3', allgather_bucket_size: '500000000', offload_param: { device: 'cpu', buffer_count: '4' }, offload_optimizer: { device: 'cpu', ratio: '0.5' } }, fp16: { enabled: true, loss_scale: '1e-5', initial_scale_power: '16.0', min_loss_scale: '1' } });
  const issues = run(text);
  const at = (k: string) => issues.find((i) => i.range.start.line === lineOf(text, `"${k}"`) && i.code === 'converted-value')!;
  // The rules read the converted values too: stage "3" takes offload_param (no zero-offload-stage warning), and
  // loss_scale "1e-5" with fp16 is the loss-scale warning of the number 1e-5.
  const want = ['stage', 'allgather_bucket_size', 'buffer_count', 'ratio', 'loss_scale', 'initial_scale_power', 'min_loss_scale'].map((k) => `${lineOf(text, `"${k}"`)}:warning:converted-value`);
  want.splice(5, 0, `${lineOf(text, '"loss_scale"')}:warning:loss-scale`);
  assert.deepEqual(issues.map((i) => `${i.range.start.line}:${i.severity}:${i.code}`), want);
  assert.match(issues[5].message, /^fp16\.loss_scale 0\.00001 < 1 /);
  assert.equal(at('stage').message, '`stage` holds the string "3" (quoted); DeepSpeed\'s pydantic model DeepSpeedZeroConfig converts it to the int 3 (pydantic lax mode), so DeepSpeed accepts it. The HF Trainer and Accelerate read `stage` unconverted (HfDeepSpeedConfig.is_zero3() compares it with the number 3, accelerate/utils/deepspeed.py), so under them the string is not taken for ZeRO-3 (e.g. no zero.Init when the model is loaded). Write `3` without quotes.');
  assert.equal(at('buffer_count').message, '`buffer_count` holds the string "4" (quoted); DeepSpeed\'s pydantic model DeepSpeedZeroOffloadParamConfig converts it to the int 4 (pydantic lax mode), so DeepSpeed accepts it. Write `4` without quotes.');
  assert.equal(at('ratio').message, '`ratio` holds the string "0.5" (quoted); DeepSpeed\'s pydantic model DeepSpeedZeroOffloadOptimizerConfig converts it to the float 0.5 (pydantic lax mode), so DeepSpeed accepts it. Write `0.5` without quotes.');
  assert.match(at('loss_scale').message, /DeepSpeedFP16Config converts it to the float 0\.00001 .* Write `1e-5` without quotes\.$/);
  assert.match(at('initial_scale_power').message, /converts it to the int 16 .* Write `16` without quotes\.$/);
  // min_loss_scale is an int field of DeepSpeedFP16Config (it was typed float by hand).
  assert.match(at('min_loss_scale').message, /converts it to the int 1 /);
  assert.deepEqual(['stage', 'loss_scale', 'initial_scale_power'].map((k) => at(k).fixes[0].edits[0].newText), ['3', '1e-5', '16']);
  assert.deepEqual(at('stage').fixes[0].edits[0].range, { start: { line: lineOf(text, '"stage"'), character: 13 }, end: { line: lineOf(text, '"stage"'), character: 16 } });
  // Each release's models convert the same way.
  for (const v of ['0.17.6', '0.18.9', '0.19.5']) assert.deepEqual(brief(text, 'ds_config.json', { deepspeed: v }), brief(text), v);
});

test('ds_config.json: 1 and 0 for a bool field are converted (pydantic lax int -> bool), 2 is refused', () => {
  const text = ds({ zero_optimization: { stage: 2, overlap_comm: 1, contiguous_gradients: 0 }, bf16: { enabled: 2 } });
  const issues = run(text);
  assert.deepEqual(issues.map((i) => `${i.range.start.line}:${i.range.start.character}:${i.severity}:${i.code}`), [
    `${lineOf(text, 'overlap_comm')}:20:warning:converted-value`, `${lineOf(text, 'contiguous_gradients')}:28:warning:converted-value`, `${lineOf(text, '"enabled"')}:15:error:wrong-type`,
  ]);
  assert.equal(issues[0].message, '`overlap_comm` holds the number 1; DeepSpeed\'s pydantic model DeepSpeedZeroConfig converts it to the bool True (pydantic lax mode), so DeepSpeed accepts it. Write `true`.');
  assert.deepEqual(issues.slice(0, 2).map((i) => i.fixes[0].edits[0].newText), ['true', 'false']);
  assert.equal(issues[2].message, '`enabled` must be bool | \'auto\'; got int 2.');
});

test('ds_config.json: strings pydantic refuses stay wrong-type errors ("maybe", "three", "5e8" and "16.5" for an int); a converted "4" for stage is out of range', () => {
  const text = ds({ zero_optimization: { stage: 'three', reduce_bucket_size: '5e8', overlap_comm: 'maybe' }, bf16: { enabled: '2' }, fp16: { initial_scale_power: '16.5', loss_scale: 'abc' } });
  const issues = run(text);
  assert.deepEqual(issues.map((i) => `${i.range.start.line}:${i.severity}:${i.code}`), ['stage', 'reduce_bucket_size', 'overlap_comm', '"enabled"', 'initial_scale_power', 'loss_scale'].map((k) => `${lineOf(text, k)}:error:wrong-type`));
  assert.equal(issues[0].message, '`stage` must be int (>= 0, <= 3); got the string \'three\' (it is quoted, so it is a string).');
  assert.equal(issues[1].message, '`reduce_bucket_size` must be int (>= 0) | \'auto\'; got the string \'5e8\' (it is quoted, so it is a string); DeepSpeed\'s pydantic model DeepSpeedZeroConfig converts a string to an int only when it is written in digits (an exponent or a fraction is refused): write 500000000.');
  assert.equal(issues[2].message, '`overlap_comm` must be bool; got the string \'maybe\'.');
  assert.match(issues[4].message, /got the string '16\.5' .*an exponent or a fraction is refused\)\.$/);
  const four = run(ds({ zero_optimization: { stage: '4' } }));
  assert.deepEqual(four.map((i) => `${i.range.start.line}:${i.severity}:${i.code}:${i.message}`), ['2:error:out-of-range:`stage` must be int (>= 0, <= 3); got int 4.']);
});

test('ds_config.json: a quoted number at the top level stays an error (get_scalar_param, runtime/config.py, converts nothing); "auto" stays as it was', () => {
  const text = ds({ train_batch_size: '8', gradient_clipping: '1.0', zero_optimization: { stage: 'auto', reduce_bucket_size: 'auto' }, bf16: { enabled: 'auto' }, fp16: { auto_cast: 'auto' } });
  const issues = run(text);
  assert.deepEqual(issues.map((i) => `${i.range.start.line}:${i.range.start.character}:${i.severity}:${i.code}`), [
    '1:22:error:wrong-type', '2:23:error:wrong-type', `${lineOf(text, '"stage"')}:13:error:wrong-type`, `${lineOf(text, 'auto_cast')}:17:error:wrong-type`,
  ]);
  assert.equal(issues[0].message, '`train_batch_size` must be int (>= 1) | \'auto\'; got the string \'8\' (it is quoted, so it is a string).');
  assert.equal(issues[2].message, '`stage` must be int (>= 0, <= 3); got the string \'auto\' (it is quoted, so it is a string).');
});

test('inline deepspeed: mapping of an HF YAML: the same sections convert, PyYAML strings included; the top level does not', () => {
  const yaml = [
    'model_name_or_path: gpt2', 'output_dir: out', 'fp16: true', 'deepspeed:', '  zero_optimization:', '    stage: "3"', '    reduce_bucket_size: 5e8',
    '  fp16:', '    enabled: "yes"', '    loss_scale: 1e-5', '  bf16:', '    enabled: "three"', '  train_batch_size: "8"', '',
  ].join('\n');
  const issues = run(yaml, 'train.yaml');
  assert.deepEqual(issues.filter((i) => i.code !== 'ds-mismatch').map((i) => `${i.range.start.line}:${i.range.start.character}:${i.severity}:${i.code}`), [
    '5:11:warning:converted-value', '6:24:error:wrong-type', '8:13:warning:converted-value', '9:16:warning:converted-value', '11:13:error:wrong-type', '12:20:error:wrong-type',
  ]);
  const by = (l: number) => issues.find((i) => i.range.start.line === l && i.code !== 'ds-mismatch')!;
  assert.match(by(5).message, /^`stage` holds the string "3" \(quoted\); DeepSpeed's pydantic model DeepSpeedZeroConfig converts it to the int 3/);
  assert.equal(by(9).message, 'PyYAML (yaml.safe_load, YAML 1.1) reads `1e-5` as the string \'1e-5\'; DeepSpeed\'s pydantic model DeepSpeedFP16Config converts it to the float 0.00001 (pydantic lax mode), so DeepSpeed accepts it. Write `1.0e-5` without quotes.');
  // YAML fixes: a literal PyYAML reads as that type (`1.0e-5`, not `1e-5`; `true`, not `yes`).
  assert.deepEqual([5, 8, 9].map((l) => by(l).fixes[0].edits[0].newText), ['3', 'true', '1.0e-5']);
  assert.match(by(6).message, /got the string '5e8'; DeepSpeed's pydantic model DeepSpeedZeroConfig converts a string to an int only when it is written in digits/);
  assert.match(by(12).message, /^`train_batch_size` must be int \(>= 1\) \| 'auto'; got the string '8' \(it is quoted, so it is a string\)\.$/);
  // With the run's DeepSpeed version known the inline block is judged by that release's models: the same findings.
  assert.deepEqual(brief(yaml, 'train.yaml', { deepspeed: '0.17.6' }), brief(yaml, 'train.yaml'));
});

test('an Axolotl inline deepspeed: mapping is judged as DeepSpeed reads it: a quoted stage is converted-value, not coerced silently', () => {
  // Axolotl's pydantic config takes `deepspeed` as an opaque dict; its own numeric coercion does not reach it (tryout).
  const ax = 'base_model: m\ndatasets:\n  - path: d.jsonl\n    type: alpaca\nmicro_batch_size: 1\ngradient_accumulation_steps: 1\noutput_dir: o\ndeepspeed:\n  zero_optimization:\n    stage: "2"\n    overlap_comm: "yes"\n';
  const got = run(ax, 'axolotl.yml').filter((i) => i.code === 'converted-value');
  assert.deepEqual(got.map((i) => `${i.range.start.line}:${i.range.start.character}:${i.severity}`), ['9:11:warning', '10:18:warning']);
  // Only a "3" says that the HF Trainer / Accelerate then do not see ZeRO-3; a "2" has nothing of ZeRO-3 to lose.
  assert.equal(got[0].message, '`stage` holds the string "2" (quoted); DeepSpeed\'s pydantic model DeepSpeedZeroConfig converts it to the int 2 (pydantic lax mode), so DeepSpeed accepts it. Write `2` without quotes.');
  const three = run(ax.replace('stage: "2"', 'stage: "3"'), 'axolotl.yml').find((i) => i.code === 'converted-value' && i.range.start.line === 9);
  assert.match(three?.message ?? '', /so under them the string is not taken for ZeRO-3 \(e\.g\. no zero\.Init/);
});
