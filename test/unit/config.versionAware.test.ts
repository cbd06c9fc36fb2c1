/**
 * Issue 15, "Version awareness": keys renamed or added by a version of the library that parses them are flagged by
 * the version the run uses. `evaluation_strategy` -> `eval_strategy`: transformers PR #30190, released in 4.41.0,
 * kept the old name with the FutureWarning "`evaluation_strategy` is deprecated and will be removed in version 4.46
 * of 🤗 Transformers" (src/transformers/training_args.py); from 4.46 TrainingArguments has no such field, so
 * HfArgumentParser refuses the key ("Some keys are not used by the HfArgumentParser").
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { validateConfig } from '../../src/core/config/index';

const HF = 'model_name_or_path: m\noutput_dir: out\nevaluation_strategy: steps\neval_steps: 10\n';
const LF = 'model_name_or_path: m\nstage: sft\ndo_train: true\nfinetuning_type: lora\ndataset: alpaca_en_demo\ntemplate: llama3\noutput_dir: out\nevaluation_strategy: steps\nval_size: 0.1\n';
// The version findings (an eval_steps under an unknown key is another rule's business once the key is refused).
const run = (text: string, file: string, transformers?: string) => validateConfig(text, { fileName: file, versions: transformers ? { transformers } : undefined }).issues.filter((i) => i.code === 'renamed-key' || i.code === 'key-version' || (i.code === 'ignored-setting' && transformers !== undefined && transformers < '4.46'));
const row = (i: { code: string; severity: string; range: { start: { line: number; character: number }; end: { line: number; character: number } }; fixes: { title: string; edits: { newText: string }[] }[] }) =>
  [i.code, i.severity, i.range.start.line, i.range.start.character, i.range.end.character, i.fixes[0]?.edits[0]?.newText];

test('evaluation_strategy: fine before transformers 4.41, a warning while deprecated, an error from 4.46, each with the version', () => {
  // Before 4.41 the old name is the only one: no finding, and the rules read its value (eval_steps is used).
  assert.deepEqual(run(HF, '/w/sft.yaml', '4.40.2').map(row), []);
  const dep = run(HF, '/w/sft.yaml', '4.44.2');
  assert.deepEqual(dep.map(row), [['renamed-key', 'warning', 2, 0, 19, 'eval_strategy']]);
  assert.equal(dep[0].message, '`evaluation_strategy` is deprecated since transformers 4.41.0 and removed in 4.46.0; the run uses transformers 4.44.2, which still reads it (with a FutureWarning). Rename it to `eval_strategy` before upgrading.');
  const gone = run(HF, '/w/sft.yaml', '4.46.0');
  assert.deepEqual(gone.map(row), [['renamed-key', 'error', 2, 0, 19, 'eval_strategy']]);
  assert.equal(gone[0].message, '`evaluation_strategy` was removed in transformers 4.46.0 (deprecated in 4.41.0 for `eval_strategy`); the run uses transformers 4.46.0, which refuses it: HfArgumentParser: "Some keys are not used by the HfArgumentParser".');
  assert.equal(gone[0].fixes[0].title, 'Rename to `eval_strategy`');
  assert.deepEqual(run(HF, '/w/sft.yaml', '4.57.6').map(row), [['renamed-key', 'error', 2, 0, 19, 'eval_strategy']]);
  // Unknown version: the error of current releases, saying the version is not known.
  const unknown = run(HF, '/w/sft.yaml');
  assert.deepEqual(unknown.map(row), [['renamed-key', 'error', 2, 0, 19, 'eval_strategy']]);
  assert.match(unknown[0].message, /The transformers version of the run is unknown/);
});

test('eval_strategy in a run on transformers before 4.41 is a key-version error with a fix back to the old name', () => {
  const yaml = 'model_name_or_path: m\noutput_dir: out\neval_strategy: steps\neval_steps: 10\n';
  const old = run(yaml, '/w/sft.yaml', '4.40.2');
  assert.deepEqual(old.map(row), [['key-version', 'error', 2, 0, 13, 'evaluation_strategy']]);
  assert.match(old[0].message, /^`eval_strategy` was added in transformers 4\.41\.0 \(it replaced `evaluation_strategy`\); the run uses transformers 4\.40\.2/);
  assert.deepEqual(run(yaml, '/w/sft.yaml', '4.41.0'), []);
});

test('LLaMA-Factory (HfArgumentParser over Seq2SeqTrainingArguments): the same version rule', () => {
  assert.deepEqual(run(LF, '/w/lf.yaml', '4.40.2').map(row), []);
  assert.deepEqual(run(LF, '/w/lf.yaml', '4.44.2').map(row), [['renamed-key', 'warning', 7, 0, 19, 'eval_strategy']]);
  assert.deepEqual(run(LF, '/w/lf.yaml', '4.48.0').map(row), [['renamed-key', 'error', 7, 0, 19, 'eval_strategy']]);
});
