// A Megatron-LM interval whose every iteration was skipped (fp16 loss-scale search, or overflows later on) prints
// its iteration line without `lm loss` and `grad norm` (training.py `training_log`: a loss is printed only `if avg >
// 0.0`, averaged over the advanced iterations, of which there were none; the grad norm only when not None). Issue 12:
// an iteration line without its loss is a NaN point of the loss series at that iteration, not a missing step. Found
// by a fresh tester (/work/notes/t12-inputs/mega-skip.log, iteration 60) and in the corpus (BERT pretraining of
// NVIDIA/nccl#743, iteration 10: the log's first line).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseLog } from '../../src/core/metrics';
import { alertKinds, feedOf } from '../metricsFeed';

const line = (i: number, tail: string) => ` iteration       ${i}/   10000 | consumed samples:         ${i * 64} | elapsed time per iteration (ms): 1523.4 | learning rate: 3.000000E-04 | global batch size:    64 | ${tail}`;
const ok = (i: number) => line(i, 'lm loss: 2.000000E+00 | loss scale: 1.0 | grad norm: 1.234 | number of skipped iterations:   0 | number of nan iterations:   0 |');
const skipped = (i: number, n: number) => line(i, `loss scale: 1.0 | number of skipped iterations:  ${String(n).padStart(3)} | number of nan iterations:   0 |`);
const loss = (log: string) => parseLog(log).points.filter((p) => p.series === 'loss').map((p) => `${p.step}:${p.value}`);

test('a Megatron interval whose every iteration was skipped is a NaN loss point at its iteration', () => {
  // the tester's mega-skip.log: log interval 10, iteration 60 skipped all 10
  const log = [ok(10), ok(20), ok(30), ok(40), ok(50), skipped(60, 10), ok(70), ok(80)].join('\n') + '\n';
  assert.deepEqual(loss(log), ['10:2', '20:2', '30:2', '40:2', '50:2', '60:NaN', '70:2', '80:2']);
  // as the log's first line (no loss seen yet): a NaN point of `loss` all the same
  assert.deepEqual(loss([skipped(10, 10), ok(20)].join('\n') + '\n'), ['10:NaN', '20:2']);
});

test('the corpus BERT pretraining log opens on an interval of 10 skipped iterations: NaN at 10, then its lm loss', () => {
  const log = readFileSync(join(__dirname, '..', 'fixtures', 'logs', 'megatron-lm__bert-pretrain-fp16-warmup-skipped-iters.log'));
  assert.deepEqual(loss(new TextDecoder().decode(log)), ['10:NaN', '20:10.05022']);
});

test('a Megatron log that prints no loss at all gets no NaN loss for a skipped iteration (Megatron-LLM bad grad norm)', () => {
  // epfLLM/Megatron-LLM#34: lines without `lm loss` from the first on, a `Bad grad_norm detected` warning, then an
  // iteration with one skipped iteration: its grad norm is NaN (the warning), no loss series is invented
  const log = readFileSync(join(__dirname, '..', 'fixtures', 'logs', 'megatron-llm__bad-grad-norm-warning-skipped.log'));
  const points = parseLog(new TextDecoder().decode(log)).points;
  assert.deepEqual(loss(new TextDecoder().decode(log)), []);
  assert.deepEqual(points.filter((p) => p.series === 'grad_norm').map((p) => `${p.step}:${p.value}`), ['3633:0.794', '3634:NaN']);
});

test('a skipped interval is drawn as NaN but raises no NaN alert (the fp16 loss scaler backing off); a NaN iteration does', () => {
  const nanIter = (i: number) => line(i, 'loss scale: 1.0 | grad norm: nan | number of skipped iterations:   0 | number of nan iterations:   1 |');
  // the log opens on the loss-scale search (as the corpus BERT log does), then trains
  const opening = feedOf([skipped(10, 10), ok(20), ok(30)].join('\n') + '\n');
  const l = opening.snapshot().series.find((x) => x.name === 'loss')!;
  assert.deepEqual([...l.steps].map((st, i) => `${st}:${l.values[i]}`), ['10:NaN', '20:2', '30:2']);
  assert.deepEqual(alertKinds(opening).filter((k) => k.startsWith('nan')), []);
  // mid-run: an overflow-skipped interval is no NaN alert, a NaN iteration is
  const mid = feedOf([ok(10), ok(20), skipped(30, 10), ok(40), nanIter(50), ok(60)].join('\n') + '\n');
  assert.deepEqual(mid.snapshot().alerts.filter((a) => a.kind === 'nan').map((a) => `${a.series}@${a.step}`), ['grad_norm@50', 'loss@50']);
});
