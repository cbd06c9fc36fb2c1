/**
 * Messages between the ONNX model view (custom read-only editor for `*.onnx`, `src/views/onnx/editor.ts`) and its app
 * (`webview-ui/onnx/main.ts`). Types only, plus the shared dispatch; validation with zod lives host-side
 * (`src/views/onnx/messages.ts`).
 */
import type { OnnxModelSummary } from '../../core/onnx/model';
import type { ReadyMessage } from './dispatch';

export type { OnnxModelSummary, OnnxExternalFile, OnnxValueInfo } from '../../core/onnx/model';

/** Webview -> host. */
export type OnnxIn = ReadyMessage | { type: 'refresh' } | { type: 'copy'; text: string };

/** Host -> webview: the whole state (the model is re-read on refresh). */
export type OnnxOut =
  | { type: 'snapshot'; host: string; path: string; summary: OnnxModelSummary; parseMs: number }
  | { type: 'error'; host: string; path: string; message: string };
