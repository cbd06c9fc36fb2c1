/**
 * Issue 15, "Version awareness": the framework version the run uses picks the key table (the newest tabled release at
 * or below it; the oldest, said so, when the version predates every table). transformers 4.57.6 and 5.18.0, PEFT
 * 0.17.1 and 0.20.0, TRL 1.7.1, 1.8.0 and 1.9.0 and DeepSpeed 0.17.6, 0.18.9 and 0.19.5 are tabled (src/core/config/tables). The version comes from a requirements.txt pin, as the CLI
 * and the editor read it (core/config/versions.ts).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { detectVersions, hoverAt, plainVersions, validateConfig } from '../../src/core/config/index';
import { cli } from '../cli';
import { KEY_TABLES, flattenClass } from '../../src/core/config/tables';
import { frameworkDef } from '../../src/core/config/frameworks';
import type { CliIssue } from '../../src/cli/validate';

// `warmup_ratio` is a TrainingArguments field of transformers 4.57.6 and not of 5.18.0 (tables/transformers-*.json);
// `dataloader_in_order` the other way round. Both tables are read from the PyPI wheels' training_args.py.
const HF = 'model_name_or_path: m\noutput_dir: o\nper_device_train_batch_size: 4\nlearning_rate: 0.0001\n';
const ONLY_4 = 'warmup_ratio: 0.1\n';
const ONLY_5 = 'dataloader_in_order: false\n';
const pinned = (req: string) => plainVersions(detectVersions([{ path: '/w/requirements.txt', text: req }]));
const at = (r: ReturnType<typeof validateConfig>, line: number) => r.issues.filter((i) => i.range.start.line === line).map((i) => `${i.severity}:${i.code}`);

test('requirements.txt pins transformers 4.57.6: a key only 5.x has is a key-version error, a key only 4.57.6 has is fine', () => {
  const versions = pinned('transformers==4.57.6\ntrl==0.24.0\n');
  assert.equal(versions.transformers, '4.57.6');
  const r = validateConfig(HF + ONLY_4 + ONLY_5, { fileName: 'train.yaml', versions });
  assert.equal(r.framework, 'hf-trainer');
  assert.deepEqual(at(r, 4), []);
  assert.deepEqual(at(r, 5), ['error:key-version']);
  // Dated by the transformers key history (wheels 4.57.6, 5.17.0, 5.18.0; the 5.x releases before 5.17 were not read).
  assert.match(r.issues.find((i) => i.range.start.line === 5)!.message, /^`dataloader_in_order` was added after transformers 4\.57\.6 \(4\.57\.6 does not have it, 5\.17\.0 does\); the run uses transformers 4\.57\.6, which does not have it/);
  // The pinned TRL 0.24.0 predates the TRL tables: the oldest is used, and the status bar tooltip says so too.
  assert.equal(r.assumes, "transformers 4.57.6 (PyPI wheel); TRL 1.7.1 (f279c234): the run's 0.24.0 is older than every key table (the oldest is used)");
  // The hover names the table and links its line at that release.
  const h = hoverAt(HF + ONLY_4, (HF + ONLY_4).indexOf('warmup_ratio') + 2, { fileName: 'train.yaml', versions })!.markdown;
  assert.match(h, /- Key table: transformers 4\.57\.6 \(PyPI wheel\); TRL 1\.7\.1 /m);
  assert.match(h, /blob\/v4\.57\.6\/src\/transformers\/training_args\.py#L\d+/);
});

test('transformers 5.18.0: the other way round; without a version both keys are accepted (every table)', () => {
  const r = validateConfig(HF + ONLY_4 + ONLY_5, { fileName: 'train.yaml', versions: pinned('transformers==5.18.0\n') });
  assert.deepEqual(at(r, 4), ['error:key-version']);
  assert.match(r.issues.find((i) => i.range.start.line === 4)!.message, /^`warmup_ratio` was removed in transformers 5\.0\.0 \(last in 4\.57\.6\); the run uses transformers 5\.18\.0, which does not have it: .* Use `warmup_steps`\./);
  assert.deepEqual(at(r, 5), []);
  const none = validateConfig(HF + ONLY_4 + ONLY_5, { fileName: 'train.yaml' });
  assert.deepEqual(none.issues.map((i) => i.code), []);
  assert.equal(none.assumes, undefined);
});

test('a version between tables picks the newest at or below it; one older than every table the oldest, said so', () => {
  const mid = validateConfig(HF + ONLY_5, { fileName: 'train.yaml', versions: { transformers: '5.3.0' } });
  assert.equal(mid.assumes, "transformers 4.57.6 (PyPI wheel), the newest key table at or below the run's 5.3.0");
  // 4.57.6 lacks it, 5.17.0 has it, 5.3.0 was not read: a warning that says the history cannot tell.
  assert.deepEqual(at(mid, 4), ['warning:key-version']);
  assert.match(mid.issues[0].message, /^`dataloader_in_order` is not in transformers 4\.57\.6 and is in 5\.17\.0; the releases between were not read, so whether transformers 5\.3\.0 has it is not known\./);
  const old = validateConfig(HF + ONLY_4, { fileName: 'train.yaml', versions: { transformers: '4.40.0' } });
  assert.equal(old.assumes, "transformers 4.57.6 (PyPI wheel): the run's 4.40.0 is older than every key table (the oldest is used)");
  assert.deepEqual(at(old, 4), []);
  const h = hoverAt(HF + ONLY_4, (HF + ONLY_4).indexOf('warmup_ratio') + 2, { fileName: 'train.yaml', versions: { transformers: '4.40.0' } })!.markdown;
  assert.match(h, /- Key table: transformers 4\.57\.6 \(PyPI wheel\): the run's 4\.40\.0 is older than every key table/);
});

test('PEFT 0.17.1 vs 0.20.0: adapter_config.json keys are judged by the table of the pinned PEFT', () => {
  // ensure_weight_tying: a LoraConfig field of 0.20.0, not of 0.17.1 (added in 0.18.0, peft-key-history.json).
  const text = JSON.stringify({ peft_type: 'LORA', r: 8, lora_alpha: 16, target_modules: ['q_proj'], ensure_weight_tying: false }, null, 1);
  const line = text.split('\n').findIndex((l) => l.includes('ensure_weight_tying'));
  const v17 = validateConfig(text, { fileName: 'adapter_config.json', versions: pinned('peft==0.17.1\n') });
  assert.equal(v17.framework, 'peft');
  assert.deepEqual(at(v17, line), ['warning:key-version']);
  assert.match(v17.issues[0].message, /^`ensure_weight_tying` was added to LoraConfig in PEFT 0\.18\.0; the run uses PEFT 0\.17\.1/);
  assert.match(v17.assumes ?? '', /^PEFT 0\.17\.1 \([0-9a-f]{8}\)$/);
  const v20 = validateConfig(text, { fileName: 'adapter_config.json', versions: pinned('peft==0.20.0\n') });
  assert.deepEqual(v20.issues.map((i) => i.code), []);
  assert.match(v20.assumes ?? '', /^PEFT 0\.20\.0 /);
  const h = hoverAt(text, text.indexOf('"r"') + 1, { fileName: 'adapter_config.json', versions: { peft: '0.17.1' } })!.markdown;
  assert.match(h, /- Key table: PEFT 0\.17\.1/);
});

test('TRL 1.7.1 / 1.8.0 / 1.9.0: a TRL config key is judged by the table of the pinned TRL', () => {
  // GRPOConfig (trl/trainer/grpo_config.py): use_adaptive_entropy is a field from TRL 1.8.0, log_multimodal from 1.9.0
  // (tables/trl-*.json, each read from the release's tag).
  const text = HF + 'use_adaptive_entropy: true\nlog_multimodal: false\n';
  const v171 = validateConfig(text, { fileName: 'train.yaml', versions: pinned('trl==1.7.1\n') });
  assert.equal(v171.framework, 'hf-trainer');
  assert.deepEqual(at(v171, 4), ['error:key-version']);
  assert.deepEqual(at(v171, 5), ['error:key-version']);
  // The message names the release that added the key (trl-key-history.json, which reads every 1.x tag).
  assert.match(v171.issues.find((i) => i.range.start.line === 4)!.message, /^`use_adaptive_entropy` was added to the TRL configs in TRL 1\.8\.0; the run uses TRL 1\.7\.1, which does not have it\./);
  assert.match(v171.assumes ?? '', /^TRL 1\.7\.1 \([0-9a-f]{8}\)$/);
  const v180 = validateConfig(text, { fileName: 'train.yaml', versions: pinned('trl==1.8.0\n') });
  assert.deepEqual(at(v180, 4), []);
  assert.deepEqual(at(v180, 5), ['error:key-version']);
  assert.match(v180.issues.find((i) => i.range.start.line === 5)!.message, /^`log_multimodal` was added to the TRL configs in TRL 1\.9\.0; the run uses TRL 1\.8\.0/);
  // 1.8.5 is between tables: the 1.8.0 table.
  assert.match(validateConfig(text, { fileName: 'train.yaml', versions: { trl: '1.8.5' } }).assumes ?? '', /^TRL 1\.8\.0 \([0-9a-f]{8}\), the newest key table at or below the run's 1\.8\.5$/);
  for (const v of ['trl==1.9.0\n', '']) assert.deepEqual(validateConfig(text, { fileName: 'train.yaml', versions: pinned(v) }).issues.map((i) => i.code), [], v);
});

test('DeepSpeed 0.17.6 / 0.18.9: a zero_optimization key is judged by the table of the pinned DeepSpeed', () => {
  // DeepSpeedZeroConfig (deepspeed/runtime/zero/config.py): allgather_sequential is a field from 0.18.x on, not of
  // 0.17.6 (tables/deepspeed-*.json); pydantic extra="forbid" refuses it there, so the finding is an error.
  const text = JSON.stringify({ train_micro_batch_size_per_gpu: 'auto', zero_optimization: { stage: 3, allgather_sequential: false } }, null, 1);
  const line = text.split('\n').findIndex((l) => l.includes('allgather_sequential'));
  const v176 = validateConfig(text, { fileName: 'ds_config.json', versions: pinned('deepspeed==0.17.6\n') });
  assert.equal(v176.framework, 'deepspeed');
  assert.deepEqual(at(v176, line), ['error:key-version']);
  assert.match(v176.issues[0].message, /^`allgather_sequential` is not a field of DeepSpeedZeroConfig in DeepSpeed 0\.17\.6 \(the run's DeepSpeed 0\.17\.6\); DeepSpeed 0\.18\.9 has it \(added later\)/);
  assert.match(v176.assumes ?? '', /^DeepSpeed 0\.17\.6 \([0-9a-f]{8}\)$/);
  for (const v of ['deepspeed==0.18.9\n', 'deepspeed==0.19.5\n', '']) assert.deepEqual(validateConfig(text, { fileName: 'ds_config.json', versions: pinned(v) }).issues.map((i) => i.code), [], v);
  // A key the hand-written bf16 spec has is judged the same way: DeepSpeedBF16Config of 0.17.6 has no
  // bf16_optimizer_states. At the bf16 section's unknown-key severity: an error, DeepSpeedBF16Config is a
  // DeepSpeedConfigModel (extra="forbid", deepspeed/runtime/config_utils.py:110 in 0.17.6).
  const bf16 = JSON.stringify({ bf16: { enabled: true, bf16_optimizer_states: true } }, null, 1);
  assert.deepEqual(validateConfig(bf16, { fileName: 'ds_config.json', versions: { deepspeed: '0.17.6' } }).issues.map((i) => `${i.range.start.line}:${i.severity}:${i.code}`), ['3:error:key-version']);
  assert.deepEqual(validateConfig(bf16, { fileName: 'ds_config.json', versions: { deepspeed: '0.18.9' } }).issues.map((i) => i.code), []);
  const h = hoverAt(text, text.indexOf('"stage"') + 2, { fileName: 'ds_config.json', versions: { deepspeed: '0.18.9' } })!.markdown;
  assert.match(h, /- Key table: DeepSpeed 0\.18\.9/);
});

test('DeepSpeed bf16 / fp16: an unknown key is an error where the release pydantic model forbids extra keys, a warning where it ignores them', () => {
  // DeepSpeedBF16Config / DeepSpeedFP16Config (deepspeed/runtime/precision_config.py) subclass DeepSpeedConfigModel,
  // whose model_config says extra="forbid" (deepspeed/runtime/config_utils.py:110 at 0.17.6, 0.18.9 and 0.19.5):
  // get_bfloat16_config builds DeepSpeedBF16Config(**param_dict["bf16"]), so a stray key stops the run.
  const text = JSON.stringify({ bf16: { enabled: true, no_such_bf16_key: 1 }, fp16: { enabled: false, no_such_fp16_key: 1 } }, null, 1);
  const lines = ['no_such_bf16_key', 'no_such_fp16_key'].map((k) => text.split('\n').findIndex((l) => l.includes(k)));
  for (const v of ['0.17.6', '0.18.9', '0.19.5', undefined]) {
    const r = validateConfig(text, { fileName: 'ds_config.json', versions: v ? { deepspeed: v } : {} });
    assert.deepEqual(r.issues.map((i) => `${i.range.start.line}:${i.severity}:${i.code}`), lines.map((l) => `${l}:error:unknown-key`), v);
    assert.match(r.issues[0].message, /DeepSpeedBF16Config is a pydantic model with extra="forbid" \(deepspeed\/runtime\/config_utils\.py:110\)/, v);
  }
  // A release whose model does not forbid extra keys (pydantic's default, extra="ignore"): the same table with the
  // setting taken out, tabled as 0.16.0 for this test. The key is then ignored: a warning that says so.
  const ignoring = JSON.parse(JSON.stringify(KEY_TABLES.deepspeed.find((t) => t.release === '0.17.6'))) as (typeof KEY_TABLES.deepspeed)[number];
  ignoring.release = '0.16.0';
  delete ignoring.classes.DeepSpeedConfigModel.extra;
  KEY_TABLES.deepspeed.push(ignoring);
  try {
    const r = validateConfig(text, { fileName: 'ds_config.json', versions: { deepspeed: '0.16.0' } });
    assert.deepEqual(r.issues.map((i) => `${i.range.start.line}:${i.severity}:${i.code}`), lines.map((l) => `${l}:warning:unknown-key`));
    assert.match(r.issues[0].message, /DeepSpeed 0\.16\.0 ignores unknown keys here \(DeepSpeedBF16Config: pydantic extra="ignore", its default\)/);
  } finally { KEY_TABLES.deepspeed.pop(); }
});

test('DeepSpeed offload blocks are read from the release pydantic models: super_offload is a key-version error on 0.17.6', () => {
  // DeepSpeedZeroOffloadOptimizerConfig (deepspeed/runtime/zero/offload_config.py) has super_offload and
  // cpuadam_cores_perc in 0.18.9 and 0.19.5, not in 0.17.6 (tables/deepspeed-*.json); extra="forbid" refuses them.
  const text = JSON.stringify({ zero_optimization: { stage: 3, offload_optimizer: { device: 'cpu', super_offload: true, cpuadam_cores_perc: 0.5 }, offload_param: { device: 'cpu', no_such_offload_key: 1 } } }, null, 1);
  const line = (k: string) => text.split('\n').findIndex((l) => l.includes(k));
  const codes = (v?: string) => validateConfig(text, { fileName: 'ds_config.json', versions: v ? { deepspeed: v } : {} }).issues.map((i) => `${i.range.start.line}:${i.severity}:${i.code}`);
  assert.deepEqual(codes('0.17.6'), [`${line('super_offload')}:error:key-version`, `${line('cpuadam_cores_perc')}:error:key-version`, `${line('no_such_offload_key')}:error:unknown-key`]);
  for (const v of ['0.18.9', '0.19.5', undefined]) assert.deepEqual(codes(v), [`${line('no_such_offload_key')}:error:unknown-key`], v);
  // A field only the table has is typed from it: cpuadam_cores_perc is a float.
  assert.deepEqual(validateConfig(text.replace('0.5', '"half"'), { fileName: 'ds_config.json' }).issues.map((i) => `${i.range.start.line}:${i.code}`), [`${line('cpuadam_cores_perc')}:wrong-type`, `${line('no_such_offload_key')}:unknown-key`]);
});

test('DeepSpeed top-level keys come from what runtime/config.py reads in each release: known, linked, and judged by version', () => {
  // tables/deepspeed-*.json root `config`: the keys DeepSpeedConfig reads one by one (get_scalar_param(param_dict,
  // NAME, NAME_DEFAULT), param_dict.get/[...]/in). log_level (LOG_LEVEL, runtime/constants.py) is read from 0.19.x
  // on, not by 0.17.6 or 0.18.9. Top-level keys are never refused (DeepSpeed ignores them), so: a warning.
  const text = JSON.stringify({ train_micro_batch_size_per_gpu: 1, sequence_parallel_size: 2, log_level: 'info' }, null, 1);
  const line = (k: string) => text.split('\n').findIndex((l) => l.includes(`"${k}"`));
  const codes = (v?: string) => validateConfig(text, { fileName: 'ds_config.json', versions: v ? { deepspeed: v } : {} }).issues.map((i) => `${i.range.start.line}:${i.severity}:${i.code}`);
  assert.deepEqual(codes('0.17.6'), [`${line('log_level')}:warning:key-version`]);
  assert.deepEqual(codes('0.18.9'), [`${line('log_level')}:warning:key-version`]);
  assert.deepEqual(codes('0.19.5'), []);
  assert.deepEqual(codes(), []);
  const msg = (v: string, k: string) => validateConfig(text, { fileName: 'ds_config.json', versions: { deepspeed: v } }).issues.find((i) => i.range.start.line === line(k))!.message;
  assert.match(msg('0.17.6', 'log_level'), /^`log_level` is not a field of the top-level keys runtime\/config\.py reads in DeepSpeed 0\.17\.6 .*DeepSpeed 0\.19\.5 has it \(added later\)/);
  // sequence_parallel_size (read in DeepSpeedConfig.__init__) is known: the hover links the line that reads it.
  const h = hoverAt(text, text.indexOf('sequence_parallel_size') + 2, { fileName: 'ds_config.json', versions: { deepspeed: '0.19.5' } })!.markdown;
  assert.match(h, /blob\/cf44300453eb0af79ed84ed8f1cb49d57478bd76\/deepspeed\/runtime\/config\.py#L709/);
  // A hand-written key whose link pointed at DeepSpeed's master branch links the line of the release in use.
  const t176 = KEY_TABLES.deepspeed.find((t) => t.release === '0.17.6')!;
  const read = flattenClass(t176, 'DeepSpeedConfig').find((x) => x.field.name === 'zero_allow_untested_optimizer')!.field.line;
  const zt = JSON.stringify({ zero_allow_untested_optimizer: true }, null, 1);
  const hz = hoverAt(zt, zt.indexOf('zero_allow') + 2, { fileName: 'ds_config.json', versions: { deepspeed: '0.17.6' } })!.markdown;
  assert.ok(hz.includes(`blob/${t176.commit}/deepspeed/runtime/config.py#L${read}`), hz);
});

test('DeepSpeed comms_logger is known from CommsLoggerConfig: its fields typed, an unknown one refused', () => {
  // deepspeed/comm/config.py: DeepSpeedCommsConfig builds CommsLoggerConfig(**ds_config['comms_logger']), a
  // DeepSpeedConfigModel (extra="forbid"); its defaults are constants of comm/constants.py, resolved in the table.
  const text = JSON.stringify({ comms_logger: { enabled: true, prof_ops: ['all_reduce'], verbose: [true], no_such_key: 1 } }, null, 1);
  const line = (k: string) => text.split('\n').findIndex((l) => l.includes(`"${k}"`));
  for (const v of [undefined, '0.17.6']) {
    const r = validateConfig(text, { fileName: 'ds_config.json', versions: v ? { deepspeed: v } : {} });
    assert.deepEqual(r.issues.map((i) => `${i.range.start.line}:${i.severity}:${i.code}`), [`${line('verbose')}:error:wrong-type`, `${line('no_such_key')}:error:unknown-key`], v);
  }
  const h = hoverAt(text, text.indexOf('prof_ops') + 2, { fileName: 'ds_config.json', versions: { deepspeed: '0.19.5' } })!.markdown;
  assert.match(h, /deepspeed\/comm\/config\.py#L\d+/);
});

test('an inline deepspeed: block of an HF/TRL, Axolotl or LLaMA-Factory YAML is judged by the pinned DeepSpeed table, as a ds_config.json is', () => {
  // Issue 15: the run's DeepSpeed version picks the DeepSpeed key table for a DeepSpeed config written inline in the
  // YAML too. allgather_sequential is a DeepSpeedZeroConfig field from 0.18.x on (tables/deepspeed-*.json), and
  // pydantic extra="forbid" (deepspeed/runtime/config_utils.py:110) refuses it in 0.17.6: an error, as standalone.
  const versions = pinned('deepspeed==0.17.6\n');
  const hf = HF + 'deepspeed:\n  zero_optimization:\n    stage: 3\n    allgather_sequential: false\n';
  const ax = 'base_model: m\ndatasets:\n  - path: d\n    type: alpaca\nmicro_batch_size: 1\nnum_epochs: 1\nlearning_rate: 0.0001\noutput_dir: o\ndeepspeed:\n  zero_optimization:\n    stage: 3\n    allgather_sequential: false\n';
  const lf = 'model_name_or_path: m\nstage: sft\ndo_train: true\nfinetuning_type: lora\ndataset: alpaca_en_demo\ntemplate: llama3\noutput_dir: o\ndeepspeed:\n  zero_optimization:\n    stage: 3\n    allgather_sequential: false\n';
  for (const [text, fileName, fw] of [[hf, 'train.yaml', 'hf-trainer'], [ax, 'axolotl.yaml', 'axolotl'], [lf, 'llama3_lora_sft.yaml', 'llamafactory']] as const) {
    const line = text.split('\n').findIndex((l) => l.includes('allgather_sequential'));
    const r = validateConfig(text, { fileName, versions });
    assert.equal(r.framework, fw);
    assert.deepEqual(at(r, line), ['error:key-version'], fw);
    assert.match(r.issues.find((i) => i.range.start.line === line)!.message, /^`allgather_sequential` is not a field of DeepSpeedZeroConfig in DeepSpeed 0\.17\.6 \(the run's DeepSpeed 0\.17\.6\); DeepSpeed 0\.18\.9 has it/);
    // The status bar tooltip and the hovers name the DeepSpeed table.
    assert.match(r.assumes ?? '', /DeepSpeed 0\.17\.6 \([0-9a-f]{8}\)$/, fw);
    const h = hoverAt(text, text.indexOf('stage:') + 2, { fileName, versions })!.markdown;
    assert.match(h, /- Key table: .*DeepSpeed 0\.17\.6 \([0-9a-f]{8}\)/, fw);
    // No DeepSpeed version, or one whose table has the key: nothing at that line, and no DeepSpeed table claimed.
    const none = validateConfig(text, { fileName });
    assert.deepEqual(at(none, line), [], fw);
    assert.doesNotMatch(none.assumes ?? '', /DeepSpeed/);
    assert.deepEqual(at(validateConfig(text, { fileName, versions: pinned('deepspeed==0.18.9\n') }), line), [], fw);
  }
});

test('llmtrain validate reads the pin from requirements.txt above the config and judges by that table', async () => {
  const d = mkdtempSync(join(tmpdir(), 'llmtrain-table-'));
  try {
    mkdirSync(join(d, 'configs'));
    writeFileSync(join(d, 'requirements.txt'), 'transformers==4.57.6\n');
    writeFileSync(join(d, 'configs', 'train.yaml'), HF + ONLY_4 + ONLY_5);
    const r = await cli(['validate', '--format', 'json', join(d, 'configs', 'train.yaml')]);
    assert.equal(r.code, 1);
    assert.deepEqual((JSON.parse(r.out) as CliIssue[]).map((i) => `${i.line}:${i.severity}:${i.code}`), ['6:error:key-version']);
    const v5 = await cli(['validate', '--format', 'json', '--version', 'transformers=5.18.0', join(d, 'configs', 'train.yaml')]);
    assert.deepEqual((JSON.parse(v5.out) as CliIssue[]).map((i) => `${i.line}:${i.severity}:${i.code}`), ['5:error:key-version']);
  } finally { rmSync(d, { recursive: true, force: true }); }
});

// Issue 15 gap: hand-written defaults disagreed with the 5.18.0 table (report_to 'all (none from v5)' vs 'none',
// output_dir, lr_scheduler_kwargs, fsdp, trackio_space_id, include_num_input_tokens_seen, optim). The table of the
// version in use wins, except where its "default" is a name the generator kept as text, not a value of the key.
const NOT_A_VALUE: Record<string, string> = { optim: "`default=default_optim`, a module variable ('adamw_torch', 'adamw_torch_fused' on torch >= 2.8)" };

test('llmtrain validate: deepspeed==0.17.6 in requirements.txt judges the inline deepspeed: block of an HF YAML', async () => {
  const d = mkdtempSync(join(tmpdir(), 'llmtrain-table-'));
  try {
    writeFileSync(join(d, 'requirements.txt'), 'deepspeed==0.17.6\n');
    writeFileSync(join(d, 'train.yaml'), HF + 'deepspeed:\n  zero_optimization:\n    stage: 3\n    allgather_sequential: false\n');
    const r = await cli(['validate', '--format', 'json', join(d, 'train.yaml')]);
    assert.equal(r.code, 1);
    assert.deepEqual((JSON.parse(r.out) as CliIssue[]).map((i) => `${i.line}:${i.severity}:${i.code}`), ['8:error:key-version']);
    writeFileSync(join(d, 'requirements.txt'), 'deepspeed==0.18.9\n');
    const ok = await cli(['validate', '--format', 'json', join(d, 'train.yaml')]);
    assert.deepEqual(JSON.parse(ok.out), []);
  } finally { rmSync(d, { recursive: true, force: true }); }
});

test('every TrainingArguments default is the table\'s of the transformers version in use (hover says which table)', () => {
  for (const t of KEY_TABLES.transformers) {
    const spec = frameworkDef('hf-trainer', undefined, { transformers: t.release })!.root.keys;
    const wrong: string[] = [];
    for (const c of Object.values(t.roots).flat()) {
      for (const { field } of flattenClass(t, c)) {
        const s = spec[field.name];
        if (!s || !('default' in field) || NOT_A_VALUE[field.name]) continue;
        if (JSON.stringify(s.default) !== JSON.stringify(field.default)) wrong.push(`${field.name}: ${JSON.stringify(s.default)} vs ${JSON.stringify(field.default)}`);
      }
    }
    assert.deepEqual(wrong, [], t.release);
  }
  const text = HF + 'report_to: wandb\n';
  const def = (v: string) => hoverAt(text, text.indexOf('report_to') + 2, { fileName: 'train.yaml', versions: { transformers: v } })!.markdown.split('\n').find((l) => l.startsWith('- Default'));
  assert.equal(def('5.18.0'), '- Default: `none` (transformers 5.18.0 (PyPI wheel))');
  // 4.57.6: the field is None and __post_init__ turns it into "all" (with a FutureWarning that v5 says "none").
  assert.equal(def('4.57.6'), '- Default: `None` (transformers 4.57.6 (PyPI wheel); when unset: `all (none from v5)`)');
  const optim = hoverAt(HF + 'optim: adamw_torch\n', (HF + 'optim').length - 2, { fileName: 'train.yaml', versions: { transformers: '5.18.0' } })!.markdown;
  assert.match(optim, /- Default: `adamw_torch \(adamw_torch_fused on torch>=2\.8\)`$/m);
});

test('TRL tables hold ScriptArguments, ModelConfig and DatasetMixtureConfig (what TrlParser parses next to a *Config)', () => {
  // gen-key-tables.py trl reads trl/scripts/utils.py and trl/trainer/model_config.py at each tag: the hand-written
  // trlScript keys now link the release's line, and DatasetMixtureConfig's keys (`datasets`, `streaming`) are known.
  for (const t of KEY_TABLES.trl) {
    assert.equal(t.classes.ModelConfig?.file, 'trl/trainer/model_config.py', t.release);
    assert.equal(t.classes.ScriptArguments?.file, 'trl/scripts/utils.py', t.release);
    const names = flattenClass(t, 'ModelConfig').map((x) => x.field.name);
    for (const k of ['model_name_or_path', 'lora_r', 'use_dora', 'dtype']) assert.ok(names.includes(k), `${t.release} ${k}`);
  }
  const text = HF + 'use_peft: true\nlora_r: 16\ndataset_name: trl-lib/Capybara\n';
  const h = hoverAt(text, text.indexOf('lora_r') + 2, { fileName: 'train.yaml', versions: { trl: '1.8.0' } })!.markdown;
  assert.match(h, /huggingface\/trl\/blob\/[0-9a-f]{40}\/trl\/trainer\/model_config\.py#L\d+/);
  const mix = HF + 'datasets:\n  - path: trl-lib/Capybara\n    split: train\nstreaming: false\n';
  assert.deepEqual(validateConfig(mix, { fileName: 'train.yaml', versions: { trl: '1.9.0' } }).issues.map((i) => `${i.range.start.line}:${i.code}`), []);
});
