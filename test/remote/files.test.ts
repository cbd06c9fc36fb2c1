/**
 * FileAccess over the two real implementations: runnerFileAccess over an SshRunner to a real sshd on 127.0.0.1
 * (SFTP range reads) and localFileAccess (node:fs), on the same files: ranges, EOF clipping, stat, list, capped
 * whole-file reads and chunked reads must agree with the bytes on disk, byte for byte, on both.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { FileNotFoundError, FileTooLargeError, readAll, readChunks, readText, readTextIfExists, type FileAccess } from '../../src/core/files';
import { localFileAccess, runnerFileAccess } from '../../src/remote/files';
import { startSshEnv } from '../fixtures/remote/sshEnv';

/** 3 MiB + 17 bytes of a pattern where every offset is recognisable (no two neighbouring 4-byte words alike). */
function pattern(n: number): Uint8Array {
  const b = new Uint8Array(n);
  for (let i = 0; i < n; i++) b[i] = (i * 31 + (i >>> 8) * 7 + (i >>> 16)) & 0xff;
  return b;
}

/** Same bytes (a Buffer from one implementation and a Uint8Array from another compare equal). */
function same(got: Uint8Array, want: Uint8Array, what: string): void {
  assert.ok(Buffer.from(got).equals(Buffer.from(want)), `${what}: ${got.length} bytes differ from the ${want.length} expected`);
}

async function checkAccess(files: FileAccess, dir: string, data: Uint8Array): Promise<void> {
  const bin = join(dir, 'model shard.bin');
  const odd = join(dir, "it's ünïcode $(x) `y`.txt");
  // Ranges: start, middle, across the end (clipped), empty, entirely past the end.
  same(await files.read(bin, 0, 10), data.slice(0, 10), 'first 10 bytes');
  same(await files.read(bin, 1_234_567, 1_234_567 + 4099), data.slice(1_234_567, 1_234_567 + 4099), 'a middle range');
  same(await files.read(bin, data.length - 5, data.length + 100), data.slice(data.length - 5), 'a range across the end');
  assert.equal((await files.read(bin, 100, 100)).length, 0);
  assert.equal((await files.read(bin, data.length + 10, data.length + 20)).length, 0);
  // stat
  const st = await files.stat(bin);
  assert.equal(st?.size, data.length);
  assert.equal(st?.isDirectory, false);
  assert.ok(st && st.mtimeMs > Date.parse('2020-01-01'), `mtime in ms since the epoch: ${st?.mtimeMs}`);
  assert.equal((await files.stat(join(dir, 'sub')))?.isDirectory, true);
  assert.equal(await files.stat(join(dir, 'missing.bin')), undefined);
  // list: names, sorted; nothing at the path -> []
  assert.deepEqual(await files.list(dir), ["it's ünïcode $(x) `y`.txt", 'model shard.bin', 'sub'].sort());
  assert.deepEqual(await files.list(join(dir, 'sub')), ['config.json']);
  // whole-file helpers
  same(await readAll(files, bin), data, 'readAll');
  await assert.rejects(readAll(files, bin, 1024), (e: Error) => e instanceof FileTooLargeError && e.size === data.length && e.limit === 1024);
  await assert.rejects(readAll(files, join(dir, 'missing.bin')), (e: Error) => e instanceof FileNotFoundError && e.message.includes('missing.bin'));
  assert.equal(await readText(files, odd), '\u00e9t\u00e9 \u2014 ok\n');
  assert.equal(await readTextIfExists(files, join(dir, 'nope.txt')), undefined);
  assert.equal(await readText(files, join(dir, 'sub', 'config.json')), '{"vocab_size": 32000}');
  // chunked reads give back every byte once, in order, from any start
  const parts: Uint8Array[] = [];
  for await (const c of readChunks(files, bin, { chunkSize: 1 << 20, start: 5 })) parts.push(c);
  assert.deepEqual(parts.map((p) => p.length), [1 << 20, 1 << 20, 1 << 20, 12]);
  same(Buffer.concat(parts), data.slice(5), 'readChunks from byte 5');
}

function writeTree(dir: string, data: Uint8Array): void {
  writeFileSync(join(dir, 'model shard.bin'), data);
  writeFileSync(join(dir, "it's ünïcode $(x) `y`.txt"), '\ufeff\u00e9t\u00e9 \u2014 ok\n'); // BOM dropped by readText
  mkdirSync(join(dir, 'sub'), { recursive: true });
  writeFileSync(join(dir, 'sub', 'config.json'), '{"vocab_size": 32000}');
}

test('runnerFileAccess over SSH and localFileAccess read the same bytes: ranges, EOF clipping, stat, list, capped and chunked reads', async () => {
  const env = await startSshEnv();
  const data = pattern(3 * 1024 * 1024 + 17);
  try {
    const dir = join(env.work, 'files');
    mkdirSync(dir);
    writeTree(dir, data);
    const pool = env.pool();
    const remote = runnerFileAccess(env.runner(pool));
    assert.equal(remote.host, 'target');
    await checkAccess(remote, dir, data);
    const local = localFileAccess();
    assert.equal(local.host, 'local');
    await checkAccess(local, dir, data);
    // Errors name the host and the path.
    await assert.rejects(remote.read(join(dir, 'missing.bin'), 0, 10), (e: Error) => e.message.includes('missing.bin'));
    pool.dispose();
  } finally { await env.cleanup(); }
});
