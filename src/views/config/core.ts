/**
 * Lazy access to the config core. Loading it builds every framework's zod schema and parsing its bundle alone is
 * most of the extension's code, so activation only registers providers and the core loads with the first config
 * opened. scripts/build.mjs emits it as dist/configCore.js and points this require() at it
 * (bench/configActivation.bench.ts measures the difference).
 */
export type ConfigCore = typeof import('../../core/config');

let loading: Promise<ConfigCore> | undefined;

/** The config core module, loaded on first call (a rejected load is retried on the next call). */
export function loadConfigCore(): Promise<ConfigCore> {
  loading ??= Promise.resolve().then(() => require('../../core/config/index.js') as ConfigCore).catch((err: unknown) => {
    loading = undefined;
    throw err;
  });
  return loading;
}
