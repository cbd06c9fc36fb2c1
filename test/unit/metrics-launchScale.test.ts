/**
 * Issue 12, the loss-scale tester's findings (inputs in the tester's t12-inputs: upgrade-long.log, upgrade.log,
 * gachange-long-rev.log, downgrade-long.log, nano-min2.log, mega-resume.log): the loss-scale verdict per launch, one
 * alert per resume, the transformers version from pip freeze and `transformers-cli env`, and a resume jump judged in
 * nats against the curve's noise. The logs below are small copies of those logs' shapes and values.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createMetricsFeed, lossFactorAt } from '../../src/core/metrics';
import { renderMetrics } from '../../src/cli/metrics';

/** A transformers Trainer launch as upgrade.log prints it: the model config dump (with the version), the banner,
 * then per logged step a training bar, the dict and the bar again. `resumeFrom`: the `Continuing training` lines. */
function hfLaunch(version: string | undefined, ga: number, steps: number[], loss: (s: number) => number, resumeFrom?: number, versionLines: string[] = []): string[] {
  const ts = '2024-11-05 10:00:05,123';
  const out = [...versionLines];
  if (version) out.push(`[INFO|configuration_utils.py:746] 2024-11-05 10:00:00,001 >> Model config LlamaConfig {`, `  "transformers_version": "${version}",`, '  "vocab_size": 32000', '}');
  out.push(`[INFO|trainer.py:2314] ${ts} >> ***** Running training *****`,
    `[INFO|trainer.py:2317] ${ts} >>   Instantaneous batch size per device = 4`,
    `[INFO|trainer.py:2320] ${ts} >>   Total train batch size (w. parallel, distributed & accumulation) = ${4 * ga}`,
    `[INFO|trainer.py:2321] ${ts} >>   Gradient Accumulation steps = ${ga}`,
    `[INFO|trainer.py:2322] ${ts} >>   Total optimization steps = 300`);
  if (resumeFrom !== undefined) out.push(`[INFO|trainer.py:2350] ${ts} >>   Continuing training from checkpoint, will skip to saved global_step`, `[INFO|trainer.py:2352] ${ts} >>   Continuing training from global step ${resumeFrom}`);
  const bar = (s: number) => ` ${Math.floor(s / 3)}%|          | ${s}/300 [00:${String(s % 60).padStart(2, '0')}<01:00,  1.00s/it]`;
  for (const s of steps) out.push(bar(s), '                                        ', `{'loss': ${loss(s).toFixed(4)}, 'grad_norm': ${(1 + (s % 7) * 0.01).toFixed(3)}, 'learning_rate': 1e-05, 'epoch': ${(s / 100).toFixed(2)}}`, '', bar(s));
  return out;
}

const every5 = (from: number, to: number) => Array.from({ length: (to - from) / 5 + 1 }, (_, i) => from + i * 5);

function feedOf(text: string) {
  const feed = createMetricsFeed('r', 'run', { now: null });
  feed.pushChunk(text);
  feed.end();
  return feed;
}
const kinds = (feed: ReturnType<typeof feedOf>) => feed.snapshot().alerts.map((a) => `${a.kind}@${a.step}`);

test('upgrade-long: 4.45.2 then a resume on 4.46.1 with GA 8: only the second launch carries the factor', () => {
  // upgrade-long.log: steps 5..100 at ~2.49 falling 0.01 per point on 4.45.2, then steps 105.. at 8× on 4.46.1
  const l1 = hfLaunch('4.45.2', 8, every5(5, 100), (s) => 2.5 - s / 500);
  const l2 = hfLaunch('4.46.1', 8, every5(105, 160), (s) => 8 * (2.5 - s / 500), 100);
  const feed = feedOf(`${[...l1, ...l2].join('\n')}\n`);
  const info = feed.info();
  assert.equal(info.lossScale, undefined, 'the whole log is not on one scale');
  assert.equal(info.launches?.length, 2);
  assert.equal(info.launches![0].lossScale, undefined);
  assert.equal(info.launches![0].settings.frameworkVersion, 'transformers 4.45.2');
  assert.equal(info.launches![1].lossScale?.factor, 8);
  assert.deepEqual([info.launches![0].firstStep, info.launches![0].lastStep, info.launches![1].firstStep], [5, 100, 105]);
  // the rescaled view divides launch 2's points only
  assert.equal(lossFactorAt(info, 'loss', 50), 1);
  assert.equal(lossFactorAt(info, 'loss', 105), 8);
  assert.match(info.notes.join('\n'), /Launch 1 \(steps 5–100; transformers 4\.45\.2, gradient_accumulation_steps 8\) logs the per-token loss/);
  assert.match(info.notes.join('\n'), /Logged loss factor of launch 2 \(steps 105–160\): transformers 4\.46\.1 .*divides this launch's loss by 8/);
  // one alert for the event: the settings explain the jump
  assert.deepEqual(kinds(feed), ['restart@105', 'scale-jump@105']);
  assert.match(feed.snapshot().alerts[1].message, /rose 7\.\d+× .*launch 1 \(transformers 4\.45\.2, gradient_accumulation_steps 8\) logs the per-token loss, launch 2 \(transformers 4\.46\.1, gradient_accumulation_steps 8\) 8× it/);
  // followed live, a line at a time (the banner of launch 2 comes in outputs of its own): the same verdict
  const live = createMetricsFeed('r', 'run', { now: null });
  for (const line of [...l1, ...l2]) live.pushChunk(`${line}\n`);
  live.end();
  assert.deepEqual(live.info().launches!.map((l) => [l.firstStep, l.lossScale?.factor ?? 1]), [[5, 1], [105, 8]]);
  assert.deepEqual(kinds(live), ['restart@105', 'scale-jump@105']);
  // the CLI says the same per launch
  const r = { format: feed.format, series: new Map(), alerts: feed.snapshot().alerts, meta: { ...feed.meta }, info };
  const j = JSON.parse(renderMetrics(r, 'json'));
  assert.equal(j.lossScale, null);
  assert.deepEqual(j.launches.map((l: { lossScale?: { factor: number } }) => l.lossScale?.factor ?? null), [null, 8]);
  const txt = renderMetrics(r, 'text');
  assert.match(txt, /^logged loss factor, launch 1 \(steps 5\.\.100, transformers 4\.45\.2\): none/m);
  assert.match(txt, /^logged loss factor, launch 2 \(steps 105\.\.160, transformers 4\.46\.1\): 8×, only if /m);
});

test('a resume from an earlier checkpoint (steps logged again): the faded earlier launch keeps its own factor', () => {
  // upgrade-long.log's upgrade, resumed from checkpoint 80: steps 85..100 are logged twice
  const l1 = hfLaunch('4.45.2', 8, every5(5, 100), (s) => 2.5 - s / 500);
  const l2 = hfLaunch('4.46.1', 8, every5(85, 140), (s) => 8 * (2.5 - s / 500), 80);
  const feed = feedOf(`${[...l1, ...l2].join('\n')}\n`);
  const info = feed.info();
  assert.deepEqual(info.launches!.map((l) => `${l.series}:${l.lossScale?.factor ?? 1}`), ['loss (segment 1):1', 'loss:8']);
  assert.equal(lossFactorAt(info, 'loss (segment 1)', 90), 1);
  assert.equal(lossFactorAt(info, 'loss', 90), 8);
  assert.deepEqual(kinds(feed), ['restart@85', 'scale-jump@85']);
});

test('gachange-long-rev and downgrade-long: the earlier launch was the inflated one, and the fall is a scale-jump', () => {
  // gachange-long-rev.log: GA 8 then GA 1, both on 4.46.1: the loss falls 8×
  const rev = feedOf(`${[...hfLaunch('4.46.1', 8, every5(5, 100), (s) => 8 * (2.5 - s / 500)), ...hfLaunch('4.46.1', 1, every5(105, 160), (s) => 2.5 - s / 500, 100)].join('\n')}\n`);
  let info = rev.info();
  assert.deepEqual(info.launches!.map((l) => l.lossScale?.factor ?? 1), [8, 1]);
  assert.match(info.notes.join('\n'), /Logged loss factor of launch 1 \(steps 5–100\)/);
  assert.deepEqual(kinds(rev), ['restart@105', 'scale-jump@105']);
  assert.match(rev.snapshot().alerts[1].message, /fell 0\.1\d× /);
  // downgrade-long.log: 4.46.1 then 4.48.0 (fixed), GA 8 on both
  const down = feedOf(`${[...hfLaunch('4.46.1', 8, every5(5, 100), (s) => 8 * (2.5 - s / 500)), ...hfLaunch('4.48.0', 8, every5(105, 160), (s) => 2.5 - s / 500, 100)].join('\n')}\n`);
  info = down.info();
  assert.deepEqual(info.launches!.map((l) => l.lossScale?.factor ?? 1), [8, 1]);
  assert.equal(lossFactorAt(info, 'loss', 100), 8);
  assert.equal(lossFactorAt(info, 'loss', 110), 1);
  assert.deepEqual(kinds(down), ['restart@105', 'scale-jump@105']);
});

test('a resume onto 4.46.1 with GA 8 whose level does not move: the factor did not apply (model_accepts_loss_kwargs)', () => {
  // the tester's caveat: the 4.46 inflation depends on whether the model takes the Trainer's loss kwargs
  // (huggingface/transformers#37766; LLaMA-Factory#7743): the same upgrade as upgrade.log, the loss going on as before
  const l1 = hfLaunch('4.45.2', 8, every5(5, 40), (s) => 2.5 - s / 100);
  const l2 = hfLaunch('4.46.1', 8, every5(45, 70), (s) => 2.5 - s / 100, 40);
  const feed = feedOf(`${[...l1, ...l2].join('\n')}\n`);
  assert.deepEqual(kinds(feed), ['restart@45']);
  const info = feed.info();
  assert.equal(info.lossScale, undefined);
  assert.deepEqual(info.launches!.map((l) => l.lossScale?.factor ?? 1), [1, 1]);
  assert.equal(lossFactorAt(info, 'loss', 50), 1);
  assert.match(info.notes.join('\n'), /Launch 2's settings \(transformers 4\.46\.1, gradient_accumulation_steps 8\) would log up to 8× the per-token loss, but the level stayed .*did not apply/);
});

test('upgrade.log: a short run (8 points, then 6) gets the scale-jump from the settings, not a resume-jump', () => {
  const l1 = hfLaunch('4.45.2', 8, every5(5, 40), (s) => 2.5 - s / 100);
  const l2 = hfLaunch('4.46.1', 8, every5(45, 70), (s) => 8 * (2.5 - s / 100) + 0.4, 40);
  const feed = feedOf(`${[...l1, ...l2].join('\n')}\n`);
  assert.deepEqual(kinds(feed), ['restart@45', 'scale-jump@45']);
});

test('the transformers version from pip freeze and transformers-cli env, per launch', () => {
  // a launch script that prints `pip freeze`, then one that prints `transformers-cli env` (no config dump)
  const l1 = hfLaunch(undefined, 8, every5(5, 100), (s) => 2.5 - s / 500, undefined, ['torch==2.5.1', 'transformers==4.45.2', 'trl==0.12.0']);
  const l2 = hfLaunch(undefined, 8, every5(105, 160), (s) => 8 * (2.5 - s / 500), 100, ['Copy-and-paste the text below in your GitHub issue and FILL OUT the two last points.', '', '- `transformers` version: 4.46.1', '- Platform: Linux-5.15.0-x86_64-with-glibc2.35', '- Python version: 3.11.9']);
  const feed = feedOf(`${[...l1, ...l2].join('\n')}\n`);
  const info = feed.info();
  assert.deepEqual(info.launches!.map((l) => l.settings.frameworkVersion), ['transformers 4.45.2', 'transformers 4.46.1']);
  assert.deepEqual(info.launches!.map((l) => l.lossScale?.factor ?? 1), [1, 8]);
  assert.equal(info.settings.frameworkVersion, 'transformers 4.46.1');
  assert.equal(feed.store.raw('transformers')?.length ?? 0, 0, 'the version lines are no metric');
});

test('a resume jump is judged in nats against the curve\'s noise: nanoGPT 2.79 -> 3.50 and Megatron +0.6 alert, a noisy resume does not', () => {
  // nano-min2.log: iter 0..30, then `Resuming training` from iter 20, whose loss comes back at 3.5012 (was 2.7912)
  const nanoHead = ['tokens per iteration will be: 16,384', 'found vocab_size = 65 (inside data/shakespeare_char/meta.pkl)'];
  const nano = [...nanoHead, 'Initializing a new model from scratch', 'step 0: train loss 4.2874, val loss 4.2823',
    'iter 0: loss 4.2654, time 29536.03ms, mfu -100.00%', 'iter 10: loss 3.2457, time 52.44ms, mfu 7.11%', 'iter 20: loss 2.7912, time 52.69ms, mfu 7.11%', 'iter 30: loss 2.6150, time 52.44ms, mfu 7.11%',
    ...nanoHead, 'Resuming training from out-shakespeare-char', 'step 20: train loss 3.5, val loss 3.6',
    'iter 20: loss 3.5012, time 29536.03ms, mfu -100.00%', 'iter 30: loss 3.4011, time 52.44ms, mfu 7.11%', 'iter 40: loss 3.3010, time 52.44ms, mfu 7.11%'];
  assert.deepEqual(kinds(feedOf(`${nano.join('\n')}\n`)), ['restart@20', 'resume-jump@20']);
  // mega-resume.log: lm loss 2.99 falling 0.01 per 10 iterations to 300, resumed from 200 at 3.39 (2.79 before)
  const mega = (i: number, loss: number) => // grad norm 1.00..1.06 as in the log
    `0:  iteration ${String(i).padStart(8)}/   10000 | consumed samples: ${String(i * 64).padStart(12)} | elapsed time per iteration (ms): 1523.4 | learning rate: 3.000000E-04 | global batch size:    64 | lm loss: ${loss.toExponential(6).toUpperCase()} | loss scale: 1.0 | grad norm: ${(1 + (i % 7) * 0.01).toFixed(3)} | number of skipped iterations:   0 | number of nan iterations:   0 |`;
  const m1 = ['0: training ...', ...Array.from({ length: 30 }, (_, k) => mega(10 * (k + 1), 3 - 0.01 * (k + 1)))];
  const m2 = ['0: training ...', ...Array.from({ length: 10 }, (_, k) => mega(210 + 10 * k, 3.39 - 0.01 * k))];
  assert.deepEqual(kinds(feedOf(`${[...m1, ...m2].join('\n')}\n`)), ['restart@210', 'resume-jump@210']);
  // a small, noisy fine-tuning loss (±0.15 around 0.5) that resumes at 0.70: 1.4× the level (the old 1.3× rule
  // fired) but within the curve's own noise: marked as a resume, no jump
  const noisy = [0.5, 0.65, 0.38, 0.6, 0.42, 0.66, 0.35, 0.55, 0.4, 0.62, 0.45, 0.5];
  const it = (i: number, l: number) => `iter ${i}: loss ${l.toFixed(4)}, time 52.44ms, mfu 7.11%`;
  const n1 = ['Starting training', ...noisy.map((l, k) => it(10 * k, l))];
  const n2 = ['Resuming training from out', it(110, 0.7), it(120, 0.48), it(130, 0.6)];
  assert.deepEqual(kinds(feedOf(`${[...n1, ...n2].join('\n')}\n`)), ['restart@110']);
});
