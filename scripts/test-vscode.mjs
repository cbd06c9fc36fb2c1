// Runs the integration suites (Mocha inside a real VS Code extension host) and the UI tests (Playwright driving the
// workbench) against a throw-away code-server. Prints `vscode: N passed, N failed, N skipped` and the same for `ui:`
// (and `untrusted:`, see below)
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
//
// Workspace Trust is OFF for the main run (settings + --disable-workspace-trust): the suites launch runs, execute
// tasks and edit files in test/fixtures/workspace, which a fresh user-data dir would otherwise open in Restricted
// Mode (and the trust modal would block the workbench). The claim "nothing executes in an untrusted workspace" is
// tested by its own phase: suites named `*.untrusted.test.ts` run in a second code-server with trust ON and the
// workspace left untrusted (nothing in the fresh user-data dir trusts it); they print `untrusted: N passed, ...`.
// That phase is one more code-server start (~20-40 s here), only when such a suite is selected.
//
// Runs home: the extension host gets LLMTRAIN_LOCAL_HOME = a temp folder (runs on `local` go to
// <it>/.llm-training-studio/runs, never to the user's ~/.llm-training-studio), removed at the end; the UI tests see
// the same folder in process.env.LLMTRAIN_LOCAL_HOME.
//
// UI bridge: integration suites can answer what only a user can (an input box, a notification button) and read what
// is open, through LLMTS_UI_BRIDGE, an HTTP endpoint on 127.0.0.1 served here that drives the suite's own workbench
// page with Playwright (see uiBridge in test/integration/helpers.ts). Modal dialogs cannot be reached that way: the
// workbench answers them itself (Cancel) while extension tests run (DialogService.skipDialogs in VS Code), so a
// test of a modal is a UI test (test/ui/*.ui.ts); the UI tests see the settings files in LLMTS_USER_SETTINGS and LLMTS_MACHINE_SETTINGS.
// For other tools (bench): LLMTS_EXTRA_ENTRIES (test/integration/*.ts bundled and run instead of the suites),
// LLMTS_EXTRA_VSIX (comma-separated .vsix files installed next to this extension; the payload can carry only one
// development extension to code-server's remote extension host).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, createWriteStream, mkdtempSync } from 'node:fs';
import { join, resolve, delimiter } from 'node:path';
import { createServer } from 'node:http';
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

let server; let browser; let trustServer;
let exiting = false;
// The runs home of everything launched on `local` in this run (see the header).
const localHome = mkdtempSync(join(tmpdir(), 'llmts-runs-home-'));
process.env.LLMTRAIN_LOCAL_HOME = localHome;
async function cleanup() {
  try { await browser?.close(); } catch { /* already gone */ }
  browser = undefined;
  await server?.stop();
  await trustServer?.stop();
  bridge?.close();
  if (emptyWorkspace) rmSync(emptyWorkspace, { recursive: true, force: true });
  rmSync(localHome, { recursive: true, force: true });
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
process.on('exit', () => { stopSync(server); stopSync(trustServer); });
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

const UNTRUSTED = /\.untrusted\.test\.js$/;
/**
 * Bundles the suites; returns the runner and the bundled files selected by --files (or the extra entries), split
 * into `files` (trust off) and `untrustedFiles` (`*.untrusted.test.ts`, run with trust on; see the header).
 */
async function prepareMocha() {
  const bundle = await bundleIntegrationTests(ROOT, extraEntries);
  let files = extraEntries.length ? bundle.extra : bundle.tests;
  if (only.length) {
    const wanted = new Set(only.filter((f) => f.endsWith('.test.ts')).map((f) => f.replace(/\.ts$/, '')));
    files = bundle.tests.filter((js) => wanted.has(js.replace(join(ROOT, 'out/integration'), join(ROOT, 'test/integration')).replace(/\.js$/, '')));
  }
  return {
    runner: bundle.runner, files: files.filter((f) => !UNTRUSTED.test(f)), untrustedFiles: opt.vsix ? [] : files.filter((f) => UNTRUSTED.test(f)),
    resultFile: join(RESULTS, `mocha-result-${process.pid}.json`),
  };
}

// --- UI bridge (see the header) ---------------------------------------------------------------------------------
let bridgePage; // the workbench page of the integration phase that is running
/** Answers one request from an integration suite by driving bridgePage; returns what it saw. */
async function bridgeRequest(req) {
  const page = bridgePage;
  if (!page) throw new Error('no integration workbench page is open');
  const timeout = req.timeoutMs ?? 60_000;
  if (req.action === 'dialog') {
    // A modal (showWarningMessage/showErrorMessage with modal: true): its text, then the button named `button`.
    const box = page.locator('.monaco-dialog-box');
    await box.waitFor({ state: 'visible', timeout });
    const text = await box.innerText();
    if (req.button) await box.getByRole('button', { name: req.button, exact: true }).click({ timeout: 10_000 });
    if (req.button) await box.waitFor({ state: 'hidden', timeout: 10_000 });
    return { text };
  }
  if (req.action === 'input') {
    // An input box (showInputBox): its title and prompt, then `value` typed and Enter (or Escape when value is null).
    const w = page.locator('.quick-input-widget');
    const input = w.locator('input');
    await input.waitFor({ state: 'visible', timeout });
    const title = (await w.locator('.quick-input-title').innerText().catch(() => '')).trim();
    const prompt = (await w.locator('.quick-input-message').innerText().catch(() => '')).trim();
    const password = (await input.getAttribute('type')) === 'password';
    if (req.value === null) await input.press('Escape');
    else { await input.fill(req.value); await input.press('Enter'); }
    await w.waitFor({ state: 'hidden', timeout: 10_000 }).catch(() => {});
    return { title, prompt, password };
  }
  if (req.action === 'notification') {
    // A toast whose text contains `contains`: its text, then its button `button`.
    // Toasts, or the notification center (where they go when toasts are not shown).
    const toast = page.locator('.notifications-toasts .notification-list-item, .notifications-center .notification-list-item').filter({ hasText: req.contains }).first();
    await toast.waitFor({ state: 'visible', timeout });
    const text = await toast.locator('.notification-list-item-message').innerText();
    if (req.button) await toast.getByRole('button', { name: req.button, exact: true }).click({ timeout: 10_000 });
    return { text };
  }
  if (req.action === 'state') {
    // What is open right now (no waiting): for "no prompt was shown" assertions.
    return {
      dialog: await page.locator('.monaco-dialog-box').isVisible(),
      input: await page.locator('.quick-input-widget input').isVisible(),
      notifications: await page.locator('.notifications-toasts .notification-list-item-message').allInnerTexts(),
    };
  }
  if (req.action === 'treeRows') {
    // The rows a tree view shows now (their aria-labels), found by the view's title: what the user sees, not the provider.
    const title = new RegExp(`^\\s*${req.view.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\s*$`, 'i');
    const pane = page.locator('.pane').filter({ has: page.locator('.pane-header .title', { hasText: title }) }).first();
    if (!(await pane.isVisible())) return { visible: false, rows: [] };
    return { visible: true, rows: await pane.locator('.pane-body .monaco-list-row').evaluateAll((rs) => rs.map((r) => r.getAttribute('aria-label') ?? r.textContent ?? '')) };
  }
  throw new Error(`unknown bridge action ${JSON.stringify(req.action)}`);
}
let bridge;
/** Starts the bridge's HTTP server; resolves its URL. */
function startBridge() {
  bridge = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => { body += c; });
    req.on('end', async () => {
      try {
        const out = await bridgeRequest(JSON.parse(body || '{}'));
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(out));
      } catch (err) {
        res.writeHead(500, { 'content-type': 'application/json' }).end(JSON.stringify({ error: String(err?.message ?? err) }));
      }
    });
  });
  return new Promise((r) => bridge.listen(0, '127.0.0.1', () => r(`http://127.0.0.1:${bridge.address().port}/`)));
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

async function mochaPhase(folder, { runner, files, resultFile }, srv = server, label = 'vscode') {
  const t0 = Date.now();
  if (files.length === 0) { say(`${label}: no integration suites selected`); return { passed: 0, failed: 0, skipped: true }; }
  const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  bridgePage = page;
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
  const url = workbenchUrl(srv, { folder, extensionDevelopmentPath: extensionPath(), extensionTestsPath: runner });
  say(`${label}: running ${files.length} suite file(s) in code-server (${folder})`);
  page.on('console', () => { heard = true; });
  await page.goto(url, { timeout: 180_000 }); // a loaded 2-core CI machine takes more than the default 30 s
  const quiet = setTimeout(() => {
    if (!heard) { say(`${label}: the workbench sent nothing within 180 s: is the smoke-test driver enabled?`); exitCode(1); }
  }, 180_000);
  const code = await exited;
  clearTimeout(quiet);
  bridgePage = undefined;
  await page.close().catch(() => {});
  let result;
  try { result = JSON.parse(readFileSync(resultFile, 'utf8')); rmSync(resultFile); } catch { /* crashed before writing */ }
  const secs = ((Date.now() - t0) / 1000).toFixed(1);
  if (!result) {
    say(`${label}: the test run ended (exit ${code}) without a result: see test-results/workbench.log`);
    return { passed: 0, failed: 1, crashed: true, secs };
  }
  return { passed: result.passes, failed: result.failures, pending: result.pending, pendingTitles: result.pendingTitles ?? [], secs, crashed: code !== 0 && result.failures === 0 };
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
  let passed = 0; let failed = 0; const pendingTitles = [];
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
        runner.on('pending', (t) => pendingTitles.push(t.fullTitle()));
      });
    } catch (err) {
      say(`ui: ${file} crashed: ${err?.stack ?? err}`);
      failed++;
    } finally {
      setWorkbench(undefined);
      await page.close().catch(() => {});
    }
  }
  return { passed, failed, pending: pendingTitles.length, pendingTitles, secs: secs() };
}

/** Prints `<label>: N passed, N failed, N skipped (S s)` and one `<label> skipped: <title>` line per skipped test. */
function report(label, r) {
  say(`${label}: ${r.passed} passed, ${r.failed} failed, ${r.pending ?? 0} skipped (${r.secs} s)`);
  for (const t of r.pendingTitles ?? []) say(`${label} skipped: ${t}`);
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
  const bridgeUrl = await startBridge();
  const serverEnv = (files, resultFile) => (dirs) => ({
    LLMTS_MOCHA_LOG_PREFIX: LOG_PREFIX,
    LLMTS_EXTENSION_PATH: opt.vsix ? join(dirs.extensionsDir, INSTALLED_DIR) : ROOT,
    LLMTS_MOCHA_FILES: files.join(delimiter),
    LLMTS_MOCHA_RESULT: resultFile,
    LLMTS_MOCHA_GREP: opt.grep ?? '',
    LLMTS_MOCHA_TIMEOUT: process.env.LLMTS_MOCHA_TIMEOUT ?? '60000',
    LLMTRAIN_LOCAL_HOME: localHome,
    LLMTS_UI_BRIDGE: bridgeUrl,
    ...(process.env.LLMTS_BENCH_OUT ? { LLMTS_BENCH_OUT: process.env.LLMTS_BENCH_OUT } : {}),
  });
  const log = (l) => { serverLog.write(`${l}\n`); if (opt.verbose) say(`[code-server] ${l}`); };
  const runUi = !opt['no-ui'] && !extraEntries.length && uiFiles.length > 0;
  // The trust-off server only when something runs in it (a --files selection of untrusted suites needs only the other).
  if (!mocha || mocha.files.length || runUi || !mocha.untrustedFiles.length) {
    const t0 = Date.now();
    server = await startCodeServer({
      folder,
      installExtensions: [...(opt.vsix ? [resolve(opt.vsix)] : []), ...(process.env.LLMTS_EXTRA_VSIX?.split(',').filter(Boolean) ?? [])],
      env: serverEnv(mocha?.files ?? [], mocha?.resultFile ?? ''),
      log,
    });
    say(`code-server ${server.url} up after ${Date.now() - t0} ms`);
    // For UI tests that change a setting the way a user would (the settings files, which VS Code watches). In
    // code-server's remote window, machine-scoped settings (e.g. llmTraining.sshConfigFile) come from Machine/.
    process.env.LLMTS_USER_SETTINGS = join(server.userDataDir, 'User', 'settings.json');
    process.env.LLMTS_MACHINE_SETTINGS = join(server.userDataDir, 'Machine', 'settings.json');
  }
  browser = await launchChromium({ headless: !opt.headed });
  if (mocha && server) {
    const r = await mochaPhase(folder, mocha);
    if (!r.skipped) {
      report('vscode', r);
      if (r.failed || r.crashed) exit = 1;
    }
  }
  if (!opt['no-ui'] && !extraEntries.length && server) {
    const r = await uiPhase(folder);
    if (!r.skipped) {
      report('ui', r);
      if (r.failed || r.crashed) exit = 1;
    }
  }
  if (mocha?.untrustedFiles.length) {
    // Trust ON, workspace untrusted: a fresh user-data dir trusts nothing, and the start-up prompt is off so the
    // workbench opens in Restricted Mode without a modal (see the header).
    await server?.stop();
    server = undefined;
    const t0 = Date.now();
    trustServer = await startCodeServer({
      folder, workspaceTrust: true,
      settings: { 'security.workspace.trust.startupPrompt': 'never', 'security.workspace.trust.banner': 'never', 'security.workspace.trust.emptyWindow': false },
      env: serverEnv(mocha.untrustedFiles, mocha.resultFile), log,
    });
    say(`code-server (workspace trust on) ${trustServer.url} up after ${Date.now() - t0} ms`);
    const r = await mochaPhase(folder, { ...mocha, files: mocha.untrustedFiles }, trustServer, 'untrusted');
    if (!r.skipped) {
      report('untrusted', r);
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
