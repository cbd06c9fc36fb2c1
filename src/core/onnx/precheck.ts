/**
 * The export pre-check: what an ONNX export of a checkpoint will meet, decided from headers only (config.json, the
 * checkpoint report of `inspectCheckpoint`, the host's exporter probe) before any compute is spent. Pure.
 *
 * Rules and where they come from:
 * - protobuf refuses messages over 2 GiB (`INT_MAX` bytes, google/protobuf `io/coded_stream.h`), so a model whose
 *   weights pass 2 GiB must be written in ONNX's external-data format (onnx `external_data_helper.py`); we then use it.
 * - bfloat16 tensors need opset >= 13 (BFLOAT16 was added to Cast, MatMul, Add... in opset 13, onnx `Changelog.md`);
 *   float8 types need opset >= 19; int4/uint4 need opset >= 21.
 * - Git LFS pointers instead of weights (a clone without git-lfs): nothing to export; `git lfs pull`.
 * - A PEFT adapter alone is not a model: merge it into its base first (peft `merge_and_unload()`); an unmerged LoRA
 *   graph exports the adapter as extra MatMuls at best, and optimum refuses adapters.
 * - Sharded training state (DeepSpeed ZeRO, FSDP/DCP) is not loadable weights: convert first.
 */
import type { CheckpointReport } from '../checkpoint/types';
import { describeExporter, type ExporterProbe } from './export';

/** protobuf's limit on one serialized message: 2 GiB. */
export const PROTOBUF_LIMIT_BYTES = 2 * 1024 ** 3;

/** A finding of the pre-check. `error` stops the export before it starts. */
export interface PrecheckProblem { severity: 'error' | 'warning' | 'info'; message: string; file?: string }

/** What `llmtrain export onnx --dry-run --format json` prints under `precheck`. */
export interface ExportPrecheck {
  checkpoint: string;
  host: string;
  /** `architectures[0]` of config.json (`LlamaForCausalLM`, `TinyGPT`). */
  architecture?: string;
  modelType?: string;
  /** The task asked, or the one the architecture implies. */
  task: string;
  /** Checkpoint format as inspectCheckpoint saw it (`safetensors`, `safetensors-sharded`, `peft-adapter`, ...). */
  format: string;
  parameters: number;
  /** Bytes of the weights. */
  bytes: number;
  /** safetensors dtypes present (`F32`, `BF16`, ...). */
  dtypes: string[];
  /** Smallest opset these dtypes allow. */
  minOpset: number;
  /** True when the export must use the external-data format (weights over 2 GiB, or asked). */
  externalData: boolean;
  /** What the host's Python offers, in words, and the raw probe. */
  exporter: { usable: boolean; text: string; probe: ExporterProbe };
  problems: PrecheckProblem[];
  /** Wall time of the pre-check, ms. */
  ms: number;
}

/** Inputs of `buildPrecheck`, gathered by the front end (see src/remote/onnxPrecheck.ts). */
export interface PrecheckInputs {
  checkpoint: string;
  host: string;
  /** Parsed config.json, `undefined` when the folder has none, or the parse error. */
  config?: Record<string, unknown> | { error: string };
  report?: CheckpointReport;
  /** Set when inspectCheckpoint threw (the message names the file). */
  reportError?: string;
  probe: ExporterProbe;
  opset?: number;
  task?: string;
  modelFactory?: string;
  externalData?: 'auto' | 'yes' | 'no';
  /** `--exporter` (default auto): `optimum` takes optimum-cli even where the host's Python lacks transformers. */
  exporter?: 'auto' | 'optimum' | 'transformers' | 'torch';
  /**
   * The .py file that defines `class <architectures[0]>(` in the checkpoint folder or up to three folders above it
   * (the training code, as media/python/export_onnx.py's `find_architecture_source` finds it); `undefined` when none
   * does or it was not looked for.
   */
  architectureSource?: string;
  /** The interpreter the probe ran (`python3` when not given), for messages. */
  python?: string;
  ms: number;
}

const DTYPE_MIN_OPSET: Record<string, number> = { BF16: 13, F8_E4M3: 19, F8_E5M2: 19, F8_E4M3FN: 19, F8_E5M2FNUZ: 19, I4: 21, U4: 21 };

/** The task an architecture implies (Hugging Face naming: `<Model>For<Task>`); text-generation for plain LMs. */
export function taskOf(architecture: string | undefined): string {
  const a = architecture ?? '';
  if (/ForSequenceClassification$/.test(a)) return 'text-classification';
  if (/ForTokenClassification$/.test(a)) return 'token-classification';
  if (/ForMaskedLM$/.test(a)) return 'fill-mask';
  if (/ForQuestionAnswering$/.test(a)) return 'question-answering';
  if (/(ForConditionalGeneration|ForSeq2SeqLM)$/.test(a)) return 'text2text-generation';
  if (/Model$/.test(a) && !/LM/.test(a)) return 'feature-extraction';
  return 'text-generation';
}

/** Decides the pre-check from its inputs (pure; see the module comment for the rules). */
export function buildPrecheck(i: PrecheckInputs): ExportPrecheck {
  const problems: PrecheckProblem[] = [];
  const cfg = i.config && !('error' in i.config) ? i.config : undefined;
  const configFile = `${i.checkpoint}/config.json`;
  if (i.config && 'error' in i.config) problems.push({ severity: 'error', file: configFile, message: `config.json: ${i.config.error}` });
  else if (!i.config) {
    problems.push(i.modelFactory
      ? { severity: 'info', file: configFile, message: 'no config.json: the model factory builds the model' }
      : { severity: 'error', file: i.checkpoint, message: `no config.json in ${i.checkpoint}: not a model folder (pass --model-factory FILE:FUNCTION for a plain PyTorch checkpoint)` });
  }
  const archs = Array.isArray(cfg?.architectures) ? (cfg!.architectures as unknown[]).map(String) : [];
  const architecture = archs[0];
  const modelType = typeof cfg?.model_type === 'string' ? cfg.model_type : undefined;
  const task = i.task ?? taskOf(architecture);
  const r = i.report;
  if (i.reportError) problems.push({ severity: 'error', message: i.reportError });
  const format = r?.format ?? 'unknown';
  const dtypes = Object.keys(r?.byDtype ?? {}).sort();
  const minOpset = Math.max(7, ...dtypes.map((d) => DTYPE_MIN_OPSET[d] ?? 7));
  const bytes = r?.bytes ?? 0;
  const tooBig = bytes > PROTOBUF_LIMIT_BYTES;
  const externalData = i.externalData === 'yes' || (i.externalData !== 'no' && tooBig);

  for (const p of r?.problems ?? []) {
    if (/LFS pointer/i.test(p.message)) {
      problems.push({ severity: 'error', file: p.file, message: /git lfs pull/.test(p.message) ? p.message : `${p.message}: run \`git lfs pull\`` });
    } else if (p.severity === 'error') problems.push({ severity: 'error', file: p.file, message: p.message });
    else if (p.severity === 'warning') problems.push({ severity: 'warning', file: p.file, message: p.message });
  }
  if (format === 'lfs-pointer' && !problems.some((p) => /LFS/.test(p.message))) {
    problems.push({ severity: 'error', file: i.checkpoint, message: 'the weights are Git LFS pointers, not data: run `git lfs pull`' });
  }
  if (format === 'peft-adapter') {
    const base = r?.peft?.base_model ? ` (${r.peft.base_model})` : '';
    problems.push({ severity: 'error', file: i.checkpoint, message: `a PEFT adapter${r?.peft?.peft_type ? ` (${r.peft.peft_type}, r=${r.peft.r ?? '?'})` : ''}, not a model: merge it into its base model${base} first (peft: \`PeftModel.from_pretrained(base, dir).merge_and_unload().save_pretrained(out)\`), then export that; an unmerged LoRA model exports worse` });
  }
  if (format === 'deepspeed' || format === 'fsdp-dcp') {
    problems.push({ severity: 'error', file: i.checkpoint, message: `${format === 'deepspeed' ? 'DeepSpeed ZeRO' : 'FSDP / torch.distributed.checkpoint'} training state, not model weights: convert it to safetensors first (${format === 'deepspeed' ? '`python zero_to_fp32.py . out/`' : '`accelerate merge-weights`'})` });
  }
  if (format === 'trainer-run') problems.push({ severity: 'error', file: i.checkpoint, message: 'a training output folder with checkpoint-N/ sub-folders: pick one checkpoint folder' });
  if (format === 'gguf') problems.push({ severity: 'error', file: i.checkpoint, message: 'GGUF weights (llama.cpp) cannot be exported with PyTorch: export the Hugging Face checkpoint they came from' });
  if (r && bytes === 0 && !problems.some((p) => p.severity === 'error')) problems.push({ severity: 'error', file: i.checkpoint, message: `no weights found in ${i.checkpoint}` });

  if (tooBig && i.externalData === 'no') {
    problems.push({ severity: 'error', message: `the weights are ${gib(bytes)}, over protobuf's 2 GiB limit: the model cannot be one .onnx file (drop --external-data no)` });
  } else if (externalData) {
    problems.push({ severity: 'info', message: tooBig ? `the weights are ${gib(bytes)}, over protobuf's 2 GiB limit: the export writes the external-data format (<out>.data next to the .onnx)` : 'external-data format as asked (<out>.data next to the .onnx)' });
  }
  if (i.opset !== undefined && i.opset < minOpset) {
    const which = dtypes.filter((d) => (DTYPE_MIN_OPSET[d] ?? 7) > i.opset!).join(', ');
    problems.push({ severity: 'error', message: `--opset ${i.opset} is too old for ${which} weights: they need opset ${minOpset} or newer` });
  }
  if (dtypes.includes('BF16') || dtypes.includes('F16')) {
    problems.push({ severity: 'info', message: `${dtypes.includes('BF16') ? 'bf16' : 'fp16'} weights: the parity check uses atol ${dtypes.includes('BF16') ? '5e-2' : '1e-2'} (1e-4 for fp32)` });
  }
  const ex = describeExporter(i.probe);
  if (!ex.usable) {
    const hint = i.python === undefined && !i.probe.torch ? ' (another interpreter, e.g. a virtual environment with torch: --python PATH)' : '';
    problems.push({ severity: 'error', message: `no exporter on ${i.host}: ${ex.text}${hint}` });
  }
  else if (cfg && !i.modelFactory && !cfg.auto_map && !i.probe.transformers && !i.architectureSource && !(i.exporter === 'optimum' && i.probe.optimum_cli)) {
    // The export script's routes (choose_route): factory, auto_map, optimum, transformers, the training code. With
    // none of them the export can only fail after the upload and the run start.
    const what = architecture ? `${architecture}${modelType ? ` (model_type ${modelType})` : ''}` : `model_type ${modelType ?? '?'}`;
    const code = architecture ? `no training code beside the checkpoint defines class ${architecture}` : 'config.json names no architecture';
    const optimum = i.probe.optimum_cli ? `, or --exporter optimum (optimum-cli at ${i.probe.optimum_cli})` : '';
    problems.push({ severity: 'error', file: configFile, message: `cannot build ${what} on ${i.host}: ${i.python ?? 'python3'} has no transformers and ${code}: install transformers on the host or give --model-factory FILE:FUNCTION${optimum}` });
  }
  return {
    checkpoint: i.checkpoint, host: i.host, ...(architecture ? { architecture } : {}), ...(modelType ? { modelType } : {}), task, format,
    parameters: r?.parameters ?? 0, bytes, dtypes, minOpset, externalData, exporter: { ...ex, probe: i.probe }, problems, ms: i.ms,
  };
}

function gib(n: number): string {
  return `${(n / 1024 ** 3).toFixed(2)} GiB`;
}

/** Text form of the pre-check (what `--dry-run` prints, and the CLI's preamble to an export). */
export function formatPrecheck(p: ExportPrecheck): string {
  const lines = [
    `pre-check of ${p.checkpoint} on ${p.host} (${p.ms} ms, headers only)`,
    `  model:     ${p.architecture ?? '?'}${p.modelType ? ` (model_type ${p.modelType})` : ''}, task ${p.task}`,
    `  weights:   ${p.format}, ${p.parameters.toLocaleString('en-US')} parameters, ${p.bytes.toLocaleString('en-US')} bytes, ${p.dtypes.join('/') || '?'} (opset >= ${p.minOpset})`,
    `  format:    ${p.externalData ? 'ONNX with external data (<out>.data)' : 'one .onnx file'}`,
    `  exporter:  ${p.exporter.text}`,
    ...p.problems.map((x) => `  ${x.severity}: ${x.message}`),
    '',
  ];
  return lines.join('\n');
}
