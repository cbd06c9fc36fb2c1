// UI tests of the loss-curve panel in the real workbench (code-server + Chromium, driven through test/ui/workbench.ts):
// 1. "LLM Training: Open Log as Chart" on a real trainer_state.json draws exactly the points the core parses from it
//    (train loss and eval_loss on one axis), under the webview's strict CSP; screenshot test-results/loss-curve-log.png.
// 2. A single spike in a 1M-point series is drawn at full zoom-out (drawn max = the spike) from a few thousand points,
//    and zooming re-resolves from the full data; screenshot test-results/loss-curve-1m-spike.png.
// The chart exposes what it drew as JSON in `#chart[data-chart]` (DrawSummary in webview-ui/metrics/chart.ts).
import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Frame } from 'playwright-core';
import { parseLog } from '../../src/core/metrics';
import { workbench, waitFor } from './workbench';

const ROOT = resolve(__dirname, '..', '..');
const LOG = join(ROOT, 'test', 'fixtures', 'logs', 'hf-trainer_state__tinyllama-sft-trl.json');

interface DrawSummary {
  total: number; drawn: number; xMin: number; xMax: number; zoomed: boolean; alerts: number; draws: number;
  series: { run: string; name: string; inRange: number; drawn: number; drawnMin: number | null; drawnMax: number | null }[];
}

async function summary(frame: Frame): Promise<DrawSummary | undefined> {
  const json = await frame.locator('#chart').getAttribute('data-chart', { timeout: 2_000 }).catch(() => null);
  return json ? (JSON.parse(json) as DrawSummary) : undefined;
}

/** The visible chart webview whose summary satisfies `until`. */
async function chartWhere(what: string, until: (s: DrawSummary) => boolean, timeoutMs = 90_000): Promise<{ frame: Frame; s: DrawSummary }> {
  const wb = workbench();
  return waitFor(what, async () => {
    const frame = await wb.webviewFrame({ hasSelector: '#chart[data-chart]', timeoutMs: 5_000 }).catch(() => undefined);
    const s = frame && (await summary(frame));
    return frame && s && until(s) ? { frame, s } : undefined;
  }, timeoutMs, 500);
}

suite('Loss curve panel (UI)', function () {
  this.timeout(240_000);
  const cspErrors: string[] = [];

  suiteSetup(() => {
    workbench().page.on('console', (m) => { if (/Content Security Policy|Refused to (load|apply|execute)/i.test(m.text()) && /metrics|sparklines|vscode-resource|webview/i.test(m.text())) cspErrors.push(m.text()); });
  });

  test('Open Log as Chart draws the points parsed from a real trainer_state.json (loss and eval_loss)', async () => {
    const wb = workbench();
    const page = wb.page;
    // What the metrics core makes of the file (the extension parses it with the same core).
    const parsed = parseLog(readFileSync(LOG), { fileName: 'trainer_state.json' }).points;
    const expected = new Map<string, number[]>();
    for (const p of parsed) { if (!expected.has(p.series)) expected.set(p.series, []); expected.get(p.series)!.push(p.value); }
    assert.ok((expected.get('loss')?.length ?? 0) > 100 && (expected.get('eval_loss')?.length ?? 0) > 5, 'fixture lost its loss/eval_loss points');

    // Open the file in an editor through Quick Open (an absolute path works there), then run the command on it.
    await page.keyboard.press('Control+P');
    await wb.quickInput.locator('input').waitFor({ state: 'visible' });
    await wb.quickInput.locator('input').fill(LOG);
    await waitFor('the quick open to list the file', async () => ((await wb.quickPickLabels()).some((l) => l.includes('tinyllama-sft-trl.json')) ? true : undefined), 30_000);
    await page.keyboard.press('Enter');
    await waitFor('the log editor to be active', async () => {
      const labels = await page.locator('.tab.active').evaluateAll((els) => els.map((e) => `${e.getAttribute('aria-label') ?? ''} ${e.textContent ?? ''}`));
      return labels.some((l) => l.includes('tinyllama-sft-trl.json')) ? true : undefined;
    }, 30_000);
    await wb.runCommand('LLM Training: Open Log as Chart');

    const { frame, s } = await chartWhere('the chart of the log with loss and eval_loss drawn', (x) => x.series.some((r) => r.name === 'eval_loss') && x.series.some((r) => r.name === 'loss'));
    for (const name of ['loss', 'eval_loss']) {
      const want = expected.get(name)!;
      const got = s.series.find((r) => r.name === name)!;
      assert.equal(got.inRange, want.length, `${name}: points in the chart vs parsed`);
      assert.equal(got.drawn, want.length, `${name}: a few hundred points are drawn as they are`);
      const finite = want.filter(Number.isFinite);
      // The core's MetricStore keeps values as float32 (src/core/metrics/store.ts), so compare at that precision.
      assert.equal(got.drawnMax, Math.fround(Math.max(...finite)), `${name}: drawn max`);
      assert.equal(got.drawnMin, Math.fround(Math.min(...finite)), `${name}: drawn min`);
    }
    assert.equal(s.zoomed, false);
    // Non-loss series (learning_rate, grad_norm, ...) start hidden but are listed as toggles.
    const toggles = await frame.locator('#series vscode-checkbox').evaluateAll((els) => els.map((e) => e.getAttribute('label')));
    assert.ok(toggles.includes('learning_rate') && toggles.includes('loss') && toggles.includes('eval_loss'), `toggles: ${toggles.join(', ')}`);
    assert.match(await frame.locator('#points').innerText(), /^\d[\d,]* of \d[\d,]* points/);
    // The log's text reaches the page only as text: the title is the file name, set with textContent.
    assert.equal(await frame.locator('.toolbar .title').innerText(), 'hf-trainer_state__tinyllama-sft-trl.json');
    await wb.screenshot('loss-curve-log');
  });

  test('a single spike in a 1M-point series is drawn at full zoom-out, and zooming re-resolves from the full data', async () => {
    const wb = workbench();
    // Showing the LLM Training container activates the extension (its views), which sets the context key that lists
    // the development-only command in the palette.
    await wb.page.locator('.activitybar [aria-label^="LLM Training"]').first().click();
    await wb.waitForText('Runs', 30_000);
    await wb.runCommand('LLM Training: Open Synthetic Chart (development)', 60_000);
    const { frame, s } = await chartWhere('the 1M-point chart to be drawn', (x) => x.series.some((r) => r.name === 'loss' && r.inRange === 1_000_000));
    const loss = s.series.find((r) => r.name === 'loss')!;
    const width = await frame.evaluate(() => Math.round(document.querySelector('#chart')!.clientWidth * devicePixelRatio));
    assert.equal(loss.drawnMax, 42, 'the spike at step 654,321 is the drawn maximum');
    assert.ok(loss.drawn <= 8 * width + 2, `drew ${loss.drawn} points for ${width} pixel columns`);
    assert.ok(loss.drawn >= width / 2, `drew only ${loss.drawn} points`);
    assert.equal(s.alerts, 1, 'the spike alert is marked');
    await wb.screenshot('loss-curve-1m-spike');

    // Zoom to 100k steps around the spike (the same path a drag-select takes), then back out (double-click path).
    await frame.evaluate(() => (window as unknown as { __lossChart: { zoomTo(a: number, b: number): void } }).__lossChart.zoomTo(600_000, 700_000));
    const z = await waitFor('the zoomed draw', async () => { const x = await summary(frame); return x?.zoomed ? x : undefined; }, 20_000);
    const zl = z.series.find((r) => r.name === 'loss')!;
    assert.equal(zl.inRange, 100_001);
    assert.equal(zl.drawnMax, 42);
    assert.ok(zl.drawn <= 4 * width + 2 + 2);
    await frame.locator('#chart .u-over').dblclick();
    const back = await waitFor('the full view again', async () => { const x = await summary(frame); return x && !x.zoomed ? x : undefined; }, 20_000);
    assert.equal(back.series.find((r) => r.name === 'loss')!.inRange, 1_000_000);
    assert.deepEqual(cspErrors, [], 'the webview ran without CSP violations');
  });
});
