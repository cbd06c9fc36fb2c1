// Run state from the end of the log (issue 12): crashed runs with their reason and last error, PYTHONUNBUFFERED in
// every run's environment, argv labels as a shell would need them typed. Runs are launched on the local host with
// their own runs home (a temp dir), removed afterwards.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RUN_WRAPPER } from '../../src/core/runs/commands';
import { CRASH_TAIL_BYTES, crashOfLog } from '../../src/core/runs/crash';
import { slurmBatchScript } from '../../src/core/runs/slurm';
import { LocalRunner } from '../../src/remote/localRunner';
import { isRunActive, launchRun, listRuns, runSettingsOf } from '../../src/remote/runs';
import { createMetricsFeed, tokensPerStepOf } from '../../src/core/metrics';
import { assertKnownHost, UnknownHostError } from '../../src/remote/hosts';
import { resolveHost } from '../../src/remote/sshConfig';
import { commandLabel } from '../../src/views/runs/format';
import { main } from '../../src/cli/main';

test('crashOfLog: the first crash line is the reason, the last one the last error; exit 137 alone reads as killed', () => {
  // as in the corpus' torchtune full-finetune OOM (rank-prefixed on every rank), then torchrun's elastic report
  const tail = [
    "[rank1]: torch.OutOfMemoryError: CUDA out of memory. Tried to allocate 424.00 MiB. GPU 1 has a total capacity of 21.96 GiB",
    "[rank0]: torch.OutOfMemoryError: CUDA out of memory. Tried to allocate 424.00 MiB. GPU 0 has a total capacity of 21.96 GiB",
    'torch.distributed.elastic.multiprocessing.errors.ChildFailedError: ',
  ].join('\n');
  assert.deepEqual(crashOfLog(tail, 1), { reason: 'CUDA out of memory', lastError: 'torch.distributed.elastic.multiprocessing.errors.ChildFailedError:' });
  assert.equal(crashOfLog('step 10 loss 2.3\n', 137)?.reason.startsWith('killed'), true);
  assert.equal(crashOfLog('step 10 loss 2.3\n', 1), undefined);
});

test('crashOfLog: a traceback caught and logged while training goes on is no crash; at the end of the log it is (issue 12)', () => {
  // huggingface/transformers#27013-style: pushing checkpoint-20 to the Hub fails with a 504, the Trainer logs the
  // exception with its traceback and trains on (steps 30, 40); the run then fails for another reason (exit 1).
  const bar = (n: number) => ` ${n}%|          | ${n}/100 [00:10<01:30,  1.00it/s]`;
  const dict = (s: number) => `{'loss': ${(2 - s / 100).toFixed(4)}, 'learning_rate': 1e-05, 'epoch': ${s / 100}}`;
  const tb = ['Traceback (most recent call last):', '  File "/usr/lib/python3.10/site-packages/huggingface_hub/utils/_errors.py", line 304, in hf_raise_for_status',
    '    response.raise_for_status()', 'huggingface_hub.utils._errors.HfHubHTTPError: 504 Server Error: Gateway Time-out for url: https://huggingface.co/api/models/u/m/commit/main'];
  const before = [bar(10), dict(10), bar(10), bar(20), dict(20), bar(20)];
  const after = [bar(30), dict(30), bar(30), bar(40), dict(40), bar(40)];
  assert.equal(crashOfLog([...before, ...tb, ...after].join('\n'), 1), undefined);
  assert.deepEqual(crashOfLog([...before, ...tb].join('\n'), 1), { reason: 'huggingface_hub.utils._errors.HfHubHTTPError', lastError: tb[3] });
  // a caught traceback, then training, then a real crash: the crash names the run's end
  const oom = 'torch.OutOfMemoryError: CUDA out of memory. Tried to allocate 2.00 GiB.';
  assert.deepEqual(crashOfLog([...before, ...tb, ...after, oom].join('\n'), 1), { reason: 'CUDA out of memory', lastError: oom });
});

test('crashOfLog: a tail of 200 caught tracebacks, each followed by a later record, is no crash; one left unfollowed is', () => {
  // huggingface/transformers#27013-style again: every checkpoint push fails with a 504 and is logged with its traceback
  // while training goes on (a 64 KiB tail can hold a couple of hundred of them). crashOfLog reads the tail once.
  const bar = (n: number) => ` ${Math.floor(n / 10)}%|          | ${n}/1000 [00:10<01:30,  1.00it/s]`;
  const tb = ['Traceback (most recent call last):', '  File "huggingface_hub/utils/_errors.py", line 304, in hf_raise_for_status',
    'huggingface_hub.utils._errors.HfHubHTTPError: 504 Server Error: Gateway Time-out'];
  const lines: string[] = [];
  for (let s = 1; s <= 200; s++) lines.push(`{'loss': ${(2 - s / 1000).toFixed(4)}, 'epoch': ${s / 1000}}`, bar(s), ...tb);
  const unfollowed = lines.join('\n');
  assert.ok(unfollowed.length < CRASH_TAIL_BYTES);
  assert.deepEqual(crashOfLog(unfollowed, 1), { reason: 'huggingface_hub.utils._errors.HfHubHTTPError', lastError: tb[2] });
  assert.equal(crashOfLog(`${unfollowed}\n{'loss': 1.7990, 'epoch': 0.201}\n${bar(201)}\n`, 1), undefined);
});

/** What the Runs view (crashOfLog) and the metrics feed (crash alerts, `lastError`) make of one log. */
function bothReads(log: string) {
  const feed = createMetricsFeed('r', 'log', { now: null });
  feed.pushChunk(log);
  feed.end();
  const crash = crashOfLog(log, 1);
  return { crash, feedLastError: feed.lastError?.line, feedCrashes: feed.snapshot().alerts.filter((a) => a.kind === 'crash').length };
}

// The Runs view (crashOfLog) and the metrics feed take the crash from the same parser's crash events (issue 12 review:
// crashOfLog had its own copy of the caught-traceback rule). Where the two copies disagreed, each case below says which
// was right; both readers now give that answer.
test('a rank\'s traceback, then torchrun\'s report of it: the traceback is the reason, torchrun\'s line the last error, in both', () => {
  // torchrun tail (pytorch/pytorch#118369-style). The feed named the traceback its last error: it was confirmed at the
  // log's end, after the ChildFailedError that followed it; a line that ends runs now confirms it at once.
  const torchrun = ['[rank1]: Traceback (most recent call last):', '[rank1]:   File "train.py", line 88, in <module>',
    '[rank1]: ValueError: Expected input batch_size (8) to match target batch_size (16).',
    'torch.distributed.elastic.multiprocessing.errors.ChildFailedError: '].join('\n');
  const t = bothReads(`iter 1: loss 2.5000, time 100.00ms\n${torchrun}\n`);
  assert.deepEqual(t.crash, { reason: 'ValueError', lastError: 'torch.distributed.elastic.multiprocessing.errors.ChildFailedError:' });
  assert.deepEqual([t.feedLastError, t.feedCrashes], [t.crash?.lastError, 2]);
});

// A Trainer run without progress bars (disable_tqdm: dict lines only, each the next record): the 504 of a checkpoint
// push (transformers#27013) logged with its traceback, then training logs on.
const dictOnly = (s: number) => `{'loss': ${(2 - s / 100).toFixed(4)}, 'learning_rate': 1e-05, 'epoch': ${s / 100}}`;
const hub504 = ['Traceback (most recent call last):', '  File "/usr/lib/python3.10/site-packages/huggingface_hub/utils/_errors.py", line 304, in hf_raise_for_status',
  'huggingface_hub.utils._errors.HfHubHTTPError: 504 Server Error: Gateway Time-out'];
const fiveDicts = [1, 2, 3, 4, 5].map(dictOnly);

test('records without a printed step after a caught traceback: training went on, in both; none after it: a crash', () => {
  // crashOfLog parsed the lines after the traceback apart and numbered them from 1 again (never later than before it);
  // the parser let a last dict, still waiting for a bar at the end, withdraw nothing (a tail with one dict before the
  // traceback and one after it: the first dict of a log waits for a bar that may give its step).
  for (const log of [[...fiveDicts, ...hub504, dictOnly(6)], [...fiveDicts, ...hub504, dictOnly(6), dictOnly(7)], [dictOnly(5), ...hub504, dictOnly(6)]]) {
    const r = bothReads(`${log.join('\n')}\n`);
    assert.deepEqual([r.crash, r.feedLastError, r.feedCrashes], [undefined, undefined, 0], log.join('\n'));
  }
  const end = bothReads(`${[...fiveDicts, ...hub504].join('\n')}\n`);
  assert.deepEqual([end.crash?.lastError, end.feedLastError, end.feedCrashes], [hub504[2], hub504[2], 1]);
});

test('a traceback that ended a launch stays a crash when the run is launched again and trains on past it, in both', () => {
  // a requeued job appending to its log: the traceback ended the first launch, as an OOM there would have (crashOfLog
  // withdrew it for the later launch's records at later steps, the feed raised it)
  const bar = (n: number) => ` ${n}%|          | ${n}/100 [00:10<01:30,  1.00it/s]`;
  const rec = (s: number) => [bar(s), dictOnly(s), bar(s)];
  const relaunch = bothReads(`${[...rec(10), ...rec(20), ...hub504, '***** Running training *****', ...rec(30), ...rec(40)].join('\n')}\n`);
  assert.deepEqual([relaunch.crash?.lastError, relaunch.feedLastError, relaunch.feedCrashes], [hub504[2], hub504[2], 1]);
});

test('a crash line glued after a bar behind a rank prefix: the line without the prefix, in both', () => {
  // LlamaFactory#8261 (corpus): `[1763] ... 24/1752 [01:08<1:22:56,  2.88s/it][rank5]:[E602 ...` (the feed kept `[rank5]:`)
  const lf = bothReads(readFileSync(join(__dirname, '..', 'fixtures', 'logs', 'llamafactory__numbered-log-loss-to-zero-then-nccl-timeout.log'), 'utf8'));
  assert.equal(lf.feedLastError, lf.crash?.lastError);
  assert.match(lf.feedLastError!, /^\[E602 /);
});

test('a local run that dies on a traceback is crashed, with exit code, reason and last error in its record', async () => {
  const home = mkdtempSync(join(tmpdir(), 'llmt-home-'));
  const work = mkdtempSync(join(tmpdir(), 'llmt-work-'));
  try {
    const runner = new LocalRunner({ home });
    // no -u and no env: the wrapper's PYTHONUNBUFFERED=1 is what makes the print reach the log before the crash
    const script = "import os\nprint('PYTHONUNBUFFERED=' + os.environ.get('PYTHONUNBUFFERED', '<unset>'))\nraise ValueError('Expected input batch_size (8) to match target batch_size (16).')\n";
    const run = await launchRun(runner, { argv: ['python3', '-c', script], cwd: work });
    for (let i = 0; i < 200 && (await isRunActive(runner, run)); i++) await new Promise((r) => setTimeout(r, 50));
    const [r] = await listRuns(runner);
    assert.equal(r.state, 'crashed');
    assert.equal(r.exitCode, 1);
    assert.equal(r.crashReason, 'ValueError');
    assert.equal(r.lastError, 'ValueError: Expected input batch_size (8) to match target batch_size (16).');
    assert.match(readFileSync(run.logPath, 'utf8'), /^PYTHONUNBUFFERED=1$/m);
    // the record on disk keeps no live state
    assert.equal(JSON.parse(readFileSync(join(run.logPath, '..', 'run.json'), 'utf8')).lastError, undefined);
  } finally { rmSync(home, { recursive: true, force: true }); rmSync(work, { recursive: true, force: true }); }
});

test('the run wrapper keeps a PYTHONUNBUFFERED the user set', () => {
  const dirs: string[] = [];
  const out = (env: NodeJS.ProcessEnv) => {
    const dir = mkdtempSync(join(tmpdir(), 'llmt-w-'));
    dirs.push(dir);
    return execFileSync('sh', ['-c', RUN_WRAPPER, 'w', dir, 'sh', '-c', 'printf %s "${PYTHONUNBUFFERED-unset}"'], { env }).toString();
  };
  try {
    const base = { PATH: process.env.PATH };
    assert.equal(out(base), '1');
    assert.equal(out({ ...base, PYTHONUNBUFFERED: '' }), '');
    assert.equal(out({ ...base, PYTHONUNBUFFERED: '0' }), '0');
  } finally { for (const d of dirs) rmSync(d, { recursive: true, force: true }); } // issue 14: no temp folder left
});

test('run labels show arguments as a shell would need them typed', () => {
  assert.equal(commandLabel(['python3', '-c', "print('a b/c')"]), `python3 -c 'print('\\''a b/c'\\'')'`);
  assert.equal(commandLabel(['/usr/bin/torchrun', '--nproc_per_node', '8']), 'torchrun --nproc_per_node 8');
  assert.equal(commandLabel(['python', 'scripts/train.py', '--config', 'configs/my run.yaml', 'x.yaml']), 'train.py x.yaml');
});

test('--host with an alias the ssh config does not have: unknown, with the known ones, before any DNS lookup', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'llmt-ssh-'));
  try {
    const cfg = join(dir, 'config');
    writeFileSync(cfg, 'Host gpu-node1\n  HostName 10.0.0.11\nHost gpu-node2 login\n  User me\nHost *\n  ServerAliveInterval 30\n');
    assert.throws(() => assertKnownHost('gpu-nod1', { sshConfigPath: cfg }), (e: Error) => e instanceof UnknownHostError
      && e.message === `unknown host "gpu-nod1": it is not a Host alias in ${cfg}; known hosts: local, gpu-node1, gpu-node2, login (or give user@host)`);
    assertKnownHost('gpu-node2', { sshConfigPath: cfg });
    assertKnownHost('me@10.0.0.12', { sshConfigPath: cfg });
    // through the CLI: one line on stderr, exit 1, and no connection attempt (it returns at once)
    const write = process.stderr.write;
    let err = '';
    process.stderr.write = ((c: string | Uint8Array) => { err += String(c); return true; }) as typeof process.stderr.write;
    let code: number;
    try { code = await main(['runs', '--host', 'gpu-nod1', '--ssh-config', cfg]); } catch (e) { code = 1; err += (e as Error).message; } finally { process.stderr.write = write; }
    assert.equal(code, 1);
    assert.match(err, /unknown host "gpu-nod1".*known hosts: local, gpu-node1, gpu-node2, login/);
  } finally { rmSync(dir, { recursive: true, force: true }); }
});

test('--host with a name a Host pattern matches (`Host gpu-*`, `*.internal`): known, as ssh(1) would apply the block', () => {
  const dir = mkdtempSync(join(tmpdir(), 'llmt-ssh-'));
  try {
    const cfg = join(dir, 'config');
    // a cluster's nodes configured by pattern, one excluded; a lone `Host *` names no host
    writeFileSync(cfg, 'Host login\n  HostName 10.0.0.1\nHost gpu-?? !gpu-00\n  User me\n  ProxyJump login\nHost *.internal\n  User you\nHost *\n  ServerAliveInterval 30\n');
    assertKnownHost('gpu-17', { sshConfigPath: cfg });
    assertKnownHost('node3.internal', { sshConfigPath: cfg });
    assert.equal(resolveHost('gpu-17', cfg).user, 'me'); // the block the pattern names applies
    for (const bad of ['gpu-00', 'gpu-1', 'gpu-123', 'internal', 'elsewhere']) {
      assert.throws(() => assertKnownHost(bad, { sshConfigPath: cfg }), (e: Error) => e instanceof UnknownHostError
        && e.message === `unknown host ${JSON.stringify(bad)}: it is not a Host alias in ${cfg} and matches none of its Host patterns; known hosts: local, login; patterns: gpu-?? !gpu-00, *.internal (or give user@host)`, bad);
    }
  } finally { rmSync(dir, { recursive: true, force: true }); }
});

test('run settings from the config snapshot and the launch command (tokens per step for the chart)', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'llmt-cfg-'));
  try {
    const cfg = join(dir, 'config.yaml');
    writeFileSync(cfg, 'per_device_train_batch_size: 4\ngradient_accumulation_steps: 8\nmax_seq_length: 2048\nlearning_rate: 2.0e-5\n');
    const run = { id: 'x', host: 'local', argv: ['torchrun', '--nproc_per_node', '8', 'train.py', '--config', cfg], cwd: dir, envNames: [], startTime: '', state: 'running' as const, logPath: join(dir, 'output.log'), configSnapshot: cfg };
    const s = await runSettingsOf(new LocalRunner({ home: dir }), run);
    assert.deepEqual([s.microBatchSize, s.gradientAccumulationSteps, s.seqLength, s.worldSize], [4, 8, 2048, 8]);
    assert.deepEqual(s.sources, { microBatchSize: 'config', gradientAccumulationSteps: 'config', seqLength: 'config', worldSize: 'launch command' });
    assert.equal(tokensPerStepOf(s)?.tokensPerStep, 4 * 8 * 8 * 2048);
    // no config: only what the command says; a broken one does not throw
    writeFileSync(cfg, 'a: [unclosed\n');
    assert.deepEqual(await runSettingsOf(new LocalRunner({ home: dir }), run), { sources: { worldSize: 'launch command' }, worldSize: 8 });
  } finally { rmSync(dir, { recursive: true, force: true }); }
});

// Found by the Launch Run UI test in CI: Stop Run sends SIGINT first, tiny-gpt prints the KeyboardInterrupt traceback,
// and the run showed a crash alert (warning icon) instead of its stopped state. A stop is not a crash.
test('a KeyboardInterrupt or SystemExit traceback is the echo of a stop, not a crash; a real exception still is', () => {
  const tb = (exc: string) => `step 120\nTraceback (most recent call last):\n  File "train.py", line 9, in <module>\n    main()\n${exc}\n`;
  assert.equal(crashOfLog(tb('KeyboardInterrupt')), undefined);
  assert.equal(crashOfLog(tb('SystemExit: 2')), undefined);
  assert.equal(crashOfLog(tb('RuntimeError: CUDA error: device-side assert triggered'))?.lastError, 'RuntimeError: CUDA error: device-side assert triggered');
  assert.equal(crashOfLog(tb('ValueError: bad shape'))?.reason, 'ValueError');
});

// The corpus' crash tails (public reports, see test/fixtures/logs/SOURCES.tsv), read the way the Runs view reads a run's
// log end: the reason is the first crash line, the last error the last one, with no progress-bar text glued before it.
test('crash tails of the corpus logs: reason and last error per kind; logs that end cleanly are no crash', () => {
  const tail = (f: string) => crashOfLog(readFileSync(join(__dirname, '..', 'fixtures', 'logs', f), 'utf8').slice(-CRASH_TAIL_BYTES));
  const dsa = tail('cuda__device-side-assert-embedding-index-out-of-range.log');
  assert.equal(dsa?.reason, 'CUDA device-side assert');
  assert.match(dsa!.lastError, /^\.\.\/aten\/src\/ATen\/native\/cuda\/Indexing\.cu:1146: indexSelectLargeIndex: .*Assertion `srcIndex < srcSelectDimSize` failed\.$/);
  const oom = tail('hf-trainer__oom-tried-to-allocate-64GiB.log');
  assert.equal(oom?.reason, 'CUDA out of memory');
  assert.match(oom!.lastError, /^OutOfMemoryError: CUDA out of memory\. Tried to allocate 64\.00 GiB\./);
  // torchtune on 4 ranks: every rank prints the OOM with its `[rankN]:` prefix; the prefix is not part of the error
  assert.match(tail('torchtune__full-finetune-distributed-oom-rank-prefixed.log')!.lastError, /^torch\.OutOfMemoryError: CUDA out of memory\. Tried to allocate 424\.00 MiB\. GPU 0 /);
  const nemo = tail('nemo-lightning__progress-bar-metrics-then-nccl-timeout.log');
  assert.deepEqual([nemo?.reason, nemo?.lastError], ['NCCL watchdog timeout', '[E ProcessGroupNCCL.cpp:458] [Rank 7] Watchdog caught collective operation timeout: WorkNCCL(SeqNum=64088, OpType=ALLREDUCE, Timeout(ms)=1800000) ran for 25625251 milliseconds before timing out.']);
  // LlamaFactory#8261: the watchdog line is glued to the bar at 24/1752 behind the excerpt's line number `[1763]`
  const lf = tail('llamafactory__numbered-log-loss-to-zero-then-nccl-timeout.log');
  assert.deepEqual(lf, { reason: 'NCCL watchdog timeout', lastError: '[E602 11:17:52.185053341 ProcessGroupNCCL.cpp:632] [Rank 5] Watchdog caught collective operati' });
  for (const f of ['nanogpt__nan-after-iter-3000-fp16-v100.log', 'tiny-gpt__max-steps-60-eval-at-50.log', 'megatron-llm__llama-steady-gbs1024.log']) assert.equal(tail(f), undefined, f);
});

test('llmtrain runs --format json: exit code, crash reason and last error of crashed runs (an OOM, a SIGKILL)', async () => {
  const home = mkdtempSync(join(tmpdir(), 'llmt-home-'));
  const work = mkdtempSync(join(tmpdir(), 'llmt-work-'));
  const saved = process.env.LLMTRAIN_LOCAL_HOME;
  try {
    const runner = new LocalRunner({ home });
    // the OOM as torch prints it (stderr goes to the log too), then exit 1
    const oom = "import sys\nprint('step 1 loss 2.5', flush=True)\nsys.stderr.write('torch.OutOfMemoryError: CUDA out of memory. Tried to allocate 2.00 GiB. GPU 0 has a total capacity of 23.65 GiB\\n')\nsys.exit(1)\n";
    const a = await launchRun(runner, { argv: ['python3', '-c', oom], cwd: work, name: 'oom' });
    // a SIGKILL (the kernel's OOM killer): the run wrapper's shell reports `Killed` into the log, the exit status is 137
    const b = await launchRun(runner, { argv: ['sh', '-c', 'echo step 1; kill -9 $$'], cwd: work, name: 'killed' });
    for (const r of [a, b]) for (let i = 0; i < 200 && (await isRunActive(runner, r)); i++) await new Promise((res) => setTimeout(res, 50));
    process.env.LLMTRAIN_LOCAL_HOME = home;
    const write = process.stdout.write;
    let out = '';
    process.stdout.write = ((c: string | Uint8Array) => { out += String(c); return true; }) as typeof process.stdout.write;
    let code: number;
    try { code = await main(['runs', '--format', 'json']); } finally { process.stdout.write = write; }
    assert.equal(code, 0);
    const runs = JSON.parse(out) as { id: string; state: string; exitCode?: number; crashReason?: string; lastError?: string }[];
    const byId = new Map(runs.map((r) => [r.id, r]));
    const ra = byId.get(a.id)!, rb = byId.get(b.id)!;
    assert.deepEqual([ra.state, ra.exitCode, ra.crashReason], ['crashed', 1, 'CUDA out of memory']);
    assert.equal(ra.lastError, 'torch.OutOfMemoryError: CUDA out of memory. Tried to allocate 2.00 GiB. GPU 0 has a total capacity of 23.65 GiB');
    assert.deepEqual([rb.state, rb.exitCode], ['crashed', 137]);
    assert.match(rb.crashReason!, /^killed/);
    assert.match(rb.lastError!, /\bKilled\b/);
  } finally {
    if (saved === undefined) delete process.env.LLMTRAIN_LOCAL_HOME; else process.env.LLMTRAIN_LOCAL_HOME = saved;
    rmSync(home, { recursive: true, force: true }); rmSync(work, { recursive: true, force: true });
  }
});

test('a Slurm batch script runs its command with PYTHONUNBUFFERED=1 unless the run\'s env sets it', () => {
  // the script as sbatch would run it (direct launcher: no srun needed), executed by sh here
  const run = (env: Record<string, string>) => {
    const dir = mkdtempSync(join(tmpdir(), 'llmt-slurm-'));
    try {
      const script = slurmBatchScript({ runDir: dir, argv: ['python3', '-c', "import os; print(os.environ.get('PYTHONUNBUFFERED', '<unset>'))"], env, slurm: { launcher: 'direct' } });
      writeFileSync(join(dir, 'job.sh'), script);
      const { PYTHONUNBUFFERED: _drop, ...base } = process.env;
      const out = execFileSync('sh', [join(dir, 'job.sh')], { env: base }).toString().trim();
      return [out, JSON.parse(readFileSync(join(dir, 'exit.json'), 'utf8')).exitCode];
    } finally { rmSync(dir, { recursive: true, force: true }); }
  };
  assert.deepEqual(run({}), ['1', 0]);
  assert.deepEqual(run({ PYTHONUNBUFFERED: '' }), ['', 0]);
});
