// Key: value blocks of custom training loops, the tokens axis, and `llmtrain metrics` on a run folder: the findings
// of issue 12's fresh tryout (tester's inputs kv.log, kv2.log, kv3.log, kv5.log, kvpt.log, mega-cp.log). Each log
// here is a small one written from the shape of the tester's input named above it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { createMetricsFeed, parseLog } from '../../src/core/metrics';
import { readMetrics, renderMetrics } from '../../src/cli/metrics';
import { LocalRunner } from '../../src/remote/localRunner';
import { startRun } from '../../src/remote/runs';
import type { MetricPoint } from '../../src/core/metrics';

const of = (points: MetricPoint[], name: string) => points.filter((p) => p.series === name).map((p) => [p.step, p.value]);

/** A feed over the whole text, ended: its series names, alerts and info. */
function feedOf(text: string) {
  const feed = createMetricsFeed('t', 't', { now: null });
  feed.pushChunk(text);
  feed.end();
  return { names: feed.store.seriesNames(), alerts: feed.snapshot().alerts, info: feed.info(), feed };
}

test('Key: value block keys get the names JSON-line keys get: train/loss and loss/train are loss, and a NaN one alerts', () => {
  // Tester's kv5.log: a `Step 100/1000` header, then indented `train/loss: 2.345`, `train/lr: 0.0001`,
  // `train/grad_norm: 0.91`; the third block has `train/loss: nan`. It kept `train/loss` and raised no NaN alert.
  const log = ['Step 100/1000', '  train/loss: 2.345', '  train/lr: 0.0001', '  train/grad_norm: 0.91',
    'Step 200/1000', '  train/loss: 2.201', '  train/lr: 0.0001', '  train/grad_norm: 0.88',
    'Step 300/1000', '  train/loss: nan', '  train/lr: 0.0001', '  train/grad_norm: 0.87', ''].join('\n');
  const f = feedOf(log);
  assert.deepEqual(f.names.sort(), ['grad_norm', 'learning_rate', 'loss']);
  assert.deepEqual(f.alerts.map((a) => `${a.kind} ${a.series}@${a.step}`), ['nan loss@300']);
  // the suffix form, as a Lightning user groups TensorBoard tags; JSON lines map it the same way
  const suffix = parseLog(['step: 1', 'loss/train: 2.0', 'loss/val: 2.2', '', 'step: 2', 'loss/train: nan', 'loss/val: 2.1', ''].join('\n'));
  assert.deepEqual(of(suffix.points, 'loss'), [[1, 2], [2, NaN]]);
  assert.deepEqual(of(suffix.points, 'eval_loss'), [[1, 2.2], [2, 2.1]]);
  const jsonl = parseLog('{"step": 1, "loss/train": 2.0, "train/loss": 2.0}\n', { fileName: 'm.jsonl' });
  assert.deepEqual([...new Set(jsonl.points.map((p) => p.series))], ['loss']);
});

test('a block header line (`Step 100/1000`, `=== step 10 ===`) gives the step of the block after it', () => {
  // Tester's kv2.log (`=== step 10 ===` then `train_loss: 3.21`, `lr: 1.0e-04`, `tokens: 40960`) and kv5.log
  // (`Step 100/1000`): the points landed at 1..3, the record index, with no note.
  const kv2 = parseLog(['=== step 10 ===', 'train_loss: 3.21', 'lr: 1.0e-04', 'tokens: 40960',
    '=== step 20 ===', 'train_loss: 3.05', 'lr: 1.0e-04', 'tokens: 81920',
    '=== step 30 ===', 'train_loss: 2.97', 'lr: 1.0e-04', 'tokens: 122880', ''].join('\n'));
  assert.equal(kv2.format, 'key-value');
  assert.deepEqual(of(kv2.points, 'loss'), [[10, 3.21], [20, 3.05], [30, 2.97]]);
  assert.deepEqual(of(kv2.points, 'tokens'), [[10, 40960], [20, 81920], [30, 122880]]);
  assert.equal(kv2.meta.unplaced_points, undefined);
  const kv5 = parseLog(['Step 100/1000', '  train/loss: 2.345', '  train/lr: 0.0001', 'Step 200/1000', '  train/loss: 2.201', '  train/lr: 0.0001', ''].join('\n'));
  assert.deepEqual(of(kv5.points, 'loss'), [[100, 2.345], [200, 2.201]]);
  // a header's step is for the next block only: a block after a blank line without a header of its own keeps the
  // step its own lines give
  const once = parseLog(['Step 5', 'loss: 2.0', 'lr: 1', '', 'step: 9', 'loss: 1.9', 'lr: 1', ''].join('\n'));
  assert.deepEqual(of(once.points, 'loss'), [[5, 2], [9, 1.9]]);
});

test('Key: value lines behind a timestamp prefix are read as the same blocks', () => {
  // Tester's kv3.log: `[2024-06-01 12:00:01] step: 10`, `[2024-06-01 12:00:01]   loss: 3.21`, ...: "no known log
  // format recognised". Python logging's own prefixes (`2024-06-01 12:00:01,123 - INFO - `, `INFO:__main__:`) too.
  const kv3 = parseLog(['[2024-06-01 12:00:01] step: 10', '[2024-06-01 12:00:01]   loss: 3.21', '[2024-06-01 12:00:01]   lr: 0.0001',
    '[2024-06-01 12:00:11] step: 20', '[2024-06-01 12:00:11]   loss: 3.05', '[2024-06-01 12:00:11]   lr: 0.0001', ''].join('\n'));
  assert.equal(kv3.format, 'key-value');
  assert.deepEqual(of(kv3.points, 'loss'), [[10, 3.21], [20, 3.05]]);
  assert.deepEqual(of(kv3.points, 'learning_rate'), [[10, 0.0001], [20, 0.0001]]);
  assert.ok(kv3.points.every((p) => p.time !== undefined), 'the prefix still dates the points');
  const logging = parseLog(['2024-06-01 12:00:01,123 - INFO - step: 1', '2024-06-01 12:00:01,124 - INFO - loss: 2.5',
    'INFO:__main__:step: 2', 'INFO:__main__:loss: 2.4', ''].join('\n'));
  assert.deepEqual(of(logging.points, 'loss'), [[1, 2.5], [2, 2.4]]);
});

test('tokens seen: `Tokens seen:` and tokens_seen are a tokens axis; a per-step count is not, and the feed says why', () => {
  // Tester's kv.log: blocks with `Tokens seen: 409600`, 819200, 1228800: "no tokens-seen series" while listing
  // tokens_seen. A JSON-line tokens_seen key likewise.
  const kv = feedOf(['Epoch: 0', 'Step: 100', 'Loss: 2.3456', 'Tokens seen: 409600', '', 'Epoch: 0', 'Step: 200', 'Loss: 2.1011', 'Tokens seen: 819200', ''].join('\n'));
  assert.deepEqual(kv.info.tokens, { series: 'tokens_seen', how: "tokens seen from the log's tokens_seen" });
  assert.deepEqual([...kv.feed.store.x('loss', 'tokens')!], [409600, 819200]);
  const jl = createMetricsFeed('j', 'j', { now: null, fileName: 'metrics.jsonl' });
  jl.pushChunk('{"step": 1, "loss": 2.0, "tokens_seen": 2048}\n{"step": 2, "loss": 1.9, "tokens_seen": 4096}\n');
  jl.end();
  assert.equal(jl.info().tokens?.series, 'tokens_seen');
  // Tester's kvpt.log: `Tokens: 4096`, 4096, 4090 at steps 1..3, a count per step: it was taken as tokens seen
  // (an axis that goes back). Now it is not the axis, and a note says why.
  const pt = ['Step: 1', 'Loss: 2.0', 'Tokens: 4096', '', 'Step: 2', 'Loss: 1.9', 'Tokens: 4096', '', 'Step: 3', 'Loss: 1.8', 'Tokens: 4090', ''].join('\n');
  const f = feedOf(pt);
  assert.equal(f.info.tokens, undefined);
  assert.equal(f.feed.store.x('loss', 'tokens'), undefined);
  assert.deepEqual(f.info.notes, ["Tokens axis: the log's tokens is not used as tokens seen: it goes down from 4096 at step 2 to 4090 at step 3, so it is a count per step or per record, not a running total."]);
  // a constant count per step does not go down, and is no running total either
  const flat = feedOf(['Step: 1', 'Loss: 2.0', 'Tokens: 4096', '', 'Step: 2', 'Loss: 1.9', 'Tokens: 4096', ''].join('\n'));
  assert.equal(flat.info.tokens, undefined);
  assert.match(flat.info.notes.join('\n'), /the log's tokens is not used as tokens seen: it stays at 4096 over steps 1\.\.2/);
  // a running total that starts at 0 and grows is used
  const grow = feedOf(['Step: 1', 'Loss: 2.0', 'Tokens: 0', '', 'Step: 2', 'Loss: 1.9', 'Tokens: 0', '', 'Step: 3', 'Loss: 1.8', 'Tokens: 4096', ''].join('\n'));
  assert.equal(grow.info.tokens?.series, 'tokens');
  assert.deepEqual(grow.info.notes, []);
});

test('Megatron context-parallel factor: the JSON says it is conditional, the text does not read as the fp16 loss scale', async () => {
  // Tester's mega-cp.log: Megatron-LM `_print_args` banner with context_parallel_size 2, then iteration lines with
  // `loss scale: 1.0` (the fp16 loss scale). `llmtrain metrics --format json` gave `lossScale.factor: 2` with nothing
  // saying it holds only for Megatron-LM before September 2024; the text read `loss scale: 2×`.
  const it = (i: number) => ` [2024-05-01 10:00:${i}0] iteration       ${i}0/   10000 | consumed samples:          ${i * 640} | elapsed time per iteration (ms): 1523.4 | learning rate: 3.000000E-04 | global batch size:    64 | lm loss: 1.99${i}000E+00 | loss scale: 1.0 | grad norm: 1.234 | number of skipped iterations:   0 | number of nan iterations:   0 |`;
  const log = ['------------------------ arguments ------------------------', '  context_parallel_size ........................... 2',
    '  global_batch_size ............................... 64', '  seq_length ...................................... 4096',
    '-------------------- end of arguments ---------------------', 'training ...', it(1), it(2), it(3), ''].join('\n');
  const dir = mkdtempSync(join(tmpdir(), 'llmts-cp-'));
  try {
    writeFileSync(join(dir, 'train.log'), log);
    const r = await readMetrics(join(dir, 'train.log'));
    const j = JSON.parse(renderMetrics(r, 'json'));
    assert.equal(j.lossScale.factor, 2);
    assert.equal(j.lossScale.conditional, true);
    assert.match(j.lossScale.applies, /Megatron-LM predates commit 3bdcbbb \(September 2024\)/);
    const txt = renderMetrics(r, 'text');
    assert.doesNotMatch(txt, /^loss scale/m);
    assert.match(txt, /^logged loss factor: 2×, only if the run's Megatron-LM predates commit 3bdcbbb \(September 2024\), which the log does not say \(context_parallel_size 2/m);
  } finally { rmSync(dir, { recursive: true, force: true }); }
});

test('llmtrain metrics on a run folder\'s output.log takes the run\'s settings from run.json and its config snapshot, as the chart does', async () => {
  // Tester's finding 3: a run launched with `llmtrain run --config cfg.yaml` (cfg.yaml: per_device_train_batch_size 4,
  // gradient_accumulation_steps 8, max_seq_length 2048) and `llmtrain metrics <run>/output.log` said "settings: none".
  // A real local run: run.json, config/cfg.yaml and output.log under LLMTRAIN_LOCAL_HOME (set by
  // scripts/run-node-tests.mjs).
  const work = mkdtempSync(join(tmpdir(), 'llmts-runfolder-'));
  const home = process.env.LLMTRAIN_LOCAL_HOME;
  assert.ok(home, 'the test runner gives local runs a home of their own');
  try {
    const cfg = join(work, 'cfg.yaml');
    writeFileSync(cfg, 'model_name_or_path: TinyLlama/TinyLlama-1.1B-Chat-v1.0\noutput_dir: out\nper_device_train_batch_size: 4\ngradient_accumulation_steps: 8\nmax_seq_length: 2048\nlearning_rate: 2.0e-5\n');
    // what `llmtrain run --config cfg.yaml -- ...` does (src/cli/run.ts); called directly, as the CLI's stdout is the
    // test runner's channel
    const run = await startRun(new LocalRunner({ home }), { argv: ['bash', '-c', 'printf "Step: 1\\nLoss: 2.0\\n\\nStep: 2\\nLoss: 1.9\\n"'], cwd: work, env: {}, configSnapshot: { fileName: cfg, content: readFileSync(cfg, 'utf8') } });
    const dir = dirname(run.logPath);
    assert.equal(basename(run.logPath), 'output.log');
    for (let i = 0; i < 100 && !existsSync(join(dir, 'exit.json')); i++) await new Promise((r) => setTimeout(r, 50));
    const r = await readMetrics(join(dir, 'output.log'));
    assert.deepEqual(r.series.get('loss'), [[1, 2], [2, 1.9]]);
    assert.equal(r.info.settings.gradientAccumulationSteps, 8);
    assert.equal(r.info.settings.seqLength, 2048);
    assert.equal(r.info.settings.microBatchSize, 4);
    assert.equal(r.info.settings.sources.gradientAccumulationSteps, 'config');
    assert.match(renderMetrics(r, 'text'), /^settings \(config\): gradient accumulation 8, micro batch 4, sequence length 2048$/m);
    // a run folder copied elsewhere (from another host, or archived) still finds its config snapshot inside itself
    const copy = join(work, 'copied-run');
    cpSync(dir, copy, { recursive: true });
    rmSync(join(dir, 'config'), { recursive: true, force: true });
    assert.equal((await readMetrics(join(copy, 'output.log'))).info.settings.gradientAccumulationSteps, 8);
    // a log with no run.json beside it reads as before
    writeFileSync(join(work, 'plain.log'), 'Step: 1\nLoss: 2.0\n\nStep: 2\nLoss: 1.9\n');
    assert.deepEqual((await readMetrics(join(work, 'plain.log'))).info.settings, { sources: {} });
  } finally { rmSync(work, { recursive: true, force: true }); }
});
