/**
 * Issue 15, "An Accelerate config and the training arguments of the same launch": which files are one launch
 * (src/core/config/launch.ts) and the rules across them (src/core/config/rulesCross.ts `crossLaunch`), reported in
 * both files with the other as related information.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { launchesFromTasks, launchFor, pairedForValidate, validateConfigWithFiles } from '../../src/core/config/index';
import type { LaunchInfo, ValidationResult } from '../../src/core/config/index';
import { runValidate } from '../../src/cli/validate';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

test('tasks.json: accelerate launch --config_file A ... B.yaml in shell, process and llm-training tasks', () => {
  const tasks = `{
    // JSON with comments, as VS Code writes it
    "version": "2.0.0",
    "tasks": [
      { "label": "sft", "type": "shell", "command": "cd src && CUDA_VISIBLE_DEVICES=0,1 accelerate launch --config_file ../configs/ds.yaml --num_processes 2 train.py ../configs/sft.yaml" },
      { "label": "dpo", "type": "process", "command": "accelerate", "args": ["launch", "--config_file", "\${workspaceFolder}/configs/fsdp.yaml", "-m", "axolotl.cli.train", "configs/ax.yml"] },
      { "label": "run", "type": "llm-training", "argv": ["accelerate", "launch", "--config_file=configs/ds.yaml", "train.py", "configs/sft.yaml"], "cwd": "/w" },
      { "label": "plain", "type": "shell", "command": "python train.py configs/sft.yaml" },
    ],
  }`;
  const g = launchesFromTasks(tasks, '/w');
  assert.deepEqual(g, [
    // `cd src &&` is not followed (the task's cwd is the folder); the relative paths resolve against it.
    { files: ['/configs/ds.yaml', '/configs/sft.yaml'], worldSize: 2, worldSizeFrom: 'accelerate launch --num_processes 2', source: 'tasks.json task "sft"' },
    { files: ['/w/configs/fsdp.yaml', '/w/configs/ax.yml'], source: 'tasks.json task "dpo"' },
    { files: ['/w/configs/ds.yaml', '/w/configs/sft.yaml'], source: 'tasks.json task "run"' },
  ]);
  assert.deepEqual(launchFor('/w/configs/sft.yaml', g), { files: ['/w/configs/ds.yaml'], source: 'tasks.json task "run"' });
  assert.equal(launchFor('/w/configs/other.yaml', g), undefined);
  assert.deepEqual(launchesFromTasks('{ not json', '/w'), []);
});

test('llmtrain validate A B: one Accelerate config pairs with the training configs; none or two: no pairing', () => {
  const m = pairedForValidate([{ path: '/w/acc.yaml', framework: 'accelerate' }, { path: '/w/sft.yaml', framework: 'hf-trainer' }, { path: '/w/ds.json', framework: 'deepspeed' }]);
  assert.deepEqual(Object.fromEntries(m), {
    '/w/acc.yaml': { files: ['/w/sft.yaml'], source: 'given together to llmtrain validate' },
    '/w/sft.yaml': { files: ['/w/acc.yaml'], source: 'given together to llmtrain validate' },
  });
  assert.equal(pairedForValidate([{ path: '/a.yaml', framework: 'accelerate' }, { path: '/b.yaml', framework: 'accelerate' }, { path: '/c.yaml', framework: 'axolotl' }]).size, 0);
});

// What `accelerate config` writes for DeepSpeed (gradient_accumulation_steps: 1 under deepspeed_config), launched with
// a TRL SFT config that accumulates 8 steps: transformers Trainer.propagate_args_to_deepspeed ->
// HfTrainerDeepSpeedConfig.trainer_config_process -> fill_match, then trainer_config_finalize raises
// "Please correct the following DeepSpeed config values that mismatch TrainingArguments values:
//  - ds gradient_accumulation_steps=1 vs hf gradient_accumulation_steps=8".
const ACC = 'compute_environment: LOCAL_MACHINE\ndeepspeed_config:\n  gradient_accumulation_steps: 1\n  offload_optimizer_device: none\n  zero_stage: 2\ndistributed_type: DEEPSPEED\nmixed_precision: fp16\nnum_machines: 1\nnum_processes: 8\n';
const SFT = 'model_name_or_path: Qwen/Qwen2.5-0.5B\noutput_dir: out\nper_device_train_batch_size: 4\ngradient_accumulation_steps: 8\nbf16: true\n';
const files: Record<string, string> = { '/w/acc.yaml': ACC, '/w/sft.yaml': SFT, '/w/ds.json': '{ "train_batch_size": 64, "train_micro_batch_size_per_gpu": "auto", "gradient_accumulation_steps": "auto" }' };
const readFile = async (p: string) => files[p];
const run = (path: string, launch?: LaunchInfo, text = files[path]): Promise<ValidationResult> => validateConfigWithFiles(text, { fileName: path, readFile, ...(launch ? { launch } : {}) });
const pick = (r: ValidationResult) => r.issues.filter((i) => i.code.startsWith('launch-')).map((i) => `${i.severity}:${i.code}@${i.range.start.line + 1}`);

test('launch-mismatch and launch-precision: marked in both files, each with the other as related information', async () => {
  const src = 'given together to llmtrain validate';
  const t = await run('/w/sft.yaml', { files: ['/w/acc.yaml'], source: src });
  assert.deepEqual(pick(t), ['error:launch-mismatch@4', 'warning:launch-precision@5']);
  const gas = t.issues.find((i) => i.code === 'launch-mismatch')!;
  assert.match(gas.message, /ds gradient_accumulation_steps=1 vs hf gradient_accumulation_steps=8/);
  assert.deepEqual(gas.related.map((r) => [r.file, r.range.start.line]), [['/w/acc.yaml', 2]]);
  // The quick fix edits the other file: it removes the line from the Accelerate config.
  assert.deepEqual(gas.fixes[0].edits.map((e) => [e.file, e.range.start.line, e.range.end.line, e.newText]), [['/w/acc.yaml', 2, 3, '']]);
  const a = await run('/w/acc.yaml', { files: ['/w/sft.yaml'], source: src });
  assert.deepEqual(pick(a), ['error:launch-mismatch@3', 'warning:launch-precision@7']);
  assert.deepEqual(a.issues.find((i) => i.code === 'launch-precision')!.related.map((r) => [r.file, r.range.start.line]), [['/w/sft.yaml', 4]]);
  assert.equal(a.issues.find((i) => i.code === 'launch-precision')!.fixes[0].edits[0].newText, 'bf16');
  // Not one launch: nothing across the files.
  assert.deepEqual(pick(await run('/w/sft.yaml')), []);
});

test('launch-ds-conflict: the Trainer\'s own DeepSpeed JSON with accelerate plugin settings; launch-world-size from the command', async () => {
  // DeepSpeedPlugin.__post_init__: with a DeepSpeed config file, ACCELERATE_DEEPSPEED_ZERO_STAGE & co. set raise ValueError.
  const sft = SFT.replace('bf16: true\n', 'deepspeed: ds.json\n');
  const launch: LaunchInfo = { files: ['/w/acc.yaml'], source: 'tasks.json task "sft"', worldSize: 4, worldSizeFrom: 'accelerate launch --num_processes 4' };
  const t = await run('/w/sft.yaml', launch, sft);
  // zero_stage and gradient_accumulation_steps are refused (offload_optimizer_device: none counts too: it is exported);
  // train_batch_size 64 != 4 processes x 4 x 8 = 128 (fill_match: "ds train_batch_size=64 vs hf train_batch_size=128").
  assert.deepEqual(pick(t), ['error:launch-ds-conflict@5', 'error:launch-ds-conflict@5', 'error:launch-ds-conflict@5', 'error:launch-world-size@5']);
  assert.match(t.issues.find((i) => i.code === 'launch-world-size')!.message, /train_batch_size is 64 in ds\.json, but this launch runs 4 processes \(accelerate launch --num_processes 4\) × per_device_train_batch_size 4 × gradient_accumulation_steps 8 = 128/);
  files['/w/sft2.yaml'] = sft;
  const a = await run('/w/acc.yaml', { files: ['/w/sft2.yaml'], source: 'tasks.json task "sft"', worldSize: 4, worldSizeFrom: 'accelerate launch --num_processes 4' });
  assert.deepEqual(pick(a).filter((c) => c.includes('ds-conflict')), ['error:launch-ds-conflict@3', 'error:launch-ds-conflict@4', 'error:launch-ds-conflict@5']);
  assert.ok(pick(a).includes('warning:launch-num-processes@9'));
});

test('llmtrain validate acc.yaml sft.yaml: the pair is checked; each file alone is not', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'llmts-launch-'));
  try {
    writeFileSync(join(dir, 'acc.yaml'), ACC); writeFileSync(join(dir, 'sft.yaml'), SFT);
    let out = '';
    const code = await runValidate([join(dir, 'acc.yaml'), join(dir, 'sft.yaml'), '--format', 'json'], (s) => { out += s; }, () => undefined);
    const got = (JSON.parse(out) as { file: string; code: string; line: number }[]).filter((i) => i.code.startsWith('launch-')).map((i) => `${i.file.replace(dir, '')}:${i.line}:${i.code}`);
    assert.deepEqual(got, ['/acc.yaml:3:launch-mismatch', '/acc.yaml:7:launch-precision', '/sft.yaml:4:launch-mismatch', '/sft.yaml:5:launch-precision']);
    assert.equal(code, 1);
    out = '';
    await runValidate([join(dir, 'sft.yaml'), '--format', 'json'], (s) => { out += s; }, () => undefined);
    assert.deepEqual((JSON.parse(out) as { code: string }[]).filter((i) => i.code.startsWith('launch-')), []);
  } finally { rmSync(dir, { recursive: true, force: true }); }
});

test('the alignment handbook\'s own pair (zero3.yaml launching the zephyr SFT recipe) gives no launch finding', async () => {
  const fx = join(__dirname, '..', 'fixtures');
  const acc = readFileSync(join(fx, 'configs', 'accelerate__alignment-handbook-zero3.yaml'), 'utf8');
  const sft = readFileSync(join(fx, 'workspace', 'configs', 'hf-zephyr-sft-full.yaml'), 'utf8');
  const texts: Record<string, string> = { '/h/zero3.yaml': acc, '/h/config_full.yaml': sft };
  const launch = (other: string): LaunchInfo => ({ files: [other], source: 'tasks.json task "sft"', worldSize: 8, worldSizeFrom: 'accelerate launch --num_processes 8' });
  for (const [path, other] of [['/h/zero3.yaml', '/h/config_full.yaml'], ['/h/config_full.yaml', '/h/zero3.yaml']]) {
    const r = await validateConfigWithFiles(texts[path], { fileName: path, readFile: async (p) => texts[p], launch: launch(other) });
    assert.deepEqual(r.issues.filter((i) => i.severity === 'error' || i.code.startsWith('launch-')).map((i) => i.code), []);
  }
});
