/**
 * Host-side validation of what the metrics webviews send (zod lives here, never in `src/shared/protocol/`, so the
 * webview bundles carry no validator). Each schema is checked against its protocol type at compile time: a message
 * added to the protocol without a schema (or the other way round) fails `tsc`.
 */
import { z } from 'zod';
import { MAX_PNG_DATA_URL, type WebviewToHost } from '../../shared/protocol/metrics';
import type { SparkWebviewToHost } from '../../shared/protocol/sparklines';
import { parseWith, type ParseResult } from '../../shared/protocol/dispatch';

/** Loss-curve panel -> host. */
export const webviewToHostSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('ready') }).strict(),
  z.object({ type: z.literal('exportCsv') }).strict(),
  z.object({ type: z.literal('exportPng'), dataUrl: z.string().max(MAX_PNG_DATA_URL).startsWith('data:image/png;base64,') }).strict(),
  z.object({ type: z.literal('openRun'), runId: z.string().min(1).max(512) }).strict(),
]);

/** Sparklines view -> host. */
export const sparkWebviewToHostSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('ready') }).strict(),
  z.object({ type: z.literal('open'), runId: z.string().min(1).max(512) }).strict(),
]);

// Compile-time: schema output and protocol type are the same union.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const panelInSync: Same<z.infer<typeof webviewToHostSchema>, WebviewToHost> = true;
const sparkInSync: Same<z.infer<typeof sparkWebviewToHostSchema>, SparkWebviewToHost> = true;
void panelInSync; void sparkInSync;

/** Validates a loss-curve webview message: the typed message, or what was wrong (`path: reason; ...`). */
export function parseWebviewMessage(raw: unknown): ParseResult<WebviewToHost> {
  return parseWith(webviewToHostSchema, raw);
}

/** Validates a sparklines webview message. */
export function parseSparkMessage(raw: unknown): ParseResult<SparkWebviewToHost> {
  return parseWith(sparkWebviewToHostSchema, raw);
}
