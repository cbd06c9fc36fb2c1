/**
 * `llmtrain data <file> [--config C] [--tokenizer T] [--max-length N] [--host H] [--format text|json]`: the dataset
 * checks of `src/core/dataset` from the command line, on this machine or an SSH host (`--host`). With `--config` and
 * no file, every local dataset the config names is checked.
 *
 * json: `{ rows, format, problems: [{ line?, row?, severity, code, message }], duplicates: { exact, near, examples },
 *        tokens: { max, p50, p95, total, overLimit, histogram, limit?, limitKey?, truncated, dropped, stepsPerEpoch? } | null }`
 *       (an array of `{ file, ... }` when a config's datasets are checked). `exact`/`near` count rows that repeat an
 *       earlier one; examples are `{ kind, line|row, of: { line|row }, similarity? }`.
 * Exit status: 1 when a dataset has an error-severity problem or cannot be read (one line naming the file), 2 on
 * usage errors, 0 otherwise.
 */
import { join, resolve as resolvePath } from 'node:path';
import { checkWithPlan, datasetsInConfig, resolveDataset, formatLabel } from '../core/dataset';
import type { DatasetReport, RowRef } from '../core/dataset';
import { readText, formatBytes } from '../core/files';
import type { FileAccess } from '../core/files';
import { runnerFileAccess } from '../remote/files';
import { workerDedup } from '../remote/dedupWorker';
import { parseWithHost, withRunner, HOST_USAGE, UsageError } from './hostArgs';

const USAGE = `usage: llmtrain data <file> [--config C] [--tokenizer T] [--max-length N] [--host H] [--format text|json]
       llmtrain data --config C [...]      check every local dataset the config names

Checks a dataset (.jsonl, .json, .parquet, .csv): format, bad rows by line, exact and near duplicates, and token
lengths against the run's limit with the run's tokenizer (--tokenizer, or the config's model when it is local).
  --config C       training config (Axolotl, LLaMA-Factory, TRL/HF, torchtune): declared format, limit, batch size
  --tokenizer T    tokenizer.json, tokenizer.model or a model folder
  --max-length N   length limit in tokens (overrides the config's)
  --format F       text (default) or json
${HOST_USAGE}`;

const pos = (r: RowRef | { line?: number; row?: number }): { line: number } | { row: number } => (r.line !== undefined ? { line: r.line } : { row: r.row ?? 0 });

/** The public JSON of a report: exactly the shape the issue specifies (plus the token fields documented above). */
export function reportJson(r: DatasetReport): Record<string, unknown> {
  return {
    rows: r.rows,
    format: r.format,
    problems: r.problems.map((p) => ({ ...(p.line !== undefined ? { line: p.line } : {}), ...(p.row !== undefined ? { row: p.row } : {}), severity: p.severity, code: p.code, message: p.message })),
    duplicates: { exact: r.duplicates.exact, near: r.duplicates.near, examples: r.duplicates.examples.map((e) => ({ kind: e.kind, ...pos(e.ref), of: pos(e.of), ...(e.similarity !== undefined ? { similarity: e.similarity } : {}) })) },
    tokens: r.tokens ? { max: r.tokens.max, p50: r.tokens.p50, p95: r.tokens.p95, total: r.tokens.total, overLimit: r.tokens.overLimit, histogram: r.tokens.histogram, ...(r.tokens.limit !== undefined ? { limit: r.tokens.limit, limitKey: r.tokens.limitKey } : {}), truncated: r.tokens.truncated, dropped: r.tokens.dropped, ...(r.tokens.stepsPerEpoch !== undefined ? { stepsPerEpoch: r.tokens.stepsPerEpoch } : {}) } : null,
  };
}

const n = (v: number): string => v.toLocaleString('en-US');
const where = (file: string, p: { line?: number; row?: number }): string => (p.line !== undefined ? `${file}:${p.line}` : p.row !== undefined ? `${file} row ${p.row}` : file);

/** The text report: summary, problems as `file:line: severity code: message`, duplicates, token lengths. */
export function reportText(file: string, r: DatasetReport): string {
  const out: string[] = [];
  const e = r.problems.filter((p) => p.severity === 'error').length, w = r.problems.filter((p) => p.severity === 'warning').length;
  out.push(`${file}: ${n(r.rows)} rows, ${formatLabel(r.format)}, ${formatBytes(r.bytes)} in ${(r.elapsedMs / 1000).toFixed(1)} s`);
  for (const p of r.problems) out.push(`${where(file, p)}: ${p.severity} ${p.code}: ${p.message}`);
  const d = r.duplicates;
  out.push(`duplicates: ${n(d.exact)} exact, ${n(d.near)} near (MinHash, Jaccard >= 0.8${d.nearCapped ? `, first ${n(d.nearCheckedRows)} distinct rows indexed` : ''})`);
  for (const x of d.examples.slice(0, 5)) out.push(`  ${where(file, x.ref)} repeats ${x.of.line !== undefined ? `line ${x.of.line}` : `row ${x.of.row}`}${x.kind === 'near' ? ` (near, ~${x.similarity})` : ''}`);
  const t = r.tokens;
  if (t) {
    out.push(`tokens (${t.counted}): max ${n(t.max)}, p50 ${n(t.p50)}, p95 ${n(t.p95)}, total ${n(t.total)}`);
    if (t.limit !== undefined) out.push(`  ${t.limitKey} ${n(t.limit)}: ${n(t.overLimit)} rows over it${t.dropped ? `, ${n(t.dropped)} dropped` : ''}${t.truncated ? `, ${n(t.truncated)} truncated` : ''}`);
    if (t.stepsPerEpoch !== undefined) out.push(`  steps per epoch: ${n(t.stepsPerEpoch)} on one GPU (divide by the number of GPUs; without packing)`);
    const peak = Math.max(1, ...t.histogram.map((b) => b.count));
    for (const b of t.histogram) out.push(`  ${String(b.from).padStart(7)}-${String(b.to).padEnd(7)} ${'#'.repeat(Math.round((40 * b.count) / peak)).padEnd(40)} ${n(b.count)}${t.limit !== undefined && b.from <= t.limit && t.limit < b.to ? '  <- limit' : ''}`);
  }
  // Past the listing cap (1000) the problems are counted, not listed: say so rather than under-count.
  const total = Object.values(r.problemCounts).reduce((a, b) => a + b, 0) - (r.problemCounts['more-problems'] ?? 0);
  const listed = r.problems.filter((p) => p.code !== 'more-problems').length;
  out.push(`${e} error(s), ${w} warning(s)${total > listed ? ` listed; ${n(total)} problems in all (${Object.entries(r.problemCounts).filter(([c]) => c !== 'more-problems').map(([c, k]) => `${c}: ${n(k)}`).join(', ')})` : ''}`);
  return `${out.join('\n')}\n`;
}

/** Runs the subcommand. */
export async function runData(args: string[], out: (s: string) => void = (s) => process.stdout.write(s), err: (s: string) => void = (s) => process.stderr.write(s)): Promise<number> {
  const { values, positionals } = parseWithHost(args, { config: { type: 'string' }, tokenizer: { type: 'string' }, 'max-length': { type: 'string' }, format: { type: 'string', default: 'text' } });
  if (values.help) { out(USAGE); return 0; }
  const format = values.format;
  if (format !== 'text' && format !== 'json') throw new UsageError('--format must be text or json');
  let maxLength: number | undefined;
  if (values['max-length'] !== undefined) { maxLength = Number(values['max-length']); if (!Number.isInteger(maxLength) || maxLength <= 0) throw new UsageError('--max-length must be a positive integer'); }
  if (positionals.length > 1) throw new UsageError('one dataset file at a time');
  if (!positionals.length && !values.config) throw new UsageError(`a dataset file or --config is needed\n${USAGE}`);
  const local = (values.host ?? 'local') === 'local';
  const abs = (p: string | undefined): string | undefined => (p === undefined ? undefined : local ? resolvePath(p) : p);
  return withRunner(USAGE, values, async (runner) => {
    const files: FileAccess = runnerFileAccess(runner);
    const input = { configPath: abs(values.config), tokenizerPath: abs(values.tokenizer), maxLength };
    let targets: string[];
    if (positionals.length) targets = [abs(positionals[0])!];
    else {
      const cfg = input.configPath!;
      let text: string;
      try { text = await readText(files, cfg, 4 * 1024 * 1024); } catch (e) { err(`llmtrain data: ${cfg}: ${(e as Error).message}\n`); return 1; }
      const settings = datasetsInConfig(text, cfg);
      if (!settings) { err(`llmtrain data: ${cfg}: not a training config of a framework we know\n`); return 1; }
      targets = [];
      for (const d of settings.datasets) {
        const r = await resolveDataset(files, settings, d);
        if ('error' in r) err(`llmtrain data: ${d.key} ${d.name}: ${r.error}\n`);
        targets.push(...r.specs.map((s) => s.path));
      }
      if (!targets.length) { err(`llmtrain data: ${cfg}: no local dataset to check\n`); return 1; }
    }
    const reports: { file: string; report: DatasetReport }[] = [];
    let failed = false;
    for (const file of targets) {
      try {
        // The duplicate search runs beside the reading in dist/dedupWorker.js (next to dist/cli.js; inline when absent).
        reports.push({ file, report: await checkWithPlan(files, file, input, { dedup: workerDedup({ script: join(__dirname, 'dedupWorker.js') }) }) });
      } catch (e) {
        err(`llmtrain data: ${file}: ${(e as Error).message.replace(`${file}: `, '').replace(`: ${file}`, '')}\n`);
        failed = true;
      }
    }
    if (format === 'json') {
      if (positionals.length) { if (reports[0]) out(`${JSON.stringify(reportJson(reports[0].report), null, 2)}\n`); }
      else out(`${JSON.stringify(reports.map((r) => ({ file: r.file, ...reportJson(r.report) })), null, 2)}\n`);
    } else for (const r of reports) out(reportText(positionals[0] ?? r.file, r.report));
    return failed || reports.some((r) => r.report.problems.some((p) => p.severity === 'error')) ? 1 : 0;
  });
}

export const dataCommand = { summary: 'Check a dataset: format, bad rows by line, duplicates, token lengths vs the run\'s limit', run: (a: string[]) => runData(a) };
