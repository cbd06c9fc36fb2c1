/**
 * Messages between the sidebar sparklines view host (`src/views/sparklinesView.ts`) and its webview
 * (`webview-ui/sparklines`). The host sends the whole (small) picture each time: one downsampled line per run.
 */
import { z } from 'zod';

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
}

export type SparkHostToWebview = { type: 'runs'; runs: SparkRun[] };

export const sparkWebviewToHostSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('ready') }).strict(),
  z.object({ type: z.literal('open'), runId: z.string().min(1).max(512) }).strict(),
]);
export type SparkWebviewToHost = z.infer<typeof sparkWebviewToHostSchema>;
