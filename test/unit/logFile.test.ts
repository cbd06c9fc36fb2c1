import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FileNotFoundError, memoryFileAccess, type FileAccess } from '../../src/core/files';
import { openLogFile } from '../../src/core/metrics/logFile';

/** A FileAccess over one file whose bytes the test appends to (a log being written). */
function growingFile(path: string, initial: string): { files: FileAccess; append(s: string): void; truncate(): void } {
  let data = new TextEncoder().encode(initial);
  const files: FileAccess = {
    host: 'memory',
    async read(p, start, end) { assert.equal(p, path); return data.slice(start, Math.min(end, data.length)); },
    async stat(p) { return p === path ? { size: data.length, mtimeMs: 0, isDirectory: false } : undefined; },
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
