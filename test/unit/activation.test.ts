// Activation (issue 12): the extension starts only in training projects. `workspaceContains:**/*.{yaml,yml}` and
// `onLanguage:yaml` fired in nearly every repository (CI workflows, docker-compose, mkdocs); commands, views and custom
// editors activate by themselves (VS Code >= 1.74 implies their events), the task type needs `onTaskType`.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const pkg = JSON.parse(readFileSync(join(__dirname, '..', '..', 'package.json'), 'utf8')) as {
  engines: { vscode: string }; activationEvents: string[];
  contributes: { taskDefinitions: { type: string }[] };
};

/** A `workspaceContains:` glob as a RegExp over workspace-relative paths: `**` + `/`, `*`, `?` and one level of `{a,b}`. */
function globRe(glob: string): RegExp {
  let re = '';
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i];
    if (glob.startsWith('**/', i)) { re += '(?:.*/)?'; i += 2; }
    else if (c === '*') re += '[^/]*';
    else if (c === '?') re += '[^/]';
    else if (c === '{') re += '(?:';
    else if (c === '}') re += ')';
    else if (c === ',') re += '|';
    else re += c.replace(/[.+^$()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${re}$`);
}

const contains = pkg.activationEvents.filter((e) => e.startsWith('workspaceContains:')).map((e) => globRe(e.slice('workspaceContains:'.length)));
const activatesOn = (path: string) => contains.some((re) => re.test(path));

test('no activation on every YAML file, at start-up, or on the user\'s settings', () => {
  for (const e of ['*', 'onStartupFinished', 'onLanguage:yaml', 'onLanguage:json', 'onLanguage:jsonc', 'onLanguage:python']) assert.ok(!pkg.activationEvents.includes(e), e);
  for (const p of ['.github/workflows/ci.yml', 'docker-compose.yml', 'mkdocs.yml', 'config.yaml', 'k8s/deploy.yaml', '.pre-commit-config.yaml', 'package.json', 'tsconfig.json', 'src/main.py', 'setup.py'])
    assert.equal(activatesOn(p), false, p);
});

test('activation on what training projects have: training configs, DeepSpeed/PEFT JSON, training scripts, logs, the task type', () => {
  for (const p of ['examples/train_lora/llama3_lora_sft.yaml', 'configs/sft.yml', 'axolotl/examples/llama-3/qlora.yml', 'ds_config.json', 'deepspeed_zero3.json',
    'out/checkpoint-500/adapter_config.json', 'out/checkpoint-500/trainer_state.json', 'runs/events.out.tfevents.1700000000.host.1.0', 'train.py', 'scripts/finetune_llama.py'])
    assert.equal(activatesOn(p), true, p);
  assert.ok(pkg.activationEvents.includes(`onTaskType:${pkg.contributes.taskDefinitions[0].type}`));
  // commands, views and custom editors need no events of their own from 1.74 on
  const [major, minor] = pkg.engines.vscode.replace(/^\D+/, '').split('.').map(Number);
  assert.ok(major > 1 || minor >= 74, pkg.engines.vscode);
  assert.equal(pkg.activationEvents.some((e) => /^on(Command|View|CustomEditor):/.test(e)), false);
});
