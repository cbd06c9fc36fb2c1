/**
 * `llmtrain metrics <file> [--format json|csv|text]`: parses a training log (any format the metrics core reads:
 * text logs, trainer_state.json, metrics.csv, JSONL, TensorBoard event files) and prints its series and alerts.
 *
 * json: `{ "format": "<detected>", "series": { "<name>": [[step, value], ...] },
 *       "alerts": [{ "kind", "series", "step", "message" }] (the message the text output and the chart print),
 *       "meta": { ... }, "settings": RunSettings, "lossScale": { "factor", "reason", "conditional", "applies"? } | null,
 *       "tokens": { "how", "series"?, "tokensPerStep"? } | null, "notes": [...], "empty"?: "...",
 *       "launches"?: [{ "launch", "firstStep"?, "lastStep"?, "series", "settings", "lossScale"? }] }`
 *       `lossScale` is the whole log's only where every launch carries it; `launches` (a log with more than one launch)
 *       says per launch which factor its loss carries (a resume under another transformers version or GA).
 *       with NaN/±Infinity written as the strings "nan", "inf", "-inf". A log with a second launch appended keeps the
 *       earlier launch's points as `<name> (segment k)` series, as the chart does. `meta` is what the parser reported
 *       (banner settings, final summary, `unplaced_points`, `relogged_points`, ...); settings, lossScale, tokens, notes and empty are the
 *       chart's own (core/metrics `FeedInfo`, from `feed.info()`). `lossScale` is the factor the *logged loss* carries
 *       relative to the per-token loss (not the fp16 `loss_scale` series); `conditional: true` means it holds only if
 *       `applies` is true of the run (Megatron-LM's context-parallel factor, for versions before September 2024; the
 *       transformers 4.46–4.47 GA factor, for models that take the loss kwargs), which the settings do not settle:
 *       divide by `factor` only when `conditional` is false or you know `applies` holds.
 * csv:  `series,step,value` rows.
 * A log beside a `run.json` (a run folder) gets the run's settings from its config snapshot and launch command, as the
 * run's chart does; the log's banner fills in the rest.
 * text (default): a summary per series (count, first/last/min/max), the meta, the settings, the logged loss factor, Tokens axis
 *       source and notes, and the alerts.
 */
import { createReadStream } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { createMetricsFeed, segmentName } from '../core/metrics';
import type { Alert, FeedInfo, LossScale, MetricPoint, RunSettings } from '../core/metrics';
import type { RunRecord } from '../core/runs/types';
import { LocalRunner } from '../remote/localRunner';
import { runSettingsOf } from '../remote/runs';
import { tokensPerStepMissing } from '../shared/runSettings';

const USAGE = 'usage: llmtrain metrics <file|-> [--format json|csv|text]\n';

/** A parsed log as the CLI prints it: exact values per series (the store keeps float32); a restarted run's earlier
 * segments are series of their own (`loss (segment 1)`, ...), as in the chart. */
export interface CliResult {
  format: string;
  series: Map<string, Array<[number, number]>>;
  alerts: Alert[];
  /** What the parser reported beside the points (banner settings, summary, `unplaced_points`, `relogged_points`, ...). */
  meta: Record<string, number | string>;
  /** What the chart's notes are made of: settings, loss scale, Tokens axis source, notes (`feed.info()`). */
  info: FeedInfo;
}

/**
 * The settings the chart of a run gets (views/runs/feeds.ts: `runSettingsOf` on the run's record, then
 * `feed.updateSettings`), for a log that sits in a local run folder: `run.json` beside it (as `llmtrain run` and the
 * Runs view write them: `<runs>/<id>/run.json`, `output.log`, `config/<name>`). The record's config snapshot is read
 * from this folder when the record names it inside its own run folder (a folder copied from another host keeps the
 * host's paths). Undefined when there is no run.json beside the log or it is not a run record; never throws.
 */
export async function runFolderSettings(file: string): Promise<RunSettings | undefined> {
  if (file === '-') return undefined;
  const dir = dirname(file);
  let record: RunRecord;
  try {
    const v = JSON.parse(await readFile(join(dir, 'run.json'), 'utf8')) as Partial<RunRecord> | null;
    if (!v || typeof v !== 'object' || !Array.isArray(v.argv) || typeof v.logPath !== 'string') return undefined;
    record = v as RunRecord;
  } catch { return undefined; }
  const recordedDir = dirname(record.logPath);
  const snap = record.configSnapshot;
  const local = snap && snap.startsWith(`${recordedDir}/`) ? { ...record, configSnapshot: join(dir, snap.slice(recordedDir.length + 1)) } : record;
  return runSettingsOf(new LocalRunner(), local);
}

/**
 * Reads and parses a log file (or stdin for '-'), streaming it through a metrics feed. A log in a run folder gets its
 * run's settings (config snapshot, launch command) as the chart does (see {@link runFolderSettings}).
 */
export async function readMetrics(file: string): Promise<CliResult> {
  const settings = await runFolderSettings(file);
  const feed = createMetricsFeed(file, basename(file), { fileName: file === '-' ? undefined : basename(file), now: null, ...(settings ? { settings } : {}) });
  const series = new Map<string, Array<[number, number]>>();
  const segments = new Map<string, number>();
  const collect = (points: MetricPoint[]): void => {
    for (const p of points) {
      let s = series.get(p.series);
      if (!s) { s = []; series.set(p.series, s); }
      if (s.length > 0 && p.step <= s[s.length - 1][0]) {
        // A re-logged step starts a new run segment, as in the chart's store (core/metrics/store.ts, MetricStore.append):
        // the earlier segment is kept whole under segmentName(), and the live series keeps its points before the step.
        const k = (segments.get(p.series) ?? 0) + 1;
        segments.set(p.series, k);
        series.set(segmentName(p.series, k), s.slice());
        while (s.length > 0 && s[s.length - 1][0] >= p.step) s.pop();
      }
      s.push([p.step, p.value]);
    }
  };
  const stream = file === '-' ? process.stdin : createReadStream(file);
  await new Promise<void>((resolve, reject) => {
    stream.on('data', (chunk: Buffer | string) => collect(feed.pushChunk(typeof chunk === 'string' ? chunk : new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength)).points));
    stream.on('end', () => resolve());
    stream.on('error', reject);
  });
  collect(feed.end().points);
  return { format: feed.format, series, alerts: feed.snapshot().alerts, meta: { ...feed.meta }, info: feed.info() };
}

/** JSON number or the strings "nan", "inf", "-inf". */
function jsonValue(v: number): number | string { return v === v ? (v === Infinity ? 'inf' : v === -Infinity ? '-inf' : v) : 'nan'; }
function csvValue(v: number): string { return v === v ? (v === Infinity ? 'inf' : v === -Infinity ? '-inf' : String(v)) : 'nan'; }
function csvField(s: string): string { return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s; }

/** Words for the settings fields, in the order the text output lists them. */
const SETTING_WORDS: Array<[Exclude<keyof RunSettings, 'sources'>, string]> = [
  ['gradientAccumulationSteps', 'gradient accumulation'], ['microBatchSize', 'micro batch'], ['globalBatchSize', 'global batch'],
  ['seqLength', 'sequence length'], ['worldSize', 'world size'], ['tensorParallel', 'tensor parallel'],
  ['pipelineParallel', 'pipeline parallel'], ['contextParallel', 'context parallel'], ['frameworkVersion', 'framework'],
];

/** `settings (log banner): gradient accumulation 4, global batch 32, framework transformers 4.46.1`, one line per
 * source, or one line saying there are none. */
function settingsLines(s: RunSettings): string[] {
  const bySource = new Map<string, string[]>();
  for (const [field, words] of SETTING_WORDS) {
    const v = s[field];
    if (v === undefined) continue;
    const src = s.sources[field] ?? 'unknown';
    let l = bySource.get(src);
    if (!l) { l = []; bySource.set(src, l); }
    l.push(`${words} ${v}`);
  }
  if (bySource.size === 0) return ['settings: none read from the log (batch, parallel sizes, sequence length, framework version)'];
  return [...bySource].map(([src, l]) => `settings (${src}): ${l.join(', ')}`);
}

/** A logged loss factor in words: `4× (reason)`, or `2×, only if <applies> (reason)` where it is conditional. */
function factorText(f: LossScale): string {
  return f.conditional ? `${f.factor}×, only if ${f.applies} (${f.reason})` : `${f.factor}× (${f.reason})`;
}

/** Renders a result in one of the output formats. */
export function renderMetrics(r: CliResult, format: 'json' | 'csv' | 'text'): string {
  if (format === 'json') {
    const series: Record<string, Array<[number, number | string]>> = {};
    for (const [name, pts] of r.series) series[name] = pts.map(([s, v]) => [s, jsonValue(v)]);
    const { settings, lossScale, tokens, notes, empty, launches } = r.info;
    return `${JSON.stringify({
      format: r.format, series, alerts: r.alerts.map((a) => ({ kind: a.kind, series: a.series, step: a.step, message: a.message })),
      meta: r.meta, settings, lossScale: lossScale ?? null, tokens: tokens ?? null, notes, ...(empty !== undefined ? { empty } : {}),
      ...(launches ? { launches } : {}),
    })}\n`;
  }
  if (format === 'csv') {
    const lines = ['series,step,value'];
    for (const [name, pts] of r.series) for (const [s, v] of pts) lines.push(`${csvField(name)},${s},${csvValue(v)}`);
    return `${lines.join('\n')}\n`;
  }
  const lines = [`format: ${r.format}`];
  for (const [name, pts] of r.series) {
    const finite = pts.map((p) => p[1]).filter(Number.isFinite);
    const nan = pts.length - finite.length;
    const first = pts[0], last = pts[pts.length - 1];
    // A loop, not Math.min(...finite): spreading a pretraining run's points as arguments overflows the stack.
    let min = Infinity, max = -Infinity;
    for (const v of finite) { if (v < min) min = v; if (v > max) max = v; }
    const range = finite.length ? `min ${min}  max ${max}` : '';
    lines.push(`  ${name}: ${pts.length} points, steps ${first[0]}..${last[0]}, first ${csvValue(first[1])}, last ${csvValue(last[1])}  ${range}${nan ? `  (${nan} non-finite)` : ''}`);
  }
  const meta = Object.entries(r.meta);
  if (meta.length) lines.push(`meta: ${meta.map(([k, v]) => `${k}=${v}`).join(', ')}`);
  const { settings, lossScale, tokens, notes, empty, launches } = r.info;
  if (empty !== undefined) lines.push(`empty: ${empty}`);
  lines.push(...settingsLines(settings));
  // Worded as what it is, a multiplier of the logged loss (`loss scale` reads as the fp16 loss_scale series), and, where
  // it holds only under a condition the log does not settle, as that condition.
  if (lossScale) lines.push(`logged loss factor: ${factorText(lossScale)}`);
  else if (launches?.some((l) => l.lossScale)) {
    // launches on different scales: the rescaled view divides only the ones that carry a factor
    for (const l of launches) {
      const at = l.firstStep === undefined ? 'no loss yet' : `steps ${l.firstStep}..${l.lastStep}`;
      lines.push(`logged loss factor, launch ${l.launch} (${at}, ${l.settings.frameworkVersion ?? 'framework unknown'}): ${l.lossScale ? factorText(l.lossScale) : 'none (the per-token loss; not rescaled)'}`);
    }
  }
  lines.push(`tokens axis: ${tokens ? tokens.how : `none (no running total of tokens seen in the log; tokens per step need ${tokensPerStepMissing(settings) ?? 'settings this log does not give'})`}`);
  // the chart's notes repeat the loss-scale reason printed just above: once is enough here
  const reasons = [lossScale, ...(launches ?? []).map((l) => l.lossScale)].filter((x) => x !== undefined).map((x) => x.reason);
  const rest = notes.filter((n) => !reasons.some((why) => n.includes(why)) && !(launches && /^Launch \d+ \(.*\) logs the per-token loss/.test(n)));
  if (rest.length) { lines.push('notes:'); for (const n of rest) lines.push(`  ${n}`); }
  if (r.alerts.length === 0) lines.push('alerts: none');
  else { lines.push('alerts:'); for (const a of r.alerts) lines.push(`  [${a.kind}] step ${a.step}: ${a.message}`); }
  return `${lines.join('\n')}\n`;
}

/** The `metrics` subcommand. Exit codes: 0 ok, 1 unreadable file, 2 bad usage. */
export const metricsCommand = {
  summary: 'parse a training log and print its series and alerts',
  async run(args: string[]): Promise<number> {
    let format: 'json' | 'csv' | 'text' = 'text';
    let file: string | undefined;
    for (let i = 0; i < args.length; i++) {
      const a = args[i];
      if (a === '--format' || a === '-f') {
        const f = args[++i];
        if (f !== 'json' && f !== 'csv' && f !== 'text') { process.stderr.write(`llmtrain metrics: --format must be json, csv or text\n${USAGE}`); return 2; }
        format = f;
      } else if (a.startsWith('--format=')) {
        const f = a.slice(9);
        if (f !== 'json' && f !== 'csv' && f !== 'text') { process.stderr.write(`llmtrain metrics: --format must be json, csv or text\n${USAGE}`); return 2; }
        format = f;
      } else if (a === '--help' || a === '-h') { process.stdout.write(USAGE); return 0; }
      else if (a.startsWith('-') && a !== '-') { process.stderr.write(`llmtrain metrics: unknown option ${a}\n${USAGE}`); return 2; }
      else if (file === undefined) file = a;
      else { process.stderr.write(`llmtrain metrics: one file at a time\n${USAGE}`); return 2; }
    }
    if (file === undefined) { process.stderr.write(USAGE); return 2; }
    let r: CliResult;
    try { r = await readMetrics(file); } catch (e) {
      process.stderr.write(`llmtrain metrics: cannot read ${file}: ${e instanceof Error ? e.message : String(e)}\n`);
      return 1;
    }
    process.stdout.write(renderMetrics(r, format));
    return 0;
  },
};
