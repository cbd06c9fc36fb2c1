/**
 * The full data the chart holds in the webview: per run and series, growable typed-array columns of every point
 * received (the host sends each point once). Zooming re-resolves from here; nothing is re-requested from the host.
 */
import type { AlertMarker, RunData, RunInfo, SeriesData, XAxisMode } from '../../src/shared/protocol/metrics';
import { OFFSET_NAN, columnAt, columnLength, isArithmetic, isOffsets, unpackColumn, type ArithmeticColumn, type PackedColumn } from '../../src/shared/packedColumn';

const SEGMENT_RE = /^(.*) \(segment \d+\)$/;

/** First index in data[0, n) whose value is >= x. */
function lowerBound(data: Float64Array, n: number, x: number): number {
  let lo = 0, hi = n;
  while (lo < hi) { const mid = (lo + hi) >>> 1; if (data[mid] < x) lo = mid + 1; else hi = mid; }
  return lo;
}

/** Value at x of the points (xs, vs)[0, n): linear between points, proportional before the first, extended after the last. */
function interpolate(xs: Float64Array, vs: Float64Array, n: number, x: number): number {
  const k = lowerBound(xs, n, x);
  if (k < n && xs[k] === x) return vs[k];
  if (k === 0) return xs[0] > 0 ? (vs[0] * x) / xs[0] : NaN;
  if (k >= n) return n < 2 ? (xs[0] > 0 ? (vs[0] * x) / xs[0] : NaN) : vs[n - 1] + ((vs[n - 1] - vs[n - 2]) / (xs[n - 1] - xs[n - 2])) * (x - xs[n - 1]);
  return vs[k - 1] + ((vs[k] - vs[k - 1]) * (x - xs[k - 1])) / (xs[k] - xs[k - 1]);
}

/**
 * Splits a delta of one series where its steps go back (a restart inside the delta) into ascending pieces. Packed
 * ascending steps (the common case of a snapshot) cannot go back: returned as they are, without a scan.
 */
function splitAtRestarts(s: SeriesData): SeriesData[] {
  if (isArithmetic(s.steps) && (s.steps.stride > 0 || s.steps.count < 2)) return [s];
  const st = unpackColumn(s.steps), out: SeriesData[] = [];
  if (st.length < 2) return [s];
  let from = 0;
  for (let i = 1; i <= st.length; i++) {
    if (i < st.length && st[i] > st[i - 1]) continue;
    if (i === st.length && from === 0) return [s];
    const piece: SeriesData = { name: s.name, steps: st.slice(from, i), values: s.values.slice(from, i) };
    if (s.times) piece.times = unpackColumn(s.times).slice(from, i);
    out.push(piece);
    from = i;
  }
  return out;
}

/**
 * A Float64Array that grows by doubling; `data` has `length` valid entries.
 *
 * While every entry is `first + i * stride` (stride > 0: steps that travelled packed, and appends that go on with the
 * same sequence), the column keeps only the sequence (`arithmetic`) and writes the entries out the first time `data`
 * is read. The chart on the step axis (the default) draws from the sequence itself, so a 1M-point snapshot does not
 * write 8 MB of steps: on a machine where fresh memory is slow to fault in, that write was a tenth of the first draw
 * (issue 12: chart.firstDraw1MvsFirstDraw2k). Written out or not, entry i is the same double.
 */
export class Column {
  private buf: Float64Array;
  length = 0;
  /** The sequence every entry in [0, length) is, while not written out into `buf`. */
  private seq: { first: number; stride: number } | undefined;
  constructor(capacity = 1024) { this.buf = new Float64Array(capacity); }

  /** The entries (valid in [0, length); the rest is spare capacity). Writes out a sequence on first read. */
  get data(): Float64Array {
    if (this.seq) {
      const { first, stride } = this.seq, n = this.length;
      this.seq = undefined;
      if (this.buf.length < n) this.buf = new Float64Array(n);
      const d = this.buf;
      for (let i = 0; i < n; i++) d[i] = first + i * stride;
    }
    return this.buf;
  }

  /** `{ first, stride, count: length }` while the entries are a sequence not yet written out, else undefined. */
  get arithmetic(): ArithmeticColumn | undefined {
    return this.seq && this.length > 0 ? { first: this.seq.first, stride: this.seq.stride, count: this.length } : undefined;
  }

  /** Entry i (0 <= i < length), without writing out a sequence. */
  at(i: number): number { return this.seq ? this.seq.first + i * this.seq.stride : this.buf[i]; }

  /**
   * Appends; when empty, takes `values` itself as storage (a received message's arrays are ours: no copy), or keeps an
   * ascending packed sequence as a sequence. A packed column is otherwise written out; with `fill`, `values` only gives
   * the count and every new entry is `fill`.
   */
  append(values: Float64Array | PackedColumn, fill?: number): void {
    if (this.length === 0) this.seq = undefined;
    const count = columnLength(values);
    if (fill === undefined && count > 0) {
      if (this.length === 0 && isArithmetic(values) && values.stride > 0) {
        this.seq = { first: values.first, stride: values.stride }; this.length = count; return;
      }
      if (this.seq && this.continuesSequence(values)) { this.length += count; return; }
    }
    if (this.length === 0 && fill === undefined && values instanceof Float64Array && values.byteOffset === 0 && values.length === values.buffer.byteLength / 8) {
      this.buf = values; this.length = values.length; return;
    }
    const at = this.grow(count), d = this.buf;
    if (fill !== undefined) d.fill(fill, at, at + count);
    else if (isArithmetic(values)) { const { first, stride } = values; for (let i = 0, k = at; i < count; i++, k++) d[k] = first + i * stride; }
    else if (isOffsets(values)) { const { base, offsets } = values; for (let i = 0, k = at; i < count; i++, k++) { const o = offsets[i]; d[k] = o === OFFSET_NAN ? NaN : base + o; } }
    else d.set(values, at);
  }

  /** Whether every value appended would be the entry the sequence has at its index (exactly: compared one by one). */
  private continuesSequence(values: Float64Array | PackedColumn): boolean {
    const { first, stride } = this.seq!, at = this.length, n = columnLength(values);
    if (isOffsets(values)) return false;
    for (let i = 0; i < n; i++) if (columnAt(values, i) !== first + (at + i) * stride) return false;
    return true;
  }

  /** Makes room for `count` more entries and counts them in (written out first if a sequence); returns the index of the first. */
  grow(count: number): number {
    const d = this.data, at = this.length, need = at + count;
    if (need > d.length) {
      const grown = new Float64Array(Math.max(need, d.length * 2));
      grown.set(d.subarray(0, at));
      this.buf = grown;
    }
    this.length = need;
    return at;
  }
  view(): Float64Array { return this.data.subarray(0, this.length); }
}

/** One series of one run. `key` is `runId + '\u0000' + name` (unique within a panel). */
export class SeriesStore {
  readonly steps = new Column();
  readonly values = new Column();
  /** Wall times as received, written into `times` on its first read (the step axis never reads them). */
  private readonly pendingTimes: { times: SeriesData['times']; count: number }[] = [];
  private readonly timesColumn = new Column();
  /** Points with a known wall time. */
  timed = 0;
  /** Bumped when data is replaced (not appended), so derived caches rebuild. */
  generation = 0;
  constructor(readonly key: string, readonly runId: string, readonly runTitle: string, readonly name: string) {}

  get length(): number { return this.steps.length; }

  /**
   * Wall times in ms since the epoch, one per point (NaN where a point has none). Written out from the received
   * (packed) columns on first read: a 1M-point snapshot drawn on the step axis, the default, never writes 8 MB of
   * times it does not show (issue 12: chart.firstDraw1MvsFirstDraw2k).
   */
  get times(): Column {
    if (this.pendingTimes.length) {
      for (const { times, count } of this.pendingTimes.splice(0)) {
        if (!times) { const at = this.timesColumn.grow(count); this.timesColumn.data.fill(NaN, at, at + count); } else this.timesColumn.append(times);
      }
    }
    return this.timesColumn;
  }

  /** Appends a delta; returns the earliest finite time in it (Infinity when none), so the run's start needs no other pass. */
  append(s: SeriesData): number {
    const n = columnLength(s.steps);
    if (s.values.length !== n || (s.times && columnLength(s.times) !== n)) throw new Error(`series ${this.name}: steps/values/times lengths differ`);
    this.steps.append(s.steps);
    this.values.append(s.values);
    this.pendingTimes.push({ times: s.times, count: n });
    let earliest = Infinity;
    if (!s.times) return earliest;
    if (isArithmetic(s.times)) {
      // packed times are finite (packColumn checks first and stride)
      if (n > 0) { this.timed += n; earliest = Math.min(s.times.first, s.times.first + (n - 1) * s.times.stride); }
    } else if (isOffsets(s.times)) {
      // counted and the earliest found in one pass over the 4-byte offsets (written out only when read, see `times`)
      const { base, offsets } = s.times;
      let timed = 0, least = 0x7fffffff;
      for (let i = 0; i < n; i++) {
        const o = offsets[i];
        if (o !== OFFSET_NAN) { timed++; if (o < least) least = o; }
      }
      this.timed += timed;
      if (timed > 0) earliest = base + least;
    } else {
      const t = s.times;
      let timed = 0;
      for (let i = 0; i < n; i++) { const v = t[i]; if (v - v === 0) { timed++; if (v < earliest) earliest = v; } }
      this.timed += timed;
    }
    return earliest;
  }

  /** A copy of every point (exact-length arrays). */
  snapshot(): SeriesData {
    return { name: this.name, steps: this.steps.view().slice(), values: this.values.view().slice(), times: this.times.view().slice() };
  }

  /** Keeps only the points at steps < step (steps ascend). */
  truncateBefore(step: number): void {
    const n = lowerBound(this.steps.data, this.length, step);
    let timed = 0;
    const times = this.times; // written out first, so the pending columns are not applied after the cut
    for (let i = 0; i < n; i++) if (Number.isFinite(times.data[i])) timed++;
    this.steps.length = this.values.length = times.length = n;
    this.timed = timed;
    this.generation++;
  }

  /** An earlier run segment (`loss (segment 1)`): drawn faded, in the colour of its live series. */
  get segmentOf(): string | undefined { return SEGMENT_RE.exec(this.name)?.[1]; }

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
  readonly runs = new Map<string, { title: string; series: Map<string, SeriesStore>; alerts: AlertMarker[]; progress?: { step: number; total?: number }; startMs: number; info?: RunInfo }>();
  /** Bumped on every change, for cheap "is the drawing current" checks. */
  version = 0;

  reset(runs: RunData[]): void {
    this.runs.clear();
    for (const r of runs) {
      this.runs.set(r.runId, { title: r.title, series: new Map(), alerts: [], progress: r.progress, startMs: Infinity, info: r.info });
      this.append(r.runId, r.series, r.alerts, r.progress);
    }
    this.version++;
  }

  /** Adds points; returns the series that grew. Unknown runs are ignored (a late message for a closed comparison). */
  append(runId: string, series: SeriesData[], alerts: AlertMarker[], progress?: { step: number; total?: number }, info?: RunInfo): SeriesStore[] {
    const run = this.runs.get(runId);
    if (!run) return [];
    if (info) run.info = info;
    const grown: SeriesStore[] = [];
    for (const whole of series) {
      for (const s of splitAtRestarts(whole)) {
        let st = run.series.get(s.name);
        if (!st) { st = new SeriesStore(`${runId}\u0000${s.name}`, runId, run.title, s.name); run.series.set(s.name, st); }
        else if (st.length > 0 && columnLength(s.steps) > 0 && columnAt(s.steps, 0) <= st.steps.at(st.length - 1)) {
          // A new run segment (resumed or restarted launch in the same log), as the host's MetricStore keeps it: the
          // earlier segment stays whole as `<name> (segment k)` (drawn faded), the live series keeps its points
          // before the restart step and goes on with the new segment.
          let k = 1;
          while (run.series.has(`${s.name} (segment ${k})`)) k++;
          const archived = `${s.name} (segment ${k})`;
          const old = new SeriesStore(`${runId}\u0000${archived}`, runId, run.title, archived);
          old.append(st.snapshot());
          run.series.set(archived, old);
          grown.push(old);
          st.truncateBefore(columnAt(s.steps, 0));
        }
        const earliest = st.append(s);
        if (earliest < run.startMs) run.startMs = earliest;
        grown.push(st);
      }
    }
    run.alerts.push(...alerts);
    if (progress) run.progress = progress;
    this.version++;
    return grown;
  }

  /**
   * Tokens seen at each point of a series, from the run's tokens-seen series (interpolated linearly by step,
   * proportionally before its first point), `consumed_samples` x sequence length, or step x tokens per step
   * (RunInfo.tokens). Undefined when the run has no way to know.
   */
  tokensOf(s: SeriesStore): Float64Array | undefined {
    const run = this.runs.get(s.runId);
    const t = run?.info?.tokens;
    if (!run || !t) return undefined;
    const n = s.length, steps = s.steps.data, out = new Float64Array(n);
    if (t.series) {
      const ts = run.series.get(t.series);
      if (!ts || ts.length === 0) return undefined;
      const mult = t.series === 'consumed_samples' ? run.info?.settings.seqLength ?? NaN : 1;
      const xs = ts.steps.data, vs = ts.values.data, m = ts.length;
      for (let i = 0; i < n; i++) out[i] = interpolate(xs, vs, m, steps[i]) * mult;
      return out;
    }
    if (!t.tokensPerStep) return undefined;
    for (let i = 0; i < n; i++) out[i] = steps[i] * t.tokensPerStep;
    return out;
  }

  allSeries(): SeriesStore[] { return [...this.runs.values()].flatMap((r) => [...r.series.values()]); }

  totalPoints(): number { let n = 0; for (const s of this.allSeries()) n += s.length; return n; }
}
