// UI test of "Open Log as Chart" on a log that is still being written (issue 12): the panel follows the file, so lines
// appended after it opened become points, and a crash line appended at the end is an alert on the chart. The log is
// nanoGPT's iteration format (`iter N: loss X, time Tms, mfu M%`, karpathy/nanoGPT train.py), written to a temp dir.
import * as assert from 'node:assert/strict';
import { appendFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { workbench } from './workbench';
import { chartWhere, runCommand, type DrawSummary } from './chart';

const DIR = mkdtempSync(join(tmpdir(), 'llmts-ui-follow-'));
const LOG = join(DIR, 'growing-train.log');
const iter = (i: number) => `iter ${i}: loss ${(4 - i * 0.05).toFixed(4)}, time 101.00ms, mfu 12.00%\n`;

suite('Open Log as Chart follows a growing log (UI)', function () {
  this.timeout(180_000);
  suiteTeardown(() => rmSync(DIR, { recursive: true, force: true }));

  test('lines appended after opening become points; an OOM line appended is an alert', async () => {
    const wb = workbench();
    writeFileSync(LOG, Array.from({ length: 20 }, (_, i) => iter(i + 1)).join(''));
    await wb.openInEditor(LOG, 'growing-train.log');
    await runCommand('LLM Training: Open Log as Chart');

    const loss = (s: DrawSummary) => s.series.find((r) => r.name === 'loss');
    const first = await chartWhere('the 20 points present at open', (s) => loss(s)?.inRange === 20);
    assert.equal(first.s.alerts, 0);
    // the run goes on: 10 more iterations, then the process dies of an OOM (torch's message, as in the corpus' OOM logs)
    appendFileSync(LOG, Array.from({ length: 10 }, (_, i) => iter(i + 21)).join(''));
    const more = await chartWhere('the 10 appended points', (s) => loss(s)?.inRange === 30);
    assert.equal(more.s.series.find((r) => r.name === 'loss')!.drawnMin, Math.fround(4 - 30 * 0.05));
    appendFileSync(LOG, 'torch.OutOfMemoryError: CUDA out of memory. Tried to allocate 2.00 GiB. GPU 0 has a total capacity of 23.65 GiB\n');
    const crashed = await chartWhere('the crash alert', (s) => s.alerts === 1);
    assert.equal(loss(crashed.s)!.inRange, 30);
    await wb.screenshot('log-follow-crash');
    await runCommand('View: Close All Editors');
  });
});
