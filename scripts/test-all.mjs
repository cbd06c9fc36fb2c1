// `npm test`: runs every test suite in sequence and ends with exactly one line `N passed, N failed, N skipped` (the
// sum over all suites). Exit 1 when any test failed or any suite crashed (a crash, i.e. a suite that exits non-zero
// without reporting a failure or that prints no counts, counts as one failed test).
//
// Skips are counted, never silent. Under CI (CI=true, as .ci/run sets it) or with --strict, a skipped test fails the
// run: this machine has everything the suites need (torch, sshd, Slurm, code-server), so a skip there means a part
// went missing. The only skips allowed are those whose reason starts with `(optional)`: a part that cannot exist
// here (e.g. `nvidia-smi`, i.e. a GPU), said so in the reason. Each skipped test is listed with its reason.
//
//   unit    node:test over test/unit        (scripts/run-node-tests.mjs)
//   remote  node:test over test/remote      (real sshd, Slurm, Python; skipped when it has no test files)
//   vscode  Mocha over test/integration inside code-server's extension host  (scripts/test-vscode.mjs)
//   ui      Playwright over test/ui/*.ui.ts against the same code-server     (scripts/test-vscode.mjs, UI phase)
//   untrusted  Mocha over test/integration/*.untrusted.test.ts, Workspace Trust on (scripts/test-vscode.mjs)
//   vsix    npm run package + code-server --install-extension + the smoke suite against the installed copy
//
// usage: node scripts/test-all.mjs [--only unit,remote,vscode,vsix] [--strict]
// Needs `bash scripts/setup.sh` once (code-server, Chromium, sshd, Slurm ...).
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { parseNodeTest, parseSummary, isOptionalSkip, failureExcerpt } from './lib/testCounts.mjs';

const ROOT = resolve(import.meta.dirname, '..');
process.chdir(ROOT);
const { values: opt } = parseArgs({ options: { only: { type: 'string' }, strict: { type: 'boolean', default: false } } });
const strict = opt.strict || process.env.CI === 'true';
const only = opt.only?.split(',');

function hasTests(dir, suffix) {
  if (!existsSync(dir)) return false;
  return readdirSync(dir).some((n) => {
    const p = join(dir, n);
    return statSync(p).isDirectory() ? hasTests(p, suffix) : n.endsWith(suffix);
  });
}


/** Runs a command, streaming its output through, and resolves { code, out, secs }. */
function runStreaming(cmd, args, env = {}) {
  const t0 = Date.now();
  return new Promise((resolvePromise) => {
    const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env } });
    let out = '';
    const onData = (stream) => (buf) => { out += buf.toString(); stream.write(buf); };
    child.stdout.on('data', onData(process.stdout));
    child.stderr.on('data', onData(process.stderr));
    const forward = (sig) => child.kill(sig);
    process.on('SIGINT', forward); process.on('SIGTERM', forward);
    child.on('close', (code, signal) => {
      process.off('SIGINT', forward); process.off('SIGTERM', forward);
      resolvePromise({ code: code ?? (signal ? 128 : 1), out, secs: (Date.now() - t0) / 1000 });
    });
  });
}

const node = process.execPath;
const suites = [
  { name: 'unit', dir: 'test/unit', suffix: '.test.ts', cmd: [node, 'scripts/run-node-tests.mjs', 'test/unit', '--test-reporter=spec'], parse: (o) => ({ unit: parseNodeTest(o) }) },
  { name: 'remote', dir: 'test/remote', suffix: '.test.ts', cmd: [node, 'scripts/run-node-tests.mjs', 'test/remote', '--test-reporter=spec'], parse: (o) => ({ remote: parseNodeTest(o) }) },
  { name: 'vscode', dir: 'test/integration', suffix: '.test.ts', cmd: [node, 'scripts/test-vscode.mjs'], parse: (o) => ({ vscode: parseSummary(o, 'vscode'), ...(hasTests('test/ui', '.ui.ts') ? { ui: parseSummary(o, 'ui') } : {}), ...(hasTests('test/integration', '.untrusted.test.ts') ? { untrusted: parseSummary(o, 'untrusted') } : {}) }) },
  { name: 'vsix', dir: 'test/integration', suffix: 'smoke.test.ts', cmd: [node, 'scripts/test-vsix.mjs'], parse: (o) => ({ vsix: parseSummary(o, 'vsix') }) },
];

const failures = [];
const rows = [];
for (const s of suites) {
  if (only && !only.includes(s.name)) continue;
  if (!hasTests(s.dir, s.suffix)) { rows.push({ name: s.name, passed: 0, failed: 0, skipped: 0, skips: [], secs: 0, note: 'no test files' }); continue; }
  process.stdout.write(`\n=== ${s.name}: ${s.cmd.slice(1).join(' ')}\n`);
  const r = await runStreaming(s.cmd[0], s.cmd.slice(1), { FORCE_COLOR: process.stdout.isTTY ? '1' : '0' });
  const parsed = s.parse(r.out);
  const why = failureExcerpt(r.out);
  if (why) failures.push({ suite: s.name, text: why });
  const phases = Object.entries(parsed);
  for (const [name, counts] of phases) {
    // Suites that share one process (vscode + ui) report their own phase time; the process total is noted.
    const secs = phases.length > 1 ? counts?.secs : r.secs;
    const row = { name, passed: counts?.passed ?? 0, failed: counts?.failed ?? 0, skipped: counts?.skipped ?? 0, skips: counts?.skips ?? [], secs, note: phases.length > 1 && name === phases[0][0] ? `(${s.name} process in all: ${r.secs.toFixed(1)} s, incl. build and start-up)` : undefined };
    if (!counts) { row.failed += 1; row.note = `crashed: no '${name}' counts in the output (exit ${r.code})`; }
    rows.push(row);
  }
  // A non-zero exit with every parsed count green is a crash of the suite itself (e.g. a file that failed to load).
  const failedSum = Object.values(parsed).reduce((a, c) => a + (c?.failed ?? 1), 0);
  if (r.code !== 0 && failedSum === 0) {
    const row = rows.findLast((x) => x.name === Object.keys(parsed).at(-1));
    row.failed += 1; row.note = `crashed: exit ${r.code} although no test failed`;
  }
}

// Under --strict/CI a skip that is not `(optional)` is a failure of its suite (the part it needs is missing here).
if (strict) {
  for (const r of rows) {
    const listed = r.skips.filter((k) => !isOptionalSkip(k.reason));
    const unlisted = Math.max(0, r.skipped - r.skips.length); // skipped without a listed reason: never optional
    if (listed.length + unlisted > 0) {
      r.failed += listed.length + unlisted;
      r.note = `${r.note ? `${r.note}; ` : ''}${listed.length + unlisted} skipped test(s) fail under CI/--strict`;
    }
  }
}

process.stdout.write('\n=== summary\n');
for (const r of rows) {
  const wall = r.secs === undefined ? '         ?  ' : `${r.secs.toFixed(1).padStart(8)} s`;
  process.stdout.write(`${r.name.padEnd(8)} ${String(r.passed).padStart(5)} passed ${String(r.failed).padStart(4)} failed ${String(r.skipped).padStart(4)} skipped ${wall}${r.note ? `  ${r.note}` : ''}\n`);
  for (const k of r.skips) process.stdout.write(`         skipped: ${k.title}${k.reason ? ` (${k.reason})` : ''}\n`);
}
for (const f of failures) process.stdout.write(`\n--- why ${f.suite} failed\n${f.text}\n`);
const passed = rows.reduce((a, r) => a + r.passed, 0);
const failed = rows.reduce((a, r) => a + r.failed, 0);
const skipped = rows.reduce((a, r) => a + r.skipped, 0);
process.stdout.write(`${passed} passed, ${failed} failed, ${skipped} skipped\n`);
process.exit(failed > 0 ? 1 : 0);
