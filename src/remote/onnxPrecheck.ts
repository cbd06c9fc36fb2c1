/**
 * Gathers the export pre-check's inputs on the checkpoint's host, concurrently: config.json, the checkpoint's headers
 * (`inspectCheckpoint`: safetensors headers or the shard index, LFS pointers, PEFT adapters) and one probe of the
 * host's Python; then `buildPrecheck` decides. Reads headers only: a second or two even for a sharded 70B model.
 */
import { inspectCheckpoint } from '../core/checkpoint';
import { joinPath, readTextIfExists, type FileAccess } from '../core/files';
import type { OnnxExportOptions } from '../core/onnx/export';
import { buildPrecheck, type ExportPrecheck } from '../core/onnx/precheck';
import { probeExporters } from './onnxExport';
import type { Runner } from './types';

/** The pre-check of exporting `opts.checkpoint` on the runner's host (see core/onnx/precheck.ts). */
export async function precheckExport(runner: Runner, files: FileAccess, opts: OnnxExportOptions): Promise<ExportPrecheck> {
  const t0 = Date.now();
  const st = await files.stat(opts.checkpoint);
  if (!st?.isDirectory) {
    const probe = await probeExporters(runner, opts.python);
    return buildPrecheck({ checkpoint: opts.checkpoint, host: runner.host, probe, ms: Date.now() - t0, reportError: `${opts.checkpoint}: ${st ? 'a file, not a checkpoint folder' : `no such folder${runner.host === 'local' ? '' : ` on ${runner.host}`}`}`, config: { error: 'not read' } });
  }
  const [config, report, probe] = await Promise.all([
    readTextIfExists(files, joinPath(opts.checkpoint, 'config.json'), 16 << 20).then(
      (t) => (t === undefined ? undefined : parseJsonObject(t)), (e: Error) => ({ error: e.message })),
    inspectCheckpoint(files, opts.checkpoint, { sizes: false }).then((r) => ({ r }), (e: Error) => ({ e: e.message })),
    probeExporters(runner, opts.python),
  ]);
  const cfg = config && !('error' in config) ? config : undefined;
  const arch = Array.isArray(cfg?.architectures) ? String((cfg!.architectures as unknown[])[0] ?? '') : '';
  // Looked for only where it decides the route: no transformers, no factory, no auto_map (export_onnx.py's order).
  const architectureSource = arch && !probe.transformers && !opts.modelFactory && !cfg?.auto_map
    ? await findArchitectureSource(files, opts.checkpoint, arch) : undefined;
  return buildPrecheck({
    checkpoint: opts.checkpoint, host: runner.host, config, probe, opset: opts.opset, task: opts.task, modelFactory: opts.modelFactory,
    externalData: opts.externalData, exporter: opts.exporter, python: opts.python, architectureSource, ms: Date.now() - t0,
    ...('r' in report ? { report: report.r } : { reportError: report.e }),
  });
}

/**
 * The .py file defining `class <className>(` in `checkpoint` or up to three folders above it, as export_onnx.py's
 * `find_architecture_source` looks (files under 2 MB, names sorted); `undefined` when none does. Unreadable folders
 * and files are skipped.
 */
export async function findArchitectureSource(files: FileAccess, checkpoint: string, className: string): Promise<string | undefined> {
  const needle = `class ${className}(`;
  let folder = checkpoint.replace(/\/+$/, '') || '/';
  for (let up = 0; up < 4; up++) {
    const names = await files.list(folder).catch(() => [] as string[]);
    for (const n of names.filter((x) => x.endsWith('.py'))) {
      const path = joinPath(folder, n);
      const st = await files.stat(path).catch(() => undefined);
      if (!st || st.isDirectory || st.size >= 2_000_000) continue;
      const text = await files.read(path, 0, st.size).then((b) => Buffer.from(b).toString('utf8'), () => '');
      if (text.includes(needle)) return path;
    }
    if (folder === '/') break;
    folder = folder.slice(0, folder.lastIndexOf('/')) || '/';
  }
  return undefined;
}

function parseJsonObject(text: string): Record<string, unknown> | { error: string } {
  try {
    const v = JSON.parse(text) as unknown;
    return v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : { error: 'not a JSON object' };
  } catch (e) {
    return { error: (e as Error).message };
  }
}
