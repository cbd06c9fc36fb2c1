// Runs the llmtrain CLI in this process (src/cli/main.ts `main`) and captures what it writes, for unit tests that
// assert its exit code and output.
import { main } from '../src/cli/main';

/**
 * Runs `llmtrain <argv>` in process: `code` is main()'s exit code, `out`/`err` what it wrote as strings to stdout and
 * stderr. Only strings are captured: the test runner's own reports (Buffers) on stdout pass through.
 */
export async function cli(argv: string[]): Promise<{ code: number; out: string; err: string }> {
  const w = process.stdout.write, we = process.stderr.write;
  let out = '', err = '';
  process.stdout.write = ((c: string | Uint8Array, ...rest: unknown[]) => { if (typeof c === 'string') { out += c; return true; } return (w as (...a: unknown[]) => boolean).call(process.stdout, c, ...rest); }) as typeof process.stdout.write;
  process.stderr.write = ((c: string | Uint8Array, ...rest: unknown[]) => { if (typeof c === 'string') { err += c; return true; } return (we as (...a: unknown[]) => boolean).call(process.stderr, c, ...rest); }) as typeof process.stderr.write;
  try { return { code: await main(argv), out, err }; } finally { process.stdout.write = w; process.stderr.write = we; }
}
