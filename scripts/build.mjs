// Bundles the extension host, the CLI and each webview app with esbuild.
// Usage: node scripts/build.mjs [--production] [--watch]
import * as esbuild from 'esbuild';
import { readdirSync, existsSync, mkdirSync, copyFileSync } from 'node:fs';
import { join } from 'node:path';
import { lazyConfigCore, lazyDatasetCore } from './lib/lazyConfigCore.mjs';

const production = process.argv.includes('--production');
const watch = process.argv.includes('--watch');
// mainFields: prefer ESM builds. jsonc-parser's UMD build requires './impl/*' dynamically, which esbuild cannot
// follow ("Cannot find module './impl/format'" at run time); its "module" entry bundles cleanly.
const common = { bundle: true, sourcemap: !production, minify: production, logLevel: 'warning', legalComments: 'none', mainFields: ['module', 'main'] };

// The config core (zod schemas of seven frameworks, yaml, jsonc-parser: ~750 KB minified) is its own bundle,
// dist/configCore.js, required on the first config opened rather than parsed at activation (lazyConfigCore).
// Static imports of src/core/config elsewhere in the extension still bundle it in (and then pay at activation).
/** @type {esbuild.BuildOptions[]} */
const builds = [
  { ...common, entryPoints: ['src/extension.ts'], outfile: 'dist/extension.js', platform: 'node', format: 'cjs', target: 'node20', external: ['vscode', 'cpu-features', './crypto/build/Release/sshcrypto.node'], plugins: [lazyConfigCore, lazyDatasetCore] },
  { ...common, entryPoints: ['src/core/dataset/index.ts'], outfile: 'dist/datasetCore.js', platform: 'node', format: 'cjs', target: 'node20' },
  { ...common, entryPoints: ['src/core/config/index.ts'], outfile: 'dist/configCore.js', platform: 'node', format: 'cjs', target: 'node20' },
  { ...common, entryPoints: ['src/cli/main.ts'], outfile: 'dist/cli.js', platform: 'node', format: 'cjs', target: 'node20', external: ['cpu-features', './crypto/build/Release/sshcrypto.node'], banner: { js: '#!/usr/bin/env node' } },
];
// One bundle per webview app: webview-ui/<panel>/main.ts -> dist/webview/<panel>.js (+ .css when imported)
for (const dir of readdirSync('webview-ui', { withFileTypes: true })) {
  if (dir.isDirectory() && existsSync(join('webview-ui', dir.name, 'main.ts'))) {
    builds.push({ ...common, entryPoints: [join('webview-ui', dir.name, 'main.ts')], outfile: `dist/webview/${dir.name}.js`, platform: 'browser', format: 'iife', target: 'es2022' });
  }
}
mkdirSync('dist/webview', { recursive: true });
if (watch) {
  for (const b of builds) await (await esbuild.context(b)).watch();
} else {
  await Promise.all(builds.map((b) => esbuild.build(b)));
}
