/** Issue 15, "Version awareness": the framework versions a run uses, from the workspace's dependency files. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { detectVersions, frameworkVersionLabel, installedAsDetected, installedVersionsCommand, mergeVersions, parseVersionOverrides, PROBE_PACKAGES, versionSourceLabel, versionsFromFile } from '../../src/core/config/versions';

test('uv.lock / poetry.lock: the [[package]] versions of the frameworks', () => {
  const uv = 'version = 1\n\n[[package]]\nname = "trl"\nversion = "0.19.1"\nsource = { registry = "https://pypi.org/simple" }\n\n[[package]]\nname = "transformers"\nversion = "4.53.2"\n\n[[package]]\nname = "numpy"\nversion = "2.1.0"\n';
  assert.deepEqual(versionsFromFile('uv.lock', uv), { trl: '0.19.1', transformers: '4.53.2' });
  assert.deepEqual(versionsFromFile('poetry.lock', '[[package]]\nname = "LLaMA_Factory"\nversion = "0.9.3"\ndescription = ""\n'), { llamafactory: '0.9.3' });
});

test('requirements, pyproject and environment.yml: exact pins only', () => {
  assert.deepEqual(versionsFromFile('requirements.txt', 'trl[vllm]==0.24.0  # pinned\ntransformers>=4.46\npeft == 0.13.2\naccelerate~=1.0\n'), { trl: '0.24.0', peft: '0.13.2' });
  assert.deepEqual(versionsFromFile('pyproject.toml', '[project]\ndependencies = [\n  "trl==0.29.1",\n  "torch>=2.4",\n]\n[tool.poetry.dependencies]\naxolotl = "0.18.0"\ndeepspeed = "^0.15"\n'), { trl: '0.29.1', axolotl: '0.18.0' });
  assert.deepEqual(versionsFromFile('environment.yml', 'dependencies:\n  - python=3.11\n  - deepspeed=0.16.4\n  - pip:\n    - torchtune==0.6.1\n'), { deepspeed: '0.16.4', torchtune: '0.6.1' });
});

test('the most trusted file wins: lock over requirements over pyproject; overrides win over files', () => {
  const d = detectVersions([
    { path: '/w/pyproject.toml', text: 'dependencies = ["trl==0.15.2"]\n' },
    { path: '/w/requirements-train.txt', text: 'trl==0.19.1\npeft==0.13.2\n' },
    { path: '/w/uv.lock', text: '[[package]]\nname = "trl"\nversion = "0.24.0"\n' },
    { path: '/w/README.md', text: 'trl==9.9.9' },
  ]);
  assert.deepEqual(d, { trl: { version: '0.24.0', source: '/w/uv.lock' }, peft: { version: '0.13.2', source: '/w/requirements-train.txt' } });
  const o = parseVersionOverrides(['trl=0.29.1', 'axolotl', 'peft=latest'], '--version');
  assert.deepEqual(o, { versions: { trl: { version: '0.29.1', source: '--version' } }, invalid: ['axolotl', 'peft=latest'] });
  const m = mergeVersions(d, o.versions);
  assert.deepEqual(frameworkVersionLabel('hf-trainer', m), { text: 'TRL 0.29.1', source: '--version' });
  assert.deepEqual(frameworkVersionLabel('peft', m), { text: 'PEFT 0.13.2', source: '/w/requirements-train.txt' });
  assert.equal(frameworkVersionLabel('axolotl', m), undefined);
  assert.deepEqual(parseVersionOverrides({ 'LLaMA-Factory': 'v0.9.3' }, 'setting').versions, { llamafactory: { version: '0.9.3', source: 'setting' } });
});

// Issue 15: the host's Python, asked once with importlib.metadata (test/remote/hostVersions.test.ts runs it for real).
test('installedVersionsCommand: argv with the interpreter as given, every probed package; output read or refused with the reason', () => {
  const c = installedVersionsCommand('/opt/my env/bin/python');
  assert.deepEqual(c.argv.slice(0, 2), ['/opt/my env/bin/python', '-c']);
  assert.deepEqual(c.argv.slice(3), [...PROBE_PACKAGES]);
  assert.match(c.argv[2], /^import sys\nsys\.path\[:\] = \[p for p in sys\.path if p not in \('', '\.'\)\]\n/); // cwd never imported from
  const v = c.parse({ stdout: '{"python": "3.11.2", "executable": "/opt/my env/bin/python", "packages": {"trl": "0.19.1", "torch": "2.5.1+cu121", "LlamaFactory": "0.9.3"}}\n', stderr: '', exitCode: 0 });
  assert.deepEqual(v, { python: '3.11.2', executable: '/opt/my env/bin/python', packages: { trl: '0.19.1', torch: '2.5.1', llamafactory: '0.9.3' } });
  assert.throws(() => c.parse({ stdout: '', stderr: 'Traceback...\nModuleNotFoundError: No module named \'importlib_metadata\'\n', exitCode: 1 }), /exited with status 1: ModuleNotFoundError: No module named 'importlib_metadata'/);
  assert.throws(() => c.parse({ stdout: 'Python 2.7\n', stderr: '', exitCode: 0 }), /printed no version list/);
  const d = installedAsDetected(v, 'gpu-box');
  assert.deepEqual(d.trl, { version: '0.19.1', source: 'Python environment: /opt/my env/bin/python on gpu-box' });
  assert.deepEqual([versionSourceLabel(d.trl.source), versionSourceLabel('/w/uv.lock'), versionSourceLabel('setting llmTraining.validation.versions'), versionSourceLabel('--version')], ['installed', 'uv.lock', 'setting', '--version']);
});
