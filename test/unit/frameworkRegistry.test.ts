import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { FRAMEWORK_IDS, FRAMEWORK_INFO, frameworkLabel, frameworkName, isFramework } from '../../src/core/config/registry';
import { frameworkDef } from '../../src/core/config/frameworks';
import { detectFramework } from '../../src/core/config/index';
import { withFrameworkEnums } from '../../scripts/gen-schemas';

interface EnumProp { enum?: string[]; enumDescriptions?: string[]; additionalProperties?: EnumProp }

/** Every setting in package.json whose values are framework ids (`enum` containing `axolotl`). */
function frameworkEnums(): { key: string; prop: EnumProp }[] {
  const pkg = JSON.parse(readFileSync('package.json', 'utf8')) as { contributes: { configuration: { properties: Record<string, EnumProp> }[] } };
  const out: { key: string; prop: EnumProp }[] = [];
  for (const section of pkg.contributes.configuration) {
    for (const [key, prop] of Object.entries(section.properties)) {
      for (const p of [prop, prop.additionalProperties]) if (p?.enum?.includes('axolotl')) out.push({ key, prop: p });
    }
  }
  return out;
}

test('package.json framework enums are the registry: same ids in the same order, its Markdown descriptions', () => {
  const enums = frameworkEnums();
  assert.ok(enums.length >= 1, 'llmTraining.validation.frameworkAssociations takes framework ids');
  const expected = { enum: [...FRAMEWORK_IDS], enumDescriptions: FRAMEWORK_INFO.map((f) => f.markdownDescription) };
  for (const { key, prop } of enums) {
    assert.deepEqual({ enum: prop.enum, enumDescriptions: prop.enumDescriptions }, expected,
      `${key} in package.json differs from src/core/config/registry.ts: run npx tsx scripts/gen-schemas.ts`);
  }
});

test('package.json framework enums are generated: the generator leaves the committed file as it is and rewrites a drifted one', () => {
  const text = readFileSync('package.json', 'utf8');
  assert.equal(withFrameworkEnums(text), text, 'package.json is stale: run npx tsx scripts/gen-schemas.ts');
  const drifted = text.replace('"PEFT `adapter_config.json`."', '"PEFT"').replace(/"peft",\n(\s*)"unknown"/, '"unknown",\n$1"peft"');
  assert.notEqual(drifted, text, 'the drift below applies to this package.json');
  assert.equal(withFrameworkEnums(drifted), text);
});

test('one label set: the framework definitions, detection reasons and status bar read the registry', () => {
  for (const f of FRAMEWORK_INFO) {
    assert.ok(isFramework(f.id));
    if (f.id !== 'unknown') assert.equal(frameworkDef(f.id)?.label, f.name, `${f.id}: FrameworkDef.label is the registry's name`);
  }
  assert.equal(frameworkLabel('peft'), 'PEFT adapter');
  assert.equal(frameworkName('hf-trainer'), 'Hugging Face TrainingArguments / TRL');
  assert.match(detectFramework('{"peft_type": "LORA", "r": 8, "target_modules": ["q_proj"], "lora_alpha": 16}', 'my_adapter.json').reason, /^PEFT adapter keys: peft_type/);
  assert.equal(isFramework('toString'), false);
  assert.equal(isFramework('PEFT'), false);
});
