/**
 * The first activation stays cheap (issue 12: `extension.activate` vs an empty extension): dist/extension.js is the
 * activation shell (placeholders only); dist/features.js, which it requires on first use, carries none of the libraries
 * of src/core/vendor.ts; and loading dist/extension.js and running activate() requires none of the files the extension
 * loads on first use (dist/features.js, dist/vendor/*.js, dist/configCore.js, dist/datasetCore.js).
 * - the module graphs of both bundles as scripts/build.mjs builds them (esbuild's metafile, same options);
 * - the shell, required in a fresh Node process with `vscode` stubbed, then activate() with a stub context.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import * as esbuild from 'esbuild';

/** Other library code allowed in dist/extension.js (bytes of minified output); today there is none. */
const OTHER_LIBRARIES_BUDGET = 64 * 1024;

interface Built { metafile: esbuild.Metafile; code: string }
let built: Promise<{ dir: string; shell: Built; features: Built }> | undefined;
/** dist/extension.js and dist/features.js built as scripts/build.mjs builds them for `npm run package` (minified), into a temp folder. */
function buildExtension(): Promise<{ dir: string; shell: Built; features: Built }> {
  built ??= (async () => {
    const { extensionBuildOptions } = await import('../../scripts/lib/extensionBuild.mjs');
    const dir = mkdtempSync(join(tmpdir(), 'llmts-activation-bundle-'));
    const one = async (options: esbuild.BuildOptions, name: string): Promise<Built> => {
      const outfile = join(dir, name);
      const r = await esbuild.build({ ...options, outfile, metafile: true, logLevel: 'silent', write: false });
      const out = r.outputFiles!.find((f) => f.path === outfile)!;
      writeFileSync(outfile, out.contents);
      return { metafile: r.metafile!, code: out.text };
    };
    const [shell, features] = extensionBuildOptions({ bundle: true, minify: true, legalComments: 'none', mainFields: ['module', 'main'] });
    return { dir, shell: await one(shell, 'extension.js'), features: await one(features, 'features.js') };
  })();
  return built;
}

test.after(async () => { if (built) rmSync((await built).dir, { recursive: true, force: true }); });

test('dist/extension.js is the shell: vscode and its own two sources, the features required from dist/features.js', async () => {
  const { shell } = await buildExtension();
  const output = Object.values(shell.metafile.outputs).find((o) => o.entryPoint === 'src/extension.ts')!;
  assert.deepEqual(Object.keys(output.inputs).sort(), ['src/extension.ts', 'src/views/shellCommands.ts'], 'the shell bundles nothing but src/extension.ts and its command lists (type imports only)');
  assert.match(shell.code, /require\("\.\/features\.js"\)/, 'dist/extension.js does not require ./features.js');
});

test('dist/features.js bundles none of the lazily required libraries, and little other library code', async () => {
  const { VENDOR_PACKAGES } = await import('../../scripts/lib/extensionBuild.mjs');
  const { metafile, code } = (await buildExtension()).features;
  const output = Object.values(metafile.outputs).find((o) => o.entryPoint === 'src/features.ts')!;
  const pkgOf = (p: string) => /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(p)?.[1];
  const roots = new Set(Object.keys(VENDOR_PACKAGES).map((p) => p.split('/').slice(0, p.startsWith('@') ? 2 : 1).join('/')));
  const inputs = Object.entries(output.inputs);
  assert.ok(inputs.some(([p]) => p === 'src/features.ts'), 'the metafile lists the extension\'s own sources');
  const vendored = [...new Set(inputs.map(([p]) => pkgOf(p)).filter((p): p is string => !!p && roots.has(p)))];
  assert.deepEqual(vendored, [], `dist/features.js bundles ${vendored.join(', ')}: require it through src/core/vendor.ts where it is used, not with a static import`);
  const other = inputs.filter(([p]) => pkgOf(p) && !roots.has(pkgOf(p)!)).reduce((n, [, v]) => n + v.bytesInOutput, 0);
  assert.ok(other <= OTHER_LIBRARIES_BUDGET, `${other} bytes of other library code in dist/features.js (budget ${OTHER_LIBRARIES_BUDGET}): load it on first use (scripts/lib/extensionBuild.mjs)`);
  // and each library is required from its own bundle
  for (const file of ['zod', 'yaml', 'ssh2']) assert.match(code, new RegExp(`require\\("\\./vendor/${file}\\.js"\\)`), `dist/features.js does not require ./vendor/${file}.js`);
});

/** Requires the bundle with `vscode` as an inert stub (every property, call and `new` answers the stub), runs activate(). */
const PROBE = `
const Module = require('module');
const load = Module._load;
const stub = new Proxy(function () {}, {
  get: (_t, k) => (k === 'then' ? undefined : k === Symbol.toPrimitive ? () => 0 : k === Symbol.iterator ? function* () {} : stub),
  apply: () => stub, construct: () => stub, set: () => true, defineProperty: () => true,
});
const vscode = Object.create(new Proxy({}, { get: (_t, k) => (k === 'then' ? undefined : stub) }));
const loaded = [];
Module._load = function (req, ...rest) {
  if (req === 'vscode') return vscode;
  if (/^\\.\\/.*\\.js$/.test(req)) { loaded.push(req); return stub; }
  return load.call(this, req, ...rest);
};
require(process.argv[2]).activate(stub);
// what activate() starts without awaiting (a core load in a promise) has run after a few turns of the event loop
setTimeout(() => process.stdout.write(JSON.stringify(loaded)), 500);
`;

test('loading dist/extension.js and activate() require no lazily loaded file (features, cores, vendor libraries)', async () => {
  const { dir } = await buildExtension();
  writeFileSync(join(dir, 'probe.js'), PROBE);
  const r = spawnSync(process.execPath, [join(dir, 'probe.js'), join(dir, 'extension.js')], { encoding: 'utf8', timeout: 60_000 });
  assert.equal(r.status, 0, r.stderr);
  assert.deepEqual(JSON.parse(r.stdout), [], 'files required at activation');
});

/**
 * Runs dist/features.js's activateFeatures() with `vscode` stubbed (development mode, so the test hooks register too)
 * and prints the ids it passes to registerCommand.
 */
const COMMANDS_PROBE = `
const Module = require('module');
const load = Module._load;
const stub = new Proxy(function () {}, {
  get: (_t, k) => (k === 'then' ? undefined : k === Symbol.toPrimitive ? () => 0 : k === Symbol.iterator ? function* () {} : stub),
  apply: () => stub, construct: () => stub, set: () => true, defineProperty: () => true,
});
const ids = [];
const commands = { registerCommand: (id) => { ids.push(id); return stub; }, executeCommand: () => Promise.resolve() };
const own = { commands, ExtensionMode: { Production: 1, Development: 2, Test: 3 } };
const vscode = Object.create(new Proxy({}, { get: (_t, k) => (k === 'then' ? undefined : k in own ? own[k] : stub) }));
Module._load = function (req, ...rest) { if (req === 'vscode') return vscode; if (/^\\.\\/.*\\.js$/.test(req)) return stub; return load.call(this, req, ...rest); };
const context = new Proxy({}, { get: (_t, k) => (k === 'extensionMode' ? 2 : k === 'subscriptions' ? [] : stub) });
require(process.argv[2]).activateFeatures(context, stub, new Proxy({}, { get: () => () => stub }));
process.stdout.write(JSON.stringify(ids));
`;

test('the shell stubs every command the features register (contributed, internal, test hooks)', async () => {
  const { dir } = await buildExtension();
  writeFileSync(join(dir, 'commands-probe.js'), COMMANDS_PROBE);
  const r = spawnSync(process.execPath, [join(dir, 'commands-probe.js'), join(dir, 'features.js')], { encoding: 'utf8', timeout: 60_000 });
  assert.equal(r.status, 0, r.stderr);
  const registered: string[] = JSON.parse(r.stdout);
  const { INTERNAL_COMMANDS, TEST_HOOK_COMMANDS } = await import('../../src/views/shellCommands.js');
  const pkg = JSON.parse(readFileSync('package.json', 'utf8')) as { contributes: { commands: { command: string }[] } };
  const stubbed = new Set([...pkg.contributes.commands.map((c) => c.command), ...INTERNAL_COMMANDS, ...TEST_HOOK_COMMANDS]);
  assert.ok(registered.includes('llmTraining.launchRun') && registered.includes('llmTraining.checkpoints.pollingForTests'), `the probe saw ${registered.join(', ')}`);
  assert.deepEqual(registered.filter((id) => !stubbed.has(id)), [], 'registered by the features but not stubbed by src/extension.ts (add them to src/views/shellCommands.ts)');
});
