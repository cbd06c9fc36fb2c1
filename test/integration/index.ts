// Mocha entry point for the integration suites, runner-agnostic: the extension host loads this module and calls
// run() under both harnesses:
//   - code-server (scripts/test-vscode.mjs, via the smoke-test driver's `extensionTestsPath` payload)
//   - @vscode/test-electron (scripts/test-electron.mjs, `extensionTestsPath`)
// scripts/lib/bundleTests.mjs bundles this file and every test/integration/**/*.test.ts to out/integration/ first.
//
// Environment (all optional; the harnesses pass them to the extension host):
//   LLMTS_MOCHA_FILES    path.delimiter-separated bundled test files to run (default: every *.test.js next to this file)
//   LLMTS_MOCHA_GREP     only tests whose full title matches this regular expression
//   LLMTS_MOCHA_TIMEOUT  per-test timeout in ms (default 60000)
//   LLMTS_MOCHA_RESULT   file to write a MochaResult JSON to when the run ends
//   LLMTS_MOCHA_LOG_PREFIX  put before every report line (code-server forwards extension-host console output
//                        mixed with the workbench's own log; the harness keeps only lines with this prefix)
import * as fs from 'node:fs';
import * as path from 'node:path';
import { format } from 'node:util';
import Mocha from 'mocha';

/** What one integration run did, as written to LLMTS_MOCHA_RESULT. Durations in milliseconds. */
export interface MochaResult {
  passes: number;
  failures: number;
  pending: number;
  /** Full titles of the skipped (pending) tests: the harness lists them, and CI fails on them (scripts/test-all.mjs). */
  pendingTitles: string[];
  durationMs: number;
  failed: { title: string; error: string }[];
}

function findTests(dir: string): string[] {
  const out: string[] = [];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    if (entry.isDirectory()) out.push(...findTests(p));
    else if (entry.name.endsWith('.test.js')) out.push(p);
  }
  return out.sort();
}

/** Runs the suites; resolves when every test passed, rejects (so the harness exits 1) otherwise. */
export function run(): Promise<void> {
  process.setSourceMapsEnabled(true); // stack traces point into test/integration/*.ts (bundles carry inline maps)
  const prefix = process.env.LLMTS_MOCHA_LOG_PREFIX ?? '';
  // Format here (the forwarded console output arrives unformatted) and prefix each line.
  Mocha.reporters.Base.consoleLog = (...args: unknown[]) => {
    for (const line of format(...args).split('\n')) console.log(prefix + line);
  };
  const mocha = new Mocha({
    ui: 'tdd',
    color: false,
    reporter: 'spec',
    timeout: Number(process.env.LLMTS_MOCHA_TIMEOUT || 60_000),
  });
  if (process.env.LLMTS_MOCHA_GREP) mocha.grep(new RegExp(process.env.LLMTS_MOCHA_GREP));
  const files = process.env.LLMTS_MOCHA_FILES
    ? process.env.LLMTS_MOCHA_FILES.split(path.delimiter).filter(Boolean)
    : findTests(__dirname);
  for (const f of files) mocha.addFile(f);

  const result: MochaResult = { passes: 0, failures: 0, pending: 0, pendingTitles: [], durationMs: 0, failed: [] };
  const started = Date.now();
  return new Promise((resolve, reject) => {
    let runner: Mocha.Runner;
    try {
      runner = mocha.run((failures) => {
        result.durationMs = Date.now() - started;
        result.failures = Math.max(result.failures, failures);
        // One machine-readable line; the harnesses also read LLMTS_MOCHA_RESULT when set.
        console.log(`${prefix}mocha-result ${JSON.stringify({ passes: result.passes, failures: result.failures, pending: result.pending })}`);
        if (process.env.LLMTS_MOCHA_RESULT) fs.writeFileSync(process.env.LLMTS_MOCHA_RESULT, JSON.stringify(result, null, 2));
        if (result.failures > 0) reject(new Error(`${result.failures} integration test(s) failed`));
        else resolve();
      });
    } catch (err) {
      // A test file that throws while loading: count it as one failure so it cannot pass silently.
      result.failures = 1;
      result.failed.push({ title: 'loading test files', error: err instanceof Error ? err.stack ?? err.message : String(err) });
      if (process.env.LLMTS_MOCHA_RESULT) fs.writeFileSync(process.env.LLMTS_MOCHA_RESULT, JSON.stringify(result, null, 2));
      console.error(err);
      reject(err);
      return;
    }
    runner.on('pass', () => { result.passes++; });
    runner.on('pending', (test) => { result.pending++; result.pendingTitles.push(test.fullTitle()); });
    runner.on('fail', (test, err: unknown) => {
      result.failures++;
      result.failed.push({ title: test.fullTitle(), error: err instanceof Error ? err.stack ?? err.message : String(err) });
    });
  });
}
