// The totals `npm test` prints come from the suites' own output (scripts/lib/testCounts.mjs): skips must be counted
// and listed with their reason, so a missing part (torch, sshd) cannot hide behind a green total.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

const ROOT = resolve(__dirname, '..', '..');

interface Counts { passed: number; failed: number; skipped: number; skips: { title: string; reason: string }[]; secs?: number }
interface CountsModule { parseNodeTest(out: string): Counts | undefined; parseSummary(out: string, label: string): Counts | undefined; isOptionalSkip(reason: string): boolean; failureExcerpt(out: string): string }
// scripts/ are plain ESM for node; loaded by URL so this CommonJS test needs no type declarations for them.
const counts = (): Promise<CountsModule> => import(pathToFileURL(join(ROOT, 'scripts/lib/testCounts.mjs')).href) as Promise<CountsModule>;

test('node:test spec output: passed, failed (+cancelled), skipped (+todo), and each skip with its reason', async () => {
  const { parseNodeTest, isOptionalSkip, failureExcerpt } = await counts();
  // Real output of the runner npm test uses, over a file with every kind of result.
  const dir = mkdtempSync(join(tmpdir(), 'llmts-counts-'));
  try {
    writeFileSync(join(dir, 'kinds.test.ts'), [
      "import { test } from 'node:test';",
      "test('runs', () => {});",
      "test('fails', () => { throw new Error('x'); });",
      "test('gpu', { skip: '(optional) nvidia-smi is not installed here' }, () => {});",
      "test('torch', { skip: 'torch is not importable' }, () => {});",
      "test('later', { todo: 'not written yet' }, () => {});",
    ].join('\n'));
    const env: NodeJS.ProcessEnv = { ...process.env, FORCE_COLOR: '0', NO_COLOR: '1' };
    delete env.NODE_TEST_CONTEXT; // else the child reports to this runner instead of printing
    const r = spawnSync(process.execPath, [join(ROOT, 'scripts/run-node-tests.mjs'), dir, '--test-reporter=spec'], { encoding: 'utf8', env });
    const c = parseNodeTest(r.stdout + r.stderr);
    assert.ok(c, r.stdout);
    assert.deepEqual([c.passed, c.failed, c.skipped], [1, 1, 3]);
    assert.deepEqual(c.skips, [{ title: 'gpu', reason: '(optional) nvidia-smi is not installed here' }, { title: 'torch', reason: 'torch is not importable' }]);
    assert.deepEqual(c.skips.map((k) => isOptionalSkip(k.reason)), [true, false]);
    // The summary repeats why a test failed (a CI log shows its end), not only which.
    const why = failureExcerpt(r.stdout + r.stderr);
    assert.match(why, /^✖ fails/m);
    assert.match(why, /Error: x/);
    assert.doesNotMatch(why, /runs/);
  } finally { rmSync(dir, { recursive: true, force: true }); }
});

test('test-vscode summary lines: skipped counted, old lines without it read as 0, listed skips kept', async () => {
  const { parseSummary } = await counts();
  const out = 'vscode: 9 passed, 0 failed, 2 skipped (81.5 s)\nvscode skipped: Runs on the local host the GPU line # no run yet\nui: 3 passed, 1 failed (40.0 s)\n';
  assert.deepEqual(parseSummary(out, 'vscode'), { passed: 9, failed: 0, skipped: 2, skips: [{ title: 'Runs on the local host the GPU line', reason: 'no run yet' }], secs: 81.5 });
  assert.deepEqual(parseSummary(out, 'ui'), { passed: 3, failed: 1, skipped: 0, skips: [], secs: 40 });
  assert.equal(parseSummary('nothing here', 'vscode'), undefined);
});

test('mocha failures (code-server suites) are excerpted for the summary; a green output gives nothing', async () => {
  const { failureExcerpt } = await counts();
  const out = '  1 passing (2s)\n  1 failing\n\n  1) checkpoint browser\n       shown by the poll:\n     AssertionError: expected 1 to equal 2\n\nmocha-result {"passes":1,"failures":1}\nvscode: 1 passed, 1 failed (3.0 s)\n';
  const why = failureExcerpt(out);
  assert.match(why, /1\) checkpoint browser/);
  assert.match(why, /AssertionError: expected 1 to equal 2/);
  assert.doesNotMatch(why, /mocha-result/);
  assert.equal(failureExcerpt('  3 passing (2s)\nvscode: 3 passed, 0 failed (3.0 s)\n'), '');
});
