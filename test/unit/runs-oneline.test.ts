// An argv argument with a newline (a `python -c` script) is shown on one line, as bash's ANSI-C quoting $'...\n...',
// in the `llmtrain runs` table and the Runs view label; `--format json` keeps argv as it is. The runs are launched on
// the local host with their own runs home (a temp dir), removed afterwards.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fc from 'fast-check';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { displayJoin, displayQuote, shellJoin } from '../../src/core/runs/quote';
import { LocalRunner } from '../../src/remote/localRunner';
import { isRunActive, launchRun } from '../../src/remote/runs';
import { commandLabel } from '../../src/views/runs/format';
import { main } from '../../src/cli/main';

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

test('llmtrain runs: a newline in argv does not split the table row; --format json keeps argv unchanged', async () => {
  const home = mkdtempSync(join(tmpdir(), 'llmt-home-'));
  const work = mkdtempSync(join(tmpdir(), 'llmt-work-'));
  const saved = process.env.LLMTRAIN_LOCAL_HOME;
  const argv = ['sh', '-c', 'echo step 1\necho step 2'];
  try {
    const runner = new LocalRunner({ home });
    const run = await launchRun(runner, { argv, cwd: work, name: 'two-lines' });
    for (let i = 0; i < 200 && (await isRunActive(runner, run)); i++) await new Promise((res) => setTimeout(res, 50));
    process.env.LLMTRAIN_LOCAL_HOME = home;
    const cli = async (args: string[]): Promise<string> => {
      const write = process.stdout.write;
      let out = '';
      process.stdout.write = ((c: string | Uint8Array) => { out += String(c); return true; }) as typeof process.stdout.write;
      try { assert.equal(await main(args), 0); } finally { process.stdout.write = write; }
      return out;
    };
    const table = (await cli(['runs'])).trimEnd().split('\n');
    assert.equal(table.length, 2, table.join('\n')); // the header and one row
    assert.ok(table[1].startsWith(run.id), table[1]);
    assert.ok(table[1].endsWith("sh -c $'echo step 1\\necho step 2'"), table[1]);
    const json = JSON.parse(await cli(['runs', '--format', 'json'])) as Array<{ id: string; argv: string[] }>;
    assert.deepEqual(json.find((r) => r.id === run.id)?.argv, argv);
  } finally {
    if (saved === undefined) delete process.env.LLMTRAIN_LOCAL_HOME; else process.env.LLMTRAIN_LOCAL_HOME = saved;
    rmSync(home, { recursive: true, force: true }); rmSync(work, { recursive: true, force: true });
  }
});
