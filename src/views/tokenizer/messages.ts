/** zod schemas of the tokenizer inspector's inbound messages (host side; the protocol file stays types-only). */
import { z } from 'zod';
import type { TokenizerWebviewToHost } from '../../shared/protocol/tokenizer';
import { parseWith } from '../webviewHost';
import type { ParseResult } from '../../shared/protocol/dispatch';

const mask = z.enum(['trl', 'trl-assistant', 'trl-completion', 'axolotl', 'llamafactory']);
const schema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('ready') }),
  z.object({ type: z.literal('encode'), seq: z.number().int(), text: z.string().max(64 * 1024 * 1024), addSpecialTokens: z.boolean() }),
  z.object({ type: z.literal('renderChat'), seq: z.number().int(), messages: z.string().max(16 * 1024 * 1024), mask }),
  z.object({ type: z.literal('pickCompare') }),
  z.object({ type: z.literal('pickRow') }),
  z.object({ type: z.literal('painted'), seq: z.number().int(), count: z.number().int().nonnegative(), domTokens: z.number().int().nonnegative(), chars: z.number().int().nonnegative() }),
]);

/** Validates a message from the inspector webview. */
export function parseTokenizerMessage(raw: unknown): ParseResult<TokenizerWebviewToHost> {
  return parseWith(schema as unknown as Parameters<typeof parseWith<TokenizerWebviewToHost>>[0], raw);
}
