/**
 * Issue 15, "DeepSpeed optimizer and scheduler blocks against the Trainer's values": scheduler step counts
 * (`total_num_steps`, `warmup_num_steps`) hard-coded where the HF Trainer computes them (`ds-scheduler-steps`,
 * rulesCross.ts `dsScheduleSteps`), with the step count the dataset rows, epochs, batch and world size imply.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { validateConfigWithFiles } from '../../src/core/config/index';
import type { LaunchInfo, ValidationResult } from '../../src/core/config/index';

// deepspeedai/DeepSpeed#633: WarmupDecayLR needs total_num_steps at init, which the Trainer only knows from the
// dataset length, epochs and accumulation; transformers fills it when it is "auto" and otherwise compares
// (integrations/deepspeed.py trainer_config_finalize: "ds scheduler.params.total_num_steps=5000 vs hf
// num_training_steps (calculated)=1000").
const DS = '{\n  "train_micro_batch_size_per_gpu": "auto",\n  "scheduler": {\n    "type": "WarmupDecayLR",\n    "params": {\n      "warmup_min_lr": "auto",\n      "warmup_max_lr": "auto",\n      "warmup_num_steps": 100,\n      "total_num_steps": 5000\n    }\n  }\n}\n';
const rows = Array.from({ length: 100 }, (_, i) => JSON.stringify({ instruction: `q${i}`, input: '', output: `a${i}` })).join('\n') + '\n';
const files: Record<string, string> = { '/w/ds.json': DS, '/w/data/train.jsonl': rows };
const run = (text: string, fileName: string, launch?: LaunchInfo): Promise<ValidationResult> => validateConfigWithFiles(text, { fileName, readFile: async (p) => files[p], ...(launch ? { launch } : {}) });
const pick = (r: ValidationResult) => r.issues.filter((i) => i.code === 'ds-scheduler-steps').map((i) => `${i.severity}@${i.range.start.line + 1}`);

test('ds-scheduler-steps: max_steps and warmup_steps are known exactly: errors, with a fix to "auto" in the JSON', async () => {
  const r = await run('model_name_or_path: gpt2\noutput_dir: out\nmax_steps: 1000\nwarmup_steps: 50\ndeepspeed: ds.json\n', '/w/train.yaml');
  assert.deepEqual(pick(r), ['error@4', 'error@5']);
  const tot = r.issues.find((i) => i.code === 'ds-scheduler-steps' && /total_num_steps/.test(i.message))!;
  assert.match(tot.message, /hard-coded to 5000 in ds\.json; the HF Trainer computes the step count itself \(1000: max_steps: 1000\)/);
  assert.deepEqual(tot.fixes[0].edits.map((e) => [e.file, e.range.start.line, e.newText]), [['/w/ds.json', 8, '"auto"']]);
  assert.deepEqual(tot.related.map((x) => [x.file, x.range.start.line]), [['/w/ds.json', 8]]);
  const warm = r.issues.find((i) => /warmup_num_steps/.test(i.message))!;
  assert.match(warm.message, /computes 50 \(warmup_steps: 50\)/);
  // Both "auto": nothing to report.
  files['/w/ds-auto.json'] = DS.replace('100', '"auto"').replace('5000', '"auto"');
  assert.deepEqual(pick(await run('model_name_or_path: gpt2\noutput_dir: out\nmax_steps: 1000\ndeepspeed: ds-auto.json\n', '/w/train.yaml')), []);
});

test('ds-scheduler-steps: without max_steps, the count the dataset rows imply, on the launch\'s world size', async () => {
  // Axolotl: 100 rows / 2 processes = 50 per rank, / micro_batch_size 2 = 25 batches, / accumulation 4 = 7 steps per
  // epoch, × num_epochs 3 = 21 (a warning: packing or length filters can change the rows the Trainer sees).
  const ax = 'base_model: gpt2\ndatasets:\n  - path: data/train.jsonl\n    type: alpaca\nmicro_batch_size: 2\ngradient_accumulation_steps: 4\nnum_epochs: 3\nwarmup_steps: 100\ndeepspeed: ds.json\n';
  const r = await run(ax, '/w/ax.yml', { files: [], source: 'tasks.json task "ax"', worldSize: 2, worldSizeFrom: 'accelerate launch --num_processes 2' });
  assert.deepEqual(pick(r), ['warning@9']);
  assert.match(r.issues.find((i) => i.code === 'ds-scheduler-steps')!.message, /\(21: 100 rows in train\.jsonl on 2 processes \/ micro_batch_size 2 \/ gradient_accumulation_steps 4 = 7 steps per epoch × 3 epochs\)/);
  // The same step count written in the JSON is accepted.
  files['/w/ds21.json'] = DS.replace('5000', '21');
  assert.deepEqual(pick(await run(ax.replace('ds.json', 'ds21.json'), '/w/ax.yml', { files: [], source: 't', worldSize: 2 })), []);
});
