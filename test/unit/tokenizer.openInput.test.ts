/**
 * tokenizer.open's second argument (TokenizerOpenInput): validation of what other views (or anyone) pass, dataset
 * rows turned into text and messages through the dataset formats registry, and a training config's loss-mask mode.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { inputFromRow, lossMaskModeOf, parseOpenInput } from '../../src/core/tokenizer/openInput';

test('parseOpenInput: object fields, aliases and bare values', () => {
  assert.deepEqual(parseOpenInput(undefined), { input: {}, errors: [] });
  assert.deepEqual(parseOpenInput('héllo'), { input: { text: 'héllo' }, errors: [] });
  const msgs = [{ role: 'user', content: 'Hi' }, { role: 'assistant', content: 'Hello' }];
  assert.deepEqual(parseOpenInput(msgs).input, { messages: msgs });
  assert.deepEqual(parseOpenInput({ chat: JSON.stringify(msgs) }).input, { messages: msgs });
  const r = parseOpenInput({ text: 't', datasetRow: { uri: 'file:///d/train.jsonl', index: 3 }, config: 'file:///d/sft.yaml', compareWith: 'file:///t/bert', extra: 1 });
  assert.deepEqual(r, { input: { text: 't', datasetRow: { uri: 'file:///d/train.jsonl', index: 3 }, config: 'file:///d/sft.yaml', compareWith: 'file:///t/bert' }, errors: [] });
});

test('parseOpenInput: invalid fields are dropped with a reason, the valid ones kept', () => {
  const r = parseOpenInput({ text: 42, messages: [{ content: 'no role' }], datasetRow: { uri: 'x', index: -1 }, config: '', compareWith: 7 });
  assert.deepEqual(r.input, {});
  assert.deepEqual(r.errors, [
    'text: not a string',
    'messages: every message needs a string "role"',
    'datasetRow: expected { uri: string, index: non-negative integer }',
    'config: expected a URI string',
    'compareWith: expected a URI string',
  ]);
  const bad = parseOpenInput({ messages: '[{"role":', text: 'kept' });
  assert.equal(bad.input.text, 'kept');
  assert.equal(bad.input.messages, undefined);
  assert.match(bad.errors[0], /^messages: not valid JSON/);
  assert.deepEqual(parseOpenInput(7).errors, ['input: expected an object, got number']);
});

test('inputFromRow: Alpaca, ShareGPT, OpenAI messages, plain text, unknown', () => {
  const alpaca = inputFromRow({ instruction: 'Add', input: '2+2', output: '4' });
  assert.equal(alpaca?.format, 'alpaca');
  assert.deepEqual(alpaca?.messages?.map((m) => m.role), ['user', 'assistant']);
  assert.equal(alpaca?.messages?.[1].content, '4');
  assert.match(alpaca!.text, /Add[\s\S]*2\+2[\s\S]*4/);

  const share = inputFromRow({ conversations: [{ from: 'human', value: 'Hi' }, { from: 'gpt', value: 'Hello!' }] });
  assert.deepEqual(share?.messages, [{ role: 'user', content: 'Hi' }, { role: 'assistant', content: 'Hello!' }]);

  const oai = inputFromRow({ messages: [{ role: 'system', content: 'S' }, { role: 'user', content: 'U' }, { role: 'assistant', content: 'A' }] });
  assert.deepEqual(oai?.messages?.map((m) => [m.role, m.content]), [['system', 'S'], ['user', 'U'], ['assistant', 'A']]);

  assert.deepEqual(inputFromRow({ text: 'plain pretraining text' }), { text: 'plain pretraining text', messages: undefined, format: 'text' });
  assert.deepEqual(inputFromRow('a bare string row'), { text: 'a bare string row' });
  assert.equal(inputFromRow({ foo: 1 }), undefined);
  assert.equal(inputFromRow([1, 2]), undefined);
});

test('lossMaskModeOf: each framework\'s keys', () => {
  assert.deepEqual(lossMaskModeOf({ model_name_or_path: 'm', assistant_only_loss: true, dataset_name: 'd' }), { framework: 'trl', assistantOnlyLoss: true, completionOnlyLoss: false });
  assert.deepEqual(lossMaskModeOf({ stage: 'sft', template: 'llama3', train_on_prompt: true }), { framework: 'llamafactory', trainOnPrompt: true });
  assert.deepEqual(lossMaskModeOf({ base_model: 'm', datasets: [{ path: 'x', type: 'chat_template', roles_to_train: ['assistant', 'tool'], train_on_eos: 'all' }] }),
    { framework: 'axolotl', trainOnInputs: false, rolesToTrain: ['assistant', 'tool'], trainOnEos: 'all' });
  assert.deepEqual(lossMaskModeOf({ base_model: 'm', train_on_inputs: true, train_on_eos: 'bogus' }), { framework: 'axolotl', trainOnInputs: true });
  assert.equal(lossMaskModeOf({ learning_rate: 1e-4 }), undefined);
});
