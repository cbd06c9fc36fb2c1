// Crashes a fresh tester of issue 12 found misread (/work/notes/t12-inputs): a CUDA OOM caught in a traceback and
// trained past still raised a crash alert (caught-oom.log), as did fairseq's recovered OOM warning (fairseq-oom.log);
// `llmtrain runs --format json` gave a segfault (exit 139) and a run that failed on its own error line (exit 2) no
// crashReason / lastError. The metrics feed (crash alerts) and the Runs view (`crashOfLog`) read the same tail alike.
// Runs are launched on the local host with their own runs home (a temp dir), removed afterwards.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createMetricsFeed } from '../../src/core/metrics';
import { crashOfLog } from '../../src/core/runs/crash';
import { LocalRunner } from '../../src/remote/localRunner';
import { isRunActive, launchRun } from '../../src/remote/runs';
import type { RunRecord } from '../../src/core/runs/types';
import { cli } from '../cli';

/** The crash alerts of a log read whole by a metrics feed (`kind@step: message`), and the lastError it keeps. */
function feedCrashes(log: string, quiet = false): { alerts: string[]; lastError: string | undefined } {
  const feed = createMetricsFeed('r', 'log', { now: null });
  feed.pushChunk(log);
  if (quiet) feed.settle(); else feed.end();
  return { alerts: feed.snapshot().alerts.filter((a) => a.kind === 'crash').map((a) => `${a.kind}@${a.step}`), lastError: feed.lastError?.line };
}

// The Trainer's bar and its dicts (transformers `Trainer`: the dict is printed with tqdm.write between bar redraws).
const bar = (n: number) => ` ${n}%|          | ${n}/100 [00:${String(n).padStart(2, '0')}<01:00,  1.00s/it]`;
const dict = (s: number) => `{'loss': ${(2.5 - s / 100).toFixed(4)}, 'grad_norm': 1.05, 'learning_rate': 1e-05, 'epoch': ${(s / 100).toFixed(2)}}`;
function trainer(from: number, to: number): string[] {
  const l: string[] = [];
  for (let s = from; s <= to; s++) { l.push(bar(s)); if (s % 5 === 0) l.push(dict(s), bar(s)); }
  return l;
}

test('a CUDA OOM caught in a traceback and trained past is no crash, in the feed and in crashOfLog; at the end it is', () => {
  // The tester's caught-oom.log: an eval callback's sample generation (`model.generate(..., max_new_tokens=2048)`)
  // runs out of memory at step 20, the callback logs the traceback and skips the samples, and training goes on to
  // step 40. The exception line is torch's CUDACachingAllocator message (torch >= 2.5 raises torch.OutOfMemoryError).
  const tb = ['Traceback (most recent call last):', '  File "train.py", line 120, in on_evaluate', '    out = model.generate(**batch, max_new_tokens=2048)',
    '  File "/usr/lib/python3/dist-packages/torch/utils/_contextlib.py", line 116, in decorate_context', '    return func(*args, **kwargs)',
    'torch.OutOfMemoryError: CUDA out of memory. Tried to allocate 3.91 GiB. GPU 0 has a total capacity of 79.10 GiB of which 1.02 GiB is free. Including non-PyTorch memory, this process has 78.07 GiB memory in use.',
    'skipping sample generation for this eval'];
  const caught = [...trainer(1, 20), ...tb, ...trainer(21, 40)].join('\n') + '\n';
  assert.deepEqual(feedCrashes(caught), { alerts: [], lastError: undefined });
  assert.equal(crashOfLog(caught, 1), undefined);

  // the same OOM as the end of the log (the run died there): a crash in both, at the end or when the log went quiet
  const died = [...trainer(1, 20), ...tb.slice(0, 6)].join('\n') + '\n';
  assert.deepEqual(feedCrashes(died), { alerts: ['crash@20'], lastError: tb[5] });
  assert.deepEqual(feedCrashes(died, true).alerts, ['crash@20']);
  assert.deepEqual(crashOfLog(died, 1), { reason: 'CUDA out of memory', lastError: tb[5] });

  // an NCCL error raised in a traceback waits the same way (c10d: `RuntimeError: NCCL communicator was aborted on rank 3.`)
  const nccl = 'RuntimeError: NCCL communicator was aborted on rank 3.  Original reason for failure was: [Rank 3] Watchdog caught collective operation timeout';
  const ncclCaught = [...trainer(1, 20), 'Traceback (most recent call last):', '  File "train.py", line 88, in sync_metrics', nccl, ...trainer(21, 30)].join('\n') + '\n';
  assert.deepEqual(feedCrashes(ncclCaught).alerts, []);
  assert.equal(crashOfLog(ncclCaught, 1), undefined);

  // a bare OOM line (no traceback around it), a `Killed`, an NCCL watchdog line: at once, even if lines follow
  for (const line of ['torch.OutOfMemoryError: CUDA out of memory. Tried to allocate 2.00 GiB.', 'Killed',
    '[rank1]:[E1106 10:11:12.123456789 ProcessGroupNCCL.cpp:616] [Rank 1] Watchdog caught collective operation timeout: WorkNCCL(SeqNum=4312, OpType=ALLREDUCE, NumelIn=1, NumelOut=1, Timeout(ms)=600000) ran for 600021 milliseconds before timing out.']) {
    const log = [...trainer(1, 20), line, ...trainer(21, 30)].join('\n') + '\n';
    assert.deepEqual(feedCrashes(log).alerts, ['crash@20'], line);
    assert.notEqual(crashOfLog(log, 1), undefined, line);
  }
  // a device-side assert in a traceback leaves the CUDA context unusable: at once
  const assertTb = [...trainer(1, 20), 'Traceback (most recent call last):', '  File "train.py", line 190, in main',
    'RuntimeError: CUDA error: device-side assert triggered', ...trainer(21, 30)].join('\n') + '\n';
  assert.deepEqual(feedCrashes(assertTb).alerts, ['crash@20']);
});

test("fairseq's recovered OOM (its trainer skips the batch and trains on) is no crash; at the end of the log it is", () => {
  // fairseq `trainer.py` `train_step`: on a RuntimeError with 'out of memory' it calls `_log_oom(e)` (logger.warning
  // `OOM: Ran out of memory with exception: {exc}`), then warns `attempting to recover from OOM in forward/backward
  // pass`, zeroes the grads and goes on with the next batch. The records around it are the tester's fairseq-oom.log
  // (nanoGPT-style `iter N: loss ...` lines), then the same with fairseq's own `--log-format json` records.
  const oom = '2024-01-01 10:00:00 | WARNING | fairseq.trainer | OOM: Ran out of memory with exception: CUDA out of memory. Tried to allocate 1.50 GiB (GPU 0; 39.59 GiB total capacity; 36.12 GiB already allocated; 1.02 GiB free; 37.00 GiB reserved in total by PyTorch)';
  const recover = '2024-01-01 10:00:00 | WARNING | fairseq.trainer | attempting to recover from OOM in forward/backward pass';
  const iter = (i: number) => `iter ${i}: loss ${(2 + i / 10).toFixed(1)}, time 100.00ms, mfu 10.00%`;
  const log = [iter(1), iter(2), iter(3), oom, recover, iter(4), iter(5), iter(6)].join('\n') + '\n';
  assert.deepEqual(feedCrashes(log).alerts, []);
  assert.equal(crashOfLog(log, 1), undefined);
  const json = (u: number) => `2024-01-01 10:00:0${u} | INFO | train_inner | {"epoch": 1, "update": ${(u / 10).toFixed(3)}, "loss": "9.5", "num_updates": "${u * 100}"}`;
  const jlog = [json(1), json(2), oom, recover, json(3), json(4)].join('\n') + '\n';
  assert.deepEqual(feedCrashes(jlog).alerts, []);
  assert.equal(crashOfLog(jlog, 1), undefined);
  // the warning as the last words of the log (the run died right after it): a crash
  const end = [iter(1), iter(2), iter(3), oom, recover].join('\n') + '\n';
  assert.deepEqual(feedCrashes(end), { alerts: ['crash@3'], lastError: oom });
  assert.deepEqual(crashOfLog(end, 1), { reason: 'CUDA out of memory', lastError: oom });
});

test('a segfault is a crash: the shell\'s `Segmentation fault` line, or exit 139 / -11 alone (as exit 137 reads as killed)', () => {
  // dash (the run wrapper's sh) prints `Segmentation fault` when its foreground child dies of SIGSEGV, bash
  // `bash: line 1: 12345 Segmentation fault      (core dumped) python train.py`; Python's faulthandler
  // `Fatal Python error: Segmentation fault`. The exit status is 128 + 11 = 139 (a Python parent sees -11).
  for (const line of ['Segmentation fault (core dumped)', 'Segmentation fault', 'bash: line 1: 12345 Segmentation fault      (core dumped) python train.py', 'Fatal Python error: Segmentation fault']) {
    const c = crashOfLog(`step 1 loss 2.5\n${line}\n`, 139);
    assert.deepEqual(c, { reason: 'segmentation fault (SIGSEGV, exit 139)', lastError: line }, line);
    assert.deepEqual(feedCrashes(`iter 1: loss 2.5, time 100.00ms, mfu 10.00%\n${line}\n`).alerts, ['crash@1'], line);
  }
  for (const code of [139, -11]) assert.deepEqual(crashOfLog('step 1 loss 2.5\n', code), { reason: 'segmentation fault (SIGSEGV, exit 139)', lastError: `exit code ${code}` });
  // a log that only names the words is no crash
  assert.equal(crashOfLog('checking for Segmentation fault handlers: none\n', 1), undefined);
});

test('llmtrain runs --format json: a segfault (exit 139) is crashed with its reason; a failed run\'s lastError is its last log line', async () => {
  const home = mkdtempSync(join(tmpdir(), 'llmt-home-'));
  const work = mkdtempSync(join(tmpdir(), 'llmt-work-'));
  const saved = process.env.LLMTRAIN_LOCAL_HOME;
  try {
    const runner = new LocalRunner({ home });
    const launched = await Promise.all([
      // a real segfault (a NULL read through ctypes): the run wrapper's sh reports `Segmentation fault`, exit 139
      "import ctypes\nprint('step 1 loss 2.5', flush=True)\nctypes.string_at(0)\n",
      // the tester's exit2.py: a data check prints its own error and exits 2 (no line that ends runs); a blank line after
      "import sys\nprint('iter 1: loss 2.9000, time 100.00ms, mfu 10.00%')\nprint('ERROR: dataset shard 17 is corrupt, aborting', file=sys.stderr)\nprint('')\nsys.exit(2)\n",
    ].map((script) => launchRun(runner, { argv: ['python3', '-c', script], cwd: work })));
    for (const r of launched) for (let i = 0; i < 200 && (await isRunActive(runner, r)); i++) await new Promise((res) => setTimeout(res, 50));
    process.env.LLMTRAIN_LOCAL_HOME = home;
    const { code, out } = await cli(['runs', '--format', 'json']);
    assert.equal(code, 0);
    const byId = new Map((JSON.parse(out) as RunRecord[]).map((r) => [r.id, r]));
    const [segv, exit2] = launched.map((r) => byId.get(r.id)!);
    assert.deepEqual([segv.state, segv.exitCode, segv.crashReason], ['crashed', 139, 'segmentation fault (SIGSEGV, exit 139)']);
    assert.match(segv.lastError!, /^Segmentation fault\b/);
    assert.deepEqual([exit2.state, exit2.exitCode, exit2.crashReason, exit2.lastError], ['failed', 2, undefined, 'ERROR: dataset shard 17 is corrupt, aborting']);
  } finally {
    if (saved === undefined) delete process.env.LLMTRAIN_LOCAL_HOME; else process.env.LLMTRAIN_LOCAL_HOME = saved;
    rmSync(home, { recursive: true, force: true }); rmSync(work, { recursive: true, force: true });
  }
});
