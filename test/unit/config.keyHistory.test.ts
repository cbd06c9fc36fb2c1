/**
 * Issue 15, "Keys added, renamed or removed by version", for Axolotl and LLaMA-Factory: the key histories generated
 * by scripts/gen-key-history.py from each framework's source at its release tags (tables/axolotl-key-history.json,
 * tables/llamafactory-key-history.json), and the `key-version` rule over them. The frameworks' own example configs
 * (test/fixtures/framework-examples, from the newest tabled releases) get no key-version finding and no new error
 * when the version they were written for is known.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { validateConfig } from '../../src/core/config/index';
import { datasetTypeRemoved, historyReleases, keyKnownIn, keyVersionFinding } from '../../src/core/config/keyHistory';

const codes = (text: string, versions?: Record<string, string>) => validateConfig(text, { fileName: '/w/train.yaml', versions }).issues
  .filter((i) => i.code === 'key-version' || i.code === 'unknown-key').map((i) => `${i.severity}:${i.code}@${i.range.start.line}`);

const AX = 'base_model: Qwen/Qwen2.5-0.5B\nmicro_batch_size: 2\nnum_epochs: 1\nlearning_rate: 0.0002\noutput_dir: ./out\n';
const LF = 'model_name_or_path: Qwen/Qwen2-VL-2B-Instruct\nstage: sft\ndo_train: true\nfinetuning_type: lora\ndataset: mllm_demo\ntemplate: qwen2_vl\noutput_dir: out\n';

test('histories name each release with its full commit, oldest first', () => {
  for (const pkg of ['axolotl', 'llamafactory', 'trl']) {
    const r = historyReleases(pkg);
    assert.ok(r.length >= 8, `${pkg}: ${r.length} releases`);
    for (const x of r) assert.match(x.commit ?? '', /^[0-9a-f]{40}$/);
  }
  assert.deepEqual(historyReleases('axolotl').slice(0, 2).map((x) => x.release), ['0.5.0', '0.5.2']);
  assert.equal(historyReleases('axolotl').at(-1)!.release, '0.18.0');
  assert.deepEqual(historyReleases('llamafactory').map((x) => x.release).slice(0, 3), ['0.6.3', '0.7.1', '0.8.3']);
});

test('TRL 1.7.1 / 1.8.0: the history reads every 1.x tag (keys added and removed in 1.7 and 1.8)', () => {
  // trl-key-history.json from the v1.0.0 ... v1.9.0 tags: GRPOConfig's use_adaptive_entropy first in 1.8.0,
  // router_aux_loss_coef first in 1.7.0; the experimental mask_ratio last in 1.7.1 (trl/trainer/*config*.py,
  // trl/experimental/*/*config*.py at each tag).
  const rel = historyReleases('trl').map((x) => x.release);
  for (const r of ['1.1.0', '1.2.0', '1.4.0', '1.5.0', '1.5.1', '1.7.0', '1.7.1', '1.8.0']) assert.ok(rel.includes(r), r);
  assert.equal(rel.at(-1), '1.9.0');
  assert.deepEqual(keyVersionFinding('trl', 'use_adaptive_entropy', '1.7.1'), { key: 'use_adaptive_entropy', kind: 'added', release: '1.8.0', tabled: '0.12.0–1.9.0' });
  assert.equal(keyVersionFinding('trl', 'use_adaptive_entropy', '1.8.0'), undefined);
  assert.deepEqual(keyVersionFinding('trl', 'router_aux_loss_coef', '1.6.0'), { key: 'router_aux_loss_coef', kind: 'added', release: '1.7.0', tabled: '0.12.0–1.9.0' });
  assert.equal(keyVersionFinding('trl', 'mask_ratio', '1.7.1'), undefined);
  assert.deepEqual(keyVersionFinding('trl', 'mask_ratio', '1.8.0'), { key: 'mask_ratio', kind: 'removed', release: '1.8.0', lastWith: '1.7.1', tabled: '0.12.0–1.9.0' });
  // In a config: one key-version error at the key (the table's versionGaps and the history rule do not both report it).
  const text = 'model_name_or_path: Qwen/Qwen2.5-0.5B\noutput_dir: out\nuse_adaptive_entropy: true\nrouter_aux_loss_coef: 0.01\n';
  assert.deepEqual(codes(text, { trl: '1.7.1' }), ['error:key-version@2']);
  assert.deepEqual(codes(text, { trl: '1.6.0' }), ['error:key-version@2', 'error:key-version@3']);
  assert.deepEqual(codes(text, { trl: '1.8.0' }), []);
});

test('TRL ScriptArguments/ModelConfig keys (hand-written in schemas/hf.ts) are judged by the TRL history too', () => {
  // trl-key-history.json `nested.script`: ModelConfig (trl/trainer/model_config.py) got use_dora in 0.16.0 and dtype in
  // 0.23.0; torch_dtype ("deprecated and will be removed in version 0.27.0, please use `dtype`") and ScriptArguments'
  // gradient_checkpointing_use_reentrant (trl/scripts/utils.py) are gone from 0.27.0. trust_remote_code left
  // ModelConfig in 1.7.0, when the *Config classes got it: known in every release.
  const text = 'model_name_or_path: Qwen/Qwen2.5-0.5B\noutput_dir: out\nuse_peft: true\nuse_dora: true\ntorch_dtype: bfloat16\ngradient_checkpointing_use_reentrant: false\ntrust_remote_code: true\n';
  const issues = (v: string) => validateConfig(text, { fileName: '/w/train.yaml', versions: { trl: v } }).issues.filter((i) => i.code === 'key-version' || i.code === 'unknown-key');
  const v19 = issues('1.9.0');
  assert.deepEqual(v19.map((i) => `${i.severity}:${i.code}@${i.range.start.line}`), ['error:key-version@4', 'error:key-version@5']);
  assert.equal(v19[0].message, '`torch_dtype` was removed in TRL 0.27.0 (last in 0.26.2); the run uses TRL 1.9.0, which does not have it: HfArgumentParser stops with "Some keys are not used by the HfArgumentParser". Use `dtype`.');
  assert.deepEqual(v19[0].fixes.map((f) => [f.title, f.edits[0].newText]), [['Rename to `dtype`', 'dtype'], ['Remove torch_dtype', '']]);
  assert.match(v19[1].message, /^`gradient_checkpointing_use_reentrant` was removed in TRL 0\.27\.0 \(last in 0\.26\.2\)/);
  assert.deepEqual(issues('0.26.2').map((i) => i.code), []);
  const v15 = issues('0.15.2');
  assert.deepEqual(v15.map((i) => `${i.severity}:${i.code}@${i.range.start.line}`), ['error:key-version@3']);
  assert.match(v15[0].message, /^`use_dora` was added in TRL 0\.16\.0; the run uses TRL 0\.15\.2/);
  for (const v of ['1.6.0', '1.7.0', '1.8.0']) assert.ok(!issues(v).some((i) => i.range.start.line === 6), v);
});

test('Axolotl: keys added and removed by release, from its pydantic models', () => {
  // relora_steps: ReLoRA options of 0.5–0.11 (utils/schemas/config.py), renamed jagged_restart_steps in 0.12.
  assert.deepEqual(keyVersionFinding('axolotl', 'relora_steps', '0.18.0'), { key: 'relora_steps', kind: 'removed', release: '0.12.2', lastWith: '0.11.0', tabled: '0.5.0–0.18.0' });
  assert.equal(keyKnownIn('axolotl', 'relora_steps', '0.10.1'), true);
  assert.equal(keyKnownIn('axolotl', 'relora_steps', '0.18.0'), false);
  // dataset entry keys: field_tools (SFTDataset) first in 0.10.1.
  assert.deepEqual(keyVersionFinding('axolotl', 'field_tools', '0.9.2', 'datasets[]'), { key: 'field_tools', kind: 'added', release: '0.10.1', tabled: '0.5.0–0.18.0' });
  assert.equal(keyVersionFinding('axolotl', 'field_tools', '0.10.1', 'datasets[]'), undefined);
});

test('Axolotl key-version: a warning (ignored key) at the key; a key of the run\'s version is not unknown', () => {
  const text = `${AX}relora_steps: 100\n`;
  // No version: the newest table (0.18) does not have it.
  assert.deepEqual(codes(text), ['warning:unknown-key@5']);
  // 0.10.1 has it: no diagnostic at all.
  assert.deepEqual(codes(text, { axolotl: '0.10.1' }), []);
  // 0.18.0: one diagnostic, with the release that removed it.
  const r = validateConfig(text, { fileName: '/w/train.yaml', versions: { axolotl: '0.18.0' } }).issues.filter((i) => i.code === 'key-version' || i.code === 'unknown-key');
  assert.deepEqual(r.map((i) => `${i.severity}:${i.code}@${i.range.start.line}`), ['warning:key-version@5']);
  assert.match(r[0].message, /^`relora_steps` was removed in Axolotl 0\.12\.2 \(last in 0\.11\.0\); the run uses Axolotl 0\.18\.0/);
  // A dataset key newer than the run's Axolotl.
  const ds = `${AX}datasets:\n  - path: data.jsonl\n    type: chat_template\n    field_tools: tools\n`;
  assert.deepEqual(codes(ds, { axolotl: '0.9.2' }), ['warning:key-version@8']);
  assert.deepEqual(codes(ds, { axolotl: '0.10.1' }), []);
});

test('Axolotl: the removed sharegpt dataset type (with conversation:) is an error with a known version, a warning without', () => {
  assert.deepEqual(datasetTypeRemoved('sharegpt.load_role'), { key: 'sharegpt', kind: 'removed', release: '0.5.0', lastWith: '0.4.0', tabled: '0.4.0–0.18.0' });
  assert.equal(datasetTypeRemoved('sharegpt', '0.4.0'), undefined);
  assert.equal(datasetTypeRemoved('chat_template'), undefined);
  assert.equal(datasetTypeRemoved('alpaca'), undefined); // built into prompt_tokenizers, never a module: no history
  const text = `${AX}datasets:\n  - path: philschmid/guanaco-sharegpt-style\n    type: sharegpt\n    conversation: chatml\n`;
  const at = (versions?: Record<string, string>) => validateConfig(text, { fileName: '/w/train.yaml', versions }).issues.filter((i) => i.code === 'key-version');
  const known = at({ axolotl: '0.8.1' });
  assert.deepEqual(known.map((i) => [i.severity, i.range.start.line, i.range.start.character, i.range.end.character]), [['error', 7, 10, 18]]);
  assert.match(known[0].message, /removed in Axolotl 0\.5\.0 \(last in 0\.4\.0\); the run uses Axolotl 0\.8\.1, which fails with "`type: sharegpt\.\*` is deprecated/);
  assert.match(known[0].message, /`conversation:`/);
  assert.deepEqual(at().map((i) => i.severity), ['warning']);
  assert.deepEqual(at({ axolotl: '0.4.0' }), []);
});

test('LLaMA-Factory key-version: an error (HfArgumentParser refuses it), and no false unknown-key for an older release', () => {
  // visual_inputs (ModelArguments, tabled 0.7.1–0.8.3) is gone in 0.9.0 (the template decides).
  assert.deepEqual(keyVersionFinding('llamafactory', 'visual_inputs', '0.9.5'), { key: 'visual_inputs', kind: 'removed', release: '0.9.0', lastWith: '0.8.3', tabled: '0.6.3–0.9.5' });
  const text = `${LF}visual_inputs: true\n`;
  assert.deepEqual(codes(text), ['error:unknown-key@7']);
  assert.deepEqual(codes(text, { llamafactory: '0.8.3' }), []);
  assert.deepEqual(codes(text, { llamafactory: '0.9.5' }), ['error:key-version@7']);
  // dpo_beta has its own rename rule (renamed-key to pref_beta), not a key-version.
  assert.deepEqual(codes(`${LF}dpo_beta: 0.1\n`, { llamafactory: '0.9.5' }), []);
});

const ROOT = join(__dirname, '..', 'fixtures', 'framework-examples');
function walk(d: string, out: string[] = []): string[] {
  for (const f of readdirSync(d).sort()) { const p = join(d, f); if (statSync(p).isDirectory()) walk(p, out); else if (/\.ya?ml$/.test(f)) out.push(p); }
  return out;
}

test('the frameworks\' example configs: with the newest tabled release known, no key-version finding and no new error', () => {
  let n = 0;
  for (const [dir, versions] of [['axolotl-ai-cloud__axolotl', { axolotl: '0.18.0' }], ['hiyouga__LlamaFactory', { llamafactory: '0.9.5' }]] as const) {
    for (const f of walk(join(ROOT, dir))) {
      const text = readFileSync(f, 'utf8');
      const plain = validateConfig(text, { fileName: f });
      const withV = validateConfig(text, { fileName: f, versions });
      const errs = (r: typeof plain) => r.issues.filter((i) => i.severity === 'error').map((i) => `${i.code}@${i.range.start.line}`);
      assert.deepEqual(withV.issues.filter((i) => i.code === 'key-version').map((i) => i.message), [], f);
      assert.deepEqual(errs(withV), errs(plain), f);
      n++;
    }
  }
  assert.ok(n > 300, `${n} example configs`);
});
