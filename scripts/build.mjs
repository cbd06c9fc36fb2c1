// Bundles the extension host, the CLI and each webview app with esbuild.
// Usage: node scripts/build.mjs [--production] [--watch]
import * as esbuild from 'esbuild';
import { cpSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { webviewApps, webviewBuildOptions } from './lib/webviewBuilds.mjs';
import { NATIVE_OPTIONAL, extensionBuildOptions, vendorBuilds } from './lib/extensionBuild.mjs';

const production = process.argv.includes('--production');
const watch = process.argv.includes('--watch');
// mainFields: prefer ESM builds. jsonc-parser's UMD build requires './impl/*' dynamically, which esbuild cannot
// follow ("Cannot find module './impl/format'" at run time); its "module" entry bundles cleanly.
const common = { bundle: true, sourcemap: !production, minify: production, logLevel: 'warning', legalComments: 'none', mainFields: ['module', 'main'] };

// The config core (zod schemas of seven frameworks, yaml, jsonc-parser: ~750 KB minified) is its own bundle,
// dist/configCore.js, required on the first config opened rather than parsed at activation (lazyConfigCore).
// Static imports of src/core/config elsewhere in the extension still bundle it in (and then pay at activation).
// Likewise each library of src/core/vendor.ts (zod, yaml, ssh2, protobufjs, the @huggingface packages, ...) is its own
// bundle, dist/vendor/<name>.js, required on first use (scripts/lib/extensionBuild.mjs).
/** @type {esbuild.BuildOptions[]} */
const builds = [
  ...extensionBuildOptions(common),
  ...vendorBuilds(common, NATIVE_OPTIONAL),
  { ...common, entryPoints: ['src/core/dataset/index.ts'], outfile: 'dist/datasetCore.js', platform: 'node', format: 'cjs', target: 'node20' },
  { ...common, entryPoints: ['src/core/config/index.ts'], outfile: 'dist/configCore.js', platform: 'node', format: 'cjs', target: 'node20' },
  // The tokenizer inspector's encode worker (a worker thread started by path from src/views/tokenizer/workerClient.ts).
  { ...common, entryPoints: ['src/views/tokenizer/encodeWorker.ts'], outfile: 'dist/tokenizerWorker.js', platform: 'node', format: 'cjs', target: 'node20' },
  // The dataset check's duplicate search (a worker thread started by path from src/remote/dedupWorker.ts).
  { ...common, entryPoints: ['src/remote/dedupWorkerMain.ts'], outfile: 'dist/dedupWorker.js', platform: 'node', format: 'cjs', target: 'node20' },
  { ...common, entryPoints: ['src/cli/main.ts'], outfile: 'dist/cli.js', platform: 'node', format: 'cjs', target: 'node20', external: ['cpu-features', './crypto/build/Release/sshcrypto.node', 'onnxruntime-node'], banner: { js: '#!/usr/bin/env node' } },
];
// One bundle per webview app: webview-ui/<panel>/main.ts -> dist/webview/<panel>.js (+ .css when imported)
for (const app of webviewApps()) builds.push(webviewBuildOptions(app, { production }));
mkdirSync('dist/webview', { recursive: true });
// onnxruntime-node (ONNX parity checks) stays outside the bundles and is required lazily on the first export. The
// production build copies its JS and only the linux-x64 CPU binaries (46 MB of its 294 MB) to dist/ort/node_modules,
// where src/remote/onnxExport.ts looks when the package itself is not resolvable (the .vsix has no node_modules).
if (production) copyOnnxRuntime();
function copyOnnxRuntime() {
  const out = 'dist/ort/node_modules';
  const copy = (from, to) => { mkdirSync(join(to, '..'), { recursive: true }); cpSync(from, to, { recursive: true, filter: (p) => !p.endsWith('.map') && !p.endsWith('.d.ts') }); };
  copy('node_modules/onnxruntime-node/package.json', `${out}/onnxruntime-node/package.json`);
  copy('node_modules/onnxruntime-node/dist', `${out}/onnxruntime-node/dist`);
  copy('node_modules/onnxruntime-node/bin/napi-v6/linux/x64', `${out}/onnxruntime-node/bin/napi-v6/linux/x64`);
  copy('node_modules/onnxruntime-common/package.json', `${out}/onnxruntime-common/package.json`);
  copy('node_modules/onnxruntime-common/dist/cjs', `${out}/onnxruntime-common/dist/cjs`);
}
if (watch) {
  for (const b of builds) await (await esbuild.context(b)).watch();
} else {
  await Promise.all(builds.map((b) => esbuild.build(b)));
}
