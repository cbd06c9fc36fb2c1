import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { startSshEnv } from '../fixtures/remote/sshEnv';
import { writeDictLineTrainer } from '../fixtures/remote/scripts';
import { cli } from '../fixtures/remote/cli';

test('CLI over real sshd: hosts, unknown key refused then accepted, run, runs, logs --follow byte-exact, stop', async () => {
  const sshEnv = await startSshEnv({ jumps: 1 });
  try {
    const kh = join(sshEnv.dir, 'cli_known_hosts');
    const common = ['--ssh-config', sshEnv.configPath, '--known-hosts', kh];
    const env = { LLMTRAIN_REMOTE_HOME: sshEnv.home };

    const hosts = await cli(['hosts', '--ssh-config', sshEnv.configPath]);
    assert.equal(hosts.code, 0, hosts.stderr);
    const lines = hosts.stdout.toString().trim().split('\n');
    assert.match(lines[0], /^local\s+\(this machine\)$/);
    assert.ok(lines.some((l) => /^target\s+llmtest@127\.0\.0\.1:\d+ via jump1$/.test(l)), hosts.stdout.toString());
    assert.ok(lines.some((l) => l.startsWith('jump1 ')));
    assert.ok(!lines.some((l) => l.startsWith('*')));

    const script = writeDictLineTrainer(sshEnv.work, { steps: 25, sleepS: 0.04 });
    const refused = await cli(['run', '--host', 'direct', ...common, '--cwd', sshEnv.work, '--', '/usr/bin/python3', '-u', script], env);
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /host key of 127\.0\.0\.1:\d+ is not known: ssh-ed25519 SHA256:[A-Za-z0-9+/]{43}/);
    assert.match(refused.stderr, /--accept-new-host-key/);
    assert.equal(existsSync(kh), false);
    assert.equal(existsSync(join(sshEnv.home, '.llm-training-studio')), false, 'nothing ran');

    // Through the jump host: both hosts' keys are new and get accepted.
    const started = await cli(['run', '--host', 'target', ...common, '--accept-new-host-key', '--cwd', sshEnv.work, '--name', 'cli run', '--env', 'LR=3e-4', '--', '/usr/bin/python3', '-u', script], env);
    assert.equal(started.code, 0, started.stderr);
    const id = started.stdout.toString().trim();
    assert.match(id, /^\d{8}-\d{6}-cli-run-[a-z0-9]{6}$/);
    assert.equal(readFileSync(kh, 'utf8').trim().split('\n').length, 2);

    const follow = await cli(['logs', '--host', 'target', ...common, id, '--follow'], env);
    assert.equal(follow.code, 0, follow.stderr);
    const logFile = readFileSync(join(sshEnv.home, '.llm-training-studio/runs', id, 'output.log'));
    assert.ok(follow.stdout.equals(logFile), 'stdout carries the log bytes unchanged');
    const from = await cli(['logs', '--host', 'target', ...common, id, '--from', '100'], env);
    assert.ok(from.stdout.equals(logFile.subarray(100)));

    const runs = await cli(['runs', '--host', 'target', ...common, '--format', 'json'], env);
    assert.equal(runs.code, 0, runs.stderr);
    const list = JSON.parse(runs.stdout.toString());
    assert.equal(list[0].id, id);
    assert.equal(list[0].state, 'finished');
    assert.deepEqual(list[0].envNames, ['LR']);

    const long = writeDictLineTrainer(sshEnv.work, { steps: 100_000, sleepS: 0.1 });
    const id2 = (await cli(['run', '--host', 'direct', ...common, '--cwd', sshEnv.work, '--', '/usr/bin/python3', '-u', long], env)).stdout.toString().trim();
    const stopped = await cli(['stop', '--host', 'direct', ...common, id2, '--grace', '5'], env);
    assert.equal(stopped.code, 0, stopped.stderr);
    assert.equal(stopped.stdout.toString(), `${id2} stopped\n`);
    assert.match(stopped.stderr, /SIGINT sent/);

    const bad = await cli(['logs', '--host', 'direct', ...common, '../../etc'], env);
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /not a run id/);
    const usage = await cli(['run', '--host', 'direct', '--bogus'], env);
    assert.equal(usage.code, 2);
    assert.equal(readdirSync(join(sshEnv.home, '.llm-training-studio/runs')).length, 2);
  } finally { await sshEnv.cleanup(); }
});
