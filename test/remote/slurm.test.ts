import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LogFollower } from '../../src/remote/logFollower';
import { LocalRunner } from '../../src/remote/localRunner';
import { endedLabel } from '../../src/core/runs/runState';
import type { RunRecord } from '../../src/core/runs/types';
import { runDescription, runProblem } from '../../src/views/runs/format';
import { getRun, isRunActive, launchRun, listRuns, listRunsDetailed, stopRun } from '../../src/remote/runs';
import { waitFor } from '../fixtures/remote/procs';
import { writeDictLineTrainer } from '../fixtures/remote/scripts';
import { startSlurm } from '../fixtures/remote/slurm';
import { startSshEnv } from '../fixtures/remote/sshEnv';
import { cli } from '../fixtures/remote/cli';

const PY = '/usr/bin/python3';

test('Slurm over SSH: sbatch with GPUs, status, output streamed like any log, exit code; scancel stops a job', async () => {
  const slurm = await startSlurm();
  const env = await startSshEnv({ target: { setEnv: slurm.env } });
  try {
    const runner = env.runner(env.pool(), 'direct');
    const script = writeDictLineTrainer(env.work, { steps: 20, sleepS: 0.05 });
    const run = await launchRun(runner, {
      argv: ['sh', '-c', 'echo "gpus=$CUDA_VISIBLE_DEVICES nodes=$SLURM_JOB_NUM_NODES secret_len=${#WANDB_API_KEY}"; exec "$@"', 'sh', PY, '-u', script],
      cwd: env.work, name: 'slurm job', env: { WANDB_API_KEY: 'abc123' },
      slurm: { gpusPerNode: 2, time: '5', nodes: 1 },
    });
    assert.match(run.slurmJobId!, /^\d+$/);
    assert.equal(existsSync(join(env.home, '.llm-training-studio/runs', run.id, 'sbatch.sh')), false, 'batch script (with env values) removed after submit');
    const chunks: Buffer[] = [];
    const f = new LogFollower({ runner, path: run.logPath, isActive: () => isRunActive(runner, run), activeCheckMs: 300 });
    f.on('data', (c: Uint8Array) => chunks.push(Buffer.from(c)));
    const end = await f.start().done;
    assert.equal(end.error, undefined);
    const got = Buffer.concat(chunks).toString();
    assert.match(got, /^gpus=0,1 nodes=1 secret_len=6\n/);
    assert.match(got, /'train_runtime'/);
    const file = readFileSync(run.logPath);
    assert.equal(createHash('sha256').update(Buffer.concat(chunks)).digest('hex'), createHash('sha256').update(file).digest('hex'));
    const done = await getRun(runner, run.id);
    assert.equal(done.state, 'finished');
    assert.equal(done.exitCode, 0);
    assert.ok(!readFileSync(join(env.home, '.llm-training-studio/runs', run.id, 'run.json'), 'utf8').includes('abc123'));

    const long = writeDictLineTrainer(env.work, { steps: 100_000, sleepS: 0.1 });
    const run2 = await launchRun(runner, { argv: [PY, '-u', long], cwd: env.work, slurm: { launcher: 'srun', gpusPerNode: 1 } });
    await waitFor(() => existsSync(run2.logPath) && readFileSync(run2.logPath, 'utf8').includes('loss'), 30_000, 'job output');
    assert.equal((await listRuns(runner)).find((r) => r.id === run2.id)?.state, 'running');
    const res = await stopRun(runner, run2.id);
    assert.deepEqual(res.signals, ['scancel']);
    assert.equal(res.run.state, 'stopped');
    await waitFor(() => /CANCELLED/.test(readFileSync(run2.logPath, 'utf8')), 15_000, 'cancel notice in the output');

    // The CLI submits the same way.
    const kh = env.knownHostsPath;
    const started = await cli(['run', '--host', 'direct', '--ssh-config', env.configPath, '--known-hosts', kh, '--cwd', env.work, '--slurm', '--gpus-per-node', '1', '--time', '2',
      '--', 'sh', '-c', 'echo "job=$SLURM_JOB_ID gpus=$CUDA_VISIBLE_DEVICES"'], { LLMTRAIN_REMOTE_HOME: env.home });
    assert.equal(started.code, 0, started.stderr);
    assert.match(started.stderr, /Slurm job \d+/);
    const id = started.stdout.toString().trim();
    const logs = await cli(['logs', '--host', 'direct', '--ssh-config', env.configPath, '--known-hosts', kh, id, '--follow'], { LLMTRAIN_REMOTE_HOME: env.home });
    assert.match(logs.stdout.toString(), /^job=\d+ gpus=0\n$/);
    const bad = await cli(['run', '--host', 'direct', '--nodes', '2', '--', 'true']);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /need --slurm/);
  } finally {
    await env.cleanup();
    await slurm.stop();
  }
});

test('Slurm torchrun launcher: srun runs torchrun per node with the c10d rendezvous on the first node', async () => {
  // Debian's torch 1.13 torchrun crashes under Python 3.11 before starting workers (torch/distributed/elastic
  // multiprocessing/api.py to_map: 'NoneType' object has no attribute 'get'), so a stand-in `torchrun` first on PATH
  // records the arguments it got and starts the ranks the way torchrun does (RANK, LOCAL_RANK, WORLD_SIZE).
  const slurm = await startSlurm();
  const env = await startSshEnv({ target: { setEnv: slurm.env } });
  try {
    const runner = env.runner(env.pool(), 'direct');
    const bin = join(env.work, 'bin');
    mkdirSync(bin);
    writeFileSync(join(bin, 'torchrun'), [
      '#!/bin/sh',
      'echo "torchrun $*"',
      'n=1; for a in "$@"; do case "$a" in --nproc_per_node=*) n=${a#*=};; --*) ;; *) break;; esac; done',
      'while [ $# -gt 0 ]; do case "$1" in --*) shift;; *) break;; esac; done',
      'i=0; while [ "$i" -lt "$n" ]; do RANK=$i LOCAL_RANK=$i WORLD_SIZE=$n /usr/bin/python3 "$@" & i=$((i+1)); done; wait',
      '',
    ].join('\n'), { mode: 0o755 });
    const script = join(env.work, 'ranks.py');
    // One write per rank: runs get PYTHONUNBUFFERED=1, under which print() writes each argument and separator on its
    // own, so two ranks sharing the job's output interleave word by word (seen under load in CI).
    writeFileSync(script, 'import os, sys\nsys.stdout.write("rank %s of %s local %s gpus %s\\n" % (os.environ["RANK"], os.environ["WORLD_SIZE"], os.environ["LOCAL_RANK"], os.environ.get("CUDA_VISIBLE_DEVICES")))\n', { mode: 0o644 });
    const run = await launchRun(runner, { argv: [script, '--lr', '3e-4'], cwd: env.work, env: { PATH: `${bin}:/usr/bin:/bin` }, name: 'torchrun', slurm: { launcher: 'torchrun', gpusPerNode: 2, nodes: 1, time: '5' } });
    const f = new LogFollower({ runner, path: run.logPath, isActive: () => isRunActive(runner, run), activeCheckMs: 500 });
    const chunks: Buffer[] = [];
    f.on('data', (c: Uint8Array) => chunks.push(Buffer.from(c)));
    await f.start().done;
    const text = Buffer.concat(chunks).toString();
    const args = /^torchrun (.*)$/m.exec(text)?.[1];
    assert.equal(args, `--nnodes=1 --nproc_per_node=2 --rdzv_id=${run.slurmJobId} --rdzv_backend=c10d --rdzv_endpoint=${slurm.nodeName}:29500 ${script} --lr 3e-4`);
    const ranks = [...text.matchAll(/^rank (\d) of (\d) local (\d) gpus (\S+)$/gm)].map((m) => m.slice(1).join(' ')).sort();
    assert.deepEqual(ranks, ['0 2 0 0,1', '1 2 1 0,1'], text);
    assert.equal((await getRun(runner, run.id)).state, 'finished');
  } finally {
    await env.cleanup();
    await slurm.stop();
  }
});

test('Slurm controller down mid-run: following goes on (reconnecting, not ended), the listing says Slurm did not answer, nothing is lost', async () => {
  const slurm = await startSlurm();
  const env = await startSshEnv({ target: { setEnv: slurm.env } });
  try {
    const runner = env.runner(env.pool(), 'direct');
    const run = await launchRun(runner, { argv: ['sh', '-c', 'i=1; while [ $i -le 40 ]; do echo "tick $i"; i=$((i+1)); sleep 0.25; done'], cwd: env.work, name: 'ctld down', slurm: { gpusPerNode: 1, time: '5' } });
    const chunks: Buffer[] = [];
    const statuses: string[] = [];
    const f = new LogFollower({ runner, path: run.logPath, isActive: () => isRunActive(runner, run), activeCheckMs: 300, backoff: { initialMs: 200, maxMs: 1000 } });
    f.on('data', (c: Uint8Array) => chunks.push(Buffer.from(c)));
    f.on('status', (s: { kind: string; message?: string }) => statuses.push(`${s.kind}${s.message ? `: ${s.message}` : ''}`));
    let ended = false;
    const done = f.start().done.then((r) => { ended = true; return r; });
    await waitFor(() => Buffer.concat(chunks).toString().includes('tick 2\n'), 30_000, 'first ticks');
    await slurm.stopController();
    // Each Slurm client retries the controller for about MessageTimeout (10 s) before it fails: ask all three at once.
    const [active, listed] = await Promise.all([
      isRunActive(runner, run).then(() => 'answered', (e: Error) => e.message),
      listRunsDetailed(runner),
      waitFor(() => statuses.some((s) => /^reconnecting: squeue failed/.test(s)), 30_000, 'a reconnecting status from the follower'),
    ]);
    assert.match(active, /^squeue failed \(exit 1\):.*(Unable to contact slurm controller|Socket timed out)/);
    assert.match(listed.slurmError ?? '', /squeue failed/);
    // said on the run too, where the Runs view and `llmtrain runs --format json` show it
    assert.match(listed.runs.find((r) => r.id === run.id)?.slurmError ?? '', /^Slurm did not answer \(squeue failed .*\): the state is what the run folder says$/);
    assert.ok(listed.runs.some((r) => r.id === run.id), 'the run is still listed');
    assert.equal(ended, false, 'the follower did not take "Slurm did not answer" for "the job ended"');
    await slurm.startController();
    const end = await done;
    assert.equal(end.error, undefined);
    const text = Buffer.concat(chunks).toString();
    assert.deepEqual(text.split('\n').filter(Boolean), Array.from({ length: 40 }, (_, i) => `tick ${i + 1}`), 'every line exactly once');
    assert.equal(createHash('sha256').update(text).digest('hex'), createHash('sha256').update(readFileSync(run.logPath)).digest('hex'));
    assert.equal((await getRun(runner, run.id)).state, 'finished');
  } finally {
    await env.cleanup();
    await slurm.stop();
  }
});

test('Slurm job that fails, sbatch that refuses, a job still queued: why, in the listing, `llmtrain runs` and the Runs view row', async () => {
  const slurm = await startSlurm();
  const home = mkdtempSync(join(tmpdir(), 'llmt-slurm-home-'));
  const work = mkdtempSync(join(tmpdir(), 'llmt-slurm-work-'));
  const saved = process.env.SLURM_CONF;
  process.env.SLURM_CONF = slurm.env.SLURM_CONF; // the local runner's Slurm clients talk to the fixture's controller
  try {
    const runner = new LocalRunner({ home });
    const failing = await launchRun(runner, { argv: ['sh', '-c', 'echo "step 1"; exit 3'], cwd: work, name: 'exits 3', slurm: { time: '5' } });
    await waitFor(async () => !(await isRunActive(runner, failing)), 60_000, 'the job to end');
    // a partition the cluster does not have: sbatch refuses the job, the run folder keeps why
    await assert.rejects(launchRun(runner, { argv: ['true'], cwd: work, name: 'refused', slurm: { partition: 'no-such-partition' } }), /sbatch failed \(exit 1\):.*[Ii]nvalid partition/);
    // a job that may not start for an hour: queued, and squeue says why (REASON BeginTime)
    const queued = await launchRun(runner, { argv: ['true'], cwd: work, name: 'queued', slurm: { time: '5', extraArgs: ['--begin=now+3600'] } });
    const { runs } = await listRunsDetailed(runner);
    const failed = runs.find((r) => r.id === failing.id)!;
    const waiting = runs.find((r) => r.id === queued.id)!;
    assert.equal(waiting.state, 'starting');
    assert.equal(waiting.slurmWaiting, `Slurm job ${queued.slurmJobId} is PENDING (BeginTime)`);
    assert.equal(failed.slurmWaiting, undefined);
    assert.equal(runDescription({ ended: endedLabel(waiting), problem: runProblem(waiting), fallback: 'starting · 14:00' }), `starting · 14:00 · Slurm job ${queued.slurmJobId} is PENDING (BeginTime)`);
    const refused = runs.find((r) => r.name === 'refused')!;
    assert.equal(failed.state, 'failed');
    assert.equal(failed.slurmError, `Slurm job ${failing.slurmJobId}: FAILED (NonZeroExitCode)`);
    assert.equal(refused.state, 'failed');
    assert.match(refused.error ?? '', /^sbatch failed \(exit 1\): .*[Ii]nvalid partition/);
    // the Runs view row (the texts tree.ts sets as the item's description)
    assert.match(runDescription({ ended: endedLabel(failed), problem: runProblem(failed), fallback: '' }), new RegExp(`^failed \\(exit 3\\) · .* · Slurm job ${failing.slurmJobId}: FAILED \\(NonZeroExitCode\\)$`));
    assert.match(runDescription({ ended: endedLabel(refused), problem: runProblem(refused), fallback: '' }), /^failed · sbatch failed \(exit 1\): .*[Ii]nvalid partition.*⏎sbatch: error/);
    // `llmtrain runs`: the same, one row per run; --format json has slurmError and error whole
    const env = { LLMTRAIN_LOCAL_HOME: home, SLURM_CONF: slurm.env.SLURM_CONF };
    const table = (await cli(['runs'], env)).stdout.toString().trimEnd().split('\n');
    assert.equal(table.length, 4, table.join('\n'));
    assert.match(table.find((l) => l.startsWith(queued.id)) ?? '', new RegExp(`starting: Slurm job ${queued.slurmJobId} is PENDING \\(BeginTime\\)`));
    assert.match(table.find((l) => l.startsWith(failing.id)) ?? '', new RegExp(`failed \\(3\\): Slurm job ${failing.slurmJobId}: FAILED \\(NonZeroExitCode\\)`));
    assert.match(table.find((l) => l.startsWith(refused.id)) ?? '', /failed: sbatch failed \(exit 1\): .*[Ii]nvalid partition/);
    const json = JSON.parse((await cli(['runs', '--format', 'json'], env)).stdout.toString()) as RunRecord[];
    assert.equal(json.find((r) => r.id === failing.id)?.slurmError, failed.slurmError);
    assert.equal(json.find((r) => r.id === refused.id)?.error, refused.error);
    assert.equal(json.find((r) => r.id === queued.id)?.slurmWaiting, waiting.slurmWaiting);
    await stopRun(runner, queued.id);
  } finally {
    if (saved === undefined) delete process.env.SLURM_CONF; else process.env.SLURM_CONF = saved;
    await slurm.stop();
    rmSync(home, { recursive: true, force: true }); rmSync(work, { recursive: true, force: true });
  }
});
