/**
 * ONNX export on the host that holds the checkpoint, as a run (run directory, log, Stop, re-attach, Runs view):
 * the script `media/python/export_onnx.py` is put on the host (content-addressed under `~/.llm-training-studio/tools`),
 * launched with `startRun`, and when it has ended its report (`<out>.export.json`) is read back. Where the host's
 * Python has no onnxruntime, the parity check runs here with `onnxruntime-node` (CPU; loaded lazily, on the first
 * export that needs it) on the inputs and PyTorch outputs the script saved, after copying a model small enough
 * (`maxCopyBytes`) from an SSH host; the verdict is written back into the report on the host.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, createWriteStream } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { baseName, dirName, joinPath, readAll, readChunks, formatBytes } from '../core/files';
import type { RunRecord } from '../core/runs/types';
import {
  exportArgv, exportScriptHostPath, parseExportReport, parseProbe, PROBE_CODE,
  type ExporterProbe, type OnnxExportOptions, type OnnxExportReport, type ParityManifest, type ParityResult,
} from '../core/onnx/export';
import { maxAbsDiff, parseNpy, type NpyArray } from '../core/onnx/npy';
import { runnerFileAccess } from './files';
import { startRun, type LaunchOptions } from './runs';
import type { Runner } from './types';

/** The export script shipped with the extension: next to dist/ (bundles) or two levels up (sources under tsx). */
export function exportScriptText(extensionRoot?: string): string {
  const candidates = [
    ...(extensionRoot ? [join(extensionRoot, 'media', 'python', 'export_onnx.py')] : []),
    join(__dirname, '..', 'media', 'python', 'export_onnx.py'),
    join(__dirname, '..', '..', 'media', 'python', 'export_onnx.py'),
  ];
  const found = candidates.find((p) => existsSync(p));
  if (!found) throw new Error(`export_onnx.py not found (looked in ${candidates.join(', ')})`);
  return readFileSync(found, 'utf8');
}

/** Which exporters the host's Python offers: one argv-quoted `python3 -c ...` (60 s at most). */
export async function probeExporters(runner: Runner, python = 'python3'): Promise<ExporterProbe> {
  try {
    const r = await runner.exec([python, '-c', PROBE_CODE], { timeoutMs: 60_000 });
    return parseProbe(r.stdout, r.stderr, r.exitCode, python);
  } catch (e) {
    return parseProbe('', (e as Error).message, null, python);
  }
}

/** Writes the script to the host once per content (`~/.llm-training-studio/tools/export_onnx-<sha>.py`); returns its path. */
export async function installExportScript(runner: Runner, scriptText: string): Promise<string> {
  const digest = createHash('sha256').update(scriptText).digest('hex');
  const path = exportScriptHostPath(await runner.home(), digest);
  const st = await runner.stat(path);
  if (st?.size !== Buffer.byteLength(scriptText)) await runner.writeFile(path, scriptText, { mode: 0o755 });
  return path;
}

/** How the export run is started: `startRun` (CLI), or the extension's `api.runs.start` (so the Runs view follows it). */
export type RunStarter = (opts: LaunchOptions) => Promise<RunRecord>;

/**
 * Starts the export as a run on the runner's host. `opts.checkpoint`/`opts.out` are host paths (`~` resolved by the
 * caller). Returns the run (follow it, stop it, `waitForRun` it), then call `finishOnnxExport`.
 */
export async function startOnnxExport(runner: Runner, opts: OnnxExportOptions, deps: { scriptText?: string; start?: RunStarter } = {}): Promise<RunRecord> {
  const script = await installExportScript(runner, deps.scriptText ?? exportScriptText());
  const launch: LaunchOptions = {
    argv: exportArgv(script, opts), cwd: opts.checkpoint,
    env: { PYTHONUNBUFFERED: '1', OMP_NUM_THREADS: '4' }, name: `onnx-export-${baseName(opts.checkpoint) || 'model'}`,
  };
  return (deps.start ?? ((l) => startRun(runner, l)))(launch);
}

/** The outcome of an export run. */
export type OnnxExportOutcome =
  | { ok: true; report: OnnxExportReport }
  | { ok: false; report?: OnnxExportReport; error: string };

/**
 * Reads the report of a finished export run (from `<out>.export.json`, or the error line of its log), runs the parity
 * check with onnxruntime-node when the host could not, and writes that verdict back into `<out>.export.json`.
 * `ok` only when the checker and the parity check passed.
 */
export async function finishOnnxExport(runner: Runner, run: RunRecord, out: string, opts: { maxCopyBytes?: number; signal?: AbortSignal } = {}): Promise<OnnxExportOutcome> {
  const files = runnerFileAccess(runner);
  const reportPath = `${out}.export.json`;
  const reportStat = await files.stat(reportPath);
  const fresh = reportStat && reportStat.mtimeMs >= Date.parse(run.startTime) - 2000;
  if (!fresh) {
    const log = await readTail(runner, run.logPath, 64 * 1024);
    const parsed = parseExportReport(log);
    const why = parsed && 'error' in parsed ? parsed.error
      : run.state === 'stopped' ? 'the export was stopped'
        : `the export run ended (${run.state}${run.exitCode !== undefined ? `, exit code ${run.exitCode}` : ''}) without a report; last log lines:\n${lastLines(log, 12)}`;
    return { ok: false, error: why };
  }
  const report = parseExportReport(new TextDecoder().decode(await readAll(files, reportPath, 16 << 20)));
  if (!report || 'error' in report) return { ok: false, error: report && 'error' in report ? report.error : `${reportPath}: unreadable report` };
  if (report.parity.passed === null) {
    report.parity = await parityWithOrtNode(runner, report, opts);
    await runner.writeFile(reportPath, `${JSON.stringify(report, null, 2)}\n`);
  }
  if (!report.checker.passed) return { ok: false, report, error: `onnx.checker rejected ${out}: ${report.checker.error ?? ''}` };
  if (report.parity.passed !== true) {
    const p = report.parity;
    return { ok: false, report, error: p.error ?? `parity check failed: max |ONNX - PyTorch| = ${p.maxAbsDiff} > atol ${p.atol}` };
  }
  return { ok: true, report };
}

async function readTail(runner: Runner, path: string, n: number): Promise<string> {
  const st = await runner.stat(path);
  if (!st) return '';
  return new TextDecoder().decode(await runner.readRange(path, Math.max(0, st.size - n), st.size));
}

function lastLines(text: string, n: number): string {
  return text.trimEnd().split('\n').slice(-n).join('\n');
}

interface OrtModule {
  InferenceSession: { create(path: string, opts?: { logSeverityLevel?: number }): Promise<OrtSession> };
  Tensor: new (type: string, data: unknown, dims: readonly number[]) => unknown;
}
interface OrtSession { run(feeds: Record<string, unknown>): Promise<Record<string, { data: ArrayLike<number>; dims: readonly number[]; type: string }>>; release?(): Promise<void> }

/** onnxruntime-node, loaded on first use (a 46 MB native library: never at activation). */
export function loadOrtNode(): { ort: OrtModule; version: string } {
  type Loaded = OrtModule & { env?: { versions?: { node?: string; common?: string } } };
  let ort: Loaded;
  try {
    ort = require('onnxruntime-node') as Loaded; // dev installs, tests, the CLI from a checkout
  } catch (e) {
    const packaged = join(__dirname, 'ort', 'node_modules', 'onnxruntime-node'); // the .vsix: dist/ort (linux-x64 binaries)
    if (!existsSync(packaged)) throw e;
    ort = require(packaged) as Loaded;
  }
  return { ort, version: ort.env?.versions?.node ?? ort.env?.versions?.common ?? 'unknown' };
}

/**
 * The parity check with onnxruntime-node here: the model (copied to a temp folder when it is on an SSH host, with its
 * external data, up to `maxCopyBytes`, default 2 GiB), the saved inputs, max |ONNX - PyTorch| over every output.
 */
export async function parityWithOrtNode(runner: Runner, report: OnnxExportReport, opts: { maxCopyBytes?: number; signal?: AbortSignal } = {}): Promise<ParityResult> {
  const files = runnerFileAccess(runner);
  const manifest = JSON.parse(new TextDecoder().decode(await readAll(files, joinPath(report.parityDir, 'manifest.json'), 1 << 20))) as ParityManifest;
  let ort: OrtModule; let version: string;
  try { ({ ort, version } = loadOrtNode()); } catch (e) {
    return { maxAbsDiff: null, atol: manifest.atol, passed: false, runtime: null, error: `parity check not run: onnxruntime-node cannot be loaded here (${(e as Error).message.split('\n')[0]})` };
  }
  const runtime = `onnxruntime-node ${version} (CPU, ${process.release?.name === 'node' ? 'in this process' : 'here'})`;
  let modelPath = report.onnx;
  let tmp: string | undefined;
  try {
    if (runner.host !== 'local') {
      const extra = report.externalData.map((n) => joinPath(dirName(report.onnx), n));
      let total = 0;
      for (const p of [report.onnx, ...extra]) total += (await files.stat(p))?.size ?? 0;
      const cap = opts.maxCopyBytes ?? 2 * 1024 ** 3;
      if (total > cap) {
        return { maxAbsDiff: null, atol: manifest.atol, passed: null, runtime: null, pending: `not run: the model is ${formatBytes(total)} on ${runner.host}, over the ${formatBytes(cap)} copied for onnxruntime-node; install onnxruntime on the host (pip install onnxruntime) to check it there` };
      }
      tmp = mkdtempSync(join(tmpdir(), 'llmtrain-parity-'));
      for (const p of [report.onnx, ...extra]) await copyToLocal(files, p, join(tmp, baseName(p)), opts.signal);
      modelPath = join(tmp, baseName(report.onnx));
    }
    const load = async (f: string): Promise<NpyArray> => parseNpy(await readAll(files, joinPath(report.parityDir, f), 1 << 30), f);
    const feeds: Record<string, unknown> = {};
    for (const i of manifest.inputs) {
      const a = await load(i.file);
      feeds[i.name] = new ort.Tensor(a.dtype === 'bool' ? 'bool' : a.dtype, a.data, a.shape);
    }
    const session = await ort.InferenceSession.create(modelPath, { logSeverityLevel: 3 });
    const got = await session.run(feeds);
    await session.release?.();
    let worst = 0;
    for (const o of manifest.outputs) {
      const ref = await load(o.file);
      const out = got[o.name];
      if (!out) return { maxAbsDiff: null, atol: manifest.atol, passed: false, runtime, error: `ONNX Runtime gave no output ${o.name}` };
      if (out.dims.join(',') !== ref.shape.join(',')) {
        return { maxAbsDiff: null, atol: manifest.atol, passed: false, runtime, error: `${o.name}: shape [${out.dims.join(', ')}] from ONNX Runtime, [${ref.shape.join(', ')}] from PyTorch` };
      }
      const d = maxAbsDiff(out.data as ArrayLike<number>, ref.data as ArrayLike<number>, out.type === 'float16', ref.dtype === 'float16');
      worst = Number.isNaN(d) ? NaN : Math.max(worst, d);
    }
    return { maxAbsDiff: worst, atol: manifest.atol, passed: Number.isFinite(worst) && worst <= manifest.atol, runtime };
  } catch (e) {
    return { maxAbsDiff: null, atol: manifest.atol, passed: false, runtime, error: `parity check failed to run: ${(e as Error).message.split('\n')[0]}` };
  } finally {
    if (tmp) rmSync(tmp, { recursive: true, force: true });
  }
}

async function copyToLocal(files: ReturnType<typeof runnerFileAccess>, from: string, to: string, signal?: AbortSignal): Promise<void> {
  const ws = createWriteStream(to);
  try {
    for await (const chunk of readChunks(files, from, { chunkSize: 8 << 20, signal })) {
      if (!ws.write(chunk)) await new Promise<void>((r) => ws.once('drain', () => r()));
    }
  } finally {
    await new Promise<void>((r, j) => ws.end((err?: Error | null) => (err ? j(err) : r())));
  }
}
