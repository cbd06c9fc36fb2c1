/**
 * Optimizer steps from logs that print one record per micro-batch (LitGPT, issue 11): the records of one optimizer
 * step become one point per series at that step, so the step axis is the optimizer step as in the other formats.
 *
 * Which optimizer step a record belongs to (LitGPT `finetune/full.py`, `pretrain.py`, lit-gpt `finetune/full.py`):
 * the loop counts `iter_num` per micro-batch and `step_count` per optimizer step; on the last micro-batch of a step
 * (`not is_accumulating`) it calls `optimizer.step()` and increments `step_count` *before* printing, and marks that
 * record (`(optimizer.step)` in lit-gpt, `(step)` in LitGPT). So a marked record printing `step m` closes step m, and
 * an unmarked one printing `step m` is a micro-batch of step m + 1 (gradients accumulate towards it).
 *
 * What each record's `loss` is: in lit-gpt (`iter N step M: loss X, iter time: ...`) the loss of that micro-batch;
 * in LitGPT (`Epoch E | iter N step M | loss train: X, ...`) `RunningMean(window=gradient_accumulation_iters)` over
 * the last micro-batches, so its marked record's value is already the step's mean.
 *
 * A step is placed only when it closes (issue 11): while a log is followed, the step still accumulating has no point
 * until its marked record arrives. That is deliberate: its mean, min and count are not known before, a provisional
 * point would have to be replaced later, and the chart's columns, gap detection and smoothers are incremental on the
 * contract that placed points never change (webview-ui/metrics/smoothing.ts, columns.ts). The wait is one optimizer
 * step, as for any format that logs once per optimizer step, and the open step's micro-batches already reach the alert
 * rules as they are read (LogParser.microBatch), so a spike or NaN in it is reported without waiting. A followed file
 * that goes quiet (logFile.ts, `settleMs`) is settled (LogParser.settle): a log that ended mid-step shows that step.
 */

/** One micro-batch record as the log printed it. */
export interface MicroBatchRecord {
  /** Iteration (micro-batch) number. */
  iter: number;
  /** `step` as printed: the optimizer steps completed when the record was printed. */
  printedStep: number;
  /** The record carries the optimizer-step marker (`(optimizer.step)` / `(step)`). */
  boundary: boolean;
  loss: number;
  /** Time of the micro-batch, ms (`iter time`). */
  iterTimeMs: number;
}

/** The records of one optimizer step, as closed by {@link MicroBatchSteps}. */
export interface StepAggregate {
  /** The optimizer step. */
  step: number;
  /** Loss of each micro-batch record, in log order (never empty). */
  losses: number[];
  /** Mean of `losses` (NaN when one is NaN: a NaN micro-batch makes the step's loss NaN, as the gradient would be). */
  mean: number;
  /** Smallest and largest of `losses` (ignoring NaN; NaN when all are NaN). */
  min: number;
  max: number;
  /** Mean of the records' iteration times, ms (per micro-batch, as other formats' `iter_time_ms`). */
  iterTimeMs: number;
  /** Time (ms since the epoch) of the step's last record, or undefined when the log gave it none. */
  time: number | undefined;
}

interface Open { step: number; lastIter: number; losses: number[]; iterTimeMs: number; time: number | undefined }

/** Groups micro-batch records into optimizer steps, streaming: a step is closed by its marked record, by a record of
 * another step, or by {@link flush} (end of the log: a step cut short keeps the records it had). */
export class MicroBatchSteps {
  private open: Open | undefined;
  /** The last record added: its iteration and the optimizer step it counts in. */
  private lastIter = NaN; private lastStep = NaN;
  /** The last two marked (step-closing) records: iteration and step. */
  private bIter = NaN; private bStep = NaN; private bIterPrev = NaN; private bStepPrev = NaN;

  /**
   * The optimizer step completed at iteration `iter`, for a line printed after it that names only the iteration
   * (LitGPT `iter N: val loss ...`, lit-gpt `step N: val loss ...` where N is also the iteration; both validate only
   * right after an optimizer step, `not is_accumulating`). The step of the record printed at `iter` when there was
   * one (the usual `log_interval` 1); else counted on from the last marked record with the iterations per step of
   * the last two marked records (`log_interval` > 1 hides some); else the step of the last record. Undefined
   * before any record, or for `iter` undefined (`Final evaluation`, printed after the loop): the last record's step.
   */
  stepAtIter(iter: number | undefined): number | undefined {
    if (this.lastIter !== this.lastIter) return undefined;
    if (iter === undefined || iter === this.lastIter) return this.lastStep;
    const per = (this.bIter - this.bIterPrev) / (this.bStep - this.bStepPrev);
    if (per > 0 && Number.isInteger(per)) return this.bStep + Math.floor((iter - this.bIter) / per);
    return this.lastStep;
  }

  /**
   * Adds a record printed at `time` (ms, or undefined); calls `close` for each step it completes (0, 1 or 2).
   * Returns the optimizer step the record counts in, or undefined when it was the same micro-batch printed again.
   */
  add(r: MicroBatchRecord, time: number | undefined, close: (a: StepAggregate) => void): number | undefined {
    const step = r.boundary ? r.printedStep : r.printedStep + 1;
    let o = this.open;
    if (o !== undefined && o.step === step && r.iter <= o.lastIter) return undefined; // the same micro-batch printed again
    this.lastIter = r.iter; this.lastStep = step;
    if (r.boundary && step !== this.bStep) { this.bIterPrev = this.bIter; this.bStepPrev = this.bStep; this.bIter = r.iter; this.bStep = step; }
    if (o !== undefined && o.step !== step) { this.flush(close); o = undefined; }
    if (o === undefined) o = this.open = { step, lastIter: r.iter, losses: [], iterTimeMs: 0, time };
    o.losses.push(r.loss);
    o.iterTimeMs += r.iterTimeMs;
    o.lastIter = r.iter;
    o.time = time;
    if (r.boundary) this.flush(close);
    return step;
  }

  /** Closes the open step, if any. */
  flush(close: (a: StepAggregate) => void): void {
    const o = this.open;
    if (o === undefined) return;
    this.open = undefined;
    let sum = 0, min = NaN, max = NaN;
    for (const v of o.losses) {
      sum += v;
      if (v === v) { if (!(v >= min)) min = v; if (!(v <= max)) max = v; }
    }
    close({ step: o.step, losses: o.losses, mean: sum / o.losses.length, min, max, iterTimeMs: o.iterTimeMs / o.losses.length, time: o.time });
  }
}
