/**
 * Remote log streaming latency over loopback SSH (real sshd, real ssh2 client). The baselines are what a user would
 * otherwise run, measured in the same run on the same printer:
 *   remote.lineToEvent.p50 / .p95  ms from a line written by the remote process (it prints its own wall-clock time)
 *                                  to the follower's `data` event, streaming with `tail -c +N -F` on an exec channel.
 *                                  baseline: SFTP polling (stat + read) every 5 s, TensorBoard's default reload
 *                                  interval (`--reload_interval 5`), i.e. what watching a synced log gives.
 *   remote.lineToEvent.vsSshTail.p50 / .p95  the same value against the floor: plain OpenSSH `ssh host tail -F log`
 *                                  in a terminal (the `ssh` binary, no parsing): ratio 1 = as fast as that.
 *   remote.reconnect               ms from killing the connection's sshd processes to the first byte delivered after
 *                                  re-attaching (median of 3 drops; keepalive not involved: the socket closes).
 *                                  The bench fails if a drop is not recovered within 30 s (no made-up 30 000 ms).
 */
import { spawn } from 'node:child_process';
import { isRunActive, launchRun } from '../src/remote/runs';
import { LogFollower } from '../src/remote/logFollower';
import type { Runner } from '../src/remote/types';
import { startSshEnv } from '../test/fixtures/remote/sshEnv';
import { writeAsTestUser } from '../test/fixtures/remote/sshEnv';
import { ensureTestUser } from '../test/fixtures/remote/sshd';
import { join } from 'node:path';

type Result = Record<string, { value: number; unit: string; baseline?: number; ratio?: number }>;

const PRINTER = `import sys, time
n = int(sys.argv[1]); gap = float(sys.argv[2])
for i in range(n):
    print(f"t={time.time():.6f} i={i}", flush=True)
    time.sleep(gap)
`;

function percentile(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))];
}

const LINES = 200;
const GAP_S = '0.05'; // 10 s of printing: two 5 s polls at least

/** Collects line latencies from chunks of the printer's output (each line carries the time it was printed). */
function latencySink(): { lat: number[]; push(chunk: Uint8Array): void } {
  const lat: number[] = [];
  let partial = '';
  return {
    lat,
    push(c) {
      const now = performance.timeOrigin + performance.now(); // sub-millisecond wall clock, comparable to Python's time.time()
      partial += Buffer.from(c).toString('utf8');
      const parts = partial.split('\n');
      partial = parts.pop() ?? '';
      for (const line of parts) {
        const m = /^t=(\d+\.\d+)/.exec(line);
        if (m) lat.push(now - Number(m[1]) * 1000);
      }
    },
  };
}

/** Our follower: streaming (`tail -F` on an exec channel) or polling over SFTP every `pollMs`. */
async function measureFollower(runner: Runner, cwd: string, script: string, stream: boolean, pollMs: number): Promise<number[]> {
  const run = await launchRun(runner, { argv: ['/usr/bin/python3', '-u', script, String(LINES), GAP_S], cwd, name: stream ? 'bench-tail' : 'bench-poll' });
  const sink = latencySink();
  const f = new LogFollower({ runner, path: run.logPath, isActive: () => isRunActive(runner, run), stream, pollMs, activeCheckMs: 1000 });
  f.on('data', (c: Uint8Array) => sink.push(c));
  await f.start().done;
  return sink.lat.slice(5); // drop the start-up lines (connection warm-up)
}

/** The floor: OpenSSH's own `ssh host tail -F log`, as a user would type it, until the printer's last line. */
async function measureSshTail(runner: Runner, env: { configPath: string; knownHostsPath: string }, cwd: string, script: string): Promise<number[]> {
  const run = await launchRun(runner, { argv: ['/usr/bin/python3', '-u', script, String(LINES), GAP_S], cwd, name: 'bench-ssh-tail' });
  const sink = latencySink();
  const ssh = spawn('ssh', ['-F', env.configPath, '-o', `UserKnownHostsFile=${env.knownHostsPath}`, '-o', 'BatchMode=yes', 'direct', 'tail', '-c', '+1', '-F', run.logPath], { stdio: ['ignore', 'pipe', 'pipe'] });
  let err = '';
  ssh.stderr.on('data', (b: Buffer) => { err += b.toString(); });
  await new Promise<void>((resolve, reject) => {
    ssh.stdout.on('data', (c: Buffer) => { sink.push(c); if (sink.lat.length >= LINES) resolve(); });
    ssh.once('exit', (code) => reject(new Error(`ssh tail -F exited (${code}) after ${sink.lat.length} lines: ${err}`)));
  }).finally(() => ssh.kill('SIGKILL'));
  return sink.lat.slice(5);
}

export async function run(): Promise<Result> {
  const env = await startSshEnv();
  try {
    const u = ensureTestUser();
    const script = join(env.work, 'printer.py');
    writeAsTestUser(script, PRINTER, u.uid, u.gid);
    const pool = env.pool({ backoff: { initialMs: 50, maxMs: 1000 } });
    const runner = env.runner(pool, 'direct');
    await runner.exec(['true']);
    const tail = await measureFollower(runner, env.work, script, true, 250);
    const poll5s = await measureFollower(runner, env.work, script, false, 5000);
    const sshTail = await measureSshTail(runner, env, env.work, script);

    // Reconnect: a long printer, three drops.
    const long = await launchRun(runner, { argv: ['/usr/bin/python3', '-u', script, '100000', '0.01'], cwd: env.work, name: 'bench-reconnect' });
    const f = new LogFollower({ runner, path: long.logPath, isActive: () => isRunActive(runner, long), backoff: { initialMs: 50, maxMs: 1000 } });
    let lastData = 0;
    f.on('data', () => { lastData = Date.now(); });
    f.start();
    const reconnects: number[] = [];
    for (let i = 0; i < 3; i++) {
      await new Promise((r) => setTimeout(r, 1000));
      const t0 = Date.now();
      env.target.dropConnections();
      await new Promise((r) => setTimeout(r, 5));
      const before = lastData;
      const deadline = Date.now() + 30_000;
      while ((lastData === before || lastData < t0 + 5) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 2));
      if (lastData === before || lastData < t0 + 5) {
        f.stop();
        await runner.kill(long.pgid!, 'SIGKILL').catch(() => undefined);
        throw new Error(`remote.reconnect: no byte arrived within 30 s after drop ${i + 1} of 3: the follower never reconnected`);
      }
      reconnects.push(lastData - t0);
    }
    f.stop();
    await runner.kill(long.pgid!, 'SIGKILL');
    const entry = (p: number, base: number[]) => { const v = percentile(tail, p); const b = percentile(base, p); return { value: v, unit: 'ms', baseline: b, ratio: v / b }; };
    return {
      'remote.lineToEvent.p50': entry(50, poll5s),
      'remote.lineToEvent.p95': entry(95, poll5s),
      'remote.lineToEvent.vsSshTail.p50': entry(50, sshTail),
      'remote.lineToEvent.vsSshTail.p95': entry(95, sshTail),
      'remote.reconnect': { value: percentile(reconnects, 50), unit: 'ms' },
    };
  } finally {
    await env.cleanup();
  }
}

if (require.main === module) {
  run().then((r) => { console.log(JSON.stringify(r, null, 2)); }, (e) => { console.error(e); process.exitCode = 1; });
}
