// `npm run test:vsix`: packages the extension (scripts/package.mjs, which also checks the .vsix's file list), installs
// the .vsix with `code-server --install-extension` and runs the smoke suite against the installed copy.
// Prints `vsix: N passed, N failed (S s)` with N = 1: "the packaged .vsix installs and passes the smoke suite" is one
// test (the smoke suite's own tests already count in the vscode row; counting them again would pad the total).
// Runs home: scripts/test-vscode.mjs gives the extension host its own LLMTRAIN_LOCAL_HOME and removes it.
import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';

const ROOT = resolve(import.meta.dirname, '..');
process.chdir(ROOT);
const t0 = Date.now();
const secs = () => ((Date.now() - t0) / 1000).toFixed(1);

const pkg = spawnSync(process.execPath, ['scripts/package.mjs'], { encoding: 'utf8' });
process.stdout.write(pkg.stdout); process.stderr.write(pkg.stderr);
if (pkg.status !== 0) {
  console.log(`vsix: 0 passed, 1 failed (${secs()} s)`);
  process.exit(1);
}
console.log('vsix: packaged, file list as expected; installing it into code-server and running the smoke suite');
const smoke = spawnSync(process.execPath, ['scripts/test-vscode.mjs', '--vsix', 'dist/llm-training-studio.vsix', '--no-ui',
  '--files', 'test/integration/smoke.test.ts', '--timeout', '600'], { encoding: 'utf8' });
process.stdout.write(smoke.stdout); process.stderr.write(smoke.stderr);
const m = /^vscode: (\d+) passed, (\d+) failed(?:, (\d+) skipped)?/m.exec(smoke.stdout);
const ok = !!m && Number(m[1]) > 0 && Number(m[2]) === 0 && Number(m[3] ?? 0) === 0 && smoke.status === 0;
console.log(`vsix: smoke suite against the installed .vsix: ${m ? m[0].replace(/^vscode: /, '') : 'no result'}`);
console.log(`vsix: ${ok ? 1 : 0} passed, ${ok ? 0 : 1} failed (${secs()} s)`);
process.exit(ok ? 0 : 1);
