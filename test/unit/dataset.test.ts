/**
 * Dataset checks (src/core/dataset): datasets the test builds with known defects, each asserted by line (JSONL) or
 * row (JSON array); readers at chunk boundaries; bad input (binary, UTF-16, mixed encodings, a 2 GB single line);
 * duplicates; token lengths with a real tokenizer from the fixtures; datasets resolved from configs; the CLI's JSON.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync, rmSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import { memoryFileAccess, readText } from '../../src/core/files';
import type { FileAccess } from '../../src/core/files';
import { checkDataset, datasetsInConfig, resolveDataset, tokenCounter, readRows, Deduplicator, checkWithPlan, stepsPerEpoch, histogram } from '../../src/core/dataset';
import type { DatasetProblem } from '../../src/core/dataset';
import { loadTokenizer } from '../../src/core/tokenizer';
import { localFileAccess } from '../../src/remote/files';
import { reportText } from '../../src/cli/data';
import { runData } from '../../src/cli/data';
import { fingerprint, exactKey, nearWords, isNonAsciiSpace } from '../../src/core/dataset/dedup';
import { ALPACA_DEFECTS, alpacaJsonl, SHAREGPT_DEFECTS, sharegptJsonl, PREFERENCE_DEFECTS, preferenceJson } from '../fixtures/dataset/defects';

const TOK = join(__dirname, '..', 'fixtures', 'tokenizer', 'tinyllama__bpe-bytefallback.tokenizer.json');
const byLine = (ps: DatasetProblem[]): Map<number, string[]> => { const m = new Map<number, string[]>(); for (const p of ps) if (p.line !== undefined) m.set(p.line, [...(m.get(p.line) ?? []), p.code]); return m; };

test('alpaca JSONL: every defect at its line, duplicates counted and located', async () => {
  for (const variant of [{}, { crlf: true, bom: true }]) {
    const f = memoryFileAccess({ '/d/train.jsonl': alpacaJsonl(variant) });
    const r = await checkDataset(f, '/d/train.jsonl', { maxRowBytes: 1 << 20 });
    assert.equal(r.format, 'alpaca');
    assert.equal(r.rows, 11, 'the blank line 5 is not a row');
    const lines = byLine(r.problems);
    assert.deepEqual(lines.get(4), ['invalid-json']);
    assert.deepEqual(lines.get(6), ['empty-field']);
    assert.deepEqual(lines.get(7), ['wrong-type']);
    assert.deepEqual(lines.get(8), ['missing-field']);
    assert.deepEqual(lines.get(9), ['not-an-object']);
    assert.deepEqual([...lines.keys()].sort((a, b) => a - b), [4, 6, 7, 8, 9]);
    assert.equal(r.duplicates.exact, 1);
    assert.equal(r.duplicates.near, 1);
    const ex = r.duplicates.examples.find((e) => e.kind === 'exact')!;
    assert.deepEqual([ex.ref.line, ex.of.line], [3, 1]);
    const near = r.duplicates.examples.find((e) => e.kind === 'near')!;
    assert.deepEqual([near.ref.line, near.of.line], [11, 10]);
    assert.ok(near.similarity! >= 0.8);
    assert.equal(ALPACA_DEFECTS[3], 'exact-duplicate-of-1');
    if ('crlf' in variant) assert.deepEqual(r.problems.filter((p) => p.line === undefined).map((p) => p.code).sort(), ['bom', 'crlf']);
  }
});

test('ShareGPT conversations: alternation, unknown roles, empty conversations, no assistant reply', async () => {
  const f = memoryFileAccess({ '/s.jsonl': sharegptJsonl() });
  const r = await checkDataset(f, '/s.jsonl');
  assert.equal(r.format, 'sharegpt');
  const lines = byLine(r.problems);
  for (const [line, code] of Object.entries(SHAREGPT_DEFECTS)) assert.deepEqual(lines.get(Number(line)), [code], `line ${line}`);
  assert.equal(lines.has(1), false);
});

test('preference pairs in a JSON array: rows are 0-based; chosen == rejected and missing rejected', async () => {
  const f = memoryFileAccess({ '/p.json': preferenceJson() });
  const r = await checkDataset(f, '/p.json', { chunkSize: 7 });
  assert.equal(r.format, 'preference');
  assert.equal(r.rows, 3);
  const rows = r.problems.filter((p) => p.row !== undefined).map((p) => [p.row, p.code]);
  assert.deepEqual(rows, Object.entries(PREFERENCE_DEFECTS).map(([row, code]) => [Number(row), code]));
  assert.ok(r.problems.every((p) => p.line === undefined), 'JSON arrays report rows, not lines');
});

test('JSON array streaming survives every chunk boundary (strings with brackets, escapes, nesting)', async () => {
  const rows = [{ text: 'a [tricky] "quoted" {string}, with \\ backslash' }, { text: 'ü ✓ 😀' }, { text: 'x', extra: [1, [2, { y: ']' }]] }];
  const json = JSON.stringify(rows, null, 1);
  const f = memoryFileAccess({ '/a.json': json });
  for (const chunkSize of [1, 2, 3, 5, 8, 13, 64]) {
    const got: unknown[] = [];
    for await (const r of readRows(f, '/a.json', 'json', { chunkSize })) { assert.equal(r.error, undefined, `chunk ${chunkSize}: ${r.error?.message}`); got.push(r.value); }
    assert.deepEqual(got, rows, `chunk size ${chunkSize}`);
  }
  const truncated = await checkDataset(memoryFileAccess({ '/t.json': json.slice(0, -5) }), '/t.json');
  assert.ok(truncated.problems.some((p) => p.code === 'invalid-json' && /not closed/.test(p.message)));
});

test('JSONL lines across chunk boundaries keep their numbers; CSV quoted newlines keep the record line', async () => {
  const text = alpacaJsonl();
  const f = memoryFileAccess({ '/d.jsonl': text, '/d.csv': 'instruction,input,output\n"Say ""hi""","","Hi\nthere"\nQ2,,\nonly,two\n' });
  for (const chunkSize of [1, 7, 100]) {
    const lines: number[] = [];
    for await (const r of readRows(f, '/d.jsonl', 'jsonl', { chunkSize })) lines.push(r.ref.line!);
    assert.deepEqual(lines, [1, 2, 3, 4, 6, 7, 8, 9, 10, 11, 12], `chunk ${chunkSize}`);
  }
  const r = await checkDataset(f, '/d.csv');
  assert.equal(r.format, 'alpaca');
  assert.equal(r.rows, 3);
  assert.deepEqual(r.problems.map((p) => [p.line, p.code]), [[4, 'empty-field'], [5, 'csv-columns']]);
  assert.deepEqual(r.preview[0].value, { instruction: 'Say "hi"', input: '', output: 'Hi\nthere' });
});

test('bad input: binary, UTF-16, mixed encodings: clear messages, nothing thrown for a bad line', async () => {
  const bin = new Uint8Array([0x50, 0x41, 0x52, 0x31, 0, 0, 1, 2, 3]);
  await assert.rejects(checkDataset(memoryFileAccess({ '/x.jsonl': bin }), '/x.jsonl'), /is binary, not UTF-8 text.*looks like Parquet/);
  const utf16 = new Uint8Array([0xff, 0xfe, 0x7b, 0x00, 0x7d, 0x00]);
  await assert.rejects(checkDataset(memoryFileAccess({ '/u.jsonl': utf16 }), '/u.jsonl'), /UTF-16/);
  const latin1 = new Uint8Array([...new TextEncoder().encode('{"text":"ok"}\n{"text":"caf'), 0xe9, ...new TextEncoder().encode('"}\n{"text":"fine"}\n')]);
  const r = await checkDataset(memoryFileAccess({ '/m.jsonl': latin1 }), '/m.jsonl');
  assert.equal(r.rows, 3);
  assert.deepEqual(r.problems.map((p) => [p.line, p.code]), [[2, 'invalid-utf8']]);
  assert.match(r.problems[0].message, /byte 0xe9 at column 13/);
});

test('a 2 GB single-line file: skipped past the row cap in bounded memory, reported at line 1', async () => {
  const size = 2 * 1024 ** 3;
  const block = new Uint8Array(4 * 1024 * 1024).fill(0x61);
  block.set(new TextEncoder().encode('{"text":"'), 0);
  const tail = new TextEncoder().encode('"}\n{"text":"after"}\n');
  // A FileAccess that serves 2 GB without holding it: 'a's, a JSON start and a short second line at the end.
  const huge: FileAccess = {
    host: 'memory',
    async stat() { return { size: size + tail.length, mtimeMs: 0, isDirectory: false }; },
    async list() { return []; },
    async read(_p, start, end) {
      end = Math.min(end, size + tail.length);
      const out = new Uint8Array(end - start);
      for (let o = start; o < end;) {
        if (o >= size) { out.set(tail.subarray(o - size, end - size), o - start); break; }
        const n = Math.min(end, size) - o;
        if (o === 0) out.set(block.subarray(0, n), 0); else out.fill(0x61, o - start, o - start + n);
        o += n;
      }
      return out;
    },
  };
  const before = process.memoryUsage().rss;
  let peak = before;
  const r = await checkDataset(huge, '/huge.jsonl', { maxRowBytes: 32 * 1024 * 1024, onProgress: () => { peak = Math.max(peak, process.memoryUsage().rss); } });
  assert.equal(r.rows, 2);
  assert.deepEqual(r.problems.map((p) => [p.line, p.code]), [[1, 'row-too-long']]);
  assert.match(r.problems[0].message, /2\.15 GB long, over the 33\.6 MB/);
  assert.equal(r.format, 'text');
  assert.ok(peak - before < 300 * 1024 * 1024, `memory grew by ${(peak - before) / 1e6} MB`);
});

test('declared format wins; a mismatch is a finding; unknown fields are format-mismatch rows', async () => {
  const f = memoryFileAccess({ '/s.jsonl': sharegptJsonl() });
  const r = await checkDataset(f, '/s.jsonl', { spec: { declared: 'alpaca', declaredAs: 'type: alpaca' } });
  assert.equal(r.format, 'alpaca');
  assert.equal(r.problems[0].code, 'declared-format-mismatch');
  assert.match(r.problems[0].message, /type: alpaca .*ShareGPT/);
  assert.ok(r.problems.filter((p) => p.code === 'format-mismatch').length === 5);
});

test('near duplicates: MinHash LSH finds a one-word edit, not a different text; exact uses NFC', () => {
  const words = Array.from({ length: 80 }, (_, i) => `word${(i * 37) % 101}`);
  const d = new Deduplicator();
  assert.equal(d.add(0, words.join(' ')), undefined);
  const edited = [...words]; edited[40] = 'changed';
  const v = d.add(1, edited.join(' '));
  assert.equal(v?.kind, 'near');
  assert.equal(d.add(2, Array.from({ length: 80 }, (_, i) => `other${i}`).join(' ')), undefined);
  assert.deepEqual(d.add(3, 'Cafe\u0301  au lait'), undefined);
  assert.deepEqual(d.add(4, 'Caf\u00e9 au\tlait'), { kind: 'exact', of: 3 });
  // 5-gram Jaccard of a 25% rewrite is far below 0.8.
  const rewritten = words.map((w, i) => (i % 4 === 0 ? `new${i}` : w));
  assert.equal(d.add(5, rewritten.join(' ')), undefined);
});

test('token lengths with a real tokenizer: Axolotl drops rows over sequence_len, LLaMA-Factory truncates', async () => {
  const tok = await loadTokenizer(localFileAccess(), TOK);
  const rows = ['short', 'a bit longer text than that', Array.from({ length: 60 }, (_, i) => `w${i}`).join(' ')].map((text) => JSON.stringify({ text }));
  const f = memoryFileAccess({ '/t.jsonl': rows.join('\n') + '\n' });
  const counter = tokenCounter(tok, 'axolotl', 'tinyllama');
  const expected = ['short', 'a bit longer text than that', Array.from({ length: 60 }, (_, i) => `w${i}`).join(' ')].map((t) => tok.encode(t, { addSpecialTokens: true }).ids.length + (tok.eosToken ? 1 : 0));
  const ax = await checkDataset(f, '/t.jsonl', { tokens: counter, limit: { value: 20, key: 'sequence_len', policy: 'drop', why: 'x' }, batch: { micro: 1, gas: 1 } });
  assert.equal(ax.tokens!.max, expected[2]);
  assert.equal(ax.tokens!.total, expected.reduce((a, b) => a + b, 0));
  assert.equal(ax.tokens!.overLimit, 1);
  assert.deepEqual([ax.tokens!.dropped, ax.tokens!.truncated], [1, 0]);
  assert.equal(ax.tokens!.stepsPerEpoch, 2, 'the dropped row is not trained on');
  assert.equal(ax.tokens!.histogram.reduce((a, b) => a + b.count, 0), 3);
  const lf = await checkDataset(f, '/t.jsonl', { tokens: counter, limit: { value: 20, key: 'cutoff_len', policy: 'truncate', why: 'x' }, batch: { micro: 2, gas: 1 } });
  assert.deepEqual([lf.tokens!.dropped, lf.tokens!.truncated, lf.tokens!.stepsPerEpoch], [0, 1, 2]);
  assert.equal(stepsPerEpoch(1000, 4, 8), 32);
  assert.deepEqual(histogram([0, 5, 9, 10], 10, 5).map((b) => [b.from, b.count]), [[0, 1], [5, 2], [10, 1]]);
});

test('datasets from configs: Axolotl path+type, LLaMA-Factory dataset_info.json, TRL dataset_name, torchtune data_files', async () => {
  const f = memoryFileAccess({
    '/r/examples/ax.yml': 'base_model: ./model\ndatasets:\n  - path: ../data/a.jsonl\n    type: sharegpt\n  - path: tatsu-lab/alpaca\nsequence_len: 1024\nmicro_batch_size: 2\ngradient_accumulation_steps: 4\n',
    '/r/data/a.jsonl': sharegptJsonl(),
    '/r/examples/train/lf.yaml': 'model_name_or_path: meta-llama/Llama-3-8B\nstage: sft\ndo_train: true\nfinetuning_type: lora\ndataset: mine,missing\ntemplate: llama3\ncutoff_len: 512\nper_device_train_batch_size: 4\n',
    '/r/data/dataset_info.json': JSON.stringify({ mine: { file_name: 'mine.json', formatting: 'sharegpt', columns: { messages: 'conversations' } } }),
    '/r/data/mine.json': '[]',
    '/r/trl.yaml': 'model_name_or_path: Qwen/Qwen2-0.5B\ndataset_name: ./data\nmax_length: 256\nper_device_train_batch_size: 8\nlearning_rate: 2.0e-5\n',
    '/r/data/x.jsonl': '{"text":"a"}\n',
    '/r/tt.yaml': 'tokenizer:\n  _component_: torchtune.models.llama3.llama3_tokenizer\n  path: /m/tokenizer.model\n  max_seq_len: 2048\ndataset:\n  _component_: torchtune.datasets.chat_dataset\n  source: json\n  data_files: data/a.jsonl\n  conversation_style: sharegpt\nbatch_size: 2\nmodel:\n  _component_: torchtune.models.llama3.llama3_8b\n',
  });
  const ax = datasetsInConfig(await readText(f, '/r/examples/ax.yml'), '/r/examples/ax.yml')!;
  assert.equal(ax.framework, 'axolotl');
  assert.deepEqual(ax.datasets.map((d) => [d.key, d.name, d.declared, d.range.start.line]), [['datasets[0].path', '../data/a.jsonl', 'sharegpt', 2], ['datasets[1].path', 'tatsu-lab/alpaca', 'alpaca', 4]]);
  assert.deepEqual([ax.limit?.value, ax.limit?.policy, ax.batch?.perGpu], [1024, 'drop', 8]);
  assert.deepEqual((await resolveDataset(f, ax, ax.datasets[0])).specs.map((s) => s.path), ['/r/data/a.jsonl']);
  assert.match((await resolveDataset(f, ax, ax.datasets[1]) as { error: string }).error, /Hugging Face Hub dataset/);

  const lfText = readText(f, '/r/examples/train/lf.yaml');
  const lf = datasetsInConfig(await lfText, '/r/examples/train/lf.yaml')!;
  assert.equal(lf.framework, 'llamafactory');
  assert.deepEqual([lf.limit?.value, lf.limit?.policy, lf.batch?.micro], [512, 'truncate', 4]);
  const mine = await resolveDataset(f, lf, lf.datasets[0]);
  assert.deepEqual(mine.specs.map((s) => [s.path, s.declared, s.fields?.conversations]), [['/r/data/mine.json', 'sharegpt', 'conversations']]);
  assert.match((await resolveDataset(f, lf, lf.datasets[1]) as { error: string }).error, /"missing" is not in \/r\/data\/dataset_info.json/);

  const trl = datasetsInConfig('model_name_or_path: Qwen/Qwen2-0.5B\ndataset_name: ./data\nmax_length: 256\nper_device_train_batch_size: 8\nlearning_rate: 2.0e-5\n', '/r/trl.yaml')!;
  assert.equal(trl.framework, 'hf-trainer');
  assert.deepEqual((await resolveDataset(f, trl, trl.datasets[0])).specs.map((s) => s.path), ['/r/data/a.jsonl', '/r/data/mine.json', '/r/data/x.jsonl']);
  assert.equal(trl.limit?.value, 256);

  const tt = datasetsInConfig(await readText(f, '/r/tt.yaml'), '/r/tt.yaml')!;
  assert.equal(tt.framework, 'torchtune');
  assert.deepEqual(tt.datasets.map((d) => [d.key, d.name, d.declared]), [['dataset.data_files', 'data/a.jsonl', 'sharegpt']]);
  assert.deepEqual([tt.limit?.value, tt.batch?.micro, tt.tokenizer?.name], [2048, 2, '/m/tokenizer.model']);
});

test('llmtrain data --format json: exactly the issue\'s shape; exit 1 on errors; one-line error for a missing file', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'llmtrain-data-'));
  try {
    writeFileSync(join(dir, 'train.jsonl'), alpacaJsonl());
    mkdirSync(join(dir, 'cfg'));
    writeFileSync(join(dir, 'cfg', 'ax.yml'), 'base_model: NousResearch/Llama-2-7b-hf\ndatasets:\n  - path: ../train.jsonl\n    type: alpaca\nsequence_len: 64\nmicro_batch_size: 2\ngradient_accumulation_steps: 2\n');
    let out = '', err = '';
    const code = await runData([join(dir, 'train.jsonl'), '--config', join(dir, 'cfg', 'ax.yml'), '--tokenizer', TOK, '--format', 'json'], (s) => { out += s; }, (s) => { err += s; });
    assert.equal(code, 1, err);
    const j = JSON.parse(out);
    assert.deepEqual(Object.keys(j), ['rows', 'format', 'problems', 'duplicates', 'tokens']);
    assert.deepEqual(Object.keys(j.duplicates), ['exact', 'near', 'examples']);
    for (const k of ['max', 'p50', 'p95', 'total', 'overLimit', 'histogram']) assert.ok(k in j.tokens, k);
    assert.equal(j.rows, 11);
    assert.deepEqual(j.problems.filter((p: { line?: number }) => p.line).map((p: { line: number; code: string }) => [p.line, p.code]), [[4, 'invalid-json'], [6, 'empty-field'], [7, 'wrong-type'], [8, 'missing-field'], [9, 'not-an-object']]);
    assert.deepEqual(j.duplicates.examples[0], { kind: 'exact', line: 3, of: { line: 1 } });
    assert.equal(j.tokens.limit, 64);
    assert.equal(j.tokens.limitKey, 'sequence_len');
    assert.ok(j.tokens.overLimit >= 1, 'the two long rows with the alpaca preamble are over 64 tokens');
    assert.equal(j.tokens.dropped, j.tokens.overLimit);
    out = ''; err = '';
    assert.equal(await runData([join(dir, 'nope.jsonl')], (s) => { out += s; }, (s) => { err += s; }), 1);
    assert.equal(err, `llmtrain data: ${join(dir, 'nope.jsonl')}: no such file\n`);
    // A whole config: every local dataset it names.
    out = ''; err = '';
    const r2 = await checkWithPlan(localFileAccess(), join(dir, 'train.jsonl'), { configPath: join(dir, 'cfg', 'ax.yml') });
    assert.ok(r2.problems.some((p) => p.code === 'tokenizer-not-local'));
  } finally { rmSync(dir, { recursive: true, force: true }); }
});

/** FNV-1a 32-bit over UTF-16 code units with a seed: the plain definition the fingerprint's hashes must equal. */
const fnv = (s: string, seed: number): number => { let h = (0x811c9dc5 ^ seed) >>> 0; for (let i = 0; i < s.length; i++) { h ^= s.charCodeAt(i); h = Math.imul(h, 0x01000193); } return h >>> 0; };

/** Asserts that the one-pass fingerprint of `t` hashes exactly exactKey(t) (both lanes) and nearWords(t) (each word). */
function assertFingerprintIsDefinition(t: string): void {
  const f = fingerprint(t), k = exactKey(t), w = nearWords(t);
  assert.deepEqual([f.hi, f.lo], [fnv(k, 0), fnv(k, 0x5bd1e995)], JSON.stringify(t.slice(0, 80)));
  assert.deepEqual(Array.from(f.words.subarray(0, f.nWords)), w.map((y) => fnv(y, 0)), JSON.stringify(t.slice(0, 80)));
}

test('the one-pass fingerprint hashes exactly exactKey() and nearWords() (whitespace, NFC, punctuation, emoji, CJK)', () => {
  const long = Array.from({ length: 20000 }, (_, i) => `Word${i % 97}${i % 13 === 0 ? ',' : ''}`).join(' ');
  for (const t of ['  Hello,   World!\n\tÜber café—naïve 训练 😀 ', 'Cafe\u0301 au lait', 'a', '', '...!!!', "Don't stop-me now", 'x\u00a0y\u2003z', 'Ελληνικά 𝒜𝒷𝒸',
    // the ASCII byte path: texts past the 64 KiB scratch buffer and past the 1 MiB it keeps; the Kelvin sign is ASCII K after NFC; a high
    // surrogate at the very end; ideographic space and BOM as whitespace
    'tab\there  END ', long, 'Ab, '.repeat(300_000), `${long} é`, '\u212Aelvin K', 'end\ud83d', 'a\u3000b\ufeffc']) {
    assertFingerprintIsDefinition(t);
  }
  // Where the one pass differs from nearWords() (and always did): an ASCII control character (neither \s nor
  // punctuation) breaks a word, while it stays in the exact key.
  const c = fingerprint('ctl\u0001x\u007fY');
  assert.deepEqual(Array.from(c.words.subarray(0, c.nWords)), ['ctl', 'x', 'y'].map((x) => fnv(x, 0)));
  assert.deepEqual([c.hi, c.lo], [fnv('ctl\u0001x\u007fY', 0), fnv('ctl\u0001x\u007fY', 0x5bd1e995)]);
});

test('the short-ASCII fingerprint loop gives exactKey() and nearWords() hashes on random ASCII, around its 128 Ki-character limit too', () => {
  // Printable ASCII and the five ASCII whitespace controls, weighted to whitespace runs and word ends (a seeded xorshift).
  const alphabet = ' \t\n\r\u000b\u000c' + Array.from({ length: 95 }, (_, i) => String.fromCharCode(32 + i)).join('') + '     aaaAAA';
  let x = 12345;
  const rnd = (n: number): number => { x ^= x << 13; x >>>= 0; x ^= x >>> 17; x ^= x << 5; x >>>= 0; return x % n; };
  const texts: string[] = [];
  for (let k = 0; k < 400; k++) texts.push(Array.from({ length: rnd(80) }, () => alphabet[rnd(alphabet.length)]).join(''));
  const big = Array.from({ length: 1 << 17 }, () => alphabet[rnd(alphabet.length)]).join('');
  texts.push(big, big.slice(1), ` ${big}`, `${big}x`, 'a '.repeat(1 << 16), 'a'.repeat(1 << 17), '  ', '\n', 'a', '.');
  for (const t of texts) assertFingerprintIsDefinition(t);
});

test('Deduplicator.addAscii (rows as bytes, the worker path) gives the verdicts of add() on the same texts, short and past 128 Ki characters', () => {
  const alphabet = ' \t\n' + Array.from({ length: 95 }, (_, i) => String.fromCharCode(32 + i)).join('') + '   the cat sat on the mat ';
  let x = 777;
  const rnd = (n: number): number => { x ^= x << 13; x >>>= 0; x ^= x >>> 17; x ^= x << 5; x >>>= 0; return x % n; };
  const texts: string[] = [];
  for (let k = 0; k < 300; k++) {
    const r = rnd(10);
    if (k > 10 && r === 0) texts.push(`  ${texts[rnd(k)]}\t`); // an exact duplicate (whitespace only differs)
    else if (k > 10 && r === 1) { const w = texts[rnd(k)].split(' '); w[rnd(w.length)] = 'CHANGED'; texts.push(w.join(' ')); } // maybe near
    else texts.push(Array.from({ length: 30 + rnd(60) }, () => Array.from({ length: 1 + rnd(8) }, () => alphabet[rnd(alphabet.length)]).join('')).join(' '));
  }
  const big = Array.from({ length: (1 << 17) + 99 }, () => alphabet[rnd(alphabet.length)]).join('');
  texts.push(big, ` ${big} `, big.slice(0, 1 << 17));
  // All rows' bytes in one buffer at running offsets, as a worker batch carries them.
  const bytes = new TextEncoder().encode(texts.join(''));
  const a = new Deduplicator(), b = new Deduplicator();
  let start = 0;
  const verdicts: [unknown, unknown][] = texts.map((t, i) => { const end = start + t.length; const r: [unknown, unknown] = [a.add(i, t), b.addAscii(i, bytes, start, end)]; start = end; return r; });
  for (const [i, [va, vb]] of verdicts.entries()) assert.deepEqual(vb, va, `row ${i}`);
  assert.deepEqual([b.exactCount, b.nearCount, b.nearIndexed], [a.exactCount, a.nearCount, a.nearIndexed]);
  assert.ok(a.exactCount >= 20 && a.nearCount >= 5, `duplicates to compare: ${a.exactCount} exact, ${a.nearCount} near`);
});

test('a lone high surrogate before whitespace or punctuation: whitespace still collapses (exact duplicate found), words as nearWords()', async () => {
  for (const t of ['caf\u00e9 \ud800 x', 'caf\u00e9 \ud800   x', 'caf\u00e9\ud800\tx', 'caf\u00e9\ud800, x', '\ud800\ud800 \udc00 \ud83d\ude00 \udc00\ud800 \u00e9']) assertFingerprintIsDefinition(t);
  // Two rows identical but for the whitespace after a lone surrogate (JSON escapes can write one).
  const jsonl = '{"text":"caf\u00e9 \\ud800 au lait"}\n{"text":"caf\u00e9 \\ud800  \\t au lait"}\n';
  const r = await checkDataset(memoryFileAccess({ '/s.jsonl': jsonl }), '/s.jsonl');
  assert.equal(r.rows, 2);
  assert.equal(r.duplicates.exact, 1);
  assert.deepEqual(r.duplicates.examples.map((e) => [e.kind, e.ref.line, e.of.line]), [['exact', 2, 1]]);
});

test('the fingerprint\'s whitespace test for non-ASCII code units is /\\s/, over every UTF-16 code unit', () => {
  const differ: number[] = [];
  for (let c = 128; c < 0x10000; c++) if (isNonAsciiSpace(c) !== /\s/.test(String.fromCharCode(c))) differ.push(c);
  assert.deepEqual(differ, []);
});

test('Parquet through range reads, one row group at a time: rows 0-based, defects and duplicates by row', async () => {
  const { writeParquet } = await import('../fixtures/dataset/parquet.js');
  const rows = [
    { prompt: 'Capital of France?', chosen: 'Paris.', rejected: 'Lyon.' },
    { prompt: '2+2?', chosen: '4', rejected: '4' },
    { prompt: 'Colour of the sky?', chosen: '', rejected: 'Green.' },
    { prompt: 'Capital of France?', chosen: 'Paris.', rejected: 'Lyon.' },
    { prompt: 'Ünïcode ✓', chosen: 'ja', rejected: 'nein' },
  ];
  const bytes = writeParquet(['prompt', 'chosen', 'rejected'], rows, 2);
  const mem = memoryFileAccess({ '/p.parquet': bytes, '/fake.parquet': '{"text":"not parquet"}\n' });
  const reads: [number, number][] = [];
  const files: FileAccess = { ...mem, read: (p, s, e) => { reads.push([s, e]); return mem.read(p, s, e); } };
  const r = await checkDataset(files, '/p.parquet');
  assert.equal(r.kind, 'parquet');
  assert.equal(r.rows, 5);
  assert.equal(r.format, 'preference');
  assert.deepEqual(r.problems.map((p) => [p.row, p.code]), [[1, 'chosen-equals-rejected'], [2, 'empty-field']]);
  assert.deepEqual(r.duplicates.examples.map((e) => [e.kind, e.ref.row, e.of.row]), [['exact', 3, 0]]);
  assert.deepEqual(r.preview[4].value, rows[4]);
  assert.ok(reads.length >= 2 && reads.every(([s, e]) => e > s), 'read by ranges through the FileAccess (hyparquet fetches the footer, then row groups)');
  await assert.rejects(checkDataset(mem, '/fake.parquet'), /not a Parquet file/);
});

test('CRLF line ends and a UTF-8 BOM: rows and lines as in an LF file; KTO and completion rows detected', async () => {
  const kto = '\ufeff{"prompt":"Hi","completion":"Hello","label":true}\r\n{"prompt":"Bye","completion":"","label":false}\r\n{"prompt":"Q","completion":"A","label":true}\r\n';
  const r = await checkDataset(memoryFileAccess({ '/k.jsonl': new TextEncoder().encode(kto) }), '/k.jsonl');
  assert.deepEqual([r.rows, r.format], [3, 'kto']);
  // The BOM and the CRLF ends are file-level notes; the one defect keeps its line.
  assert.deepEqual(r.problems.map((p) => [p.line, p.code, p.severity === 'error' ? 'error' : 'note']), [[undefined, 'bom', 'note'], [undefined, 'crlf', 'note'], [2, 'empty-field', 'error']]);
  const comp = '{"prompt":"a b","completion":"c"}\r\n{"prompt":"d","completion":"e f"}\r\n';
  const c = await checkDataset(memoryFileAccess({ '/c.jsonl': new TextEncoder().encode(comp) }), '/c.jsonl');
  assert.deepEqual([c.rows, c.format, c.problems.map((p) => p.code)], [2, 'completion', ['crlf']]);
});

test('a check is cancelled by its AbortSignal mid-file: it rejects with the signal\'s reason, after progress reports', async () => {
  const line = JSON.stringify({ text: 'x'.repeat(200) }) + '\n';
  const big = new TextEncoder().encode(line.repeat(200_000)); // 41 MB: many chunks
  const ac = new AbortController();
  const seen: number[] = [];
  const run = checkDataset(memoryFileAccess({ '/big.jsonl': big }), '/big.jsonl', {
    signal: ac.signal,
    onProgress: (p) => { seen.push(p.bytes); if (p.bytes > 0 && p.bytes < big.length) ac.abort(new Error('cancelled by the test')); },
  });
  await assert.rejects(run, /cancelled by the test/);
  assert.ok(seen.length >= 1 && seen[seen.length - 1] < big.length, `progress ${seen.join(',')} of ${big.length}`);
});

/** A FileAccess serving `size` bytes without holding them: `head`, then `fill` bytes, then `tail` (issue 10's "2 GB single-line JSON"). */
function virtualFile(size: number, head: Uint8Array, fill: number, tail: Uint8Array): FileAccess {
  const total = size + tail.length;
  return {
    host: 'memory',
    async stat() { return { size: total, mtimeMs: 0, isDirectory: false }; },
    async list() { return []; },
    async read(_p, start, end) {
      end = Math.min(end, total);
      const out = new Uint8Array(Math.max(0, end - start)).fill(fill);
      if (start < head.length) out.set(head.subarray(start, Math.min(head.length, end)), 0);
      if (end > size) { const from = Math.max(start, size); out.set(tail.subarray(from - size, end - size), from - start); }
      return out;
    },
  };
}

test('bad input, the messages a user reads: binary, UTF-16, mixed encodings, CRLF, BOM, a 2 GB one-line .json', async () => {
  const enc = (s: string): Uint8Array => new TextEncoder().encode(s);
  // Binary: a NUL byte (with the Parquet hint when the magic bytes are there), or mostly control bytes without one.
  await assert.rejects(checkDataset(memoryFileAccess({ '/n.jsonl': new Uint8Array([0x7b, 0x22, 0, 0x22]) }), '/n.jsonl'), { name: 'DatasetFileError', message: '/n.jsonl: is binary, not UTF-8 text (NUL byte at offset 2)' });
  const ctrl = new Uint8Array(200).map((_, i) => (i % 3 === 0 ? 0x41 : 0x01 + (i % 7)));
  await assert.rejects(checkDataset(memoryFileAccess({ '/c.jsonl': ctrl }), '/c.jsonl'), { message: '/c.jsonl: is binary, not UTF-8 text (67% control bytes in the first 200 bytes)' });
  await assert.rejects(checkDataset(memoryFileAccess({ '/b.json': new Uint8Array([0x5b, 0x01, 0x00, 0x02]) }), '/b.json'), /b\.json: is binary, not UTF-8 text \(NUL byte at offset 2\)/);
  // UTF-16, either byte order: named, with the conversion command.
  for (const bom of [[0xff, 0xfe], [0xfe, 0xff]]) {
    await assert.rejects(checkDataset(memoryFileAccess({ '/u.jsonl': new Uint8Array([...bom, 0, 0x7b, 0, 0x7d]) }), '/u.jsonl'), { message: '/u.jsonl: is UTF-16 text (it starts with a UTF-16 byte-order mark); training loaders read UTF-8 only. Convert it: iconv -f UTF-16 -t UTF-8' });
  }
  // Mixed encodings: the Latin-1 line is named with its byte and column, the other lines are checked.
  const latin1 = new Uint8Array([...enc('{"text":"ok"}\r\n{"text":"na'), 0xef, 0x76, ...enc('e"}\r\n{"text":"fine"}\r\n')]);
  const m = await checkDataset(memoryFileAccess({ '/m.jsonl': latin1 }), '/m.jsonl');
  assert.deepEqual(m.problems.map((p) => [p.line, p.code, p.message]), [
    [undefined, 'crlf', '3 line(s) end with CRLF (\\r\\n); JSON Lines readers accept it, the \\r is dropped.'],
    [2, 'invalid-utf8', 'not valid UTF-8 (byte 0xef at column 12): the file mixes encodings; save it as UTF-8'],
  ]);
  const arr = new Uint8Array([...enc('[{"text":"ok"},\n {"text":"caf'), 0xe9, ...enc('"}]')]);
  const a = await checkDataset(memoryFileAccess({ '/m.json': arr }), '/m.json');
  assert.deepEqual(a.problems.map((p) => [p.row, p.code, p.message]), [[1, 'invalid-utf8', 'not valid UTF-8: the file mixes encodings; save it as UTF-8']]);
  // BOM: a note naming what Python needs; the rows are as without it.
  const bomJsonl = await checkDataset(memoryFileAccess({ '/bom.jsonl': enc('\ufeff{"text":"a"}\n') }), '/bom.jsonl');
  assert.deepEqual(bomJsonl.problems.map((p) => [p.severity, p.code, p.message]), [['info', 'bom', 'The file starts with a UTF-8 byte-order mark; Python\'s json reads it only with encoding="utf-8-sig" (Hugging Face datasets strips it).']]);
  assert.equal(bomJsonl.rows, 1);
  // A JSON array with a BOM: the same note, and rows, problems and duplicates as without the BOM (whole and in chunks).
  const arrText = '[\n {"text": "a b c"},\n {"text": ""},\n {"text": "a  b c"}\n]\n';
  const plainArr = await checkDataset(memoryFileAccess({ '/a.json': enc(arrText) }), '/a.json');
  for (const chunkSize of [undefined, 2, 5]) {
    const bomArr = await checkDataset(memoryFileAccess({ '/bom.json': enc(`\ufeff${arrText}`) }), '/bom.json', { chunkSize });
    assert.deepEqual(bomArr.problems.map((p) => [p.row, p.severity, p.code, p.message]), [
      [undefined, 'info', 'bom', 'The file starts with a UTF-8 byte-order mark; Python\'s json reads it only with encoding="utf-8-sig" (Hugging Face datasets strips it).'],
      [1, 'error', 'empty-field', '"text" is empty'],
    ], `chunkSize ${chunkSize}`);
    assert.deepEqual([bomArr.rows, bomArr.format, bomArr.duplicates, bomArr.preview], [plainArr.rows, plainArr.format, plainArr.duplicates, plainArr.preview]);
    assert.deepEqual(plainArr.problems, bomArr.problems.slice(1));
  }
  assert.deepEqual([plainArr.rows, plainArr.duplicates.exact, plainArr.duplicates.examples.map((e) => [e.ref.row, e.of.row])], [3, 1, [[2, 0]]]);
  const bomCsv = await checkDataset(memoryFileAccess({ '/bom.csv': enc('\ufefftext\r\nhello\r\n') }), '/bom.csv');
  assert.deepEqual([bomCsv.rows, bomCsv.format, bomCsv.problems.map((p) => p.message)], [1, 'text', ['The file starts with a UTF-8 byte-order mark (pandas reads it with encoding="utf-8-sig").']]);
  // A 2 GB .json file that is one JSON object on one line (read as JSON Lines, as `datasets` does): skipped past the
  // row cap after a scan, the message says how long it is, and no "unknown format" on top of it.
  const size = 2 * 1024 ** 3;
  const huge = virtualFile(size, enc('{"text":"'), 0x61, enc('"}'));
  const before = process.memoryUsage().rss;
  let peak = before;
  const h = await checkDataset(huge, '/huge.json', { maxRowBytes: 32 * 1024 * 1024, onProgress: () => { peak = Math.max(peak, process.memoryUsage().rss); } });
  assert.deepEqual(h.problems.map((p) => [p.line, p.code, p.message]), [[1, 'row-too-long', 'line is 2.15 GB long, over the 33.6 MB a row may have: skipped']]);
  assert.equal(h.rows, 1);
  assert.ok(peak - before < 300 * 1024 * 1024, `memory grew by ${(peak - before) / 1e6} MB`);
  // One element of a JSON array over the cap: skipped with its size, the next element is read.
  const bigElem = virtualFile(64 * 1024 * 1024, enc('[{"text":"'), 0x62, enc('"}, {"text":"after"}]'));
  const e = await checkDataset(bigElem, '/big.json', { maxRowBytes: 1024 * 1024 });
  assert.deepEqual([e.rows, e.format, e.problems.map((p) => [p.row, p.code, p.message])], [2, 'text', [[0, 'row-too-long', 'element is 67.1 MB long, over the 1.05 MB a row may have: skipped']]]);
});

test('CSV with a Latin-1 line: the line and byte are named (the decoder alone would turn it into U+FFFD silently)', async () => {
  const enc = (s: string): Uint8Array => new TextEncoder().encode(s);
  const csv = new Uint8Array([...enc('text\nok \u2713\n"two\nlines"\ncaf'), 0xe9, ...enc('\nfine\n')]);
  const message = 'line 5 is not valid UTF-8 (byte 0xe9): the file mixes encodings; save it as UTF-8 (its characters read as U+FFFD)';
  const f = memoryFileAccess({ '/l.csv': csv, '/ok.csv': enc('text\n\u2713\ufffd\u00e9\u{1f600}\n') });
  const r = await checkDataset(f, '/l.csv');
  assert.equal(r.rows, 4);
  assert.deepEqual(r.problems.map((p) => [p.line, p.code, p.message]), [[5, 'invalid-utf8', message]]);
  for (const chunkSize of [1, 2, 3, 5, 7, 1 << 20]) {
    // every chunk boundary, also inside the multi-byte characters and right after the bad byte
    const seen: DatasetProblem[] = [], okSeen: DatasetProblem[] = [];
    for await (const _ of readRows(f, '/l.csv', 'csv', { chunkSize, onProblem: (p) => seen.push(p) })) { /* rows */ }
    for await (const _ of readRows(f, '/ok.csv', 'csv', { chunkSize, onProblem: (p) => okSeen.push(p) })) { /* rows */ }
    assert.deepEqual(seen.map((p) => [p.line, p.message]), [[5, message]], `chunk ${chunkSize}`);
    assert.deepEqual(okSeen, [], `a real U+FFFD and 4-byte characters are valid UTF-8 (chunk ${chunkSize})`);
  }
});

test('a FIFO is refused with a clear error (its size, 0, said "empty dataset"); a folder too', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'llmts-fifo-'));
  try {
    const fifo = join(dir, 'stream.jsonl');
    execFileSync('mkfifo', [fifo]);
    const files = localFileAccess();
    await assert.rejects(checkDataset(files, fifo), (e: Error) => e.message === `${fifo}: is not a regular file (a pipe, socket or device): the checks read a file by ranges; save the stream to a file first`);
    mkdirSync(join(dir, 'data.jsonl'));
    await assert.rejects(checkDataset(files, join(dir, 'data.jsonl')), /is a folder; name a \.jsonl, \.json, \.parquet or \.csv file in it/);
  } finally { rmSync(dir, { recursive: true, force: true }); }
});

test('UTF-16 without a byte-order mark is named as such (it was "binary, NUL byte at offset 1"), LE and BE', async () => {
  const text = '{"text":"hello world"}\n{"text":"second row"}\n';
  const le = Buffer.from(text, 'utf16le'), be = Buffer.from(le).swap16();
  await assert.rejects(checkDataset(memoryFileAccess({ '/le.jsonl': le }), '/le.jsonl'), (e: Error) => e.message === '/le.jsonl: looks like UTF-16LE text without a byte-order mark (a NUL byte beside every character); training loaders read UTF-8 only. Convert it: iconv -f UTF-16LE -t UTF-8');
  await assert.rejects(checkDataset(memoryFileAccess({ '/be.jsonl': be }), '/be.jsonl'), /looks like UTF-16BE text without a byte-order mark.*iconv -f UTF-16BE -t UTF-8/);
  // Binary with NUL bytes in no such pattern stays "binary".
  await assert.rejects(checkDataset(memoryFileAccess({ '/b.jsonl': new Uint8Array([0x7b, 0, 0, 0, 0x41, 0x42, 0, 0x43, 0x44, 0x45, 0x46, 0]) }), '/b.jsonl'), /is binary, not UTF-8 text \(NUL byte at offset 1\)/);
});

test('llmtrain data text summary: past the 1000 listed problems it says how many there are in all, by code', async () => {
  const rows = Array.from({ length: 1500 }, (_, i) => JSON.stringify({ instruction: `q${i}`, output: '' })).join('\n') + '\n';
  const r = await checkDataset(memoryFileAccess({ '/e.jsonl': rows }), '/e.jsonl');
  const last = reportText('e.jsonl', r).trimEnd().split('\n').pop();
  assert.equal(last, '1000 error(s), 0 warning(s) listed; 1,500 problems in all (empty-field: 1,500)');
  const few = await checkDataset(memoryFileAccess({ '/f.jsonl': rows.split('\n').slice(0, 3).join('\n') + '\n' }), '/f.jsonl');
  assert.equal(reportText('f.jsonl', few).trimEnd().split('\n').pop(), '3 error(s), 0 warning(s)');
});
