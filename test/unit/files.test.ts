import { test } from 'node:test';
import { formatCount } from '../../src/shared/format';
import assert from 'node:assert/strict';
import { DEFAULT_READ_LIMIT, FileNotFoundError, FileTooLargeError, baseName, dirName, formatBytes, joinPath, memoryFileAccess, normalizePath, readAll, readChunks, readText, readTextIfExists, type FileAccess } from '../../src/core/files';

test('memoryFileAccess: range reads clip at EOF, folders are implied by paths, list gives sorted names', async () => {
  const files = memoryFileAccess({ '/m/config.json': '{"a": 1}', '/m/sub/b.bin': new Uint8Array([1, 2, 3, 4]), '/m/./sub/../a.txt': 'x' }, 'box');
  assert.equal(files.host, 'box');
  assert.deepEqual([...await files.read('/m/sub/b.bin', 1, 3)], [2, 3]);
  assert.deepEqual([...await files.read('/m/sub/b.bin', 2, 99)], [3, 4]);
  assert.deepEqual([...await files.read('/m/sub/b.bin', 9, 12)], []);
  assert.deepEqual([...await files.read('/m/sub/b.bin', 3, 1)], [], 'end before start is empty, not an error');
  assert.deepEqual(await files.stat('/m/sub/b.bin'), { size: 4, mtimeMs: 0, isDirectory: false });
  assert.deepEqual(await files.stat('/m/sub'), { size: 0, mtimeMs: 0, isDirectory: true });
  assert.deepEqual(await files.stat('/m//sub/'), { size: 0, mtimeMs: 0, isDirectory: true }, 'paths are normalized');
  assert.equal(await files.stat('/m/su'), undefined, 'a name prefix is not a folder');
  assert.deepEqual(await files.list('/m'), ['a.txt', 'config.json', 'sub']);
  assert.deepEqual(await files.list('/'), ['m']);
  assert.deepEqual(await files.list('/nothing'), []);
  await assert.rejects(files.read('/m/none', 0, 1), (e: Error) => e instanceof FileNotFoundError && e.message === 'no such file on box: /m/none');
});

test('readAll refuses files over the cap before reading a byte, and folders and missing files by name', async () => {
  let reads = 0;
  const big: FileAccess = { host: 'local', async read() { reads++; return new Uint8Array(0); }, async stat() { return { size: DEFAULT_READ_LIMIT + 1, mtimeMs: 0, isDirectory: false }; }, async list() { return []; } };
  await assert.rejects(readAll(big, '/huge/tokenizer.json'), (e: Error) => e instanceof FileTooLargeError && e.size === DEFAULT_READ_LIMIT + 1 && e.limit === DEFAULT_READ_LIMIT && /\/huge\/tokenizer\.json is 268 MB, over the 268 MB this reader accepts/.test(e.message));
  assert.equal(reads, 0, 'nothing read from a file over the cap');
  const files = memoryFileAccess({ '/a/t.txt': '\ufeffhello', '/a/d/x': 'y' }, 'local');
  await assert.rejects(readAll(files, '/a/t.txt', 3), FileTooLargeError);
  assert.equal((await readAll(files, '/a/t.txt', 8)).length, 8, 'a file of exactly the cap (BOM + hello = 8 bytes) is read');
  await assert.rejects(readAll(files, '/a/d'), /\/a\/d is a folder, not a file/);
  await assert.rejects(readAll(files, '/a/none'), /^FileNotFoundError: no such file: \/a\/none$|no such file: \/a\/none/);
  assert.equal(await readText(files, '/a/t.txt'), 'hello', 'BOM dropped');
  assert.equal(await readTextIfExists(files, '/a/none'), undefined);
  assert.equal(await readTextIfExists(files, '/a/d'), undefined);
});

test('readAll reads big files in pieces of at most 16 MiB; readChunks gives every byte once from any start and stops on abort', async () => {
  const size = 40 * 1024 * 1024 + 3;
  const ranges: [number, number][] = [];
  const files: FileAccess = {
    host: 'local',
    async read(_p, s, e) { ranges.push([s, e]); const b = new Uint8Array(Math.min(e, size) - s); for (let i = 0; i < b.length; i++) b[i] = (s + i) & 0xff; return b; },
    async stat() { return { size, mtimeMs: 0, isDirectory: false }; },
    async list() { return []; },
  };
  const all = await readAll(files, '/big.bin');
  assert.equal(all.length, size);
  assert.equal(all[size - 1], (size - 1) & 0xff);
  assert.deepEqual(ranges, [[0, 16 << 20], [16 << 20, 32 << 20], [32 << 20, size]]);
  const mem = memoryFileAccess({ '/f': 'abcdefghij' });
  const parts: string[] = [];
  for await (const c of readChunks(mem, '/f', { chunkSize: 4, start: 1 })) parts.push(new TextDecoder().decode(c));
  assert.deepEqual(parts, ['bcde', 'fghi', 'j']);
  const ac = new AbortController();
  const seen: string[] = [];
  await assert.rejects(async () => { for await (const c of readChunks(mem, '/f', { chunkSize: 3, signal: ac.signal })) { seen.push(new TextDecoder().decode(c)); ac.abort(new Error('stop')); } }, /stop/);
  assert.deepEqual(seen, ['abc']);
  await assert.rejects(async () => { for await (const _ of readChunks(mem, '/none')) void _; }, FileNotFoundError);
});

test('POSIX path helpers: join, normalize (never above the root), dirName, baseName', () => {
  assert.equal(joinPath('/runs', 'a', '../b', './c.json'), '/runs/b/c.json');
  assert.equal(joinPath('/runs/', '', '/x'), '/runs/x');
  assert.equal(joinPath('rel', '..', '..', 'x'), '../x');
  assert.equal(normalizePath('/../../etc/passwd'), '/etc/passwd', 'an absolute path never climbs above /');
  assert.equal(normalizePath('a/./b//c/'), 'a/b/c');
  assert.equal(normalizePath(''), '.');
  assert.equal(normalizePath('/'), '/');
  assert.equal(normalizePath('..'), '..');
  assert.equal(dirName('/a/b/c.json'), '/a/b');
  assert.equal(dirName('/c.json'), '/');
  assert.equal(dirName('c.json'), '.');
  assert.equal(dirName('/a/b/'), '/a');
  assert.equal(baseName('/a/b/c.json'), 'c.json');
  assert.equal(baseName('/a/b/'), 'b');
  assert.equal(formatBytes(999), '999 B');
  assert.equal(formatBytes(1_500_000_000), '1.50 GB');
  assert.equal(formatBytes(26_843_545_600), '26.8 GB');
});

test('formatBytes and formatCount: one formatting for the CLI, the views and the webviews', () => {
  assert.deepEqual([0, 999, 1000, 6320, 1.5e9, 2e15].map(formatBytes), ['0 B', '999 B', '1.00 KB', '6.32 KB', '1.50 GB', '2.00 PB']);
  assert.deepEqual([512, 1600, 6.74e6, 1.236e9].map(formatCount), ['512', '1.6K', '6.74M', '1.24B']);
});
