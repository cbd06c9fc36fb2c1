/**
 * Issue 15, "References whose launch directory is unknown": a DeepSpeed JSON or dataset path relative to where the
 * user will launch. Not found from the config's folder or the folders above it: a warning that says where it looked;
 * an error only where the launch directory is known: a tasks.json task (its options.cwd, else the workspace folder),
 * a run's run.json (a Launch Run writes one when it starts), `llmtrain validate --launch-dir`.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fileAccessReader, launchDirFor, missingInLaunchDir, taskCommands, validateConfigWithFiles } from '../../src/core/config/index';
import type { ConfigIssue } from '../../src/core/config/index';
import { memoryFileAccess } from '../../src/core/files';
import { runValidate } from '../../src/cli/validate';
import { LocalRunner } from '../../src/remote/localRunner';
import { launchRun, waitForRun } from '../../src/remote/runs';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

test('launch directory of a config: a tasks.json task that names it (options.cwd, ${workspaceFolder}, default folder), else the newest run that ran it', () => {
  const tasks = `{
    "version": "2.0.0",
    "tasks": [
      { "label": "lint", "type": "shell", "command": "ruff check ." },
      { "label": "sft", "type": "shell", "command": "axolotl train examples/qwen/lora.yaml", "options": { "cwd": "\${workspaceFolder}/recipes" } },
      { "label": "dpo", "type": "process", "command": "python", "args": ["train.py", "--config=configs/dpo.yaml"] },
    ],
  }`;
  const cmds = taskCommands(tasks, '/w');
  assert.deepEqual(cmds.map((c) => [c.cwd, c.source]), [['/w', 'tasks.json task "lint"'], ['/w/recipes', 'tasks.json task "sft"'], ['/w', 'tasks.json task "dpo"']]);
  assert.deepEqual(launchDirFor('/w/recipes/examples/qwen/lora.yaml', cmds, []), { dir: '/w/recipes', source: 'tasks.json task "sft"' });
  assert.deepEqual(launchDirFor('/w/configs/dpo.yaml', cmds, []), { dir: '/w', source: 'tasks.json task "dpo"' });
  assert.equal(launchDirFor('/w/configs/other.yaml', cmds, []), undefined);
  // Runs (run.json: argv, cwd): the newest that names the config; a task wins over a run.
  const runs = [
    { id: 'r1', argv: ['accelerate', 'launch', 'train.py', 'cfg/sft.yaml'], cwd: '/w', startTime: '2026-01-01T10:00:00Z' },
    { id: 'r2', name: 'sft again', argv: ['accelerate', 'launch', 'train.py', '../cfg/sft.yaml'], cwd: '/w/src', startTime: '2026-01-02T10:00:00Z' },
    { id: 'r3', argv: ['python', 'x.py'], cwd: '/elsewhere', startTime: '2026-01-03T10:00:00Z' },
  ];
  assert.deepEqual(launchDirFor('/w/cfg/sft.yaml', [], runs), { dir: '/w/src', source: 'run "sft again" (run.json)' });
  assert.deepEqual(launchDirFor('/w/cfg/sft.yaml', taskCommands('{"tasks":[{"label":"t","type":"shell","command":"python train.py cfg/sft.yaml"}]}', '/w'), runs), { dir: '/w', source: 'tasks.json task "t"' });
});

const row = (i: ConfigIssue) => [i.severity, i.code, i.range.start.line, i.range.start.character, i.range.end.character];
const existsIn = (paths: string[]) => async (p: string) => paths.some((x) => x === p || x.startsWith(`${p}/`));

test('a missing DeepSpeed JSON: a warning listing where it looked without a launch directory, an error naming the task\'s directory with one', async () => {
  const text = 'base_model: Qwen/Qwen2.5-0.5B\ndeepspeed: deepspeed_configs/zero2.json\nmicro_batch_size: 2\nnum_epochs: 1\nlearning_rate: 0.0002\noutput_dir: ./out\n';
  const file = '/w/recipes/examples/lora.yaml';
  const readFile = fileAccessReader(memoryFileAccess({}));
  const unknown = (await validateConfigWithFiles(text, { fileName: file, readFile })).issues.filter((i) => i.code === 'missing-reference');
  assert.deepEqual(unknown.map(row), [['warning', 'missing-reference', 1, 11, 39]]);
  assert.match(unknown[0].message, /^DeepSpeed config deepspeed_configs\/zero2\.json not found from the config's folder or the folders above it \(looked at \/w\/recipes\/examples\/deepspeed_configs\/zero2\.json, \/w\/recipes\/deepspeed_configs\/zero2\.json, \/w\/deepspeed_configs\/zero2\.json/);
  const launchAt = launchDirFor(file, taskCommands('{"tasks":[{"label":"sft","type":"shell","command":"axolotl train examples/lora.yaml","options":{"cwd":"${workspaceFolder}/recipes"}}]}', '/w'), [])!;
  const known = (await validateConfigWithFiles(text, { fileName: file, readFile, launchDir: launchAt.dir, launchDirSource: launchAt.source })).issues.filter((i) => i.code === 'missing-reference');
  assert.deepEqual(known.map(row), [['error', 'missing-reference', 1, 11, 39]]);
  assert.equal(known[0].message, 'DeepSpeed config not found: deepspeed_configs/zero2.json is not in the launch directory /w/recipes (/w/recipes/deepspeed_configs/zero2.json) (the launch directory given by tasks.json task "sft"). Training stops at start-up when it opens this file.');
});

test('dataset paths: Axolotl datasets[].path, TRL dataset_name, torchtune data_files, LLaMA-Factory dataset_dir; Hub ids never', async () => {
  const readFile = fileAccessReader(memoryFileAccess({}));
  const ax = 'base_model: Qwen/Qwen2.5-0.5B\ndatasets:\n  - path: data/train.jsonl\n    type: alpaca\n  - path: mhenrixon/alpaca\n    type: alpaca\n  - path: ./local_folder\n    type: alpaca\nmicro_batch_size: 2\nnum_epochs: 1\nlearning_rate: 0.0002\noutput_dir: ./out\n';
  const file = '/w/cfg/ax.yaml';
  const miss = async (text: string, f: string, present: string[], launchDir?: string) => (await validateConfigWithFiles(text, { fileName: f, readFile, exists: existsIn(present), ...(launchDir ? { launchDir } : {}) })).issues.filter((i) => i.code === 'missing-reference');
  // Unknown launch directory: warnings at the values, saying where it looked; the Hub id is not a path.
  const w = await miss(ax, file, []);
  assert.deepEqual(w.map(row), [['warning', 'missing-reference', 2, 10, 26], ['warning', 'missing-reference', 6, 10, 24]]);
  assert.match(w[0].message, /^Dataset data\/train\.jsonl not found \(looked at \/w\/cfg\/data\/train\.jsonl, \/w\/data\/train\.jsonl, \/data\/train\.jsonl\)\. Relative paths are opened from the directory you launch in, which is not known here/);
  // Found above the config (a repository root): nothing.
  assert.deepEqual(await miss(ax, file, ['/w/data/train.jsonl', '/w/local_folder/x.json']), []);
  // Known launch directory: errors there, even though /w/data/train.jsonl exists elsewhere.
  const e = await miss(ax, file, ['/w/data/train.jsonl', '/w/local_folder/x.json'], '/w/cfg');
  assert.deepEqual(e.map(row), [['error', 'missing-reference', 2, 10, 26], ['error', 'missing-reference', 6, 10, 24]]);
  assert.equal(e[0].message, 'Dataset not found: data/train.jsonl is not in the launch directory /w/cfg (/w/cfg/data/train.jsonl). Training stops when it loads the data.');
  // No existence check available (validateConfigWithFiles without `exists`): dataset paths are not checked.
  assert.deepEqual((await validateConfigWithFiles(ax, { fileName: file, readFile, launchDir: '/w/cfg' })).issues.filter((i) => i.code === 'missing-reference'), []);

  const trl = 'model_name_or_path: m\noutput_dir: out\ndataset_name: ./data/sft.jsonl\n';
  assert.deepEqual((await miss(trl, '/w/sft.yaml', [], '/w')).map(row), [['error', 'missing-reference', 2, 14, 30]]);
  assert.deepEqual(await miss('model_name_or_path: m\noutput_dir: out\ndataset_name: trl-lib/Capybara\n', '/w/sft.yaml', [], '/w'), []);

  const tt = 'model:\n  _component_: torchtune.models.llama3_2.lora_llama3_2_1b\ndataset:\n  _component_: torchtune.datasets.instruct_dataset\n  source: json\n  data_files: my_data/train\n';
  assert.deepEqual((await miss(tt, '/w/recipe.yaml', [])).map(row), [['warning', 'missing-reference', 5, 14, 27]]);
  assert.deepEqual(await miss(tt.replace('source: json', 'source: allenai/c4'), '/w/recipe.yaml', []), []);

  const lf = 'model_name_or_path: m\nstage: sft\ndo_train: true\nfinetuning_type: lora\ndataset: alpaca_en_demo\ndataset_dir: data\ntemplate: llama3\noutput_dir: out\n';
  const l = await miss(lf, '/w/LLaMA-Factory/examples/train_lora/x.yaml', [], '/w/LLaMA-Factory');
  assert.deepEqual(l.map(row), [['error', 'missing-reference', 5, 13, 17]]);
  assert.match(l[0].message, /^dataset_info\.json of dataset_dir not found: data \(data\/dataset_info\.json\) is not in the launch directory \/w\/LLaMA-Factory \(\/w\/LLaMA-Factory\/data\/dataset_info\.json\)/);
  assert.deepEqual(await miss(lf, '/w/LLaMA-Factory/examples/train_lora/x.yaml', ['/w/LLaMA-Factory/data/dataset_info.json'], '/w/LLaMA-Factory'), []);
  // dataset_dir: ONLINE reads from the Hub; the default dataset_dir (not written) is not checked.
  assert.deepEqual(await miss(lf.replace('dataset_dir: data', 'dataset_dir: ONLINE'), '/w/x.yaml', [], '/w'), []);
  assert.deepEqual(await miss(lf.replace('dataset_dir: data\n', ''), '/w/x.yaml', [], '/w'), []);
});

test('an absolute dataset path missing here: a warning (it may exist on the training host) unless the launch directory is known', async () => {
  const readFile = fileAccessReader(memoryFileAccess({}));
  const ax = 'base_model: m\ndatasets:\n  - path: /scratch/data/train.parquet\n    type: alpaca\nmicro_batch_size: 2\nnum_epochs: 1\nlearning_rate: 0.0002\noutput_dir: ./out\n';
  const run = async (launchDir?: string) => (await validateConfigWithFiles(ax, { fileName: '/w/ax.yaml', readFile, exists: async () => false, ...(launchDir ? { launchDir } : {}) })).issues.filter((i) => i.code === 'missing-reference');
  const w = await run();
  assert.deepEqual(w.map(row), [['warning', 'missing-reference', 2, 10, 37]]);
  assert.match(w[0].message, /It may exist on the host the training runs on\.$/);
  assert.deepEqual((await run('/w')).map(row), [['error', 'missing-reference', 2, 10, 37]]);
});

test('llmtrain validate: a dataset file on disk (any size: only its existence is asked), a warning without --launch-dir, an error in the wrong one (exit 1)', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'llmts-launchdir-'));
  try {
    mkdirSync(join(dir, 'cfg')); mkdirSync(join(dir, 'data'));
    // Bigger than the 4 MiB a referenced config may have: still present.
    writeFileSync(join(dir, 'data', 'train.jsonl'), '{"instruction":"a","output":"b"}\n'.repeat(150_000));
    writeFileSync(join(dir, 'cfg', 'ax.yaml'), 'base_model: m\ndatasets:\n  - path: data/train.jsonl\n    type: alpaca\nmicro_batch_size: 2\ngradient_accumulation_steps: 1\nnum_epochs: 1\nlearning_rate: 0.0002\noutput_dir: ./out\n');
    const cli = async (...extra: string[]) => { let out = ''; const code = await runValidate([join(dir, 'cfg', 'ax.yaml'), '--format', 'json', ...extra], (x) => { out += x; }, () => undefined); return { code, refs: (JSON.parse(out) as { code: string; severity: string; line: number }[]).filter((i) => i.code === 'missing-reference').map((i) => `${i.severity}@${i.line}`) }; };
    assert.deepEqual(await cli(), { code: 0, refs: [] }); // found in the folder above the config
    assert.deepEqual(await cli('--launch-dir', dir), { code: 0, refs: [] });
    assert.deepEqual(await cli('--launch-dir', join(dir, 'cfg')), { code: 1, refs: ['error@3'] });
    rmSync(join(dir, 'data', 'train.jsonl'));
    assert.deepEqual(await cli(), { code: 0, refs: ['warning@3'] });
  } finally { rmSync(dir, { recursive: true, force: true }); }
});

test('Launch Run in progress: missingInLaunchDir checks the config against the working directory chosen for the launch', async () => {
  const files = memoryFileAccess({
    '/w/cfg/ax.yaml': 'base_model: m\ndeepspeed: deepspeed_configs/zero2.json\ndatasets:\n  - path: data/train.jsonl\n    type: alpaca\nmicro_batch_size: 2\ngradient_accumulation_steps: 1\nnum_epochs: 1\nlearning_rate: 0.0002\noutput_dir: ./out\n',
    '/w/deepspeed_configs/zero2.json': '{ "zero_optimization": { "stage": 2 }, "train_micro_batch_size_per_gpu": "auto", "gradient_accumulation_steps": "auto" }\n',
    '/w/data/train.jsonl': '{"instruction":"a","output":"b"}\n',
  });
  assert.deepEqual(await missingInLaunchDir(files, '/w/cfg/ax.yaml', '/w'), []);
  const wrong = await missingInLaunchDir(files, '/w/cfg/ax.yaml', '/w/cfg');
  assert.deepEqual(wrong.map(row), [['error', 'missing-reference', 1, 11, 39], ['error', 'missing-reference', 3, 10, 26]]);
  assert.equal(wrong[0].message, 'DeepSpeed config not found: deepspeed_configs/zero2.json is not in the launch directory /w/cfg (/w/cfg/deepspeed_configs/zero2.json) (the launch directory given by Launch Run). Training stops at start-up when it opens this file.');
  assert.deepEqual(await missingInLaunchDir(files, '/w/cfg/none.yaml', '/w'), []); // no config there: nothing to say
});

test('llmtrain validate takes the launch directory from the newest local run that ran the config (run.json), as the editor does', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'llmts-launchdir-runs-'));
  const home = join(dir, 'home'); // this test's own runs home (LLMTRAIN_LOCAL_HOME), never the user's
  const before = process.env.LLMTRAIN_LOCAL_HOME;
  try {
    mkdirSync(join(dir, 'cfg')); mkdirSync(join(dir, 'data')); mkdirSync(home);
    writeFileSync(join(dir, 'data', 'train.jsonl'), '{"instruction":"a","output":"b"}\n');
    writeFileSync(join(dir, 'cfg', 'ax.yaml'), 'base_model: m\ndatasets:\n  - path: data/train.jsonl\n    type: alpaca\nmicro_batch_size: 2\ngradient_accumulation_steps: 1\nnum_epochs: 1\nlearning_rate: 0.0002\noutput_dir: ./out\n');
    process.env.LLMTRAIN_LOCAL_HOME = home;
    const cli = async () => { let out = ''; const code = await runValidate([join(dir, 'cfg', 'ax.yaml'), '--format', 'json'], (x) => { out += x; }, () => undefined); return { code, refs: (JSON.parse(out) as { code: string; severity: string; line: number; message: string }[]).filter((i) => i.code === 'missing-reference') }; };
    const none = await cli();
    assert.deepEqual([none.code, none.refs.length], [0, 0], 'no run yet: found from the folder above the config');
    // A real run (the extension's own run code) started in cfg/ with the config as its argument: data/ is not there.
    const runner = new LocalRunner({ home });
    const run = await launchRun(runner, { argv: ['true', 'ax.yaml'], cwd: join(dir, 'cfg'), name: 'sft from cfg' });
    await waitForRun(runner, run);
    const got = await cli();
    assert.equal(got.code, 1);
    assert.deepEqual(got.refs.map((i) => `${i.severity}@${i.line}`), ['error@3']);
    assert.match(got.refs[0].message, /run "sft from cfg" \(run\.json\)/);
  } finally {
    if (before === undefined) delete process.env.LLMTRAIN_LOCAL_HOME; else process.env.LLMTRAIN_LOCAL_HOME = before;
    rmSync(dir, { recursive: true, force: true });
  }
});
