/** Host-side validation of checkpoint webview messages (zod; the protocol file stays type-only). */
import { z } from 'zod';
import type { CheckpointIn } from '../../shared/protocol/checkpoint';
import type { ParseResult } from '../../shared/protocol/dispatch';
import { parseWith } from '../webviewHost';

const schema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('ready') }),
  z.object({ type: z.literal('refresh') }),
  z.object({ type: z.literal('copy'), text: z.string().max(100_000) }),
]);

/** Parses one inbound message. */
export function parseCheckpointMessage(raw: unknown): ParseResult<CheckpointIn> {
  return parseWith(schema, raw) as ParseResult<CheckpointIn>;
}
