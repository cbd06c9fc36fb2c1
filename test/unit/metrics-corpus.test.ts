// Every log of the corpus (copied into test/fixtures/logs, origins in SOURCES.tsv) parsed whole, with the format,
// series, counts and key values read off the file by hand, and the alerts its name describes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { AlertDetector, parseLog } from '../../src/core/metrics';
import type { Alert, MetricPoint } from '../../src/core/metrics';

const DIR = join(__dirname, '..', 'fixtures', 'logs');

interface Parsed { format: string; formats: readonly string[]; s: Map<string, MetricPoint[]>; meta: Record<string, number | string>; progress?: { step: number; total?: number; etaSeconds?: number; rate?: number; rateUnit?: string }; alerts: Alert[] }

function parse(name: string): Parsed {
  const r = parseLog(readFileSync(join(DIR, name)), { fileName: name });
  const s = new Map<string, MetricPoint[]>();
  for (const p of r.points) { const a = s.get(p.series) ?? []; a.push(p); s.set(p.series, a); }
  const alerts = new AlertDetector().push(r.alertPoints ?? r.points);
  return { format: r.format, formats: r.formats, s, meta: r.meta, progress: r.progress, alerts };
}
const steps = (p: Parsed, n: string) => (p.s.get(n) ?? []).map((x) => x.step);
const values = (p: Parsed, n: string) => (p.s.get(n) ?? []).map((x) => x.value);
const kinds = (p: Parsed) => p.alerts.map((a) => `${a.kind}:${a.series}@${a.step}`);

test('SOURCES.tsv names every fixture log', () => {
  const listed = readFileSync(join(DIR, 'SOURCES.tsv'), 'utf8').trim().split('\n').slice(1).map((l) => l.split('\t')[0]);
  const files = readdirSync(DIR).filter((f) => f !== 'SOURCES.tsv').sort();
  assert.deepEqual([...listed].sort(), files);
});

test('axolotl eval dict, tqdm redraws with blank lines, then a train dict without grad_norm', () => {
  const p = parse('axolotl__eval-then-tqdm-blank-lines.log');
  assert.equal(p.format, 'hf-trainer');
  assert.deepEqual(values(p, 'eval_loss'), [1.7152758836746216]);
  assert.deepEqual(values(p, 'loss'), [1.8218]);
  assert.deepEqual(values(p, 'learning_rate'), [0.00019606025492468137]);
  assert.deepEqual(values(p, 'epoch'), [0.07, 0.1]);
  // The eval dict opens the excerpt, before any training bar: the bar drawn right after it gives its step (issue 12:
  // one global step axis; epoch 0.07 x 291 steps/epoch is 20-21). The train dict comes after the bar
  // showed 28/873 and the excerpt ends before the redraw that follows a dict: the bar before it gives the step.
  assert.deepEqual(steps(p, 'eval_loss'), [21]);
  assert.deepEqual(steps(p, 'loss'), [28]);
  assert.equal(p.s.has('grad_norm'), false);
  assert.deepEqual(p.progress, { step: 28, total: 873, etaSeconds: 3651, rate: 4.32, rateUnit: 's/it' });
  assert.deepEqual(p.alerts, []);
});

test('axolotl modal Trainer dicts: 13 records, 16-digit grad norms kept exactly', () => {
  const p = parse('axolotl__modal-llm-finetuning-trainer-dicts.log');
  assert.equal(p.format, 'hf-trainer');
  assert.deepEqual(steps(p, 'loss'), [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13]);
  assert.equal(values(p, 'loss')[0], 0.0499);
  assert.equal(values(p, 'grad_norm')[2], 4.452874722918433);
  assert.equal(values(p, 'grad_norm')[4], 7.697287947328512);
  assert.equal(values(p, 'learning_rate')[0], 3.591337215792852e-05);
  assert.equal(values(p, 'epoch')[12], 1.45);
  assert.deepEqual(kinds(p), []);
});

test('axolotl startup: logger lines, step-0 eval dict with keys containing spaces and parentheses', () => {
  const p = parse('axolotl__startup-and-step0-eval-memory-keys.log');
  assert.equal(p.format, 'hf-trainer');
  assert.deepEqual(values(p, 'eval_loss'), [1.3642939329147339]);
  assert.deepEqual(values(p, 'memory/max_active (GiB)'), [1.92]);
  assert.deepEqual(values(p, 'memory/max_allocated (GiB)'), [10.97]);
  assert.deepEqual(values(p, 'memory/device_reserved (GiB)'), [0]);
  assert.deepEqual(values(p, 'epoch'), [0]);
  // axolotl evaluates before the first step: the training bar at 0/950 is drawn, so the eval point is at step 0.
  assert.deepEqual(steps(p, 'eval_loss'), [0]);
  assert.equal(p.s.has('loss'), false);
  assert.deepEqual(p.progress, { step: 0, total: 950 });
});

test('CUDA device-side assert and an OOM message: no metrics, format unknown, no throw', () => {
  for (const f of ['cuda__device-side-assert-embedding-index-out-of-range.log', 'hf-trainer__oom-tried-to-allocate-64GiB.log', 'torchtune__full-finetune-distributed-oom-rank-prefixed.log', 'lightning__slm-wikitext103-hparams.yaml']) {
    const p = parse(f);
    assert.equal(p.format, 'unknown', f);
    assert.equal(p.s.size, 0, f);
  }
});

test('DeepSpeed loss-scale collapse with a Trainer dict: 64 -> 2 in five overflows, collapse alert', () => {
  const p = parse('deepspeed__loss-scale-collapse-with-trainer-dict.log');
  assert.equal(p.format, 'hf-trainer');
  assert.deepEqual(p.formats, ['tqdm', 'deepspeed', 'hf-trainer']);
  assert.deepEqual(values(p, 'loss_scale'), [32, 16, 8, 4, 2]);
  assert.deepEqual(values(p, 'overflows'), [1, 2, 3, 4, 5]);
  assert.deepEqual(values(p, 'loss'), [2.0491]);
  // the bar redrawn right after the dict (tqdm.write) shows 380/2724: the global step of the dict
  assert.deepEqual(steps(p, 'loss'), [380]);
  assert.deepEqual(steps(p, 'epoch'), [380]);
  assert.deepEqual(p.progress, { step: 382, total: 2724, etaSeconds: 85 * 3600 + 46 * 60 + 12, rate: 131.84, rateUnit: 's/it' });
  // timestamps of the DeepSpeed records become the points' wall time
  assert.equal(p.s.get('loss_scale')![0].time, Date.UTC(2023, 5, 7, 22, 16, 0, 18));
  // Issue 12: the overflow records print no step; they belong to the step executed after the bar's n (a record
  // glued after '378/2724' is step 379), on the same axis as the Trainer dict, not numbered 1..5.
  assert.deepEqual(steps(p, 'loss_scale'), [379, 380, 381, 382, 383]);
  assert.deepEqual(steps(p, 'overflows'), [379, 380, 381, 382, 383]);
  assert.deepEqual(kinds(p), ['loss-scale-collapse:loss_scale@381']);
});

test('DeepSpeed overflow with the key wrapped mid-word by the terminal: hysteresis/halving pairs, no collapse', () => {
  const p = parse('deepspeed__overflow-terminal-wrapped-mid-word.log');
  assert.equal(p.format, 'deepspeed');
  assert.deepEqual(values(p, 'loss_scale'), [8192, 4096, 8192, 4096, 8192, 4096]);
  assert.deepEqual(kinds(p), []);
});

test('DeepSpeed ZeRO-2 overflow glued to tqdm: three records after the bars', () => {
  const p = parse('deepspeed__t5-11b-zero2-overflow-glued-to-tqdm.log');
  assert.equal(p.format, 'deepspeed');
  assert.deepEqual(values(p, 'loss_scale'), [67108864, 33554432, 16777216]);
  assert.deepEqual(steps(p, 'loss_scale'), [7, 8, 9]); // glued after the bars at 6, 7, 8 of 1184 (issue 12)
  assert.equal(p.s.get('loss_scale')![2].time, Date.UTC(2021, 1, 4, 15, 6, 26, 854));
  assert.deepEqual(p.progress, { step: 8, total: 1184, etaSeconds: 3600 + 7 * 60 + 17, rate: 3.43, rateUnit: 's/it' });
  assert.deepEqual(kinds(p), []);
});

test('DeepSpeed ZeRO-3 overflow + SamplesPerSec timer: startup scale search is no collapse', () => {
  const p = parse('deepspeed__zero3-overflow-samplespersec-timer.log');
  assert.equal(p.format, 'deepspeed');
  assert.deepEqual(values(p, 'loss_scale'), [8388608, 4194304, 2097152, 1048576, 524288]);
  assert.deepEqual(values(p, 'samples_per_second'), [1.8825260836384787]);
  assert.equal(p.progress?.step, 13);
  assert.deepEqual(kinds(p), []);
});

test('MetricLogger line with running averages, then "Loss is nan, stopping training" is a NaN point', () => {
  const p = parse('detection-metriclogger__loss-is-nan-stopping-training.log');
  assert.equal(p.format, 'metriclogger');
  assert.deepEqual(steps(p, 'loss'), [0, 1]);
  assert.equal(values(p, 'loss')[0], 15.3648);
  assert.ok(Number.isNaN(values(p, 'loss')[1]));
  assert.deepEqual(values(p, 'loss_rcnn_reid_3rd'), [4.6311]);
  assert.deepEqual(values(p, 'learning_rate'), [0.000001]);
  // the dict of tensors after it is not a metrics record
  assert.equal(values(p, 'loss_rcnn_cls_1st').length, 1);
  assert.deepEqual(kinds(p), ['nan:loss@1']);
});

test('train_results.json: summary only -> metadata, no points', () => {
  const p = parse('hf-train_results__small-llm-45-steps.json');
  assert.equal(p.format, 'hf-results');
  assert.equal(p.s.size, 0);
  assert.equal(p.meta.train_loss, 2.382095660103692);
  assert.equal(p.meta.train_runtime, 472.0904);
  assert.equal(p.meta.epoch, 3);
});

test('alignment-handbook: 11 dicts without grad_norm, tqdm glued to an INFO line, the cut eval dict keeps eval_loss', () => {
  const p = parse('hf-trainer__alignment-handbook-sft-with-eval-and-tqdm.log');
  assert.equal(p.format, 'hf-trainer');
  assert.equal(values(p, 'loss').length, 11);
  assert.equal(values(p, 'loss')[0], 1.0238);
  assert.equal(values(p, 'loss')[10], 1.0106);
  assert.deepEqual(values(p, 'eval_loss'), [1.0159717798233032]);
  assert.equal(p.s.has('eval_runtime'), false); // cut off after its key
  // The excerpt's train dicts come before any training bar (index convention); the eval dict comes after the bar
  // at 136/202 glued to 'Running Evaluation' (evaluation at global step 136, epoch 0.67 x 202 steps ~ 135).
  assert.deepEqual(steps(p, 'loss'), [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);
  assert.deepEqual(steps(p, 'eval_loss'), [136]);
  assert.equal(p.progress?.step, 136);
  assert.equal(p.progress?.total, 202);
});

test('gemma TPU LoRA: dicts padded with trailing spaces, grad_norm 7.0625 kept', () => {
  const p = parse('hf-trainer__gemma2b-tpu-lora-dicts-trailing-spaces.log');
  assert.equal(p.format, 'hf-trainer');
  assert.equal(values(p, 'loss').length, 10);
  assert.equal(values(p, 'grad_norm')[6], 7.0625);
  assert.equal(values(p, 'learning_rate')[5], 9.999999999999999e-05);
  assert.deepEqual(kinds(p), []);
});

test('trainer_state.json with six eval sets over 30 epochs: points at log_history steps, overfitting per eval set', () => {
  const p = parse('hf-trainer_state__multi-eval-sets-30-epochs.json');
  assert.equal(p.format, 'trainer-state');
  assert.equal(values(p, 'loss').length, 30);
  assert.equal(steps(p, 'loss')[0], 401);
  assert.equal(values(p, 'loss')[0], 1.1074);
  assert.equal(steps(p, 'loss')[29], 12030);
  assert.equal(values(p, 'eval_g0_loss').length, 31);
  assert.equal(steps(p, 'eval_g0_loss')[0], 0);
  assert.equal(values(p, 'eval_g0_loss')[0], 5.741583347320557);
  assert.equal(values(p, 'eval_g5_loss')[30], 4.835134983062744);
  assert.equal(values(p, 'epoch').length, 31); // one per step, the six eval records at a step are one point
  assert.equal(p.meta.global_step, 12030);
  assert.deepEqual(p.progress, { step: 12030, total: 12030 });
  const over = p.alerts.filter((a) => a.kind === 'overfitting');
  assert.deepEqual(over.map((a) => a.series), ['eval_g0_loss', 'eval_g1_loss', 'eval_g2_loss', 'eval_g3_loss', 'eval_g4_loss', 'eval_g5_loss']);
  // eval_g0_loss is best at step 401 (1.1138) and worse at 802, 1203, 1604: patience 3 stops at 1604
  const g0 = over[0];
  assert.equal(g0.step, 1604);
  assert.match(g0.message, /step 401/);
});

test('TRL trainer_state: loss every 15 steps, eval every 200, final summary kept out of the points', () => {
  const p = parse('hf-trainer_state__tinyllama-sft-trl.json');
  assert.equal(p.format, 'trainer-state');
  assert.equal(values(p, 'loss').length, 186);
  assert.deepEqual(steps(p, 'loss').slice(0, 3), [15, 30, 45]);
  assert.equal(values(p, 'loss')[0], 2.0762);
  assert.equal(values(p, 'eval_loss').length, 14);
  assert.equal(steps(p, 'eval_loss')[13], 2800);
  assert.equal(values(p, 'eval_loss')[13], 1.1219322681427002);
  assert.equal(values(p, 'num_tokens')[0], 61440);
  assert.equal(p.meta.best_model_checkpoint, './results/checkpoint-2800');
  assert.equal(p.meta.best_metric, 1.1219322681427002);
  assert.deepEqual(p.progress, { step: 2800, total: 2808 });
  assert.equal(p.alerts.filter((a) => a.kind === 'overfitting').length, 0);
});

test('Lightning metrics.csv with CRLF and sparse val rows', () => {
  const p = parse('lightning__gpt-char-metrics-sparse-val.csv');
  assert.equal(p.format, 'lightning-csv');
  assert.deepEqual(steps(p, 'loss'), [49, 99, 149, 199, 249, 299, 349, 399, 449, 499]);
  assert.equal(values(p, 'loss')[0], 2.620293617248535);
  assert.deepEqual(steps(p, 'eval_loss'), [199, 399]);
  assert.deepEqual(values(p, 'eval_loss'), [2.3940553665161133, 1.9023048877716064]);
  assert.equal(values(p, 'epoch').length, 10);
});

test('Lightning metrics.csv, 11 sparse columns over 10 epochs', () => {
  const p = parse('lightning__slm-wikitext103-metrics-sparse-perplexity.csv');
  assert.equal(p.format, 'lightning-csv');
  assert.equal(values(p, 'train_loss_step').length, 2814);
  assert.equal(values(p, 'train_loss_step')[0], 7.628580570220947);
  assert.equal(steps(p, 'train_loss_step')[2813], 140699);
  assert.deepEqual(steps(p, 'eval_loss').slice(0, 2), [14073, 28147]);
  assert.equal(values(p, 'eval_loss').length, 10);
  assert.equal(values(p, 'eval_loss')[9], 3.570486068725586);
  assert.equal(values(p, 'val_perplexity')[0], 63.93129348754883);
  assert.equal(values(p, 'epoch_time').length, 10);
  assert.equal(values(p, 'train_loss_epoch')[9], 3.687237024307251);
});

test('lit-gpt: the optimizer step is the step axis (mean of its micro-batches, min/max, count), loss spike 1.70 -> 11.46', () => {
  const p = parse('litgpt__codellama-full-ft-loss-spike.log');
  assert.equal(p.format, 'litgpt');
  // iter 1151 closes step 144 (marked); iters 1152-1158 print step 144 unmarked and belong to step 145, which iter
  // 1159 closes; iters 3704-3709 (step 463 unmarked) are six micro-batches of step 464, cut off by the paste.
  assert.deepEqual(steps(p, 'loss'), [144, 145, 464]);
  assert.deepEqual(values(p, 'micro_batches'), [1, 8, 6]);
  assert.equal(values(p, 'loss')[0], 1.7019);
  assert.ok(Math.abs(values(p, 'loss')[1] - (11.4630 + 11.7545 + 11.5019 + 11.4807 + 12.1935 + 10.0220 + 10.9364 + 10.5513) / 8) < 1e-12);
  assert.deepEqual([values(p, 'loss_min')[1], values(p, 'loss_max')[1]], [10.022, 12.1935]);
  assert.deepEqual([values(p, 'loss_min')[2], values(p, 'loss_max')[2]], [2.3724, 5.5921]);
  assert.ok(Math.abs(values(p, 'iter_time_ms')[2] - (897.30 + 630.41 + 685.74 + 1399.17 + 2032.91 + 763.44) / 6) < 1e-9);
  assert.equal(p.s.has('optimizer_step'), false);
  // judged per micro-batch: the first micro-batch of step 145 (11.463) is the spike
  assert.deepEqual(p.alerts.map((a) => `${a.kind}:${a.series}@${a.step}:${a.message}`), ['spike:loss@145:loss spiked to 11.463 at step 145']);
});

test('LLaMA2-Accessory MetricLogger: closs is the loss, grad_norm appears at iteration 40', () => {
  const p = parse('llama2-accessory__closs-metriclogger-grad-norm-appears.log');
  assert.equal(p.format, 'metriclogger');
  assert.deepEqual(steps(p, 'loss'), [0, 10, 20, 30, 40]);
  assert.deepEqual(values(p, 'loss'), [1.544, 1.5367, 1.5362, 1.5318, 1.5428]);
  assert.deepEqual(steps(p, 'grad_norm'), [40]);
  assert.deepEqual(values(p, 'grad_norm'), [5.2397]);
  assert.deepEqual(values(p, 'max_mem'), [26869, 39297, 39297, 39297, 51708]);
  assert.deepEqual(kinds(p), []);
});

test('LLaMA-Factory numbered log: loss 3.55 -> 0.0 with grad_norm exactly sqrt(2): stuck-zero and constant grad norm', () => {
  const p = parse('llamafactory__numbered-log-loss-to-zero-then-nccl-timeout.log');
  assert.equal(p.format, 'hf-trainer');
  assert.deepEqual(values(p, 'loss'), [3.5534, 0]);
  assert.deepEqual(values(p, 'grad_norm'), [1.4142135381698608, 1.4142135381698608]);
  assert.equal(p.progress?.step, 24);
  assert.equal(p.progress?.total, 1752);
  // Issue 12: the first dict opens the excerpt before any bar; the bar redrawn right after it reads 10/1752, so it is
  // step 10 (logging_steps 10), not 1. The second is followed by the redraw at 20/1752.
  assert.deepEqual(steps(p, 'loss'), [10, 20]);
  assert.deepEqual(kinds(p), ['stuck-zero:loss@20', 'constant-grad-norm:grad_norm@20']);
});

test('Megatron-Bridge: several loss fields per iteration, lm loss is loss', () => {
  const p = parse('megatron-bridge__nemotron-lora-multi-loss-mtp.log');
  assert.equal(p.format, 'megatron');
  assert.deepEqual(steps(p, 'loss'), [29, 30, 31]);
  assert.deepEqual(values(p, 'loss'), [0.8716962, 0.8535482, 0.8641004]);
  assert.deepEqual(values(p, 'mtp_1_loss'), [1.11541, 1.080622, 1.116914]);
  assert.deepEqual(values(p, 'seq_load_balancing_loss')[0], 1.253194);
  assert.deepEqual(values(p, 'learning_rate'), [5.8e-5, 6e-5, 6.2e-5]);
  assert.deepEqual(values(p, 'grad_norm'), [0.852, 1.366, 1.081]);
  assert.deepEqual(values(p, 'consumed_samples'), [14848, 15360, 15872]);
  assert.equal(p.s.get('loss')![0].time, Date.UTC(2026, 4, 28, 22, 26, 20));
  assert.deepEqual(p.progress, { step: 31, total: 6069 });
  assert.deepEqual(kinds(p), []);
});

test('Megatron-LLM bad grad_norm warning: NaN grad_norm at the skipped iteration', () => {
  const p = parse('megatron-llm__bad-grad-norm-warning-skipped.log');
  assert.equal(p.format, 'megatron');
  assert.deepEqual(steps(p, 'grad_norm'), [3633, 3634]);
  assert.equal(values(p, 'grad_norm')[0], 0.794);
  assert.ok(Number.isNaN(values(p, 'grad_norm')[1]));
  assert.deepEqual(values(p, 'skipped_iterations'), [0, 1]);
  assert.equal(p.s.has('loss'), false);
  assert.deepEqual(kinds(p), ['nan:grad_norm@3634']);
});

test('Megatron-LLM Falcon-40B: lm loss vanishes at iteration 3385 -> a NaN loss point and a nan alert', () => {
  const p = parse('megatron-llm__falcon40b-lm-loss-vanishes-at-nan.log');
  assert.equal(p.format, 'megatron');
  assert.deepEqual(steps(p, 'loss'), [3383, 3384, 3385]);
  assert.deepEqual(values(p, 'loss').slice(0, 2), [0.7334521, 0.7072597]);
  assert.ok(Number.isNaN(values(p, 'loss')[2]));
  assert.deepEqual(steps(p, 'grad_norm'), [3383, 3384]); // the cut line's "gr" is not a value
  assert.deepEqual(kinds(p), ['nan:loss@3385']);
});

test('Megatron-LLM steady Llama run: four iterations, no alerts', () => {
  const p = parse('megatron-llm__llama-steady-gbs1024.log');
  assert.equal(p.format, 'megatron');
  assert.deepEqual(steps(p, 'loss'), [122, 123, 124, 125]);
  assert.deepEqual(values(p, 'loss'), [2.50422, 2.493043, 2.559583, 2.477393]);
  assert.deepEqual(values(p, 'learning_rate'), [9.15e-6, 9.225e-6, 9.3e-6, 9.375e-6]);
  assert.deepEqual(values(p, 'global_batch_size'), [1024, 1024, 1024, 1024]);
  assert.deepEqual(kinds(p), []);
});

test('Megatron-LM BERT fp16: first report has no loss (10 skipped iterations: a NaN point, issue 12), then lm loss and sop loss', () => {
  const p = parse('megatron-lm__bert-pretrain-fp16-warmup-skipped-iters.log');
  assert.equal(p.format, 'megatron');
  assert.deepEqual(steps(p, 'loss'), [10, 20]);
  assert.deepEqual(values(p, 'loss'), [NaN, 10.05022]);
  assert.deepEqual(values(p, 'sop_loss'), [0.8174902]);
  assert.deepEqual(values(p, 'loss_scale'), [8388608, 32768]);
  assert.deepEqual(values(p, 'skipped_iterations'), [10]);
  assert.deepEqual(values(p, 'grad_norm'), [217.199]);
  // the NaN point of the skipped interval is drawn but not judged: the fp16 loss scaler's search (loss scale
  // 8388608 -> 32768 over those 10 iterations), not a diverged model, so no NaN alert opens the run
  assert.deepEqual(kinds(p), []);
});

test('mlx-lm LoRA: loss climbs 1.41 -> 6.44 after iter 50: divergence', () => {
  const p = parse('mlx-lm__lora-loss-climbs-after-iter-50.log');
  assert.equal(p.format, 'mlx-lm');
  assert.deepEqual(steps(p, 'loss'), [25, 50, 75, 100, 125, 150, 175, 200]);
  assert.deepEqual(values(p, 'loss'), [1.593, 1.406, 3.316, 6.437, 5.478, 4.857, 4.874, 4.604]);
  assert.deepEqual(steps(p, 'eval_loss'), [1]);
  assert.deepEqual(values(p, 'eval_loss'), [2.086]);
  assert.deepEqual(values(p, 'trained_tokens').slice(0, 2), [9699, 19515]);
  assert.deepEqual(values(p, 'learning_rate')[0], 7e-5);
  assert.deepEqual(p.progress, { step: 200, total: 2596 });
  assert.equal(p.meta.iters, 2596);
  assert.ok(kinds(p).includes('divergence:loss@100'), kinds(p).join());
});

test('nanoGPT fp16 on V100: loss goes nan after the iter-3000 checkpoint', () => {
  const p = parse('nanogpt__nan-after-iter-3000-fp16-v100.log');
  assert.equal(p.format, 'nanogpt');
  assert.equal(values(p, 'loss').length, 15);
  assert.deepEqual(steps(p, 'loss').slice(8, 10), [3000, 3010]);
  assert.equal(values(p, 'loss')[8], 4.249);
  assert.ok(values(p, 'loss').slice(9).every(Number.isNaN));
  assert.deepEqual(values(p, 'eval_loss'), [4.0427]);
  assert.deepEqual(values(p, 'train/loss'), [4.039]);
  assert.equal(values(p, 'iter_time_ms')[8], 35392.33);
  assert.equal(p.s.get('loss')![0].time, Date.UTC(2023, 2, 22, 9, 30, 39));
  assert.deepEqual(kinds(p), ['nan:loss@3010']);
});

test('nanoGPT shakespeare_char: mfu -100% sentinel at iter 0 is not a value', () => {
  const p = parse('nanogpt__shakespeare-char-mfu-negative-at-iter0.log');
  assert.equal(p.format, 'nanogpt');
  assert.equal(values(p, 'loss').length, 25);
  assert.equal(values(p, 'loss')[0], 4.2648);
  assert.equal(steps(p, 'mfu')[0], 10);
  assert.equal(values(p, 'mfu').length, 24);
  assert.deepEqual(steps(p, 'eval_loss'), [250]);
  assert.deepEqual(values(p, 'eval_loss'), [1.722]);
  assert.deepEqual(kinds(p), []);
});

test('NeMo/Lightning progress bar metrics glued to NCCL timeouts', () => {
  const p = parse('nemo-lightning__progress-bar-metrics-then-nccl-timeout.log');
  assert.equal(p.format, 'lightning-progress');
  assert.deepEqual(steps(p, 'loss'), [32040]);
  assert.deepEqual(values(p, 'loss'), [2.6]);
  assert.deepEqual(values(p, 'reduced_train_loss'), [2.59]);
  assert.deepEqual(values(p, 'consumed_samples'), [2.56e7]);
  assert.equal(p.s.has('v_num'), false);
  assert.deepEqual(p.progress, { step: 32040, total: 500150, etaSeconds: 94 * 3600 + 39 * 60 + 17, rate: 1.37, rateUnit: 'it/s' });
});

test('torchtitan: each step printed by 7 ranks is one point (the first), thousands separators read', () => {
  const p = parse('torchtitan__moe-all-ranks-duplicate-steps.log');
  assert.equal(p.format, 'torchtitan');
  assert.deepEqual(steps(p, 'loss'), [4, 5]);
  assert.deepEqual(values(p, 'loss'), [7.62585, 7.07623]);
  assert.deepEqual(values(p, 'grad_norm'), [26.625, 46.5]);
  assert.deepEqual(values(p, 'tps'), [10050, 10007]);
  assert.deepEqual(values(p, 'tflops'), [314.71, 313.36]);
  assert.deepEqual(values(p, 'mfu'), [13.99, 13.93]);
  assert.deepEqual(values(p, 'memory_gib'), [66.91, 66.91]);
  assert.deepEqual(values(p, 'memory_pct'), [37.51, 37.51]);
});

test('xtuner/MMEngine: grad_norm turns nan while loss stays finite', () => {
  const p = parse('xtuner__mmengine-grad-norm-nan.log');
  assert.equal(p.format, 'mmengine');
  assert.deepEqual(steps(p, 'loss'), [200, 210, 220, 230, 240, 250]);
  assert.deepEqual(values(p, 'loss'), [2.7522, 2.615, 2.6687, 2.7682, 2.5128, 2.4566]);
  assert.deepEqual(values(p, 'learning_rate')[0], 1.987e-4);
  assert.ok(Number.isNaN(values(p, 'grad_norm')[4]));
  assert.equal(p.progress?.etaSeconds, 2 * 3600 + 44 * 60 + 21);
  // 2.7647 twice at 4 decimals is not a constant grad norm
  assert.deepEqual(kinds(p), ['nan:grad_norm@240']);
});

test('tiny-gpt (examples/tiny-gpt/train.py, 60 steps): dict steps are the training bar\'s global steps', () => {
  const p = parse('tiny-gpt__max-steps-60-eval-at-50.log');
  const cfg = readFileSync(join(__dirname, '..', '..', 'examples', 'tiny-gpt', 'config.yaml'), 'utf8');
  const loggingSteps = Number(/^logging_steps:\s*(\d+)/m.exec(cfg)![1]);
  const evalSteps = Number(/^eval_steps:\s*(\d+)/m.exec(cfg)![1]);
  assert.equal(p.format, 'hf-trainer');
  assert.ok(steps(p, 'loss').every((s) => s % loggingSteps === 0));
  assert.ok(steps(p, 'eval_loss').every((s) => s % evalSteps === 0));
  assert.deepEqual(steps(p, 'loss'), [10, 20, 30, 40, 50, 60]);
  assert.deepEqual(values(p, 'loss'), [3.7318, 2.9201, 2.6438, 2.4873, 2.4542, 2.396]);
  assert.deepEqual(steps(p, 'eval_loss'), [50]);
  assert.deepEqual(values(p, 'eval_loss'), [2.4414431637731093]);
  assert.deepEqual(steps(p, 'epoch'), [10, 20, 30, 40, 50, 60]); // the eval dict's epoch at 50 repeats the train one
  assert.equal(p.meta.train_runtime, 24.6563);
  assert.equal(p.s.has('train_runtime'), false);
  assert.deepEqual(p.progress?.total, 60);
});

test('tiny-gpt grammar fixture (30 steps, logging 10, eval 20): loss at 10/20/30, eval_loss at 20', () => {
  const r = parseLog(readFileSync(join(__dirname, '..', 'fixtures', 'grammar', 'tiny-gpt__train-output.log')));
  const at = (n: string) => r.points.filter((x) => x.series === n).map((x) => x.step);
  assert.deepEqual(at('loss'), [10, 20, 30]);
  assert.deepEqual(at('eval_loss'), [20]);
});

for (const name of ['hf-trainer__progress-callback-nested-eval-bar.log', 'hf-trainer__progress-callback-eval-bar-with-desc.log']) {
  test(`real tqdm in Trainer call order (${name}): steps from the redraw after each dict, never from the eval bar`, () => {
    const p = parse(name);
    assert.equal(p.format, 'hf-trainer');
    // logging_steps 5: the bar line before each dict lags (4/40, 8/40, ...); the redraw after it shows 5, 10, ...
    assert.deepEqual(steps(p, 'loss'), [5, 10, 15, 20, 25, 30, 35, 40]);
    assert.deepEqual(values(p, 'loss'), [2.95, 2.9, 2.85, 2.8, 2.75, 2.7, 2.65, 2.6]);
    // eval_steps 20; the eval bar (7 batches) is open while the eval dict is written, and is not the training step
    assert.deepEqual(steps(p, 'eval_loss'), [20, 40]);
    assert.deepEqual(values(p, 'eval_loss'), [2.8, 2.7]);
    assert.equal(p.meta.train_runtime, 2.5);
    assert.equal(p.s.has('train_loss'), false);
    assert.deepEqual(p.progress?.total, 40);
  });
}
