// UI test (issue 15, "an error only where the launch directory is known (... a Launch Run in progress)"): Launch Run
// on `local` with a config that names a DeepSpeed JSON missing in the working directory shows the modal that lists
// it (src/views/config/launchCheck.ts); Cancel launches nothing. Drives the real workbench (code-server + Chromium)
// in a temp workspace: configs/sft.yaml names `deepspeed: ds_zero2.json`, which is in the workspace folder but not
// in configs/, the working directory Launch Run offers first (DeepSpeed opens the path from there).
import * as assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { workbench, waitFor } from './workbench';

const ROOT = resolve(__dirname, '..', '..');

/** Waits until the quick input's title includes `titleIncludes`. */
async function step(titleIncludes: string): Promise<void> {
  const wb = workbench();
  await waitFor(`quick input '${titleIncludes}'`, async () => ((await wb.quickInput.locator('.quick-input-title').innerText().catch(() => '')).includes(titleIncludes) ? true : undefined), 30_000);
}

/** Runs (run.json argv) in the harness's runs home whose command mentions `marker`. */
function runsOf(marker: string): string[] {
  const root = join(process.env.LLMTRAIN_LOCAL_HOME ?? '/nonexistent', '.llm-training-studio', 'runs');
  if (!existsSync(root)) return [];
  return readdirSync(root).filter((id) => {
    try { return (JSON.parse(readFileSync(join(root, id, 'run.json'), 'utf8')) as { argv: string[]; cwd?: string }).argv.some((a) => a.includes(marker)); } catch { return false; }
  });
}

suite('Launch Run: a file the config names is missing in the working directory (UI)', function () {
  this.timeout(240_000);
  let ws = '';

  suiteSetup(async function () {
    this.timeout(200_000);
    ws = mkdtempSync(join(tmpdir(), 'llmts-ui-refs-'));
    mkdirSync(join(ws, 'configs'));
    writeFileSync(join(ws, 'ds_zero2.json'), '{ "zero_optimization": { "stage": 2 }, "train_micro_batch_size_per_gpu": "auto" }\n');
    writeFileSync(join(ws, 'configs', 'sft.yaml'), 'model_name_or_path: Qwen/Qwen2.5-0.5B\noutput_dir: out\nper_device_train_batch_size: 4\ndeepspeed: ds_zero2.json\n');
    await workbench().openFolder(ws);
  });

  suiteTeardown(async function () {
    this.timeout(200_000);
    // The harness's own workspace, as the other suites expect it.
    await workbench().openFolder(join(ROOT, 'test', 'fixtures', 'workspace'));
    if (ws) rmSync(ws, { recursive: true, force: true });
  });

  test('the modal names the file, the line and the working directory; Cancel launches nothing', async () => {
    const wb = workbench();
    const page = wb.page;
    await wb.runCommand('LLM Training: Launch Run…');
    await step('(1/6): host');
    await wb.quickInput.locator('input').fill('local');
    await page.keyboard.press('Enter');
    await step('(2/6): config');
    assert.equal((await wb.quickPickRowTexts())[0], 'configs/sft.yaml | HF Trainer / TRL');
    await wb.quickInput.locator('input').fill('configs/sft.yaml');
    await page.keyboard.press('Enter');
    await step('(3/6): working directory');
    assert.match((await wb.quickPickRowTexts())[0], new RegExp(`^configs \\| folder of the config \\| ${join(ws, 'configs')}$`));
    await page.keyboard.press('Enter');
    await step('(4/6): launcher');
    await page.keyboard.press('Enter');
    await step('(5/6): command');
    await page.keyboard.press('Enter');
    await step('(6/6): environment');
    await page.keyboard.press('Enter');

    const dialog = page.locator('.monaco-dialog-box');
    await dialog.waitFor({ state: 'visible', timeout: 30_000 });
    const text = (await dialog.innerText()).replace(/\s+/g, ' ');
    assert.match(text, new RegExp(`A file the config names is not in ${join(ws, 'configs')}`));
    assert.match(text, new RegExp(`line 4: DeepSpeed config not found: ds_zero2\\.json is not in the launch directory ${join(ws, 'configs')} \\(${join(ws, 'configs', 'ds_zero2.json')}\\) \\(the launch directory given by Launch Run\\)`));
    assert.ok(await dialog.getByRole('button', { name: 'Launch Anyway', exact: true }).isVisible(), 'no Launch Anyway button');
    await wb.screenshot('launch-missing-reference');
    await dialog.getByRole('button', { name: 'Cancel', exact: true }).click();
    await dialog.waitFor({ state: 'detached', timeout: 15_000 });
    // Cancelled: confirmLaunchReferences returned false before anything was started, so no run names the workspace.
    assert.deepEqual(runsOf(ws), []);
  });
});
