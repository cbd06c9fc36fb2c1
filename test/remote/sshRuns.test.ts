import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { chownSync, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { LogFollower } from '../../src/remote/logFollower';
import type { FollowerStatus } from '../../src/remote/logFollower';
import { followRun, getRun, isRunActive, launchRun, listRuns, stopRun } from '../../src/remote/runs';
import { processesInGroup, waitFor } from '../fixtures/remote/procs';
import { writeDictLineTrainer } from '../fixtures/remote/scripts';
import { ensureTestUser } from '../fixtures/remote/sshd';
import { startSshEnv } from '../fixtures/remote/sshEnv';

const PY = '/usr/bin/python3';
const sha = (b: Buffer): string => createHash('sha256').update(b).digest('hex');

test('a run over SSH survives the connection being killed; the follower re-attaches and delivers every byte exactly once', async () => {
  const env = await startSshEnv({ jumps: 1 });
  try {
    const pool = env.pool();
    const events: string[] = [];
    pool.on('lost', (e: { reason: string }) => events.push(`lost:${e.reason}`));
    pool.on('reconnected', () => events.push('reconnected'));
    const runner = env.runner(pool);
    const script = writeDictLineTrainer(env.work, { steps: 60, sleepS: 0.05 });
    const run = await launchRun(runner, { argv: [PY, '-u', script], cwd: env.work, name: 'survive drop', env: { HF_TOKEN: 'hf_secret_value' } });
    assert.equal(run.state, 'running');
    assert.ok(!readFileSync(join(env.home, '.llm-training-studio/runs', run.id, 'run.json'), 'utf8').includes('hf_secret_value'));
    const chunks: Buffer[] = [];
    const statuses: FollowerStatus[] = [];
    const f = new LogFollower({ runner, path: run.logPath, isActive: () => isRunActive(runner, run), activeCheckMs: 300 });
    f.on('data', (c: Uint8Array) => chunks.push(Buffer.from(c)));
    f.on('status', (s: FollowerStatus) => statuses.push(s));
    f.start();
    await waitFor(() => Buffer.concat(chunks).toString().includes("'epoch': 0.2"), 20_000, 'some output');
    // Kill every per-connection sshd process of the target and the jump: the TCP connection dies.
    for (const s of [env.target, ...env.jumps]) s.dropConnections();
    await waitFor(() => events.some((e) => e.startsWith('lost')), 10_000, 'lost event');
    assert.ok(processesInGroup(run.pgid!).length > 0, 'the run goes on without the connection');
    const end = await f.done;
    assert.equal(end.error, undefined);
    const file = readFileSync(run.logPath);
    assert.equal(end.offset, file.length);
    assert.equal(sha(Buffer.concat(chunks)), sha(file));
    assert.match(file.toString(), /'train_runtime'/);
    assert.ok(statuses.some((s) => s.kind === 'reconnecting'), 'reported reconnecting');
    assert.ok(statuses.some((s) => s.kind === 'resumed'), 'reported resumed');
    assert.ok(events.includes('reconnected'));
    const done = await getRun(runner, run.id);
    assert.equal(done.state, 'finished');
    assert.equal(done.exitCode, 0);
  } finally { await env.cleanup(); }
});

test('a hung server (sshd stopped with SIGSTOP) is detected by keepalives and reported as lost', async () => {
  const env = await startSshEnv();
  const stopped: number[] = [];
  try {
    const pool = env.pool({ keepaliveIntervalMs: 1000, keepaliveCountMax: 3 });
    const runner = env.runner(pool, 'direct');
    assert.equal((await runner.exec(['true'])).exitCode, 0);
    const lost = new Promise<{ reason: string }>((resolve) => {
      pool.once('lost', (e: { reason: string }) => resolve({ reason: e.reason }));
    });
    for (const pid of [env.target.pid, ...env.target.connectionPids()]) {
      try { process.kill(pid, 'SIGSTOP'); stopped.push(pid); } catch { /* exited meanwhile */ }
    }
    // A stopped sshd keeps the TCP connection open: only the keepalives can notice it (the reason says so). No
    // wall-clock bound here: how soon depends on the interval set above, not on this machine's load.
    const l = await lost;
    assert.match(l.reason, /keepalive/i);
    for (const pid of stopped.splice(0)) process.kill(pid, 'SIGCONT');
    assert.equal((await runner.exec(['echo', 'back'])).stdout, 'back\n');
  } finally {
    for (const pid of stopped) try { process.kill(pid, 'SIGCONT'); } catch { /* gone */ }
    await env.cleanup();
  }
});

test('stop over SSH: SIGINT then SIGTERM then SIGKILL to the group; no process of the run is left', async () => {
  const env = await startSshEnv();
  try {
    const runner = env.runner(env.pool(), 'direct');
    const script = writeDictLineTrainer(env.work, { steps: 100_000, sleepS: 0.05, ignoreSigint: true, childProcess: true });
    const run = await launchRun(runner, { argv: [PY, '-u', script], cwd: env.work });
    await waitFor(() => existsSync(run.logPath) && readFileSync(run.logPath, 'utf8').includes('loss'), 20_000, 'first line');
    assert.ok(processesInGroup(run.pgid!).length >= 3);
    assert.equal(statSync(`/proc/${run.pid}`).uid, ensureTestUser().uid, 'runs as the ssh user');
    const listed = await listRuns(runner);
    assert.equal(listed.find((r) => r.id === run.id)?.state, 'running');
    const res = await stopRun(runner, run.id, { interruptGraceMs: 700, terminateGraceMs: 5000 });
    assert.deepEqual(res.signals, ['SIGINT', 'SIGTERM']);
    assert.equal(res.run.state, 'stopped');
    assert.deepEqual(processesInGroup(run.pgid!), []);

    // A trainer that handles SIGINT (KeyboardInterrupt: save and exit) stops at the first, gentle step: the
    // detached launch must not leave SIGINT ignored as `cmd &` in a non-interactive shell would.
    const gentle = writeDictLineTrainer(env.work, { steps: 100_000, sleepS: 0.05 });
    const run2 = await launchRun(runner, { argv: [PY, '-u', gentle], cwd: env.work });
    await waitFor(() => readFileSync(run2.logPath, 'utf8').includes('loss'), 20_000, 'first line');
    const sigIgn = readFileSync(`/proc/${run2.pid}/status`, 'utf8').match(/^SigIgn:\s*([0-9a-f]+)/m)![1];
    assert.equal(BigInt(`0x${sigIgn}`) & 2n, 0n, 'SIGINT is not ignored in the run');
    const res2 = await stopRun(runner, run2.id, { interruptGraceMs: 10_000 });
    assert.deepEqual(res2.signals, ['SIGINT']);
    assert.equal(res2.run.exitCode, 130);
    assert.match(readFileSync(run2.logPath, 'utf8'), /interrupted, saving checkpoint/);
    assert.deepEqual(processesInGroup(run2.pgid!), []);
  } finally { await env.cleanup(); }
});

test('hostile names, paths and env values round-trip over real sshd unchanged and execute nothing', async () => {
  const env = await startSshEnv();
  try {
    const runner = env.runner(env.pool(), 'direct');
    const canary = join(env.work, 'CANARY');
    const hostile = [`$(touch ${canary})`, `\`touch ${canary}\``, `'; touch ${canary}; echo '`, `"; touch ${canary}; "`, `\\'$(touch ${canary})`, 'new\nline', 'ünïcødé ✓ 日本', '*', '~', '-e', '', ' lead and trail ', '!!', '%s%n', '\t'];
    const cwd = join(env.work, `d 'q' "dq" $(touch CANARY) \`touch CANARY\` ✓`);
    mkdirSync(cwd);
    chownSync(cwd, ensureTestUser().uid, ensureTestUser().gid);
    const run = await launchRun(runner, {
      argv: [PY, '-c', 'import sys, os, json; print(json.dumps({"argv": sys.argv[1:], "cwd": os.getcwd(), "v": os.environ["HOSTILE"]}))', ...hostile],
      cwd, env: { HOSTILE: hostile.join('|') }, name: hostile.join(' '),
    });
    await waitFor(async () => !(await isRunActive(runner, run)), 20_000, 'run end');
    assert.deepEqual(JSON.parse(readFileSync(run.logPath, 'utf8')), { argv: hostile, cwd, v: hostile.join('|') });
    const rec = await getRun(runner, run.id);
    assert.deepEqual(rec.argv.slice(3), hostile);
    assert.equal(rec.name, hostile.join(' '));
    assert.equal(rec.cwd, cwd);
    // exec and file paths with the same strings
    const r = await runner.exec(['printf', '%s\\0', ...hostile], { cwd, env: { HOSTILE: hostile.join('|') } });
    assert.deepEqual(r.stdout.split('\0').slice(0, -1), hostile);
    const odd = join(cwd, `file 'x' $(touch CANARY)\n.txt`);
    await runner.writeFile(odd, 'payload ✓');
    assert.equal(Buffer.from(await runner.readRange(odd, 0, 100)).toString(), 'payload ✓');
    assert.equal((await runner.stat(odd))?.size, Buffer.byteLength('payload ✓'));
    const found = spawnSync('find', [env.dir, '-name', 'CANARY*'], { encoding: 'utf8' }).stdout;
    assert.equal(found, '', 'nothing was executed');
    assert.equal(existsSync(canary), false);
  } finally { await env.cleanup(); }
});

test('the whole sshd goes away and comes back on the same port: the follower keeps retrying and resumes exactly', async () => {
  const env = await startSshEnv();
  try {
    const runner = env.runner(env.pool({ backoff: { initialMs: 100, maxMs: 500 } }), 'direct');
    const script = writeDictLineTrainer(env.work, { steps: 80, sleepS: 0.04 });
    const run = await launchRun(runner, { argv: [PY, '-u', script], cwd: env.work });
    const chunks: Buffer[] = [];
    const statuses: FollowerStatus[] = [];
    const f = new LogFollower({ runner, path: run.logPath, isActive: () => isRunActive(runner, run), activeCheckMs: 300, backoff: { initialMs: 100, maxMs: 500 } });
    f.on('data', (c: Uint8Array) => chunks.push(Buffer.from(c)));
    f.on('status', (s: FollowerStatus) => statuses.push(s));
    f.start();
    await waitFor(() => Buffer.concat(chunks).length > 200, 20_000, 'some output');
    await env.target.stop();
    await waitFor(() => statuses.filter((s) => s.kind === 'reconnecting').length >= 2, 20_000, 'failed reconnect attempts');
    assert.ok(processesInGroup(run.pgid!).length > 0 || existsSync(join(run.logPath, '..', 'exit.json')), 'the run is not tied to sshd');
    await env.target.restart();
    const end = await f.done;
    assert.equal(end.error, undefined);
    const file = readFileSync(run.logPath);
    assert.equal(sha(Buffer.concat(chunks)), sha(file));
    assert.equal(end.offset, file.length);
    const resumed = statuses.find((s) => s.kind === 'resumed');
    assert.ok(resumed && resumed.kind === 'resumed' && resumed.offset > 200);
    assert.equal((await getRun(runner, run.id)).state, 'finished');
  } finally { await env.cleanup(); }
});

test('a real PyTorch training run over SSH through a jump host: logs followed, loss falls, checkpoint written', async () => {
  const env = await startSshEnv({ jumps: 1 });
  try {
    const u = ensureTestUser();
    const script = join(env.work, 'torch_train.py');
    writeFileSync(script, readFileSync(join(__dirname, '../fixtures/remote/torch_train.py')));
    chownSync(script, u.uid, u.gid);
    const runner = env.runner(env.pool());
    const run = await launchRun(runner, { argv: [PY, '-u', script, '--max_steps', '80', '--output_dir', 'out dir'], cwd: env.work, name: 'tiny torch', configSnapshot: { fileName: 'train.yaml', content: 'learning_rate: 3e-2\n' } });
    const chunks: Buffer[] = [];
    const f = followRun(runner, run, { activeCheckMs: 500 });
    f.on('data', (c: Uint8Array) => chunks.push(Buffer.from(c)));
    const end = await f.start().done;
    assert.equal(end.error, undefined);
    const text = Buffer.concat(chunks).toString();
    const losses = [...text.matchAll(/\{'loss': ([0-9.]+), 'grad_norm'/g)].map((m) => Number(m[1]));
    assert.equal(losses.length, 16, text);
    assert.ok(losses[losses.length - 1] < losses[0] * 0.8, `loss fell: ${losses.join(' ')}`);
    assert.match(text, /\{'train_runtime': /);
    assert.ok(statSync(join(env.work, 'out dir', 'pytorch_model.bin')).size > 1000);
    const rec = await getRun(runner, run.id);
    assert.equal(rec.state, 'finished');
    assert.equal(readFileSync(rec.configSnapshot!, 'utf8'), 'learning_rate: 3e-2\n');
  } finally { await env.cleanup(); }
});

test('following many runs on one connection: streams up to the limit, the rest poll over SFTP, all exact', async () => {
  const env = await startSshEnv();
  try {
    const runner = env.runner(env.pool(), 'direct');
    const script = writeDictLineTrainer(env.work, { steps: 100_000, sleepS: 0.03 });
    const runs = await Promise.all(Array.from({ length: 7 }, (_, i) => launchRun(runner, { argv: [PY, '-u', script], cwd: env.work, name: `many ${i}` })));
    const followers = runs.map((run) => {
      const chunks: Buffer[] = [];
      const statuses: FollowerStatus[] = [];
      const f = followRun(runner, run, { activeCheckMs: 300 });
      f.on('data', (c: Uint8Array) => chunks.push(Buffer.from(c)));
      f.on('status', (s: FollowerStatus) => statuses.push(s));
      f.start();
      return { run, f, chunks, statuses };
    });
    await waitFor(() => followers.every((x) => x.chunks.length > 0), 30_000, 'every follower receiving');
    assert.equal(followers.filter((x) => x.statuses.some((s) => s.kind === 'waiting')).length, 3, 'four stream, three poll');
    for (const run of runs) await stopRun(runner, run.id, { interruptGraceMs: 5000 });
    for (const x of followers) {
      const end = await x.f.done;
      assert.equal(end.error, undefined);
      assert.equal(sha(Buffer.concat(x.chunks)), sha(readFileSync(x.run.logPath)));
      assert.deepEqual(x.statuses.filter((s) => s.kind === 'reconnecting'), []);
    }
  } finally { await env.cleanup(); }
});

test('real training logs (tqdm carriage returns, glued records) replayed in random pieces arrive byte-exact across a drop', async () => {
  const env = await startSshEnv();
  try {
    const runner = env.runner(env.pool({ backoff: { initialMs: 50, maxMs: 500 } }), 'direct');
    const logs = ['deepspeed__t5-11b-zero2-overflow-glued-to-tqdm.log', 'hf-trainer__alignment-handbook-sft-with-eval-and-tqdm.log'].map((n) => join(__dirname, '../fixtures/remote/logs', n));
    const expected = Buffer.concat(logs.map((p) => readFileSync(p)));
    // Replays the files' bytes in pieces of 1..64 bytes, 10 ms apart, without adding or changing a byte.
    const replay = 'import sys, os, random, time\nrandom.seed(7)\nfor p in sys.argv[1:]:\n    data = open(p, "rb").read()\n    i = 0\n    while i < len(data):\n        n = random.randint(1, 64)\n        os.write(1, data[i:i + n])\n        i += n\n        time.sleep(0.01)\n';
    const run = await launchRun(runner, { argv: [PY, '-c', replay, ...logs], cwd: env.work, name: 'replay' });
    const chunks: Buffer[] = [];
    const f = followRun(runner, run, { activeCheckMs: 300, backoff: { initialMs: 50, maxMs: 500 } });
    f.on('data', (c: Uint8Array) => chunks.push(Buffer.from(c)));
    f.start();
    await waitFor(() => Buffer.concat(chunks).length > expected.length / 3, 30_000, 'a third of the log');
    env.target.dropConnections();
    const end = await f.done;
    assert.equal(end.error, undefined);
    assert.ok(Buffer.concat(chunks).equals(expected), 'followed bytes equal the source logs');
    assert.ok(readFileSync(run.logPath).equals(expected));
  } finally { await env.cleanup(); }
});
