import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { Smoother, foldSmoothed, smoothingParams, type SmoothingParams } from '../../webview-ui/metrics/smoothing';
import { ColumnGrid } from '../../webview-ui/metrics/columns';
import { emaDebiased, emaTimeWeighted, gaussianSmooth } from '../../src/core/metrics/smoothing';

const P = (p: Partial<SmoothingParams> & Pick<SmoothingParams, 'method'>): SmoothingParams => ({ weight: 0.6, halfLife: 5, sigma: 3, ...p });

function smooth(p: SmoothingParams, xs: ArrayLike<number>, ys: ArrayLike<number>): number[] {
  const s = new Smoother(p);
  s.update(xs, ys, xs.length);
  return [...s.values.subarray(0, xs.length)];
}

test('debiased EMA matches TensorBoard\'s formula on hand-computed values', () => {
  // w = 0.5: last = 0.5*0 + 0.5*4 = 2 -> 2/(1-0.5) = 4; last = 1 + 1 = 2... -> 2/(1-0.25) = 2.6667; etc.
  const out = smooth(P({ method: 'ema', weight: 0.5 }), [1, 2, 3], [4, 0, 8]);
  assert.equal(out[0], 4);
  assert.ok(Math.abs(out[1] - (0.5 * 2 + 0) / 0.75) < 1e-12);
  const last2 = (0.5 * 2 + 0), last3 = last2 * 0.5 + 0.5 * 8;
  assert.ok(Math.abs(out[2] - last3 / (1 - 0.125)) < 1e-12);
});

test('EMA skips non-finite values (passes them through) without poisoning later points', () => {
  const out = smooth(P({ method: 'ema', weight: 0.9 }), [1, 2, 3, 4], [1, NaN, 1, Infinity]);
  assert.equal(out[0], 1); assert.ok(Number.isNaN(out[1])); assert.ok(Math.abs(out[2] - 1) < 1e-12); assert.equal(out[3], Infinity);
});

test('every method keeps a constant series constant and is the identity at amount 0', () => {
  const xs = Float64Array.from({ length: 500 }, (_, i) => i * 3 + 1), c = new Float64Array(500).fill(2.5);
  for (const method of ['ema', 'ema-time', 'gaussian'] as const) {
    for (const v of smooth(P({ method }), xs, c)) assert.ok(Math.abs(v - 2.5) < 1e-9, `${method}: ${v}`);
    const ys = Float64Array.from(xs, (x) => Math.sin(x));
    const id = smooth(smoothingParams(method, 0, 1500), xs, ys);
    id.forEach((v, i) => assert.ok(Math.abs(v - ys[i]) < 1e-6, `${method} at amount 0 changed point ${i}`));
  }
});

test('time-weighted EMA weighs by x distance: a point far after a gap dominates', () => {
  const out = smooth(P({ method: 'ema-time', halfLife: 1 }), [0, 1, 100], [0, 0, 10]);
  assert.ok(out[2] > 9.99, `got ${out[2]}`);
  const dense = smooth(P({ method: 'ema-time', halfLife: 1 }), [0, 1, 2], [0, 0, 10]);
  assert.ok(dense[2] < 6, `got ${dense[2]}`);
});

test('Gaussian is symmetric: a straight line stays straight away from the edges, a spike spreads evenly', () => {
  const n = 400, xs = Float64Array.from({ length: n }, (_, i) => i), line = Float64Array.from(xs, (x) => 2 * x + 1);
  const out = smooth(P({ method: 'gaussian', sigma: 5 }), xs, line);
  for (let i = 20; i < n - 20; i++) assert.ok(Math.abs(out[i] - line[i]) < 1e-6, `at ${i}: ${out[i]} vs ${line[i]}`);
  const spike = new Float64Array(n); spike[200] = 100;
  const s = smooth(P({ method: 'gaussian', sigma: 5 }), xs, spike);
  for (let d = 1; d < 15; d++) assert.ok(Math.abs(s[200 - d] - s[200 + d]) < 1e-9);
  assert.ok(s[200] < 100 && s[200] > 1);
});

test('incremental updates (live appends) give the same result as smoothing everything at once', () => {
  fc.assert(fc.property(fc.constantFrom('ema', 'ema-time', 'gaussian' as const), fc.integer({ min: 1, max: 800 }), fc.array(fc.integer({ min: 1, max: 200 }), { minLength: 1, maxLength: 10 }), fc.integer({ min: 1, max: 1e6 }), (method, n, chunks, seed) => {
    let s = seed;
    const xs = new Float64Array(n), ys = new Float64Array(n);
    let x = 0;
    for (let i = 0; i < n; i++) { s = (s * 1103515245 + 12345) & 0x7fffffff; x += 1 + (s % 3); xs[i] = x; ys[i] = (s % 1000) / 100; }
    const p = smoothingParams(method, 0.5, x);
    const whole = smooth(p, xs, ys);
    const inc = new Smoother(p);
    let at = 0;
    for (const c of chunks) { at = Math.min(n, at + c); inc.update(xs, ys, at); }
    inc.update(xs, ys, n);
    const got = [...inc.values.subarray(0, n)];
    got.forEach((v, i) => assert.ok(Math.abs(v - whole[i]) < 1e-7 * Math.max(1, Math.abs(whole[i])), `${method} point ${i}: ${v} vs ${whole[i]}`));
  }), { numRuns: 120 });
});

test('smoothingParams maps the slider: EMA weight up to 0.999, half-life/sigma up to 5% of the x span', () => {
  assert.equal(smoothingParams('ema', 1, 1000).weight, 0.999);
  assert.equal(smoothingParams('gaussian', 1, 1000).sigma, 50);
  assert.equal(smoothingParams('ema-time', 0.5, 1000).halfLife, 0.125 * 50);
});

test('the chart\'s incremental smoothers agree with the metrics core\'s batch functions', () => {
  const n = 3000, xs = new Float64Array(n), ys = new Float64Array(n);
  let s = 99, x = 0;
  for (let i = 0; i < n; i++) { s = (s * 1103515245 + 12345) & 0x7fffffff; x += 1 + (s % 4); xs[i] = x; ys[i] = 2 * Math.exp(-i / 800) + (s % 100) / 500; }
  ys[100] = NaN;
  const close = (a: ArrayLike<number>, b: ArrayLike<number>, tol: number, what: string) => {
    for (let i = 0; i < n; i++) {
      if (Number.isNaN(a[i]) || Number.isNaN(b[i])) { assert.ok(Number.isNaN(a[i]) && Number.isNaN(b[i]), `${what} NaN at ${i}`); continue; }
      assert.ok(Math.abs(a[i] - b[i]) <= tol, `${what} at ${i}: ${a[i]} vs ${b[i]}`);
    }
  };
  close(smooth(P({ method: 'ema', weight: 0.9 }), xs, ys), emaDebiased(ys, 0.9), 1e-12, 'ema');
  close(smooth(P({ method: 'ema-time', halfLife: 20 }), xs, ys), emaTimeWeighted(xs, ys, 20), 1e-9, 'ema-time');
  // Three box passes approximate the Gaussian kernel (central limit): close, not equal, away from the ends.
  const g = smooth(P({ method: 'gaussian', sigma: 15 }), xs, ys), ref = gaussianSmooth(xs, ys, 15);
  for (let i = 200; i < n - 200; i++) if (Number.isFinite(ref[i])) assert.ok(Math.abs(g[i] - ref[i]) < 0.01, `gaussian at ${i}: ${g[i]} vs ${ref[i]}`);
});

test('a gap in x restarts every method: each segment is smoothed as if it were a series of its own (issue 11)', () => {
  // Steps 1..20 then 300..309 (the loss-curve UI test's LitGPT gap log): loss 3 - step/200.
  const xs = [...Array.from({ length: 20 }, (_, i) => i + 1), ...Array.from({ length: 10 }, (_, i) => i + 300)];
  const ys = xs.map((x) => 3 - x / 200);
  const cut = 20, minGap = 10;
  const seg = (a: number, b: number) => [xs.slice(a, b), ys.slice(a, b)] as const;
  for (const p of [P({ method: 'ema', weight: 0.9 }), P({ method: 'ema-time', halfLife: 50 }), P({ method: 'gaussian', sigma: 200 })]) {
    const s = new Smoother(p);
    s.update(xs, ys, xs.length, minGap);
    const whole = [...s.values.subarray(0, xs.length)];
    const expected = [...smooth(p, ...seg(0, cut)), ...smooth(p, ...seg(cut, xs.length))];
    whole.forEach((v, i) => assert.ok(Math.abs(v - expected[i]) < 1e-12, `${p.method} at step ${xs[i]}: ${v} vs ${expected[i]}`));
    // The first point after the gap is the raw value (a debiased restart), not the level from before the gap.
    assert.ok(Math.abs(whole[cut] - ys[cut]) < 1e-12 || p.method === 'gaussian', `${p.method}: ${whole[cut]} vs raw ${ys[cut]}`);
    assert.ok(whole[cut] < 1.6, `${p.method} after the gap: ${whole[cut]}`);
    // Without a gap threshold the average carries across (what the chart drew before).
    const carried = smooth(p, xs, ys);
    if (p.method === 'ema') assert.ok(carried[cut] > 1.6, `${p.method} carried: ${carried[cut]}`);
  }
  // Hand-computed: EMA w = 0.5 over [4, 0 | gap | 8, 0] is 4, 0/0.75... restart: 8, (0.5*4 + 0)/0.75.
  const out = new Smoother(P({ method: 'ema', weight: 0.5 }));
  out.update([1, 2, 100, 101], [4, 0, 8, 0], 4, 10);
  assert.deepEqual([...out.values.subarray(0, 4)], [4, 1 / 0.75, 8, 2 / 0.75]);
});

test('gap-aware smoothing: live appends across a gap give the same result as smoothing everything at once', () => {
  const xs = [...Array.from({ length: 50 }, (_, i) => i), ...Array.from({ length: 50 }, (_, i) => i + 1000)];
  const ys = xs.map((x) => Math.sin(x / 7) + (x > 500 ? 1 : 3));
  for (const p of [P({ method: 'ema', weight: 0.8 }), P({ method: 'ema-time', halfLife: 4 }), P({ method: 'gaussian', sigma: 6 })]) {
    const all = new Smoother(p); all.update(xs, ys, xs.length, 10);
    const live = new Smoother(p);
    for (let n = 1; n <= xs.length; n += 7) live.update(xs, ys, n, 10);
    live.update(xs, ys, xs.length, 10);
    for (let i = 0; i < xs.length; i++) assert.ok(Math.abs(live.values[i] - all.values[i]) < 1e-9, `${p.method} at ${i}`);
  }
});

test('smoothing over steps given as a sequence ({ first, stride, count }) gives the values it gives over the written-out steps', () => {
  for (const method of ['none', 'ema', 'ema-time', 'gaussian'] as const) {
    for (const stride of [1, 10, 0.1, 7.3]) {
      const n = 3000, first = 3 * stride;
      const xs = Float64Array.from({ length: n }, (_, i) => first + i * stride); // as the chart store's Column writes it out
      const ys = Float64Array.from({ length: n }, (_, i) => (i === 1234 ? NaN : 2 + Math.sin(i / 37) + (i % 11) / 50));
      for (const minGap of [Infinity, 10 * stride, 0.5 * stride]) {
        const p = smoothingParams(method, 0.7, xs[n - 1] - xs[0]);
        const a = new Smoother(p), b = new Smoother(p);
        // live: a few appends, then the rest
        for (const at of [1, 2, 500, 1777, n]) { a.update(xs, ys, at, minGap); b.update({ first, stride, count: at }, ys, at, minGap); }
        assert.deepEqual([...b.values.subarray(0, n)], [...a.values.subarray(0, n)], `${method}, stride ${stride}, gap ${minGap}`);
      }
    }
  }
});

test('foldSmoothed (smoothed values folded into the grid in windows, never held whole) draws exactly the points whole smoothed values draw, at once and live', () => {
  const n = 300_000, columns = 700;
  const xs = Float64Array.from({ length: n }, (_, i) => 10 * (i + 1));
  const ys = Float64Array.from({ length: n }, (_, i) => 2.5 * Math.exp(-i / 80_000) + 0.5 + 0.05 * Math.sin(i * 12.9898));
  ys[123_456] = 40; ys[200_001] = NaN; ys[299_999] = -3; // a spike, a NaN, a dip at the end
  for (const method of ['ema', 'ema-time', 'gaussian'] as const) {
    for (const xv of [xs, { first: 10, stride: 10, count: n }]) {
      const p = smoothingParams(method, 0.6, xs[n - 1] - xs[0]);
      // whole: the smoother's values, then the grid over them (what the chart did before)
      const sm = new Smoother(p), g = new ColumnGrid(columns);
      // windows: first draw of 286,600 points, then live appends of 100, 7 and the rest
      const fs = new Smoother(p);
      let fg = new ColumnGrid(columns);
      // 286,600 points span 1399.4 buckets of 2048: a grid sized by its first window (65,536 points) would stop at 2048
      for (const at of [286_600, 286_700, 286_707, n]) {
        sm.update(xv, ys, at, 100); g.update(xv, sm.values, at);
        const f = foldSmoothed(fs, fg, xv, ys, at, 100);
        fg = f.grid;
        const a = g.resolve(xv, sm.values, at), b = fg.resolve(xv, f.values, at);
        assert.deepEqual([...b.xs], [...a.xs], `${method} x at ${at}`);
        assert.deepEqual([...b.ys], [...a.ys], `${method} y at ${at}`);
      }
      if (method !== 'gaussian') { // the Gaussian's passes read earlier values: it keeps them whole
        assert.equal(fs.whole, false, `${method}: the smoothed values were not held whole`);
        assert.ok(fs.values.length < n, `${method}: ${fs.values.length} values held`);
      }
    }
  }
});

test('foldSmoothed keeps whole values where the grid reads them all (few points), and a smoother that starts again gets a new grid', () => {
  const p = smoothingParams('ema', 0.6, 1000);
  const xs = Float64Array.from({ length: 5000 }, (_, i) => i), ys = Float64Array.from({ length: 5000 }, (_, i) => Math.cos(i / 50));
  const s = new Smoother(p);
  let f = foldSmoothed(s, new ColumnGrid(1000), xs, ys, 1500, 10);
  assert.equal(s.whole, true);
  const few = f.grid.resolve(xs, f.values, 1500);
  assert.equal(few.length, 1500, 'every point drawn');
  const ref = new Smoother(p); ref.update(xs, ys, 1500, 10);
  assert.deepEqual([...few.ys], [...ref.values.subarray(0, 1500)]);
  // a gap threshold 10x the last one: the smoother starts again, and the grid with it
  f = foldSmoothed(s, f.grid, xs, ys, 5000, 100);
  assert.equal(s.restarted, true);
  const whole = new Smoother(p), g = new ColumnGrid(1000);
  whole.update(xs, ys, 5000, 100); g.update(xs, whole.values, 5000);
  assert.deepEqual([...f.grid.resolve(xs, f.values, 5000).ys], [...g.resolve(xs, whole.values, 5000).ys]);
});
