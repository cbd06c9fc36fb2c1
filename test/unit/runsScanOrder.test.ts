import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseRunScan } from '../../src/core/runs/commands';

test('run scan lists newest first by startTime, also for runs started in the same second (ids sort by their random suffix)', () => {
  const run = (dir: string, startTime: string) => `\u001eLLMTRAIN run ${dir}\n${JSON.stringify({ id: dir, startTime, state: 'running' })}\n`;
  // Same second in the id; the suffix order (zzz > aaa) is the opposite of the start order.
  const stdout = run('20261129-144000-x-zzzzzz', '2026-11-29T14:40:00.100Z') + run('20261129-144000-x-aaaaaa', '2026-11-29T14:40:00.900Z')
    + run('20261129-143959-x-mmmmmm', '2026-11-29T14:39:59.500Z') + '\u001eLLMTRAIN ps -\n';
  assert.deepEqual(parseRunScan(stdout).runs.map((r) => r.dir), ['20261129-144000-x-aaaaaa', '20261129-144000-x-zzzzzz', '20261129-143959-x-mmmmmm']);
});
