/** Host-side validation of the dataset panel's inbound messages (zod stays out of the webview bundle). */
import { z } from 'zod';
import type { ParseResult } from '../../shared/protocol/dispatch';
import type { DatasetWebviewToHost } from '../../shared/protocol/dataset';
import { parseWith } from '../webviewHost';

const n = z.number().int().nonnegative();
const schema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('ready') }),
  z.object({ type: z.literal('reveal'), index: n, line: n.optional(), row: n.optional(), startLine: n.optional() }),
  z.object({ type: z.literal('inspect'), index: n }),
  z.object({ type: z.literal('recheck') }),
  z.object({ type: z.literal('chooseTokenizer') }),
]);

/** Validates a message from the dataset webview. */
export function parseDatasetMessage(raw: unknown): ParseResult<DatasetWebviewToHost> {
  return parseWith(schema, raw) as ParseResult<DatasetWebviewToHost>;
}
