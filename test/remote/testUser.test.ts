// The tests' system user is leased (test/fixtures/remote/sshd.ts leaseTestUser): suites in parallel processes share
// it, and the last one to release it deletes it with its home (issue 14: "the test's system user is left"). Uses a
// user of its own, so that suites running beside it keep `llmtest`.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { leaseDir, leaseTestUser, startSshd, removeSshd } from '../fixtures/remote/sshd';

const USER = 'llmtest-lease';
const exists = (user = USER) => readFileSync('/etc/passwd', 'utf8').split('\n').some((l) => l.startsWith(`${user}:`));
const HOLDER = join(__dirname, '..', 'fixtures', 'remote', 'leaseHolder.ts');

/** A holder in another process: resolves once it holds the lease. */
async function holder(user = USER): Promise<{ child: ChildProcess; release(): Promise<{ deleted: boolean; leftProcesses: number[] }> }> {
  const child = spawn(process.execPath, ['--import', 'tsx', HOLDER, user], { stdio: ['pipe', 'pipe', 'inherit'] });
  const lines = createInterface({ input: child.stdout! });
  const next = () => new Promise<string>((resolve, reject) => { lines.once('line', resolve); child.once('exit', (c) => reject(new Error(`holder exited ${c}`))); });
  assert.match(await next(), /^held \d+$/);
  return { child, async release() { child.stdin!.write('release\n'); return JSON.parse(await next()) as { deleted: boolean; leftProcesses: number[] }; } };
}

test('the last of several leases deletes the user and its home; an earlier release leaves it', () => {
  spawnSync('userdel', ['-r', USER]);
  const a = leaseTestUser(USER), b = leaseTestUser(USER);
  assert.equal(a.uid, b.uid);
  assert.ok(exists() && existsSync(a.home), 'created with its home');
  assert.deepEqual(a.release(), { deleted: false, leftProcesses: [] });
  assert.ok(exists(), 'still leased by b');
  assert.deepEqual(a.release(), { deleted: false, leftProcesses: [] }, 'a second release of the same lease is a no-op');
  assert.ok(exists());
  assert.deepEqual(b.release(), { deleted: true, leftProcesses: [] });
  assert.equal(exists(), false);
  assert.equal(existsSync(b.home), false, 'userdel -r removed the home');
  assert.deepEqual(readdirSync(leaseDir(USER)), [], 'no holder file left');
});

test('suites in other processes: the user stays while any holds it; a holder that died does not keep it', async () => {
  const mine = leaseTestUser(USER);
  const other = await holder();
  const crashed = await holder();
  assert.deepEqual(mine.release(), { deleted: false, leftProcesses: [] });
  assert.ok(exists(), 'two other processes hold it');
  crashed.child.kill('SIGKILL'); // a suite killed mid-run never releases
  await new Promise((r) => crashed.child.once('exit', r));
  assert.deepEqual(await other.release(), { deleted: true, leftProcesses: [] }, 'the dead holder is pruned: the live one was the last');
  assert.equal(exists(), false);
});

test('many processes releasing at once: exactly one deletes the user, none deletes it under another', async () => {
  const holders = await Promise.all(Array.from({ length: 4 }, () => holder()));
  const results = await Promise.all(holders.map((h) => h.release()));
  assert.equal(results.filter((r) => r.deleted).length, 1, JSON.stringify(results));
  assert.equal(exists(), false);
});

test('a process the suite left running as the user is killed by pid at the last release, so userdel works', () => {
  const lease = leaseTestUser(USER);
  const sleeper = spawn('sleep', ['300'], { uid: lease.uid, gid: lease.gid, stdio: 'ignore' });
  const r = lease.release();
  assert.deepEqual(r, { deleted: true, leftProcesses: [sleeper.pid] });
  assert.equal(exists(), false);
});

test('startSshd leases the user; removeSshd releases it', async () => {
  const s = await startSshd({ user: USER });
  assert.ok(exists());
  assert.equal(readdirSync(leaseDir(USER)).filter((n) => n !== '.lock').length, 1);
  await s.stop();
  removeSshd(s);
  assert.equal(exists(), false);
});
