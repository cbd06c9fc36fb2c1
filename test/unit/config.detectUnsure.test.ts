/**
 * Issue 15, "Detection": when detection is unsure, say so once instead of guessing. A config whose keys score the
 * same for two frameworks (here HF/TRL: model_name_or_path, per_device_train_batch_size; LLaMA-Factory: cutoff_len,
 * dataset, model_name_or_path, per_device_train_batch_size) gets one `detection-unsure` info at the top, naming both
 * with their scores; the keys the chosen framework does not know are counted there, not reported as unknown keys
 * (errors for HF, whose HfArgumentParser refuses them) one by one.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { detectFramework, validateConfig } from '../../src/core/config/index';

test('a close call: one detection-unsure info, no unknown-key flood', () => {
  const y = 'model_name_or_path: m\nper_device_train_batch_size: 1\ncutoff_len: 1024\ndataset: alpaca_en_demo\n';
  assert.equal(detectFramework(y, '/w/train.yaml').framework, 'hf-trainer');
  const r = validateConfig(y, { fileName: '/w/train.yaml' });
  assert.deepEqual(r.issues.map((i) => [i.code, i.severity, i.range.start.line, i.range.start.character, i.range.end.line, i.range.end.character]), [['detection-unsure', 'info', 0, 0, 0, 0]]);
  assert.equal(r.issues[0].message, 'Detection unsure: this looks like Hugging Face TrainingArguments / TRL (score 6) or LLaMA-Factory (score 6); checked as HF Trainer / TRL. Choose it with "LLM Training: Set Config Framework…" to be sure. 2 keys HF Trainer / TRL does not know (cutoff_len, dataset) are not reported while it is unsure.');
  // Chosen by the user: no longer unsure, the unknown keys are errors again.
  const forced = validateConfig(y, { fileName: '/w/train.yaml', framework: 'hf-trainer' });
  assert.deepEqual(forced.issues.map((i) => [i.code, i.severity, i.range.start.line]), [['unknown-key', 'error', 2], ['unknown-key', 'error', 3]]);
  assert.deepEqual(validateConfig(y, { fileName: '/w/train.yaml', framework: 'llamafactory' }).issues.filter((i) => i.code === 'detection-unsure' || i.code === 'unknown-key'), []);
});

test('a clear detection: no detection-unsure, unknown keys reported', () => {
  const y = 'model_name_or_path: m\noutput_dir: out\nper_device_train_batch_size: 1\nnum_train_epochs: 1\nlr_scheduler_type: cosine\nlearning_rat: 1.0e-5\n';
  const r = validateConfig(y, { fileName: '/w/train.yaml' });
  assert.deepEqual(r.issues.map((i) => [i.code, i.severity, i.range.start.line]), [['unknown-key', 'error', 5]]);
});
