/**
 * First paint of the tokenizer inspector on a 1 MiB text, in the real VS Code (code-server's workbench and extension
 * host, through scripts/test-vscode.mjs with test/integration/tokenizerPanel.perf.ts as its only entry; production
 * build). Each sample opens a fresh panel on the TinyLlama folder of the fixtures workspace with the text pre-filled
 * and ends when the webview reports that text's tokens on screen.
 * - tokenizer.panel.firstPaintShort: ms for a short text (the baseline: panel, webview bundle, tokenizer load).
 * - tokenizer.panel.firstPaint1MB: ms for 1 MiB of mixed text (bench/mixedText.ts), baseline = the short text's,
 *   ratio = large / short. Medians of LLMTS_BENCH_PAINT_RUNS (default 5) each, alternating the order.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

type Result = Record<string, { value: number; unit: string; baseline?: number; ratio?: number; goal?: number }>;

const ROOT = join(__dirname, '..');
const median = (xs: number[]): number => { const s = [...xs].sort((a, b) => a - b); return s[Math.floor(s.length / 2)]; };
const round = (x: number): number => Math.round(x * 100) / 100;

export async function run(): Promise<Result> {
  const build = spawnSync(process.execPath, ['scripts/build.mjs', '--production'], { cwd: ROOT, stdio: 'inherit' });
  if (build.status !== 0) throw new Error('production build failed');
  const dir = mkdtempSync(join(tmpdir(), 'llmts-tok-paint-'));
  try {
    const file = join(dir, 'paint.json');
    const r = spawnSync(process.execPath, ['scripts/test-vscode.mjs', '--no-ui', '--no-build', '--timeout', '900'], {
      cwd: ROOT, encoding: 'utf8',
      env: { ...process.env, LLMTS_EXTRA_ENTRIES: 'test/integration/tokenizerPanel.perf.ts', LLMTS_BENCH_OUT: file, LLMTS_MOCHA_TIMEOUT: '900000' },
    });
    let m: { largeMs: number[]; smallMs: number[]; tokens: number; domTokens: number; chars: number };
    try { m = JSON.parse(readFileSync(file, 'utf8')); } catch {
      throw new Error(`the first-paint run produced no measurement:\n${(r.stdout ?? '').split('\n').slice(-40).join('\n')}\n${r.stderr ?? ''}`);
    }
    const large = median(m.largeMs), small = median(m.smallMs);
    console.log(`bench: tokenizer panel first paint (ms): 1 MiB (${m.chars} chars, ${m.tokens} tokens, ${m.domTokens} token spans in the DOM): ${m.largeMs.map(round).join(', ')}; short: ${m.smallMs.map(round).join(', ')}`);
    return {
      'tokenizer.panel.firstPaintShort': { value: round(small), unit: 'ms' },
      'tokenizer.panel.firstPaint1MB': { value: round(large), unit: 'ms', baseline: round(small), ratio: round(large / small) },
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

// `npx tsx bench/tokenizerPanel.bench.ts` runs it alone.
if (typeof require !== 'undefined' && require.main === module) run().then((r) => console.log(JSON.stringify(r, null, 2)), (e) => { console.error(e); process.exit(1); });
