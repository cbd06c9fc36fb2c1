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

