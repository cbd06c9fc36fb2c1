/**
 * Checkpoint readers over real files: make_checkpoints.py writes them with Debian's torch (torch.save zips, tied
 * weights, DeepSpeed layouts, a trainer run, a PEFT adapter, an LFS pointer); GGUF, corrupt safetensors and a sparse
 * 10 GB zip are built here byte by byte per their specs.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, cpSync, existsSync, readFileSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { inspectCheckpoint, parseLfsPointer, readSafetensorsHeader } from '../../src/core/checkpoint/index';
import { diffCheckpoints } from '../../src/core/checkpoint/diff';
import { runOutputDir } from '../../src/core/checkpoint/runs';
import { layerPrefix, moduleKind } from '../../src/core/checkpoint/summary';
import { PickleObject, readPickle } from '../../src/core/checkpoint/pickle';
import { readZipDirectory, readZipEntry } from '../../src/core/checkpoint/zip';
import { memoryFileAccess } from '../../src/core/files';
import type { FileAccess } from '../../src/core/files';
import { localFileAccess } from '../../src/remote/files';
import { cli } from '../cli';
import { ggufBytes, makeCheckpoints, safetensorsBytes, writeSparseZip } from '../fixtures/checkpoint/build';

let T = '';
const fa = localFileAccess();
before(() => { T = makeCheckpoints(); });
after(() => { if (T) rmSync(T, { recursive: true, force: true }); });

/** A FileAccess that counts the bytes read. */
function counting(inner: FileAccess): FileAccess & { bytesRead: number } {
  const c = { ...inner, bytesRead: 0, read: async (p: string, s: number, e: number) => { const b = await inner.read(p, s, e); c.bytesRead += b.length; return b; } };
  return c;
}


describe('safetensors', () => {
  test('a model folder: tensors, parameters, dtype totals, module kinds, __metadata__', async () => {
    const r = await inspectCheckpoint(fa, join(T, 'model'));
    assert.equal(r.format, 'safetensors');
    assert.equal(r.tensors.length, 21);
    assert.equal(r.parameters, 32 * 8 * 2 + 2 * (4 * 64 + 3 * 128 + 16) + 8);
    assert.deepEqual(r.tensors.find((t) => t.name === 'model.layers.1.mlp.down_proj.weight'), { name: 'model.layers.1.mlp.down_proj.weight', dtype: 'F32', shape: [8, 16], bytes: 512, dataOffsets: r.tensors.find((t) => t.name === 'model.layers.1.mlp.down_proj.weight')!.dataOffsets });
    assert.equal(r.byDtype.F32.tensors, 21);
    assert.equal(r.byKind.attention!.tensors, 8);
    assert.equal(r.byKind.mlp!.tensors, 6);
    assert.equal(r.byKind.norm!.tensors, 5);
    assert.equal(r.byKind.head!.tensors, 1);
    assert.equal(r.metadata.format, 'pt');
    assert.deepEqual(r.problems, []);
  });

  test('corrupt files: truncated, header length past EOF, not JSON, header over 100 MB, offsets past EOF, too short', async () => {
    const good = safetensorsBytes({ a: { dtype: 'F32', shape: [2, 2], data_offsets: [0, 16] }, b: { dtype: 'F16', shape: [4], data_offsets: [16, 24] } });
    const files = memoryFileAccess({
      '/good.safetensors': good,
      '/trunc.safetensors': good.slice(0, good.length - 4),
      '/pastEOF.safetensors': safetensorsBytes({ a: { dtype: 'F32', shape: [1], data_offsets: [0, 4] } }, 4, 10_000n),
      '/huge.safetensors': safetensorsBytes({}, 0, 200_000_000n),
      '/notjson.safetensors': (() => { const b = safetensorsBytes({ a: 1 }); b.set(new TextEncoder().encode('<html'), 8); return b; })(),
      '/gap.safetensors': safetensorsBytes({ a: { dtype: 'F32', shape: [1], data_offsets: [4, 8] } }),
      '/short.safetensors': new Uint8Array([1, 2, 3]),
    });
    const ok = await readSafetensorsHeader(files, '/good.safetensors');
    assert.deepEqual(ok.tensors.map((t) => [t.name, t.bytes]), [['a', 16], ['b', 8]]);
    assert.deepEqual(ok.problems, []);
    const tr = await readSafetensorsHeader(files, '/trunc.safetensors');
    assert.match(tr.problems.map((p) => p.message).join('\n'), /b: data ends at 24, past the end of the file's data \(20 bytes; truncated\?\)/);
    await assert.rejects(readSafetensorsHeader(files, '/pastEOF.safetensors'), /pastEOF\.safetensors: declares a 10000 byte header but the file is \d+ bytes/);
    await assert.rejects(readSafetensorsHeader(files, '/huge.safetensors'), /huge\.safetensors: declares a 200000000 byte header, over the 100 MB/);
    await assert.rejects(readSafetensorsHeader(files, '/notjson.safetensors'), /notjson\.safetensors: header is not a JSON object/);
    await assert.rejects(readSafetensorsHeader(files, '/short.safetensors'), /short\.safetensors: is 3 bytes, too short/);
    assert.match((await readSafetensorsHeader(files, '/gap.safetensors')).problems[0].message, /a: data starts at 4, expected 0 \(gap/);
  });

  test('a header larger than the first read is read in a second range read', async () => {
    const header: Record<string, unknown> = {};
    for (let i = 0; i < 3000; i++) header[`model.layers.${i}.weight_with_a_long_name`] = { dtype: 'F16', shape: [1], data_offsets: [2 * i, 2 * i + 2] };
    const files = counting(memoryFileAccess({ '/big.safetensors': safetensorsBytes(header) }));
    const h = await readSafetensorsHeader(files, '/big.safetensors');
    assert.ok(h.headerBytes > 64 * 1024);
    assert.equal(h.tensors.length, 3000);
    assert.equal(files.bytesRead, 8 + h.headerBytes);
  });

  test('sharded index: sound, then a missing shard, a tensor listed but absent, one in two shards, total_size off', async () => {
    const ok = await inspectCheckpoint(fa, join(T, 'sharded'));
    assert.equal(ok.format, 'safetensors-sharded');
    assert.equal(ok.tensors.length, 21);
    assert.deepEqual(ok.problems, []);
    const bad = join(T, 'sharded_bad');
    cpSync(join(T, 'sharded'), bad, { recursive: true });
    const idx = JSON.parse(readFileSync(join(bad, 'model.safetensors.index.json'), 'utf8'));
    idx.weight_map['model.extra.weight'] = 'model-00001-of-00002.safetensors';
    idx.metadata.total_size += 1;
    writeFileSync(join(bad, 'model.safetensors.index.json'), JSON.stringify(idx));
    copyFileSync(join(bad, 'model-00001-of-00002.safetensors'), join(bad, 'model-00003-of-00003.safetensors'));
    idx.weight_map['model.embed_tokens.weight'] = 'model-00003-of-00003.safetensors';
    writeFileSync(join(bad, 'model.safetensors.index.json'), JSON.stringify(idx));
    let r = await inspectCheckpoint(fa, bad);
    const msgs = r.problems.map((p) => p.message).join('\n');
    assert.match(msgs, /1 tensor\(s\) listed in model\.safetensors\.index\.json are absent from their shard: model\.extra\.weight/);
    assert.match(msgs, /10 tensor\(s\) are in more than one shard; loading keeps one copy silently: model\.embed_tokens\.weight \(model-00001-of-00002\.safetensors, model-00003-of-00003\.safetensors\)/);
    writeFileSync(join(bad, 'model-00002-of-00002.safetensors'), `version https://git-lfs.github.com/spec/v1\noid sha256:${'c'.repeat(64)}\nsize 4000\n`);
    r = await inspectCheckpoint(fa, bad);
    assert.deepEqual(r.problems.filter((p) => p.file?.endsWith('model-00002-of-00002.safetensors')).map((p) => p.message), ['model-00002-of-00002.safetensors is a Git LFS pointer to 4000 bytes, not the weights: run `git lfs pull`']);
    unlinkSync(join(bad, 'model-00002-of-00002.safetensors'));
    r = await inspectCheckpoint(fa, join(bad, 'model.safetensors.index.json'));
    assert.match(r.problems.map((p) => p.message).join('\n'), /shard model-00002-of-00002\.safetensors is missing/);
  });
});

describe('PyTorch zip', () => {
  test('torch.save state dict: names, dtypes, shapes, and the tied lm_head sharing the embedding storage', async () => {
    const r = await inspectCheckpoint(fa, join(T, 'torch_tied'));
    assert.equal(r.format, 'pytorch-zip');
    assert.equal(r.tensors.length, 22);
    assert.deepEqual(r.tensors.find((t) => t.name === 'model.layers.0.self_attn.rotary_emb.inv_freq'), { name: 'model.layers.0.self_attn.rotary_emb.inv_freq', dtype: 'F32', shape: [4], bytes: 16 });
    assert.deepEqual(r.tied, [['model.embed_tokens.weight', 'lm_head.weight']]);
    assert.deepEqual(r.problems, [], 'tied by storage and tie_word_embeddings: true agree');
    assert.equal(r.parameters, 1832 - 256 + 4, 'the tied lm_head counts once (as model.num_parameters() does); inv_freq adds 4');
    assert.equal(r.bytes, (1832 - 256 + 4) * 4);
    const lin = await inspectCheckpoint(fa, join(T, 'linear.pt'));
    assert.deepEqual(lin.tensors.map((t) => [t.name, t.dtype, t.shape]), [['weight', 'F32', [3, 4]], ['bias', 'F32', [3]]]);
  });

  test('legacy (pre-1.6) files are named as such', async () => {
    const r = await inspectCheckpoint(fa, join(T, 'legacy.pt'));
    assert.equal(r.format, 'pytorch-legacy');
    assert.match(r.problems[0].message, /legacy PyTorch file \(torch\.save before 1\.6, not a zip\)/);
  });

  test('the pickle reader executes nothing: GLOBAL os.system + REDUCE stays an inert object', () => {
    const evil = Buffer.from("cos\nsystem\n(S'touch /tmp/llmtrain-pwned'\ntR.", 'latin1');
    const v = readPickle(evil);
    assert.ok(v instanceof PickleObject);
    assert.deepEqual((v as PickleObject).args, ['touch /tmp/llmtrain-pwned']);
    assert.equal(existsSync('/tmp/llmtrain-pwned'), false);
    assert.throws(() => readPickle(Buffer.from([0x80, 0x02, 0xff])), /unknown pickle opcode 0xff/);
  });

  test('a hostile member name is reported; a 10 GB sparse .pt with a tiny pickle is read in bounded bytes', async () => {
    const src = join(T, 'linear.pt');
    const size = (await fa.stat(src))!.size;
    const entries = await readZipDirectory(fa, src, size);
    const pkl = await readZipEntry(fa, src, entries.find((e) => e.name.endsWith('/data.pkl'))!, size, 1 << 20);
    const big = join(T, 'big.pt');
    writeSparseZip(big, [{ name: 'big/data.pkl', data: pkl }, { name: 'big/data/0', hole: 10 * 1024 ** 3 }, { name: 'big/data/1', data: new Uint8Array(12) }, { name: '../../etc/passwd', data: new Uint8Array(1) }]);
    const files = counting(fa);
    const r = await inspectCheckpoint(files, big);
    assert.ok((await fa.stat(big))!.size > 10 * 1024 ** 3);
    assert.deepEqual(r.tensors.map((t) => [t.name, t.shape]), [['weight', [3, 4]], ['bias', [3]]]);
    assert.match(r.problems.map((p) => p.message).join('\n'), /hostile name \(climbs out with \.\.\): "\.\.\/\.\.\/etc\/passwd"/);
    assert.ok(files.bytesRead < 200_000, `read ${files.bytesRead} bytes`);
    unlinkSync(big);
  });
});

describe('other formats', () => {
  test('GGUF through @huggingface/gguf reading via our FileAccess: architecture, key/values, tensor infos', async () => {
    const files = counting(memoryFileAccess({ '/m.gguf': ggufBytes([['general.architecture', 'llama'], ['llama.context_length', 2048]], [{ name: 'token_embd.weight', dims: [8, 32], type: 1 }, { name: 'blk.0.attn_q.weight', dims: [8, 8], type: 0 }]) }));
    const r = await inspectCheckpoint(files, '/m.gguf');
    assert.equal(r.format, 'gguf');
    assert.equal(r.metadata['general.architecture'], 'llama');
    assert.equal(r.metadata['llama.context_length'], '2048');
    assert.deepEqual(r.tensors.map((t) => [t.name, t.dtype, t.shape, t.bytes]), [['token_embd.weight', 'F16', [32, 8], 512], ['blk.0.attn_q.weight', 'F32', [8, 8], 256]]);
    assert.ok(files.bytesRead > 0);
  });

  test('DeepSpeed: world size from zero_pp_rank files, ZeRO stage from ds_config, resume mismatches are errors', async () => {
    const r = await inspectCheckpoint(fa, join(T, 'ds'), { resume: { zeroStage: 3, worldSize: 4 } });
    assert.equal(r.format, 'deepspeed');
    assert.deepEqual({ step: r.deepspeed!.step, ws: r.deepspeed!.world_size, z: r.deepspeed!.zero_stage }, { step: 20, ws: 2, z: 2 });
    assert.equal(r.tensors.length, 20);
    assert.equal(r.byDtype.BF16.tensors, 20);
    const msgs = r.problems.filter((p) => p.severity === 'error').map((p) => p.message);
    assert.equal(msgs.length, 2);
    assert.match(msgs[0], /global_step20 was saved with ZeRO stage 2, the resume would use stage 3: DeepSpeed's load_checkpoint looks for the files of stage 3 \(zero_pp_rank_<rank>_mp_rank_00_model_states\.pt\)/);
    assert.match(msgs[1], /global_step20 holds 2 ZeRO partition\(s\) \(saved by 2 data-parallel rank\(s\)\), the resume would start 4 process\(es\): .*Launch 2 process\(es\), or convert the save with DeepSpeed's ds_to_universal\.py/);
    const z3 = await inspectCheckpoint(fa, join(T, 'ds3'));
    assert.equal(z3.deepspeed!.zero_stage, 3);
    assert.match(z3.problems.map((p) => p.message).join('\n'), /20 of 20 tensors are empty \(0,\) placeholders: a ZeRO-3 save/);
  });

  test('trainer run: checkpoints with step, eval metric and the best_model_checkpoint badge', async () => {
    const r = await inspectCheckpoint(fa, join(T, 'run'));
    assert.equal(r.format, 'trainer-run');
    assert.deepEqual(r.checkpoints!.map((c) => [c.step, c.best, c.metric?.value]), [[10, false, 2.5], [20, true, 2.1], [30, false, 2.3]]);
    assert.ok(r.checkpoints!.every((c) => (c.bytes ?? 0) > 6000));
  });

  test('PEFT adapter: r, lora_alpha, target modules, the base tensors each adapter attaches to', async () => {
    const r = await inspectCheckpoint(fa, join(T, 'adapter'));
    assert.equal(r.format, 'peft-adapter');
    assert.deepEqual([r.peft!.r, r.peft!.lora_alpha, r.peft!.target_modules], [4, 16, ['q_proj', 'v_proj', 'k_proj']]);
    assert.deepEqual(r.peft!.attachments[0], { base: 'model.layers.0.self_attn.q_proj.weight', adapters: ['base_model.model.model.layers.0.self_attn.q_proj.lora_A.weight', 'base_model.model.model.layers.0.self_attn.q_proj.lora_B.weight'] });
    assert.equal(r.peft!.attachments.length, 4);
    assert.equal(r.peft!.trainable_parameters, 8 * 32);
    assert.equal(r.peft!.attached_base_parameters, 4 * 64);
    assert.match(r.problems[0].message, /target_modules k_proj have no adapter tensors/);
  });

  test('LFS pointers, FSDP folders and config.json consistency', async () => {
    assert.deepEqual(parseLfsPointer(new TextEncoder().encode(`version https://git-lfs.github.com/spec/v1\noid sha256:${'b'.repeat(64)}\nsize 12\n`)), { oid: `sha256:${'b'.repeat(64)}`, size: 12 });
    assert.equal(parseLfsPointer(new TextEncoder().encode('version 2\n')), undefined);
    const lfs = await inspectCheckpoint(fa, join(T, 'lfs'));
    assert.equal(lfs.format, 'lfs-pointer');
    assert.match(lfs.problems[0].message, /Git LFS pointer to 4976698672 bytes, not the weights: run `git lfs pull`/);
    const fsdp = await inspectCheckpoint(fa, join(T, 'fsdp'));
    assert.equal(fsdp.format, 'fsdp-dcp');
    assert.match(fsdp.problems[0].message, /sharded FSDP state .* not Hugging Face weights: convert with `accelerate merge-weights/);
    const dt = await inspectCheckpoint(fa, join(T, 'model_fp32_of_bf16'));
    assert.match(dt.problems[0].message, /weights are F32 on disk but config\.json says torch_dtype bfloat16 \(the files are 2x/);
    const nh = (await inspectCheckpoint(fa, join(T, 'model_nohead'))).problems.map((p) => p.message);
    assert.match(nh[0], /tie_word_embeddings is false but there is no lm_head\.weight/);
    assert.match(nh[1], /model\.embed_tokens\.weight has 32 rows but config\.json says vocab_size 40/);
  });

  test('diff from headers: added, removed, changed dtype', async () => {
    const d = diffCheckpoints(await inspectCheckpoint(fa, join(T, 'model')), await inspectCheckpoint(fa, join(T, 'ds')));
    assert.deepEqual(d.removed.map((t) => t.name), ['lm_head.weight']);
    assert.equal(d.added.length, 0);
    assert.equal(d.changed.length, 20);
    assert.deepEqual(d.changed[0].to, { dtype: 'BF16', shape: [32, 8] });
  });
});

describe('llmtrain checkpoint', () => {
  test('--format json prints exactly the issue fields; an unreadable file exits 1 with one line naming it', async () => {
    const r = await cli(['checkpoint', join(T, 'ds'), '--format', 'json']);
    assert.equal(r.code, 0, r.err);
    const j = JSON.parse(r.out);
    assert.deepEqual(Object.keys(j), ['format', 'tensors', 'parameters', 'bytes', 'metadata', 'tied', 'problems', 'deepspeed']);
    assert.deepEqual(j.deepspeed, { step: 20, world_size: 2, zero_stage: 2 });
    assert.deepEqual(Object.keys(j.tensors[0]), ['name', 'dtype', 'shape', 'bytes']);
    const run = JSON.parse((await cli(['checkpoint', join(T, 'run'), '--format', 'json'])).out);
    assert.deepEqual(run.checkpoints[1], { step: 20, path: join(T, 'run', 'checkpoint-20'), best: true });
    writeFileSync(join(T, 'broken.safetensors'), Buffer.from([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f, 0]));
    const bad = await cli(['checkpoint', join(T, 'broken.safetensors')]);
    assert.equal(bad.code, 1);
    assert.equal(bad.out, '');
    assert.equal(bad.err.trim().split('\n').length, 1);
    assert.match(bad.err, /^llmtrain checkpoint: .*broken\.safetensors: declares a \d+ byte header, over the 100 MB/);
  });
});

describe('helpers', () => {
  test('runOutputDir: --output_dir forms, then the config snapshot, relative to cwd', () => {
    assert.equal(runOutputDir(['python', 'train.py', '--output_dir', 'out/sft'], '/w'), '/w/out/sft');
    assert.equal(runOutputDir(['accelerate', 'launch', 'train.py', '--output_dir=/abs/run'], '/w'), '/abs/run');
    assert.equal(runOutputDir(['axolotl', 'train', 'c.yml'], '/w', 'base_model: x\noutput_dir: ./outputs/lora-out  # where\n'), '/w/outputs/lora-out');
    assert.equal(runOutputDir(['python', 'x.py'], '/w', '{"output_dir": "/data/o", "lr": 1}'), '/data/o');
    assert.equal(runOutputDir(['python', 'x.py'], '/w'), undefined);
  });

  test('module kinds and layer groups follow transformers and llama.cpp names', () => {
    assert.deepEqual(['model.embed_tokens.weight', 'transformer.wte.weight', 'model.layers.3.self_attn.q_proj.weight', 'transformer.h.0.attn.c_attn.weight', 'model.layers.3.mlp.down_proj.weight',
      'model.layers.3.post_attention_layernorm.weight', 'transformer.ln_f.weight', 'lm_head.weight', 'output.weight', 'blk.0.attn_norm.weight', 'blk.0.ffn_up.weight', 'base_model.model.x.q_proj.lora_A.weight'].map(moduleKind),
    ['embeddings', 'embeddings', 'attention', 'attention', 'mlp', 'norm', 'norm', 'head', 'head', 'norm', 'mlp', 'adapter']);
    assert.deepEqual(['model.layers.12.mlp.up_proj.weight', 'transformer.h.0.attn.c_attn.bias', 'blk.7.attn_q.weight', 'model.norm.weight', 'lm_head.weight'].map(layerPrefix),
      ['model.layers.12', 'transformer.h.0', 'blk.7', 'model', 'lm_head']);
  });

  test('diff --values: relative change per tensor computed by Python on the host (safetensors and torch zip)', async () => {
    const py = process.env.LLMTRAIN_TEST_PYTHON ?? '/usr/bin/python3';
    const same = await cli(['checkpoint', 'diff', join(T, 'torch_tied'), join(T, 'pytorch_model.bin'), '--values', '--python', py, '--format', 'json']);
    assert.equal(same.code, 0, same.err);
    const s = JSON.parse(same.out);
    assert.equal(s.values.length, 22);
    assert.ok(s.values.every((v: { relative_change: number }) => v.relative_change === 0));
    const diff = await cli(['checkpoint', 'diff', join(T, 'model'), join(T, 'run', 'checkpoint-10'), '--values', '--python', py, '--format', 'json']);
    const d = JSON.parse(diff.out);
    assert.deepEqual(d.removed.map((t: { name: string }) => t.name), ['lm_head.weight']);
    const norm = d.values.find((v: { name: string }) => v.name === 'model.norm.weight');
    assert.equal(norm.relative_change, 0, 'norms are ones in both');
    const q = d.values.find((v: { name: string }) => v.name === 'model.layers.0.self_attn.q_proj.weight');
    assert.ok(q.relative_change > 0.5 && q.max_abs_diff > 0, JSON.stringify(q));
  });
});
