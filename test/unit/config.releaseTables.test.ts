/**
 * Issue 15, "Keep tables for the releases users run": Axolotl 0.18.0+9.067b021c, 0.17.0 and 0.16.1 and LLaMA-Factory
 * 0.9.5+54.ff6d4d12, 0.9.4 and 0.9.3 are tabled (src/core/config/tables, each generated from the tag's source). The
 * run's version picks the table (the newest at or below it); a key only another tabled release has is `key-version`
 * at the framework's unknown-key severity: a warning for Axolotl (pydantic drops it), an error for LLaMA-Factory
 * (HfArgumentParser refuses it).
 *
 * Each release's own example configs (a sample in test/fixtures/release-examples, origin in its SOURCES.tsv, with a
 * requirements.txt that pins the release) validate under that release with no error and no unknown-key warning.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { hoverAt, validateConfig } from '../../src/core/config/index';
import { cli } from '../cli';
import type { CliIssue } from '../../src/cli/validate';

const ROOT = join(__dirname, '..', 'fixtures', 'release-examples');
function walk(d: string, out: string[] = []): string[] {
  for (const f of readdirSync(d).sort()) { const p = join(d, f); if (statSync(p).isDirectory()) walk(p, out); else if (/\.ya?ml$/.test(f)) out.push(p); }
  return out;
}

/**
 * What stays per file, as "line:severity:code:key" (1-based), each a finding the framework's own behaviour bears out:
 *  - Axolotl 0.17.0 llama-3/instruct-dpo-lora-8b.yml: `field_chosen`/`field_rejected` in a `datasets:` entry are fields
 *    of UserDefinedDPOType (under `type:`) only; DPODataset gets them in 0.18.0 (schemas/datasets.py), so 0.17.0's
 *    pydantic drops them (the prompt strategy then reads its defaults, `chosen`/`rejected`, the values set here).
 *  - LLaMA-Factory 0.9.4 megatron/qwen3_moe_full.yaml: Megatron-Core settings read only in a USE_MCA=1 launch, by
 *    mcore_adapter's training arguments (hparams/parser.py `_TRAIN_MCA_ARGS`): a warning, since the launch's
 *    environment is not in the config.
 */
const MCA = ['tensor_model_parallel_size', 'sequence_parallel', 'pipeline_model_parallel_size', 'bias_activation_fusion', 'apply_rope_fusion', 'use_distributed_optimizer', 'overlap_param_gather', 'overlap_grad_reduce', 'moe_grouped_gemm', 'moe_token_dispatcher_type', 'expert_model_parallel_size', 'recompute_granularity'];
const EXPECTED: Record<string, string[]> = {
  'axolotl-0.17.0/examples/llama-3/instruct-dpo-lora-8b.yml': ['21:warning:key-version:field_chosen', '22:warning:key-version:field_rejected'],
  'llamafactory-0.9.4/examples/megatron/qwen3_moe_full.yaml': MCA.map((k, i) => `${24 + i}:warning:key-version:${k}`),
};

const RELEASES: [string, string][] = [['axolotl-0.17.0', 'Axolotl 0.17.0 (09d325b4)'], ['axolotl-0.16.1', 'Axolotl 0.16.1 (08fc7de8)'], ['llamafactory-0.9.4', 'LLaMA-Factory 0.9.4 (95ac3f23)'], ['llamafactory-0.9.3', 'LLaMA-Factory 0.9.3 (ca75f1ed)']];

for (const [dir, assumes] of RELEASES) {
  test(`${dir}: its own examples give no error and no unknown-key warning under that release (llmtrain validate, pinned by requirements.txt)`, async () => {
    const files = walk(join(ROOT, dir));
    assert.ok(files.length >= 3, `${files.length} files`);
    const r = await cli(['validate', '--format', 'json', ...files]);
    const issues = JSON.parse(r.out) as CliIssue[];
    assert.equal(r.code, 0, r.out);
    for (const f of files) {
      const rel = relative(ROOT, f);
      const got = issues.filter((i) => i.file === f && (i.severity === 'error' || i.code === 'unknown-key' || i.code === 'key-version'))
        .map((i) => `${i.line}:${i.severity}:${i.code}:${/`([^`]+)`/.exec(i.message)?.[1] ?? ''}`);
      assert.deepEqual(got, EXPECTED[rel] ?? [], rel);
    }
    // The table of that release is the one used, and the framework is the one the example is for.
    const [framework, version] = dir.split('-');
    const one = validateConfig(readFileSync(files[0], 'utf8'), { fileName: files[0], versions: { [framework]: version } });
    assert.equal(one.framework, framework);
    assert.equal(one.assumes, assumes);
  });
}

// Keys of the newest tables under an older pinned release (tables/*-key-history.json names the release that added
// them where it tells; `use_megatron_bridge` came after the 0.9.5 tag, so the message names the tabled commit).
const AX = 'base_model: Qwen/Qwen3-8B\nmicro_batch_size: 1\ngradient_accumulation_steps: 4\ndatasets:\n  - path: d\n    type: alpaca\nsdpa_varlen: true\nunsloth_rope: true\n';
const LF = 'model_name_or_path: m\nstage: sft\ndo_train: true\nfinetuning_type: lora\ndataset: d\ntemplate: llama3\noutput_dir: o\nuse_megatron_bridge: true\nuse_eaft_loss: true\nkt_mode: x\n';
const found = (text: string, fileName: string, versions: Record<string, string>) =>
  validateConfig(text, { fileName, versions }).issues.map((i) => `${i.range.start.line}:${i.range.start.character}-${i.range.end.character} ${i.severity} ${i.code} ${i.message}`);

test('Axolotl 0.17.0: a key of the 0.18.0 table is a key-version warning at its key; a key 0.17.0 dropped too', () => {
  assert.deepEqual(found(AX, 'ax.yml', { axolotl: '0.17.0' }), [
    '6:0-11 warning key-version `sdpa_varlen` was added to the Axolotl config in Axolotl 0.18.0; the run uses Axolotl 0.17.0, which does not have it. Axolotl does not read it (unknown keys are ignored).',
    '7:0-12 warning key-version `unsloth_rope` was removed from the Axolotl config in Axolotl 0.17.0 (last in 0.16.1); the run uses Axolotl 0.17.0, which does not have it. Axolotl does not read it (unknown keys are ignored).',
  ]);
  // 0.16.1 has unsloth_rope; 0.18.0 has sdpa_varlen and not unsloth_rope.
  assert.deepEqual(found(AX, 'ax.yml', { axolotl: '0.16.1' }).map((s) => s.split(' ').slice(0, 3).join(' ')), ['6:0-11 warning key-version']);
  assert.deepEqual(found(AX, 'ax.yml', { axolotl: '0.18.0' }).map((s) => s.split(' ').slice(0, 3).join(' ')), ['7:0-12 warning key-version']);
  // Without a version every tabled release's keys are accepted.
  assert.deepEqual(found(AX, 'ax.yml', {}), []);
});

test('LLaMA-Factory 0.9.4 / 0.9.3: a key of the 0.9.5 table is a key-version error at its key, naming the release', () => {
  const use = '7:0-19 error key-version `use_megatron_bridge` is not a field of the LLaMA-Factory arguments in LLaMA-Factory 0.9.4 (the run\'s LLaMA-Factory 0.9.4); LLaMA-Factory 0.9.5+54.ff6d4d12 has it (added later). llamafactory-cli fails with "Some keys are not used by the HfArgumentParser".';
  const eaft = (v: string) => `8:0-13 error key-version \`use_eaft_loss\` was added to the LLaMA-Factory arguments in LLaMA-Factory 0.9.5; the run uses LLaMA-Factory ${v}, which does not have it. llamafactory-cli fails with "Some keys are not used by the HfArgumentParser".`;
  assert.deepEqual(found(LF, 'lf.yaml', { llamafactory: '0.9.4' }), [use, eaft('0.9.4')]);
  assert.deepEqual(found(LF, 'lf.yaml', { llamafactory: '0.9.3' }), [use.replace(/0\.9\.4/g, '0.9.3'), eaft('0.9.3'),
    '9:0-7 error key-version `kt_mode` was added to the LLaMA-Factory arguments in LLaMA-Factory 0.9.4; the run uses LLaMA-Factory 0.9.3, which does not have it. llamafactory-cli fails with "Some keys are not used by the HfArgumentParser".']);
  // 0.9.5 dropped kt_mode (a 0.9.4 field); no version: every tabled release's keys are accepted.
  assert.deepEqual(found(LF, 'lf.yaml', { llamafactory: '0.9.5' }).map((s) => s.split(' ').slice(0, 3).join(' ')), ['9:0-7 error key-version']);
  assert.deepEqual(found(LF, 'lf.yaml', {}), []);
});

test('the version picks the table: between tables the newest at or below it; the hover says which table and links its line', () => {
  assert.equal(validateConfig(AX, { fileName: 'ax.yml', versions: { axolotl: '0.17.3' } }).assumes, "Axolotl 0.17.0 (09d325b4), the newest key table at or below the run's 0.17.3");
  assert.equal(validateConfig(AX, { fileName: 'ax.yml', versions: { axolotl: '0.15.0' } }).assumes, "Axolotl 0.16.1 (08fc7de8): the run's 0.15.0 is older than every key table (the oldest is used)");
  assert.equal(validateConfig(LF, { fileName: 'lf.yaml', versions: { llamafactory: '0.9.4' } }).assumes, 'LLaMA-Factory 0.9.4 (95ac3f23)');
  const ax = hoverAt(AX, AX.indexOf('micro_batch_size') + 2, { fileName: 'ax.yml', versions: { axolotl: '0.17.0' } })!.markdown;
  assert.match(ax, /^- Key table: Axolotl 0\.17\.0 \(09d325b4\)$/m);
  assert.match(ax, /blob\/09d325b4fd1288b1473c8a330dd19e3c91b1ac32\/src\/axolotl\/utils\/schemas\/training\.py#L\d+/);
  const lf = hoverAt(LF, LF.indexOf('kt_mode') + 2, { fileName: 'lf.yaml', versions: { llamafactory: '0.9.4' } })!.markdown;
  assert.match(lf, /^- Key table: LLaMA-Factory 0\.9\.4 \(95ac3f23\)$/m);
  assert.match(lf, /blob\/95ac3f2373b82662c1bd855c284d3379e6a763d3\/src\/llamafactory\/hparams\/\w+\.py#L\d+/);
});
