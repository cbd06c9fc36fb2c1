/**
 * Remote log streaming latency over loopback SSH (real sshd, real ssh2 client):
 *   remote.lineToEvent.p50 / .p95  ms from a line written by the remote process (it prints its own wall-clock time)
 *                                  to the follower's `data` event, streaming with `tail -c +N -F` on an exec channel.
 *                                  baseline: the same measured with SFTP polling (stat + read every 250 ms).
 *   remote.reconnect               ms from killing the connection's sshd processes to the first byte delivered after
 *                                  re-attaching (median of 3 drops; keepalive not involved: the socket closes).
 */
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

async function measureLatency(runner: Runner, cwd: string, script: string, stream: boolean, lines: number): Promise<number[]> {
  const run = await launchRun(runner, { argv: ['/usr/bin/python3', '-u', script, String(lines), '0.02'], cwd, name: stream ? 'bench-tail' : 'bench-poll' });
  const lat: number[] = [];
  let partial = '';
  const f = new LogFollower({ runner, path: run.logPath, isActive: () => isRunActive(runner, run), stream, pollMs: 250, activeCheckMs: 1000 });
  f.on('data', (c: Uint8Array) => {
    const now = performance.timeOrigin + performance.now(); // sub-millisecond wall clock, comparable to Python's time.time()
    partial += Buffer.from(c).toString('utf8');
    const parts = partial.split('\n');
    partial = parts.pop() ?? '';
    for (const line of parts) {
      const m = /^t=(\d+\.\d+)/.exec(line);
      if (m) lat.push(now - Number(m[1]) * 1000);
    }
  });
  await f.start().done;
  return lat.slice(5); // drop the start-up lines (connection warm-up)
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
    const tail = await measureLatency(runner, env.work, script, true, 200);
    const poll = await measureLatency(runner, env.work, script, false, 200);

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
      reconnects.push(Date.now() - t0);
    }
    f.stop();
    await runner.kill(long.pgid!, 'SIGKILL');
    const p95 = percentile(tail, 95);
    const p95poll = percentile(poll, 95);
    return {
      'remote.lineToEvent.p50': { value: percentile(tail, 50), unit: 'ms', baseline: percentile(poll, 50), ratio: percentile(tail, 50) / percentile(poll, 50) },
      'remote.lineToEvent.p95': { value: p95, unit: 'ms', baseline: p95poll, ratio: p95 / p95poll },
      'remote.reconnect': { value: percentile(reconnects, 50), unit: 'ms' },
    };
  } finally {
    await env.cleanup();
  }
}

if (require.main === module) {
  run().then((r) => { console.log(JSON.stringify(r, null, 2)); }, (e) => { console.error(e); process.exitCode = 1; });
}
