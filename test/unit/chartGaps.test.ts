import { test } from 'node:test';
import assert from 'node:assert/strict';
import { GAP_FACTOR, typicalDelta, withGaps } from '../../webview-ui/metrics/gaps';

test('a stretch of missing steps becomes a null point, consecutive steps stay joined (issue 11)', () => {
  // The LitGPT report's log: iters 1151..1159, the paste elided, then 3704..3709.
  const xs = [1151, 1152, 1153, 1154, 1155, 1156, 1157, 1158, 1159, 3704, 3705, 3706, 3707, 3708, 3709];
  const ys = xs.map((x) => x / 1000);
  const d = typicalDelta(xs, xs.length);
  assert.equal(d, 1);
  const g = withGaps(xs, ys, xs.length, GAP_FACTOR * d);
  assert.equal(g.gaps, 1);
  assert.equal(g.xs.length, 16);
  assert.equal(g.ys[9], null, 'the gap point');
  assert.equal(g.xs[9], (1159 + 3704) / 2);
  assert.deepEqual(g.ys.filter((y) => y !== null), ys);
});

test('regular series, eval every 50 steps, and non-finite values (undefined, bridged) get no gap', () => {
  const evals = [50, 100, 150, 200, 250];
  assert.equal(withGaps(evals, evals, 5, GAP_FACTOR * typicalDelta(evals, 5)).gaps, 0);
  const g = withGaps([1, 2, 3], [1, undefined, 3], 3, 10);
  assert.deepEqual(g.ys, [1, undefined, 3]);
  assert.equal(typicalDelta([5], 1), 0);
  assert.equal(withGaps([1, 100], [1, 2], 2, 0).gaps, 0, 'minGap 0: never');
});
