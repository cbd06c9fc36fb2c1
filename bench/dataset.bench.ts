/**
 * Dataset checks, measured against a baseline in the same run (medians of interleaved repetitions):
 * - dataset.check.rowsPerSec: rows/s of the full checks without tokenization (read, parse, format checks, exact and
 *   MinHash near duplicates) on a generated SFT JSONL (16 MiB of messages rows of 40-400 words), run as `llmtrain data`
 *   and the dataset panel run them on this machine: the duplicate search in a worker thread (src/remote/dedupWorker.ts,
 *   bundled here with esbuild as `npm run build` bundles dist/dedupWorker.js) where there are 3 CPUs or more, else in
 *   the checking thread; baseline: a plain loop that reads the same file through the same FileAccess, splits lines
 *   and JSON.parses each (goal: ratio >= 0.5); 7 interleaved repetitions after one warm-up of each
 * - dataset.check.inlineRatioToJsonParse / workerRatioToJsonParse: the same ratio with the search in the checking
 *   thread, and in the worker whatever the CPU count (on 2 CPUs the two threads share them with V8's collector)
 * - dataset.check.cpuRatioToJsonParse: ratioToJsonParse's run from process CPU time (user + system, all threads)
 *   instead of wall time: the work done rather than how long it took (both include the GC threads)
 * - dataset.check.tokenized.rowsPerSec: the same with token lengths (TinyLlama tokenizer.json, Axolotl policy)
 * - dataset.stream.peakMB: peak RSS growth while checking a large generated JSONL (LLMTRAIN_BENCH_DATASET_MB, default
 *   256 MB) without tokenization: bounded by the chunk, the dedup tables and the per-row 8 bytes, not the file
 *   (goal: below the file's size in MB)
 * Constants are `goal`s, never `baseline`s: a baseline is measured in the same run.
 */
import { mkdtempSync, rmSync, openSync, writeSync, closeSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { localFileAccess } from '../src/remote/files';
import { readChunks } from '../src/core/files';
import { checkDataset, tokenCounter } from '../src/core/dataset';
import { DEFAULT_MIN_CORES, workerDedup } from '../src/remote/dedupWorker';
import { buildSync } from 'esbuild';
import { loadTokenizer } from '../src/core/tokenizer';

function median(xs: number[]): number { const s = [...xs].sort((a, b) => a - b); return s[s.length >> 1]; }

const WORDS = 'the model learns to follow instructions from data that people write carefully and check twice before training runs start on many GPUs across the cluster while loss curves fall slowly'.split(' ');

/** A deterministic messages row of 40-400 words. */
function row(i: number): string {
  let x = (i * 2654435761) >>> 0;
  const rnd = (): number => { x ^= x << 13; x >>>= 0; x ^= x >>> 17; x ^= x << 5; x >>>= 0; return x; };
  const n = 40 + (rnd() % 360);
  const words: string[] = [];
  for (let k = 0; k < n; k++) words.push(WORDS[rnd() % WORDS.length] + (k % 11 === 0 ? `${rnd() % 1000}` : ''));
  const cut = Math.max(5, n >> 2);
  return JSON.stringify({ messages: [{ role: 'system', content: 'You are helpful.' }, { role: 'user', content: words.slice(0, cut).join(' ') }, { role: 'assistant', content: words.slice(cut).join(' ') }] });
}

function writeJsonl(path: string, targetBytes: number): number {
  const fd = openSync(path, 'w');
  let bytes = 0, i = 0;
  try {
    while (bytes < targetBytes) {
      const lines: string[] = [];
      for (let k = 0; k < 1000; k++) lines.push(row(i++));
      const s = lines.join('\n') + '\n';
      writeSync(fd, s);
      bytes += Buffer.byteLength(s);
    }
  } finally { closeSync(fd); }
  return i;
}

/** The baseline: read through the same FileAccess, split on newlines, JSON.parse every line. */
async function parseLoop(path: string): Promise<number> {
  const files = localFileAccess();
  const dec = new TextDecoder();
  let rest = '', rows = 0;
  for await (const chunk of readChunks(files, path)) {
    const text = rest + dec.decode(chunk, { stream: true });
    const lines = text.split('\n');
    rest = lines.pop() ?? '';
    for (const l of lines) if (l) { JSON.parse(l); rows++; }
  }
  if (rest) { JSON.parse(rest); rows++; }
  return rows;
}

export async function run(): Promise<Record<string, { value: number; unit: string; baseline?: number; ratio?: number; goal?: number }>> {
  const dir = mkdtempSync(join(tmpdir(), 'llmt-dataset-bench-'));
  try {
    const small = join(dir, 'sft.jsonl');
    const rows = writeJsonl(small, 16 * 1024 * 1024);
    const files = localFileAccess();
    const script = join(dir, 'dedupWorker.js');
    buildSync({ entryPoints: [join(__dirname, '..', 'src', 'remote', 'dedupWorkerMain.ts')], bundle: true, platform: 'node', format: 'cjs', target: 'node20', outfile: script, logLevel: 'warning' });
    const dedup = workerDedup({ script }), forced = workerDedup({ script, minCores: 0 });
    const useWorker = availableParallelism() >= DEFAULT_MIN_CORES; // what workerDedup({ script }) decides here, as the CLI's does
    await parseLoop(small); await checkDataset(files, small, { previewRows: 0, dedup: forced }); await checkDataset(files, small, { previewRows: 0 });
    const tBase: number[] = [], tWorker: number[] = [], tInline: number[] = [], cBase: number[] = [], cWorker: number[] = [], cInline: number[] = [];
    const cpuMs = (since: NodeJS.CpuUsage): number => { const d = process.cpuUsage(since); return (d.user + d.system) / 1000; };
    let dups = '';
    for (let r = 0; r < 7; r++) {
      let t = performance.now(), c = process.cpuUsage(); await parseLoop(small); tBase.push(performance.now() - t); cBase.push(cpuMs(c));
      t = performance.now(); c = process.cpuUsage(); const rep = await checkDataset(files, small, { previewRows: 0, dedup: forced }); tWorker.push(performance.now() - t); cWorker.push(cpuMs(c));
      t = performance.now(); c = process.cpuUsage(); const inl = await checkDataset(files, small, { previewRows: 0 }); tInline.push(performance.now() - t); cInline.push(cpuMs(c));
      if (rep.rows !== rows || inl.rows !== rows) throw new Error(`checked ${rep.rows} and ${inl.rows} rows of ${rows}`);
      const d = `${rep.duplicates.exact}/${rep.duplicates.near}`, di = `${inl.duplicates.exact}/${inl.duplicates.near}`;
      if (d !== di || (dups && d !== dups)) throw new Error(`duplicates differ: worker ${d}, inline ${di}, before ${dups}`);
      dups = d;
    }
    const base = rows / (median(tBase) / 1000), worker = rows / (median(tWorker) / 1000), inline = rows / (median(tInline) / 1000);
    const check = useWorker ? worker : inline, cCheck = useWorker ? cWorker : cInline;

    const tok = await loadTokenizer(files, join(__dirname, '..', 'test', 'fixtures', 'tokenizer', 'tinyllama__bpe-bytefallback.tokenizer.json'));
    const counter = tokenCounter(tok, 'axolotl', 'tinyllama');
    const tokFile = join(dir, 'tok.jsonl');
    const tokRows = writeJsonl(tokFile, 2 * 1024 * 1024);
    const tTok: number[] = [];
    for (let r = 0; r < 3; r++) {
      const t = performance.now();
      await checkDataset(files, tokFile, { previewRows: 0, tokens: counter, limit: { value: 512, key: 'sequence_len', policy: 'drop', why: '' } });
      tTok.push(performance.now() - t);
    }
    const tokRate = tokRows / (median(tTok) / 1000);

    const big = join(dir, 'big.jsonl');
    const mb = Number(process.env.LLMTRAIN_BENCH_DATASET_MB ?? 256);
    const bigRows = writeJsonl(big, mb * 1024 * 1024);
    global.gc?.();
    const before = process.memoryUsage().rss;
    let peak = before;
    const t = performance.now();
    const rep = await checkDataset(files, big, { previewRows: 0, dedup, onProgress: () => { peak = Math.max(peak, process.memoryUsage().rss); } });
    const bigSecs = (performance.now() - t) / 1000;
    if (rep.rows !== bigRows) throw new Error(`big: checked ${rep.rows} rows of ${bigRows}`);
    return {
      'dataset.check.rowsPerSec': { value: check, unit: 'rows/s', baseline: base, ratio: check / base },
      'dataset.check.ratioToJsonParse': { value: check / base, unit: 'x', goal: 0.5 },
      'dataset.check.inlineRatioToJsonParse': { value: inline / base, unit: 'x', baseline: base, ratio: inline / base },
      'dataset.check.workerRatioToJsonParse': { value: worker / base, unit: 'x', baseline: base, ratio: worker / base },
      'dataset.check.cpuRatioToJsonParse': { value: median(cBase) / median(cCheck), unit: 'x', goal: 0.5 },
      'dataset.check.tokenized.rowsPerSec': { value: tokRate, unit: 'rows/s' },
      'dataset.stream.peakMB': { value: (peak - before) / 1e6, unit: 'MB', goal: mb * 1.048576 },
      'dataset.stream.MBPerSec': { value: (mb * 1.048576) / bigSecs, unit: 'MB/s' },
    };
  } finally { rmSync(dir, { recursive: true, force: true }); }
}

if (require.main === module) run().then((r) => { for (const [k, x] of Object.entries(r)) console.log(k, x); });
