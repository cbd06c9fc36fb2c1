/**
 * Lazy access to the config core. Loading it builds every framework's zod schema (about 0.3 s measured on the
 * 2-core dev machine), so activation only registers providers and the core loads with the first config opened.
 */
export type ConfigCore = typeof import('../../core/config');

let loading: Promise<ConfigCore> | undefined;

/** The config core module, loaded on first call. */
export function loadConfigCore(): Promise<ConfigCore> {
  loading ??= import('../../core/config/index.js');
  return loading;
}
