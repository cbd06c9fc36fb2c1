// A run that fails, as the user sees it in a real VS Code: the Runs tree says "failed (exit 3) · HH:MM" (no ETA),
// and one error notification says so with the log's last error line, Open Log / Show Loss Curve. Real parts: the
// command is /usr/bin/python3 exiting with code 3 on the embedded `local` host (runs home: the harness's
// LLMTRAIN_LOCAL_HOME); the notification is read from the workbench page through the harness's UI bridge (nothing
// is stubbed). The run directory is removed in suiteTeardown.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { activeExtension, hasUiBridge, uiBridge, waitFor } from './helpers';
import type { ExtensionApi } from '../../src/extension';
import type { RunsNode } from '../../src/views/runs/tree';

suite('A failed run', function () {
  this.timeout(120_000);
  let api: ExtensionApi;
  let outDir: string;
  const runDirs: string[] = [];

  suiteSetup(async function () {
    if (!hasUiBridge()) this.skip(); // the notification is read from the workbench page (code-server harness only)
    assert.ok(process.env.LLMTRAIN_LOCAL_HOME, 'the harness gives the extension host its own runs home');
    api = (await activeExtension()).exports as ExtensionApi;
    outDir = fs.mkdtempSync(path.join(os.tmpdir(), 'llmts-runs-failed-'));
  });
  suiteTeardown(() => {
    for (const d of runDirs) fs.rmSync(d, { recursive: true, force: true });
    if (outDir) fs.rmSync(outDir, { recursive: true, force: true });
  });

  test('shows "failed (exit 3)" in the tree and notifies once with the last error line', async () => {
    const name = `exit-three-${process.pid}`;
    const script = "import sys\nprint('step 1 loss 2.5')\nprint('error: learning_rate must be positive, got -1', file=sys.stderr)\nsys.exit(3)\n";
    const started = await api.runs.start({ host: 'local', cwd: outDir, argv: ['/usr/bin/python3', '-c', script], name });
    runDirs.push(path.dirname(started.run.logPath));
    const final = await started.ended;
    assert.equal(final.state, 'failed');
    assert.equal(final.exitCode, 3);

    // The notification, as shown in the workbench.
    // The extension-test workbench shows no toasts; the notification center lists what was notified.
    await vscode.commands.executeCommand('notifications.showList');
    const shown = await uiBridge<{ text: string }>({ action: 'notification', contains: name, button: 'Open Log', timeoutMs: 30_000 });
    assert.match(shown.text, /failed \(exit 3\) on local/);
    assert.match(shown.text, /error: learning_rate must be positive, got -1/);
    await waitFor('Open Log to open output.log', () => vscode.window.activeTextEditor?.document.uri.fsPath === started.run.logPath, 15_000);

    // The tree row: how and when it ended, no ETA.
    const hosts = await api.runs.tree.getChildren();
    const local = hosts.find((n) => n.kind === 'host' && n.host.alias === 'local');
    assert.ok(local, 'no local host row');
    await api.runs.tree.poll();
    const rows = await api.runs.tree.getChildren(local);
    const row = rows.find((n): n is Extract<RunsNode, { kind: 'run' }> => n.kind === 'run' && n.run.id === started.run.id);
    assert.ok(row, `run ${started.run.id} is not in the tree`);
    const item = api.runs.tree.getTreeItem(row);
    assert.match(String(item.description), /^failed \(exit 3\) · (\w{3} \d+ )?\d\d:\d\d/);
    assert.doesNotMatch(String(item.description), /ETA/);
    assert.equal(item.contextValue, 'run.failed');

    // Once: more listings of the same run (the view's poll) notify nothing more. The absence is checked by waiting
    // for a toast that must not come (the bridge gives up after 5 s); its time is no assertion.
    await api.runs.tree.poll();
    await api.runs.tree.poll();
    await assert.rejects(uiBridge({ action: 'notification', contains: name, timeoutMs: 5_000 }), /Timeout|timeout|waiting/);

    // Rename Run… stores the name in run.json; the tree shows it.
    const renamed = await vscode.commands.executeCommand<string>('llmTraining.runs.rename', row, '  lr sweep · exit 3 ');
    assert.equal(renamed, 'lr sweep · exit 3');
    const runJson = JSON.parse(fs.readFileSync(path.join(path.dirname(started.run.logPath), 'run.json'), 'utf8'));
    assert.equal(runJson.name, 'lr sweep · exit 3');
    assert.equal(runJson.id, started.run.id);
    const row2 = (await api.runs.tree.getChildren(local)).find((n): n is Extract<RunsNode, { kind: 'run' }> => n.kind === 'run' && n.run.id === started.run.id)!;
    assert.equal(api.runs.tree.getTreeItem(row2).label, 'lr sweep · exit 3');

    // Remove Run… asks first, modally: the extension-test workbench refuses modals (DialogService in tests), with the
    // dialog's text in its error, and nothing is deleted. Confirmed, the run directory goes, through the Runner.
    await assert.rejects(Promise.resolve(vscode.commands.executeCommand('llmTraining.runs.remove', row2)), /Contents: Remove run "lr sweep · exit 3" on local\?/);
    assert.equal(fs.existsSync(path.join(path.dirname(started.run.logPath), 'run.json')), true, 'removed without a confirmation');
    await api.runs.backend.removeRun(await api.runs.backend.getRunner('local'), row2.run);
    await api.runs.tree.poll();
    assert.equal(fs.existsSync(path.dirname(started.run.logPath)), false, 'the run directory is still there');
    assert.ok(!(await api.runs.tree.getChildren(local)).some((n) => n.kind === 'run' && n.run.id === started.run.id));
  });
});
