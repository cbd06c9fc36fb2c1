import { test } from 'node:test';
import assert from 'node:assert/strict';
import { distinctTickLabels } from '../../webview-ui/metrics/ticks';

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
