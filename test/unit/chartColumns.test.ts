import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { ColumnGrid, resolveColumns } from '../../webview-ui/metrics/columns';

/** Brute force: min and max of the finite ys in each of `columns` equal-width columns over [x0, x1]. */
function columnExtremes(xs: ArrayLike<number>, ys: ArrayLike<number>, x0: number, x1: number, columns: number): Map<number, [number, number]> {
  // Column of x as resolveColumns computes it (x - x0) * (columns / (x1 - x0)): at exact column boundaries, division
  // by the width can round the other way, and which side a boundary point belongs to is a convention.
  const inv = columns / (x1 - x0), out = new Map<number, [number, number]>();
  for (let i = 0; i < xs.length; i++) {
    if (xs[i] < x0 || xs[i] > x1 || !Number.isFinite(ys[i])) continue;
    const c = Math.min(columns - 1, Math.floor((xs[i] - x0) * inv));
    const e = out.get(c);
    if (!e) out.set(c, [ys[i], ys[i]]); else { e[0] = Math.min(e[0], ys[i]); e[1] = Math.max(e[1], ys[i]); }
  }
  return out;
}

function series(n: number, seed = 1): { xs: Float64Array; ys: Float64Array } {
  const xs = new Float64Array(n), ys = new Float64Array(n);
  let s = seed;
  for (let i = 0; i < n; i++) { s = (s * 1103515245 + 12345) & 0x7fffffff; xs[i] = i + 1; ys[i] = 3 * Math.exp(-i / (n / 3)) + (s / 0x7fffffff) * 0.1; }
  return { xs, ys };
}

test('resolveColumns keeps a single spike among 1M points at full zoom-out', () => {
  const { xs, ys } = series(1_000_000);
  ys[654_321] = 42;
  const r = resolveColumns(xs, ys, xs.length, 1, 1_000_000, 1000);
  assert.ok(r.length <= 4 * 1000 + 2, `drew ${r.length} points`);
  assert.equal(r.inRange, 1_000_000);
  assert.equal(Math.max(...r.ys), 42);
  assert.equal(r.xs[[...r.ys].indexOf(42)], 654_322);
});

test('resolveColumns: every column keeps its exact min and max, and the output is in x order', () => {
  fc.assert(fc.property(
    fc.integer({ min: 50, max: 3000 }), fc.integer({ min: 1, max: 60 }), fc.integer({ min: 1, max: 1e6 }),
    fc.double({ min: 0, max: 0.9, noNaN: true }), fc.double({ min: 0.05, max: 1, noNaN: true }),
    (n, columns, seed, a, span) => {
      const { xs, ys } = series(n, seed);
      const x0 = 1 + a * n, x1 = Math.min(n, x0 + span * n);
      if (!(x1 > x0)) return;
      const r = resolveColumns(xs, ys, n, x0, x1, columns);
      for (let i = 1; i < r.length; i++) assert.ok(r.xs[i] > r.xs[i - 1], 'strictly ascending x');
      const want = columnExtremes(xs, ys, x0, x1, columns);
      const got = columnExtremes(r.xs, r.ys, x0, x1, columns);
      assert.deepEqual(got, want);
    }), { numRuns: 300 });
});

test('resolveColumns includes one point beyond each edge and counts only points inside', () => {
  const xs = Float64Array.from({ length: 100 }, (_, i) => i), ys = Float64Array.from({ length: 100 }, (_, i) => i * 2);
  const r = resolveColumns(xs, ys, 100, 10.5, 20.5, 100);
  assert.equal(r.inRange, 10);
  assert.deepEqual([...r.xs], [10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21]);
  // The footer's "N of M points": the two edge points are drawn but lie outside the range, so they are not counted
  // (issue 11: a drag-zoom read "19 of 15 points").
  assert.equal(r.length, 12);
  assert.equal(r.drawn, 10);
});

test('the drawn count never exceeds the points in range, zoomed or not, downsampled or not', () => {
  const n = 5000;
  const xs = Float64Array.from({ length: n }, (_, i) => i), ys = Float64Array.from({ length: n }, (_, i) => Math.sin(i));
  for (const [x0, x1, columns] of [[0, n - 1, 100], [100.5, 117.2, 400], [10, 4000, 50], [-5, 3, 10]] as const) {
    const r = resolveColumns(xs, ys, n, x0, x1, columns);
    assert.ok(r.drawn <= r.inRange, `drawn ${r.drawn} > inRange ${r.inRange} for [${x0}, ${x1}]`);
  }
  const grid = new ColumnGrid(64);
  grid.update(xs, ys, n);
  const g = grid.resolve(xs, ys, n);
  assert.ok(g.drawn <= g.inRange && g.drawn === g.length);
});

test('resolveColumns reads only the first n entries of a growable column (the rest is spare capacity)', () => {
  const xs = new Float64Array(1000), ys = new Float64Array(1000).fill(999);
  for (let i = 0; i < 10; i++) { xs[i] = i; ys[i] = i; }
  const r = resolveColumns(xs, ys, 10, 0, 1e9, 4);
  assert.equal(r.inRange, 10);
  assert.equal(Math.max(...r.ys.subarray(0, r.length)), 9);
});

/**
 * The full-view grid's buckets are at most one pixel column wide but not aligned to pixel columns, so its guarantee
 * is: the min and max of every pixel column are drawn within one pixel of that column, and only real points are drawn.
 */
function assertExtremesWithinOnePixel(xs: Float64Array, ys: Float64Array, r: { xs: Float64Array; ys: Float64Array; length: number }, columns: number): void {
  const x0 = xs[0], x1 = xs[xs.length - 1], w = (x1 - x0) / columns;
  const raw = columnExtremes(xs, ys, x0, x1, columns);
  for (const [c, [mn, mx]] of raw) {
    const a = x0 + (c - 1) * w, b = x0 + (c + 2) * w;
    let dmn = Infinity, dmx = -Infinity;
    for (let i = 0; i < r.length; i++) if (r.xs[i] >= a && r.xs[i] <= b) { dmn = Math.min(dmn, r.ys[i]); dmx = Math.max(dmx, r.ys[i]); }
    assert.ok(dmx >= mx && dmn <= mn, `column ${c}: raw [${mn}, ${mx}] vs drawn nearby [${dmn}, ${dmx}]`);
  }
  const real = new Map<number, number>();
  for (let i = 0; i < xs.length; i++) real.set(xs[i], ys[i]);
  for (let i = 0; i < r.length; i++) assert.equal(real.get(r.xs[i]), r.ys[i], 'only source points are drawn');
  const gmax = Math.max(...ys), gmin = Math.min(...ys);
  assert.equal(Math.max(...r.ys.subarray(0, r.length)), gmax);
  assert.equal(Math.min(...r.ys.subarray(0, r.length)), gmin);
}

test('ColumnGrid, fed at once or in chunks, draws every pixel column\'s min and max (within one pixel) from at most 8 points per column', () => {
  fc.assert(fc.property(fc.integer({ min: 2, max: 20_000 }), fc.integer({ min: 2, max: 300 }), fc.array(fc.integer({ min: 1, max: 5000 }), { minLength: 1, maxLength: 20 }), fc.integer({ min: 1, max: 1e6 }), (n, columns, chunks, seed) => {
    const { xs, ys } = series(n, seed);
    const whole = new ColumnGrid(columns);
    whole.update(xs, ys, n);
    const a = whole.resolve(xs, ys, n);
    const inc = new ColumnGrid(columns);
    let at = 0;
    for (const c of chunks) { at = Math.min(n, at + c); inc.update(xs, ys, at); inc.resolve(xs, ys, at); }
    inc.update(xs, ys, n);
    const b = inc.resolve(xs, ys, n);
    assert.equal(a.inRange, n);
    assert.ok(a.length <= Math.max(2 * columns, 8 * columns) && b.length <= Math.max(2 * columns, 8 * columns));
    assertExtremesWithinOnePixel(xs, ys, a, columns);
    assertExtremesWithinOnePixel(xs, ys, b, columns);
  }), { numRuns: 150 });
});

test('ColumnGrid: a spike appended live into 2M points survives the bucket merges', () => {
  const { xs, ys } = series(2_000_000, 3);
  ys[1_999_000] = 77;
  const g = new ColumnGrid(1000);
  for (let n = 1000; n <= 2_000_000; n += 99_991) g.update(xs, ys, n);
  g.update(xs, ys, 2_000_000);
  const r = g.resolve(xs, ys, 2_000_000);
  assert.ok(r.length <= 8000);
  assert.equal(Math.max(...r.ys), 77);
  assert.equal(r.xs[r.length - 1], 2_000_000, 'the last point is drawn');
  assert.equal(r.xs[0], 1, 'the first point is drawn');
});

test('ColumnGrid refuses a series that shrank (the store was replaced: build a new grid)', () => {
  const { xs, ys } = series(100);
  const g = new ColumnGrid(10);
  g.update(xs, ys, 100);
  assert.throws(() => g.update(xs, ys, 50), /shrank/);
});

test('ColumnGrid given steps as a sequence ({ first, stride, count }) draws exactly what it draws from the written-out steps', () => {
  fc.assert(fc.property(fc.integer({ min: 2, max: 20_000 }), fc.integer({ min: 2, max: 300 }), fc.constantFrom(1, 5, 0.1, 1e-3, 7.3), fc.double({ min: -1e6, max: 1e6, noNaN: true }), fc.array(fc.integer({ min: 1, max: 5000 }), { minLength: 1, maxLength: 10 }), (n, columns, stride, first, chunks) => {
    const { ys } = series(n, n);
    const seq = { first, stride, count: n };
    const xs = Float64Array.from({ length: n }, (_, i) => first + i * stride); // as the chart store's Column writes it out
    const a = new ColumnGrid(columns), b = new ColumnGrid(columns);
    let at = 0;
    for (const c of chunks) { at = Math.min(n, at + c); a.update(xs, ys, at); b.update({ ...seq, count: at }, ys, at); }
    a.update(xs, ys, n); b.update(seq, ys, n);
    const ra = a.resolve(xs, ys, n), rb = b.resolve(seq, ys, n);
    assert.deepEqual([...rb.xs], [...ra.xs]);
    assert.deepEqual([...rb.ys], [...ra.ys]);
    assert.equal(rb.inRange, ra.inRange);
  }), { numRuns: 100 });
});
