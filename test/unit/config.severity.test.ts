/**
 * Issue 15, "Severity that matches what the framework does": an unknown key is an error where the framework refuses
 * it and a warning where it ignores it; a value outside an enum the framework's validator checks is an error.
 * - HF Trainer / TRL: transformers hf_argparser.py `parse_yaml_file` -> `parse_dict(allow_extra_keys=False)` raises
 *   "Some keys are not used by the HfArgumentParser"; TrainingArguments.__post_init__ turns `eval_strategy` into
 *   `IntervalStrategy(...)` (ValueError for another value).
 * - LLaMA-Factory (both layouts): hparams/parser.py `_parse_args` -> `parser.parse_dict(args)` (allow_extra_keys
 *   False unless ALLOW_EXTRA_KEYS) raises the same error. `parse_dict` does not check values itself; the checks
 *   that stop the run are FinetuningArguments.__post_init__ (`assert self.finetuning_type in ["lora", "oft",
 *   "freeze", "full"], "Invalid fine-tuning method."`, finetuning_args.py:576 at v0.9.5) and train/tuner.py
 *   (`raise ValueError(f"Unknown task: {finetuning_args.stage}.")`, line 127).
 * - Axolotl: `AxolotlInputConfig` keeps pydantic's `extra="ignore"` (utils/schemas/config.py), so an unknown key
 *   is dropped: a warning, with or without `strict: true` (which only limits CLI overrides, cli/config.py); a
 *   `Literal`/`Enum` field rejects other values in `validate_config`.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { validateConfig, type Framework } from '../../src/core/config/index';

/** `[severity, line, code]` of the issues with `code` (0-based lines). */
function found(text: string, framework: Framework, code: string, fileName = '/w/train.yaml', detect = false): [string, number][] {
  const r = validateConfig(text, { fileName, ...(detect ? {} : { framework }) });
  assert.equal(r.framework, framework);
  return r.issues.filter((i) => i.code === code).map((i) => [i.severity, i.range.start.line]);
}

const HF = 'model_name_or_path: Qwen/Qwen2.5-0.5B\noutput_dir: out\nlearning_rate: 2.0e-5\n';
const TRL = 'model_name_or_path: Qwen/Qwen2.5-0.5B\noutput_dir: out\nnum_generations: 8\nbeta: 0.04\n';
const LF = 'model_name_or_path: Qwen/Qwen2.5-0.5B\nstage: sft\ndo_train: true\nfinetuning_type: lora\ndataset: alpaca_en_demo\ntemplate: qwen\noutput_dir: out\n';
const AX = 'base_model: Qwen/Qwen2.5-0.5B\ndatasets:\n  - path: tatsu-lab/alpaca\n    type: alpaca\nmicro_batch_size: 2\nnum_epochs: 1\nlearning_rate: 0.0002\noutput_dir: ./out\n';

test('HF Trainer: an unknown key is an error (HfArgumentParser refuses it), an invalid eval_strategy an error', () => {
  assert.deepEqual(found(`${HF}warmup_stepz: 10\n`, 'hf-trainer', 'unknown-key'), [['error', 3]]);
  assert.deepEqual(found(`${HF}eval_strategy: step\n`, 'hf-trainer', 'invalid-value'), [['error', 3]]);
  assert.deepEqual(found(`${HF}eval_strategy: steps\neval_steps: 10\n`, 'hf-trainer', 'unknown-key'), []);
});

test('TRL: an unknown key of a GRPO config is an error; the keys of GRPOConfig are not', () => {
  assert.deepEqual(found(`${TRL}num_genrations: 4\n`, 'hf-trainer', 'unknown-key', '/w/grpo.yaml'), [['error', 4]]);
  assert.deepEqual(found(TRL, 'hf-trainer', 'unknown-key', '/w/grpo.yaml'), []);
});

test('LLaMA-Factory: an unknown key is an error (both layouts), an invalid stage or finetuning_type an error', () => {
  assert.deepEqual(found(`${LF}lora_rnk: 8\n`, 'llamafactory', 'unknown-key'), [['error', 7]]);
  assert.deepEqual(found(LF.replace('finetuning_type: lora', 'finetuning_type: qlora'), 'llamafactory', 'invalid-value'), [['error', 3]]);
  assert.deepEqual(found(LF.replace('stage: sft', 'stage: sfft'), 'llamafactory', 'invalid-value'), [['error', 1]]);
  const v1 = 'model: Qwen/Qwen3-0.6B\nmodel_class: llm\ntrain_dataset: data/v1_sft_demo.yaml\nmicro_batch_size: 1\noutput_dir: out\nno_such_option: 1\n';
  assert.deepEqual(found(v1, 'llamafactory', 'unknown-key', '/w/train.yaml', true), [['error', 5]]); // v1 layout: detected
});

test('Axolotl: an unknown key is a warning (ignored), also with strict: true; an invalid Literal value an error', () => {
  assert.deepEqual(found(`${AX}lora_rr: 8\n`, 'axolotl', 'unknown-key'), [['warning', 8]]);
  assert.deepEqual(found(`${AX}strict: true\nlora_rr: 8\n`, 'axolotl', 'unknown-key'), [['warning', 9]]);
  // adapter: Literal['lora', 'qlora', 'llama-adapter'] | None (utils/schemas/peft.py LoraConfig).
  assert.deepEqual(found(`${AX}adapter: qlora4\n`, 'axolotl', 'invalid-value'), [['error', 8]]);
  assert.deepEqual(found(`${AX}adapter: qlora\nload_in_4bit: true\n`, 'axolotl', 'invalid-value'), []);
});

/** [code, severity, 0-based line, message] of every issue, and the preferred fix's edits as [line, char, newText]. */
function all(text: string, framework: Framework): [string, string, number, string][] {
  return validateConfig(text, { fileName: '/w/train.yaml', framework }).issues.map((i) => [i.code, i.severity, i.range.start.line, i.message]);
}

test('HF/TRL and LLaMA-Factory: an int 0/1 for a bool field is a warning (HfArgumentParser.parse_dict checks no types), with a fix to true/false', () => {
  // transformers hf_argparser.py:380 (5.18.0) `obj = dtype(**inputs)`: the int reaches the dataclass and Python truthiness reads it.
  const say = (k: string, v: number) => `\`${k}\` is declared bool but set to the int ${v}. HfArgumentParser does not check types (it passes the value to the dataclass as it is), so the run works: Python reads ${v} as ${v ? 'True' : 'False'}. Write \`${v ? 'true' : 'false'}\`.`;
  assert.deepEqual(all(HF + 'logging_first_step: 1\nremove_unused_columns: 0\n', 'hf-trainer'), [
    ['bool-as-int', 'warning', 3, say('logging_first_step', 1)],
    ['bool-as-int', 'warning', 4, say('remove_unused_columns', 0)],
  ]);
  assert.deepEqual(all(LF + 'logging_first_step: 1\n', 'llamafactory'), [['bool-as-int', 'warning', 7, say('logging_first_step', 1)]]);
  const fix = validateConfig(HF + 'remove_unused_columns: 0\n', { fileName: '/w/train.yaml', framework: 'hf-trainer' }).issues[0].fixes!.find((f) => f.isPreferred)!;
  assert.deepEqual([fix.title, fix.edits.map((e) => [e.range.start.line, e.range.start.character, e.range.end.character, e.newText])], ['Write false', [[3, 23, 24, 'false']]]);
  // Where the framework really fails, errors stay: a quoted number (arithmetic on a str), another int for a bool, an enum __post_init__ refuses.
  assert.deepEqual(all(HF + 'num_train_epochs: "3"\nlogging_first_step: 2\nlr_scheduler_type: cosinee\n', 'hf-trainer').map(([c, s, l]) => [c, s, l]), [
    ['wrong-type', 'error', 3], ['wrong-type', 'error', 4], ['invalid-value', 'error', 5],
  ]);
});
