// Pins what the parser reads from every log of the corpus (test/fixtures/logs, the TensorBoard fixture, and the
// logs of /work/shared/corpus where that folder exists) and from a slice of the bench's generated Trainer log, so a
// speed-up of the parser can be proved to change nothing: per log the format, metadata, progress, crash events and,
// per series, the point count, first/last/min/max and a hash of every point (series, step, value, time).
// Regenerate after an intended change of parsing: LLMTS_UPDATE_SNAPSHOT=1 node scripts/run-node-tests.mjs test/unit/metrics-parse-snapshot.test.ts
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { createLogParser } from '../../src/core/metrics';
import type { LogEvent, MetricPoint, Progress } from '../../src/core/metrics';
import { generateTrainerLog } from '../../bench/metrics.bench';

const FIXTURES = join(__dirname, '..', 'fixtures');
const SNAPSHOT = join(FIXTURES, 'metrics-parse-snapshot.json');
const CORPUS = '/work/shared/corpus/logs';

/** A number as JSON can hold it (NaN and the infinities as strings, -0 kept). */
const num = (v: number): number | string => (Number.isFinite(v) ? (Object.is(v, -0) ? '-0' : v) : String(v));

interface SeriesSummary { n: number; first: [number, number | string]; last: [number, number | string]; min: number | string; max: number | string; hash: string }
interface LogSummary { format: string; formats: readonly string[]; meta: Record<string, number | string>; progress?: Progress; events: LogEvent[]; series: Record<string, SeriesSummary> }

/** Parses `bytes` as the log follower delivers them (bytes, 64 KiB chunks, then end()) and summarizes the result. */
function summarize(bytes: Uint8Array, fileName: string): LogSummary {
  const p = createLogParser({ fileName });
  const points: MetricPoint[] = [];
  const meta: Record<string, number | string> = {};
  const events: LogEvent[] = [];
  let progress: Progress | undefined;
  const take = (o: ReturnType<typeof p.push>): void => {
    for (const x of o.points) points.push(x);
    if (o.meta) Object.assign(meta, o.meta);
    if (o.progress) progress = o.progress;
    if (o.events) events.push(...o.events);
  };
  for (let o = 0; o < bytes.length; o += 65536) take(p.push(bytes.subarray(o, Math.min(o + 65536, bytes.length))));
  take(p.end());
  const by = new Map<string, MetricPoint[]>();
  for (const x of points) { const a = by.get(x.series); if (a) a.push(x); else by.set(x.series, [x]); }
  const series: Record<string, SeriesSummary> = {};
  for (const name of [...by.keys()].sort()) {
    const a = by.get(name)!;
    const h = createHash('sha256');
    let min = Infinity, max = -Infinity;
    for (const x of a) {
      h.update(`${x.step}\t${Object.is(x.value, -0) ? '-0' : x.value}\t${x.time ?? ''}\n`);
      if (x.value < min) min = x.value;
      if (x.value > max) max = x.value;
    }
    const f = a[0], l = a[a.length - 1];
    series[name] = { n: a.length, first: [f.step, num(f.value)], last: [l.step, num(l.value)], min: num(min), max: num(max), hash: h.digest('hex').slice(0, 16) };
  }
  const r: LogSummary = { format: p.format, formats: p.formats, meta: JSON.parse(JSON.stringify(meta, (_k, v: unknown) => (typeof v === 'number' ? num(v) : v))) as Record<string, number | string>, events, series };
  if (progress) r.progress = progress;
  return r;
}

/** Every log to pin, by a stable name (the folder it came from and the file name). */
function logs(): Array<[string, () => Uint8Array, string]> {
  const out: Array<[string, () => Uint8Array, string]> = [];
  const dir = join(FIXTURES, 'logs');
  for (const f of readdirSync(dir).sort()) if (f !== 'SOURCES.tsv') out.push([`fixtures/logs/${f}`, () => readFileSync(join(dir, f)), f]);
  const tb = join(FIXTURES, 'tensorboard');
  for (const f of readdirSync(tb).sort()) if (f.startsWith('events.out.tfevents')) out.push([`fixtures/tensorboard/${f}`, () => readFileSync(join(tb, f)), f]);
  // The shared corpus: its logs are copied into test/fixtures/logs; pin any that is not (or no longer) the same bytes.
  if (existsSync(CORPUS)) {
    for (const f of readdirSync(CORPUS).sort()) {
      const copy = join(dir, f);
      const bytes = readFileSync(join(CORPUS, f));
      if (!existsSync(copy) || !readFileSync(copy).equals(bytes)) out.push([`corpus/logs/${f}`, () => bytes, f]);
    }
  }
  // The bench's shape (bench/metrics.bench.ts), 3000 lines with eval dicts: the byte fast path end to end.
  out.push(['bench/generateTrainerLog(3000)', () => new TextEncoder().encode(generateTrainerLog(3000)), 'train.log']);
  return out;
}

/** The snapshot as JSON with one line per series (small, and a diff names the series that changed). */
function format(all: Record<string, LogSummary>): string {
  const logsOut = Object.entries(all).map(([key, { series, ...rest }]) => {
    const head = Object.entries(rest).map(([k, v]) => `    ${JSON.stringify(k)}: ${JSON.stringify(v)}`);
    const lines = Object.entries(series).map(([name, s]) => `      ${JSON.stringify(name)}: ${JSON.stringify(s)}`);
    return `  ${JSON.stringify(key)}: {\n${head.join(',\n')},\n    "series": {${lines.length ? `\n${lines.join(',\n')}\n    ` : ''}}\n  }`;
  });
  return `{\n${logsOut.join(',\n')}\n}\n`;
}

test('parse results of every corpus log match the committed snapshot', () => {
  const actual: Record<string, LogSummary> = {};
  for (const [key, read, fileName] of logs()) actual[key] = summarize(read(), basename(fileName));
  if (process.env.LLMTS_UPDATE_SNAPSHOT === '1') {
    writeFileSync(SNAPSHOT, format(actual));
    return;
  }
  const expected = JSON.parse(readFileSync(SNAPSHOT, 'utf8')) as Record<string, LogSummary>;
  // Compare log by log (a readable diff per log), then the set of logs. `corpus/` keys exist only where the shared
  // corpus has a log the fixtures lack (or hold other bytes of); without that folder (CI) they are not required.
  for (const key of Object.keys(actual)) {
    assert.deepEqual(JSON.parse(JSON.stringify(actual[key])), expected[key], `${key} (regenerate with LLMTS_UPDATE_SNAPSHOT=1 if the change is intended)`);
  }
  for (const key of Object.keys(expected)) if (!key.startsWith('corpus/')) assert.ok(key in actual, `${key} is in the snapshot but not among the logs`);
});
