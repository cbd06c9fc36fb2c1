// Logs that print one record per micro-batch (LitGPT `iter N step M`): the optimizer step is the step axis, its
// micro-batches are summarised (mean, min, max, count), the alert rules still see every micro-batch, and the step
// number a log repeats across one step's micro-batches starts no run segment (issue 11).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { AlertDetector, createLogParser, createMetricsFeed, parseLog } from '../../src/core/metrics';
import { GAP_FACTOR, typicalDelta, withGaps } from '../../webview-ui/metrics/gaps';

const LOG = readFileSync(join(__dirname, '..', 'fixtures', 'logs', 'litgpt__codellama-full-ft-loss-spike.log'), 'utf8');
const col = (f: ReturnType<typeof createMetricsFeed>, n: string) => {
  const s = f.store.series(n);
  return s ? { steps: [...s.steps], values: [...s.values], times: s.times ? [...s.times] : undefined } : undefined;
};

/** A lit-gpt line as `finetune/full.py` prints it. */
const line = (iter: number, step: number, loss: number, boundary: boolean) =>
  `iter ${iter} step ${step}: loss ${loss.toFixed(4)}, iter time: 100.00ms${boundary ? ' (optimizer.step)' : ''}\n`;
/** `steps` optimizer steps of `accum` micro-batches each, losses from `lossOf(step, k)`, starting at step 1. */
function litLog(steps: number[], accum: number, lossOf: (step: number, k: number) => number): string {
  let out = '';
  for (const s of steps) for (let k = 0; k < accum; k++) {
    const boundary = k === accum - 1;
    out += line((s - 1) * accum + k, boundary ? s : s - 1, lossOf(s, k), boundary);
  }
  return out;
}

test('live: a step is placed when its marked record arrives, dated by it; the repeated step number starts no segment; the store counts micro-batches', () => {
  let clock = 1_000_000;
  const f = createMetricsFeed('r', 'litgpt', { now: () => clock });
  const lines = LOG.split('\n').map((l) => `${l}\n`);
  const upTo = (prefix: string) => { while (lines.length && !lines[0].startsWith(prefix)) { clock += 1000; f.pushChunk(lines.shift()!); } clock += 1000; f.pushChunk(lines.shift()!); };
  upTo('iter 1151 ');
  assert.deepEqual(col(f, 'loss')?.steps, [144]);
  upTo('iter 1158 ');
  assert.deepEqual(col(f, 'loss')?.steps, [144], 'step 145 is still accumulating: no point yet');
  upTo('iter 1159 ');
  const loss = col(f, 'loss')!;
  assert.deepEqual(loss.steps, [144, 145]);
  assert.equal(loss.times![1], clock, 'dated by the record that ran optimizer.step()');
  assert.deepEqual(col(f, 'micro_batches')?.values, [1, 8]);
  assert.ok(Math.abs(loss.values[1] - 11.2379125) < 1e-5); // Float32 in the store
  for (const l of lines) f.pushChunk(l);
  assert.deepEqual(col(f, 'loss')?.steps, [144, 145], 'step 464 is still open until the log ends');
  f.end();
  assert.deepEqual(col(f, 'loss')?.steps, [144, 145, 464]);
  assert.deepEqual(col(f, 'micro_batches')?.values, [1, 8, 6]);
  assert.deepEqual(col(f, 'loss_max')?.steps, [144, 145, 464]);
  assert.deepEqual(f.store.segments('loss'), []);
  assert.equal(f.store.seriesNames().some((n) => n.includes('(segment')), false);
  assert.deepEqual(f.snapshot().alerts.map((a) => `${a.kind}@${a.step}`), ['spike@145']);
});

test('a spike in one micro-batch fires although the step mean hides it; loss_max shows it', () => {
  // 4 micro-batches per step around 2.0 (their spread is larger than that of the step means); at step 14 one
  // micro-batch reads 6.0, which moves the step mean only to 2.9.
  const base = [1.6, 2.4, 1.8, 2.2];
  const text = litLog(Array.from({ length: 16 }, (_, i) => i + 1), 4, (s, k) => (s === 14 && k === 1 ? 6 : base[k] + 0.1 * ((s % 3) - 1)));
  const r = parseLog(text);
  const byName = (n: string) => r.points.filter((p) => p.series === n);
  assert.deepEqual(byName('loss').map((p) => p.step), Array.from({ length: 16 }, (_, i) => i + 1));
  assert.ok(Math.abs(byName('loss')[13].value - (1.6 + 0.1 * 1 + 6 + 1.8 + 0.1 + 2.2 + 0.1) / 4) < 1e-9);
  assert.equal(byName('loss_max')[13].value, 6);
  assert.deepEqual(byName('micro_batches').map((p) => p.value), Array(16).fill(4));
  // The means alone raise nothing: this is what judging only the mean would miss.
  assert.deepEqual(new AlertDetector().push(r.points), []);
  assert.equal(r.alertPoints?.filter((p) => p.series === 'loss').length, 64);
  const f = createMetricsFeed('r', 'spike', { now: null });
  f.pushChunk(text); f.end();
  assert.deepEqual(f.snapshot().alerts.map((a) => a.message), ['loss spiked to 6 at step 14']);
});

test('a spike in a step that never completes (a crash mid-accumulation) fires at once, before the step has a point', () => {
  const f = createMetricsFeed('r', 'crash', { now: null });
  f.pushChunk(litLog([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 4, (s, k) => 2 + 0.01 * ((s + k) % 3)));
  const before = f.snapshot().alerts.length;
  // Step 11's first two micro-batches, the second a spike; no marked record follows (the run died).
  const batch = f.pushChunk(line(40, 10, 2.01, false) + line(41, 10, 9.5, false));
  assert.equal(before, 0);
  assert.deepEqual(batch.alerts.map((a) => `${a.kind}@${a.step}`), ['spike@11']);
  assert.deepEqual(col(f, 'loss')?.steps.slice(-1), [10], 'step 11 has no point while it is open');
});

test('a micro-batch printed twice is counted once; a NaN micro-batch makes the step NaN and raises nan', () => {
  const text = `${line(0, 0, 2.5, false)}${line(0, 0, 2.5, false)}${line(1, 1, 2.7, true)}${line(2, 1, Number.NaN, false)}${line(3, 2, 2.4, true)}`.replace('loss NaN', 'loss nan');
  const r = parseLog(text);
  const loss = r.points.filter((p) => p.series === 'loss');
  assert.deepEqual(loss.map((p) => p.step), [1, 2]);
  assert.ok(Math.abs(loss[0].value - 2.6) < 1e-12);
  assert.ok(Number.isNaN(loss[1].value));
  assert.deepEqual(r.points.filter((p) => p.series === 'micro_batches').map((p) => p.value), [2, 2]);
  assert.deepEqual(r.points.filter((p) => p.series === 'loss_min').map((p) => p.value), [2.5, 2.4]);
  assert.deepEqual(new AlertDetector().push(r.alertPoints ?? r.points).map((a) => `${a.kind}@${a.step}`), ['nan@2']);
});

test('chunks cut anywhere give the same points as the whole log', () => {
  const whole = parseLog(LOG).points;
  for (const cut of [1, 7, 53, 200]) {
    const p = createLogParser();
    const pts = [];
    for (let i = 0; i < LOG.length; i += cut) pts.push(...p.push(LOG.slice(i, i + cut)).points);
    pts.push(...p.end().points);
    assert.deepEqual(pts, whole, `chunks of ${cut}`);
  }
});

test('the corpus LitGPT excerpt (steps 144, 145, 464) has its gap drawn', () => {
  const xs = parseLog(LOG).points.filter((p) => p.series === 'loss').map((p) => p.step);
  assert.deepEqual(xs, [144, 145, 464]);
  const g = withGaps(xs, [1, 2, 3], 3, GAP_FACTOR * typicalDelta(xs, 3));
  assert.equal(g.gaps, 1);
  assert.equal(g.ys[2], null);
});

test('steps missing from a LitGPT log are drawn as a gap, not bridged', () => {
  const steps = [...Array.from({ length: 20 }, (_, i) => i + 1), ...Array.from({ length: 10 }, (_, i) => i + 300)];
  const r = parseLog(litLog(steps, 2, () => 2));
  const xs = r.points.filter((p) => p.series === 'loss').map((p) => p.step);
  assert.deepEqual(xs, steps);
  const g = withGaps(xs, xs.map(() => 2), xs.length, GAP_FACTOR * typicalDelta(xs, xs.length));
  assert.equal(g.gaps, 1);
  assert.equal(g.ys[20], null);
});

/** `series`' points as `step=value`. */
const pts = (r: ReturnType<typeof parseLog>, series: string) => r.points.filter((p) => p.series === series).map((p) => `${p.step}=${p.value}`);

test('lit-gpt validation lines are eval_loss at the optimizer step they follow, not at the iteration they print', () => {
  // lit-gpt finetune/full.py: after the marked record of every eval_interval-th step it prints the iteration (0-based
  // iter_num) as `iter N: val loss` (2024) or `step N: val loss` (2023, the same iter_num).
  const step = (s: number) => litLog([s], 4, (x, k) => 3 - x / 10 - k / 100);
  const text = step(1) + step(2) + 'iter 7: val loss 2.5000, val time: 1234.56 ms\n' + step(3) + step(4) + 'step 15: val loss 2.4000, val time: 987.65ms\n' + step(5);
  const r = parseLog(text);
  assert.deepEqual(pts(r, 'loss').map((p) => p.split('=')[0]), ['1', '2', '3', '4', '5']);
  assert.deepEqual(pts(r, 'eval_loss'), ['2=2.5', '4=2.4']);
  assert.equal(r.format, 'litgpt');
});

test('LitGPT validation lines, also where log_interval hides the marked record; Final evaluation adds eval_ppl at the last step', () => {
  // LitGPT finetune/lora.py: 1-based iter, `(step)` marks the record that closes a step; 4 micro-batches a step.
  const rec = (iter: number) => {
    const step = Math.floor(iter / 4), marked = iter % 4 === 0;
    return `Epoch 1 | iter ${iter} step ${step} | loss train: ${(3 - iter / 100).toFixed(3)}, val: n/a | iter time: 100.00 ms${marked ? ' (step)' : ''}\n`;
  };
  let text = '';
  for (let i = 1; i <= 8; i++) text += rec(i);
  text += 'iter 8: val loss 2.9000, val time: 50.00 ms\n'; // after the record of iter 8 (step 2)
  // log_interval 3 from here: records at 9, 12, ..., 36; validations every 2 steps at iters 16, 24, 32.
  for (let i = 9; i <= 36; i++) {
    if (i % 3 === 0) text += rec(i);
    if (i % 8 === 0) text += `iter ${i}: val loss ${(3 - i / 100).toFixed(4)}, val time: 50.00 ms\n`;
  }
  text += 'Final evaluation | val loss: 2.600 | val ppl: 13.464\n';
  const r = parseLog(text);
  // iter 16: the record before it (iter 15, step 3 accumulating) counts in step 4; iter 24 was printed (step 6);
  // iter 32: counted on from the marked record of iter 24 at 4 iterations per step (marked 12 -> 24: 12 iters, 3 steps).
  assert.deepEqual(pts(r, 'eval_loss'), ['2=2.9', '4=2.84', '6=2.76', '8=2.68', '9=2.6']);
  assert.deepEqual(pts(r, 'eval_ppl'), ['9=13.464']);
  assert.equal(pts(r, 'loss').at(-1)?.split('=')[0], '9');
});
