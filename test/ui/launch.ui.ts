// UI test: a user launches tiny-gpt on `local` through the command palette and the Launch Run QuickPicks, the
// loss-curve panel opens and draws the live run, and the Runs view lists it. Saves test-results/loss-curve.png
// (used in the README). Drives the real workbench (code-server + Chromium) through test/ui/workbench.ts.
import * as assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { workbench, waitFor } from './workbench';
import { stopRunDir } from '../fixtures/remote/procs';

const ROOT = resolve(__dirname, '..', '..');
const TINY = join(ROOT, 'examples', 'tiny-gpt');

/**
 * Stops (by its recorded process group) and deletes every run whose command mentions `marker`, in the harness's runs
 * home (LLMTRAIN_LOCAL_HOME, a temp folder: never the user's ~/.llm-training-studio), then `marker` itself.
 */
function removeRunsOf(marker: string): void {
  const home = process.env.LLMTRAIN_LOCAL_HOME;
  const root = home ? join(home, '.llm-training-studio', 'runs') : undefined;
  if (root && existsSync(root)) {
    for (const id of readdirSync(root)) {
      try {
        if ((JSON.parse(readFileSync(join(root, id, 'run.json'), 'utf8')) as { argv: string[] }).argv.some((a) => a.includes(marker))) {
          stopRunDir(join(root, id));
          rmSync(join(root, id), { recursive: true, force: true });
        }
      } catch { /* not a run of ours */ }
    }
  }
  rmSync(marker, { recursive: true, force: true });
}

interface DrawSummary { total: number; drawn: number; series: { name: string; inRange: number; drawn: number; drawnMin: number | null; drawnMax: number | null }[] }

suite('Launch Run (UI)', function () {
  this.timeout(240_000);

  test('command palette → Launch Run on local → live loss curve with real points', async () => {
    assert.ok(process.env.LLMTRAIN_LOCAL_HOME, 'the harness sets a runs home for the UI tests');
    const wb = workbench();
    const page = wb.page;
    const out = mkdtempSync(join(tmpdir(), 'llmts-ui-launch-'));
    try {

      // Open the LLM Training activity-bar container so the Runs view is in the screenshot, wide enough for the
      // run descriptions (drag the sash between side bar and editor).
      await wb.showViewContainer('LLM Training');
      await wb.waitForText('Runs', 30_000);
      const sidebar = await page.locator('.part.sidebar').boundingBox();
      if (sidebar) {
        const x = sidebar.x + sidebar.width;
        await page.mouse.move(x + 1, sidebar.y + sidebar.height / 2);
        await page.mouse.down();
        await page.mouse.move(x + 170, sidebar.y + sidebar.height / 2, { steps: 8 });
        await page.mouse.up();
      }

      await wb.runCommand('LLM Training: Launch Run…');
      const step = async (titleIncludes: string) => waitFor(`quick input '${titleIncludes}'`, async () => ((await wb.quickInput.locator('.quick-input-title').innerText().catch(() => '')).includes(titleIncludes) ? true : undefined), 30_000);
      const typeAndEnter = async (text: string) => {
        const input = wb.quickInput.locator('input');
        await input.fill(text);
        await page.keyboard.press('Enter');
      };

      await step('(1/6): host');
      assert.equal((await wb.quickPickLabels())[0], 'local', 'local is not the first host');
      await typeAndEnter('local');
      await step('(3/6): config');
      await typeAndEnter('No config file'); // the command is written out in full next
      await step('(4/6): launcher');
      assert.ok((await wb.quickPickLabels()).some((l) => l.startsWith('torchrun')), 'templates missing torchrun');
      await page.keyboard.press('Enter');
      await step('(5/6): command');
      // The user edits the command line: Debian's PyTorch imports only from /usr/bin/python3.
      const command = `/usr/bin/python3 -u ${TINY}/train.py --config ${TINY}/config.yaml --max_steps 200 --logging_steps 5 --eval_steps 50 --save_steps 200 --torch_num_threads 1 --output_dir ${out}`;
      await typeAndEnter(command);
      await step('(6/6): environment');
      await typeAndEnter('PYTHONUNBUFFERED=1');

      // The loss-curve panel opens on the new run and draws points as the log grows.
      const frame = await wb.webviewFrame({ hasSelector: '[data-chart]', timeoutMs: 60_000 });
      const summary = await waitFor('the chart to draw 20 loss points', async () => {
        const s = JSON.parse((await frame.getAttribute('[data-chart]', 'data-chart')) ?? '{}') as DrawSummary;
        const loss = s.series?.find((x) => x.name === 'loss');
        return loss && loss.inRange >= 20 ? s : undefined;
      }, 200_000, 500);
      const loss = summary.series.find((x) => x.name === 'loss')!;
      assert.ok(loss.drawn > 0 && loss.drawnMin !== null && loss.drawnMax !== null && loss.drawnMin < loss.drawnMax, `flat or empty loss curve: ${JSON.stringify(loss)}`);
      assert.ok(loss.drawnMax! < 10 && loss.drawnMin! > 0, `loss values out of range for tiny-gpt: ${loss.drawnMin}..${loss.drawnMax}`);

      // The Runs view shows the run with its live description.
      await wb.waitForText('step ', 30_000);
      await page.mouse.move(5, 400); // no hover tooltip in the picture
      await waitFor('no hover shown', async () => (await page.locator('.monaco-hover:visible, .workbench-hover-container:visible').count()) === 0 || undefined, 15_000, 250);
      const png = await wb.screenshot('loss-curve');
      assert.ok(png.endsWith('loss-curve.png'));

      // Stop it from the Runs view as a user would: the row's inline Stop Run action, then confirm in the modal.
      // (max_steps 200 makes this run's description, `step N/200`, unique in the view.)
      const row = page.locator('.monaco-list-row', { hasText: /step \d+\/200/ }).first();
      const dialog = page.locator('.monaco-dialog-box');
      await waitFor('the Stop Run confirmation', async () => {
        if (!(await dialog.isVisible())) {
          await row.hover();
          await row.locator('.action-label.codicon-debug-stop').click({ timeout: 5_000 }).catch(() => undefined);
          await dialog.waitFor({ state: 'visible', timeout: 5_000 }).catch(() => undefined);
        }
        return dialog.isVisible();
      }, 60_000, 500);
      assert.match(await dialog.innerText(), /Stop run .* on local\?/);
      await dialog.getByRole('button', { name: 'Stop Run', exact: true }).click();
      // The row's own state icon (not its inline Stop action, which shows the same codicon while the run is running):
      // the stopped state's icon replaces the running one.
      const stateIcon = row.locator('.custom-view-tree-node-item-icon');
      await waitFor('the run to read stopped in the Runs view', async () => ((await stateIcon.getAttribute('class')) ?? '').includes('codicon-debug-stop') || undefined, 60_000, 500);
      assert.doesNotMatch((await stateIcon.getAttribute('class')) ?? '', /codicon-sync|codicon-loading/);
      // Leave the workbench as we found it for the next test.
      await wb.runCommand('View: Close All Editors');
      await wb.runCommand('View: Show Explorer'); // the side bar as it was (other tests click the LLM Training icon)
    } finally {
      removeRunsOf(out); // stops the run by its process group if the test failed before Stop Run
    }
  });
});
