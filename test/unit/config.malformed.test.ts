/** Malformed input never throws and never hangs: it becomes a clear diagnostic. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { validateConfig, validateConfigWithFiles, hoverAt, completeAt, detectFramework, referencedFiles } from '../../src/core/config/index';

const codes = (text: string, fileName: string) => validateConfig(text, { fileName }).issues.map((i) => `${i.code}@${i.range.start.line}:${i.range.start.character}`);
/** code@start-end (0-based line:character) of each issue, in order. */
const spans = (text: string, fileName: string) => validateConfig(text, { fileName }).issues.map((i) => `${i.code}@${i.range.start.line}:${i.range.start.character}-${i.range.end.line}:${i.range.end.character}`);

test('invalid YAML: a syntax diagnostic at the bad line', () => {
  const r = validateConfig('base_model: x\nmicro_batch_size: [1, 2\nnum_epochs: 1\n', { fileName: 'a.yaml' });
  // The unclosed `[` swallows the next line; the error is where PyYAML reports it ("expected ',' or ']', but got
  // '<scalar>'" at line 3 column 1), and the half-read list is not an int.
  assert.deepEqual(spans('base_model: x\nmicro_batch_size: [1, 2\nnum_epochs: 1\n', 'a.yaml'), ['wrong-type@1:18-2:0', 'syntax@2:0-2:1']);
  const syn = r.issues.filter((i) => i.code === 'syntax');
  assert.equal(syn[0].severity, 'error');
  assert.match(syn[0].message, /^YAML syntax: Flow sequence in block collection must be sufficiently indented and end with a \]/);
  // While the file does not parse, cross-field rules stay quiet (they would judge a half-read tree).
  assert.ok(!r.issues.some((i) => i.code === 'batch-size-fields'));
});

test('bad indentation in YAML is a syntax error, not an exception', () => {
  const text = 'output_dir: out\n  per_device_train_batch_size: 4\n learning_rate: 1\n';
  // Each over-indented key reads as a mapping nested in the previous value (what PyYAML reports as "mapping values
  // are not allowed here"): marked at the value it would nest in, and the key line that continues it.
  assert.deepEqual(spans(text, 'a.yaml'), ['syntax@0:12-0:13', 'syntax@0:12-1:29', 'syntax@1:31-1:32', 'syntax@1:31-2:14']);
  const r = validateConfig(text, { fileName: 'a.yaml' });
  assert.deepEqual(r.issues.map((i) => i.message), [
    'YAML syntax: Nested mappings are not allowed in compact mappings', 'YAML syntax: Implicit keys need to be on a single line',
    'YAML syntax: Nested mappings are not allowed in compact mappings', 'YAML syntax: Implicit keys need to be on a single line',
  ]);
});

test('invalid JSON: position of the first error, with a hint for trailing commas and comments', () => {
  const r = validateConfig('{\n  "train_batch_size": 8,\n  // comment\n  "fp16": {"enabled": true},\n}\n', { fileName: 'ds_config.json' });
  // The comment (line 2, its 10 characters) and the trailing comma (reported at the closing brace, line 4, once:
  // the parser gives two codes there).
  assert.deepEqual(r.issues.map((i) => `${i.code}@${i.range.start.line}:${i.range.start.character}-${i.range.end.line}:${i.range.end.character}`), ['syntax@2:2-2:12', 'syntax@4:0-4:1']);
  assert.match(r.issues[0].message, /^JSON syntax: InvalidCommentToken \(comments are not JSON/);
  assert.match(r.issues[1].message, /^JSON syntax: PropertyNameExpected \(a trailing comma\?/);
});

test('JSON with a UTF-8 byte-order mark: one error that names it (Python\'s json refuses it), the rest still checked', () => {
  const r = validateConfig('\ufeff{\n  "train_batch_size": "eight"\n}\n', { fileName: 'ds_config.json' });
  assert.deepEqual(r.issues.map((i) => `${i.severity} ${i.code}@${i.range.start.line}:${i.range.start.character}`), ['error syntax@0:0', 'error wrong-type@1:22']);
  assert.equal(r.issues[0].message, 'The file starts with a UTF-8 byte-order mark: Python\'s json module refuses it ("Unexpected UTF-8 BOM"); save the file without one.');
});

test('binary bytes: a `binary` diagnostic, nothing else', () => {
  const bin = String.fromCharCode(0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0x0d, 0x49, 0x48, 0x44, 0x52) + 'x'.repeat(100);
  assert.deepEqual(codes(bin, 'model.yaml'), ['binary@0:0']);
  assert.equal(detectFramework(bin, 'model.yaml').framework, 'unknown');
  assert.equal(hoverAt(bin, 3, { fileName: 'model.yaml' }), undefined);
  assert.deepEqual(completeAt(bin, 3, { fileName: 'model.yaml' }), []);
});

test('a 5 MB file: a clear `too-large` info, returned at once (no parse)', () => {
  const text = 'chat_template: |\n' + '  {% for message in messages %}{{ message.content }}{% endfor %}\n'.repeat(90000);
  assert.ok(text.length >= 5 * 1024 * 1024);
  const r = validateConfig(text, { fileName: 'big.yaml' });
  assert.deepEqual(r.issues.map((i) => [i.code, i.severity]), [['too-large', 'info']]);
  assert.match(r.issues[0].message, /MB/);
});

test('a 1.5 MB JSON file is validated in full', () => {
  const text = '{"train_batch_size": 8, "steps_per_print": 10, "zero_optimization": {"stage": 1}, "data": [' + Array.from({ length: 250000 }, (_, i) => i).join(',') + ']}';
  assert.ok(text.length > 1.4 * 1024 * 1024 && text.length < 2 * 1024 * 1024);
  const r = validateConfig(text, { fileName: 'ds_config.json' });
  assert.equal(r.framework, 'deepspeed');
  assert.deepEqual(r.issues.map((i) => i.code), ['unknown-key']);
});

test('10k-deep JSON nesting: `too-deep`, no stack overflow', () => {
  const text = '['.repeat(10000) + ']'.repeat(10000);
  assert.deepEqual(codes(text, 'x.json'), ['too-deep@0:0']);
});

test('10k-deep YAML flow nesting: one "nested too deeply", not a stack overflow shown as a syntax error (issue 15)', () => {
  const text = 'a: ' + '['.repeat(10000) + ']'.repeat(10000) + '\n';
  const r = validateConfig(text, { fileName: 'x.yaml' });
  assert.deepEqual(r.issues.map((i) => `${i.severity}:${i.code}`), ['error:too-deep']);
  assert.match(r.issues[0].message, /^Nested too deeply/);
  assert.doesNotMatch(r.issues[0].message, /call stack/);
});

// Issue 15: a 360-byte "billion laughs" YAML made validation grow to gigabytes and hang (the editor uses the same
// engine). yaml's maxAliasCount check rejects it before anything is expanded.
test('YAML alias bomb: one alias-bomb error, nothing expanded', () => {
  const bomb = 'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n' + 'bcdefghi'.split('').map((c, i) => `${c}: &${c} [${Array(9).fill('*' + 'abcdefghi'[i]).join(',')}]`).join('\n') + '\n';
  assert.ok(bomb.length < 400, `${bomb.length} bytes`);
  for (const fw of [undefined, 'axolotl', 'hf-trainer', 'torchtune'] as const) {
    const r = validateConfig(bomb, { fileName: 'bomb.yaml', framework: fw });
    assert.deepEqual(r.issues.map((i) => `${i.severity}:${i.code}`), ['error:alias-bomb'], String(fw));
  }
  // Ordinary aliases (a shared block used a few times) are not affected.
  const ok = validateConfig('base: &b {enabled: true}\nx: *b\ny: *b\n', { fileName: 'x.yaml' });
  assert.ok(!ok.issues.some((i) => i.code === 'alias-bomb'));
});

test('diagnostics per file are capped, with a summary line counting the rest', () => {
  const text = 'base_model: m\n' + Array.from({ length: 3000 }, (_, i) => `unknown_key_${i}: 1`).join('\n') + '\n';
  const r = validateConfig(text, { fileName: 'a.yml', framework: 'axolotl' });
  assert.equal(r.issues.length, 201);
  const last = r.issues[200];
  assert.equal(last.code, 'too-many-issues');
  assert.match(last.message, /^2\d{3} more issues \(\d+ errors?\) are not shown; only the first 200/);
  const n = Number(/^(\d+)/.exec(last.message)![1]);
  assert.ok(n >= 2800, `${n}`); // 3000 unknown keys + the batch-size rule, minus the 200 shown
});

test('a TSV (or other text) saved as .yaml: one "not a training config", not a screen of syntax errors', () => {
  const tsv = 'id\tname\tscore\n1\talpha: beta\t0.5\n2\tgamma\t1\n3\tdelta\t2\n';
  const r = validateConfig(tsv, { fileName: 'scores.yaml' });
  assert.deepEqual(r.issues.map((i) => i.code), ['not-a-config']);
  assert.match(r.issues[0].message, /^Not a training config: only 0 of 4 lines look like YAML keys or list items \(tab-separated text\)/);
  // TSV text that happens to parse (as one plain scalar) is no config either: no schema, no issue, said in the reason.
  const plain = validateConfig('step\tloss\n1\t2.5\n2\t2.1\n', { fileName: 'loss.yaml' });
  assert.deepEqual([plain.framework, plain.issues.length], ['unknown', 0]);
  // A real YAML config with one syntax error keeps its syntax diagnostic.
  assert.deepEqual(codes('base_model: x\nmicro_batch_size: [1, 2\nnum_epochs: 1\n', 'a.yaml'), ['wrong-type@1:18', 'syntax@2:0']);
});

test('10k-deep YAML block nesting: bounded', () => {
  let text = '';
  for (let i = 0; i < 2000; i++) text += ' '.repeat(i) + `k${i}:\n`;
  const r = validateConfig(text, { fileName: 'x.yaml' });
  // One too-deep error, nothing else: either the checker stops at level 200 (line 201), or, where the YAML parser runs
  // out of stack first (its depth depends on the stack size), at the line it gave up on. Never a stack overflow
  // shown as a syntax error.
  const deep = r.issues.filter((i) => i.code === 'too-deep');
  assert.equal(deep.length, 1);
  assert.equal(deep[0].severity, 'error');
  assert.ok(deep[0].range.start.line >= 201 && deep[0].range.start.line === deep[0].range.start.character, `line ${deep[0].range.start.line}`);
  assert.match(deep[0].message, /deeper than 200 levels|Nested too deeply/);
  assert.deepEqual(r.issues.filter((i) => /call stack/i.test(i.message)), []);
  assert.equal(hoverAt(text, text.length - 3, { fileName: 'x.yaml' }), undefined);
});

test('empty, whitespace-only and scalar documents', () => {
  assert.deepEqual(codes('', 'a.yaml'), []);
  assert.deepEqual(codes('   \n\n', 'a.yaml'), []);
  assert.deepEqual(codes('just a string\n', 'a.yaml'), []);
  assert.deepEqual(codes('', 'ds_config.json'), []);
  const list = validateConfig('- 1\n- 2\n', { fileName: 'a.yaml', framework: 'axolotl' }).issues;
  assert.deepEqual(list.map((i) => [i.code, i.severity, i.range.start.line, i.range.start.character, i.range.end.line, i.range.end.character]), [['not-a-mapping', 'error', 0, 0, 2, 0]]);
  assert.equal(list[0].message, 'A Axolotl config must be a mapping of keys to values at the top level.');
});

test('duplicate keys: the loader keeps the last one, so the first is flagged', () => {
  const r = validateConfig('base_model: x\nmicro_batch_size: 1\ngradient_accumulation_steps: 2\nmicro_batch_size: 4\n', { fileName: 'a.yaml' });
  assert.deepEqual(r.issues.map((i) => `${i.code}@${i.range.start.line}`), ['duplicate-key@1']);
});

test('duplicate keys under OmegaConf.load (LLaMA-Factory, torchtune) are an error at the repeat: its loader raises ConstructorError', () => {
  // omegaconf v2.3.0 omegaconf/_utils.py:144 (get_yaml_loader, OmegaConfLoader.construct_mapping): "found duplicate key <key>".
  const say = (k: string, first: number) => `\`${k}\` is already set on line ${first}. OmegaConf's YAML loader refuses duplicate keys: OmegaConf.load raises ConstructorError "found duplicate key ${k}" and the run stops before it starts. Keep one of them.`;
  const dup = (text: string, framework: 'llamafactory' | 'torchtune' | 'hf-trainer' | 'axolotl') => validateConfig(text, { fileName: '/w/a.yaml', framework }).issues
    .filter((i) => i.code === 'duplicate-key').map((i) => [i.severity, i.range.start.line, i.message, i.related!.map((x) => x.range.start.line)]);
  assert.deepEqual(dup('model_name_or_path: x\nstage: sft\nfinetuning_type: lora\nstage: sft\n', 'llamafactory'), [['error', 3, say('stage', 2), [1]]]);
  assert.deepEqual(dup('batch_size: 2\nepochs: 1\nbatch_size: 4\n', 'torchtune'), [['error', 2, say('batch_size', 1), [0]]]);
  // A key OmegaConf's check skips (not a str: the int 1): PyYAML keeps the last value, a warning as before.
  assert.deepEqual(dup('batch_size: 2\n1: a\n1: b\n', 'torchtune').map(([s, l]) => [s, l]), [['warning', 1]]);
  // LLaMA-Factory 0.9.3 read YAML with yaml.safe_load (hparams/parser.py:65), which keeps the last value: a warning with that version.
  const lf093 = validateConfig('model_name_or_path: x\nstage: sft\nfinetuning_type: lora\nstage: sft\n', { fileName: '/w/a.yaml', framework: 'llamafactory', versions: { llamafactory: '0.9.3' } }).issues;
  assert.deepEqual(lf093.filter((i) => i.code === 'duplicate-key').map((i) => [i.severity, i.range.start.line]), [['warning', 1]]);
  // PyYAML-loaded frameworks keep the warning (yaml.safe_load keeps the last value).
  const keepsLast = '`learning_rate` is set again on line 3; the loader keeps only the last value, so this one is silently ignored.';
  assert.deepEqual(dup('output_dir: o\nlearning_rate: 1.0e-5\nlearning_rate: 2.0e-5\n', 'hf-trainer'), [['warning', 1, keepsLast, [2]]]);
  assert.deepEqual(dup('base_model: x\nlearning_rate: 0.1\nlearning_rate: 0.2\n', 'axolotl'), [['warning', 1, keepsLast, [2]]]);
});

test('multi-document YAML and tabs give syntax diagnostics', () => {
  // The second document is marked from its `---` on, with words for the user (not the library's parseAllDocuments hint).
  assert.deepEqual(spans('a: 1\n---\nb: 2\n', 'a.yaml'), ['syntax@1:0-3:0']);
  assert.equal(validateConfig('a: 1\n---\nb: 2\n', { fileName: 'a.yaml' }).issues[0].message, 'YAML syntax: a second document starts here (`---`); a training config is one document (yaml.safe_load refuses several)');
  assert.deepEqual(spans('a:\n\t- 1\n', 'a.yaml'), ['syntax@1:0-1:1']);
  assert.equal(validateConfig('a:\n\t- 1\n', { fileName: 'a.yaml' }).issues[0].message, 'YAML syntax: Tabs are not allowed as indentation');
});

test('a referenced file that cannot be read (readFile rejects) is reported, not thrown', async () => {
  const r = await validateConfigWithFiles('output_dir: o\nper_device_train_batch_size: 1\nnum_train_epochs: 1\nlr_scheduler_type: linear\ndeepspeed: x.json\n', { fileName: '/a/b.yaml', readFile: async () => { throw new Error('EACCES'); } });
  assert.deepEqual(r.issues.map((i) => i.code), ['missing-reference']);
  assert.deepEqual(await referencedFiles('deepspeed: [1, 2]\noutput_dir: x\nper_device_train_batch_size: 1\nnum_train_epochs: 1\n', { fileName: 'a.yaml' }), []);
});

test('anchors, aliases and merge keys are read like PyYAML reads them (no false alarms)', () => {
  const text = 'base: &lr 2.0e-5\noutput_dir: o\nper_device_train_batch_size: 4\nnum_train_epochs: 1\nlr_scheduler_type: cosine\nlearning_rate: *lr\ngradient_checkpointing_kwargs: &gck\n  use_reentrant: false\n';
  const r = validateConfig(text, { fileName: 'train.yaml' });
  assert.deepEqual(r.issues.map((i) => i.code), ['unknown-key']); // only `base`, which is not a TrainingArguments key
  const ax = 'defaults: &d\n  micro_batch_size: 2\n  gradient_accumulation_steps: 4\nbase_model: x\n<<: *d\nsequence_len: 1024\n';
  const a = validateConfig(ax, { fileName: 'ax.yml', framework: 'axolotl' });
  // the merged micro_batch_size / gradient_accumulation_steps satisfy the batch-size rule
  assert.ok(!a.issues.some((i) => i.code === 'batch-size-fields'), JSON.stringify(a.issues.map((i) => i.code)));
  // An alias inside its own anchor is an infinite list to a loader: cut off as too deep at the alias, not a hang.
  const self = validateConfig('a: &x [1, *x]\n', { fileName: 'x.yaml' });
  assert.deepEqual(self.issues.map((i) => [i.code, i.range.start.line, i.range.start.character, i.range.end.character]), [['too-deep', 0, 6, 13]]);
});

test('a duplicate key in a DeepSpeed JSON: the message says which reader keeps the last value and which refuses the file', () => {
  const r = validateConfig('{\n  "train_batch_size": 8,\n  "train_batch_size": 16\n}\n', { fileName: 'ds_config.json', framework: 'deepspeed' }).issues.filter((i) => i.code === 'duplicate-key');
  assert.deepEqual(r.map((i) => [i.severity, i.range.start.line]), [['warning', 1]]);
  assert.equal(r[0].message, '`train_batch_size` is set again on line 3; the loader keeps only the last value, so this one is silently ignored (under the HF Trainer and Accelerate, which read it with json.load); DeepSpeed\'s own reader, a path given to deepspeed.initialize (DeepSpeedConfig, runtime/config.py: dict_raise_error_on_duplicate_keys), refuses the file.');
});
