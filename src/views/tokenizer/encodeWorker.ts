/**
 * The tokenizer inspector's encode worker (a Node worker thread; bundled to dist/tokenizerWorker.js): loads the
 * inspector's tokenizers from the files the extension host recorded, and encodes off the extension host's thread, so
 * a 10 MB text does not stall the other extensions. Replies with packed encodings (their buffers transferred) first,
 * then the round trip. A job is cancelled by terminating the worker (workerClient.ts); an encode is one synchronous
 * call.
 */
import { parentPort } from 'node:worker_threads';
import { loadTokenizer, type LoadedTokenizer } from '../../core/tokenizer';
import { replayFileAccess } from '../../core/tokenizer/fileSnapshot';
import { inspectEncode, inspectRoundTrip, type InspectedEncoding, type InspectedRoundTrip } from '../../core/tokenizer/inspectEncode';
import { packedBuffers } from '../../core/tokenizer/packed';
import type { EncodeSlot, FromEncodeWorker, ToEncodeWorker } from './workerProtocol';

const port = parentPort;
if (!port) throw new Error('tokenizerWorker.js runs only as a worker thread');
const loaded = new Map<EncodeSlot, Promise<LoadedTokenizer>>();
const post = (m: FromEncodeWorker, transfer: ArrayBuffer[] = []): void => port.postMessage(m, transfer);

port.on('message', (m: ToEncodeWorker) => {
  if (m.type === 'load') {
    const p = loadTokenizer(replayFileAccess(m.snapshot), m.path);
    loaded.set(m.slot, p);
    p.then(() => post({ type: 'loaded', slot: m.slot }), (e: Error) => post({ type: 'loaded', slot: m.slot, error: e.message }));
    return;
  }
  void (async () => {
    try {
      const results: Partial<Record<EncodeSlot, InspectedEncoding>> = {};
      const transfer: ArrayBuffer[] = [];
      const toks: [EncodeSlot, LoadedTokenizer][] = [];
      for (const slot of m.slots) {
        const tok = await loaded.get(slot);
        if (!tok) throw new Error(`no tokenizer loaded for ${slot}`);
        toks.push([slot, tok]);
        const r = inspectEncode(tok, m.text, m.addSpecialTokens, (phase) => post({ type: 'progress', job: m.job, slot, phase }));
        results[slot] = r;
        transfer.push(...packedBuffers(r.packed));
      }
      post({ type: 'encoded', job: m.job, results }, transfer);
      const trips: Partial<Record<EncodeSlot, InspectedRoundTrip>> = {};
      for (const [slot, tok] of toks) {
        post({ type: 'progress', job: m.job, slot, phase: 'round-trip' });
        trips[slot] = inspectRoundTrip(tok, m.text);
      }
      post({ type: 'roundTrip', job: m.job, results: trips });
    } catch (e) {
      post({ type: 'failed', job: m.job, message: (e as Error).message });
    }
  })();
});
