/** zod schemas of the tokenizer inspector's inbound messages (host side; the protocol file stays types-only). */
import type { z as Zod } from 'zod';
import { zod } from '../../core/vendor';
import type { TokenizerWebviewToHost } from '../../shared/protocol/tokenizer';
import { parseWith } from '../webviewHost';
import type { ParseResult } from '../../shared/protocol/dispatch';

/** The schema, built on the first message (zod is required then, not at activation: src/core/vendor.ts). */
function build(z: typeof Zod) {
  const mask = z.enum(['trl', 'trl-assistant', 'trl-completion', 'axolotl', 'llamafactory']);
  return z.discriminatedUnion('type', [
    z.object({ type: z.literal('ready') }),
    z.object({ type: z.literal('encode'), seq: z.number().int(), text: z.string().max(64 * 1024 * 1024), addSpecialTokens: z.boolean() }),
    z.object({ type: z.literal('renderChat'), seq: z.number().int(), messages: z.string().max(16 * 1024 * 1024), mask }),
    z.object({ type: z.literal('pickCompare') }),
    z.object({ type: z.literal('pickRow') }),
    z.object({ type: z.literal('painted'), seq: z.number().int(), count: z.number().int().nonnegative(), domTokens: z.number().int().nonnegative(), chars: z.number().int().nonnegative(), compareCount: z.number().int().nonnegative().optional(), compareDomTokens: z.number().int().nonnegative().optional() }),
  ]);
}
let schema: ReturnType<typeof build> | undefined;

/** Validates a message from the inspector webview. */
export function parseTokenizerMessage(raw: unknown): ParseResult<TokenizerWebviewToHost> {
  schema ??= build(zod().z);
  return parseWith(schema as unknown as Parameters<typeof parseWith<TokenizerWebviewToHost>>[0], raw);
}
