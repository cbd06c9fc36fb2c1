import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FileNotFoundError, memoryFileAccess, type FileAccess } from '../../src/core/files';
import { openLogFile } from '../../src/core/metrics/logFile';

/** A FileAccess over one file whose bytes the test appends to (a log being written). */
function growingFile(path: string, initial: string, mtimeMs = 0): { files: FileAccess; append(s: string): void; truncate(): void } {
  let data = new TextEncoder().encode(initial);
  const files: FileAccess = {
    host: 'memory',
    async read(p, start, end) { assert.equal(p, path); return data.slice(start, Math.min(end, data.length)); },
    async stat(p) { return p === path ? { size: data.length, mtimeMs, isDirectory: false } : undefined; },
    async list() { return []; },
  };
  return {
    files,
    append(s) { const add = new TextEncoder().encode(s); const next = new Uint8Array(data.length + add.length); next.set(data); next.set(add, data.length); data = next; },
    truncate() { data = new Uint8Array(0); },
  };
}

const lossOf = (feed: { snapshot(): { series: { name: string; steps: Float64Array; values: Float64Array; times?: Float64Array }[] } }) => feed.snapshot().series.find((s) => s.name === 'loss');

async function until(what: string, cond: () => boolean, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) { if (Date.now() > end) throw new Error(`timed out waiting for ${what}`); await new Promise((r) => setTimeout(r, 10)); }
}

test('a log without timestamps gives points without time: not the moment it was read', async () => {
  const files = memoryFileAccess({ '/runs/a/train.log': '{"step": 1, "loss": 2.5}\n{"step": 2, "loss": 2.25}\n' });
  const { feed, done } = await openLogFile(files, '/runs/a/train.log', { follow: false });
  const loss = lossOf(feed)!;
  assert.deepEqual([...loss.steps], [1, 2]);
  assert.deepEqual([...loss.values], [2.5, 2.25]);
  assert.ok(!loss.times || [...loss.times].every(Number.isNaN), `times were invented: ${loss.times && [...loss.times]}`);
  assert.equal(feed.title, 'train.log');
  assert.equal(feed.runId, 'log:memory:/runs/a/train.log');
  assert.deepEqual(await done, { offset: 51, reason: 'not-followed' });
});

test('a growing log is followed: appended lines become points, a partial line waits, abort flushes it', async () => {
  const log = growingFile('/r/out.log', '{"step": 1, "loss": 3}\n');
  const ac = new AbortController();
  const { feed, done } = await openLogFile(log.files, '/r/out.log', { signal: ac.signal, pollMs: 20 });
  assert.deepEqual([...lossOf(feed)!.steps], [1]);
  log.append('{"step": 2, "loss": 2.5}\n{"step": 3, "lo');
  await until('step 2', () => lossOf(feed)!.steps.length === 2);
  await new Promise((r) => setTimeout(r, 100));
  assert.deepEqual([...lossOf(feed)!.steps], [1, 2], 'the half-written line is not a point yet');
  log.append('ss": 2}\n');
  await until('step 3', () => lossOf(feed)!.steps.length === 3);
  log.append('{"step": 4, "loss": 1.5}');
  await new Promise((r) => setTimeout(r, 100));
  ac.abort();
  const end = await done;
  assert.equal(end.reason, 'aborted');
  assert.deepEqual([...lossOf(feed)!.steps], [1, 2, 3, 4], 'the last line without a newline is flushed when following ends');
  assert.deepEqual([...lossOf(feed)!.values], [3, 2.5, 2, 1.5]);
});

test('following ends when the file shrinks (truncated or rotated); whole JSON documents are not followed', async () => {
  const log = growingFile('/r/out.log', '{"step": 1, "loss": 3}\n');
  const { done } = await openLogFile(log.files, '/r/out.log', { pollMs: 10 });
  log.truncate();
  assert.deepEqual(await done, { offset: 23, reason: 'shrank' });
  const json = growingFile('/r/trainer_state.json', JSON.stringify({ log_history: [{ step: 5, loss: 1.25 }] }));
  const opened = await openLogFile(json.files, '/r/trainer_state.json', { pollMs: 10 });
  assert.equal((await opened.done).reason, 'not-followed');
  assert.deepEqual([...lossOf(opened.feed)!.steps], [5]);
});

test('a missing file or a folder is refused with its path named; an abort during the first read rejects', async () => {
  const files = memoryFileAccess({ '/d/x.log': 'a\n' }, 'gpu-box');
  await assert.rejects(openLogFile(files, '/d/none.log'), (e: Error) => e instanceof FileNotFoundError && e.message === 'no such file on gpu-box: /d/none.log');
  await assert.rejects(openLogFile(files, '/d'), /cannot read gpu-box:\/d: it is a folder/);
  const ac = new AbortController();
  ac.abort(new Error('cancelled by the user'));
  await assert.rejects(openLogFile(files, '/d/x.log', { signal: ac.signal }), /cancelled by the user/);
});

// lit-gpt records (the corpus log test/fixtures/logs/litgpt__codellama-full-ft-loss-spike.log, Lightning-AI/lit-gpt#…
// as cited there): an unmarked `step 463` record is a micro-batch of optimizer step 464, which only a later marked
// record closes. A log cut there (finished, crashed, an excerpt) must still show step 464.
const LITGPT = 'iter 1 step 0: loss 2.0000, iter time: 900.00ms\niter 2 step 1: loss 1.0000, iter time: 900.00ms (optimizer.step)\n'
  + 'iter 3 step 1: loss 4.0000, iter time: 900.00ms\niter 4 step 1: loss 6.0000, iter time: 900.00ms\n';

test('a quiet log is settled: the optimizer step still accumulating is drawn (a finished LitGPT log shows its last step)', async () => {
  const now = 1_000_000_000;
  const ac = new AbortController(), ac2 = new AbortController();
  try {
    // Opened after the fact: last modified a minute ago, so settled at once.
    const old = growingFile('/r/lit.log', LITGPT, now - 60_000);
    const opened = await openLogFile(old.files, '/r/lit.log', { signal: ac.signal, pollMs: 10, clock: () => now });
    assert.deepEqual([...lossOf(opened.feed)!.steps], [1, 2]);
    assert.deepEqual([...lossOf(opened.feed)!.values], [1.5, 5]);

    // Being written: nothing is settled while it grows; once it has been quiet for settleMs, the open step is drawn.
    let t = now;
    const live = growingFile('/r/live.log', LITGPT, now);
    const followed = await openLogFile(live.files, '/r/live.log', { signal: ac2.signal, pollMs: 10, settleMs: 30_000, clock: () => t });
    await new Promise((r) => setTimeout(r, 60));
    assert.deepEqual([...lossOf(followed.feed)!.steps], [1], 'step 2 is still accumulating');
    t += 30_000;
    await until('the quiet log to be settled', () => lossOf(followed.feed)!.steps.length === 2);
    assert.deepEqual([...lossOf(followed.feed)!.values], [1.5, 5]);
    ac2.abort();
    assert.equal((await followed.done).reason, 'aborted');
  } finally { ac.abort(); ac2.abort(); }
});

test('an opened log that ends on a traceback shows the crash once it is quiet, not only when its panel closes (issue 12)', async () => {
  // A traceback is a crash only once confirmed (core/metrics CrashEvent): an opened log is followed until its panel
  // closes, so confirming at end() alone would never show it; a quiet log (settled) confirms it.
  const log = "{'loss': 2.5, 'epoch': 0.1}\nTraceback (most recent call last):\n  File \"train.py\", line 88, in <module>\nValueError: Expected input batch_size (8) to match target batch_size (16).\n";
  const now = 1_000_000_000;
  const ac = new AbortController(), ac2 = new AbortController();
  const crashes = (feed: { snapshot(): { alerts: { kind: string }[] } }) => feed.snapshot().alerts.filter((a) => a.kind === 'crash').length;
  try {
    const old = growingFile('/r/old.log', log, now - 60_000);
    const opened = await openLogFile(old.files, '/r/old.log', { signal: ac.signal, pollMs: 10, clock: () => now });
    assert.equal(crashes(opened.feed), 1);
    let t = now;
    const live = growingFile('/r/live.log', log, now);
    const followed = await openLogFile(live.files, '/r/live.log', { signal: ac2.signal, pollMs: 10, settleMs: 30_000, clock: () => t });
    await new Promise((r) => setTimeout(r, 60));
    assert.equal(crashes(followed.feed), 0, 'a traceback in a log still being written may be caught');
    t += 30_000;
    await until('the quiet log to be settled', () => crashes(followed.feed) === 1);
  } finally { ac.abort(); ac2.abort(); }
});
