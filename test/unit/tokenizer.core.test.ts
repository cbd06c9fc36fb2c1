/** Tokenizer core edge cases: the library fixes (named), other artifact kinds, bad input, and the CLI's JSON. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { memoryFileAccess } from '../../src/core/files';
import { loadTokenizer } from '../../src/core/tokenizer';
import { FastBpe } from '../../src/core/tokenizer/fastBpe';
import { checkTokenizer } from '../../src/core/tokenizer/checks';
import type { LoadedTokenizer } from '../../src/core/tokenizer';

const codesOf = (t: LoadedTokenizer): string[] => checkTokenizer({ tokenizer: t, sources: t.sources }).map((p) => p.code);

const DIR = join(__dirname, '..', 'fixtures', 'tokenizer');
const raw = (f: string): Buffer => readFileSync(join(DIR, f));
const ROOT = join(__dirname, '..', '..');

test('library fix: Whitespace pre-tokenizer splits ZWJ emoji like Rust regex \\w (Join_Control is a word char)', async () => {
  // @huggingface/tokenizers uses JavaScript's ASCII \w: "👨‍👩‍👧" stayed one word -> one [UNK]; Rust gives 5 tokens.
  const files = memoryFileAccess({ '/t/tokenizer.json': raw('hf-tokenizers__bert-wiki-wordpiece-untyped.tokenizer.json') });
  const tok = await loadTokenizer(files, '/t/tokenizer.json');
  const enc = tok.encode('👨\u200d👩\u200d👧', { addSpecialTokens: false });
  assert.deepEqual(enc.tokens, ['[UNK]', '\u200d', '[UNK]', '\u200d', '[UNK]']);
  assert.deepEqual(enc.offsets, [[0, 1], [1, 2], [2, 3], [3, 4], [4, 5]]);
});

test('library fix: decode of [] is "" and no clean_up_tokenization_spaces (Rust decode)', async () => {
  const files = memoryFileAccess({ '/t/tokenizer.json': raw('hf-tokenizers__bert-wiki-wordpiece-untyped.tokenizer.json') });
  const tok = await loadTokenizer(files, '/t');
  assert.equal(tok.decode([]), '');
  assert.equal(tok.decode(tok.encode('hello, world!', { addSpecialTokens: false }).ids), 'hello , world !');
});

test('vocab.txt (BERT, [unused0..2] repurposed as [SLOT] [NULL] [APPD]) loads as BertConverter builds it', async () => {
  const files = memoryFileAccess({ '/b/vocab.txt': raw('bert-base-uncased__vocab-unused-slots-repurposed.txt') });
  const tok = await loadTokenizer(files, '/b');
  assert.equal(tok.kind, 'wordpiece-vocab');
  assert.equal(tok.vocabSize, 30522);
  const enc = tok.encode('Hello, WORLD!');
  assert.deepEqual(enc.tokens, ['[CLS]', 'hello', ',', 'world', '!', '[SEP]']);
  assert.deepEqual(enc.ids, [101, 7592, 1010, 2088, 999, 102]);
  assert.deepEqual(enc.offsets, [[0, 0], [0, 5], [5, 6], [7, 12], [12, 13], [0, 0]]);
  assert.equal(tok.idToToken(1), '[SLOT]');
});

test('vocab.json + merges.txt (byte-level BPE) loads, with offsets over multi-byte characters', async () => {
  const vocab: Record<string, number> = { 'h': 0, 'i': 1, 'Ġ': 2, 'hi': 3, 'Ġh': 4, 'Ġhi': 5, 'Ã': 6, '©': 7, 'Ã©': 8 };
  const files = memoryFileAccess({ '/g/vocab.json': JSON.stringify(vocab), '/g/merges.txt': '#version: 0.2\nĠ h\nĠh i\nh i\nÃ ©\n' });
  const tok = await loadTokenizer(files, '/g');
  assert.equal(tok.kind, 'bpe-vocab');
  const enc = tok.encode('hi hié');
  assert.deepEqual(enc.tokens, ['hi', 'Ġhi', 'Ã©']);
  assert.deepEqual(enc.offsets, [[0, 2], [2, 5], [5, 6]]);
  assert.equal(tok.decode(enc.ids), 'hi hié');
});

test('a model folder prefers tokenizer.json, reads special_tokens_map and chat_template.jinja', async () => {
  const files = memoryFileAccess({
    '/m/tokenizer.json': raw('tinyllama__bpe-bytefallback.tokenizer.json'), '/m/tokenizer.model': raw('tinyllama__tokenizer.model'),
    '/m/special_tokens_map.json': raw('tinyllama__special_tokens_map.json'), '/m/chat_template.jinja': raw('tinyllama__chat_template.jinja'),
  });
  const tok = await loadTokenizer(files, '/m');
  assert.equal(tok.kind, 'tokenizer.json');
  assert.equal(tok.padToken, '</s>');
  assert.equal(tok.renderChat!([{ role: 'user', content: 'hi' }], { addGenerationPrompt: true }), '<|user|>\nhi</s>\n<|assistant|>\n');
});

test('.model with a tokenizer_config beside it adds BOS (add_bos_token) and splits special-token strings', async () => {
  const files = memoryFileAccess({ '/s/tokenizer.model': raw('tinyllama__tokenizer.model'), '/s/tokenizer_config.json': JSON.stringify({ add_bos_token: true, add_eos_token: true, added_tokens_decoder: { 2: { content: '</s>', special: true } } }) });
  const tok = await loadTokenizer(files, '/s/tokenizer.model');
  const enc = tok.encode('Hi</s>');
  assert.deepEqual(enc.ids, [1, 6324, 2, 2]);
});

test('bad input: truncated JSON, a non-protobuf .model, an oversized file, a missing path, a lone template', async () => {
  const files = memoryFileAccess({
    '/x/tokenizer.json': '{"model": {"type": "BPE", "vocab": {', '/y/tokenizer.model': new Uint8Array([0xff, 0xff, 0xff, 0x01, 0x02]),
    '/z/t.jinja': '{{ messages }}',
  });
  await assert.rejects(loadTokenizer(files, '/x/tokenizer.json'), /\/x\/tokenizer\.json: not valid JSON/);
  await assert.rejects(loadTokenizer(files, '/y/tokenizer.model'), /\/y\/tokenizer\.model is not a SentencePiece model/);
  await assert.rejects(loadTokenizer(files, '/nope'), /no such file or folder.*: \/nope/);
  await assert.rejects(loadTokenizer(files, '/z/t.jinja'), /no tokenizer vocabulary found/);
  const big = { ...memoryFileAccess({}), host: 'memory', stat: async () => ({ size: 500 * 1024 * 1024, mtimeMs: 0, isDirectory: false }), list: async () => ['tokenizer.json'], read: async () => { throw new Error('must not read'); } };
  await assert.rejects(loadTokenizer(big, '/big/tokenizer.json'), /500 MB|500\.0 MiB|over the/);
});

test('a looping chat template is cut off with an error', async () => {
  const files = memoryFileAccess({ '/m/tokenizer.json': raw('hf-tokenizers__bert-wiki-wordpiece-untyped.tokenizer.json'), '/m/chat_template.jinja': '{% for i in range(3000000) %}xxxxxxxxxx{% endfor %}' });
  const tok = await loadTokenizer(files, '/m');
  assert.throws(() => tok.renderChat!([{ role: 'user', content: 'hi' }]), /rendered more than/);
});

test('llmtrain tokenize --format json prints ids, tokens, offsets, decoded, roundTrip; --check adds problems', () => {
  const r = spawnSync(process.execPath, ['--import', 'tsx', join(ROOT, 'src/cli/main.ts'), 'tokenize', join(DIR, 'tinyllama__bpe-bytefallback.tokenizer.json'), '--text', 'Hi 🙂', '--format', 'json', '--check'], { encoding: 'utf8', cwd: ROOT });
  assert.equal(r.status, 0, r.stderr);
  const out = JSON.parse(r.stdout);
  assert.deepEqual(out.ids, [1, 6324, 29871, 243, 162, 156, 133]);
  assert.deepEqual(out.tokens.slice(0, 3), ['<s>', '▁Hi', '▁']);
  assert.deepEqual(out.offsets[3], [3, 4]);
  assert.equal(out.decoded, 'Hi 🙂');
  assert.equal(out.roundTrip, true);
  assert.deepEqual(out.problems.map((p: any) => p.code), ['merges-as-pairs']);
  const bad = spawnSync(process.execPath, ['--import', 'tsx', join(ROOT, 'src/cli/main.ts'), 'tokenize', '/nonexistent/tok.json', '--text', 'x'], { encoding: 'utf8', cwd: ROOT });
  assert.equal(bad.status, 1);
  assert.equal(bad.stderr.trim().split('\n').length, 1);
  assert.match(bad.stderr, /\/nonexistent\/tok\.json/);
});

test('fast BPE equals the library: TinyLlama tokenizer.json tokens on varied texts match @huggingface/tokenizers BPE', async () => {
  const { Tokenizer } = require('@huggingface/tokenizers');
  const json = JSON.parse(readFileSync(join(DIR, 'tinyllama__bpe-bytefallback.tokenizer.json'), 'utf8'));
  const lib = new Tokenizer(json, {});
  const fast = new FastBpe(json.model);
  const alphabet = ['▁', 'a', 'e', 't', 'th', 'ing', '训', '🙂', '\n', 'é', 'Q', '0', '9', '.', '\u200d', 'ü', 'ب'];
  let seed = 3;
  const rnd = (n: number): number => { seed = (seed * 1103515245 + 12345) & 0x7fffffff; return seed % n; };
  for (let k = 0; k < 300; k++) {
    let w = '';
    const n = 1 + rnd(40);
    for (let i = 0; i < n; i++) w += alphabet[rnd(alphabet.length)];
    assert.deepEqual(fast.tokens(w), lib.model([w]), JSON.stringify(w));
  }
});

test('SentencePiece .model with tokenizer_config "legacy": false encodes as transformers\' LlamaTokenizer (docstring example); legacy stays the default', async () => {
  const model = readFileSync(join(__dirname, '..', 'fixtures', 'tokenizer', 'tinyllama__tokenizer.model'));
  const folder = (extra: Record<string, unknown>): ReturnType<typeof memoryFileAccess> => memoryFileAccess({
    '/m/tokenizer.model': model,
    '/m/tokenizer_config.json': JSON.stringify({ add_bos_token: true, bos_token: '<s>', eos_token: '</s>', unk_token: '<unk>', tokenizer_class: 'LlamaTokenizer', ...extra }),
  });
  const legacy = await loadTokenizer(folder({}), '/m');
  const modern = await loadTokenizer(folder({ legacy: false }), '/m');
  // transformers LlamaTokenizer docstring: legacy=True gives [1, 15043, 29871, 1, 869], legacy=False [1, 15043, 29871, 1, 29889]
  assert.deepEqual(legacy.encode('Hello <s>.').ids, [1, 15043, 29871, 1, 869]);
  assert.deepEqual(modern.encode('Hello <s>.').ids, [1, 15043, 29871, 1, 29889]);
  // no "▁" after a special token, so the round trip holds; the text's own leading "▁" is kept once
  const e = modern.encode('</s>Hello', { addSpecialTokens: false });
  assert.deepEqual(e.tokens, ['</s>', 'Hello']);
  assert.deepEqual(e.utf16Offsets, [[0, 4], [4, 9]]);
  assert.equal(modern.decode(e.ids), 'Hello');
  assert.deepEqual(modern.encode('Hello').ids, legacy.encode('Hello').ids);
  assert.deepEqual(modern.encode('Hey </s>. how', { addSpecialTokens: false }).tokens, ['▁Hey', '▁', '</s>', '.', '▁how']);
  assert.deepEqual(modern.encode('', { addSpecialTokens: false }).ids, []);
  assert.deepEqual(codesOf(modern), []);
  assert.deepEqual(codesOf(legacy), ['legacy-space-after-special']);
});
