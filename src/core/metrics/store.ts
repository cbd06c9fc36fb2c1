/**
 * Columnar metric store: one growable set of typed arrays per series.
 *
 * Layout per point: step as Int32 (upgraded to Float64 for the series the first time a step is not a 32-bit
 * integer), value as Float32 (what TensorBoard itself stores for a scalar), wall time as Float32 seconds after the
 * store's first time (0.25 s resolution over a month; NaN when unknown). That is 12 bytes per point; growth is by
 * 1/4 of the size, so allocated memory stays under 16 bytes per point (`bytesPerPoint` reports it).
 *
 * Appending a point whose step is not after the series' last step starts a new run segment (see parser.ts: a resumed
 * or restarted launch appended to the same log): the series' points at steps >= it leave the live series, as
 * TensorBoard purges orphaned data, but are kept, as W&B shows a resumed run's history: the whole earlier segment
 * moves to a series `<name> (segment k)` (k = 1, 2, ... in order) that the chart draws faded, and `append` reports
 * the restart.
 */
import type { MetricPoint, SeriesColumns } from './types';
import { TOKEN_SERIES } from './names';
import { minMaxColumns, type Downsampled } from '../../shared/downsample';

/** The x-axes a chart can use. `relative`: seconds since the run's first timestamp. `tokens`: tokens seen. */
export type XAxis = 'step' | 'time' | 'relative' | 'tokens';

/** Options of {@link MetricStore}. */
export interface MetricStoreOptions {
  /**
   * Tokens per optimizer step (global batch size x sequence length, x gradient accumulation where the batch counts
   * micro-batches), from the run's config. Used for the tokens axis when the log prints no token count.
   */
  tokensPerStep?: number;
  /** Sequence length from the config: with a `consumed_samples` series (Megatron, NeMo) tokens = samples x this. */
  seqLength?: number;
}

const MIN_CAP = 256;

/** The name the `k`-th (1-based, oldest first) earlier run segment of `series` is kept under: `loss (segment 1)`. The
 * chart's store and `llmtrain metrics` both name segments with it. */
export function segmentName(series: string, k: number): string { return `${series} (segment ${k})`; }

/** A new run segment seen by {@link MetricStore.append}. */
export interface Restart { series: string; step: number; previousLastStep: number; archived: string }
const NO_RESTARTS: Restart[] = [];

class SeriesBuf {
  n = 0;
  steps: Int32Array | Float64Array = new Int32Array(MIN_CAP);
  values = new Float32Array(MIN_CAP);
  times: Float32Array | undefined;
  constructor(readonly name: string) {}

  get capacity(): number { return this.values.length; }

  ensure(extra: number): void {
    const need = this.n + extra;
    if (need <= this.capacity) return;
    const cap = Math.max(MIN_CAP, need, Math.ceil(this.capacity * 1.25));
    const s = this.steps instanceof Int32Array ? new Int32Array(cap) : new Float64Array(cap);
    s.set(this.steps.subarray(0, this.n));
    this.steps = s;
    const v = new Float32Array(cap); v.set(this.values.subarray(0, this.n)); this.values = v;
    if (this.times) { const t = new Float32Array(cap).fill(NaN); t.set(this.times.subarray(0, this.n)); this.times = t; }
  }

  upgradeSteps(): void {
    const s = new Float64Array(this.capacity);
    s.set(this.steps.subarray(0, this.n));
    this.steps = s;
  }

  /** First index whose step is >= step (binary search; steps ascending). */
  lowerBound(step: number): number {
    let lo = 0, hi = this.n;
    const s = this.steps;
    while (lo < hi) { const mid = (lo + hi) >>> 1; if (s[mid] < step) lo = mid + 1; else hi = mid; }
    return lo;
  }
}

/** Points of one series as the store holds them (views, no copy; valid until the next append). */
export interface RawColumns { name: string; length: number; steps: Int32Array | Float64Array; values: Float32Array; times?: Float32Array; timeOrigin?: number }

/** All series of one run. Not thread-safe; append from one place. */
export class MetricStore {
  private readonly bufs = new Map<string, SeriesBuf>();
  private t0: number | undefined;
  /** Points appended minus points dropped by segment purges. */
  private total = 0;
  tokensPerStep: number | undefined;
  seqLength: number | undefined;

  constructor(opts: MetricStoreOptions = {}) { this.tokensPerStep = opts.tokensPerStep; this.seqLength = opts.seqLength; }

  /** Earlier segments per live series name (see the module comment). */
  private readonly segmentsOf = new Map<string, string[]>();

  /** Names of the earlier segments of a series, oldest first (`loss (segment 1)`, ...). */
  segments(name: string): readonly string[] { return this.segmentsOf.get(name) ?? []; }

  /**
   * Appends points in order. NaN/Infinity values are kept (a NaN loss is a point). Returns the restarts these points
   * caused: the series, the step the new segment starts at, the last step of the earlier one and the name it is kept
   * under.
   */
  append(points: readonly MetricPoint[]): Restart[] {
    let restarts: Restart[] | undefined;
    for (let i = 0; i < points.length; i++) {
      const p = points[i];
      let b = this.bufs.get(p.series);
      if (b === undefined) { b = new SeriesBuf(p.series); this.bufs.set(p.series, b); }
      if (b.n > 0 && p.step <= b.steps[b.n - 1]) {
        // Keep the earlier segment whole under its own name; the live series restarts with the new segment's
        // points, and the earlier one's points before the restart step stay in it too (they are what the new launch
        // resumed from), so the live series still covers the whole run.
        const segs = this.segmentsOf.get(p.series) ?? [];
        const archived = segmentName(p.series, segs.length + 1);
        const a = new SeriesBuf(archived);
        a.ensure(b.n);
        if (b.steps instanceof Float64Array) a.upgradeSteps();
        a.steps.set(b.steps.subarray(0, b.n)); a.values.set(b.values.subarray(0, b.n));
        if (b.times) { a.times = new Float32Array(a.capacity).fill(NaN); a.times.set(b.times.subarray(0, b.n)); }
        a.n = b.n;
        this.bufs.set(archived, a);
        this.total += a.n;
        segs.push(archived);
        this.segmentsOf.set(p.series, segs);
        (restarts ??= []).push({ series: p.series, step: p.step, previousLastStep: b.steps[b.n - 1], archived });
        const k = b.lowerBound(p.step);
        this.total -= b.n - k;
        b.n = k;
      }
      b.ensure(1);
      const step = p.step;
      if (b.steps instanceof Int32Array && (step | 0) !== step) b.upgradeSteps();
      b.steps[b.n] = step;
      b.values[b.n] = p.value;
      if (p.time !== undefined) {
        if (this.t0 === undefined) this.t0 = p.time;
        if (b.times === undefined) b.times = new Float32Array(b.capacity).fill(NaN);
        b.times[b.n] = (p.time - this.t0) / 1000;
      } else if (b.times) b.times[b.n] = NaN;
      b.n++;
      this.total++;
    }
    return restarts ?? NO_RESTARTS;
  }

  /** Series names in order of first appearance. */
  seriesNames(): string[] { return [...this.bufs.keys()]; }

  /** Number of points held in all series. */
  get pointCount(): number { return this.total; }

  /** Number of points in a series (0 when unknown). */
  length(name: string): number { return this.bufs.get(name)?.n ?? 0; }

  /** A series as Float64 columns (a copy). `times` in ms since the epoch, NaN where unknown. */
  series(name: string): SeriesColumns | undefined {
    const b = this.bufs.get(name);
    if (!b) return undefined;
    const steps = Float64Array.from(b.steps.subarray(0, b.n));
    const values = Float64Array.from(b.values.subarray(0, b.n));
    const r: SeriesColumns = { name, steps, values };
    if (b.times && this.t0 !== undefined) {
      const t = new Float64Array(b.n);
      const t0 = this.t0;
      for (let i = 0; i < b.n; i++) t[i] = t0 + b.times[i] * 1000;
      r.times = t;
    }
    return r;
  }

  /** The stored columns without copying (for downsampling large series). */
  raw(name: string): RawColumns | undefined {
    const b = this.bufs.get(name);
    if (!b) return undefined;
    const r: RawColumns = { name, length: b.n, steps: b.steps.subarray(0, b.n), values: b.values.subarray(0, b.n) };
    if (b.times) { r.times = b.times.subarray(0, b.n); r.timeOrigin = this.t0; }
    return r;
  }

  /** Every series as Float64 columns. */
  all(): SeriesColumns[] { return this.seriesNames().map((n) => this.series(n)!); }

  /**
   * The name of the series that counts tokens seen, if the log has one: the first of TOKEN_SERIES with points that
   * is a running total (see {@link tokenSeriesProblem}); a per-step count (`Tokens: 4096` each step) is not one.
   */
  tokenSeries(): string | undefined { return TOKEN_SERIES.find((n) => (this.bufs.get(n)?.n ?? 0) > 0 && this.tokenSeriesProblem(n) === undefined); }

  /**
   * Why a tokens series with points is not used as tokens seen, in words (`it goes down from 4096 at step 2 to 4090
   * at step 3`, `it stays at 4096 over steps 1..3`); undefined when it is a running total (non-decreasing, and
   * growing over two or more steps) or has no points. NaN values are skipped. O(points).
   */
  tokenSeriesProblem(name: string): string | undefined {
    const b = this.bufs.get(name);
    if (!b || b.n === 0) return undefined;
    const num = (v: number): number => Number(v.toPrecision(7)); // float32 storage: print what was logged
    let first = -1, prev = -1;
    for (let i = 0; i < b.n; i++) {
      const v = b.values[i];
      if (v !== v) continue;
      if (first < 0) first = i;
      else if (v < b.values[prev]) return `it goes down from ${num(b.values[prev])} at step ${b.steps[prev]} to ${num(v)} at step ${b.steps[i]}`;
      prev = i;
    }
    if (first >= 0 && prev !== first && b.steps[prev] > b.steps[first] && b.values[prev] === b.values[first]) {
      return `it stays at ${num(b.values[first])} over steps ${b.steps[first]}..${b.steps[prev]}`;
    }
    return undefined;
  }

  /** The TOKEN_SERIES the log has that are not running totals, each with {@link tokenSeriesProblem}'s words. */
  rejectedTokenSeries(): Array<{ series: string; why: string }> {
    const out: Array<{ series: string; why: string }> = [];
    for (const n of TOKEN_SERIES) { const why = this.tokenSeriesProblem(n); if (why !== undefined) out.push({ series: n, why }); }
    return out;
  }

  /**
   * x value of each point of a series on the given axis (NaN where unknown):
   * `step`; `time` (ms since the epoch); `relative` (seconds since the run's first timestamp); `tokens` (from the
   * log's token counter, interpolated linearly by step and extrapolated proportionally before its first point; else
   * `consumed_samples` x `seqLength`; else step x `tokensPerStep`). Returns undefined when the axis is not available for this series at all.
   */
  x(name: string, axis: XAxis): Float64Array | undefined {
    const b = this.bufs.get(name);
    if (!b) return undefined;
    const n = b.n;
    const out = new Float64Array(n);
    if (axis === 'step') { for (let i = 0; i < n; i++) out[i] = b.steps[i]; return out; }
    if (axis === 'time' || axis === 'relative') {
      if (!b.times || this.t0 === undefined) return undefined;
      const scale = axis === 'time' ? 1000 : 1;
      const base = axis === 'time' ? this.t0 : 0;
      for (let i = 0; i < n; i++) out[i] = base + b.times[i] * scale;
      return out;
    }
    const tokName = this.tokenSeries();
    if (tokName !== undefined) {
      const t = this.bufs.get(tokName)!;
      for (let i = 0; i < n; i++) out[i] = interpolate(t, b.steps[i]);
      return out;
    }
    const samples = this.bufs.get('consumed_samples');
    if (samples && samples.n > 0 && this.seqLength !== undefined) {
      for (let i = 0; i < n; i++) out[i] = interpolate(samples, b.steps[i]) * this.seqLength;
      return out;
    }
    if (this.tokensPerStep === undefined) return undefined;
    for (let i = 0; i < n; i++) out[i] = b.steps[i] * this.tokensPerStep;
    return out;
  }

  /**
   * The points of a series to draw in `columns` pixel columns between x0 and x1 on an axis (M4 min/max per column,
   * see downsample.ts), re-resolved from the full data at each call. On the step axis no column is copied.
   * Undefined when the series or the axis is not available. x must ascend on the axis (steps and tokens do; wall
   * time does unless ranks' clocks disagree).
   */
  downsample(name: string, x0: number, x1: number, columns: number, axis: XAxis = 'step'): Downsampled | undefined {
    const b = this.bufs.get(name);
    if (!b) return undefined;
    const xs = axis === 'step' ? b.steps.subarray(0, b.n) : this.x(name, axis);
    if (!xs) return undefined;
    return minMaxColumns(xs, b.values.subarray(0, b.n), x0, x1, columns);
  }

  /** Allocated bytes of all series divided by the points held (capacity slack included). */
  get bytesPerPoint(): number {
    let bytes = 0;
    for (const b of this.bufs.values()) bytes += b.steps.byteLength + b.values.byteLength + (b.times?.byteLength ?? 0);
    return this.total === 0 ? 0 : bytes / this.total;
  }
}

/** Value of a (step -> tokens) series at `step`: linear between points, proportional before the first. */
function interpolate(t: SeriesBuf, step: number): number {
  const n = t.n;
  if (n === 0) return NaN;
  const k = t.lowerBound(step);
  if (k < n && t.steps[k] === step) return t.values[k];
  if (k === 0) return t.steps[0] > 0 ? (t.values[0] * step) / t.steps[0] : NaN;
  if (k >= n) {
    if (n < 2) return t.steps[0] > 0 ? (t.values[0] * step) / t.steps[0] : NaN;
    const s0 = t.steps[n - 2], s1 = t.steps[n - 1], v0 = t.values[n - 2], v1 = t.values[n - 1];
    return v1 + ((v1 - v0) / (s1 - s0)) * (step - s1);
  }
  const s0 = t.steps[k - 1], s1 = t.steps[k], v0 = t.values[k - 1], v1 = t.values[k];
  return v0 + ((v1 - v0) * (step - s0)) / (s1 - s0);
}

/** Series of several runs on one x grid (for comparing runs). */
export interface AlignedSeries {
  /** Union of the x values of all runs, ascending. */
  x: Float64Array;
  /** One column per run, NaN where that run has no point at that x. */
  ys: Float64Array[];
  runIds: string[];
}

/**
 * Aligns one series of several runs on the union of their x values (like uPlot.join): each run's value at an x it
 * has, NaN elsewhere (a chart bridges gaps or not as it likes). Runs without the series get an all-NaN column.
 */
export function alignSeries(runs: ReadonlyArray<{ runId: string; store: MetricStore }>, name: string, axis: XAxis = 'step'): AlignedSeries {
  const cols = runs.map((r) => {
    const xs = r.store.x(name, axis);
    const raw = r.store.raw(name);
    return { xs, vs: raw?.values };
  });
  const all: number[] = [];
  for (const c of cols) if (c.xs) for (const v of c.xs) if (v === v) all.push(v);
  all.sort((a, b) => a - b);
  const xu: number[] = [];
  for (const v of all) if (xu.length === 0 || xu[xu.length - 1] !== v) xu.push(v);
  const x = Float64Array.from(xu);
  const index = new Map<number, number>();
  xu.forEach((v, i) => index.set(v, i));
  const ys = cols.map((c) => {
    const y = new Float64Array(x.length).fill(NaN);
    if (c.xs && c.vs) for (let i = 0; i < c.xs.length; i++) { const k = index.get(c.xs[i]); if (k !== undefined && y[k] !== y[k]) y[k] = c.vs[i]; }
    return y;
  });
  return { x, ys, runIds: runs.map((r) => r.runId) };
}
