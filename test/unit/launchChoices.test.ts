// The pure choices behind Launch Run's steps (src/core/runs/launchChoices.ts), over the real config detector and the
// real example and fixture files (examples/, test/fixtures/).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { detectFramework } from '../../src/core/config';
import { chooseInterpreter, envPrefill, isPythonInterpreter, pythonFromExtensionApi, relativeTo, resolveInterpreterSetting, splitLaunchConfigs, workingDirectoryChoices, DEFAULT_ENV } from '../../src/core/runs/launchChoices';

const ROOT = resolve(__dirname, '..', '..');
const read = (p: string) => readFileSync(join(ROOT, p), 'utf8');

test('config step: only files the detector recognises as training configs; settings, checkpoint and model files are "other"', () => {
  const files = [
    { path: '/ws/configs/axolotl-llama3-lora-1b.yml', text: read('examples/configs/axolotl-llama3-lora-1b.yml') },
    { path: '/ws/configs/ds_config_zero2.json', text: read('examples/configs/ds_config_zero2.json') },
    { path: '/ws/tiny-gpt/config.yaml', text: read('examples/tiny-gpt/config.yaml') },
    { path: '/ws/tiny-gpt/model.yaml', text: read('examples/tiny-gpt/model.yaml') },
    { path: '/ws/.vscode/settings.json', text: '{\n  "python.defaultInterpreterPath": "/usr/bin/python3",\n  "editor.tabSize": 2\n}\n' },
    { path: '/ws/out/checkpoint-100/trainer_state.json', text: read('test/fixtures/logs/hf-trainer_state__tinyllama-sft-trl.json') },
    { path: '/ws/tok/tokenizer_config.json', text: read('test/fixtures/workspace/tokenizers/tinyllama/tokenizer_config.json') },
    { path: '/ws/configs/not-a-config.yaml', text: read('test/fixtures/workspace/configs/not-a-config.yaml') },
    { path: '/ws/adapter/adapter_config.json', text: read('test/fixtures/configs/peft__tinyllama-adapter_config.json') },
    { path: '/ws/unreadable.yaml', text: undefined },
  ];
  const { configs, others } = splitLaunchConfigs(files, detectFramework);
  assert.deepEqual(configs.map((f) => f.path), ['/ws/configs/axolotl-llama3-lora-1b.yml', '/ws/configs/ds_config_zero2.json', '/ws/tiny-gpt/config.yaml', '/ws/adapter/adapter_config.json']);
  assert.deepEqual(others.map((f) => f.path), ['/ws/tiny-gpt/model.yaml', '/ws/.vscode/settings.json', '/ws/out/checkpoint-100/trainer_state.json', '/ws/tok/tokenizer_config.json', '/ws/configs/not-a-config.yaml', '/ws/unreadable.yaml']);
  // A detector that throws puts the file among the others instead of failing the step.
  assert.deepEqual(splitLaunchConfigs([{ path: '/x.yaml', text: 'a: 1' }], () => { throw new Error('boom'); }).others.map((f) => f.path), ['/x.yaml']);
});

test('working directory: the config\'s folder first, then the last choice, then the workspace folders, each once', () => {
  const folders = [['examples', '/ws/examples'], ['other', '/ws2']] as const;
  assert.deepEqual(workingDirectoryChoices('/ws/examples/tiny-gpt', '/ws2', folders), [
    { path: '/ws/examples/tiny-gpt', why: ['folder of the config'] },
    { path: '/ws2', why: ['last used', 'workspace folder other'] },
    { path: '/ws/examples', why: ['workspace folder examples'] },
  ]);
  // No config picked: the last choice is the default; the config folder being a workspace folder merges the rows.
  assert.equal(workingDirectoryChoices(undefined, '/ws/examples/tiny-gpt', folders)[0].path, '/ws/examples/tiny-gpt');
  assert.deepEqual(workingDirectoryChoices('/ws/examples', undefined, folders)[0], { path: '/ws/examples', why: ['folder of the config', 'workspace folder examples'] });
  assert.deepEqual(workingDirectoryChoices(undefined, undefined, []), []);
});

test('config and script paths relative to the working directory', () => {
  assert.equal(relativeTo('/ws/examples/tiny-gpt', '/ws/examples/tiny-gpt/config.yaml'), 'config.yaml');
  assert.equal(relativeTo('/ws/examples', '/ws/examples/tiny-gpt/config.yaml'), 'tiny-gpt/config.yaml');
  assert.equal(relativeTo('/ws/examples/tiny-gpt', '/ws/examples/configs/a b.yaml'), '../configs/a b.yaml');
  assert.equal(relativeTo('/ws/x/', '/ws/x'), '.');
  assert.equal(relativeTo('C:\\ws\\x', 'C:\\ws\\x\\cfg.yaml'), 'cfg.yaml');
  assert.equal(relativeTo('C:\\ws', 'D:\\cfg.yaml'), 'D:\\cfg.yaml');
});

test('interpreter: the Python extension\'s selection on local, else python3; the last one per remote host', () => {
  assert.deepEqual(chooseInterpreter({ local: true, alias: 'local' }, '/home/u/.venv/bin/python', true, undefined), { command: '/home/u/.venv/bin/python', source: 'python-extension', label: '/home/u/.venv/bin/python (selected in the Python extension)' });
  const none = chooseInterpreter({ local: true, alias: 'local' }, undefined, false, '/opt/py/bin/python');
  assert.equal(none.command, 'python3');
  assert.match(none.label, /^python3 on PATH \(install the Python extension/);
  assert.match(chooseInterpreter({ local: true, alias: 'local' }, undefined, true, undefined).label, /no interpreter selected/);
  // Without the extension, the interpreter the workspace names (examples/.vscode/settings.json names /usr/bin/python3).
  assert.deepEqual(chooseInterpreter({ local: true, alias: 'local' }, undefined, false, undefined, '/usr/bin/python3'), { command: '/usr/bin/python3', source: 'workspace-setting', label: '/usr/bin/python3 (python.defaultInterpreterPath of this workspace)' });
  assert.equal(chooseInterpreter({ local: true, alias: 'local' }, '/venv/bin/python', true, undefined, '/usr/bin/python3').command, '/venv/bin/python');
  assert.equal(chooseInterpreter({ local: false, alias: 'h' }, undefined, false, undefined, '/usr/bin/python3').command, 'python3');
  assert.equal(resolveInterpreterSetting('${workspaceFolder}/.venv/bin/python', '/ws'), '/ws/.venv/bin/python');
  assert.equal(resolveInterpreterSetting('python', '/ws'), undefined);
  assert.equal(resolveInterpreterSetting('${env:HOME}/py', '/ws'), undefined);
  assert.equal(resolveInterpreterSetting(undefined, '/ws'), undefined);
  assert.deepEqual(chooseInterpreter({ local: false, alias: 'gpu-box' }, '/local/venv/python', true, '/opt/conda/bin/python'), { command: '/opt/conda/bin/python', source: 'last-on-host', label: '/opt/conda/bin/python (last used on gpu-box)' });
  assert.deepEqual(chooseInterpreter({ local: false, alias: 'gpu-box' }, '/local/venv/python', true, undefined), { command: 'python3', source: 'default', label: "python3 on gpu-box's PATH" });
  for (const p of ['python', 'python3', 'python3.11', '/opt/venv/bin/python', 'C:\\Py\\python.exe', 'pypy3']) assert.ok(isPythonInterpreter(p), p);
  for (const p of ['torchrun', 'accelerate', 'pythonic', undefined, '']) assert.ok(!isPythonInterpreter(p), String(p));
});

test('the Python extension API: resolved executable, else the path, else the old execCommand; nothing on errors', async () => {
  const exe = { fsPath: '/envs/a/bin/python' };
  assert.equal(await pythonFromExtensionApi({ environments: { getActiveEnvironmentPath: () => ({ id: 'a', path: '/envs/a' }), resolveEnvironment: async () => ({ executable: { uri: exe } }) } }), '/envs/a/bin/python');
  assert.equal(await pythonFromExtensionApi({ environments: { getActiveEnvironmentPath: () => ({ id: 'a', path: '/usr/bin/python3' }) } }), '/usr/bin/python3');
  assert.equal(await pythonFromExtensionApi({ settings: { getExecutionDetails: () => ({ execCommand: ['/old/python', '-X'] }) } }), '/old/python');
  // A conda folder without python resolves to no executable: fall back to the older API, then to nothing.
  assert.equal(await pythonFromExtensionApi({ environments: { getActiveEnvironmentPath: () => ({ path: '/envs/nopy' }), resolveEnvironment: async () => ({ executable: {} }) } }), undefined);
  assert.equal(await pythonFromExtensionApi({ environments: { getActiveEnvironmentPath: () => { throw new Error('not ready'); } }, settings: { getExecutionDetails: () => ({ execCommand: undefined }) } }), undefined);
  assert.equal(await pythonFromExtensionApi(undefined), undefined);
});

test('environment step: says when the value comes from the previous launch', () => {
  assert.deepEqual(envPrefill(undefined, 'local'), { value: DEFAULT_ENV, from: 'default', note: 'Pre-filled with the default (Python output unbuffered, so the log follows each step).' });
  const prev = envPrefill('CUDA_VISIBLE_DEVICES=1 WANDB_MODE=offline', 'gpu-box');
  assert.equal(prev.value, 'CUDA_VISIBLE_DEVICES=1 WANDB_MODE=offline');
  assert.equal(prev.from, 'previous-launch');
  assert.match(prev.note, /previous launch on gpu-box/);
  assert.deepEqual(envPrefill('', 'local'), { value: '', from: 'previous-launch', note: 'Empty, as in your previous launch on local.' });
});
