import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LocalRunner } from '../../src/remote/localRunner';
import { getRun, isRunActive, launchRun, listRuns, startRun, stopRun, waitForRun } from '../../src/remote/runs';
import { LogFollower } from '../../src/remote/logFollower';
import { processesInGroup, stopRunsUnder, waitFor } from '../fixtures/remote/procs';
import { writeDictLineTrainer } from '../fixtures/remote/scripts';

const PY = '/usr/bin/python3';

function setup(): { home: string; work: string; runner: LocalRunner; cleanup: () => void } {
  const home = mkdtempSync(join(tmpdir(), 'llmt-home-'));
  const work = mkdtempSync(join(tmpdir(), 'llmt-work-'));
  return { home, work, runner: new LocalRunner({ home }), cleanup: () => { stopRunsUnder(home); rmSync(home, { recursive: true, force: true }); rmSync(work, { recursive: true, force: true }); } };
}

test('local run: run.json, live state, follower delivers the whole log exactly once, exit code recorded', async () => {
  const { work, runner, cleanup } = setup();
  try {
    const script = writeDictLineTrainer(work, { steps: 15, sleepS: 0.04, exitCode: 3 });
    const run = await launchRun(runner, { argv: [PY, '-u', script], cwd: work, env: { SECRET_TOKEN: 'hunter2', PYTHONUNBUFFERED: '1' }, name: 'my run/../x' });
    assert.equal(run.state, 'running');
    assert.equal(run.pid, run.pgid);
    assert.match(run.id, /^\d{8}-\d{6}-my-run-x-[a-z0-9]{6}$/);
    const onDisk = readFileSync(join(run.logPath, '..', 'run.json'), 'utf8');
    assert.ok(!onDisk.includes('hunter2'), 'env values never reach run.json');
    assert.deepEqual(JSON.parse(onDisk).envNames, ['PYTHONUNBUFFERED', 'SECRET_TOKEN']);

    const chunks: Buffer[] = [];
    const f = new LogFollower({ runner, path: run.logPath, isActive: () => isRunActive(runner, run), activeCheckMs: 200 });
    f.on('data', (c: Uint8Array) => chunks.push(Buffer.from(c)));
    f.start();
    const end = await f.done;
    const got = Buffer.concat(chunks);
    const file = readFileSync(run.logPath);
    assert.equal(end.offset, file.length);
    assert.equal(createHash('sha256').update(got).digest('hex'), createHash('sha256').update(file).digest('hex'));
    assert.match(got.toString(), /\{'loss': 0\.2, /);
    assert.match(got.toString(), /step 15\/15/);

    const after = await getRun(runner, run.id);
    assert.equal(after.state, 'failed');
    assert.equal(after.exitCode, 3);
    assert.ok(after.endTime);
    const all = await listRuns(runner);
    assert.deepEqual(all.map((r) => r.id), [run.id]);
  } finally { cleanup(); }
});

test('local run: follower from a byte offset gives exactly the tail of the file', async () => {
  const { work, runner, cleanup } = setup();
  try {
    const script = writeDictLineTrainer(work, { steps: 5, sleepS: 0 });
    const run = await launchRun(runner, { argv: [PY, '-u', script], cwd: work });
    await waitFor(async () => !(await isRunActive(runner, run)), 10_000, 'run end');
    const file = readFileSync(run.logPath);
    const chunks: Buffer[] = [];
    const f = new LogFollower({ runner, path: run.logPath, fromOffset: 17, isActive: async () => false, stream: false });
    f.on('data', (c: Uint8Array) => chunks.push(Buffer.from(c)));
    await f.start().done;
    assert.deepEqual(Buffer.concat(chunks), file.subarray(17));
    assert.equal((await getRun(runner, run.id)).state, 'finished');
  } finally { cleanup(); }
});

test('stop escalates SIGINT -> SIGTERM -> SIGKILL and leaves no process of the group', async () => {
  const { work, runner, cleanup } = setup();
  try {
    const script = writeDictLineTrainer(work, { steps: 10_000, sleepS: 0.05, ignoreSigint: true, ignoreSigterm: true, childProcess: true });
    const run = await launchRun(runner, { argv: [PY, '-u', script], cwd: work });
    await waitFor(() => readFileSync(run.logPath, 'utf8').includes('loss'), 10_000, 'first log line');
    assert.ok(processesInGroup(run.pgid!).length >= 3, 'wrapper, python and its child are in the group');
    const progress: string[] = [];
    const res = await stopRun(runner, run.id, { interruptGraceMs: 500, terminateGraceMs: 500, onProgress: (m) => progress.push(m) });
    assert.deepEqual(res.signals, ['SIGINT', 'SIGTERM', 'SIGKILL']);
    assert.equal(res.run.state, 'stopped');
    await waitFor(() => processesInGroup(run.pgid!).length === 0, 5000, 'group gone');
  } finally { cleanup(); }
});

test('stop with SIGINT alone when the trainer handles it; exit code from the wrapper', async () => {
  const { work, runner, cleanup } = setup();
  try {
    const script = writeDictLineTrainer(work, { steps: 10_000, sleepS: 0.05 });
    const run = await launchRun(runner, { argv: [PY, '-u', script], cwd: work });
    await waitFor(() => readFileSync(run.logPath, 'utf8').includes('loss'), 10_000, 'first log line');
    const res = await stopRun(runner, run.id, { interruptGraceMs: 5000 });
    assert.deepEqual(res.signals, ['SIGINT']);
    assert.equal(res.run.state, 'stopped');
    assert.equal(res.run.exitCode, 130);
    assert.match(readFileSync(run.logPath, 'utf8'), /interrupted, saving checkpoint/);
    assert.equal(processesInGroup(run.pgid!).length, 0);
  } finally { cleanup(); }
});

test('hostile argv, cwd and env values reach the process unchanged and run nothing', async () => {
  const { work, runner, cleanup } = setup();
  try {
    const canary = join(work, 'CANARY');
    const hostile = [`$(touch ${canary})`, `\`touch ${canary}\``, `'; touch ${canary}; '`, `"; touch ${canary}; "`, 'new\nline', 'tab\there', 'ünïcødé ✓', '*', '-n', ''];
    const cwd = join(work, `dir with 'quotes' and $(x)`);
    require('node:fs').mkdirSync(cwd);
    const run = await launchRun(runner, {
      argv: [PY, '-c', 'import sys, os, json; print(json.dumps({"argv": sys.argv[1:], "cwd": os.getcwd(), "v": os.environ["HOSTILE"]}))', ...hostile],
      cwd, env: { HOSTILE: hostile.join('|') }, name: hostile.join(' '),
    });
    await waitFor(async () => !(await isRunActive(runner, run)), 10_000, 'run end');
    const out = JSON.parse(readFileSync(run.logPath, 'utf8'));
    assert.deepEqual(out, { argv: hostile, cwd, v: hostile.join('|') });
    assert.equal(existsSync(canary), false);
  } finally { cleanup(); }
});

test('startRun from code: `~/dir` resolved on the host, missing cwd refused before a run dir exists, waitForRun gives the exit', async () => {
  const { home, work, runner, cleanup } = setup();
  try {
    await assert.rejects(startRun(runner, { argv: [PY, '-c', 'pass'], cwd: '~/nope' }), new RegExp(`working directory ${home}/nope does not exist on local`));
    assert.deepEqual(await listRuns(runner), [], 'a refused start leaves no run directory');
    mkdirSync(join(home, 'proj'));
    const run = await startRun(runner, { argv: [PY, '-c', 'import os,sys; print(os.getcwd(), os.environ["EXPORT_OPSET"]); sys.exit(4)'], cwd: '~/proj', env: { EXPORT_OPSET: '17' }, name: 'export' });
    assert.equal(run.cwd, join(home, 'proj'));
    const ac = new AbortController();
    const final = await waitForRun(runner, run, { pollMs: 100, signal: ac.signal });
    assert.equal(final.state, 'failed');
    assert.equal(final.exitCode, 4);
    assert.equal(readFileSync(run.logPath, 'utf8'), `${join(home, 'proj')} 17\n`);
    // An aborted wait rejects with the signal's reason and leaves the run alone.
    const sleeper = await startRun(runner, { argv: [PY, '-c', 'import time; time.sleep(30)'], cwd: work });
    const ac2 = new AbortController();
    const waiting = waitForRun(runner, sleeper, { pollMs: 50, signal: ac2.signal });
    ac2.abort(new Error('gave up'));
    await assert.rejects(waiting, /gave up/);
    assert.equal(await isRunActive(runner, sleeper), true);
    await stopRun(runner, sleeper.id, { interruptGraceMs: 2000 });
    assert.equal((await getRun(runner, sleeper.id)).state, 'stopped');
  } finally { cleanup(); }
});
