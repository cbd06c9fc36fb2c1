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
const PRETRAIN = join(WS, 'configs', 'axolotl-tinyllama-pretrain.yml');
const CORPUS_TOK = join(ROOT, 'test', 'fixtures', 'tokenizer');

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

test('--check --config on Axolotl\'s TinyLlama pretraining config: pad = EOS is not called SFT', () => {
  const dir = mkdtempSync(join(tmpdir(), 'llmts-tok-pt-'));
  try {
    // TinyLlama's tokenizer.json + special_tokens_map.json (pad = </s>), the corpus files under their real names.
    copyFileSync(join(CORPUS_TOK, 'tinyllama__bpe-bytefallback.tokenizer.json'), join(dir, 'tokenizer.json'));
    copyFileSync(join(CORPUS_TOK, 'tinyllama__special_tokens_map.json'), join(dir, 'special_tokens_map.json'));
    const info = trainingConfigOf(readFileSync(PRETRAIN, 'utf8'), PRETRAIN);
    assert.deepEqual([info.training.framework, info.training.pretraining, info.training.chatSft], ['axolotl', true, false]);
    const r = cli(dir, '--check', '--config', PRETRAIN, '--format', 'json');
    assert.equal(r.code, 0, r.stderr);
    const pad = r.out!.problems.find((p) => p.code === 'pad-equals-eos')!;
    assert.equal(pad.severity, 'info');
    assert.match(pad.message, /in Axolotl pretraining \/ completion training \(.*axolotl-tinyllama-pretrain\.yml\)/);
    assert.doesNotMatch(pad.message, /in SFT/);
    const text = cli(dir, '--check', '--config', PRETRAIN);
    assert.match(text.stdout, /training config .*axolotl-tinyllama-pretrain\.yml \(axolotl, pretraining \/ completion\)/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('--check on a folder with no tokenizer file fails like a plain tokenize, not "no problems found"', () => {
  const empty = mkdtempSync(join(tmpdir(), 'llmts-tok-empty-'));
  try {
    for (const folder of [empty, CORPUS_TOK]) {
      const plain = cli(folder);
      const checked = cli(folder, '--check');
      assert.equal(plain.code, 1);
      assert.equal(checked.code, 1, checked.stdout);
      assert.doesNotMatch(checked.stdout, /no problems found/);
      assert.match(checked.stderr, /no tokenizer vocabulary found/);
      assert.equal(checked.stderr, plain.stderr);
    }
    // A folder with only a tokenizer_config.json still gets the static checks.
    writeFileSync(join(empty, 'tokenizer_config.json'), JSON.stringify({ eos_token: '</s>', pad_token: '</s>' }));
    const cfgOnly = cli(empty, '--check', '--format', 'json');
    assert.equal(cfgOnly.code, 0, cfgOnly.stderr);
    assert.deepEqual(codes(cfgOnly.out), ['warning pad-equals-eos']);
  } finally {
    rmSync(empty, { recursive: true, force: true });
  }
});

test('--chat validates the messages first and names the message and what is wrong', () => {
  const dir = mkdtempSync(join(tmpdir(), 'llmts-tok-chat-'));
  const chat = (messages: unknown) => { const f = join(dir, 'm.json'); writeFileSync(f, JSON.stringify(messages)); return cli(TINY, '--chat', f); };
  try {
    const missing = chat([{ role: 'user', content: 'hi' }, { role: 'assistant' }]);
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /m\.json: message 1 \(assistant\): "content" must be a string or a list of parts, it is missing/);
    assert.doesNotMatch(missing.stderr, /Cannot perform operation/);
    assert.match(chat([{ content: 'hi' }]).stderr, /message 0: "role" must be a string, it is missing/);
    assert.match(chat({ messages: [{ role: 'user', content: 'a' }, { role: 'user', content: 5 }] }).stderr, /message 1 \(user\): "content" must be a string or a list of parts, not 5/);
    assert.match(chat([{ role: 'user', content: [{ text: 'a' }] }]).stderr, /message 0 \(user\): content part 0 must be an object with a string "type"/);
    assert.match(chat(['hi']).stderr, /message 0 is "hi", not an object/);
    const ok = chat([{ role: 'user', content: 'Hi' }, { role: 'assistant', content: 'Hello' }]);
    assert.equal(ok.code, 0, ok.stderr);
    assert.match(ok.stdout, /tokens trained/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
