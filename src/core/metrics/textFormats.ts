/**
 * Recognizers for one line of a text training log (after the line splitter has removed line breaks, carriage
 * returns and surrounding blanks). Each one reads the record format a framework prints and reports values through
 * a {@link LineSink}; none of them throws. The Hugging Face Trainer's dict lines do not come through here: the
 * parser handles them on its fast path (see `literal.ts`).
 *
 * Sources of the formats:
 * - nanoGPT `train.py`: `iter {n}: loss {:.4f}, time {:.2f}ms, mfu {:.2f}%` and `step {n}: train loss {:.4f}, val loss {:.4f}`
 *   (mfu is -100 before it is measured).
 * - Megatron-LM `training.py` `training_log`: `iteration {n}/{total} | key: value | ...`; a loss whose average is
 *   NaN is left out of the line (`if avg > 0.0`), as is every loss of an interval whose iterations were all skipped
 *   (no advanced iteration to average over), which is why a vanished `lm loss` is a NaN point.
 * - DeepSpeed `loss_scaler.py` / `stage2.py` / `stage3.py`: `OVERFLOW! Rank r Skipping step. Attempted loss scale: X,
 *   reducing to Y` (or `but hysteresis is h`), `Current loss scale already at minimum`, timer `SamplesPerSec=`,
 *   engine `step=N, skipped=K, lr=[...]`; apex `Gradient overflow.  Skipping step, loss scaler 0 reducing loss scale to X`.
 * - torchtitan `train.py`: `step: {n}  loss: {x}  grad_norm: {x}  memory: {x}GiB({p}%)  tps: {n,nnn}  tflops: {x}  mfu: {p}%`.
 * - torchtune `DiskLogger`: `Step {n} | loss:{x} lr:{x} ...`; its tqdm description `{epoch}|{step}|Loss: {x}`.
 * - MMEngine `LoggerHook` (xtuner): `Epoch(train) [e][i/n]  lr: x  eta: h:mm:ss  time: x  ...  loss: x  grad_norm: x`
 *   and `Iter(train) [i/n] ...`.
 * - torchvision/DETR `MetricLogger` (also LLaMA2-Accessory): `Epoch: [e]  [i/n]  eta: ...  lr: x  loss: v (avg)  ...`;
 *   `Loss is nan, stopping training`.
 * - mlx-lm `tuner/trainer.py`: `Iter {n}: Train loss {x}, Learning Rate {x}, It/sec {x}, Tokens/sec {x}, Trained Tokens {n}, Peak mem {x} GB`,
 *   `Iter {n}: Val loss {x}, Val took {x}s`.
 * - lit-gpt/LitGPT: `iter {n} step {m}: loss {x}, iter time: {x}ms (optimizer.step)` and
 *   `Epoch {e} | iter {n} step {m} | loss train: {x}, val: {x|n/a} | iter time: {x} ms`; validation
 *   (`finetune/*.py`, `pretrain.py`) `iter {n}: val loss {:.4f}, val time: {:.2f} ms` (lit-gpt before 2024:
 *   `step {n}: val loss {:.4f}, val time: {:.2f}ms`, n also the iteration) and, after the loop,
 *   `Final evaluation | val loss: {:.3f} | val ppl: {:.3f}`.
 * - tqdm `format_meter`: `{p}%|{bar}| {n}/{total} [{elapsed}<{remaining}, {rate}{unit}{postfix}]`; PyTorch Lightning
 *   puts metrics in the postfix (`, loss=2.6, v_num=95nc`).
 * - PyTorch Lightning `CSVLogger` metrics.csv: a header row, then rows with empty cells for metrics not logged then.
 */
import { parseNumberToken } from './literal';
import { canonicalName, tbName } from './names';
import type { MicroBatchRecord } from './microBatches';
import type { Progress } from './types';

/** Where recognizers put what they read. `step` undefined means "next index of that series". */
export interface LineSink {
  /**
   * A point of series `name`. `judged` false: drawn, but not handed to the alert rules (a NaN loss Megatron reports
   * for an interval of fp16 overflow skips is the loss-scale search, not a diverged model); default true.
   */
  point(name: string, step: number | undefined, value: number, judged?: boolean): void;
  progress(p: Progress): void;
  meta(key: string, value: number | string): void;
  /** Names the record format that produced the line (first call per line wins for `format`). */
  format(name: string): void;
  /**
   * A launch line: a new run segment starts (a re-logged step after this point replaces, rather than repeats, earlier
   * ones), and, when an earlier launch logged points, a new launch of the run (see `LaunchEvent`). `line` is the line.
   */
  segment(line: string): void;
  /**
   * A plain tqdm bar was drawn: no description before it (`Loading checkpoint shards: `, `Evaluation in progress: `
   * name other loops) and no metrics in its postfix; `n`/`total` as printed. The Trainer's training bar is such a bar
   * (transformers `ProgressCallback.on_train_begin`: `tqdm(total=state.max_steps)`).
   */
  bar?(n: number, total: number): void;
  /**
   * The global step a record that prints none belongs to, from the run's step axis: the step being executed while
   * the training bar shows n (n + 1: the bar is redrawn after each optimizer step, so a record printed during the next
   * one follows it), else the step after the last iteration a stepped record printed. Undefined when the log has no
   * step axis yet (then such a record takes its 1-based index).
   */
  auxStep?(): number | undefined;
  /** A line that ends runs (see {@link detectCrashLine}). */
  crash?(c: CrashLine): void;
  /** One micro-batch record of a log that prints several per optimizer step (LitGPT `iter N step M`). */
  microBatch?(r: MicroBatchRecord): void;
  /**
   * The optimizer step completed at micro-batch iteration `iter` (undefined: at the last record), for lines of a
   * micro-batch log that name only the iteration (see `MicroBatchSteps.stepAtIter`). Undefined before any record.
   */
  stepAtIter?(iter: number | undefined): number | undefined;
  /** The highest step placed since the last launch began (the last training step of this launch so far), if any. */
  launchStep?(): number | undefined;
}

/** Kinds of lines that end training runs. */
export type CrashKind = 'cuda-oom' | 'nccl-timeout' | 'device-assert' | 'killed' | 'segfault' | 'traceback' | 'elastic-child-failed';

/**
 * A line that ends a run: `kind`, a short `reason` for the Runs view, the `line` itself (ANSI and prefixes removed,
 * cut to 500 characters). `mayBeCaught`: the line reports an exception a program may catch, log and train on after
 * (a Python traceback's exception line, also when it is a CUDA OOM or an NCCL error; fairseq's `OOM: Ran out of
 * memory with exception: ...` warning, logged when its trainer skips the batch): it ends the run only if no later
 * record follows (see core/metrics `CrashEvent`). Absent: the line ends the run at once (`Killed`, a bare OOM line).
 */
export interface CrashLine { kind: CrashKind; reason: string; line: string; mayBeCaught?: true }

/** The reason of a run that died of SIGSEGV (its line, or exit 139 / -11 alone: core/runs `crashOfLog`). */
export const SEGFAULT_REASON = 'segmentation fault (SIGSEGV, exit 139)';

const CRASH_RULES: Array<[RegExp, CrashKind, string]> = [
  // torch/c10 CUDACachingAllocator: `torch.OutOfMemoryError: CUDA out of memory. Tried to allocate 64.00 GiB ...`
  [/CUDA out of memory|OutOfMemoryError|CUBLAS_STATUS_ALLOC_FAILED|HIP out of memory/, 'cuda-oom', 'CUDA out of memory'],
  // c10d ProcessGroupNCCL.cpp: `[Rank 5] Watchdog caught collective operation timeout: WorkNCCL(SeqNum=..., OpType=ALLREDUCE ...) ran for 1800000 milliseconds before timing out.`
  [/Watchdog caught collective operati|NCCL (?:communicator was aborted|watchdog thread terminated)|ProcessGroupNCCL.*(?:[Tt]imeout|timed out)/, 'nccl-timeout', 'NCCL watchdog timeout'],
  // ATen: `RuntimeError: CUDA error: device-side assert triggered`, `../aten/src/ATen/native/cuda/Indexing.cu:1146: ... Assertion ... failed.`
  [/device-side assert(?:ion)? triggered|\.cu:\d+: .*Assertion `.*` failed/, 'device-assert', 'CUDA device-side assert'],
  // torch.distributed.elastic: `torch.distributed.elastic.multiprocessing.errors.ChildFailedError:` and the
  // `[...] failed (exitcode: -9) local_rank: 0 (pid: 123) of binary: ...` line.
  [/ChildFailedError|failed \(exitcode: -?\d+\) local_rank/, 'elastic-child-failed', 'a torch.distributed.elastic child failed'],
  // The shell's report of a SIGKILL (Linux OOM killer): `Killed`, `... Killed  python train.py`, `exit code 137`.
  [/^(?:\S+: )?(?:line \d+: )?(?:\d+ )?Killed(?:\s|$)|exit(?:ed with)? code:? 137\b|Signal 9 \(SIGKILL\)/, 'killed', 'killed (SIGKILL, exit 137: the host ran out of memory?)'],
  // The shell's report of a SIGSEGV (dash: `Segmentation fault`, bash: `bash: line 1: 12345 Segmentation fault
  // (core dumped) python train.py`), Python's faulthandler `Fatal Python error: Segmentation fault`.
  [/^(?:\S+: )?(?:line \d+: )?(?:\d+ )?Segmentation fault(?:\s|$)|^Fatal Python error: Segmentation fault/, 'segfault', SEGFAULT_REASON],
];
/** Cheap pre-filter: a line none of these words is in ends no run (instead of five rules per line). Searched with
 * indexOf, a third faster than one regex of the alternatives on long log lines (measured on Megatron lines). */
const CRASH_WORDS = ['memory', 'OutOfMemory', 'CUBLAS', 'Watchdog', 'NCCL', 'assert', 'Assertion', 'ChildFailed', 'exitcode', 'Killed', '137', 'SIGKILL', 'Segmentation', 'Traceback'];
function mayCrash(line: string): boolean {
  for (let i = 0; i < CRASH_WORDS.length; i++) if (line.indexOf(CRASH_WORDS[i]) >= 0) return true;
  return false;
}
/** The exception line that ends a Python traceback: `RuntimeError: ...`, `torch.OutOfMemoryError: ...`. */
const EXCEPTION_RE = /^((?:[A-Za-z_][\w]*\.)*[A-Z]\w*(?:Error|Exception|Interrupt|Exit))(?::\s|$)/;

/** A rank prefix (torchrun `[rank3]:`, `[default0]:`, srun -l `3: `) the line still has: one glued after a progress
 * bar, past the prefix the parser removes from the line's start (LlamaFactory#8261: `... 24/1752 [...][rank5]:[E602 ...`). */
const CRASH_RANK_PREFIX_RE = /^(?:\[rank\d+\]:|\[default\d+\]:|\d{1,5}: )\s*/;

/**
 * Recognizes a line that ends a run (`Traceback (most recent call last):` only arms `st` for the exception line
 * that closes it). Returns undefined for any other line. A rank prefix before the line is not part of it.
 */
export function detectCrashLine(line: string, st: { inTraceback?: boolean }): CrashLine | undefined {
  if (!st.inTraceback && !mayCrash(line)) return undefined;
  line = line.replace(CRASH_RANK_PREFIX_RE, '');
  const cut = line.length > 500 ? `${line.slice(0, 500)}…` : line;
  if (st.inTraceback) {
    const m = EXCEPTION_RE.exec(line);
    if (m) {
      st.inTraceback = false;
      // SIGINT (Stop Run's first signal, or Ctrl-C) and sys.exit() end a run on purpose: their traceback is the echo of
      // a stop, not a crash. The run's state (stopped / its exit code) tells what happened.
      if (/(^|\.)(KeyboardInterrupt|SystemExit)$/.test(m[1])) return undefined;
      const rule = crashRule(line);
      // an OOM or NCCL error raised in a traceback may be caught as any exception (a sample generation in an eval
      // callback that ran out of memory); a device-side assert breaks the CUDA context and a ChildFailedError is the
      // launcher's own end: those end the run at once
      if (rule === undefined) return { kind: 'traceback', reason: m[1], line: cut, mayBeCaught: true };
      return rule[1] === 'cuda-oom' || rule[1] === 'nccl-timeout' ? { kind: rule[1], reason: rule[2], line: cut, mayBeCaught: true } : { kind: rule[1], reason: rule[2], line: cut };
    }
  }
  const rule = crashRule(line);
  if (rule !== undefined) {
    // fairseq's trainer (`_log_oom`) warns `OOM: Ran out of memory with exception: CUDA out of memory. ...` when it
    // catches an OOM, then `attempting to recover from OOM in forward/backward pass` and skips the batch
    return rule[1] === 'cuda-oom' && FAIRSEQ_OOM_RE.test(line) ? { kind: rule[1], reason: rule[2], line: cut, mayBeCaught: true } : { kind: rule[1], reason: rule[2], line: cut };
  }
  if (line.indexOf('Traceback (most recent call last)') >= 0) { st.inTraceback = true; return undefined; }
  return undefined;
}

/** The first of CRASH_RULES that `line` matches. */
function crashRule(line: string): [RegExp, CrashKind, string] | undefined {
  for (const r of CRASH_RULES) if (r[0].test(line)) return r;
  return undefined;
}

/** fairseq `trainer.py` `_log_oom`: `OOM: Ran out of memory with exception: {exc}` (`| OOM: ...` on stderr before 0.10). */
const FAIRSEQ_OOM_RE = /\bOOM: Ran out of memory with exception: /;

const NUM = String.raw`[-+]?(?:\d[\d,]*\.?\d*(?:[eE][-+]?\d+)?|\.\d+(?:[eE][-+]?\d+)?|nan|NaN|-?inf|-?Infinity)`;

/** Mutable state that some formats keep across lines. */
export interface TextState {
  csvColumns?: string[];
  csvStepCol?: number;
  megatronLosses: Set<string>;
  megatronLastIter?: number;
  pendingGradNormNaN: boolean;
  deepspeedRank?: string;
  overflows: number;
  lastStep?: number;
  totalSteps?: number;
  /** A Python traceback was opened and its exception line has not come yet. */
  inTraceback?: boolean;
  /** The last line was the Trainer's training banner header or one of its lines (see `hfBannerLine`). */
  hfBanner?: boolean;
  /** The open block of `Key: value` lines (see {@link flushKeyValueBlock}). */
  block?: { keys: string[]; values: number[] };
  /** Inside a `***** {split} metrics *****` section (see {@link hfMetricsLine}): the split (`eval`, `train`, ...). */
  hfMetrics?: string;
  /** The step of the last block header line (`Step 100/1000`, `=== step 10 ===`), for the block after it. */
  headerStep?: number;
}

export function newTextState(): TextState { return { megatronLosses: new Set(), pendingGradNormNaN: false, overflows: 0 }; }

/** One `Key: value` line of a hand-written record: a name, a colon, one number, nothing else. */
const KV_LINE_RE = new RegExp(String.raw`^([A-Za-z][\w ./()-]{0,40}?)\s*[:=]\s*(${NUM})\s*$`);
const BLOCK_STEP_KEYS = new Set(['step', 'global_step', 'iteration', 'iter', 'global step', 'steps']);
/**
 * A line that heads the next `Key: value` block with its step and nothing else: `Step 100/1000`, `=== step 10 ===`,
 * `--- Iteration 5 ---`, `[Step 3]` (custom loops print one before the block's lines).
 */
const BLOCK_HEADER_RE = /^[=\-#*\s[]*(?:global step|step|iteration|iter)\s*[:#]?\s*(\d+)(?:\s*\/\s*(\d+))?[=\-#*\s\]]*$/i;
/**
 * What may stand before a `Key: value` line's name (`[2024-06-01 12:00:01]   loss: 3.21`): bracketed fields
 * (timestamps, `[INFO]`, `[rank0]`), a bare timestamp, a logging level with its logger (`INFO:__main__:`,
 * `INFO - `), and separators between them, as the launch lines' prefixes (see SEGMENT_RE).
 */
const KV_PREFIX_RE = /^(?:(?:\[[^\]]*\]:?|\d{4}-\d\d-\d\d[ T]\d\d:\d\d:\d\d(?:[.,]\d+)?(?:Z|[+-]\d\d:?\d\d)?|(?:DEBUG|INFO|WARNING|WARN|ERROR)(?::[\w.<>-]+:)?|[|:-])(?:\s+|(?<=[:\]])|(?=\[)))+/;

/** The line without its log prefixes (see KV_PREFIX_RE), or the line itself when it has none. One regex run. */
function withoutLogPrefix(line: string): string {
  const m = KV_PREFIX_RE.exec(line);
  return m ? line.slice(m[0].length) : line;
}

/**
 * Emits the open `Key: value` block as one record: the block's step (`Step`, `Iteration`, `Global step`) or else its
 * epoch as the step; a block with neither takes its record index. A block is a record only when it has a loss and at
 * least two numbers (a config echo such as `lr: 1e-4` alone is not one).
 */
export function flushKeyValueBlock(st: TextState, sink: LineSink): void {
  const b = st.block;
  st.block = undefined;
  if (st.hfMetrics !== undefined) { hfMetricsBlock(st.hfMetrics, b, sink); st.hfMetrics = undefined; st.headerStep = undefined; return; }
  if (!b) return;
  const header = st.headerStep;
  st.headerStep = undefined;
  if (b.keys.length < 2) return;
  let step: number | undefined = header;
  let epoch: number | undefined;
  let loss = false;
  for (let i = 0; i < b.keys.length; i++) {
    const k = b.keys[i].toLowerCase();
    if (BLOCK_STEP_KEYS.has(k)) step = b.values[i];
    else if (k === 'epoch') epoch = b.values[i];
    if (/loss/.test(k)) loss = true;
  }
  if (!loss) return;
  const at = step ?? epoch;
  sink.format('key-value');
  for (let i = 0; i < b.keys.length; i++) {
    const k = b.keys[i];
    const low = k.toLowerCase();
    if (BLOCK_STEP_KEYS.has(low) || (step === undefined && low === 'epoch')) continue;
    // the names JSON-line keys get (`train/loss` and `loss/train` -> `loss`), so the same key raises the same alerts
    sink.point(tbName(canonicalName(k, true)), at, b.values[i]);
  }
  if (at !== undefined) st.lastStep = at;
}

/**
 * transformers `Trainer.log_metrics(split, metrics)` (trainer_pt_utils.py; run_clm.py & co call it after training
 * and after the final evaluation): `print(f"***** {split} metrics *****")`, then per key, sorted,
 * `print(f"  {key: <{k_width}} = {value:>{v_width}}")` with `metrics_format` values (`total_flos` as `123GF`, runtimes
 * as `0:00:08.40`). The section's numbers are one record (see {@link hfMetricsBlock}); its other values are skipped.
 */
const HF_METRICS_HEADER_RE = /\*{5} (\w+) metrics \*{5}$/;
const HF_METRICS_LINE_RE = /^([A-Za-z_][\w/.-]*)\s*=\s*(\S+)$/;

/** A line of a `***** {split} metrics *****` section (the header opens one); false ends it (the line is parsed on). */
function hfMetricsLine(line: string, st: TextState, sink: LineSink): boolean {
  if (st.hfMetrics === undefined) {
    const h = HF_METRICS_HEADER_RE.exec(line);
    if (!h) return false;
    if (st.block !== undefined) flushKeyValueBlock(st, sink);
    st.hfMetrics = h[1];
    st.block = { keys: [], values: [] };
    return true;
  }
  const m = HF_METRICS_LINE_RE.exec(line);
  if (!m) { flushKeyValueBlock(st, sink); return false; }
  const v = parseNumberToken(m[2]);
  if (v !== undefined) { const b = (st.block ??= { keys: [], values: [] }); b.keys.push(m[1]); b.values.push(v); }
  return true;
}

/**
 * A `***** {split} metrics *****` section: the train split (`train_loss` is the mean over the run, `train_runtime`...)
 * is the final summary, metadata as its dict twin is; another split (the final `eval`) is the evaluation of the final
 * model: its points go at the last training step of the launch, or take their record index (and count as unplaced)
 * where the launch placed none.
 */
function hfMetricsBlock(split: string, b: { keys: string[]; values: number[] } | undefined, sink: LineSink): void {
  if (!b || b.keys.length === 0) return;
  sink.format('hf-trainer');
  if (split === 'train') { for (let i = 0; i < b.keys.length; i++) sink.meta(b.keys[i], b.values[i]); return; }
  const at = sink.launchStep?.();
  for (let i = 0; i < b.keys.length; i++) sink.point(canonicalName(b.keys[i], true), at, b.values[i]);
}

/** Adds a `Key: value` line to the open block (a key seen again starts the next block). False for other lines. */
function keyValueLine(line: string, st: TextState, sink: LineSink): boolean {
  // A number (NUM) ends in a digit, `.`, `nan`/`NaN`, `inf` or `Infinity`: other lines (most log chatter) are no
  // Key: value line, and are refused before the regular expressions run.
  let end = line.length - 1;
  while (end > 0 && line.charCodeAt(end) <= 32) end--;
  const c = line.charCodeAt(end);
  if (!((c >= 48 && c <= 57) || c === 46 || c === 110 || c === 78 || c === 102 || c === 121)) return false;
  let m = KV_LINE_RE.exec(line);
  if (!m) { const rest = withoutLogPrefix(line); if (rest !== line) m = KV_LINE_RE.exec(rest); }
  if (!m) return false;
  const v = parseNumberToken(m[2].replace(/,/g, ''));
  if (v === undefined) return false;
  const key = m[1].trim();
  if (st.block && st.block.keys.includes(key)) flushKeyValueBlock(st, sink);
  const b = (st.block ??= { keys: [], values: [] });
  b.keys.push(key); b.values.push(v);
  return true;
}

/** Seconds of an `[h:]mm:ss` or `d days, h:mm:ss` duration, or undefined. */
export function parseDuration(t: string): number | undefined {
  const m = /^(?:(\d+) days?, )?(\d+):(\d{1,2})(?::(\d{1,2}))?$/.exec(t.trim());
  if (!m) return undefined;
  const d = m[1] ? Number(m[1]) : 0;
  const parts = [m[2], m[3], m[4]].filter((x) => x !== undefined).map(Number);
  const secs = parts.length === 3 ? parts[0] * 3600 + parts[1] * 60 + parts[2] : parts[0] * 60 + parts[1];
  return d * 86400 + secs;
}


// tqdm: optional percent+bar, n/total, [elapsed<remaining, rate unit + postfix]
const TQDM_RE = new RegExp(String.raw`(?:(\d{1,3})%\|[^|]*\|\s*)?(\d+)/(\d+)\s*\[(\d[\d:]*)<(\d[\d:]*|\?),\s*(\?|[\d.]+)\s*(s/it|it/s)([^\]]*)\]`);
const TQDM_NOTOTAL_RE = /(?:^|\s)(\d+)it \[(\d[\d:]*),\s*(\?|[\d.]+)\s*(s\/it|it\/s)([^\]]*)\]/;
const POSTFIX_RE = new RegExp(String.raw`([A-Za-z_][\w/.]*)=(${NUM})(?=,|\s*$)`, 'g');

const MEGATRON_RE = /\biteration\s+(\d+)\s*\/\s*(\d+)\s*\|(.*)$/;
const DS_OVERFLOW_RE = /Skipping step\.?\s*Attempted loss scal\s*e:\s*([\d.eE+]+)\s*,\s*(?:reducing to\s*([\d.eE+]+)|but hysteresis is\s*(\d+))/;
const DS_RANK_RE = /OVERFLOW! Rank (\d+)/;
const APEX_OVERFLOW_RE = /Gradient overflow\.\s+Skipping step, loss scaler \d+ reducing loss scale to ([\d.eE+]+)/;
const DS_MIN_RE = /loss scale already at minimum/i;
const DS_TIMER_RE = /SamplesPerSec=([\d.eE+-]+)/;
const DS_STEPS_RE = /\bstep=(\d+), skipped=(\d+), lr=\[([^\],]+)/;
const BAD_GRAD_RE = /Bad grad_norm detected \(grad_norm=(nan|inf|-inf)\)/;
const NANOGPT_ITER_RE = new RegExp(String.raw`\biter (\d+): loss (${NUM}), time ([\d.]+)ms(?:, mfu (-?[\d.]+)%)?`);
const NANOGPT_EVAL_RE = new RegExp(String.raw`\bstep (\d+): train loss (${NUM}), val loss (${NUM})`);
const LITGPT_RE = new RegExp(String.raw`\biter (\d+) step (\d+): loss (${NUM}), iter time: ([\d.]+) ?ms`);
const LITGPT2_RE = new RegExp(String.raw`\biter (\d+) step (\d+) \| loss train: (${NUM}), val: (${NUM}|n/a) \| iter time: ([\d.]+) ?ms`);
const LITGPT_VAL_RE = new RegExp(String.raw`\b(?:iter|step) (\d+): val loss (${NUM}), val time: ([\d.]+) ?ms`);
const LITGPT_FINAL_RE = new RegExp(String.raw`\bFinal evaluation \| val loss: (${NUM}) \| val ppl: (${NUM})`);

/**
 * A LitGPT validation line: `eval_loss` (and `eval_ppl` where printed) at the optimizer step completed at iteration
 * `iter` (undefined: the last one; `Final evaluation`). A sink that does not group micro-batches places it at the
 * iteration, as it does the records; before any record the iteration is all there is.
 */
function litgptVal(sink: LineSink, iter: number | undefined, loss: string, ppl: string | undefined): void {
  sink.format('litgpt');
  const step = sink.stepAtIter?.(iter) ?? iter;
  sink.point('eval_loss', step, parseNumberToken(loss)!);
  if (ppl !== undefined) sink.point('eval_ppl', step, parseNumberToken(ppl)!);
}

/** A LitGPT micro-batch record: grouped into its optimizer step by the sink (see microBatches.ts), or, for a sink
 * that does not group, a point at its iteration. */
function litgpt(sink: LineSink, iter: string, step: string, loss: string, ms: string, boundary: boolean): void {
  sink.format('litgpt');
  const r: MicroBatchRecord = { iter: Number(iter), printedStep: Number(step), boundary, loss: parseNumberToken(loss)!, iterTimeMs: Number(ms) };
  if (sink.microBatch) { sink.microBatch(r); return; }
  sink.point('loss', r.iter, r.loss);
  sink.point('iter_time_ms', r.iter, r.iterTimeMs);
}
const TITAN_RE = new RegExp(String.raw`\bstep:\s*(\d+)\s+loss:\s*(${NUM})(.*)$`);
const TITAN_PAIR_RE = /([A-Za-z_]+):\s*([-+]?[\d.,]+(?:[eE][-+]?\d+)?|nan|-?inf)(GiB\(([\d.]+)%\)|GiB|%)?/g;
const TUNE_STEP_RE = /\bStep (\d+) \| (.*)$/;
const TUNE_DESC_RE = new RegExp(String.raw`(\d+)\|(\d+)\|Loss: (${NUM})`);
const MMENGINE_RE = /\b(Epoch|Iter)\((train|val|test)\)\s*(?:\[(\d+)\])?\s*\[\s*(\d+)\s*\/\s*(\d+)\]\s+(.*)$/;
const METRICLOGGER_RE = /\b(Epoch: \[(\d+)\]|Test:)\s+\[\s*(\d+)\s*\/\s*(\d+)\]\s+(.*)$/;
const LOSS_IS_NAN_RE = /\bLoss is (nan|inf|-inf), stopping training/;
const MLX_RE = /(?:^|\s)Iter (\d+): (.*)$/;
const MLX_START_RE = /Starting training\.*,?\s*iters:\s*(\d+)/;
/**
 * Lines that start a launch: the Trainer's banner, `Starting training` & co (not `Starting training epoch 2`: a loop
 * that announces each epoch is one launch), and Megatron-LM's per-launch lines
 * (`training.py`: `print_rank_0('> building train, validation, and test datasets ...')`,
 * `print_datetime('before the start of training step')`, `print_rank_0('training ...')`). Any prefix may come before
 * them (Slurm `srun --label` task ids, timestamps, `INFO:<logger>:`, `[rank0]:`); `training ...` must be the line's
 * message, after a prefix that ends in a bracket, colon, `>`, `|`, `-` or a timestamp's last digit.
 */
const SEGMENT_RE = /\*{3,} Running training \*{3,}|Start(?:ing)? training(?! *(?:for |on |of |at )?(?:epoch|step|iter|round))|Training starts at step|Resuming training|\[before the start of training step\]|> building train, validation, and test datasets|(?:^|[\]:>|-]\s*|\d\s+)training \.\.\.$/;
/**
 * A resume from a checkpoint, with the step it resumed from (reported as meta `resumed_from_step`): the Trainer's
 * `  Continuing training from global step {global_step}` (`_inner_training_loop`, after the banner) and Megatron-LM's
 * `  successfully loaded checkpoint from {load_dir} [ t {tp}, p {pp} ] at iteration {iteration}` (`load_checkpoint`).
 */
const RESUME_RE = /Continuing training from global step (\d+)|successfully loaded checkpoint from .* at iteration (\d+)/;
/** The Trainer's banner header: the banner lines after it belong to the training run (see `hfBannerLine`). */
const HF_TRAIN_HEADER = '***** Running training *****';
const CSV_HEADER_RE = /^[A-Za-z_][\w/.\- ()]*(,[A-Za-z_][\w/.\- ()]*)+$/;

/** Splits `key: value  key: value` runs separated by two or more spaces. */
function pairsBySpaces(rest: string): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  // Fields are apart by two spaces, except where one space parts them: MMEngine's LogProcessor writes the learning
  // rates as `base_lr: 1.0000e-04 lr: 9.0000e-05` (joined with one space), so a part is also cut at one space between
  // a `name: value` and the next `name: ` (a name with a space, MetricLogger's `max mem: 26869`, stays whole).
  for (const part of rest.split(/\s{2,}|(?<=:\s+\S+)\s(?=[A-Za-z_][\w./-]*:\s)/)) {
    const m = /^(.+?):\s+(.+)$/.exec(part.trim());
    if (m) out.push([m[1], m[2]]);
  }
  return out;
}

/**
 * Tries every text recognizer on `line` (already free of ANSI escapes). Returns true when some record was found.
 * `sub` is called for a remainder of the line that should itself be parsed (a record glued after a tqdm bar).
 */
export function parseTextLine(line: string, st: TextState, sink: LineSink, sub: (rest: string) => void): boolean {
  // The Trainer's banner before the Key: value blocks: `  Num Epochs = 3` would otherwise open a block that swallows
  // the banner lines after it (which ones depended on their order).
  if (line.indexOf(' = ') >= 0 && hfBannerLine(line, st, sink)) return true;
  st.hfBanner = false;
  if ((st.hfMetrics !== undefined || line.indexOf(' metrics *****') >= 0) && hfMetricsLine(line, st, sink)) return true;
  if (st.block !== undefined) {
    if (keyValueLine(line, st, sink)) return true;
    flushKeyValueBlock(st, sink);
  }
  // tqdm bars first: they glue onto other records. Consume the bar, then parse what follows it.
  if (line.indexOf('it/s') >= 0 || line.indexOf('s/it') >= 0) {
    const m = TQDM_RE.exec(line);
    if (m) {
      const n = Number(m[2]);
      const p: Progress = { step: n, total: Number(m[3]) };
      const eta = m[5] === '?' ? undefined : parseDuration(m[5]);
      if (eta !== undefined) p.etaSeconds = eta;
      if (m[6] !== '?') { p.rate = Number(m[6]); p.rateUnit = m[7]; }
      const prefix = line.slice(0, m.index);
      const postfix = m[8];
      let any = false;
      const tune = TUNE_DESC_RE.exec(prefix);
      if (tune) { sink.format('torchtune'); sink.point('loss', Number(tune[2]), parseNumberToken(tune[3])!); sink.point('epoch', Number(tune[2]), Number(tune[1])); any = true; }
      if (postfix && postfix.indexOf('=') >= 0) {
        POSTFIX_RE.lastIndex = 0;
        let pm: RegExpExecArray | null;
        const found: Array<[string, number]> = [];
        while ((pm = POSTFIX_RE.exec(postfix)) !== null) {
          const key = pm[1];
          if (key === 'global_step' || key === 'v_num' || key === 'step') continue;
          const v = parseNumberToken(pm[2]);
          if (v !== undefined) found.push([key, v]);
        }
        if (found.length > 0) {
          sink.format('lightning-progress');
          for (const [k, v] of found) sink.point(canonicalName(k), n, v);
          any = true;
        }
      }
      if (!any) {
        sink.format('tqdm');
        // A description has words (`Map: `, `Epoch 0: `); bracketed line numbers or ranks and the cut rest of
        // a percent/bar (`| 0/950`, a log excerpt) do not.
        if (sink.bar && !/[A-Za-z]/.test(prefix.replace(/\[[^\]]*\]/g, ''))) sink.bar(n, p.total!);
      }
      sink.progress(p);
      const rest = line.slice(m.index + m[0].length).trim();
      if (rest.length > 0) sub(rest);
      return true;
    }
    const m2 = TQDM_NOTOTAL_RE.exec(line);
    if (m2) {
      sink.format('tqdm');
      const p: Progress = { step: Number(m2[1]) };
      if (m2[3] !== '?') { p.rate = Number(m2[3]); p.rateUnit = m2[4]; }
      sink.progress(p);
      const rest = line.slice(m2.index + m2[0].length).trim();
      if (rest.length > 0) sub(rest);
      return true;
    }
  }

  // After the bars: a crash glued after a bar is seen in the rest of the line, without the bar.
  if (sink.crash) { const c = detectCrashLine(line, st); if (c) sink.crash(c); }
  if (line.indexOf('raining') >= 0 && SEGMENT_RE.test(line)) { sink.segment(line); if (line.indexOf(HF_TRAIN_HEADER) >= 0) st.hfBanner = true; }
  if (line.indexOf('ontinuing training from global step') >= 0 || line.indexOf('successfully loaded checkpoint from') >= 0) {
    const m = RESUME_RE.exec(line);
    if (m) sink.meta('resumed_from_step', Number(m[1] ?? m[2]));
  }

  // Megatron-LM / Megatron-DeepSpeed / NeMo Megatron iteration lines.
  if (line.indexOf('iteration') >= 0 && line.indexOf('|') >= 0) {
    const m = MEGATRON_RE.exec(line);
    if (m) { megatron(m, st, sink); return true; }
  }
  if (line.indexOf('Attempted loss scal') >= 0) {
    const m = DS_OVERFLOW_RE.exec(line);
    if (m) {
      const rank = DS_RANK_RE.exec(line)?.[1];
      if (rank !== undefined) { st.deepspeedRank ??= rank; if (rank !== st.deepspeedRank) return true; }
      sink.format('deepspeed');
      const scale = m[2] !== undefined ? Number(m[2]) : Number(m[1]);
      st.overflows++;
      const at = sink.auxStep?.();
      sink.point('loss_scale', at, scale);
      sink.point('overflows', at, st.overflows);
      return true;
    }
  }
  if (line.indexOf('Gradient overflow') >= 0) {
    const m = APEX_OVERFLOW_RE.exec(line);
    if (m) { sink.format('deepspeed'); st.overflows++; const at = sink.auxStep?.(); sink.point('loss_scale', at, Number(m[1])); sink.point('overflows', at, st.overflows); return true; }
  }
  if (DS_MIN_RE.test(line)) { sink.format('deepspeed'); sink.point('loss_scale_at_minimum', sink.auxStep?.(), 1); return true; }
  if (line.indexOf('SamplesPerSec=') >= 0) {
    const m = DS_TIMER_RE.exec(line);
    if (m) { sink.format('deepspeed'); sink.point('samples_per_second', sink.auxStep?.(), Number(m[1])); return true; }
  }
  if (line.indexOf('skipped=') >= 0) {
    const m = DS_STEPS_RE.exec(line);
    if (m) {
      sink.format('deepspeed');
      const step = Number(m[1]);
      sink.point('skipped_steps', step, Number(m[2]));
      const lr = parseNumberToken(m[3]);
      if (lr !== undefined) sink.point('learning_rate', step, lr);
      return true;
    }
  }
  if (line.indexOf('Bad grad_norm') >= 0 && BAD_GRAD_RE.test(line)) { sink.format('megatron'); st.pendingGradNormNaN = true; return true; }

  if (line.indexOf('iter ') >= 0) {
    let m = NANOGPT_ITER_RE.exec(line);
    if (m) {
      sink.format('nanogpt');
      const step = Number(m[1]);
      sink.point('loss', step, parseNumberToken(m[2])!);
      sink.point('iter_time_ms', step, Number(m[3]));
      if (m[4] !== undefined) { const mfu = Number(m[4]); if (mfu !== -100) sink.point('mfu', step, mfu); }
      return true;
    }
    m = LITGPT_RE.exec(line);
    if (m) { litgpt(sink, m[1], m[2], m[3], m[4], line.indexOf('(optimizer.step)', m.index + m[0].length) >= 0); return true; }
    m = LITGPT2_RE.exec(line);
    if (m) {
      // The val column repeats the last validation, run after optimizer step `step` (the printed step): one point there.
      const val = parseNumberToken(m[4]);
      if (val !== undefined) sink.point('eval_loss', Number(m[2]), val);
      litgpt(sink, m[1], m[2], m[3], m[5], line.startsWith(' (step)', m.index + m[0].length));
      return true;
    }
  }
  if (line.indexOf('val loss') >= 0) {
    let v = LITGPT_VAL_RE.exec(line);
    if (v) { litgptVal(sink, Number(v[1]), v[2], undefined); return true; }
    v = LITGPT_FINAL_RE.exec(line);
    if (v) { litgptVal(sink, undefined, v[1], v[2]); return true; }
    const m = NANOGPT_EVAL_RE.exec(line);
    if (m) {
      sink.format('nanogpt');
      const step = Number(m[1]);
      sink.point('train/loss', step, parseNumberToken(m[2])!);
      sink.point('eval_loss', step, parseNumberToken(m[3])!);
      return true;
    }
  }
  if (line.indexOf('step:') >= 0 && line.indexOf('loss:') >= 0) {
    const m = TITAN_RE.exec(line);
    if (m) { titan(m, sink); return true; }
  }
  if (line.indexOf('Step ') >= 0 && line.indexOf('|') >= 0) {
    const m = TUNE_STEP_RE.exec(line);
    if (m && /\w+:\s*\S/.test(m[2])) {
      const step = Number(m[1]);
      let any = false;
      for (const [, k, v] of m[2].matchAll(/([\w/.]+):\s*(\S+)/g)) {
        const x = parseNumberToken(v);
        if (x !== undefined) { if (!any) sink.format('torchtune'); any = true; sink.point(canonicalName(k), step, x); }
      }
      if (any) return true;
    }
  }
  if (line.indexOf('(train)') >= 0 || line.indexOf('(val)') >= 0 || line.indexOf('(test)') >= 0) {
    const m = MMENGINE_RE.exec(line);
    if (m) { mmengine(m, st, sink); return true; }
  }
  if (line.indexOf('Epoch: [') >= 0 || line.indexOf('Test:') >= 0) {
    const m = METRICLOGGER_RE.exec(line);
    if (m) { metricLogger(m, st, sink); return true; }
  }
  if (line.indexOf('Loss is') >= 0) {
    const m = LOSS_IS_NAN_RE.exec(line);
    if (m) { sink.format('metriclogger'); sink.point('loss', st.lastStep !== undefined ? st.lastStep + 1 : undefined, parseNumberToken(m[1])!); return true; }
  }
  if (line.indexOf('Iter ') >= 0) {
    const m = MLX_RE.exec(line);
    if (m) { if (mlx(m, st, sink)) return true; }
  }
  if (line.indexOf('iters:') >= 0) {
    const m = MLX_START_RE.exec(line);
    if (m) { sink.format('mlx-lm'); st.totalSteps = Number(m[1]); sink.meta('iters', st.totalSteps); return true; }
  }
  if ((line.indexOf(' = ') >= 0 || line.indexOf(' ..') >= 0 || line.indexOf('_version"') >= 0 || line.indexOf('transformers') >= 0) && bannerLine(line, sink)) return true;
  if (line.indexOf(',') >= 0 && csvLine(line, st, sink)) return true;
  if (line.indexOf(':') >= 0 || line.indexOf('=') >= 0) { if (keyValueLine(line, st, sink)) return true; }
  if (blockHeader(line, st)) return true;
  return false;
}

/** A block header line (see BLOCK_HEADER_RE): its step waits for the block after it. True when it was one. */
function blockHeader(line: string, st: TextState): boolean {
  if (line.length > 48 || !/ter|tep/i.test(line)) return false;
  const m = BLOCK_HEADER_RE.exec(withoutLogPrefix(line));
  if (!m) return false;
  st.headerStep = Number(m[1]);
  return true;
}

/**
 * HF Trainer `***** Running training *****` banner lines (trainer.py `_inner_training_loop`: `logger.info(f"  Num
 * examples = {num_examples:,}")` & co), by metadata key. Versions print them in different orders and leave some
 * out, so each line is read on its own. `Num examples` is read only right after the training header (the
 * evaluation banner prints one too); the others only the training banner prints.
 */
const HF_BANNER = new Map<string, string>([
  ['Num examples', 'num_examples'],
  ['Num Epochs', 'num_train_epochs'],
  ['Instantaneous batch size per device', 'per_device_train_batch_size'],
  ['Total train batch size (w. parallel, distributed & accumulation)', 'total_train_batch_size'],
  ['Gradient Accumulation steps', 'gradient_accumulation_steps'],
  ['Total optimization steps', 'max_steps'],
  ['Number of trainable parameters', 'num_trainable_parameters'],
]);
const HF_BANNER_RE = /(?:^|\s)(Num examples|Num Epochs|Instantaneous batch size per device|Total train batch size \(w\. parallel, distributed & accumulation\)|Gradient Accumulation steps|Total optimization steps|Number of trainable parameters) = ([\d,]+)\s*$/;

/** A line of the Trainer's training banner (see {@link HF_BANNER}): its value as metadata; true when it was one. */
function hfBannerLine(line: string, st: TextState, sink: LineSink): boolean {
  const m = HF_BANNER_RE.exec(line);
  if (!m || (m[1] === 'Num examples' && !st.hfBanner)) return false;
  if (st.block !== undefined) flushKeyValueBlock(st, sink);
  sink.meta(HF_BANNER.get(m[1])!, Number(m[2].replace(/,/g, '')));
  st.hfBanner = true;
  return true;
}
/** Megatron `_print_args` / DeepSpeed config dump: `  context_parallel_size ..... 2`. */
const DOTS_RE = /^\s*([a-z_]+) \.{2,} (\S+)\s*$/;
const DOTS_KEYS = new Set(['gradient_accumulation_steps', 'micro_batch_size', 'global_batch_size', 'train_micro_batch_size_per_gpu', 'train_batch_size', 'seq_length', 'encoder_seq_length', 'world_size', 'tensor_model_parallel_size', 'pipeline_model_parallel_size', 'context_parallel_size', 'data_parallel_size']);
/** `"transformers_version": "4.46.1"` in the model config the Trainer logs (PretrainedConfig.to_json_string). */
const TF_VERSION_RE = /"transformers_version":\s*"([^"]+)"/;
/** `transformers==4.46.1`: a `pip freeze` (or requirements) line a launch script prints, alone on its line. */
const TF_FREEZE_RE = /^\s*transformers==(\d+\.\d+(?:\.\d+)?\S*)\s*$/;
/** `- \`transformers\` version: 4.46.1`: `transformers-cli env` (transformers env) output; also its older
 * `- transformers version: 4.46.1`. */
const TF_ENV_RE = /^\s*-\s+`?transformers`? version:\s*(\d+\.\d+(?:\.\d+)?\S*)\s*$/;

/**
 * Banner lines that describe the run rather than a step: batch geometry and versions, reported as metadata (see
 * settings.ts, which turns them into run settings). True when the line was one.
 */
function bannerLine(line: string, sink: LineSink): boolean {
  let m = DOTS_RE.exec(line);
  if (m && DOTS_KEYS.has(m[1])) { const v = Number(m[2]); if (Number.isFinite(v)) { sink.meta(m[1], v); return true; } }
  m = TF_VERSION_RE.exec(line) ?? TF_FREEZE_RE.exec(line) ?? TF_ENV_RE.exec(line);
  if (m) { sink.meta('transformers_version', m[1]); return true; }
  return false;
}

function megatron(m: RegExpExecArray, st: TextState, sink: LineSink): void {
  sink.format('megatron');
  const step = Number(m[1]);
  sink.progress({ step, total: Number(m[2]) });
  const seen = new Set<string>();
  let skipped: number | undefined;
  let nanIters = 0;
  let gradNaN = false;
  let hasTail = false;
  for (const part of m[3].split('|')) {
    const kv = /^\s*(.+?):\s*(\S+)\s*$/.exec(part);
    if (!kv) continue;
    const label = kv[1].trim();
    const v = parseNumberToken(kv[2]);
    if (v === undefined) continue;
    let name: string;
    switch (label) {
      case 'number of skipped iterations': name = 'skipped_iterations'; skipped = v; hasTail = true; break;
      case 'number of nan iterations': name = 'nan_iterations'; nanIters = v; hasTail = true; break;
      case 'elapsed time per iteration (ms)': name = 'iteration_time_ms'; break;
      case 'loss scale': name = 'loss_scale'; hasTail = true; break;
      case 'grad norm': name = 'grad_norm'; gradNaN = v !== v || !Number.isFinite(v); hasTail = true; break;
      default: name = canonicalName(label, true);
    }
    if (name === 'loss' || /loss$/.test(name) && name !== 'loss_scale') { st.megatronLosses.add(name); }
    seen.add(name);
    sink.point(name, step, v);
  }
  // A loss Megatron printed before and leaves out now is a NaN point (issue 12: an iteration line without its loss):
  // training_log prints a loss only `if avg > 0.0`, so it went NaN, or every iteration of the interval was skipped
  // (fp16 loss-scale search, overflows: no advanced iteration, no loss to report).
  // An interval skipped whole with no NaN iteration and a finite grad norm is the dynamic loss scaler backing off
  // (fp16 overflows, above all in the loss-scale search of the first iterations): drawn as NaN, not a NaN alert.
  const overflowOnly = (skipped ?? 0) > 0 && nanIters === 0 && !gradNaN;
  if (hasTail) for (const name of st.megatronLosses) if (!seen.has(name)) sink.point(name, step, NaN, !overflowOnly);
  // No loss seen yet (the log opens on the bad iteration), but the line says the iteration went NaN (`grad norm: nan`
  // or a non-zero `number of nan iterations`: Megatron-DeepSpeed prints both and drops `lm loss`), or the log opens on
  // an interval that was skipped whole (`number of skipped iterations` > 0 and no loss: fp16 loss-scale search; a log
  // whose earlier lines had no loss either prints none, and gets no NaN loss for a skip): a NaN loss point.
  const openSkipped = st.megatronLastIter === undefined && (skipped ?? 0) > 0;
  if (st.megatronLosses.size === 0 && (gradNaN || nanIters > 0 || openSkipped) && !seen.has('loss')) { st.megatronLosses.add('loss'); sink.point('loss', step, NaN, !overflowOnly); }
  if (st.pendingGradNormNaN) { if (!seen.has('grad_norm')) sink.point('grad_norm', step, NaN); st.pendingGradNormNaN = false; }
  st.megatronLastIter = step;
  st.lastStep = step;
}

function titan(m: RegExpExecArray, sink: LineSink): void {
  sink.format('torchtitan');
  const step = Number(m[1]);
  sink.point('loss', step, parseNumberToken(m[2])!);
  TITAN_PAIR_RE.lastIndex = 0;
  let pm: RegExpExecArray | null;
  while ((pm = TITAN_PAIR_RE.exec(m[3])) !== null) {
    const v = parseNumberToken(pm[2]);
    if (v === undefined) continue;
    const key = pm[1];
    if (pm[3]?.startsWith('GiB')) {
      sink.point(`${key}_gib`, step, v);
      if (pm[4] !== undefined) sink.point(`${key}_pct`, step, Number(pm[4]));
    } else if (pm[3] === '%') sink.point(key, step, v);
    else sink.point(canonicalName(key), step, v);
  }
}

function mmengine(m: RegExpExecArray, st: TextState, sink: LineSink): void {
  sink.format('mmengine');
  const mode = m[2];
  const epoch = m[3] !== undefined ? Number(m[3]) : undefined;
  const i = Number(m[4]);
  const perEpoch = Number(m[5]);
  // Epoch-based loops print the iteration within the epoch: make it global. Evaluation lines count their own
  // batches; their metrics belong to the training step reached when the evaluation ran.
  const step = mode !== 'train' ? (st.lastStep ?? i) : m[1] === 'Epoch' && epoch !== undefined ? (epoch - 1) * perEpoch + i : i;
  const prefix = mode === 'train' ? '' : 'eval_';
  for (const [k, v] of pairsBySpaces(m[6])) {
    if (k === 'eta') { const eta = parseDuration(v); if (eta !== undefined && mode === 'train') sink.progress({ step, etaSeconds: eta }); continue; }
    const x = parseNumberToken(v.split(/\s/)[0]);
    if (x === undefined) continue;
    const name = canonicalName(k);
    sink.point(prefix && name !== 'learning_rate' ? canonicalName(prefix + name) : name, step, x);
  }
  if (mode === 'train' && epoch !== undefined) sink.point('epoch', step, epoch - 1 + i / perEpoch);
  if (mode === 'train') st.lastStep = step;
}

function metricLogger(m: RegExpExecArray, st: TextState, sink: LineSink): void {
  sink.format('metriclogger');
  // 'Test:' lines show running averages per evaluation batch: no single value is the evaluation's result.
  if (m[1] === 'Test:') return;
  const isTest = false;
  const epoch = m[2] !== undefined ? Number(m[2]) : 0;
  const i = Number(m[3]);
  const n = Number(m[4]);
  const step = isTest ? i : epoch * n + i;
  for (const [k, v] of pairsBySpaces(m[5])) {
    if (k === 'eta') { const eta = parseDuration(v); if (eta !== undefined && !isTest) sink.progress({ step, total: n * (epoch + 1), etaSeconds: eta }); continue; }
    const x = parseNumberToken(v.split(/\s/)[0]);
    if (x === undefined) continue;
    const key = k === 'closs' ? 'loss' : k;
    const name = canonicalName(isTest ? `eval_${key}` : key, true);
    sink.point(name, step, x);
  }
  if (!isTest) st.lastStep = step;
}

function mlx(m: RegExpExecArray, st: TextState, sink: LineSink): boolean {
  const step = Number(m[1]);
  const found: Array<[string, number]> = [];
  for (const part of m[2].split(/,\s*/)) {
    const kv = /^([A-Za-z][A-Za-z /]*?)\s+([-+]?[\d.]+(?:[eE][-+]?\d+)?|nan|inf|-inf)\s*(s|GB)?\.?$/.exec(part.trim());
    if (!kv) continue;
    const label = kv[1].replace(/\/sec$/, ' per sec');
    const v = parseNumberToken(kv[2]);
    if (v !== undefined) found.push([canonicalName(label, true), v]);
  }
  if (found.length === 0) return false;
  sink.format('mlx-lm');
  for (const [k, v] of found) sink.point(k, step, v);
  if (found.some(([k]) => k === 'loss')) sink.progress(st.totalSteps !== undefined ? { step, total: st.totalSteps } : { step });
  return true;
}

function csvLine(line: string, st: TextState, sink: LineSink): boolean {
  if (CSV_HEADER_RE.test(line)) {
    const cols = line.split(',').map((c) => c.trim());
    const stepCol = cols.indexOf('step');
    if (stepCol >= 0 || cols.includes('epoch')) {
      st.csvColumns = cols;
      st.csvStepCol = stepCol >= 0 ? stepCol : undefined;
      sink.format('lightning-csv');
      return true;
    }
    return false;
  }
  const cols = st.csvColumns;
  if (!cols) return false;
  const cells = line.split(',');
  if (cells.length !== cols.length) return false;
  const values: Array<number | undefined> = [];
  for (const c of cells) {
    const t = c.trim();
    if (t === '') { values.push(undefined); continue; }
    const v = parseNumberToken(t);
    if (v === undefined) return false;
    values.push(v);
  }
  sink.format('lightning-csv');
  const step = st.csvStepCol !== undefined ? values[st.csvStepCol] : undefined;
  for (let i = 0; i < cols.length; i++) {
    if (i === st.csvStepCol) continue;
    const v = values[i];
    if (v === undefined) continue;
    sink.point(canonicalName(cols[i]), step, v);
  }
  return true;
}
