import { test } from 'node:test';
import assert from 'node:assert/strict';
import { deflateSync } from 'node:zlib';
import { dispatch, type Handlers, type HostToWebview } from '../../src/shared/protocol/metrics';
import { parseWebviewMessage, sparkWebviewToHostSchema } from '../../src/views/metrics/messages';
import { csvField, csvNumber, decodePngDataUrl, groupPoints, metricsCsv, PendingAppend, runDataOf, runIdsOfArgument, safeFileStem, exportFileStem, sparkRunOf } from '../../src/views/metrics/data';
import { MemoryFeed, syntheticFeed } from '../../src/views/metrics/syntheticFeed';
import { contentSecurityPolicy, webviewHtml } from '../../src/views/webviewHtml';
import { createMetricsFeed } from '../../src/core/metrics';
import { isArithmetic, isOffsets, packColumn, unpackColumn } from '../../src/shared/packedColumn';

test('inbound webview messages are validated: known shapes pass, anything else is rejected with a reason', () => {
  assert.deepEqual(parseWebviewMessage({ type: 'ready' }), { ok: true, message: { type: 'ready' } });
  assert.equal(parseWebviewMessage({ type: 'exportCsv' }).ok, true);
  assert.equal(parseWebviewMessage({ type: 'openRun', runId: 'r1' }).ok, true);
  for (const bad of [null, 42, 'ready', {}, { type: 'rm -rf' }, { type: 'ready', extra: 1 }, { type: 'exportPng', dataUrl: 'javascript:alert(1)' }, { type: 'exportPng' }, { type: 'openRun', runId: '' }]) {
    const r = parseWebviewMessage(bad);
    assert.equal(r.ok, false, `accepted ${JSON.stringify(bad)}`);
    if (!r.ok) assert.ok(r.error.length > 0);
  }
  assert.equal(sparkWebviewToHostSchema().safeParse({ type: 'open', runId: 'x' }).success, true);
  assert.equal(sparkWebviewToHostSchema().safeParse({ type: 'open' }).success, false);
});

test('dispatch calls the handler for the message type', () => {
  const seen: string[] = [];
  const handlers = {
    snapshot: (m) => { seen.push(`snapshot:${m.runs.length}`); },
    append: (m) => { seen.push(`append:${m.runId}`); },
    exported: (m) => { seen.push(`exported:${m.what}`); },
  } satisfies Handlers<HostToWebview>;
  void dispatch<HostToWebview>(handlers, { type: 'append', runId: 'r', series: [], alerts: [] });
  void dispatch<HostToWebview>(handlers, { type: 'snapshot', runs: [] });
  assert.deepEqual(seen, ['append:r', 'snapshot:0']);
});

test('snapshot copies series to exact length (a view into a larger buffer would clone the whole buffer)', () => {
  const big = new Float64Array(1000);
  const steps = big.subarray(0, 3); steps.set([1, 2, 3]);
  const feed = new MemoryFeed('r1', 'run one');
  feed.setColumns({ name: 'loss', steps, values: new Float64Array(1000).subarray(0, 3).fill(2) });
  const data = runDataOf(feed);
  const st = data.series[0].steps;
  assert.ok(st instanceof Float64Array, 'three steps travel as they are');
  assert.equal(st.buffer.byteLength, 3 * 8);
  assert.equal(data.series[0].values.buffer.byteLength, 3 * 8);
  assert.deepEqual([...st], [1, 2, 3]);
  assert.equal(data.series[0].times, undefined);
});

test('snapshot packs steps and times: an exact arithmetic sequence, or whole milliseconds as offsets; anything else travels whole (issue 12)', () => {
  const n = 100_000;
  const steps = new Float64Array(n), values = new Float64Array(n), times = new Float64Array(n), ragged = new Float64Array(n), fractional = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    steps[i] = 10 * (i + 1); values[i] = 1 / (i + 1); times[i] = 1.7e12 + 1234.5 * i;
    ragged[i] = i % 10 === 3 ? NaN : 1.7e12 + i * 1000 + (i % 7); fractional[i] = 1.7e12 + i * 1000.25 + (i % 7);
  }
  const feed = new MemoryFeed('r1', 'run one');
  feed.setColumns({ name: 'loss', steps, values, times });
  feed.setColumns({ name: 'lr', steps: steps.map((s, i) => (i === n - 1 ? s + 1 : s)), values, times: ragged });
  feed.setColumns({ name: 'grad_norm', steps, values, times: fractional });
  const [loss, lr, gn] = runDataOf(feed).series;
  // whole milliseconds (NaN where a point has no time): 4-byte offsets from the first, unpacked exactly
  assert.ok(lr.times && isOffsets(lr.times) && lr.times.base === 1.7e12);
  assert.deepEqual(unpackColumn(lr.times), ragged);
  assert.ok(gn.times instanceof Float64Array, 'fractional milliseconds: sent whole');
  assert.deepEqual(loss.steps, { first: 10, stride: 10, count: n });
  assert.deepEqual(loss.times, { first: 1.7e12, stride: 1234.5, count: n });
  assert.deepEqual(unpackColumn(loss.steps), steps, 'unpacked exactly');
  assert.deepEqual(unpackColumn(loss.times!), times, 'unpacked exactly');
  assert.ok(isOffsets(lr.steps) && unpackColumn(lr.steps)[n - 1] === 10 * n + 1, 'one step off the sequence: whole-number offsets');
  // the clone is what crosses to the webview: the packed series is the values alone, the other all three columns
  assert.ok(JSON.stringify(loss.steps).length < 64);
  assert.ok(packColumn(Float64Array.from([0, 1, 2, 3, 4, 5, 6, 2 ** 31])) instanceof Float64Array, 'an offset beyond int32: sent whole');
  for (const bad of [[0, 1, 2, 3, 4, 5, 6, NaN], [0, 1, 2, 3, 4, 5, 6, Infinity], [0, -1, 2, 3, 4, 5, 6, 8], [NaN, NaN, NaN, NaN, NaN, NaN, NaN, NaN], [0.1, 0.2, 0.30000000000000004, 0.4, 0.5, 0.6, 0.7, 0.8]]) {
    const c = packColumn(Float64Array.from(bad));
    assert.ok(c instanceof Float64Array || unpackColumn(c).every((v, i) => Object.is(v, bad[i])), `${bad}: packed only when exact`);
  }
});

test('batches coalesce per series in arrival order; times only when known (NaN elsewhere)', () => {
  const p = new PendingAppend();
  assert.equal(p.empty, true);
  p.add({ points: [{ series: 'loss', step: 1, value: 2.5, time: 1000 }, { series: 'grad_norm', step: 1, value: 0.9 }], alerts: [] });
  p.add({ points: [{ series: 'loss', step: 2, value: NaN }], alerts: [{ kind: 'nan', series: 'loss', step: 2, message: 'loss is NaN' }], progress: { step: 2, total: 10, rate: 1 } });
  const out = p.take();
  assert.equal(p.empty, true);
  assert.deepEqual(out.series.map((s) => s.name), ['loss', 'grad_norm']);
  assert.deepEqual([...unpackColumn(out.series[0].steps)], [1, 2]);
  assert.ok(Number.isNaN(out.series[0].values[1]));
  assert.deepEqual([...unpackColumn(out.series[0].times!)].map((t) => (Number.isNaN(t) ? 'NaN' : t)), [1000, 'NaN']);
  assert.equal(out.series[1].times, undefined);
  assert.deepEqual(out.alerts, [{ kind: 'nan', series: 'loss', step: 2, message: 'loss is NaN' }]);
  assert.deepEqual(out.progress, { step: 2, total: 10 });
  assert.deepEqual(groupPoints([]), []);
});

test('CSV export: tidy columns, RFC 4180 quoting, formula-injection guard, nan/inf as numpy reads them, ISO times', () => {
  const feed = new MemoryFeed('run-1', 'llama, "7b"');
  feed.push({ points: [
    { series: 'loss', step: 1, value: 2.25, time: Date.UTC(2026, 0, 1, 12, 0, 0) },
    { series: 'loss', step: 2, value: NaN },
    { series: '=cmd|calc', step: 1, value: -Infinity },
  ], alerts: [] });
  const csv = metricsCsv([feed]);
  assert.equal(csv, [
    'run_id,run,series,step,time,value',
    'run-1,"llama, ""7b""",loss,1,2026-01-01T12:00:00.000Z,2.25',
    'run-1,"llama, ""7b""",loss,2,,nan',
    "run-1,\"llama, \"\"7b\"\"\",'=cmd|calc,1,,-inf",
    '',
  ].join('\n'));
  assert.equal(csvField('a\nb'), '"a\nb"');
  assert.equal(csvNumber(1e-7), '1e-7');
  assert.equal(csvNumber(Infinity), 'inf');
});

test('PNG data URLs are decoded only when they hold PNG bytes', () => {
  const png = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), deflateSync(Buffer.from('x'))]);
  const bytes = decodePngDataUrl(`data:image/png;base64,${png.toString('base64')}`);
  assert.deepEqual(Buffer.from(bytes), png);
  assert.throws(() => decodePngDataUrl('data:image/jpeg;base64,AAAA'), /not a PNG data URL/);
  assert.throws(() => decodePngDataUrl('data:image/png;base64,<script>'), /base64/);
  assert.throws(() => decodePngDataUrl(`data:image/png;base64,${Buffer.from('GIF89a....').toString('base64')}`), /signature/);
});

test('file names from run titles lose path separators and reserved characters', () => {
  assert.equal(safeFileStem('../../etc/passwd'), '_.._etc_passwd');
  assert.equal(safeFileStem('a:b*c?'), 'a_b_c_');
  assert.equal(safeFileStem('   '), 'loss-curve');
  // Export names: the run name without its host, no spaces (issue 11: `tiny-gpt-demo · local.csv`).
  assert.equal(exportFileStem(['tiny-gpt-demo · local']), 'tiny-gpt-demo-loss');
  assert.equal(exportFileStem(['run a · gpu-box', 'run b · local']), 'run-a-vs-run-b-loss');
  assert.equal(exportFileStem(['../x · h']), '_x-loss');
});

test('showLossCurve arguments: id, ids, tree items, multi-selection', () => {
  assert.deepEqual(runIdsOfArgument('r1'), ['r1']);
  assert.deepEqual(runIdsOfArgument(['r1', 'r2']), ['r1', 'r2']);
  assert.deepEqual(runIdsOfArgument({ runId: 'r3' }), ['r3']);
  assert.deepEqual(runIdsOfArgument({ run: { id: 'r4' } }), ['r4']);
  assert.deepEqual(runIdsOfArgument({ runId: 'a' }, [{ runId: 'a' }, { runId: 'b' }]), ['a', 'b']);
  assert.equal(runIdsOfArgument(undefined), undefined);
  assert.equal(runIdsOfArgument({}), undefined);
});

test('the webview shell has a strict CSP: nonce\'d script only, no inline or eval, styles from the bundle folder', () => {
  const html = webviewHtml({ cspSource: 'https://file+.vscode-resource.vscode-cdn.net', scriptUri: 'https://x/dist/webview/metrics.js', styleUri: 'https://x/dist/webview/metrics.css', nonce: 'abc123' });
  const csp = /http-equiv="Content-Security-Policy" content="([^"]+)"/.exec(html)?.[1]?.replace(/&#39;|&quot;/g, "'");
  assert.ok(csp);
  assert.equal(csp, contentSecurityPolicy('https://file+.vscode-resource.vscode-cdn.net', 'abc123'));
  assert.match(csp, /^default-src 'none'; script-src 'nonce-abc123'; style-src https:\/\/file\+\.vscode-resource\.vscode-cdn\.net 'nonce-abc123'; img-src https:\/\/file\+\.vscode-resource\.vscode-cdn\.net data:/);
  assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval/);
  assert.match(html, /<script nonce="abc123" src="https:\/\/x\/dist\/webview\/metrics.js"><\/script>/);
  assert.equal((html.match(/<script/g) ?? []).length, 1);
  const a = webviewHtml({ cspSource: 'x', scriptUri: 'y' }), b = webviewHtml({ cspSource: 'x', scriptUri: 'y' });
  assert.notEqual(/nonce="([^"]+)"/.exec(a)![1], /nonce="([^"]+)"/.exec(b)![1], 'a fresh nonce per render');
});

test('feeds: MemoryFeed notifies subscribers; the synthetic feed has its spike and alert; sparklines pick loss and keep the spike', () => {
  const feed = syntheticFeed('s', 'synthetic', 100_000, { step: 77_777, value: 50 });
  const snap = feed.snapshot();
  assert.deepEqual(snap.series.map((s) => s.name), ['loss', 'eval_loss']);
  assert.equal(snap.series[0].values[77_776], 50);
  assert.deepEqual(snap.alerts.map((a) => a.step), [77_777]);
  const spark = sparkRunOf(feed);
  assert.equal(spark.series, 'loss');
  assert.ok(spark.xs.length <= 4 * 160 + 2);
  assert.equal(Math.max(...spark.ys), 50);
  assert.equal(spark.latestStep, 100_000);
  assert.equal(spark.alerts, 1);

  const live = new MemoryFeed('l', 'live');
  const got: number[] = [];
  const off = live.subscribe((b) => got.push(b.points.length));
  live.push({ points: [{ series: 'loss', step: 1, value: 3 }, { series: 'loss', step: 2, value: NaN }], alerts: [] });
  off();
  live.push({ points: [{ series: 'loss', step: 3, value: 2 }], alerts: [] });
  assert.deepEqual(got, [2]);
  const s = sparkRunOf(live);
  assert.equal(s.latest, 2);
  assert.equal(s.latestStep, 3);
  assert.equal(s.empty, undefined);
});

test('the sparkline of a run that ended with no point says why, as its chart does (issue 11: "no points yet" for ever)', () => {
  const failed = createMetricsFeed('f', 'failed', { now: null });
  failed.pushChunk('Traceback (most recent call last):\n  File "train.py", line 3, in <module>\nValueError: config has no model section\n');
  failed.end();
  const s = sparkRunOf(failed);
  assert.deepEqual([s.latest, s.latestStep, s.xs.length], [null, null, 0]);
  // the exception's name once, not 'ValueError (ValueError: ...)' (issue 12)
  assert.equal(s.empty, 'No metric was logged before the run ended: ValueError: config has no model section');
  const empty = createMetricsFeed('e', 'empty', { now: null });
  assert.equal(sparkRunOf(empty).empty, 'The log is empty so far: no metric yet.');
});
