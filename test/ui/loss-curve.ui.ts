// UI tests of the loss-curve panel in the real workbench (code-server + Chromium, driven through test/ui/workbench.ts):
// 1. "LLM Training: Open Log as Chart" on a real trainer_state.json draws exactly the points the core parses from it
//    (train loss and eval_loss on one axis), under the webview's strict CSP; screenshot test-results/loss-curve-log.png.
// 2. A single spike in a 1M-point series is drawn at full zoom-out (drawn max = the spike) from a few thousand points,
//    and zooming re-resolves from the full data; screenshot test-results/loss-curve-1m-spike.png.
// 3. A live feed's appends are drawn; hidden behind another editor (the webview is destroyed: no
//    retainContextWhenHidden) and shown again, the panel gets a fresh snapshot with every point and its view options.
// 4. Rescaled loss on a log resumed under another transformers version divides only the launch that scales the loss.
// The chart exposes what it drew as JSON in `#chart[data-chart]` (DrawSummary in webview-ui/metrics/chart.ts).
import * as assert from 'node:assert/strict';
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseLog } from '../../src/core/metrics';
import { workbench, waitFor } from './workbench';
import { chartWhere, runCommand, summary, type DrawSummary } from './chart';

const ROOT = resolve(__dirname, '..', '..');
const FIXTURE = join(ROOT, 'test', 'fixtures', 'logs', 'hf-trainer_state__tinyllama-sft-trl.json');
// The tests open a copy: keystrokes in an editor must never touch the fixture.
const LOG_DIR = mkdtempSync(join(tmpdir(), 'llmts-ui-log-'));
const LOG = join(LOG_DIR, 'hf-trainer_state__tinyllama-sft-trl.json');

suite('Loss curve panel (UI)', function () {
  this.timeout(240_000);
  const cspErrors: string[] = [];

  suiteSetup(() => {
    copyFileSync(FIXTURE, LOG);
    // Every CSP report of any frame, whatever it names: Chromium's "Refused to load/apply/execute/connect/frame ...",
    // and the inline-script and inline-handler ones ("Executing inline event handler violates the following Content
    // Security Policy directive ...", "Executing inline script violates ..."), which name no resource at all.
    workbench().page.on('console', (m) => { if (/Content Security Policy|Refused to |violates the following/i.test(m.text())) cspErrors.push(`[${m.type()}] ${m.text()}`); });
  });

  suiteTeardown(() => rmSync(LOG_DIR, { recursive: true, force: true }));

  test('Open Log as Chart draws the points parsed from a real trainer_state.json (loss and eval_loss)', async () => {
    const wb = workbench();
    const page = wb.page;
    // What the metrics core makes of the file (the extension parses it with the same core).
    const parsed = parseLog(readFileSync(LOG), { fileName: 'trainer_state.json' }).points;
    const expected = new Map<string, number[]>();
    for (const p of parsed) { if (!expected.has(p.series)) expected.set(p.series, []); expected.get(p.series)!.push(p.value); }
    assert.ok((expected.get('loss')?.length ?? 0) > 100 && (expected.get('eval_loss')?.length ?? 0) > 5, 'fixture lost its loss/eval_loss points');

    // Open the file in an editor through Quick Open (an absolute path works there), then run the command on it.
    await wb.openInEditor(LOG, 'tinyllama-sft-trl.json');
    await runCommand('LLM Training: Open Log as Chart');

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

  test('Rescaled loss divides only the launch whose transformers version scales the loss (issue 12, upgrade-long.log)', async () => {
    // The tester's upgrade-long.log: 4.45.2 (per-token loss, ~2.49 falling), then a resume on 4.46.1 with GA 8 (8x).
    const ts = '2024-11-05 10:00:05,123';
    const launch = (version: string, steps: number[], loss: (s: number) => number) => [
      '[INFO|configuration_utils.py:746] 2024-11-05 10:00:00,001 >> Model config LlamaConfig {', `  "transformers_version": "${version}",`, '}',
      `[INFO|trainer.py:2314] ${ts} >> ***** Running training *****`, `[INFO|trainer.py:2321] ${ts} >>   Gradient Accumulation steps = 8`,
      ...steps.flatMap((st) => [` ${st}/300 [00:01<01:00,  1.00s/it]`, `{'loss': ${loss(st).toFixed(4)}, 'grad_norm': ${(1 + (st % 7) * 0.01).toFixed(3)}, 'learning_rate': 1e-05, 'epoch': ${(st / 100).toFixed(2)}}`, ` ${st}/300 [00:01<01:00,  1.00s/it]`]),
    ];
    const every5 = (a: number, b: number) => Array.from({ length: (b - a) / 5 + 1 }, (_, i) => a + i * 5);
    const file = join(LOG_DIR, 'upgrade-long.log');
    writeFileSync(file, `${[...launch('4.45.2', every5(5, 100), (st) => 2.5 - st / 500), ...launch('4.46.1', every5(105, 160), (st) => 8 * (2.5 - st / 500))].join('\n')}\n`);
    const n = parseLog(readFileSync(file), { fileName: 'upgrade-long.log' }).points.filter((p) => p.series === 'loss').length;
    assert.equal(n, 32, 'the core reads every loss point');
    const wb = workbench();
    await wb.openInEditor(file, 'upgrade-long');
    await runCommand('LLM Training: Open Log as Chart');
    const loss = (x: DrawSummary) => x.series.find((r) => r.name === 'loss');
    const { frame, s } = await chartWhere('the chart of the upgraded run', (x) => loss(x)?.inRange === n);
    assert.equal(loss(s)!.drawnMax, Math.fround(8 * (2.5 - 105 / 500)), 'as logged: launch 2 at 8x');
    await frame.locator('#rescale').click();
    // launch 1 stays as it is (max 2.49), launch 2 is divided by 8 (min 2.18); dividing the whole log gave max 2.29
    const r = await chartWhere('the rescaled chart', (x) => loss(x)?.drawnMax !== s.series.find((q) => q.name === 'loss')!.drawnMax);
    assert.ok(Math.abs(loss(r.s)!.drawnMax! - 2.49) < 1e-5, `rescaled max ${loss(r.s)!.drawnMax}`);
    assert.ok(Math.abs(loss(r.s)!.drawnMin! - 2.18) < 1e-5, `rescaled min ${loss(r.s)!.drawnMin}`);
    const notes = await frame.locator('li').allTextContents();
    assert.ok(notes.some((t) => /^Logged loss factor of launch 2 \(steps 105–160\)/.test(t)), notes.join('\n'));
  });

  test('log text that looks like HTML or script shows literally, runs nothing, and breaks no CSP rule', async () => {
    const wb = workbench();
    const page = wb.page;
    // Series names (dict keys) and a file name a hostile or careless log could carry.
    const names = ['<img src=x onerror="window.__pwned=1">', '</script><script>window.__pwned=2</script>', `q"uote's & <b>bold</b>`];
    const py = (n: string) => `'${n.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
    const file = join(LOG_DIR, 'evil-<b>title<b>.log');
    writeFileSync(file, Array.from({ length: 30 }, (_, i) => `{'loss': ${(2 - i * 0.01).toFixed(2)}, ${names.map((n, k) => `${py(n)}: ${k + i * 0.1}`).join(', ')}, 'epoch': ${((i + 1) / 30).toFixed(3)}}\n`).join(''));
    assert.deepEqual([...new Set(parseLog(readFileSync(file), { fileName: 'x.log' }).points.map((p) => p.series))].sort(), ['epoch', 'loss', ...names].sort(), 'the core reads the names as written');
    const before = cspErrors.length;

    await wb.openInEditor(file, 'title');
    await runCommand('LLM Training: Open Log as Chart');
    // Non-loss series start hidden: the chart lists them as toggles; turn the hostile ones on, as a user would.
    const { frame } = await chartWhere('the chart of the hostile log', (x) => x.series.some((r) => r.name === 'loss' && r.inRange === 30));
    const labels = await frame.locator('#series vscode-checkbox').evaluateAll((els) => els.map((e) => e.getAttribute('label')));
    for (const n of names) {
      const i = labels.indexOf(n);
      assert.ok(i >= 0, `no toggle labelled ${n}: ${JSON.stringify(labels)}`);
      await frame.locator('#series vscode-checkbox').nth(i).click();
    }
    const { s } = await chartWhere('the hostile series to be drawn', (x) => names.every((n) => x.series.some((r) => r.name === n)), 30_000);
    for (const n of names) assert.equal(s.series.find((r) => r.name === n)!.inRange, 30, `${n}: every point`);

    // Shown literally: the title, and each toggle's label as rendered (inside the checkbox's shadow root).
    assert.equal(await frame.locator('.toolbar .title').innerText(), 'evil-<b>title<b>.log');
    const rendered = await frame.locator('#series vscode-checkbox').evaluateAll((els) => els.map((e) => (e.shadowRoot?.textContent ?? '').replace(/\s+/g, ' ').trim()));
    for (const n of names) assert.ok(rendered.some((t) => t.includes(n)), `'${n}' is not shown as text; toggles read: ${JSON.stringify(rendered)}`);
    // Nothing became markup: no img/b element and no script without the page's nonce, in the document or any shadow root.
    // (No named functions inside evaluate: tsx's keepNames helper does not exist in the page.)
    const injected = await frame.evaluate(() => {
      const found: string[] = [];
      const roots: (Document | ShadowRoot)[] = [document];
      while (roots.length) {
        for (const e of Array.from(roots.pop()!.querySelectorAll('*'))) {
          const tag = e.tagName.toLowerCase();
          // (VS Code's own `_vscodeApiScript`, which defines acquireVsCodeApi, is the one script without our nonce.)
          if (tag === 'img' || tag === 'b' || (tag === 'script' && !(e as HTMLScriptElement).nonce && e.id !== '_vscodeApiScript')) found.push(e.outerHTML.slice(0, 80));
          if (e.shadowRoot) roots.push(e.shadowRoot);
        }
      }
      return found;
    });
    assert.deepEqual(injected, [], 'log text became elements');
    // The canary: none of the payloads ran.
    assert.equal(await frame.evaluate(() => (window as unknown as { __pwned?: number }).__pwned ?? null), null, 'a payload executed');
    assert.deepEqual(cspErrors.slice(before), [], 'CSP violations while showing the hostile log');
    await runCommand('View: Close All Editors');
  });

  test('a single spike in a 1M-point series is drawn at full zoom-out, and zooming re-resolves from the full data', async () => {
    const wb = workbench();
    // Showing the LLM Training container activates the extension (its views), which sets the context key that lists
    // the development-only command in the palette.
    await wb.showViewContainer('LLM Training');
    await wb.waitForText('Runs', 30_000);
    await runCommand('LLM Training: Open Synthetic Chart (development)');
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

  test('an opened log whose spike alert fires notifies as a run does (issue 11: marker, no notification)', async () => {
    const wb = workbench();
    const page = wb.page;
    const spikeLog = join(LOG_DIR, 'litgpt__codellama-full-ft-loss-spike.log');
    copyFileSync(join(ROOT, 'test', 'fixtures', 'logs', 'litgpt__codellama-full-ft-loss-spike.log'), spikeLog);
    await wb.openInEditor(spikeLog, 'loss-spike.log');
    await runCommand('LLM Training: Open Log as Chart');
    const { s } = await chartWhere('the spike log chart with its alert marker', (x) => x.series.some((r) => r.name === 'loss') && x.alerts >= 1);
    assert.equal(s.alerts, 1);
    // One point per optimizer step (LitGPT `iter N step M`): 144 and 145 are complete; the paste's last six iters are a
    // step (464) still accumulating while the log is followed, so not yet a point (its micro-batches are judged already).
    assert.equal(s.series.find((r) => r.name === 'loss')?.inRange, 2);
    // The workbench shows it as a toast, or only in the notification center (no toasts while a webview has focus):
    // read both, opening the center from the status bar.
    const messages = '.notifications-toasts .notification-list-item-message, .notifications-center .notification-list-item-message';
    const notice = await waitFor('the alert notification', async () => {
      // Judged per micro-batch (its first micro-batch, 11.463), placed at the optimizer step (145), as LitGPT counts them.
      const found = (await page.locator(messages).allInnerTexts()).find((n) => n.includes('loss spiked to 11.463 at step 145'));
      if (!found && !(await page.locator('.notifications-center.visible').isVisible())) await page.locator('[id="status.notifications"]').click().catch(() => undefined);
      return found;
    }, 30_000, 500);
    await page.keyboard.press('Escape');
    assert.match(notice, /^litgpt__codellama-full-ft-loss-spike\.log: loss spiked to 11\.463 at step 145 \(step 145\)/);

    // Steps missing from a log (here optimizer steps 21..299 of a LitGPT log, two micro-batches a step) are drawn as a
    // gap, not a straight line across (issue 11).
    const gapLog = join(LOG_DIR, 'litgpt-gap.log');
    let text = '';
    for (const st of [...Array.from({ length: 20 }, (_, i) => i + 1), ...Array.from({ length: 10 }, (_, i) => i + 300)]) {
      text += `iter ${2 * st - 2} step ${st - 1}: loss ${(3 - st / 200).toFixed(4)}, iter time: 100.00ms\n`;
      text += `iter ${2 * st - 1} step ${st}: loss ${(3 - st / 200).toFixed(4)}, iter time: 100.00ms (optimizer.step)\n`;
    }
    writeFileSync(gapLog, text);
    await wb.openInEditor(gapLog, 'litgpt-gap.log');
    await runCommand('LLM Training: Open Log as Chart');
    const gap = await chartWhere('the gap log chart', (x) => x.series.some((r) => r.name === 'loss' && r.inRange === 30));
    assert.equal(gap.s.series.find((r) => r.name === 'loss')?.gaps, 1);
    // The smoothed line (EMA, the default) restarts after the gap: over steps 300..309 it stays within the raw values
    // (1.455..1.5) instead of coming down from the level before the gap (about 2.9).
    await gap.frame.evaluate(() => (window as unknown as { __lossChart: { zoomTo(a: number, b: number): void } }).__lossChart.zoomTo(299.5, 309.5));
    const zoomed = await chartWhere('the zoom past the gap', (x) => x.zoomed && x.series.some((r) => r.name === 'loss' && r.inRange === 10));
    const z = zoomed.s.series.find((r) => r.name === 'loss')!;
    assert.equal(z.drawnMax, Math.fround(3 - 300 / 200));
    assert.ok(z.smoothMax !== null && z.smoothMax! <= z.drawnMax! + 1e-6 && z.smoothMin! >= z.drawnMin! - 1e-6, `smoothed after the gap ${z.smoothMin}..${z.smoothMax}, raw ${z.drawnMin}..${z.drawnMax}`);
    await gap.frame.locator('#chart .u-over').dblclick();
    await waitFor('the full view of the gap log again', async () => { const x = await summary(gap.frame); return x && !x.zoomed ? x : undefined; }, 20_000);
    await page.mouse.move(1, 1); // no crosshair from the double-click in the screenshot
    await wb.screenshot('loss-curve-gap');
  });

  test('a log with no metric yet: the chart says why instead of an empty 0-1 axis (issue 11)', async () => {
    const wb = workbench();
    const page = wb.page;
    const emptyLog = join(LOG_DIR, 'startup-only.log');
    writeFileSync(emptyLog, 'Loading checkpoint shards: 100%|##########| 2/2\nmodel loaded on cuda:0\n');
    await wb.openInEditor(emptyLog, 'startup-only.log');
    await runCommand('LLM Training: Open Log as Chart');
    const { frame } = await chartWhere('the empty chart', (x) => x.total === 0 && x.draws > 0);
    const note = frame.locator('#empty');
    await waitFor('the empty chart to say why', async () => ((await note.isVisible()) && (await note.innerText()).includes('No metric lines yet in 2 lines read')) || undefined, 15_000);
    await wb.screenshot('loss-curve-empty');
  });

  test('Export CSV and Export PNG save through the save dialog: every parsed point as a row, and a PNG image', async () => {
    const wb = workbench();
    const page = wb.page;
    const out = mkdtempSync(join(tmpdir(), 'llmts-ui-export-'));
    try {
      await wb.openInEditor(LOG, 'tinyllama-sft-trl.json');
      await runCommand('LLM Training: Open Log as Chart');
      const { frame } = await chartWhere('the log chart', (x) => x.series.some((r) => r.name === 'eval_loss'));

      const save = async (button: string, file: string) => {
        await frame.locator(button).click();
        // code-server's save dialog is VS Code's simple file dialog: a quick input holding a path.
        const input = wb.quickInput.locator('input');
        await input.waitFor({ state: 'visible', timeout: 20_000 });
        // Type only once the dialog has put its default path in (else it completes into what we typed).
        const ext = file.split('.').pop()!;
        await waitFor('the save dialog to show its default path', async () => ((await input.inputValue()).endsWith(`.${ext}`) ? true : undefined), 20_000);
        // The default is a plain name in the log's own folder (issue 11: it was `<title> · <host>.csv` in the workspace root).
        assert.equal(await input.inputValue(), join(LOG_DIR, `hf-trainer_state__tinyllama-sft-trl.json-loss.${ext}`));
        await input.fill(join(out, file));
        await waitFor('the typed path to stay as typed', async () => ((await input.inputValue()) === join(out, file) ? true : undefined), 5_000);
        // The dialog validates the typed path asynchronously; confirm (OK) until it closes.
        await waitFor('the save dialog to accept the path', async () => {
          if (!(await wb.quickInput.isVisible())) return true;
          await wb.quickInput.getByRole('button', { name: 'OK' }).click({ timeout: 2_000 }).catch(() => input.press('Enter'));
          return undefined;
        }, 20_000, 1_000);
        await waitFor(`${file} to be written`, () => existsSync(join(out, file)) && statSync(join(out, file)).size > 0, 30_000);
        await waitFor('the status line to confirm', async () => ((await frame.locator('#status').innerText()).includes(file) ? true : undefined), 10_000);
      };
      await save('#export-csv', 'metrics.csv');
      const rows = readFileSync(join(out, 'metrics.csv'), 'utf8').trimEnd().split('\n');
      assert.equal(rows[0], 'run_id,run,series,step,time,value');
      const parsed = parseLog(readFileSync(LOG), { fileName: 'trainer_state.json' }).points;
      assert.equal(rows.length - 1, parsed.length, 'one row per parsed point');
      assert.ok(rows.some((r) => /,eval_loss,\d+,/.test(r)) && rows.some((r) => /,loss,\d+,/.test(r)));

      await save('#export-png', 'chart.png');
      const png = readFileSync(join(out, 'chart.png'));
      assert.deepEqual([...png.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a], 'PNG signature');
      assert.ok(png.readUInt32BE(16) > 300 && png.readUInt32BE(20) > 150, `image ${png.readUInt32BE(16)}x${png.readUInt32BE(20)}`);
    } finally { rmSync(out, { recursive: true, force: true }); }
  });

  test('a comparison groups the series toggles per run under short, collapsible run names (issue 11)', async () => {
    const wb = workbench();
    await runCommand('LLM Training: Open Synthetic Comparison (development)');
    const { frame } = await chartWhere('the comparison of two runs', (x) => new Set(x.series.map((r) => r.run)).size === 2);
    const groups = frame.locator('#series details.run-group');
    assert.equal(await groups.count(), 2);
    assert.deepEqual(await groups.locator('summary').allInnerTexts(), ['qwen2.5-7b-sft-lr2e-5-a', 'qwen2.5-7b-sft-lr2e-5-b'], 'run names without the host');
    assert.deepEqual(await groups.first().locator('vscode-checkbox').evaluateAll((els) => els.map((e) => e.getAttribute('label'))), ['loss', 'eval_loss'], 'short series names');
    // The chart title is the whole title when it fits (it was cut at 28 characters with space beside it).
    const title = frame.locator('.toolbar .title');
    assert.equal(await title.evaluate((e) => e.scrollWidth <= e.clientWidth), true, 'title not cut off');
    await wb.screenshot('loss-curve-compare');
    await groups.first().locator('summary').click();
    await waitFor('the first run group to collapse', async () => (await groups.first().evaluate((d) => !(d as HTMLDetailsElement).open)) || undefined, 10_000);
    assert.equal(await groups.first().locator('vscode-checkbox').first().isVisible(), false);
    assert.equal(await groups.nth(1).locator('vscode-checkbox').first().isVisible(), true);
  });

  test('live appends are drawn, and a hidden panel comes back with every point and its view options', async () => {
    const wb = workbench();
    const page = wb.page;
    await runCommand('LLM Training: Open Live Synthetic Chart (development)');
    const loss = (x: DrawSummary) => x.series.find((r) => r.name === 'loss');
    const { frame, s: first } = await chartWhere('live points beyond the first 2,000 to be drawn', (x) => (loss(x)?.inRange ?? 0) > 2100);
    // Steps are 1..n: a point count equal to the last step means nothing was lost or doubled on the way.
    assert.equal(loss(first)!.inRange, first.xMax);
    // A view option the webview keeps with setState.
    await frame.evaluate(() => { const sel = document.querySelector('#smoothing') as HTMLElement & { value: string }; sel.value = 'gaussian'; sel.dispatchEvent(new Event('change')); });

    // Hide the panel behind another editor in the same group while points keep arriving, then show it again.
    // Mark this webview document: a panel that comes back must be a new one (hidden panels are destroyed).
    await frame.evaluate(() => { (window as unknown as { __shownBefore?: boolean }).__shownBefore = true; });
    await runCommand('File: New Untitled Text File');
    await waitFor('the panel to be hidden', async () => ((await page.locator('.tab.active').first().getAttribute('aria-label'))?.includes('Untitled') ? true : undefined), 20_000);
    // Hidden = its webview destroyed (no retainContextWhenHidden): wait for that state instead of sleeping.
    await waitFor('the hidden webview to be destroyed', () => frame.isDetached() || undefined, 30_000, 250);
    // Close untitled editors until the chart's tab is the active one again.
    await waitFor('the chart tab to be active again', async () => {
      const label = (await page.locator('.tab.active').first().getAttribute('aria-label')) ?? '';
      if (label.includes('synthetic live run')) return true;
      if (label.includes('Untitled')) await page.keyboard.press('Control+W');
      return undefined;
    }, 30_000, 1_000);
    const { frame: again, s: back } = await chartWhere('the panel to come back with the points appended while it was hidden', (x) => (loss(x)?.inRange ?? 0) > loss(first)!.inRange + 200);
    assert.equal(await again.evaluate(() => (window as unknown as { __shownBefore?: boolean }).__shownBefore ?? false), false, 'the panel came back in the old webview: it was never hidden');
    assert.equal(loss(back)!.inRange, back.xMax, 'every point from 1 to the last step is in the chart');
    assert.equal(await again.evaluate(() => (document.querySelector('#smoothing') as HTMLElement & { value: string }).value), 'gaussian', 'smoothing choice restored from the webview state');
    await wb.screenshot('loss-curve-live');
    assert.deepEqual(cspErrors, []);
  });
});
