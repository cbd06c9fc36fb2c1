// `npm test`: runs every test suite in sequence and ends with exactly one line `N passed, N failed` (the sum over
// all suites). Exit 1 when any test failed or any suite crashed (a crash, i.e. a suite that exits non-zero without
// reporting a failure or that prints no counts, counts as one failed test).
//
//   unit    node:test over test/unit        (scripts/run-node-tests.mjs)
//   remote  node:test over test/remote      (real sshd, Slurm, Python; skipped when it has no test files)
//   vscode  Mocha over test/integration inside code-server's extension host  (scripts/test-vscode.mjs)
//   ui      Playwright over test/ui/*.ui.ts against the same code-server     (scripts/test-vscode.mjs, UI phase)
//   vsix    npm run package + code-server --install-extension + the smoke suite against the installed copy
//
// usage: node scripts/test-all.mjs [--only unit,remote,vscode,vsix]
// Needs `bash scripts/setup.sh` once (code-server, Chromium, sshd, Slurm ...).
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';

const ROOT = resolve(import.meta.dirname, '..');
process.chdir(ROOT);
const { values: opt } = parseArgs({ options: { only: { type: 'string' } } });
const only = opt.only?.split(',');

function hasTests(dir, suffix) {
  if (!existsSync(dir)) return false;
  return readdirSync(dir).some((n) => {
    const p = join(dir, n);
    return statSync(p).isDirectory() ? hasTests(p, suffix) : n.endsWith(suffix);
  });
}

/** Counts from node:test output, spec (`ℹ pass 3`) or TAP (`# pass 3`); undefined when there is no summary. */
export function parseNodeTest(out) {
  const grab = (k) => {
    const all = [...out.matchAll(new RegExp(`^(?:ℹ|#) ${k} (\\d+)\\s*$`, 'gm'))];
    return all.length ? Number(all.at(-1)[1]) : undefined;
  };
  const pass = grab('pass'); const fail = grab('fail');
  if (pass === undefined || fail === undefined) return undefined;
  return { passed: pass, failed: fail + (grab('cancelled') ?? 0) };
}

/** Counts from a `<label>: N passed, N failed` line (test-vscode.mjs prints `vscode:` and `ui:`); last one wins. */
export function parseSummary(out, label) {
  const all = [...out.matchAll(new RegExp(`^${label}: (\\d+) passed, (\\d+) failed.*?(?:\\((\\d+(?:\\.\\d+)?) s\\))?$`, 'gm'))];
  if (!all.length) return undefined;
  const m = all.at(-1);
  return { passed: Number(m[1]), failed: Number(m[2]), secs: m[3] === undefined ? undefined : Number(m[3]) };
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
  { name: 'vscode', dir: 'test/integration', suffix: '.test.ts', cmd: [node, 'scripts/test-vscode.mjs'], parse: (o) => ({ vscode: parseSummary(o, 'vscode'), ...(hasTests('test/ui', '.ui.ts') ? { ui: parseSummary(o, 'ui') } : {}) }) },
  { name: 'vsix', dir: 'test/integration', suffix: 'smoke.test.ts', cmd: [node, 'scripts/test-vsix.mjs'], parse: (o) => ({ vsix: parseSummary(o, 'vsix') }) },
];

const rows = [];
for (const s of suites) {
  if (only && !only.includes(s.name)) continue;
  if (!hasTests(s.dir, s.suffix)) { rows.push({ name: s.name, passed: 0, failed: 0, secs: 0, note: 'no test files' }); continue; }
  process.stdout.write(`\n=== ${s.name}: ${s.cmd.slice(1).join(' ')}\n`);
  const r = await runStreaming(s.cmd[0], s.cmd.slice(1), { FORCE_COLOR: process.stdout.isTTY ? '1' : '0' });
  const parsed = s.parse(r.out);
  const phases = Object.entries(parsed);
  for (const [name, counts] of phases) {
    // Suites that share one process (vscode + ui) report their own phase time; the process total is noted.
    const secs = phases.length > 1 ? counts?.secs : r.secs;
    const row = { name, passed: counts?.passed ?? 0, failed: counts?.failed ?? 0, secs, note: phases.length > 1 && name === phases[0][0] ? `(${s.name} process in all: ${r.secs.toFixed(1)} s, incl. build and start-up)` : undefined };
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

process.stdout.write('\n=== summary\n');
for (const r of rows) {
  const wall = r.secs === undefined ? '         ?  ' : `${r.secs.toFixed(1).padStart(8)} s`;
  process.stdout.write(`${r.name.padEnd(8)} ${String(r.passed).padStart(5)} passed ${String(r.failed).padStart(4)} failed ${wall}${r.note ? `  ${r.note}` : ''}\n`);
}
const passed = rows.reduce((a, r) => a + r.passed, 0);
const failed = rows.reduce((a, r) => a + r.failed, 0);
process.stdout.write(`${passed} passed, ${failed} failed\n`);
process.exit(failed > 0 ? 1 : 0);
