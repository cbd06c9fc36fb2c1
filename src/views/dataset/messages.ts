/** Host-side validation of the dataset panel's inbound messages (zod stays out of the webview bundle). */
import type { z as Zod } from 'zod';
import { zod } from '../../core/vendor';
import type { ParseResult } from '../../shared/protocol/dispatch';
import type { DatasetWebviewToHost } from '../../shared/protocol/dataset';
import { parseWith } from '../webviewHost';

/** The schema, built on the first message (zod is required then, not at activation: src/core/vendor.ts). */
function build(z: typeof Zod) {
  const n = z.number().int().nonnegative();
  return z.discriminatedUnion('type', [
    z.object({ type: z.literal('ready') }),
    z.object({ type: z.literal('reveal'), index: n, line: n.optional(), row: n.optional(), startLine: n.optional() }),
    z.object({ type: z.literal('inspect'), index: n }),
    z.object({ type: z.literal('recheck') }),
    z.object({ type: z.literal('chooseTokenizer') }),
  ]);
}
let schema: ReturnType<typeof build> | undefined;

/** Validates a message from the dataset webview. */
export function parseDatasetMessage(raw: unknown): ParseResult<DatasetWebviewToHost> {
  return parseWith(schema ??= build(zod().z), raw) as ParseResult<DatasetWebviewToHost>;
}
