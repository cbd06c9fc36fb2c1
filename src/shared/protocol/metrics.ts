/**
 * Messages between the loss-curve panel host (`src/views/metrics/lossCurvePanel.ts`) and its webview app (`webview-ui/metrics`).
 *
 * Flow: the webview sends `ready` each time its document loads (first open, reload after being hidden, restore after a
 * window reload); the host answers with a full `snapshot` of every run the panel shows, then `append` deltas.
 * Hidden webviews drop messages, so the host keeps the data (the MetricsFeed) and re-sends a snapshot when asked.
 *
 * Numbers travel as Float64Array (structured clone keeps NaN and +-Infinity, and copies a typed array as one block).
 * A typed array is cloned together with its whole underlying ArrayBuffer, so senders pass exact-length copies.
 * Steps and times that are an exact arithmetic sequence (steps logged every N) travel as `{ first, stride, count }`
 * (src/shared/packedColumn.ts): three numbers instead of 8 bytes a point.
 *
 * Types only, plus constants and the dependency-free `dispatch`: no runtime library, so the webview bundle carries none.
 * The host validates inbound messages with the zod schema in `src/views/metrics/messages.ts` (checked against
 * `WebviewToHost` at compile time).
 */

/**
 * One series of one run as columns of equal length: `steps` ascending; `times` wall-clock ms since the epoch (NaN where
 * unknown). `steps` and `times` may be packed (an ArithmeticColumn); `values` always travel as they are.
 */
export interface SeriesData { name: string; steps: PackedColumn; values: Float64Array; times?: PackedColumn }

/** An alert drawn as a vertical marker at `step` on the run's series. `message` is log-derived text: textContent only. */
export interface AlertMarker { kind: string; series: string; step: number; message: string }

/**
 * What the host knows about a run beyond its points (core/metrics `FeedInfo`): its settings (gradient accumulation,
 * parallel sizes, batch, sequence length, framework version, each with its source), the factor its logged loss carries
 * in this framework version (`lossScale`: the chart offers to divide by it), how the tokens axis is made, and notes
 * for the panel (log-derived: textContent only).
 */
export interface RunInfo {
  settings: RunSettings;
  /** The logged loss factor (shared/runSettings `LossScale`: `conditional` when it holds only in some versions or
   * models, `applies` says which). */
  lossScale?: LossScale;
  /** Per launch of a log with several (core/metrics `LaunchInfo`): which loss points carry which factor. */
  launches?: Array<{ launch: number; firstStep?: number; lastStep?: number; series: string; settings: RunSettings; lossScale?: LossScale }>;
  tokens?: { how: string; series?: string; tokensPerStep?: number };
  notes: string[];
  /** Why the run has no points yet, while it has none (log-derived: textContent only). */
  empty?: string;
}

/** Everything the panel knows about one run. */
export interface RunData { runId: string; title: string; series: SeriesData[]; alerts: AlertMarker[]; progress?: { step: number; total?: number }; info?: RunInfo }

export type HostToWebview =
  /** Replace everything (first load, reload, or after messages were dropped while hidden). */
  | { type: 'snapshot'; runs: RunData[]; origin?: PanelOrigin }
  /** New points/alerts of one run since the last snapshot/append (points of a series come in step order). */
  | { type: 'append'; runId: string; series: SeriesData[]; alerts: AlertMarker[]; progress?: { step: number; total?: number }; info?: RunInfo }
  /** Result of an export the webview asked for, to show in its status line. */
  | { type: 'exported'; what: 'png' | 'csv'; ok: boolean; detail: string };

/** Largest PNG data URL accepted from the webview (characters): a 4K-wide chart is well below this. */
export const MAX_PNG_DATA_URL = 32 * 1024 * 1024;

/** Webview -> host. Validated on the host (src/views/metrics/messages.ts) before any handler runs. */
export type WebviewToHost =
  | ReadyMessage
  | { type: 'exportCsv' }
  /** A PNG of the chart as a `data:image/png;base64,` URL of at most MAX_PNG_DATA_URL characters. */
  | { type: 'exportPng'; dataUrl: string }
  /** The user asked to open one run of a comparison on its own (sidebar/legend); 1..512 characters. */
  | { type: 'openRun'; runId: string };

export { dispatch, type Handlers, type ReadyMessage } from './dispatch';
import type { ReadyMessage } from './dispatch';
import type { LossScale, RunSettings } from '../runSettings';
import type { PackedColumn } from '../packedColumn';

/** What the serializer needs to reopen a panel: the runs it showed, or the log file it was opened from. */
export interface PanelOrigin { runIds: string[]; logUri?: string }

/** State the webview keeps with `setState` (survives hide/show and, with the serializer, window reloads). */
export interface ChartViewState {
  /** Where the data came from (copied from the last snapshot); the serializer reopens the same feeds or log file. */
  origin?: PanelOrigin;
  hidden: string[];
  smoothing: SmoothingMethod;
  /** 0..1; meaning depends on the method (EMA weight, half-life or sigma as a fraction of the x range). */
  smoothingAmount: number;
  xAxis: XAxisMode;
  /** The user picked the x axis (then comparing runs does not switch it to tokens by itself). */
  xAxisChosen?: boolean;
  logScale: boolean;
  /** Divide loss series by the factor their framework version multiplies them by (RunInfo.lossScale). */
  rescale?: boolean;
}

export type SmoothingMethod = 'none' | 'ema' | 'ema-time' | 'gaussian';
/** `tokens`: tokens seen (RunInfo.tokens says how they are known). */
export type XAxisMode = 'step' | 'wall' | 'relative' | 'tokens';

export const DEFAULT_VIEW_STATE: ChartViewState = { hidden: [], smoothing: 'ema', smoothingAmount: 0.6, xAxis: 'step', logScale: false };
