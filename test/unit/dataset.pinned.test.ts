/**
 * Pins the dataset checks' results, so that a speed-up changes nothing: every report field that depends on the
 * content (rows, format, problems with lines and messages, problem counts, duplicate counts and examples with their
 * similarities, token statistics, preview) over the defect datasets, the workspace fixture and a generated corpus
 * with planted exact and near duplicates and mixed scripts (test/fixtures/dataset/corpus.ts), and below them the
 * deduplicator's verdict for every corpus row and digests of every MinHash signature and exact fingerprint.
 * The expectation (test/fixtures/dataset/pinned-reports.json) was written by the code before the speed-up; rewrite
 * it only for an intended change of results: LLMTRAIN_UPDATE_PINNED=1 node scripts/run-node-tests.mjs <this file>.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { memoryFileAccess } from '../../src/core/files';
import { checkDataset, tokenCounter, formatDef, Deduplicator, nearWords, minhash } from '../../src/core/dataset';
import type { CheckOptions, DatasetReport } from '../../src/core/dataset';
import { fingerprint } from '../../src/core/dataset/dedup';
import { loadTokenizer } from '../../src/core/tokenizer';
import { localFileAccess } from '../../src/remote/files';
import { alpacaJsonl, sharegptJsonl, preferenceJson } from '../fixtures/dataset/defects';
import { pinnedCorpus } from '../fixtures/dataset/corpus';

const FIXTURES = join(__dirname, '..', 'fixtures');
const EXPECTED = join(FIXTURES, 'dataset', 'pinned-reports.json');
const TOK = join(FIXTURES, 'tokenizer', 'tinyllama__bpe-bytefallback.tokenizer.json');
const update = process.env.LLMTRAIN_UPDATE_PINNED === '1';

/** FNV-1a 32-bit over a sequence of uint32 values (a digest small enough to commit, that any changed value changes). */
function digest(values: Iterable<number>, h = 0x811c9dc5): number {
  for (const v of values) for (let s = 0; s < 32; s += 8) { h ^= (v >>> s) & 0xff; h = Math.imul(h, 0x01000193); }
  return h >>> 0;
}

/** The report without what depends on the machine or the clock. */
function pinned(r: DatasetReport): unknown {
  const { elapsedMs: _e, host: _h, ...rest } = r;
  return JSON.parse(JSON.stringify(rest));
}

test('dataset checks give the pinned results: problems, duplicates, token statistics, per-row dedup verdicts', async () => {
  const tok = await loadTokenizer(localFileAccess(), TOK);
  const counter = (): CheckOptions['tokens'] => tokenCounter(tok, 'axolotl', 'tinyllama');
  const corpus = pinnedCorpus();
  const corpusJsonl = corpus.rows.map((x) => JSON.stringify(x)).join('\n') + '\n';
  const small = { rows: corpus.rows.slice(0, 400) };
  const files = memoryFileAccess({
    '/alpaca.jsonl': alpacaJsonl(),
    '/alpaca-crlf-bom.jsonl': alpacaJsonl({ crlf: true, bom: true }),
    '/sharegpt.jsonl': sharegptJsonl(),
    '/preference.json': preferenceJson(),
    '/sft-defects.jsonl': readFileSync(join(FIXTURES, 'workspace', 'datasets', 'sft-defects.jsonl')),
    '/corpus.jsonl': corpusJsonl,
    '/corpus.json': JSON.stringify(corpus.rows, null, 1),
    '/corpus-small.jsonl': small.rows.map((x) => JSON.stringify(x)).join('\n') + '\n',
  });
  const runs: [string, string, CheckOptions][] = [
    ['alpaca', '/alpaca.jsonl', {}],
    ['alpaca-crlf-bom', '/alpaca-crlf-bom.jsonl', {}],
    ['sharegpt', '/sharegpt.jsonl', {}],
    ['sharegpt-declared-alpaca', '/sharegpt.jsonl', { spec: { declared: 'alpaca', declaredAs: 'type: alpaca' } }],
    ['preference', '/preference.json', {}],
    ['sft-defects-tokens', '/sft-defects.jsonl', { tokens: counter(), limit: { value: 128, key: 'sequence_len', policy: 'drop', why: 'Axolotl drops longer rows' }, batch: { micro: 2, gas: 4 } }],
    ['corpus', '/corpus.jsonl', { previewRows: 3, maxExamples: 200 }],
    ['corpus-json-array', '/corpus.json', { previewRows: 0, maxExamples: 50 }],
    ['corpus-small-chunks', '/corpus-small.jsonl', { previewRows: 0, maxExamples: 50, chunkSize: 4093 }],
    ['corpus-small-tokens', '/corpus-small.jsonl', { previewRows: 0, maxExamples: 5, tokens: counter(), limit: { value: 256, key: 'cutoff_len', policy: 'truncate', why: 'LLaMA-Factory truncates' } }],
  ];
  const reports: Record<string, unknown> = {};
  for (const [name, path, opts] of runs) reports[name] = pinned(await checkDataset(files, path, opts));

  // Below the report: every corpus row through the deduplicator, and the signatures and fingerprints themselves.
  const d = new Deduplicator();
  const verdicts: unknown[] = [];
  const sigDigests: number[] = [], fpDigests: number[] = [];
  const messages = formatDef('messages');
  corpus.rows.forEach((row, i) => {
    const text = messages.text(row as Record<string, unknown>, {});
    const v = d.add(i, text);
    if (v) verdicts.push([i, v.kind, v.of, v.kind === 'near' ? v.similarity : 1]);
    const sig = minhash(nearWords(text));
    sigDigests.push(sig ? digest(sig) : 0);
    const f = fingerprint(text);
    fpDigests.push(digest([f.hi, f.lo, f.nWords, ...f.words.subarray(0, f.nWords)]));
  });
  const actual = {
    reports,
    dedup: { exact: d.exactCount, near: d.nearCount, verdicts, minhashDigest: digest(sigDigests), fingerprintDigest: digest(fpDigests) },
  };
  if (update) writeFileSync(EXPECTED, JSON.stringify(actual, null, 1) + '\n');
  const expected = JSON.parse(readFileSync(EXPECTED, 'utf8'));
  for (const name of Object.keys(expected.reports)) assert.deepEqual(actual.reports[name], expected.reports[name], `report ${name}`);
  assert.deepEqual(Object.keys(actual.reports), Object.keys(expected.reports));
  assert.deepEqual(actual.dedup, expected.dedup);
  // The corpus plants duplicates; the pinned counts must see most of them (a sanity floor, not the pin).
  const rep = actual.reports.corpus as DatasetReport;
  assert.ok(rep.duplicates.exact >= Object.keys(corpus.exact).length * 0.9, `exact ${rep.duplicates.exact}`);
  assert.ok(rep.duplicates.near >= Object.keys(corpus.near).length * 0.5, `near ${rep.duplicates.near}`);
});
