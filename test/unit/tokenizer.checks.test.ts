/**
 * The tokenizer checks fire on files with the defect and on none without. Small model folders are assembled in
 * memory from the corpus files in test/fixtures/tokenizer (TinyLlama tokenizer.json/.model, its chat template and
 * special_tokens_map, the DeepSeek-R1-Distill tokenizer_config, the Llama-3 template), with one field changed.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { memoryFileAccess } from '../../src/core/files';
import { loadTokenizer, readTokenizerSources } from '../../src/core/tokenizer';
import { checkTokenizer, trainingContextOf, type TokenizerProblem } from '../../src/core/tokenizer/checks';
import { renderChatWithMask } from '../../src/core/tokenizer/lossMask';
import { tokenizerQuickFix } from '../../src/core/tokenizer/quickFixes';
import { applyEdits } from 'jsonc-parser';

const DIR = join(__dirname, '..', 'fixtures', 'tokenizer');
const raw = (f: string): Buffer => readFileSync(join(DIR, f));
const text = (f: string): string => readFileSync(join(DIR, f), 'utf8');
const tinyJson = JSON.parse(text('tinyllama__bpe-bytefallback.tokenizer.json'));

/** A TinyLlama model folder; `patch` edits the parsed tokenizer.json, other files are given as-is. */
function tinyFolder(files: Record<string, string | object | Buffer> = {}, patchJson?: (j: any) => void): ReturnType<typeof memoryFileAccess> {
  const j = structuredClone(tinyJson);
  patchJson?.(j);
  const base: Record<string, string | Uint8Array> = {
    '/m/tokenizer.json': JSON.stringify(j),
    '/m/chat_template.jinja': text('tinyllama__chat_template.jinja'),
    '/m/special_tokens_map.json': text('tinyllama__special_tokens_map.json'),
  };
  for (const [k, v] of Object.entries(files)) {
    if (v === null) { delete base[`/m/${k}`]; continue; }
    base[`/m/${k}`] = typeof v === 'string' || v instanceof Uint8Array ? v : JSON.stringify(v);
  }
  return memoryFileAccess(base);
}
async function problemsOf(files: ReturnType<typeof memoryFileAccess>, training?: Parameters<typeof checkTokenizer>[0]['training']): Promise<TokenizerProblem[]> {
  const tok = await loadTokenizer(files, '/m');
  return checkTokenizer({ tokenizer: tok, sources: tok.sources, training });
}
const codes = (ps: TokenizerProblem[]): string[] => ps.map((p) => p.code).sort();
const fixedSpecials = { bos_token: '<s>', eos_token: '</s>', unk_token: '<unk>', pad_token: '<unk>' };
const stringMerges = (j: any): void => { j.model.merges = j.model.merges.map((m: string[]) => m.join(' ')); };

test('TinyLlama as shipped: pad == eos, merges as pairs, legacy space after </s>', async () => {
  const ps = await problemsOf(tinyFolder());
  assert.deepEqual(codes(ps), ['legacy-space-after-special', 'merges-as-pairs', 'pad-equals-eos']);
  const legacy = ps.find((p) => p.code === 'legacy-space-after-special')!;
  assert.match(legacy.message, /"<\/s> Hello"/);
});

test('a clean TinyLlama folder (dedicated pad, merges as strings, prepend_scheme first) has no problems', async () => {
  const ps = await problemsOf(tinyFolder({ 'special_tokens_map.json': fixedSpecials }, (j) => {
    stringMerges(j);
    // the non-legacy Llama tokenizer.json: Metaspace prepend_scheme "first" instead of Prepend+Replace
    j.normalizer = null;
    j.pre_tokenizer = { type: 'Metaspace', replacement: '\u2581', prepend_scheme: 'first', split: false };
  }));
  assert.deepEqual(codes(ps), []);
});

test('pad-equals-eos says what SFT does when a training config is known', async () => {
  const ps = await problemsOf(tinyFolder(), { chatSft: true, configPath: 'sft.yaml' });
  assert.match(ps.find((p) => p.code === 'pad-equals-eos')!.message, /sft\.yaml.*never learns to stop/);
});

test('pretraining / completion configs of each framework are not SFT, and pad-equals-eos says what that framework does', async () => {
  const ctx = (c: Record<string, unknown>) => trainingContextOf(c, 'run.yml');
  const pick = (c: Record<string, unknown>) => { const t = ctx(c); return [t.framework, t.pretraining, t.chatSft]; };
  // Axolotl: pretraining_dataset; datasets all of type completion / pretrain; a chat dataset stays SFT.
  assert.deepEqual(pick({ base_model: 'x', pretraining_dataset: [{ path: 'allenai/c4', type: 'pretrain' }] }), ['axolotl', true, false]);
  assert.deepEqual(pick({ base_model: 'x', datasets: [{ path: 'a', type: 'completion' }, { path: 'b', type: 'pretrain' }] }), ['axolotl', true, false]);
  assert.deepEqual(pick({ base_model: 'x', datasets: [{ path: 'a', type: 'completion' }, { path: 'b', type: 'chat_template' }] }), ['axolotl', false, true]);
  // LLaMA-Factory stage: pt (with a template) vs stage: sft.
  assert.deepEqual(pick({ stage: 'pt', template: 'qwen' }), ['llamafactory', true, false]);
  assert.deepEqual(pick({ stage: 'sft', template: 'qwen' }), ['llamafactory', false, true]);
  // TRL on a plain text field, without chat / assistant-only / completion-only settings.
  assert.deepEqual(pick({ dataset_name: 'stas/openwebtext-10k', dataset_text_field: 'text' }), ['trl', true, false]);
  assert.deepEqual(pick({ dataset_name: 'HuggingFaceH4/ultrachat_200k', assistant_only_loss: true, dataset_text_field: 'text' }), ['trl', false, true]);

  const message = async (c: Record<string, unknown>) => (await problemsOf(tinyFolder(), ctx(c))).find((p) => p.code === 'pad-equals-eos')!;
  const ax = await message({ base_model: 'x', pretraining_dataset: [{ path: 'allenai/c4' }] });
  assert.equal(ax.severity, 'info');
  assert.match(ax.message, /in Axolotl pretraining \/ completion training \(run\.yml\).*EOS stays a label/);
  assert.doesNotMatch(ax.message, /SFT \(|never learns to stop/);
  const lf = await message({ stage: 'pt', template: 'qwen' });
  assert.equal(lf.severity, 'warning');
  assert.match(lf.message, /in LLaMA-Factory pretraining \(stage: pt, run\.yml\).*DataCollatorForLanguageModeling/);
  const trl = await message({ dataset_name: 'd', dataset_text_field: 'text' });
  assert.equal(trl.severity, 'info');
  assert.match(trl.message, /in pretraining \/ completion training \(run\.yml\)/);
  assert.doesNotMatch(trl.message, /in SFT/);
  assert.match((await message({ stage: 'sft', template: 'qwen' })).message, /in SFT \(run\.yml\)/);
});

test('DeepSeek-R1-Distill tokenizer_config: template emits BOS while add_bos_token is true (static check, no vocab)', async () => {
  const files = memoryFileAccess({ '/d/tokenizer_config.json': raw('deepseek-r1-distill-qwen-32b__tokenizer_config.json') });
  await assert.rejects(loadTokenizer(files, '/d/tokenizer_config.json'), /no tokenizer vocabulary found/);
  const s = await readTokenizerSources(files, '/d/tokenizer_config.json');
  assert.deepEqual(codes(checkTokenizer({ sources: s.sources, chatTemplate: s.chatTemplate })), ['double-bos', 'pad-equals-eos']);
  const cfg = JSON.parse(text('deepseek-r1-distill-qwen-32b__tokenizer_config.json'));
  cfg.add_bos_token = false;
  cfg.pad_token = '<|PAD|>';
  const fixed = memoryFileAccess({ '/d/tokenizer_config.json': JSON.stringify(cfg) });
  const s2 = await readTokenizerSources(fixed, '/d/tokenizer_config.json');
  assert.deepEqual(codes(checkTokenizer({ sources: s2.sources, chatTemplate: s2.chatTemplate })), []);
});

test('double-bos on a loaded tokenizer: the Llama-3 template writes {{ bos_token }} and the post-processor adds <s>', async () => {
  const files = tinyFolder({ 'chat_template.jinja': text('chat-template__llama3.jinja'), 'special_tokens_map.json': fixedSpecials }, stringMerges);
  assert.ok(codes(await problemsOf(files)).includes('double-bos'));
  const noBos = tinyFolder({ 'chat_template.jinja': text('chat-template__llama3.jinja'), 'special_tokens_map.json': fixedSpecials }, (j) => { stringMerges(j); j.post_processor = null; });
  assert.ok(!codes(await problemsOf(noBos)).includes('double-bos'));
});

test('token-id-out-of-range: config.json vocab_size smaller than the tokenizer', async () => {
  const ps = await problemsOf(tinyFolder({ 'config.json': { vocab_size: 31990 } }));
  const p = ps.find((x) => x.code === 'token-id-out-of-range');
  assert.ok(p, 'fires');
  assert.equal(p!.severity, 'error');
  assert.match(p!.message, /device-side assert/);
  assert.ok(!codes(await problemsOf(tinyFolder({ 'config.json': { vocab_size: 32000 } }))).includes('token-id-out-of-range'));
  // an added token beyond the embedding
  const added = tinyFolder({ 'config.json': { vocab_size: 32000 } }, (j) => { j.added_tokens.push({ id: 32000, content: '<|im_end|>', single_word: false, lstrip: false, rstrip: false, normalized: false, special: true }); });
  assert.match((await problemsOf(added)).find((x) => x.code === 'token-id-out-of-range')!.message, /<\|im_end\|>=32000/);
});

test('eot-not-eos: a Llama-3 style template ends turns with <|eot_id|> but generation_config stops only at </s>', async () => {
  const addEot = (j: any): void => { stringMerges(j); j.added_tokens.push({ id: 32000, content: '<|eot_id|>', single_word: false, lstrip: false, rstrip: false, normalized: false, special: true }); };
  const tpl = text('chat-template__llama3.jinja');
  const bad = tinyFolder({ 'chat_template.jinja': tpl, 'generation_config.json': { eos_token_id: 2 } }, addEot);
  const p = (await problemsOf(bad)).find((x) => x.code === 'eot-not-eos');
  assert.ok(p, 'fires');
  assert.match(p!.message, /<\|eot_id\|> \(id 32000\)/);
  const good = tinyFolder({ 'chat_template.jinja': tpl, 'generation_config.json': { eos_token_id: [2, 32000] } }, addEot);
  assert.ok(!codes(await problemsOf(good)).includes('eot-not-eos'));
});

test('no-chat-template and assistant-mask-without-generation need a training config', async () => {
  const none = tinyFolder({ 'chat_template.jinja': null as any }, stringMerges);
  assert.ok(!codes(await problemsOf(none)).includes('no-chat-template'));
  assert.ok(codes(await problemsOf(none, { chatSft: true })).includes('no-chat-template'));
  const plain = tinyFolder({}, stringMerges);
  assert.ok(codes(await problemsOf(plain, { assistantOnlyLoss: true })).includes('assistant-mask-without-generation'));
  const gen = tinyFolder({ 'chat_template.jinja': text('tinyllama__chat_template.jinja').replace("'  + message['content'] + eos_token }}", "' }}{% generation %}{{ message['content'] + eos_token }}{% endgeneration %}") }, stringMerges);
  assert.ok(!codes(await problemsOf(gen, { assistantOnlyLoss: true })).includes('assistant-mask-without-generation'));
});

test('chat-template-error: a template that raises is reported, not thrown', async () => {
  const files = tinyFolder({ 'chat_template.jinja': text('chat-template__gemma3.jinja').replace('{{ bos_token }}', '{{ raise_exception("boom") }}') }, stringMerges);
  const ps = await problemsOf(files);
  assert.match(ps.find((p) => p.code === 'chat-template-error')!.message, /boom/);
});

test('loss mask: TRL assistant_only_loss trains exactly the {% generation %} span; none without blocks', async () => {
  const gen = tinyFolder({ 'chat_template.jinja': text('tinyllama__chat_template.jinja').replace("'  + message['content'] + eos_token }}", "' }}{% generation %}{{ message['content'] + eos_token }}{% endgeneration %}") }, stringMerges);
  const tok = await loadTokenizer(gen, '/m');
  const msgs = [{ role: 'user', content: 'What is 2+2?' }, { role: 'assistant', content: 'It is 4.' }];
  const m = renderChatWithMask(tok, msgs, { framework: 'trl', assistantOnlyLoss: true });
  const trained = m.ids.filter((_, i) => m.mask[i]);
  assert.equal(tok.decode(trained), 'It is 4.</s>');
  assert.equal(m.generationPrompt, '<|assistant|>\n'); // trim_blocks/lstrip_blocks as transformers renders
  const plain = await loadTokenizer(tinyFolder({}, stringMerges), '/m');
  const none = renderChatWithMask(plain, msgs, { framework: 'trl', assistantOnlyLoss: true });
  assert.equal(none.mask.filter((x) => x).length, 0);
  assert.match(none.notes[0], /no \{% generation %\} block/);
  // Axolotl default (train_on_inputs false, roles_to_train [assistant], train_on_eos turn): content + </s>
  const ax = renderChatWithMask(plain, msgs, { framework: 'axolotl' });
  assert.deepEqual(ax.tokens.filter((_, i) => ax.mask[i]), ['It', '▁is', '▁', '4', '.', '</s>']);
  // LLaMA-Factory: what the assistant turn adds after the generation prompt
  const lf = renderChatWithMask(plain, msgs, { framework: 'llamafactory' });
  assert.equal(plain.decode(lf.ids.filter((_, i) => lf.mask[i])).trim(), 'It is 4.</s>');
  // TRL default trains on every token
  assert.ok(renderChatWithMask(plain, msgs).mask.every((x) => x === 1));
});

test('quick fixes: legacy and add_bos_token set in tokenizer_config.json, the rest of the file kept; none when already set or not fixable', () => {
  const cfg = '{\n  "add_bos_token": true,\n  "bos_token": "<s>",\n  "chat_template": "{{ bos_token }}"\n}\n';
  const bos = tokenizerQuickFix('double-bos', cfg)!;
  assert.equal(applyEdits(cfg, bos.edits), '{\n  "add_bos_token": false,\n  "bos_token": "<s>",\n  "chat_template": "{{ bos_token }}"\n}\n');
  const legacy = tokenizerQuickFix('legacy-space-after-special', cfg)!;
  const fixed = applyEdits(cfg, legacy.edits);
  assert.deepEqual(JSON.parse(fixed), { add_bos_token: true, bos_token: '<s>', chat_template: '{{ bos_token }}', legacy: false });
  assert.ok(fixed.startsWith('{\n  "add_bos_token": true,\n  "bos_token": "<s>",\n'), fixed);
  assert.equal(tokenizerQuickFix('legacy-space-after-special', fixed), undefined);
  assert.equal(tokenizerQuickFix('pad-equals-eos', cfg), undefined);
  assert.equal(tokenizerQuickFix('double-bos', '[1, 2]'), undefined);
});
