// UI test of managing ended runs in the Runs view (issue 11, "Remove run / Clear finished runs / rename"): Rename Run…
// from a row's context menu (the input box pre-filled with the current name) renames the row and run.json; Remove Run…
// asks in a modal (Cancel keeps the run, Remove deletes its run directory and row); Clear Finished Runs… removes every
// ended run and keeps a running one. The runs are real (src/remote/runs.ts, started with python3) in the harness's
// runs home (LLMTRAIN_LOCAL_HOME, a temp folder the extension host reads too), and what is asserted is the tree rows
// and the run directories on disk. Screenshot: test-results/runs-remove-confirm.png.
import * as assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { LocalRunner } from '../../src/remote/localRunner';
import { launchRun, listRuns, stopRun, waitForRun } from '../../src/remote/runs';
import { isEnded } from '../../src/core/runs/runState';
import type { RunRecord } from '../../src/core/runs/types';
import { workbench, waitFor } from './workbench';

const PYTHON = '/usr/bin/python3';

suite('Runs view: rename, remove, clear finished (UI)', function () {
  this.timeout(180_000);
  const runs: RunRecord[] = [];
  let cwd = '';
  let runner: LocalRunner;
  let runsDir = '';
  const dirOf = (r: RunRecord) => dirname(r.logPath);
  const runJson = (r: RunRecord) => JSON.parse(readFileSync(join(dirOf(r), 'run.json'), 'utf8')) as RunRecord;

  suiteSetup(async () => {
    assert.ok(process.env.LLMTRAIN_LOCAL_HOME, 'the harness sets LLMTRAIN_LOCAL_HOME');
    runner = new LocalRunner({ home: process.env.LLMTRAIN_LOCAL_HOME });
    runsDir = join(process.env.LLMTRAIN_LOCAL_HOME, '.llm-training-studio', 'runs');
    cwd = mkdtempSync(join(tmpdir(), 'llmts-runs-manage-'));
    for (const name of ['manage-a', 'manage-b', 'manage-c']) {
      const run = await launchRun(runner, { argv: [PYTHON, '-u', '-c', `print("${name} done")`], cwd, name });
      runs.push(run);
      assert.equal((await waitForRun(runner, run)).state, 'finished');
    }
    // A running run: Clear Finished Runs must keep it.
    runs.push(await launchRun(runner, { argv: [PYTHON, '-u', '-c', 'import time\nfor i in range(600):\n    print(i, flush=True)\n    time.sleep(0.2)\n'], cwd, name: 'manage-live' }));
  });
  suiteTeardown(async () => {
    for (const r of runs) { await stopRun(runner, r.id, { interruptGraceMs: 500, terminateGraceMs: 500 }).catch(() => undefined); rmSync(dirOf(r), { recursive: true, force: true }); }
    rmSync(cwd, { recursive: true, force: true });
    const wb = workbench();
    await wb.runCommand('LLM Training: Refresh Runs').catch(() => undefined);
  });

  const rowTexts = async () => (await workbench().page.locator('.part.sidebar .monaco-list-row').allInnerTexts()).map((t) => t.replace(/\s+/g, ' '));
  const row = (name: string) => workbench().page.locator('.part.sidebar .monaco-list-row').filter({ hasText: name }).first();
  const hasRow = async (name: string) => (await rowTexts()).some((t) => t.includes(name));
  const dialog = () => workbench().page.locator('.monaco-dialog-box');
  // Remove Run… from the row's context menu until its modal shows: the view re-renders its rows when it refreshes (a
  // poll while manage-live runs, a Refresh just before), and a re-render can close the menu before the click lands,
  // which closes it as a click would (CI saw the menu gone and no modal). A menu click that did land shows the modal;
  // right-clicking again while a modal is up does nothing.
  const openRemove = async (name: string) => {
    await waitFor(`the Remove Run… modal for ${name}`, async () => {
      if (await dialog().isVisible()) return true;
      await workbench().contextMenu(row(name), 'Remove Run…').catch(() => undefined);
      return dialog().waitFor({ state: 'visible', timeout: 5_000 }).then(() => true, () => undefined);
    }, 60_000, 200);
  };

  test('rename a run from its context menu: the row and run.json carry the new name', async () => {
    const wb = workbench();
    await wb.runCommand('LLM Training: Refresh Runs');
    await wb.showViewContainer('LLM Training');
    await waitFor('the four runs listed', async () => (await Promise.all(['manage-a', 'manage-b', 'manage-c', 'manage-live'].map(hasRow))).every(Boolean) || undefined, 60_000);
    await wb.contextMenu(row('manage-c'), 'Rename Run…');
    const input = wb.quickInput.locator('input');
    await input.waitFor({ state: 'visible', timeout: 15_000 });
    assert.equal(await input.inputValue(), 'manage-c', 'pre-filled with the current name');
    await input.fill('manage-renamed');
    await input.press('Enter');
    await waitFor('the renamed row', async () => ((await hasRow('manage-renamed')) && !(await hasRow('manage-c'))) || undefined, 30_000);
    const c = runs[2];
    assert.equal(runJson(c).name, 'manage-renamed');
    assert.equal(runJson(c).id, c.id, 'the id (and folder) stay');
    assert.ok(existsSync(dirOf(c)));
  });

  test('remove a finished run: Cancel keeps it, Remove deletes its directory and row', async () => {
    const wb = workbench();
    const a = runs[0];
    await openRemove('manage-a');
    const text = await dialog().innerText();
    assert.ok(text.includes('Remove run "manage-a" on local?'), text);
    assert.ok(text.includes(`local: ${a.id}`), text);
    await dialog().getByRole('button', { name: 'Cancel', exact: true }).click();
    await dialog().waitFor({ state: 'hidden', timeout: 15_000 });
    await wb.runCommand('LLM Training: Refresh Runs');
    assert.ok(existsSync(dirOf(a)), 'Cancel deleted the run');
    assert.ok(await hasRow('manage-a'));

    await openRemove('manage-a');
    await wb.screenshot('runs-remove-confirm');
    await dialog().getByRole('button', { name: 'Remove', exact: true }).click();
    await waitFor('manage-a to leave the view', async () => !(await hasRow('manage-a')) || undefined, 30_000);
    assert.equal(existsSync(dirOf(a)), false, 'its run directory is gone');
    assert.ok(existsSync(dirOf(runs[1])) && existsSync(dirOf(runs[2])), 'the other runs are kept');
    assert.ok(await hasRow('manage-b'));
  });

  test('Clear Finished Runs removes every ended run and keeps the running one', async () => {
    const wb = workbench();
    // Every ended run in the runs home (other suites clean up theirs, but count what is there).
    const ended = (await listRuns(runner)).filter(isEnded).map((r) => r.id);
    assert.ok(ended.includes(runs[1].id) && ended.includes(runs[2].id) && !ended.includes(runs[3].id), ended.join(', '));
    await wb.runCommand('LLM Training: Clear Finished Runs…');
    await dialog().waitFor({ state: 'visible', timeout: 15_000 });
    const text = await dialog().innerText();
    assert.ok(text.includes(`Remove ${ended.length} ended runs on local?`), text);
    await dialog().getByRole('button', { name: 'Remove', exact: true }).click();
    await waitFor('the ended runs to leave the view', async () => (!(await hasRow('manage-b')) && !(await hasRow('manage-renamed'))) || undefined, 30_000);
    assert.equal(existsSync(dirOf(runs[1])), false);
    assert.equal(existsSync(dirOf(runs[2])), false);
    assert.ok(existsSync(dirOf(runs[3])), 'the running run is kept');
    assert.ok(await hasRow('manage-live'));
    assert.deepEqual(readdirSync(runsDir).filter((id) => ended.includes(id)), []);
  });
});
