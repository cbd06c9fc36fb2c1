import { test } from 'node:test';
import assert from 'node:assert/strict';
import { splitShellWords, ShellWordsError } from '../../src/core/runs/shellWords';
import { parseEnvAssignments, parseEnvList } from '../../src/core/runs/env';
import { COMMAND_TEMPLATES, guessTemplate } from '../../src/core/runs/templates';
import { describeRun, formatDuration, formatLoss, formatRate, gpuLabel } from '../../src/views/runs/format';
import { parseGpuQuery } from '../../src/core/runs/commands';

test('splits words on whitespace, keeps quotes literal, no expansion', () => {
  assert.deepEqual(splitShellWords('python  -u train.py --config cfg.yaml'), ['python', '-u', 'train.py', '--config', 'cfg.yaml']);
  assert.deepEqual(splitShellWords(`echo 'a b' "c d" e\\ f`), ['echo', 'a b', 'c d', 'e f']);
  assert.deepEqual(splitShellWords(`x '$HOME' "$HOME" ~ *.py`), ['x', '$HOME', '$HOME', '~', '*.py']);
  assert.deepEqual(splitShellWords(`"a\\"b\\\\c\\$d\\e"`), ['a"b\\c$d\\e']);
  assert.deepEqual(splitShellWords(`'' "" x`), ['', '', 'x']);
  assert.deepEqual(splitShellWords(`a'b'"c"d`), ['abcd']);
  assert.deepEqual(splitShellWords(`'it'\\''s'`), ["it's"]);
});

test('backslash-newline continues lines as in README snippets; comments are dropped', () => {
  const line = 'torchrun --nproc_per_node 8 \\\n  train.py \\\n  --config cfg.yaml # the 8B run\n';
  assert.deepEqual(splitShellWords(line), ['torchrun', '--nproc_per_node', '8', 'train.py', '--config', 'cfg.yaml']);
  assert.deepEqual(splitShellWords('a#b'), ['a#b']);
});

test('refuses unterminated quotes, trailing backslash and shell operators with the column', () => {
  assert.throws(() => splitShellWords(`echo 'abc`), (e: unknown) => e instanceof ShellWordsError && e.offset === 5);
  assert.throws(() => splitShellWords(`echo "abc`), (e: unknown) => e instanceof ShellWordsError && e.offset === 5);
  assert.throws(() => splitShellWords('echo \\'), ShellWordsError);
  for (const op of ['a | b', 'a; b', 'a && b', 'a > log', 'a < in', 'a &', 'echo `id`', 'echo $(id)']) {
    assert.throws(() => splitShellWords(op), /not supported/, op);
  }
  assert.deepEqual(splitShellWords(`a '|' ";" \\>`), ['a', '|', ';', '>']);
});

test('names the shell operator the user typed, not its first character', () => {
  const op = (line: string) => { try { splitShellWords(line); } catch (e) { return /operator '([^']+)'/.exec((e as Error).message)?.[1]; } return undefined; };
  assert.equal(op('python3 train.py && echo done'), '&&');
  assert.equal(op('a || b'), '||');
  assert.equal(op('a >> log'), '>>');
  assert.equal(op('a 2>&1'), '>&');
  assert.equal(op('a &> log'), '&>');
  assert.equal(op('a | tee log'), '|');
  assert.equal(op('a & b'), '&');
  assert.equal(op('a <<< word'), '<<<');
  assert.equal(op('echo $(id)'), '$(');
  assert.match((() => { try { splitShellWords('a && b'); } catch (e) { return (e as Error).message; } return ''; })(), /^shell operator '&&' is not supported.*\(at column 3\)$/);
});

test('env assignments', () => {
  assert.deepEqual(parseEnvAssignments('CUDA_VISIBLE_DEVICES=0,1\nWANDB_MODE="offline run" EMPTY='), { CUDA_VISIBLE_DEVICES: '0,1', WANDB_MODE: 'offline run', EMPTY: '' });
  assert.throws(() => parseEnvAssignments('1BAD=x'), /not NAME=value/);
  assert.throws(() => parseEnvAssignments('NOEQUALS'), /not NAME=value/);
});

test('templates build argv with the picked config', () => {
  const t = (id: string) => COMMAND_TEMPLATES.find((x) => x.id === id)!;
  assert.deepEqual(t('python').build({ config: 'my cfg.yaml' }), ['python3', '-u', 'train.py', '--config', 'my cfg.yaml']);
  assert.deepEqual(t('python').build({ config: 'c.yaml', python: '/opt/venv/bin/python', script: 'src/train.py' }), ['/opt/venv/bin/python', '-u', 'src/train.py', '--config', 'c.yaml']);
  assert.deepEqual(t('torchrun').build({ config: 'c.yaml', nproc: 8 }), ['torchrun', '--standalone', '--nproc_per_node', '8', 'train.py', '--config', 'c.yaml']);
  assert.deepEqual(t('torchtune').build({ config: 'c.yaml', recipe: 'full_finetune_distributed' }), ['tune', 'run', 'full_finetune_distributed', '--config', 'c.yaml']);
  assert.deepEqual(t('axolotl').build({ config: 'a.yml' }), ['axolotl', 'train', 'a.yml']);
  assert.equal(guessTemplate('ds_config.json'), 'deepspeed');
  assert.equal(guessTemplate('x.yaml', 'model:\n  _component_: torchtune.models.llama3_2.lora_llama3_2_1b\n'), 'torchtune');
  assert.equal(guessTemplate('x.yaml', 'base_model: m\ndatasets:\n  - path: d\n'), 'axolotl');
  assert.equal(guessTemplate('x.yaml', 'model_name_or_path: m\nstage: sft\n'), 'llamafactory');
  assert.equal(guessTemplate('x.yaml', 'lr: 1\n'), 'python');
});

test('run description: step/total, loss, rate, ETA', () => {
  assert.equal(describeRun({ progress: { step: 120, total: 500, rate: 3.1, rateUnit: 'it/s', etaSeconds: 130 }, loss: 1.23456 }), 'step 120/500 · loss 1.235 · 3.1 it/s · ETA 2:10');
  assert.equal(describeRun({ progress: { step: 100, total: 500, rate: 2 } }), 'step 100/500 · 2 it/s · ETA 3:20');
  assert.equal(describeRun({ progress: { step: 500, total: 500, rate: 2 }, loss: 0.5 }), 'step 500/500 · loss 0.5 · 2 it/s');
  assert.equal(describeRun({ loss: Number.NaN }), 'loss NaN');
  assert.equal(describeRun({}), '');
  assert.equal(formatDuration(3725), '1:02:05');
  assert.equal(formatDuration(59), '0:59');
  assert.equal(formatDuration(90061), '1d 1:01:01');
  assert.equal(formatLoss(0.000123), '1.23e-4');
  assert.equal(formatRate(0.25), '4 s/it');
  assert.equal(formatRate(1.1, 's/it'), '1.1 s/it');
  assert.equal(formatRate(0.5, 's/it'), '2 it/s');
  assert.equal(describeRun({ progress: { step: 100, total: 300, rate: 2, rateUnit: 's/it' } }), 'step 100/300 · 2 s/it · ETA 6:40');
  assert.equal(formatRate(1234.5, 'tok/s'), '1235 tok/s');
  assert.equal(formatRate(3.14159, 'it/s'), '3.1 it/s');
});

test('GPU line from nvidia-smi output (no GPU here: the CSV is what nvidia-smi prints on an 8x H100 node)', () => {
  const csv = Array.from({ length: 8 }, (_, i) => `${i}, NVIDIA H100 80GB HBM3, GPU-${i}, ${i < 4 ? 100 : 0}, ${i < 4 ? 71234 : 4}, 81559, 61, 523.40`).join('\n');
  assert.equal(gpuLabel({ gpus: parseGpuQuery({ stdout: csv, stderr: '', exitCode: 0 }) }), '8× NVIDIA H100 80GB HBM3 · 50% · 278.3/637 GiB');
  assert.equal(gpuLabel({ gpus: parseGpuQuery({ stdout: '', stderr: 'sh: nvidia-smi: not found', exitCode: 127 }) }), 'no GPUs');
  assert.equal(gpuLabel({}), 'GPUs: …');
  assert.equal(gpuLabel({ error: 'connection lost' }), 'GPUs: connection lost');
});

test('one env-assignment parser: names a shell can assign, values kept whole, the bad entry named', () => {
  assert.deepEqual(parseEnvList(['A=1', 'B=x=y', 'C=', 'A=2']), { A: '2', B: 'x=y', C: '' });
  assert.throws(() => parseEnvList(['=1']), /"=1" is not NAME=value: empty name/);
  assert.throws(() => parseEnvList(['A;touch x=1']), /"A;touch x=1" is not NAME=value: "A;touch x" is not a variable name/);
  assert.throws(() => parseEnvList(['PATH']), /"PATH" is not NAME=value: no "="/);
  assert.throws(() => parseEnvAssignments('X="unterminated'), /unterminated double quote/);
});
