// `npm run demo`: code-server on 127.0.0.1 with the examples/ workspace and LLM Training Studio installed from a
// freshly packaged .vsix, plus a live tiny-gpt training run on the `local` host, so the Runs view, the log and the
// loss curve have something real to show. Stays up until Ctrl-C, then stops the run and code-server.
// Needs `bash scripts/setup.sh` once.
//
// usage: node scripts/demo.mjs [--dev] [--no-run]
//   --dev      load the extension from this checkout (extensionDevelopmentPath) instead of installing the .vsix
//   --no-run   do not start the tiny-gpt run
// env: PORT (default: a free port), DEMO_TRAIN_ARGS (extra train.py arguments, default "--step_delay 0.15")
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { assertInstalled, startCodeServer, stopSync, workbenchUrl } from './lib/codeServer.mjs';

const ROOT = resolve(import.meta.dirname, '..');
process.chdir(ROOT);
const { values: opt } = parseArgs({ options: { dev: { type: 'boolean', default: false }, 'no-run': { type: 'boolean', default: false } } });
const say = (s) => process.stdout.write(`${s}\n`);
const PYTHON = '/usr/bin/python3'; // Debian's: the one python3-torch is installed for
const CLI = join(ROOT, 'dist', 'cli.js');
const TINY_GPT = join(ROOT, 'examples', 'tiny-gpt');

try { assertInstalled(); } catch (err) { say(`demo: ${err.message}`); process.exit(1); }

function step(what, cmd, args) {
  const r = spawnSync(cmd, args, { stdio: 'inherit' });
  if (r.status !== 0) { say(`demo: ${what} failed (exit ${r.status})`); process.exit(1); }
}

let vsix;
if (opt.dev) step('npm run build', process.execPath, ['scripts/build.mjs']);
else {
  step('npm run package', process.execPath, ['scripts/package.mjs']);
  vsix = join(ROOT, 'dist', 'llm-training-studio.vsix');
}

const folder = existsSync(join(ROOT, 'examples')) ? join(ROOT, 'examples') : join(ROOT, 'test', 'fixtures', 'workspace');
if (!folder.endsWith('examples')) say('demo: examples/ is missing; opening test/fixtures/workspace instead');

let server;
let runId;
let stopping = false;

/** Starts the tiny-gpt run through the `llmtrain` CLI; returns its id or undefined (with the reason printed). */
function startRun() {
  if (!existsSync(join(TINY_GPT, 'train.py'))) { say('demo: examples/tiny-gpt/train.py is not there yet: no run started'); return undefined; }
  if (!existsSync(CLI)) { say('demo: dist/cli.js is missing: no run started'); return undefined; }
  const help = spawnSync(process.execPath, [CLI, '--help'], { encoding: 'utf8' });
  if (!/^\s+run\s/m.test(help.stdout ?? '')) { say('demo: this build of `llmtrain` has no `run` command yet: no run started'); return undefined; }
  const trainArgs = (process.env.DEMO_TRAIN_ARGS ?? '--step_delay 0.15').split(/\s+/).filter(Boolean);
  const argv = [CLI, 'run', '--host', 'local', '--cwd', TINY_GPT, '--name', 'tiny-gpt-demo', '--config', join(TINY_GPT, 'config.yaml'),
    '--', PYTHON, 'train.py', '--config', 'config.yaml', ...trainArgs];
  const r = spawnSync(process.execPath, argv, { encoding: 'utf8' });
  if (r.status !== 0) { say(`demo: llmtrain run failed (exit ${r.status}):\n${r.stderr}`); return undefined; }
  process.stdout.write(r.stderr);
  return r.stdout.trim().split('\n').at(-1);
}

function stopRun() {
  if (!runId) return;
  const r = spawnSync(process.execPath, [CLI, 'stop', '--host', 'local', runId, '--grace', '3'], { encoding: 'utf8' });
  say(r.status === 0 ? `demo: run ${r.stdout.trim()}` : `demo: could not stop run ${runId}: ${r.stderr.trim()}`);
  runId = undefined;
}

async function shutdown(code) {
  if (stopping) return;
  stopping = true;
  say('\ndemo: stopping');
  stopRun();
  await server?.stop();
  process.exit(code);
}
process.on('SIGINT', () => shutdown(0));
process.on('SIGTERM', () => shutdown(0));
process.on('SIGHUP', () => shutdown(0));
process.on('exit', () => stopSync(server));

try {
  server = await startCodeServer({
    folder,
    port: process.env.PORT ? Number(process.env.PORT) : undefined,
    installExtensions: vsix ? [vsix] : [],
    log: (l) => { if (/error/i.test(l) && !/ENOTFOUND|telemetry/.test(l)) say(`[code-server] ${l}`); },
  });
} catch (err) {
  say(`demo: code-server did not start: ${err.message}`);
  process.exit(1);
}
if (!opt['no-run']) runId = startRun();
const url = opt.dev ? workbenchUrl(server, { folder, extensionDevelopmentPath: ROOT }) : `${server.url}?folder=${encodeURIComponent(folder)}`;
say('');
say('LLM Training Studio demo');
say(`  open:  ${url}`);
say(`  from another machine: ssh -L ${server.port}:127.0.0.1:${server.port} <this host>, then open the same URL`);
if (runId) say(`  run:   ${runId} (tiny-gpt on local): see the LLM Training view in the activity bar`);
say('  Ctrl-C stops the run and code-server.');
await new Promise(() => {}); // until a signal
