// An argv argument with a newline (a `python -c` script) is shown on one line, as bash's ANSI-C quoting $'...\n...',
// in the `llmtrain runs` table and the Runs view label; `--format json` keeps argv as it is. The runs are launched on
// the local host with their own runs home (a temp dir), removed afterwards.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fc from 'fast-check';
import stringWidth from 'string-width';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { displayJoin, displayQuote, displayText, noticeText, shellJoin } from '../../src/core/runs/quote';
import { failureMessage } from '../../src/core/runs/runState';
import { LocalRunner } from '../../src/remote/localRunner';
import { isRunActive, launchRun } from '../../src/remote/runs';
import { commandLabel, LABEL_CHARS, PROBLEM_CHARS, runDescription, runLabel, runProblem } from '../../src/views/runs/format';
import { main } from '../../src/cli/main';
import type { RunRecord } from '../../src/core/runs/types';

const ARGS = ['plain', '', "it's", 'a\nb', 'cr\r\nlf', 'tab\there', '\x1b[31mred', 'back\\slash\n', "quote'\nnewline", 'del\x7f', 'nel\u0085', 'ls\u2028ps\u2029', 'ünï €', 'a b'];

test('displayJoin: one line that bash reads back as the same argv', () => {
  const line = displayJoin(ARGS);
  assert.doesNotMatch(line, /[\n\r\u0085\u2028\u2029]/);
  const back = execFileSync('bash', ['-c', `printf '%s\\0' ${line}`], { encoding: 'utf8' }).split('\0').slice(0, -1);
  assert.deepEqual(back, ARGS);
  // arguments that fit on one line read as shellQuote (POSIX) writes them
  assert.equal(displayJoin(['python3', '-c', 'print("a b")', "it's"]), shellJoin(['python3', '-c', 'print("a b")', "it's"]));
  assert.equal(displayQuote('import os\nprint(1)'), "$'import os\\nprint(1)'");
  assert.equal(displayQuote("it's\n"), "$'it\\'s\\n'");
  assert.equal(displayJoin([]), '');
});

test('displayJoin round-trips any argv through bash, under a UTF-8 and the C locale, on one line (property)', () => {
  const pieces = ['\n', '\r', '\t', '\x1b', '\x7f', '\u0085', '\u009b', '\u2028', '\u2029', "'", '\\', '"', '$x', '`id`', ' ', 'é✓日本', '\u{1f600}'];
  const arg = fc.array(fc.oneof(fc.constantFrom(...pieces), fc.string({ unit: 'binary' }).map((s) => s.replace(/\0/g, ''))), { maxLength: 6 }).map((p) => p.join(''));
  for (const LC_ALL of ['C.UTF-8', 'C']) {
    fc.assert(fc.property(fc.array(arg, { minLength: 1, maxLength: 4 }), (args) => {
      const line = displayJoin(args);
      assert.doesNotMatch(line, /[\x00-\x1f\x7f-\x9f\u2028\u2029]/);
      const out = execFileSync('bash', ['-c', `printf '%s\\0' ${line}`], { env: { ...process.env, LC_ALL } });
      assert.deepEqual(out.toString('utf8').split('\0').slice(0, -1), args);
    }), { numRuns: 60 });
  }
});

test('the Runs view label shows a multi-line -c script on one line', () => {
  assert.equal(commandLabel(['/usr/bin/python3', '-c', 'import os\nprint(1)']), "python3 -c $'import os\\nprint(1)'");
});

/**
 * Launches `argv` named `name` on the local host in a fresh runs home, waits for it to end, and gives `fn` the run and
 * `llmtrain` (main, in this process) answering from that home: what it prints, asserting exit 0. Removes the folders.
 */
async function withEndedRun(argv: string[], name: string, fn: (run: RunRecord, cli: (args: string[]) => Promise<string>) => Promise<void>): Promise<void> {
  const home = mkdtempSync(join(tmpdir(), 'llmt-home-'));
  const work = mkdtempSync(join(tmpdir(), 'llmt-work-'));
  const saved = process.env.LLMTRAIN_LOCAL_HOME;
  try {
    const runner = new LocalRunner({ home });
    const run = await launchRun(runner, { argv, cwd: work, name });
    for (let i = 0; i < 200 && (await isRunActive(runner, run)); i++) await new Promise((res) => setTimeout(res, 50));
    process.env.LLMTRAIN_LOCAL_HOME = home;
    await fn(run, async (args) => {
      const write = process.stdout.write;
      let out = '';
      process.stdout.write = ((c: string | Uint8Array) => { out += String(c); return true; }) as typeof process.stdout.write;
      try { assert.equal(await main(args), 0); } finally { process.stdout.write = write; }
      return out;
    });
  } finally {
    if (saved === undefined) delete process.env.LLMTRAIN_LOCAL_HOME; else process.env.LLMTRAIN_LOCAL_HOME = saved;
    rmSync(home, { recursive: true, force: true }); rmSync(work, { recursive: true, force: true });
  }
}

test('llmtrain runs: a newline in argv does not split the table row; --format json keeps argv unchanged', async () => {
  const argv = ['sh', '-c', 'echo step 1\necho step 2'];
  await withEndedRun(argv, 'two-lines', async (run, cli) => {
    const table = (await cli(['runs'])).trimEnd().split('\n');
    assert.equal(table.length, 2, table.join('\n')); // the header and one row
    assert.ok(table[1].startsWith(run.id), table[1]);
    assert.ok(table[1].endsWith("sh -c $'echo step 1\\necho step 2'"), table[1]);
    const json = JSON.parse(await cli(['runs', '--format', 'json'])) as Array<{ id: string; argv: string[] }>;
    assert.deepEqual(json.find((r) => r.id === run.id)?.argv, argv);
  });
});

/** Characters that break a line or reorder text: what one-line free text must never contain. */
const BREAKS_OR_REORDERS = /[\x00-\x1f\x7f-\x9f\u2028\u2029\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/;
/** A run name as a hostile or careless user could type it: shell syntax, a line break, a right-to-left override
 * ("Trojan Source", CVE-2021-42574: `exe.jpg` read backwards), a tab, an escape sequence, then 300 more characters. */
const HOSTILE = `$(rm -rf ~) \`id\`\nsecond line\r\nthird\u2028x \u202Egpj.exe\tand \x1b[31mred ${'long '.repeat(60)}`;

test('displayText: free text on one line, controls and bidi overrides visible, cut with an ellipsis (property)', () => {
  assert.equal(displayText('a\nb\r\nc\rd\u2028e'), 'a⏎b⏎c⏎d⏎e');
  assert.equal(displayText('x\u202Egpj.exe'), 'x\\u202egpj.exe');
  assert.equal(displayText('$(rm -rf ~)'), '$(rm -rf ~)');
  assert.equal(displayText('ab\u{1f600}cd', 4), 'ab\u{1f600}…');
  assert.equal(displayText('abcd', 4), 'abcd');
  const pieces = ['\n', '\r', '\t', '\x1b', '\x7f', '\u0085', '\u009b', '\u2028', '\u2029', '\u202e', '\u2066', '\u200f', '$(x)', 'é', '\u{1f600}'];
  const text = fc.array(fc.oneof(fc.constantFrom(...pieces), fc.string()), { maxLength: 8 }).map((p) => p.join(''));
  fc.assert(fc.property(text, fc.integer({ min: 1, max: 30 }), (t, max) => {
    const d = displayText(t, max);
    assert.doesNotMatch(d, BREAKS_OR_REORDERS);
    assert.ok([...d].length <= max, d);
    if ([...displayText(t)].length > max) assert.ok(d.endsWith('…'), d);
  }), { numRuns: 200 });
});

test('Runs view row of a hostile name: one line of text, no reordering, cut; problems (sbatch, Slurm) on one line', () => {
  const label = runLabel({ name: HOSTILE, argv: ['python3', 'train.py'] });
  assert.doesNotMatch(label, BREAKS_OR_REORDERS);
  assert.ok(label.startsWith('$(rm -rf ~) `id`⏎second line⏎third⏎x \\u202egpj.exe and \\x1b[31mred long'), label);
  assert.equal([...label].length, LABEL_CHARS);
  assert.ok(label.endsWith('…'));
  assert.equal(runLabel({ name: undefined, argv: ['python3', 'train.py', 'cfg.yaml'] }), 'train.py cfg.yaml');
  // what `sbatch` printed when it refused the job (sbatchCommand: `sbatch failed (exit 1): <stderr>`), two lines
  const error = 'sbatch failed (exit 1): sbatch: error: invalid partition specified: nope\nsbatch: error: Batch job submission failed: Invalid partition name specified';
  const problem = runProblem({ state: 'failed', error });
  assert.equal(problem, error);
  const d = runDescription({ ended: 'failed · 14:02', problem, summary: '', fallback: 'failed · 14:02' });
  assert.doesNotMatch(d, BREAKS_OR_REORDERS);
  assert.ok(d.startsWith('failed · 14:02 · sbatch failed (exit 1): sbatch: error: invalid partition specified: nope⏎sbatch: error: '), d);
  assert.equal([...d].length, 'failed · 14:02 · '.length + PROBLEM_CHARS);
  assert.equal(runProblem({ state: 'failed', slurmError: 'Slurm job 12: TIMEOUT (TimeLimit)' }), 'Slurm job 12: TIMEOUT (TimeLimit)');
  assert.equal(runDescription({ ended: 'failed (exit 1) · 14:02', problem: 'Slurm job 12: TIMEOUT (TimeLimit)', summary: 'step 40/100 · loss 1.2', fallback: '' }),
    'failed (exit 1) · 14:02 · Slurm job 12: TIMEOUT (TimeLimit) · step 40/100 · loss 1.2');
  // a running run whose state Slurm did not give: the state and start time, then why
  assert.equal(runDescription({ problem: 'Slurm did not answer (squeue failed (exit 1): x): the state is what the run folder says', fallback: 'running · 14:00' }),
    'running · 14:00 · Slurm did not answer (squeue failed (exit 1): x): the state is what the run folder says');
  assert.equal(runProblem({ state: 'running' }), undefined);
});

test('llmtrain runs: a hostile run name stays in its cell on one line, cut; --format json keeps it as typed', async () => {
  await withEndedRun(['sh', '-c', 'exit 0'], HOSTILE, async (run, cli) => {
    const table = (await cli(['runs'])).trimEnd().split('\n');
    assert.equal(table.length, 2, table.join('\n')); // the header and one row
    assert.doesNotMatch(table[1], BREAKS_OR_REORDERS);
    const cell = table[1].slice(table[0].indexOf('NAME'), table[0].indexOf('STATE')).trimEnd();
    assert.equal(cell, '$(rm -rf ~) `id`⏎second line⏎third⏎x \\u…'); // 40 characters, the last an ellipsis
    assert.match(table[1].slice(table[0].indexOf('STATE')), /^finished\b/);
    const json = JSON.parse(await cli(['runs', '--format', 'json'])) as Array<{ id: string; name: string }>;
    assert.equal(json.find((r) => r.id === run.id)?.name, HOSTILE);
  });
});

/** The workbench's link syntax in notification text: `parseLinkedText` in src/vs/base/common/linkedText.ts (VS Code
 * 1.x; unchanged since it was added), applied after line breaks become spaces. */
const VSCODE_LINK = /\[([^\]]+)\]\(((?:https?:\/\/|command:|file:)[^)\s]+)(?: (["'])(.+?)(\3))?\)/gi;
const linksOf = (text: string): string[] => [...text.replace(/(\r\n|\n|\r)/gm, ' ').matchAll(VSCODE_LINK)].map((m) => m[2]);

test('noticeText: a run name or log line in a notification never becomes a link VS Code would open or run', () => {
  const hostile = [
    '[Retry](command:workbench.action.terminal.new)',
    'loss [ok](https://evil.example/x) done',
    '[f](file:///etc/passwd)',
    '[a](command:x "title")',
    '[[a](command:x)](command:y)',
    'first line\n[a](COMMAND:x)',
    '[a](Command:x)',
  ];
  for (const h of hostile) {
    assert.ok(linksOf(h).length > 0, `the test input is a link to VS Code: ${JSON.stringify(h)}`); // the test can fail
    assert.deepEqual(linksOf(noticeText(h)), [], h);
  }
  // a failed-run notice: the whole message is made safe, and only the `](` joints and line breaks change
  const msg = failureMessage('[Open](command:workbench.action.openSettings)', { state: 'crashed', crashReason: 'CUDA out of memory', exitCode: 1, host: 'gpu1' }, 'RuntimeError: see [log](https://x.example/y)');
  assert.equal(noticeText(msg), 'Run [Open] (command:workbench.action.openSettings) crashed: CUDA out of memory (exit 1) on gpu1: RuntimeError: see [log] (https://x.example/y)');
  assert.equal(noticeText('step 40/100 [loss 1.2] (ok)'), 'step 40/100 [loss 1.2] (ok)');
  fc.assert(fc.property(fc.string({ unit: 'binary' }), (s) => linksOf(noticeText(s)).length === 0));
});

test('llmtrain runs: columns line up by display width with a CJK run name (two terminal cells a character)', async () => {
  await withEndedRun(['sh', '-c', 'exit 0'], '中文微调-qwen', async (_run, cli) => {
    const [head, row] = (await cli(['runs'])).trimEnd().split('\n');
    const col = (line: string, at: number) => stringWidth(line.slice(0, at)); // terminal column of a string index
    assert.equal(col(row, row.indexOf('finished')), col(head, head.indexOf('STATE')), `${head}\n${row}`);
  });
});
