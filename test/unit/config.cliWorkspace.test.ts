/**
 * Issue 15, "Files belong to one launch when a launch says so (`accelerate launch --config_file A ... B.yaml` in a
 * task)": `llmtrain validate` reads the workspace's .vscode/tasks.json as the editor does. The workspace is the
 * nearest folder above a config holding .vscode/tasks.json or .git, or `--workspace DIR`. Run through the in-process
 * CLI (test/cli.ts) on real files: test/fixtures/launch-workspace (a task pairing an Accelerate DeepSpeed config
 * with gradient_accumulation_steps 1 and a TRL SFT config with 8) and copies of it in a temp dir.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cli } from '../cli';
import { workspaceRootOf } from '../../src/cli/validate';
import type { CliIssue } from '../../src/cli/validate';

const WS = join(__dirname, '..', 'fixtures', 'launch-workspace');
const SFT = join(WS, 'configs', 'sft.yaml');
const ACC = join(WS, 'configs', 'accelerate-ds.yaml');
const codes = (out: string) => (JSON.parse(out) as CliIssue[]).map((i) => `${i.file.replace(/^.*\//, '')}:${i.line}:${i.severity}:${i.code}`);

test('the workspace root is the nearest folder above the config with .vscode/tasks.json (else .git)', () => {
  assert.equal(workspaceRootOf(SFT), WS);
  const d = mkdtempSync(join(tmpdir(), 'llmtrain-ws-'));
  try {
    mkdirSync(join(d, 'repo', '.git'), { recursive: true });
    mkdirSync(join(d, 'repo', 'a', 'b'), { recursive: true });
    assert.equal(workspaceRootOf(join(d, 'repo', 'a', 'b', 'x.yaml')), join(d, 'repo'));
  } finally { rmSync(d, { recursive: true, force: true }); }
});

test('a task pairs the Accelerate config and the training YAML: the gradient accumulation mismatch fails the CLI, in either file', async () => {
  const r = await cli(['validate', '--format', 'json', SFT]);
  assert.equal(r.code, 1);
  assert.deepEqual(codes(r.out), ['sft.yaml:6:error:launch-mismatch']);
  const issue = (JSON.parse(r.out) as CliIssue[])[0];
  assert.match(issue.message, /deepspeed_config\.gradient_accumulation_steps is 1 in accelerate-ds\.yaml, but `gradient_accumulation_steps` is 8 in sft\.yaml \(one launch: tasks\.json task "train sft"\)/);
  const a = await cli(['validate', '--format', 'json', ACC]);
  assert.equal(a.code, 1);
  assert.deepEqual(codes(a.out), ['accelerate-ds.yaml:4:error:launch-mismatch']);
});

test('--workspace names the workspace of configs that are outside it; without a task the files are not paired', async () => {
  const d = mkdtempSync(join(tmpdir(), 'llmtrain-ws-'));
  try {
    // The configs alone (no tasks.json above them, no .git): nothing says they run together.
    cpSync(join(WS, 'configs'), join(d, 'configs'), { recursive: true });
    const alone = await cli(['validate', '--format', 'json', join(d, 'configs', 'sft.yaml')]);
    assert.deepEqual([alone.code, codes(alone.out)], [0, []]);
    // The same workspace given with --workspace: its task (relative paths from the workspace folder) pairs them.
    const ws = await cli(['validate', '--format', 'json', '--workspace', WS, SFT]);
    assert.deepEqual([ws.code, codes(ws.out)], [1, ['sft.yaml:6:error:launch-mismatch']]);
    const bad = await cli(['validate', '--workspace', join(d, 'nope'), SFT]);
    assert.equal(bad.code, 2);
    assert.match(bad.err, /--workspace .*nope is not a directory/);
  } finally { rmSync(d, { recursive: true, force: true }); }
});

test('a task\'s cwd is the launch directory: a reference missing there is an error naming the task; --launch-dir wins', async () => {
  const d = mkdtempSync(join(tmpdir(), 'llmtrain-ws-'));
  try {
    mkdirSync(join(d, '.vscode'));
    mkdirSync(join(d, 'run'));
    mkdirSync(join(d, 'configs'));
    writeFileSync(join(d, '.vscode', 'tasks.json'), JSON.stringify({ version: '2.0.0', tasks: [{ label: 'train', type: 'shell', command: 'python train.py ../configs/sft.yaml', options: { cwd: '${workspaceFolder}/run' } }] }));
    // ds.json is next to the config, but the task launches from run/, where the Trainer opens it: not there.
    writeFileSync(join(d, 'configs', 'ds.json'), '{ "zero_optimization": { "stage": 2 } }');
    writeFileSync(join(d, 'configs', 'sft.yaml'), 'model_name_or_path: m\noutput_dir: out\nper_device_train_batch_size: 4\ndeepspeed: ds.json\n');
    const r = await cli(['validate', '--format', 'json', join(d, 'configs', 'sft.yaml')]);
    assert.equal(r.code, 1);
    const miss = (JSON.parse(r.out) as CliIssue[]).filter((i) => i.code === 'missing-reference');
    assert.deepEqual(miss.map((i) => `${i.line}:${i.severity}`), ['4:error']);
    assert.match(miss[0].message, /tasks\.json task "train"/);
    const given = await cli(['validate', '--format', 'json', '--launch-dir', join(d, 'configs'), join(d, 'configs', 'sft.yaml')]);
    assert.deepEqual((JSON.parse(given.out) as CliIssue[]).filter((i) => i.code === 'missing-reference'), []);
  } finally { rmSync(d, { recursive: true, force: true }); }
});
