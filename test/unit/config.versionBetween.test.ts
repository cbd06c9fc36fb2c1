/**
 * Issue 15, "Version awareness", a tester's false error: a run whose framework version lies strictly between two
 * tabled releases (DeepSpeed 0.18.0: tables 0.17.6 and 0.18.9, releases 0.18.0–0.18.8 never read) was judged by the
 * older table as if it were that release, so the keys 0.18.9 added were errors ("the run fails at startup") although
 * 0.18.0 may well have them. Where no key history dates the key, such a key is a warning that says the releases
 * between were not read (tables.ts `versionGaps`); a run on a tabled release, or older than every table, keeps the
 * error.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { validateConfig } from '../../src/core/config/index';
import { cli } from '../cli';
import type { CliIssue } from '../../src/cli/validate';

// bf16.bf16_optimizer_states, zero_optimization.allgather_sequential and offload_optimizer.super_offload are fields
// of the 0.18.9 and 0.19.5 pydantic models, not of 0.17.6's (tables/deepspeed-*.json), all extra="forbid".
const DS = JSON.stringify({ bf16: { enabled: true, bf16_optimizer_states: true }, zero_optimization: { stage: 3, allgather_sequential: true, offload_optimizer: { device: 'cpu', super_offload: true } } }, null, 1);
const line = (text: string, k: string) => text.split('\n').findIndex((l) => l.includes(k));
const NOTE = (cls: string) => `If it does not: DeepSpeed 0.17.6 rejects unknown keys here: ${cls} is a pydantic model with extra="forbid" (deepspeed/runtime/config_utils.py:110), so the run fails at startup.`;
const between = (k: string, cls: string, v: string) => `\`${k}\` is not a field of ${cls} in DeepSpeed 0.17.6 (the table used for the run's DeepSpeed ${v}) and is in DeepSpeed 0.18.9; the releases between were not read, so whether DeepSpeed ${v} has it is not known. ${NOTE(cls)}`;
const KEYS: [string, string][] = [['bf16_optimizer_states', 'DeepSpeedBF16Config'], ['allgather_sequential', 'DeepSpeedZeroConfig'], ['super_offload', 'DeepSpeedZeroOffloadOptimizerConfig']];

test('DeepSpeed 0.18.0 (between the 0.17.6 and 0.18.9 tables): keys 0.18.9 added are warnings saying 0.18.0–0.18.8 were not read', () => {
  const r = validateConfig(DS, { fileName: 'ds.json', versions: { deepspeed: '0.18.0' } });
  assert.deepEqual(r.issues.map((i) => ({ line: i.range.start.line, severity: i.severity, code: i.code, message: i.message })),
    KEYS.map(([k, cls]) => ({ line: line(DS, k), severity: 'warning', code: 'key-version', message: between(k, cls, '0.18.0') })));
});

test('DeepSpeed 0.17.6 exactly, or older than every table: the same keys stay errors; 0.18.9 has them', () => {
  for (const v of ['0.17.6', '0.16.0']) {
    const r = validateConfig(DS, { fileName: 'ds.json', versions: { deepspeed: v } });
    const runs = v === '0.17.6' ? "the run's DeepSpeed 0.17.6" : "the table used for the run's DeepSpeed 0.16.0";
    assert.deepEqual(r.issues.map((i) => ({ line: i.range.start.line, severity: i.severity, code: i.code, message: i.message })),
      KEYS.map(([k, cls]) => ({ line: line(DS, k), severity: 'error', code: 'key-version', message: `\`${k}\` is not a field of ${cls} in DeepSpeed 0.17.6 (${runs}); DeepSpeed 0.18.9 has it (added later). ${NOTE(cls).replace('If it does not: ', '')}` })), v);
  }
  assert.deepEqual(validateConfig(DS, { fileName: 'ds.json', versions: { deepspeed: '0.18.9' } }).issues, []);
});

test('llmtrain validate --version deepspeed=0.18.0, a deepspeed==0.18.0 pin, and an inline deepspeed: mapping: warnings, exit 0', async () => {
  const d = mkdtempSync(join(tmpdir(), 'llmtrain-between-'));
  try {
    const ds = join(d, 'ds.json');
    writeFileSync(ds, DS);
    const want = KEYS.map(([k, cls]) => `${line(DS, k) + 1}:warning:key-version:${between(k, cls, '0.18.0')}`);
    const flag = await cli(['validate', '--format', 'json', '--version', 'deepspeed=0.18.0', ds]);
    assert.equal(flag.code, 0);
    assert.deepEqual((JSON.parse(flag.out) as CliIssue[]).map((i) => `${i.line}:${i.severity}:${i.code}:${i.message}`), want);
    writeFileSync(join(d, 'requirements.txt'), 'deepspeed==0.18.0\n');
    const pin = await cli(['validate', '--format', 'json', ds]);
    assert.equal(pin.code, 0);
    assert.deepEqual((JSON.parse(pin.out) as CliIssue[]).map((i) => `${i.line}:${i.severity}:${i.code}:${i.message}`), want);
    const yaml = 'model_name_or_path: m\noutput_dir: o\nper_device_train_batch_size: 4\nlearning_rate: 0.0001\ndeepspeed:\n  zero_optimization:\n    stage: 3\n    allgather_sequential: false\n';
    writeFileSync(join(d, 'train.yaml'), yaml);
    const inline = await cli(['validate', '--format', 'json', join(d, 'train.yaml')]);
    assert.equal(inline.code, 0);
    assert.deepEqual((JSON.parse(inline.out) as CliIssue[]).map((i) => `${i.line}:${i.severity}:${i.code}:${i.message}`),
      [`8:warning:key-version:${between('allgather_sequential', 'DeepSpeedZeroConfig', '0.18.0')}`]);
  } finally { rmSync(d, { recursive: true, force: true }); }
});

test('the same for every framework whose key-version comes from tables: Axolotl 0.17.5 between 0.17.0 and 0.18.0', () => {
  // sdpa_varlen: a field of Axolotl 0.18.0 (head table 0.18.0+9.067b021c and the 0.18.0 tag of the key history), not
  // of 0.17.0; the history cannot tell for 0.17.5 (0.17.1–0.17.x were not read).
  const text = 'base_model: m\ndatasets:\n  - path: d.jsonl\n    type: alpaca\noutput_dir: o\nsdpa_varlen: true\n';
  const at = (v: string) => validateConfig(text, { fileName: 'axolotl.yaml', versions: { axolotl: v } }).issues.filter((i) => i.range.start.line === 5).map((i) => `${i.severity}:${i.code}:${i.message}`);
  assert.deepEqual(at('0.17.5'), ["warning:key-version:`sdpa_varlen` is not a field of the Axolotl config in Axolotl 0.17.0 (the table used for the run's Axolotl 0.17.5) and is in Axolotl 0.18.0+9.067b021c; the releases between were not read, so whether Axolotl 0.17.5 has it is not known. If it does not: Axolotl does not read it (unknown keys are ignored)."]);
});

test('torchtune component arguments too: torch 2.5.0 (between the 1.13.1 and 2.14.1 tables) and AdamW `fused` is a warning', () => {
  // torch.optim.AdamW takes `fused` in 2.14.1, not in 1.13.1 (tables/torch-components.json); 1.13.1 itself refuses it.
  const text = readFileSync(join(__dirname, '..', 'fixtures', 'configs', 'torchtune__dev-3B-full-grpo.yaml'), 'utf8');
  const fused = line(text, '  fused: True');
  const at = (torch: string) => validateConfig(text, { fileName: 'tt.yaml', versions: { torch, torchtune: '0.6.1' } }).issues.filter((i) => i.range.start.line === fused).map((i) => ({ severity: i.severity, code: i.code, message: i.message }));
  assert.deepEqual(at('2.5.0'), [{ severity: 'warning', code: 'component-kwarg', message: '`fused` is not a parameter of torch.optim.AdamW (torch 1.13.1, torch/optim/adamw.py:9), the table used for the run\'s torch 2.5.0, and is one in torch 2.14.1; the releases between were not read, so whether torch 2.5.0 takes it is not known. If it does not, config.instantiate raises TypeError "got an unexpected keyword argument \'fused\'".' }]);
  assert.deepEqual(at('1.13.1').map((i) => `${i.severity}:${i.code}`), ['error:component-kwarg']);
  assert.deepEqual(at('2.14.1'), []);
});

test('a version between two releases of a history that read every tag is placed (tryout): TRL 1.7.5 lacks a 1.8.0 field; transformers 5.17.0 (read by the history, no table) has its keys', () => {
  const trl = validateConfig('model_name_or_path: m\noutput_dir: o\nuse_adaptive_entropy: true\n', { fileName: 'trl.yaml', versions: { trl: '1.7.5' } }).issues;
  assert.deepEqual(trl.map((i) => `${i.range.start.line}:${i.severity}:${i.code}`), ['2:error:key-version']);
  assert.match(trl[0].message, /^`use_adaptive_entropy` was added to the TRL configs in TRL 1\.8\.0; the run uses TRL 1\.7\.5, which does not have it/);
  // 5.17.0 is one of the wheels the transformers history read: its keys are known although no 5.17.0 table exists.
  const hf = 'model_name_or_path: m\noutput_dir: o\nuse_cache: false\ndataloader_in_order: true\n';
  assert.deepEqual(validateConfig(hf, { fileName: 'hf.yaml', versions: { transformers: '5.17.0' } }).issues, []);
  assert.deepEqual(validateConfig(hf, { fileName: 'hf.yaml', versions: { transformers: '5.5.0' } }).issues.map((i) => `${i.range.start.line}:${i.severity}`), ['2:warning', '3:warning']);
});
