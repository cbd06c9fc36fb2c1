// Bundles the integration suites for the extension host: test/integration/index.ts (the Mocha runner) and every
// test/integration/**/*.test.ts (plus any extra entry points) -> out/integration/<same relative path>.js.
// The extension host is plain Node (24 in code-server, Electron's in test-electron): CommonJS, `vscode` and
// `mocha` stay external (mocha resolves from the repository's node_modules at run time).
import * as esbuild from 'esbuild';
import { readdirSync, rmSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';

export const INTEGRATION_SRC = 'test/integration';
export const INTEGRATION_OUT = 'out/integration';

/** Every *.test.ts below `dir`, sorted (relative paths). */
export function findFiles(dir, suffix) {
  const out = [];
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...findFiles(p, suffix));
    else if (name.endsWith(suffix)) out.push(p);
  }
  return out.sort();
}

/**
 * Bundles the runner and suites. `extraEntries` are more .ts files below test/integration (e.g. *.perf.ts used by
 * the bench). Returns { runner, tests: [absolute .js paths of the *.test.ts suites], extra: [absolute .js paths] }.
 */
export async function bundleIntegrationTests(root, extraEntries = []) {
  const src = join(root, INTEGRATION_SRC);
  const out = join(root, INTEGRATION_OUT);
  rmSync(out, { recursive: true, force: true });
  const tests = findFiles(src, '.test.ts');
  const entries = [join(src, 'index.ts'), ...tests, ...extraEntries.map((e) => resolve(root, e))];
  await esbuild.build({
    entryPoints: entries, outdir: out, outbase: src, bundle: true, platform: 'node', format: 'cjs', target: 'node20',
    sourcemap: 'inline', external: ['vscode', 'mocha'], logLevel: 'warning',
  });
  const js = (f) => join(out, relative(src, f)).replace(/\.ts$/, '.js');
  return { runner: js(join(src, 'index.ts')), tests: tests.map(js), extra: extraEntries.map((e) => js(resolve(root, e))) };
}
