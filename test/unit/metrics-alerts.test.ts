// Alert rules on synthetic streams (the corpus logs' alerts are asserted in metrics-corpus.test.ts), and the CLI.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import fc from 'fast-check';
import { AlertDetector, parseLog } from '../../src/core/metrics';
import { metricsCommand, readMetrics, renderMetrics } from '../../src/cli/metrics';
import type { MetricPoint } from '../../src/core/metrics';

const ROOT = join(__dirname, '..', '..');
const loss = (vals: number[], name = 'loss', start = 1): MetricPoint[] => vals.map((value, i) => ({ series: name, step: start + i, value }));
const run = (points: MetricPoint[]) => new AlertDetector().push(points).map((a) => `${a.kind}:${a.series}@${a.step}`);

test('nan: one alert per episode, raised again after the series recovers', () => {
  assert.deepEqual(run(loss([2, NaN, NaN, Infinity, 1.9, NaN])), ['nan:loss@2', 'nan:loss@6']);
  assert.deepEqual(run(loss([1, NaN], 'grad_norm')), ['nan:grad_norm@2']);
  assert.deepEqual(run(loss([1, NaN], 'mfu')), []); // not a loss or grad norm
});

test('spike: robust z-score over the window; noise is not a spike; one alert per episode', () => {
  const noisy = Array.from({ length: 60 }, (_, i) => 2 + 0.05 * Math.sin(i * 1.7));
  assert.deepEqual(run(loss(noisy)), []);
  const spiky = [...noisy.slice(0, 30), 9, 9.5, 2.01, ...noisy.slice(30)];
  assert.deepEqual(run(loss(spiky)), ['spike:loss@31']);
  assert.deepEqual(run(loss([...noisy.slice(0, 20), 6, 2, 2, 7], 'grad_norm')), ['spike:grad_norm@21', 'spike:grad_norm@24']);
});

test('divergence: sustained rise over the best rolling median, not a falling loss', () => {
  const falling = Array.from({ length: 100 }, (_, i) => 3 * Math.exp(-i / 30) + 0.5);
  assert.deepEqual(run(loss(falling)), []);
  const diverging = [...falling, ...Array.from({ length: 20 }, (_, i) => 0.6 + i * 0.1)];
  const a = run(loss(diverging));
  assert.equal(a.filter((x) => x.startsWith('divergence')).length, 1);
});

test('stuck-zero and constant grad norm depend on the printed precision', () => {
  assert.deepEqual(run(loss([1.2, 0, 0, 0, 0.8, 0])), ['stuck-zero:loss@2', 'stuck-zero:loss@6']);
  assert.deepEqual(run(loss([1.4142135381698608, 1.4142135381698608, 1.4142135381698608], 'grad_norm')), ['constant-grad-norm:grad_norm@2']);
  assert.deepEqual(run(loss([2.7647, 2.7647, 2.7647, 2.7647, 2.7647], 'grad_norm')), []);
  assert.deepEqual(run(loss([2.7647, 2.7647, 2.7647, 2.7647, 2.7647, 2.7647], 'grad_norm')), ['constant-grad-norm:grad_norm@6']);
});

test('loss-scale collapse: reduced to the minimum range or DeepSpeed says it is at the minimum; bf16 scale 1.0 is fine', () => {
  assert.deepEqual(run(loss([65536, 32768, 16384, 8192], 'loss_scale')), []);
  assert.deepEqual(run(loss([64, 32, 16, 8, 4], 'loss_scale')), ['loss-scale-collapse:loss_scale@4']);
  assert.deepEqual(run(loss([1, 1, 1, 1], 'loss_scale')), []);
  const r = parseLog('[2024-01-01 00:00:00,000] [INFO] [loss_scaler.py:183:update_scale] [deepspeed] OVERFLOW! Rank 0 Skipping step. Attempted loss scale: 2, reducing to 1\nCurrent loss scale already at minimum - Attempting to skip\n');
  assert.deepEqual(new AlertDetector().push(r.points).map((a) => a.kind), ['loss-scale-collapse']);
});

test('overfitting: eval loss up for `patience` evals while train loss falls; step where early stopping stops', () => {
  const pts: MetricPoint[] = [];
  const evals = [2.0, 1.5, 1.2, 1.25, 1.3, 1.4, 1.5];
  for (let e = 0; e < evals.length; e++) {
    for (let k = 1; k <= 10; k++) { const step = e * 100 + k * 10; pts.push({ series: 'loss', step, value: 2.5 * Math.exp(-step / 300) }); }
    pts.push({ series: 'eval_loss', step: e * 100 + 100, value: evals[e] });
  }
  const alerts = new AlertDetector().push(pts);
  assert.deepEqual(alerts.map((a) => `${a.kind}:${a.series}@${a.step}`), ['overfitting:eval_loss@600']);
  assert.match(alerts[0].message, /step 300/);
  // eval loss rising while train loss rises too is not overfitting
  const both: MetricPoint[] = [];
  for (let e = 0; e < 6; e++) { both.push({ series: 'loss', step: e * 100 + 50, value: 1 + e }); both.push({ series: 'eval_loss', step: e * 100 + 100, value: e === 0 ? 1 : 1 + e }); }
  assert.deepEqual(new AlertDetector().push(both).filter((a) => a.kind === 'overfitting'), []);
});

/** The real CLI entry point in a child process. */
function cli(args: string[]): { code: number | null; out: string; err: string } {
  const r = spawnSync(process.execPath, ['--import', 'tsx', join(ROOT, 'src', 'cli', 'main.ts'), ...args], { encoding: 'utf8', cwd: ROOT });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

/** Usage errors of the subcommand in this process (they only write to stderr, captured here). */
async function usageError(args: string[]): Promise<{ code: number; err: string }> {
  let err = '';
  const e = process.stderr.write;
  process.stderr.write = ((x: string | Uint8Array) => { err += String(x); return true; }) as typeof process.stderr.write;
  try { return { code: await metricsCommand.run(args), err }; } finally { process.stderr.write = e; }
}

/** What the subcommand prints for a file, computed in this process (cheaper than a process per case). */
async function render(file: string, format: 'json' | 'csv' | 'text'): Promise<string> { return renderMetrics(await readMetrics(file), format); }

test('newSegment: the next launch is judged as a fresh detector judges it, whatever state every rule was left in', () => {
  // An earlier launch that leaves every rule with state: a spike and a divergence open on loss, then loss exactly 0;
  // grad_norm constant (alerted); the loss scale collapsed; eval_loss stale past the patience, then NaN. (Checked:
  // keeping any one rule's state across newSegment, or a group that only acts together, turns this test red.)
  const before: MetricPoint[] = [];
  let step = 0;
  const at = (series: string, value: number) => before.push({ series, step: ++step, value });
  for (let i = 0; i < 40; i++) { at('loss', 1 + 0.01 * (i % 3)); at('grad_norm', 1.4142135381698608); at('loss_scale', 2 ** (16 - i)); }
  for (const v of [1.2, 1.3, 1.4, 1.5, 1.6]) { at('loss', 0.9 - v / 10); at('eval_loss', v); }
  for (const v of [30, 31, 32, 0]) at('loss', v);
  at('eval_loss', NaN); at('loss_scale_at_minimum', 1); at('grad_norm', 1.4142135381698608);
  const kinds = new Set(new AlertDetector().push(before).map((a) => a.kind));
  for (const k of ['spike', 'divergence', 'stuck-zero', 'constant-grad-norm', 'nan', 'loss-scale-collapse', 'overfitting'] as const) assert.ok(kinds.has(k), k);
  const judgedAlike = (next: MetricPoint[]) => {
    const d = new AlertDetector();
    d.push(before);
    d.newSegment();
    assert.deepEqual(d.push(next), new AlertDetector().push(next));
  };
  // the same launch again (every rule fires again); one that overfits, its train losses above the earlier launch's
  judgedAlike(before);
  const overfits: MetricPoint[] = [];
  for (let e = 0; e < 5; e++) {
    for (let k = 1; k <= 10; k++) overfits.push({ series: 'loss', step: e * 100 + k * 10, value: 9 - e - k / 20 });
    overfits.push({ series: 'eval_loss', step: e * 100 + 100, value: 1 + e / 10 });
  }
  judgedAlike(overfits);
  // any stream of the series the rules read, with values near the earlier ones and special ones
  const value = fc.oneof(fc.constantFrom(0, NaN, 1, 1.1, 1.2, 1.3, 1.4142135381698608, 2, 8, 30), fc.double({ min: 0, max: 40, noNaN: true }));
  const series = fc.constantFrom('loss', 'loss', 'grad_norm', 'loss_scale', 'loss_scale_at_minimum', 'eval_loss');
  const launch = fc.array(fc.record({ series, value }), { maxLength: 60 }).map((ps) => ps.map((p, k) => ({ ...p, step: k + 1 })));
  fc.assert(fc.property(launch, (next) => judgedAlike(next)), { seed: 12, numRuns: 300 });
});

test('CLI: llmtrain metrics --format json prints format, series and alerts with nan as a string', () => {
  const r = cli(['metrics', join(ROOT, 'test/fixtures/logs/nanogpt__nan-after-iter-3000-fp16-v100.log'), '--format', 'json']);
  assert.equal(r.code, 0, r.err);
  const j = JSON.parse(r.out);
  assert.deepEqual(Object.keys(j), ['format', 'series', 'alerts', 'meta', 'settings', 'lossScale', 'tokens', 'notes']);
  assert.equal(j.format, 'nanogpt');
  assert.deepEqual(j.series.loss[0], [2920, 3.9883]);
  assert.deepEqual(j.series.loss[9], [3010, 'nan']);
  assert.deepEqual(j.series.eval_loss, [[3000, 4.0427]]);
  assert.deepEqual(j.alerts, [{ kind: 'nan', series: 'loss', step: 3010, message: j.alerts[0]?.message }]);
  assert.match(j.alerts[0].message, /NaN/i);
});

test('CLI: csv rows, text summary, TensorBoard input, usage errors', async () => {
  const csv = (await render(join(ROOT, 'test/fixtures/logs/megatron-llm__falcon40b-lm-loss-vanishes-at-nan.log'), 'csv')).trim().split('\n');
  assert.equal(csv[0], 'series,step,value');
  assert.ok(csv.includes('loss,3383,0.7334521'));
  assert.ok(csv.includes('loss,3385,nan'));
  const txt = await render(join(ROOT, 'test/fixtures/logs/llamafactory__numbered-log-loss-to-zero-then-nccl-timeout.log'), 'text');
  assert.match(txt, /format: hf-trainer/);
  assert.match(txt, /\[stuck-zero\] step 2/);
  const j = JSON.parse(await render(join(ROOT, 'test/fixtures/tensorboard/events.out.tfevents.1700000000.host.12345.0'), 'json'));
  assert.equal(j.format, 'tensorboard');
  assert.deepEqual(j.series.loss[6], [7, 'nan']);
  assert.equal((await usageError([])).code, 2);
  assert.equal((await usageError(['x.log', '--format', 'yaml'])).code, 2);
  const missing = await usageError([join(ROOT, 'no-such.log')]);
  assert.equal(missing.code, 1);
  assert.match(missing.err, /cannot read/);
  const viaMain = cli(['metrics', '--format=csv', join(ROOT, 'test/fixtures/logs/megatron-llm__falcon40b-lm-loss-vanishes-at-nan.log')]);
  assert.equal(viaMain.code, 0, viaMain.err);
  assert.equal(viaMain.out.trim().split('\n').join('\n'), csv.join('\n'));
});
