/**
 * The full data the chart holds in the webview: per run and series, growable typed-array columns of every point
 * received (the host sends each point once). Zooming re-resolves from here; nothing is re-requested from the host.
 */
import type { AlertMarker, RunData, SeriesData, XAxisMode } from '../../src/shared/protocol/metrics';

/** A Float64Array that grows by doubling; `data` has `length` valid entries. */
export class Column {
  data: Float64Array;
  length = 0;
  constructor(capacity = 1024) { this.data = new Float64Array(capacity); }
  /** Appends; when empty, takes `values` itself as storage (a received message's arrays are ours: no copy). */
  append(values: ArrayLike<number>, fill?: number): void {
    if (this.length === 0 && fill === undefined && values instanceof Float64Array && values.byteOffset === 0 && values.length === values.buffer.byteLength / 8) {
      this.data = values; this.length = values.length; return;
    }
    const need = this.length + values.length;
    if (need > this.data.length) {
      const grown = new Float64Array(Math.max(need, this.data.length * 2));
      grown.set(this.data.subarray(0, this.length));
      this.data = grown;
    }
    if (fill === undefined) this.data.set(values as ArrayLike<number>, this.length);
    else this.data.fill(fill, this.length, need);
    this.length = need;
  }
  view(): Float64Array { return this.data.subarray(0, this.length); }
}

/** One series of one run. `key` is `runId + '\u0000' + name` (unique within a panel). */
export class SeriesStore {
  readonly steps = new Column();
  readonly values = new Column();
  readonly times = new Column();
  /** Points with a known wall time. */
  timed = 0;
  /** Bumped when data is replaced (not appended), so derived caches rebuild. */
  generation = 0;
  constructor(readonly key: string, readonly runId: string, readonly runTitle: string, readonly name: string) {}

  get length(): number { return this.steps.length; }

  append(s: SeriesData): void {
    const n = s.steps.length;
    if (s.values.length !== n || (s.times && s.times.length !== n)) throw new Error(`series ${this.name}: steps/values/times lengths differ`);
    this.steps.append(s.steps);
    this.values.append(s.values);
    if (s.times) { this.times.append(s.times); for (let i = 0; i < n; i++) if (Number.isFinite(s.times[i])) this.timed++; }
    else this.times.append(s.steps, NaN);
  }

  /** Evaluation series (HF Trainer `eval_*`, Megatron `validation ...`, `val_*`) are drawn with markers, unsmoothed. */
  get isEval(): boolean { return /^(eval|val|validation|test)[_/ ]/i.test(this.name); }
}

/**
 * x values of a series for an x-axis mode: steps; wall time in seconds since the epoch; or seconds since the run's
 * first timed point. Wall times can step back (clock adjustments, a resumed run's log); x must ascend, so times are
 * carried forward as a running maximum, and points without a time take the previous one.
 * Returns undefined when the mode needs times and the series has none.
 */
export function xColumn(s: SeriesStore, mode: XAxisMode, runStartMs: number): Float64Array | undefined {
  if (mode === 'step') return s.steps.view();
  if (s.timed === 0) return undefined;
  const n = s.length, t = s.times.data, out = new Float64Array(n);
  let prev = -Infinity;
  let firstKnown = NaN;
  for (let i = 0; i < n; i++) if (Number.isFinite(t[i])) { firstKnown = t[i]; break; }
  const base = mode === 'relative' ? runStartMs : 0;
  for (let i = 0; i < n; i++) {
    const ti = Number.isFinite(t[i]) ? t[i] : Number.isFinite(prev) ? prev : firstKnown;
    prev = Math.max(prev, ti);
    out[i] = (prev - base) / 1000;
  }
  return out;
}

/** Runs and their series and alerts, as received. */
export class ChartStore {
  readonly runs = new Map<string, { title: string; series: Map<string, SeriesStore>; alerts: AlertMarker[]; progress?: { step: number; total?: number }; startMs: number }>();
  /** Bumped on every change, for cheap "is the drawing current" checks. */
  version = 0;

  reset(runs: RunData[]): void {
    this.runs.clear();
    for (const r of runs) {
      this.runs.set(r.runId, { title: r.title, series: new Map(), alerts: [], progress: r.progress, startMs: Infinity });
      this.append(r.runId, r.series, r.alerts, r.progress);
    }
    this.version++;
  }

  /** Adds points; returns the series that grew. Unknown runs are ignored (a late message for a closed comparison). */
  append(runId: string, series: SeriesData[], alerts: AlertMarker[], progress?: { step: number; total?: number }): SeriesStore[] {
    const run = this.runs.get(runId);
    if (!run) return [];
    const grown: SeriesStore[] = [];
    for (const s of series) {
      let st = run.series.get(s.name);
      if (!st) { st = new SeriesStore(`${runId}\u0000${s.name}`, runId, run.title, s.name); run.series.set(s.name, st); }
      st.append(s);
      if (s.times) for (let i = 0; i < s.times.length; i++) if (s.times[i] < run.startMs) run.startMs = s.times[i];
      grown.push(st);
    }
    run.alerts.push(...alerts);
    if (progress) run.progress = progress;
    this.version++;
    return grown;
  }

  allSeries(): SeriesStore[] { return [...this.runs.values()].flatMap((r) => [...r.series.values()]); }

  totalPoints(): number { let n = 0; for (const s of this.allSeries()) n += s.length; return n; }
}
