/**
 * `llmtrain onnx FILE.onnx [--host H] [--format text|json]`: the ONNX model's summary as the model view shows it
 * (inputs/outputs with shapes, opsets, producer, op-type histogram, initializers, external data files and whether
 * they are all there), read without loading initializer data. Exit 1 when the file is not an ONNX model or its
 * external data is incomplete.
 */
import { externalDataComplete, formatValueInfo, readOnnxModel } from '../core/onnx/model';
import { formatBytes } from '../core/files';
import { runnerFileAccess } from '../remote/files';
import { resolveHostPath } from '../remote/runs';
import { HOST_USAGE, UsageError, parseWithHost, withRunner } from './hostArgs';

const USAGE = `usage: llmtrain onnx FILE.onnx [--host H] [--format text|json]
Prints an ONNX model's summary (no initializer data is read, so a multi-GB model is read in bounded memory).
${HOST_USAGE}`;

/** The `onnx` subcommand. */
export const onnxCommand = {
  summary: "an ONNX model's inputs, outputs, opsets, operators and external data (headers only)",
  async run(args: string[]): Promise<number> {
    const { values, positionals } = parseWithHost(args, { format: { type: 'string', default: 'text' } });
    if (!values.help && positionals.length !== 1) throw new UsageError('expected exactly one .onnx file');
    if (values.format !== 'text' && values.format !== 'json') throw new UsageError('--format must be text or json');
    return withRunner(USAGE, values, async (runner) => {
      const path = await resolveHostPath(runner, positionals[0]);
      let s;
      try { s = await readOnnxModel(runnerFileAccess(runner), path); } catch (e) {
        process.stderr.write(`llmtrain onnx: ${(e as Error).message}\n`);
        return 1;
      }
      if (values.format === 'json') process.stdout.write(`${JSON.stringify(s, null, 2)}\n`);
      else {
        process.stdout.write([
          `${s.path}${runner.host === 'local' ? '' : ` (${runner.host})`}: ${formatBytes(s.fileSize)}, producer ${s.producerName ?? '?'} ${s.producerVersion ?? ''}, IR ${s.irVersion}`,
          `  opsets:       ${s.opsetImports.map((o) => `${o.domain || 'ai.onnx'} ${o.version}`).join(', ')}`,
          ...s.inputs.map((i) => `  input:        ${formatValueInfo(i)}`),
          ...s.outputs.map((o) => `  output:       ${formatValueInfo(o)}`),
          `  nodes:        ${s.nodeCount} (${s.opTypes.slice(0, 8).map((o) => `${o.opType} ${o.count}`).join(', ')}${s.opTypes.length > 8 ? ', ...' : ''})`,
          `  initializers: ${s.initializerCount}, ${formatBytes(s.initializerBytes)} (${formatBytes(s.externalBytes)} external)`,
          ...s.externalData.map((e) => `  external:     ${e.location}: ${e.tensors} tensors, needs ${formatBytes(e.requiredSize)}, ${e.status}`),
          '',
        ].join('\n'));
      }
      if (!externalDataComplete(s)) { process.stderr.write(`llmtrain onnx: external data incomplete: ${s.externalData.filter((e) => e.status !== 'ok').map((e) => `${e.location} ${e.status}`).join(', ')}\n`); return 1; }
      return 0;
    });
  },
};
