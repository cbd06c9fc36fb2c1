/**
 * The dataset check's duplicate search in a worker thread (bundled to dist/dedupWorker.js; the client is
 * dedupWorker.ts): a `Deduplicator` fed with batches of row texts in row order, answering each batch with its
 * verdicts. Protocol (`DedupToWorker` / `DedupFromWorker` in dedupWorker.ts): `init` once, `rows` batches, `finish`
 * once; replies `verdicts` per batch (packed, its buffer transferred), then `totals`, or `error`.
 */
import { parentPort } from 'node:worker_threads';
import { Deduplicator } from '../core/dataset/dedup';
import type { DedupFromWorker, DedupToWorker } from './dedupWorker';

const port = parentPort;
if (!port) throw new Error('dedupWorker.js runs only as a worker thread');
let dedup: Deduplicator | undefined;
const post = (m: DedupFromWorker, transfer: ArrayBuffer[] = []): void => port.postMessage(m, transfer);

port.on('message', (m: DedupToWorker) => {
  try {
    if (m.type === 'init') { dedup = new Deduplicator(undefined, m.maxNearRows); return; }
    if (!dedup) throw new Error(`'${m.type}' before 'init'`);
    if (m.type === 'rows') {
      const found: number[] = [];
      let start = 0, t = 0;
      for (let k = 0; k < m.indexes.length; k++) {
        const end = m.ends[k];
        const v = end >= 0 ? dedup.addAscii(m.indexes[k], m.bytes, start, end) : dedup.add(m.indexes[k], m.texts[t++]);
        if (end >= 0) start = end;
        if (v) found.push(m.indexes[k], v.kind === 'exact' ? 0 : 1, v.of, v.kind === 'near' ? v.similarity : 1);
      }
      const packed = Float64Array.from(found);
      post({ type: 'verdicts', packed }, [packed.buffer]);
      return;
    }
    post({ type: 'totals', totals: { exact: dedup.exactCount, near: dedup.nearCount, nearIndexed: dedup.nearIndexed, maxNearRows: dedup.maxNearRows } });
    dedup = undefined; // its tables (up to ~150 MB at 500,000 rows) are not kept while the worker waits for the next check
  } catch (e) {
    post({ type: 'error', message: e instanceof Error ? e.message : String(e) });
  }
});
