/**
 * The inspector's encode worker (a real worker thread running src/views/tokenizer/encodeWorker.ts through tsx): the
 * tokenizer is loaded in the host through a recording FileAccess and in the worker from the recording; encodings
 * match the host's; a newer encode cancels the running one (a fresh worker); progress phases arrive in order.
 */
import { after, test } from 'node:test';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { localFileAccess } from '../../src/remote/files';
import { loadTokenizer } from '../../src/core/tokenizer';
import { recordingFileAccess, replayFileAccess } from '../../src/core/tokenizer/fileSnapshot';
import { unpackEncoding } from '../../src/core/tokenizer/packed';
import { EncodeCancelledError, EncodeWorkerClient } from '../../src/views/tokenizer/workerClient';
import { mixedText } from '../../bench/mixedText';

const FOLDER = join(__dirname, '..', 'fixtures', 'workspace', 'tokenizers', 'tinyllama');
// The worker's TypeScript entry, loaded through tsx's require hook by a small CommonJS shim (a worker thread takes a
// .js/.cjs/.mjs path; the extension starts the bundled dist/tokenizerWorker.js).
const SHIM = join(mkdtempSync(join(tmpdir(), 'llmts-worker-')), 'worker.cjs');
writeFileSync(SHIM, `require(${JSON.stringify(require.resolve('tsx/cjs'))});\nrequire(${JSON.stringify(join(__dirname, '..', '..', 'src', 'views', 'tokenizer', 'encodeWorker.ts'))});\n`);
after(() => rmSync(join(SHIM, '..'), { recursive: true, force: true }));

test('a recorded load replays: the same tokenizer from the recording alone; an unrecorded read names the path', async () => {
  const rec = recordingFileAccess(localFileAccess());
  const tok = await loadTokenizer(rec.files, FOLDER);
  const snap = rec.snapshot();
  assert.ok(snap.reads.length > 0 && snap.stats.length > 0);
  const again = await loadTokenizer(replayFileAccess(snap), FOLDER);
  const text = 'Fine-tuning TinyLlama: 训练 🙂 <s> done';
  assert.deepEqual(again.encode(text).ids, tok.encode(text).ids);
  await assert.rejects(replayFileAccess(snap).read('/elsewhere/x.json', 0, 10), /\/elsewhere\/x\.json: not in the recorded files/);
});

test('the encode worker encodes as the host does, reports progress, and a newer encode cancels the running one', async () => {
  const rec = recordingFileAccess(localFileAccess());
  const tok = await loadTokenizer(rec.files, FOLDER);
  const client = new EncodeWorkerClient(SHIM);
  try {
    client.setTokenizer('main', FOLDER, rec.snapshot());
    const text = 'Hello <s> 训练 🙂\u00a0x';
    const phases: string[] = [];
    const job = client.encode(text, true, ['main'], (slot, phase) => phases.push(`${slot}:${phase}`));
    const r = await job.encoded;
    const enc = tok.encode(text);
    assert.deepEqual(unpackEncoding(r.main!.packed), { ids: enc.ids, tokens: enc.tokens, offsets: enc.utf16Offsets, special: enc.special });
    const t = await job.roundTrip;
    assert.deepEqual(phases, ['main:encoding', 'main:packing', 'main:round-trip']);
    // SentencePiece decodes the typed <s> (a control piece) to nothing: the round trip differs there
    assert.equal(t.main!.roundTrip, false);
    assert.equal(t.main!.firstDiff?.at, 6);
    assert.equal(t.main!.firstDiff?.text, '<s> 训练 🙂\u00a0x');
    assert.equal(t.main!.firstDiff?.decoded, tok.decode(tok.encode(text, { addSpecialTokens: false }).ids).slice(6, 26));
    assert.equal(client.started, 1);

    const big = mixedText(2 * 1024 * 1024);
    const first = client.encode(big, true, ['main']);
    const second = client.encode('short', true, ['main']);
    await assert.rejects(first.encoded, EncodeCancelledError);
    await assert.rejects(first.roundTrip, EncodeCancelledError);
    const s = await second.encoded;
    assert.deepEqual(Array.from(s.main!.packed.ids), tok.encode('short').ids);
    assert.equal((await second.roundTrip).main!.roundTrip, true);
    assert.equal(client.started, 2, 'the cancelled job\'s worker was replaced');
  } finally {
    client.dispose();
  }
});
