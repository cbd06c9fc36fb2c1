// Remove and rename a run on the embedded host, for real (LocalRunner on a temp home; /bin/sleep and /bin/sh as the
// commands): a running run cannot be removed, an ended one's directory is deleted; a rename keeps run.json otherwise.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { LocalRunner } from '../../src/remote/localRunner';
import { getRun, removeRun, renameRun, startRun, stopRun, waitForRun } from '../../src/remote/runs';
import { stopRunsUnder } from '../fixtures/remote/procs';

test('removeRun refuses a running run and deletes an ended one; renameRun changes only the name', async () => {
  const home = mkdtempSync(join(tmpdir(), 'llmt-manage-'));
  const runner = new LocalRunner({ home });
  try {
    const live = await startRun(runner, { argv: ['/bin/sleep', '60'], cwd: home, env: {}, name: 'sleeper' });
    await assert.rejects(removeRun(runner, live.id), /is running: stop it before removing it/);
    assert.ok(existsSync(dirname(live.logPath)));
    await stopRun(runner, live.id, { interruptGraceMs: 5000, terminateGraceMs: 5000 });

    const done = await startRun(runner, { argv: ['/bin/sh', '-c', 'echo hi; exit 3'], cwd: home, env: {}, name: 'quick' });
    const final = await waitForRun(runner, done);
    assert.equal(final.state, 'failed');
    await renameRun(runner, done.id, 'lr 3e-4 · "quoted" $HOME');
    const before = JSON.parse(readFileSync(join(dirname(done.logPath), 'run.json'), 'utf8'));
    assert.equal(before.name, 'lr 3e-4 · "quoted" $HOME');
    assert.deepEqual(before.argv, ['/bin/sh', '-c', 'echo hi; exit 3']);
    assert.equal((await getRun(runner, done.id)).name, 'lr 3e-4 · "quoted" $HOME');

    await removeRun(runner, done.id);
    assert.equal(existsSync(dirname(done.logPath)), false);
    await removeRun(runner, live.id); // stopped: ended, so removable
    assert.equal(existsSync(dirname(live.logPath)), false);
    await assert.rejects(removeRun(runner, '../etc'), /not a run id/);
  } finally {
    stopRunsUnder(home);
    runner.dispose();
    rmSync(home, { recursive: true, force: true });
  }
});
