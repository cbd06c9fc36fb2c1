/**
 * Checkpoint header reads, in the same run:
 * - checkpoint.header.ratio200GBvs1MB: median ms to read the header of a 200 GB sparse safetensors file (made with
 *   truncate: same header, a hole for data) / median for a 1 MB one (goal <= 1.5)
 * - checkpoint.header.sshRoundTrips: SFTP round trips to read one safetensors header over loopback SSH (goal <= 2)
 * - checkpoint.list64ShardsSsh: ms to inspect a 64-shard checkpoint (index + every shard header) over loopback SSH
 * - checkpoint.list200Checkpoints: ms to list a run folder of 200 checkpoint-N/ folders with sizes (local)
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync, chmodSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inspectCheckpoint, readSafetensorsHeader } from '../src/core/checkpoint/index';
import { localFileAccess, runnerFileAccess } from '../src/remote/files';
import { safetensorsBytes } from '../test/fixtures/checkpoint/build';
import { countRoundTrips } from '../test/fixtures/checkpoint/roundTrips';
import { startSshEnv } from '../test/fixtures/remote/sshEnv';

type Result = Record<string, { value: number; unit: string; baseline?: number; ratio?: number }>;
function median(xs: number[]): number { const s = [...xs].sort((a, b) => a - b); return s[s.length >> 1]; }

function header(n: number, dataBytes: number): Record<string, unknown> {
  const h: Record<string, unknown> = { __metadata__: { format: 'pt' } };
  const per = Math.floor(dataBytes / n / 2) * 2;
  for (let i = 0; i < n; i++) h[`model.layers.${i}.mlp.down_proj.weight`] = { dtype: 'BF16', shape: [per / 2], data_offsets: [i * per, (i + 1) * per] };
  return h;
}

export async function run(): Promise<Result> {
  const dir = mkdtempSync(join(tmpdir(), 'llmt-ckbench-'));
  chmodSync(dir, 0o755);
  try {
    const files = localFileAccess();
    const small = join(dir, 'small.safetensors'), big = join(dir, 'big.safetensors');
    const hs = header(291, 1_000_000), hb = header(291, 200e9);
    const sb = safetensorsBytes(hs);
    writeFileSync(small, sb);
    const bb = safetensorsBytes(hb, 0);
    writeFileSync(big, bb);
    const lastEnd = (hb[`model.layers.290.mlp.down_proj.weight`] as { data_offsets: number[] }).data_offsets[1];
    spawnSync('truncate', ['-s', String(bb.length + lastEnd), big]);
    for (let i = 0; i < 20; i++) { await readSafetensorsHeader(files, small); await readSafetensorsHeader(files, big); }
    const ts: number[] = [], tb: number[] = [];
    for (let i = 0; i < 101; i++) {
      let t = performance.now(); await readSafetensorsHeader(files, small); ts.push(performance.now() - t);
      t = performance.now(); await readSafetensorsHeader(files, big); tb.push(performance.now() - t);
    }
    const out: Result = {
      'checkpoint.header.ratio200GBvs1MB': { value: median(tb), unit: 'ms', baseline: median(ts), ratio: median(tb) / median(ts) },
    };
    // 200 checkpoint-N folders, each a model.safetensors + trainer_state.json (local listing with sizes).
    const run200 = join(dir, 'run200');
    for (let i = 1; i <= 200; i++) {
      const d = join(run200, `checkpoint-${i * 10}`);
      mkdirSync(d, { recursive: true });
      writeFileSync(join(d, 'model.safetensors'), sb);
      writeFileSync(join(d, 'trainer_state.json'), JSON.stringify({ global_step: i * 10, log_history: [{ step: i * 10, eval_loss: 1 / i }] }));
    }
    let t = performance.now();
    const r200 = await inspectCheckpoint(files, run200);
    out['checkpoint.list200Checkpoints'] = { value: performance.now() - t, unit: 'ms' };
    if (r200.checkpoints?.length !== 200) throw new Error('expected 200 checkpoints');
    // Over SSH: round trips for one header, and a 64-shard checkpoint.
    const shards = join(dir, 'sharded64');
    mkdirSync(shards);
    const wm: Record<string, string> = {};
    let total = 0;
    for (let s = 1; s <= 64; s++) {
      const fn = `model-${String(s).padStart(5, '0')}-of-00064.safetensors`;
      const h: Record<string, unknown> = {};
      for (let k = 0; k < 10; k++) { const name = `model.layers.${s}.w${k}.weight`; h[name] = { dtype: 'F16', shape: [8], data_offsets: [k * 16, k * 16 + 16] }; wm[name] = fn; total += 16; }
      writeFileSync(join(shards, fn), safetensorsBytes(h));
    }
    writeFileSync(join(shards, 'model.safetensors.index.json'), JSON.stringify({ metadata: { total_size: total }, weight_map: wm }));
    spawnSync('chmod', ['-R', 'a+rX', dir]);
    const env = await startSshEnv();
    try {
      const pool = env.pool();
      const rf = runnerFileAccess(env.runner(pool));
      await rf.stat('/');
      const rt = countRoundTrips(await pool.get('target').sftp());
      await readSafetensorsHeader(rf, big);
      out['checkpoint.header.sshRoundTrips'] = { value: rt.trips, unit: 'round trips' };
      const times: number[] = [];
      for (let i = 0; i < 3; i++) { t = performance.now(); const r = await inspectCheckpoint(rf, shards); times.push(performance.now() - t); if (r.problems.length) throw new Error(r.problems[0].message); }
      out['checkpoint.list64ShardsSsh'] = { value: median(times), unit: 'ms' };
    } finally { await env.cleanup(); }
    return out;
  } finally { rmSync(dir, { recursive: true, force: true }); }
}

if (require.main === module) {
  run().then((r) => { console.log(JSON.stringify(r, null, 2)); }, (e) => { console.error(e); process.exitCode = 1; });
}
