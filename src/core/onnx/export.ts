/**
 * The ONNX export as a command: argv of `media/python/export_onnx.py` (shipped with the extension), the probe of
 * what exporters a host's Python offers, and the shapes of the result it writes (`<out>.export.json`). Pure: the run
 * is launched by `src/remote/onnxExport.ts`.
 */
import type { OnnxValueInfo } from './onnxProto';

/** What the user asks for (CLI flags / the command's prompts). Paths are on the checkpoint's host. */
export interface OnnxExportOptions {
  /** Checkpoint folder (config.json + weights). */
  checkpoint: string;
  /** The .onnx file to write. */
  out: string;
  /** ONNX opset; the exporter's default when absent. */
  opset?: number;
  /** Task (optimum / transformers: text-generation, text-classification, feature-extraction, fill-mask). */
  task?: string;
  /** `FILE:FUNCTION` on the host: FUNCTION(checkpoint_dir, config) -> torch.nn.Module. */
  modelFactory?: string;
  /** External-data format: `auto` (when the weights pass the 2 GiB protobuf limit), `yes`, `no`. */
  externalData?: 'auto' | 'yes' | 'no';
  /** Parity tolerance (default 1e-4 fp32, 1e-2 fp16, 5e-2 bf16). */
  atol?: number;
  /** Python interpreter on the host (default `python3`). */
  python?: string;
  /**
   * Which exporter (default `auto`: optimum-cli for model types the host's transformers knows, when on PATH; else
   * transformers / torch.onnx.export). `optimum`: optimum-cli whenever it is on PATH (it may live in its own
   * environment), the parity reference built by the other routes.
   */
  exporter?: 'auto' | 'optimum' | 'transformers' | 'torch';
}

/** The script's own report (`<out>.export.json`, and the log's `LLMTRAIN_EXPORT_RESULT` line). */
export interface OnnxExportReport {
  onnx: string;
  checkpoint: string;
  /** How the model was built: factory, auto_map, optimum, transformers, source (class found beside the checkpoint). */
  route: string;
  exporter: string;
  opset: number | null;
  inputs: { name: string; shape: (number | string)[]; dtype: string }[];
  outputs: { name: string; shape: (number | string)[]; dtype: string }[];
  /** External data files written next to the model (names). */
  externalData: string[];
  dtype: string;
  parameterBytes: number;
  checker: { passed: boolean; onnx: string; error?: string };
  /** `passed: null` while no ONNX Runtime has run (the host has none): the caller runs `parityDir` through onnxruntime-node. */
  parity: ParityResult;
  parityDir: string;
  seconds: number;
}

/** The numeric parity check: same inputs through PyTorch and ONNX Runtime. */
export interface ParityResult {
  maxAbsDiff: number | null;
  atol: number;
  passed: boolean | null;
  /** Which runtime ran (`onnxruntime 1.17 (python, on the host)`, `onnxruntime-node 1.31.1 (in llmtrain)`), null when none did. */
  runtime: string | null;
  pending?: string;
  error?: string;
}

/** `<parityDir>/manifest.json`. */
export interface ParityManifest {
  atol: number;
  dtype: string;
  inputs: { name: string; file: string; dtype: string; shape: number[] }[];
  outputs: { name: string; file: string; dtype: string; shape: number[] }[];
}

/** What `llmtrain export onnx --format json` prints (the issue's shape, plus where things are). */
export interface OnnxExportSummary {
  onnx: string;
  host: string;
  runId: string;
  opset: number | null;
  inputs: { name: string; shape: (number | string | null)[]; dtype: string }[];
  outputs: { name: string; shape: (number | string | null)[]; dtype: string }[];
  externalData: string[];
  checker: { passed: boolean; error?: string };
  parity: ParityResult;
  exporter: string;
}

/** The marker before the JSON report on the script's last log line. */
export const EXPORT_RESULT_MARKER = 'LLMTRAIN_EXPORT_RESULT ';

/** Where the script is put on a host: content-addressed, so a changed script never meets a stale copy. */
export function exportScriptHostPath(home: string, digest: string): string {
  return `${home.replace(/\/+$/, '')}/.llm-training-studio/tools/export_onnx-${digest.slice(0, 12)}.py`;
}

/** argv of the export run: `python3 <script> export <checkpoint> --out <file> [...]` (never a shell string). */
export function exportArgv(scriptPath: string, o: OnnxExportOptions): string[] {
  const argv = [o.python ?? 'python3', '-u', scriptPath, 'export', o.checkpoint, '--out', o.out];
  if (o.opset !== undefined) argv.push('--opset', String(o.opset));
  if (o.task) argv.push('--task', o.task);
  if (o.modelFactory) argv.push('--model-factory', o.modelFactory);
  if (o.externalData && o.externalData !== 'auto') argv.push('--external-data', o.externalData);
  if (o.atol !== undefined) argv.push('--atol', String(o.atol));
  if (o.exporter && o.exporter !== 'auto') argv.push('--exporter', o.exporter);
  return argv;
}

/** Python source of the exporter probe, run as `python3 -c PROBE_CODE` (one command, argv-quoted). */
export const PROBE_CODE = [
  'import importlib, json, shutil, sys',
  'def v(m):',
  '    try:',
  '        return getattr(importlib.import_module(m), "__version__", "unknown")',
  '    except Exception:',
  '        return None',
  'print(json.dumps({"python": sys.version.split()[0], "torch": v("torch"), "transformers": v("transformers"), "optimum_cli": shutil.which("optimum-cli"), "onnx": v("onnx"), "onnxruntime": v("onnxruntime"), "numpy": v("numpy")}))',
].join('\n');

/** What a host's Python offers (versions, or null when missing). */
export interface ExporterProbe {
  python: string | null;
  torch: string | null;
  transformers: string | null;
  optimum_cli: string | null;
  onnx: string | null;
  onnxruntime: string | null;
  numpy: string | null;
  /** Set when the interpreter could not be run at all. */
  error?: string;
}

/** Parses the probe's stdout (its last JSON line); an `error` probe when it is not there. */
export function parseProbe(stdout: string, stderr: string, exitCode: number | null, python: string): ExporterProbe {
  const empty: ExporterProbe = { python: null, torch: null, transformers: null, optimum_cli: null, onnx: null, onnxruntime: null, numpy: null };
  const line = stdout.trim().split('\n').pop() ?? '';
  try {
    if (exitCode === 0) return { ...empty, ...(JSON.parse(line) as Partial<ExporterProbe>) };
  } catch { /* fall through */ }
  const why = stderr.trim().split('\n').pop() || `exit code ${exitCode}`;
  return { ...empty, error: `${python}: ${why}` };
}

/** The exporter a probe leads to, in words, or why there is none. */
export function describeExporter(p: ExporterProbe): { usable: boolean; text: string } {
  if (p.error) return { usable: false, text: p.error };
  if (!p.torch) return { usable: false, text: `python ${p.python}: no torch (PyTorch is needed for the export and the parity reference)` };
  if (!p.onnx) return { usable: false, text: `python ${p.python}: no onnx package (needed for onnx.checker)` };
  const how = p.optimum_cli && p.transformers ? `optimum-cli (${p.optimum_cli}) for transformers models, else torch ${p.torch} torch.onnx.export`
    : p.transformers ? `transformers ${p.transformers} + torch ${p.torch} torch.onnx.export` : `torch ${p.torch} torch.onnx.export (no transformers: custom models through a factory or the training code)${p.optimum_cli ? `; optimum-cli (${p.optimum_cli}) with --exporter optimum` : ''}`;
  const rt = p.onnxruntime ? `parity with onnxruntime ${p.onnxruntime} on the host` : 'parity with onnxruntime-node here (no onnxruntime on the host)';
  return { usable: true, text: `${how}; onnx ${p.onnx}; ${rt}` };
}

/** Parses the report from the text of `<out>.export.json`, or the last `LLMTRAIN_EXPORT_RESULT` line of a log. */
export function parseExportReport(text: string): OnnxExportReport | { error: string } | undefined {
  const idx = text.lastIndexOf(EXPORT_RESULT_MARKER);
  const json = idx >= 0 ? text.slice(idx + EXPORT_RESULT_MARKER.length).split('\n')[0] : text;
  try { return JSON.parse(json) as OnnxExportReport | { error: string }; } catch { return undefined; }
}

/** The JSON summary of a finished export (the issue's `--format json` shape). */
export function exportSummary(host: string, runId: string, r: OnnxExportReport, model?: { inputs: OnnxValueInfo[]; outputs: OnnxValueInfo[] }): OnnxExportSummary {
  const io = (v: OnnxValueInfo) => ({ name: v.name, shape: v.shape, dtype: v.dtype });
  return {
    onnx: r.onnx, host, runId, opset: r.opset,
    inputs: model ? model.inputs.map(io) : r.inputs, outputs: model ? model.outputs.map(io) : r.outputs,
    externalData: r.externalData, checker: { passed: r.checker.passed, ...(r.checker.error ? { error: r.checker.error } : {}) },
    parity: r.parity, exporter: r.exporter,
  };
}

/** True when the export is good: checker passed and parity passed. */
export function exportPassed(r: OnnxExportReport): boolean {
  return r.checker.passed && r.parity.passed === true;
}
