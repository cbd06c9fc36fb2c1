/**
 * Messages between the loss-curve panel host (`src/views`) and its webview app (`webview-ui/metrics`).
 * Type-only on both sides; the host validates inbound messages with zod at the boundary.
 * Flow: webview sends `ready`; host answers `snapshot` (everything it has), then `append` deltas.
 */

/** A series as parallel arrays (steps ascending). NaN/Infinity are sent as null/'inf'/'-inf' by structured clone? No: postMessage keeps NaN. */
export interface SeriesData { name: string; steps: number[]; values: number[] }

export interface AlertMarker { kind: string; series: string; step: number; message: string }

export type HostToWebview =
  | { type: 'snapshot'; runId: string; title: string; series: SeriesData[]; alerts: AlertMarker[] }
  | { type: 'append'; runId: string; series: SeriesData[]; alerts: AlertMarker[] }
  | { type: 'status'; runId: string; state: string; step?: number; total?: number };

export type WebviewToHost =
  | { type: 'ready' }
  | { type: 'exportCsv' }
  | { type: 'exportPng'; dataUrl: string };
