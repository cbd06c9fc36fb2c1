// esbuild plugin for the extension bundle: src/views/config/core.ts's require of the config core becomes
// require('./configCore.js'), a separate bundle (dist/configCore.js) loaded on the first config opened instead of
// being parsed at activation. See bench/configActivation.bench.ts for what that saves.
/** @type {import('esbuild').Plugin} */
export const lazyConfigCore = {
  name: 'lazy-config-core',
  setup(build) {
    build.onResolve({ filter: /core\/config\/index\.js$/ }, (args) =>
      args.kind === 'require-call' && /src[\\/]views[\\/]config[\\/]core\.ts$/.test(args.importer) ? { path: './configCore.js', external: true } : undefined);
  },
};

// The same for the dataset core (it includes the config and tokenizer cores): src/views/dataset/core.ts's require of
// it becomes require('./datasetCore.js'), dist/datasetCore.js, loaded on the first dataset check.
/** @type {import('esbuild').Plugin} */
export const lazyDatasetCore = {
  name: 'lazy-dataset-core',
  setup(build) {
    build.onResolve({ filter: /core\/dataset\/index\.js$/ }, (args) =>
      args.kind === 'require-call' && /src[\\/]views[\\/]dataset[\\/]core\.ts$/.test(args.importer) ? { path: './datasetCore.js', external: true } : undefined);
  },
};
