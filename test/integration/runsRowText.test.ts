// What the Runs view shows of a run whose name or failure text is hostile or long, as VS Code builds the row: the
// real TreeItem and MarkdownString of the extension's tree (getTreeItem), for run records as `listRunsDetailed` gives
// them. The failure texts are what real tools printed: `sbatch` refusing a partition (two stderr lines, as the local
// Slurm of test/remote/slurm.test.ts prints them) and Slurm's end state and reason of a job past its time limit
// (squeue(1): state TIMEOUT, reason TimeLimit). VS Code renders tree labels and descriptions as plain text (its tree
// creates its labels without icon support), and tooltips as markdown with $(icon) syntax (supportThemeIcons).
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { activeExtension } from './helpers';
import type { ExtensionApi } from '../../src/extension';
import type { RunRecord } from '../../src/core/runs/types';

/** Characters that break a line or reorder text. */
const BREAKS_OR_REORDERS = /[\x00-\x1f\x7f-\x9f\u2028\u2029\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/;
const NAME = `$(flame) **bold** [link](command:workbench.action.quit)\nsecond line \u202Egpj.exe ${'long '.repeat(40)}`;
const SBATCH = 'sbatch failed (exit 1): sbatch: error: invalid partition specified: nope\nsbatch: error: Batch job submission failed: Invalid partition name specified';

function record(over: Partial<RunRecord>): RunRecord {
  return { id: '20261206-101500-x', host: 'local', argv: ['python3', 'train.py'], cwd: '/tmp', envNames: [], startTime: '2026-12-06T10:15:00.000Z', state: 'failed', logPath: '/tmp/output.log', ...over };
}

suite('Runs view row text', () => {
  let api: ExtensionApi;
  suiteSetup(async () => { api = (await activeExtension()).exports as ExtensionApi; });

  test('a hostile name is one line of text in the label, and text (no icon, no markdown) in the tooltip', () => {
    const item = api.runs.tree.getTreeItem({ kind: 'run', host: 'local', run: record({ name: NAME, state: 'finished', exitCode: 0, endTime: '2026-12-06T10:20:00.000Z' }) });
    const label = String(typeof item.label === 'object' ? item.label.label : item.label);
    assert.doesNotMatch(label, BREAKS_OR_REORDERS);
    assert.equal(label, '$(flame) **bold** [link](command:workbench.action.quit)⏎second line \\u202egpj.e…'); // 80 characters
    const tip = item.tooltip as vscode.MarkdownString;
    assert.ok(tip instanceof vscode.MarkdownString && tip.supportThemeIcons);
    const first = tip.value.split('\n')[0];
    // the whole name, escaped: no icon, no bold, no link
    assert.doesNotMatch(first, /(^|[^\\])\$\(flame\)/);
    assert.doesNotMatch(first, /(^|[^\\])\*\*bold/);
    assert.doesNotMatch(first, /(^|[^\\])\[link\]/);
    assert.match(first, /second&nbsp;line&nbsp;\\\\u202egpj\.exe/); // `\u202e` as text (its backslash escaped), not the override
    assert.match(first, /(long&nbsp;){39}long/);
  });

  test('a refused sbatch and a Slurm TIMEOUT say why in the description (one line) and the tooltip', () => {
    const refused = api.runs.tree.getTreeItem({ kind: 'run', host: 'local', run: record({ name: 'refused', error: SBATCH, slurmJobId: undefined }) });
    const d = String(refused.description);
    assert.doesNotMatch(d, BREAKS_OR_REORDERS);
    assert.match(d, /^failed · sbatch failed \(exit 1\): sbatch: error: invalid partition specified: nope⏎sbatch: error: Batch job/);
    const tip = (refused.tooltip as vscode.MarkdownString).value;
    assert.match(tip, /\$\(error\) \*\*launch failed\*\*/);
    assert.ok(tip.includes(SBATCH), tip); // whole, in a code block
    const timeout = api.runs.tree.getTreeItem({ kind: 'run', host: 'local', run: record({ name: 'timeout', slurmJobId: '12', exitCode: 0, endTime: '2026-12-06T10:20:00.000Z', slurmError: 'Slurm job 12: TIMEOUT (TimeLimit)' }) });
    assert.match(String(timeout.description), /^failed · (\w{3} \d+ )?\d\d:\d\d · Slurm job 12: TIMEOUT \(TimeLimit\)$/);
    assert.match((timeout.tooltip as vscode.MarkdownString).value, /\$\(error\) \*\*Slurm\*\*\n+```text\nSlurm job 12: TIMEOUT \(TimeLimit\)\n```/);
  });

  test("a failed run's last log line is in the tooltip as that, not as a crash; a crashed run's line under its reason", () => {
    // as listRunsDetailed gives them: the tester's exit2.py (exit 2 after its own error line), and a segfault
    const failed = api.runs.tree.getTreeItem({ kind: 'run', host: 'local', run: record({ name: 'exit2', exitCode: 2, endTime: '2026-12-06T10:20:00.000Z', lastError: 'ERROR: dataset shard 17 is corrupt, aborting' }) });
    // appendText writes spaces as &nbsp; and escapes markdown's punctuation: read back as the text
    const text = (t: unknown) => (t as vscode.MarkdownString).value.replace(/&nbsp;/g, ' ').replace(/\\([\\`*_{}[\]()#+\-!~.])/g, '$1');
    const tip = text(failed.tooltip);
    assert.match(tip, /\n\*\*last log line\*\*\n+```text\nERROR: dataset shard 17 is corrupt, aborting\n```/);
    assert.doesNotMatch(tip, /\$\(flame\)|crashed/);
    const segv = api.runs.tree.getTreeItem({ kind: 'run', host: 'local', run: record({ name: 'segv', state: 'crashed', exitCode: 139, endTime: '2026-12-06T10:20:00.000Z', crashReason: 'segmentation fault (SIGSEGV, exit 139)', lastError: 'Segmentation fault' }) });
    assert.match(text(segv.tooltip), /\$\(flame\) \*\*segmentation fault \(SIGSEGV, exit 139\)\*\*\n+```text\nSegmentation fault\n```/);
  });
});
