/**
 * The DeepSpeed resume check (src/core/checkpoint/resume.ts) over a DeepSpeed save written by real torch.save
 * (make_checkpoints.py: ZeRO-2, 2 data-parallel ranks, `latest` = global_step20), laid out as the HF Trainer leaves it
 * (`output_dir/checkpoint-20/{latest,global_step20/}`), with launch command lines of each launcher.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { checkDeepSpeedResume, deepSpeedTarget, parseLaunchArgv, trainingResume } from '../../src/core/checkpoint/resume';
import { inspectCheckpoint } from '../../src/core/checkpoint/index';
import { localFileAccess } from '../../src/remote/files';
import { makeCheckpoints } from '../fixtures/checkpoint/build';
import { cli } from '../fixtures/remote/cli';

let T = '';
const files = localFileAccess();
before(() => {
  T = makeCheckpoints();
  // The Trainer's layout: checkpoint-10 without DeepSpeed state, checkpoint-20 with it (the last one).
  mkdirSync(join(T, 'work', 'out', 'checkpoint-10'), { recursive: true });
  cpSync(join(T, 'ds'), join(T, 'work', 'out', 'checkpoint-20'), { recursive: true });
  writeFileSync(join(T, 'work', 'ds_z2.json'), JSON.stringify({ zero_optimization: { stage: 2 }, train_micro_batch_size_per_gpu: 'auto' }));
  writeFileSync(join(T, 'work', 'ds_z3.json'), JSON.stringify({ zero_optimization: { stage: 3 }, train_batch_size: 16, train_micro_batch_size_per_gpu: 2, gradient_accumulation_steps: 2 }));
  writeFileSync(join(T, 'work', 'ds_z3_universal.json'), JSON.stringify({ zero_optimization: { stage: 3 }, checkpoint: { load_universal: true } }));
  writeFileSync(join(T, 'work', 'acc.yaml'), 'distributed_type: DEEPSPEED\nnum_processes: 2\ndeepspeed_config:\n  zero_stage: 2\n');
});
after(() => { if (T) rmSync(T, { recursive: true, force: true }); });

describe('launch command lines', () => {
  test('world size, DeepSpeed config, resume and output_dir from each launcher', () => {
    assert.deepEqual(parseLaunchArgv(['torchrun', '--nproc_per_node', '4', '--nnodes=2', 'train.py', '--deepspeed', 'ds.json', '--resume_from_checkpoint', 'out/checkpoint-20', '--output_dir', 'out']),
      { launcher: 'torchrun', worldSize: 8, worldSizeFrom: 'torchrun --nproc_per_node 4 --nnodes 2', deepspeedConfig: 'ds.json', resumeFrom: 'out/checkpoint-20', outputDir: 'out' });
    assert.equal(parseLaunchArgv(['torchrun', '--nproc-per-node=2', '--standalone', 'train.py']).worldSize, 2);
    assert.equal(parseLaunchArgv(['torchrun', '--nproc_per_node', '4', '--nnodes', '1:4', 'train.py']).worldSize, undefined); // elastic
    assert.equal(parseLaunchArgv(['torchrun', '--nproc_per_node', 'gpu', 'train.py']).worldSize, undefined);
    assert.equal(parseLaunchArgv(['python3', '-m', 'torch.distributed.run', '--nproc_per_node', '3', 'train.py']).worldSize, 3);
    const ds = parseLaunchArgv(['deepspeed', '--num_gpus', '2', '--num_nodes', '2', 'train.py', 'cfg.yaml', '--resume_from_checkpoint=true']);
    assert.deepEqual([ds.worldSize, ds.trainingConfig, ds.resumeFrom], [4, 'cfg.yaml', true]);
    assert.equal(parseLaunchArgv(['deepspeed', '--hostfile', 'hosts', '--num_gpus', '8', 'train.py']).worldSize, undefined);
    assert.equal(parseLaunchArgv(['deepspeed', 'train.py']).worldSize, undefined);
    const acc = parseLaunchArgv(['accelerate', 'launch', '--use_deepspeed', '--zero_stage', '3', '--num_processes', '8', '--num_machines', '2', '-m', 'axolotl.cli.train', 'cfg.yml']);
    assert.deepEqual([acc.worldSize, acc.zeroStage, acc.accelerateConfig, acc.trainingConfig], [8, 3, 'default', 'cfg.yml']);
    assert.equal(parseLaunchArgv(['accelerate', 'launch', '--config_file', 'acc.yaml', 'train.py']).accelerateConfig, 'acc.yaml');
    assert.deepEqual(parseLaunchArgv(['llamafactory-cli', 'train', 'sft.yaml'], { NPROC_PER_NODE: '4', NNODES: '2' }).worldSize, 8);
    const py = parseLaunchArgv(['python3', '-u', 'train.py', '--num_processes', '8']);
    assert.deepEqual([py.worldSize, py.launcher], [1, 'python']); // a script's own --num_processes is not the launcher's
  });

  test('training config keys with their ranges; DeepSpeed JSON targets', () => {
    const text = 'output_dir: out\nresume_from_checkpoint: true\ndeepspeed: ds_z2.json\n';
    const r = trainingResume(text);
    assert.equal(r.resumeFrom?.value, true);
    assert.equal(text.slice(r.resumeFrom!.start, r.resumeFrom!.end), 'true');
    assert.equal(r.deepspeed?.value, 'ds_z2.json');
    assert.equal(trainingResume('resume_from_checkpoint: null\n').resumeFrom, undefined);
    assert.equal(trainingResume('auto_resume_from_checkpoints: true\n').resumeFrom?.value, true);
    assert.deepEqual(trainingResume('{"deepspeed": {"zero_optimization": {"stage": 3}}, "resume_from_checkpoint": "x"}').deepspeed?.inline, { zero_optimization: { stage: 3 } });
    assert.deepEqual(deepSpeedTarget({ zero_optimization: { stage: 3 }, train_batch_size: 16, train_micro_batch_size_per_gpu: 2, gradient_accumulation_steps: 2 }), { zeroStage: 3, worldSize: 4, loadUniversal: false });
    assert.deepEqual(deepSpeedTarget({ train_batch_size: 'auto' }), { zeroStage: 0, loadUniversal: false });
  });
});

describe('checkDeepSpeedResume', () => {
  const cwd = (): string => join(T, 'work');
  const errors = (r: Awaited<ReturnType<typeof checkDeepSpeedResume>>): string[] => (r?.problems ?? []).filter((p) => p.severity === 'error').map((p) => p.message);

  test('the same stage and GPU count: no problem; true resolves to the last checkpoint-N', async () => {
    const r = await checkDeepSpeedResume({ files, cwd: cwd(), argv: ['torchrun', '--nproc_per_node', '2', 'train.py', '--deepspeed', 'ds_z2.json', '--output_dir', 'out', '--resume_from_checkpoint', 'true'] });
    assert.equal(r?.checkpoint, join(T, 'work', 'out', 'checkpoint-20'));
    assert.deepEqual([r?.saved?.zero_stage, r?.saved?.world_size, r?.target.zeroStage, r?.target.worldSize], [2, 2, 2, 2]);
    assert.deepEqual(errors(r), []);
  });

  test('another ZeRO stage (config) and world size (launcher): two errors that name where each came from', async () => {
    const config = { path: join(T, 'work', 'sft.yaml'), text: 'output_dir: out\nresume_from_checkpoint: true\ndeepspeed: ds_z3.json\n' };
    const r = await checkDeepSpeedResume({ files, cwd: cwd(), config, argv: ['deepspeed', '--num_gpus', '8', 'train.py', 'sft.yaml'] });
    const e = errors(r);
    assert.equal(e.length, 2);
    assert.match(e[0], new RegExp(`global_step20 was saved with ZeRO stage 2, the resume would use stage 3 \\(zero_optimization\\.stage in ${join(T, 'work', 'ds_z3.json')}\\)`));
    assert.match(e[1], /holds 2 ZeRO partition\(s\) .*the resume would start 8 process\(es\) \(deepspeed --num_gpus 8\)/);
    assert.deepEqual(r?.resumeRange && config.text.slice(r.resumeRange.start, r.resumeRange.end), 'true');
  });

  test('without a launcher (the editor) the world size comes from the DeepSpeed batch sizes', async () => {
    const r = await checkDeepSpeedResume({ files, cwd: cwd(), config: { path: join(T, 'work', 'sft.yaml'), text: 'output_dir: out\nresume_from_checkpoint: out/checkpoint-20\ndeepspeed: ds_z3.json\n' } });
    assert.deepEqual(errors(r).map((m) => /would start (\d+)/.exec(m)?.[1] ?? 'stage'), ['stage', '4']);
    assert.match(errors(r)[1], /train_batch_size \/ \(train_micro_batch_size_per_gpu × gradient_accumulation_steps\)/);
  });

  test('load_universal in the DeepSpeed config: no mismatch error', async () => {
    const r = await checkDeepSpeedResume({ files, cwd: cwd(), argv: ['torchrun', '--nproc_per_node', '8', 'train.py', '--deepspeed', 'ds_z3_universal.json', '--resume_from_checkpoint', 'out/checkpoint-20'] });
    assert.deepEqual(errors(r), []);
  });

  test('accelerate config file: num_processes and deepspeed_config.zero_stage', async () => {
    const ok = await checkDeepSpeedResume({ files, cwd: cwd(), argv: ['accelerate', 'launch', '--config_file', 'acc.yaml', 'train.py', '--resume_from_checkpoint', 'out/checkpoint-20'] });
    assert.deepEqual([ok?.target.worldSize, ok?.target.zeroStage, errors(ok)], [2, 2, []]);
    const bad = await checkDeepSpeedResume({ files, cwd: cwd(), argv: ['accelerate', 'launch', '--config_file', 'acc.yaml', '--num_processes', '4', '--zero_stage', '3', 'train.py', '--resume_from_checkpoint', 'out/checkpoint-20'] });
    assert.equal(errors(bad).length, 2);
    assert.match(errors(bad)[0], /\(accelerate launch --zero_stage 3\)/);
  });

  test('a checkpoint without global_step*, and true without any checkpoint-N: the Trainer\'s own errors', async () => {
    const noDs = await checkDeepSpeedResume({ files, cwd: cwd(), argv: ['python3', 'train.py', '--deepspeed', 'ds_z2.json', '--resume_from_checkpoint', 'out/checkpoint-10'] });
    assert.match(errors(noDs)[0], /has no global_step\* folder: .*Can't find a valid checkpoint at/);
    const gone = await checkDeepSpeedResume({ files, cwd: cwd(), argv: ['python3', 'train.py', '--deepspeed', 'ds_z2.json', '--resume_from_checkpoint', 'out/checkpoint-99'] });
    assert.match(errors(gone)[0], /the resume checkpoint .*checkpoint-99 does not exist/);
    const none = await checkDeepSpeedResume({ files, cwd: cwd(), argv: ['python3', 'train.py', '--deepspeed', 'ds_z2.json', '--resume_from_checkpoint', 'true', '--output_dir', 'ds_z2.json.d'] });
    assert.deepEqual(errors(none), []); // output_dir not there yet: nothing to compare
    mkdirSync(join(T, 'work', 'empty'), { recursive: true });
    const empty = await checkDeepSpeedResume({ files, cwd: cwd(), argv: ['python3', 'train.py', '--deepspeed', 'ds_z2.json', '--resume_from_checkpoint', 'true', '--output_dir', 'empty'] });
    assert.match(errors(empty)[0], /No valid checkpoint found in output directory/);
  });

  test('under Slurm the allocation decides the world size: torchrun nodes × GPUs per node, srun one per node', async () => {
    const argv = ['train.py', '--deepspeed', 'ds_z2.json', '--resume_from_checkpoint', 'out/checkpoint-20'];
    const one = await checkDeepSpeedResume({ files, cwd: cwd(), argv, slurm: { nodes: 1, gpusPerNode: 2, launcher: 'torchrun' } });
    assert.deepEqual([one?.target.worldSize, errors(one)], [2, []]);
    const two = await checkDeepSpeedResume({ files, cwd: cwd(), argv, slurm: { nodes: 2, gpusPerNode: 2, launcher: 'torchrun' } });
    assert.equal(two?.target.worldSize, 4);
    assert.deepEqual(errors(two).length, 1);
    assert.match(errors(two)[0], /holds 2 ZeRO partition\(s\) .*the resume would start 4 process\(es\) \(Slurm --nodes 2 × torchrun --nproc_per_node 2 \(--gpus-per-node\)\)/);
    const srun = await checkDeepSpeedResume({ files, cwd: cwd(), argv: ['python3', ...argv], slurm: { nodes: 2, launcher: 'srun' } });
    assert.deepEqual([srun?.target.worldSize, srun?.target.worldSizeFrom, errors(srun)], [2, 'Slurm srun: one process on each of 2 node(s)', []]);
    // direct: the command runs once on the first node, with its own launcher's world size
    const direct = await checkDeepSpeedResume({ files, cwd: cwd(), argv: ['torchrun', '--nproc_per_node', '8', ...argv], slurm: { nodes: 4, gpusPerNode: 8 } });
    assert.equal(direct?.target.worldSize, 8);
  });

  test('llamafactory-cli train resumes from output_dir\'s last checkpoint-N by itself (do_train, no overwrite_output_dir)', async () => {
    const cfg = (extra: string): { path: string; text: string } => ({ path: join(T, 'work', 'lf.yaml'), text: `stage: sft\ndo_train: true\noutput_dir: out\ndeepspeed: ds_z3.json\n${extra}` });
    const env = { NPROC_PER_NODE: '2' };
    const argv = ['llamafactory-cli', 'train', 'lf.yaml'];
    const r = await checkDeepSpeedResume({ files, cwd: cwd(), argv, env, config: cfg('') });
    assert.equal(r?.checkpoint, join(T, 'work', 'out', 'checkpoint-20'));
    assert.deepEqual(r?.problems.filter((p) => p.severity === 'info').map((p) => p.message), [`llamafactory-cli resumes from ${join(T, 'work', 'out', 'checkpoint-20')} by itself (do_train without resume_from_checkpoint or overwrite_output_dir in the config: LLaMA-Factory picks output_dir's last checkpoint-N)`]);
    assert.equal(errors(r).length, 1);
    assert.match(errors(r)[0], /saved with ZeRO stage 2, the resume would use stage 3/);
    // No auto-resume: overwrite_output_dir, no do_train, a stage that cannot resume, an output_dir without checkpoint-N
    assert.equal(await checkDeepSpeedResume({ files, cwd: cwd(), argv, env, config: cfg('overwrite_output_dir: true\n') }), undefined);
    assert.equal(await checkDeepSpeedResume({ files, cwd: cwd(), argv, env, config: { path: join(T, 'work', 'lf.yaml'), text: 'stage: sft\noutput_dir: out\ndeepspeed: ds_z3.json\n' } }), undefined);
    assert.equal(await checkDeepSpeedResume({ files, cwd: cwd(), argv, env, config: { path: join(T, 'work', 'lf.yaml'), text: 'stage: rm\nfinetuning_type: full\ndo_train: true\noutput_dir: out\ndeepspeed: ds_z3.json\n' } }), undefined);
    assert.equal(await checkDeepSpeedResume({ files, cwd: cwd(), argv, env, config: { path: join(T, 'work', 'lf.yaml'), text: 'stage: sft\ndo_train: true\noutput_dir: nothing_here\ndeepspeed: ds_z3.json\n' } }), undefined);
    // Only llamafactory-cli does this: the same config under torchrun + an HF script is not a resume.
    assert.equal(await checkDeepSpeedResume({ files, cwd: cwd(), argv: ['torchrun', '--nproc_per_node', '2', 'train.py', 'lf.yaml'], config: cfg('') }), undefined);
  });

  test('not a resume, or not DeepSpeed: nothing to check', async () => {
    assert.equal(await checkDeepSpeedResume({ files, cwd: cwd(), argv: ['torchrun', '--nproc_per_node', '8', 'train.py', '--deepspeed', 'ds_z3.json'] }), undefined);
    assert.equal(await checkDeepSpeedResume({ files, cwd: cwd(), argv: ['torchrun', '--nproc_per_node', '8', 'train.py', '--resume_from_checkpoint', 'out/checkpoint-20'] }), undefined);
  });
});

describe('llmtrain checkpoint resume-check', () => {
  test('exit 1 with both problems for a mismatched launch; 0 and "ok" for a matching one; JSON on request', async () => {
    const bad = await cli(['checkpoint', 'resume-check', '--cwd', join(T, 'work'), '--', 'torchrun', '--nproc_per_node', '4', 'train.py', '--deepspeed', 'ds_z3.json', '--resume_from_checkpoint', 'out/checkpoint-20']);
    assert.equal(bad.code, 1, bad.stderr);
    const text = bad.stdout.toString();
    assert.match(text, /^resume from .*\/out\/checkpoint-20\n {2}saved {3}global_step20 {2}ZeRO stage 2 {2}2 partition\(s\)\n {2}launch {2}ZeRO stage 3 \(zero_optimization\.stage in .*ds_z3\.json\) {2}world size 4 \(torchrun --nproc_per_node 4\)\n/);
    assert.equal(text.match(/^ {2}error: /gm)?.length, 2);
    const ok = await cli(['checkpoint', 'resume-check', '--cwd', join(T, 'work'), '--format', 'json', '--', 'torchrun', '--nproc_per_node', '2', 'train.py', '--deepspeed', 'ds_z2.json', '--resume_from_checkpoint', 'true', '--output_dir', 'out']);
    assert.equal(ok.code, 0, ok.stderr);
    const j = JSON.parse(ok.stdout.toString());
    assert.deepEqual([j.checkpoint, j.saved, j.target.worldSize, j.problems], [join(T, 'work', 'out', 'checkpoint-20'), { tag: 'global_step20', zero_stage: 2, world_size: 2 }, 2, []]);
    const slurm = await cli(['checkpoint', 'resume-check', '--cwd', join(T, 'work'), '--slurm', '--nodes', '2', '--gpus-per-node', '4', '--launcher', 'torchrun', '--', 'train.py', '--deepspeed', 'ds_z2.json', '--resume_from_checkpoint', 'out/checkpoint-20']);
    assert.equal(slurm.code, 1, slurm.stderr);
    assert.match(slurm.stdout.toString(), /world size 8 \(Slurm --nodes 2 × torchrun --nproc_per_node 4 \(--gpus-per-node\)\)\n {2}error: .*holds 2 ZeRO partition/);
    const noSlurm = await cli(['checkpoint', 'resume-check', '--nodes', '2', '--', 'train.py']);
    assert.equal(noSlurm.code, 2);
    assert.match(noSlurm.stderr, /--nodes\/--gpus-per-node\/--launcher need --slurm/);
    const usage = await cli(['checkpoint', 'resume-check']);
    assert.equal(usage.code, 2);
    assert.match(usage.stderr, /resume-check expects the launch command after --/);
  });
});


/**
 * ZeRO-3 saves with MiCS (`mics_shard_size` 2 on 4 ranks: only the first shard group writes, 2 partitions, model states
 * say dp_world_size 4) and with hpZ (`zero_hpz_partition_size` 2 on 4 ranks: plain ZeRO-3 files), written by real
 * torch.save in make_checkpoints.py with DeepSpeed's file names; what DeepSpeed's load_checkpoint does with each resume
 * is derived from its source (see resumeMismatches in src/core/checkpoint/deepspeed.ts).
 */
describe('MiCS and hpZ (ZeRO++) saves', () => {
  const cwd = (): string => join(T, 'work');
  const errors = (r: Awaited<ReturnType<typeof checkDeepSpeedResume>>): string[] => (r?.problems ?? []).filter((p) => p.severity === 'error').map((p) => p.message);
  const of = (r: Awaited<ReturnType<typeof checkDeepSpeedResume>>, sev: 'warning' | 'info'): string[] => (r?.problems ?? []).filter((p) => p.severity === sev).map((p) => p.message);
  const resume = (nproc: number, config: string, out: string): Promise<Awaited<ReturnType<typeof checkDeepSpeedResume>>> =>
    checkDeepSpeedResume({ files, cwd: cwd(), argv: ['torchrun', '--nproc_per_node', String(nproc), 'train.py', '--deepspeed', config, '--resume_from_checkpoint', `${out}/checkpoint-8`] });
  before(() => {
    cpSync(join(T, 'ds_mics'), join(T, 'work', 'mics', 'checkpoint-8'), { recursive: true });
    cpSync(join(T, 'ds_hpz'), join(T, 'work', 'hpz', 'checkpoint-8'), { recursive: true });
    const z3 = (extra: Record<string, number>): string => JSON.stringify({ zero_optimization: { stage: 3, ...extra }, bf16: { enabled: true } });
    writeFileSync(join(T, 'work', 'z3.json'), z3({}));
    for (const s of [2, 3, 4]) writeFileSync(join(T, 'work', `mics${s}.json`), z3({ mics_shard_size: s }));
    for (const h of [3, 4]) writeFileSync(join(T, 'work', `hpz${h}.json`), z3({ zero_hpz_partition_size: h }));
  });

  test('a MiCS save: world size from the model states, 2 partitions on disk, no missing-file error', async () => {
    const r = await inspectCheckpoint(files, join(T, 'ds_mics'));
    assert.deepEqual([r.deepspeed?.world_size, r.deepspeed?.partitions, r.deepspeed?.mics_shard_size, r.deepspeed?.zero_stage], [4, 2, 2, 3]);
    assert.deepEqual(r.problems.filter((p) => p.severity === 'error'), []);
    const h = await inspectCheckpoint(files, join(T, 'ds_hpz'));
    assert.deepEqual([h.deepspeed?.world_size, h.deepspeed?.partitions, h.deepspeed?.hpz_partition_size, h.deepspeed?.mics_shard_size], [4, 4, 2, undefined]);
    const j = await cli(['checkpoint', join(T, 'ds_mics'), '--format', 'json']);
    assert.deepEqual(JSON.parse(j.stdout.toString()).deepspeed, { step: 8, world_size: 4, zero_stage: 3, mics_shard_size: 2, partitions: 2 });
  });

  test('a MiCS save with a rank\'s file gone, or one from another save: named', async () => {
    const d = join(T, 'mics_broken');
    cpSync(join(T, 'ds_mics'), d, { recursive: true });
    rmSync(join(d, 'global_step8', 'bf16_zero_pp_rank_1_mp_rank_00_optim_states.pt'));
    const gone = await inspectCheckpoint(files, d);
    assert.deepEqual(gone.problems.filter((p) => p.severity === 'error').map((p) => p.message), [
      'zero_pp_rank_0_mp_rank_00_model_states.pt says 4 data-parallel rank(s) in MiCS shard groups of 2 (only the first group saves), so 2 ZeRO partition(s), but zero_pp_rank_1_mp_rank_00_optim_states.pt is missing: the rank that opens it fails (a rank\'s save did not finish, or files were deleted)']);
    cpSync(join(T, 'ds_hpz', 'global_step8', 'bf16_zero_pp_rank_3_mp_rank_00_optim_states.pt'), join(d, 'global_step8', 'bf16_zero_pp_rank_3_mp_rank_00_optim_states.pt'));
    cpSync(join(T, 'ds_mics', 'global_step8', 'bf16_zero_pp_rank_1_mp_rank_00_optim_states.pt'), join(d, 'global_step8', 'bf16_zero_pp_rank_1_mp_rank_00_optim_states.pt'));
    const mixed = await inspectCheckpoint(files, d);
    assert.match(mixed.problems.map((p) => p.message).join('\n'), /but optimizer partitions of rank\(s\) 3 are present too: files from another save/);
  });

  test('MiCS: the same world size and shard size loads (with the TypeError warning of recent DeepSpeed); another world size fails', async () => {
    const same = await resume(4, 'mics2.json', 'mics');
    assert.deepEqual(errors(same), []);
    assert.deepEqual(of(same, 'warning').length, 1);
    assert.match(of(same, 'warning')[0], /^the resume uses MiCS \(mics_shard_size 2 \(zero_optimization in .*mics2\.json\)\): from DeepSpeed 0\.14\.5 on, load_checkpoint passes param_shapes= .*TypeError \(global_step8 was saved by DeepSpeed 0\.16\.4\)/);
    // 2 processes: 2 optimizer files exist for 2 ranks, but the model states say 4 ranks, and DeepSpeed compares that.
    const two = await resume(2, 'mics2.json', 'mics');
    assert.deepEqual(errors(two).length, 1);
    assert.match(errors(two)[0], /^global_step8 holds 2 ZeRO partition\(s\) \(saved by 4 data-parallel rank\(s\), MiCS shard size 2\), the resume would start 2 process\(es\) \(torchrun --nproc_per_node 2\): DeepSpeed's _load_zero_checkpoint stops with ZeRORuntimeException "The checkpoint being loaded used a DP world size of 4 but the current world size is 2"\. Launch 4 process\(es\)/);
    const text = await cli(['checkpoint', 'resume-check', '--cwd', cwd(), '--', 'torchrun', '--nproc_per_node', '2', 'train.py', '--deepspeed', 'mics2.json', '--resume_from_checkpoint', 'mics/checkpoint-8']);
    assert.equal(text.code, 1, text.stderr);
    assert.match(text.stdout.toString(), /\n {2}saved {3}global_step8 {2}ZeRO stage 3 {2}2 partition\(s\) of 4 data-parallel rank\(s\) {2}mics_shard_size 2\n {2}launch {2}ZeRO stage 3 \(.*\) {2}world size 2 \(torchrun --nproc_per_node 2\) {2}mics_shard_size 2\n {2}warning: the resume uses MiCS.*\n {2}error: global_step8 holds 2 ZeRO partition/);
    const eight = await resume(8, 'mics2.json', 'mics');
    assert.deepEqual(errors(eight).length, 1, 'same shard size: only the world size differs');
    assert.match(errors(eight)[0], /used a DP world size of 4 but the current world size is 8"\. Launch 4/);
  });

  test('MiCS: another shard size, or none, at the same world size fails; which error depends on more or fewer partitions', async () => {
    const plain = await resume(4, 'z3.json', 'mics');
    assert.deepEqual(errors(plain).length, 1);
    assert.match(errors(plain)[0], /the resume would partition over 4 rank\(s\) \(no MiCS sharding \(zero_optimization in .*z3\.json\), so one partition per data-parallel rank\): ranks 2 to 3 of each shard group find no zero_pp_rank_<rank>_mp_rank_00_model_states\.pt \(AssertionError in state_dict_factory\.py check_ckpt_list\).*Resume with "mics_shard_size": 2 in zero_optimization/);
    assert.deepEqual(of(plain, 'warning'), [], 'no MiCS in the resume: no TypeError warning');
    const four = await resume(4, 'mics4.json', 'mics'); // a shard of the whole world: plain ZeRO-3's 4 partitions
    assert.match(errors(four)[0], /partition over 4 rank\(s\) \(no MiCS sharding/);
    // An hpZ (plain ZeRO-3) save of 4 partitions resumed with MiCS shards of 2: fewer partitions, each too small.
    const fewer = await resume(4, 'mics2.json', 'hpz');
    assert.deepEqual(errors(fewer).length, 1);
    assert.match(errors(fewer)[0], /^global_step8 holds 4 ZeRO partition\(s\) \(saved by 4 data-parallel rank\(s\)\), the resume would partition over 2 rank\(s\) \(MiCS shard size 2 .*\): each rank loads the file of its partition rank, a partition sized for 4 ranks, .*size mismatch \(RuntimeError in stage3\.py _rigid_load_state_dict\)\. Resume with no mics_shard_size/);
    const bad = await resume(4, 'mics3.json', 'mics');
    assert.match(errors(bad)[0], /^mics_shard_size 3 .* does not divide the world size 4 \(torchrun --nproc_per_node 4\): DeepSpeed stops at start-up/);
  });

  test('hpZ: another zero_hpz_partition_size loads (info); another world size fails like plain ZeRO-3', async () => {
    const other = await resume(4, 'hpz4.json', 'hpz');
    assert.deepEqual(errors(other), []);
    assert.deepEqual(of(other, 'warning'), []);
    assert.match(of(other, 'info').join('\n'), /global_step8 was saved with zero_hpz_partition_size 2, the resume uses 4: this loads\./);
    const none = await resume(4, 'z3.json', 'hpz');
    assert.deepEqual([errors(none), of(none, 'info').length], [[], 1]);
    const eight = await resume(8, 'z3.json', 'hpz');
    assert.deepEqual(errors(eight).length, 1);
    assert.match(errors(eight)[0], /used a DP world size of 4 but the current world size is 8"; under ZeRO-3 the ranks past 3 first find no zero_pp_rank_<rank>_mp_rank_00_model_states\.pt/);
    const bad = await resume(4, 'hpz3.json', 'hpz');
    assert.match(errors(bad)[0], /^zero_hpz_partition_size 3 .* does not divide the world size 4/);
  });
});
