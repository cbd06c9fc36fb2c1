/**
 * Dependency-free message plumbing shared by every webview protocol (`src/shared/protocol/<feature>.ts`) and both
 * sides of each webview. No runtime imports: webview bundles that import this stay small (zod schemas live on the
 * host side, next to the host that validates inbound messages).
 */

/**
 * A handler per message type. Declare handler objects as `{...} satisfies Handlers<M>` so that adding a message type
 * without handling it fails to compile.
 */
export type Handlers<M extends { type: string }> = { [K in M['type']]: (message: Extract<M, { type: K }>) => void | Promise<void> };

/** Calls the handler for `message.type` (the map is exhaustive by construction). */
export function dispatch<M extends { type: string }>(handlers: Handlers<M>, message: M): void | Promise<void> {
  const handler = handlers[message.type as M['type']] as (m: M) => void | Promise<void>;
  return handler(message);
}

/** Result of validating an inbound message: the typed message, or what was wrong with it. */
export type ParseResult<M> = { ok: true; message: M } | { ok: false; error: string };

/** Every webview's first message, sent each time its document loads; the host answers with a full snapshot. */
export interface ReadyMessage { type: 'ready' }

/**
 * Wraps a zod-like `safeParse` (structurally typed: this file imports no library) into a ParseResult whose error
 * says `path: reason; ...` for every issue. Used on the host side only, with the schemas in `src/views/<feature>/`.
 */
export function parseWith<M>(schema: { safeParse(raw: unknown): { success: true; data: M } | { success: false; error: { issues: { path: PropertyKey[]; message: string }[] } } }, raw: unknown): ParseResult<M> {
  const r = schema.safeParse(raw);
  if (r.success) return { ok: true, message: r.data };
  return { ok: false, error: r.error.issues.map((i) => `${i.path.map(String).join('.') || '(message)'}: ${i.message}`).join('; ') };
}
