/**
 * Will a DeepSpeed resume work? Before the GPUs start: from a launch command line (torchrun / deepspeed / accelerate
 * launch / llamafactory-cli / python) and a training config, find the checkpoint the run resumes from
 * (`--resume_from_checkpoint X` / `resume_from_checkpoint: X`, or `true`: the last `checkpoint-N` of `output_dir`, as
 * transformers' `trainer_utils.get_last_checkpoint` picks it), the DeepSpeed config it will run with (`--deepspeed`,
 * `deepspeed:` in the config, accelerate's `--deepspeed_config_file` / `deepspeed_config.deepspeed_config_file`, or
 * accelerate's `--zero_stage` / `deepspeed_config.zero_stage`) and the world size the launcher starts, then compare
 * them with what the save holds (`inspectDeepSpeed`: ZeRO stage from its `ds_config`, data-parallel partitions from its
 * `zero_pp_rank_*_optim_states.pt`).
 *
 * Sources mirrored:
 *  - transformers `Trainer.train` → `integrations/deepspeed.py::deepspeed_load_checkpoint`: with DeepSpeed enabled the
 *    checkpoint folder must hold `global_step*` (else ValueError "Can't find a valid checkpoint at ..."), then
 *    `DeepSpeedEngine.load_checkpoint(folder)` reads the tag from `latest`;
 *  - `trainer_utils.get_last_checkpoint`: `resume_from_checkpoint: true` takes the highest `checkpoint-N` folder and
 *    raises ValueError "No valid checkpoint found in output directory" when there is none;
 *  - DeepSpeed `runtime/engine.py` `load_checkpoint` / `_load_checkpoint` / `_load_zero_checkpoint` /
 *    `_get_all_zero_checkpoints` and the ZeRO optimizers' `load_state_dict` (`zero/stage_1_and_2.py`,
 *    `zero/stage3.py`): model states and optimizer partitions are found by file names that depend on the ZeRO stage
 *    and on each rank's data-parallel rank, and each partition is sized for the saved data-parallel world size; only a
 *    universal checkpoint (`ds_to_universal.py` + `"checkpoint": {"load_universal": true}`) reshapes;
 *  - launchers: `torch.distributed.run` (`--nproc_per_node`, `--nnodes`, `--standalone`), `deepspeed.launcher.runner`
 *    (`--num_gpus`, `--num_nodes`, `--hostfile`, `--include`), `accelerate launch` (`--num_processes` is the total
 *    over machines; `--config_file`, else `$HF_HOME/accelerate/default_config.yaml`), LLaMA-Factory's launcher
 *    (`NPROC_PER_NODE`, `NNODES` in the environment); LLaMA-Factory's `hparams/parser.py::get_train_args` resumes
 *    by itself from the last `checkpoint-N` of `output_dir` when `resume_from_checkpoint` is unset, `do_train` is true,
 *    `overwrite_output_dir` is not, and the stage can resume (not `rm`/`ppo` with `finetuning_type` full/freeze); under Slurm (`llmtrain run --slurm`, see
 *    `core/runs/slurm.ts::slurmInnerArgv`) the allocation's launcher: `torchrun` starts `--nnodes` × `--gpus-per-node`
 *    ranks, `srun` one process per node, `direct` the command once.
 * Pure: files only through `FileAccess` and the given text readers.
 */
import { yaml } from '../vendor';
import { baseName, joinPath, readTextIfExists } from '../files';
import type { FileAccess } from '../files';
import type { SlurmOptions } from '../runs/slurm';
import { inspectDeepSpeed, resumeMismatches, zeroPlusPlus } from './deepspeed';
import type { DeepSpeedResumeTarget } from './deepspeed';
import type { DeepSpeedInfo, Problem } from './types';

/** What a launch command line says (fields absent when it does not say). `worldSize` is the total process count. */
export interface LaunchFacts {
  launcher: 'torchrun' | 'deepspeed' | 'accelerate' | 'llamafactory' | 'python' | 'other';
  worldSize?: number;
  /** How `worldSize` was found (`torchrun --nproc_per_node 4 --nnodes 2`), or why it is unknown. */
  worldSizeFrom?: string;
  /** accelerate `--config_file` (as written), or `default` when accelerate reads its default config file. */
  accelerateConfig?: string;
  /** ZeRO stage named on the command line (accelerate `--zero_stage`). */
  zeroStage?: number;
  /** DeepSpeed JSON named on the command line (`--deepspeed X` to an HF script, accelerate `--deepspeed_config_file`). */
  deepspeedConfig?: string;
  /** First `.yaml`/`.yml`/`.json` argument of the training script (HfArgumentParser / axolotl / llamafactory style). */
  trainingConfig?: string;
  resumeFrom?: string | true;
  outputDir?: string;
}

const FLAGS: Record<string, string[]> = {
  torchrun: ['--standalone', '--no_python', '--no-python', '--run_path', '--run-path', '--module', '-m'],
  deepspeed: ['--no_python', '--no_local_rank', '--no_ssh_check', '--force_multi', '--save_pid', '--bind_cores_to_rank', '--elastic_training', '--module', '--no_ssh', '--enable_each_rank_log'],
  accelerate: ['--multi_gpu', '--cpu', '--use_deepspeed', '--use_fsdp', '--use_megatron_lm', '--use_xpu', '--tpu', '--no_python', '--debug', '-q', '--quiet', '--same_network', '--module', '-m', '--dynamo_use_fullgraph', '--dynamo_use_dynamic', '--ipex', '--enable_cpu_affinity'],
};

function posInt(v: string | undefined): number | undefined {
  if (v === undefined || !/^\d+$/.test(v.trim())) return undefined;
  const n = Number(v.trim());
  return n > 0 ? n : undefined;
}

/** Splits launcher options from the script and its arguments. `opts` maps `--name` to its value (`''` for flags). */
function splitLauncher(words: string[], flags: string[]): { opts: Map<string, string>; rest: string[] } {
  const opts = new Map<string, string>();
  let i = 0;
  for (; i < words.length; i++) {
    const w = words[i];
    if (!w.startsWith('-') || w === '-') break;
    if (w === '--') { i++; break; }
    const eq = w.indexOf('=');
    if (eq > 0) { opts.set(w.slice(0, eq).replace(/-/g, '_').replace(/^__/, '--'), w.slice(eq + 1)); continue; }
    const key = w.startsWith('--') ? `--${w.slice(2).replace(/-/g, '_')}` : w;
    if (flags.includes(w) || flags.includes(key)) {
      opts.set(key, '');
      // `-m module`: the module is the "script"; stop here so it is the first of `rest`.
      if (key === '-m' || key === '--module') { i++; break; }
      continue;
    }
    opts.set(key, words[i + 1] ?? '');
    i++;
  }
  return { opts, rest: words.slice(i) };
}

/** `--name X` / `--name=X` in a script's arguments (the last one wins, as argparse does). */
function scriptOpt(args: string[], names: string[]): string | undefined {
  let v: string | undefined;
  for (let i = 0; i < args.length; i++) {
    for (const n of names) {
      if (args[i] === n && i + 1 < args.length) v = args[i + 1];
      else if (args[i].startsWith(`${n}=`)) v = args[i].slice(n.length + 1);
    }
  }
  return v;
}

/**
 * What a launch command says about world size, DeepSpeed config, resume checkpoint and output folder.
 * `env`: the launch environment (LLaMA-Factory reads NPROC_PER_NODE / NNODES; `WORLD_SIZE` is not read: launchers set it).
 */
export function parseLaunchArgv(argv: string[], env: Record<string, string> = {}): LaunchFacts {
  const words = [...argv];
  const exe = baseName(words[0] ?? '');
  let launcher: LaunchFacts['launcher'] = 'other';
  let launcherArgs: string[] = [];
  if (exe === 'torchrun') { launcher = 'torchrun'; launcherArgs = words.slice(1); }
  else if (exe === 'deepspeed') { launcher = 'deepspeed'; launcherArgs = words.slice(1); }
  else if (exe === 'accelerate' && words[1] === 'launch') { launcher = 'accelerate'; launcherArgs = words.slice(2); }
  else if (exe === 'llamafactory-cli' || exe === 'lmf') { launcher = 'llamafactory'; launcherArgs = words.slice(1); }
  else if (/^python[\d.]*$/.test(exe)) {
    const m = words.indexOf('-m');
    const mod = m >= 0 ? words[m + 1] : undefined;
    if (mod === 'torch.distributed.run' || mod === 'torch.distributed.launch') { launcher = 'torchrun'; launcherArgs = words.slice(m + 2); }
    else if (mod === 'accelerate.commands.launch') { launcher = 'accelerate'; launcherArgs = words.slice(m + 2); }
    else if (mod === 'deepspeed.launcher.runner') { launcher = 'deepspeed'; launcherArgs = words.slice(m + 2); }
    else { launcher = 'python'; launcherArgs = words.slice(1); }
  }
  const facts: LaunchFacts = { launcher };
  let script: string[] = launcherArgs;
  if (launcher === 'torchrun' || launcher === 'deepspeed' || launcher === 'accelerate') {
    const { opts, rest } = splitLauncher(launcherArgs, FLAGS[launcher]);
    script = rest.slice(1);
    if (launcher === 'torchrun') {
      const nprocText = opts.get('--nproc_per_node') ?? '1';
      const nnodesText = opts.has('--standalone') ? '1' : opts.get('--nnodes') ?? '1';
      const [lo, hi] = nnodesText.split(':');
      const nproc = posInt(nprocText);
      const nnodes = hi !== undefined && lo !== hi ? undefined : posInt(lo);
      if (nproc && nnodes) { facts.worldSize = nproc * nnodes; facts.worldSizeFrom = `torchrun --nproc_per_node ${nproc}${nnodes > 1 ? ` --nnodes ${nnodes}` : ''}`; }
      else facts.worldSizeFrom = nproc ? `torchrun --nnodes ${nnodesText} (elastic: the node count is not fixed)` : `torchrun --nproc_per_node ${nprocText} (one process per device found at start)`;
    } else if (launcher === 'deepspeed') {
      const gpus = posInt(opts.get('--num_gpus'));
      const nodes = posInt(opts.get('--num_nodes'));
      const hostfile = opts.has('--hostfile') || opts.has('--include') || opts.has('--exclude');
      if (gpus && (nodes || !hostfile)) { facts.worldSize = gpus * (nodes ?? 1); facts.worldSizeFrom = `deepspeed --num_gpus ${gpus}${nodes ? ` --num_nodes ${nodes}` : ''}`; }
      else facts.worldSizeFrom = gpus ? 'deepspeed --hostfile/--include (the node count is in the hostfile)' : 'deepspeed without --num_gpus (every GPU of each node)';
    } else {
      const np = posInt(opts.get('--num_processes'));
      if (np) { facts.worldSize = np; facts.worldSizeFrom = `accelerate launch --num_processes ${np}`; }
      facts.accelerateConfig = opts.get('--config_file') ?? 'default';
      const zs = opts.get('--zero_stage');
      if (zs !== undefined && /^[0-3]$/.test(zs)) facts.zeroStage = Number(zs);
      const dsf = opts.get('--deepspeed_config_file');
      if (dsf) facts.deepspeedConfig = dsf;
    }
  } else if (launcher === 'llamafactory') {
    script = launcherArgs.slice(1); // `train cfg.yaml`
    const nproc = posInt(env.NPROC_PER_NODE);
    const nnodes = posInt(env.NNODES) ?? 1;
    if (nproc) { facts.worldSize = nproc * nnodes; facts.worldSizeFrom = `NPROC_PER_NODE=${nproc}${nnodes > 1 ? ` NNODES=${nnodes}` : ''}`; }
    else facts.worldSizeFrom = 'llamafactory-cli without NPROC_PER_NODE (one process per visible GPU)';
  } else if (launcher === 'python') {
    const i = launcherArgs.findIndex((w) => !w.startsWith('-'));
    script = i < 0 ? [] : launcherArgs.slice(i + 1); // after the script (or the `-m` module)
    facts.worldSize = 1; facts.worldSizeFrom = 'a single python process';
  } else {
    script = launcherArgs.slice(1);
  }
  const ds = scriptOpt(script, ['--deepspeed']);
  if (ds && !facts.deepspeedConfig) facts.deepspeedConfig = ds;
  const r = scriptOpt(script, ['--resume_from_checkpoint', '--resume-from-checkpoint']);
  if (r !== undefined && r !== '' && !/^(false|none)$/i.test(r)) facts.resumeFrom = /^true$/i.test(r) ? true : r;
  const out = scriptOpt(script, ['--output_dir', '--output-dir']);
  if (out) facts.outputDir = out;
  const cfg = script.find((w) => !w.startsWith('-') && /\.(ya?ml|json)$/i.test(w) && w !== facts.deepspeedConfig);
  if (cfg) facts.trainingConfig = cfg;
  return facts;
}

/**
 * The world size a launch has inside a Slurm allocation (`slurmInnerArgv`): `torchrun` runs one torchrun per node with
 * `--nnodes=$SLURM_JOB_NUM_NODES --nproc_per_node=<gpusPerNode>` around the command (nodes × GPUs per node ranks);
 * `srun` runs the command once per node (a plain python: one rank per node; a launcher in the command keeps the
 * world size its own flags give); `direct` runs the command once on the first node.
 * Returns the facts with `worldSize`/`worldSizeFrom` replaced where Slurm decides them.
 */
export function applySlurm(facts: LaunchFacts, slurm: Pick<SlurmOptions, 'nodes' | 'gpusPerNode' | 'launcher'>): LaunchFacts {
  const nodes = slurm.nodes ?? 1;
  const how = slurm.launcher ?? 'direct';
  if (how === 'torchrun') {
    const g = slurm.gpusPerNode ?? 1;
    return { ...facts, worldSize: nodes * g, worldSizeFrom: `Slurm --nodes ${nodes} × torchrun --nproc_per_node ${g} (--gpus-per-node)` };
  }
  if (how === 'srun' && facts.launcher === 'python') return { ...facts, worldSize: nodes, worldSizeFrom: `Slurm srun: one process on each of ${nodes} node(s)` };
  return facts;
}

/** A value of a training config with its source range (UTF-16 offsets into the text), for diagnostics. */
export interface ConfigValue<T> { value: T; start: number; end: number }

/** What a training config (HF TrainingArguments YAML/JSON, axolotl, LLaMA-Factory) says about resuming. */
export interface TrainingResume {
  /** `resume_from_checkpoint` (a path, or true), or axolotl's `auto_resume_from_checkpoints: true`. */
  resumeFrom?: ConfigValue<string | true>;
  outputDir?: ConfigValue<string>;
  /** `deepspeed:` as a path, or given inline as a mapping (then `inline` is the parsed object). */
  deepspeed?: ConfigValue<string> & { inline?: Record<string, unknown> };
  /** The keys LLaMA-Factory's auto-resume depends on: `do_train`, `overwrite_output_dir`, `stage`, `finetuning_type`. */
  doTrain?: boolean;
  overwriteOutputDir?: boolean;
  stage?: string;
  finetuningType?: string;
}

/**
 * Whether LLaMA-Factory resumes by itself (`get_train_args`): no `resume_from_checkpoint`, `do_train: true`, no
 * `overwrite_output_dir`, and a stage that can resume (`rm`/`ppo` with `finetuning_type` full or freeze cannot;
 * LLaMA-Factory's default `finetuning_type` is `lora`).
 */
export function llamaFactoryAutoResumes(tr: TrainingResume): boolean {
  if (tr.resumeFrom || tr.doTrain !== true || tr.overwriteOutputDir === true) return false;
  return !((tr.stage === 'rm' || tr.stage === 'ppo') && (tr.finetuningType === 'full' || tr.finetuningType === 'freeze'));
}

/** Reads the resume keys of a training config (YAML or JSON). Never throws: an unparsable text says nothing. */
export function trainingResume(text: string): TrainingResume {
  const out: TrainingResume = {};
  let doc;
  const { parseDocument, isMap, isScalar } = yaml();
  try { doc = parseDocument(text, { uniqueKeys: false }); } catch { return out; }
  if (!isMap(doc.contents)) return out;
  for (const pair of doc.contents.items) {
    if (!isScalar(pair.key)) continue;
    const key = String(pair.key.value);
    const node = pair.value as { range?: [number, number, number]; toJSON?: () => unknown } | null;
    const range = (node?.range ?? (pair.key as { range?: [number, number, number] }).range) as [number, number, number] | undefined;
    if (!range) continue;
    const at = { start: range[0], end: range[1] };
    const v: unknown = isScalar(pair.value) ? pair.value.value : pair.value && typeof (pair.value as { toJSON?: unknown }).toJSON === 'function' ? (pair.value as { toJSON(): unknown }).toJSON() : undefined;
    if (key === 'resume_from_checkpoint') {
      if (v === true || (typeof v === 'string' && /^true$/i.test(v))) out.resumeFrom = { value: true, ...at };
      else if (typeof v === 'string' && v.trim() && !/^(false|none|null)$/i.test(v)) out.resumeFrom = { value: v.trim(), ...at };
    } else if (key === 'auto_resume_from_checkpoints' && v === true && !out.resumeFrom) out.resumeFrom = { value: true, ...at };
    else if (key === 'output_dir' && typeof v === 'string' && v.trim()) out.outputDir = { value: v.trim(), ...at };
    else if (key === 'do_train') out.doTrain = v === true || (typeof v === 'string' && /^true$/i.test(v));
    else if (key === 'overwrite_output_dir') out.overwriteOutputDir = v === true || (typeof v === 'string' && /^true$/i.test(v));
    else if (key === 'stage' && typeof v === 'string') out.stage = v.trim();
    else if (key === 'finetuning_type' && typeof v === 'string') out.finetuningType = v.trim();
    else if (key === 'deepspeed') {
      if (typeof v === 'string' && v.trim()) out.deepspeed = { value: v.trim(), ...at };
      else if (v && typeof v === 'object' && !Array.isArray(v)) out.deepspeed = { value: 'the inline deepspeed mapping', inline: v as Record<string, unknown>, ...at };
    }
  }
  return out;
}

/**
 * What a DeepSpeed JSON says a run will use: ZeRO stage, the world size its batch sizes imply, universal loading, and
 * under stage 3 the MiCS shard size and hpZ partition size ({@link zeroPlusPlus}; absent when off).
 */
export interface DeepSpeedTarget { zeroStage?: number; worldSize?: number; loadUniversal: boolean; micsShardSize?: number; hpzPartitionSize?: number }

/**
 * From a parsed DeepSpeed config: `zero_optimization.stage` (default 0, as DeepSpeed's `DeepSpeedZeroConfig`);
 * world size = `train_batch_size / (train_micro_batch_size_per_gpu × gradient_accumulation_steps)` when all three
 * are numbers (DeepSpeed's `_batch_assertion`); `checkpoint.load_universal`.
 */
export function deepSpeedTarget(cfg: Record<string, unknown>): DeepSpeedTarget {
  const zero = cfg.zero_optimization as { stage?: unknown } | undefined;
  const stage = zero && typeof zero === 'object' ? zero.stage : undefined;
  const t: DeepSpeedTarget = { loadUniversal: (cfg.checkpoint as { load_universal?: unknown } | undefined)?.load_universal === true };
  if (typeof stage === 'number' && Number.isInteger(stage)) t.zeroStage = stage;
  else if (stage === undefined || zero === undefined) t.zeroStage = 0;
  if (t.zeroStage === 3) {
    const z = zeroPlusPlus(zero as Record<string, unknown>);
    if (z.mics_shard_size !== undefined) t.micsShardSize = z.mics_shard_size;
    if (z.hpz_partition_size !== undefined) t.hpzPartitionSize = z.hpz_partition_size;
  }
  const tbs = cfg.train_batch_size, micro = cfg.train_micro_batch_size_per_gpu, gas = cfg.gradient_accumulation_steps ?? 1;
  if (typeof tbs === 'number' && typeof micro === 'number' && typeof gas === 'number' && micro > 0 && gas > 0 && tbs % (micro * gas) === 0) t.worldSize = tbs / (micro * gas);
  return t;
}

/**
 * The checkpoint a resume loads: a path as given (relative to `cwd`), or for `true` the highest `checkpoint-N`
 * folder of `outputDir` (transformers `get_last_checkpoint`). `problem` when `true` finds none (the Trainer raises).
 */
export async function resumeCheckpointPath(files: FileAccess, resumeFrom: string | true, outputDir: string | undefined, cwd: string): Promise<{ path?: string; problem?: string }> {
  const abs = (p: string): string => (p.startsWith('/') ? joinPath(p) : joinPath(cwd, p));
  if (resumeFrom !== true) return { path: abs(resumeFrom) };
  if (!outputDir) return { problem: 'resume_from_checkpoint is true but no output_dir is given: the Trainer has no folder to look in' };
  const dir = abs(outputDir);
  const info = await files.stat(dir).catch(() => undefined);
  if (!info?.isDirectory) return {}; // output_dir not made yet: the Trainer raises too, but a first run often says `true`
  const names = await files.list(dir).catch(() => [] as string[]);
  const steps = names.map((n) => /^checkpoint-(\d+)$/.exec(n)).filter((m): m is RegExpExecArray => !!m).map((m) => Number(m[1]));
  const infos = await Promise.all(steps.map((s) => files.stat(joinPath(dir, `checkpoint-${s}`)).catch(() => undefined)));
  const dirs = steps.filter((_, i) => infos[i]?.isDirectory).sort((a, b) => a - b);
  if (!dirs.length) return { problem: `resume_from_checkpoint is true but ${dir} has no checkpoint-N folder: the Trainer stops with "No valid checkpoint found in output directory"` };
  return { path: joinPath(dir, `checkpoint-${dirs[dirs.length - 1]}`) };
}

/** Inputs of {@link checkDeepSpeedResume}. Relative paths are resolved against `cwd` (where the launcher runs). */
export interface ResumeCheckInput {
  /** The host's files (checkpoints; configs unless `readText` is given). */
  files: FileAccess;
  cwd: string;
  /** The launch command, when there is one (Launch Run); the editor has only the config. */
  argv?: string[];
  env?: Record<string, string>;
  /** The Slurm allocation the launch runs in (`llmtrain run --slurm`), when it is submitted through sbatch. */
  slurm?: Pick<SlurmOptions, 'nodes' | 'gpusPerNode' | 'launcher'>;
  /** The training config's text, when known (else the one named in argv is read). */
  config?: { text: string; path: string };
  /** Reads a config file by absolute path (default: `files`); lets a launch read configs about to be uploaded. */
  readText?: (path: string) => Promise<string | undefined>;
  /** `$HOME` on the host, for accelerate's default config (`$HF_HOME`/`$XDG_CACHE_HOME` from `env` first). */
  home?: string;
}

/** The outcome: where the resume reads, what it will run with, and the problems (errors: the resume will fail). */
export interface ResumeCheck {
  checkpoint?: string;
  saved?: DeepSpeedInfo;
  target: Omit<DeepSpeedResumeTarget, 'loadUniversal'> & { deepspeedConfig?: string };
  problems: Problem[];
  /** The config's `resume_from_checkpoint` value range, when the resume comes from the config. */
  resumeRange?: { start: number; end: number };
}

/**
 * Checks a DeepSpeed resume before it starts. Undefined when the run does not resume or does not use DeepSpeed.
 * Errors: no checkpoint for `resume_from_checkpoint: true`; a checkpoint without `global_step*` (DeepSpeed runs load
 * only those); a ZeRO stage, data-parallel size or ZeRO-3 partition count (MiCS `mics_shard_size`) other than the
 * save's (unless the DeepSpeed config sets `checkpoint.load_universal`), as `resumeMismatches` in ./deepspeed.ts says
 * with its DeepSpeed sources. Warnings: configs named but unreadable; a MiCS resume (a TypeError in recent DeepSpeed).
 * Info: another hpZ `zero_hpz_partition_size` (loads). Never throws for a missing file.
 */
export async function checkDeepSpeedResume(input: ResumeCheckInput): Promise<ResumeCheck | undefined> {
  const { files, cwd } = input;
  const abs = (p: string): string => (p.startsWith('/') ? joinPath(p) : joinPath(cwd, p));
  const readText = input.readText ?? ((p: string) => readTextIfExists(files, p, 16 * 1024 * 1024).catch(() => undefined));
  // Slurm's torchrun launcher runs `torchrun … <argv>`: the argv is the script and its arguments.
  const argv = input.argv && input.slurm?.launcher === 'torchrun' ? ['torchrun', ...input.argv] : input.argv;
  const parsed = argv ? parseLaunchArgv(argv, input.env) : undefined;
  const launch = parsed && input.slurm ? applySlurm(parsed, input.slurm) : parsed;
  const problems: Problem[] = [];
  let config = input.config;
  if (!config && launch?.trainingConfig) {
    const p = abs(launch.trainingConfig);
    const text = await readText(p);
    if (text !== undefined) config = { text, path: p };
  }
  const tr = config ? trainingResume(config.text) : {};
  let resumeFrom = launch?.resumeFrom ?? tr.resumeFrom?.value;
  // llamafactory-cli train: resumes from output_dir's last checkpoint-N without being asked (see the header).
  const auto = resumeFrom === undefined && launch?.launcher === 'llamafactory' && llamaFactoryAutoResumes(tr);
  if (auto) resumeFrom = true;
  if (resumeFrom === undefined) return undefined;
  const target: ResumeCheck['target'] = {};
  if (launch?.worldSize !== undefined) { target.worldSize = launch.worldSize; target.worldSizeFrom = launch.worldSizeFrom; }

  // The DeepSpeed config: the command line's, else the training config's (relative to where the launcher runs,
  // then to the config's folder), else accelerate's.
  let ds: Record<string, unknown> | undefined;
  let dsName: string | undefined;
  const readJson = async (p: string): Promise<Record<string, unknown> | undefined> => {
    const text = await readText(p);
    if (text === undefined) return undefined;
    try { const j = JSON.parse(text); return j && typeof j === 'object' ? j as Record<string, unknown> : undefined; } catch {
      problems.push({ severity: 'warning', file: p, message: `${p} is not valid JSON: the ZeRO stage of the resume could not be checked` });
      return undefined;
    }
  };
  const dsRef = launch?.deepspeedConfig ?? (tr.deepspeed?.inline ? undefined : tr.deepspeed?.value);
  if (tr.deepspeed?.inline && !launch?.deepspeedConfig) { ds = tr.deepspeed.inline; dsName = 'the inline deepspeed mapping'; }
  else if (dsRef) {
    const candidates = dsRef.startsWith('/') ? [dsRef] : [abs(dsRef), ...(config ? [joinPath(config.path, '..', dsRef)] : [])];
    for (const c of candidates) { ds = await readJson(c); if (ds) { dsName = c; break; } }
    if (!ds) problems.push({ severity: 'warning', file: candidates[0], message: `the DeepSpeed config ${dsRef} was not found (looked in ${[...new Set(candidates)].join(', ')}): the ZeRO stage of the resume could not be checked` });
  }
  let accelerate: Record<string, unknown> | undefined;
  if (launch?.launcher === 'accelerate') {
    const hf = input.env?.HF_HOME ?? (input.env?.XDG_CACHE_HOME ? joinPath(input.env.XDG_CACHE_HOME, 'huggingface') : input.home ? joinPath(input.home, '.cache', 'huggingface') : undefined);
    const p = launch.accelerateConfig === 'default' ? (hf ? joinPath(hf, 'accelerate', 'default_config.yaml') : undefined) : abs(launch.accelerateConfig!);
    const text = p ? await readText(p) : undefined;
    try { const y = text !== undefined ? yaml().parse(text) : undefined; if (y && typeof y === 'object') accelerate = y as Record<string, unknown>; } catch { /* an unparsable accelerate config: accelerate itself says so */ }
    const dsc = accelerate?.deepspeed_config as { zero_stage?: unknown; deepspeed_config_file?: unknown } | undefined;
    if (target.worldSize === undefined && typeof accelerate?.num_processes === 'number' && accelerate.num_processes > 0) {
      target.worldSize = accelerate.num_processes; target.worldSizeFrom = `num_processes: ${accelerate.num_processes} in ${p}`;
    }
    if (!ds && typeof dsc?.deepspeed_config_file === 'string' && dsc.deepspeed_config_file) { dsName = abs(dsc.deepspeed_config_file); ds = await readJson(dsName); }
    if (launch.zeroStage !== undefined) { target.zeroStage = launch.zeroStage; target.zeroStageFrom = `accelerate launch --zero_stage ${launch.zeroStage}`; }
    else if (!ds && typeof dsc?.zero_stage === 'number') { target.zeroStage = dsc.zero_stage; target.zeroStageFrom = `deepspeed_config.zero_stage in ${p}`; }
    if (launch.zeroStage !== undefined || dsc || accelerate?.distributed_type === 'DEEPSPEED') dsName ??= p ?? 'accelerate launch --use_deepspeed';
  }
  let universal = false;
  if (ds) {
    const t = deepSpeedTarget(ds);
    universal = t.loadUniversal;
    if (target.zeroStage === undefined && t.zeroStage !== undefined) { target.zeroStage = t.zeroStage; target.zeroStageFrom = `zero_optimization.stage in ${dsName}`; }
    if (target.worldSize === undefined && t.worldSize !== undefined) { target.worldSize = t.worldSize; target.worldSizeFrom = `train_batch_size / (train_micro_batch_size_per_gpu × gradient_accumulation_steps) in ${dsName}`; }
    target.zeroConfigFrom = `zero_optimization in ${dsName}`;
    if (t.micsShardSize !== undefined) target.micsShardSize = t.micsShardSize;
    if (t.hpzPartitionSize !== undefined) target.hpzPartitionSize = t.hpzPartitionSize;
  } else if (launch?.launcher === 'accelerate' && target.zeroStage !== undefined) {
    target.zeroConfigFrom = 'accelerate\'s deepspeed_config without a DeepSpeed config file: no MiCS, no hpZ';
  }
  if (!dsName) return undefined; // not a DeepSpeed run: the Trainer loads checkpoints by itself
  target.deepspeedConfig = dsName;
  const out: ResumeCheck = { target, problems, resumeRange: launch?.resumeFrom === undefined && tr.resumeFrom ? { start: tr.resumeFrom.start, end: tr.resumeFrom.end } : undefined };

  const outputDir = launch?.outputDir ?? tr.outputDir?.value;
  const where = await resumeCheckpointPath(files, resumeFrom, outputDir, cwd);
  if (auto && !where.path) return undefined; // no checkpoint-N yet: LLaMA-Factory starts from scratch
  if (auto) problems.push({ severity: 'info', file: where.path, message: `llamafactory-cli resumes from ${where.path} by itself (do_train without resume_from_checkpoint or overwrite_output_dir in the config: LLaMA-Factory picks output_dir's last checkpoint-N)` });
  if (where.problem) { problems.push({ severity: 'error', file: outputDir ? abs(outputDir) : undefined, message: where.problem }); return out; }
  if (!where.path) return out; // output_dir not there yet: nothing to resume, nothing to compare
  out.checkpoint = where.path;
  const names = (await files.stat(where.path).catch(() => undefined))?.isDirectory ? await files.list(where.path).catch(() => undefined) : undefined;
  if (!names) { problems.push({ severity: 'error', file: where.path, message: `the resume checkpoint ${where.path} does not exist${files.host === 'local' ? '' : ` on ${files.host}`}` }); return out; }
  const isTag = names.some((n) => /_model_states\.pt$/.test(n));
  if (!isTag && !names.some((n) => /^global_step/.test(n)) && !names.includes('latest')) {
    problems.push({ severity: 'error', file: where.path, message: `${where.path} has no global_step* folder: with DeepSpeed the Trainer resumes only from a DeepSpeed save and stops with "Can't find a valid checkpoint at ${where.path}" (a checkpoint saved without DeepSpeed loads only in a run without it)` });
    return out;
  }
  const saved = await inspectDeepSpeed(files, where.path, isTag ? undefined : names);
  out.saved = saved.deepspeed;
  problems.push(...saved.problems.filter((p) => p.severity === 'error'));
  problems.push(...resumeMismatches(saved.deepspeed, { ...target, loadUniversal: universal }, saved.deepspeed.tag ? (isTag ? where.path : joinPath(where.path, saved.deepspeed.tag)) : where.path, saved.metadata.ds_version));
  return out;
}
