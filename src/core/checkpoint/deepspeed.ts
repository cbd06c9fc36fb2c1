/**
 * DeepSpeed checkpoints (deepspeed/runtime/engine.py `save_checkpoint` / `load_checkpoint`): `<save_dir>/latest`
 * holds the tag (`global_step500`); `<save_dir>/<tag>/` holds `mp_rank_00_model_states.pt` (ZeRO 0-2) or
 * `zero_pp_rank_<dp>_mp_rank_<mp>_model_states.pt` (ZeRO-3), and one `[bf16_]zero_pp_rank_<dp>_mp_rank_<mp>_optim_states.pt`
 * per data-parallel rank. The model-states file is a torch zip whose dict has `module`, `ds_config`, `dp_world_size`,
 * `mp_world_size`, `global_steps`, `ds_version`. `load_checkpoint` opens the optimizer file of each current rank by
 * name, so resuming with another world size or ZeRO stage fails with FileNotFoundError (unless the checkpoint is
 * converted with `ds_to_universal.py` and loaded with `load_universal_checkpoint`).
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
export async function inspectDeepSpeed(files: FileAccess, path: string, names: string[] | undefined, resume?: { zeroStage?: number; worldSize?: number }): Promise<DeepSpeedReport> {
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
  const dp = new Set<number>(), mp = new Set<number>();
  const modelFiles: string[] = [];
  for (const n of list) {
    const o = OPTIM_STATES.exec(n); if (o) { dp.add(Number(o[1])); mp.add(Number(o[2])); }
    if (MODEL_STATES.test(n)) modelFiles.push(n);
  }
  modelFiles.sort((a, b) => a.localeCompare(b, undefined, { numeric: true }));
  const stepMatch = /^global_step(\d+)$/.exec(tag);
  const ds: DeepSpeedInfo = { tag, step: stepMatch ? Number(stepMatch[1]) : undefined, world_size: dp.size || undefined, mp_world_size: mp.size || undefined };
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
      const stage = Number((cfg?.zero_optimization as { stage?: unknown } | undefined)?.stage);
      ds.zero_stage = Number.isFinite(stage) ? stage : modelFiles[0].startsWith('zero_pp_rank_') ? 3 : dp.size ? undefined : 0;
      const savedDp = Number(getKey(z.root, 'dp_world_size'));
      if (Number.isFinite(savedDp) && dp.size && savedDp !== dp.size) problems.push({ severity: 'error', file: tagDir, message: `${modelFiles[0]} says ${savedDp} data-parallel ranks but ${dp.size} optimizer-state files are present (a rank's file is missing)` });
      if (!ds.world_size && Number.isFinite(savedDp)) ds.world_size = savedDp;
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
  if (resume) problems.push(...resumeMismatches(ds, resume, tagDir));
  return { deepspeed: ds, problems, tensors, tied, metadata };
}

/**
 * A resume with another ZeRO stage or data-parallel size than the save's, as errors (empty when they match or are
 * unknown). `target.worldSize` is the total process count; the data-parallel size is that over the saved
 * model-parallel size. ZeRO stage 0 keeps the optimizer whole in the model states, so only stages 1-3 need the same
 * data-parallel size. Source: DeepSpeed `runtime/engine.py` (`_get_ckpt_name`: `zero_pp_rank_<dp>_mp_rank_<mp>_model_states.pt`
 * under ZeRO-3, `mp_rank_<mp>_model_states.pt` otherwise; `_get_all_zero_checkpoints` / `_get_zero_ckpt_name`: one
 * `[bf16_]zero_pp_rank_<dp>_mp_rank_<mp>_optim_states.pt` per rank) and the ZeRO optimizers' `load_state_dict`
 * (`zero/stage_1_and_2.py` `_load_legacy_checkpoint`, `zero/stage3.py` `_rigid_load_state_dict`: each rank takes the
 * partition of its own rank, sized for the saved world). Only a universal checkpoint reshapes (`ds_to_universal.py`).
 */
export function resumeMismatches(ds: DeepSpeedInfo, target: { zeroStage?: number; zeroStageFrom?: string; worldSize?: number; worldSizeFrom?: string }, file: string): Problem[] {
  const out: Problem[] = [];
  const convert = 'or convert the save with DeepSpeed\'s ds_to_universal.py and set "checkpoint": {"load_universal": true} in the DeepSpeed config';
  const from = (s?: string): string => (s ? ` (${s})` : '');
  if (target.zeroStage !== undefined && ds.zero_stage !== undefined && target.zeroStage !== ds.zero_stage) {
    const names = (st: number): string => st === 3 ? 'zero_pp_rank_<rank>_mp_rank_00_model_states.pt' : st === 0 ? 'mp_rank_00_model_states.pt and no optimizer partitions' : 'mp_rank_00_model_states.pt + zero_pp_rank_<rank>_mp_rank_00_optim_states.pt';
    out.push({ severity: 'error', file, message: `${ds.tag ?? 'the checkpoint'} was saved with ZeRO stage ${ds.zero_stage}, the resume would use stage ${target.zeroStage}${from(target.zeroStageFrom)}: DeepSpeed's load_checkpoint looks for the files of stage ${target.zeroStage} (${names(target.zeroStage)}) and their partition layout, not this save's (${names(ds.zero_stage)}): it fails, or drops the optimizer state. Resume with stage ${ds.zero_stage}, ${convert}.` });
  }
  const mp = ds.mp_world_size ?? 1;
  const dp = target.worldSize !== undefined && target.worldSize % mp === 0 ? target.worldSize / mp : target.worldSize;
  if (dp !== undefined && ds.world_size !== undefined && dp !== ds.world_size && ds.zero_stage !== 0) {
    out.push({ severity: 'error', file, message: `${ds.tag ?? 'the checkpoint'} holds ${ds.world_size} ZeRO partition(s) (saved by ${ds.world_size} data-parallel rank(s)), the resume would start ${dp}${mp > 1 ? ` data-parallel ranks (${target.worldSize} processes / ${mp} model-parallel)` : ` process(es)`}${from(target.worldSizeFrom)}: each rank's load_checkpoint opens the optimizer partition of its own rank, sized for ${ds.world_size} rank(s) (a missing zero_pp_rank_*_optim_states.pt, an index error or a size mismatch). Launch ${ds.world_size * mp} process(es), ${convert}.` });
  }
  return out;
}
