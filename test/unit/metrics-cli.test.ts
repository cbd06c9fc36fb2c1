// `llmtrain metrics` beside the chart (issue 12): what the chart's feed knows about a log (unplaced records, earlier
// run segments, the loss-scale note, the Tokens axis source, the banner's settings) is in the CLI's text and JSON too,
// computed by the same core functions; and the Tokens axis from LLaMA-Factory's trainer_log.jsonl.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createMetricsFeed } from '../../src/core/metrics';
import { readMetrics, renderMetrics } from '../../src/cli/metrics';

/** Writes `text` to a file named `name` in a fresh folder, runs `fn` on its path, removes the folder. */
async function withFile<T>(name: string, text: string, fn: (path: string) => Promise<T>): Promise<T> {
  const dir = mkdtempSync(join(tmpdir(), 'llmtrain-metrics-'));
  try { const p = join(dir, name); writeFileSync(p, text); return await fn(p); } finally { rmSync(dir, { recursive: true, force: true }); }
}

/**
 * trainer_log.jsonl as LLaMA-Factory's LogCallback.on_log writes it (hiyouga/LlamaFactory
 * src/llamafactory/train/callbacks.py, commit 9174a7a8: `logs = dict(current_steps=..., total_steps=..., loss=...,
 * lr=..., epoch=..., percentage=..., elapsed_time=..., remaining_time=...)`, then, when `state.num_input_tokens_seen`,
 * `logs["throughput"] = round(num_input_tokens_seen / elapsed, 2)` and `logs["total_tokens"] = num_input_tokens_seen`;
 * None values dropped; `json.dumps(logs) + "\n"`). Older releases write `learning_rate=` and a string throughput.
 * Here 1000 tokens per step, so total_tokens is not a multiple of the step the axis could be confused with.
 */
function trainerLogJsonl(): string {
  // Python's json.dumps spelling: ", " and ": " separators, 4.9e-05, 5.0 for a float percentage and throughput
  const lines: string[] = [];
  for (let s = 5; s <= 25; s += 5) {
    const elapsed = s * 2;
    lines.push(`{"current_steps": ${s}, "total_steps": 100, "loss": ${(2.5 - s / 100).toFixed(2)}, "lr": 4.9e-05, "epoch": ${s / 100}, "percentage": ${s}.0, "elapsed_time": "0:00:${String(elapsed).padStart(2, '0')}", "remaining_time": "0:03:10", "throughput": 500.0, "total_tokens": ${s * 1000}}`);
  }
  return `${lines.join('\n')}\n`;
}

test('LLaMA-Factory trainer_log.jsonl: total_tokens (num_input_tokens_seen) is the Tokens axis', async () => {
  const text = trainerLogJsonl();
  assert.match(text.split('\n')[0], /^\{"current_steps": 5, "total_steps": 100, "loss": 2\.45, "lr": 4\.9e-05, .*"total_tokens": 5000\}$/);
  const feed = createMetricsFeed('r', 'lf', { fileName: 'trainer_log.jsonl', now: null });
  feed.pushChunk(text);
  feed.end();
  assert.equal(feed.format, 'llamafactory');
  assert.deepEqual(feed.info().tokens, { series: 'total_tokens', how: "tokens seen from the log's total_tokens" });
  assert.deepEqual([...feed.store.x('loss', 'tokens')!], [5000, 10000, 15000, 20000, 25000]);
  // the CLI says the same
  const out = await withFile('trainer_log.jsonl', text, async (p) => renderMetrics(await readMetrics(p), 'text'));
  assert.match(out, /^tokens axis: tokens seen from the log's total_tokens$/m);
  assert.match(out, /^settings: none read from the log /m); // trainer_log.jsonl has no banner
});

/** A Megatron-LM iteration line (training.py training_log) at `it` with `lm loss` `loss`. */
const megLine = (it: number, loss: number) => ` iteration ${String(it).padStart(9)}/     100 | consumed samples: ${String(it * 256).padStart(12)} | elapsed time per iteration (ms): 1234.5 | learning rate: 1.000E-04 | global batch size:   256 | lm loss: ${loss.toExponential(6).replace(/e([+-])(\d)$/, 'E$10$2')} | loss scale: 1.0 | grad norm: 1.000 | number of skipped iterations:   0 | number of nan iterations:   0 |`;

test('llmtrain metrics keeps a restarted run\'s earlier segments as the chart does, named as the restart alert says', async () => {
  // three launches appended to one log: 10..50, resumed at 40 (..60), restarted from scratch (10..20)
  const lines = ['training ...'];
  for (let i = 10; i <= 50; i += 10) lines.push(megLine(i, 8.1 - i / 100));
  lines.push('training ...');
  for (let i = 40; i <= 60; i += 10) lines.push(megLine(i, 7.3 - i / 100));
  lines.push('training ...');
  for (let i = 10; i <= 20; i += 10) lines.push(megLine(i, 9.1 - i / 100));
  const text = `${lines.join('\n')}\n`;
  const feed = createMetricsFeed('r', 'resumed', { now: null });
  feed.pushChunk(text);
  feed.end();
  const j = await withFile('train.log', text, async (p) => JSON.parse(renderMetrics(await readMetrics(p), 'json')));
  // the same series, in the same order, at the same steps as the chart's store
  assert.deepEqual(Object.keys(j.series), feed.store.seriesNames());
  for (const name of feed.store.seriesNames()) assert.deepEqual(j.series[name].map((p: [number, number]) => p[0]), [...feed.store.raw(name)!.steps], name);
  assert.deepEqual(j.series['loss (segment 1)'], [[10, 8], [20, 7.9], [30, 7.8], [40, 7.7], [50, 7.6]]);
  assert.deepEqual(j.series['loss (segment 2)'], [[10, 8], [20, 7.9], [30, 7.8], [40, 6.9], [50, 6.8], [60, 6.7]]);
  assert.deepEqual(j.series.loss, [[10, 9], [20, 8.9]]);
  // the restart alerts name the series the output has
  for (const a of feed.snapshot().alerts.filter((x) => x.kind === 'restart')) {
    const kept = /kept as '([^']+)'/.exec(a.message)![1];
    assert.ok(kept in j.series, kept);
  }
});

test('llmtrain metrics --format json carries the meta, the notes and the unplaced count the chart shows', async () => {
  // HF Trainer: a training bar ran, then two loss dicts with no bar beside them (no step printed, none to take):
  // their 8 points (4 keys x 2 records) take their record number and are counted as unplaced_points.
  const bar = Array.from({ length: 20 }, (_, i) => `\r${String(Math.round((i + 1) / 30 * 100)).padStart(3)}%|          | ${i + 1}/30 [00:${String(i + 1).padStart(2, '0')}<00:29,  1.00it/s]`).join('');
  const text = `${bar}\n{'loss': 2.0, 'grad_norm': 1.1, 'learning_rate': 1e-05, 'epoch': 0.33}\n{'loss': 1.0, 'grad_norm': 1.2, 'learning_rate': 1e-05, 'epoch': 0.67}\n`;
  const feed = createMetricsFeed('r', 'b4', { now: null });
  feed.pushChunk(text);
  feed.end();
  assert.equal(feed.meta.unplaced_points, 8);
  const r = await withFile('train.log', text, (p) => readMetrics(p));
  const j = JSON.parse(renderMetrics(r, 'json'));
  assert.deepEqual(j.meta, { ...feed.meta });
  assert.equal(j.meta.unplaced_points, 8);
  assert.deepEqual(j.notes, feed.info().notes);
  assert.ok(j.notes.some((n: string) => /^8 points .* could not be placed .* record number/.test(n)), j.notes.join('\n'));
  const txt = renderMetrics(r, 'text');
  assert.match(txt, /^notes:\n {2}8 points .* record number\.$/m);
});

test('llmtrain metrics prints the settings, the loss-scale note and the Tokens axis source the chart uses', async () => {
  // transformers 4.46.1 with gradient accumulation 4 logs the loss summed over accumulation (transformers#35438):
  // the Trainer's model config dump gives the version, its `***** Running training *****` banner the batch geometry.
  const ga = [
    '[INFO|configuration_utils.py:1000] 2024-11-01 10:00:00,000 >> Model config LlamaConfig {',
    '  "architectures": [', '    "LlamaForCausalLM"', '  ],', '  "transformers_version": "4.46.1",', '  "vocab_size": 32000', '}',
    '***** Running training *****', '  Num examples = 1,280', '  Num Epochs = 1', '  Instantaneous batch size per device = 8',
    '  Total train batch size (w. parallel, distributed & accumulation) = 32', '  Gradient Accumulation steps = 4',
    '  Total optimization steps = 40',
    ...[1, 2, 3].map((s) => ` ${s * 2}%|          | ${s}/40 [00:0${s}<00:40,  1.00it/s]\n{'loss': ${(10 - s * 0.1).toFixed(1)}, 'grad_norm': 1.0, 'learning_rate': 1e-05, 'epoch': ${(s / 40).toFixed(3)}}`),
  ].join('\n');
  const feed = createMetricsFeed('r', 'ga', { now: null });
  feed.pushChunk(`${ga}\n`);
  feed.end();
  const info = feed.info();
  assert.equal(info.lossScale?.factor, 4);
  const r = await withFile('train.log', `${ga}\n`, (p) => readMetrics(p));
  const j = JSON.parse(renderMetrics(r, 'json'));
  assert.deepEqual(j.settings, JSON.parse(JSON.stringify(info.settings)));
  assert.equal(j.settings.gradientAccumulationSteps, 4);
  assert.equal(j.settings.sources.gradientAccumulationSteps, 'log banner');
  assert.deepEqual(j.lossScale, info.lossScale);
  assert.deepEqual(j.tokens, null); // no tokens-seen series, no sequence length: no Tokens axis
  const txt = renderMetrics(r, 'text');
  assert.match(txt, /^settings \(log banner\): .*gradient accumulation 4.*global batch 32.*transformers 4\.46\.1/m);
  assert.match(txt, /^logged loss factor: 4×, only if the model takes the Trainer's loss kwargs \(model_accepts_loss_kwargs\) \(transformers 4\.46\.1 logs the loss summed over gradient accumulation/m);
  assert.equal(j.lossScale.conditional, true); // the version is in the log, whether the model takes the loss kwargs is not
  assert.equal(txt.split('logs the loss summed over gradient accumulation').length, 2, txt); // the reason once, not again as a note
  // it says what tokens per step lack (a tester read 'no batch and sequence settings' beside a listed micro batch)
  assert.match(txt, /^tokens axis: none \(no running total of tokens seen in the log; tokens per step need the sequence length\)$/m);

  // Megatron: consumed samples × the banner's seq_length
  const meg = ['------------------------ arguments ------------------------', '  context_parallel_size ........................... 2',
    '  global_batch_size ............................... 256', '  seq_length ...................................... 4096',
    '-------------------- end of arguments ---------------------', megLine(10, 8), megLine(20, 7)].join('\n');
  const m = await withFile('train.log', `${meg}\n`, (p) => readMetrics(p));
  const mj = JSON.parse(renderMetrics(m, 'json'));
  assert.deepEqual(mj.tokens, { series: 'consumed_samples', how: 'consumed_samples × sequence length 4096' });
  assert.equal(mj.lossScale.factor, 2);
  assert.match(renderMetrics(m, 'text'), /^tokens axis: consumed_samples × sequence length 4096$/m);
});

// The LLaMA-Factory log of hiyouga/LlamaFactory#8261 (test/fixtures/logs/SOURCES.tsv): loss falls to exactly 0 while
// grad_norm stays 1.4142135, then an NCCL watchdog timeout ends the run: three alerts. What the text output says of
// each alert (kind, step, message), the JSON says too, with the series it concerns.
test('llmtrain metrics --format json: each alert has kind, series, step and the message the text output prints', async () => {
  const r = await readMetrics(join(__dirname, '..', 'fixtures', 'logs', 'llamafactory__numbered-log-loss-to-zero-then-nccl-timeout.log'));
  const txt = renderMetrics(r, 'text').split('\n');
  const shown = txt.slice(txt.indexOf('alerts:') + 1).filter((l) => l.startsWith('  ['));
  assert.deepEqual(shown.map((l) => /^ {2}\[([^\]]+)\]/.exec(l)![1]), ['stuck-zero', 'constant-grad-norm', 'crash']);
  const j = JSON.parse(renderMetrics(r, 'json')) as { alerts: Array<Record<string, unknown>> };
  assert.deepEqual(j.alerts.map((a) => `  [${String(a.kind)}] step ${String(a.step)}: ${String(a.message)}`), shown);
  assert.deepEqual(j.alerts.map((a) => Object.keys(a)), j.alerts.map(() => ['kind', 'series', 'step', 'message']));
  assert.deepEqual(j.alerts.map((a) => a.series), ['loss', 'grad_norm', 'loss']);
  assert.match(String(j.alerts[2].message), /^NCCL watchdog timeout: /);
});
