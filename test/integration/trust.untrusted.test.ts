// Workspace Trust, tested with trust ON: scripts/test-vscode.mjs runs `*.untrusted.test.ts` suites in their own
// code-server with `security.workspace.trust.enabled: true` and the workspace left untrusted (Restricted Mode).
// Everything that executes code from the workspace must refuse: Launch Run (programmatic and interactive), an
// `llm-training` task; what only reads (config validation) must still work. Each refusal is checked by its effect:
// a command that would have created a file did not run, and no run directory exists in the runs home.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { activeExtension, hasUiBridge, uiBridge, waitFor, workspaceRoot } from './helpers';
import { stopRunsUnder } from '../fixtures/remote/procs';
import type { ExtensionApi } from '../../src/extension';

const UNTRUSTED = /disabled in an untrusted workspace/;

/** Run directories under the harness's runs home (LLMTRAIN_LOCAL_HOME): none may appear in this suite. */
function runDirs(): string[] {
  const home = process.env.LLMTRAIN_LOCAL_HOME;
  assert.ok(home, 'the harness sets LLMTRAIN_LOCAL_HOME');
  const root = path.join(home, '.llm-training-studio', 'runs');
  return fs.existsSync(root) ? fs.readdirSync(root) : [];
}

suite('Untrusted workspace (Workspace Trust on)', function () {
  this.timeout(120_000);
  let api: ExtensionApi;
  let scratch: string;
  /** A file the refused commands would create if they ran. */
  let canary: string;

  suiteSetup(async () => {
    assert.equal(vscode.workspace.isTrusted, false, 'this suite must run in an untrusted workspace (scripts/test-vscode.mjs trust phase)');
    api = (await activeExtension()).exports as ExtensionApi;
    scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'llmts-untrusted-'));
    canary = path.join(scratch, 'ran');
  });
  suiteTeardown(() => {
    // Nothing may have started here; should a broken trust check have let a run start, stop it by its process group
    // (this suite's runs home holds only what this suite launched).
    if (process.env.LLMTRAIN_LOCAL_HOME) stopRunsUnder(process.env.LLMTRAIN_LOCAL_HOME);
    if (scratch) fs.rmSync(scratch, { recursive: true, force: true });
  });

  test('Launch Run with arguments refuses, and nothing ran', async () => {
    const before = runDirs();
    await assert.rejects(
      Promise.resolve(vscode.commands.executeCommand('llmTraining.launchRun', { host: 'local', cwd: workspaceRoot(), argv: ['/bin/sh', '-c', `touch '${canary}'`], name: 'untrusted' })),
      UNTRUSTED,
    );
    assert.equal(fs.existsSync(canary), false, 'the command ran');
    assert.deepEqual(runDirs(), before, 'a run directory was made');
    assert.deepEqual(api.runs.feeds.list().map((e) => e.runId), [], 'a feed was attached');
  });

  test('interactive Launch Run says why and asks nothing', async function () {
    if (!hasUiBridge()) this.skip();
    const result = await vscode.commands.executeCommand('llmTraining.launchRun');
    assert.equal(result, undefined);
    await vscode.commands.executeCommand('notifications.showList'); // toasts are not shown while extension tests run
    const toast = await uiBridge<{ text: string }>({ action: 'notification', contains: 'untrusted workspace', timeoutMs: 20_000 });
    assert.match(toast.text, /Trust the workspace/);
    const state = await uiBridge<{ dialog: boolean; input: boolean }>({ action: 'state' });
    assert.equal(state.input, false, 'a Launch Run prompt opened');
    assert.deepEqual(runDirs(), []);
  });

  test('an llm-training task refuses in its terminal and ends with exit code 1; nothing ran', async () => {
    const def = { type: 'llm-training', host: 'local', cwd: scratch, argv: ['/bin/sh', '-c', `touch '${canary}'`], name: 'untrusted task' };
    const task = api.runs.tasks.resolveTask(new vscode.Task(def, vscode.TaskScope.Workspace, 'untrusted task', 'llm-training'));
    assert.ok(task?.execution instanceof vscode.CustomExecution);
    // Our own check, below VS Code's task gate: open the task's pseudoterminal as the task system would.
    const exec = task.execution as vscode.CustomExecution & { callback?: (d: vscode.TaskDefinition) => Thenable<vscode.Pseudoterminal> };
    assert.equal(typeof exec.callback, 'function', 'CustomExecution.callback is not readable in this VS Code');
    const pty = await exec.callback!(def);
    let written = '';
    pty.onDidWrite((t) => { written += t; });
    const closed = new Promise<number | void>((resolve) => pty.onDidClose?.((c) => resolve(c)));
    pty.open(undefined);
    assert.equal(await closed, 1);
    assert.match(written, UNTRUSTED);
    // And through VS Code's task system: in Restricted Mode it refuses (throws) or never starts the task; if it did
    // start it, our pseudoterminal refuses with exit code 1.
    let outcome: string;
    let ended: number | undefined;
    const sub = vscode.tasks.onDidEndTaskProcess((e) => { if (e.execution.task.name === 'untrusted task') ended = e.exitCode ?? -1; });
    try {
      await vscode.tasks.executeTask(task);
      outcome = await waitFor('the task to end', () => (ended !== undefined ? `exit ${ended}` : undefined), 15_000).catch(() => 'never started');
    } catch (err) { outcome = `rejected: ${String(err)}`; } finally { sub.dispose(); }
    assert.ok(/^rejected|^never started$|^exit 1$/.test(outcome), `the task: ${outcome}`);
    assert.equal(fs.existsSync(canary), false, 'the task ran its command');
    assert.deepEqual(runDirs(), []);
  });

  test('config validation still works: a misspelt key gets its diagnostic', async () => {
    const uri = vscode.Uri.file(path.join(workspaceRoot(), 'configs', 'axolotl-lora-1b-typo.yml'));
    const doc = await vscode.workspace.openTextDocument(uri);
    await vscode.window.showTextDocument(doc);
    const ds = await waitFor('the unknown-key diagnostic', () => {
      const d = vscode.languages.getDiagnostics(uri).filter((x) => (typeof x.code === 'object' ? x.code.value : x.code) === 'unknown-key');
      return d.length ? d : undefined;
    }, 30_000);
    assert.equal(doc.getText(ds[0].range), 'micro_batchsize');
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  test('framework versions: the host\'s Python is not asked, the lock file still decides (issue 15)', async () => {
    const uri = vscode.Uri.file(path.join(workspaceRoot(), 'locked', 'trl-cli-sft.yaml'));
    await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(uri));
    const d = await waitFor('the config described', async () => {
      const x = await vscode.commands.executeCommand<{ statusText: string; pythonNote: string }>('llmTraining.config.describe', uri);
      return x?.statusText ? x : undefined;
    }, 30_000);
    assert.equal(d.statusText, '$(beaker) HF Trainer / TRL · TRL 0.19.1 (uv.lock)');
    assert.equal(d.pythonNote, 'Host Python: not asked (this workspace is not trusted).');
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });
});
