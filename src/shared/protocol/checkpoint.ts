/**
 * Messages between the checkpoint details webview (`webview-ui/checkpoint`) and its host (`src/views/checkpoint`).
 * Types only (plus the shared dispatch); zod schemas live host-side in `src/views/checkpoint/messages.ts`.
 */
import type { ReadyMessage } from './dispatch';
import type { CheckpointReport } from '../../core/checkpoint/types';

export type { CheckpointReport } from '../../core/checkpoint/types';

/** Webview -> host. */
export type CheckpointIn = ReadyMessage | { type: 'refresh' } | { type: 'copy'; text: string };

/** Host -> webview: the report (with each tensor's layer group), an error naming the file, or "reading". */
export type CheckpointOut =
  | { type: 'snapshot'; title: string; report: CheckpointReport; groups: string[] }
  | { type: 'error'; title: string; message: string }
  | { type: 'loading'; title: string };
