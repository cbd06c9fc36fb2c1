/**
 * Host-side validation of what the metrics webviews send (zod lives here, never in `src/shared/protocol/`, so the
 * webview bundles carry no validator). Each schema is checked against its protocol type at compile time: a message
 * added to the protocol without a schema (or the other way round) fails `tsc`.
 */
import type { z as Zod } from 'zod';
import { MAX_PNG_DATA_URL, type WebviewToHost } from '../../shared/protocol/metrics';
import type { SparkWebviewToHost } from '../../shared/protocol/sparklines';
import { parseWith, type ParseResult } from '../../shared/protocol/dispatch';
import { zod } from '../../core/vendor';

/**
 * The schemas, built with the zod module it is handed. zod is required on the first message rather than imported:
 * evaluating zod is most of what activation would otherwise cost (bench `extension.activate`), and no webview has sent
 * anything then.
 */
function buildSchemas(z: typeof Zod) {
  return {
    /** Loss-curve panel -> host. */
    panel: z.discriminatedUnion('type', [
      z.object({ type: z.literal('ready') }).strict(),
      z.object({ type: z.literal('exportCsv') }).strict(),
      z.object({ type: z.literal('exportPng'), dataUrl: z.string().max(MAX_PNG_DATA_URL).startsWith('data:image/png;base64,') }).strict(),
      z.object({ type: z.literal('openRun'), runId: z.string().min(1).max(512) }).strict(),
    ]),
    /** Sparklines view -> host. */
    spark: z.discriminatedUnion('type', [
      z.object({ type: z.literal('ready') }).strict(),
      z.object({ type: z.literal('open'), runId: z.string().min(1).max(512) }).strict(),
    ]),
  };
}
type Schemas = ReturnType<typeof buildSchemas>;
let built: Schemas | undefined;
function schemas(): Schemas {
  return built ??= buildSchemas(zod().z);
}

/** Loss-curve panel -> host (built on first use). */
export function webviewToHostSchema(): Schemas['panel'] { return schemas().panel; }
/** Sparklines view -> host (built on first use). */
export function sparkWebviewToHostSchema(): Schemas['spark'] { return schemas().spark; }

// Compile-time: schema output and protocol type are the same union.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const panelInSync: Same<Zod.infer<Schemas['panel']>, WebviewToHost> = true;
const sparkInSync: Same<Zod.infer<Schemas['spark']>, SparkWebviewToHost> = true;
void panelInSync; void sparkInSync;

/** Validates a loss-curve webview message: the typed message, or what was wrong (`path: reason; ...`). */
export function parseWebviewMessage(raw: unknown): ParseResult<WebviewToHost> {
  return parseWith(webviewToHostSchema(), raw);
}

/** Validates a sparklines webview message. */
export function parseSparkMessage(raw: unknown): ParseResult<SparkWebviewToHost> {
  return parseWith(sparkWebviewToHostSchema(), raw);
}
