// Runs node's built-in test runner (with tsx for TypeScript) over every *.test.ts below the given folders, and over
// the given *.test.ts files themselves (`node scripts/run-node-tests.mjs test/unit/x.test.ts` runs just that file).
// Prints node's own spec output; exits with its exit code. Used by test:unit and test:remote.
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';

function collect(dir, out) {
  if (!statSync(dir).isDirectory()) { out.push(dir); return out; } // a single test file
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) collect(p, out);
    else if (name.endsWith('.test.ts')) out.push(p);
  }
  return out;
}
const dirs = process.argv.slice(2).filter((a) => !a.startsWith('--'));
const extra = process.argv.slice(2).filter((a) => a.startsWith('--'));
const files = dirs.flatMap((d) => (statSync(d).isFile() ? [d] : collect(d, []))).sort();
if (files.length === 0) { console.error(`no test files under ${dirs.join(', ')}`); process.exit(1); }
// Runs launched on `local` by the tests go to a runs home of their own (LLMTRAIN_LOCAL_HOME), never to the user's
// ~/.llm-training-studio; it is removed afterwards.
const localHome = mkdtempSync(join(tmpdir(), 'llmts-unit-runs-home-'));
let r;
try {
  r = spawnSync(process.execPath, ['--import', 'tsx', '--test', '--test-concurrency=1', ...extra, ...files], { stdio: 'inherit', env: { ...process.env, LLMTRAIN_LOCAL_HOME: localHome } });
} finally {
  rmSync(localHome, { recursive: true, force: true });
}
process.exit(r.status ?? 1);
