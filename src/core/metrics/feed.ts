/**
 * A {@link MetricsFeed} over a byte stream: log parser -> metric store -> alert detector, for one run or log file.
 * The run lifecycle (or the CLI, or a test) pushes chunks as the log follower delivers them; views subscribe.
 */
import { AlertDetector, type AlertOptions } from './alerts';
import { createLogParser, type LogParser } from './parser';
import { MetricStore, type Restart } from './store';
import { candidateFactors, isSettingsKey, lossScaleOf, mergeSettings, settingsFromMeta, tokensPerStepOf, type LossScale, type RunSettings } from '../../shared/runSettings';
import type { Alert, CrashEvent, MetricPoint, MetricsBatch, MetricsFeed, ParseOutput, Progress } from './types';

/** Options of {@link createMetricsFeed}. */
export interface MetricsFeedOptions {
  /** Log file name, for format detection (`trainer_state.json`, `events.out.tfevents...`, `metrics.csv`). */
  fileName?: string;
  /** Clock for points whose line has no timestamp (default Date.now: right for a live log); null leaves them without
   * time (right when reading a finished file, where the time of reading says nothing). */
  now?: (() => number) | null;
  /** Tokens per step from the run's config, for the tokens axis. */
  tokensPerStep?: number;
  /** Sequence length from the run's config (tokens = consumed samples x this, for Megatron-style logs). */
  seqLength?: number;
  alerts?: AlertOptions;
  /** What the run's config, launch command and run.json say about its batch geometry and framework (see settings.ts);
   * the log's banner fills the fields they leave out. */
  settings?: RunSettings;
}

/** What a feed knows about its run beyond the points: settings, loss scale, tokens axis, notes for the panel. */
export interface FeedInfo {
  /** The settings of the last launch (the one running now). */
  settings: RunSettings;
  /**
   * The factor the logged loss carries in this framework version, if any (the chart offers to divide by it), when
   * every launch of the log carries it; absent when the launches differ (then `launches` says which carry what).
   */
  lossScale?: LossScale;
  /** Per launch, where the log has more than one (a resume or restart in the same log): see {@link LaunchInfo}. */
  launches?: LaunchInfo[];
  /** How the tokens axis is made: from a tokens-seen series of the log, or from the settings; absent when it cannot be. */
  tokens?: { how: string; series?: string; tokensPerStep?: number };
  /** Sentences for the panel: unplaced records, the loss-scale annotation, ... (log-derived: textContent only). */
  notes: string[];
  /**
   * Why the feed has no points yet, while it has none (issue 11: a failed run's chart read "0 of 0 points" on a 0-1
   * axis): the line that ended the run, an empty log, or how many lines were read without a metric in them.
   */
  empty?: string;
}

/**
 * One launch of a run in its log (the first, then one per launch line or restart): its loss steps, the series its
 * loss points are in now (`loss`, or `loss (segment k)` once a later launch logged its steps again), its settings
 * (its own banner; fields it does not print are taken from the launch before it, then from the run's config), and
 * the factor its logged loss carries (`lossScale`, absent: none). The rescaled view divides only the points of the
 * launches that have a factor.
 */
export interface LaunchInfo { launch: number; firstStep?: number; lastStep?: number; series: string; settings: RunSettings; lossScale?: LossScale }

/** A launch as the feed tracks it (see {@link LaunchInfo}). */
interface LaunchState {
  /** Banner metadata (settings keys) this launch printed. */
  meta: Record<string, number | string>;
  firstStep?: number;
  lastStep?: number;
  series: string;
  /** Its settings give its loss a factor, but at its resume the level stayed where the launch before it left it
   * (the factor is conditional: model_accepts_loss_kwargs): the sentence that says so; its loss is not rescaled. */
  factorNotSeen?: string;
}

/**
 * A crash in words: its reason, then its line (`CUDA out of memory: torch.OutOfMemoryError: CUDA out of memory. ...`;
 * `open`/`close` around the line instead of `: `), or the line alone where it starts with the reason, as a
 * traceback's exception line starts with the exception's name (`RuntimeError: Expected all tensors ...`, not
 * `RuntimeError: RuntimeError: ...`). `max` cuts the line (characters).
 */
export function crashMessage(e: Pick<CrashEvent, 'reason' | 'line'>, max = Infinity, open = ': ', close = ''): string {
  const line = e.line.trim();
  const cut = line.length > max ? line.slice(0, max) : line;
  const text = line.replace(/^\[rank\d+\]: /, '');
  return text.startsWith(e.reason) && (text.length === e.reason.length || text[e.reason.length] === ':') ? cut : `${e.reason}${open}${cut}${close}`;
}

/** The `FeedInfo.empty` sentence for a feed with no points: `lastError` wins, then an empty log, then lines read. */
export function emptyReason(bytesRead: number, linesRead: number, format: string, lastError: CrashEvent | undefined): string {
  if (lastError) return `No metric was logged before the run ended: ${crashMessage(lastError, 200, ' (', ')')}`;
  if (bytesRead === 0) return 'The log is empty so far: no metric yet.';
  return `No metric lines yet in ${linesRead.toLocaleString('en-US')} line${linesRead === 1 ? '' : 's'} read${format !== 'unknown' ? ` (format: ${format})` : ' (no known log format recognised)'}.`;
}

/** A feed that can be written to. */
export interface WritableMetricsFeed extends MetricsFeed {
  /** Parses a chunk, stores its points, runs the alert rules, notifies subscribers; returns the batch. */
  pushChunk(chunk: string | Uint8Array, untimed?: boolean): MetricsBatch;
  /** Flushes the last partial line; call once at end of file / end of run. */
  end(): MetricsBatch;
  /** The log went quiet while followed: closes the step still accumulating (LogParser.settle); more chunks may follow. */
  settle(): MetricsBatch;
  readonly store: MetricStore;
  readonly parser: LogParser;
  /** Detected log format. */
  readonly format: string;
  /** Run metadata from the log (final summary, trainer_state fields, totals). */
  readonly meta: Readonly<Record<string, number | string>>;
  /** The last line that ends runs (CUDA OOM, NCCL timeout, traceback, ...) seen in the log, if any (a traceback
   * only once confirmed: see `CrashEvent`). */
  readonly lastError: CrashEvent | undefined;
  /** Settings, loss scale, tokens axis and notes as known now. */
  info(): FeedInfo;
  /** Adds settings learned after the feed was made (the run's config snapshot, read asynchronously); they win over
   * the log banner's, as `opts.settings` does. */
  updateSettings(s: RunSettings): void;
}

/**
 * A loss curve whose level changes by about a factor the run's settings can put into the logged value (gradient
 * accumulation, context-parallel size): the median of the last 5 losses vs the median of the 10 before them, within
 * 15% of the factor (or its inverse), once per run. Catches a resume under another framework version and a changed
 * gradient_accumulation_steps, which a spike or divergence rule would misread.
 */
class LevelJump {
  private readonly recent: Array<{ step: number; value: number }> = [];
  /** Raised once per run; the resume check sets it when it raised the scale-jump of a resume itself. */
  alerted = false;
  push(points: readonly MetricPoint[], factors: Array<{ factor: number; what: string }>): Alert | undefined {
    if (this.alerted) return undefined;
    let out: Alert | undefined;
    for (const p of points) {
      if (p.series !== 'loss' || !Number.isFinite(p.value) || p.value <= 0) continue;
      this.recent.push({ step: p.step, value: p.value });
      if (this.recent.length > 15) this.recent.shift();
      if (out || factors.length === 0 || this.recent.length < 15) continue;
      const med = (a: number[]) => { const s = [...a].sort((x, y) => x - y); return s[s.length >> 1]; };
      const before = med(this.recent.slice(0, 10).map((x) => x.value)), after = med(this.recent.slice(10).map((x) => x.value));
      const ratio = after / before;
      for (const f of factors) {
        const up = Math.abs(ratio / f.factor - 1) < 0.15, down = Math.abs(ratio * f.factor - 1) < 0.15;
        if (!up && !down) continue;
        // the first point of the window that sits on the new level (nearer to it than to the old one, in log terms)
        const mid = Math.sqrt(before * after);
        const first = this.recent.find((x, i) => i >= 5 && (up ? x.value > mid : x.value < mid)) ?? this.recent[10];
        const at = first.step;
        out = { kind: 'scale-jump', series: 'loss', step: at, message: `loss level ${up ? 'rose' : 'fell'} ${ratio.toFixed(2)}× at about step ${at}, about ${f.what}: the logged loss changed scale (a resume under another framework version, or a changed setting), not the model; compare with the rescaled view` };
        this.alerted = true;
        break;
      }
    }
    return out;
  }
}

/** A jump at a resume must exceed this (nats) where the curve's noise is not larger; 0.3× the level for small losses. */
const RESUME_JUMP_NATS = 0.25;
/** ... and this many times the curve's recent noise (robust sigma of its point-to-point differences). */
const RESUME_JUMP_NOISE = 4;

/** Where a resumed launch's loss starts against where the earlier launch left it (see {@link resumeLevels}). */
interface ResumeLevels { ref: number; v: number; step: number; noise: number }

function median(a: readonly number[]): number { const s = [...a].sort((x, y) => x - y); return s[s.length >> 1]; }

/**
 * The first loss of a resumed segment (`v`, at `step`) and the earlier launch's loss where it resumed from (`ref`: its
 * last loss at the resume step, or before it where the launch continued past the earlier one), with the noise of the
 * earlier launch's last (up to 11) losses: 1.4826 × the median absolute deviation of their successive differences
 * (0 with fewer than 5 differences). Null while the new segment has no point yet, undefined when there is nothing to
 * compare. `r.archived` empty: a resume that continued past the earlier launch's last step (nothing archived), whose
 * earlier points are the live series' points before `r.step`.
 */
function resumeLevels(store: MetricStore, r: Restart): ResumeLevels | undefined | null {
  const live = store.raw(r.series), old = r.archived ? store.raw(r.archived) : live;
  if (!live || !old) return undefined;
  let k = 0;
  while (k < live.length && live.steps[k] < r.step) k++;
  if (k >= live.length) return null;
  const v = live.values[k];
  const before: number[] = [];
  for (let i = 0; i < old.length && (r.archived ? old.steps[i] <= r.step : old.steps[i] < r.step); i++) if (Number.isFinite(old.values[i])) before.push(old.values[i]);
  if (before.length === 0 || !Number.isFinite(v)) return undefined;
  const recent = before.slice(-11);
  const d = recent.slice(1).map((x, i) => x - recent[i]);
  let noise = 0;
  if (d.length >= 5) { const m = median(d); noise = 1.4826 * median(d.map((x) => Math.abs(x - m))); }
  return { ref: before[before.length - 1], v, step: live.steps[k], noise };
}

/**
 * True when a resumed launch's loss starts higher than the earlier launch left it by more than the curve's noise
 * allows: the difference (a loss is a log-likelihood: nats, not a ratio) above {@link RESUME_JUMP_NOISE} × the noise
 * and above {@link RESUME_JUMP_NATS} (0.3 × the level for losses under about 0.8, at least 0.05). nanoGPT's 2.79 ->
 * 3.50 and Megatron's 2.79 -> 3.39 are jumps; a noisy fine-tuning curve (±0.15 around 0.5) that resumes at 0.7 is not.
 */
function isResumeJump(l: ResumeLevels): boolean {
  const floor = Math.max(0.05, Math.min(RESUME_JUMP_NATS, 0.3 * Math.abs(l.ref)));
  return l.v - l.ref > Math.max(floor, RESUME_JUMP_NOISE * l.noise);
}

/** `transformers 4.46.1, gradient_accumulation_steps 8` for a note. */
function describeScale(s: RunSettings): string {
  const parts = [s.frameworkVersion ?? 'framework unknown'];
  if (s.gradientAccumulationSteps !== undefined) parts.push(`gradient_accumulation_steps ${s.gradientAccumulationSteps}`);
  if (s.contextParallel !== undefined) parts.push(`context_parallel_size ${s.contextParallel}`);
  return parts.join(', ');
}

/** `steps 5–100` (or `no loss yet`) for a launch. */
function stepsOf(l: { firstStep?: number; lastStep?: number }): string {
  return l.firstStep === undefined ? 'no loss yet' : `steps ${l.firstStep}–${l.lastStep}`;
}

/** Creates a feed for one run. */
export function createMetricsFeed(runId: string, title: string, opts: MetricsFeedOptions = {}): WritableMetricsFeed {
  const now = opts.now === undefined ? Date.now : opts.now ?? undefined;
  const parser = createLogParser({ fileName: opts.fileName, now });
  const store = new MetricStore({ tokensPerStep: opts.tokensPerStep, seqLength: opts.seqLength });
  const detector = new AlertDetector(opts.alerts);
  const listeners = new Set<(b: MetricsBatch) => void>();
  const alerts: Alert[] = [];
  const meta: Record<string, number | string> = {};
  let progress: Progress | undefined;

  /** Resumed segments of `loss` whose first point is still to be compared with the earlier segment (`launch`: the
   * index of the resumed launch in `launches`). */
  const jumpChecks: Array<{ r: Restart; launch: number }> = [];
  const levels = new LevelJump();
  /** The log's launches, oldest first; the last is the current one. */
  const launches: LaunchState[] = [{ meta: {}, series: 'loss' }];
  /** Banner metadata that came after the current launch logged its loss: the next launch's (its banner precedes its
   * launch line: the Trainer's model config, Megatron's arguments), else the current one's for fields it lacks. */
  let pendingMeta: Record<string, number | string> = {};
  let given = opts.settings;
  let settings = mergeSettings(given);
  /** Settings per launch: its banner, then the earlier launches' (a resume keeps what it does not print), then the
   * run's config; for the current launch the config wins (it is what the run runs with now), as for a whole log. */
  let perLaunch: RunSettings[] = [settings];
  const applySettings = (): void => {
    let inherited: Record<string, number | string> = {};
    const pending = settingsFromMeta(pendingMeta);
    perLaunch = launches.map((l, i) => {
      inherited = { ...inherited, ...l.meta };
      const own = settingsFromMeta(inherited);
      return i === launches.length - 1 ? mergeSettings(given, own, pending) : mergeSettings(own, given);
    });
    settings = perLaunch[perLaunch.length - 1];
    const t = tokensPerStepOf(settings);
    if (t && store.tokensPerStep === undefined) store.tokensPerStep = t.tokensPerStep;
    if (settings.seqLength && store.seqLength === undefined) store.seqLength = settings.seqLength;
  };
  const crashKinds = new Set<string>();

  /** A launch started after the earlier one logged `loss` up to `previousLastStep`; its first loss is still to come. */
  let launched: { previousLastStep: number } | undefined;
  /** A resume line (meta `resumed_from_step`) came since the last restart alert. */
  let resumeLine = false;

  /** Stores and judges the points of one launch (a part of a parse output between launch events). */
  const piece = (points: MetricPoint[], alertPoints: MetricPoint[], raised: Alert[]): void => {
    for (const p of points) {
      if (p.series !== 'loss') continue;
      let cur = launches[launches.length - 1];
      // a loss step at or before the launch's last one without a launch line: a restart all the same (the store
      // archives the earlier points), so a launch of its own that keeps the earlier one's settings
      if (cur.lastStep !== undefined && p.step <= cur.lastStep) { launches.push(cur = { meta: {}, series: 'loss' }); applySettings(); }
      cur.firstStep ??= p.step;
      cur.lastStep = p.step;
    }
    const restarts = store.append(points);
    for (const a of detector.push(alertPoints)) raised.push(a);
    for (const r of restarts) {
      if (r.series !== 'loss') continue;
      for (let i = 0; i < launches.length - 1; i++) if (launches[i].series === 'loss') launches[i].series = r.archived;
      launched = undefined;
      // A restart from scratch starts at or below the first launch's first step; a resume from a checkpoint starts
      // after it, or says so (`resumed_from_step`: the Trainer's `Continuing training from global step N`, Megatron's
      // `successfully loaded checkpoint ... at iteration N`).
      const firstLaunch = store.raw(store.segments('loss')[0] ?? r.archived);
      const resumed = resumeLine || firstLaunch === undefined || firstLaunch.length === 0 || r.step > firstLaunch.steps[0];
      resumeLine = false;
      raised.push({ kind: 'restart', series: 'loss', step: r.step, message: `${resumed ? 'resumed' : 'restarted from scratch'} at step ${r.step} after the earlier launch reached step ${r.previousLastStep}; its points are kept as '${r.archived}' (faded)` });
      if (resumed) jumpChecks.push({ r, launch: launches.length - 1 });
    }
    if (launched === undefined) return;
    // A launch whose steps go on past the earlier launch's last one (a resume from its last checkpoint) makes no
    // restart in the store: the launch line is what says the run was resumed.
    const first = points.find((p) => p.series === 'loss');
    if (first === undefined) return;
    const before = launched.previousLastStep;
    launched = undefined;
    if (first.step <= before) return;
    raised.push({ kind: 'restart', series: 'loss', step: first.step, message: `resumed at step ${first.step} after the earlier launch reached step ${before}; no step was logged twice, so its points stay in the live series` });
    jumpChecks.push({ r: { series: 'loss', step: first.step, previousLastStep: before, archived: '' }, launch: launches.length - 1 });
  };

  /**
   * The alert for a resumed launch's first loss (`l`) against the launch before it. Where both launches' settings are
   * known and scale the loss differently (a resume under another transformers version, another GA under an affected
   * one) and the level moved by about that ratio: `scale-jump`, at once, however few points (the settings explain
   * it: not a wrong checkpoint). Else a jump beyond the noise ({@link isResumeJump}): `scale-jump` where it is about
   * a factor the settings can put into the loss (GA, CP), `resume-jump` otherwise. One alert per resume, and a
   * scale-jump here stops the level-jump check from raising the same event again.
   */
  const judgeResume = (launch: number, l: ResumeLevels): Alert | undefined => {
    const prev = perLaunch[launch - 1], cur = perLaunch[launch];
    const q = l.ref > 0 && l.v > 0 ? l.v / l.ref : NaN;
    const fmt = (x: number): string => x.toPrecision(4);
    if (prev && cur && prev.frameworkVersion !== undefined && cur.frameworkVersion !== undefined) {
      const fp = lossScaleOf(prev)?.factor ?? 1, fc = lossScaleOf(cur)?.factor ?? 1;
      if (fp !== fc && Math.abs(Math.log(q)) < Math.log(1.5) / 2 && !isResumeJump(l)) {
        // the settings say the scale changed, the curve says it did not: the factor did not apply to this model
        for (const k of [launch - 1, launch]) {
          const sc = lossScaleOf(perLaunch[k]);
          if (sc) launches[k].factorNotSeen = `Launch ${k + 1}'s settings (${describeScale(perLaunch[k])}) would log up to ${sc.factor}× the per-token loss, but the level stayed where it was at the resume at step ${l.step} (${fmt(l.ref)} to ${fmt(l.v)}): the factor did not apply to this model (it depends on model_accepts_loss_kwargs), so the rescaled view leaves its loss as it is.`;
        }
        return undefined;
      }
      if (fp !== fc && Math.abs(Math.log(q / (fc / fp))) < Math.log(1.5)) {
        levels.alerted = true;
        return { kind: 'scale-jump', series: 'loss', step: l.step, message: `loss level ${q >= 1 ? 'rose' : 'fell'} ${q.toFixed(2)}× (${fmt(l.ref)} to ${fmt(l.v)}) when launch ${launch + 1} resumed at step ${l.step}: launch ${launch} (${describeScale(prev)}) logs ${fp === 1 ? 'the per-token loss' : `${fp}× the per-token loss`}, launch ${launch + 1} (${describeScale(cur)}) ${fc === 1 ? 'the per-token loss' : `${fc}× it`}: the logged loss changed scale, not the model; compare with the rescaled view` };
      }
    }
    if (!isResumeJump(l)) return undefined;
    const factors = [...(prev ? candidateFactors(prev) : []), ...(cur ? candidateFactors(cur) : [])];
    const f = factors.find((x) => Math.abs(q / x.factor - 1) < 0.15);
    if (f) {
      levels.alerted = true;
      return { kind: 'scale-jump', series: 'loss', step: l.step, message: `loss level rose ${q.toFixed(2)}× (${fmt(l.ref)} to ${fmt(l.v)}) when the run resumed at step ${l.step}, about ${f.what}: the logged loss changed scale (a resume under another framework version, or a changed setting), not the model; compare with the rescaled view` };
    }
    return { kind: 'resume-jump', series: 'loss', step: l.step, message: `loss jumped from ${fmt(l.ref)} to ${fmt(l.v)} (+${(l.v - l.ref).toFixed(2)}${l.noise > 0 ? `, the curve's noise ±${l.noise.toFixed(2)}` : ''}) when the run resumed at step ${l.step}: a wrong checkpoint, or an optimizer or LR scheduler that was not restored?` };
  };

  const deliver = (out: ParseOutput): MetricsBatch => {
    const raised: Alert[] = [];
    if (out.meta?.resumed_from_step !== undefined) resumeLine = true;
    const alertPoints = out.alertPoints ?? out.points;
    let from = 0, alertFrom = 0;
    const crashes: CrashEvent[] = [];
    /** Crash alerts, once per kind and launch, after the alerts of the points before them. */
    const crashAlerts = (): void => {
      for (const e of crashes) {
        lastError = e;
        if (crashKinds.has(e.crash)) continue;
        crashKinds.add(e.crash);
        raised.push({ kind: 'crash', series: 'loss', step: e.step ?? 0, message: crashMessage(e) });
      }
      crashes.length = 0;
    };
    const metaAt = out.metaAt ?? [];
    let mi = 0;
    /** Gives the settings metadata that came before event `ev` to the current launch, or to the next one where the
     * current launch had logged its loss before it (see `pendingMeta`). */
    const takeMeta = (ev: number, segFrom: number, segTo: number): void => {
      if (mi >= metaAt.length || metaAt[mi].event > ev) return;
      let firstLoss = -1;
      for (let i = segFrom; i < segTo && firstLoss < 0; i++) if (out.points[i].series === 'loss') firstLoss = i;
      for (; mi < metaAt.length && metaAt[mi].event <= ev; mi++) {
        const m = metaAt[mi];
        if (!isSettingsKey(m.key)) continue;
        const cur = launches[launches.length - 1];
        const placed = cur.firstStep !== undefined || (firstLoss >= 0 && firstLoss < m.at);
        (placed ? pendingMeta : cur.meta)[m.key] = m.value;
      }
    };
    let ev = 0;
    for (const e of out.events ?? []) {
      if (e.kind === 'crash') { crashes.push(e); ev++; continue; }
      takeMeta(ev++, from, e.at);
      // the points before the launch line belong to the earlier launch: judged before the rules forget it
      const alertAt = e.alertAt ?? e.at;
      piece(out.points.slice(from, e.at), alertPoints.slice(alertFrom, alertAt), raised);
      from = e.at; alertFrom = alertAt;
      crashAlerts();
      crashKinds.clear();
      detector.newSegment();
      const loss = store.raw('loss');
      launched = loss && loss.length > 0 ? { previousLastStep: loss.steps[loss.length - 1] } : undefined;
      launches.push({ meta: pendingMeta, series: 'loss' });
      pendingMeta = {};
    }
    takeMeta(Infinity, from, out.points.length);
    if (out.meta) Object.assign(meta, out.meta);
    if (out.meta || out.events?.some((e) => e.kind === 'launch')) applySettings();
    piece(from === 0 ? out.points : out.points.slice(from), alertFrom === 0 ? alertPoints : alertPoints.slice(alertFrom), raised);
    for (let i = jumpChecks.length - 1; i >= 0; i--) {
      const l = resumeLevels(store, jumpChecks[i].r);
      if (l === null) continue; // no point of the new segment yet
      const a = l ? judgeResume(jumpChecks[i].launch, l) : undefined;
      jumpChecks.splice(i, 1);
      if (a) raised.push(a);
    }
    const jump = levels.push(out.points, perLaunch.flatMap(candidateFactors).filter((f, i, all) => all.findIndex((g) => g.factor === f.factor) === i));
    if (jump) raised.push(jump);
    crashAlerts();
    alerts.push(...raised);
    if (out.progress) progress = out.progress;
    const batch: MetricsBatch = { points: out.points, alerts: raised };
    if (out.progress) batch.progress = out.progress;
    if (batch.points.length > 0 || batch.alerts.length > 0 || batch.progress) {
      for (const l of [...listeners]) { try { l(batch); } catch { /* a listener's failure must not stop the feed */ } }
    }
    return batch;
  };

  let lastError: CrashEvent | undefined;
  let bytesRead = 0, linesRead = 0;
  /** Counts bytes and newline-terminated lines handed to the parser (for `FeedInfo.empty`). */
  const count = (chunk: string | Uint8Array): void => {
    bytesRead += chunk.length;
    if (typeof chunk === 'string') { for (let i = chunk.indexOf('\n'); i >= 0; i = chunk.indexOf('\n', i + 1)) linesRead++; }
    else { for (let i = chunk.indexOf(10); i >= 0; i = chunk.indexOf(10, i + 1)) linesRead++; }
  };

  return {
    runId,
    title,
    store,
    parser,
    get lastError() { return lastError; },
    updateSettings(s) { given = mergeSettings(given, s); applySettings(); },
    info() {
      const notes: string[] = [];
      const unplaced = meta.unplaced_points;
      const relogged = meta.relogged_points;
      if (typeof relogged === 'number' && relogged > 0) notes.push(`${relogged} loss point${relogged === 1 ? '' : 's'} at steps an earlier launch had already logged ${relogged === 1 ? 'was' : 'were'} logged again by a later launch (a resume from an earlier checkpoint, or a restart): the curves show the later launch's values, and the earlier launch's stay drawn faded as '<series> (segment k)'.`);
      if (typeof unplaced === 'number' && unplaced > 0) notes.push(`${unplaced} point${unplaced === 1 ? '' : 's'} of records that print no step and have no training bar beside them could not be placed on the run's step axis; they are drawn at their record number.`);
      const scales = perLaunch.map((x, i) => (launches[i].factorNotSeen ? undefined : lossScaleOf(x)));
      const uniform = scales.every((x) => x?.factor === scales[scales.length - 1]?.factor);
      const lossScale = uniform ? scales[scales.length - 1] : undefined;
      if (lossScale) notes.push(`Logged loss factor: ${lossScale.reason}.`); // not "Loss scale": that is the fp16 loss_scale series
      else if (!uniform || launches.some((l) => l.factorNotSeen)) {
        // a resume under another version or GA: say which launches the rescaled view divides, and which it leaves
        launches.forEach((l, i) => {
          const sc = scales[i];
          notes.push(l.factorNotSeen ?? (sc ? `Logged loss factor of launch ${i + 1} (${stepsOf(l)}): ${sc.reason}; the rescaled view divides this launch's loss by ${sc.factor}.`
            : `Launch ${i + 1} (${stepsOf(l)}; ${describeScale(perLaunch[i])}) logs the per-token loss: the rescaled view leaves it as it is.`));
        });
      }
      const tokSeries = store.tokenSeries();
      for (const r of store.rejectedTokenSeries()) notes.push(`Tokens axis: the log's ${r.series} is not used as tokens seen: ${r.why}, so it is a count per step or per record, not a running total.`);
      const t = tokensPerStepOf(settings);
      const tokens = tokSeries ? { series: tokSeries, how: `tokens seen from the log's ${tokSeries}` }
        : store.length('consumed_samples') > 0 && store.seqLength ? { series: 'consumed_samples', how: `consumed_samples × sequence length ${store.seqLength}` }
        : t ? { tokensPerStep: t.tokensPerStep, how: t.how } : undefined;
      const r: FeedInfo = { settings, notes };
      if (lossScale) r.lossScale = lossScale;
      if (launches.length > 1) {
        r.launches = launches.map((l, i) => {
          const x: LaunchInfo = { launch: i + 1, series: l.series, settings: perLaunch[i] };
          if (l.firstStep !== undefined) { x.firstStep = l.firstStep; x.lastStep = l.lastStep; }
          if (scales[i]) x.lossScale = scales[i];
          return x;
        });
      }
      if (tokens) r.tokens = tokens;
      if (store.seriesNames().every((n) => store.length(n) === 0)) r.empty = emptyReason(bytesRead, linesRead, parser.format, lastError);
      return r;
    },
    get format() { return parser.format; },
    meta,
    snapshot() {
      const s: ReturnType<MetricsFeed['snapshot']> = { series: store.all(), alerts: alerts.slice() };
      if (progress) s.progress = progress;
      return s;
    },
    subscribe(listener) { listeners.add(listener); return () => { listeners.delete(listener); }; },
    pushChunk(chunk, untimed) { count(chunk); return deliver(parser.push(chunk, untimed)); },
    end() { return deliver(parser.end()); },
    settle() { return deliver(parser.settle()); },
  };
}
