/**
 * `llmtrain export onnx <checkpoint-dir> --out <file.onnx> [--host H] [--opset N] [--task T]
 * [--model-factory FILE:FUNCTION] [--dry-run] [--format text|json]`: the pre-check from headers, then the export as a
 * run on the host that holds the checkpoint (its log streamed to stderr; Ctrl-C stops the run), then the checker
 * and the parity check. Exit 0 when the ONNX file passed both; 1 when the pre-check refused or the export failed.
 */
import { formatValueInfo, readOnnxModel } from '../core/onnx/model';
import { exportSummary, type OnnxExportOptions } from '../core/onnx/export';
import { formatPrecheck, type ExportPrecheck } from '../core/onnx/precheck';
import { runnerFileAccess } from '../remote/files';
import { finishOnnxExport, startOnnxExport } from '../remote/onnxExport';
import { precheckExport } from '../remote/onnxPrecheck';
import { followRun, getRun, resolveHostPath, stopRun, waitForRun } from '../remote/runs';
import type { Runner } from '../remote/types';
import type { RunRecord } from '../core/runs/types';
import { HOST_USAGE, UsageError, parseWithHost, withRunner } from './hostArgs';

const USAGE = `usage: llmtrain export onnx CHECKPOINT_DIR --out FILE.onnx [options]
       llmtrain export onnx --attach RUN [--host H]
Exports a checkpoint to ONNX on the host that holds it, as a run (see \`llmtrain runs\`), then checks the result
with onnx.checker and a numeric parity check against PyTorch (max |diff| <= atol).
  --out FILE.onnx               output file on the same host (required)
  --opset N                     ONNX opset (default: the exporter's)
  --task T                      text-generation (default), text-classification, feature-extraction, fill-mask
  --model-factory FILE:FUNC     Python FUNC(checkpoint_dir, config) -> torch.nn.Module, for models transformers lacks
  --external-data auto|yes|no   external-data format (auto: when the weights pass protobuf's 2 GiB limit)
  --atol X                      parity tolerance (default 1e-4 fp32, 1e-2 fp16, 5e-2 bf16)
  --python P                    Python on the host (default python3)
  --exporter auto|optimum|transformers|torch
                                auto: optimum-cli for model types the host's transformers knows, when on PATH;
                                optimum: optimum-cli whenever on PATH (its model checked against the PyTorch model the
                                other routes build: a failed parity check fails the export, where Optimum only warns)
  --dry-run                     the pre-check only (headers, no compute)
  --attach RUN                  re-attach to an export run (after a dropped connection or a closed terminal): follow it,
                                then the checker/parity verdict, as if it had been started here
  --format text|json            output format (default text)
${HOST_USAGE}`;

function write(format: string, json: unknown, text: string): void {
  process.stdout.write(format === 'json' ? `${JSON.stringify(json, null, 2)}\n` : text);
}

/** `llmtrain export onnx ...` (the `export` command has one target today). */
export const exportCommand = {
  summary: 'export a checkpoint to ONNX on its host (pre-check, run, checker, parity)',
  async run(args: string[]): Promise<number> {
    const [target, ...rest] = args;
    if (target === '--help' || target === '-h' || target === undefined) { process.stdout.write(USAGE); return target ? 0 : 2; }
    if (target !== 'onnx') throw new UsageError(`unknown export target '${target}' (only: onnx)`);
    const { values, positionals } = parseWithHost(rest, {
      out: { type: 'string' }, opset: { type: 'string' }, task: { type: 'string' }, 'model-factory': { type: 'string' },
      'external-data': { type: 'string' }, atol: { type: 'string' }, python: { type: 'string' },
      'dry-run': { type: 'boolean', default: false }, attach: { type: 'string' }, format: { type: 'string', default: 'text' },
      exporter: { type: 'string' },
    });
    if (values.help) { process.stdout.write(USAGE); return 0; }
    if (values.format !== 'text' && values.format !== 'json') throw new UsageError('--format must be text or json');
    if (values.attach) {
      if (positionals.length) throw new UsageError('--attach RUN takes no checkpoint folder');
      const id = values.attach;
      return withRunner(USAGE, values, async (runner) => {
        const run = await getRun(runner, id);
        const i = run.argv.indexOf('--out');
        if (!run.argv.includes('export') || i < 0 || !run.argv[i + 1]) throw new Error(`run ${id} on ${runner.host} is not an ONNX export`);
        return followAndFinish(runner, run, run.argv[i + 1], values.format!);
      });
    }
    if (positionals.length !== 1) throw new UsageError('expected exactly one checkpoint folder');
    if (!values.out && !values['dry-run']) throw new UsageError('--out FILE.onnx is required');
    if (values.format !== 'text' && values.format !== 'json') throw new UsageError('--format must be text or json');
    const opset = values.opset === undefined ? undefined : Number(values.opset);
    if (opset !== undefined && (!Number.isInteger(opset) || opset < 7 || opset > 30)) throw new UsageError('--opset must be an integer between 7 and 30');
    const atol = values.atol === undefined ? undefined : Number(values.atol);
    if (atol !== undefined && !(atol > 0)) throw new UsageError('--atol must be a positive number');
    const ext = values['external-data'] ?? 'auto';
    if (ext !== 'auto' && ext !== 'yes' && ext !== 'no') throw new UsageError('--external-data must be auto, yes or no');
    const format = values.format;
    const exporter = values.exporter ?? 'auto';
    if (exporter !== 'auto' && exporter !== 'optimum' && exporter !== 'transformers' && exporter !== 'torch') throw new UsageError('--exporter must be auto, optimum, transformers or torch');

    return withRunner(USAGE, values, async (runner) => {
      const checkpoint = (await resolveHostPath(runner, positionals[0])).replace(/\/+$/, '') || '/';
      const out = values.out ? await resolveHostPath(runner, values.out) : undefined;
      const opts: OnnxExportOptions = {
        checkpoint, out: out ?? `${checkpoint}/model.onnx`, opset, task: values.task, modelFactory: values['model-factory'],
        externalData: ext, atol, python: values.python, exporter,
      };
      const files = runnerFileAccess(runner);
      // As `llmtrain checkpoint` says it: a missing path is one line, not a pre-check of nothing.
      const st = await files.stat(checkpoint);
      if (!st) { process.stderr.write(`llmtrain export onnx: no such file or folder: ${checkpoint}${runner.host === 'local' ? '' : ` on ${runner.host}`}\n`); return 1; }
      if (!st.isDirectory) { process.stderr.write(`llmtrain export onnx: ${checkpoint}: a file, not a checkpoint folder\n`); return 1; }
      const pre: ExportPrecheck = await precheckExport(runner, files, opts);
      if (values['dry-run']) {
        write(format, { precheck: pre }, formatPrecheck(pre));
        return pre.problems.some((p) => p.severity === 'error') ? 1 : 0;
      }
      if (pre.problems.some((p) => p.severity === 'error')) {
        process.stderr.write(formatPrecheck(pre));
        if (format === 'json') write(format, { precheck: pre }, '');
        return 1;
      }
      if (format === 'text') process.stderr.write(formatPrecheck(pre));
      if (pre.externalData && opts.externalData === 'auto') opts.externalData = 'yes';

      const run = await startOnnxExport(runner, opts);
      return followAndFinish(runner, run, opts.out, format);
    });
  },
};

/**
 * Streams the export run's log to stderr (Ctrl-C stops the run), waits for it, then reads its report, runs the parity
 * check here when the host could not, and prints the summary. Used after a launch and by `--attach RUN`.
 */
async function followAndFinish(runner: Runner, run: RunRecord, out: string, format: string): Promise<number> {
  process.stderr.write(`llmtrain: export run ${run.id} on ${run.host} (pid ${run.pid}); log: ${run.logPath}\n`);
  const follower = followRun(runner, run, { stream: true });
  follower.on('data', (chunk: Uint8Array) => process.stderr.write(chunk));
  follower.start();
  let stopping: Promise<unknown> | undefined;
  const onSigint = (): void => {
    if (stopping) return;
    process.stderr.write(`llmtrain: stopping export run ${run.id}\n`);
    stopping = stopRun(runner, run.id, { interruptGraceMs: 3000, terminateGraceMs: 5000 });
  };
  process.on('SIGINT', onSigint);
  let final;
  try {
    final = await waitForRun(runner, run, { pollMs: 500 });
    await stopping;
    await follower.done;
  } finally {
    process.off('SIGINT', onSigint);
    follower.stop();
  }
  const outcome = await finishOnnxExport(runner, final, out);
  if (!outcome.report) {
    process.stderr.write(`llmtrain export onnx: ${outcome.ok ? '' : outcome.error}\n`);
    if (format === 'json') write(format, { error: outcome.ok ? undefined : outcome.error, runId: run.id, host: run.host }, '');
    return 1;
  }
  const model = await readOnnxModel(runnerFileAccess(runner), outcome.report.onnx).catch(() => undefined);
  const summary = exportSummary(run.host, run.id, outcome.report, model);
  const p = summary.parity;
  const text = [
    `${summary.onnx} (${run.host}, run ${run.id})`,
    `  exporter:  ${summary.exporter}, opset ${summary.opset}`,
    ...summary.inputs.map((i) => `  input:     ${formatValueInfo({ ...i, hasShape: true })}`),
    ...summary.outputs.map((o) => `  output:    ${formatValueInfo({ ...o, hasShape: true })}`),
    `  external:  ${summary.externalData.length ? summary.externalData.join(', ') : 'none (weights inside the .onnx)'}`,
    `  checker:   ${summary.checker.passed ? 'passed' : `FAILED: ${summary.checker.error ?? ''}`}`,
    `  parity:    ${p.passed === true ? 'passed' : p.passed === false ? 'FAILED' : 'not run'}: max |ONNX - PyTorch| ${p.maxAbsDiff ?? '-'} (atol ${p.atol}), ${p.runtime ?? p.pending ?? p.error ?? ''}`,
    ...(p.error ? [`             ${p.error}`] : []),
    '',
  ].join('\n');
  write(format, summary, text);
  if (!outcome.ok) process.stderr.write(`llmtrain export onnx: ${outcome.error}\n`);
  return outcome.ok ? 0 : 1;
}
