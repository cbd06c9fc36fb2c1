// Curves that mean what they show (issue 12): one global step axis, NaN iterations, Key: value blocks, resumed runs,
// crash lines. Each log here is a small one written from the facts of a public report, cited above it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createMetricsFeed, detectCrashLine, lossScaleOf, mergeSettings, parseLog, scaleDifferences, settingsFromConfig, tokensPerStepOf, worldSizeFromArgv } from '../../src/core/metrics';
import type { MetricPoint } from '../../src/core/metrics';

const LOGS = join(__dirname, '..', 'fixtures', 'logs');
const of = (points: MetricPoint[], name: string) => points.filter((p) => p.series === name);
const steps = (points: MetricPoint[], name: string) => of(points, name).map((p) => p.step);

test('DeepSpeed overflow records without a bar beside them take the step after the last stepped record', () => {
  // Megatron-DeepSpeed prints DeepSpeed's fp16 OVERFLOW record between iteration lines (the overflow happens inside
  // the next iteration's optimizer step): it belongs to that iteration, not to "overflow number 1".
  const log = [
    ' iteration      100/    1000 | consumed samples:        12800 | elapsed time per iteration (ms): 901.2 | learning rate: 1.000E-04 | global batch size:   128 | lm loss: 2.501000E+00 | loss scale: 65536.0 | grad norm: 0.812 | number of skipped iterations:   0 | number of nan iterations:   0 |',
    '[2023-05-02 10:00:01,000] [INFO] [stage_1_and_2.py:1799:step] [deepspeed] OVERFLOW! Rank 0 Skipping step. Attempted loss scale: 65536.0, reducing to 32768.0',
    ' iteration      101/    1000 | consumed samples:        12928 | elapsed time per iteration (ms): 899.7 | learning rate: 1.000E-04 | global batch size:   128 | lm loss: 2.498000E+00 | loss scale: 32768.0 | grad norm: 0.799 | number of skipped iterations:   1 | number of nan iterations:   0 |',
  ].join('\n');
  const r = parseLog(`${log}\n`);
  assert.deepEqual(of(r.points, 'loss_scale').map((p) => [p.step, p.value]), [[100, 65536], [101, 32768]]);
  assert.deepEqual(steps(r.points, 'overflows'), [101]);
  assert.equal(r.meta.unplaced_points, undefined);
});

test('Megatron-DeepSpeed: a log that opens on iterations without lm loss and with grad norm: nan has NaN loss points', () => {
  // bigscience-workshop/Megatron-DeepSpeed#396: "I do not find loss in the logs ... grad norm: nan"; the excerpt's
  // lines carry `grad norm: nan` and no `lm loss` from its first line on; the nan-iterations counter stays 0.
  const line = (it: number, samples: number) => ` iteration     ${it}/  250000 | consumed samples:        ${samples} | consumed tokens:     ${samples * 2048} | elapsed time per iteration (ms): 4247.9 | learning rate: 2.999E-04 | global batch size:     8 | loss scale: 1.0 | grad norm: nan | actual seqlen:  2048 | number of skipped iterations:   0 | number of nan iterations:   0 | samples per second: 1.883 | TFLOPs: 78.36 |`;
  const r = parseLog([line(5426, 43408), line(5427, 43416), line(5428, 43424)].join('\n') + '\n');
  assert.equal(r.format, 'megatron');
  assert.deepEqual(steps(r.points, 'loss'), [5426, 5427, 5428]);
  assert.ok(of(r.points, 'loss').every((p) => Number.isNaN(p.value)));
  assert.ok(of(r.points, 'grad_norm').every((p) => Number.isNaN(p.value)));
  // the counterpart: a first line without lm loss whose grad norm is finite is no NaN (corpus: Megatron-LLM PR 34)
  const ok = parseLog(readFileSync(join(LOGS, 'megatron-llm__bad-grad-norm-warning-skipped.log')));
  assert.equal(ok.points.some((p) => p.series === 'loss'), false);
});

test('Key: value blocks of a custom training loop are one record per block, at the block\'s step or epoch', () => {
  // The shape issue 12 reports for hand-written loops: one record spread over `Key: value` lines. A config echo
  // before it (`lr: 0.0001`, `batch_size: 8`: no loss) is no record.
  const log = [
    'lr: 0.0001', 'batch_size: 8', 'Starting...',
    'Step: 100', 'Loss: 2.4512', 'Learning rate: 9.5e-05', 'Tokens/sec: 12,345',
    'Step: 200', 'Loss: 2.1007', 'Learning rate: 9.0e-05', 'Tokens/sec: 12,400',
  ].join('\n');
  const r = parseLog(`${log}\n`); // the last block is flushed at the end
  assert.equal(r.format, 'key-value');
  assert.deepEqual(of(r.points, 'loss').map((p) => [p.step, p.value]), [[100, 2.4512], [200, 2.1007]]);
  assert.deepEqual(of(r.points, 'learning_rate').map((p) => [p.step, p.value]), [[100, 9.5e-5], [200, 9e-5]]);
  assert.deepEqual(of(r.points, 'tokens/sec').map((p) => p.value), [12345, 12400]);
  assert.equal(r.points.some((p) => p.series === 'batch_size' || p.series === 'lr'), false);
  // blocks separated by blank lines, keyed by epoch only: the epoch is the step
  const e = parseLog(['Epoch: 1', 'Train loss: 1.95', 'Val loss: 2.05', '', 'Epoch: 2', 'Train loss: 1.80', 'Val loss: 2.01', ''].join('\n'));
  assert.deepEqual(of(e.points, 'loss').map((p) => [p.step, p.value]), [[1, 1.95], [2, 1.8]]);
  assert.deepEqual(of(e.points, 'eval_loss').map((p) => [p.step, p.value]), [[1, 2.05], [2, 2.01]]);
});

test('a resumed run keeps both segments, marks the restart and raises resume-jump when the loss jumps', () => {
  // huggingface/transformers#24395-style resume: the second launch appends `***** Running training *****` and
  // re-logs from its checkpoint step; here the optimizer state was not restored and the loss jumps back up.
  const dict = (loss: number) => `{'loss': ${loss}, 'learning_rate': 1e-05, 'epoch': 0.1}`;
  const bar = (n: number) => ` ${n}%|          | ${n}/100 [00:10<01:30,  1.00it/s]`;
  const first = ['***** Running training *****'];
  for (let s = 1; s <= 6; s++) first.push(bar(s * 10), dict(3 - s * 0.2), bar(s * 10));
  const second = ['***** Running training *****', '  Continuing training from global step 40'];
  for (let s = 5; s <= 7; s++) second.push(bar(s * 10), dict(s === 5 ? 3.4 : 2.0), bar(s * 10));
  const feed = createMetricsFeed('r', 'resumed', { now: null });
  feed.pushChunk(`${first.join('\n')}\n`);
  feed.pushChunk(`${second.join('\n')}\n`);
  feed.end();
  const byName = new Map(feed.snapshot().series.map((s) => [s.name, s]));
  assert.deepEqual([...byName.get('loss (segment 1)')!.steps], [10, 20, 30, 40, 50, 60]);
  assert.deepEqual([...byName.get('loss')!.steps], [10, 20, 30, 40, 50, 60, 70]);
  assert.ok(Math.abs(byName.get('loss')!.values[4] - 3.4) < 1e-6);
  assert.ok(Math.abs(byName.get('loss (segment 1)')!.values[4] - 2.0) < 1e-6);
  const kinds = feed.snapshot().alerts.map((a) => `${a.kind}@${a.step}`);
  assert.ok(kinds.includes('restart@50'), kinds.join());
  assert.ok(kinds.includes('resume-jump@50'), kinds.join());
});

test('a restart from scratch with the same losses is marked but raises no jump', () => {
  const feed = createMetricsFeed('r', 'restarted', { now: null });
  const run = ['Starting training', ...[1, 2, 3, 4].map((i) => `iter ${i}: loss ${(4 - i * 0.5).toFixed(4)}, time 10.0ms, mfu 1.00%`)].join('\n');
  feed.pushChunk(`${run}\n${run}\n`);
  feed.end();
  const kinds = feed.snapshot().alerts.map((a) => `${a.kind}@${a.step}`);
  assert.deepEqual(kinds, ['restart@1']);
});

test('crash lines: the line, the reason and the last step', () => {
  const st = {};
  // torchrun/elastic (pytorch/pytorch#118369-style tail): the child's failure and its exit code
  assert.equal(detectCrashLine('torch.distributed.elastic.multiprocessing.api: [ERROR] failed (exitcode: -9) local_rank: 0 (pid: 4711) of binary: /usr/bin/python3', st)?.kind, 'elastic-child-failed');
  // the shell's SIGKILL report (Linux OOM killer)
  assert.equal(detectCrashLine('/bin/bash: line 1: 4711 Killed                  python train.py', st)?.kind, 'killed');
  assert.equal(detectCrashLine('Killed', st)?.kind, 'killed');
  assert.equal(detectCrashLine('Skilled workers: 3', st), undefined);
  // a traceback is named by its exception line
  assert.equal(detectCrashLine('Traceback (most recent call last):', st), undefined);
  assert.equal(detectCrashLine('  File "train.py", line 12, in <module>', st), undefined);
  const t = detectCrashLine('ValueError: Expected input batch_size (8) to match target batch_size (16).', st);
  assert.deepEqual([t?.kind, t?.reason], ['traceback', 'ValueError']);
  assert.equal(detectCrashLine('ValueError: later, outside a traceback', st), undefined);

  // LlamaFactory#8261 (corpus): the NCCL watchdog line glued after the bar at 24 ends the run; the last point is 20
  const feed = createMetricsFeed('r', 'nccl', { now: null });
  feed.pushChunk(readFileSync(join(LOGS, 'llamafactory__numbered-log-loss-to-zero-then-nccl-timeout.log')));
  feed.end();
  const crash = feed.snapshot().alerts.filter((a) => a.kind === 'crash');
  assert.equal(crash.length, 1);
  assert.equal(crash[0].step, 20);
  // the rank prefix glued after the bar is not part of the line (as at the start of a line; `CrashLine`)
  assert.match(crash[0].message, /^NCCL watchdog timeout: \[E602 .*Watchdog caught collective operati$/);
  assert.equal(feed.lastError?.crash, 'nccl-timeout');

  // transformers OOM report (corpus): no point before it -> step 0, and the line
  const oom = createMetricsFeed('r', 'oom', { now: null });
  oom.pushChunk(readFileSync(join(LOGS, 'hf-trainer__oom-tried-to-allocate-64GiB.log')));
  oom.end();
  assert.match(oom.snapshot().alerts[0].message, /^CUDA out of memory: .*Tried to allocate 64\.00 GiB/);
});

test('the chart\'s store keeps an earlier segment the same way when a delta steps back', async () => {
  const { ChartStore } = await import('../../webview-ui/metrics/store.js');
  const f = (a: number[]) => Float64Array.from(a);
  const cs = new ChartStore();
  cs.reset([{ runId: 'r', title: 'r', series: [{ name: 'loss', steps: f([10, 20, 30, 40]), values: f([5, 4, 3, 2]) }], alerts: [] }]);
  // one delta holding the end of the first launch and the start of the resumed one
  cs.append('r', [{ name: 'loss', steps: f([50, 30, 40]), values: f([1.5, 3.3, 3.1]) }], []);
  const run = cs.runs.get('r')!;
  assert.deepEqual([...run.series.get('loss (segment 1)')!.steps.view()], [10, 20, 30, 40, 50]);
  assert.deepEqual([...run.series.get('loss')!.steps.view()], [10, 20, 30, 40]);
  assert.deepEqual([...run.series.get('loss')!.values.view()], [5, 4, 3.3, 3.1]);
  assert.equal(run.series.get('loss (segment 1)')!.segmentOf, 'loss');
});

test('the chart\'s store holds packed steps and times as it holds arrays; a packed resume still starts a segment (issue 12)', async () => {
  const { ChartStore } = await import('../../webview-ui/metrics/store.js');
  const n = 1000, t0 = 1.7e12;
  const steps = Float64Array.from({ length: n }, (_, i) => 5 * (i + 1)), values = Float64Array.from({ length: n }, (_, i) => 3 - i / n);
  const times = Float64Array.from({ length: n }, (_, i) => t0 + 2000 * i);
  const packed = new ChartStore(), plain = new ChartStore();
  packed.reset([{ runId: 'r', title: 'r', series: [{ name: 'loss', steps: { first: 5, stride: 5, count: n }, values: values.slice(), times: { first: t0, stride: 2000, count: n } }], alerts: [] }]);
  plain.reset([{ runId: 'r', title: 'r', series: [{ name: 'loss', steps: steps.slice(), values: values.slice(), times: times.slice() }], alerts: [] }]);
  for (const cs of [packed, plain]) {
    const run = cs.runs.get('r')!, s = run.series.get('loss')!;
    assert.deepEqual(s.steps.view(), steps);
    assert.deepEqual(s.times.view(), times);
    assert.equal(s.timed, n);
    assert.equal(run.startMs, t0);
  }
  // a resumed launch from step 2500 whose steps travel packed: the earlier launch becomes `loss (segment 1)`
  packed.append('r', [{ name: 'loss', steps: { first: 2500, stride: 5, count: 10 }, values: new Float64Array(10).fill(1) }], []);
  const run = packed.runs.get('r')!;
  assert.equal(run.series.get('loss (segment 1)')!.length, n);
  assert.equal(run.series.get('loss')!.length, 499 + 10);
  assert.equal(run.series.get('loss')!.steps.data[499], 2500);
  assert.equal(run.series.get('loss')!.timed, 499, 'the new points have no time');
  // times are written out when first read (after the cut and the untimed append): the kept ones, then NaN
  assert.deepEqual([...run.series.get('loss')!.times.view()], [...times.subarray(0, 499), ...new Array(10).fill(NaN)]);
  assert.deepEqual(run.series.get('loss (segment 1)')!.times.view(), times);
  // times as whole-millisecond offsets, NaN where a point has none: the same times, timed count and run start
  const offsets = Int32Array.from({ length: n }, (_, i) => (i < 3 ? -0x80000000 : 2000 * i - 7));
  const cs = new ChartStore();
  cs.reset([{ runId: 'r', title: 'r', series: [{ name: 'loss', steps: steps.slice(), values: values.slice(), times: { base: t0, offsets } }], alerts: [] }]);
  const s = cs.runs.get('r')!.series.get('loss')!;
  assert.deepEqual([...s.times.view()].slice(0, 4), [NaN, NaN, NaN, t0 + 5993]);
  assert.equal(s.timed, n - 3);
  assert.equal(cs.runs.get('r')!.startMs, t0 + 5993);
  // appends of each form before the first read come out in order
  const f = (a: number[]) => Float64Array.from(a);
  cs.append('r', [{ name: 'loss', steps: f([6000, 6001]), values: f([1, 1]), times: f([t0 + 9e6, NaN]) }], []);
  cs.append('r', [{ name: 'loss', steps: f([6002]), values: f([1]) }], []);
  cs.append('r', [{ name: 'loss', steps: { first: 6003, stride: 1, count: 2 }, values: f([1, 1]), times: { first: t0 + 1e7, stride: 5, count: 2 } }], []);
  assert.deepEqual([...s.times.view()].slice(n), [t0 + 9e6, NaN, NaN, t0 + 1e7, t0 + 1e7 + 5]);
  assert.equal(s.timed, n - 3 + 3);
});

test('run settings from the Trainer banner and the model config dump; loss scale of transformers 4.46-4.47', () => {
  // Banner lines as trainer.py prints them (shape of huggingface/transformers#9613's log), the model config dump with
  // its transformers_version, then dicts whose loss is doubled by gradient_accumulation_steps=2 (the values of
  // huggingface/transformers#35438: 21.1898 with GA 2 vs 10.5949 with GA 1 on 4.47.0).
  const log = [
    '[INFO|configuration_utils.py:746] 2024-12-29 10:00:00,000 >> Model config Qwen2Config {',
    '  "hidden_size": 896,',
    '  "transformers_version": "4.47.0",',
    '}',
    '[INFO|trainer.py:2369] 2024-12-29 10:00:01,000 >> ***** Running training *****',
    '[INFO|trainer.py:2370] 2024-12-29 10:00:01,000 >>   Num examples = 96',
    '[INFO|trainer.py:2373] 2024-12-29 10:00:01,000 >>   Instantaneous batch size per device = 3',
    '[INFO|trainer.py:2376] 2024-12-29 10:00:01,000 >>   Total train batch size (w. parallel, distributed & accumulation) = 24',
    '[INFO|trainer.py:2377] 2024-12-29 10:00:01,000 >>   Gradient Accumulation steps = 2',
    "{'loss': 21.1898, 'grad_norm': 376.5796203613281, 'learning_rate': 4.5833333333333334e-05, 'epoch': 0.25}",
    "{'loss': 16.4623, 'grad_norm': 175.4936065673828, 'learning_rate': 4.166666666666667e-05, 'epoch': 0.5}",
  ].join('\n');
  const feed = createMetricsFeed('r', 'ga2', { now: null, settings: settingsFromConfig({ max_seq_length: 1024 }) });
  feed.pushChunk(`${log}\n`);
  feed.end();
  const info = feed.info();
  assert.equal(info.settings.gradientAccumulationSteps, 2);
  assert.equal(info.settings.microBatchSize, 3);
  assert.equal(info.settings.globalBatchSize, 24);
  assert.equal(info.settings.worldSize, 4); // 24 / (3 x 2)
  assert.equal(info.settings.frameworkVersion, 'transformers 4.47.0');
  assert.equal(info.settings.sources.gradientAccumulationSteps, 'log banner');
  assert.equal(info.settings.sources.seqLength, 'config');
  assert.equal(info.lossScale?.factor, 2);
  assert.match(info.notes.join('\n'), /transformers 4\.47\.0 logs the loss summed over gradient accumulation: 2× .*#35207/);
  // tokens per step from the settings (no tokens-seen series in this log): global batch 24 x 1024
  assert.deepEqual(info.tokens, { tokensPerStep: 24 * 1024, how: 'global batch 24 × sequence length 1024 (log banner, config)' });
  assert.deepEqual([...feed.store.x('loss', 'tokens')!], [24 * 1024, 2 * 24 * 1024]);
  // the same run on 4.48 is not scaled; comparing the two says why their levels differ
  const fixed = mergeSettings({ sources: {}, frameworkVersion: 'transformers 4.48.0' }, info.settings);
  assert.equal(lossScaleOf(fixed), undefined);
  assert.match(scaleDifferences({ title: 'a', settings: info.settings }, { title: 'b', settings: fixed })[0], /^a and b log the loss on different scales \(2× vs 1×\)/);
});

test('Megatron args dump: context-parallel size, tokens from consumed samples, CP loss-scale note', () => {
  // Megatron-LM `_print_args` lines ("  context_parallel_size ........ 2"); the CP factor is NVIDIA/Megatron-LM#673/#906.
  const log = [
    '------------------------ arguments ------------------------',
    '  context_parallel_size ........................... 2',
    '  global_batch_size ............................... 512',
    '  seq_length ...................................... 4096',
    '  tensor_model_parallel_size ...................... 4',
    '-------------------- end of arguments ---------------------',
    ' iteration       10/    1000 | consumed samples:         5120 | elapsed time per iteration (ms): 1500.0 | learning rate: 1.000E-05 | global batch size:   512 | lm loss: 1.800000E+01 | loss scale: 1.0 | grad norm: 3.100 | number of skipped iterations:   0 | number of nan iterations:   0 |',
  ].join('\n');
  const feed = createMetricsFeed('r', 'cp2', { now: null });
  feed.pushChunk(`${log}\n`);
  feed.end();
  const info = feed.info();
  assert.equal(info.settings.contextParallel, 2);
  assert.equal(info.settings.tensorParallel, 4);
  assert.equal(info.settings.seqLength, 4096);
  assert.equal(info.lossScale?.factor, 2);
  assert.match(info.lossScale!.reason, /Megatron-LM#673/);
  assert.equal(info.tokens?.series, 'consumed_samples');
  assert.deepEqual([...feed.store.x('loss', 'tokens')!], [5120 * 4096]);
});

test('a loss level that jumps by about the gradient accumulation factor raises scale-jump at the jump', () => {
  // A run resumed under an affected transformers version keeps its steps but its logged loss is GA (4) times larger.
  const feed = createMetricsFeed('r', 'jump', { now: null, settings: { sources: { gradientAccumulationSteps: 'config' }, gradientAccumulationSteps: 4 } });
  const lines: string[] = [];
  for (let s = 1; s <= 30; s++) lines.push(`iter ${s}: loss ${(2.0 - s * 0.002 + (s % 3) * 0.01).toFixed(4)}, time 10.0ms, mfu 1.00%`);
  for (let s = 31; s <= 40; s++) lines.push(`iter ${s}: loss ${(4 * (1.94 - s * 0.002) + (s % 3) * 0.01).toFixed(4)}, time 10.0ms, mfu 1.00%`);
  feed.pushChunk(`${lines.join('\n')}\n`);
  feed.end();
  const jumps = feed.snapshot().alerts.filter((a) => a.kind === 'scale-jump');
  assert.equal(jumps.length, 1);
  assert.match(jumps[0].message, /rose 3\.\d+× at about step 31, about gradient_accumulation_steps \(4\)/);
});

test('world size from the launch command', () => {
  assert.equal(worldSizeFromArgv(['torchrun', '--nproc_per_node', '8', '--nnodes', '2', 'train.py']), 16);
  assert.equal(worldSizeFromArgv(['torchrun', '--nproc-per-node=4', 'train.py']), 4);
  assert.equal(worldSizeFromArgv(['accelerate', 'launch', '--num_processes', '8', '--num_machines', '2', 'train.py']), 8);
  assert.equal(worldSizeFromArgv(['deepspeed', '--num_gpus', '2', 'train.py']), 2);
  assert.equal(worldSizeFromArgv(['torchrun', '--nproc_per_node', 'gpu', 'train.py']), undefined);
  assert.equal(worldSizeFromArgv(['python', 'train.py']), undefined);
  assert.deepEqual(tokensPerStepOf({ sources: {}, microBatchSize: 4, gradientAccumulationSteps: 8, worldSize: 16, tensorParallel: 2, seqLength: 2048 })?.tokensPerStep, 4 * 8 * 8 * 2048);
});

test('the chart\'s store keeps packed ascending steps as their sequence until read, and every entry is the double it writes out (issue 12)', async () => {
  const { Column } = await import('../../webview-ui/metrics/store.js');
  const written = (first: number, stride: number, n: number) => Float64Array.from({ length: n }, (_, i) => first + i * stride);
  const c = new Column();
  c.append({ first: 0.1, stride: 0.1, count: 1000 });
  assert.deepEqual(c.arithmetic, { first: 0.1, stride: 0.1, count: 1000 });
  // appends that go on with the sequence (packed, or as the few values a live append sends) keep it a sequence
  c.append(Float64Array.from([0.1 + 1000 * 0.1, 0.1 + 1001 * 0.1]));
  assert.equal(c.arithmetic?.count, 1002);
  assert.equal(c.at(1001), 0.1 + 1001 * 0.1);
  const whole = new Column();
  whole.append({ first: 1, stride: 2, count: 10 });
  whole.append({ first: 21, stride: 2, count: 5 });
  assert.deepEqual(whole.arithmetic, { first: 1, stride: 2, count: 15 });
  // a packed append from the next step with the same stride, whose doubles (first' + i * 0.1) are not the sequence's
  // (0.1 + (1002 + i) * 0.1): written out, each entry as it was sent
  const tail = { first: 0.1 + 1002 * 0.1, stride: 0.1, count: 10 };
  assert.ok(Array.from({ length: 10 }, (_, i) => tail.first + i * 0.1).some((v, i) => v !== 0.1 + (1002 + i) * 0.1));
  c.append(tail);
  assert.equal(c.arithmetic, undefined);
  assert.deepEqual(c.view(), Float64Array.from([...written(0.1, 0.1, 1002), ...written(tail.first, 0.1, 10)]));
  // read as data, a sequence is written out (and stays so)
  const d = new Column();
  d.append({ first: 5, stride: 5, count: 3000 });
  assert.deepEqual(d.view(), written(5, 5, 3000));
  assert.equal(d.arithmetic, undefined);
  // not ascending: written out as before
  const e = new Column();
  e.append({ first: 5, stride: -1, count: 10 });
  assert.equal(e.arithmetic, undefined);
  assert.deepEqual(e.view(), written(5, -1, 10));
  // truncated to empty, the next append starts afresh
  const f = new Column();
  f.append({ first: 1, stride: 1, count: 10 });
  f.length = 0;
  f.append(Float64Array.from([7, 9]));
  assert.deepEqual(f.view(), Float64Array.from([7, 9]));
});
