import type { FeedInfo } from './feed';

/**
 * Shared types of the metrics core (`src/core/metrics`): log parsing, the metric store, alerts. Pure TypeScript.
 */

/**
 * One value of one series at one step.
 * - `series`: canonical name where one exists (`loss`, `eval_loss`, `grad_norm`, `learning_rate`, `epoch`, `loss_scale`),
 *   else the log's own key.
 * - `step`: the step/iteration the log prints; where it prints none, the 1-based index of the record in its series,
 *   except Trainer dict lines interleaved with the Trainer's training bar (stdout+stderr in one file): the bar's global step.
 * - `value`: may be NaN or +-Infinity (a step whose loss went NaN is a NaN point, not a gap).
 * - `time`: wall-clock time in ms since the epoch when known (from the log or from when the line arrived), else undefined.
 */
export interface MetricPoint { series: string; step: number; value: number; time?: number }

export type AlertKind = 'nan' | 'spike' | 'divergence' | 'stuck-zero' | 'constant-grad-norm' | 'loss-scale-collapse' | 'overfitting' | 'crash' | 'restart' | 'resume-jump' | 'scale-jump';

/** A detected training problem, raised once per episode (not once per point). */
export interface Alert { kind: AlertKind; series: string; step: number; message: string }

/** Progress of a run as a progress bar (tqdm) shows it. */
export interface Progress { step: number; total?: number; rate?: number; rateUnit?: string; etaSeconds?: number }

/**
 * Result of feeding a chunk of log bytes/text to a parser: the points, progress and metadata it completed.
 * Lines not yet complete are kept inside the parser until the next chunk or `end()`.
 */
export interface ParseOutput {
  points: MetricPoint[];
  progress?: Progress;
  meta?: Record<string, number | string>;
  events?: LogEvent[];
  /**
   * `meta` in log order with where each entry came: `at` points of `points` and `event` entries of `events` came
   * before it. Lets the feed give a launch's banner (framework version, gradient accumulation, parallel sizes) to that
   * launch and not to the whole log: a resumed run's second banner comes after the first launch's points.
   */
  metaAt?: MetaAt[];
  /**
   * The points the alert rules should judge, where they differ from `points`: a log that prints one loss per
   * micro-batch (LitGPT) has one `loss` point per optimizer step in `points` (their mean) and each micro-batch's loss
   * here (series `loss`, at the optimizer step), so a spike in one micro-batch is not averaged away. Absent: `points`.
   */
  alertPoints?: MetricPoint[];
}

/** One metadata entry of a {@link ParseOutput} with its place in it (see `ParseOutput.metaAt`). */
export interface MetaAt { key: string; value: number | string; at: number; event: number }

/**
 * Something a log says about the run rather than a metric: a line that ended a launch ({@link CrashEvent}) or the
 * start of a new launch of the run in the same log ({@link LaunchEvent}).
 */
export type LogEvent = CrashEvent | LaunchEvent;

/**
 * A line that ends runs (CUDA out of memory, NCCL watchdog timeout, device-side assert, `Killed`, a Python traceback's
 * exception line, a torch.distributed.elastic child failure; `crash` names which, `reason` is short, `line` is the
 * line) at the last step seen (`step`, absent when no point came before it). A traceback's exception line (a CUDA OOM
 * or NCCL error one too) and fairseq's `OOM: Ran out of memory with exception:` warning (see `CrashLine.mayBeCaught`)
 * are reported only once confirmed: at the end of the log, when the log goes quiet (`LogParser.settle`), at a new
 * launch or at a later line that ends runs (torchrun's ChildFailedError after a rank's traceback), and never when a
 * record at a later step followed it before then (a caught and logged exception: training went on). Crash events
 * come in the order of their lines. The Runs view's crash reason (core/runs `crashOfLog`) is read from these events too.
 */
export interface CrashEvent { kind: 'crash'; crash: string; reason: string; line: string; step?: number }

/**
 * A new launch of the run starts in the same log, after an earlier launch logged points: a launch line (Megatron-LM
 * `training ...`, `[before the start of training step]`, `> building train, validation, and test datasets ...`; the
 * Trainer's `***** Running training *****`; `Starting training`, `Resuming training`, ...; any prefix before them) or
 * a new TensorBoard event file, or, with no such line, a series whose step goes back (see parser.ts). `line` is that
 * line (empty for TensorBoard and for a step that went back); `step` is the last step the earlier
 * launch placed a point at; `at` is the number of this output's `points` that came before the launch (those belong to
 * the earlier launch) and `alertAt` the same for `alertPoints` where the output has them.
 */
export interface LaunchEvent { kind: 'launch'; line: string; step?: number; at: number; alertAt?: number }

/** One series as columns, steps ascending. */
export interface SeriesColumns { name: string; steps: Float64Array; values: Float64Array; times?: Float64Array }

/** A batch of new data for a run: each point and alert is delivered exactly once, in order. */
export interface MetricsBatch { points: MetricPoint[]; alerts: Alert[]; progress?: Progress }

/**
 * The live metrics of one run (or one log file) as the views consume them. Produced by the run lifecycle
 * (log follower -> parser -> metric store -> alert detector); consumed by the loss-curve panel, the sidebar and the CLI.
 */
export interface MetricsFeed {
  readonly runId: string;
  readonly title: string;
  /** Everything received so far. */
  snapshot(): { series: SeriesColumns[]; alerts: Alert[]; progress?: Progress };
  /** Called with each new batch after subscription. Returns the unsubscribe function. */
  subscribe(listener: (batch: MetricsBatch) => void): () => void;
  /** Settings, loss scale, tokens axis and notes (feeds made by createMetricsFeed have it). */
  info?(): FeedInfo;
}
