/**
 * Issue 15, "Keys added, renamed or removed by version": a TRL config key the TRL version of the run does not know
 * (tables/trl-key-history.json, generated from trl/trainer/*_config.py at each release tag).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { validateConfig } from '../../src/core/config/index';
import { keyVersionFinding } from '../../src/core/config/keyHistory';

const issues = (text: string, trl?: string) => validateConfig(text, { fileName: '/w/train.yaml', versions: trl ? { trl } : undefined })
  .issues.filter((i) => i.code === 'key-version').map((i) => [i.severity, i.range.start.line, i.range.start.character, i.range.end.line, i.range.end.character, i.message]);

test('key history: added and removed releases, and no finding where the tabled releases cannot tell', () => {
  // num_generations first appears in TRL 0.14.0 (GRPOConfig); 0.13.0 is the tabled release before it.
  assert.deepEqual(keyVersionFinding('trl', 'num_generations', '0.13.0'), { key: 'num_generations', kind: 'added', release: '0.14.0', tabled: '0.12.0–1.9.0' });
  // 0.13.1 was never tagged (the TRL history read every tag): a build of the 0.13 line, without the 0.14.0 field.
  assert.deepEqual(keyVersionFinding('trl', 'num_generations', '0.13.1'), { key: 'num_generations', kind: 'added', release: '0.14.0', tabled: '0.12.0–1.9.0' });
  // Axolotl's history reads one release per minor line: between 0.17.0 and 0.18.0 it cannot tell.
  assert.equal(keyVersionFinding('axolotl', 'sdpa_varlen', '0.17.5'), undefined);
  assert.deepEqual(keyVersionFinding('axolotl', 'sdpa_varlen', '0.17.0')?.release, '0.18.0');
  assert.equal(keyVersionFinding('trl', 'num_generations', '0.14.0'), undefined);
  // chars_per_token: last in 0.17.0, gone in 0.18.0 (every release tag from 0.12.0 is read).
  assert.deepEqual(keyVersionFinding('trl', 'chars_per_token', '0.19.1'), { key: 'chars_per_token', kind: 'removed', release: '0.18.0', lastWith: '0.17.0', tabled: '0.12.0–1.9.0' });
  assert.deepEqual(keyVersionFinding('trl', 'chars_per_token', '0.18.0')?.release, '0.18.0');
  assert.equal(keyVersionFinding('trl', 'chars_per_token', '0.17.0'), undefined);
  assert.equal(keyVersionFinding('trl', 'learning_rate', '0.1.0'), undefined); // TrainingArguments: follows transformers
  assert.equal(keyVersionFinding('trl', 'no_such_key', '0.19.1'), undefined);
});

test('key-version: an error at the key (HfArgumentParser refuses it), with the release that added or removed it; nothing without a version', () => {
  const yaml = 'model_name_or_path: m\noutput_dir: out\nnum_generations: 8\nchars_per_token: 3.6\nlearning_rate: 1.0e-6\n';
  assert.deepEqual(issues(yaml), []);
  const old = issues(yaml, '0.13.0');
  assert.deepEqual(old.map((i) => i.slice(0, 5)), [['error', 2, 0, 2, 15]]); // HfArgumentParser refuses it: the unknown-key severity
  assert.match(String(old[0][5]), /^`num_generations` was added in TRL 0\.14\.0; the run uses TRL 0\.13\.0/);
  const newer = issues(yaml, '0.24.0');
  assert.deepEqual(newer.map((i) => i.slice(0, 5)), [['error', 3, 0, 3, 15]]);
  assert.match(String(newer[0][5]), /^`chars_per_token` was removed in TRL 0\.18\.0 \(last in 0\.17\.0\)/);
  // max_seq_length: SFTConfig's own history (removed in 0.20.0), one diagnostic that replaces the renamed-key, with its
  // rename fix (config.versionAware.test.ts covers the per-class rule).
  const sft = validateConfig('model_name_or_path: m\noutput_dir: out\npacking: true\nmax_seq_length: 512\n', { fileName: '/w/train.yaml', versions: { trl: '0.24.0' } }).issues;
  assert.deepEqual(sft.map((i) => [i.code, i.severity, i.range.start.line, i.fixes[0]?.title]), [['key-version', 'error', 3, 'Rename to `max_length`']]);
});

// Issue 15: torchtune `_component_` paths that moved (torchtune.utils.metric_logging -> torchtune.training, v0.3.0).
test('component-moved: the old metric_logging path, by torchtune version', () => {
  const yaml = 'model:\n  _component_: torchtune.models.llama3_2.lora_llama3_2_1b\nmetric_logger:\n  _component_: torchtune.utils.metric_logging.DiskLogger\n  log_dir: /tmp/logs\n';
  const got = (v?: string) => validateConfig(yaml, { fileName: '/w/recipe.yaml', versions: v ? { torchtune: v } : undefined }).issues.filter((i) => i.code === 'component-moved').map((i) => [i.severity, i.range.start.line, i.range.start.character, i.range.end.character, i.fixes[0]?.edits[0].newText]);
  assert.deepEqual(got(), [['warning', 3, 15, 56, 'torchtune.training.metric_logging.DiskLogger']]);
  assert.deepEqual(got('0.6.1'), [['error', 3, 15, 56, 'torchtune.training.metric_logging.DiskLogger']]);
  assert.deepEqual(got('0.2.1'), []);
  const newer = 'metric_logger:\n  _component_: torchtune.training.metric_logging.DiskLogger\n';
  assert.deepEqual(validateConfig(newer, { fileName: '/w/r.yaml', versions: { torchtune: '0.2.1' } }).issues.filter((i) => i.code === 'component-moved').map((i) => [i.severity, i.range.start.line]), [['error', 1]]);
  assert.deepEqual(validateConfig(newer, { fileName: '/w/r.yaml' }).issues.filter((i) => i.code === 'component-moved'), []);
});
