// Pure helpers behind the config-validation views (src/views/config/model.ts): no VS Code needed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  DependencyGraph, FRAMEWORKS, KeyedDebouncer, applyRuleLevels, frameworkLabel, isFramework, parseRuleLevels,
  statusBarText, statusBarTooltip,
} from '../../src/views/config/model';
import type { ConfigIssue } from '../../src/core/config/types';
import { candidates } from '../../src/core/config/rules';

const r = (line: number) => ({ start: { line, character: 0 }, end: { line, character: 4 } });
const issue = (code: string, severity: ConfigIssue['severity'] = 'warning'): ConfigIssue => ({ code, severity, message: code, range: r(0), related: [], fixes: [] });

test('status bar text names the framework and pins a user choice', () => {
  assert.equal(statusBarText('axolotl', false), '$(beaker) Axolotl');
  assert.equal(statusBarText('hf-trainer', true), '$(beaker) HF Trainer / TRL $(pinned)');
  assert.equal(statusBarText('unknown', true), '$(beaker) Not a training config $(pinned)');
  // Issue 15: the release the checks assume, without its commit (the tooltip has it).
  assert.equal(statusBarText('axolotl', false, 'Axolotl 0.18.0 (067b021c)'), '$(beaker) Axolotl 0.18.0');
  assert.match(statusBarTooltip('axolotl', 'keys', 'detected', undefined, 'Axolotl 0.18.0 (067b021c)'), /checked against Axolotl 0\.18\.0 \(067b021c\)/);
  assert.equal(statusBarTooltip('deepspeed', 'has zero_optimization', 'detected'),
    'DeepSpeed config\nDetected: has zero_optimization.\nVersion: not found in the host\'s Python or the workspace (uv.lock, poetry.lock, requirements*.txt, pyproject.toml, environment.yml); set llmTraining.validation.versions.\nClick to choose the framework for this file.');
  // Issue 15: the version the run uses and its source (a dependency file or the setting).
  const v = { text: 'TRL 0.19.1', source: '/w/proj/uv.lock' };
  assert.equal(statusBarText('hf-trainer', false, undefined, v), '$(beaker) HF Trainer / TRL · TRL 0.19.1 (uv.lock)');
  assert.equal(statusBarText('axolotl', true, 'Axolotl 0.18.0 (067b021c)', { text: 'Axolotl 0.12.2', source: 'setting llmTraining.validation.versions' }), '$(beaker) Axolotl · Axolotl 0.12.2 (setting) $(pinned)');
  // From the host's Python (the interpreter a local Launch Run uses).
  const inst = { text: 'TRL 1.13.0', source: 'Python environment: /w/.venv/bin/python on local' };
  assert.equal(statusBarText('hf-trainer', false, undefined, inst), '$(beaker) HF Trainer / TRL · TRL 1.13.0 (installed)');
  assert.match(statusBarTooltip('hf-trainer', 'HF keys', 'detected', undefined, undefined, inst, 'Host Python: /w/.venv/bin/python (selected in the Python extension).'),
    /\nVersion: TRL 1\.13\.0, installed in the Python environment \/w\/\.venv\/bin\/python on local\.\nHost Python: \/w\/\.venv\/bin\/python \(selected in the Python extension\)\.\n/);
  assert.equal(statusBarTooltip('hf-trainer', 'HF keys', 'detected', undefined, undefined, v),
    'HF Trainer / TRL config\nDetected: HF keys.\nVersion: TRL 0.19.1, from uv.lock.\nClick to choose the framework for this file.');
  assert.match(statusBarTooltip('torchtune', 'set by you', 'override', { framework: 'axolotl', reason: 'Axolotl keys: base_model' }),
    /^torchtune config\nChosen by you for this file\. Detection alone: Axolotl \(Axolotl keys: base_model\)\.\n/);
  assert.match(statusBarTooltip('axolotl', 'x', 'association', { framework: 'unknown', reason: 'no known keys' }),
    /Chosen by llmTraining\.validation\.frameworkAssociations\. Detection alone: Not a training config\.\n/);
});

test('every framework has a label and isFramework rejects strangers', () => {
  const labels = FRAMEWORKS.map(frameworkLabel);
  assert.equal(new Set(labels).size, FRAMEWORKS.length);
  assert.equal(frameworkLabel('llamafactory'), 'LLaMA-Factory');
  assert.equal(isFramework('llamafactory'), true);
  assert.equal(isFramework('LlamaFactory'), false);
  assert.equal(isFramework(undefined), false);
  assert.equal(isFramework(3), false);
});

test('rule levels: known levels kept, others reported, applied without mutating', () => {
  const { levels, invalid } = parseRuleLevels({ 'unknown-key': 'off', 'fp16-bf16-conflict': 'info', 'x': 'loud', 'y': 2 });
  assert.deepEqual([...levels], [['unknown-key', 'off'], ['fp16-bf16-conflict', 'info']]);
  assert.deepEqual(invalid, ['x', 'y']);
  const input = [issue('unknown-key'), issue('fp16-bf16-conflict', 'error'), issue('renamed-key')];
  const out = applyRuleLevels(input, levels);
  assert.deepEqual(out.map((i) => [i.code, i.severity]), [['fp16-bf16-conflict', 'info'], ['renamed-key', 'warning']]);
  assert.equal(input[1]!.severity, 'error');
  assert.deepEqual(parseRuleLevels(['off']).levels.size, 0);
  assert.deepEqual(parseRuleLevels(null).invalid, []);
});

test('reference candidates (core): next to the config, then each folder above it; absolute as given; ~ with the home', () => {
  assert.deepEqual(candidates('/ws/examples/llama', 'deepspeed_configs/zero3.json'),
    ['/ws/examples/llama/deepspeed_configs/zero3.json', '/ws/examples/deepspeed_configs/zero3.json', '/ws/deepspeed_configs/zero3.json', '/deepspeed_configs/zero3.json']);
  assert.deepEqual(candidates('/ws', './ds.json').slice(0, 1), ['/ws/ds.json']);
  assert.deepEqual(candidates('/ws/a', '../shared/ds.json')[0], '/ws/shared/ds.json');
  assert.deepEqual(candidates('/ws', '/opt/ds/z3.json'), ['/opt/ds/z3.json']);
  assert.deepEqual(candidates('/ws', '~/ds.json', '/home/me'), ['/home/me/ds.json']);
  assert.deepEqual(candidates('/ws', '~/ds.json'), ['~/ds.json'], 'without a home, ~ is not guessed');
  assert.deepEqual(candidates('/ws/examples/llama', 'deepspeed_configs/zero3.json', undefined, ['/ws']),
    ['/ws/examples/llama/deepspeed_configs/zero3.json', '/ws/deepspeed_configs/zero3.json'], 'with roots (the extension: the workspace folder), only those after the config\'s folder');
});

test('dependency graph reports first dependant and last dependant of each referenced file', () => {
  const g = new DependencyGraph();
  assert.deepEqual(g.set('a.yaml', ['ds.json', 'acc.yaml']), { added: ['ds.json', 'acc.yaml'], removed: [] });
  assert.deepEqual(g.set('b.yaml', ['ds.json']), { added: [], removed: [] });
  assert.deepEqual(g.dependants('ds.json').sort(), ['a.yaml', 'b.yaml']);
  assert.deepEqual(g.set('a.yaml', ['ds.json']), { added: [], removed: ['acc.yaml'] });
  assert.deepEqual(g.dependants('acc.yaml'), []);
  assert.deepEqual(g.delete('b.yaml'), { added: [], removed: [] });
  assert.deepEqual(g.delete('a.yaml'), { added: [], removed: ['ds.json'] });
  assert.deepEqual(g.watched(), []);
  assert.deepEqual(g.references('a.yaml'), []);
});

test('keyed debouncer runs once per key after the quiet period, reading the delay each time', (t) => {
  t.mock.timers.enable({ apis: ['setTimeout'] });
  const ran: string[] = [];
  let delay = 200;
  const d = new KeyedDebouncer(() => delay, (k) => ran.push(k));
  d.schedule('a'); t.mock.timers.tick(150);
  d.schedule('a'); d.schedule('b'); t.mock.timers.tick(150);
  assert.deepEqual(ran, []);
  assert.equal(d.pending('a'), true);
  t.mock.timers.tick(50);
  assert.deepEqual(ran, ['a', 'b']);
  delay = 0; d.schedule('c'); d.cancel('c'); t.mock.timers.tick(10);
  assert.deepEqual(ran, ['a', 'b']);
  d.schedule('d'); d.dispose(); t.mock.timers.tick(1000);
  assert.deepEqual(ran, ['a', 'b']);
});

// package.json jsonValidation / yamlValidation: the schema files exist, and the file patterns claim the names
// DeepSpeed, PEFT and Accelerate configs really have (corpus names) but not look-alikes.
test('contributed schema patterns point at generated schemas and do not misfire', async () => {
  const { readFileSync, existsSync } = await import('node:fs');
  const { posix } = await import('node:path');
  const pkg = JSON.parse(readFileSync('package.json', 'utf8'));
  const contributions: { fileMatch: string[]; url: string }[] = [...pkg.contributes.jsonValidation, ...pkg.contributes.yamlValidation];
  const byUrl = new Map(contributions.map((c) => [c.url, c.fileMatch]));
  for (const { url } of contributions) {
    assert.ok(existsSync(url), `${url} exists`);
    const schema = JSON.parse(readFileSync(url, 'utf8'));
    assert.equal(typeof schema.properties, 'object', `${url} is an object schema`);
  }
  const matches = (url: string, file: string) => byUrl.get(url)!.some((g) => posix.matchesGlob(file, g));
  const claims: Record<string, [yes: string[], no: string[]]> = {
    './schemas/deepspeed.schema.json': [
      ['/w/ds_config.json', '/w/ds_config_zero3.json', '/w/deepspeed_configs/zero3_bf16_cpuoffload_all.json', '/w/zero2.json',
        '/w/examples/deepspeed/ds_z3_offload_config.json', '/w/examples/deepspeed/ds_z0_config.json', '/w/scripts/ds_zero2_config.json', '/w/deepspeed_z3.json'],
      ['/w/config.json', '/w/tokenizer.json', '/w/trainer_state.json', '/w/zero_shot_results.json', '/w/data/zeros.json', '/w/my_dz_twoGPU.json', '/w/ds_zip_codes.json'],
    ],
    './schemas/peft.schema.json': [['/w/out/checkpoint-500/adapter_config.json'], ['/w/out/config.json', '/w/adapter_model.json']],
    './schemas/accelerate.schema.json': [
      // $HF_HOME/accelerate (default ~/.cache/huggingface/accelerate; path.matchesGlob skips dot folders, VS Code's matcher does not)
      ['/data/hf_home/accelerate/default_config.yaml', '/w/recipes/accelerate_configs/zero3.yaml'],
      ['/w/config.yaml', '/w/recipes/zephyr-7b-beta/sft/config_full.yaml', '/w/examples/train_lora/llama3_lora_sft.yaml'],
    ],
  };
  for (const [url, [yes, no]] of Object.entries(claims)) {
    for (const f of yes) assert.ok(matches(url, f), `${url} should claim ${f}`);
    for (const f of no) assert.ok(!matches(url, f), `${url} must not claim ${f}`);
  }
});

// The settings and command the config views read/register are contributed, each documented as STYLE.md asks
// (a merge of package.json once dropped the whole section; the views then silently used defaults).
test('llmTraining.validation.* settings and the framework command are contributed and documented', async () => {
  const { readFileSync } = await import('node:fs');
  const pkg = JSON.parse(readFileSync('package.json', 'utf8'));
  const sections: { title: string; properties: Record<string, Record<string, unknown>> }[] = [pkg.contributes.configuration].flat();
  const props = Object.assign({}, ...sections.map((s) => s.properties)) as Record<string, Record<string, unknown> & { additionalProperties?: Record<string, unknown> }>;
  const src = ['controller.ts', 'providers.ts'].map((f) => readFileSync(`src/views/config/${f}`, 'utf8')).join('\n');
  const read = [...src.matchAll(/getConfiguration\('llmTraining\.validation'[^)]*\)\.(?:get|inspect)(?:<[^>]*>)?\('([a-zA-Z]+)'/g)].map((m) => `llmTraining.validation.${m[1]}`);
  assert.ok(read.length >= 4, `found the settings read in the source: ${read.join(', ')}`);
  for (const key of new Set([...read, 'llmTraining.validation.rules', 'llmTraining.validation.frameworkAssociations'])) {
    const p = props[key];
    assert.ok(p, `${key} is contributed`);
    assert.equal(typeof p.markdownDescription, 'string', `${key} has a markdownDescription`);
    assert.ok(['resource', 'window', 'application', 'machine', 'machine-overridable', 'language-overridable'].includes(p.scope as string), `${key} has a scope`);
    const e = p.additionalProperties ?? p;
    if (Array.isArray(e.enum)) assert.equal((e.enumDescriptions as unknown[] | undefined)?.length, e.enum.length, `${key} describes every enum value`);
  }
  assert.ok(pkg.contributes.commands.some((c: { command: string; title: string }) => c.command === 'llmTraining.setConfigFramework' && c.title === 'Set Config Framework…'));
});
