import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runSpec, DEFAULT_SPEC_TIMEOUT_MS } from '../../src/remote/commands';
import { processTableCommand } from '../../src/core/runs/commands';
import { scancelCommand, scontrolShowJobCommand, slurmEndProblem, SlurmQueryError, squeueCommand } from '../../src/core/runs/slurm';
import type { Runner } from '../../src/remote/types';

/** A Runner whose exec answers from a table; the one part of Runner runSpec uses (a real host is in test/remote). */
function cannedRunner(answer: (argv: string[]) => { stdout: string; stderr: string; exitCode: number | null }) {
  const calls: { argv: string[]; timeoutMs?: number }[] = [];
  const runner = { host: 'h', exec: async (argv: string[], opts?: { timeoutMs?: number }) => { calls.push({ argv, timeoutMs: opts?.timeoutMs }); return answer(argv); } } as unknown as Runner;
  return { runner, calls };
}

test('runSpec runs the argv once with the default or given time limit and returns what parse reads', async () => {
  const { runner, calls } = cannedRunner(() => ({ stdout: '  10   10 Ss\n  11   10 R+\n  12   12 Z\n', stderr: '', exitCode: 0 }));
  assert.deepEqual(await runSpec(runner, processTableCommand()), [{ pid: 10, pgid: 10, stat: 'Ss' }, { pid: 11, pgid: 10, stat: 'R+' }, { pid: 12, pgid: 12, stat: 'Z' }]);
  await runSpec(runner, processTableCommand(), { timeoutMs: 5 });
  assert.deepEqual(calls, [{ argv: ['ps', '-A', '-o', 'pid=', '-o', 'pgid=', '-o', 'stat='], timeoutMs: DEFAULT_SPEC_TIMEOUT_MS }, { argv: ['ps', '-A', '-o', 'pid=', '-o', 'pgid=', '-o', 'stat='], timeoutMs: 5 }]);
});

test('runSpec rejects with the parser\'s reason: a failed ps is not an empty process table', async () => {
  const { runner } = cannedRunner(() => ({ stdout: '', stderr: 'ps: cannot open /proc', exitCode: 1 }));
  await assert.rejects(runSpec(runner, processTableCommand()), /ps: cannot open \/proc/);
  const refused = cannedRunner(() => ({ stdout: '', stderr: 'scancel: error: Invalid job id specified', exitCode: 1 }));
  await assert.rejects(runSpec(refused.runner, scancelCommand('123')), /Invalid job id/);
});

test('Slurm queries: an unknown job id is "no such job", any other failure is SlurmQueryError, never "ended"', async () => {
  const out = (stderr: string, exitCode: number) => ({ stdout: '', stderr, exitCode });
  // squeue with one unknown id (the message Slurm 22-24 print for ESLURM_INVALID_JOB_ID)
  assert.deepEqual(squeueCommand(['7']).parse(out('slurm_load_jobs error: Invalid job id specified\n', 1)), new Map());
  assert.equal(scontrolShowJobCommand('7').parse(out('slurm_load_jobs error: Invalid job id specified\n', 1)), undefined);
  const down = 'squeue: error: Unable to contact slurm controller (connect failure)\nslurm_load_jobs error: Unable to contact slurm controller (connect failure)\n';
  assert.throws(() => squeueCommand(['7', '8']).parse(out(down, 1)), (e: Error) => e instanceof SlurmQueryError && /squeue failed \(exit 1\): slurm_load_jobs error: Unable to contact slurm controller/.test(e.message));
  assert.throws(() => scontrolShowJobCommand('7').parse(out('slurm_load_jobs error: Socket timed out on send/recv operation\n', 1)), SlurmQueryError);
  // `-o %i|%T|%r`: id, long state, reason (squeue(1) JOB REASON CODES; `None` when there is none)
  const jobs = squeueCommand(['7', '8', '9']).parse({ stdout: '7|RUNNING|None\n8|TIMEOUT|TimeLimit\n9|PENDING|Resources\n', stderr: '', exitCode: 0 });
  assert.deepEqual([...jobs], [['7', { state: 'RUNNING', reason: 'None' }], ['8', { state: 'TIMEOUT', reason: 'TimeLimit' }], ['9', { state: 'PENDING', reason: 'Resources' }]]);
  assert.deepEqual([...jobs.values()].map(slurmEndProblem), [undefined, 'TIMEOUT (TimeLimit)', undefined]);
  assert.equal(slurmEndProblem({ state: 'NODE_FAIL', reason: 'NodeDown' }), 'NODE_FAIL (NodeDown)');
  assert.equal(slurmEndProblem({ state: 'OUT_OF_MEMORY', reason: 'OutOfMemory' }), 'OUT_OF_MEMORY (OutOfMemory)');
  assert.equal(slurmEndProblem({ state: 'FAILED', reason: 'None' }), 'FAILED');
  assert.equal(slurmEndProblem({ state: 'CANCELLED by 0', reason: 'None' }), undefined); // the user stopped it
  assert.equal(slurmEndProblem({ state: 'COMPLETED' }), undefined);
});
