/**
 * A {@link MetricsFeed} over a byte stream: log parser -> metric store -> alert detector, for one run or log file.
 * The run lifecycle (or the CLI, or a test) pushes chunks as the log follower delivers them; views subscribe.
 */
import { AlertDetector, type AlertOptions } from './alerts';
import { createLogParser, type LogParser } from './parser';
import { MetricStore, type Restart } from './store';
import { candidateFactors, lossScaleOf, mergeSettings, settingsFromMeta, tokensPerStepOf, type LossScale, type RunSettings } from '../../shared/runSettings';
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
  settings: RunSettings;
  /** The factor the logged loss carries in this framework version, if any (the chart offers to divide by it). */
  lossScale?: LossScale;
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
  private alerted = false;
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

/** Loss jump after resuming: the new segment's first loss vs the earlier segment's losses just before that step. */
const RESUME_JUMP_RATIO = 1.3;

/**
 * Compares the first loss of a resumed segment with the median of the earlier segment's last (up to 5) losses at
 * steps before the resume step. A jump above {@link RESUME_JUMP_RATIO} x (and by more than 0.05) says the launch did not
 * continue the run it resumed: a wrong checkpoint, a reset optimizer or LR scheduler. Returns null while the new
 * segment has no point yet, undefined when there is no jump. `r.archived` empty: a resume that continued past the
 * earlier launch's last step (nothing archived), whose earlier points are the live series' points before `r.step`.
 */
function resumeJump(store: MetricStore, r: Restart): Alert | undefined | null {
  const live = store.raw(r.series), old = r.archived ? store.raw(r.archived) : live;
  if (!live || !old) return undefined;
  let k = 0;
  while (k < live.length && live.steps[k] < r.step) k++;
  if (k >= live.length) return null;
  const v = live.values[k];
  const before: number[] = [];
  for (let i = 0; i < old.length && old.steps[i] < r.step; i++) if (Number.isFinite(old.values[i])) before.push(old.values[i]);
  const last = before.slice(-5).sort((a, b) => a - b);
  if (last.length === 0 || !Number.isFinite(v)) return undefined;
  const med = last[last.length >> 1];
  if (!(v > med * RESUME_JUMP_RATIO && v - med > 0.05)) return undefined;
  return { kind: 'resume-jump', series: r.series, step: live.steps[k], message: `loss jumped from ${med.toPrecision(4)} to ${v.toPrecision(4)} when the run resumed at step ${r.step}: a wrong checkpoint, or an optimizer or LR scheduler that was not restored?` };
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

  /** Resumed segments of `loss` whose first point is still to be compared with the earlier segment. */
  const jumpChecks: Restart[] = [];
  const levels = new LevelJump();
  let given = opts.settings;
  let settings = mergeSettings(given);
  const applySettings = (): void => {
    settings = mergeSettings(given, settingsFromMeta(meta));
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
    const restarts = store.append(points);
    for (const a of detector.push(alertPoints)) raised.push(a);
    for (const r of restarts) {
      if (r.series !== 'loss') continue;
      launched = undefined;
      // A restart from scratch starts at or below the first launch's first step; a resume from a checkpoint starts
      // after it, or says so (`resumed_from_step`: the Trainer's `Continuing training from global step N`, Megatron's
      // `successfully loaded checkpoint ... at iteration N`).
      const firstLaunch = store.raw(store.segments('loss')[0] ?? r.archived);
      const resumed = resumeLine || firstLaunch === undefined || firstLaunch.length === 0 || r.step > firstLaunch.steps[0];
      resumeLine = false;
      raised.push({ kind: 'restart', series: 'loss', step: r.step, message: `${resumed ? 'resumed' : 'restarted from scratch'} at step ${r.step} after the earlier launch reached step ${r.previousLastStep}; its points are kept as '${r.archived}' (faded)` });
      if (resumed) jumpChecks.push(r);
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
    jumpChecks.push({ series: 'loss', step: first.step, previousLastStep: before, archived: '' });
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
    for (const e of out.events ?? []) {
      if (e.kind === 'crash') { crashes.push(e); continue; }
      // the points before the launch line belong to the earlier launch: judged before the rules forget it
      const alertAt = e.alertAt ?? e.at;
      piece(out.points.slice(from, e.at), alertPoints.slice(alertFrom, alertAt), raised);
      from = e.at; alertFrom = alertAt;
      crashAlerts();
      crashKinds.clear();
      detector.newSegment();
      const loss = store.raw('loss');
      launched = loss && loss.length > 0 ? { previousLastStep: loss.steps[loss.length - 1] } : undefined;
    }
    piece(from === 0 ? out.points : out.points.slice(from), alertFrom === 0 ? alertPoints : alertPoints.slice(alertFrom), raised);
    for (let i = jumpChecks.length - 1; i >= 0; i--) {
      const a = resumeJump(store, jumpChecks[i]);
      if (a === null) continue; // no point of the new segment yet
      jumpChecks.splice(i, 1);
      if (a) raised.push(a);
    }
    if (out.meta) { Object.assign(meta, out.meta); applySettings(); }
    const jump = levels.push(out.points, candidateFactors(settings));
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
      const lossScale = lossScaleOf(settings);
      if (lossScale) notes.push(`Loss scale: ${lossScale.reason}.`);
      const tokSeries = store.tokenSeries();
      const t = tokensPerStepOf(settings);
      const tokens = tokSeries ? { series: tokSeries, how: `tokens seen from the log's ${tokSeries}` }
        : store.length('consumed_samples') > 0 && store.seqLength ? { series: 'consumed_samples', how: `consumed_samples × sequence length ${store.seqLength}` }
        : t ? { tokensPerStep: t.tokensPerStep, how: t.how } : undefined;
      const r: FeedInfo = { settings, notes };
      if (lossScale) r.lossScale = lossScale;
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
