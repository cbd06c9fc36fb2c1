/**
 * Issue 15, "a user can see which framework version the checks assume", on the command line: the editor's status bar
 * says which key table a version picked (frameworks.ts `assumes`), but `llmtrain validate` checked transformers 4.40.0,
 * TRL 0.9.0 or torchtune 0.2.1 (older than every table) without a word. Text output now prints one line per file
 * with a known version (`FILE: checked with ...`), and json output carries it as `assumes` on the file's findings.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cli } from '../cli';

// warmup_ratio: a TrainingArguments field of transformers 4.57.6, removed in 5.0.0 (transformers-key-history.json).
const HF = 'model_name_or_path: m\noutput_dir: o\nper_device_train_batch_size: 4\nlearning_rate: 0.0001\nwarmup_ratio: 0.1\n';
const REMOVED = '`warmup_ratio` was removed in transformers 5.0.0 (last in 4.57.6); the run uses transformers 5.3.0, which does not have it: HfArgumentParser stops with "Some keys are not used by the HfArgumentParser". Use `warmup_steps`. warmup_steps takes a float in [0, 1) as a ratio of the total steps.';

function withDir(fn: (d: string) => Promise<void>): Promise<void> {
  const d = mkdtempSync(join(tmpdir(), 'llmtrain-assumes-'));
  return fn(d).finally(() => rmSync(d, { recursive: true, force: true }));
}

test('llmtrain validate (text): the table a version between releases picked, before the file\'s findings', () => withDir(async (d) => {
  const f = join(d, 'train.yaml');
  writeFileSync(f, HF);
  const r = await cli(['validate', '--version', 'transformers=5.3.0', f]);
  assert.equal(r.code, 1);
  assert.equal(r.out, `${f}: checked with transformers 4.57.6 (PyPI wheel), the newest key table at or below the run's 5.3.0\n${f}:5:1: error key-version: ${REMOVED}\n`);
}));

test('llmtrain validate (text): versions older than every table are said (transformers 4.40.0, TRL 0.9.0, torchtune 0.2.1)', () => withDir(async (d) => {
  const f = join(d, 'train.yaml');
  writeFileSync(f, HF);
  const r = await cli(['validate', '--version', 'transformers=4.40.0', '--version', 'trl=0.9.0', f]);
  assert.equal(r.code, 0);
  assert.equal(r.out, `${f}: checked with transformers 4.57.6 (PyPI wheel): the run's 4.40.0 is older than every key table (the oldest is used); TRL 1.7.1 (f279c234): the run's 0.9.0 is older than every key table (the oldest is used)\n`);
  const tt = join(d, 'tt.yaml');
  writeFileSync(tt, readFileSync(join(__dirname, '..', 'fixtures', 'configs', 'torchtune__dev-3B-full-grpo.yaml'), 'utf8'));
  const t = await cli(['validate', '--version', 'torchtune=0.2.1', tt]);
  assert.equal(t.out.split('\n')[0], `${tt}: checked with torchtune component signatures: the run's 0.2.1 is older than every table (the oldest is 0.4.0), so component arguments are not checked`);
  const t6 = await cli(['validate', '--version', 'torchtune=0.6.1', tt]);
  assert.equal(t6.out, `${tt}: checked with torchtune 0.6.1 (a6290a5b) component signatures\n`);
}));

test('llmtrain validate: no line without a version that picks the file\'s tables (a torch pin says nothing of an HF YAML)', () => withDir(async (d) => {
  const f = join(d, 'train.yaml');
  writeFileSync(f, HF);
  assert.equal((await cli(['validate', f])).out, '');
  assert.equal((await cli(['validate', '--version', 'torch=2.5.0', f])).out, '');
}));

test('llmtrain validate --format json: each finding of the file carries `assumes`; the other fields are unchanged', () => withDir(async (d) => {
  const f = join(d, 'train.yaml');
  writeFileSync(f, HF);
  const r = await cli(['validate', '--format', 'json', '--version', 'transformers=5.3.0', f]);
  assert.deepEqual(JSON.parse(r.out), [{ file: f, framework: 'hf-trainer', line: 5, column: 1, endLine: 5, endColumn: 13, severity: 'error', code: 'key-version', message: REMOVED, assumes: "transformers 4.57.6 (PyPI wheel), the newest key table at or below the run's 5.3.0" }]);
  const none = await cli(['validate', '--format', 'json', f]);
  assert.deepEqual(JSON.parse(none.out), []);
}));
