/**
 * Streaming detection of training problems. Feed points in order with `push`; each problem is raised once per
 * episode (when it starts) with the step where it started, and may be raised again after it has ended.
 *
 * Rules (thresholds in {@link AlertOptions}):
 * - `nan`: a NaN or ±Infinity value in a loss series (`loss`, `eval_loss`, any `*loss`) or `grad_norm`;
 *   the episode lasts until a finite value.
 * - `spike`: `loss` (or `grad_norm`) jumps far above its recent values: robust z-score
 *   `(x - median) / (1.4826 MAD)` over a rolling window above `spikeZ`; with too few points for robust statistics
 *   (loss only) a rise to `spikeRatio` x the largest recent value. Ends when the value is back within 3 MADs / 1.5x.
 * - `divergence`: sustained rise of `loss`: the rolling median (3 points, 5 from 30 points on, 15 from 200) exceeds
 *   `divergenceRatio` x the best rolling median so far, and the latest value does too.
 * - `stuck-zero`: `loss` exactly 0 (a loss printed as 0.0 is an fp16 underflow or everything masked).
 * - `constant-grad-norm`: `grad_norm` identical for 2 points in a row when printed with >= 7 significant digits
 *   (clipping to a constant, frozen parameters), or for 6 points in a row when printed with fewer.
 * - `loss-scale-collapse`: the fp16 dynamic loss scale (DeepSpeed, Megatron, apex) is reduced to <= `minLossScale`,
 *   or DeepSpeed reports it is already at its minimum. (Early halvings from 2^32 during the scale search are normal
 *   and do not count.)
 * - `overfitting`: an eval loss (`eval_loss`, `eval_*_loss`) has not improved on its best for `patience` evaluations
 *   while `loss` fell over the same steps; the alert's step is where early stopping with that patience (HF
 *   `EarlyStoppingCallback`) would have stopped, the message names the best step.
 */
import type { Alert, MetricPoint } from './types';
import { RollingWindow } from './rollingWindow';

export interface AlertOptions {
  spikeZ?: number;
  spikeWindow?: number;
  spikeRatio?: number;
  divergenceRatio?: number;
  minLossScale?: number;
  patience?: number;
}

const DEFAULTS: Required<AlertOptions> = { spikeZ: 8, spikeWindow: 100, spikeRatio: 2.5, divergenceRatio: 1.5, minLossScale: 8, patience: 3 };

function sigDigits(v: number): number {
  const s = Math.abs(v).toExponential().split('e')[0].replace('.', '').replace(/^0+/, '');
  return s.length;
}

function isLossName(name: string): boolean { return name === 'loss' || name === 'eval_loss' || /(^|_)loss$/.test(name); }
function isEvalLoss(name: string): boolean { return name === 'eval_loss' || /^eval_.*loss$/.test(name); }

interface SpikeState { window: RollingWindow; active: boolean }
interface EvalState { best: number; bestStep: number; since: number; alerted: boolean }

/**
 * What the rules remember of one launch of a run, all in one place so that a new launch (`AlertDetector.newSegment`)
 * forgets every rule's state at once: a rule's state goes here and into {@link newRuleState}, nowhere else.
 */
interface RuleState {
  /** `nan`: the series whose NaN/Infinity episode is open. */
  nanActive: Set<string>;
  /** `spike`: per series (`loss`, `grad_norm`), the rolling window and whether an episode is open. */
  spikes: Map<string, SpikeState>;
  /** `divergence`: rolling medians of the last 3, 5 and 15 train-loss values (the window grows with the run), the
   * number of loss values seen, the best rolling median so far, whether an episode is open. */
  lossRecent: RollingWindow[];
  lossCount: number;
  bestMedian: number;
  divergent: boolean;
  /** `stuck-zero`: an episode of loss exactly 0 is open. */
  zeroActive: boolean;
  /** `constant-grad-norm`: points in a row with the same grad_norm, that value (NaN: none yet), alert raised. */
  gradRun: number;
  gradLast: number;
  gradAlerted: boolean;
  /** `loss-scale-collapse`: the last loss scale (NaN: none yet), alert raised. */
  lastScale: number;
  scaleAlerted: boolean;
  /** `overfitting`: per eval-loss series, its best value and step, evaluations since, alert raised; and the train
   * loss history (step, value), thinned to at most ~4096 entries. */
  evals: Map<string, EvalState>;
  trainSteps: number[];
  trainValues: number[];
}

/** The rules' state before any point of a launch (see {@link RuleState}). */
function newRuleState(): RuleState {
  return {
    nanActive: new Set(), spikes: new Map(),
    lossRecent: [new RollingWindow(3), new RollingWindow(5), new RollingWindow(15)], lossCount: 0, bestMedian: Infinity, divergent: false,
    zeroActive: false, gradRun: 0, gradLast: NaN, gradAlerted: false, lastScale: NaN, scaleAlerted: false,
    evals: new Map(), trainSteps: [], trainValues: [],
  };
}

/** The detector of one run's stream. */
export class AlertDetector {
  private readonly o: Required<AlertOptions>;
  /** What the rules know of the current launch (a new one at `newSegment`). */
  private state: RuleState = newRuleState();
  private readonly all: Alert[] = [];

  constructor(opts: AlertOptions = {}) { this.o = { ...DEFAULTS, ...opts }; }

  /** Every alert raised so far. */
  get alerts(): readonly Alert[] { return this.all; }

  /**
   * A new launch of the run starts (a restart, or a resume from a checkpoint; see `LaunchEvent`): every rule forgets
   * the earlier launch, so the new launch's first points are judged on their own (a fresh model's first losses are no
   * spike or divergence against the earlier launch's windows, and an episode left open there, such as a NaN, or an
   * alert that fires once, may fire again). The alerts raised so far stay in `alerts`. The resume-jump check, which
   * compares the two launches on purpose, is the feed's (see feed.ts). Every rule keeps its state in the one
   * `RuleState` replaced here.
   */
  newSegment(): void { this.state = newRuleState(); }

  /** Feeds points in stream order; returns the alerts they raised. */
  push(points: readonly MetricPoint[]): Alert[] {
    const out: Alert[] = [];
    for (const p of points) this.point(p, out);
    for (const a of out) this.all.push(a);
    return out;
  }

  /** Per-series name classification, computed once per series rather than with two regexes per point. */
  private readonly kinds = new Map<string, { lossLike: boolean; evalLoss: boolean }>();

  private point(p: MetricPoint, out: Alert[]): void {
    const st = this.state;
    const { series: name, step, value: v } = p;
    let kind = this.kinds.get(name);
    if (!kind) { kind = { lossLike: isLossName(name), evalLoss: isEvalLoss(name) }; this.kinds.set(name, kind); }
    const lossLike = kind.lossLike;
    if (lossLike || name === 'grad_norm') {
      if (!Number.isFinite(v)) {
        if (!st.nanActive.has(name)) { st.nanActive.add(name); out.push({ kind: 'nan', series: name, step, message: `${name} is ${v} at step ${step}` }); }
        if (name === 'grad_norm') { st.gradRun = 0; st.gradLast = NaN; }
        return;
      }
      st.nanActive.delete(name);
    }
    if (name === 'loss') this.loss(step, v, out);
    else if (name === 'grad_norm') { this.spike(name, step, v, out, false); this.gradNorm(step, v, out); }
    else if (name === 'loss_scale') this.lossScale(step, v, out);
    else if (name === 'loss_scale_at_minimum') {
      if (!st.scaleAlerted) { st.scaleAlerted = true; out.push({ kind: 'loss-scale-collapse', series: 'loss_scale', step, message: 'fp16 loss scale is at its minimum and still overflowing' }); }
    }
    if (kind.evalLoss) this.evalLoss(name, step, v, out);
  }

  private loss(step: number, v: number, out: Alert[]): void {
    const st = this.state;
    if (v === 0) { if (!st.zeroActive) { st.zeroActive = true; out.push({ kind: 'stuck-zero', series: 'loss', step, message: `loss is exactly 0 at step ${step}` }); } }
    else st.zeroActive = false;
    this.spike('loss', step, v, out, true);
    // divergence
    st.lossCount++;
    const recent = st.lossRecent[st.lossCount < 30 ? 0 : st.lossCount < 200 ? 1 : 2];
    for (const win of st.lossRecent) win.push(v);
    if (recent.length === recent.capacity) {
      const m = recent.median();
      if (m > 0 && m > st.bestMedian * this.o.divergenceRatio && v > st.bestMedian * this.o.divergenceRatio) {
        if (!st.divergent) { st.divergent = true; out.push({ kind: 'divergence', series: 'loss', step, message: `loss is rising: recent median ${fmt(m)} vs best ${fmt(st.bestMedian)} (step ${step})` }); }
      } else if (m <= st.bestMedian * 1.1) st.divergent = false;
      if (m < st.bestMedian) st.bestMedian = m;
    }
    // history for overfitting
    st.trainSteps.push(step); st.trainValues.push(v);
    if (st.trainSteps.length > 8192) { st.trainSteps = st.trainSteps.filter((_, i) => i % 2 === 0); st.trainValues = st.trainValues.filter((_, i) => i % 2 === 0); }
  }

  private spike(name: string, step: number, v: number, out: Alert[], smallSample: boolean): void {
    let s = this.state.spikes.get(name);
    if (!s) { s = { window: new RollingWindow(this.o.spikeWindow), active: false }; this.state.spikes.set(name, s); }
    const win = s.window;
    let isSpike = false, calm = true;
    if (win.length >= 8) {
      const med = win.median();
      const mad = win.mad();
      const scale = 1.4826 * Math.max(mad, 1e-3 * Math.abs(med), 1e-12);
      const z = (v - med) / scale;
      isSpike = z > this.o.spikeZ && v > med * 1.2;
      calm = z < 3 || v < med * 1.5;
    } else if (smallSample && win.length >= 1) {
      const mx = win.max();
      isSpike = mx > 0 && v > mx * this.o.spikeRatio;
      calm = v < mx * 1.5;
    }
    if (isSpike && !s.active) { s.active = true; out.push({ kind: 'spike', series: name, step, message: `${name} spiked to ${fmt(v)} at step ${step}` }); }
    else if (calm) s.active = false;
    win.push(v);
  }

  private gradNorm(step: number, v: number, out: Alert[]): void {
    const st = this.state;
    if (v === st.gradLast) st.gradRun++; else { st.gradRun = 1; st.gradLast = v; st.gradAlerted = false; }
    if (st.gradRun < 2 || st.gradAlerted) return;
    const need = sigDigits(v) >= 7 ? 2 : 6;
    if (st.gradRun >= need) {
      st.gradAlerted = true;
      out.push({ kind: 'constant-grad-norm', series: 'grad_norm', step, message: `grad_norm has been exactly ${v} for ${st.gradRun} points` });
    }
  }

  private lossScale(step: number, v: number, out: Alert[]): void {
    const st = this.state;
    const prev = st.lastScale;
    st.lastScale = v;
    if (prev === prev && v < prev && v <= this.o.minLossScale) {
      if (!st.scaleAlerted) { st.scaleAlerted = true; out.push({ kind: 'loss-scale-collapse', series: 'loss_scale', step, message: `fp16 loss scale fell to ${v} (from ${prev}): gradients overflow even at a tiny scale` }); }
    } else if (v > this.o.minLossScale * 16) st.scaleAlerted = false;
  }

  private evalLoss(name: string, step: number, v: number, out: Alert[]): void {
    let e = this.state.evals.get(name);
    if (!e) { e = { best: v, bestStep: step, since: 0, alerted: false }; this.state.evals.set(name, e); return; }
    if (v < e.best) { e.best = v; e.bestStep = step; e.since = 0; e.alerted = false; return; }
    e.since++;
    if (e.since >= this.o.patience && !e.alerted) {
      const atBest = this.trainAt(e.bestStep), now = this.trainAt(step);
      if (atBest === atBest && now === now && now < atBest) {
        e.alerted = true;
        out.push({ kind: 'overfitting', series: name, step, message: `${name} has not improved on ${fmt(e.best)} (step ${e.bestStep}) for ${e.since} evaluations while loss fell ${fmt(atBest)} -> ${fmt(now)}; early stopping (patience ${this.o.patience}) would stop at step ${step}, keeping the checkpoint of step ${e.bestStep}` });
      }
    }
  }

  /** Mean of the train loss over the last few points at or before `step` (NaN when none). */
  private trainAt(step: number): number {
    const s = this.state.trainSteps;
    let hi = s.length;
    let lo = 0;
    while (lo < hi) { const m = (lo + hi) >>> 1; if (s[m] <= step) lo = m + 1; else hi = m; }
    if (lo === 0) return NaN;
    const from = Math.max(0, lo - 5);
    let sum = 0;
    for (let i = from; i < lo; i++) sum += this.state.trainValues[i];
    return sum / (lo - from);
  }
}

function fmt(v: number): string { return Number.isFinite(v) ? String(Number(v.toPrecision(5))) : String(v); }
