// The ONNX model reader on files written at test time by Debian's python3-onnx (onnx.helper: several op types, a
// subgraph-free graph, external data), .npy files written by numpy, and the export pre-check on a sparse 200 GB
// safetensors file with a real header, on Git LFS pointers and on a PEFT adapter.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync, truncateSync, readFileSync, unlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { readOnnxModel, externalDataComplete, OnnxFormatError } from '../../src/core/onnx/model';
import { maxAbsDiff, parseNpy } from '../../src/core/onnx/npy';
import { buildPrecheck, taskOf } from '../../src/core/onnx/precheck';
import { describeExporter, exportArgv, parseExportReport, parseProbe, type ExporterProbe } from '../../src/core/onnx/export';
import { inspectCheckpoint } from '../../src/core/checkpoint';
import { memoryFileAccess } from '../../src/core/files';
import { localFileAccess } from '../../src/remote/files';

const PY = '/usr/bin/python3';
const noOnnx = spawnSync(PY, ['-c', 'import onnx, numpy'], { encoding: 'utf8' }).status === 0 ? false : `${PY} cannot import onnx and numpy (apt-get install python3-onnx)`;

/** Writes an ONNX model with python3-onnx: 3 inputs (one is an initializer), MatMul/Add/Relu x2, 2 initializers. */
function writeModel(dir: string, external: boolean): string {
  const code = `
import sys, numpy as np, onnx
from onnx import helper, TensorProto, numpy_helper
out, external = sys.argv[1], sys.argv[2] == '1'
W = numpy_helper.from_array(np.arange(64 * 32, dtype=np.float32).reshape(64, 32), 'W')
B = numpy_helper.from_array(np.ones(32, dtype=np.float16), 'B')
nodes = [helper.make_node('MatMul', ['x', 'W'], ['h']), helper.make_node('Cast', ['B'], ['b32'], to=TensorProto.FLOAT),
         helper.make_node('Add', ['h', 'b32'], ['a']), helper.make_node('Relu', ['a'], ['r']), helper.make_node('Relu', ['r'], ['y']),
         helper.make_node('Identity', ['y'], ['z'], domain='com.example')]
g = helper.make_graph(nodes, 'g', [helper.make_tensor_value_info('x', TensorProto.FLOAT, ['batch', 64]), helper.make_tensor_value_info('W', TensorProto.FLOAT, [64, 32])],
                      [helper.make_tensor_value_info('z', TensorProto.FLOAT, ['batch', 32]), helper.make_tensor_value_info('y', TensorProto.FLOAT, None)], [W, B])
m = helper.make_model(g, producer_name='unit-test', producer_version='9.9', opset_imports=[helper.make_opsetid('', 14), helper.make_opsetid('com.example', 1)])
m.metadata_props.add(key='k', value='v')
if external:
    onnx.save_model(m, out, save_as_external_data=True, all_tensors_to_one_file=True, location='w.data', size_threshold=0)
else:
    onnx.save_model(m, out)
`;
  const out = join(dir, external ? 'ext.onnx' : 'plain.onnx');
  const r = spawnSync(PY, ['-c', code, out, external ? '1' : '0'], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  return out;
}

test('ONNX reader: inputs without initializers, shapes, opsets, producer, op histogram, initializer bytes', { skip: noOnnx }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'llmt-onnx-unit-'));
  try {
    const s = await readOnnxModel(localFileAccess(), writeModel(dir, false));
    assert.equal(s.producerName, 'unit-test');
    assert.equal(s.producerVersion, '9.9');
    assert.deepEqual(s.opsetImports, [{ domain: '', version: 14 }, { domain: 'com.example', version: 1 }]);
    assert.deepEqual(s.inputs.map((i) => [i.name, i.shape, i.dtype]), [['x', ['batch', 64], 'float32']]);
    assert.deepEqual(s.outputs.map((o) => [o.name, o.shape, o.dtype, o.hasShape]), [['z', ['batch', 32], 'float32', true], ['y', [], 'float32', false]]);
    assert.equal(s.nodeCount, 6);
    assert.deepEqual(s.opTypes, [{ opType: 'Relu', count: 2 }, { opType: 'Add', count: 1 }, { opType: 'Cast', count: 1 }, { opType: 'com.example:Identity', count: 1 }, { opType: 'MatMul', count: 1 }]);
    assert.equal(s.initializerCount, 2);
    assert.equal(s.initializerBytes, 64 * 32 * 4 + 32 * 2);
    assert.equal(s.embeddedBytes, s.initializerBytes);
    assert.deepEqual(s.externalData, []);
    assert.deepEqual(s.metadata, { k: 'v' });
  } finally { rmSync(dir, { recursive: true, force: true }); }
});

test('ONNX reader: external data files are listed and checked (present, missing, short), data never read', { skip: noOnnx }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'llmt-onnx-unit-'));
  try {
    const path = writeModel(dir, true);
    const files = localFileAccess();
    let reads = 0;
    const counting = { ...files, read: (p: string, a: number, b: number) => { reads += b - a; return files.read(p, a, b); } };
    const s = await readOnnxModel(counting, path);
    assert.equal(s.externalBytes, 64 * 32 * 4 + 32 * 2);
    assert.equal(s.embeddedBytes, 0);
    assert.equal(s.externalData.length, 1);
    assert.equal(s.externalData[0].location, 'w.data');
    assert.equal(s.externalData[0].status, 'ok');
    assert.equal(s.externalData[0].tensors, 2);
    assert.ok(externalDataComplete(s));
    assert.ok(reads <= readFileSync(path).length, 'only the .onnx itself is read');
    truncateSync(join(dir, 'w.data'), 100);
    assert.equal((await readOnnxModel(files, path)).externalData[0].status, 'short');
    unlinkSync(join(dir, 'w.data'));
    const gone = await readOnnxModel(files, path);
    assert.equal(gone.externalData[0].status, 'missing');
    assert.equal(externalDataComplete(gone), false);
  } finally { rmSync(dir, { recursive: true, force: true }); }
});

test('ONNX reader: a large raw_data initializer is skipped, not read (bounded reads)', async () => {
  // Hand-encoded ModelProto: ir_version 8, graph { initializer { dims 4096 dims 4096, data_type FLOAT, name "big", raw_data <64 MiB> } }
  const raw = 4096 * 4096 * 4;
  const varint = (n: number): number[] => { const o: number[] = []; while (n >= 0x80) { o.push((n % 128) | 0x80); n = Math.floor(n / 128); } o.push(n); return o; };
  const name = [...Buffer.from('big')];
  const tensorHead = [0x08, ...varint(4096), 0x08, ...varint(4096), 0x10, 1, 0x42, name.length, ...name, 0x4a, ...varint(raw)];
  const tensorLen = tensorHead.length + raw;
  const graphHead = [0x2a, ...varint(tensorLen)];
  const graphLen = graphHead.length + tensorLen;
  const head = Uint8Array.from([0x08, 8, 0x3a, ...varint(graphLen), ...graphHead, ...tensorHead]);
  const size = head.length + raw;
  let read = 0;
  const files = {
    host: 'memory',
    stat: async () => ({ size, mtimeMs: 0, isDirectory: false }),
    list: async () => [],
    read: async (_p: string, a: number, b: number) => {
      read += Math.min(b, size) - a;
      const out = new Uint8Array(Math.max(0, Math.min(b, size) - a));
      if (a < head.length) out.set(head.subarray(a, Math.min(head.length, b)));
      return out;
    },
  };
  const s = await readOnnxModel(files, '/m.onnx');
  assert.equal(s.initializerCount, 1);
  assert.equal(s.initializerBytes, raw);
  assert.ok(read <= 2 << 20, `read ${read} bytes of ${size}`);
});

test('ONNX reader: a text file, a truncated file and a folder are clear errors', async () => {
  const files = memoryFileAccess({ '/a.onnx': 'hello world, not protobuf', '/t.onnx': Uint8Array.from([0x08, 8, 0x3a, 0x80, 0x01, 0x0a]) });
  await assert.rejects(readOnnxModel(files, '/a.onnx'), OnnxFormatError);
  await assert.rejects(readOnnxModel(files, '/t.onnx'), /not a valid ONNX model \(.*runs past the end/);
  await assert.rejects(readOnnxModel(files, '/missing.onnx'), /no such file/);
});

test('.npy files written by numpy parse to the same values; maxAbsDiff sees NaN', { skip: noOnnx }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'llmt-npy-'));
  try {
    const r = spawnSync(PY, ['-c', `import numpy as np, sys
np.save(sys.argv[1] + '/f.npy', np.array([[1.5, -2.0, 3.25]], dtype=np.float32))
np.save(sys.argv[1] + '/i.npy', np.array([[7, 1 << 40]], dtype=np.int64))
np.save(sys.argv[1] + '/h.npy', np.array([0.5, -1.0], dtype=np.float16))`, dir], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    const f = parseNpy(readFileSync(join(dir, 'f.npy')));
    assert.deepEqual([f.dtype, f.shape, [...f.data as Float32Array]], ['float32', [1, 3], [1.5, -2, 3.25]]);
    const i = parseNpy(readFileSync(join(dir, 'i.npy')));
    assert.deepEqual([i.dtype, i.shape, [...i.data as BigInt64Array]], ['int64', [1, 2], [7n, 1n << 40n]]);
    const h = parseNpy(readFileSync(join(dir, 'h.npy')));
    assert.equal(maxAbsDiff(h.data as Uint16Array, [0.5, -1.0], true), 0);
    assert.equal(maxAbsDiff([1, 2], [1, 2.5]), 0.5);
    assert.ok(Number.isNaN(maxAbsDiff([1, NaN], [1, 2])));
    assert.throws(() => parseNpy(Buffer.from('nope')), /not an \.npy file/);
  } finally { rmSync(dir, { recursive: true, force: true }); }
});

const probe: ExporterProbe = { python: '3.11.2', torch: '1.13.0', transformers: null, optimum_cli: null, onnx: '1.12.0', onnxruntime: null, numpy: '1.24.2' };

/** A safetensors file with a real header whose data section is a hole: `truncate` to the size the header promises. */
function sparseSafetensors(path: string, tensors: { name: string; dtype: string; shape: number[] }[]): number {
  const size = { F32: 4, BF16: 2, F16: 2 } as Record<string, number>;
  let off = 0;
  const header: Record<string, unknown> = {};
  for (const t of tensors) {
    const n = t.shape.reduce((a, b) => a * b, 1) * size[t.dtype];
    header[t.name] = { dtype: t.dtype, shape: t.shape, data_offsets: [off, off + n] };
    off += n;
  }
  const json = Buffer.from(JSON.stringify(header));
  const len = Buffer.alloc(8);
  len.writeBigUInt64LE(BigInt(json.length));
  writeFileSync(path, Buffer.concat([len, json]));
  truncateSync(path, 8 + json.length + off);
  return off;
}

test('pre-check: a sparse 200 GB bf16 safetensors checkpoint needs external data and opset >= 13; --external-data no is refused', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'llmt-precheck-'));
  try {
    // 25 tensors of 4 Gi bf16 elements = 200 GiB (8 GiB each), as a 100B-parameter model would hold.
    const bytes = sparseSafetensors(join(dir, 'model.safetensors'), Array.from({ length: 25 }, (_, i) => ({ name: `model.layers.${i}.mlp.up_proj.weight`, dtype: 'BF16', shape: [65536, 65536] })));
    assert.equal(bytes, 200 * 1024 ** 3);
    writeFileSync(join(dir, 'config.json'), JSON.stringify({ architectures: ['LlamaForCausalLM'], model_type: 'llama', torch_dtype: 'bfloat16' }));
    const files = localFileAccess();
    const report = await inspectCheckpoint(files, dir, { sizes: false });
    const config = JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8'));
    // A Llama model needs transformers on the host (without it the pre-check refuses: onnxPrecheckRoute.test.ts).
    const p = buildPrecheck({ checkpoint: dir, host: 'local', config, report, probe: { ...probe, transformers: '4.44.0' }, ms: 1 });
    assert.equal(p.bytes, 200 * 1024 ** 3);
    assert.equal(p.parameters, 25 * 65536 * 65536);
    assert.equal(p.externalData, true);
    assert.equal(p.task, 'text-generation');
    assert.equal(p.minOpset, 13);
    assert.match(p.problems.map((x) => x.message).join('\n'), /200\.00 GiB, over protobuf's 2 GiB limit: the export writes the external-data format/);
    assert.deepEqual(p.problems.filter((x) => x.severity === 'error'), []);
    const no = buildPrecheck({ checkpoint: dir, host: 'local', config, report, probe, externalData: 'no', opset: 11, ms: 1 });
    const errors = no.problems.filter((x) => x.severity === 'error').map((x) => x.message).join('\n');
    assert.match(errors, /cannot be one \.onnx file/);
    assert.match(errors, /--opset 11 is too old for BF16 weights: they need opset 13/);
  } finally { rmSync(dir, { recursive: true, force: true }); }
});

test('pre-check: LFS pointers are refused with "run `git lfs pull`"; a PEFT adapter must be merged first; no exporter is an error', async () => {
  const oid = 'a'.repeat(64);
  const pointer = `version https://git-lfs.github.com/spec/v1\noid sha256:${oid}\nsize 4976698672\n`;
  const files = memoryFileAccess({
    '/lfs/config.json': JSON.stringify({ architectures: ['MistralForCausalLM'], model_type: 'mistral' }),
    '/lfs/model.safetensors': pointer,
    '/peft/adapter_config.json': JSON.stringify({ peft_type: 'LORA', r: 8, lora_alpha: 16, target_modules: ['q_proj'], base_model_name_or_path: 'mistralai/Mistral-7B-v0.1' }),
    '/peft/adapter_model.safetensors': (() => {
      const h = Buffer.from(JSON.stringify({ 'base_model.model.layers.0.q_proj.lora_A.weight': { dtype: 'F32', shape: [8, 16], data_offsets: [0, 512] } }));
      const len = Buffer.alloc(8); len.writeBigUInt64LE(BigInt(h.length));
      return new Uint8Array(Buffer.concat([len, h, Buffer.alloc(512)]));
    })(),
  });
  const lfs = buildPrecheck({ checkpoint: '/lfs', host: 'h', config: { architectures: ['MistralForCausalLM'] }, report: await inspectCheckpoint(files, '/lfs'), probe, ms: 1 });
  const lfsErrors = lfs.problems.filter((p) => p.severity === 'error').map((p) => p.message).join('\n');
  assert.match(lfsErrors, /Git LFS pointer/);
  assert.match(lfsErrors, /run `git lfs pull`/);
  const peft = buildPrecheck({ checkpoint: '/peft', host: 'h', config: undefined, report: await inspectCheckpoint(files, '/peft'), probe, ms: 1 });
  assert.match(peft.problems.filter((p) => p.severity === 'error').map((p) => p.message).join('\n'), /PEFT adapter \(LORA, r=8\), not a model: merge it into its base model \(mistralai\/Mistral-7B-v0.1\) first/);
  const noTorch = buildPrecheck({ checkpoint: '/x', host: 'gpu1', config: { architectures: ['X'] }, probe: { ...probe, torch: null }, ms: 1 });
  assert.match(noTorch.problems.map((p) => p.message).join('\n'), /no exporter on gpu1: python 3\.11\.2: no torch/);
});

test('exporter probe, argv and report parsing', () => {
  assert.deepEqual(exportArgv('/h/.llm-training-studio/tools/e.py', { checkpoint: '/c; rm -rf /', out: '/o.onnx', opset: 17, task: 'text-generation', externalData: 'yes' }),
    ['python3', '-u', '/h/.llm-training-studio/tools/e.py', 'export', '/c; rm -rf /', '--out', '/o.onnx', '--opset', '17', '--task', 'text-generation', '--external-data', 'yes']);
  const p = parseProbe('{"python": "3.10.1", "torch": "2.3.0", "transformers": "4.44.0", "optimum_cli": "/usr/bin/optimum-cli", "onnx": "1.16.0", "onnxruntime": "1.18.0", "numpy": "1.26"}\n', '', 0, 'python3');
  assert.match(describeExporter(p).text, /^optimum-cli \(\/usr\/bin\/optimum-cli\) for transformers models.*parity with onnxruntime 1\.18\.0 on the host$/);
  assert.deepEqual(exportArgv('/e.py', { checkpoint: '/c', out: '/o.onnx', exporter: 'optimum' }).slice(-2), ['--exporter', 'optimum']);
  assert.equal(exportArgv('/e.py', { checkpoint: '/c', out: '/o.onnx', exporter: 'auto' }).includes('--exporter'), false);
  // optimum-cli on PATH without transformers in this Python (e.g. a pipx install): offered with --exporter optimum.
  const pipx = parseProbe('{"python": "3.11.2", "torch": "1.13.0", "transformers": null, "optimum_cli": "/home/u/.local/bin/optimum-cli", "onnx": "1.12.0", "onnxruntime": null, "numpy": "1.24"}', '', 0, 'python3');
  assert.match(describeExporter(pipx).text, /^torch 1\.13\.0 torch\.onnx\.export \(no transformers: .*\); optimum-cli \(\/home\/u\/\.local\/bin\/optimum-cli\) with --exporter optimum; onnx 1\.12\.0; parity with onnxruntime-node here/);
  const missing = parseProbe('', 'sh: python9: not found', 127, 'python9');
  assert.deepEqual(describeExporter(missing), { usable: false, text: 'python9: sh: python9: not found' });
  assert.deepEqual(parseExportReport('noise\nLLMTRAIN_EXPORT_RESULT {"error": "bad"}\n'), { error: 'bad' });
  assert.equal(taskOf('BertForSequenceClassification'), 'text-classification');
  assert.equal(taskOf('TinyGPT'), 'text-generation');
});

// Found on the GPU box: a model written by torch 2.11's exporter carries value_info, which the reader skips; the skip
// lost the bytes of the length prefix (`pos += await varint()` reads pos before the await) and the summary failed.
// Expected counts are onnx 1.23's `onnx.load` on the same file there: 187 nodes, 39 initializers, IR version 10.
test('ONNX reader: a torch 2.11 (dynamo) export with value_info reads as onnx.load reads it', async () => {
  const m = await readOnnxModel(localFileAccess(), join(__dirname, '..', 'fixtures', 'onnx', 'llama-tiny-torch211.onnx'));
  assert.deepEqual([m.nodeCount, m.initializerCount, m.irVersion, m.producerName, m.producerVersion], [187, 39, 10, 'pytorch', '2.11.0+cu130']);
  assert.deepEqual(m.inputs.map((i) => [i.name, i.shape, i.dtype]), [['input_ids', ['batch', 'sequence'], 'int64'], ['attention_mask', ['batch', 'sequence'], 'int64']]);
  assert.deepEqual(m.outputs.map((o) => [o.name, o.shape, o.dtype]), [['logits', ['batch', 'sequence', 1000], 'float32']]);
});
