// Curves that mean what they show (issue 12): one global step axis, NaN iterations, Key: value blocks, resumed runs,
// crash lines. Each log here is a small one written from the facts of a public report, cited above it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createMetricsFeed, detectCrashLine, parseLog } from '../../src/core/metrics';
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
  assert.match(crash[0].message, /^NCCL watchdog timeout: \[rank5\]:\[E602 .*Watchdog caught collective operati$/);
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
