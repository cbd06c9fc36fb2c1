/**
 * Issue 15, "PEFT keys that need a newer PEFT", a tester's miss: adapter_config.json with `use_dora`, `use_rslora`,
 * `target_parameters` under `--version peft=0.8.0` flagged only `ensure_weight_tying` (the one key the two PEFT tables
 * disagree on), though the PEFT key history (every release 0.4.0–0.20.0) dates them all. The file is now judged by
 * the history too, at the severity of what that PEFT does with the key (huggingface/peft src/peft/config.py):
 * 0.6.0–0.13.x pass the JSON to `config_cls(**kwargs)`, which raises TypeError (an error); 0.14.0 on drops it with a
 * warning (PR #2038); 0.4/0.5 set only attributes the config has (a warning).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { validateConfig } from '../../src/core/config/index';
import { historyKeys, historyReleases, keyKnownIn } from '../../src/core/config/keyHistory';
import { cli } from '../cli';
import type { CliIssue } from '../../src/cli/validate';

// The corpus adapter config (TinyLlama, test/fixtures/configs, saved by a PEFT 0.15-0.17), plus the keys of the report.
const corpus = JSON.parse(readFileSync(join(__dirname, '..', 'fixtures', 'configs', 'peft__tinyllama-adapter_config.json'), 'utf8')) as Record<string, unknown>;
const TEXT = JSON.stringify({ ...corpus, use_dora: true, use_rslora: true, target_parameters: ['experts.down_proj'] }, null, 2);
const line = (k: string) => TEXT.split('\n').findIndex((l) => l.startsWith(`  "${k}"`));
const TYPE_ERROR = 'loading the adapter fails: `config_cls(**kwargs)` raises TypeError (got an unexpected keyword argument) at src/peft/config.py:119 (PeftConfig.from_peft_type, v0.8.x); PEFT ignores unknown keys only from 0.14.0. Upgrade PEFT or remove the key.';
const DROPS = 'PEFT drops it with a warning ("Unexpected keyword arguments [...] for class LoraConfig, these are ignored", src/peft/config.py:146-169 in v0.14.0), so the setting has no effect. Upgrade PEFT or remove the key.';
const issues = (v: string) => validateConfig(TEXT, { fileName: 'adapter_config.json', versions: { peft: v } }).issues.map((i) => ({ line: i.range.start.line, severity: i.severity, code: i.code, message: i.message }));
const added = (k: string, rel: string, v: string, what: string) => `\`${k}\` was added to LoraConfig in PEFT ${rel}; the run uses PEFT ${v}, which does not have it: ${what}`;

test('PEFT 0.8.0: use_dora (0.9.0) and target_parameters (0.17.0) are errors, LoraConfig(**kwargs) raises TypeError; use_rslora (0.8.0) is fine', () => {
  const r = issues('0.8.0');
  const at = (k: string) => r.filter((i) => i.line === line(k));
  assert.deepEqual(at('use_dora'), [{ line: line('use_dora'), severity: 'error', code: 'key-version', message: added('use_dora', '0.9.0', '0.8.0', TYPE_ERROR) }]);
  assert.deepEqual(at('target_parameters'), [{ line: line('target_parameters'), severity: 'error', code: 'key-version', message: added('target_parameters', '0.17.0', '0.8.0', TYPE_ERROR) }]);
  assert.deepEqual(at('use_rslora'), []);
  // The corpus file itself was saved by a later PEFT: its null/false keys of later releases fail 0.8.0's LoraConfig too.
  assert.deepEqual(r.map((i) => `${i.line}:${i.severity}:${i.code}`), ['corda_config', 'eva_config', 'exclude_modules', 'layer_replication', 'lora_bias', 'trainable_token_indices', 'use_dora', 'target_parameters'].map((k) => `${line(k)}:error:key-version`));
});

test('PEFT 0.14.0 drops a later key with a warning; PEFT 0.5.0 ignores it; PEFT 0.17.1 has them all', () => {
  assert.deepEqual(issues('0.14.0').filter((i) => i.line === line('target_parameters')), [{ line: line('target_parameters'), severity: 'warning', code: 'key-version', message: added('target_parameters', '0.17.0', '0.14.0', DROPS) }]);
  assert.deepEqual(issues('0.5.0').filter((i) => i.line === line('use_rslora')), [{ line: line('use_rslora'), severity: 'warning', code: 'key-version', message: added('use_rslora', '0.8.0', '0.5.0', 'PEFT 0.5.0 ignores it (PeftConfig.from_pretrained sets only the attributes LoraConfig has, src/peft/config.py:130-132 in v0.5.0), so the setting has no effect.') }]);
  assert.deepEqual(issues('0.17.1'), []);
});

test('llmtrain validate --version peft=0.8.0 adapter_config.json: exit 1, use_dora reported at its line', async () => {
  const d = mkdtempSync(join(tmpdir(), 'llmtrain-peft-'));
  try {
    const f = join(d, 'adapter_config.json');
    writeFileSync(f, TEXT);
    const r = await cli(['validate', '--format', 'json', '--version', 'peft=0.8.0', f]);
    assert.equal(r.code, 1);
    const dora = (JSON.parse(r.out) as CliIssue[]).filter((i) => i.line === line('use_dora') + 1);
    assert.deepEqual(dora.map((i) => `${i.framework}:${i.severity}:${i.code}:${i.message}`), [`peft:error:key-version:${added('use_dora', '0.9.0', '0.8.0', TYPE_ERROR)}`]);
  } finally { rmSync(d, { recursive: true, force: true }); }
});

test('every LoraConfig key the history says a PEFT release has is accepted in adapter_config.json under that release', () => {
  for (const { release } of historyReleases('peft')) {
    const keys = historyKeys('peft').filter((k) => keyKnownIn('peft', k, release));
    assert.ok(keys.length >= 15, release);
    const text = JSON.stringify(Object.fromEntries(keys.map((k) => [k, null])), null, 1);
    const r = validateConfig(text, { fileName: 'adapter_config.json', versions: { peft: release } });
    assert.deepEqual(r.issues.filter((i) => i.code === 'key-version' || i.code === 'unknown-key').map((i) => i.message), [], release);
  }
});
