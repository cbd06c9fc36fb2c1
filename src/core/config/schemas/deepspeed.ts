/**
 * DeepSpeed config JSON (ds_config.json). Top-level keys are read one by one (`get_scalar_param`), so an unknown
 * top-level key is silently ignored; sub-configs such as `zero_optimization` and its offload blocks, `bf16` and
 * `fp16` are pydantic models with `extra="forbid"` (DeepSpeedConfigModel), so unknown keys there raise. `"auto"` is a placeholder that
 * the HF Trainer / Accelerate integration fills in; DeepSpeed alone cannot read it.
 *
 * Sources: https://www.deepspeed.ai/docs/config-json/ ,
 * https://github.com/deepspeedai/DeepSpeed/blob/master/deepspeed/runtime/config.py ,
 * https://github.com/deepspeedai/DeepSpeed/blob/master/deepspeed/runtime/zero/config.py ,
 * https://github.com/deepspeedai/DeepSpeed/blob/master/deepspeed/runtime/zero/offload_config.py
 */
import { any, bool, enm, float, int, map, obj } from '../spec';
import type { KeySpec, ObjSpec } from '../spec';
import { z } from 'zod';
import type { KeyTable, VersionGap } from '../tables';
import { KEY_TABLES, addTable, classExtra, flattenClass, objFromClasses, tableForVersion, tableRelease, versionGaps } from '../tables';

const DOC = 'https://www.deepspeed.ai/docs/config-json/';
const ZERO = 'https://github.com/deepspeedai/DeepSpeed/blob/master/deepspeed/runtime/zero/config.py';
const a = { auto: true, source: DOC };
const RT = 'https://github.com/deepspeedai/DeepSpeed/blob/master/deepspeed/runtime/config.py';
/** offload_config.py OffloadDeviceEnum (hpu: Intel Gaudi builds). */
const OFFLOAD_DEVICES = ['none', 'cpu', 'nvme', 'hpu'] as const;

const offloadParam = obj('zero_optimization.offload_param', {
  device: enm(OFFLOAD_DEVICES, 'Where to offload parameters (ZeRO-3 only).', 'none', { source: ZERO }),
  nvme_path: any('NVMe path for parameter offload.', null, { type: 'str' }),
  pin_memory: bool('Offload to page-locked CPU memory (faster, uses more pinned RAM).', false),
  buffer_count: int('Buffers in the parameter-offload buffer pool.', 5, { min: 0 }),
  buffer_size: int('Size of each parameter-offload buffer.', 1e8, { min: 0 }),
  max_in_cpu: int('Parameters kept in CPU memory when offloading to NVMe.', 1e9, { min: 0 }),
}, 'error', { source: 'https://github.com/deepspeedai/DeepSpeed/blob/master/deepspeed/runtime/zero/offload_config.py', unknownNote: 'DeepSpeed rejects unknown keys here (pydantic extra="forbid").' });

const offloadOptimizer = obj('zero_optimization.offload_optimizer', {
  device: enm(OFFLOAD_DEVICES, 'Where to offload optimizer state (ZeRO-1/2/3).', 'none', { source: ZERO }),
  nvme_path: any('NVMe path for optimizer offload.', null, { type: 'str' }),
  pin_memory: bool('Offload to page-locked CPU memory.', false),
  buffer_count: int('Buffers for optimizer-state offload to NVMe.', 4, { min: 0 }),
  pipeline_read: bool('Overlap NVMe reads with compute.', false),
  pipeline_write: bool('Overlap NVMe writes with compute.', false),
  fast_init: bool('Fast optimizer initialization when offloading to NVMe.', false),
  ratio: float('Fraction of optimizer state offloaded (ZeRO-3 partial offload).', 1.0, { min: 0, max: 1 }),
}, 'error', { source: 'https://github.com/deepspeedai/DeepSpeed/blob/master/deepspeed/runtime/zero/offload_config.py', unknownNote: 'DeepSpeed rejects unknown keys here (pydantic extra="forbid").' });

const z3 = (doc: string, def: unknown): KeySpec => int(doc, def, { ...a, min: 0 });

const zeroHand = obj('zero_optimization', {
  stage: int('ZeRO stage: 0 off, 1 optimizer states, 2 + gradients, 3 + parameters partitioned across data-parallel ranks.', 0, { min: 0, max: 3, source: ZERO }),
  contiguous_gradients: bool('Copy gradients to a contiguous buffer as they are produced (less fragmentation).', true),
  reduce_scatter: bool('Use reduce or reduce-scatter instead of allreduce to average gradients.', true),
  reduce_bucket_size: z3('Elements reduced/allreduced at a time.', 5e8),
  use_multi_rank_bucket_allreduce: bool('Combine reduce buckets of different ranks into one allreduce.', true),
  allgather_partitions: bool('Allgather all updated parameters at the end of each step (vs a series of broadcasts).', true),
  allgather_bucket_size: z3('Elements allgathered at a time.', 5e8),
  overlap_comm: bool('Overlap gradient reduction with the backward pass (uses more memory).', null),
  load_from_fp32_weights: bool('Initialise fp32 master weights from the checkpoint fp32 copies.', true),
  elastic_checkpoint: bool('Load a checkpoint saved with a different data-parallel size.', false),
  offload_param: { ...any('Offload parameters to CPU/NVMe (ZeRO-3 only).', null, { type: 'mapping' }), obj: offloadParam },
  offload_optimizer: { ...any('Offload optimizer state (and computation) to CPU/NVMe (ZeRO-1/2/3).', null, { type: 'mapping' }), obj: offloadOptimizer },
  sub_group_size: z3('Parameters processed per optimizer sub-group (ZeRO-3 offload).', 1e9),
  cpu_offload_param: bool('Deprecated: use offload_param.', null, { deprecated: 'use offload_param' }),
  cpu_offload_use_pin_memory: bool('Deprecated: use offload_param/offload_optimizer pin_memory.', null, { deprecated: 'use pin_memory' }),
  cpu_offload: bool('Deprecated: use offload_optimizer.', null, { deprecated: 'use offload_optimizer' }),
  prefetch_bucket_size: z3('ZeRO-3: parameters prefetched ahead of use (alias stage3_prefetch_bucket_size).', 5e7),
  stage3_prefetch_bucket_size: z3('ZeRO-3: parameters prefetched ahead of use.', 5e7),
  param_persistence_threshold: z3('ZeRO-3: parameters smaller than this are not partitioned (alias stage3_param_persistence_threshold).', 1e5),
  stage3_param_persistence_threshold: z3('ZeRO-3: parameters smaller than this are not partitioned.', 1e5),
  model_persistence_threshold: z3('ZeRO-3: maximum unpartitioned parameters in total (alias stage3_model_persistence_threshold).', Number.MAX_SAFE_INTEGER),
  stage3_model_persistence_threshold: z3('ZeRO-3: maximum unpartitioned parameters in total.', Number.MAX_SAFE_INTEGER),
  max_live_parameters: z3('ZeRO-3: parameters resident per GPU before releasing (alias stage3_max_live_parameters).', 1e9),
  stage3_max_live_parameters: z3('ZeRO-3: parameters resident per GPU before releasing.', 1e9),
  max_reuse_distance: z3('ZeRO-3: do not release a parameter reused within this many parameters (alias stage3_max_reuse_distance).', 1e9),
  stage3_max_reuse_distance: z3('ZeRO-3: do not release a parameter reused within this many parameters.', 1e9),
  gather_16bit_weights_on_model_save: bool('ZeRO-3: gather 16-bit weights before saving (needed for a usable save_pretrained).', false),
  stage3_gather_16bit_weights_on_model_save: bool('ZeRO-3: gather 16-bit weights before saving.', false),
  stage3_gather_fp16_weights_on_model_save: bool('Deprecated alias of stage3_gather_16bit_weights_on_model_save.', false, { deprecated: 'use stage3_gather_16bit_weights_on_model_save' }),
  module_granularity_threshold: int('ZeRO-3: module granularity threshold for leaf modules.', 0),
  stage3_module_granularity_threshold: int('ZeRO-3: module granularity threshold.', 0),
  use_all_reduce_for_fetch_params: bool('ZeRO-3: fetch parameters with allreduce.', false),
  stage3_use_all_reduce_for_fetch_params: bool('ZeRO-3: fetch parameters with allreduce.', false),
  ignore_unused_parameters: bool('Stage 1/2: do not fail on parameters without gradients.', true),
  legacy_stage1: bool('Use the legacy stage-1 implementation.', false),
  round_robin_gradients: bool('Stage 1/2: round-robin gradient copy to CPU (offload).', false),
  zero_hpz_partition_size: int('ZeRO++ hierarchical partition size (ranks in the secondary group).', 1, { min: 0, source: ZERO }),
  zero_quantized_weights: bool('ZeRO++ quantized weights.', false),
  zero_quantized_nontrainable_weights: bool('ZeRO++ quantized frozen weights.', false),
  zero_quantized_gradients: bool('ZeRO++ quantized gradients.', false),
  zeropp_loco_param: any('ZeRO++ LoCo parameters.', null),
  mics_shard_size: int('MiCS shard size (-1 off).', -1),
  mics_hierarchical_params_gather: bool('MiCS hierarchical gather.', false),
  memory_efficient_linear: bool('Memory-efficient linear layers under ZeRO-3.', true),
  pipeline_loading_checkpoint: bool('Pipeline checkpoint loading.', false),
  override_module_apply: bool('Override nn.Module.apply under ZeRO-3 init.', true),
  log_trace_cache_warnings: bool('Log trace-cache invalidation warnings.', false),
  grad_hooks: bool('Use gradient hooks (stage 1/2).', true),
  stage3_gather_fp16_weights: bool('Deprecated.', false),
}, 'error', {
  source: ZERO, unknownNote: 'DeepSpeed rejects unknown zero_optimization keys (pydantic extra="forbid").',
  // zero/config.py: Field(..., json_schema_extra={"deprecated": True, "new_param": ...})
  renamed: {
    stage3_gather_fp16_weights_on_model_save: { to: 'stage3_gather_16bit_weights_on_model_save', version: 'DeepSpeed 0.6 (deprecated alias, still accepted)', severity: 'warning' },
    cpu_offload: { to: 'offload_optimizer', version: 'DeepSpeed 0.5 (deprecated: use offload_optimizer: {device: cpu})', severity: 'warning' },
    cpu_offload_param: { to: 'offload_param', version: 'DeepSpeed 0.5 (deprecated: use offload_param: {device: cpu})', severity: 'warning' },
  },
});

// fp16 / bf16: DeepSpeedFP16Config / DeepSpeedBF16Config (runtime/precision_config.py) are DeepSpeedConfigModel
// subclasses, built with `Model(**param_dict["bf16"])`: an unknown key raises. The tables say so per release
// (withTable); this severity is used only where no table has the model.
const fp16Hand = obj('fp16', {
  enabled: bool('fp16 mixed precision with dynamic loss scaling.', false, a),
  auto_cast: bool('Cast inputs to fp16 automatically.', false),
  loss_scale: float('Static loss scale; 0 = dynamic loss scaling.', 0, { min: 0 }),
  initial_scale_power: int('Initial dynamic loss scale is 2^initial_scale_power.', 16, { min: 0 }),
  loss_scale_window: int('Steps without overflow before the loss scale grows.', 1000, { min: 1 }),
  hysteresis: int('Overflows tolerated before lowering the loss scale.', 2, { min: 1 }),
  consecutive_hysteresis: bool('Refill hysteresis on every step without overflow.', false),
  // An int in DeepSpeedFP16Config (runtime/precision_config.py, 0.17.6 to 0.19.5): pydantic refuses 0.5.
  min_loss_scale: int('Minimum dynamic loss scale.', 1, { min: 0 }),
  fp16_master_weights_and_grads: bool('Keep master weights and gradients in fp16 (ZeRO-2 + CPU offload only).', false),
}, 'error', { source: DOC, unknownNote: 'DeepSpeed rejects unknown keys here (pydantic extra="forbid", DeepSpeedConfigModel in deepspeed/runtime/config_utils.py).' });

const bf16Hand = obj('bf16', {
  enabled: bool('bfloat16 mixed precision (Ampere or newer).', false, a),
  immediate_grad_update: bool('Apply gradients to fp32 master weights immediately.', true),
  check_grad_overflow: bool('Check bf16 gradients for overflow.', false),
  bf16_master_weights_and_grads: bool('Keep master weights in bf16.', false),
  bf16_optimizer_states: bool('Keep optimizer states in bf16.', false),
}, 'error', { source: DOC, unknownNote: 'DeepSpeed rejects unknown keys here (pydantic extra="forbid", DeepSpeedConfigModel in deepspeed/runtime/config_utils.py).' });

/**
 * A pydantic section with the generated tables (tables/deepspeed-<release>.json) added to the hand-written spec:
 * `classOf(table)` names the section's model in a release (`DeepSpeedZeroConfig`; undefined where that release has
 * none). Fields only a table has are known and typed from DeepSpeed's own model, and take "auto" as the hand-written
 * ones do (the HF integration fills "auto" in before DeepSpeed reads the file). `version`: the DeepSpeed version the
 * run uses (issue 15): only the newest table at or below it is added, and a field only another tabled release has is
 * a `key-version` finding. Without it every table is added, newest first.
 *
 * The unknown-key severity is what the model does in those releases (tables.ts `classExtra`): an error where pydantic
 * `extra="forbid"` refuses the key (DeepSpeedConfigModel, deepspeed/runtime/config_utils.py:110 in 0.17.6, 0.18.9 and
 * 0.19.5), a warning where it is ignored; the hand-written severity stays where no table has the model. A nested
 * model both the spec and the table have (zero_optimization.offload_param, .offload_optimizer) gets the same
 * treatment, with the model its field refers to. `o.where`: how messages name the class (default: its name);
 * A pydantic section also gets `laxModel` (its class, e.g. DeepSpeedZeroConfig): DeepSpeedConfigModel sets no
 * `strict`, so a string its bool/int/float field converts is a warning (engine.ts `laxValue`, pydanticLax.ts).
 * `o.severityFromTable: false` keeps the spec's severity and sets no `laxModel` (the top level, which is no pydantic
 * model: get_scalar_param converts nothing);
 * `o.defaultsFromTable: false` takes a table's default only where the spec has none (the top level's `None`
 * defaults mean "computed", e.g. gradient_accumulation_steps from the batch sizes, so the hand-written value stays).
 */
function withTable(hand: ObjSpec, classOf: (t: KeyTable) => string | undefined, version?: string, o: { where?: string; severityFromTable?: boolean; defaultsFromTable?: boolean } = {}): ObjSpec {
  const choice = tableForVersion('deepspeed', version);
  const tables = choice?.version ? [choice.table] : KEY_TABLES.deepspeed ?? [];
  let spec = hand;
  for (const t of tables) {
    const cls = classOf(t);
    if (!cls) continue;
    const gen = objFromClasses(t, [cls], hand.name, { nestedUnknown: hand.unknown === 'error' ? 'error' : 'warning', enumSeverity: 'error', label: `DeepSpeed ${tableRelease(t)}` });
    for (const [k, g] of Object.entries(gen.keys)) if (!spec.keys[k] && !g.obj) gen.keys[k] = { ...g, zod: z.union([g.zod, z.literal('auto')]) };
    // A model's default is the release's (the run's, else the newest: added first) over the hand-written one.
    spec = addTable(spec, gen, o.defaultsFromTable === false ? {} : { defaultsFrom: `DeepSpeed ${tableRelease(t)}` });
  }
  if (o.severityFromTable !== false) {
    // A pydantic section: DeepSpeedConfigModel sets no `strict` (config_utils.py:105-113 in every tabled release),
    // so lax mode converts "true", "3", "1e-5" for its bool/int/float fields (engine.ts laxValue).
    const model = tables.map(classOf).find(Boolean) ?? hand.name;
    spec = { ...spec, ...unknownSeverity(tables, classOf, spec), laxModel: model };
  }
  // Nested models both have: judged by the model the field refers to in each release.
  const keys = { ...spec.keys };
  for (const [k, h] of Object.entries(hand.keys)) {
    if (!h.obj) continue;
    const refOf = (t: KeyTable) => { const c = classOf(t); return c ? flattenClass(t, c).find((x) => x.field.name === k)?.field.ref?.[0] : undefined; };
    if (tables.some(refOf)) keys[k] = { ...keys[k], obj: withTable(h.obj, refOf, version) };
  }
  spec = { ...spec, keys };
  if (!choice?.version) return spec;
  const gaps: Record<string, VersionGap> = {};
  const classesOf = (t: KeyTable) => { const c = classOf(t); return c ? [c] : []; };
  // A hand-written key too: the section is one pydantic model (extra="forbid"), so a field of a later release
  // (bf16.bf16_optimizer_states from 0.18) is refused by an earlier one whatever the hand-written spec says.
  for (const [k, m] of Object.entries(versionGaps('deepspeed', choice, classesOf, { label: 'DeepSpeed', where: o.where ?? classOf(choice.table) ?? hand.name }))) gaps[k] = m;
  if (!Object.keys(gaps).length) return spec;
  const kept = { ...spec.keys };
  for (const k of Object.keys(gaps)) delete kept[k];
  return { ...spec, keys: kept, versionGaps: { ...spec.versionGaps, ...gaps } };
}

/**
 * The unknown-key severity and note of a section from pydantic's `extra` of its model in `tables` (tables.ts
 * `classExtra`): error when every release forbids extra keys, warning when one ignores them; the spec's own when no
 * table has the model.
 */
function unknownSeverity(tables: KeyTable[], classOf: (t: KeyTable) => string | undefined, spec: ObjSpec): Pick<ObjSpec, 'unknown' | 'unknownNote'> {
  const ex = tables.flatMap((t) => { const c = classOf(t); const e = c ? classExtra(t, c) : undefined; return e ? [{ t, c: c!, ...e }] : []; });
  if (!ex.length) return { unknown: spec.unknown, unknownNote: spec.unknownNote };
  const rel = (xs: typeof ex) => xs.map((x) => x.t.release.split('+')[0]).join(', ');
  const ignoring = ex.filter((x) => x.extra !== 'forbid');
  if (!ignoring.length) return { unknown: 'error', unknownNote: `DeepSpeed ${rel(ex)} rejects unknown keys here: ${ex[0].c} is a pydantic model with extra="forbid" (${ex[0].where}), so the run fails at startup.` };
  return { unknown: 'warning', unknownNote: `DeepSpeed ${rel(ignoring)} ignores unknown keys here (${ignoring[0].c}: pydantic extra="${ignoring[0].extra}"${ignoring[0].where ? `, ${ignoring[0].where}` : ', its default'}), so this setting has no effect.` };
}
/**
 * comms_logger: CommsLoggerConfig (deepspeed/comm/config.py), built by DeepSpeedCommsConfig from
 * `ds_config['comms_logger']` when the key is there; no hand-written field, all from the tables.
 */
const commsHand = obj('comms_logger', {}, 'error', { source: 'https://github.com/deepspeedai/DeepSpeed/blob/master/deepspeed/comm/config.py' });

type Sections = { zero: ObjSpec; fp16: ObjSpec; bf16: ObjSpec; comms: ObjSpec };
const sectionsByVersion = new Map<string, Sections>();
/** The zero_optimization, fp16, bf16 and comms_logger sections for the run's DeepSpeed `version` (undefined: every table), cached. */
function sections(version?: string): Sections {
  let s = sectionsByVersion.get(version ?? '');
  if (!s) {
    const root = (r: string) => (t: KeyTable) => t.roots[r]?.[0];
    s = { zero: withTable(zeroHand, root('zero_optimization'), version), fp16: withTable(fp16Hand, root('fp16'), version), bf16: withTable(bf16Hand, root('bf16'), version), comms: withTable(commsHand, root('comms_logger'), version) };
    sectionsByVersion.set(version ?? '', s);
  }
  return s;
}

const optimizerParams = obj('optimizer.params', {
  lr: float('Learning rate.', undefined, a), betas: { ...any('Adam betas [beta1, beta2].', undefined, { type: "list[float] | 'auto'" }) },
  eps: float('Adam epsilon.', undefined, a), weight_decay: float('Weight decay.', undefined, a),
  torch_adam: bool('Use torch Adam instead of the fused one.', false), adam_w_mode: bool('AdamW (decoupled) mode.', true),
  momentum: float('Momentum (Lamb/SGD).', undefined), max_coeff: float('Lamb max coefficient.', undefined), min_coeff: float('Lamb min coefficient.', undefined),
  freeze_step: int('OneBit warmup steps.', undefined), cuda_aware: bool('OneBit CUDA-aware comm.', false), comm_backend_name: any('OneBit comm backend.', undefined),
}, 'ignore', { source: DOC });

const schedulerParams = obj('scheduler.params', {
  warmup_min_lr: float('Minimum LR during warmup.', 0, a), warmup_max_lr: float('Peak LR after warmup.', 0.001, a),
  warmup_num_steps: int('Warmup steps.', 1000, a), warmup_type: enm(['log', 'linear'], 'Warmup curve.', 'log'),
  total_num_steps: int('Total steps (WarmupDecayLR, WarmupCosineLR).', undefined, a),
  warmup_min_ratio: float('WarmupCosineLR min ratio.', 0), cos_min_ratio: float('WarmupCosineLR final ratio.', 0.0001),
}, 'ignore', { source: DOC });

const DS_OPTIMIZERS = ['Adam', 'AdamW', 'OneBitAdam', 'ZeroOneAdam', 'OneBitLamb', 'Lamb', 'Lion', 'MuAdam', 'MuAdamW', 'MuSGD', 'Adagrad', 'SGD', 'FusedAdam', 'CPUAdam', 'DeepSpeedCPUAdam', 'Muon'] as const;
const DS_SCHEDULERS = ['LRRangeTest', 'OneCycle', 'WarmupLR', 'WarmupDecayLR', 'WarmupCosineLR'] as const;

const rootByVersion = new Map<string, ObjSpec>();
/**
 * The top level of a DeepSpeed config (a ds_config.json, or the `deepspeed:` mapping of an HF/TRL, Axolotl or
 * LLaMA-Factory YAML) for the run's DeepSpeed `version` (undefined: every tabled release), cached. The hand-written
 * keys (docs, "auto", the rules' bounds) with each table's `config` root added (tables/deepspeed-<release>.json,
 * pseudo-class DeepSpeedConfig: the keys deepspeed/runtime/config.py reads one by one, with their NAME/NAME_DEFAULT
 * constants and the line each is read at). With a version, a key only another tabled release reads is a
 * `key-version` warning: top-level keys are never refused, only ignored (`log_level`, read from 0.19.x on, does
 * nothing in 0.17.6).
 */
export function deepspeedRoot(version?: string): ObjSpec {
  let r = rootByVersion.get(version ?? '');
  if (!r) {
    r = withTable(deepspeedHandRoot(version), (t) => t.roots.config?.[0], version, { where: 'the top-level keys runtime/config.py reads', severityFromTable: false, defaultsFromTable: false });
    rootByVersion.set(version ?? '', r);
  }
  return r;
}

function deepspeedHandRoot(version?: string): ObjSpec {
  const { zero, fp16, bf16, comms } = sections(version);
  return obj('DeepSpeed config', {
    train_batch_size: int('Global batch size = train_micro_batch_size_per_gpu × gradient_accumulation_steps × data-parallel world size.', undefined, { ...a, min: 1 }),
    train_micro_batch_size_per_gpu: int('Micro batch per GPU per step (HF: per_device_train_batch_size).', undefined, { ...a, min: 1 }),
    gradient_accumulation_steps: int('Micro-batches accumulated per optimizer step.', 1, { ...a, min: 1 }),
    optimizer: map('Optimizer built by DeepSpeed: {type, params}. Omit to use the client (HF) optimizer.', obj('optimizer', {
      type: enm(DS_OPTIMIZERS, 'Optimizer name.', undefined, { severity: 'warning', source: DOC }),
      params: map('Optimizer constructor arguments.', optimizerParams),
    }, 'warning', { source: DOC }), undefined),
    scheduler: map('LR scheduler built by DeepSpeed: {type, params}.', obj('scheduler', {
      type: enm(DS_SCHEDULERS, 'Scheduler name.', undefined, { severity: 'warning', source: DOC }),
      params: map('Scheduler arguments.', schedulerParams),
    }, 'warning', { source: DOC }), undefined),
    fp16: map('fp16 mixed precision (dynamic loss scaling).', fp16, undefined),
    bf16: map('bf16 mixed precision.', bf16, undefined),
    bfloat16: map('Alias of bf16.', bf16, undefined),
    amp: map('NVIDIA Apex AMP.', undefined, undefined),
    gradient_clipping: float('Global gradient norm clipping (0 disables).', 1.0, { ...a, min: 0 }),
    prescale_gradients: bool('Scale gradients before allreduce.', false),
    gradient_predivide_factor: float('Pre-divide gradients before allreduce.', 1.0),
    sparse_gradients: bool('Sparse allreduce for embedding gradients.', false),
    zero_optimization: map('ZeRO memory optimizations.', zero, undefined),
    zero_allow_untested_optimizer: bool('Allow a client optimizer outside the list DeepSpeed has tested with ZeRO (without it, engine initialisation asserts).', false, { source: RT }),
    zero_force_ds_cpu_optimizer: bool('Force DeepSpeedCPUAdam when offloading the optimizer.', true),
    steps_per_print: int('Print progress every this many steps.', 10, { min: 1 }),
    wall_clock_breakdown: bool('Time forward/backward/step (slower).', false),
    dump_state: bool('Print DeepSpeed state after initialization.', false),
    memory_breakdown: bool('Print memory breakdown.', false),
    communication_data_type: enm(['fp16', 'bf16', 'fp32'], 'dtype for gradient communication (None: follow the training precision). runtime/config.py lower-cases the value and raises on anything else; DeepSpeed before bf16 support spelled it bfp16.', null, { source: RT }),
    seq_parallel_communication_data_type: enm(['fp16', 'bf16', 'fp32'], 'dtype for sequence-parallel communication.', 'fp32'),
    data_types: map('{grad_accum_dtype: fp32|fp16|bf16}.', undefined, undefined),
    activation_checkpointing: map('Activation checkpointing (partition_activations, cpu_checkpointing, contiguous_memory_optimization, number_checkpoints, synchronize_checkpoint_boundary, profile).', obj('activation_checkpointing', {
      partition_activations: bool('Partition activations across model-parallel GPUs.', false), cpu_checkpointing: bool('Offload checkpoints to CPU.', false),
      contiguous_memory_optimization: bool('Copy checkpoints to a contiguous buffer.', false), number_checkpoints: int('Number of checkpoints.', null),
      synchronize_checkpoint_boundary: bool('Synchronize at checkpoint boundaries.', false), profile: bool('Profile checkpointing.', false),
    }, 'warning', { source: DOC }), undefined),
    flops_profiler: map('Flops profiler settings.', undefined, undefined), aio: map('Async I/O (NVMe) settings.', undefined, undefined),
    tensorboard: map('TensorBoard monitor {enabled, output_path, job_name}.', undefined, undefined), wandb: map('W&B monitor {enabled, group, team, project}.', undefined, undefined),
    csv_monitor: map('CSV monitor.', undefined, undefined), comet: map('Comet monitor.', undefined, undefined),
    comms_logger: map('Communication logger {enabled, prof_all, prof_ops, verbose, debug}: logs collectives (comm/config.py).', comms, undefined),
    elasticity: map('Elastic training.', undefined, undefined), autotuning: map('Autotuning.', undefined, undefined),
    checkpoint: map('Checkpoint options (tag_validation, load_universal, use_node_local_storage, parallel_write).', undefined, undefined),
    data_efficiency: map('Data efficiency library.', undefined, undefined), curriculum_learning: map('Curriculum learning (legacy).', undefined, undefined),
    compression_training: map('Compression.', undefined, undefined), pipeline: map('Pipeline parallel options.', undefined, undefined),
    sparse_attention: map('Sparse attention.', undefined, undefined), eigenvalue: map('Eigenvalue computation.', undefined, undefined),
    progressive_layer_drop: map('Progressive layer drop.', undefined, undefined), hybrid_engine: map('Hybrid engine (RLHF).', undefined, undefined),
    compile: map('torch.compile options.', undefined, undefined), timers: map('Timers.', undefined, undefined), nebula: map('Nebula checkpointing.', undefined, undefined),
    weight_quantization: map('Weight quantization.', undefined, undefined), quantize_training: map('Quantized training.', undefined, undefined),
    tensor_parallel: map('AutoTP training options.', undefined, undefined), torch_autocast: map('torch.autocast options.', undefined, undefined),
    disable_allgather: bool('Disable allgather.', false), load_universal_checkpoint: bool('Load a universal checkpoint.', false),
    use_data_before_expert_parallelism: bool('MoE: build data-parallel groups before expert-parallel ones (runtime/constants.py USE_DATA_BEFORE_EXPERT_PARALLEL).', false, { source: RT }),
    dataloader_drop_last: bool('Drop the last incomplete batch of the DeepSpeed dataloader.', false, { source: RT }),
    vocabulary_size: int('Vocabulary size (used by some DeepSpeed features).', null, { min: 1, source: RT }), graph_harvesting: bool('Graph harvesting.', false),
    managed_gradient_accumulation: bool('Let DeepSpeed manage gradient accumulation boundaries (newer DeepSpeed).', undefined, { source: RT }),
    gradient_accumulation_dtype: any('Deprecated: use data_types.grad_accum_dtype.', null),
  }, 'warning', { source: DOC, unknownNote: 'DeepSpeed ignores unknown top-level keys silently, so this setting has no effect.' });
}
