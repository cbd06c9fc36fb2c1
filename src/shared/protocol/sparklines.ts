/**
 * Messages between the sidebar sparklines view host (`src/views/metrics/sparklinesView.ts`) and its webview
 * (`webview-ui/sparklines`). The host sends the whole (small) picture each time: one downsampled line per run.
 * Types only (the host's zod schema is in `src/views/metrics/messages.ts`).
 */
import type { ReadyMessage } from './dispatch';

/** One run's sparkline: its loss series resolved to about one point per pixel column (min/max kept). */
export interface SparkRun {
  runId: string;
  /** Log-derived text: textContent only. */
  title: string;
  /** Series shown (`loss`, else the first series whose name contains `loss`, else the first series). */
  series: string;
  xs: Float64Array;
  ys: Float64Array;
  /** Last finite value and its step; null before the first point. */
  latest: number | null;
  latestStep: number | null;
  /** Total steps when the progress bar says so. */
  total?: number;
  alerts: number;
  /** Why there is no point, while there is none (the feed's `FeedInfo.empty`: the line that ended a failed run, an
   * empty log, lines read without a metric). Log-derived: textContent only. */
  empty?: string;
}

export type SparkHostToWebview = { type: 'runs'; runs: SparkRun[] };

/** Webview -> host: `ready`, or open the loss-curve panel of a run (runId of 1..512 characters). */
export type SparkWebviewToHost = ReadyMessage | { type: 'open'; runId: string };
