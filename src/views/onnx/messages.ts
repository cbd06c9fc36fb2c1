/** Host-side validation of ONNX model view messages (zod; the protocol file stays type-only). */
import type { z as Zod } from 'zod';
import { zod } from '../../core/vendor';
import type { ParseResult } from '../../shared/protocol/dispatch';
import type { OnnxIn } from '../../shared/protocol/onnx';
import { parseWith } from '../webviewHost';

/** The schema, built on the first message (zod is required then, not at activation: src/core/vendor.ts). */
const build = (z: typeof Zod) => z.discriminatedUnion('type', [
  z.object({ type: z.literal('ready') }),
  z.object({ type: z.literal('refresh') }),
  z.object({ type: z.literal('copy'), text: z.string().max(100_000) }),
]);
let schema: ReturnType<typeof build> | undefined;

/** Parses one inbound message. */
export function parseOnnxMessage(raw: unknown): ParseResult<OnnxIn> {
  return parseWith(schema ??= build(zod().z), raw) as ParseResult<OnnxIn>;
}
