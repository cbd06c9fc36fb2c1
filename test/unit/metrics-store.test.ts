// Metric store (columns, segments, x-axes, run alignment), M4 downsampling (property: per-column min/max preserved),
// smoothing, and the feed that wires parser, store and alerts together.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { alignSeries, createMetricsFeed, emaDebiased, emaTimeWeighted, gaussianSmooth, MetricStore, minMaxColumns } from '../../src/core/metrics';
import type { MetricPoint, MetricsBatch } from '../../src/core/metrics';
import { emptyReason } from '../../src/core/metrics/feed';

const pts = (series: string, xs: Array<[number, number, number?]>): MetricPoint[] => xs.map(([step, value, time]) => (time === undefined ? { series, step, value } : { series, step, value, time }));

test('store: columns per series in order of appearance, NaN kept, float32 values', () => {
  const s = new MetricStore();
  s.append([...pts('loss', [[1, 2.5], [2, NaN], [3, 2.0]]), ...pts('learning_rate', [[1, 1e-4]])]);
  assert.deepEqual(s.seriesNames(), ['loss', 'learning_rate']);
  const loss = s.series('loss')!;
  assert.deepEqual([...loss.steps], [1, 2, 3]);
  assert.equal(loss.values[0], 2.5);
  assert.ok(Number.isNaN(loss.values[1]));
  assert.equal(s.series('learning_rate')!.values[0], Math.fround(1e-4));
  assert.equal(s.series('nope'), undefined);
  assert.equal(s.pointCount, 4);
});

test('store: a step not after the last one starts a new segment and replaces the later points, keeping the earlier segment', () => {
  const s = new MetricStore();
  s.append(pts('loss', [[10, 5], [20, 4], [30, 3], [40, 2]]));
  const restarts = s.append(pts('loss', [[20, 4.5], [30, 3.5]]));
  assert.deepEqual([...s.series('loss')!.steps], [10, 20, 30]);
  assert.deepEqual([...s.series('loss')!.values], [5, 4.5, 3.5]);
  // issue 12: the earlier launch is kept whole (the chart draws it faded), and the restart is reported
  assert.deepEqual(restarts, [{ series: 'loss', step: 20, previousLastStep: 40, archived: 'loss (segment 1)' }]);
  assert.deepEqual([...s.series('loss (segment 1)')!.steps], [10, 20, 30, 40]);
  assert.deepEqual(s.segments('loss'), ['loss (segment 1)']);
  assert.equal(s.pointCount, 7);
});

test('store: non-integer steps switch the series to float64 steps', () => {
  const s = new MetricStore();
  s.append(pts('x', [[1, 1], [2, 2], [2.5, 3], [3e10, 4]]));
  assert.deepEqual([...s.series('x')!.steps], [1, 2, 2.5, 3e10]);
});

test('store: x-axes by step, wall time, relative time and tokens', () => {
  const t0 = Date.UTC(2024, 0, 1);
  const s = new MetricStore({ tokensPerStep: 1024 * 4096 });
  s.append(pts('loss', [[10, 2, t0], [20, 1.5, t0 + 60_000], [30, 1.2, t0 + 120_000]]));
  assert.deepEqual([...s.x('loss', 'step')!], [10, 20, 30]);
  assert.deepEqual([...s.x('loss', 'time')!], [t0, t0 + 60_000, t0 + 120_000]);
  assert.deepEqual([...s.x('loss', 'relative')!], [0, 60, 120]);
  assert.deepEqual([...s.x('loss', 'tokens')!], [10 * 4194304, 20 * 4194304, 30 * 4194304]);
  assert.deepEqual([...s.series('loss')!.times!], [t0, t0 + 60_000, t0 + 120_000]);
  // a token counter in the log wins over the config, interpolated by step
  s.append(pts('trained_tokens', [[10, 1000], [30, 3000]]));
  assert.deepEqual([...s.x('loss', 'tokens')!], [1000, 2000, 3000]);
  const noTime = new MetricStore();
  noTime.append(pts('loss', [[1, 1]]));
  assert.equal(noTime.x('loss', 'time'), undefined);
  assert.equal(noTime.x('loss', 'tokens'), undefined);
});

test('store: bounded memory, under 16 bytes per point with times', () => {
  const s = new MetricStore();
  const batch: MetricPoint[] = [];
  for (let i = 1; i <= 300_000; i++) batch.push({ series: 'loss', step: i, value: 1 / i, time: 1.7e12 + i * 1000 });
  s.append(batch);
  assert.equal(s.length('loss'), 300_000);
  assert.ok(s.bytesPerPoint <= 16, `bytesPerPoint ${s.bytesPerPoint}`);
  assert.ok(s.bytesPerPoint >= 12);
});

test('alignSeries: union of x over runs, NaN where a run has no point', () => {
  const a = new MetricStore(), b = new MetricStore();
  a.append(pts('loss', [[1, 3], [2, 2], [3, 1]]));
  b.append(pts('loss', [[2, 2.5], [4, 1.5]]));
  const al = alignSeries([{ runId: 'a', store: a }, { runId: 'b', store: b }, { runId: 'c', store: new MetricStore() }], 'loss');
  assert.deepEqual([...al.x], [1, 2, 3, 4]);
  assert.deepEqual([...al.ys[0]], [3, 2, 1, NaN]);
  assert.deepEqual([...al.ys[1]], [NaN, 2.5, NaN, 1.5]);
  assert.ok(al.ys[2].every(Number.isNaN));
  assert.deepEqual(al.runIds, ['a', 'b', 'c']);
});

test('minMaxColumns: small ranges come back whole; counts are "N of M"', () => {
  const xs = Float64Array.from([1, 2, 3, 4, 5]), ys = Float64Array.from([5, 4, 3, 2, 1]);
  const d = minMaxColumns(xs, ys, 2, 4, 100);
  assert.deepEqual([...d.x], [2, 3, 4]);
  assert.deepEqual([...d.y], [4, 3, 2]);
  assert.equal(d.pointsUsed, 3);
  assert.equal(d.total, 3);
});

test('minMaxColumns: a single spike in 10M points survives full zoom-out; zoom re-resolves from full data', () => {
  const n = 10_000_000;
  const xs = new Float64Array(n), ys = new Float64Array(n);
  for (let i = 0; i < n; i++) { xs[i] = i; ys[i] = 2 + Math.sin(i / 1000) * 0.1; }
  ys[7_654_321] = 50;
  ys[1_234_567] = NaN;
  const d = minMaxColumns(xs, ys, 0, n - 1, 800);
  assert.equal(d.total, n);
  assert.ok(d.pointsUsed <= 800 * 5);
  assert.equal(Math.max(...d.y.filter(Number.isFinite)), 50);
  assert.ok(d.x.includes(7_654_321));
  assert.ok(d.y.some(Number.isNaN)); // the NaN is drawn as an event
  const zoom = minMaxColumns(xs, ys, 7_654_000, 7_654_400, 800);
  assert.equal(zoom.total, 401);
  assert.equal(zoom.pointsUsed, 401);
});

test('property: per pixel column, drawn min/max equal the true min/max; x order kept; deterministic', () => {
  fc.assert(fc.property(
    fc.array(fc.tuple(fc.double({ min: 0, max: 1000, noNaN: true }), fc.oneof(fc.double({ noNaN: true, min: -1e6, max: 1e6 }), fc.constant(NaN))), { minLength: 1, maxLength: 3000 }),
    fc.integer({ min: 1, max: 200 }), fc.double({ min: 0, max: 500, noNaN: true }), fc.double({ min: 0, max: 600, noNaN: true }),
    (raw, cols, a, w) => {
      raw.sort((p, q) => p[0] - q[0]);
      const xs = Float64Array.from(raw.map((r) => r[0])), ys = Float64Array.from(raw.map((r) => r[1]));
      const x0 = a, x1 = a + w;
      const d = minMaxColumns(xs, ys, x0, x1, cols);
      const inRange = raw.filter((r) => r[0] >= x0 && r[0] <= x1);
      assert.equal(d.total, inRange.length);
      assert.deepEqual(minMaxColumns(xs, ys, x0, x1, cols), d);
      for (let i = 1; i < d.index.length; i++) assert.ok(d.index[i] > d.index[i - 1]);
      if (inRange.length <= 4 * cols) { assert.equal(d.pointsUsed, inRange.length); return; }
      const col = (x: number) => Math.min(cols - 1, Math.floor((x - x0) * (cols / (x1 - x0))));
      const truth = new Map<number, { min: number; max: number; nan: boolean }>();
      for (const [x, y] of inRange) {
        const c = col(x); const t = truth.get(c) ?? { min: Infinity, max: -Infinity, nan: false };
        if (Number.isNaN(y)) t.nan = true; else { t.min = Math.min(t.min, y); t.max = Math.max(t.max, y); }
        truth.set(c, t);
      }
      const drawn = new Map<number, { min: number; max: number; nan: boolean }>();
      for (let i = 0; i < d.x.length; i++) {
        const c = col(d.x[i]); const t = drawn.get(c) ?? { min: Infinity, max: -Infinity, nan: false };
        const y = d.y[i];
        if (Number.isNaN(y)) t.nan = true; else { t.min = Math.min(t.min, y); t.max = Math.max(t.max, y); }
        drawn.set(c, t);
      }
      assert.deepEqual(drawn, truth);
      assert.ok(d.pointsUsed <= 5 * cols);
    }), { numRuns: 300, seed: 3 });
});

test('emaDebiased matches TensorBoard: first value unbiased, NaN passed through, constant series unchanged', () => {
  const s = emaDebiased([1, 2, NaN, 3], 0.6);
  assert.equal(s[0], 1);
  assert.ok(Math.abs(s[1] - (0.6 * 0.4 * 1 + 0.4 * 2) / (1 - 0.36)) < 1e-12);
  assert.ok(Number.isNaN(s[2]));
  const last = ((0.6 * 0.4 * 1 + 0.4 * 2) * 0.6 + 0.4 * 3) / (1 - 0.216);
  assert.ok(Math.abs(s[3] - last) < 1e-12);
  assert.deepEqual([...emaDebiased([2, 2, 2], 0.9)], [2, 2, 2]);
  assert.deepEqual([...emaDebiased([1, 5, 3], 0)], [1, 5, 3]);
});

test('emaTimeWeighted equals the debiased EMA on a regular grid and respects irregular gaps', () => {
  const v = [3, 1, 4, 1, 5, 9, 2, 6];
  const xs = v.map((_, i) => i);
  const half = 3;
  const a = emaTimeWeighted(xs, v, half), b = emaDebiased(v, Math.pow(2, -1 / half));
  for (let i = 0; i < v.length; i++) assert.ok(Math.abs(a[i] - b[i]) < 1e-12);
  // a long gap forgets the past: after 1000 half-lives the value is (almost) the new one
  const g = emaTimeWeighted([0, 1, 1001], [10, 10, 0], 1);
  assert.ok(g[2] < 1e-12);
});

test('gaussianSmooth: averages within 3 sigma, keeps NaN, leaves a constant alone', () => {
  assert.deepEqual([...gaussianSmooth([0, 1, 2], [5, 5, 5], 1)], [5, 5, 5]);
  const s = gaussianSmooth([0, 1, 2, 100], [0, 10, 0, 7], 1);
  const w = Math.exp(-0.5);
  assert.ok(Math.abs(s[1] - (10) / (1 + 2 * w)) < 1e-12);
  assert.equal(s[3], 7); // nothing else within 3 sigma
  assert.ok(Number.isNaN(gaussianSmooth([0, 1], [NaN, 1], 1)[0]));
});

test('feed: chunks in, batches out to subscribers, snapshot has everything', () => {
  const feed = createMetricsFeed('run-1', 'demo', { now: () => 5000 });
  const got: MetricsBatch[] = [];
  const unsubscribe = feed.subscribe((b) => got.push(b));
  feed.pushChunk("{'loss': 2.0, 'grad_norm': 1.0}\n{'loss': 1.5, 'grad_n");
  // From the first training bar on, a Trainer dict waits for the bar redraw that tqdm.write prints after it.
  feed.pushChunk("orm': 1.0}\n 10%|█         | 10/100 [00:10<01:30,  1.00it/s]\n{'loss': nan, 'grad_norm': 1.0}\n 10%|█         | 10/100 [00:10<01:30,  1.00it/s]\n");
  unsubscribe();
  feed.pushChunk("{'loss': 1.0, 'grad_norm': 0.5}\n 20%|██        | 20/100 [00:20<01:20,  1.00it/s]\n");
  const end = feed.end();
  assert.equal(end.points.length, 0);
  // The dict that opens the log waits for what follows it (a bar redrawn right after it would give its step, issue 12):
  // the first chunk completes no point, the second brings everything up to the NaN dict placed by the bar at 10.
  assert.equal(got.length, 1);
  assert.deepEqual(got[0].points.slice(0, 4).map((p) => [p.series, p.step, p.value, p.time]), [['loss', 1, 2, 5000], ['grad_norm', 1, 1, 5000], ['loss', 2, 1.5, 5000], ['grad_norm', 2, 1, 5000]]);
  assert.deepEqual(got[0].alerts.map((a) => `${a.kind}@${a.step}`), ['nan@10']);
  assert.deepEqual(got[0].progress, { step: 10, total: 100, etaSeconds: 90, rate: 1, rateUnit: 'it/s' });
  const snap = feed.snapshot();
  assert.deepEqual([...snap.series.find((s) => s.name === 'loss')!.steps], [1, 2, 10, 20]);
  assert.equal(snap.alerts.length, 1);
  assert.equal(snap.progress?.step, 20);
  assert.equal(feed.format, 'hf-trainer');
  assert.equal(feed.runId, 'run-1');
});

test('store: tokens from Megatron consumed samples x the configured sequence length', () => {
  const s = new MetricStore({ seqLength: 2048, tokensPerStep: 1 });
  s.append([...pts('consumed_samples', [[10, 640], [20, 1280]]), ...pts('loss', [[10, 3], [20, 2.5]])]);
  assert.deepEqual([...s.x('loss', 'tokens')!], [640 * 2048, 1280 * 2048]);
});

test('store.downsample: min/max per column straight from the stored columns, on any axis', () => {
  const s = new MetricStore();
  const batch: MetricPoint[] = [];
  for (let i = 1; i <= 100_000; i++) batch.push({ series: 'loss', step: i, value: i === 54_321 ? 40 : 2, time: 1.7e12 + i * 500 });
  s.append(batch);
  const d = s.downsample('loss', 1, 100_000, 300)!;
  assert.equal(d.total, 100_000);
  assert.ok(d.pointsUsed <= 1500);
  assert.ok(d.x.includes(54_321) && d.y.includes(40));
  const r = s.downsample('loss', 0, 50_000, 300, 'relative')!;
  assert.ok(r.y.includes(40));
  assert.equal(s.downsample('loss', 0, 1, 10, 'tokens'), undefined);
  assert.equal(s.downsample('nope', 0, 1, 10), undefined);
});

test('a feed with no points says why in its info (issue 11: an empty chart read "0 of 0 points" on a 0-1 axis)', () => {
  const feed = createMetricsFeed('r', 'r', { now: null });
  assert.equal(feed.info().empty, 'The log is empty so far: no metric yet.');
  feed.pushChunk('Loading checkpoint shards: 100%\nmodel loaded\n');
  assert.equal(feed.info().empty, 'No metric lines yet in 2 lines read (no known log format recognised).');
  feed.pushChunk('torch.OutOfMemoryError: CUDA out of memory. Tried to allocate 64.00 GiB\n');
  assert.match(feed.info().empty ?? '', /^No metric was logged before the run ended: .*\(torch\.OutOfMemoryError: CUDA out of memory\. Tried to allocate 64\.00 GiB\)$/);
  feed.pushChunk("{'loss': 2.5, 'epoch': 0.1}\n");
  feed.end(); // a dict without a bar is placed once the parser knows no bar follows
  assert.equal(feed.store.length('loss'), 1);
  assert.equal(feed.info().empty, undefined, 'no reason once there are points');
  assert.equal(emptyReason(10, 1, 'hf-trainer', undefined), 'No metric lines yet in 1 line read (format: hf-trainer).');
});
