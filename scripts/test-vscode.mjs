// Runs the integration suites (Mocha inside a real VS Code extension host) and the UI tests (Playwright driving the
// workbench) against a throw-away code-server. Prints `vscode: N passed, N failed` and `ui: N passed, N failed`
// and exits 1 when anything failed or crashed. Always stops code-server and Chromium (also on timeout, Ctrl-C).
//
// usage: node scripts/test-vscode.mjs [options]
//   --workspace fixtures|examples|empty|<dir>   folder to open (default fixtures = test/fixtures/workspace)
//   --grep <regexp>          only tests whose full title matches (both phases)
//   --files <a,b>            only these suites (test/integration/x.test.ts or test/ui/y.ui.ts paths)
//   --no-ui | --ui-only      skip the UI phase | run only the UI phase
//   --no-build               do not run scripts/build.mjs first
//   --vsix <file>            install this .vsix into code-server and test it instead of the checkout
//                            (the installed folder is what the suites load, so they test the packaged files)
//   --timeout <s>            give up after this many seconds in all (default 1800; Mocha's per-test limit is 60 s)
//   --verbose                also print code-server's own log and the workbench log
//   --headed                 show Chromium (needs a display)
// For other tools (bench): LLMTS_EXTRA_ENTRIES (test/integration/*.ts bundled and run instead of the suites),
// LLMTS_EXTRA_VSIX (comma-separated .vsix files installed next to this extension; the payload can carry only one
// development extension to code-server's remote extension host).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, createWriteStream, mkdtempSync } from 'node:fs';
import { join, resolve, delimiter } from 'node:path';
import { tmpdir } from 'node:os';
import { createRequire } from 'node:module';
import { parseArgs } from 'node:util';
import { startCodeServer, stopSync, launchChromium, workbenchUrl } from './lib/codeServer.mjs';
import { bundleIntegrationTests, findFiles } from './lib/bundleTests.mjs';

const ROOT = resolve(import.meta.dirname, '..');
process.chdir(ROOT);
const { values: opt } = parseArgs({
  options: {
    workspace: { type: 'string', default: 'fixtures' }, grep: { type: 'string' }, files: { type: 'string' },
    'no-ui': { type: 'boolean', default: false }, 'ui-only': { type: 'boolean', default: false },
    'no-build': { type: 'boolean', default: false }, vsix: { type: 'string' }, timeout: { type: 'string', default: '1800' },
    verbose: { type: 'boolean', default: false }, headed: { type: 'boolean', default: false },
  },
});

let emptyWorkspace; // created for --workspace empty, removed at the end
/** Resolves --workspace to an absolute folder. */
function workspaceFolder(name) {
  if (name === 'fixtures') return join(ROOT, 'test/fixtures/workspace');
  if (name === 'examples') return join(ROOT, 'examples');
  if (name === 'empty') return (emptyWorkspace = mkdtempSync(join(tmpdir(), 'llmts-empty-workspace-')));
  return resolve(name);
}

const RESULTS = join(ROOT, 'test-results');
mkdirSync(RESULTS, { recursive: true });
const serverLog = createWriteStream(join(RESULTS, 'code-server.log'));
const workbenchLog = createWriteStream(join(RESULTS, 'workbench.log'));
const LOG_PREFIX = '\u2063mocha\u2063 ';
const say = (s) => process.stdout.write(`${s}\n`);

let server; let browser;
let exiting = false;
async function cleanup() {
  try { await browser?.close(); } catch { /* already gone */ }
  browser = undefined;
  await server?.stop();
  if (emptyWorkspace) rmSync(emptyWorkspace, { recursive: true, force: true });
}
function onSignal(sig) {
  if (exiting) return;
  exiting = true;
  say(`test-vscode: ${sig}, stopping code-server and Chromium`);
  cleanup().finally(() => process.exit(130));
}
process.on('SIGINT', onSignal);
process.on('SIGTERM', onSignal);
process.on('SIGHUP', onSignal);
process.on('exit', () => stopSync(server));
const overall = setTimeout(() => {
  say(`test-vscode: gave up after ${opt.timeout} s (--timeout)`);
  say('vscode: 0 passed, 1 failed (timeout)');
  exiting = true;
  cleanup().finally(() => process.exit(1));
}, Number(opt.timeout) * 1000);
overall.unref();

const only = opt.files?.split(',').map((f) => resolve(f.trim())) ?? [];
const uiFiles = existsSync('test/ui') ? findFiles('test/ui', '.ui.ts').map((f) => resolve(f)).filter((f) => !only.length || only.includes(f)) : [];
const extraEntries = process.env.LLMTS_EXTRA_ENTRIES?.split(',').filter(Boolean) ?? [];

/** Strips the console styling VS Code adds to forwarded extension-host output (`%c` + CSS arguments). */
function formatLogArgs(args) {
  const parts = Array.isArray(args) ? [...args] : [args];
  const out = [];
  for (let i = 0; i < parts.length; i++) {
    let a = parts[i];
    if (typeof a !== 'string') { out.push(typeof a === 'object' ? JSON.stringify(a) : String(a)); continue; }
    const styles = (a.match(/%c/g) ?? []).length;
    a = a.replace(/%c/g, '');
    i += styles; // the CSS strings that follow
    out.push(a);
  }
  return out.join(' ');
}

/** Bundles the suites; returns the runner and the bundled files selected by --files (or the extra entries). */
async function prepareMocha() {
  const bundle = await bundleIntegrationTests(ROOT, extraEntries);
  let files = extraEntries.length ? bundle.extra : bundle.tests;
  if (only.length) {
    const wanted = new Set(only.filter((f) => f.endsWith('.test.ts')).map((f) => f.replace(/\.ts$/, '')));
    files = bundle.tests.filter((js) => wanted.has(js.replace(join(ROOT, 'out/integration'), join(ROOT, 'test/integration')).replace(/\.js$/, '')));
  }
  return { runner: bundle.runner, files, resultFile: join(RESULTS, `mocha-result-${process.pid}.json`) };
}

/**
 * The extension folder the workbench loads: this checkout, or with --vsix the folder code-server unpacked the .vsix
 * into (VS Code only runs extension tests next to a development extension, so the installed copy is passed as one).
 */
function extensionPath() {
  if (!opt.vsix) return ROOT;
  const dir = join(server.extensionsDir, INSTALLED_DIR);
  if (!existsSync(dir)) throw new Error(`--vsix: ${INSTALLED_DIR} is not in ${server.extensionsDir}: ${readdirSync(server.extensionsDir).join(', ')}`);
  return dir;
}

const manifest = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
/** Where code-server unpacks the .vsix: <publisher>.<name>-<version> in the extensions dir. */
const INSTALLED_DIR = `${manifest.publisher}.${manifest.name}-${manifest.version}`;

async function mochaPhase(folder, { runner, files, resultFile }) {
  const t0 = Date.now();
  if (files.length === 0) { say('vscode: no integration suites selected'); return { passed: 0, failed: 0, skipped: true }; }
  const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  let exitCode;
  let heard = false;
  const exited = new Promise((r) => { exitCode = r; });
  await page.exposeFunction('codeAutomationLog', (type, args) => {
    heard = true;
    const line = formatLogArgs(args);
    workbenchLog.write(`[${type}] ${line}\n`);
    if (opt.verbose) say(`[workbench ${type}] ${line}`);
    // The runner prefixes its report lines (see test/integration/index.ts); everything else is workbench noise.
    if (!opt.verbose && line.startsWith(LOG_PREFIX)) say(line.slice(LOG_PREFIX.length));
  });
  await page.exposeFunction('codeAutomationExit', (code) => exitCode(code));
  page.on('pageerror', (err) => workbenchLog.write(`[pageerror] ${err.stack ?? err}\n`));
  // The runner reads LLMTS_MOCHA_FILES/RESULT from the extension host's env, inherited from code-server's.
  const url = workbenchUrl(server, { folder, extensionDevelopmentPath: extensionPath(), extensionTestsPath: runner });
  say(`vscode: running ${files.length} suite file(s) in code-server (${folder})`);
  page.on('console', () => { heard = true; });
  await page.goto(url, { timeout: 180_000 }); // a loaded 2-core CI machine takes more than the default 30 s
  const quiet = setTimeout(() => {
    if (!heard) { say('vscode: the workbench sent nothing within 180 s: is the smoke-test driver enabled?'); exitCode(1); }
  }, 180_000);
  const code = await exited;
  clearTimeout(quiet);
  await page.close().catch(() => {});
  let result;
  try { result = JSON.parse(readFileSync(resultFile, 'utf8')); rmSync(resultFile); } catch { /* crashed before writing */ }
  const secs = ((Date.now() - t0) / 1000).toFixed(1);
  if (!result) {
    say(`vscode: the test run ended (exit ${code}) without a result: see test-results/workbench.log`);
    return { passed: 0, failed: 1, crashed: true, secs };
  }
  return { passed: result.passes, failed: result.failures, pending: result.pending, secs, crashed: code !== 0 && result.failures === 0 };
}

/**
 * Runs each test/ui/*.ui.ts file against its own fresh workbench page (new browser context, so no UI state such as
 * an open side bar or editor carries over from another file; the server, its settings and the extension host's
 * data are shared). Returns the summed counts.
 */
async function uiPhase(folder) {
  const t0 = Date.now();
  const secs = () => ((Date.now() - t0) / 1000).toFixed(1);
  if (uiFiles.length === 0) { say('ui: no UI tests selected'); return { passed: 0, failed: 0, skipped: true }; }
  // UI tests are TypeScript loaded as CommonJS through tsx's require hook (one module instance for everyone).
  const require = createRequire(import.meta.url);
  require('tsx/cjs/api').register();
  const { Workbench, setWorkbench } = require(join(ROOT, 'test/ui/workbench.ts'));
  const Mocha = require('mocha');
  for (const f of readdirSync(RESULTS)) if (/^failed-.*\.png$/.test(f)) rmSync(join(RESULTS, f)); // last run's
  let passed = 0; let failed = 0;
  for (const file of uiFiles) {
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    try {
      await page.exposeFunction('codeAutomationLog', (type, args) => workbenchLog.write(`[ui ${type}] ${formatLogArgs(args)}\n`));
      await page.exposeFunction('codeAutomationExit', () => {});
      await page.goto(workbenchUrl(server, { folder, extensionDevelopmentPath: extensionPath() }), { timeout: 180_000 });
      const wb = new Workbench(page, RESULTS);
      await wb.ready();
      setWorkbench(wb);
      const mocha = new Mocha({
        ui: 'tdd', color: process.stdout.isTTY, reporter: 'spec', timeout: 60_000,
        rootHooks: {
          async afterEach() {
            const t = this.currentTest;
            if (t?.state === 'failed') {
              const p = await wb.screenshot(`failed-${t.fullTitle()}`).catch(() => undefined);
              if (p) say(`    screenshot: ${p}`);
            }
          },
        },
      });
      if (opt.grep) mocha.grep(new RegExp(opt.grep));
      mocha.addFile(file);
      mocha.loadFiles();
      await new Promise((res) => {
        const runner = mocha.run(() => res());
        runner.on('pass', () => passed++);
        runner.on('fail', () => failed++);
      });
    } catch (err) {
      say(`ui: ${file} crashed: ${err?.stack ?? err}`);
      failed++;
    } finally {
      setWorkbench(undefined);
      await page.close().catch(() => {});
    }
  }
  return { passed, failed, secs: secs() };
}

let exit = 0;
try {
  if (!opt['no-build'] && !opt.vsix) {
    const b = spawnSync(process.execPath, ['scripts/build.mjs'], { stdio: 'inherit' });
    if (b.status !== 0) throw new Error('npm run build failed');
  }
  const folder = workspaceFolder(opt.workspace);
  if (!existsSync(folder)) throw new Error(`workspace folder ${folder} does not exist`);
  const mocha = opt['ui-only'] ? undefined : await prepareMocha();
  const t0 = Date.now();
  server = await startCodeServer({
    folder,
    installExtensions: [...(opt.vsix ? [resolve(opt.vsix)] : []), ...(process.env.LLMTS_EXTRA_VSIX?.split(',').filter(Boolean) ?? [])],
    env: (dirs) => ({
      LLMTS_MOCHA_LOG_PREFIX: LOG_PREFIX,
      LLMTS_EXTENSION_PATH: opt.vsix ? join(dirs.extensionsDir, INSTALLED_DIR) : ROOT,
      LLMTS_MOCHA_FILES: mocha?.files.join(delimiter) ?? '',
      LLMTS_MOCHA_RESULT: mocha?.resultFile ?? '',
      LLMTS_MOCHA_GREP: opt.grep ?? '',
      LLMTS_MOCHA_TIMEOUT: process.env.LLMTS_MOCHA_TIMEOUT ?? '60000',
      ...(process.env.LLMTS_BENCH_OUT ? { LLMTS_BENCH_OUT: process.env.LLMTS_BENCH_OUT } : {}),
    }),
    log: (l) => { serverLog.write(`${l}\n`); if (opt.verbose) say(`[code-server] ${l}`); },
  });
  say(`code-server ${server.url} up after ${Date.now() - t0} ms`);
  browser = await launchChromium({ headless: !opt.headed });
  if (mocha) {
    const r = await mochaPhase(folder, mocha);
    if (!r.skipped) {
      say(`vscode: ${r.passed} passed, ${r.failed} failed${r.pending ? `, ${r.pending} pending` : ''} (${r.secs} s)`);
      if (r.failed || r.crashed) exit = 1;
    }
  }
  if (!opt['no-ui'] && !extraEntries.length) {
    const r = await uiPhase(folder);
    if (!r.skipped) {
      say(`ui: ${r.passed} passed, ${r.failed} failed (${r.secs} s)`);
      if (r.failed || r.crashed) exit = 1;
    }
  }
} catch (err) {
  say(`test-vscode: ${err?.stack ?? err}`);
  say('vscode: 0 passed, 1 failed (harness error)');
  exit = 1;
} finally {
  await cleanup();
  serverLog.end(); workbenchLog.end();
}
process.exit(exit);
