/**
 * The dataset check's duplicate search in a worker thread (src/remote/dedupWorker.ts, a real worker running
 * src/remote/dedupWorkerMain.ts through tsx): the same report as the inline search, field for field, over the pinned
 * corpus (planted exact and near duplicates, mixed scripts, a 200 KB row) with small batches and a short queue, so
 * that batching and backpressure are exercised; a cancelled check stops its worker; a worker that dies mid-check
 * makes the check run again inline, with a note; small files and machines with few CPUs stay inline.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkDataset } from '../../src/core/dataset';
import type { DatasetReport, DedupStage, DedupStageFactory } from '../../src/core/dataset';
import { workerDedup } from '../../src/remote/dedupWorker';
import { localFileAccess } from '../../src/remote/files';
import { pinnedCorpus } from '../fixtures/dataset/corpus';

const DIR = mkdtempSync(join(tmpdir(), 'llmts-dedup-worker-'));
after(() => rmSync(DIR, { recursive: true, force: true }));
// The worker's TypeScript entry through tsx's require hook (a worker thread takes a .js/.cjs path; the CLI and the
// extension start the bundled dist/dedupWorker.js).
const SHIM = join(DIR, 'worker.cjs');
writeFileSync(SHIM, `require(${JSON.stringify(require.resolve('tsx/cjs'))});\nrequire(${JSON.stringify(join(__dirname, '..', '..', 'src', 'remote', 'dedupWorkerMain.ts'))});\n`);
const STUCK = join(DIR, 'stuck.cjs');
writeFileSync(STUCK, `require('node:worker_threads').parentPort.on('message', () => { /* never answers */ });\n`);
const DYING = join(DIR, 'dying.cjs');
writeFileSync(DYING, `require('node:worker_threads').parentPort.on('message', (m) => { if (m.type === 'rows') process.exit(3); });\n`);

const corpus = pinnedCorpus();
const FILE = join(DIR, 'corpus.jsonl');
writeFileSync(FILE, corpus.rows.map((x) => JSON.stringify(x)).join('\n') + '\n');

/** Wraps a factory to see which stages it made and whether they were disposed. */
function watched(f: DedupStageFactory): { factory: DedupStageFactory; made: number; disposed: number } {
  const w = { made: 0, disposed: 0, factory: ((o) => {
    const s = f(o);
    if (!s) return undefined;
    w.made++;
    const dispose = s.dispose.bind(s);
    return { ...bindAll(s), dispose: () => { w.disposed++; dispose(); } };
  }) as DedupStageFactory };
  return w;
}
function bindAll(s: DedupStage): DedupStage {
  return { add: s.add.bind(s), take: s.take.bind(s), backpressure: s.backpressure.bind(s), finish: s.finish.bind(s), dispose: s.dispose.bind(s) };
}
const withoutClock = (r: DatasetReport): unknown => { const { elapsedMs: _e, ...rest } = r; return rest; };

test('the worker search gives the inline report field for field (pinned corpus, batches of 7 rows, 2 batches in flight)', async () => {
  const files = localFileAccess();
  const opts = { previewRows: 3, maxExamples: 500 };
  const inline = await checkDataset(files, FILE, opts);
  const w = watched(workerDedup({ script: SHIM, minBytes: 0, minCores: 0, batchRows: 7, maxInFlight: 2 }));
  const viaWorker = await checkDataset(files, FILE, { ...opts, dedup: w.factory });
  assert.equal(w.made, 1, 'the check ran a worker stage');
  assert.equal(w.disposed, 1);
  assert.ok(inline.duplicates.exact >= 10 && inline.duplicates.near >= 5, `the corpus has duplicates to find: ${inline.duplicates.exact} exact, ${inline.duplicates.near} near`);
  assert.ok(inline.duplicates.examples.length > 15);
  assert.deepEqual(withoutClock(viaWorker), withoutClock(inline));
  // A few rows only, and batches cut by size rather than count (the worker kept from the check above: a second check
  // in the same thread starts from a fresh Deduplicator).
  const few = await checkDataset(files, FILE, { ...opts, maxNearRows: 50, dedup: workerDedup({ script: SHIM, minBytes: 0, minCores: 0, batchChars: 5000 }) });
  assert.deepEqual(withoutClock(few), withoutClock(await checkDataset(files, FILE, { ...opts, maxNearRows: 50 })));
  assert.equal(few.duplicates.nearCapped, true);
});

test('a cancelled check stops its worker; a worker that dies: checked again inline, with a note; small files and few CPUs stay inline', async () => {
  const files = localFileAccess();
  const abort = new AbortController();
  const w = watched(workerDedup({ script: SHIM, minBytes: 0, minCores: 0, batchRows: 5 }));
  await assert.rejects(checkDataset(files, FILE, { dedup: w.factory, signal: abort.signal, chunkSize: 4096, onProgress: (p) => { if (p.rows > 20) abort.abort(new Error('stop')); } }), /stop/);
  assert.deepEqual([w.made, w.disposed], [1, 1]);

  // A worker that dies mid-check: the file is checked again inline, the report says why, the results are whole.
  const dying = watched(workerDedup({ script: DYING, minBytes: 0, minCores: 0, batchRows: 5 }));
  const retried = await checkDataset(files, FILE, { previewRows: 3, maxExamples: 500, dedup: dying.factory });
  assert.deepEqual([dying.made, dying.disposed], [1, 1]);
  assert.deepEqual(retried.problems[0], { severity: 'info', code: 'dedup-retried', message: 'the duplicate search worker exited (code 3) before it finished; the file was checked again with the duplicate search in this thread.' });
  const inline = await checkDataset(files, FILE, { previewRows: 3, maxExamples: 500 });
  assert.deepEqual(retried.duplicates, inline.duplicates);
  assert.equal(retried.problems.length, inline.problems.length + 1);
  // A worker that never answers (stuck, not dead): after stallMs the check runs again inline, with a note.
  const stuck = watched(workerDedup({ script: STUCK, minBytes: 0, minCores: 0, stallMs: 300 }));
  const unstuck = await checkDataset(files, FILE, { previewRows: 3, maxExamples: 500, dedup: stuck.factory });
  assert.deepEqual([stuck.made, stuck.disposed], [1, 1]);
  assert.equal(unstuck.problems[0].message, 'the duplicate search worker answered nothing for 0.3 s; the file was checked again with the duplicate search in this thread.');
  assert.deepEqual(unstuck.duplicates, inline.duplicates);
  // On fewer CPUs than minCores the search stays inline (on two CPUs the worker was slower than the inline search).
  const few = watched(workerDedup({ script: SHIM, minBytes: 0, minCores: 10_000 }));
  await checkDataset(files, FILE, { dedup: few.factory });
  assert.equal(few.made, 0);

  const small = watched(workerDedup({ script: SHIM, minCores: 0 }));
  const r = await checkDataset(files, FILE, { dedup: small.factory });
  assert.equal(small.made, 0, `a ${r.bytes}-byte file is searched inline (minBytes 4 MiB)`);
  const missing = watched(workerDedup({ script: join(DIR, 'no-such-worker.js'), minBytes: 0, minCores: 0 }));
  await checkDataset(files, FILE, { dedup: missing.factory });
  assert.equal(missing.made, 0, 'no worker script: inline');
});
