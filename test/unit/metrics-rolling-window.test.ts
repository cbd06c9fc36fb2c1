import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { RollingWindow } from '../../src/core/metrics/rollingWindow';

function naiveMedian(a: number[]): number {
  const s = a.slice().sort((p, q) => p - q);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

test('RollingWindow median, MAD and max equal the sort-based definitions over any stream and capacity', () => {
  fc.assert(fc.property(
    fc.integer({ min: 1, max: 12 }),
    fc.array(fc.oneof(fc.double({ min: -1e6, max: 1e6, noNaN: true }), fc.integer({ min: -3, max: 3 })), { maxLength: 60 }),
    (cap, values) => {
      const w = new RollingWindow(cap);
      const kept: number[] = [];
      for (const v of values) {
        w.push(v); kept.push(v); if (kept.length > cap) kept.shift();
        assert.equal(w.length, kept.length);
        // `+ 0` folds -0 into 0: with both in the window the two orders may pick either, and they compare equal.
        const med = naiveMedian(kept);
        assert.equal(w.median() + 0, med + 0);
        assert.equal(w.mad() + 0, naiveMedian(kept.map((x) => Math.abs(x - med))) + 0);
        assert.equal(w.max() + 0, Math.max(...kept) + 0);
      }
    }), { numRuns: 500 });
});

test('RollingWindow on a known window: median 3, MAD 1 for [1,2,3,4,100]; empty gives NaN', () => {
  const w = new RollingWindow(5);
  assert.ok(Number.isNaN(w.median()) && Number.isNaN(w.mad()));
  for (const v of [1, 2, 3, 4, 100]) w.push(v);
  assert.equal(w.median(), 3);
  assert.equal(w.mad(), 1);
  w.push(5); // evicts 1 -> [2,3,4,100,5]: median 4, |d| = [2,1,0,96,1] -> MAD 1
  assert.equal(w.median(), 4);
  assert.equal(w.mad(), 1);
});
