/**
 * DeepSpeed checkpoints (deepspeed/runtime/engine.py `save_checkpoint` / `load_checkpoint`): `<save_dir>/latest`
 * holds the tag (`global_step500`); `<save_dir>/<tag>/` holds `mp_rank_00_model_states.pt` (ZeRO 0-2) or
 * `zero_pp_rank_<dp>_mp_rank_<mp>_model_states.pt` (ZeRO-3), and one `[bf16_]zero_pp_rank_<dp>_mp_rank_<mp>_optim_states.pt`
 * per data-parallel rank. The model-states file is a torch zip whose dict has `module`, `ds_config`, `dp_world_size`,
 * `mp_world_size`, `global_steps`, `ds_version`. `load_checkpoint` opens the optimizer file of each current rank by
 * name, so resuming with another world size, ZeRO stage or MiCS shard size fails (unless the checkpoint is converted
 * with `ds_to_universal.py` and loaded with `load_universal_checkpoint`): see {@link resumeMismatches}. Under MiCS
 * (`zero_optimization.mics_shard_size`) only the first shard group writes, so a save of W ranks holds `mics_shard_size`
 * partitions while its model states still say `dp_world_size` W; under hpZ (`zero_hpz_partition_size`) the layout is
 * plain ZeRO-3's.
 */
import { baseName, joinPath, readTextIfExists } from '../files';
import type { FileAccess } from '../files';
import { getKey, readTorchZip, toJson } from './torch';
import type { DeepSpeedInfo, Problem, TensorInfo } from './types';

const MODEL_STATES = /^(?:zero_pp_rank_(\d+)_)?mp_rank_(\d+)_model_states\.pt$/;
const OPTIM_STATES = /^(?:bf16_)?zero_pp_rank_(\d+)_mp_rank_(\d+)_optim_states\.pt$/;

/** Whether a folder listing is a DeepSpeed tag folder (`global_stepN/` contents). */
export function isDeepSpeedTagDir(names: string[]): boolean {
  return names.some((n) => MODEL_STATES.test(n) || OPTIM_STATES.test(n));
}

export interface DeepSpeedReport { deepspeed: DeepSpeedInfo; problems: Problem[]; tensors: TensorInfo[]; tied: [string, string][]; metadata: Record<string, string> }

/**
 * Reads a DeepSpeed save. `names` given: `path` is the save dir (tag from `latest`, else the highest global_stepN);
 * undefined: `path` is the tag folder. `resume` (ZeRO stage / world size a resume would use) adds errors on mismatch.
 */
export async function inspectDeepSpeed(files: FileAccess, path: string, names: string[] | undefined, resume?: DeepSpeedResumeTarget): Promise<DeepSpeedReport> {
  const problems: Problem[] = [];
  let tagDir = path;
  let tag = baseName(path);
  if (names) {
    const latest = (await readTextIfExists(files, joinPath(path, 'latest'), 4096))?.trim();
    const steps = names.filter((n) => /^global_step\d+$/.test(n)).sort((a, b) => Number(a.slice(11)) - Number(b.slice(11)));
    if (latest) {
      tag = latest;
      if (!names.includes(latest)) problems.push({ severity: 'error', file: joinPath(path, 'latest'), message: `latest names ${latest}, which is not in ${path}: load_checkpoint will fail` });
    } else if (steps.length) {
      tag = steps[steps.length - 1];
      problems.push({ severity: 'warning', file: path, message: `no \`latest\` file: load_checkpoint without an explicit tag will not find ${tag}` });
    }
    tagDir = joinPath(path, tag);
  }
  const list = await files.list(tagDir).catch(() => [] as string[]);
  const dp = new Set<number>(), mp = new Set<number>(), modelDp = new Set<number>();
  const modelFiles: string[] = [];
  for (const n of list) {
    const o = OPTIM_STATES.exec(n); if (o) { dp.add(Number(o[1])); mp.add(Number(o[2])); }
    const m = MODEL_STATES.exec(n); if (m) { modelFiles.push(n); if (m[1] !== undefined) modelDp.add(Number(m[1])); }
  }
  modelFiles.sort((a, b) => a.localeCompare(b, undefined, { numeric: true }));
  const stepMatch = /^global_step(\d+)$/.exec(tag);
  const ds: DeepSpeedInfo = { tag, step: stepMatch ? Number(stepMatch[1]) : undefined, world_size: dp.size || undefined, partitions: dp.size || undefined, mp_world_size: mp.size || undefined };
  let tensors: TensorInfo[] = [];
  let tied: [string, string][] = [];
  const metadata: Record<string, string> = { tag };
  if (modelFiles.length === 0) problems.push({ severity: 'error', file: tagDir, message: `${tag} has no *_model_states.pt file: load_checkpoint will fail` });
  else {
    const mf = joinPath(tagDir, modelFiles[0]);
    try {
      const z = await readTorchZip(files, mf);
      problems.push(...z.problems);
      const cfg = toJson(getKey(z.root, 'ds_config')) as Record<string, unknown> | undefined;
      ds.ds_config = cfg;
      const zero = cfg?.zero_optimization as { stage?: unknown; mics_shard_size?: unknown; zero_hpz_partition_size?: unknown } | undefined;
      const stage = Number(zero?.stage);
      ds.zero_stage = Number.isFinite(stage) ? stage : modelFiles[0].startsWith('zero_pp_rank_') ? 3 : dp.size ? undefined : 0;
      if (ds.zero_stage === 3) Object.assign(ds, zeroPlusPlus(zero));
      const savedDp = Number(getKey(z.root, 'dp_world_size'));
      if (Number.isFinite(savedDp) && savedDp > 0) ds.world_size = savedDp;
      if (ds.world_size !== undefined && ds.zero_stage !== undefined && ds.zero_stage > 0) {
        // The files a resume opens, by rank: one optimizer partition per rank of the optimizer's dp_process_group
        // (MiCS: the shard group), and under ZeRO-3 one model-states file per such rank.
        const expected = zeroPartitions(ds.zero_stage, ds.world_size, ds.mics_shard_size);
        ds.partitions = expected;
        const missing = (have: Set<number>, name: (r: number) => string): string[] => have.size ? Array.from({ length: expected }, (_, r) => r).filter((r) => !have.has(r)).map(name) : [];
        const gone = [...missing(dp, (r) => `zero_pp_rank_${r}_mp_rank_00_optim_states.pt`), ...(ds.zero_stage === 3 ? missing(modelDp, (r) => `zero_pp_rank_${r}_mp_rank_00_model_states.pt`) : [])];
        const extra = [...dp].filter((r) => r >= expected);
        const why = `${modelFiles[0]} says ${ds.world_size} data-parallel rank(s)${ds.mics_shard_size ? ` in MiCS shard groups of ${ds.mics_shard_size} (only the first group saves)` : ''}, so ${expected} ZeRO partition(s)`;
        if (gone.length) problems.push({ severity: 'error', file: tagDir, message: `${why}, but ${gone.join(', ')} ${gone.length === 1 ? 'is' : 'are'} missing: the rank that opens it fails (a rank's save did not finish, or files were deleted)` });
        else if (extra.length) problems.push({ severity: 'warning', file: tagDir, message: `${why}, but optimizer partitions of rank(s) ${extra.join(', ')} are present too: files from another save (another world size or MiCS shard size) are mixed into ${tag}` });
      }
      const gs = Number(getKey(z.root, 'global_steps'));
      if (ds.step === undefined && Number.isFinite(gs)) ds.step = gs;
      const ver = getKey(z.root, 'ds_version');
      if (typeof ver === 'string') metadata.ds_version = ver;
      tensors = z.tensors.filter((t) => t.name.startsWith('module.')).map((t) => ({ ...t, name: t.name.slice(7) }));
      tied = z.tied.filter(([a, b]) => a.startsWith('module.') && b.startsWith('module.')).map(([a, b]) => [a.slice(7), b.slice(7)]);
      if (ds.zero_stage === 3 && tensors.some((t) => t.shape.length === 1 && t.shape[0] === 0)) {
        problems.push({ severity: 'info', file: mf, message: 'ZeRO-3 model states hold (0,) placeholders; the weights are partitioned in the optimizer-state files: run zero_to_fp32.py in this folder to get a full state dict' });
      }
    } catch (e) {
      problems.push({ severity: 'error', file: mf, message: (e as Error).message });
    }
  }
  if (resume) problems.push(...resumeMismatches(ds, resume, tagDir, metadata.ds_version));
  return { deepspeed: ds, problems, tensors, tied, metadata };
}

/**
 * ZeRO++ / MiCS settings of a ZeRO-3 `zero_optimization` block, as DeepSpeed reads them
 * (`runtime/zero/config.py` `DeepSpeedZeroConfig`): `mics_shard_size` (default -1: off; MiCS is on when > 0) and
 * `zero_hpz_partition_size` (default 1: off; hpZ, ZeRO++'s secondary weight partition, is on when > 1). Both act
 * only under stage 3 (`runtime/engine.py` `_configure_zero_optimizer` builds the MiCS optimizer in the stage-3 branch).
 */
export function zeroPlusPlus(zero: { mics_shard_size?: unknown; zero_hpz_partition_size?: unknown } | undefined): { mics_shard_size?: number; hpz_partition_size?: number } {
  const out: { mics_shard_size?: number; hpz_partition_size?: number } = {};
  const mics = zero?.mics_shard_size, hpz = zero?.zero_hpz_partition_size;
  if (typeof mics === 'number' && Number.isInteger(mics) && mics > 0) out.mics_shard_size = mics;
  if (typeof hpz === 'number' && Number.isInteger(hpz) && hpz > 1) out.hpz_partition_size = hpz;
  return out;
}

/**
 * How many ZeRO partitions a save or a run has: the size of the optimizer's `dp_process_group`, whose rank names the
 * files (`_get_zero_ckpt_name`, `_get_ckpt_name`: `dist.get_rank(group=self.optimizer.dp_process_group)`). That group
 * is the whole (sequence-)data-parallel group, except under MiCS, where `MiCS_Optimizer.__init__` replaces it with the
 * shard group (`param_shard_group`, `mics_shard_size` ranks); only ranks whose shard rank equals their data-parallel
 * rank (the first shard group) write (`_configure_checkpointing`: `save_zero_checkpoint = param_rank == dp_rank`;
 * `is_first_weights_partition_group`). hpZ does not change it (the stage-3 optimizer keeps `seq_data_parallel_group`).
 * `worldSize`: data-parallel ranks. A shard size not below the world size is one shard group: plain ZeRO-3's layout.
 */
export function zeroPartitions(stage: number, worldSize: number, micsShardSize?: number): number {
  return stage === 3 && micsShardSize !== undefined && micsShardSize > 0 && micsShardSize < worldSize ? micsShardSize : worldSize;
}

/** What a resume will run with, for {@link resumeMismatches}; each `…From` says where the value was read. */
export interface DeepSpeedResumeTarget {
  zeroStage?: number; zeroStageFrom?: string;
  /** Total process count (data-parallel × the save's model-parallel size). */
  worldSize?: number; worldSizeFrom?: string;
  /** `zero_optimization.mics_shard_size` when > 0 and `zero_hpz_partition_size` when > 1 ({@link zeroPlusPlus}). */
  micsShardSize?: number; hpzPartitionSize?: number;
  /** Where the ZeRO settings were read (the DeepSpeed config); undefined: MiCS and hpZ of the resume are unknown. */
  zeroConfigFrom?: string;
  /** `checkpoint.load_universal`: the layout errors do not apply (the universal loader reshapes). */
  loadUniversal?: boolean;
}

/** First DeepSpeed release whose engine passes `param_shapes=` to the optimizer's `load_state_dict` (commit d2b1d7f). */
export const MICS_PARAM_SHAPES_SINCE = '0.14.5';

/**
 * A resume whose layout differs from the save's, as problems (empty when they match or are unknown). Errors:
 *  - another ZeRO stage: `load_checkpoint` looks for that stage's file names;
 *  - stages 1-3, another data-parallel size (`target.worldSize` over the saved model-parallel size) than the
 *    `dp_world_size` in the model states: `_load_zero_checkpoint` raises `ZeRORuntimeException` ("The checkpoint being
 *    loaded used a DP world size of W but the current world size is W'"); under ZeRO-3 a rank whose partition rank is
 *    past the saved partitions finds no `zero_pp_rank_<r>_mp_rank_00_model_states.pt` before that (`_get_all_ckpt_names`
 *    globs its own name; `state_dict_factory.py` `check_ckpt_list` asserts the list is not empty). Stage 0 keeps the
 *    optimizer whole in the model states: any world size loads;
 *  - ZeRO-3, another partition count ({@link zeroPartitions}: MiCS shard size, else the world size) at the same world
 *    size: each rank loads `state_dict_list[dist.get_rank(group=self.dp_process_group)]` (`stage3.py` `load_state_dict`,
 *    `_get_all_zero_checkpoint_state_dicts`: only the file of its own partition rank). More partitions than saved: the
 *    files of the extra ranks do not exist (the model-states assertion above, then `FileNotFoundError` for the
 *    optimizer file). Fewer: each rank gets a partition sized for the saved count and `_rigid_load_state_dict`'s
 *    `curr_param.data.copy_(saved_param.data)` fails with a size mismatch;
 *  - MiCS or hpZ sizes that do not divide the world size: DeepSpeed stops at start-up (`mics_utils.py`
 *    `_generate_mics_config` asserts `world_size % shard_size == 0`; `utils/groups.py`
 *    `_create_zero_param_parallel_group` calls `_ensure_divisibility(world_size, zero_hpz_partition_size)`).
 * Info: another `zero_hpz_partition_size` alone loads: the hpZ secondary copies are not saved (`stage3.py`
 * `_rigid_state_dict` holds only the primary partitions; `invalidate_secondary_tensor` drops them) and the partitions
 * follow the whole data-parallel group. Warning: a MiCS resume in DeepSpeed >= {@link MICS_PARAM_SHAPES_SINCE}: the
 * engine calls `self.optimizer.load_state_dict(..., param_shapes=param_shapes)` but `MiCS_Optimizer.load_state_dict`
 * (`zero/mics.py`) takes no `param_shapes`, a `TypeError` (read in DeepSpeed up to 0.19.5; the host's version is not
 * known here, the save's `ds_version` is named when known).
 * Sources: DeepSpeed `runtime/engine.py` (`load_checkpoint`, `_load_checkpoint`, `_load_zero_checkpoint`,
 * `_get_all_zero_checkpoint_names`, `_get_all_zero_checkpoint_state_dicts`, `_get_ckpt_name`, `_get_zero_ckpt_name`,
 * `_configure_checkpointing`, `_common_checkpoint_state`: `dp_world_size=self.seq_dp_world_size`), `runtime/zero/mics.py`,
 * `runtime/zero/mics_utils.py`, `runtime/zero/stage3.py`, `runtime/state_dict_factory.py`, at commit edaa722 (v0.19.5+27).
 * Only a universal checkpoint reshapes (`ds_to_universal.py` + `"checkpoint": {"load_universal": true}`).
 */
export function resumeMismatches(ds: DeepSpeedInfo, target: DeepSpeedResumeTarget, file: string, dsVersion?: string): Problem[] {
  const out: Problem[] = [];
  const convert = 'or convert the save with DeepSpeed\'s ds_to_universal.py and set "checkpoint": {"load_universal": true} in the DeepSpeed config';
  const from = (s?: string): string => (s ? ` (${s})` : '');
  const tag = ds.tag ?? 'the checkpoint';
  const tStage = target.zeroStage ?? ds.zero_stage;
  if (tStage === 3 && target.micsShardSize !== undefined) {
    out.push({ severity: 'warning', file, message: `the resume uses MiCS (mics_shard_size ${target.micsShardSize}${from(target.zeroConfigFrom)}): from DeepSpeed ${MICS_PARAM_SHAPES_SINCE} on, load_checkpoint passes param_shapes= to the optimizer's load_state_dict, which MiCS_Optimizer.load_state_dict does not take, so loading the optimizer states stops with a TypeError${dsVersion ? ` (${tag} was saved by DeepSpeed ${dsVersion})` : ''}. Resume with a DeepSpeed older than ${MICS_PARAM_SHAPES_SINCE}, or load the weights only.` });
  }
  const mp = ds.mp_world_size ?? 1;
  const dp = target.worldSize !== undefined && target.worldSize % mp === 0 ? target.worldSize / mp : target.worldSize;
  if (tStage === 3 && target.worldSize !== undefined) {
    if (target.micsShardSize !== undefined && target.worldSize % target.micsShardSize !== 0) out.push({ severity: 'error', file, message: `mics_shard_size ${target.micsShardSize}${from(target.zeroConfigFrom)} does not divide the world size ${target.worldSize}${from(target.worldSizeFrom)}: DeepSpeed stops at start-up ("dp group size is not dividable by dp_shard_size", mics_utils.py _generate_mics_config).` });
    if (target.hpzPartitionSize !== undefined && target.worldSize % Math.min(target.hpzPartitionSize, target.worldSize) !== 0) out.push({ severity: 'error', file, message: `zero_hpz_partition_size ${target.hpzPartitionSize}${from(target.zeroConfigFrom)} does not divide the world size ${target.worldSize}${from(target.worldSizeFrom)}: DeepSpeed stops at start-up (utils/groups.py _create_zero_param_parallel_group, _ensure_divisibility).` });
  }
  if (target.loadUniversal) return out;
  if (target.zeroStage !== undefined && ds.zero_stage !== undefined && target.zeroStage !== ds.zero_stage) {
    const names = (st: number): string => st === 3 ? 'zero_pp_rank_<rank>_mp_rank_00_model_states.pt' : st === 0 ? 'mp_rank_00_model_states.pt and no optimizer partitions' : 'mp_rank_00_model_states.pt + zero_pp_rank_<rank>_mp_rank_00_optim_states.pt';
    out.push({ severity: 'error', file, message: `${tag} was saved with ZeRO stage ${ds.zero_stage}, the resume would use stage ${target.zeroStage}${from(target.zeroStageFrom)}: DeepSpeed's load_checkpoint looks for the files of stage ${target.zeroStage} (${names(target.zeroStage)}) and their partition layout, not this save's (${names(ds.zero_stage)}): it fails, or drops the optimizer state. Resume with stage ${ds.zero_stage}, ${convert}.` });
  }
  if (ds.zero_stage === 0 || ds.world_size === undefined) return out;
  const saved = ds.partitions ?? zeroPartitions(ds.zero_stage ?? 0, ds.world_size, ds.mics_shard_size);
  const savedMics = ds.mics_shard_size !== undefined && saved < ds.world_size;
  const holds = `${tag} holds ${saved} ZeRO partition(s) (saved by ${ds.world_size} data-parallel rank(s)${savedMics ? `, MiCS shard size ${ds.mics_shard_size}` : ''})`;
  if (dp !== undefined && dp !== ds.world_size) {
    const lost = ds.zero_stage === 3 && zeroPartitions(3, dp, target.micsShardSize) > saved ? `; under ZeRO-3 the ranks past ${saved - 1} first find no zero_pp_rank_<rank>_mp_rank_00_model_states.pt (AssertionError in state_dict_factory.py check_ckpt_list)` : '';
    out.push({ severity: 'error', file, message: `${holds}, the resume would start ${dp}${mp > 1 ? ` data-parallel ranks (${target.worldSize} processes / ${mp} model-parallel)` : ` process(es)`}${from(target.worldSizeFrom)}: DeepSpeed's _load_zero_checkpoint stops with ZeRORuntimeException "The checkpoint being loaded used a DP world size of ${ds.world_size} but the current world size is ${dp}"${lost}. Launch ${ds.world_size * mp} process(es), ${convert}.` });
  }
  // ZeRO-3: the partition count (MiCS shard size, else the world size) must match as well.
  const tMicsKnown = target.micsShardSize !== undefined || target.zeroConfigFrom !== undefined;
  if (ds.zero_stage === 3 && tStage === 3 && tMicsKnown && (savedMics || target.micsShardSize !== undefined)) {
    const tWorld = dp ?? ds.world_size;
    const wants = zeroPartitions(3, tWorld, target.micsShardSize);
    if (wants !== saved) {
      const how = target.micsShardSize !== undefined && target.micsShardSize < tWorld ? `MiCS shard size ${target.micsShardSize}${from(target.zeroConfigFrom)}` : `no MiCS sharding${from(target.zeroConfigFrom)}, so one partition per data-parallel rank`;
      const what = wants > saved
        ? `ranks ${saved} to ${wants - 1} of each shard group find no zero_pp_rank_<rank>_mp_rank_00_model_states.pt (AssertionError in state_dict_factory.py check_ckpt_list) and no zero_pp_rank_<rank>_mp_rank_00_optim_states.pt (FileNotFoundError)`
        : `each rank loads the file of its partition rank, a partition sized for ${saved} ranks, and the copy into its own partition (sized for ${wants}) fails with a size mismatch (RuntimeError in stage3.py _rigid_load_state_dict)`;
      out.push({ severity: 'error', file, message: `${holds}, the resume would partition over ${wants} rank(s) (${how}): ${what}. Resume with ${savedMics ? `"mics_shard_size": ${ds.mics_shard_size}` : 'no mics_shard_size'} in zero_optimization, ${convert}.` });
    }
  }
  if (ds.zero_stage === 3 && tStage === 3 && (ds.hpz_partition_size ?? 1) !== (target.hpzPartitionSize ?? 1) && (target.hpzPartitionSize !== undefined || target.zeroConfigFrom !== undefined)) {
    out.push({ severity: 'info', file, message: `${tag} was saved with zero_hpz_partition_size ${ds.hpz_partition_size ?? 1}, the resume uses ${target.hpzPartitionSize ?? 1}: this loads. hpZ's secondary weight copies are not saved (stage3.py _rigid_state_dict keeps the primary partitions, over all data-parallel ranks) and are rebuilt after loading.` });
  }
  return out;
}
