/**
 * Issue 15, "torchtune `_component_` ... keyword arguments of common components against their signatures": the
 * generated signature tables (src/core/config/tables/torch{,tune}-components.json, scripts/gen-component-table.py)
 * and the `component-kwarg` / `component-missing-arg` / optimizer bound checks (src/core/config/components.ts).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { validateConfig } from '../../src/core/config/index';
import { COMPONENT_TABLES, componentSignatures, releaseFor } from '../../src/core/config/components';
import { versionsFromFile } from '../../src/core/config/versions';

const codes = (text: string, versions?: Record<string, string>) =>
  validateConfig(text, { fileName: '/w/recipes/configs/lora.yaml', framework: 'torchtune', versions }).issues
    .filter((i) => i.code.startsWith('component-') || i.code === 'out-of-range')
    .map((i) => `${i.severity}:${i.code}@${i.range.start.line + 1}`);

test('the tables name their releases and commits, and hold the signatures torchtune configs use', () => {
  const tt = COMPONENT_TABLES.torchtune;
  assert.deepEqual(tt.releases.map((r) => r.release), ['0.6.1+main.bd2a0fc7', '0.6.1', '0.5.0', '0.4.0']);
  assert.ok(tt.releases.every((r) => /^[0-9a-f]{40}$/.test(r.commit)));
  const sched = componentSignatures('torchtune.training.lr_schedulers.get_cosine_schedule_with_warmup', { torchtune: '0.6.1' });
  assert.deepEqual(sched.map((s) => s.sig.params.map((p) => p.name)), [['optimizer', 'num_warmup_steps', 'num_training_steps', 'num_cycles', 'last_epoch']]);
  assert.equal(sched[0].sig.file, 'torchtune/training/lr_schedulers.py');
  // A `partial(...)` alias takes its callee's signature (torchtune/datasets/_alpaca.py alpaca_cleaned_dataset).
  assert.ok(componentSignatures('torchtune.datasets.alpaca_cleaned_dataset', undefined)[0].sig.params.some((p) => p.name === 'packed'));
  const adamw = componentSignatures('torch.optim.AdamW', { torch: '2.14.1' })[0];
  assert.deepEqual(adamw.sig.params.slice(0, 5).map((p) => p.name), ['params', 'lr', 'betas', 'eps', 'weight_decay']);
  assert.ok(adamw.sig.params.some((p) => p.name === 'fused'));
  // torch 1.13's AdamW had no `fused`: only the 1.13 signature is used for a run on torch 1.13.
  assert.ok(!componentSignatures('torch.optim.AdamW', { torch: '1.13.1' })[0].sig.params.some((p) => p.name === 'fused'));
  assert.equal(releaseFor(tt, '0.6.1'), '0.6.1');
  assert.equal(releaseFor(tt, '0.7.0'), '0.6.1+main.bd2a0fc7');
  assert.equal(releaseFor(tt, '0.5.2'), '0.5.0');
  assert.equal(releaseFor(tt, '0.3.1'), undefined);
});

// torchtune issue #2152 (PR #2996): `fused: True` kept from torch.optim.AdamW after switching the optimizer to one
// that does not take it: "TypeError: __init__() got an unexpected keyword argument 'fused'". Here: a typo'd keyword
// on the LR scheduler and a loss keyword that does not exist.
test('component-kwarg: a key the callable does not take is an error at that key, with did-you-mean', () => {
  const text = [
    'optimizer:',
    '  _component_: torch.optim.AdamW',
    '  lr: 3e-4',
    '  fused: True',
    'lr_scheduler:',
    '  _component_: torchtune.training.lr_schedulers.get_cosine_schedule_with_warmup',
    '  num_warmup_step: 100',
    'loss:',
    '  _component_: torchtune.modules.loss.CEWithChunkedOutputLoss',
    '  reduction: mean',
    '',
  ].join('\n');
  // fused is fine on torch 2.x; num_warmup_step is a typo; the scheduler then misses num_warmup_steps.
  assert.deepEqual(codes(text, { torch: '2.14.1' }), ['error:component-missing-arg@6', 'error:component-kwarg@7', 'error:component-kwarg@10']);
  const r = validateConfig(text, { fileName: '/w/c.yaml', framework: 'torchtune' });
  const typo = r.issues.find((i) => i.code === 'component-kwarg' && i.range.start.line === 6)!;
  assert.match(typo.message, /Did you mean `num_warmup_steps`\?/);
  assert.match(typo.message, /torchtune\/training\/lr_schedulers\.py/);
  assert.equal(typo.fixes[0].edits[0].newText, 'num_warmup_steps');
  // On torch 1.13 AdamW has no `fused`: the same file fails there.
  assert.ok(codes(text, { torch: '1.13.1' }).includes('error:component-kwarg@4'));
});

test('component-kwarg: a keyword added in a later torchtune release is an error only where the run uses an older one', () => {
  // keep_last_n_checkpoints: FullModelHFCheckpointer gained it after 0.6.1 (recipes/configs/llama3_2/1B_full_single_device.yaml on main).
  const text = 'checkpointer:\n  _component_: torchtune.training.FullModelHFCheckpointer\n  checkpoint_dir: /m\n  checkpoint_files: [model.safetensors]\n  model_type: LLAMA3_2\n  output_dir: /o\n  keep_last_n_checkpoints: 2\n';
  assert.deepEqual(codes(text), []);
  assert.deepEqual(codes(text, { torchtune: '0.7.0' }), []);
  assert.deepEqual(codes(text, { torchtune: '0.6.1' }), ['error:component-kwarg@7']);
});

test('component-missing-arg: a model builder\'s required argument; **kwargs and interpolations are not judged', () => {
  // lora_llama3_2_1b(lora_attn_modules, ...): lora_attn_modules has no default.
  assert.deepEqual(codes('model:\n  _component_: torchtune.models.llama3_2.lora_llama3_2_1b\n  lora_rank: 8\n'), ['error:component-missing-arg@2']);
  assert.deepEqual(codes('model:\n  _component_: torchtune.models.llama3_2.lora_llama3_2_1b\n  lora_attn_modules: [q_proj, v_proj]\n  lora_rank: ${rank}\nrank: 8\n'), []);
  // DiskLogger(log_dir, filename=None, **kwargs): any keyword goes.
  assert.deepEqual(codes('metric_logger:\n  _component_: torchtune.training.metric_logging.DiskLogger\n  log_dir: /tmp\n  anything: 1\n'), []);
});

test('optimizer bounds as torch checks them: lr, eps, weight_decay >= 0, betas in [0, 1); num_warmup_steps >= 0', () => {
  const text = 'optimizer:\n  _component_: torch.optim.AdamW\n  lr: -1.0e-4\n  betas: [0.9, 1.0]\n  eps: -1.0e-8\n  weight_decay: 0.01\nlr_scheduler:\n  _component_: torchtune.training.lr_schedulers.get_cosine_schedule_with_warmup\n  num_warmup_steps: -5\n';
  assert.deepEqual(codes(text), ['error:out-of-range@3', 'error:out-of-range@4', 'error:out-of-range@5', 'error:out-of-range@9']);
  const msgs = validateConfig(text, { fileName: '/w/c.yaml', framework: 'torchtune' }).issues.map((i) => i.message).join('\n');
  assert.match(msgs, /Invalid learning rate: -0\.0001/);
  assert.match(msgs, /Invalid beta parameter at index 1: 1/);
  assert.deepEqual(codes(text.replace('-1.0e-4', '0.0').replace('1.0]', '0.95]').replace('-1.0e-8', '1.0e-8').replace('-5', '100')), []);
});

test('the torch version of the run is read from the workspace like torchtune\'s (torch==1.13.1 pinned: AdamW has no fused)', () => {
  assert.deepEqual(versionsFromFile('requirements.txt', 'torch==1.13.1\ntorchtune==0.4.0\n'), { torch: '1.13.1', torchtune: '0.4.0' });
});
