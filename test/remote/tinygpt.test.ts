// Runs the demo workload examples/tiny-gpt/train.py with the system PyTorch (Debian's python3-torch, CPU) and checks
// what the extension relies on: Trainer-style dict lines, a tqdm bar on stderr, checkpoint folders in the HF layout
// with a well-formed safetensors file, and that --resume_from_checkpoint reproduces the uninterrupted run exactly.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const PYTHON = '/usr/bin/python3';
const EXAMPLE = resolve('examples/tiny-gpt');
const TRAIN = join(EXAMPLE, 'train.py');
const CONFIG = join(EXAMPLE, 'config.yaml');

/** A smaller model and shorter schedule than the demo default, so the suite stays well under a minute on 2 cores. */
const SMALL = [
  '--max_steps', '150', '--logging_steps', '10', '--eval_steps', '50', '--save_steps', '50', '--save_total_limit', 'None',
  '--n_layer', '2', '--n_head', '4', '--n_embd', '64', '--block_size', '32', '--per_device_train_batch_size', '16',
  '--learning_rate', '0.01', '--adam_beta2', '0.99', '--warmup_steps', '10', '--lr_scheduler_type', 'cosine',
];

const torchMissing = spawnSync(PYTHON, ['-c', 'import torch'], { encoding: 'utf8' }).status !== 0
  ? `${PYTHON} cannot import torch (apt-get install python3-torch)` : false;

interface Run { code: number | null; stdout: string; stderr: string }

function runTrain(args: string[]): Promise<Run> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(PYTHON, [TRAIN, '--config', CONFIG, ...args], { cwd: EXAMPLE, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => { stdout += d; });
    child.stderr.setEncoding('utf8').on('data', (d: string) => { stderr += d; });
    child.on('error', reject);
    child.on('close', (code) => resolvePromise({ code, stdout, stderr }));
  });
}

type Logs = Record<string, number>;

/** Parses Python dict reprs with Python itself (ast.literal_eval): the lines must be valid Python literals. */
function literalDicts(lines: string[]): Logs[] {
  const r = spawnSync(PYTHON, ['-c', 'import ast, json, sys\nprint(json.dumps([ast.literal_eval(l) for l in sys.stdin.read().splitlines()]))'],
    { input: lines.join('\n'), encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout) as Logs[];
}

function dictLines(stdout: string): string[] {
  return stdout.split('\n').filter((l) => l.startsWith('{'));
}

const TRAIN_KEYS = ['loss', 'grad_norm', 'learning_rate', 'epoch'];
const EVAL_KEYS = ['eval_loss', 'eval_runtime', 'eval_samples_per_second', 'eval_steps_per_second', 'epoch'];
const SUMMARY_KEYS = ['train_runtime', 'train_samples_per_second', 'train_steps_per_second', 'train_loss', 'epoch'];

interface SafetensorsEntry { dtype: string; shape: number[]; data_offsets: [number, number] }

/** Reads a safetensors header (u64 LE length + JSON) and checks that the tensors tile the data area exactly. */
function readSafetensors(path: string): { header: Record<string, SafetensorsEntry>; data: Buffer } {
  const buf = readFileSync(path);
  const n = Number(buf.readBigUInt64LE(0));
  assert.ok(n > 0 && 8 + n <= buf.length, 'header length inside the file');
  const raw = JSON.parse(buf.subarray(8, 8 + n).toString('utf8')) as Record<string, unknown>;
  const data = buf.subarray(8 + n);
  const header: Record<string, SafetensorsEntry> = {};
  for (const [k, v] of Object.entries(raw)) if (k !== '__metadata__') header[k] = v as SafetensorsEntry;
  const spans = Object.values(header).map((e) => e.data_offsets).sort((a, b) => a[0] - b[0]);
  let at = 0;
  for (const [begin, end] of spans) {
    assert.equal(begin, at, 'tensors are contiguous, no gap or overlap');
    at = end;
  }
  assert.equal(at, data.length, 'tensors cover the data area exactly');
  for (const [name, e] of Object.entries(header)) {
    assert.equal(e.dtype, 'F32', name);
    const numel = e.shape.reduce((a, b) => a * b, 1);
    assert.equal(e.data_offsets[1] - e.data_offsets[0], numel * 4, `${name} byte size matches shape ${e.shape}`);
  }
  return { header, data };
}

let work: string;
let full: Run;

before(async () => {
  if (torchMissing) return;
  work = mkdtempSync(join(tmpdir(), 'tinygpt-test-'));
  full = await runTrain([...SMALL, '--output_dir', join(work, 'full')]);
});

after(() => { if (work) rmSync(work, { recursive: true, force: true }); });

test('prints Trainer-style train/eval/summary dicts and the loss really falls', { skip: torchMissing }, () => {
  assert.equal(full.code, 0, full.stderr.slice(-2000));
  const dicts = literalDicts(dictLines(full.stdout));
  const train = dicts.filter((d) => 'loss' in d);
  const evals = dicts.filter((d) => 'eval_loss' in d);
  const summary = dicts.filter((d) => 'train_runtime' in d);
  assert.equal(train.length, 15);
  assert.equal(evals.length, 3);
  assert.equal(summary.length, 1);
  for (const d of train) assert.deepEqual(Object.keys(d), TRAIN_KEYS);
  for (const d of evals) assert.deepEqual(Object.keys(d), EVAL_KEYS);
  assert.deepEqual(Object.keys(summary[0]), SUMMARY_KEYS);
  // loss: 4 decimals as Trainer rounds it; epoch: 2 decimals as ProgressCallback prints it
  for (const d of train) {
    assert.equal(Math.round(d.loss * 1e4) / 1e4, d.loss);
    assert.equal(Math.round(d.epoch * 100) / 100, d.epoch);
    assert.ok(Number.isFinite(d.grad_norm) && d.grad_norm > 0);
  }
  // from about ln(vocab size) down by a wide margin, in the train and the eval loss
  const vocab = Object.keys(JSON.parse(readFileSync(join(work, 'full', 'vocab.json'), 'utf8'))).length;
  assert.ok(train[0].loss < Math.log(vocab) + 0.2 && train[0].loss > 2.8, `first logged loss ${train[0].loss}, ln(V)=${Math.log(vocab)}`);
  assert.ok(train[14].loss < train[0].loss - 0.8, `loss falls: ${train.map((d) => d.loss).join(' ')}`);
  assert.ok(evals[2].eval_loss < evals[0].eval_loss - 0.1, `eval loss falls: ${evals.map((d) => d.eval_loss).join(' ')}`);
  assert.ok(Math.abs(summary[0].train_loss - train.reduce((a, d) => a + d.loss, 0) / train.length) < 1e-3);
  // cosine schedule with 10 warmup steps, logged after the scheduler step (as Trainer does)
  const lrAt = (s: number) => (s < 10 ? 0.01 * (s / 10) : 0.01 * 0.5 * (1 + Math.cos(Math.PI * (s - 10) / 140)));
  train.forEach((d, i) => assert.ok(Math.abs(d.learning_rate - lrAt(10 * (i + 1))) < 1e-12, `lr at step ${10 * (i + 1)}`));
  const epochs = train.map((d) => d.epoch);
  assert.deepEqual([...epochs].sort((a, b) => a - b), epochs, 'epoch grows');
});

test('draws a tqdm-style progress bar on stderr with carriage returns', { skip: torchMissing }, () => {
  const frames = full.stderr.split(/\r|\n/).filter((s) => s.includes('%|'));
  const bar = /^\s*(\d{1,3})%\|[ ▏▎▍▌▋▊▉█]{10}\| (\d+)\/150 \[(\d\d:\d\d)<(\d\d:\d\d|\?), +(\d+\.\d\d(it\/s|s\/it)|\?it\/s)\]\s*$/;
  assert.ok(frames.length >= 2, 'several redraws');
  for (const f of frames) assert.match(f, bar);
  assert.match(frames[0], /^\s*0%\|\s{10}\| 0\/150 /);
  assert.match(frames[frames.length - 1], /^100%\|█{10}\| 150\/150 /);
  assert.ok(full.stderr.includes('\r'), 'redraws use carriage returns');
  assert.ok(!full.stdout.includes('%|'), 'the bar goes to stderr only');
});

test('writes HF-layout checkpoints whose trainer_state.json matches the printed lines', { skip: torchMissing }, () => {
  const out = join(work, 'full');
  const printed = literalDicts(dictLines(full.stdout));
  const ckpts = readdirSync(out).filter((d) => d.startsWith('checkpoint-')).sort();
  assert.deepEqual(ckpts, ['checkpoint-100', 'checkpoint-150', 'checkpoint-50']);
  for (const step of [50, 100, 150]) {
    const dir = join(out, `checkpoint-${step}`);
    for (const f of ['model.safetensors', 'optimizer.pt', 'scheduler.pt', 'rng_state.pth', 'trainer_state.json', 'config.json', 'training_args.bin']) {
      assert.ok(existsSync(join(dir, f)), `${dir}/${f}`);
    }
    const state = JSON.parse(readFileSync(join(dir, 'trainer_state.json'), 'utf8'));
    assert.equal(state.global_step, step);
    assert.equal(state.max_steps, 150);
    assert.equal(state.logging_steps, 10);
    assert.equal(state.eval_steps, 50);
    assert.equal(state.save_steps, 50);
    const history = state.log_history as Logs[];
    const expected = printed.filter((d) => !('train_runtime' in d)).slice(0, step / 10 + step / 50);
    assert.equal(history.length, expected.length);
    let trainSeen = 0;
    let evalSeen = 0;
    history.forEach((h, i) => {
      const p = expected[i];
      assert.equal(h.step, 'loss' in p ? 10 * ++trainSeen : 50 * ++evalSeen, `log_history[${i}].step`);
      for (const k of Object.keys(p)) {
        if (k === 'epoch') assert.equal(Math.round(h.epoch * 100) / 100, p.epoch);
        else assert.equal(h[k], p[k], `checkpoint-${step} log_history[${i}].${k}`);
      }
    });
    // metric_for_best_model: eval_loss (config.yaml) -> the lowest eval_loss so far
    const evalLosses = history.filter((h) => 'eval_loss' in h).map((h) => h.eval_loss);
    assert.equal(state.best_metric, Math.min(...evalLosses));
    assert.ok(String(state.best_model_checkpoint).endsWith(`checkpoint-${history.find((h) => h.eval_loss === state.best_metric)!.step}`));

    const cfg = JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8'));
    const { header, data } = readSafetensors(join(dir, 'model.safetensors'));
    assert.deepEqual(header['wte.weight'].shape, [cfg.vocab_size, 64]);
    assert.deepEqual(header['wpe.weight'].shape, [32, 64]);
    assert.deepEqual(header['h.0.attn.c_attn.weight'].shape, [192, 64]);
    assert.deepEqual(header['h.1.mlp.0.weight'].shape, [256, 64]);
    assert.equal(header['lm_head.weight'], undefined, 'the tied lm_head is stored once, as wte.weight');
    const [b, e] = header['ln_f.weight'].data_offsets;
    const ln = new Float32Array(data.buffer.slice(data.byteOffset + b, data.byteOffset + e));
    assert.ok(ln.every((v) => Number.isFinite(v)) && ln.some((v) => v !== 1), 'trained LayerNorm weights');
  }
  const finalState = JSON.parse(readFileSync(join(out, 'trainer_state.json'), 'utf8'));
  const last = finalState.log_history[finalState.log_history.length - 1];
  assert.ok(last.train_runtime > 0 && last.total_flos > 0 && last.step === 150);
  assert.ok(statSync(join(out, 'model.safetensors')).size > 0);
});

test('--resume_from_checkpoint reproduces steps 101..150 exactly', { skip: torchMissing }, async () => {
  const out = join(work, 'resumed');
  cpSync(join(work, 'full', 'checkpoint-100'), join(out, 'checkpoint-100'), { recursive: true });
  const resumed = await runTrain([...SMALL, '--output_dir', out, '--resume_from_checkpoint', 'latest']);
  assert.equal(resumed.code, 0, resumed.stderr.slice(-2000));
  assert.match(resumed.stdout, /Continuing training from checkpoint .*checkpoint-100, will skip to saved global_step 100/);
  const strip = (d: Logs) => Object.fromEntries(Object.entries(d).filter(([k]) => !/runtime|per_second/.test(k)));
  const after100 = literalDicts(dictLines(full.stdout)).filter((d) => !('train_runtime' in d)).slice(12).map(strip);
  const again = literalDicts(dictLines(resumed.stdout)).filter((d) => !('train_runtime' in d)).map(strip);
  assert.equal(again.length, 6, 'steps 110..150 train lines plus the eval at 150');
  assert.deepEqual(again, after100);
  const stateA = JSON.parse(readFileSync(join(work, 'full', 'checkpoint-150', 'trainer_state.json'), 'utf8'));
  const stateB = JSON.parse(readFileSync(join(out, 'checkpoint-150', 'trainer_state.json'), 'utf8'));
  assert.deepEqual(stateB.log_history.map(strip), stateA.log_history.map(strip));
  assert.ok(readFileSync(join(out, 'checkpoint-150', 'model.safetensors')).equals(readFileSync(join(work, 'full', 'checkpoint-150', 'model.safetensors'))),
    'bit-identical weights after resuming');
});

test('bad configs fail fast with a clear message and train nothing', { skip: torchMissing }, async () => {
  const bad = join(work, 'bad.yaml');
  writeFileSync(bad, 'output_dir: x\nlearning_rte: 0.001\n');
  const r = spawnSync(PYTHON, [TRAIN, '--config', bad], { cwd: EXAMPLE, encoding: 'utf8' });
  assert.equal(r.status, 2);
  assert.match(r.stderr, /unknown keys \['learning_rte'\]/);
  const both = spawnSync(PYTHON, [TRAIN, '--config', CONFIG, '--fp16', 'true', '--bf16', 'true', '--output_dir', join(work, 'never')], { cwd: EXAMPLE, encoding: 'utf8' });
  assert.equal(both.status, 2);
  assert.match(both.stderr, /At most one of fp16 and bf16/);
  assert.ok(!existsSync(join(work, 'never')));
});

test('the YAML fallback reader (no PyYAML) reads config.yaml and model.yaml like PyYAML does', { skip: torchMissing }, () => {
  const script = (blockYaml: boolean) => `
import sys, json
${blockYaml ? "sys.modules['yaml'] = None" : ''}
sys.path.insert(0, ${JSON.stringify(EXAMPLE)})
import train
out = {}
for f in ('config.yaml', 'model.yaml'):
    raw = train.load_yaml(${JSON.stringify(EXAMPLE)} + '/' + f)
    table = train.TRAINING_ARGS if f == 'config.yaml' else train.MODEL_ARGS
    out[f] = {k: train.coerce(k, table[k][0], v) for k, v in raw.items() if k in table}
print(json.dumps(out, sort_keys=True))`;
  const fallback = spawnSync(PYTHON, ['-c', script(true)], { encoding: 'utf8' });
  assert.equal(fallback.status, 0, fallback.stderr);
  const parsed = JSON.parse(fallback.stdout);
  assert.equal(parsed['config.yaml'].learning_rate, 0.006);
  assert.equal(parsed['config.yaml'].adam_beta2, 0.99);
  assert.equal(parsed['model.yaml'].block_size, 32);
  assert.equal(parsed['config.yaml'].eval_strategy, 'steps');
  assert.equal(parsed['config.yaml'].greater_is_better, false);
  const hasYaml = spawnSync(PYTHON, ['-c', 'import yaml'], { encoding: 'utf8' }).status === 0;
  if (hasYaml) {
    const withYaml = spawnSync(PYTHON, ['-c', script(false)], { encoding: 'utf8' });
    assert.equal(withYaml.status, 0, withYaml.stderr);
    assert.deepEqual(JSON.parse(withYaml.stdout), parsed);
  }
});

test('--debug_nan_at_step makes the run diverge the way Trainer prints it: nan values in the dicts', { skip: torchMissing }, async () => {
  const r = await runTrain([...SMALL, '--max_steps', '20', '--eval_steps', '20', '--save_strategy', 'no', '--debug_nan_at_step', '11',
    '--output_dir', join(work, 'nan')]);
  assert.equal(r.code, 0, r.stderr.slice(-2000));
  const lines = dictLines(r.stdout);
  assert.match(lines[0], /^\{'loss': \d+\.\d+, 'grad_norm': \d+\.\d+(e-?\d+)?, 'learning_rate': [\d.e-]+, 'epoch': [\d.]+\}$/);
  // Python prints float('nan') as nan, which is not a Python literal: log parsers must take it as NaN
  assert.match(lines[1], /^\{'loss': nan, 'grad_norm': nan, 'learning_rate': [\d.e-]+, 'epoch': [\d.]+\}$/);
  assert.match(lines[2], /^\{'eval_loss': nan, /);
});
