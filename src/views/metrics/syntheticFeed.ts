/**
 * A MetricsFeed over points held in memory (no log): for the test-only command `llmTraining.test.openSyntheticChart`
 * and for unit tests of the panel's data path. Pure.
 */
import type { Alert, MetricPoint, MetricsBatch, MetricsFeed, Progress, SeriesColumns } from '../../core/metrics/types';

export class MemoryFeed implements MetricsFeed {
  private readonly series = new Map<string, { steps: number[]; values: number[]; times: number[]; timed: boolean }>();
  private readonly alerts: Alert[] = [];
  private progress: Progress | undefined;
  private readonly listeners = new Set<(batch: MetricsBatch) => void>();
  /** Columns set wholesale with `setColumns` (large synthetic series), by name. */
  private readonly columns = new Map<string, SeriesColumns>();

  constructor(readonly runId: string, readonly title: string) {}

  /** Sets a whole series at once (no notification: use before the panel opens). */
  setColumns(c: SeriesColumns): void { this.columns.set(c.name, c); }

  /** Adds points/alerts and notifies subscribers, as a live run's feed does. */
  push(batch: MetricsBatch): void {
    for (const p of batch.points) {
      let s = this.series.get(p.series);
      if (!s) this.series.set(p.series, (s = { steps: [], values: [], times: [], timed: false }));
      s.steps.push(p.step); s.values.push(p.value); s.times.push(p.time ?? NaN);
      if (p.time !== undefined) s.timed = true;
    }
    this.alerts.push(...batch.alerts);
    if (batch.progress) this.progress = batch.progress;
    for (const l of [...this.listeners]) l(batch);
  }

  snapshot(): { series: SeriesColumns[]; alerts: Alert[]; progress?: Progress } {
    const out: SeriesColumns[] = [...this.columns.values()];
    for (const [name, s] of this.series) {
      const base = this.columns.get(name);
      if (base) {
        const n0 = base.steps.length, n = n0 + s.steps.length;
        const steps = new Float64Array(n), values = new Float64Array(n), times = new Float64Array(n).fill(NaN);
        steps.set(base.steps); steps.set(s.steps, n0); values.set(base.values); values.set(s.values, n0);
        if (base.times) times.set(base.times); times.set(s.times, n0);
        out[out.indexOf(base)] = { name, steps, values, ...(base.times || s.timed ? { times } : {}) };
      } else {
        out.push({ name, steps: Float64Array.from(s.steps), values: Float64Array.from(s.values), ...(s.timed ? { times: Float64Array.from(s.times) } : {}) });
      }
    }
    return { series: out, alerts: [...this.alerts], progress: this.progress };
  }

  /** Number of current subscribers (a live synthetic feed stops when its panel is gone). */
  get subscribers(): number { return this.listeners.size; }

  subscribe(listener: (batch: MetricsBatch) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}

/**
 * A synthetic training curve: `loss` = 2.5 * exp(-step / (n/4)) + 0.5 + noise(+-0.025), deterministic (LCG seed 12345),
 * one point per step 1..n, one second apart from 2026-01-01T00:00:00Z; `eval_loss` every n/20 steps.
 * With `spike`, `loss` at `spike.step` is `spike.value` (and the feed carries a `spike` alert there).
 */
export function syntheticFeed(runId: string, title: string, n: number, spike?: { step: number; value: number }): MemoryFeed {
  const steps = new Float64Array(n), values = new Float64Array(n), times = new Float64Array(n);
  let seed = 12345;
  const rnd = () => { seed = (seed * 1103515245 + 12345) & 0x7fffffff; return seed / 0x7fffffff; };
  const t0 = Date.UTC(2026, 0, 1);
  for (let i = 0; i < n; i++) { steps[i] = i + 1; values[i] = 2.5 * Math.exp(-(i + 1) / (n / 4)) + 0.5 + 0.05 * (rnd() - 0.5); times[i] = t0 + i * 1000; }
  if (spike && spike.step >= 1 && spike.step <= n) values[spike.step - 1] = spike.value;
  const every = Math.max(1, Math.floor(n / 20)), en = Math.floor(n / every);
  const es = new Float64Array(en), ev = new Float64Array(en), et = new Float64Array(en);
  for (let k = 0; k < en; k++) { es[k] = (k + 1) * every; ev[k] = 2.5 * Math.exp(-es[k] / (n / 4)) + 0.6; et[k] = times[es[k] - 1]; }
  const feed = new MemoryFeed(runId, title);
  feed.setColumns({ name: 'loss', steps, values, times });
  feed.setColumns({ name: 'eval_loss', steps: es, values: ev, times: et });
  if (spike) feed.push({ points: [], alerts: [{ kind: 'spike', series: 'loss', step: spike.step, message: `loss jumped to ${spike.value}` }] });
  return feed;
}

/**
 * Appends `perTick` synthetic `loss` points every `everyMs` to `feed`, continuing its step count and curve, until
 * the feed has had subscribers and lost them all (its panel closed) or `maxTicks` ticks passed. Returns a stop function.
 */
export function startLiveSynthetic(feed: MemoryFeed, opts: { everyMs: number; perTick: number; maxTicks?: number }): () => void {
  const loss = feed.snapshot().series.find((s) => s.name === 'loss');
  let step = loss && loss.steps.length ? loss.steps[loss.steps.length - 1] : 0;
  let ticks = 0, hadSubscribers = false;
  const timer = setInterval(() => {
    if (feed.subscribers > 0) hadSubscribers = true;
    if ((hadSubscribers && feed.subscribers === 0) || ++ticks > (opts.maxTicks ?? 2400)) { clearInterval(timer); return; }
    const points = [];
    for (let i = 0; i < opts.perTick; i++) { step++; points.push({ series: 'loss', step, value: 0.5 + 2 / Math.sqrt(step) + 0.02 * Math.sin(step), time: Date.UTC(2026, 0, 1) + step * 1000 }); }
    feed.push({ points, alerts: [], progress: { step } });
  }, opts.everyMs);
  return () => clearInterval(timer);
}
