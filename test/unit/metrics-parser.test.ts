// Behaviour of the streaming log parser on the awkward parts of real logs, and property tests: any chunking of the
// bytes gives the same points as one chunk, and arbitrary input never throws.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { createLogParser, parseLog } from '../../src/core/metrics';
import type { MetricPoint } from '../../src/core/metrics';

const LOGS = join(__dirname, '..', 'fixtures', 'logs');
const TB = join(__dirname, '..', 'fixtures', 'tensorboard', 'events.out.tfevents.1700000000.host.12345.0');

function series(points: MetricPoint[], name: string): Array<[number, number]> {
  return points.filter((p) => p.series === name).map((p) => [p.step, p.value]);
}
function parseChunks(chunks: Array<string | Uint8Array>, fileName?: string): { points: MetricPoint[]; format: string } {
  const p = createLogParser({ fileName });
  const points: MetricPoint[] = [];
  for (const c of chunks) points.push(...p.push(c).points);
  points.push(...p.end().points);
  return { points, format: p.format };
}

test('carriage-return redraws, CRLF and blank lines end lines; tqdm gives progress', () => {
  const text = "  1%|▏         | 1/100 [00:01<01:39,  1.00s/it]\r  2%|▏         | 2/100 [00:02<01:38,  1.00s/it]\r\n{'loss': 2.5, 'epoch': 0.01}\r\n\r\n{'loss': 2.25, 'epoch': 0.02}\r\n";
  const p = createLogParser();
  const out = p.push(text);
  // two dicts with no bar redraw between them: not a Trainer's interleaved stream, so the index convention
  assert.deepEqual(series(out.points, 'loss'), [[1, 2.5], [2, 2.25]]);
  assert.deepEqual(out.progress, { step: 2, total: 100, etaSeconds: 98, rate: 1, rateUnit: 's/it' });
  assert.equal(p.format, 'hf-trainer');
});

const bar = (n: number, total: number) => `\r ${Math.floor((100 * n) / total)}%|#         | ${n}/${total} [00:0${n % 10}<00:10, 19.61it/s]`;

test('Trainer dicts take the global step of the training bar redrawn after them (tqdm.write), not the lagging one before', () => {
  const log = `***** Running training *****\n${bar(0, 500)}${bar(8, 500)}\r        \r{'loss': 2.1, 'epoch': 0.02}\n${bar(10, 500)}${bar(19, 500)}`
    + `\r        \r{'loss': 1.9, 'epoch': 0.04}\n${bar(20, 500)}\n`;
  const r = parseLog(log);
  assert.deepEqual(series(r.points, 'loss'), [[10, 2.1], [20, 1.9]]);
  assert.deepEqual(series(r.points, 'epoch'), [[10, 0.02], [20, 0.04]]);
});

test('the evaluation bar (nested with cursor-up, described, or another total) is never the training step', () => {
  // nested: tqdm draws position 1 as '\n', the bar, ESC[A. This excerpt starts inside an evaluation: the first plain
  // bar is the nested eval bar, and only the nesting keeps it from being taken as the training bar.
  const nested = `\n\r 44%|#    | 4/9 [00:01<00:01, 9.0it/s]\x1b[A${bar(50, 500)}\r{'eval_loss': 1.5, 'epoch': 0.1}\n${bar(50, 500)}\n`;
  assert.deepEqual(series(parseLog(nested).points, 'eval_loss'), [[50, 1.5]]);
  const described = `${bar(50, 500)}\nEvaluation in progress: 100%|##| 9/9 [00:01<00:00, 9.0it/s]\r{'eval_loss': 1.5}\n${bar(50, 500)}\n`;
  assert.deepEqual(series(parseLog(described).points, 'eval_loss'), [[50, 1.5]]);
  const otherTotal = `${bar(50, 500)}\n 100%|##| 9/9 [00:01<00:00, 9.0it/s]\r{'eval_loss': 1.5}\n${bar(50, 500)}${bar(9, 9)}\n`;
  assert.deepEqual(series(parseLog(otherTotal).points, 'eval_loss'), [[50, 1.5]]);
});

test('trainer.evaluate() before train(): its eval dict at step 0, its complete bar not the training bar (a tester\'s log)', () => {
  // a baseline evaluation: evaluate() draws a plain bar of the 25 eval batches, writes the dict (tqdm.write redraws
  // the bar after it), then train() draws the training bar of max_steps 60 with the dicts interleaved
  let log = `${bar(1, 25)}${bar(25, 25)}\r{'eval_loss': 2.3, 'eval_runtime': 2.5}\n${bar(25, 25)}\n`;
  for (let s = 1; s <= 20; s++) log += s % 5 === 0 ? `${bar(s, 60)}\r{'loss': ${2.2 - s / 100}, 'epoch': ${s / 60}}\n${bar(s, 60)}` : bar(s, 60);
  const r = parseLog(`${log}\n`);
  assert.deepEqual(series(r.points, 'eval_loss'), [[0, 2.3]]);
  assert.deepEqual(series(r.points, 'loss').map(([st]) => st), [5, 10, 15, 20]);
  assert.equal(r.meta.unplaced_points, undefined);
});

test('no training bar, or dicts not interleaved with it (buffered stdout): index convention; summary stays metadata', () => {
  const noBar = "{'loss': 2.0}\n{'loss': 1.5}\n{'train_runtime': 3.0, 'train_loss': 1.7}\n";
  const r = parseLog(noBar);
  assert.deepEqual(series(r.points, 'loss'), [[1, 2], [2, 1.5]]);
  assert.equal(r.meta.train_loss, 1.7);
  // stdout flushed in a block after the bars: the dicts follow each other, no redraw between them
  const buffered = `${bar(0, 30)}${bar(10, 30)}${bar(30, 30)}\n{'loss': 2.0}\n{'loss': 1.5}\n{'loss': 1.2}\n`;
  assert.deepEqual(series(parseLog(buffered).points, 'loss'), [[1, 2], [2, 1.5], [3, 1.2]]);
  // a new run segment forgets the old bar: the next run's bar may have another total
  const two = `***** Running training *****\n${bar(0, 30)}${bar(10, 30)}\r{'loss': 2.0}\n${bar(10, 30)}\n`
    + `***** Running training *****\n${bar(0, 60)}${bar(5, 60)}\r{'loss': 1.0}\n${bar(5, 60)}\n`;
  assert.deepEqual(series(parseLog(two).points, 'loss'), [[10, 2], [5, 1]]);
});

test('ANSI colour codes are removed before parsing', () => {
  const r = parseLog('\x1b[32m2023-03-22 09:30:39\x1b[0m iter 10: loss \x1b[1m3.9883\x1b[0m, time 1099.34ms, mfu 15.34%\n');
  assert.equal(r.format, 'nanogpt');
  assert.deepEqual(series(r.points, 'loss'), [[10, 3.9883]]);
  assert.equal(r.points[0].time, Date.UTC(2023, 2, 22, 9, 30, 39));
});

test('rank prefixes: the same record printed by every rank is one point', () => {
  const lines = [0, 1, 2, 3].map((r) => `[rank${r}]: {'loss': 1.5, 'grad_norm': 0.5}`).join('\n') + '\n' + [0, 1].map((r) => `[rank${r}]: {'loss': 1.25, 'grad_norm': 0.25}`).join('\n') + '\n';
  const r = parseLog(lines);
  assert.deepEqual(series(r.points, 'loss'), [[1, 1.5], [2, 1.25]]);
  const srun = parseLog("0: iter 1: loss 2.0, time 10.0ms, mfu 1.00%\n1: iter 1: loss 2.1, time 10.0ms, mfu 1.00%\n1: iter 2: loss 1.8, time 10.0ms, mfu 1.00%\n0: iter 2: loss 1.9, time 10.0ms, mfu 1.00%\n");
  assert.deepEqual(series(srun.points, 'loss'), [[1, 2.0], [2, 1.9]]);
});

test('a dict wrapped mid-word onto the next line is joined', () => {
  const r = parseLog("{'loss': 1.0, 'grad_n\norm': 2.0, 'learning_rate': 1e-05}\n{'loss': 0.5, 'grad_norm': 1.5, 'learning_rate': 1e-05}\n");
  assert.deepEqual(series(r.points, 'loss'), [[1, 1.0], [2, 0.5]]);
  assert.deepEqual(series(r.points, 'grad_norm'), [[1, 2.0], [2, 1.5]]);
});

test('truncated last line: complete fields are kept, the possibly cut last token is not', () => {
  const r = parseLog('iter 10: loss 2.5000, time 100.00ms, mfu 3.00%\niter 20: loss 2.4000, time 101.00ms, mfu 3');
  assert.deepEqual(series(r.points, 'loss'), [[10, 2.5], [20, 2.4]]);
  assert.deepEqual(series(r.points, 'mfu'), [[10, 3]]);
  const d = parseLog("{'loss': 1.0, 'learning_rate': 2e-05}\n{'loss': 0.9, 'learning_rate': 1.9");
  assert.deepEqual(series(d.points, 'loss'), [[1, 1.0], [2, 0.9]]);
  assert.deepEqual(series(d.points, 'learning_rate'), [[1, 2e-5]]);
});

test('a loss that went NaN is a NaN point; nan/inf spellings of Python and JSON', () => {
  const r = parseLog("{'loss': nan, 'grad_norm': inf}\n{'loss': -inf, 'grad_norm': 1.0}\n{\"step\": 3, \"loss\": NaN, \"grad_norm\": Infinity}\n");
  const loss = series(r.points, 'loss');
  assert.equal(loss.length, 3);
  assert.ok(Number.isNaN(loss[0][1]));
  assert.equal(loss[1][1], -Infinity);
  assert.deepEqual(loss[2][0], 3);
  assert.ok(Number.isNaN(loss[2][1]));
  assert.deepEqual(series(r.points, 'grad_norm').map((x) => x[1]), [Infinity, 1, Infinity]);
});

test('binary garbage between records is skipped without losing the records', () => {
  const garbage = new Uint8Array([0xff, 0xfe, 0x00, 0x80, 0x0a, 0xc3, 0x28, 0x1b, 0x5b, 0x0d, 0xe2, 0x82]);
  const a = new TextEncoder().encode("{'loss': 3.0}\n");
  const b = new TextEncoder().encode("\n{'loss': 2.0}\niteration       10/     100 | lm loss: 1.000000E+00 | loss scale: 1.0 |\n");
  const bytes = new Uint8Array([...a, ...garbage, ...b]);
  const r = parseLog(bytes);
  assert.deepEqual(series(r.points, 'loss'), [[1, 3], [2, 2], [10, 1]]);
});

test('the same step again is one point (first value) unless a new run segment started', () => {
  const line = (it: number, loss: number) => ` iteration ${it}/ 100 | lm loss: ${loss.toExponential(6)} | loss scale: 1.0 | grad norm: 1.000 |`;
  const dup = parseLog([line(1, 5), line(2, 4), line(2, 9), line(3, 3)].join('\n') + '\n');
  assert.deepEqual(series(dup.points, 'loss'), [[1, 5], [2, 4], [3, 3]]);
  // a resumed run re-logs iterations 2..3 after its startup banner: those points start a new segment
  const resumed = parseLog([line(1, 5), line(2, 4), line(3, 3), 'training ...', line(2, 4.5), line(3, 3.5), line(4, 2.5)].join('\n') + '\n');
  assert.deepEqual(series(resumed.points, 'loss'), [[1, 5], [2, 4], [3, 3], [2, 4.5], [3, 3.5], [4, 2.5]]);
});

test('the Trainer final summary is metadata, not a loss point', () => {
  const r = parseLog("{'loss': 1.2, 'learning_rate': 1e-05, 'epoch': 2.9}\n{'train_runtime': 472.0904, 'train_samples_per_second': 0.763, 'train_steps_per_second': 0.095, 'train_loss': 2.382095660103692, 'epoch': 3.0}\n");
  assert.deepEqual(series(r.points, 'loss'), [[1, 1.2]]);
  assert.deepEqual(series(r.points, 'epoch'), [[1, 2.9]]);
  assert.equal(r.meta.train_loss, 2.382095660103692);
  assert.equal(r.meta.train_runtime, 472.0904);
});

test('Python literal details: quotes in keys, True/None/strings/lists/tensors skipped, labelled dicts ignored', () => {
  const r = parseLog(`{"it's": 1.5, 'flag': True, 'none': None, 'name': 'x, y}', 'hist': [1, 2, {'a': 3}], 't': tensor(0.5, device='cuda:0'), 'loss': -0.25}\nDATASET CONFIG: {'lr': 0.1}\n`);
  assert.deepEqual(series(r.points, "it's"), [[1, 1.5]]);
  assert.deepEqual(series(r.points, 'loss'), [[1, -0.25]]);
  assert.deepEqual([...new Set(r.points.map((p) => p.series))], ["it's", 'loss']);
});

test('LLaMA-Factory trainer_log.jsonl: current_steps is the step, lr is learning_rate, progress from the totals', () => {
  const text = [
    '{"current_steps": 10, "total_steps": 1752, "loss": 3.5534, "lr": 2.0454545454545457e-06, "epoch": 0.01, "percentage": 0.57, "elapsed_time": "0:00:29", "remaining_time": "1:22:01"}',
    '{"current_steps": 20, "total_steps": 1752, "loss": 0.0, "lr": 4.3181818181818185e-06, "epoch": 0.01, "percentage": 1.14, "elapsed_time": "0:00:57", "remaining_time": "1:22:40"}',
    '{"current_steps": 20, "total_steps": 1752, "eval_loss": 1.25, "epoch": 0.01, "percentage": 1.14, "elapsed_time": "0:01:10", "remaining_time": "1:22:40"}',
  ].join('\n') + '\n';
  const r = parseLog(text, { fileName: 'trainer_log.jsonl' });
  assert.equal(r.format, 'llamafactory');
  assert.deepEqual(series(r.points, 'loss'), [[10, 3.5534], [20, 0]]);
  assert.deepEqual(series(r.points, 'learning_rate'), [[10, 2.0454545454545457e-06], [20, 4.3181818181818185e-06]]);
  assert.deepEqual(series(r.points, 'eval_loss'), [[20, 1.25]]);
  assert.equal(r.points.some((p) => p.series === 'percentage' || p.series === 'total_steps'), false);
  assert.deepEqual(r.progress, { step: 20, total: 1752, etaSeconds: 4960 });
});

test('generic JSONL (W&B-style keys and timestamps)', () => {
  const r = parseLog('{"_step": 5, "_timestamp": 1700000000.5, "train/loss": 1.5, "train/learning_rate": 0.001, "eval/loss": 2.0}\n');
  assert.equal(r.format, 'jsonl');
  assert.deepEqual(series(r.points, 'loss'), [[5, 1.5]]);
  assert.deepEqual(series(r.points, 'learning_rate'), [[5, 0.001]]);
  assert.deepEqual(series(r.points, 'eval_loss'), [[5, 2.0]]);
  assert.equal(r.points[0].time, 1700000000500);
});

test('torchtune DiskLogger lines and its tqdm description', () => {
  const r = parseLog('Step 1 | loss:1.2345 lr:2e-05 tokens_per_second_per_gpu:1234.5 \nStep 2 | loss:1.1 lr:2e-05 tokens_per_second_per_gpu:1200.0 \n');
  assert.equal(r.format, 'torchtune');
  assert.deepEqual(series(r.points, 'loss'), [[1, 1.2345], [2, 1.1]]);
  assert.deepEqual(series(r.points, 'tokens_per_second_per_gpu'), [[1, 1234.5], [2, 1200]]);
  const bar = parseLog('1|32|Loss: 0.9875: 10%|█         | 32/320 [00:10<01:30,  3.20it/s]\n');
  assert.equal(bar.format, 'torchtune');
  assert.deepEqual(series(bar.points, 'loss'), [[32, 0.9875]]);
  assert.deepEqual(bar.progress, { step: 32, total: 320, etaSeconds: 90, rate: 3.2, rateUnit: 'it/s' });
});

test('DeepSpeed engine step line and apex overflow record', () => {
  const r = parseLog('[2024-01-01 00:00:00,000] [INFO] [logging.py:96:log_dist] [Rank 0] step=10, skipped=2, lr=[1e-05], mom=[(0.9, 0.999)]\nGradient overflow.  Skipping step, loss scaler 0 reducing loss scale to 32768.0\n');
  assert.equal(r.format, 'deepspeed');
  assert.deepEqual(series(r.points, 'skipped_steps'), [[10, 2]]);
  assert.deepEqual(series(r.points, 'learning_rate'), [[10, 1e-5]]);
  assert.deepEqual(series(r.points, 'loss_scale'), [[1, 32768]]);
});

test('MMEngine iteration-based loop and eval lines; lit-gpt newer format', () => {
  const r = parseLog('01/01 00:00:00 - mmengine - INFO - Iter(train) [  100/10000]  lr: 1.0000e-04  eta: 1:00:00  time: 0.5000  data_time: 0.0100  memory: 1000  loss: 2.0000\n01/01 00:00:10 - mmengine - INFO - Iter(val) [50/50]  loss: 2.5000\n');
  assert.equal(r.format, 'mmengine');
  assert.deepEqual(series(r.points, 'loss'), [[100, 2]]);
  assert.deepEqual(series(r.points, 'eval_loss'), [[100, 2.5]]); // at the training step the evaluation ran
  // LitGPT's finetune/full.py line; ' (step)' marks the micro-batch that ran optimizer.step() (log_interval 10,
  // gradient_accumulation_iters 2): each marked line closes its optimizer step, which is the step axis.
  const l = parseLog('Epoch 1 | iter 10 step 5 | loss train: 1.234, val: n/a | iter time: 100.00 ms (step)\nEpoch 1 | iter 20 step 10 | loss train: 1.1, val: 1.3 | iter time: 99.00 ms (step) remaining time: 0:01:00\n');
  assert.equal(l.format, 'litgpt');
  assert.deepEqual(series(l.points, 'loss'), [[5, 1.234], [10, 1.1]]);
  assert.deepEqual(series(l.points, 'eval_loss'), [[10, 1.3]]);
});

test('points without a timestamp in the line take the time of arrival from now()', () => {
  let t = 1000;
  const p = createLogParser({ now: () => t });
  const a = p.push("{'loss': 1.0}\n");
  t = 2000;
  const b = p.push("{'loss': 0.5}\n2023-01-01 00:00:00 iter 3: loss 0.4, time 1.0ms, mfu 1.00%\n");
  // A dict that opens a log waits for the next line (a training bar redrawn after it would give its step, issue 12),
  // and keeps the time it arrived at.
  assert.deepEqual(a.points.map((x) => x.time), []);
  assert.deepEqual(b.points.filter((x) => x.series === 'loss').map((x) => x.time), [1000, 2000, Date.UTC(2023, 0, 1)]);
});

test('a pretty-printed trainer_state.json without a .json name is still read as a document', () => {
  const doc = JSON.stringify({ global_step: 20, max_steps: 100, log_history: [{ step: 10, loss: 2.0, epoch: 0.1 }, { step: 20, loss: NaN, epoch: 0.2 }] }, null, 2).replace('null', 'NaN');
  const r = parseLog(doc);
  assert.equal(r.format, 'trainer-state');
  assert.equal(r.points.filter((p) => p.series === 'loss').length, 2);
  assert.ok(Number.isNaN(series(r.points, 'loss')[1][1]));
  assert.deepEqual(r.progress, { step: 20, total: 100 });
});

test('TensorBoard event file: simple_value and tensor scalars, NaN kept, duplicate step and bad record dropped', () => {
  const bytes = new Uint8Array(readFileSync(TB));
  for (const name of ['events.out.tfevents.1700000000.host.12345.0', undefined]) {
    const r = parseLog(bytes, { fileName: name });
    assert.equal(r.format, 'tensorboard');
    const loss = series(r.points, 'loss');
    assert.deepEqual(loss.map((x) => x[0]), [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    assert.equal(loss[0][1], 2);
    assert.equal(loss[3][1], 0.5);
    assert.ok(Number.isNaN(loss[6][1]));
    assert.equal(loss[9][1], Math.fround(0.2)); // simple_value is a float32; the duplicate 99.0 at step 10 is dropped
    assert.deepEqual(series(r.points, 'eval_loss'), [[5, 0.75], [10, 0.5]]);
    assert.deepEqual(series(r.points, 'learning_rate')[0], [1, Math.fround(1e-4 * (1 - 1 / 20))]);
    assert.deepEqual(series(r.points, 'epoch_accuracy'), [[0, 0.5], [1, Math.fround(0.6)], [2, Math.fround(0.7)]]);
    assert.deepEqual(series(r.points, 'epoch_loss'), [[3, 0.125]]);
    assert.equal(r.points.some((p) => p.series === 'weights'), false);
    assert.equal(r.points[0].time, (1700000000 + 1) * 1000);
    assert.equal(r.meta.corrupt_records, 1);
    assert.equal(r.meta.truncated_bytes, 20);
  }
});

const corpus = readdirSync(LOGS).filter((f) => f !== 'SOURCES.tsv').map((f) => ({ name: f, bytes: new Uint8Array(readFileSync(join(LOGS, f))) }));
corpus.push({ name: 'events.out.tfevents.1700000000.host.12345.0', bytes: new Uint8Array(readFileSync(TB)) });

/** Splits bytes at the given (sorted, deduplicated) cut positions. */
function cut(bytes: Uint8Array, cuts: number[]): Uint8Array[] {
  const pos = [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b);
  const out: Uint8Array[] = [];
  let prev = 0;
  for (const p of pos) { out.push(bytes.subarray(prev, p)); prev = p; }
  out.push(bytes.subarray(prev));
  return out;
}

test('property: any chunking of the bytes gives the same points and format as one chunk (every corpus log)', () => {
  for (const { name, bytes } of corpus) {
    const whole = parseLog(bytes, { fileName: name });
    fc.assert(fc.property(fc.array(fc.nat(), { maxLength: 40 }), (cuts) => {
      const r = parseChunks(cut(bytes, cuts), name);
      assert.deepEqual(r.points, whole.points, name);
      assert.equal(r.format, whole.format, name);
    }), { numRuns: 25, seed: 42 });
  }
});

test('property: chunks of text (split anywhere, also inside \\r\\n) give the same points as bytes', () => {
  for (const { name, bytes } of corpus.filter((c) => !c.name.includes('tfevents'))) {
    const text = new TextDecoder().decode(bytes);
    const whole = parseLog(bytes, { fileName: name });
    fc.assert(fc.property(fc.array(fc.nat(), { maxLength: 20 }), (cuts) => {
      const pos = [...new Set(cuts.map((c) => c % (text.length + 1)))].sort((a, b) => a - b);
      const chunks: string[] = [];
      let prev = 0;
      for (const p of pos) { chunks.push(text.slice(prev, p)); prev = p; }
      chunks.push(text.slice(prev));
      assert.deepEqual(parseChunks(chunks, name).points, whole.points, name);
    }), { numRuns: 12, seed: 7 });
  }
});

test('property: garbage never throws and never yields malformed points', () => {
  const snippets = corpus.map((c) => new TextDecoder().decode(c.bytes.subarray(0, 400)));
  const arb = fc.array(fc.oneof(
    fc.uint8Array({ maxLength: 200 }),
    fc.string({ maxLength: 120 }),
    fc.constantFrom(...snippets),
    fc.constantFrom("{'loss': ", '{"step": 1e400, "loss": 1}', 'iteration 9999999999999999999/ 1 | lm loss: 1e999 |', '\r', '\n', '\x1b[', "{'a': [[[[", 'tensor(', '\u0000', '\ufffd'),
  ), { maxLength: 30 });
  fc.assert(fc.property(arb, fc.option(fc.constantFrom('a.log', 'trainer_state.json', 'metrics.csv', 'events.out.tfevents.1')), (chunks, fileName) => {
    const p = createLogParser({ fileName: fileName ?? undefined });
    const pts: MetricPoint[] = [];
    for (const c of chunks) pts.push(...p.push(c).points);
    pts.push(...p.end().points);
    for (const x of pts) {
      assert.equal(typeof x.series, 'string');
      assert.ok(x.series.length > 0);
      assert.ok(Number.isFinite(x.step), `step ${x.step}`);
      assert.equal(typeof x.value, 'number');
    }
    assert.equal(typeof p.format, 'string');
  }), { numRuns: 400, seed: 1 });
});

test('property: the byte fast path and the text path agree on mixed Trainer logs, however the bytes are chunked', () => {
  const lineArb = fc.oneof(
    fc.tuple(fc.double({ noNaN: false, min: -1e3, max: 1e3 }), fc.double({ min: 0, max: 1e-3, noNaN: true }), fc.double({ min: 0, max: 10, noNaN: true })).map(([l, lr, e]) => `{'loss': ${Number.isNaN(l) ? 'nan' : String(l).replace('Infinity', 'inf')}, 'learning_rate': ${lr}, 'epoch': ${e}}`),
    fc.double({ min: 0, max: 5, noNaN: true }).map((v) => `{'eval_loss': ${v}, 'eval_runtime': 3.5, 'epoch': 1.0}`),
    fc.double({ min: 0, max: 5, noNaN: true }).map((v) => `{'mémoire (GiB)': ${v}, 'loss': ${v}}`),
    fc.double({ min: 0, max: 5, noNaN: true }).map((v) => `  {'loss': ${v}, 'grad_norm': 1e+400}   `),
    fc.integer({ min: 0, max: 100 }).map((n) => ` ${n}%|█| ${n}/100 [00:0${n % 10}<00:10,  1.00it/s]\r`),
    fc.constantFrom("{'train_runtime': 1.0, 'train_loss': 2.0}", "{'loss': 1.5, 'grad_n", "orm': 2.0}", '', '\r', "{'a': 'b'}", "{'loss': 1.0,  'x': 2}", "{'loss': 1}{'loss': 2}", '[rank1]: {\'loss\': 9.0}'),
  );
  fc.assert(fc.property(fc.array(lineArb, { maxLength: 40 }), fc.array(fc.nat(), { maxLength: 12 }), fc.boolean(), (lines, cuts, crlf) => {
    const text = lines.join(crlf ? '\r\n' : '\n') + (lines.length % 2 ? '\n' : '');
    const bytes = new TextEncoder().encode(text);
    const asText = parseChunks([text]);
    const asBytes = parseChunks(cut(bytes, cuts));
    assert.deepEqual(asBytes.points, asText.points);
    assert.equal(asBytes.format, asText.format);
  }), { numRuns: 300, seed: 11 });
});

test('a dict glued right after a progress bar; MMEngine eval lines belong to the training step reached', () => {
  const r = parseLog(" 50%|█████     | 1/2 [00:01<00:01,  1.00it/s]{'loss': 1.25, 'epoch': 0.5}\n");
  assert.deepEqual(series(r.points, 'loss'), [[1, 1.25]]);
  assert.equal(r.progress?.step, 1);
  const m = parseLog('Epoch(train) [2][100/735]  lr: 1.0e-04  loss: 2.0\nEpoch(val) [2][50/50]  loss: 2.5  accuracy: 0.7\n');
  assert.deepEqual(series(m.points, 'loss'), [[835, 2]]);
  assert.deepEqual(series(m.points, 'eval_loss'), [[835, 2.5]]);
  assert.deepEqual(series(m.points, 'eval_accuracy'), [[835, 0.7]]);
});

test('a log inventing a new key per line cannot grow the series without bound', () => {
  const lines: string[] = [];
  for (let i = 0; i < 5000; i++) lines.push(`{"step": ${i}, "sample_${i}": 1.0}`);
  const r = parseLog(lines.join('\n') + '\n');
  assert.equal(new Set(r.points.map((p) => p.series)).size, 4096);
  assert.equal(r.meta.dropped_series, 5000 - 4096);
});

test("keys named like Object.prototype's members are series of their own, not its functions (canonicalName)", () => {
  const r = parseLog('{"step": 1, "constructor": 0.5, "__proto__": 0.25, "toString": 2}\n{"step": 2, "constructor": 0.75, "__proto__": 0.5, "toString": 3}\n');
  const names = [...new Set(r.points.map((p) => p.series))].sort();
  assert.deepEqual(names, ['__proto__', 'constructor', 'toString']);
  assert.deepEqual(series(r.points, 'constructor'), [[1, 0.5], [2, 0.75]]);
});

test('parseLog returns the log\'s events; a launch read at end() counts the points of the whole result', () => {
  // the last line, unterminated, is read at end() (its last, maybe cut, token dropped): `Resuming training from`
  const r = parseLog('iter 1: loss 2.0, time 1.0ms\niter 2: loss 1.9, time 1.0ms\nResuming training from checkpoint-2');
  assert.deepEqual(r.events, [{ kind: 'launch', line: 'Resuming training from', at: 4, step: 2 }]);
  assert.equal(r.points.length, 4);
  assert.deepEqual(parseLog('iter 1: loss 2.0, time 1.0ms\nCUDA out of memory.\n').events, [{ kind: 'crash', crash: 'cuda-oom', reason: 'CUDA out of memory', line: 'CUDA out of memory.', step: 1 }]);
  assert.equal(parseLog('iter 1: loss 2.0, time 1.0ms\n').events, undefined);
});

test('MMEngine: `base_lr: X lr: Y` (one space between, as LogProcessor joins the learning rates) reads both', () => {
  // mmengine/runner/log_processor.py: the lr items are joined with ' ', the other fields with '  '
  const line = (i: number, lr: string) => `2023/09/27 01:33:11 - mmengine - INFO - Epoch(train) [10][${String(i).padStart(3)}/500]  base_lr: 1.0000e-04 lr: ${lr}  eta: 0:11:48  time: 1.5860  data_time: 0.0074  memory: 9232  grad_norm: 2.3275  loss: 0.8000`;
  const r = parseLog(`${line(50, '1.0000e-04')}\n${line(100, '9.0000e-05')}\n`);
  assert.deepEqual(series(r.points, 'learning_rate'), [[4550, 1e-4], [4600, 9e-5]]);
  assert.deepEqual(series(r.points, 'base_lr'), [[4550, 1e-4], [4600, 1e-4]]);
  // a field name with a space stays whole (MetricLogger's `max mem`)
  const ml = parseLog('[01:33:27.164930] Epoch: [0]  [10/1504]  lr: 0.000000  closs: 1.5367 (1.5368)  time: 5.0133  data: 0.1277  max mem: 39297\n');
  assert.ok(ml.points.some((p) => p.series === 'max_mem' || p.series === 'max mem'), ml.points.map((p) => p.series).join(','));
});
