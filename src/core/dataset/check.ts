/**
 * One streaming pass over a dataset file: read rows (readers.ts), settle the format (declared by the config, else
 * detected from the first rows), check each row (formats.ts), find exact and near duplicates (dedup.ts) and count
 * tokens against the run's limit (lengths.ts). Memory is bounded: rows are not kept (only a preview of the first
 * few, a 4-byte length and position per row, and the dedup tables).
 */
import type { FileAccess } from '../files';
import { FileNotFoundError } from '../files';
import type { DatasetFormat, DatasetProblem, DatasetProgress, DatasetReport, DatasetSpec, DuplicateExample, FieldMap, FileKind, RowRef, TokenStats } from './types';
import { detectRowFormat, formatDef, formatLabel } from './formats';
import type { RowIssue } from './formats';
import { fileKindOf, readRows, DatasetFileError } from './readers';
import type { RawRow } from './readers';
import { inlineDedup } from './dedup';
import type { DedupStageFactory, DedupTotals } from './stage';
import { DedupStageError } from './stage';
import { histogram, percentile, stepsPerEpoch } from './lengths';
import type { LengthLimit, TokenCounter } from './lengths';

export interface CheckOptions {
  /** Declared format and field mapping (from the config); without it the format is detected. */
  spec?: Omit<DatasetSpec, 'path'>;
  /** File kind; from the extension when absent. */
  kind?: FileKind;
  /** Token counting with the run's tokenizer; without it `tokens` is null. */
  tokens?: TokenCounter;
  /** Length limit and the framework's policy past it. */
  limit?: LengthLimit;
  /** Samples per optimizer step on one GPU (micro batch, accumulation) for steps per epoch. */
  batch?: { micro: number; gas: number };
  signal?: AbortSignal;
  onProgress?: (p: DatasetProgress) => void;
  /** Most problems listed (all are counted in `problemCounts`); default 1000. */
  maxProblems?: number;
  /** Duplicate examples kept; default 20. Preview rows; default 20. */
  maxExamples?: number; previewRows?: number;
  /** Rows looked at before the format is settled when it is not declared; default 200. */
  detectRows?: number;
  /** Longest row read (bytes); see readers.ts. */
  maxRowBytes?: number;
  /** Bytes per read (default: readChunks' 4 MiB); small values test chunk boundaries. */
  chunkSize?: number;
  /** Rows indexed for near duplicates (memory bound); default 500,000. */
  maxNearRows?: number;
  /**
   * Where the duplicate search runs (stage.ts `DedupStage`); default: in this thread (`inlineDedup`). The CLI and the
   * editor pass a worker-thread factory (src/remote/dedupWorker.ts: files over 4 MiB on 3 or more CPUs), which gives
   * the same results.
   */
  dedup?: DedupStageFactory;
}

const SEVERITY_ORDER = { error: 0, warning: 1, info: 2 } as const;

/** Shortens long strings of a preview value (the panel shows rows, not megabytes). */
function clip(v: unknown, depth = 0): unknown {
  if (typeof v === 'string') return v.length > 4000 ? `${v.slice(0, 4000)}… (${v.length} characters)` : v;
  if (depth > 6) return '…';
  if (Array.isArray(v)) return v.slice(0, 50).map((x) => clip(x, depth + 1));
  if (v && typeof v === 'object') { const o: Record<string, unknown> = {}; for (const [k, x] of Object.entries(v).slice(0, 50)) o[k] = clip(x, depth + 1); return o; }
  return v;
}

/**
 * Checks one dataset file. Rejects with FileNotFoundError, DatasetFileError (binary, UTF-16, not Parquet) or the
 * signal's reason when cancelled; everything else about the content is a problem in the report. When the `dedup`
 * stage fails (`DedupStageError`: its worker died), the file is checked again with the inline search and the report
 * starts with a `dedup-retried` note.
 */
export async function checkDataset(files: FileAccess, path: string, opts: CheckOptions = {}): Promise<DatasetReport> {
  try {
    return await checkOnce(files, path, opts);
  } catch (e) {
    if (!(e instanceof DedupStageError) || !opts.dedup) throw e;
    // The duplicate search's stage (a worker thread) failed: its verdicts are lost, so the file is checked again
    // with the search in this thread, and the report says why it took longer.
    const report = await checkOnce(files, path, { ...opts, dedup: undefined });
    report.problems.unshift({ severity: 'info', code: 'dedup-retried', message: `${e.message}; the file was checked again with the duplicate search in this thread.` });
    report.problemCounts['dedup-retried'] = 1;
    return report;
  }
}

async function checkOnce(files: FileAccess, path: string, opts: CheckOptions): Promise<DatasetReport> {
  const t0 = Date.now();
  const info = await files.stat(path);
  if (!info) throw new FileNotFoundError(path, files.host);
  if (info.isDirectory) throw new DatasetFileError(path, 'is-folder', 'is a folder; name a .jsonl, .json, .parquet or .csv file in it');
  // A FIFO or device has no size to read ranges up to (stat says 0): it would read as an empty dataset.
  if (info.special) throw new DatasetFileError(path, 'not-a-file', 'is not a regular file (a pipe, socket or device): the checks read a file by ranges; save the stream to a file first');
  const kind = opts.kind ?? fileKindOf(path);
  if (!kind) throw new DatasetFileError(path, 'unknown-kind', 'is not a .jsonl, .json, .parquet or .csv file');
  const maxProblems = opts.maxProblems ?? 1000, maxExamples = opts.maxExamples ?? 20, previewRows = opts.previewRows ?? 20;
  const fields: FieldMap = opts.spec?.fields ?? {};
  // Rows with lines (JSONL, CSV, and a .json file that is JSON Lines, as readJsonArray reads it) or with row indexes.
  let textRows = kind === 'jsonl' || kind === 'csv';

  const problems: DatasetProblem[] = [];
  const fileProblems: DatasetProblem[] = [];
  const counts: Record<string, number> = {};
  let dropped = 0;
  const note = (p: DatasetProblem): void => {
    counts[p.code] = (counts[p.code] ?? 0) + 1;
    if (problems.length < maxProblems) problems.push(p); else dropped++;
  };
  const at = (ref: RowRef): Pick<DatasetProblem, 'line' | 'row'> => (textRows ? { line: ref.line } : { row: ref.row });
  const rowProblem = (ref: RowRef, i: RowIssue): void => note({ ...at(ref), severity: i.severity, code: i.code, message: i.message });

  const dedup = opts.dedup?.({ maxNearRows: opts.maxNearRows, bytes: info.size }) ?? inlineDedup({ maxNearRows: opts.maxNearRows });
  const examples: DuplicateExample[] = [];
  const preview: { ref: RowRef; value: unknown }[] = [];
  // Position of each row (for duplicate examples): its line for text files, else its row index.
  let pos = new Int32Array(1024);
  let lengths = new Int32Array(opts.tokens ? 1024 : 0);
  let nLengths = 0, rows = 0, bytes = 0, unreadable = 0;
  let format: DatasetFormat | undefined = opts.spec?.declared;
  const detected = new Map<DatasetFormat, number>();
  const pending: RawRow[] = [];
  const detectRows = opts.detectRows ?? 200;
  const declared = opts.spec?.declared;
  let declaredRows = 0;
  let sampled = 0; // rows counted in `detected` (the sum of its values), kept as rows come rather than summed per row

  const keysOf = new Map<DatasetFormat, string[]>();
  const formatKeys = (f: DatasetFormat): string[] => { let ks = keysOf.get(f); if (!ks) keysOf.set(f, (ks = formatDef(f).keys(fields))); return ks; };
  const refOf = (index: number): RowRef => (textRows ? { index, line: pos[index] } : { index, row: index });

  const process = (r: RawRow): void => {
    const ref = r.ref;
    if (r.error) { unreadable++; note({ ...at(ref), severity: 'error', code: r.error.code, message: r.error.message }); return; }
    const v = r.value;
    if (!v || typeof v !== 'object' || Array.isArray(v)) { note({ ...at(ref), severity: 'error', code: 'not-an-object', message: `row is ${v === null ? 'null' : Array.isArray(v) ? 'a list' : `a ${typeof v}`}, not an object of fields` }); return; }
    const row = v as Record<string, unknown>;
    if (!format) return;
    const issues: RowIssue[] = [];
    // A row with at least one of the format's keys is checked as that format; one with none of them is a mismatch
    // that names the format it has (the whole registry is consulted only then, not for every row).
    let some = false;
    for (const k of formatKeys(format)) if (k in row) { some = true; break; }
    const own = some ? format : detectRowFormat(row, fields);
    if (own !== format) {
      issues.push({ severity: 'error', code: 'format-mismatch', message: `row has the fields of ${own ? formatLabel(own) : `no known format (${Object.keys(row).slice(0, 6).join(', ') || 'no fields'})`}, not ${formatLabel(format)}` });
    } else formatDef(format).check(row, fields, issues);
    for (const i of issues) rowProblem(ref, i);
    const broken = issues.some((i) => i.severity === 'error');
    if (broken) return;
    dedup.add(ref.index, formatDef(format).text(row, fields));
    if (opts.tokens) {
      const n = opts.tokens.count(row, format, fields);
      if (nLengths === lengths.length) { const g = new Int32Array(lengths.length * 2); g.set(lengths); lengths = g; }
      lengths[nLengths++] = n;
    }
  };

  // Verdicts come in row order, maybe later than their rows (a worker stage answers in batches).
  const takeVerdicts = (): void => {
    for (const { index, verdict } of dedup.take()) {
      if (examples.length < maxExamples) examples.push({ kind: verdict.kind, ref: { ...refOf(index) }, of: refOf(verdict.of), ...(verdict.kind === 'near' ? { similarity: Math.round(verdict.similarity * 100) / 100 } : {}) });
    }
  };

  const settle = (): void => {
    if (format) return;
    let best: DatasetFormat | undefined, bestN = 0;
    for (const [f, n] of detected) if (n > bestN) { best = f; bestN = n; }
    format = best;
    const total = [...detected.values()].reduce((a, b) => a + b, 0);
    if (best && bestN < total) fileProblems.push({ severity: 'warning', code: 'mixed-formats', message: `The first rows mix formats: ${[...detected].map(([f, n]) => `${n} ${formatLabel(f)}`).join(', ')}; checking as ${formatLabel(best)}.` });
  };

  const reader = readRows(files, path, kind, {
    signal: opts.signal, maxRowBytes: opts.maxRowBytes, chunkSize: opts.chunkSize,
    onProblem: (p) => fileProblems.push(p),
    onBytes: (b) => { bytes = b; opts.onProgress?.({ bytes: b, totalBytes: info.size, rows }); },
  });
  let totals: DedupTotals;
  try {
    for await (const r of reader) {
      opts.signal?.throwIfAborted();
      if (r.ref.line !== undefined) textRows = true;
      if (rows === pos.length) { const g = new Int32Array(pos.length * 2); g.set(pos); pos = g; }
      pos[rows] = r.ref.line ?? r.ref.index;
      rows++;
      if (preview.length < previewRows && r.value !== undefined) preview.push({ ref: { index: r.ref.index, ...(r.ref.line !== undefined ? { line: r.ref.line } : {}), ...(r.ref.row !== undefined ? { row: r.ref.row } : {}), ...(r.ref.startLine !== undefined ? { startLine: r.ref.startLine } : {}) } as RowRef, value: clip(r.value) });
      if (sampled < detectRows && r.value && typeof r.value === 'object' && !Array.isArray(r.value)) {
        const f = detectRowFormat(r.value as Record<string, unknown>, fields);
        if (f) { detected.set(f, (detected.get(f) ?? 0) + 1); sampled++; }
        if (declared && formatDef(declared).keys(fields).every((k) => k in (r.value as object))) declaredRows++;
      }
      if (format) process(r);
      else {
        pending.push(r);
        if (sampled >= detectRows) { settle(); for (const p of pending.splice(0)) process(p); }
      }
      takeVerdicts();
      const wait = dedup.backpressure();
      if (wait) await wait;
    }
    if (!format) { settle(); for (const p of pending.splice(0)) process(p); }
    totals = await dedup.finish();
    takeVerdicts();
  } finally { dedup.dispose(); }

  // A declared format that the rows do not have (most sampled rows lack its fields).
  if (declared && detected.size > 0) {
    let best: DatasetFormat | undefined, bestN = 0, total = 0;
    for (const [f, n] of detected) { total += n; if (n > bestN) { best = f; bestN = n; } }
    if (best && best !== declared && declaredRows * 2 < total) {
      fileProblems.push({ severity: 'error', code: 'declared-format-mismatch', message: `The config declares ${opts.spec?.declaredAs ?? declared} (${formatLabel(declared)}), but the rows are ${formatLabel(best)}.` });
    }
  }
  // Not when no row could be read at all (invalid JSON or UTF-8, a 2 GB line): the row problems say why.
  if (!format && rows > unreadable) fileProblems.push({ severity: 'error', code: 'unknown-format', message: 'No row has the fields of a known format (alpaca, ShareGPT, messages, preference, KTO, text, prompt-completion).' });
  if (rows === 0) fileProblems.push({ severity: 'error', code: 'empty-dataset', message: 'The file has no rows.' });

  let tokens: TokenStats | null = null;
  if (opts.tokens) {
    const ls = lengths.subarray(0, nLengths);
    const sorted = Int32Array.from(ls).sort();
    let total = 0, over = 0;
    const lim = opts.limit;
    for (let i = 0; i < ls.length; i++) { total += ls[i]; if (lim && ls[i] > lim.value) over++; }
    const kept = ls.length - (lim?.policy === 'drop' ? over : 0);
    tokens = {
      max: sorted.length ? sorted[sorted.length - 1] : 0, p50: percentile(sorted, 50), p95: percentile(sorted, 95), total, overLimit: over,
      histogram: histogram(ls, lim?.value),
      ...(lim ? { limit: lim.value, limitKey: lim.key } : {}),
      truncated: lim?.policy === 'truncate' ? over : 0, dropped: lim?.policy === 'drop' ? over : 0,
      ...(opts.batch ? { stepsPerEpoch: stepsPerEpoch(kept, opts.batch.micro, opts.batch.gas) } : {}),
      counted: opts.tokens.counted,
    };
    if (lim && over > 0) fileProblems.push({ severity: 'warning', code: lim.policy === 'drop' ? 'rows-dropped' : 'rows-truncated', message: `${over} of ${ls.length} rows are longer than ${lim.key} ${lim.value} tokens: ${lim.why}.` });
  }
  if (dropped > 0) problems.push({ severity: 'info', code: 'more-problems', message: `${dropped} more problems not listed (${Object.entries(counts).map(([c, n]) => `${c}: ${n}`).join(', ')}).` });
  fileProblems.sort((a, b) => SEVERITY_ORDER[a.severity] - SEVERITY_ORDER[b.severity]);
  for (const p of fileProblems) counts[p.code] = (counts[p.code] ?? 0) + 1;

  return {
    path, host: files.host, kind, rows, format: format ?? 'unknown',
    problems: [...fileProblems, ...problems], problemCounts: counts,
    duplicates: { exact: totals.exact, near: totals.near, examples, nearCheckedRows: totals.nearIndexed, nearCapped: totals.nearIndexed >= totals.maxNearRows },
    tokens, preview, bytes: Math.max(bytes, kind === 'parquet' ? info.size : bytes), elapsedMs: Date.now() - t0,
  };
}
