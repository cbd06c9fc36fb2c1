import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { main } from '../../src/cli/main';

async function capture(argv: string[]): Promise<{ code: number; out: string; err?: string }> {
  const write = process.stdout.write;
  const writeErr = process.stderr.write;
  let out = '';
  let err = '';
  process.stdout.write = ((chunk: string | Uint8Array) => { out += String(chunk); return true; }) as typeof process.stdout.write;
  process.stderr.write = ((chunk: string | Uint8Array) => { err += String(chunk); return true; }) as typeof process.stderr.write;
  try { const code = await main(argv); return err ? { code, out, err } : { code, out }; } finally { process.stdout.write = write; process.stderr.write = writeErr; }
}

test('llmtrain --version prints the package version and exits 0', async () => {
  const { version } = JSON.parse(readFileSync('package.json', 'utf8')) as { version: string };
  assert.deepEqual(await capture(['--version']), { code: 0, out: `llmtrain ${version}\n` });
});

test('llmtrain --help lists every subcommand; no command at all is a usage error (exit 2)', async () => {
  const help = await capture(['--help']);
  assert.equal(help.code, 0);
  for (const cmd of ['validate', 'metrics', 'hosts', 'run', 'runs', 'logs', 'stop']) assert.match(help.out, new RegExp(`^  ${cmd} `, 'm'));
  assert.equal((await capture([])).code, 2);
});

test('llmtrain run --env checks each entry before connecting anywhere (usage error naming it, exit 2)', async () => {
  const r = await capture(['run', '--host', 'local', '--env', 'GOOD=1', '--env', 'BAD NAME=1', '--', 'true']);
  assert.equal(r.code, 2);
  assert.equal(r.out, '');
  assert.match(r.err ?? '', /--env: "BAD NAME=1" is not NAME=value: "BAD NAME" is not a variable name/);
  assert.equal((r.err ?? '').trim().split('\n')[0].startsWith('llmtrain'), true, 'one line first, no stack trace');
});

test('llmtrain whose stdout is closed early (`| head`) exits 141, as a tool killed by SIGPIPE does, not 0', () => {
  const dir = mkdtempSync(join(tmpdir(), 'llmts-epipe-'));
  try {
    // 5000 alpaca rows with an empty output: 1000 problems listed in the JSON, about 127 KB, twice a pipe's buffer.
    const file = join(dir, 'bad.jsonl');
    writeFileSync(file, Array.from({ length: 5000 }, (_, i) => JSON.stringify({ instruction: `q${i}`, output: '' })).join('\n') + '\n');
    // A shell pipe, as a user's `| head` (node's own child pipes are socket pairs whose larger buffer would take it all).
    const cli = [process.execPath, '--import', 'tsx', join('src', 'cli', 'main.ts'), 'data', file, '--format', 'json'].map((a) => `'${a}'`).join(' ');
    const r = spawnSync('bash', ['-c', `${cli} | head -c 100 > /dev/null; echo "\${PIPESTATUS[0]}"`], { encoding: 'utf8' });
    const code = Number(r.stdout.trim());
    assert.equal(code, 141);
  } finally { rmSync(dir, { recursive: true, force: true }); }
});

test('an explicitly given --ssh-config that does not exist is a usage error (exit 2) for every host-facing command', async () => {
  // Tester's report (issue 12 tryout, finding 5): `llmtrain hosts --ssh-config /nonexistent` listed only `local`, exit 0.
  const dir = mkdtempSync(join(tmpdir(), 'llmts-sshcfg-'));
  const missing = join(dir, 'nonexistent');
  try {
    for (const argv of [['hosts'], ['runs'], ['logs', 'x'], ['stop', 'x'], ['run', '--', 'true'], ['checkpoint', dir], ['data', missing]]) {
      const r = await capture([argv[0], '--ssh-config', missing, ...argv.slice(1)]);
      assert.equal(r.code, 2, `${argv[0]}: ${r.err}`);
      assert.equal(r.out, '', argv[0]);
      assert.match(r.err ?? '', new RegExp(`^llmtrain ${argv[0]}: --ssh-config .*nonexistent: no such file\\n$`), argv[0]);
    }
    // an existing config is read as before
    const cfg = join(dir, 'config');
    writeFileSync(cfg, 'Host gpu-a\n  HostName 10.0.0.5\n');
    const ok = await capture(['hosts', '--ssh-config', cfg]);
    assert.equal(ok.code, 0);
    assert.match(ok.out, /^gpu-a +(\S+@)?10\.0\.0\.5$/m);
  } finally { rmSync(dir, { recursive: true, force: true }); }
});
