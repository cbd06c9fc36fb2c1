/**
 * ONNX export pre-check and model view:
 *   onnx.precheck.shards64.ssh      ms: the export pre-check's header work (config.json + inspectCheckpoint of a 64-shard
 *                                   safetensors index: every shard's header) over loopback SSH, median of 5;
 *                                   baseline: the same on local files.
 *   onnx.precheck.probe.ssh         ms: the exporter probe (`python3 -c ...`: imports torch, onnx, ...) over loopback
 *                                   SSH, median of 3 (what the pre-check adds to the header work; runs concurrently).
 *   onnx.modelView.parse500MB       ms: readOnnxModel of a 500 MB ONNX file (50 initializers of 10 MB raw_data, written
 *                                   by python3-onnx), median of 5; baseline: python3-onnx `onnx.load(path)`, which
 *                                   decodes the whole file (one run).
 *   onnx.modelView.parse500MB.rss   MB: peak RSS of a fresh Node process that parses that file; baseline: the same
 *                                   process loading the modules without parsing.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { inspectCheckpoint } from '../src/core/checkpoint';
import { readTextIfExists, type FileAccess } from '../src/core/files';
import { localFileAccess, runnerFileAccess } from '../src/remote/files';
import { probeExporters } from '../src/remote/onnxExport';
import { startSshEnv } from '../test/fixtures/remote/sshEnv';
import { ensureTestUser } from '../test/fixtures/remote/sshd';

type Result = Record<string, { value: number; unit: string; baseline?: number; ratio?: number }>;
const PY = '/usr/bin/python3';

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

/** A 64-shard Llama-like checkpoint: real safetensors headers, data sections as holes (truncate). */
function writeShards(dir: string): void {
  const weightMap: Record<string, string> = {};
  for (let s = 0; s < 64; s++) {
    const file = `model-${String(s + 1).padStart(5, '0')}-of-00064.safetensors`;
    const header: Record<string, unknown> = {};
    let off = 0;
    for (const [name, shape] of [['self_attn.q_proj', [4096, 4096]], ['self_attn.k_proj', [1024, 4096]], ['self_attn.v_proj', [1024, 4096]], ['self_attn.o_proj', [4096, 4096]], ['mlp.gate_proj', [14336, 4096]], ['mlp.up_proj', [14336, 4096]], ['mlp.down_proj', [4096, 14336]]] as const) {
      const n = shape[0] * shape[1] * 2;
      const key = `model.layers.${s}.${name}.weight`;
      header[key] = { dtype: 'BF16', shape, data_offsets: [off, off + n] };
      weightMap[key] = file;
      off += n;
    }
    const json = Buffer.from(JSON.stringify(header));
    const len = Buffer.alloc(8); len.writeBigUInt64LE(BigInt(json.length));
    writeFileSync(join(dir, file), Buffer.concat([len, json]));
    truncateSync(join(dir, file), 8 + json.length + off);
  }
  writeFileSync(join(dir, 'model.safetensors.index.json'), JSON.stringify({ metadata: {}, weight_map: weightMap }));
  writeFileSync(join(dir, 'config.json'), JSON.stringify({ architectures: ['LlamaForCausalLM'], model_type: 'llama', torch_dtype: 'bfloat16' }));
}

async function headerWork(files: FileAccess, dir: string): Promise<number> {
  const t0 = performance.now();
  const [, report] = await Promise.all([readTextIfExists(files, join(dir, 'config.json')), inspectCheckpoint(files, dir, { sizes: false })]);
  if (report.tensors.length !== 64 * 7) throw new Error(`expected ${64 * 7} tensors, read ${report.tensors.length}`);
  return performance.now() - t0;
}

export async function run(): Promise<Result> {
  const out: Result = {};
  const env = await startSshEnv();
  try {
    const u = ensureTestUser();
    const dir = join(env.work, 'llama-64');
    spawnSync('mkdir', ['-p', dir]);
    writeShards(dir);
    spawnSync('chown', ['-R', `${u.uid}:${u.gid}`, dir]);
    const pool = env.pool();
    const runner = env.runner(pool, 'direct');
    await runner.exec(['true']);
    const remote = runnerFileAccess(runner);
    const local = localFileAccess();
    await headerWork(remote, dir); await headerWork(local, dir); // warm-up
    const ssh: number[] = []; const loc: number[] = [];
    for (let i = 0; i < 5; i++) { ssh.push(await headerWork(remote, dir)); loc.push(await headerWork(local, dir)); }
    out['onnx.precheck.shards64.ssh'] = { value: Math.round(median(ssh)), unit: 'ms', baseline: Math.round(median(loc)), ratio: +(median(ssh) / median(loc)).toFixed(2) };
    const probes: number[] = [];
    for (let i = 0; i < 3; i++) { const t0 = performance.now(); const p = await probeExporters(runner, PY); if (!p.torch) throw new Error(`probe: ${p.error ?? 'no torch'}`); probes.push(performance.now() - t0); }
    out['onnx.precheck.probe.ssh'] = { value: Math.round(median(probes)), unit: 'ms' };
    pool.dispose();
  } finally { await env.cleanup(); }

  const tmp = mkdtempSync(join(tmpdir(), 'llmt-onnx-bench-'));
  try {
    const model = join(tmp, 'big.onnx');
    const make = spawnSync(PY, ['-c', `import sys, numpy as np, onnx
from onnx import helper, TensorProto, numpy_helper
inits = [numpy_helper.from_array(np.full((2500, 1000), i, dtype=np.float32), f'w{i}') for i in range(50)]
nodes = [helper.make_node('MatMul', ['x' if i == 0 else f'h{i-1}', f'w{i}' if i % 2 == 0 else f'w{i}'], [f'h{i}']) for i in range(1)]
g = helper.make_graph([helper.make_node('Identity', ['x'], ['y'])], 'g', [helper.make_tensor_value_info('x', TensorProto.FLOAT, ['batch', 1000])], [helper.make_tensor_value_info('y', TensorProto.FLOAT, ['batch', 1000])], inits)
onnx.save_model(helper.make_model(g), sys.argv[1])`, model], { encoding: 'utf8' });
    if (make.status !== 0) throw new Error(make.stderr);
    const src = resolve(__dirname, '..', 'src', 'core', 'onnx', 'model.ts');
    const remoteFiles = resolve(__dirname, '..', 'src', 'remote', 'files.ts');
    const child = (parse: boolean) => spawnSync(process.execPath, ['--import', 'tsx', '-e', `
      const { readOnnxModel } = require(${JSON.stringify(src)});
      const { localFileAccess } = require(${JSON.stringify(remoteFiles)});
      (async () => {
        const times = [];
        if (${parse}) for (let i = 0; i < 5; i++) { const t0 = performance.now(); const s = await readOnnxModel(localFileAccess(), ${JSON.stringify(model)}); if (s.initializerCount !== 50) throw new Error('bad count'); times.push(performance.now() - t0); }
        console.log(JSON.stringify({ times, maxRssKb: process.resourceUsage().maxRSS }));
      })();`], { encoding: 'utf8' });
    const parsed = child(true); const idle = child(false);
    if (parsed.status !== 0 || idle.status !== 0) throw new Error(parsed.stderr || idle.stderr);
    const a = JSON.parse(parsed.stdout.trim().split('\n').pop()!); const b = JSON.parse(idle.stdout.trim().split('\n').pop()!);
    const t0 = performance.now();
    const load = spawnSync(PY, ['-c', 'import sys, onnx; onnx.load(sys.argv[1])', model], { encoding: 'utf8' });
    const pyMs = performance.now() - t0;
    if (load.status !== 0) throw new Error(load.stderr);
    out['onnx.modelView.parse500MB'] = { value: Math.round(median(a.times)), unit: 'ms', baseline: Math.round(pyMs), ratio: +(median(a.times) / pyMs).toFixed(3) };
    out['onnx.modelView.parse500MB.rss'] = { value: Math.round(a.maxRssKb / 1024), unit: 'MB', baseline: Math.round(b.maxRssKb / 1024), ratio: +(a.maxRssKb / b.maxRssKb).toFixed(2) };
  } finally { rmSync(tmp, { recursive: true, force: true }); }
  return out;
}
