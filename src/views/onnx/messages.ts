/** Host-side validation of ONNX model view messages (zod; the protocol file stays type-only). */
import { z } from 'zod';
import type { ParseResult } from '../../shared/protocol/dispatch';
import type { OnnxIn } from '../../shared/protocol/onnx';
import { parseWith } from '../webviewHost';

const schema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('ready') }),
  z.object({ type: z.literal('refresh') }),
  z.object({ type: z.literal('copy'), text: z.string().max(100_000) }),
]);

/** Parses one inbound message. */
export function parseOnnxMessage(raw: unknown): ParseResult<OnnxIn> {
  return parseWith(schema, raw) as ParseResult<OnnxIn>;
}
