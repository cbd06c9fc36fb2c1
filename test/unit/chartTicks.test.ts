import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DURATION_INCRS, distinctTickLabels, durationTickLabels, formatDuration, wallTickLabels } from '../../webview-ui/metrics/ticks';

test('y tick labels: ticks of different value never share a label (issue 11: "0.006, 0.006, 0.005")', () => {
  // A right-hand learning-rate axis between 5e-3 and 6.5e-3: uPlot picked 0.00025 steps, printed at 3 decimals.
  const splits = [0.005, 0.00525, 0.0055, 0.00575, 0.006, 0.00625, 0.0065];
  assert.deepEqual(distinctTickLabels(splits), ['0.005', '0.00525', '0.0055', '0.00575', '0.006', '0.00625', '0.0065']);
  // Log-scale decade splits keep their short form.
  assert.deepEqual(distinctTickLabels([0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1]), ['0.001', '0.002', '0.005', '0.01', '0.02', '0.05', '0.1']);
  assert.deepEqual(distinctTickLabels([1.5, 2, 2.5, 3]), ['1.5', '2', '2.5', '3']);
});

test('y tick labels: tiny and huge values in exponent form, filtered ticks blank', () => {
  assert.deepEqual(distinctTickLabels([1e-7, 2e-7, 3e-7]), ['1e-7', '2e-7', '3e-7']);
  assert.deepEqual(distinctTickLabels([0, 2.5e6, 5e6]), ['0', '2.5e6', '5e6']);
  assert.deepEqual(distinctTickLabels([1, null, 3]), ['1', '', '3']);
});

test('relative-time ticks: a step under a second gets the decimals it needs, so neighbours never share a label (issue 11)', () => {
  // A 3 s run: uPlot picks 0.5 s steps; rounded to whole seconds they read "0:00, 0:01, 0:01, 0:02".
  assert.deepEqual(durationTickLabels([0, 0.5, 1, 1.5, 2, 2.5], 0.5), ['0:00.0', '0:00.5', '0:01.0', '0:01.5', '0:02.0', '0:02.5']);
  assert.deepEqual(durationTickLabels([0.05, 0.1, null], 0.05), ['0:00.05', '0:00.10', '']);
  assert.deepEqual(durationTickLabels([0, 2, 4], 2), ['0:00', '0:02', '0:04']);
  assert.deepEqual(durationTickLabels([0, 1800, 3600, 5400], 1800), ['0:00', '30:00', '1:00:00', '1:30:00']);
  assert.equal(formatDuration(26 * 3600 + 61), '26:01:01');
  assert.equal(formatDuration(59.96, 1), '1:00.0');
  assert.equal(formatDuration(-5), '-0:05');
});

test('relative-time tick steps divide the clock: whole minutes and hours, never 1000 s', () => {
  for (const s of [60, 300, 600, 900, 1800, 3600, 7200, 86400]) assert.ok(DURATION_INCRS.includes(s), String(s));
  assert.equal(DURATION_INCRS.some((s) => s === 1000 || s === 2000 || s === 5000), false);
  assert.deepEqual([...DURATION_INCRS].sort((a, b) => a - b), [...DURATION_INCRS], 'ascending (uPlot picks the first that fits)');
});

test('wall-clock ticks: 24-hour clock at the precision of the step, the date under the first tick and each new day', () => {
  const t0 = Date.UTC(2026, 11, 5, 21, 33, 0) / 1000;
  // uPlot's default read ":00, :05, :10" with "12/5/26 9:33pm" under the first.
  assert.deepEqual(wallTickLabels([t0, t0 + 5, t0 + 10, null], 5, true), ['21:33:00\n2026-12-05', '21:33:05', '21:33:10', '']);
  const h2330 = Date.UTC(2026, 11, 5, 23, 30) / 1000;
  assert.deepEqual(wallTickLabels([h2330, h2330 + 1800, h2330 + 3600], 1800, true), ['23:30\n2026-12-05', '00:00\n2026-12-06', '00:30']);
  assert.deepEqual(wallTickLabels([t0 + 0.5, t0 + 0.7], 0.2, true), ['21:33:00.5\n2026-12-05', '21:33:00.7']);
  assert.deepEqual(wallTickLabels([t0, t0 + 86400], 86400, true), ['2026-12-05', '2026-12-06']);
  const ticks = wallTickLabels(Array.from({ length: 12 }, (_, i) => t0 + i * 10), 10, true);
  assert.equal(new Set(ticks).size, ticks.length);
});
