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
