/**
 * The run settings that change what a loss value means or where a step lies in tokens: gradient accumulation,
 * parallel sizes, batch and sequence length, framework version. Read from three places, first one wins per field:
 * the run's config (`settingsFromConfig`), its launch argv (`worldSizeFromArgv`) and run.json, and the log's own
 * banner (the parser reports banner lines as metadata: `settingsFromMeta`).
 *
 * Scaling facts mirrored here (each note names its source):
 * - transformers 4.46.0 to 4.47.x: with gradient accumulation the Trainer logged the loss summed over the
 *   accumulation steps, gradient_accumulation_steps times the per-token mean (huggingface/transformers#35438: "the
 *   loss for gradient_accumulation_steps=2 is erroneously doubled" in 4.47.0; fixed by #35207 "Scale loss before
 *   backward", released in 4.48.0). Axolotl builds on the Trainer, so its runs on those versions (after its own GA
 *   fix moved to the Trainer's num_items_in_batch) show the same factor. It is conditional: the Trainer's
 *   accumulation path depends on `model_accepts_loss_kwargs` (whether the model's forward takes num_items_in_batch;
 *   #34511's training_step multiplied by the GA steps only `if self.compute_loss_func or
 *   self.model_accepts_loss_kwargs`), so models and trainers that set it differently log otherwise; and where the
 *   model does not take the loss kwargs the logged loss was still reported to grow with GA on later versions
 *   (transformers#37766 on 4.47.1, "no longer increases" by 4.51.3; LLaMA-Factory#7443 on 4.49.0 and #7743 on 4.50,
 *   where LLaMA-Factory sets model_accepts_loss_kwargs = False). Hence a factor the notes say "up to" and "if".
 * - Megatron-LM `pretrain_gpt.py` `loss_func` multiplied the reported loss by context_parallel_size
 *   (NVIDIA/Megatron-LM#673, #906) until commit 3bdcbbb (September 2024).
 * Pure TypeScript with no imports: the host (core/metrics feed, remote) and the chart webview (comparison notes,
 * the tokens-axis default) both use it, so it lives in src/shared.
 */

/** What is known about a run's batch geometry and framework. Every field is optional; `sources` says where each came from. */
export interface RunSettings {
  gradientAccumulationSteps?: number;
  /** Per-device micro batch (samples). */
  microBatchSize?: number;
  /** Samples per optimizer step over all devices. */
  globalBatchSize?: number;
  /** Tokens per sample (max_seq_length, sequence_len, cutoff_len, seq_length...). */
  seqLength?: number;
  /** Processes (GPUs) taking part. */
  worldSize?: number;
  tensorParallel?: number;
  pipelineParallel?: number;
  contextParallel?: number;
  /** `transformers 4.46.1`, `megatron` (no version printed), ... */
  frameworkVersion?: string;
  /** Per field: `log banner`, `config`, `launch command`, `run.json`. */
  sources: Partial<Record<Exclude<keyof RunSettings, 'sources'>, string>>;
}

type Field = Exclude<keyof RunSettings, 'sources'>;

/** Metadata keys the parser reports from banners (see textFormats `bannerLine`), by the field they fill. */
const META_FIELDS: Array<[Field, string[]]> = [
  ['gradientAccumulationSteps', ['gradient_accumulation_steps']],
  ['microBatchSize', ['per_device_train_batch_size', 'micro_batch_size', 'train_micro_batch_size_per_gpu']],
  ['globalBatchSize', ['total_train_batch_size', 'global_batch_size', 'train_batch_size']],
  ['seqLength', ['seq_length', 'max_seq_length', 'encoder_seq_length']],
  ['worldSize', ['world_size']],
  ['tensorParallel', ['tensor_model_parallel_size']],
  ['pipelineParallel', ['pipeline_model_parallel_size']],
  ['contextParallel', ['context_parallel_size']],
];

/** Config keys (HF TrainingArguments/TRL, Axolotl, LLaMA-Factory, torchtune, Megatron args) by field. */
const CONFIG_FIELDS: Array<[Field, string[]]> = [
  ['gradientAccumulationSteps', ['gradient_accumulation_steps', 'gradient_accumulation']],
  ['microBatchSize', ['per_device_train_batch_size', 'micro_batch_size', 'batch_size', 'train_micro_batch_size_per_gpu']],
  ['globalBatchSize', ['global_batch_size', 'train_batch_size']],
  ['seqLength', ['max_seq_length', 'sequence_len', 'cutoff_len', 'max_length', 'seq_length', 'max_seq_len', 'block_size']],
  ['tensorParallel', ['tensor_model_parallel_size', 'tensor_parallel_size']],
  ['pipelineParallel', ['pipeline_model_parallel_size', 'pipeline_parallel_size']],
  ['contextParallel', ['context_parallel_size']],
];

function num(v: unknown): number | undefined {
  const n = typeof v === 'number' ? v : typeof v === 'string' && /^\s*\d+(\.\d+)?\s*$/.test(v) ? Number(v) : NaN;
  return Number.isFinite(n) && n > 0 ? n : undefined;
}

function fill(out: RunSettings, field: Field, value: number | string | undefined, source: string): void {
  if (value === undefined || out[field] !== undefined) return;
  (out as unknown as Record<string, number | string>)[field] = value;
  out.sources[field] = source;
}

/** Settings from the parser's metadata (banner lines of the log). */
export function settingsFromMeta(meta: Readonly<Record<string, number | string>>): RunSettings {
  const out: RunSettings = { sources: {} };
  for (const [field, keys] of META_FIELDS) for (const k of keys) fill(out, field, num(meta[k]), 'log banner');
  if (typeof meta.transformers_version === 'string') fill(out, 'frameworkVersion', `transformers ${meta.transformers_version}`, 'log banner');
  else if (out.contextParallel !== undefined || out.tensorParallel !== undefined) fill(out, 'frameworkVersion', 'megatron', 'log banner');
  if (out.worldSize === undefined && out.globalBatchSize && out.microBatchSize) {
    const w = out.globalBatchSize / (out.microBatchSize * (out.gradientAccumulationSteps ?? 1));
    if (Number.isInteger(w) && w >= 1) fill(out, 'worldSize', w, 'log banner');
  }
  return out;
}

/** Settings from a parsed training config (a YAML/JSON object). */
export function settingsFromConfig(config: unknown): RunSettings {
  const out: RunSettings = { sources: {} };
  if (!config || typeof config !== 'object') return out;
  const c = config as Record<string, unknown>;
  for (const [field, keys] of CONFIG_FIELDS) for (const k of keys) fill(out, field, num(c[k]), 'config');
  return out;
}

/**
 * Processes a launch command starts: `torchrun --nproc_per_node N [--nnodes M]`, `accelerate launch
 * --num_processes N`, `deepspeed --num_gpus N [--num_nodes M]`, `python -m torch.distributed.run ...`. Undefined
 * when the command does not say (`--nproc_per_node gpu`/`auto` included).
 */
export function worldSizeFromArgv(argv: readonly string[]): number | undefined {
  const opt = (names: string[]): number | undefined => {
    for (let i = 0; i < argv.length; i++) {
      const a = argv[i];
      for (const n of names) {
        if (a === n && i + 1 < argv.length) return num(argv[i + 1]);
        if (a.startsWith(`${n}=`)) return num(a.slice(n.length + 1));
      }
    }
    return undefined;
  };
  const perNode = opt(['--nproc_per_node', '--nproc-per-node', '--num_processes', '--num-processes', '--num_gpus', '--num-gpus']);
  if (perNode === undefined) return undefined;
  const nodes = opt(['--nnodes', '--num_nodes', '--num-nodes', '--num_machines', '--num-machines']);
  // accelerate's --num_processes counts all processes already; the others are per node
  const total = argv.some((a) => a === '--num_processes' || a === '--num-processes' || a.startsWith('--num_processes=')) ? perNode : perNode * (nodes ?? 1);
  return total;
}

/** Merges settings; the first that has a field wins. */
export function mergeSettings(...all: Array<RunSettings | undefined>): RunSettings {
  const out: RunSettings = { sources: {} };
  for (const s of all) {
    if (!s) continue;
    for (const k of Object.keys(s) as Array<keyof RunSettings>) {
      if (k === 'sources') continue;
      fill(out, k, s[k] as number | string | undefined, s.sources[k] ?? 'unknown');
    }
  }
  return out;
}

/**
 * A factor the logged loss is multiplied by in this run's framework version, with why. Not the fp16 dynamic loss
 * scale (the `loss_scale` series): a multiplier of the *logged* loss value relative to the per-token loss.
 * `conditional`: the factor holds only if `applies` is true of the run, which the log's settings do not settle
 * (Megatron-LM's context-parallel factor: its version is rarely printed; the transformers GA factor: whether the model
 * takes the loss kwargs, see above); a consumer must not divide by it unconditionally. `applies` is set exactly when
 * `conditional` is true.
 */
export interface LossScale { factor: number; reason: string; conditional: boolean; applies?: string }

/** Megatron-LM versions whose logged loss carries the context-parallel factor (NVIDIA/Megatron-LM#673, #906). */
const MEGATRON_CP_AFFECTED = 'Megatron-LM before commit 3bdcbbb (September 2024)';

function versionTuple(v: string): number[] | undefined {
  const m = /(\d+)\.(\d+)(?:\.(\d+))?/.exec(v);
  return m ? [Number(m[1]), Number(m[2]), Number(m[3] ?? 0)] : undefined;
}

/**
 * The factor the logged loss carries in this run, when its framework version is in an affected range (see the module
 * comment), or undefined. Megatron's context-parallel factor is only a candidate (the version is rarely printed): it
 * is returned `conditional`, with `applies` and a reason that say "if".
 */
export function lossScaleOf(s: RunSettings): LossScale | undefined {
  const ga = s.gradientAccumulationSteps;
  const fv = s.frameworkVersion ?? '';
  if (ga && ga > 1 && fv.startsWith('transformers ')) {
    const t = versionTuple(fv);
    if (t && t[0] === 4 && (t[1] === 46 || t[1] === 47)) return { factor: ga, conditional: true, applies: "the model takes the Trainer's loss kwargs (model_accepts_loss_kwargs)", reason: `${fv} logs the loss summed over gradient accumulation: ${ga}× the per-token loss, depending on whether the model takes the Trainer's loss kwargs (model_accepts_loss_kwargs, huggingface/transformers#34511, #37766): where the curve's level does not show it, the factor did not apply (affects transformers 4.46.0–4.47.x and Axolotl on them; fixed in 4.48.0, huggingface/transformers#35207, #35438)` };
  }
  const cp = s.contextParallel;
  if (cp && cp > 1) return { factor: cp, conditional: true, applies: "the run's Megatron-LM predates commit 3bdcbbb (September 2024), which the log does not say", reason: `context_parallel_size ${cp}: ${MEGATRON_CP_AFFECTED} reported the loss multiplied by the context-parallel size (NVIDIA/Megatron-LM#673, #906); if this run's Megatron is older, the values are ${cp}× the per-token loss` };
  return undefined;
}

/** True for the metadata keys that are run settings (banner lines: batch geometry, parallel sizes, versions). */
export function isSettingsKey(key: string): boolean {
  return key === 'transformers_version' || META_FIELDS.some(([, keys]) => keys.includes(key));
}

/**
 * What the rescaled view divides a loss series' point by: the run's factor where every launch carries it
 * (`lossScale`), else the factor of the launch the point belongs to (`launches`, core/metrics LaunchInfo: the last
 * launch whose loss is in this series, `loss` or `loss (segment k)`, and whose first step is at or before `step`; a
 * series of another name, `eval_loss`, goes by the launches of `loss` with its segment suffix); 1: leave the point.
 */
export function lossFactorAt(info: { lossScale?: { factor: number }; launches?: ReadonlyArray<{ series: string; firstStep?: number; lossScale?: { factor: number } }> }, series: string, step: number): number {
  if (info.lossScale) return info.lossScale.factor;
  if (!info.launches) return 1;
  const seg = / \(segment \d+\)$/.exec(series);
  const home = seg ? `loss${seg[0]}` : 'loss';
  let f: number | undefined;
  for (const l of info.launches) {
    if (l.series !== home || l.firstStep === undefined) continue;
    if (f === undefined || l.firstStep <= step) f = l.lossScale?.factor ?? 1;
  }
  return f ?? 1;
}

/** Factors the logged loss may carry in this run (GA, CP), for the level-jump check. */
export function candidateFactors(s: RunSettings): Array<{ factor: number; what: string }> {
  const out: Array<{ factor: number; what: string }> = [];
  if (s.gradientAccumulationSteps && s.gradientAccumulationSteps > 1) out.push({ factor: s.gradientAccumulationSteps, what: `gradient_accumulation_steps (${s.gradientAccumulationSteps})` });
  if (s.contextParallel && s.contextParallel > 1) out.push({ factor: s.contextParallel, what: `context_parallel_size (${s.contextParallel})` });
  return out;
}

/**
 * What {@link tokensPerStepOf} lacks to make tokens per step from `s`, in words (`the sequence length`, `the world
 * size`, `a micro or global batch size`, joined with `and`); undefined when nothing is missing.
 */
export function tokensPerStepMissing(s: RunSettings): string | undefined {
  const missing: string[] = [];
  if (!s.seqLength) missing.push('the sequence length');
  if (!s.globalBatchSize) {
    if (!s.microBatchSize) missing.push('a micro or global batch size');
    if (!s.worldSize) missing.push('the world size (GPUs in all)');
  }
  return missing.length ? missing.join(' and ') : undefined;
}

/**
 * Tokens per optimizer step: global batch x sequence length, where the global batch is the config's global batch or
 * micro batch x gradient accumulation x data-parallel size (world size / (TP x PP x CP)). Undefined when a factor is
 * unknown (without a world size the per-GPU figure would be off by the GPU count). `how` says what it was made of.
 */
export function tokensPerStepOf(s: RunSettings): { tokensPerStep: number; how: string } | undefined {
  if (!s.seqLength) return undefined;
  if (s.globalBatchSize) return { tokensPerStep: s.globalBatchSize * s.seqLength, how: `global batch ${s.globalBatchSize} × sequence length ${s.seqLength} (${s.sources.globalBatchSize}, ${s.sources.seqLength})` };
  if (!s.microBatchSize || !s.worldSize) return undefined;
  const mp = (s.tensorParallel ?? 1) * (s.pipelineParallel ?? 1) * (s.contextParallel ?? 1);
  const dp = Math.max(1, Math.floor(s.worldSize / mp));
  const ga = s.gradientAccumulationSteps ?? 1;
  return { tokensPerStep: s.microBatchSize * ga * dp * s.seqLength, how: `micro batch ${s.microBatchSize} × gradient accumulation ${ga} × data-parallel ${dp} × sequence length ${s.seqLength} (an upper bound unless sequences are packed)` };
}

/**
 * Why two runs' losses are not on one scale: differences in the settings that scale the loss (gradient accumulation
 * under an affected transformers version, context-parallel size, the affected-version range itself). Empty when none.
 */
export function scaleDifferences(a: { title: string; settings: RunSettings }, b: { title: string; settings: RunSettings }): string[] {
  const out: string[] = [];
  const sa = lossScaleOf(a.settings), sb = lossScaleOf(b.settings);
  const fa = sa?.factor ?? 1, fb = sb?.factor ?? 1;
  if (fa !== fb) out.push(`${a.title} and ${b.title} log the loss on different scales (${fa}× vs ${fb}×): ${(sa ?? sb)!.reason}`);
  const ga = a.settings.gradientAccumulationSteps, gb = b.settings.gradientAccumulationSteps;
  if (fa === fb && ga !== undefined && gb !== undefined && ga !== gb && (a.settings.frameworkVersion?.startsWith('transformers') || b.settings.frameworkVersion?.startsWith('transformers')) && (lossScaleOf({ ...a.settings, gradientAccumulationSteps: 2 }) || lossScaleOf({ ...b.settings, gradientAccumulationSteps: 2 }))) {
    out.push(`${a.title} and ${b.title} use gradient_accumulation_steps ${ga} vs ${gb} under a transformers version that multiplies the logged loss by it`);
  }
  return out;
}

/** True when two runs' batch or sequence settings differ (then only a tokens axis lines them up). */
export function batchGeometryDiffers(a: RunSettings, b: RunSettings): boolean {
  const ta = tokensPerStepOf(a)?.tokensPerStep, tb = tokensPerStepOf(b)?.tokensPerStep;
  if (ta !== undefined && tb !== undefined) return ta !== tb;
  const keys: Field[] = ['microBatchSize', 'gradientAccumulationSteps', 'globalBatchSize', 'seqLength', 'worldSize'];
  return keys.some((k) => a[k] !== undefined && b[k] !== undefined && a[k] !== b[k]);
}
