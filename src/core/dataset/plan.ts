/**
 * Turns "this file, maybe this config, maybe this tokenizer, maybe this limit" into the options of one check, the
 * same way for the CLI and the editor: the config's declared format and field mapping when the file is one of its
 * datasets, its length limit and policy, its batch per GPU, and the run's tokenizer (`--tokenizer`, else the
 * config's tokenizer/model when it is a local path on the same host), loaded with the tokenizer core.
 */
import type { FileAccess } from '../files';
import { readText, normalizePath } from '../files';
import { loadTokenizer } from '../tokenizer';
import type { CheckOptions } from './check';
import { checkDataset } from './check';
import { datasetsInConfig, resolveDataset } from './resolve';
import type { RunSettings } from './resolve';
import { tokenCounter } from './lengths';
import type { DatasetProblem, DatasetReport, DatasetSpec } from './types';

/** What the caller knows about the check. Paths are on the host of `files`. */
export interface PlanInput {
  /** Training config (path); its text is read through `files` unless `configText` is given (an open editor). */
  configPath?: string; configText?: string;
  /** Tokenizer file or folder; overrides the config's. */
  tokenizerPath?: string;
  /** Length limit; overrides the config's. */
  maxLength?: number;
  /** Declared spec (the editor passes the resolved dataset of a CodeLens). */
  spec?: Omit<DatasetSpec, 'path'>;
}

/** Options for checkDataset plus findings about the setup (tokenizer not found, config not a training config). */
export interface Plan { opts: CheckOptions; notes: DatasetProblem[]; settings?: RunSettings; tokenizerPath?: string }

const looksLocal = (s: string): boolean => s.startsWith('/') || s.startsWith('./') || s.startsWith('../') || s.startsWith('~');

/** Builds the check options for `path`. Rejects only when an explicit `tokenizerPath` cannot be loaded. */
export async function planCheck(files: FileAccess, path: string, input: PlanInput): Promise<Plan> {
  const notes: DatasetProblem[] = [];
  const opts: CheckOptions = { spec: input.spec };
  let settings: RunSettings | undefined;
  if (input.configPath) {
    const text = input.configText ?? await readText(files, input.configPath, 4 * 1024 * 1024);
    settings = datasetsInConfig(text, input.configPath);
    if (!settings) notes.push({ severity: 'warning', code: 'config-not-recognised', message: `${input.configPath} is not a training config of a framework we know; its limits and batch are not used.` });
  }
  if (settings) {
    if (!opts.spec) {
      for (const d of settings.datasets) {
        const r = await resolveDataset(files, settings, d).catch(() => undefined);
        const hit = r?.specs.find((s) => normalizePath(s.path) === normalizePath(path));
        if (hit) { opts.spec = { declared: hit.declared, declaredAs: hit.declaredAs, fields: hit.fields }; break; }
      }
    }
    opts.limit = settings.limit;
    if (settings.batch) opts.batch = { micro: settings.batch.micro, gas: settings.batch.gas };
  }
  if (input.maxLength !== undefined) opts.limit = { value: input.maxLength, key: opts.limit ? `${opts.limit.key} (--max-length)` : '--max-length', policy: opts.limit?.policy ?? 'unknown', why: opts.limit?.why ?? 'the framework decides whether they are truncated or dropped' };

  let tokPath = input.tokenizerPath;
  if (!tokPath && settings?.tokenizer) {
    const t = settings.tokenizer;
    const candidate = t.name.startsWith('/') ? t.name : looksLocal(t.name) ? normalizePath(`${settings.configPath.replace(/\/[^/]*$/, '')}/${t.name}`) : undefined;
    if (candidate && await files.stat(candidate)) tokPath = candidate;
    else notes.push({ severity: 'info', code: 'tokenizer-not-local', message: `The config's tokenizer (${t.key}: ${t.name}) is not a local path on ${files.host}; token lengths need --tokenizer (a tokenizer.json, tokenizer.model or model folder).` });
  }
  if (tokPath) {
    const tok = await loadTokenizer(files, tokPath);
    opts.tokens = tokenCounter(tok, settings?.framework, tokPath.replace(/\/+$/, '').split('/').pop() ?? tokPath);
  } else if (!settings?.tokenizer) notes.push({ severity: 'info', code: 'no-tokenizer', message: 'No tokenizer given: token lengths were not counted (pass --tokenizer or a config naming a local model).' });
  return { opts, notes, settings, tokenizerPath: tokPath };
}

/** planCheck + checkDataset, with the plan's notes first among the problems. */
export async function checkWithPlan(files: FileAccess, path: string, input: PlanInput, extra: Pick<CheckOptions, 'signal' | 'onProgress' | 'dedup'> = {}): Promise<DatasetReport> {
  const plan = await planCheck(files, path, input);
  const report = await checkDataset(files, path, { ...plan.opts, ...extra });
  for (const n of plan.notes) report.problemCounts[n.code] = (report.problemCounts[n.code] ?? 0) + 1;
  report.problems.unshift(...plan.notes);
  if (plan.tokenizerPath) report.tokenizerPath = plan.tokenizerPath;
  return report;
}
