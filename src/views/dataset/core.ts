/**
 * Lazy access to the dataset core (it bundles the config and tokenizer cores): activation only registers commands,
 * CodeLens and diagnostics; the core loads on the first check or the first config/JSONL file that needs it.
 * scripts/build.mjs emits it as dist/datasetCore.js and points this require() at it.
 */
export type DatasetCore = typeof import('../../core/dataset');

let loading: Promise<DatasetCore> | undefined;
let loaded: DatasetCore | undefined;

/** The dataset core when a call of loadDatasetCore() has loaded it already, else undefined (never loads it). */
export function loadedDatasetCore(): DatasetCore | undefined { return loaded; }

/** The dataset core module, loaded on first call (a rejected load is retried on the next call). */
export function loadDatasetCore(): Promise<DatasetCore> {
  loading ??= Promise.resolve().then(() => (loaded = require('../../core/dataset/index.js') as DatasetCore)).catch((err: unknown) => {
    loading = undefined;
    throw err;
  });
  return loading;
}
