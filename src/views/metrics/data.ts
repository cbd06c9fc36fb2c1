/**
 * Pure conversions for the loss-curve panel host (no vscode import; unit-tested): feed snapshots and batches to
 * protocol messages, CSV export, PNG data-URL decoding.
 */
import type { Alert, MetricPoint, MetricsBatch, MetricsFeed, Progress, SeriesColumns } from '../../core/metrics/types';
import type { AlertMarker, RunData, RunInfo, SeriesData } from '../../shared/protocol/metrics';
import type { SparkRun } from '../../shared/protocol/sparklines';
import { minMaxColumns } from '../../shared/downsample';
import { packColumn } from '../../shared/packedColumn';

function alertMarker(a: Alert): AlertMarker { return { kind: a.kind, series: a.series, step: a.step, message: a.message }; }
function progressOf(p: Progress | undefined): RunData['progress'] { return p ? { step: p.step, total: p.total } : undefined; }

/**
 * One series as protocol columns: steps and times packed when they are an arithmetic sequence (packColumn), else
 * copied to exact length like the values (a typed array is cloned with its whole ArrayBuffer, and a store's columns
 * are views into larger, growing buffers).
 */
export function seriesData(s: SeriesColumns): SeriesData {
  const n = s.steps.length;
  return { name: s.name, steps: packColumn(s.steps.subarray(0, n)), values: s.values.slice(0, n), ...(s.times ? { times: packColumn(s.times.subarray(0, n)) } : {}) };
}

/** Everything a feed has, as the `snapshot` message carries it. */
export function runDataOf(feed: MetricsFeed): RunData {
  const snap = feed.snapshot();
  const r: RunData = { runId: feed.runId, title: feed.title, series: snap.series.map(seriesData), alerts: snap.alerts.map(alertMarker), progress: progressOf(snap.progress) };
  const info = infoOf(feed);
  if (info) r.info = info;
  return r;
}

/** The run's settings, loss scale, tokens axis and notes (feeds without them give undefined). */
export function infoOf(feed: MetricsFeed): RunInfo | undefined { return feed.info?.(); }

/** Pending points and alerts of one run between two sends (batches coalesced). */
export class PendingAppend {
  private points: MetricPoint[] = [];
  private alerts: Alert[] = [];
  private progress: Progress | undefined;
  add(batch: MetricsBatch): void {
    for (const p of batch.points) this.points.push(p);
    for (const a of batch.alerts) this.alerts.push(a);
    if (batch.progress) this.progress = batch.progress;
  }
  get empty(): boolean { return this.points.length === 0 && this.alerts.length === 0 && !this.progress; }
  clear(): void { this.points = []; this.alerts = []; this.progress = undefined; }
  /** The `append` payload (points grouped by series, in arrival order), and clears. */
  take(): { series: SeriesData[]; alerts: AlertMarker[]; progress?: { step: number; total?: number } } {
    const out = { series: groupPoints(this.points), alerts: this.alerts.map(alertMarker), progress: progressOf(this.progress) };
    this.clear();
    return out;
  }
}

/** Groups points by series into columns; `times` only when some point has a time (NaN for the others). */
export function groupPoints(points: readonly MetricPoint[]): SeriesData[] {
  const bySeries = new Map<string, MetricPoint[]>();
  for (const p of points) { let list = bySeries.get(p.series); if (!list) bySeries.set(p.series, (list = [])); list.push(p); }
  const out: SeriesData[] = [];
  for (const [name, list] of bySeries) {
    const n = list.length, steps = new Float64Array(n), values = new Float64Array(n);
    let times: Float64Array | undefined;
    for (let i = 0; i < n; i++) {
      const p = list[i];
      steps[i] = p.step; values[i] = p.value;
      if (p.time !== undefined) { if (!times) times = new Float64Array(n).fill(NaN); times[i] = p.time; }
    }
    out.push({ name, steps, values, ...(times ? { times } : {}) });
  }
  return out;
}

/** RFC 4180 field: quoted when it holds a comma, quote, CR or LF; a leading =,+,-,@ is prefixed with ' (spreadsheet formula injection). */
export function csvField(s: string): string {
  const safe = /^[=+\-@\t\r]/.test(s) ? `'${s}` : s;
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

/** A value as numpy/pandas read it back: shortest round-trip decimal, `nan`, `inf`, `-inf`. */
export function csvNumber(v: number): string {
  if (Number.isNaN(v)) return 'nan';
  if (v === Infinity) return 'inf';
  if (v === -Infinity) return '-inf';
  return String(v);
}

/**
 * All points of the feeds as one long ("tidy") CSV: `run_id,run,series,step,time,value`, one row per point, series in
 * the feed's order, steps ascending; `time` ISO 8601 UTC or empty. Loads with `pandas.read_csv` and pivots by series.
 */
export function metricsCsv(feeds: readonly MetricsFeed[]): string {
  const rows: string[] = ['run_id,run,series,step,time,value'];
  for (const feed of feeds) {
    const id = csvField(feed.runId), title = csvField(feed.title);
    for (const s of feed.snapshot().series) {
      const name = csvField(s.name);
      for (let i = 0; i < s.steps.length; i++) {
        const t = s.times?.[i];
        rows.push(`${id},${title},${name},${csvNumber(s.steps[i])},${t !== undefined && Number.isFinite(t) ? new Date(t).toISOString() : ''},${csvNumber(s.values[i])}`);
      }
    }
  }
  return rows.join('\n') + '\n';
}

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

/** Bytes of a `data:image/png;base64,...` URL. Throws when it is not base64 PNG data. */
export function decodePngDataUrl(dataUrl: string): Uint8Array {
  const prefix = 'data:image/png;base64,';
  if (!dataUrl.startsWith(prefix)) throw new Error('not a PNG data URL');
  const b64 = dataUrl.slice(prefix.length);
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(b64)) throw new Error('PNG data URL is not valid base64');
  const bytes = new Uint8Array(Buffer.from(b64, 'base64'));
  if (bytes.length < 8 || PNG_SIGNATURE.some((b, i) => bytes[i] !== b)) throw new Error('data is not a PNG image (bad signature)');
  return bytes;
}

/** A file name stem from a run title: path separators, control characters and reserved characters replaced. */
/**
 * The default name (without extension) of a chart's CSV/PNG export: the run names without their host, joined by
 * `-vs-` for a comparison, with `-loss` (`tiny-gpt-demo · local` -> `tiny-gpt-demo-loss`; issue 11).
 */
export function exportFileStem(titles: readonly string[]): string {
  // Feed titles read `<run name> · <host>`: the host goes, spaces become dashes (a name a shell takes as is).
  const names = titles.map((t) => t.replace(/\s+·\s+[^·]*$/, '').trim().replace(/\s+/g, '-'));
  return safeFileStem(`${names.join('-vs-')}-loss`);
}

/**
 * A file stem safe on every OS: control and reserved characters become `_`, no leading/trailing dots or spaces, at
 * most 120 characters; `loss-curve` when nothing is left.
 */
export function safeFileStem(title: string): string {
  // eslint-disable-next-line no-control-regex
  const s = title.replace(/[\u0000-\u001f<>:"/\\|?*]+/g, '_').replace(/^[.\s]+|[.\s]+$/g, '').slice(0, 120);
  return s || 'loss-curve';
}

/** Argument shapes `llmTraining.showLossCurve` accepts: a run id, several (comparison), or an object with `runId`/`id` (a tree item). */
export function runIdsOfArgument(arg: unknown, more?: unknown): string[] | undefined {
  // VS Code passes (clicked, selected[]) for multi-selection in tree views.
  if (Array.isArray(more) && more.length > 1) return more.flatMap((a) => runIdsOfArgument(a) ?? []);
  if (typeof arg === 'string' && arg) return [arg];
  if (Array.isArray(arg)) { const ids = arg.flatMap((a) => runIdsOfArgument(a) ?? []); return ids.length ? ids : undefined; }
  if (arg && typeof arg === 'object') {
    const o = arg as { runId?: unknown; id?: unknown; run?: { id?: unknown } };
    for (const v of [o.runId, o.run?.id, o.id]) if (typeof v === 'string' && v) return [v];
  }
  return undefined;
}


/** Sparkline width in points (the view scales it to its width; min/max per column keeps spikes). */
const SPARK_COLUMNS = 160;

/** Picks the series a sparkline shows. */
export function sparkSeries(series: readonly SeriesColumns[]): SeriesColumns | undefined {
  return series.find((s) => s.name === 'loss') ?? series.find((s) => /loss/i.test(s.name) && !/^(eval|val)/i.test(s.name)) ?? series[0];
}

/** A run's sparkline from its feed snapshot. */
export function sparkRunOf(feed: MetricsFeed): SparkRun {
  const snap = feed.snapshot();
  const s = sparkSeries(snap.series);
  const base = { runId: feed.runId, title: feed.title, alerts: snap.alerts.length, total: snap.progress?.total };
  if (!s || s.steps.length === 0) {
    // Issue 11: a failed run's sparkline said "no points yet" for ever; say why it has none, as its chart does.
    const empty = feed.info?.().empty;
    return { ...base, series: s?.name ?? 'loss', xs: new Float64Array(0), ys: new Float64Array(0), latest: null, latestStep: null, ...(empty ? { empty } : {}) };
  }
  const n = s.steps.length;
  const r = minMaxColumns(s.steps.subarray(0, n), s.values.subarray(0, n), s.steps[0], s.steps[n - 1], SPARK_COLUMNS);
  let i = n - 1;
  while (i >= 0 && !Number.isFinite(s.values[i])) i--;
  return { ...base, series: s.name, xs: r.x, ys: r.y, latest: i >= 0 ? s.values[i] : null, latestStep: i >= 0 ? s.steps[i] : null };
}

