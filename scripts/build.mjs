// Bundles the extension host, the CLI and each webview app with esbuild.
// Usage: node scripts/build.mjs [--production] [--watch]
import * as esbuild from 'esbuild';
import { mkdirSync } from 'node:fs';
import { lazyConfigCore } from './lib/lazyConfigCore.mjs';
import { webviewApps, webviewBuildOptions } from './lib/webviewBuilds.mjs';

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
  { ...common, entryPoints: ['src/extension.ts'], outfile: 'dist/extension.js', platform: 'node', format: 'cjs', target: 'node20', external: ['vscode', 'cpu-features', './crypto/build/Release/sshcrypto.node'], plugins: [lazyConfigCore] },
  { ...common, entryPoints: ['src/core/config/index.ts'], outfile: 'dist/configCore.js', platform: 'node', format: 'cjs', target: 'node20' },
  { ...common, entryPoints: ['src/cli/main.ts'], outfile: 'dist/cli.js', platform: 'node', format: 'cjs', target: 'node20', external: ['cpu-features', './crypto/build/Release/sshcrypto.node'], banner: { js: '#!/usr/bin/env node' } },
];
// One bundle per webview app: webview-ui/<panel>/main.ts -> dist/webview/<panel>.js (+ .css when imported)
for (const app of webviewApps()) builds.push(webviewBuildOptions(app, { production }));
mkdirSync('dist/webview', { recursive: true });
if (watch) {
  for (const b of builds) await (await esbuild.context(b)).watch();
} else {
  await Promise.all(builds.map((b) => esbuild.build(b)));
}
