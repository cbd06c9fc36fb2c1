/** Which tokenizer a training config points at: keys per framework, local paths, the Hugging Face cache layout. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { memoryFileAccess } from '../../src/core/files';
import { findTokenizerReferences, hubCacheDir, resolveTokenizerPath } from '../../src/core/tokenizer/resolve';

const CONFIGS = join(__dirname, '..', 'fixtures', 'configs');

test('finds base_model (Axolotl), model_name_or_path (TRL / LLaMA-Factory) in the corpus configs', () => {
  const ax = findTokenizerReferences(readFileSync(join(CONFIGS, 'axolotl__llama3-lora-1b.yml'), 'utf8'));
  assert.deepEqual(ax.map((r) => [r.key, r.value]), [['base_model', 'NousResearch/Llama-3.2-1B']]);
  const lf = findTokenizerReferences(readFileSync(join(CONFIGS, 'llamafactory__qwen3-lora-sft.yaml'), 'utf8'));
  assert.equal(lf[0].key, 'model_name_or_path');
  assert.equal(lf[0].value, 'Qwen/Qwen3-4B-Instruct-2507');
  assert.deepEqual(findTokenizerReferences('{\n  "model_name_or_path": "./my-model",\n  "x": 1\n}'), [{ key: 'model_name_or_path', value: './my-model', line: 1 }]);
});

test('resolves a local folder relative to the config, and a Hub id through refs/main in the cache; nothing else', async () => {
  const files = memoryFileAccess({
    '/w/models/tiny/tokenizer.json': '{}',
    '/c/hub/models--org--name/refs/main': 'abc123\n',
    '/c/hub/models--org--name/snapshots/abc123/tokenizer.json': '{}',
    '/c/hub/models--org--name/snapshots/old/tokenizer.json': '{}',
  });
  assert.equal(await resolveTokenizerPath(files, 'models/tiny', '/w', '/c/hub'), '/w/models/tiny');
  assert.equal(await resolveTokenizerPath(files, 'org/name', '/w', '/c/hub'), '/c/hub/models--org--name/snapshots/abc123');
  assert.equal(await resolveTokenizerPath(files, 'org/missing', '/w', '/c/hub'), undefined);
  assert.equal(hubCacheDir({ HF_HOME: '/hf' }, '/home/u'), '/hf/hub');
  assert.equal(hubCacheDir({}, '/home/u'), '/home/u/.cache/huggingface/hub');
  assert.equal(hubCacheDir({ HF_HUB_CACHE: '/x' }, '/home/u'), '/x');
});
