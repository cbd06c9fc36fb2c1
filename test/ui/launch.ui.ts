// UI tests in the examples workspace (examples/, as `npm run demo` opens it): a user launches tiny-gpt on `local`
// through the command palette and the Launch Run steps as offered (config recognised, its folder as the working
// directory, the workspace's interpreter), the loss-curve panel opens and draws the live run, and the Runs view lists
// it; a second launch labels the environment carried over; an empty Runs view shows its welcome and the walkthrough is
// listed. Saves test-results/loss-curve.png (used in the README), launch-steps.png, runs-welcome.png and
// walkthrough.png. Drives the real workbench (code-server + Chromium) through test/ui/workbench.ts.
import * as assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { workbench, waitFor } from './workbench';
import { stopRunDir } from '../fixtures/remote/procs';

const ROOT = resolve(__dirname, '..', '..');
const EXAMPLES = join(ROOT, 'examples');
const TINY = join(EXAMPLES, 'tiny-gpt');
/** The training configs of examples/ (what the config detector recognises), as the config step lists them. */
const EXAMPLE_CONFIGS = ['configs/axolotl-llama3-lora-1b.yml', 'configs/broken-sft.yaml', 'configs/ds_config_zero2.json', 'configs/zephyr-7b-sft-full.yaml', 'tiny-gpt/config.yaml'];

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

/** Waits until the quick input's title includes `titleIncludes`. */
async function step(titleIncludes: string): Promise<void> {
  const wb = workbench();
  await waitFor(`quick input '${titleIncludes}'`, async () => ((await wb.quickInput.locator('.quick-input-title').innerText().catch(() => '')).includes(titleIncludes) ? true : undefined), 30_000);
}

/** Fills the quick input's box with `text` and presses Enter. */
async function typeAndEnter(text: string): Promise<void> {
  const wb = workbench();
  await wb.quickInput.locator('input').fill(text);
  await wb.page.keyboard.press('Enter');
}

/** The quick input's message line (an input box's prompt, or its validation message), once it includes `includes`. */
async function quickInputMessage(includes: string): Promise<string> {
  const wb = workbench();
  let last = '';
  try {
    return await waitFor(`the quick input message to include '${includes}'`, async () => {
      last = (await wb.quickInput.locator('.quick-input-message').innerText().catch(() => '')).replace(/\s+/g, ' ');
      return last.includes(includes) ? last : undefined;
    }, 15_000, 200);
  } catch (e) { throw new Error(`${(e as Error).message}; last message: ${JSON.stringify(last)}`); }
}

const WALKTHROUGH = 'Get Started with LLM Training Studio';

/** Opens the Get Started walkthrough from the palette (Welcome: Open Walkthrough...) and waits for its four steps. */
async function openWalkthrough(): Promise<void> {
  const wb = workbench();
  await wb.runCommand('Welcome: Open Walkthrough...');
  await waitFor('the walkthrough in the list', async () => (await wb.quickPickLabels()).includes(WALKTHROUGH) || undefined, 15_000, 300);
  await wb.quickInput.locator('.quick-input-list .monaco-list-row', { hasText: WALKTHROUGH }).first().click();
  for (const s of ['Open a training config', 'Launch a run on this machine', 'Watch its loss curve', 'Add an SSH host']) await wb.waitForText(s, 20_000);
}

/**
 * Closes the walkthrough's editor tab with the mouse. While it is open its media webview holds the keyboard focus,
 * so the command palette and quick picks get no keys: it is closed before anything else is typed.
 */
async function closeWalkthrough(): Promise<void> {
  const page = workbench().page;
  const tab = page.locator('.tabs-container .tab', { hasText: 'Welcome' }).first();
  await tab.click({ button: 'middle' }); // closes a tab, as in browsers
  await tab.waitFor({ state: 'detached', timeout: 10_000 });
}

/** The walkthrough's steps that show as done (their ids without the extension and walkthrough prefix). */
async function walkthroughStepsDone(): Promise<string[]> {
  const steps = await workbench().page.locator('.getting-started-step').evaluateAll((els) => els.map((e) => ({ id: e.getAttribute('data-step-id') ?? '', done: !!e.querySelector('.codicon-getting-started-step-checked') })));
  return steps.filter((x) => x.done).map((x) => x.id.split('#').pop()!);
}

suite('Launch Run (UI)', function () {
  this.timeout(240_000);

  // The harness opens test/fixtures/workspace; these tests are about the examples workspace a new user opens.
  suiteSetup(async function () {
    this.timeout(200_000);
    await workbench().openFolder(EXAMPLES);
  });

  test('first use: an empty Runs view says what to do; the walkthrough is listed and opening a config completes its first step', async () => {
    const wb = workbench();
    const page = wb.page;
    // The view is empty only without runs: runs other suites left in this harness's runs home are set aside meanwhile.
    const runsDir = join(process.env.LLMTRAIN_LOCAL_HOME!, '.llm-training-studio', 'runs');
    const aside = existsSync(runsDir) && readdirSync(runsDir).length ? `${runsDir}.aside` : undefined;
    if (aside) renameSync(runsDir, aside);
    try {
      await wb.runCommand('LLM Training: Refresh Runs');
      await wb.showViewContainer('LLM Training');
      const welcome = page.locator('.pane', { has: page.locator('.pane-header', { hasText: /^\s*Runs/i }) }).locator('.welcome-view-content');
      await welcome.waitFor({ state: 'visible', timeout: 30_000 });
      const text = (await welcome.innerText()).replace(/\s+/g, ' ');
      assert.match(text, /^No runs yet\. A run is a training command/);
      assert.match(text, /Pick the host local, then your training config/);
      assert.ok(await welcome.getByRole('button', { name: 'Launch Run…' }).isVisible(), 'no Launch Run button in the welcome');
      await wb.screenshot('runs-welcome');
    } finally {
      if (aside) renameSync(aside, runsDir);
      await wb.runCommand('LLM Training: Refresh Runs');
    }
    await openWalkthrough();
    assert.deepEqual(await walkthroughStepsDone(), []);
    await closeWalkthrough();
    // Open a training config as the step says: the step completes (onContext:llmTraining.isTrainingConfig).
    await wb.runCommand('Go to File...');
    await wb.quickInput.locator('input').fill('broken-sft.yaml');
    await waitFor('broken-sft.yaml in Go to File', async () => (await wb.quickPickLabels()).includes('broken-sft.yaml') || undefined, 15_000, 300);
    await page.keyboard.press('Enter');
    await wb.waitForText('gradient_acumulation_steps', 20_000);
    await openWalkthrough();
    await waitFor('the config step to complete', async () => (await walkthroughStepsDone()).includes('openConfig') || undefined, 15_000, 300);
    await page.locator('.getting-started-step', { hasText: 'Launch a run on this machine' }).first().click();
    await wb.screenshot('walkthrough');
    await closeWalkthrough();
    await wb.runCommand('View: Close All Editors');
  });

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
      await step('(1/6): host');
      assert.equal((await wb.quickPickLabels())[0], 'local', 'local is not the first host');
      await typeAndEnter('local');
      // The config step lists the files the config detector recognises (not .vscode/settings.json, model.yaml or
      // checkpoint JSON), then the others behind "Other file…".
      await step('(2/6): config');
      const configs = await wb.quickPickRowTexts();
      assert.deepEqual(configs.map((r) => r.split(' | ')[0]), [...EXAMPLE_CONFIGS, 'Other file…', 'No config file'], JSON.stringify(configs));
      assert.equal(configs[4], 'tiny-gpt/config.yaml | HF Trainer / TRL', 'the framework is named');
      // The two others: .vscode/settings.json and tiny-gpt/model.yaml.
      assert.match(configs[5], /^Other file… \| 2 more YAML\/JSON\/TOML file\(s\) that are not recognised as training configs/);
      await typeAndEnter('tiny-gpt/config.yaml');
      // Working directory on `local` too, defaulting to the config's folder (train.py and output_dir resolve there).
      await step('(3/6): working directory');
      const dirs = await wb.quickPickRowTexts();
      assert.deepEqual(dirs, [`tiny-gpt | folder of the config | ${TINY}`, `examples | workspace folder examples | ${EXAMPLES}`, 'Other folder… | A folder from disk']);
      await page.keyboard.press('Enter');
      // The interpreter is shown: the examples workspace names /usr/bin/python3 (python.defaultInterpreterPath) and the
      // Python extension is not installed here.
      await step('(4/6): launcher');
      const launchers = await wb.quickPickRowTexts();
      assert.equal(launchers[0], '/usr/bin/python3 train.py --config <config> | A plain training script (single process) · Python: /usr/bin/python3 (python.defaultInterpreterPath of this workspace)');
      assert.ok(launchers.some((l) => l.startsWith('torchrun')), 'templates missing torchrun');
      await wb.screenshot('launch-steps');
      await page.keyboard.press('Enter');
      await step('(5/6): command');
      const input = wb.quickInput.locator('input');
      assert.equal(await input.inputValue(), '/usr/bin/python3 -u train.py --config config.yaml', 'the command as offered');
      await quickInputMessage(`Runs in ${TINY} on local · Python: /usr/bin/python3`);
      // `&&` is named as typed.
      await input.fill('/usr/bin/python3 train.py && echo done');
      assert.match(await quickInputMessage('shell operator'), /shell operator '&&' is not supported/);
      // The command as offered (relative train.py and config.yaml: they resolve in the working directory), with a
      // shorter run written to a temp folder instead of examples/tiny-gpt/output.
      const command = `/usr/bin/python3 -u train.py --config config.yaml --max_steps 200 --logging_steps 5 --eval_steps 50 --save_steps 200 --torch_num_threads 1 --output_dir ${out}`;
      await typeAndEnter(command);
      await step('(6/6): environment');
      assert.doesNotMatch(await wb.quickInput.locator('.quick-input-title').innerText(), /previous launch/);
      await quickInputMessage('Pre-filled with the default');
      assert.equal(await input.inputValue(), 'PYTHONUNBUFFERED=1');
      await typeAndEnter('PYTHONUNBUFFERED=1 LLMTS_UI_MARK=1');

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
      const runLabel = (await row.locator('.label-name').first().innerText()).trim();
      await dialog.getByRole('button', { name: 'Stop Run', exact: true }).click();
      // The row's own state icon (not its inline Stop action, which shows the same codicon while the run is running):
      // the stopped state's icon replaces the running one.
      // Found again by its label: an ended run's description no longer reads like a running one's.
      const stateIcon = page.locator('.monaco-list-row').filter({ has: page.locator('.label-name', { hasText: runLabel }) }).first().locator('.custom-view-tree-node-item-icon');
      await waitFor('the run to read stopped in the Runs view', async () => ((await stateIcon.getAttribute('class')) ?? '').includes('codicon-debug-stop') || undefined, 60_000, 500);
      assert.doesNotMatch((await stateIcon.getAttribute('class')) ?? '', /codicon-sync|codicon-loading/);
      // Leave the workbench as we found it for the next test.
      await wb.runCommand('View: Close All Editors');
      await wb.runCommand('View: Show Explorer'); // the side bar as it was (other tests click the LLM Training icon)
    } finally {
      removeRunsOf(out); // stops the run by its process group if the test failed before Stop Run
    }
  });

  test('a second launch: other files behind "Other file…", the last working directory remembered, the environment carried over labelled', async () => {
    // Follows the launch above in this workspace (its working directory and environment are what is remembered).
    const wb = workbench();
    await wb.runCommand('LLM Training: Launch Run…');
    await step('(1/6): host');
    await typeAndEnter('local');
    await step('(2/6): config');
    // Files not recognised as training configs are behind "Other file…".
    await typeAndEnter('Other file');
    await step('(2/6): other file');
    assert.deepEqual(await wb.quickPickRowTexts(), ['.vscode/settings.json', 'tiny-gpt/model.yaml', 'Browse…']);
    await typeAndEnter('tiny-gpt/model.yaml');
    await step('(3/6): working directory');
    const dirs = await wb.quickPickRowTexts();
    assert.equal(dirs[0], `tiny-gpt | folder of the config · last used | ${TINY}`, 'the config folder, also the last choice');
    await wb.page.keyboard.press('Enter');
    await step('(4/6): launcher');
    await wb.page.keyboard.press('Enter');
    await step('(5/6): command');
    assert.equal(await wb.quickInput.locator('input').inputValue(), '/usr/bin/python3 -u train.py --config model.yaml', 'the picked file, relative to the working directory');
    await wb.page.keyboard.press('Enter');
    await step('(6/6): environment');
    assert.match(await wb.quickInput.locator('.quick-input-title').innerText(), /environment \(optional\) · from your previous launch/);
    await quickInputMessage('Pre-filled from your previous launch on local');
    assert.equal(await wb.quickInput.locator('input').inputValue(), 'PYTHONUNBUFFERED=1 LLMTS_UI_MARK=1');
    await wb.closeQuickInput(); // cancel: nothing is launched
  });

  test('after a launch the walkthrough shows the launch and curve steps done', async () => {
    // Follows the launch above (Launch Run opened its curve).
    await openWalkthrough();
    const done = await waitFor('launch and curve steps done', async () => { const d = await walkthroughStepsDone(); return d.includes('launchRun') && d.includes('watchCurve') ? d : undefined; }, 15_000, 300);
    assert.deepEqual(done, ['openConfig', 'launchRun', 'watchCurve']);
    await closeWalkthrough();
  });
});
