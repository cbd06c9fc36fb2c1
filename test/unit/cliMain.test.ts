import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { main } from '../../src/cli/main';

async function capture(argv: string[]): Promise<{ code: number; out: string }> {
  const write = process.stdout.write;
  let out = '';
  process.stdout.write = ((chunk: string | Uint8Array) => { out += String(chunk); return true; }) as typeof process.stdout.write;
  try { return { code: await main(argv), out }; } finally { process.stdout.write = write; }
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
