/**
 * The first activation stays cheap (issue 12: `extension.activate` vs an empty extension): dist/extension.js carries
 * none of the libraries of src/core/vendor.ts, and loading it and running activate() requires none of the files the
 * extension loads on first use (dist/vendor/*.js, dist/configCore.js, dist/datasetCore.js).
 * - the module graph of dist/extension.js as scripts/build.mjs builds it (esbuild's metafile, same options);
 * - that bundle, required in a fresh Node process with `vscode` stubbed, then activate() with a stub context.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import * as esbuild from 'esbuild';

/** Other library code allowed in dist/extension.js (bytes of minified output); today there is none. */
const OTHER_LIBRARIES_BUDGET = 64 * 1024;

let built: Promise<{ dir: string; metafile: esbuild.Metafile; code: string }> | undefined;
/** dist/extension.js built as scripts/build.mjs builds it for `npm run package` (minified), into a temp folder. */
function buildExtension(): Promise<{ dir: string; metafile: esbuild.Metafile; code: string }> {
  built ??= (async () => {
    const { extensionBuildOptions } = await import('../../scripts/lib/extensionBuild.mjs');
    const dir = mkdtempSync(join(tmpdir(), 'llmts-activation-bundle-'));
    const outfile = join(dir, 'extension.js');
    const r = await esbuild.build({ ...extensionBuildOptions({ bundle: true, minify: true, legalComments: 'none', mainFields: ['module', 'main'] }), outfile, metafile: true, logLevel: 'silent', write: false });
    const out = r.outputFiles!.find((f) => f.path === outfile)!;
    writeFileSync(outfile, out.contents);
    return { dir, metafile: r.metafile!, code: out.text };
  })();
  return built;
}

test.after(async () => { if (built) rmSync((await built).dir, { recursive: true, force: true }); });

test('dist/extension.js bundles none of the lazily required libraries, and little other library code', async () => {
  const { VENDOR_PACKAGES } = await import('../../scripts/lib/extensionBuild.mjs');
  const { metafile, code } = await buildExtension();
  const output = Object.values(metafile.outputs).find((o) => o.entryPoint === 'src/extension.ts')!;
  const pkgOf = (p: string) => /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(p)?.[1];
  const roots = new Set(Object.keys(VENDOR_PACKAGES).map((p) => p.split('/').slice(0, p.startsWith('@') ? 2 : 1).join('/')));
  const inputs = Object.entries(output.inputs);
  assert.ok(inputs.some(([p]) => p === 'src/extension.ts'), 'the metafile lists the extension\'s own sources');
  const vendored = [...new Set(inputs.map(([p]) => pkgOf(p)).filter((p): p is string => !!p && roots.has(p)))];
  assert.deepEqual(vendored, [], `dist/extension.js bundles ${vendored.join(', ')}: require it through src/core/vendor.ts where it is used, not with a static import`);
  const other = inputs.filter(([p]) => pkgOf(p) && !roots.has(pkgOf(p)!)).reduce((n, [, v]) => n + v.bytesInOutput, 0);
  assert.ok(other <= OTHER_LIBRARIES_BUDGET, `${other} bytes of other library code in dist/extension.js (budget ${OTHER_LIBRARIES_BUDGET}): load it on first use (scripts/lib/extensionBuild.mjs)`);
  // and each library is required from its own bundle
  for (const file of ['zod', 'yaml', 'ssh2']) assert.match(code, new RegExp(`require\\("\\./vendor/${file}\\.js"\\)`), `dist/extension.js does not require ./vendor/${file}.js`);
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

test('loading dist/extension.js and activate() require no lazily loaded file (cores, vendor libraries)', async () => {
  const { dir } = await buildExtension();
  writeFileSync(join(dir, 'probe.js'), PROBE);
  const r = spawnSync(process.execPath, [join(dir, 'probe.js'), join(dir, 'extension.js')], { encoding: 'utf8', timeout: 60_000 });
  assert.equal(r.status, 0, r.stderr);
  assert.deepEqual(JSON.parse(r.stdout), [], 'files required at activation');
});
