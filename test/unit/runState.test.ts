import { test } from 'node:test';
import assert from 'node:assert/strict';
import { endedLabel, failureMessage, formatClock, lastLogLine, stopSequenceText, STOP_GRACE } from '../../src/core/runs/runState';
import { checkRunName, defaultRunName } from '../../src/core/runs/runName';
import { describeRun } from '../../src/views/runs/format';

// Local-time dates, so the expectations hold in any TZ.
const now = new Date(2026, 11, 5, 15, 30);
const at = (h: number, m: number, day = 5, year = 2026) => new Date(year, 11, day, h, m).toISOString();

test('an ended run says how it ended and when, with the exit code of a failure', () => {
  assert.equal(endedLabel({ state: 'finished', endTime: at(14, 2), exitCode: 0 }, now), 'finished · 14:02');
  assert.equal(endedLabel({ state: 'stopped', endTime: at(9, 5), exitCode: 130 }, now), 'stopped · 09:05');
  assert.equal(endedLabel({ state: 'failed', endTime: at(14, 2), exitCode: 3 }, now), 'failed (exit 3) · 14:02');
  assert.equal(endedLabel({ state: 'crashed', endTime: at(14, 2), exitCode: 1, crashReason: 'CUDA out of memory' }, now), 'crashed: CUDA out of memory (exit 1) · 14:02');
  assert.equal(endedLabel({ state: 'failed' }, now), 'failed');
  assert.equal(endedLabel({ state: 'finished', endTime: at(14, 2, 4) }, now), 'finished · Dec 4 14:02');
  assert.equal(endedLabel({ state: 'finished', endTime: at(14, 2, 4, 2025) }, now), 'finished · Dec 4 2025 14:02');
  for (const state of ['running', 'starting', 'unknown'] as const) assert.equal(endedLabel({ state, endTime: at(1, 1) }, now), undefined);
  assert.equal(formatClock('not a date', now), undefined);
});

test('an ended run has no rate and no ETA; a running one keeps them', () => {
  const progress = { step: 249, total: 400, rate: 5, rateUnit: 'it/s', etaSeconds: 28 };
  assert.equal(describeRun({ progress, loss: 1.5, ended: true }), 'step 249/400 · loss 1.5');
  assert.equal(describeRun({ progress, loss: 1.5 }), 'step 249/400 · loss 1.5 · 5 it/s · ETA 0:28');
});

test('the failure notice has the exit code and the last line of the log', () => {
  assert.equal(lastLogLine('step 1\nValueError: bad lr\n\n  \n'), 'ValueError: bad lr');
  assert.equal(lastLogLine('\x1b[31merror: boom\x1b[0m\r\n'), 'error: boom');
  assert.equal(lastLogLine('\n \n'), undefined);
  assert.equal(lastLogLine(`${'x'.repeat(400)}\n`)!.length, 300);
  assert.equal(failureMessage('tiny-gpt', { state: 'failed', exitCode: 3, host: 'local' }, 'ValueError: bad lr'), 'Run tiny-gpt failed (exit 3) on local: ValueError: bad lr');
  assert.equal(failureMessage('r1', { state: 'crashed', exitCode: 1, crashReason: 'CUDA out of memory', host: 'gpu1' }), 'Run r1 crashed: CUDA out of memory (exit 1) on gpu1');
});

test('the Stop dialog names the signals in the order stopRun sends them, with its grace periods', () => {
  const t = stopSequenceText();
  const i = t.indexOf('SIGINT'), j = t.indexOf('SIGTERM'), k = t.indexOf('SIGKILL');
  assert.ok(i >= 0 && i < j && j < k, t);
  assert.match(t, new RegExp(`SIGTERM follows if it is still running ${STOP_GRACE.interruptGraceMs / 1000} s later`));
  assert.match(stopSequenceText({ interruptGraceMs: 5000, terminateGraceMs: 20_000 }), /SIGKILL follows if it is still running 20 s after that/);
  assert.match(stopSequenceText(STOP_GRACE, true), /^scancel/);
});

test('default run names tell runs of one config apart: folder, config, launch time', () => {
  const start = new Date(2026, 11, 5, 14, 2);
  assert.equal(defaultRunName({ cwd: '/home/u/examples/tiny-gpt', config: 'tiny-gpt/config.yaml', argv: ['python3', 'train.py', 'config.yaml'], start }), 'tiny-gpt · config.yaml · 14:02');
  assert.equal(defaultRunName({ cwd: '~/proj/', argv: ['/usr/bin/python3', 'scripts/fit.py', '--lr', '3e-4'], start }), 'proj · fit.py · 14:02');
  assert.equal(defaultRunName({ cwd: 'C:\\work\\exp', argv: ['torchrun'], start: new Date(2026, 0, 1, 9, 5) }), 'exp · torchrun · 09:05');
  assert.equal(defaultRunName({ cwd: '~', start }), '14:02');
  assert.deepEqual(checkRunName('  lr sweep\n3e-4 '), { name: 'lr sweep 3e-4' });
  assert.ok('error' in checkRunName('   '));
  assert.ok('error' in checkRunName('x'.repeat(201)));
});
