// Launches that only their steps tell apart (issue 12, tester round 12: /work/notes/t12-inputs): a second launch
// appended to a log with no launch line, a restart from scratch worded as a resume, points placed by record index
// in a log that turns out to have a step axis, and the Trainer's final `***** eval metrics *****` block. Each log here
// is small and written from the facts of the tester's input cited above it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createLogParser, parseLog } from '../../src/core/metrics';
import type { MetricPoint, WritableMetricsFeed } from '../../src/core/metrics';
import { alertKinds, feedOf } from '../metricsFeed';

const of = (points: MetricPoint[], name: string) => points.filter((p) => p.series === name);
const pairs = (points: MetricPoint[], name: string) => of(points, name).map((p) => [p.step, p.value]);

const seriesSteps = (feed: WritableMetricsFeed, name: string) => feed.snapshot().series.filter((s) => s.name === name || s.name.startsWith(`${name} (segment`)).map((s) => `${s.name}:${[...s.steps]}`);

// nanoGPT `train.py`: `print(f"iter {iter_num}: loss {lossf:.4f}, time {dt*1000:.2f}ms, mfu {running_mfu*100:.2f}%")`
// (mfu -100.00% until the 5th iteration); t12-inputs/nano-min.log: iter 0..30, then a second launch from iter 0.
const nano = (i: number, loss: number) => `iter ${i}: loss ${loss.toFixed(4)}, time 100.00ms, mfu ${i === 0 ? '-100.00' : '10.00'}%`;
// Megatron-LM `training_log` (t12-inputs/mega-resume-nb.log: srun --label `0: ` prefix, no `training ...` line).
const mega = (i: number, loss: number) => `0:  iteration      ${i}/   10000 | consumed samples:        ${i * 64} | elapsed time per iteration (ms): 1523.4 | learning rate: 3.000000E-04 | global batch size:    64 | lm loss: ${loss.toExponential(6)} | loss scale: 1.0 | grad norm: ${(1 + (i % 7) / 100).toFixed(3)} | number of skipped iterations:   0 | number of nan iterations:   0 |`;
// transformers Trainer: the training bar (`tqdm(total=max_steps)`) and `tqdm.write(str(logs))` dicts
// (t12-inputs/restart-nobanner.log: the INFO-level `***** Running training *****` banner is absent).
const bar = (n: number) => ` ${n}%|          | ${n}/100 [00:${String(n).padStart(2, '0')}<01:00,  1.00s/it]`;
const hfDict = (loss: number, epoch: number) => `{'loss': ${loss.toFixed(4)}, 'grad_norm': ${(1 + (Math.round(epoch * 100) % 7) / 100).toFixed(3)}, 'learning_rate': 1e-05, 'epoch': ${epoch.toFixed(2)}}`;
const hfLaunch = (from: number, to: number, loss: (s: number) => number) => {
  const l: string[] = [];
  for (let s = from; s <= to; s += 5) l.push(bar(s - 1), bar(s), hfDict(loss(s), s / 100), bar(s));
  return l;
};

test('a step that goes back starts a new launch as a launch line does (finding 1)', () => {
  // nanoGPT, restarted from scratch
  const n1 = [nano(0, 4.2), nano(10, 3.1), nano(20, 2.6), nano(30, 2.3)], n2 = [nano(0, 4.21), nano(10, 3.5), nano(20, 3.2)];
  const nf = feedOf(`${n1.concat(n2).join('\n')}\n`);
  assert.deepEqual(seriesSteps(nf, 'loss'), ['loss:0,10,20', 'loss (segment 1):0,10,20,30']);
  assert.deepEqual(pairs(parseLog(`${n1.concat(n2).join('\n')}\n`).points, 'loss').slice(4), [[0, 4.21], [10, 3.5], [20, 3.2]]);
  assert.deepEqual(alertKinds(nf), ['restart@0']);
  // the record's other series join the one new segment (mfu starts at 10 in both launches: it never goes back first)
  assert.deepEqual(seriesSteps(nf, 'mfu'), ['mfu:10,20', 'mfu (segment 1):10,20,30']);
  assert.deepEqual(seriesSteps(nf, 'iter_time_ms'), ['iter_time_ms:0,10,20', 'iter_time_ms (segment 1):0,10,20,30']);
  const r = parseLog(`${n1.concat(n2).join('\n')}\n`);
  // one launch event, not one per series
  const parser = createLogParser();
  const events = [parser.push(`${n1.concat(n2).join('\n')}\n`), parser.end()].flatMap((o) => o.events ?? []);
  assert.deepEqual(events.map((e) => `${e.kind}@${e.step}`), ['launch@30']);
  assert.equal(r.points.length, 11 + 8); // loss, iter_time_ms, mfu (from iter 10): nothing of the second launch dropped

  // JSON lines (t12-inputs/app.jsonl): {"step":10,"loss":2.1}, {"step":20,...}, then again from step 10
  // (a second launch that re-logs two steps below the first's last: one step below it, then one at it, is what a
  // rank one interval behind prints, see the test below)
  const jl = ['{"step":10,"loss":2.1}', '{"step":20,"loss":2.0}', '{"step":30,"loss":1.9}', '{"step":10,"loss":3.1}', '{"step":20,"loss":3.0}', '{"step":30,"loss":2.9}'];
  const jf = feedOf(`${jl.join('\n')}\n`);
  assert.deepEqual(seriesSteps(jf, 'loss'), ['loss:10,20,30', 'loss (segment 1):10,20,30']);
  assert.deepEqual(alertKinds(jf), ['restart@10']);

  // Key: value blocks (t12-inputs/appkv.log) are not read this way: their step counters often restart each epoch
  // (`Epoch 2/2` then `Step 1/2`; a fresh tester's second round), which is no new launch; the same step again keeps
  // its first value, as before
  const kv = [[10, 2.1], [20, 2.0], [10, 3.1], [20, 3.0], [30, 2.9]].map(([s, l]) => `Step: ${s}\nLoss: ${l}\n`).join('\n');
  assert.deepEqual(seriesSteps(feedOf(kv), 'loss'), ['loss:10,20,30']);
  assert.deepEqual(alertKinds(feedOf(kv)), []);

  // Trainer bar + dicts without the banner: steps 5..40, then a second launch from step 5
  const hf = [...hfLaunch(5, 40, (s) => 2.5 - s / 100), ...hfLaunch(5, 30, (s) => 2.6 - s / 100)];
  const hff = feedOf(`${hf.join('\n')}\n`);
  assert.deepEqual(seriesSteps(hff, 'loss'), ['loss:5,10,15,20,25,30', 'loss (segment 1):5,10,15,20,25,30,35,40']);
  assert.deepEqual(alertKinds(hff), ['restart@5']);

  // Megatron resumed at 210 after reaching 300, no `training ...` line: 210..300 are the new launch's values, and a
  // resume that jumps is checked as after a launch line
  const m = [...[10, 20, 100, 200, 290, 300].map((i) => mega(i, 3 - i / 1000)), ...[210, 220, 300, 310].map((i) => mega(i, 3.39 - (i - 210) / 1000))];
  const mf = feedOf(`${m.join('\n')}\n`);
  assert.deepEqual(seriesSteps(mf, 'loss'), ['loss:10,20,100,200,210,220,300,310', 'loss (segment 1):10,20,100,200,290,300']);
  assert.ok(Math.abs(mf.snapshot().series.find((s) => s.name === 'loss')!.values[6] - 3.3) < 1e-6);
  const mj = feedOf(`${[...[10, 20, 100, 200, 290, 300].map((i) => mega(i, 2 - i / 1000)), ...[210, 220].map((i) => mega(i, 6.5))].join('\n')}\n`);
  assert.deepEqual(alertKinds(mj).filter((k) => !k.startsWith('constant')), ['restart@210', 'resume-jump@210']);
  assert.ok((mf.meta.relogged_points as number) > 0);
});

test('what a step going back must not start: the same step again, index-placed points, evaluations', () => {
  // a dict re-logged at the SAME step (several ranks, a callback printing the logs again): keep the first, no launch
  const same = feedOf(`${['{"step":10,"loss":2.1}', '{"step":10,"loss":2.2}', '{"step":20,"loss":2.0}'].join('\n')}\n`);
  assert.deepEqual(seriesSteps(same, 'loss'), ['loss:10,20']);
  assert.deepEqual(alertKinds(same), []);
  // other ranks' lines are filtered before: rank 1 lagging behind rank 0 is no restart
  const ranks = feedOf(`${['[rank0]: {"step":10,"loss":2.1}', '[rank0]: {"step":20,"loss":2.0}', '[rank1]: {"step":10,"loss":2.1}', '[rank0]: {"step":30,"loss":1.9}'].join('\n')}\n`);
  assert.deepEqual(seriesSteps(ranks, 'loss'), ['loss:10,20,30']);
  assert.deepEqual(alertKinds(ranks), []);
  // Trainer dicts whose step switches from the bar's n to the record index (block-buffered stdout: two dicts with no
  // bar between them, see `barSteps`) go back in step without any new launch
  const buffered = [bar(9), bar(10), hfDict(2.4, 0.1), bar(10), bar(20), hfDict(2.3, 0.2), hfDict(2.2, 0.3), hfDict(2.1, 0.4)];
  const bf = feedOf(`${buffered.join('\n')}\n`);
  assert.deepEqual(alertKinds(bf), []);
  assert.ok(!bf.snapshot().series.some((s) => s.name.includes('(segment')));
  // an evaluation series placed at its batch index before training, then at training steps (mmengine
  // `Epoch(val) [1][100/100]` before any training line) is no launch
  const ev = feedOf(`${['{"step":100,"eval_loss":2.5}', '{"step":10,"loss":2.1}', '{"step":20,"loss":2.0}', '{"step":20,"eval_loss":2.4}'].join('\n')}\n`);
  assert.deepEqual(alertKinds(ev), []);
});

test('a restart from scratch is worded as one, a resume as a resume; relogged_points counts loss points (finding 2)', () => {
  // t12-inputs/restart.log: the Trainer banner, steps 5..40, then the banner again and steps from 5 again, with no
  // `Continuing training` line: the second launch started from scratch
  const banner = ['***** Running training *****', '  Gradient Accumulation steps = 8', '  Total optimization steps = 100'];
  const scratch = feedOf(`${[...banner, ...hfLaunch(5, 40, (s) => 2.5 - s / 100), ...banner, ...hfLaunch(5, 30, (s) => 2.6 - s / 100)].join('\n')}\n`);
  const restart = scratch.snapshot().alerts.find((a) => a.kind === 'restart')!;
  assert.match(restart.message, /^restarted from scratch at step 5 after the earlier launch reached step 40/);
  // 6 loss points (steps 5..30) were logged again; grad_norm, learning_rate and epoch of the same records do not count
  assert.equal(scratch.meta.relogged_points, 6);
  assert.ok(scratch.info().notes.some((n) => n.startsWith('6 loss points at steps an earlier launch had already logged')), scratch.info().notes.join('|'));
  // the same with no banner at all (a step going back) and for nanoGPT's iter 0 restart
  assert.match(feedOf(`${[...hfLaunch(5, 40, (s) => 2.5 - s / 100), ...hfLaunch(5, 30, (s) => 2.6 - s / 100)].join('\n')}\n`).snapshot().alerts.find((a) => a.kind === 'restart')!.message, /^restarted from scratch at step 5 /);
  assert.match(feedOf(`${[nano(0, 4.2), nano(10, 3.1), nano(20, 2.9), nano(0, 4.21), nano(10, 3.3)].join('\n')}\n`).snapshot().alerts[0].message, /^restarted from scratch at step 0 /);

  // a resume from an earlier checkpoint (starts after the first launch's first step) stays a resume
  const resumed = feedOf(`${[...banner, ...hfLaunch(5, 40, (s) => 2.5 - s / 100), ...banner, ...hfLaunch(25, 30, (s) => 2.26 - s / 100)].join('\n')}\n`);
  assert.match(resumed.snapshot().alerts.find((a) => a.kind === 'restart')!.message, /^resumed at step 25 /);
  // and so does one that says it resumed (transformers `Continuing training from global step N`) even when its first
  // logged step is the first launch's first (a checkpoint saved before the first logging step)
  const said = feedOf(`${[...banner, ...hfLaunch(5, 40, (s) => 2.5 - s / 100), ...banner, '  Continuing training from checkpoint, will skip to saved global_step', '  Continuing training from global step 2', ...hfLaunch(5, 30, (s) => 2.5 - s / 100)].join('\n')}\n`);
  assert.match(said.snapshot().alerts.find((a) => a.kind === 'restart')!.message, /^resumed at step 5 /);
  // Megatron-LM `load_checkpoint`: `  successfully loaded checkpoint from ... at iteration N`
  const m = [...[10, 20, 30].map((i) => mega(i, 3 - i / 1000)), '0:   successfully loaded checkpoint from /ckpt [ t 0, p 0 ] at iteration 5', ...[10, 20].map((i) => mega(i, 3 - i / 1000))];
  assert.match(feedOf(`${m.join('\n')}\n`).snapshot().alerts.find((a) => a.kind === 'restart')!.message, /^resumed at step 10 /);
});

test('points placed by record index before the log shows its step axis are counted as unplaced (finding 3)', () => {
  // alignment-handbook#55 (test/fixtures/logs): 11 Trainer dicts before any bar line (placed at 1..11), then the
  // training bar at 136/202 and an eval dict placed at 136: the 33 train points are off the step axis.
  const real = readFileSync(join(__dirname, '..', 'fixtures', 'logs', 'hf-trainer__alignment-handbook-sft-with-eval-and-tqdm.log'));
  const feed = feedOf(real.toString('utf8'));
  assert.equal(feed.meta.unplaced_points, 33);
  assert.ok(feed.info().notes.some((n) => n.startsWith('33 points of records that print no step')), feed.info().notes.join('|'));
  // the same shape, small, and streamed: nothing is reported before the axis shows, all of it once it does
  const dicts = [1.0238, 1.013, 1.022].map((l, i) => `{'loss': ${l}, 'learning_rate': 1.2e-05, 'epoch': ${0.42 + i / 50}}`);
  const live = createLogParser();
  assert.equal(live.push(`${dicts.join('\n')}\n`).meta?.unplaced_points, undefined);
  const later = live.push(`${bar(67).replace('67/100', '136/202')}\n{'eval_loss': 1.0159, 'eval_runtime': 381.2, 'epoch': 0.67}\n${bar(67).replace('67/100', '137/202')}\n`);
  assert.equal(later.meta?.unplaced_points, 9);
  // a log of dicts only has no step axis: its index steps are its steps
  assert.equal(parseLog(`${dicts.join('\n')}\n`).meta.unplaced_points, undefined);
});

test("the Trainer's final `***** eval metrics *****` block is at the launch's last step; `train metrics` is the summary (finding 4)", () => {
  // t12-inputs/hf-posteval.log: run_clm.py's `trainer.log_metrics("train", metrics)` after training, then
  // `trainer.log_metrics("eval", metrics)` after the final evaluate() (trainer_pt_utils.log_metrics: print, sorted
  // keys, `  {key: <w} = {value:>w}`, metrics_format: total_flos in GF, runtimes as h:mm:ss.ff)
  const full = (n: number) => `100%|██████████| ${n}/200 [03:20<00:00,  1.00s/it]`;
  const train = ['***** train metrics *****', '  epoch                    =        1.0', '  total_flos               =  1234567GF', '  train_loss               =     2.2', '  train_runtime            = 0:03:20.00', '  train_samples            =       6100', '  train_samples_per_second =     30.5', '  train_steps_per_second   =      1.0'];
  const evalBlock = ['***** eval metrics *****', '  epoch                   =        1.0', '  eval_loss               =     2.0312', '  eval_runtime            = 0:00:08.40', '  eval_samples_per_second =     59.52', '  perplexity              =     7.6231'];
  const log = [full(199), full(200), "{'loss': 1.9, 'grad_norm': 0.5, 'learning_rate': 0.0, 'epoch': 1.0}", full(200),
    "{'train_runtime': 200.0, 'train_samples_per_second': 30.5, 'train_steps_per_second': 1.0, 'train_loss': 2.2, 'epoch': 1.0}", full(200),
    ...train, '[INFO|trainer.py:4021] 2024-11-05 10:04:00,000 >> ***** Running Evaluation *****', '[INFO|trainer.py:4023] 2024-11-05 10:04:00,000 >>   Num examples = 500',
    '100%|██████████| 63/63 [00:08<00:00,  7.50it/s]', ...evalBlock];
  const r = parseLog(`${log.join('\n')}\n`);
  assert.deepEqual(pairs(r.points, 'eval_loss'), [[200, 2.0312]]);
  assert.deepEqual(pairs(r.points, 'perplexity'), [[200, 7.6231]]);
  assert.deepEqual(pairs(r.points, 'eval_samples_per_second'), [[200, 59.52]]);
  assert.deepEqual(pairs(r.points, 'loss'), [[200, 1.9]]); // train_loss (the run's mean) is no loss point
  assert.equal(r.meta.train_loss, 2.2);
  assert.equal(r.meta.train_samples, 6100);
  assert.equal(r.meta.unplaced_points, undefined);
  // the same at the end of the log with no newline, and after a blank line
  assert.deepEqual(pairs(parseLog(log.join('\n')).points, 'eval_loss'), [[200, 2.0312]]);
  // a later launch that only evaluates (no training step of its own) has no step for it: unplaced
  const evalOnly = parseLog(`${[...log.slice(0, 4), '***** Running training *****', ...evalBlock].join('\n')}\n`);
  assert.deepEqual(pairs(evalOnly.points, 'eval_loss'), [[1, 2.0312]]);
  assert.equal(evalOnly.meta.unplaced_points, 4);
});

// A fresh tester's second round (after the rule above landed): ordinary logs whose step counter goes back without a
// new launch got a restart alert at every interval. Each input is the tester's minimal one.
test('no new launch where a step goes back without one: a rank one interval behind, counters that restart each epoch', () => {
  // two ranks printing without a rank prefix, rank 1 one interval behind, to the end of the log (nanoGPT, JSON lines)
  const r0 = [0, 10, 20, 30, 40], lagged: string[] = [];
  for (let i = 0; i < r0.length; i++) { lagged.push(nano(r0[i], 3 - r0[i] / 500)); if (i > 0) lagged.push(nano(r0[i - 1], 3.001 - r0[i - 1] / 500)); }
  lagged.push(nano(40, 3.001 - 40 / 500));
  const lf = feedOf(`${lagged.join('\n')}\n`);
  assert.deepEqual(seriesSteps(lf, 'loss'), ['loss:0,10,20,30,40']);
  assert.deepEqual(pairs(parseLog(`${lagged.join('\n')}\n`).points, 'loss').map(([, v]) => v), [3, 2.98, 2.96, 2.94, 2.92]); // the first value of each step
  assert.deepEqual(alertKinds(lf), []);
  const jr: string[] = [];
  for (let s = 10; s <= 190; s += 10) { jr.push(`{"step": ${s}, "loss": ${3 - s / 500}, "rank": 0}`); if (s > 10) jr.push(`{"step": ${s - 10}, "loss": ${3.002 - (s - 10) / 500}, "rank": 1}`); }
  jr.push(`{"step": 190, "loss": ${3.002 - 190 / 500}, "rank": 1}`);
  assert.deepEqual(alertKinds(feedOf(`${jr.join('\n')}\n`)), []);
  // Lightning's progress bar: the batch counter restarts each epoch (`Epoch 1:  33%|...| 1/3 [..., loss=2.00]`)
  const bar = (e: number, n: number, loss: number) => `Epoch ${e}:  ${Math.round((100 * n) / 3)}%|███       | ${n}/3 [00:00<00:01,  2.00it/s, v_num=0, loss=${loss.toFixed(2)}]`;
  const pl = `${bar(0, 1, 2.3)}\r${bar(0, 2, 2.2)}\r${bar(0, 3, 2.1)}\n${bar(1, 1, 2.0)}\r${bar(1, 2, 1.9)}\r${bar(1, 3, 1.8)}\n`;
  assert.deepEqual(alertKinds(feedOf(pl)), []);
  // torchtune's `epoch|batch|Loss:` bar of earlier recipes (batch restarts each epoch)
  const tt = [[1, 1, 1.8], [1, 2, 1.75], [1, 3, 1.7], [2, 1, 1.6], [2, 2, 1.55], [2, 3, 1.5]].map(([e, i, l]) => `${e}|${i}|Loss: ${l.toFixed(2)}:   4%|▍         | ${i}/3 [00:01<00:02,  1.00it/s]`).join('\n');
  assert.deepEqual(alertKinds(feedOf(`${tt}\n`)), []);
  // Key: value blocks under per-epoch `Step i/n` headers
  const kv = ['Epoch 1/2', 'Step 1/2', '  loss: 2.00', 'Step 2/2', '  loss: 1.90', 'Epoch 2/2', 'Step 1/2', '  loss: 1.80', 'Step 2/2', '  loss: 1.70'].join('\n');
  assert.deepEqual(alertKinds(feedOf(`${kv}\n`)), []);
});
