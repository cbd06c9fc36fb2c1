import { test } from 'node:test';
import assert from 'node:assert/strict';
import { endedDescription, failureMessage, isEnded, lastErrorLine, shortTime, shouldNotifyFailure, stateWord } from '../../src/views/runs/runState';
import { stopEscalationText, STOP_INTERRUPT_GRACE_MS, STOP_TERMINATE_GRACE_MS } from '../../src/core/runs/stop';
import type { RunRecord } from '../../src/core/runs/types';

// Local-time constructors, so the expected `HH:MM` holds in any TZ.
const now = new Date(2026, 11, 5, 15, 30);
const at = (h: number, m: number, day = 5) => new Date(2026, 11, day, h, m).toISOString();

test('ended runs say what they are and when they ended, never progress or an ETA', () => {
  assert.equal(endedDescription({ state: 'finished', exitCode: 0, endTime: at(14, 2) }, undefined, now), 'finished · 14:02');
  assert.equal(endedDescription({ state: 'stopped', exitCode: 130, endTime: at(9, 5) }, '2.345', now), 'stopped · 09:05 · loss 2.345');
  assert.equal(endedDescription({ state: 'failed', exitCode: 3, endTime: at(14, 2) }, undefined, now), 'failed (exit 3) · 14:02');
  assert.equal(endedDescription({ state: 'crashed', exitCode: 1, crashReason: 'CUDA out of memory', endTime: at(14, 2) }, undefined, now), 'crashed (exit 1) · CUDA out of memory · 14:02');
  assert.equal(endedDescription({ state: 'finished', exitCode: 0, endTime: at(23, 59, 4) }, undefined, now), 'finished · 2026-12-04 23:59');
  assert.equal(endedDescription({ state: 'failed', error: 'no such directory' }, undefined, now), 'failed to start');
  assert.doesNotMatch(endedDescription({ state: 'stopped', endTime: at(14, 2) }, '1.0', now), /ETA|step/);
});

test('state word shows a non-zero exit code of failures only', () => {
  assert.equal(stateWord({ state: 'failed', exitCode: 3 }), 'failed (exit 3)');
  assert.equal(stateWord({ state: 'failed' }), 'failed');
  assert.equal(stateWord({ state: 'stopped', exitCode: 130 }), 'stopped');
  assert.equal(stateWord({ state: 'finished', exitCode: 0 }), 'finished');
  assert.equal(isEnded('running'), false);
  assert.equal(isEnded('unknown'), false);
  assert.equal(isEnded('stopped'), true);
  assert.equal(shortTime('not a date', now), undefined);
});

test('the last error line: the crash line, else the last error-like line, else the last line', () => {
  const tb = 'step 1 loss 2.0\nTraceback (most recent call last):\n  File "train.py", line 3, in <module>\nValueError: learning rate must be positive\n';
  assert.equal(lastErrorLine(tb, 1), 'ValueError: learning rate must be positive');
  assert.equal(lastErrorLine('step 1\nerror: config.yaml has no model section\nbye\n', 3), 'error: config.yaml has no model section');
  assert.equal(lastErrorLine('step 1\n\x1b[31mgiving up\x1b[0m\n\n', 3), 'giving up');
  assert.equal(lastErrorLine('', 3), undefined);
  assert.equal(lastErrorLine(`error: ${'x'.repeat(400)}`, 3)!.length, 300);
});

test('the failure notice names the run, the exit code and the line', () => {
  assert.equal(failureMessage('fail.py · local', { state: 'failed', exitCode: 3 }, 'error: bad config'), 'Run fail.py · local failed with exit code 3: error: bad config');
  assert.equal(failureMessage('x · local', { state: 'crashed', exitCode: 1, crashReason: 'CUDA out of memory' }, 'torch.OutOfMemoryError: CUDA out of memory.'), 'Run x · local crashed (CUDA out of memory) with exit code 1: torch.OutOfMemoryError: CUDA out of memory.');
  assert.equal(failureMessage('x · h', { state: 'failed', error: "can't cd to /nope" }), "Run x · h failed to start: can't cd to /nope");
});

test('a failure is notified once, and old failures never seen running are not', () => {
  const nowMs = Date.parse('2026-12-05T12:00:00Z');
  const run: Pick<RunRecord, 'id' | 'state' | 'endTime' | 'startTime'> = { id: 'r1', state: 'failed', startTime: '2026-12-05T11:00:00Z', endTime: '2026-12-05T11:59:00Z' };
  assert.equal(shouldNotifyFailure(run, new Set(), false, nowMs), true);
  assert.equal(shouldNotifyFailure(run, new Set(['r1']), true, nowMs), false);
  const old = { ...run, endTime: '2026-11-01T00:00:00Z' };
  assert.equal(shouldNotifyFailure(old, new Set(), false, nowMs), false);
  assert.equal(shouldNotifyFailure(old, new Set(), true, nowMs), true);
  assert.equal(shouldNotifyFailure({ ...run, state: 'stopped' }, new Set(), true, nowMs), false);
  assert.equal(shouldNotifyFailure({ ...run, state: 'crashed' }, new Set(), false, nowMs), true);
});

test('the Stop dialog tells the escalation stopRun performs, in its order', () => {
  const text = stopEscalationText();
  const order = ['SIGINT', 'SIGTERM', 'SIGKILL'].map((s) => text.indexOf(s));
  assert.ok(order.every((i) => i >= 0), text);
  assert.deepEqual([...order].sort((a, b) => a - b), order, 'SIGINT, then SIGTERM, then SIGKILL');
  assert.match(text, new RegExp(`SIGTERM after ${STOP_INTERRUPT_GRACE_MS / 1000} s`));
  assert.match(text, new RegExp(`SIGKILL ${STOP_TERMINATE_GRACE_MS / 1000} s after that`));
  assert.match(stopEscalationText({ interruptGraceMs: 2500 }), /SIGTERM after 2\.5 s/);
  assert.match(stopEscalationText({ slurmJobId: '4242' }), /^scancel 4242/);
});
