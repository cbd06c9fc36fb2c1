import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
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
