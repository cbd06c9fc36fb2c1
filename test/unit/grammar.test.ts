// Tokenizes real training-log lines (test/fixtures/grammar, origins in SOURCES.tsv) with the TextMate engine VS Code
// itself uses (vscode-textmate + the oniguruma WASM build) and asserts the scopes of the parts a reader looks for.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import * as oniguruma from 'vscode-oniguruma';
import * as vsctm from 'vscode-textmate';

const GRAMMAR_PATH = 'syntaxes/training-log.tmLanguage.json';
const FIXTURES = 'test/fixtures/grammar';
const SCOPE = 'text.log.training';

let grammar: vsctm.IGrammar;

before(async () => {
  const wasm = readFileSync(require.resolve('vscode-oniguruma/release/onig.wasm'));
  await oniguruma.loadWASM(wasm.buffer.slice(wasm.byteOffset, wasm.byteOffset + wasm.byteLength));
  const registry = new vsctm.Registry({
    onigLib: Promise.resolve({
      createOnigScanner: (patterns: string[]) => new oniguruma.OnigScanner(patterns),
      createOnigString: (s: string) => new oniguruma.OnigString(s),
    }),
    loadGrammar: async (scopeName: string) =>
      scopeName === SCOPE ? vsctm.parseRawGrammar(readFileSync(GRAMMAR_PATH, 'utf8'), GRAMMAR_PATH) : null,
  });
  const g = await registry.loadGrammar(SCOPE);
  assert.ok(g, 'grammar loads');
  grammar = g;
});

/** Lines as VS Code splits a document: on CRLF, LF and lone CR (tqdm redraws). */
function lines(text: string): string[] {
  return text.split(/\r\n|\r|\n/);
}

function fixtureLines(name: string): string[] {
  return lines(readFileSync(join(FIXTURES, name), 'utf8'));
}

function lineContaining(name: string, needle: string): string {
  const line = fixtureLines(name).find((l) => l.includes(needle));
  assert.ok(line !== undefined, `${name} has a line with ${JSON.stringify(needle)}`);
  return line;
}

/** The token that starts where `needle` first occurs in `line` at or after offset `from`: its text and scopes. */
function tokenAt(line: string, needle: string, from = 0): { text: string; scopes: string[] } {
  const at = line.indexOf(needle, from);
  assert.ok(at >= 0, `${JSON.stringify(needle)} occurs in ${JSON.stringify(line)} after ${from}`);
  const { tokens } = grammar.tokenizeLine(line, vsctm.INITIAL);
  const tok = tokens.find((t) => t.startIndex <= at && at < t.endIndex);
  assert.ok(tok, `a token covers offset ${at}`);
  return { text: line.slice(tok.startIndex, tok.endIndex), scopes: tok.scopes };
}

/** Asserts that `needle` (its first occurrence after `after`, if given) is exactly one token and that one of its
 * scopes starts with `scope`. */
function assertScope(line: string, needle: string, scope: string, after?: string): void {
  const tok = tokenAt(line, needle, after === undefined ? 0 : line.indexOf(after) + after.length);
  assert.equal(tok.text, needle, `token text for ${JSON.stringify(needle)} in ${JSON.stringify(line)}`);
  assert.ok(tok.scopes.some((s) => s.startsWith(scope)), `${JSON.stringify(needle)} has ${scope}, got ${tok.scopes.join(' ')}`);
}

function assertNotScope(line: string, needle: string, scope: string): void {
  const tok = tokenAt(line, needle);
  assert.ok(!tok.scopes.some((s) => s.startsWith(scope)), `${JSON.stringify(needle)} must not have ${scope}, got ${tok.scopes.join(' ')}`);
}

test('HF Trainer dicts: the loss value is a loss number, other values plain numbers', () => {
  const line = lineContaining('hf-trainer__gemma2b-tpu-lora-dicts-trailing-spaces.log', "'grad_norm': 7.0625");
  assertScope(line, '2.0439', 'constant.numeric.loss.training-log');
  assertScope(line, 'loss', 'keyword.other.metric.loss.training-log');
  assertScope(line, '7.0625', 'constant.numeric.training-log');
  assertNotScope(line, '7.0625', 'constant.numeric.loss');
  assertScope(line, 'grad_norm', 'variable.other.metric.training-log');
  assertScope(line, '9.705882352941176e-05', 'constant.numeric.training-log');
  assertScope(line, '0.68', 'constant.numeric.training-log');
});

test('tiny-gpt output: train, eval and summary dicts, and the tqdm bar split on carriage returns', () => {
  const all = fixtureLines('tiny-gpt__train-output.log');
  const train = all.find((l) => l.startsWith("{'loss'"))!;
  const value = /'loss': ([\d.]+)/.exec(train)![1];
  assertScope(train, value, 'constant.numeric.loss.training-log');
  const evalLine = all.find((l) => l.startsWith("{'eval_loss'"))!;
  assertScope(evalLine, /'eval_loss': ([\d.]+)/.exec(evalLine)![1], 'constant.numeric.loss.training-log');
  assertScope(evalLine, 'eval_loss', 'keyword.other.metric.loss.training-log');
  const summary = all.find((l) => l.startsWith("{'train_runtime'"))!;
  assertScope(summary, /'train_loss': ([\d.]+)/.exec(summary)![1], 'constant.numeric.loss.training-log');
  const bars = all.filter((l) => /^\s*\d+%\|[^|]*\| \d+\/\d+ \[/.test(l));
  assert.ok(bars.length >= 3, 'carriage-return redraws become lines of their own');
  for (const bar of bars) {
    const m = /(\d+)%\|[^|]*\| (\d+)\/(\d+) \[/.exec(bar)!;
    assertScope(bar, `${m[1]}%`, 'constant.numeric.percentage.training-log');
    assertScope(bar, m[2], 'constant.numeric.step.training-log', '| ');
    assertScope(bar, m[3], 'constant.numeric.step.total.training-log', '/');
  }
});

test('NaN and Inf values are invalid, wherever they appear', () => {
  const nano = lineContaining('nanogpt__nan-after-iter-3000-fp16-v100.log', 'iter 3010: loss nan');
  assertScope(nano, 'nan', 'invalid.illegal.nan.training-log');
  assertScope(nano, '3010', 'constant.numeric.step.training-log');
  assertScope(nano, '2023-03-22 09:32:52', 'comment.other.timestamp.training-log');
  assertScope(nano, '1019.95', 'constant.numeric.training-log');

  const xt = lineContaining('xtuner__mmengine-grad-norm-nan.log', '[240/735]');
  assertScope(xt, 'nan', 'invalid.illegal.nan.training-log');
  assertScope(xt, '2.5128', 'constant.numeric.loss.training-log');
  assertScope(xt, '240', 'constant.numeric.step.training-log');
  assertScope(xt, '735', 'constant.numeric.step.total.training-log');
  assertScope(xt, '10/30 22:19:57', 'comment.other.timestamp.training-log');
  assertScope(xt, 'INFO', 'markup.inserted.info.training-log');

  const mega = lineContaining('megatron-llm__bad-grad-norm-warning-skipped.log', 'grad_norm=nan');
  assertScope(mega, 'nan', 'invalid.illegal.nan.training-log');
  assertScope(mega, 'WARNING', 'markup.deleted.warning.training-log');

  for (const line of ["{'loss': inf, 'grad_norm': -inf}", 'loss: NaN', 'val loss Infinity']) {
    const tok = line.match(/-?inf|NaN|Infinity/)![0];
    assertScope(line, tok, 'invalid.illegal');
  }
  // words that merely contain the letters stay plain
  assertNotScope('INFO nano info: banana', 'nano', 'invalid');
  assertNotScope('INFO nano info: banana', 'banana', 'invalid');
});

test('Megatron iteration lines: step counter, lm loss, fields', () => {
  const line = lineContaining('megatron-llm__llama-steady-gbs1024.log', 'iteration      123/');
  assertScope(line, 'iteration', 'keyword.other.step.training-log');
  assertScope(line, '123', 'constant.numeric.step.training-log');
  assertScope(line, '250000', 'constant.numeric.step.total.training-log');
  assertScope(line, '2.493043E+00', 'constant.numeric.loss.training-log');
  assertScope(line, 'lm loss', 'keyword.other.metric.loss.training-log');
  assertScope(line, '9.225E-06', 'constant.numeric.training-log');
  assertScope(line, 'elapsed time per iteration (ms)', 'variable.other.metric.training-log');
  assertScope(line, '87871.6', 'constant.numeric.training-log');
  // 'loss scale' is the fp16 loss scaler, not a loss; 'nan' inside a field name is not a NaN value
  assertScope(line, 'loss scale', 'variable.other.metric.training-log');
  assertNotScope(line, 'loss scale', 'keyword.other.metric.loss');
  assertNotScope(line, 'number of nan iterations', 'invalid');
});

test('Python tracebacks behind rank prefixes: header, frames, exception line', () => {
  const f = 'torchtune__full-finetune-distributed-oom-rank-prefixed.log';
  const header = lineContaining(f, 'Traceback (most recent call last):');
  assertScope(header, '[rank3]:', 'entity.name.tag.rank.training-log');
  assertScope(header, 'Traceback (most recent call last):', 'invalid.illegal.traceback.header.training-log');
  const frame = lineContaining(f, '_parse.py", line 99');
  assertScope(frame, 'File', 'keyword.other.file.training-log');
  assertScope(frame, '/home/<user>/anaconda3/envs/recipe/lib/python3.12/site-packages/torchtune/config/_parse.py', 'string.quoted.double.path.training-log');
  assertScope(frame, '99', 'constant.numeric.line-number.training-log');
  assertScope(frame, 'wrapper', 'entity.name.function.training-log');
  const exc = lineContaining(f, 'torch.OutOfMemoryError');
  assertScope(exc, 'torch.OutOfMemoryError', 'invalid.illegal.exception.training-log');
  const msg = tokenAt(exc, 'CUDA out of memory');
  assert.ok(msg.scopes.includes('string.unquoted.exception-message.training-log'));
  assert.ok(msg.text.startsWith('CUDA out of memory. Tried to allocate 424.00 MiB'));

  const plain = 'Traceback (most recent call last):\n  File "train.py", line 12, in <module>\n    main()\nValueError: bad';
  const [h, fr, , ex] = lines(plain);
  assertScope(h, 'Traceback (most recent call last):', 'invalid.illegal.traceback');
  assertScope(fr, 'train.py', 'string.quoted.double.path');
  assertScope(fr, '12', 'constant.numeric.line-number');
  assertScope(ex, 'ValueError', 'invalid.illegal.exception');
  assertScope('KeyboardInterrupt', 'KeyboardInterrupt', 'invalid.illegal.exception');
});

test('tqdm bars, also when another record is glued to them', () => {
  const f = 'deepspeed__loss-scale-collapse-with-trainer-dict.log';
  const line = lineContaining(f, '378/2724');
  assertScope(line, '14%', 'constant.numeric.percentage.training-log');
  assertScope(line, '378', 'constant.numeric.step.training-log');
  assertScope(line, '2724', 'constant.numeric.step.total.training-log');
  assertScope(line, '132.44', 'constant.numeric.rate.training-log');
  assertScope(line, '13:58:09', 'constant.numeric.duration.training-log');
  assertScope(line, '2023-06-07 22:16:00,018', 'comment.other.timestamp.training-log');
  assertScope(line, 'INFO', 'markup.inserted.info.training-log');
  assertScope(line, 'OVERFLOW!', 'markup.deleted.warning.training-log');
  assertScope(line, 'loss_scaler.py:181:update_scale', 'entity.name.function.logger.training-log');
  const dict = lineContaining(f, "{'loss': 2.0491");
  assertScope(dict, '2.0491', 'constant.numeric.loss.training-log');

  const nemo = lineContaining('nemo-lightning__progress-bar-metrics-then-nccl-timeout.log', 'Epoch 0:');
  assertScope(nemo, '2.6', 'constant.numeric.loss.training-log');
  assertScope(nemo, '2.590', 'constant.numeric.loss.training-log');
  assertScope(nemo, 'reduced_train_loss', 'keyword.other.metric.loss.training-log');
  assertScope(nemo, '32040', 'constant.numeric.step.training-log');
  assertScope(nemo, '[E ProcessGroupNCCL.cpp:458]', 'invalid.illegal.error.training-log');
  assertScope(nemo, 'Watchdog caught collective operation timeout', 'invalid.illegal.error.training-log');
});

test('other trainers: torchtitan, lit-gpt, MetricLogger', () => {
  const titan = lineContaining('torchtitan__moe-all-ranks-duplicate-steps.log', 'step:  4');
  assertScope(titan, '4', 'constant.numeric.step.training-log', 'step:');
  assertScope(titan, '7.62585', 'constant.numeric.loss.training-log');
  assertScope(titan, '26.6250', 'constant.numeric.training-log');

  const lit = lineContaining('litgpt__codellama-full-ft-loss-spike.log', 'iter 1152 step 144');
  assertScope(lit, '1152', 'constant.numeric.step.training-log');
  assertScope(lit, '144', 'constant.numeric.step.training-log');
  assertScope(lit, '11.4630', 'constant.numeric.loss.training-log');

  const f = 'detection-metriclogger__loss-is-nan-stopping-training.log';
  const det = lineContaining(f, 'Epoch: [0]');
  assertScope(det, '15.3648', 'constant.numeric.loss.training-log');
  assertScope(det, 'loss_rcnn_cls_1st', 'keyword.other.metric.loss.training-log');
  assertScope(lineContaining(f, 'Loss is nan'), 'Loss is nan', 'invalid.illegal.error.training-log');
});

test('every fixture line tokenizes and leaves no rule open at the end of the line', () => {
  const files = readdirSync(FIXTURES).filter((n) => n.endsWith('.log'));
  assert.ok(files.length >= 10);
  let count = 0;
  for (const name of files) {
    for (const line of fixtureLines(name)) {
      const r = grammar.tokenizeLine(line, vsctm.INITIAL);
      assert.equal(r.stoppedEarly, false);
      assert.ok(r.ruleStack.equals(vsctm.INITIAL) || r.ruleStack.depth === 1, `${name}: state leaks past ${JSON.stringify(line.slice(0, 80))}`);
      assert.equal(r.tokens[r.tokens.length - 1].endIndex >= line.length, true);
      count++;
    }
  }
  assert.ok(count > 50);
});

test('package.json contributes the training-log language and this grammar, conservatively', () => {
  const pkg = JSON.parse(readFileSync('package.json', 'utf8'));
  const lang = pkg.contributes.languages.find((l: { id: string }) => l.id === 'training-log');
  assert.ok(lang, 'language training-log');
  assert.ok(lang.aliases.includes('Training Log'));
  assert.deepEqual(lang.filenames, ['output.log']);
  assert.ok(!(lang.extensions ?? []).includes('.log'), 'does not claim every *.log');
  const gr = pkg.contributes.grammars.find((g: { language: string }) => g.language === 'training-log');
  assert.equal(gr.scopeName, SCOPE);
  assert.equal(gr.path, './' + GRAMMAR_PATH);
  assert.equal(JSON.parse(readFileSync(GRAMMAR_PATH, 'utf8')).scopeName, SCOPE);
});
