import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { joinDashValues, parseWithHost } from '../../src/cli/hostArgs';

// Found by the differential tokenizer check on the GPU box: `llmtrain tokenize F --text "-8..."` was refused by
// node's parseArgs as an ambiguous option argument, although the user clearly meant the text.
test('a string option takes the next argument even when it starts with "-"', () => {
  const opts = { text: { type: 'string' as const }, check: { type: 'boolean' as const } };
  assert.deepEqual(joinDashValues(['tok.json', '--text', '-8 apples', '--check'], opts), ['tok.json', '--text=-8 apples', '--check']);
  assert.equal(parseWithHost(['tok.json', '--text', '--x--'], opts).values.text, '--x--');
  // booleans never take a value; after `--` nothing is rewritten
  assert.deepEqual(joinDashValues(['--check', '-v', '--', '--text', '-1'], opts), ['--check', '-v', '--', '--text', '-1']);
});
