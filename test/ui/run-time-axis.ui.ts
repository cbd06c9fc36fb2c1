// UI test of a finished run's chart on the time axes (issue 11, "The chart must not mislead"): a real run (python3,
// about 20 s, each record dated by the logging prefix as Python's logging prints it) opened after it ended from the
// Runs view spans its whole duration on Relative time (0:00 to its length, not only the last seconds) and on Wall
// time, with tick labels that each name a different moment. Screenshots: test-results/run-time-axis-relative.png and
// run-time-axis-wall.png.
import * as assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { LocalRunner } from '../../src/remote/localRunner';
import { launchRun, stopRun, waitForRun } from '../../src/remote/runs';
import type { RunRecord } from '../../src/core/runs/types';
import { workbench } from './workbench';
import { chartWhere } from './chart';

const PYTHON = '/usr/bin/python3';
// 80 records, 0.25 s apart, each with a `2026-01-02 10:00:05,250 - INFO - {...}` prefix in UTC (what logging's
// default asctime looks like; the parser reads a zone-less stamp as UTC).
const SCRIPT = `import time, datetime
for s in range(1, 81):
    now = datetime.datetime.now(datetime.timezone.utc).strftime('%Y-%m-%d %H:%M:%S,%f')[:-3]
    print(f"{now} - INFO - {{'loss': {3.0 - s * 0.02:.4f}, 'learning_rate': 0.001, 'epoch': {s / 80:.3f}, 'step': {s}}}", flush=True)
    time.sleep(0.25)
`;

suite('Run chart time axes (UI)', function () {
  this.timeout(180_000);
  let run: RunRecord | undefined;
  let cwd = '';
  let runner: LocalRunner;
  suiteSetup(() => {
    assert.ok(process.env.LLMTRAIN_LOCAL_HOME, 'the harness sets LLMTRAIN_LOCAL_HOME');
    runner = new LocalRunner({ home: process.env.LLMTRAIN_LOCAL_HOME });
    cwd = mkdtempSync(join(tmpdir(), 'llmts-time-axis-'));
  });
  suiteTeardown(async () => {
    if (run) { await stopRun(runner, run.id, { interruptGraceMs: 500, terminateGraceMs: 500 }).catch(() => undefined); rmSync(dirname(run.logPath), { recursive: true, force: true }); }
    rmSync(cwd, { recursive: true, force: true });
    await workbench().runCommand('View: Close All Editors').catch(() => undefined);
  });

  /** Picks an option of the chart's X axis select (a vscode-single-select) the way a change by the user arrives. */
  async function pickAxis(value: string): Promise<void> {
    const frame = await workbench().webviewFrame({ hasSelector: '#x-axis' });
    await frame.locator('#x-axis').evaluate((el, v) => { (el as HTMLElement & { value: string }).value = v; el.dispatchEvent(new Event('change', { bubbles: true })); }, value);
  }
  test('a finished run spans its whole duration on Relative time and Wall time, with distinct tick labels', async () => {
    const wb = workbench();
    run = await launchRun(runner, { argv: [PYTHON, '-u', '-c', SCRIPT], cwd, name: 'time-axis-ui' });
    assert.equal((await waitForRun(runner, run)).state, 'finished');
    await wb.runCommand('LLM Training: Refresh Runs');
    await wb.showViewContainer('LLM Training');
    const row = wb.page.locator('.part.sidebar .monaco-list-row').filter({ hasText: 'time-axis-ui' }).first();
    await row.waitFor({ state: 'visible', timeout: 30_000 });
    await wb.contextMenu(row, 'Show Loss Curve');
    await chartWhere('the run chart with its 80 loss points', (s) => s.series.some((r) => r.name === 'loss' && r.inRange === 80));

    await pickAxis('relative');
    const rel = await chartWhere('the relative-time chart', (s) => s.series.some((r) => r.name === 'loss' && r.inRange === 80) && s.xMax > 15);
    // 80 records 0.25 s apart: 0 to about 20 s (the run's first record is time 0).
    assert.equal(rel.s.xMin, 0);
    assert.ok(rel.s.xMax > 19 && rel.s.xMax < 30, `relative span ${rel.s.xMin}..${rel.s.xMax} s`);
    const relTicks = rel.s.xTicks.filter(Boolean);
    assert.ok(relTicks.length >= 3, relTicks.join(' | '));
    assert.equal(new Set(relTicks).size, relTicks.length, `tick labels repeat: ${relTicks.join(' | ')}`);
    for (const t of relTicks) assert.match(t, /^\d+:\d\d$/, `relative tick '${t}' reads m:ss`);
    await wb.screenshot('run-time-axis-relative');

    await pickAxis('wall');
    const wall = await chartWhere('the wall-time chart', (s) => s.series.some((r) => r.name === 'loss' && r.inRange === 80) && s.xMin > 1e9);
    const started = Date.parse(run.startTime) / 1000;
    assert.ok(wall.s.xMin >= started - 1 && wall.s.xMin < started + 10, `wall start ${wall.s.xMin} vs run start ${started}`);
    assert.ok(wall.s.xMax - wall.s.xMin > 19, `wall span ${wall.s.xMax - wall.s.xMin} s`);
    const wallTicks = wall.s.xTicks.filter(Boolean);
    assert.ok(wallTicks.length >= 3, wallTicks.join(' | '));
    assert.equal(new Set(wallTicks).size, wallTicks.length, `tick labels repeat: ${wallTicks.join(' | ')}`);
    // 24-hour clock with seconds (the ticks are seconds apart), the date under the first: as the Runs view prints times.
    assert.match(wallTicks[0], /^\d\d:\d\d:\d\d\n\d{4}-\d\d-\d\d$/, wallTicks[0]);
    for (const t of wallTicks.slice(1)) assert.match(t, /^\d\d:\d\d:\d\d$/, t);
    await wb.screenshot('run-time-axis-wall');
  });
});
