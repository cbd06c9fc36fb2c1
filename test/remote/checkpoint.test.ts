/**
 * Checkpoint headers over the loopback sshd: the same readers through `runnerFileAccess(SshRunner)`, the round trips
 * a safetensors header costs, and `llmtrain checkpoint --host` with its JSON.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { checkDeepSpeedResume } from '../../src/core/checkpoint/resume';
import { inspectCheckpoint, readSafetensorsHeader } from '../../src/core/checkpoint/index';
import { runnerFileAccess } from '../../src/remote/files';
import { makeCheckpoints } from '../fixtures/checkpoint/build';
import { countRoundTrips } from '../fixtures/checkpoint/roundTrips';
import { startSshEnv } from '../fixtures/remote/sshEnv';
import type { SshEnv } from '../fixtures/remote/sshEnv';
import { main } from '../../src/cli/main';

let env: SshEnv;
let T = '';
before(async () => {
  env = await startSshEnv();
  T = makeCheckpoints();
  writeFileSync(join(T, 'ds_z3.json'), JSON.stringify({ zero_optimization: { stage: 3 } }));
  spawnSync('chmod', ['-R', 'a+rX', T]);
});
after(async () => { await env?.cleanup(); if (T) spawnSync('rm', ['-rf', T]); });

test('remote safetensors header in at most 2 SFTP round trips; folders read the same as locally', async () => {
  const pool = env.pool();
  const runner = env.runner(pool);
  const files = runnerFileAccess(runner);
  const sftp = await pool.get('target').sftp();
  await files.stat('/'); // connection + SFTP channel set up outside the count
  const rt = countRoundTrips(sftp);
  const h = await readSafetensorsHeader(files, join(T, 'model', 'model.safetensors'));
  assert.equal(h.tensors.length, 21);
  assert.ok(rt.trips <= 2, `${rt.trips} round trips (${rt.requests} requests)`);
  const run = await inspectCheckpoint(files, join(T, 'run'));
  assert.deepEqual(run.checkpoints!.map((c) => [c.step, c.best]), [[10, false], [20, true], [30, false]]);
  const ds = await inspectCheckpoint(files, join(T, 'ds'));
  assert.deepEqual([ds.deepspeed!.world_size, ds.deepspeed!.zero_stage], [2, 2]);
  assert.equal(files.host, 'target');
});

test('llmtrain checkpoint --host target --ssh-config F --format json', async () => {
  let out = '';
  const w = process.stdout.write;
  process.stdout.write = ((c: string | Uint8Array, ...rest: unknown[]) => { if (typeof c === 'string') { out += c; return true; } return (w as (...a: unknown[]) => boolean).call(process.stdout, c, ...rest); }) as typeof process.stdout.write;
  let code: number;
  try { code = await main(['checkpoint', join(T, 'torch_tied'), '--host', 'target', '--ssh-config', env.configPath, '--known-hosts', env.knownHostsPath, '--format', 'json']); } finally { process.stdout.write = w; }
  assert.equal(code, 0);
  const j = JSON.parse(out);
  assert.equal(j.format, 'pytorch-zip');
  assert.deepEqual(j.tied, [['model.embed_tokens.weight', 'lm_head.weight']]);
});

test('the DeepSpeed resume check reads the save and the DeepSpeed config on the SSH host', async () => {
  const files = runnerFileAccess(env.runner(env.pool()));
  const r = await checkDeepSpeedResume({ files, cwd: T, argv: ['deepspeed', '--num_gpus', '4', 'train.py', '--deepspeed', 'ds_z3.json', '--resume_from_checkpoint', 'ds'] });
  assert.equal(r?.checkpoint, join(T, 'ds'));
  assert.deepEqual([r?.saved?.zero_stage, r?.saved?.world_size], [2, 2]);
  const errors = r!.problems.filter((p) => p.severity === 'error').map((p) => p.message);
  assert.equal(errors.length, 2);
  assert.match(errors[0], /saved with ZeRO stage 2, the resume would use stage 3 \(zero_optimization\.stage in .*ds_z3\.json\)/);
  assert.match(errors[1], /would start 4 process\(es\) \(deepspeed --num_gpus 4\)/);
});
