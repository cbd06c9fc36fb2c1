/**
 * A {@link MetricsFeed} over a byte stream: log parser -> metric store -> alert detector, for one run or log file.
 * The run lifecycle (or the CLI, or a test) pushes chunks as the log follower delivers them; views subscribe.
 */
import { AlertDetector, type AlertOptions } from './alerts';
import { createLogParser, type LogParser } from './parser';
import { MetricStore } from './store';
import type { Alert, MetricsBatch, MetricsFeed, ParseOutput, Progress } from './types';

/** Options of {@link createMetricsFeed}. */
export interface MetricsFeedOptions {
  /** Log file name, for format detection (`trainer_state.json`, `events.out.tfevents...`, `metrics.csv`). */
  fileName?: string;
  /** Clock for points without a timestamp in the log (default Date.now; pass `() => undefined`-like `null` to omit). */
  now?: (() => number) | null;
  /** Tokens per step from the run's config, for the tokens axis. */
  tokensPerStep?: number;
  /** Sequence length from the run's config (tokens = consumed samples x this, for Megatron-style logs). */
  seqLength?: number;
  alerts?: AlertOptions;
}

/** A feed that can be written to. */
export interface WritableMetricsFeed extends MetricsFeed {
  /** Parses a chunk, stores its points, runs the alert rules, notifies subscribers; returns the batch. */
  pushChunk(chunk: string | Uint8Array): MetricsBatch;
  /** Flushes the last partial line; call once at end of file / end of run. */
  end(): MetricsBatch;
  readonly store: MetricStore;
  readonly parser: LogParser;
  /** Detected log format. */
  readonly format: string;
  /** Run metadata from the log (final summary, trainer_state fields, totals). */
  readonly meta: Readonly<Record<string, number | string>>;
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

  const deliver = (out: ParseOutput): MetricsBatch => {
    store.append(out.points);
    const raised = detector.push(out.points);
    alerts.push(...raised);
    if (out.meta) Object.assign(meta, out.meta);
    if (out.progress) progress = out.progress;
    const batch: MetricsBatch = { points: out.points, alerts: raised };
    if (out.progress) batch.progress = out.progress;
    if (batch.points.length > 0 || batch.alerts.length > 0 || batch.progress) {
      for (const l of [...listeners]) { try { l(batch); } catch { /* a listener's failure must not stop the feed */ } }
    }
    return batch;
  };

  return {
    runId,
    title,
    store,
    parser,
    get format() { return parser.format; },
    meta,
    snapshot() {
      const s: ReturnType<MetricsFeed['snapshot']> = { series: store.all(), alerts: alerts.slice() };
      if (progress) s.progress = progress;
      return s;
    },
    subscribe(listener) { listeners.add(listener); return () => { listeners.delete(listener); }; },
    pushChunk(chunk) { return deliver(parser.push(chunk)); },
    end() { return deliver(parser.end()); },
  };
}
