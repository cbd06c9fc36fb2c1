/**
 * `llmtrain tokenize <tokenizer> --check --config <training-config>`: the training-context checks the editor's
 * CodeLens path runs, from the CLI. Configs are the corpus copies in the fixtures workspace (the alignment-handbook
 * Zephyr SFT recipe, a LLaMA-Factory Qwen2.5 SFT config); the tokenizer is the workspace's TinyLlama folder
 * (tokenizer.model, tokenizer_config.json with pad = eos, chat_template.jinja without {% generation %}).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { trainingConfigOf } from '../../src/core/tokenizer/openInput';

const ROOT = join(__dirname, '..', '..');
const WS = join(ROOT, 'test', 'fixtures', 'workspace');
const TINY = join(WS, 'tokenizers', 'tinyllama');
const ZEPHYR = join(WS, 'configs', 'hf-zephyr-sft-full.yaml');
const LLAMAFACTORY = join(WS, 'configs', 'llamafactory-sft-ds.yaml');

interface Out { problems: { severity: string; code: string; message: string }[] }
function cli(...args: string[]): { code: number | null; out?: Out; stderr: string; stdout: string } {
  const r = spawnSync(process.execPath, ['--import', 'tsx', join(ROOT, 'src/cli/main.ts'), 'tokenize', ...args], { encoding: 'utf8', cwd: ROOT });
  let out: Out | undefined;
  try { out = JSON.parse(r.stdout); } catch { /* text output or an error */ }
  return { code: r.status, out, stderr: r.stderr, stdout: r.stdout };
}
const codes = (o?: Out): string[] => (o?.problems ?? []).map((p) => `${p.severity} ${p.code}`).sort();

test('trainingConfigOf reads the Zephyr SFT recipe as chat SFT, and names the file when it does not parse', () => {
  const z = trainingConfigOf(readFileSync(ZEPHYR, 'utf8'), ZEPHYR);
  assert.equal(z.training.chatSft, true);
  assert.equal(z.training.assistantOnlyLoss, false);
  const lf = trainingConfigOf(readFileSync(LLAMAFACTORY, 'utf8'), LLAMAFACTORY);
  assert.equal(lf.training.framework, 'llamafactory');
  assert.deepEqual(lf.training.template && [lf.training.template.framework, lf.training.template.name], ['llamafactory', 'qwen']);
  assert.deepEqual(lf.mask, { framework: 'llamafactory', trainOnPrompt: false });
  assert.throws(() => trainingConfigOf('- a list\n', '/x/cfg.yaml'), /\/x\/cfg\.yaml: not a training config/);
  assert.throws(() => trainingConfigOf('{"a": ', '/x/cfg.json'), /\/x\/cfg\.json: not a training config/);
});

test('--check --config: pad = EOS in SFT, no chat_template for chat SFT, assistant-only loss without {% generation %}, framework template differs', () => {
  const dir = mkdtempSync(join(tmpdir(), 'llmts-tok-cli-'));
  try {
    // Without a config: pad == eos is a warning from the files alone, no training-context problem.
    const plain = cli(TINY, '--check', '--format', 'json');
    assert.deepEqual(codes(plain.out), ['warning legacy-space-after-special', 'warning pad-equals-eos']);
    assert.doesNotMatch(plain.out!.problems.find((p) => p.code === 'pad-equals-eos')!.message, /in SFT \(/);

    // The Zephyr SFT recipe sets a chat_template: chat SFT. With the TinyLlama folder minus its chat template:
    const noTemplate = join(dir, 'no-template');
    mkdirSync(noTemplate);
    for (const f of ['tokenizer.model', 'tokenizer_config.json', 'special_tokens_map.json']) copyFileSync(join(TINY, f), join(noTemplate, f));
    const z = cli(noTemplate, '--check', '--config', ZEPHYR, '--format', 'json');
    assert.equal(z.code, 1, z.stderr);
    assert.deepEqual(codes(z.out), ['error no-chat-template', 'warning legacy-space-after-special', 'warning pad-equals-eos']);
    assert.match(z.out!.problems.find((p) => p.code === 'pad-equals-eos')!.message, /in SFT \(.*hf-zephyr-sft-full\.yaml\) the collator sets the labels of every pad id to -100/);
    assert.match(z.out!.problems.find((p) => p.code === 'no-chat-template')!.message, /hf-zephyr-sft-full\.yaml asks for chat-formatted SFT/);

    // The same recipe asking for TRL's assistant_only_loss, with the TinyLlama template (no {% generation %}).
    const aol = join(dir, 'zephyr-assistant-only.yaml');
    writeFileSync(aol, `${readFileSync(ZEPHYR, 'utf8')}\nassistant_only_loss: true\n`);
    const a = cli(TINY, '--check', '--config', aol, '--format', 'json');
    assert.deepEqual(codes(a.out), ['error assistant-mask-without-generation', 'warning legacy-space-after-special', 'warning pad-equals-eos']);

    // LLaMA-Factory `template: qwen` renders chats differently from TinyLlama's chat_template.
    const lf = cli(TINY, '--check', '--config', LLAMAFACTORY, '--format', 'json');
    assert.equal(lf.code, 0, lf.stderr);
    assert.deepEqual(codes(lf.out), ['warning framework-template-differs', 'warning legacy-space-after-special', 'warning pad-equals-eos']);
    assert.match(lf.out!.problems.find((p) => p.code === 'framework-template-differs')!.message, /template: qwen formats chats differently/);
    const text = cli(TINY, '--check', '--config', LLAMAFACTORY);
    assert.match(text.stdout, /training config .*llamafactory-sft-ds\.yaml \(llamafactory, chat SFT, template: qwen\)/);

    // A config that is not there, or not a mapping, is an error naming the file.
    const missing = cli(TINY, '--check', '--config', join(dir, 'nope.yaml'));
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /nope\.yaml/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
