/**
 * The packed encoding the inspector sends (worker -> extension host -> webview): values survive packing, a structured
 * clone with the buffers transferred (what worker_threads' postMessage does), and unpacking; repeated tokens are
 * stored once. The encoding is TinyLlama's (tokenizer.json from the corpus) of text with byte fallback, CJK, emoji
 * and special-token strings.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { localFileAccess } from '../../src/remote/files';
import { loadTokenizer } from '../../src/core/tokenizer';
import { packEncoding, packedBuffers, unpackEncoding } from '../../src/core/tokenizer/packed';

const TOK = join(__dirname, '..', 'fixtures', 'tokenizer', 'tinyllama__bpe-bytefallback.tokenizer.json');

test('packEncoding: typed arrays with the values of the encoding; pieces once each; round trip through a transfer', async () => {
  const tok = await loadTokenizer(localFileAccess(), TOK);
  const text = 'Hi Hi Hi 训练 🙂 <s> ok\u00a0\u200b';
  const enc = tok.encode(text);
  const plain = { ids: enc.ids, tokens: enc.tokens, offsets: enc.utf16Offsets, special: enc.special };
  const p = packEncoding(plain);
  assert.equal(p.count, enc.ids.length);
  assert.ok(p.ids instanceof Int32Array && p.offsets instanceof Uint32Array && p.special instanceof Uint8Array && p.pieceOf instanceof Uint32Array);
  assert.equal(p.offsets.length, 2 * p.count);
  // values: BOS first, special; "Hi" three times stored once
  assert.equal(p.ids[0], 1);
  assert.equal(p.special[0], 1);
  assert.deepEqual([p.offsets[0], p.offsets[1]], [0, 0]);
  assert.equal(p.pieces[p.pieceOf[1]], '▁Hi');
  assert.equal(p.pieces.filter((x) => x === '▁Hi').length, 1);
  assert.equal(p.pieceOf[2], p.pieceOf[1]);
  const emoji = enc.tokens.indexOf('<0xF0>');
  assert.ok(emoji > 0, `byte fallback in ${enc.tokens.join(' ')}`);
  assert.equal(p.pieces[p.pieceOf[emoji]], '<0xF0>');
  assert.equal(p.ids[emoji], 243);
  const s = enc.tokens.lastIndexOf('<s>');
  assert.equal(p.special[s], 1);
  assert.equal(text.slice(p.offsets[2 * s], p.offsets[2 * s + 1]), '<s>');
  assert.ok(p.pieces.length < p.count);

  const { port1, port2 } = new MessageChannel();
  const received = new Promise<typeof p>((resolve) => { port2.onmessage = (e) => resolve(e.data); });
  port1.postMessage(p, packedBuffers(p));
  const q = await received;
  port1.close(); port2.close();
  assert.equal(p.ids.length, 0, 'the buffers were transferred, not copied');
  assert.deepEqual(unpackEncoding(q), plain);
});

test('packEncoding: an empty encoding, and lists of different lengths', () => {
  const e = packEncoding({ ids: [], tokens: [], offsets: [], special: [] });
  assert.equal(e.count, 0);
  assert.deepEqual(unpackEncoding(e), { ids: [], tokens: [], offsets: [], special: [] });
  assert.throws(() => packEncoding({ ids: [1, 2], tokens: ['a'], offsets: [[0, 1], [1, 2]], special: [false, false] }), /2 ids but 1 tokens/);
});
