// The export pre-check refuses a checkpoint whose build route cannot run on the host (a transformers model where the
// host's Python has no transformers, no --model-factory, no auto_map, no training code), over a real probe of Debian's
// python3 with transformers hidden; the tiny-gpt route (config.json's class defined in the training code above the
// checkpoint) stays open; a missing folder is one line; the export script names the missing transformers.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { buildPrecheck } from '../../src/core/onnx/precheck';
import type { ExporterProbe } from '../../src/core/onnx/export';
import { memoryFileAccess } from '../../src/core/files';
import { findArchitectureSource } from '../../src/remote/onnxPrecheck';
import { cli } from '../cli';

const PY = '/usr/bin/python3';
const skip = spawnSync(PY, ['-c', 'import torch, onnx, numpy'], { encoding: 'utf8' }).status === 0 ? false : `${PY} cannot import torch, onnx and numpy`;
const T = mkdtempSync(join(tmpdir(), 'llmt-onnx-route-'));
after(() => rmSync(T, { recursive: true, force: true }));

/** `python` without transformers, whatever the machine has: a shim that puts a failing `transformers` package first. */
function pythonWithoutTransformers(): string {
  mkdirSync(join(T, 'notf', 'transformers'), { recursive: true });
  writeFileSync(join(T, 'notf', 'transformers', '__init__.py'), 'raise ImportError("hidden by the test")\n');
  const shim = join(T, 'python-notf');
  writeFileSync(shim, `#!/bin/sh\nPYTHONPATH='${join(T, 'notf')}' exec ${PY} "$@"\n`);
  chmodSync(shim, 0o755);
  return shim;
}

/** A model folder: config.json and one F32 safetensors tensor. */
function checkpoint(dir: string, config: Record<string, unknown>): string {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'config.json'), JSON.stringify(config));
  const h = Buffer.from(JSON.stringify({ 'lm_head.weight': { dtype: 'F32', shape: [4, 2], data_offsets: [0, 32] } }));
  const len = Buffer.alloc(8); len.writeBigUInt64LE(BigInt(h.length));
  writeFileSync(join(dir, 'model.safetensors'), Buffer.concat([len, h, Buffer.alloc(32)]));
  return dir;
}


const probe: ExporterProbe = { python: '3.11.2', torch: '1.13.0', transformers: null, optimum_cli: null, onnx: '1.12.0', onnxruntime: null, numpy: '1.24.2' };
const llama = { architectures: ['LlamaForCausalLM'], model_type: 'llama' };
const errors = (p: ReturnType<typeof buildPrecheck>): string[] => p.problems.filter((x) => x.severity === 'error').map((x) => x.message);

test('pre-check: an HF model with no transformers, no factory, no auto_map, no training code and no optimum-cli is an error; each route clears it', () => {
  const base = { checkpoint: '/c', host: 'gpu1', config: llama, probe, python: '/usr/bin/python3', ms: 1 };
  assert.deepEqual(errors(buildPrecheck(base)), ["cannot build LlamaForCausalLM (model_type llama) on gpu1: /usr/bin/python3 has no transformers and no training code beside the checkpoint defines class LlamaForCausalLM: install transformers on the host or give --model-factory FILE:FUNCTION"]);
  assert.deepEqual(errors(buildPrecheck({ ...base, probe: { ...probe, optimum_cli: '/bin/optimum-cli' } })),
    ["cannot build LlamaForCausalLM (model_type llama) on gpu1: /usr/bin/python3 has no transformers and no training code beside the checkpoint defines class LlamaForCausalLM: install transformers on the host or give --model-factory FILE:FUNCTION, or --exporter optimum (optimum-cli at /bin/optimum-cli)"]);
  assert.deepEqual(errors(buildPrecheck({ ...base, probe: { ...probe, transformers: '4.44.0' } })), []);
  assert.deepEqual(errors(buildPrecheck({ ...base, modelFactory: 'f.py:make' })), []);
  assert.deepEqual(errors(buildPrecheck({ ...base, architectureSource: '/train.py' })), []);
  assert.deepEqual(errors(buildPrecheck({ ...base, config: { ...llama, auto_map: { AutoModelForCausalLM: 'modeling_x.X' } } })), []);
  assert.deepEqual(errors(buildPrecheck({ ...base, exporter: 'optimum', probe: { ...probe, optimum_cli: '/bin/optimum-cli' } })), []);
  assert.deepEqual(errors(buildPrecheck({ ...base, config: { model_type: 'x' } })), ['cannot build model_type x on gpu1: /usr/bin/python3 has no transformers and config.json names no architecture: install transformers on the host or give --model-factory FILE:FUNCTION']);
});

test('pre-check: no torch in the default python3 hints at --python; not when --python was given', () => {
  const noTorch = { ...probe, torch: null };
  assert.deepEqual(errors(buildPrecheck({ checkpoint: '/c', host: 'gpu1', config: llama, probe: noTorch, ms: 1 })),
    ['no exporter on gpu1: python 3.11.2: no torch (PyTorch is needed for the export and the parity reference) (another interpreter, e.g. a virtual environment with torch: --python PATH)']);
  assert.deepEqual(errors(buildPrecheck({ checkpoint: '/c', host: 'gpu1', config: llama, probe: noTorch, python: '/venv/bin/python', ms: 1 })),
    ['no exporter on gpu1: python 3.11.2: no torch (PyTorch is needed for the export and the parity reference)']);
});

test('findArchitectureSource: the training code up to three folders above the checkpoint, as export_onnx.py looks', async () => {
  const files = memoryFileAccess({
    '/w/train.py': 'import torch\nclass TinyGPT(torch.nn.Module):\n    pass\n',
    '/w/notes.txt': 'class LlamaForCausalLM(',
    '/w/runs/r1/checkpoint-10/config.json': '{}',
    '/x/a/b/c/d/m.py': '',
    '/x/train.py': 'class Far(',
  });
  assert.equal(await findArchitectureSource(files, '/w/runs/r1/checkpoint-10', 'TinyGPT'), '/w/train.py');
  assert.equal(await findArchitectureSource(files, '/w/runs/r1/checkpoint-10/', 'LlamaForCausalLM'), undefined);
  assert.equal(await findArchitectureSource(files, '/x/a/b/c/d', 'Far'), undefined); // four folders up: too far
  assert.equal(await findArchitectureSource(files, '/x/a/b/c', 'Far'), '/x/train.py');
});

test('CLI export onnx --dry-run over a real probe of a python without transformers: llama refused (exit 1), tiny-gpt route passes (exit 0)', { skip }, async () => {
  const py = pythonWithoutTransformers();
  const ll = checkpoint(join(T, 'llama'), llama);
  const r = await cli(['export', 'onnx', ll, '--out', join(T, 'x.onnx'), '--dry-run', '--python', py]);
  assert.equal(r.code, 1);
  assert.match(r.out, new RegExp(`error: cannot build LlamaForCausalLM \\(model_type llama\\) on local: ${py.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')} has no transformers and no training code beside the checkpoint defines class LlamaForCausalLM: install transformers on the host or give --model-factory FILE:FUNCTION`));
  mkdirSync(join(T, 'tiny'), { recursive: true });
  writeFileSync(join(T, 'tiny', 'train.py'), 'import torch\nclass TinyGPT(torch.nn.Module):\n    pass\n');
  const tiny = checkpoint(join(T, 'tiny', 'out', 'final'), { architectures: ['TinyGPT'], model_type: 'tiny-gpt' });
  const t = await cli(['export', 'onnx', tiny, '--out', join(T, 'y.onnx'), '--dry-run', '--python', py]);
  assert.equal(t.code, 0, t.out);
  assert.doesNotMatch(t.out, /error:/);
});

test('CLI export onnx on a missing folder: one line "no such file or folder", exit 1 (as `llmtrain checkpoint`)', async () => {
  const r = await cli(['export', 'onnx', join(T, 'nope'), '--dry-run']);
  assert.deepEqual(r, { code: 1, out: '', err: `llmtrain export onnx: no such file or folder: ${join(T, 'nope')}\n` });
});

test('export_onnx.py: a llama checkpoint where transformers is missing says transformers is not installed', { skip }, () => {
  const py = pythonWithoutTransformers();
  const ll = checkpoint(join(T, 'llama2'), llama);
  const r = spawnSync(py, [join(__dirname, '..', '..', 'media', 'python', 'export_onnx.py'), 'export', ll, '--out', join(T, 'z.onnx')], { encoding: 'utf8' });
  const line = `${r.stdout}${r.stderr}`.split('\n').find((l) => l.startsWith('LLMTRAIN_EXPORT_RESULT '));
  assert.deepEqual(JSON.parse(line!.slice('LLMTRAIN_EXPORT_RESULT '.length)), {
    error: `${ll}: cannot build model_type 'llama' (architectures ['LlamaForCausalLM']): transformers is not installed in ${PY} and no training code beside the checkpoint defines it; install transformers or pass --model-factory FILE:FUNCTION`,
  });
});
