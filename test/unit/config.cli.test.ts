/** `llmtrain validate`: same engine, real files in a temp dir, exit codes, text and JSON output. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync, mkdirSync, rmSync, copyFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { runValidate } from '../../src/cli/validate';
import type { CliIssue } from '../../src/cli/validate';

const FIX = join(__dirname, '..', 'fixtures', 'configs');

async function run(args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '', err = '';
  const code = await runValidate(args, (s) => { out += s; }, (s) => { err += s; });
  return { code, out, err };
}

function tmp(): string { return mkdtempSync(join(tmpdir(), 'llmtrain-validate-')); }

test('clean corpus configs: exit 0, warnings printed as file:line:col', async () => {
  const r = await run([join(FIX, 'axolotl__llama3-lora-1b.yml'), join(FIX, 'hf-trainingargs__alignment-handbook-zephyr-7b-beta-sft-full.yaml')]);
  assert.equal(r.code, 0);
  assert.equal(r.out, `${join(FIX, 'hf-trainingargs__alignment-handbook-zephyr-7b-beta-sft-full.yaml')}:42:1: warning renamed-key: \`max_seq_length\` was renamed \`max_length\` in TRL 0.16 (SFTConfig; removed in TRL 0.20).\n`);
  assert.match(r.err, /2 file\(s\) checked: 0 error\(s\), 1 warning\(s\)/);
});

test('cross-file on disk: the YAML and the DeepSpeed JSON it names (relative to the YAML), --format json', async () => {
  const d = tmp();
  try {
    mkdirSync(join(d, 'ds'));
    copyFileSync(join(FIX, 'deepspeed__dsexamples-megatron-zero2.json'), join(d, 'ds', 'z2.json'));
    writeFileSync(join(d, 'train.yaml'), 'output_dir: out\nper_device_train_batch_size: 3\ngradient_accumulation_steps: 1\nnum_train_epochs: 1\nlr_scheduler_type: cosine\nfp16: true\ndeepspeed: ds/z2.json\n');
    const r = await run(['--format', 'json', join(d, 'train.yaml')]);
    assert.equal(r.code, 1);
    const issues = JSON.parse(r.out) as CliIssue[];
    // optimizer lr 0.00015 vs the HF default learning_rate 5e-5 (not set in the YAML; a warning: TRL config classes
    // have other defaults and which class parses this file is not known, issue 15), and train_batch_size 16
    // is not a multiple of 3 × 1; gradient_clipping 1.0 equals the default max_grad_norm, GAS 1 equals 1.
    assert.deepEqual(issues.map((i) => [i.code, i.severity, i.line, i.column, i.endLine, i.endColumn, i.framework]), [
      ['ds-mismatch', 'warning', 7, 12, 7, 22, 'hf-trainer'], ['ds-batch-size', 'error', 7, 12, 7, 22, 'hf-trainer'],
    ]);
    assert.match(issues[0].message, /optimizer\.params\.lr` is 0\.00015 in ds\/z2\.json, but `learning_rate` is not set here, so the Trainer uses its default 0\.00005 from TrainingArguments \(a TRL config class/);
    assert.equal(issues[0].file, join(d, 'train.yaml'));
    assert.deepEqual(Object.keys(issues[0]).sort(), ['code', 'column', 'endColumn', 'endLine', 'file', 'framework', 'line', 'message', 'severity']);
  } finally { rmSync(d, { recursive: true, force: true }); }
});

test('missing file, a directory, --framework override, usage errors', async () => {
  const d = tmp();
  try {
    const r = await run(['--format=json', join(d, 'nope.yaml'), d]);
    assert.equal(r.code, 1);
    assert.deepEqual((JSON.parse(r.out) as CliIssue[]).map((i) => i.code), ['file-not-found', 'file-not-found']);
    writeFileSync(join(d, 'x.yaml'), 'batch_size: 4\noptimizer_in_bwd: true\ngradient_accumulation_steps: 4\n');
    const plain = await run([join(d, 'x.yaml')]);
    assert.equal(plain.code, 0);
    assert.equal(plain.out, '');
    const tt = await run(['--framework', 'torchtune', join(d, 'x.yaml')]);
    assert.equal(tt.code, 1);
    assert.match(tt.out, /x\.yaml:3:30: error optimizer-in-bwd-gas: /);
    assert.equal((await run([])).code, 2);
    assert.equal((await run(['--framework', 'keras', 'x.yaml'])).code, 2);
    assert.equal((await run(['--format', 'xml', 'x.yaml'])).code, 2);
    assert.equal((await run(['--bogus', 'x.yaml'])).code, 2);
  } finally { rmSync(d, { recursive: true, force: true }); }
});

test('the llmtrain entry point runs validate and sets the exit status', () => {
  const d = tmp();
  try {
    writeFileSync(join(d, 'ds_config.json'), '{"train_batch_size": 10, "train_micro_batch_size_per_gpu": 4, "gradient_accumulation_steps": 1}');
    const r = spawnSync(process.execPath, ['--import', 'tsx', join(__dirname, '..', '..', 'src', 'cli', 'main.ts'), 'validate', '--format', 'json', join(d, 'ds_config.json')], { encoding: 'utf8' });
    assert.equal(r.status, 1, r.stderr);
    const issues = JSON.parse(r.stdout) as CliIssue[];
    assert.deepEqual(issues.map((i) => `${i.code}:${i.line}:${i.column}`), ['ds-batch-size:1:22']);
  } finally { rmSync(d, { recursive: true, force: true }); }
});

// Issue 15: binary and oversized files fail the CLI (exit 1) the same way, the size given as on disk.
test('binary and oversized files: exit 1, one error each, the real size', async () => {
  const dir = tmp();
  try {
    writeFileSync(join(dir, 'model.yaml'), Buffer.from([0x50, 0x4b, 0x03, 0x04, 0x00, 0x00, 0xff, 0x10, 0x00]));
    writeFileSync(join(dir, 'huge.yaml'), 'a: ' + 'x'.repeat(3 * 1024 * 1024) + '\n');
    const b = await run([join(dir, 'model.yaml')]);
    assert.equal(b.code, 1);
    assert.match(b.out, /model\.yaml:1:1: error binary:/);
    const h = await run([join(dir, 'huge.yaml'), '--format', 'json']);
    assert.equal(h.code, 1);
    const issues = JSON.parse(h.out) as CliIssue[];
    assert.deepEqual(issues.map((i) => `${i.severity}:${i.code}`), ['error:too-large']);
    assert.match(issues[0].message, /huge\.yaml is 3\.15 MB; configs over 2\.10 MB are not validated/);
  } finally { rmSync(dir, { recursive: true, force: true }); }
});

// Issue 15: a relative reference missing from the config's folder upwards is a warning (exit 0) unless the launch
// directory is given, where it is an error (exit 1) naming that directory.
test('--launch-dir: a missing relative DeepSpeed file is an error there, a warning without it', async () => {
  const dir = tmp();
  try {
    writeFileSync(join(dir, 'train.yaml'), 'model_name_or_path: m\noutput_dir: out\nper_device_train_batch_size: 1\nnum_train_epochs: 1\ndeepspeed: ds/zero2.json\n');
    const w = await run([join(dir, 'train.yaml'), '--format', 'json']);
    assert.equal(w.code, 0);
    assert.deepEqual((JSON.parse(w.out) as CliIssue[]).filter((i) => i.code === 'missing-reference').map((i) => i.severity), ['warning']);
    const e = await run([join(dir, 'train.yaml'), '--launch-dir', dir, '--format', 'json']);
    assert.equal(e.code, 1);
    const m = (JSON.parse(e.out) as CliIssue[]).filter((i) => i.code === 'missing-reference');
    assert.deepEqual(m.map((i) => i.severity), ['error']);
    assert.match(m[0].message, /not in the launch directory/);
    mkdirSync(join(dir, 'ds'));
    writeFileSync(join(dir, 'ds', 'zero2.json'), '{"zero_optimization": {"stage": 2}, "train_micro_batch_size_per_gpu": "auto"}\n');
    assert.equal((await run([join(dir, 'train.yaml'), '--launch-dir', dir])).code, 0);
  } finally { rmSync(dir, { recursive: true, force: true }); }
});

// Issue 15, version awareness: the TRL version comes from the project's requirements.txt, and --version overrides it.
test('--version and requirements.txt: the TRL version decides SFTConfig\'s bf16 default', async () => {
  const d = tmp();
  try {
    mkdirSync(join(d, 'cfg'));
    writeFileSync(join(d, 'requirements.txt'), 'trl==0.15.2\ntorch>=2.4\n');
    // No max_length: SFTConfig has it from TRL 0.16 only (0.15.2 would refuse it: key-version, config.versionAware.test.ts).
    writeFileSync(join(d, 'cfg', 'sft.yaml'), 'model_name_or_path: m\noutput_dir: out\npacking: true\ndeepspeed: ds.json\n');
    writeFileSync(join(d, 'cfg', 'ds.json'), '{ "bf16": { "enabled": true }, "zero_optimization": { "stage": 2 } }\n');
    // TRL 0.15.2 (from requirements.txt, one folder up): bf16 defaults to False, DeepSpeed enables it.
    const old = await run(['--format', 'json', join(d, 'cfg', 'sft.yaml')]);
    assert.equal(old.code, 1);
    assert.deepEqual((JSON.parse(old.out) as CliIssue[]).map((i) => [i.code, i.severity, i.line, i.column, i.endColumn]), [['ds-mismatch', 'error', 4, 12, 19]]);
    // TRL 0.24.0 (--version): bf16 defaults to True unless fp16 is set, as in the JSON.
    const cur = await run(['--version', 'trl=0.24.0', join(d, 'cfg', 'sft.yaml')]);
    assert.equal(cur.code, 0);
    // No finding; only the line that says which TRL table the checks assumed (issue 15: 0.24.0 predates them all).
    assert.equal(cur.out, `${join(d, 'cfg', 'sft.yaml')}: checked with TRL 1.7.1 (f279c234): the run's 0.24.0 is older than every key table (the oldest is used)\n`);
    const bad = await run(['--version', 'trl', join(d, 'cfg', 'sft.yaml')]);
    assert.equal(bad.code, 2);
    assert.match(bad.err, /--version needs NAME=X\.Y \(e\.g\. trl=0\.19\.1\), got trl/);
  } finally { rmSync(d, { recursive: true, force: true }); }
});

test('the DeepSpeed JSON a config names is validated too, once, under its own path, and counts in the exit status', async () => {
  const d = tmp();
  const cwd = process.cwd();
  try {
    mkdirSync(join(d, '.git'));
    mkdirSync(join(d, 'cfg'));
    // cfg/train.yaml names ds.json, found in the folder above (as the rules look it up); ax.yaml and acc.yaml name it too.
    writeFileSync(join(d, 'cfg', 'train.yaml'), 'model_name_or_path: Qwen/Qwen2.5-0.5B\noutput_dir: out\nper_device_train_batch_size: 2\ndeepspeed: ds.json\n');
    writeFileSync(join(d, 'ax.yaml'), 'base_model: Qwen/Qwen2.5-0.5B\ndatasets:\n  - path: tatsu-lab/alpaca\n    type: alpaca\nmicro_batch_size: 2\ngradient_accumulation_steps: 1\nnum_epochs: 1\nlearning_rate: 0.0002\noutput_dir: ./out\ndeepspeed: ds.json\n');
    writeFileSync(join(d, 'lf.yaml'), 'model_name_or_path: Qwen/Qwen2.5-0.5B\nstage: sft\ndo_train: true\nfinetuning_type: lora\ndataset: alpaca_en_demo\ntemplate: qwen\noutput_dir: out\ndeepspeed: ds.json\n');
    writeFileSync(join(d, 'acc.yaml'), 'compute_environment: LOCAL_MACHINE\ndistributed_type: DEEPSPEED\ndeepspeed_config:\n  deepspeed_config_file: ds.json\nnum_processes: 2\n');
    writeFileSync(join(d, 'ds.json'), '{\n  "zero_optimization": {"stage": 7, "overlap_com": true},\n  "bogus_key": 1\n}\n');
    const ds = join(d, 'ds.json');
    const dsIssues = (file: string) => [
      [file, 'deepspeed', 'error', 'out-of-range', 2, 34, '`stage` must be int (>= 0, <= 3); got int 7.'],
      [file, 'deepspeed', 'error', 'unknown-key', 2, 37, 'Unknown key `overlap_com` in zero_optimization. Did you mean `overlap_comm`? DeepSpeed 0.19.5, 0.18.9, 0.17.6 rejects unknown keys here: DeepSpeedZeroConfig is a pydantic model with extra="forbid" (deepspeed/runtime/config_utils.py:110), so the run fails at startup.'],
      [file, 'deepspeed', 'warning', 'unknown-key', 3, 3, 'Unknown key `bogus_key` in DeepSpeed config. DeepSpeed ignores unknown top-level keys silently, so this setting has no effect.'],
    ];
    const rows = (out: string) => (JSON.parse(out) as CliIssue[]).filter((i) => i.code !== 'detection-unsure').map((i) => [i.file, i.framework, i.severity, i.code, i.line, i.column, i.message]);
    for (const cfg of [join(d, 'cfg', 'train.yaml'), join(d, 'ax.yaml'), join(d, 'lf.yaml'), join(d, 'acc.yaml')]) {
      const r = await run(['--format', 'json', cfg]);
      assert.equal(r.code, 1, cfg);
      // The config itself is clean (beyond detection info); the JSON's findings follow under its own (absolute: outside the current directory) path.
      assert.deepEqual(rows(r.out), dsIssues(ds), cfg);
    }
    // Named by three configs given together, and also given itself: checked once, as given.
    const text = await run([join(d, 'cfg', 'train.yaml'), join(d, 'ax.yaml'), join(d, 'lf.yaml')]);
    assert.equal(text.code, 1);
    assert.equal(text.out.split('\n').filter((l) => l.startsWith(`${ds}:`)).length, 3);
    assert.equal(text.err, '4 file(s) checked (1 named by a config): 2 error(s), 1 warning(s)\n');
    const given = await run(['--format', 'json', 'ds.json', join(d, 'ax.yaml')].map((f) => (f === 'ds.json' ? ds : f)));
    assert.deepEqual(rows(given.out), dsIssues(ds));
    // Inside the current directory the label is relative, as a path given on the command line would be.
    process.chdir(d);
    const rel = await run(['--format', 'json', join('cfg', 'train.yaml')]);
    assert.deepEqual(rows(rel.out), dsIssues('ds.json'));
  } finally { process.chdir(cwd); rmSync(d, { recursive: true, force: true }); }
});
