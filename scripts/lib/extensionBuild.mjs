// The extension host bundle, in one place for the build (scripts/build.mjs) and the activation test
// (test/unit/activationBundle.test.ts), and the libraries it requires on first use (src/core/vendor.ts), each built as its own bundle dist/vendor/<file>.js,
// so that loading dist/extension.js at activation neither parses nor runs them (issue 12: activation vs an empty
// extension). The esbuild plugin below turns every `require('<package>')` call in the extension's own sources into
// `require('./vendor/<file>.js')`; a static `import` of a listed package is left alone (it would bundle the package
// in), and test/unit/activationBundle.test.ts fails on it.
import { lazyConfigCore, lazyDatasetCore } from './lazyConfigCore.mjs';

/** package name -> file name under dist/vendor (without .js). */
export const VENDOR_PACKAGES = {
  zod: 'zod',
  yaml: 'yaml',
  'jsonc-parser': 'jsonc-parser',
  chokidar: 'chokidar',
  protobufjs: 'protobufjs',
  'protobufjs/light': 'protobufjs-light',
  '@huggingface/gguf': 'huggingface-gguf',
  '@huggingface/tokenizers': 'huggingface-tokenizers',
  '@huggingface/jinja': 'huggingface-jinja',
  ssh2: 'ssh2',
  'ssh-config': 'ssh-config',
};

const escape = (s) => s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
const FILTER = new RegExp(`^(?:${Object.keys(VENDOR_PACKAGES).map(escape).join('|')})$`);

/** @type {import('esbuild').Plugin} */
export const lazyVendor = {
  name: 'lazy-vendor',
  setup(build) {
    build.onResolve({ filter: FILTER }, (args) =>
      args.kind === 'require-call' && !/node_modules/.test(args.importer) ? { path: `./vendor/${VENDOR_PACKAGES[args.path]}.js`, external: true } : undefined);
  },
};

/**
 * esbuild options for each dist/vendor bundle (CommonJS, the package's namespace as module.exports).
 * @param {object} common options shared with the extension build (minify, sourcemap, mainFields, ...)
 * @param {string[]} external what the extension build keeps external (ssh2's optional native parts)
 * @returns {import('esbuild').BuildOptions[]}
 */
export function vendorBuilds(common, external) {
  return Object.entries(VENDOR_PACKAGES).map(([pkg, file]) => ({
    ...common,
    stdin: { contents: `module.exports = require(${JSON.stringify(pkg)});`, resolveDir: process.cwd(), loader: 'js' },
    outfile: `dist/vendor/${file}.js`, platform: 'node', format: 'cjs', target: 'node20', external,
  }));
}

/** ssh2's optional native parts: tried in a try/catch, it falls back to JavaScript without them. */
export const NATIVE_OPTIONAL = ['cpu-features', './crypto/build/Release/sshcrypto.node'];

/**
 * src/extension.ts's require of the features (src/features.ts) becomes require('./features.js'), dist/features.js,
 * loaded on the first use of a feature rather than at activation (issue 12: activation vs an empty extension).
 * @type {import('esbuild').Plugin}
 */
export const lazyFeatures = {
  name: 'lazy-features',
  setup(build) {
    build.onResolve({ filter: /^\.\/features$/ }, (args) =>
      args.kind === 'require-call' && /src[\\/]extension\.ts$/.test(args.importer) ? { path: './features.js', external: true } : undefined);
  },
};

/**
 * esbuild options of dist/extension.js, the activation shell (src/extension.ts: placeholders only), and of
 * dist/features.js, every feature (src/features.ts), which the shell requires on first use. In the features bundle the
 * config core, the dataset core and the vendor libraries stay outside it (required on first use); onnxruntime-node is
 * external (a native addon, see scripts/build.mjs).
 * @param {object} common shared options (minify, sourcemap, mainFields, ...)
 * @returns {[import('esbuild').BuildOptions, import('esbuild').BuildOptions]} [shell, features]
 */
export function extensionBuildOptions(common) {
  const node = { ...common, platform: 'node', format: 'cjs', target: 'node20', external: ['vscode', ...NATIVE_OPTIONAL, 'onnxruntime-node'] };
  return [
    { ...node, entryPoints: ['src/extension.ts'], outfile: 'dist/extension.js', plugins: [lazyFeatures] },
    { ...node, entryPoints: ['src/features.ts'], outfile: 'dist/features.js', plugins: [lazyConfigCore, lazyDatasetCore, lazyVendor] },
  ];
}
