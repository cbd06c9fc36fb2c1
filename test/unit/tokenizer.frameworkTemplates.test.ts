/**
 * Framework chat templates (LLaMA-Factory `template:`, Axolotl `chat_template:`): the text each renders, worked out by
 * hand from the frameworks' sources (LLaMA-Factory src/llamafactory/data/template.py, Axolotl
 * src/axolotl/utils/chat_templates/templates/*.jinja); Axolotl llama3 against the corpus Llama-3 template rendered
 * with @huggingface/jinja; LLaMA-Factory's piece-by-piece tokenization and loss mask on the TinyLlama tokenizer; and
 * the framework-template-differs check.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { memoryFileAccess } from '../../src/core/files';
import { loadTokenizer } from '../../src/core/tokenizer';
import { renderChatTemplate } from '../../src/core/tokenizer/chat';
import { checkTokenizer, trainingContextOf } from '../../src/core/tokenizer/checks';
import { AXOLOTL_TEMPLATES, LLAMAFACTORY_TEMPLATES, frameworkTemplate, frameworkTemplateOf, renderFrameworkChat, renderFrameworkText, type TemplateFramework } from '../../src/core/tokenizer/frameworkTemplates';

const DIR = join(__dirname, '..', 'fixtures', 'tokenizer');
const fixture = (f: string): string => readFileSync(join(DIR, f), 'utf8');
const UA = [{ role: 'user', content: 'U' }, { role: 'assistant', content: 'A' }];
const SUA = [{ role: 'system', content: 'S' }, ...UA];
const sp = { bos: '<s>', eos: '</s>' };
const render = (fw: TemplateFramework, name: string, msgs: typeof UA, specials = sp, gen = false): string => {
  const t = frameworkTemplate(fw, name);
  assert.ok(t, `${fw} ${name}`);
  return renderFrameworkText(t, msgs, specials, gen);
};

test('the named templates are the ones the issue lists', () => {
  assert.deepEqual([...LLAMAFACTORY_TEMPLATES].sort(), ['alpaca', 'chatml', 'default', 'empty', 'gemma', 'llama2', 'llama3', 'mistral', 'qwen', 'vicuna', 'zephyr']);
  assert.deepEqual([...AXOLOTL_TEMPLATES].sort(), ['alpaca', 'chatml', 'gemma', 'llama3', 'mistral_v1']);
  assert.equal(frameworkTemplate('llamafactory', 'nope'), undefined);
  assert.equal(frameworkTemplate('axolotl', 'toString'), undefined);
});

test('LLaMA-Factory templates render as template.py builds them', () => {
  const lf = (name: string, msgs = UA, specials = sp): string => render('llamafactory', name, msgs, specials);
  assert.equal(lf('default'), 'Human: U</s>\nAssistant:A</s>\n');
  assert.equal(lf('alpaca'), 'Below is an instruction that describes a task. Write a response that appropriately completes the request.\n\n### Instruction:\nU\n\n### Response:\nA</s>\n\n');
  assert.equal(lf('chatml', SUA), '<|im_start|>system\nS<|im_end|>\n<|im_start|>user\nU<|im_end|>\n<|im_start|>assistant\nA<|im_end|>\n');
  assert.equal(lf('empty', SUA), 'SUA');
  assert.equal(lf('gemma', UA, { bos: '<bos>', eos: '<eos>' }), '<bos><start_of_turn>user\nU<end_of_turn>\n<start_of_turn>model\nA<end_of_turn>\n');
  // Llama2Template: the system text goes into the first user turn
  assert.equal(lf('gemma', SUA, { bos: '<bos>', eos: '<eos>' }), '<bos><start_of_turn>user\nS\n\nU<end_of_turn>\n<start_of_turn>model\nA<end_of_turn>\n');
  assert.equal(lf('llama2', SUA), '<s>[INST] <<SYS>>\nS\n<</SYS>>\n\nU [/INST]A</s>');
  assert.equal(lf('llama3', SUA, { bos: '<|begin_of_text|>', eos: '<|end_of_text|>' }),
    '<|begin_of_text|><|start_header_id|>system<|end_header_id|>\n\nS<|eot_id|><|start_header_id|>user<|end_header_id|>\n\nU<|eot_id|><|start_header_id|>assistant<|end_header_id|>\n\nA<|eot_id|>');
  assert.equal(lf('mistral'), '<s>[INST] U[/INST] A</s>');
  assert.equal(lf('mistral', SUA), '<s>[INST] S\n\nU[/INST] A</s>');
  assert.equal(lf('qwen'), '<|im_start|>system\nYou are Qwen, created by Alibaba Cloud. You are a helpful assistant.<|im_end|>\n<|im_start|>user\nU<|im_end|>\n<|im_start|>assistant\nA<|im_end|>\n');
  assert.equal(lf('vicuna'), 'A chat between a curious user and an artificial intelligence assistant. The assistant gives helpful, detailed, and polite answers to the user\'s questions.USER: U ASSISTANT:A</s>');
  assert.equal(lf('zephyr'), '<|system|>\nYou are Zephyr, a helpful assistant.</s><|user|>\nU</s><|assistant|>\nA</s>');
  // replace_eos: the default formatter's EOS becomes the first stop word
  assert.equal(frameworkTemplate('llamafactory', 'llama3')!.eosOverride, '<|eot_id|>');
  assert.equal(frameworkTemplate('llamafactory', 'mistral')!.eosOverride, undefined);
  assert.throws(() => lf('chatml', [{ role: 'narrator', content: 'x' }]), /unexpected role "narrator"/);
});

test('Axolotl templates render as their Jinja files do', () => {
  const ax = (name: string, msgs = UA, specials = sp, gen = false): string => render('axolotl', name, msgs, specials, gen);
  assert.equal(ax('chatml', SUA), '<|im_start|>system\nS<|im_end|>\n<|im_start|>user\nU<|im_end|>\n<|im_start|>assistant\nA<|im_end|>\n');
  assert.equal(ax('chatml', UA.slice(0, 1), sp, true), '<|im_start|>user\nU<|im_end|>\n<|im_start|>assistant\n');
  assert.equal(ax('mistral_v1'), '<s> [INST] U [/INST] A</s>');
  assert.throws(() => ax('mistral_v1', SUA), /roles must alternate/);
  assert.equal(ax('gemma', [{ role: 'user', content: ' U \n' }, { role: 'assistant', content: 'A' }], { bos: '<bos>', eos: '<eos>' }), '<bos><start_of_turn>user\nU<end_of_turn>\n<start_of_turn>model\nA<end_of_turn>\n');
  assert.throws(() => ax('gemma', SUA), /System role not supported/);
  assert.equal(ax('alpaca', SUA), '<s>S\n\n### Instruction:\nU\n\n### Response:\nA</s>');
  assert.equal(ax('alpaca', UA.slice(0, 1), sp, true), '<s>### Instruction:\nU\n\n### Response:\n');
});

test('Axolotl llama3 renders exactly as the corpus Llama-3 template does through @huggingface/jinja', () => {
  const jinja = fixture('chat-template__llama3.jinja');
  const specials = { bos_token: '<|begin_of_text|>', eos_token: '<|end_of_text|>' };
  const chats = [UA, SUA, [{ role: 'user', content: '  spaced\n' }, { role: 'assistant', content: 'ünïcödé 🙂' }, { role: 'user', content: 'again' }]];
  for (const msgs of chats) {
    for (const gen of [false, true]) {
      assert.equal(render('axolotl', 'llama3', msgs, { bos: specials.bos_token, eos: specials.eos_token }, gen), renderChatTemplate(jinja, msgs, { specialTokens: specials, addGenerationPrompt: gen }));
    }
  }
});

const tinyFiles = (template: string): ReturnType<typeof memoryFileAccess> => memoryFileAccess({
  '/m/tokenizer.json': fixture('tinyllama__bpe-bytefallback.tokenizer.json'),
  '/m/chat_template.jinja': template,
  '/m/special_tokens_map.json': fixture('tinyllama__special_tokens_map.json'),
});

test('LLaMA-Factory tokenizes piece by piece and trains on the assistant turns (TinyLlama, zephyr)', async () => {
  const tok = await loadTokenizer(tinyFiles(fixture('tinyllama__chat_template.jinja')), '/m');
  const msgs = [{ role: 'user', content: 'Hi there' }, { role: 'assistant', content: 'Hello!' }];
  const r = renderFrameworkChat(tok, frameworkTemplate('llamafactory', 'zephyr')!, msgs);
  assert.equal(r.text, '<|system|>\nYou are Zephyr, a helpful assistant.</s><|user|>\nHi there</s><|assistant|>\nHello!</s>');
  // each piece encoded on its own, as _convert_elements_to_ids does
  const pieces = ['<|system|>\nYou are Zephyr, a helpful assistant.', '</s>', '<|user|>\nHi there', '</s>', '<|assistant|>\n', 'Hello!', '</s>'];
  assert.deepEqual(r.ids, pieces.flatMap((p) => tok.encode(p, { addSpecialTokens: false }).ids));
  const trained = r.ids.filter((_, i) => r.mask[i] === 1);
  assert.deepEqual(trained, [...tok.encode('Hello!', { addSpecialTokens: false }).ids, tok.tokenToId('</s>')]);
  assert.equal(r.offsets.length, r.ids.length);
  assert.equal(r.text.slice(...r.offsets[r.offsets.length - 1]), '</s>');
});

test('Axolotl mask: the assistant content and its turn end (TinyLlama, mistral_v1)', async () => {
  const tok = await loadTokenizer(tinyFiles(fixture('tinyllama__chat_template.jinja')), '/m');
  const r = renderFrameworkChat(tok, frameworkTemplate('axolotl', 'mistral_v1')!, [{ role: 'user', content: 'Hi' }, { role: 'assistant', content: 'Hello!' }]);
  assert.equal(r.text, '<s> [INST] Hi [/INST] Hello!</s>');
  assert.deepEqual(r.ids, tok.encode(r.text, { addSpecialTokens: false }).ids);
  const trainedText = r.offsets.filter((_, i) => r.mask[i] === 1).map(([a, b]) => r.text.slice(a, b)).join('');
  // the first trained token is "▁Hello": SentencePiece-style tokens carry the space before the word
  assert.equal(trainedText, ' Hello!</s>');
});

test('frameworkTemplateOf reads LLaMA-Factory template: and Axolotl chat_template:', () => {
  assert.deepEqual(frameworkTemplateOf({ stage: 'sft', model_name_or_path: 'm', template: 'llama3' }), { framework: 'llamafactory', name: 'llama3', key: 'template' });
  assert.deepEqual(frameworkTemplateOf({ base_model: 'm', chat_template: 'chatml', datasets: [{ path: 'd', type: 'chat_template' }] }), { framework: 'axolotl', name: 'chatml', key: 'chat_template' });
  assert.deepEqual(frameworkTemplateOf({ base_model: 'm', datasets: [{ path: 'd', type: 'chat_template', chat_template: 'gemma' }] }), { framework: 'axolotl', name: 'gemma', key: 'chat_template' });
  assert.equal(frameworkTemplateOf({ base_model: 'm', chat_template: 'tokenizer_default' }), undefined);
  assert.equal(frameworkTemplateOf({ base_model: 'm', chat_template: 'jinja', chat_template_jinja: '{{x}}' }), undefined);
  assert.equal(frameworkTemplateOf({ model_name_or_path: 'm', learning_rate: 1 }), undefined);
});

test('framework-template-differs fires when the config\'s template is not the tokenizer\'s, and not when it is', async () => {
  const tiny = await loadTokenizer(tinyFiles(fixture('tinyllama__chat_template.jinja')), '/m');
  const ctx = trainingContextOf({ base_model: 'TinyLlama/TinyLlama-1.1B-Chat-v1.0', chat_template: 'chatml', datasets: [{ path: 'd', type: 'chat_template' }] }, '/cfg/axolotl.yml');
  const ps = checkTokenizer({ tokenizer: tiny, sources: tiny.sources, training: ctx }).filter((p) => p.code === 'framework-template-differs');
  assert.equal(ps.length, 1);
  assert.equal(ps[0].severity, 'warning');
  assert.equal(ps[0].file, '/cfg/axolotl.yml');
  assert.equal(ps[0].key, 'chat_template');
  assert.match(ps[0].message, /^\/cfg\/axolotl\.yml: chat_template: chatml formats chats differently/);
  // both generation prompts: chatml's assistant header and the TinyLlama template's
  assert.ok(ps[0].message.includes('the framework writes "<|im_end|>\\n<|im_start|>assistant\\n"'), ps[0].message);
  assert.ok(ps[0].message.includes('the tokenizer\'s template "</s>\\n<|assistant|>\\n"'), ps[0].message);

  const llama = await loadTokenizer(tinyFiles(fixture('chat-template__llama3.jinja')), '/m');
  const same = trainingContextOf({ base_model: 'm', chat_template: 'llama3', datasets: [{ path: 'd', type: 'chat_template' }] }, '/cfg/a.yml');
  assert.deepEqual(checkTokenizer({ tokenizer: llama, sources: llama.sources, training: same }).filter((p) => p.code.startsWith('framework-template')), []);

  const unknown = trainingContextOf({ stage: 'sft', model_name_or_path: 'm', template: 'no_such_template' }, '/cfg/lf.yaml');
  const u = checkTokenizer({ tokenizer: tiny, sources: tiny.sources, training: unknown }).filter((p) => p.code.startsWith('framework-template'));
  assert.deepEqual(u.map((p) => [p.code, p.severity]), [['framework-template-unknown', 'info']]);
});
