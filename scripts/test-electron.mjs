// Runs the same integration suites (test/integration, Mocha) in desktop VS Code through @vscode/test-electron.
// For machines that can download VS Code (a contributor's laptop, public CI); this project's own CI cannot and
// uses scripts/test-vscode.mjs (code-server) instead.
//
// usage: node scripts/test-electron.mjs [--version stable|insiders|1.90.0] [--workspace fixtures|examples|<dir>] [--grep RE]
// Prints `vscode: N passed, N failed` like test-vscode.mjs.
import { mkdtempSync, readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { join, resolve, delimiter } from 'node:path';
import { tmpdir } from 'node:os';
import { spawnSync } from 'node:child_process';
import { parseArgs } from 'node:util';
import { runTests } from '@vscode/test-electron';
import { bundleIntegrationTests } from './lib/bundleTests.mjs';
import { userSettings } from './lib/codeServer.mjs';

const ROOT = resolve(import.meta.dirname, '..');
process.chdir(ROOT);
const { values: opt } = parseArgs({ options: {
  version: { type: 'string', default: process.env.VSCODE_VERSION ?? 'stable' },
  workspace: { type: 'string', default: 'fixtures' }, grep: { type: 'string' },
} });
const folder = opt.workspace === 'fixtures' ? join(ROOT, 'test/fixtures/workspace') : opt.workspace === 'examples' ? join(ROOT, 'examples') : resolve(opt.workspace);

const b = spawnSync(process.execPath, ['scripts/build.mjs'], { stdio: 'inherit' });
if (b.status !== 0) process.exit(1);
const bundle = await bundleIntegrationTests(ROOT);
const tmp = mkdtempSync(join(tmpdir(), 'llmts-electron-'));
const userData = join(tmp, 'user-data');
mkdirSync(join(userData, 'User'), { recursive: true });
writeFileSync(join(userData, 'User', 'settings.json'), JSON.stringify(userSettings(), null, 2));
const resultFile = join(tmp, 'mocha-result.json');
// The runs home of everything the suites launch on `local` (never the user's ~/.llm-training-studio); removed with tmp.
const localHome = join(tmp, 'runs-home');
mkdirSync(localHome);
let exit = 1;
try {
  await runTests({
    version: opt.version,
    extensionDevelopmentPath: ROOT,
    extensionTestsPath: bundle.runner,
    launchArgs: [folder, '--disable-extensions', '--disable-workspace-trust', '--user-data-dir', userData, '--extensions-dir', join(tmp, 'extensions')],
    extensionTestsEnv: { LLMTS_MOCHA_FILES: bundle.tests.join(delimiter), LLMTS_MOCHA_RESULT: resultFile, LLMTS_MOCHA_GREP: opt.grep ?? '', LLMTRAIN_LOCAL_HOME: localHome },
  });
  exit = 0;
} catch (err) {
  console.error(`test-electron: ${err instanceof Error ? err.message : String(err)}`);
}
try {
  const r = JSON.parse(readFileSync(resultFile, 'utf8'));
  console.log(`vscode: ${r.passes} passed, ${r.failures} failed`);
  if (r.failures) exit = 1;
} catch {
  console.log('vscode: 0 passed, 1 failed (no result: VS Code did not run the suites)');
  exit = 1;
}
rmSync(tmp, { recursive: true, force: true });
process.exit(exit);
