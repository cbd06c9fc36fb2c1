// Launches, resumes and crashes in one log (issue 12, "Resumed and restarted runs" and "Crashes and run state"): a
// fresh tester's tryout of real-shaped logs found launch lines missed behind Slurm/logger prefixes, Trainer banners
// read only in one order, alert rules that carried state across launches, resumes past the earlier launch's last step
// without a marker, a step-0 evaluation placed at an invented step, re-logged points not counted, doubled exception
// names and caught tracebacks read as crashes. Each log here is small and written from the facts of the report or
// source cited above it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AlertDetector, createMetricsFeed, parseLog } from '../../src/core/metrics';
import type { MetricPoint } from '../../src/core/metrics';
import { alertKinds, feedOf } from '../metricsFeed';
import { readMetrics, renderMetrics } from '../../src/cli/metrics';

const of = (points: MetricPoint[], name: string) => points.filter((p) => p.series === name);
const at = (points: MetricPoint[], name: string) => of(points, name).map((p) => p.step);


// Megatron-LM `training.py` prints one `iteration  N/ T | ... | lm loss: x | ...` line per log interval, and per
// launch `print_rank_0('training ...')` after `print_datetime('before the start of training step')` (and, before
// them, `> building train, validation, and test datasets ...`).
const megatronIter = (i: number, loss: number) => ` iteration      ${i}/    1000 | consumed samples:        ${i * 128} | elapsed time per iteration (ms): 901.2 | learning rate: 1.000E-04 | global batch size:   128 | lm loss: ${loss.toExponential(6)} | loss scale: 65536.0 | grad norm: 0.812 | number of skipped iterations:   0 | number of nan iterations:   0 |`;

test('a Megatron launch line behind a Slurm, timestamp or logger prefix starts a new segment (finding 1)', () => {
  // Under Slurm, `srun --label` prefixes every line with the task id (`0: `); site wrappers and the logging module add
  // a timestamp or `INFO:<logger>:` before the message. The second launch re-logs iterations 20 and 30 from its
  // checkpoint at iteration 10.
  for (const p of ['2024-05-02 10:00:00 ', '[2024-05-02 10:00:00,123] [INFO] ', 'INFO:megatron.training:', '0: [2024-05-02 10:00:00] ', '0: ']) {
    const launch = (from: number, to: number, loss: (i: number) => number, marker: string) => {
      const l = [`${p}> building train, validation, and test datasets ...`, `${p}${marker}`];
      for (let i = from; i <= to; i += 10) l.push(`${p.startsWith('0:') ? '0: ' : ''}${megatronIter(i, loss(i))}`);
      return `${l.join('\n')}\n`;
    };
    const feed = feedOf(launch(10, 30, (i) => 3 - i / 100, 'training ...'), launch(20, 40, (i) => 3.01 - i / 100, '[before the start of training step] datetime: 2024-05-02 11:00:00 '));
    const names = feed.snapshot().series.map((s) => s.name);
    assert.ok(names.includes('loss (segment 1)'), `${JSON.stringify(p)}: ${names.join()}`);
    const loss = feed.snapshot().series.find((s) => s.name === 'loss')!;
    assert.deepEqual([...loss.steps], [10, 20, 30, 40], JSON.stringify(p));
    assert.ok(Math.abs(loss.values[1] - 2.81) < 1e-6, JSON.stringify(p)); // the second launch's value
    assert.ok(alertKinds(feed).includes('restart@20'), `${JSON.stringify(p)}: ${alertKinds(feed).join()}`);
  }
  // `training ...` must be the line's message: the words inside other messages are not a launch
  const r = parseLog(`${megatronIter(10, 3)}\n${megatronIter(20, 2.9)}\n  resuming training ... \n  overlap_grad_reduce_with_training ... False\n${megatronIter(20, 2.5)}\n`);
  assert.deepEqual(of(r.points, 'loss').map((x) => [x.step, x.value]), [[10, 3], [20, 2.9]]);
});

// transformers `Trainer._inner_training_loop` logs `***** Running training *****` and then, one per line,
// `  Num examples = {num_examples:,}`, `  Num Epochs = {num_train_epochs:,}`, `  Instantaneous batch size per device
// = {per_device_train_batch_size:,}`, `  Total train batch size (w. parallel, distributed & accumulation) = {...:,}`,
// `  Gradient Accumulation steps = {...}`, `  Total optimization steps = {max_steps:,}`, `  Number of trainable
// parameters = {...:,}`; versions differ in the order (4.2x put the total batch before the per-device one when
// `Training with DataParallel` was printed) and older ones omit the parameter count.
const BANNER: Record<string, string> = {
  examples: '  Num examples = 1,000',
  epochs: '  Num Epochs = 3',
  device: '  Instantaneous batch size per device = 8',
  total: '  Total train batch size (w. parallel, distributed & accumulation) = 64',
  ga: '  Gradient Accumulation steps = 4',
  steps: '  Total optimization steps = 45',
  params: '  Number of trainable parameters = 124,439,808',
};

test('the Trainer banner is read whatever the order of its lines, and feeds the settings (finding 2)', () => {
  const orders = [
    ['examples', 'epochs', 'device', 'total', 'ga', 'steps', 'params'], // 4.3x/4.4x
    ['examples', 'epochs', 'total', 'device', 'ga', 'steps'], // older, no parameter count
    ['ga', 'params', 'steps', 'device', 'examples', 'total', 'epochs'],
    ['epochs', 'examples', 'device', 'steps', 'ga'], // no total batch
  ];
  for (const order of orders) {
    for (const prefix of ['', '[INFO|trainer.py:2369] 2024-12-29 10:00:01,000 >> ']) {
      const log = `${prefix}***** Running training *****\n${order.map((k) => prefix + BANNER[k]).join('\n')}\n`;
      const feed = feedOf(log);
      const want: Record<string, number> = {
        examples: 1000, epochs: 3, device: 8, total: 64, ga: 4, steps: 45, params: 124439808,
      };
      const key: Record<string, string> = {
        examples: 'num_examples', epochs: 'num_train_epochs', device: 'per_device_train_batch_size', total: 'total_train_batch_size',
        ga: 'gradient_accumulation_steps', steps: 'max_steps', params: 'num_trainable_parameters',
      };
      const expected = Object.fromEntries(order.map((k) => [key[k], want[k]]));
      assert.deepEqual(feed.meta, expected, `${order.join(',')} ${JSON.stringify(prefix)}`);
      const s = feed.info().settings;
      assert.equal(s.gradientAccumulationSteps, 4, order.join());
      assert.equal(s.microBatchSize, 8, order.join());
      assert.equal(s.sources.gradientAccumulationSteps, 'log banner');
      assert.deepEqual(feed.snapshot().series, [], 'banner lines are no metric record');
    }
  }
});

test('AlertDetector.newSegment: a new launch is judged on its own (finding 3)', () => {
  // A restart from scratch: the fresh model's first losses (about ln(vocab) = 10.8 for a 50k vocabulary) are no
  // spike or divergence against the earlier launch's converged 2.0; a NaN episode left open by the earlier launch
  // does not hide the new launch's NaN.
  const first: MetricPoint[] = [];
  for (let s = 1; s <= 30; s++) first.push({ series: 'loss', step: s, value: 2 + (s % 3) * 0.01 });
  first.push({ series: 'loss', step: 31, value: NaN });
  const second: MetricPoint[] = [{ series: 'loss', step: 1, value: NaN }, { series: 'loss', step: 2, value: 10.8 }, { series: 'loss', step: 3, value: 10.7 }, { series: 'loss', step: 4, value: 10.5 }, { series: 'loss', step: 5, value: 10.2 }];
  const kept = new AlertDetector();
  kept.push(first);
  const carried = kept.push(second).map((a) => a.kind);
  assert.ok(carried.includes('spike') || carried.includes('divergence'), carried.join()); // the bug without the reset
  const d = new AlertDetector();
  assert.deepEqual(d.push(first).map((a) => `${a.kind}@${a.step}`), ['nan@31']);
  d.newSegment();
  assert.deepEqual(d.push(second).map((a) => `${a.kind}@${a.step}`), ['nan@1']);
  assert.equal(d.alerts.length, 2, 'alerts raised before the new segment are kept');

  // the feed calls it at a launch line: nanoGPT restarted from scratch after `Starting training`
  const run = (losses: number[]) => ['Starting training', ...losses.map((l, i) => `iter ${i}: loss ${l.toFixed(4)}, time 10.0ms, mfu 1.00%`)].join('\n');
  const converged = Array.from({ length: 30 }, (_, i) => 2 + (i % 3) * 0.01);
  const feed = feedOf(`${run(converged)}\n`, `${run([10.8, 10.7, 10.5, 10.2, 9.9, 9.6])}\n`);
  assert.deepEqual(alertKinds(feed), ['restart@0']);
});

test('a resume that continues past the earlier launch\'s last step is marked and checked for a jump (finding 4)', () => {
  // huggingface/transformers#24395-style resume from the last checkpoint (step 50, the earlier launch's last logged
  // step): the new launch logs from step 60 on, so its steps never go back; its optimizer state was not restored
  // and the loss jumps from ~1.5 to 3.4.
  const dict = (loss: number, epoch: number) => `{'loss': ${loss}, 'grad_norm': 1.2, 'learning_rate': 1e-05, 'epoch': ${epoch}}`;
  const bar = (n: number) => ` ${n}%|          | ${n}/100 [00:10<01:30,  1.00it/s]`;
  const first = ['***** Running training *****', BANNER.ga];
  for (let s = 1; s <= 5; s++) first.push(bar(s * 10), dict(2 - s * 0.1, s / 10), bar(s * 10));
  const second = ['***** Running training *****', BANNER.ga, '  Continuing training from checkpoint, will skip to saved global_step', '  Continuing training from epoch 0', '  Continuing training from global step 50', bar(50)];
  for (let s = 6; s <= 8; s++) second.push(bar(s * 10), dict(s === 6 ? 3.4 : 3.3, s / 10), bar(s * 10));
  const feed = feedOf(`${first.join('\n')}\n`, `${second.join('\n')}\n`);
  assert.deepEqual(alertKinds(feed), ['restart@60', 'resume-jump@60']);
  assert.match(feed.snapshot().alerts[0].message, /^resumed at step 60 after the earlier launch reached step 50/);
  // nothing is archived (no step was logged twice): one live loss series covering both launches
  assert.deepEqual(feed.snapshot().series.filter((s) => s.name.startsWith('loss')).map((s) => `${s.name}:${[...s.steps]}`), ['loss:10,20,30,40,50,60,70,80']);

  // the same resume with the optimizer restored: marked, no jump
  const smooth = second.map((l) => l.replace(/'loss': 3\.[34]/, "'loss': 1.45"));
  assert.deepEqual(alertKinds(feedOf(`${first.join('\n')}\n`, `${smooth.join('\n')}\n`)), ['restart@60']);

  // a custom loop that announces each epoch (`Starting training epoch 2/3`) is one launch: no resume per epoch
  const epochs = [1, 2, 3].flatMap((e) => [`Starting training epoch ${e}/3`, ...[1, 2, 3].map((i) => `iter ${(e - 1) * 3 + i}: loss ${(3 - e * 0.3 - i * 0.05).toFixed(4)}, time 10.0ms, mfu 1.00%`)]);
  assert.deepEqual(alertKinds(feedOf(`${epochs.join('\n')}\n`)), []);

  // Megatron behind srun prefixes, resumed from iteration 30 (its last), logging from 40 on
  const m1 = ['0: training ...', ...[10, 20, 30].map((i) => `0: ${megatronIter(i, 2 - i / 100)}`)];
  const m2 = ['0: [2024-05-02 11:00:00] training ...', ...[40, 50].map((i) => `0: ${megatronIter(i, 6.5)}`)];
  assert.deepEqual(alertKinds(feedOf(`${m1.join('\n')}\n`, `${m2.join('\n')}\n`)), ['restart@40', 'resume-jump@40']);
});

test('an evaluation printed before the first training step is at step 0 (finding 5)', () => {
  // transformers `eval_on_start=True` (or trainer.evaluate() before train()): `{'eval_loss': ..., 'epoch': 0}` comes
  // before any training step, and before the banner when evaluate() is called first.
  const ev = "{'eval_loss': 2.91, 'eval_runtime': 1.5, 'eval_samples_per_second': 66.6, 'eval_steps_per_second': 8.3, 'epoch': 0}";
  const evNoEpoch = "{'eval_loss': 2.91, 'eval_runtime': 1.5, 'eval_samples_per_second': 66.6, 'eval_steps_per_second': 8.3}";
  const bar = (n: number) => ` ${n}%|          | ${n}/100 [00:10<01:30,  1.00it/s]`;
  const train = "{'loss': 2.5, 'learning_rate': 1e-05, 'epoch': 0.1}";
  const shapes = [
    [ev, '***** Running training *****', BANNER.ga, bar(0), bar(10), train, bar(10)],
    [evNoEpoch, '***** Running training *****', bar(0), bar(10), train, bar(10)],
    [ev, train, "{'loss': 2.4, 'learning_rate': 1e-05, 'epoch': 0.2}"],
    ['***** Running training *****', bar(0), ev, bar(0), bar(10), train, bar(10)],
  ];
  for (const l of shapes) {
    const r = parseLog(`${l.join('\n')}\n`);
    assert.deepEqual(at(r.points, 'eval_loss'), [0], l.join(' / '));
    assert.deepEqual(at(r.points, 'eval_runtime'), [0], l.join(' / '));
    assert.equal(r.meta.unplaced_points, undefined, l.join(' / '));
  }
});

test('points re-logged by a resumed launch are counted in the meta, the notes and the CLI (finding 6)', async () => {
  // Resume from checkpoint-40 after the first launch logged up to step 60: steps 50 and 60 are logged twice.
  const dict = (loss: number) => `{'loss': ${loss}, 'learning_rate': 1e-05, 'epoch': 0.1}`;
  const bar = (n: number) => ` ${n}%|          | ${n}/100 [00:10<01:30,  1.00it/s]`;
  const first = ['***** Running training *****'];
  for (let s = 1; s <= 6; s++) first.push(bar(s * 10), dict(3 - s * 0.2), bar(s * 10));
  const second = ['***** Running training *****', '  Continuing training from global step 40'];
  for (let s = 5; s <= 7; s++) second.push(bar(s * 10), dict(3 - s * 0.2 + 0.01), bar(s * 10));
  const feed = feedOf(`${first.join('\n')}\n`, `${second.join('\n')}\n`);
  assert.equal(feed.meta.relogged_points, 2); // the loss at steps 50 and 60 (tester round 12: not once per series)
  assert.ok(feed.info().notes.some((n) => /^2 loss points at steps an earlier launch had already logged/.test(n)), feed.info().notes.join('|'));
  const dir = mkdtempSync(join(tmpdir(), 'llmts-launch-'));
  try {
    const file = join(dir, 'resumed.log');
    writeFileSync(file, `${first.join('\n')}\n${second.join('\n')}\n`);
    const text = renderMetrics(await readMetrics(file), 'text');
    assert.match(text, /relogged_points=2/);
    assert.match(text, /notes:\n(?: {2}.*\n)* {2}2 loss points at steps an earlier launch had already logged/);
  } finally { rmSync(dir, { recursive: true, force: true }); }
  // a log without a resume has no such note
  assert.equal(feedOf(`${first.join('\n')}\n`).meta.relogged_points, undefined);
});

test('a crash alert names the exception once (finding 7)', () => {
  // huggingface/accelerate#2084-style tail: the exception line of the traceback ends the log
  const log = ['***** Running training *****', "{'loss': 2.5, 'learning_rate': 1e-05, 'epoch': 0.1}", 'Traceback (most recent call last):', '  File "train.py", line 88, in <module>', '    trainer.train()',
    'RuntimeError: Expected all tensors to be on the same device, but found at least two devices, cuda:0 and cpu!'].join('\n');
  const feed = feedOf(`${log}\n`);
  const crash = feed.snapshot().alerts.filter((a) => a.kind === 'crash');
  assert.equal(crash.length, 1);
  assert.equal(crash[0].message, 'RuntimeError: Expected all tensors to be on the same device, but found at least two devices, cuda:0 and cpu!');
  // a reason that is not the line's own start keeps it: `CUDA out of memory: torch.OutOfMemoryError: ...`
  const oom = feedOf("{'loss': 2.5}\ntorch.OutOfMemoryError: CUDA out of memory. Tried to allocate 64.00 GiB.\n");
  assert.match(oom.snapshot().alerts[0].message, /^CUDA out of memory: torch\.OutOfMemoryError: CUDA out of memory\./);
});

test('a traceback followed by training records at later steps is no crash; one at the end is (finding 8)', () => {
  // transformers' `push_to_hub` / W&B upload in the background logs the caught exception with its traceback
  // (`logger.exception` / `logging.error(..., exc_info=True)`) and training goes on: huggingface/transformers#27013
  // (HfHubHTTPError: 504 Server Error while pushing a checkpoint).
  const dict = (s: number) => `{'loss': ${(2 - s / 100).toFixed(4)}, 'learning_rate': 1e-05, 'epoch': ${s / 100}}`;
  const bar = (n: number) => ` ${n}%|          | ${n}/100 [00:10<01:30,  1.00it/s]`;
  const tb = ['Error while uploading checkpoint-20 to the Hub.', 'Traceback (most recent call last):', '  File "/usr/lib/python3.10/site-packages/huggingface_hub/utils/_errors.py", line 304, in hf_raise_for_status',
    '    response.raise_for_status()', 'huggingface_hub.utils._errors.HfHubHTTPError: 504 Server Error: Gateway Time-out for url: https://huggingface.co/api/models/u/m/commit/main'];
  const lines = ['***** Running training *****'];
  for (const s of [10, 20]) lines.push(bar(s), dict(s), bar(s));
  lines.push(...tb);
  for (const s of [30, 40]) lines.push(bar(s), dict(s), bar(s));
  const caught = feedOf(`${lines.join('\n')}\n`);
  assert.deepEqual(alertKinds(caught), []);
  assert.equal(caught.lastError, undefined);
  assert.equal(parseLog(`${lines.join('\n')}\n`).points.length > 0, true);

  // the same traceback as the log's end: a crash at the last step, confirmed at end()
  const tail = feedOf(`${lines.slice(0, 7).concat(tb).join('\n')}\n`);
  assert.deepEqual(alertKinds(tail), ['crash@20']);
  assert.equal(tail.lastError?.reason, 'huggingface_hub.utils._errors.HfHubHTTPError');
  // ... and before a new launch: the earlier launch crashed
  const relaunch = feedOf(`${lines.slice(0, 7).concat(tb).join('\n')}\n`, `***** Running training *****\n${bar(10)}\n${dict(10)}\n${bar(10)}\n`);
  assert.ok(alertKinds(relaunch).includes('crash@20'), alertKinds(relaunch).join());
  // a CUDA OOM at the end is still a crash, at once
  const live = createMetricsFeed('r', 'oom', { now: null });
  const b = live.pushChunk(`${lines.slice(0, 7).join('\n')}\ntorch.OutOfMemoryError: CUDA out of memory. Tried to allocate 2.00 GiB.\n`);
  assert.deepEqual(b.alerts.map((a) => `${a.kind}@${a.step}`), ['crash@20']);
});
