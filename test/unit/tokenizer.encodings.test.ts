/**
 * Every reference encoding in the shared corpus (EXPECTED_ENCODINGS.json: Hugging Face `tokenizers` 0.23.2 and
 * `sentencepiece` 0.2.2 over the corpus tokenizer files, copied to test/fixtures/tokenizer) must match exactly:
 * ids with and without special tokens, tokens/pieces, offsets (code points) and decoded text.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { localFileAccess } from '../../src/remote/files';
import { loadTokenizer, type LoadedTokenizer } from '../../src/core/tokenizer';

const DIR = join(__dirname, '..', 'fixtures', 'tokenizer');
const expected = JSON.parse(readFileSync(join(DIR, 'EXPECTED_ENCODINGS.json'), 'utf8')) as Record<string, { engine: string; cases: any[] }>;

const cache = new Map<string, Promise<LoadedTokenizer>>();
const load = (file: string): Promise<LoadedTokenizer> => { if (!cache.has(file)) cache.set(file, loadTokenizer(localFileAccess(), join(DIR, file))); return cache.get(file)!; };

let total = 0;
for (const [file, spec] of Object.entries(expected)) {
  for (const c of spec.cases) {
    total++;
    test(`${file}: ${JSON.stringify(c.text).slice(0, 40)}`, async () => {
      const tok = await load(file);
      const plain = tok.encode(c.text, { addSpecialTokens: false });
      assert.deepEqual(plain.ids, c.ids_no_special, 'ids without special tokens');
      if (spec.engine === 'sentencepiece') {
        assert.deepEqual(plain.tokens, c.pieces, 'pieces');
        // a bare .model encodes as the sentencepiece library does: no BOS/EOS by default either
        assert.deepEqual(tok.encode(c.text).ids, c.ids_no_special, 'bare .model adds nothing');
      } else {
        const full = tok.encode(c.text);
        assert.deepEqual(full.ids, c.ids, 'ids with special tokens');
        assert.deepEqual(full.tokens, c.tokens, 'tokens');
        assert.deepEqual(full.offsets, c.offsets, 'offsets in code points');
      }
      assert.equal(tok.decode(c.ids_no_special), c.decoded, 'decoded');
    });
  }
}

test('all reference cases are enumerated (5 files x 10 texts)', () => {
  assert.equal(total, 50);
});
