import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fc from 'fast-check';
import { shellCommand, shellJoin, shellQuote } from '../../src/core/runs/quote';
import { isValidRunId, makeRunId, sanitizeRunName } from '../../src/core/runs/runId';
import { parseGpuQuery, parseRunScan, resolveRunState } from '../../src/core/runs/commands';

const HOSTILE = ["'", '"', '$(touch /tmp/x)', '`id`', '\\', '\n', '\r\n', ' ', '\t', '!', '*', '?', '~', '#', ';', '&', '|', '>', '<', '{a,b}', '${HOME}', 'é✓日本', '\u0001\u001b[31m', '-n', '--', ''];
const hostileString = fc.array(fc.oneof(fc.constantFrom(...HOSTILE), fc.string({ unit: 'binary' }).map((s) => s.replace(/\0/g, ''))), { maxLength: 8 }).map((parts) => parts.join(''));

/** Runs `printf '%s\0' ARGS` through real /bin/sh (dash) and returns the args it saw. */
function roundTrip(shell: string, args: string[]): string[] {
  const r = spawnSync(shell, ['-c', `printf '%s\\0' ${shellJoin(args)}`], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  return r.stdout.split('\0').slice(0, -1);
}

test('shellQuote round-trips hostile strings through dash and bash unchanged (property)', () => {
  for (const shell of ['/bin/sh', '/bin/bash']) {
    fc.assert(fc.property(fc.array(hostileString, { minLength: 1, maxLength: 5 }), (args) => {
      assert.deepEqual(roundTrip(shell, args), args);
    }), { numRuns: 150 });
  }
});

test('shellQuote leaves plain words alone, quotes everything else, refuses NUL', () => {
  assert.equal(shellQuote('train.py'), 'train.py');
  assert.equal(shellQuote('--lr=3e-4'), '--lr=3e-4');
  assert.equal(shellQuote(''), "''");
  assert.equal(shellQuote("it's"), `'it'\\''s'`);
  assert.equal(shellQuote('$(id)'), `'$(id)'`);
  assert.throws(() => shellQuote('a\0b'), /NUL/);
  assert.throws(() => shellJoin([]), /empty/);
});

test('shellCommand refuses env names that could inject and quotes values', () => {
  assert.throws(() => shellCommand(['true'], { env: { 'A;touch x': '1' } }), /invalid environment variable name/);
  assert.equal(shellCommand(['echo', 'a b'], { cwd: '/t mp', env: { K: "v'1" } }), `cd -- '/t mp' && K='v'\\''1' exec echo 'a b'`);
  const r = spawnSync('/bin/sh', ['-c', shellCommand(['/bin/sh', '-c', 'printf %s "$K"'], { env: { K: '$(id)`id`\n' } })], { encoding: 'utf8' });
  assert.equal(r.stdout, '$(id)`id`\n');
});

test('run ids: safe path component whatever the name (property)', () => {
  fc.assert(fc.property(fc.string({ unit: 'binary', maxLength: 80 }), (name) => {
    const id = makeRunId(name);
    assert.ok(isValidRunId(id), id);
    assert.ok(!id.includes('/') && id !== '.' && id !== '..');
  }), { numRuns: 300 });
  assert.equal(sanitizeRunName('../../etc/passwd'), 'etc-passwd');
  assert.equal(sanitizeRunName('Llama-3 8B SFT (lr=2e-5)'), 'llama-3-8b-sft-lr-2e-5');
  assert.equal(makeRunId('x', new Date(Date.UTC(2026, 0, 2, 3, 4, 5)), () => 0), '20260102-030405-x-aaaaaa');
  assert.equal(isValidRunId('../x'), false);
  assert.equal(isValidRunId('20260102-030405-aaaaaa'), true);
});

test('run scan parsing and live state: exit file wins, zombies are not alive', () => {
  const stdout = '\u001eLLMTRAIN run a\n{"id":"a","pgid":10,"state":"running"}\n\u001eLLMTRAIN run b\n{"id":"b","pgid":20,"state":"running"}\n\u001eLLMTRAIN exit b\n{"exitCode":0,"endTime":"T"}\n\u001eLLMTRAIN run c\n{broken\n\u001eLLMTRAIN ps -\n   10    10 Z\n   11    10 Zs\n   20    20 S\n';
  const { runs, procs } = parseRunScan(stdout);
  assert.deepEqual(runs.map((r) => r.dir), ['c', 'b', 'a']);
  assert.match(runs[0].error!, /unreadable run.json/);
  assert.equal(procs.length, 3);
  assert.equal(resolveRunState({ record: runs[2].record! }, procs).state, 'unknown');
  assert.deepEqual(resolveRunState({ record: runs[1].record!, exit: runs[1].exit }, procs), { state: 'finished', exitCode: 0, endTime: 'T' });
  assert.equal(resolveRunState({ record: runs[2].record!, stop: { requestedAt: 'T' } }, procs).state, 'stopped');
});

test('nvidia-smi parsing: devices, [N/A] fields, and a host without GPUs said plainly', () => {
  const st = parseGpuQuery({ exitCode: 0, stderr: '', stdout: '0, NVIDIA H100 80GB HBM3, GPU-abc, 97, 70123, 81559, 64, 612.34\n1, NVIDIA H100 80GB HBM3, GPU-def, [N/A], 3, 81559, 31, [N/A]\n' });
  assert.ok(st.available);
  assert.deepEqual(st.gpus[1], { index: 1, name: 'NVIDIA H100 80GB HBM3', uuid: 'GPU-def', utilizationGpu: undefined, memoryUsed: 3, memoryTotal: 81559, temperature: 31, powerDraw: undefined });
  assert.deepEqual(parseGpuQuery({ exitCode: 127, stdout: '', stderr: '' }), { available: false, reason: 'no GPUs: nvidia-smi is not installed on this host' });
  const noDriver = parseGpuQuery({ exitCode: 9, stdout: 'NVIDIA-SMI has failed because it couldn\'t communicate with the NVIDIA driver.\n', stderr: '' });
  assert.equal(noDriver.available, false);
});
