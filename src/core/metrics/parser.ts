/**
 * Log parsing: bytes or text of a training log (live chunks or a whole file) -> {@link MetricPoint}s, progress and
 * run metadata. The format is detected per file (TensorBoard event file, JSON document such as trainer_state.json,
 * text) and, for text, per line, so a log mixing Trainer dicts, DeepSpeed overflow records and tqdm bars reads whole.
 *
 * Conventions (see `types.ts` MetricPoint):
 * - step: the step/iteration the record prints; where it prints none, the 1-based index of the record in its series,
 *   except for Trainer dict lines in a stream that shows the Trainer's training bar (stdout and stderr in one file):
 *   there a dict's step is the global step of that bar (see `Parser.onBar`); an evaluation dict printed before the
 *   log's first step (`eval_on_start`: `epoch` 0 or absent) is at step 0;
 * - the same step printed again (several ranks, a resumed run re-logging) is one point, the first value, unless a
 *   new run segment was seen in between (a `Running training`/`Starting training` banner, a new TensorBoard
 *   file_version record): then the re-logged point is emitted and starts a new segment (consumers drop the series'
 *   points at steps >= it, as TensorBoard purges orphaned data); a launch line after points were placed is also
 *   reported as a `LaunchEvent` (a resume whose steps go on past the earlier launch's is a launch all the same), and
 *   `loss` points at steps an earlier launch had placed are counted as `relogged_points` (one per re-logged record
 *   of the training loss, not one per series of the record); a step strictly lower than the
 *   series' last one in its segment (not a record index, not an `eval_*` series) is a new launch with no launch
 *   line, handled as one (a restart or a resume from an earlier checkpoint appended to the same log);
 * - a traceback's exception line (a CUDA OOM or NCCL error one too) and fairseq's OOM warning are a crash only once
 *   confirmed (`CrashEvent`): at end(), a new launch or a line that ends runs, not when a record at a later step
 *   follows it first; crash events keep the order of their lines;
 * - a final summary (`train_runtime`, `train_loss`, ...; also the Trainer's `***** train metrics *****` section) is
 *   metadata, not points; the `***** eval metrics *****` section after training (the final model's evaluation) is at
 *   the last step its launch placed (its record index where it placed none).
 *
 * Text handling: `\r`, `\n` and `\r\n` all end a line (tqdm redraws with `\r`); ANSI escapes are removed; line-number,
 * rank and timestamp prefixes are tolerated; an unterminated last line is parsed at `end()` without its last token
 * (which may be cut); a dict literal cut by a hard wrap is joined with the next line; invalid UTF-8 decodes to U+FFFD
 * and never throws. Timestamps printed without a zone (`2023-03-22 09:30:39`) are read as UTC.
 *
 * Format names (`LogParser.format`): `hf-trainer` (Trainer/TRL/axolotl dict lines), `trainer-state`
 * (trainer_state.json log_history), `hf-results` (train_results.json & co: metadata only), `jsonl`, `llamafactory`
 * (trainer_log.jsonl), `lightning-csv` (CSVLogger metrics.csv), `lightning-progress` (metrics in a Lightning/NeMo bar),
 * `nanogpt`, `megatron`, `deepspeed`, `torchtune`, `torchtitan`, `mmengine`, `mlx-lm`, `litgpt`, `metriclogger`
 * (torchvision/DETR/LLaMA2-Accessory), `tqdm`, `tensorboard`, `unknown`.
 */
import { newByteKeyCache, scanByteDict, type ByteDictOut, type ByteKeyCache } from './bytesDict';
import { newDictScan, scanDict, scanFlatNumericDict, type DictScan } from './literal';
import { MicroBatchSteps, type MicroBatchRecord, type StepAggregate } from './microBatches';
import { tbName } from './names';
import { looksLikeTfRecord, TfEventsReader } from './tensorboard';
import { flushKeyValueBlock, newTextState, parseDuration, parseTextLine, type LineSink, type TextState } from './textFormats';
import type { CrashEvent, LaunchEvent, LogEvent, MetaAt, MetricPoint, ParseOutput, Progress } from './types';

/** Options of {@link createLogParser}. */
export interface LogParserOptions {
  /** Name (or path) of the file, used to detect whole-file formats (`.json`, `.csv`, `events.out.tfevents.*`). */
  fileName?: string;
  /** Force a file-level format: `tensorboard`, `json` (a JSON document read at end) or `text`. */
  format?: string;
  /** Clock (ms since the epoch) for points whose line carries no timestamp; without it such points have no time. */
  now?: () => number;
}

/** A streaming parser over one log. */
export interface LogParser {
  /**
   * Feeds the next chunk; returns the points completed by it. Never throws on bad input. Its records take the time `now()` gives (when the parser has one), or none with `untimed`: bytes
   * written before anyone watched (a log's backlog) have no knowable time, and never the moment they were read.
   */
  push(chunk: string | Uint8Array, untimed?: boolean): ParseOutput;
  /** Flushes the last, unterminated line (or the buffered JSON document) and returns what it held. */
  end(): ParseOutput;
  /**
   * The log has gone quiet (its file stopped growing): closes what only a later line could close, the optimizer step
   * still accumulating micro-batch records (LitGPT; microBatches.ts), and returns its points. The parser stays open:
   * more chunks may follow. If records of that step arrive after all, their losses still reach the alert rules, and
   * the chart keeps the settled point (a step already placed keeps its first value). A traceback waiting for
   * confirmation (see `CrashEvent`) is confirmed: a log quiet after it most likely ended there.
   */
  settle(): ParseOutput;
  /** Detected format: the first primary record format seen (`hf-trainer`, `megatron`, ...), else an auxiliary one
   * (`deepspeed`, `tqdm`), else `unknown`. */
  readonly format: string;
  /** Every record format seen, in order of first appearance. */
  readonly formats: readonly string[];
}

/** Formats that only accompany a training log (they never name it while a primary format is present). */
const AUX_FORMATS = new Set(['tqdm', 'deepspeed']);

/** Keys of a Trainer dict that mark the final summary (`Trainer.train()` end: `train_runtime`, `train_loss`...). */
const SUMMARY_KEYS = new Set(['train_runtime', 'train_samples_per_second', 'train_steps_per_second']);
/** Keys that carry the step in JSON-line logs. */
const STEP_KEYS = new Set(['step', 'global_step', 'current_steps', 'iteration', 'iter', '_step', 'trainer/global_step', 'train/global_step']);
/** Keys that carry wall time in seconds since the epoch. */
const TIME_KEYS = new Set(['_timestamp', 'timestamp', 'wall_time', 'time_unix']);
const TOTAL_KEYS = new Set(['total_steps', 'max_steps']);
const SKIP_KEYS = new Set(['percentage']);

const RANK_RE = /^(?:\[rank(\d+)\]:|\[default(\d+)\]:|(\d{1,5}): )/;
const TS_RE = /(\d{4})-(\d\d)-(\d\d)[ T](\d\d):(\d\d):(\d\d)(?:[.,](\d{1,9}))?/;
// ESC [ ... final byte, OSC ... BEL/ST, two-byte escapes.
// eslint-disable-next-line no-control-regex
const ANSI_RE = /\x1b\[[0-9;?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)|\x1b[@-Z\\-_]/g;
/** Longest line kept while waiting for its end (a longer one is parsed as is: likely binary garbage). */
const MAX_LINE = 1 << 20;

/** Per series: the last step placed (`last`) in run segment `seg`, the highest step of the segments before it
 * (`top`: a step at or below it was logged again by a later launch), points placed (`count`), whether the last one
 * took its record index (`indexed`: no printed or bar step, so a lower step after it is no restart). */
/**
 * A series' placement state. `held`: a point whose step went back below `last` in its segment, held until the series'
 * next point says what it was (see `Parser.place`): another step below the old last confirms a new launch (the held
 * point opens it), a step above drops it (an out-of-order line: a lagging rank printing without a rank prefix).
 */
interface SeriesState { name: string; last: number; count: number; seg: number; top: number; drop: boolean; indexed: boolean; held?: HeldPoint }
interface HeldPoint { step: number; below: number; value: number; time: number | undefined; hasValue: boolean }
/**
 * Record formats whose step is the run's global step (an iteration counter that never resets within a launch), where a
 * step going back means a new launch. Not tqdm bars and their postfixes, Lightning's progress bar, torchtune's
 * `epoch|batch|` lines, MetricLogger and MMEngine `[it/N]`, Key: value headers: their counters restart each epoch.
 */
const GLOBAL_STEP_FORMATS = new Set(['hf-trainer', 'jsonl', 'llamafactory', 'nanogpt', 'megatron', 'torchtitan', 'deepspeed', 'mlx-lm', 'litgpt']);
/** Most series one log may create (a JSON log keyed by sample ids must not grow memory without bound). */
const MAX_SERIES = 4096;
interface KeyInfo { role: 0 | 1 | 2 | 3 | 4 | 5; state?: SeriesState } // 0 value, 1 step, 2 time, 3 summary, 4 total, 5 skip
/** A Trainer dict waiting for the training bar line that gives its global step. */
interface PendingDict { states: SeriesState[]; values: number[]; time: number | undefined; rank: string | undefined }
/** Cursor-up (`ESC [ n A`): tqdm draws a bar at position > 0 (a nested bar, such as the Trainer's evaluation bar)
 * as `\n` * pos, the bar, then cursor-up * pos (tqdm `std.tqdm.display` / `moveto`). */
// eslint-disable-next-line no-control-regex
const CURSOR_UP_RE = /\x1b\[\d*A/;

class Parser implements LogParser {
  private mode: 'detect' | 'text' | 'json' | 'tfevents';
  private decoder = new TextDecoder('utf-8');
  private carry = '';
  private pendingBytes: Uint8Array | undefined;
  private doc: string[] = [];
  private tf: TfEventsReader | undefined;
  private decided = false;
  private pendingDict: string | undefined;
  private carryBytes: Uint8Array | undefined;
  private readonly byteKeys: ByteKeyCache = newByteKeyCache();
  private readonly byteOut: ByteDictOut;

  private readonly series = new Map<string, SeriesState>();
  private readonly keyInfo = new Map<string, KeyInfo>();
  /** KeyInfo of the keys at each position of the last dict (log lines repeat their keys). */
  private readonly infos: KeyInfo[] = [];
  private readonly infoKeys: string[] = [];
  private readonly scan: DictScan = newDictScan();
  private readonly st: TextState = newTextState();
  private segmentNo = 0;
  private droppedSeries = 0;
  private readonly seen: string[] = [];
  private primary: string | undefined;

  /**
   * The points of the output being built: `outN` of them, in an array allocated at the size of the last output (a
   * 64 KiB chunk of Trainer dicts makes ~2,600 points; growing an empty array to that by push copied its elements
   * over again, some 5% of a parse); see {@link put}. Trimmed to `outN` by `flush`.
   */
  private out: MetricPoint[] = [];
  private outN = 0;
  /** The series whose point `place` just held back (see `SeriesState.held`): the caller hands its value to `keepHeld`. */
  private holding: SeriesState | undefined;
  /** The stream the alert rules judge, where it differs from `out` (see `ParseOutput.alertPoints`). */
  private outAlert: MetricPoint[] | undefined;
  /** LitGPT micro-batch records waiting for their optimizer step to close. */
  private readonly micro = new MicroBatchSteps();
  /** emit() is placing a step's mean loss: its micro-batch values go to `outAlert` instead. */
  private aggregate = false;
  private outEvents: LogEvent[] | undefined;
  /** Highest step any point was placed at (a crash is shown at the last step). */
  private maxStep: number | undefined;
  /** True once a record carried a step or a training bar was seen: the log has a global step axis. */
  private stepped = false;
  /** Points that had to take their record index (reported as `unplaced_points` once the log has a step axis, which
   * counts those placed before the axis showed too: they are off it all the same). */
  private unplaced = 0;
  private unplacedReported = 0;
  /** `loss` points a later launch logged at steps an earlier launch had logged (reported as `relogged_points`). */
  private relogged = 0;
  private reloggedReported = 0;
  /** Points placed since the last launch line, and the highest step among them. */
  private placedInLaunch = 0;
  private launchMaxStep: number | undefined;
  /** Crashes that may have been caught (tracebacks, fairseq's OOM warning; see `CrashEvent`) not confirmed yet:
   * confirmed at end(), settle(), a new launch or a line that ends runs, withdrawn when a record at a step after
   * `step` follows. */
  private pendingCrashes: CrashEvent[] | undefined;
  /** Inside end(), after the last line and the dict waiting for its bar: what is placed now is no record printed after
   * a traceback (a step still accumulating since before it, a Key: value block, Megatron's NaN grad norm put at the
   * iteration after the last), so it withdraws none. */
  private finishing = false;
  private outProgress: Progress | undefined;
  private outMeta: Record<string, number | string> | undefined;
  /** The same metadata in log order, with where each came (ParseOutput.metaAt). */
  private outMetaAt: MetaAt[] | undefined;
  private time: number | undefined;
  private chunkTime: number | undefined;
  private lastFormat: string | undefined;
  private lineRank: string | undefined;
  private metricsRank: string | undefined;
  private readonly sink: LineSink;
  /** Total (`max_steps`) of the Trainer's training bar once seen in this segment; its last drawn n. */
  private barTotal: number | undefined;
  private barN: number | undefined;
  /** The total of an evaluation bar drawn before training (`evaluate()` before `train()`), not the training bar's. */
  private evalBarTotal: number | undefined;
  private pending: PendingDict | undefined;
  /** False once two Trainer dicts came with no training bar line between them: the dicts are not interleaved
   * with the bar (block-buffered stdout: `tqdm.write` goes to stdout, the bar to stderr), so the bar's n says
   * nothing about them and the stream keeps the index convention. */
  private barSteps = true;
  /** Before the first training bar line: false once two dicts came in a row (a log of dicts only, or dicts
   * printed apart from the bar), so the ones before the bar keep the index convention. */
  private preBarPend = true;
  /** The current line held a cursor-up escape: its bar is a nested one. */
  private nestedLine = false;

  constructor(private readonly opts: LogParserOptions) {
    this.byteOut = { count: 0, keys: this.scan.keys, values: this.scan.values }; // shared: no copy per line
    const f = opts.format;
    this.mode = f === 'tensorboard' ? 'tfevents' : f === 'json' ? 'json' : f === 'text' ? 'text' : 'detect';
    const name = opts.fileName ?? '';
    if (this.mode === 'detect') {
      if (/tfevents/.test(name)) this.mode = 'tfevents';
      else if (/\.json$/i.test(name)) this.mode = 'json';
    }
    this.sink = {
      point: (n, s, v, judged) => { if (judged === false) this.emitUnjudged(this.stateOf(n), s, v); else this.emit(this.stateOf(n), s, v); },
      progress: (p) => { this.outProgress = p; },
      meta: (k, v) => { (this.outMeta ??= {})[k] = v; (this.outMetaAt ??= []).push({ key: k, value: v, at: this.outN, event: this.outEvents?.length ?? 0 }); },
      format: (n) => this.noteFormat(n),
      segment: (line) => this.launch(line),
      bar: (n, total) => this.onBar(n, total),
      auxStep: () => {
        if (this.barTotal !== undefined && this.barN !== undefined && this.barSteps) return this.barN + 1;
        return this.st.lastStep !== undefined ? this.st.lastStep + 1 : undefined;
      },
      crash: (c) => {
        // a Trainer dict printed before the crash line is placed first (no bar redraw will follow it)
        if (c.mayBeCaught) this.resolvePending();
        const e: CrashEvent = { kind: 'crash', crash: c.kind, reason: c.reason, line: c.line };
        if (this.maxStep !== undefined) e.step = this.maxStep;
        // A traceback may be caught and logged while training goes on (an upload that failed, a callback; an OOM in
        // one, fairseq's skipped OOM batch): it waits for the end of the log or a new launch (see `CrashEvent`). The
        // lines that only end runs count at once, and confirm a traceback before them (the run ended there: the
        // child's traceback, then torchrun's report of it); so the events keep the order of the lines.
        if (c.mayBeCaught) { (this.pendingCrashes ??= []).push(e); return; }
        this.confirmCrashes();
        (this.outEvents ??= []).push(e);
      },
      microBatch: (r) => this.microBatch(r),
      stepAtIter: (iter) => this.micro.stepAtIter(iter),
      launchStep: () => this.launchMaxStep,
    };
  }

  get format(): string { return this.primary ?? this.seen.find((f) => f !== 'tqdm') ?? this.seen[0] ?? 'unknown'; }
  get formats(): readonly string[] { return this.seen; }

  push(chunk: string | Uint8Array, untimed = false): ParseOutput {
    this.chunkTime = untimed ? undefined : this.opts.now?.();
    try { this.feed(chunk); } catch (e) { this.sink.meta('parse_error', e instanceof Error ? e.message : String(e)); }
    return this.flush();
  }

  settle(): ParseOutput {
    // a traceback that ended a log gone quiet is confirmed (an opened log is followed until its panel closes)
    this.confirmCrashes();
    try { this.micro.flush((a) => this.emitStep(a)); } catch (e) { this.sink.meta('parse_error', e instanceof Error ? e.message : String(e)); }
    return this.flush();
  }

  end(): ParseOutput {
    this.chunkTime = this.opts.now?.();
    try { this.finish(); } catch (e) { this.sink.meta('parse_error', e instanceof Error ? e.message : String(e)); }
    this.finishing = false;
    return this.flush();
  }

  private flush(): ParseOutput {
    if (this.stepped && this.unplaced !== this.unplacedReported) { (this.outMeta ??= {}).unplaced_points = this.unplaced; this.unplacedReported = this.unplaced; }
    if (this.relogged !== this.reloggedReported) { (this.outMeta ??= {}).relogged_points = this.relogged; this.reloggedReported = this.relogged; }
    const points = this.out;
    if (points.length !== this.outN) points.length = this.outN;
    const r: ParseOutput = { points };
    if (this.outProgress) r.progress = this.outProgress;
    if (this.outMeta) r.meta = this.outMeta;
    if (this.outEvents) r.events = this.outEvents;
    if (this.outMetaAt) r.metaAt = this.outMetaAt;
    if (this.outAlert) r.alertPoints = this.outAlert;
    this.out = this.outN > 0 ? new Array<MetricPoint>(this.outN) : []; this.outN = 0; this.outProgress = undefined; this.outMeta = undefined; this.outMetaAt = undefined; this.outEvents = undefined; this.outAlert = undefined;
    return r;
  }

  /**
   * A launch line (see `LineSink.segment`) or a new TensorBoard event file: a new run segment, with a new training bar
   * (maybe with another total); the earlier launch's unconfirmed traceback is confirmed (it ended that launch), and,
   * when the earlier launch placed points, a `LaunchEvent` marks where the new one starts.
   */
  private launch(line: string): void {
    this.resolvePending();
    this.micro.flush((a) => this.emitStep(a));
    this.barTotal = this.barN = undefined;
    this.newLaunch(line);
  }

  /**
   * The run-segment part of {@link launch}, also used on its own where a series' step goes back (`place`): that is
   * seen while a record is being placed, so what the launch line would flush first (a waiting dict, a step still
   * accumulating) is that record itself or already placed, and the training bar is the one whose n went back.
   * `line` is empty there (no launch line).
   */
  private newLaunch(line: string): void {
    this.confirmCrashes();
    if (this.series.size > 0) this.segmentNo++;
    if (this.placedInLaunch > 0) {
      const e: LaunchEvent = { kind: 'launch', line: line.length > 500 ? `${line.slice(0, 500)}…` : line, at: this.outN };
      if (this.launchMaxStep !== undefined) e.step = this.launchMaxStep;
      if (this.outAlert !== undefined) e.alertAt = this.outAlert.length;
      (this.outEvents ??= []).push(e);
    }
    this.placedInLaunch = 0;
    this.launchMaxStep = undefined;
  }

  /** Reports the traceback crashes that waited for confirmation (see `pendingCrashes`). */
  private confirmCrashes(): void {
    const c = this.pendingCrashes;
    if (c === undefined) return;
    this.pendingCrashes = undefined;
    (this.outEvents ??= []).push(...c);
  }

  private noteFormat(name: string): void {
    if (name === this.lastFormat) return;
    this.lastFormat = name;
    if (!this.seen.includes(name)) this.seen.push(name);
    if (this.primary === undefined && !AUX_FORMATS.has(name)) this.primary = name;
  }

  // ---- file-level dispatch -------------------------------------------------------------------------------------

  private feed(chunk: string | Uint8Array): void {
    if (this.mode === 'detect') {
      if (typeof chunk === 'string') this.mode = 'text';
      else {
        const bytes = this.pendingBytes ? concat(this.pendingBytes, chunk) : chunk;
        if (bytes.length < 12) { this.pendingBytes = bytes; return; }
        this.pendingBytes = undefined;
        this.mode = looksLikeTfRecord(bytes) ? 'tfevents' : 'text';
        chunk = bytes;
      }
    }
    if (this.mode === 'tfevents') {
      const bytes = typeof chunk === 'string' ? new TextEncoder().encode(chunk) : chunk;
      this.tfReader().push(bytes);
      return;
    }
    if (typeof chunk !== 'string' && this.mode === 'text') { this.bytes(chunk); return; }
    const text = typeof chunk === 'string' ? chunk : this.decoder.decode(chunk, { stream: true });
    if (this.mode === 'json') { this.doc.push(text); return; }
    this.text(text);
  }

  /**
   * Text bytes: whole lines that are plain Trainer dicts are read straight from the bytes (see bytesDict.ts); runs of
   * other lines are decoded and go through `text()`. Runs always end at a newline, so `text()` keeps no partial line
   * between them and the order of records is kept.
   */
  private bytes(chunk: Uint8Array): void {
    if (this.carryBytes !== undefined) {
      // The line left unterminated by the last chunk is joined with its own end only: copying the whole chunk after
      // it (64 KiB from the log follower) would move every byte of the log once more.
      const carry = this.carryBytes;
      this.carryBytes = undefined;
      const nl = chunk.indexOf(10);
      if (nl < 0) { this.byteLines(concat(carry, chunk)); return; }
      this.byteLines(concat(carry, chunk.subarray(0, nl + 1)));
      chunk = chunk.subarray(nl + 1);
    }
    this.byteLines(chunk);
  }

  /** The lines of `buf` (see `bytes`); an unterminated rest is kept in `carryBytes`. */
  private byteLines(buf: Uint8Array): void {
    const n = buf.length;
    let run = 0; // start of bytes not handled yet
    let i = 0;   // start of the current line
    let dv: DataView | undefined; // buf as words, for scanByteDict's key compare
    while (i < n) {
      // Fast line: blanks, a '{'...'}' Trainer dict, blanks or '\r', then '\n'. The scan itself finds the line end.
      let a = i;
      while (buf[a] === 32 || buf[a] === 9) a++;
      if (buf[a] === 123 && buf[a + 1] === 39) {
        // Lines before this one go through the text path first: their state (a wrapped dict) may concern this line.
        if (run < i) { this.textOrDoc(this.decoder.decode(buf.subarray(run, i), { stream: true })); run = i; }
        if (this.textIdle()) {
          const close = scanByteDict(buf, dv ??= new DataView(buf.buffer, buf.byteOffset, n), a, n, this.byteKeys, this.byteOut);
          if (close > 0) {
            let p = close;
            while (buf[p] === 32 || buf[p] === 9 || buf[p] === 13) p++;
            if (p < n && buf[p] === 10) {
              this.time = this.chunkTime;
              this.lineRank = undefined;
              this.scan.count = this.byteOut.count;
              this.scan.strings = undefined;
              this.emitDict(this.scan, false);
              i = run = p + 1;
              continue;
            }
          }
        }
      }
      const e = buf.indexOf(10, i);
      if (e < 0) break;
      i = e + 1;
    }
    if (run < i) this.textOrDoc(this.decoder.decode(buf.subarray(run, i), { stream: true }));
    if (i < n) {
      // The unterminated rest waits for its newline (bytes, so a multi-byte character split by the chunk is kept whole).
      this.carryBytes = buf.slice(i);
      if (this.carryBytes.length > MAX_LINE) { const c = this.carryBytes; this.carryBytes = undefined; this.textOrDoc(this.decoder.decode(c, { stream: true })); }
    }
  }

  private textOrDoc(text: string): void { if (this.mode === 'json') this.doc.push(text); else this.text(text); }

  /** True when the string path holds no state that the next line must see (partial line, wrapped dict, first line). */
  private textIdle(): boolean { return this.mode === 'text' && this.carry.length === 0 && this.pendingDict === undefined && this.decided; }

  private finish(): void {
    if (this.mode === 'detect' && this.pendingBytes) {
      const b = this.pendingBytes; this.pendingBytes = undefined; this.mode = 'text';
      this.text(this.decoder.decode(b, { stream: true }));
    }
    if (this.mode === 'tfevents') {
      if (this.tf && this.tf.pendingBytes > 0) this.sink.meta('truncated_bytes', this.tf.pendingBytes);
      if (this.tf && this.tf.corruptRecords > 0) this.sink.meta('corrupt_records', this.tf.corruptRecords);
      if (this.tf && this.tf.skippedBytes > 0) this.sink.meta('skipped_bytes', this.tf.skippedBytes);
      return;
    }
    if (this.carryBytes !== undefined) { const c = this.carryBytes; this.carryBytes = undefined; this.textOrDoc(this.decoder.decode(c, { stream: true })); }
    const tail = this.decoder.decode();
    if (this.mode === 'json') { this.doc.push(tail); this.jsonDocument(this.doc.join('')); this.doc = []; return; }
    this.text(tail, true);
    const last = this.carry;
    this.carry = '';
    if (last.trim().length > 0) this.line(dropCutToken(last), 0, -1, true);
    if (this.pendingDict !== undefined) this.salvageDict();
    // a Trainer dict still waiting for its bar was printed after the last traceback (a traceback places the dict
    // before it first): a record after it, as any other
    this.resolvePending();
    this.finishing = true;
    this.micro.flush((a) => this.emitStep(a));
    if (this.st.block !== undefined) flushKeyValueBlock(this.st, this.sink);
    if (this.st.pendingGradNormNaN && this.st.megatronLastIter !== undefined) {
      this.emit(this.stateOf('grad_norm'), this.st.megatronLastIter + 1, NaN);
      this.st.pendingGradNormNaN = false;
    }
    this.confirmCrashes();
  }

  private tfReader(): TfEventsReader {
    return this.tf ??= new TfEventsReader((s) => {
      this.noteFormat('tensorboard');
      this.time = s.wallTime;
      this.emit(this.stateOf(tbName(s.tag)), s.step, s.value);
    }, () => { this.noteFormat('tensorboard'); this.launch(''); });
  }

  // ---- text -----------------------------------------------------------------------------------------------------

  private text(chunk: string, final = false): void {
    const s = this.carry.length > 0 ? this.carry + chunk : chunk;
    if (!this.decided) {
      // A pretty-printed JSON document (trainer_state.json under another name) opens with a lone brace/bracket line.
      const first = s.trimStart();
      if (first.length === 0 && !final) { this.carry = s; return; }
      if ((first[0] === '{' || first[0] === '[') && this.opts.format !== 'text') {
        const nl = first.search(/[\r\n]/);
        if (nl < 0 && !final && s.length < MAX_LINE) { this.carry = s; return; }
        if (nl >= 0 && first.slice(1, nl).trim() === '') { this.decided = true; this.mode = 'json'; this.carry = ''; this.doc.push(s); return; }
      }
      this.decided = true;
    }
    let i = 0;
    let nl = s.indexOf('\n');
    let cr = s.indexOf('\r');
    for (;;) {
      let e: number;
      if (cr >= 0 && (nl < 0 || cr < nl)) e = cr;
      else if (nl >= 0) e = nl;
      else break;
      this.line(s, i, e, false);
      i = e + 1;
      if (nl >= 0 && nl < i) nl = s.indexOf('\n', i);
      if (cr >= 0 && cr < i) cr = s.indexOf('\r', i);
    }
    this.carry = i === 0 ? s : s.slice(i);
    if (this.carry.length > MAX_LINE) { const c = this.carry; this.carry = ''; this.line(c, 0, c.length, false); }
  }

  /** One line `s[a, b)`; b === -1 means the whole of s. */
  private line(s: string, a: number, b: number, last: boolean): void {
    if (b < 0) b = s.length;
    while (a < b && s.charCodeAt(a) <= 32) a++;
    while (b > a && s.charCodeAt(b - 1) <= 32) b--;
    if (a === b) { if (this.st.block !== undefined) flushKeyValueBlock(this.st, this.sink); return; } // a blank line ends a Key: value block
    this.time = this.chunkTime;
    // torchrun/Slurm rank prefixes ('[rank3]: ', '[default0]:', srun -l's '3: '): metrics are taken from one rank only,
    // the first that printed any, so a record every rank prints is one point.
    this.lineRank = undefined;
    this.nestedLine = false;
    const c0 = s.charCodeAt(a);
    if (c0 === 91 /* [ */ || (c0 >= 48 && c0 <= 57)) {
      const m = RANK_RE.exec(s.length - a > 24 ? s.slice(a, a + 24) : s.slice(a, b));
      if (m) {
        this.lineRank = m[1] ?? m[2] ?? m[3];
        a += m[0].length;
        while (a < b && s.charCodeAt(a) <= 32) a++;
        if (a === b) return;
      }
    }
    if (this.pendingDict !== undefined) {
      const joined = this.pendingDict + s.slice(a, b);
      this.pendingDict = undefined;
      if (this.dict(joined, 0, joined.length, last)) return;
    }
    if (s.charCodeAt(a) === 123 /* { */ && this.dict(s, a, b, last)) return;
    this.general(s.slice(a, b), last, 0);
  }

  /** Tries a dict literal at s[a]; true when the line was consumed. */
  private dict(s: string, a: number, b: number, last: boolean): boolean {
    const json = s.charCodeAt(a + 1) === 34;
    const sc = this.scan;
    // Hot path: a whole-line Trainer dict of numbers with the keys of the previous line.
    if (!json && s.charCodeAt(b - 1) === 125 && scanFlatNumericDict(s, a, b, sc) && sc.end === b) { this.emitDict(sc, false); return true; }
    if (!scanDict(s, a, b, sc, json)) return false;
    if (!sc.closed) {
      if (last || b - a > 65536) { this.pendingDict = s.slice(a, b); this.salvageDict(); }
      else this.pendingDict = s.slice(a, b);
      return true;
    }
    this.emitDict(sc, json);
    if (sc.end < b) { const rest = s.slice(sc.end, b).trim(); if (rest) this.general(rest, last, 1); }
    return true;
  }

  /** A dict cut off for good: keep the pairs that were complete (followed by a comma). */
  private salvageDict(): void {
    const d = this.pendingDict!;
    this.pendingDict = undefined;
    const sc = this.scan;
    if (scanDict(d, 0, d.length, sc, d.charCodeAt(1) === 34) && sc.count > 0) this.emitDict(sc, d.charCodeAt(1) === 34);
  }

  private emitDict(sc: DictScan, json: boolean, format?: string): void {
    const n = sc.count;
    if (n === 0) return;
    const keys = sc.keys, values = sc.values;
    let step: number | undefined;
    let total: number | undefined;
    let llamaFactory = false;
    const infos = this.infos, infoKeys = this.infoKeys;
    for (let i = 0; i < n; i++) {
      const k = keys[i];
      let info: KeyInfo;
      if (infoKeys[i] === k) info = infos[i];
      else { info = this.keyOf(k); infoKeys[i] = k; infos[i] = info; }
      const r = info.role;
      if (r === 0) continue;
      if (r === 3) { for (let j = 0; j < n; j++) this.sink.meta(keys[j], values[j]); this.noteFormat(format ?? (json ? 'jsonl' : 'hf-trainer')); return; }
      if (r === 1) { step = values[i]; if (keys[i] === 'current_steps') llamaFactory = true; }
      else if (r === 2) this.time = values[i] * 1000;
      else if (r === 4) total = values[i];
    }
    this.noteFormat(format ?? (json ? (llamaFactory ? 'llamafactory' : 'jsonl') : 'hf-trainer'));
    if (this.pending !== undefined && !json && format === undefined) {
      // The previous dict saw no bar redraw before this one: not interleaved (see `barSteps`), once a training bar
      // was seen at all (dicts that open a log before the bar was first drawn say nothing about it).
      if (this.barTotal !== undefined) this.barSteps = false;
      else this.preBarPend = false;
      this.resolvePending();
    }
    // An evaluation before the log's first training step (transformers `eval_on_start`, or evaluate() before train():
    // `{'eval_loss': ..., 'epoch': 0}`, or no epoch) is at step 0, not at the index or bar step of what follows.
    const stepped = this.stepped;
    // A complete bar before it (n = total) with no training point yet is the evaluation's own: `trainer.evaluate()`
    // before `train()` draws a plain bar of the eval batches, then the dict; the training bar starts after it, with
    // another total (its redraws after the dict are not the training bar either, see `onBar`).
    const evalBar = this.maxStep === undefined && this.barN !== undefined && this.barN === this.barTotal && this.barN > 0;
    const atStart = step === undefined && !json && format === undefined && this.maxStep === undefined && (this.barN === undefined || this.barN === 0 || evalBar) && startEval(keys, values, n);
    if (atStart) {
      step = 0;
      if (evalBar) { this.evalBarTotal = this.barTotal; this.barTotal = undefined; this.barN = undefined; }
    }
    if (step === undefined && !json && format === undefined && this.barSteps && (this.barTotal !== undefined || this.preBarPend)) {
      // A Trainer dict in a stream with the training bar: its step is the n of the next training bar line. Also
      // before the first bar line: a log that opens on a dict (an excerpt, a numbered-prefix copy) gets the step of
      // the bar redrawn right after it (LlamaFactory#8261: `{'loss': 3.5534, ...}` then `10/1752`), not 1.
      const states: SeriesState[] = [], vals: number[] = [];
      for (let i = 0; i < n; i++) if (infos[i].role === 0) { states.push(infos[i].state!); vals.push(values[i]); }
      this.pending = { states, values: vals, time: this.time, rank: this.lineRank };
      return;
    }
    // As `emit`, with the point made here: passing the value to a call would box it (a heap number per point).
    const t = this.time;
    for (let i = 0; i < n; i++) {
      const info = infos[i];
      if (info.role !== 0) continue;
      const st = info.state!;
      const at = this.place(st, step);
      if (at !== at) { this.keepHeld(st, values[i]); continue; }
      const p: MetricPoint = t === undefined ? { series: st.name, step: at, value: values[i] } : { series: st.name, step: at, value: values[i], time: t };
      this.put(p);
      if (this.outAlert !== undefined) this.outAlert.push(p); // a log with micro-batch records has its own alert stream
    }
    if (atStart) this.stepped = stepped; // step 0 of an evaluation gives the log no step axis
    if (step !== undefined && total !== undefined) {
      const p: Progress = { step, total };
      const eta = sc.strings?.get('remaining_time');
      if (eta !== undefined) { const sec = parseDuration(eta); if (sec !== undefined) p.etaSeconds = sec; }
      this.outProgress = p;
    }
  }

  /**
   * A plain tqdm bar line. The Trainer's training bar (`tqdm(total=state.max_steps)`, ProgressCallback) is the first
   * plain bar of a run segment that is not nested; later bars with another total (the evaluation bar:
   * `tqdm(total=len(eval_dataloader), leave=False)`, drawn nested below the training bar and, in recent versions,
   * with a description) are not training steps.
   *
   * Why the next bar line gives a dict's step: the Trainer increments `global_step`, calls `on_step_end` (the
   * training bar's `update`), then `_maybe_log_save_evaluate` -> `log` -> `on_log`, whose `tqdm.write(str(logs))`
   * clears the bars, writes the dict and redraws every bar (tqdm `external_write_mode`), so the bar line right after
   * the dict shows the global step at which it was logged. The bar line before it can lag (`update` redraws at most
   * every `mininterval`), so it is only the fallback: for a dict followed by another dict or the end of the log
   * before any bar line.
   */
  private onBar(n: number, total: number): void {
    if (this.nestedLine) return;
    if (total === this.evalBarTotal && this.maxStep === 0) return; // the redraw of evaluate()'s bar (see emitDict)
    if (this.barTotal === undefined) this.barTotal = total;
    else if (total !== this.barTotal) return;
    this.barN = n;
    this.resolvePending();
  }

  /** Emits the waiting Trainer dict at the training bar's last n (index convention once `barSteps` is off). */
  private resolvePending(): void {
    const p = this.pending;
    if (p === undefined) return;
    this.pending = undefined;
    const time = this.time, rank = this.lineRank, format = this.lastFormat;
    this.time = p.time; this.lineRank = p.rank; this.lastFormat = 'hf-trainer'; // the dict's record, placed at the bar line
    const step = this.barSteps ? this.barN : undefined;
    for (let i = 0; i < p.states.length; i++) this.emit(p.states[i], step, p.values[i]);
    this.time = time; this.lineRank = rank; this.lastFormat = format;
  }

  private keyOf(key: string): KeyInfo {
    let info = this.keyInfo.get(key);
    if (info === undefined) {
      if (SUMMARY_KEYS.has(key)) info = { role: 3 };
      else if (STEP_KEYS.has(key)) info = { role: 1 };
      else if (TIME_KEYS.has(key)) info = { role: 2 };
      else if (TOTAL_KEYS.has(key)) info = { role: 4 };
      else if (SKIP_KEYS.has(key)) info = { role: 5 };
      else info = { role: 0, state: this.stateOf(tbName(key)) };
      if (!info.state?.drop) this.keyInfo.set(key, info);
    }
    return info;
  }

  /** Everything that is not a dict at the start of the line. depth limits re-parsing of glued remainders. */
  private general(line: string, last: boolean, depth: number): void {
    if (line.indexOf('\x1b') >= 0) {
      if (CURSOR_UP_RE.test(line)) this.nestedLine = true;
      line = line.replace(ANSI_RE, '').trim();
      if (!line) return;
    }
    {
      // A timestamp near the start of the line (or of a record glued after a progress bar) dates its points.
      const head = line.length > 64 ? line.slice(0, 64) : line;
      const ts = TS_RE.exec(head);
      if (ts) this.time = Date.UTC(+ts[1], +ts[2] - 1, +ts[3], +ts[4], +ts[5], +ts[6], ts[7] ? Math.floor(Number(`0.${ts[7]}`) * 1000) : 0);
    }
    // A dict after a prefix ('[1757] {...}', '[rank0]: {...}', a bar glued before it).
    let d = line.indexOf("{'");
    if (d < 0) d = line.indexOf('{"');
    if (d >= 0 && depth < 3) {
      // Prefixes such as '[1757] ', '[rank0]: ', '+[time] [INFO] ... ' are fine; a label ('DATASET CONFIG: {...}',
      // 'args={...}') means the dict is not a metrics record.
      const before = line.slice(0, d).trim();
      if (!/[:=]$/.test(before.replace(/\[[^\]]*\]:?/g, ' ').trim())) {
        if (before && depth < 2) this.general(before, last, depth + 1);
        if (this.dict(line, d, line.length, last)) return;
      }
    }
    parseTextLine(line, this.st, this.sink, (rest) => { if (depth < 3) this.general(rest, last, depth + 1); });
  }

  // ---- whole JSON documents -------------------------------------------------------------------------------------

  private jsonDocument(text: string): void {
    let doc: unknown;
    try { doc = JSON.parse(pythonJsonToJson(text)); } catch {
      // Not one document: JSON lines under a .json name, or a document cut short. Read it as lines.
      this.mode = 'text';
      this.decided = true;
      this.text(text);
      const last = this.carry; this.carry = '';
      if (last.trim()) this.line(dropCutToken(last), 0, -1, true);
      if (this.pendingDict !== undefined) this.salvageDict();
      this.resolvePending();
      return;
    }
    const num = (v: unknown): number | undefined => typeof v === 'number' ? v : v === '__NaN__' ? NaN : v === '__Infinity__' ? Infinity : v === '__-Infinity__' ? -Infinity : undefined;
    if (Array.isArray(doc)) { this.noteFormat('jsonl'); for (const rec of doc) if (rec && typeof rec === 'object') this.record(rec as Record<string, unknown>, num, 'jsonl'); return; }
    if (!doc || typeof doc !== 'object') return;
    const o = doc as Record<string, unknown>;
    if (Array.isArray(o.log_history)) {
      this.noteFormat('trainer-state');
      for (const [k, v] of Object.entries(o)) {
        if (k === 'log_history') continue;
        const x = num(v);
        if (x !== undefined) this.sink.meta(k, x);
        else if (typeof v === 'string') this.sink.meta(k, v);
      }
      for (const rec of o.log_history) if (rec && typeof rec === 'object') this.record(rec as Record<string, unknown>, num, 'trainer-state');
      const gs = num(o.global_step), ms = num(o.max_steps);
      if (gs !== undefined) this.outProgress = ms !== undefined && ms > 0 ? { step: gs, total: ms } : { step: gs };
      return;
    }
    // all_results.json / train_results.json / eval_results.json: summary numbers only.
    let any = false;
    for (const [k, v] of Object.entries(o)) { const x = num(v); if (x !== undefined) { this.sink.meta(k, x); any = true; } }
    if (any) this.noteFormat('hf-results');
  }

  /** One log_history / JSON record: a summary goes to meta, anything else to points at its step. */
  private record(rec: Record<string, unknown>, num: (v: unknown) => number | undefined, format: string): void {
    const keys = Object.keys(rec);
    if (keys.some((k) => SUMMARY_KEYS.has(k))) { for (const k of keys) { const x = num(rec[k]); if (x !== undefined) this.sink.meta(k, x); } return; }
    const sc = this.scan;
    sc.count = 0;
    for (const k of keys) { const x = num(rec[k]); if (x !== undefined) { sc.keys[sc.count] = k; sc.values[sc.count] = x; sc.count++; } }
    this.time = this.chunkTime;
    this.emitDict(sc, true, format);
  }

  // ---- points ---------------------------------------------------------------------------------------------------

  private stateOf(name: string): SeriesState {
    let st = this.series.get(name);
    if (st === undefined) {
      const drop = this.series.size >= MAX_SERIES;
      st = { name, last: -Infinity, count: 0, seg: 0, top: -Infinity, drop, indexed: false };
      if (drop) { this.droppedSeries++; (this.outMeta ??= {}).dropped_series = this.droppedSeries; return st; }
      this.series.set(name, st);
    }
    return st;
  }

  /** Appends a point to the output (see `out`). */
  private put(p: MetricPoint): void {
    const out = this.out;
    if (this.outN < out.length) out[this.outN] = p; else out.push(p);
    this.outN++;
  }

  private emit(st: SeriesState, step: number | undefined, value: number): void {
    const at = this.place(st, step);
    if (at !== at) { this.keepHeld(st, value); return; }
    const t = this.time;
    const p: MetricPoint = t === undefined ? { series: st.name, step: at, value } : { series: st.name, step: at, value, time: t };
    this.put(p);
    if (this.outAlert !== undefined && !this.aggregate) this.outAlert.push(p);
  }

  /** As `emit`, but the point is left out of the stream the alert rules judge (see `LineSink.point`'s `judged`). */
  private emitUnjudged(st: SeriesState, step: number | undefined, value: number): void {
    if (this.outAlert === undefined) this.outAlert = this.out.slice(0, this.outN);
    const aggregate = this.aggregate;
    this.aggregate = true; // emit() leaves outAlert alone while aggregating
    try { this.emit(st, step, value); } finally { this.aggregate = aggregate; }
  }

  /**
   * The step a new point of `st` goes to (`step`, or the series' next index when undefined), with the series' state
   * updated as if it was emitted; NaN when the point is dropped: another rank's line, a series over the limit, a
   * step that is NaN or infinite, a step already seen in this run segment.
   */
  private place(st: SeriesState, step: number | undefined): number {
    if (this.lineRank !== undefined) {
      if (this.metricsRank === undefined) this.metricsRank = this.lineRank;
      else if (this.lineRank !== this.metricsRank) return NaN;
    }
    if (st.drop) return NaN;
    const indexed = step === undefined;
    // counted whether or not the log has a step axis yet: reported once it has one (see `flush`)
    if (step === undefined) { step = st.count + 1; this.unplaced++; if (this.barTotal !== undefined) this.stepped = true; }
    else if (step - step !== 0) return NaN; // NaN or infinite step: nothing to place it at
    else this.stepped = true;
    if (this.pendingCrashes !== undefined && !this.finishing) {
      // a record after a traceback, at a later step: the exception was caught and training went on
      const c = this.pendingCrashes[0].step;
      if (c === undefined || step > c) this.pendingCrashes = undefined;
    }
    if (this.maxStep === undefined || step > this.maxStep) this.maxStep = step;
    // A step before the series' last one in this segment: a new launch appended to the log with no launch line (a
    // restart or a resume from an earlier checkpoint; the first series of its first record to show it starts the
    // segment, the record's other series join it). Not where either step is a record index (a series that switched
    // from index to bar steps or back, see `barSteps`), nor for an evaluation series (placed at the step the
    // evaluation ran at, or at its batch index before training: mmengine), which a restart's training records
    // precede anyway. The same step again is a re-logged record: keep the first value.
    const held = st.held;
    if (held === undefined) {
      if (step < st.last && this.globalStep(st, indexed)) { st.held = { step, below: st.last, value: NaN, time: this.time, hasValue: false }; this.holding = st; return NaN; }
    } else {
      st.held = undefined;
      // the next point is below where the series was too: a new launch, which the held point opened. At or past it:
      // the held point was an out-of-order line (dropped, as a re-logged step: a rank one interval behind, also at the
      // end of the log, where the lagging rank's last two lines come after the others' last), unless a launch line
      // came since (the held point opened that)
      if (step < held.below && this.globalStep(st, indexed)) { this.newLaunch(''); this.placeHeld(st, held); }
      else if (st.seg !== this.segmentNo && held.step < step) this.placeHeld(st, held);
    }
    if (step <= st.last && st.seg === this.segmentNo) return NaN;
    st.indexed = indexed;
    if (st.seg !== this.segmentNo && st.last > st.top) st.top = st.last;
    if (step <= st.top && st.name === 'loss') this.relogged++;
    st.last = step; st.count++; st.seg = this.segmentNo;
    this.placedInLaunch++;
    if (this.launchMaxStep === undefined || step > this.launchMaxStep) this.launchMaxStep = step;
    return step;
  }

  /** Whether a point of `st` at a step of this record is on the run's global step axis in this segment (see
   * `GLOBAL_STEP_FORMATS`; not a record index, not an evaluation series), where a step going back means a launch. */
  private globalStep(st: SeriesState, indexed: boolean): boolean {
    return st.seg === this.segmentNo && !indexed && !st.indexed && !st.name.startsWith('eval_') && GLOBAL_STEP_FORMATS.has(this.lastFormat ?? '');
  }

  /** Places and outputs a held point of `st` (see `SeriesState.held`) before the point being placed. */
  private placeHeld(st: SeriesState, h: HeldPoint): void {
    if (!h.hasValue) return;
    const at = this.place(st, h.step);
    if (at !== at) return;
    const p: MetricPoint = h.time === undefined ? { series: st.name, step: at, value: h.value } : { series: st.name, step: at, value: h.value, time: h.time };
    this.put(p);
    if (this.outAlert !== undefined && !this.aggregate) this.outAlert.push(p);
  }

  /** Takes the value of the point `place` just held (see `SeriesState.held`). */
  private keepHeld(st: SeriesState, value: number): void {
    if (this.holding !== st) return;
    this.holding = undefined;
    const h = st.held;
    if (h !== undefined) { h.value = value; h.hasValue = true; }
  }

  /**
   * A micro-batch record (LitGPT): grouped into its optimizer step, and its loss handed to the alert rules at once, at
   * that step (a spike or a NaN in the micro-batches of a step that never completes, as before a crash, still fires).
   */
  private microBatch(r: MicroBatchRecord): void {
    if (this.outAlert === undefined) this.outAlert = this.out.slice(0, this.outN);
    const step = this.micro.add(r, this.time, (a) => this.emitStep(a));
    if (step === undefined) return;
    if (this.lineRank !== undefined && this.metricsRank !== undefined && this.lineRank !== this.metricsRank) return; // as emit()
    const t = this.time;
    this.outAlert.push(t === undefined ? { series: 'loss', step, value: r.loss } : { series: 'loss', step, value: r.loss, time: t });
  }

  /**
   * One optimizer step of micro-batch records (LitGPT): `loss` is their mean, `loss_min`/`loss_max` keep a spike in
   * one micro-batch visible, `micro_batches` counts them, `iter_time_ms` is their mean; all at the step, dated by its last
   * record. The alert stream has each micro-batch's loss (see `microBatch`) instead of the mean.
   */
  private emitStep(a: StepAggregate): void {
    const time = this.time;
    this.time = a.time;
    if (this.outAlert === undefined) this.outAlert = this.out.slice(0, this.outN);
    this.aggregate = true;
    this.emit(this.stateOf('loss'), a.step, a.mean);
    this.aggregate = false;
    this.emit(this.stateOf('loss_min'), a.step, a.min);
    this.emit(this.stateOf('loss_max'), a.step, a.max);
    this.emit(this.stateOf('micro_batches'), a.step, a.losses.length);
    this.emit(this.stateOf('iter_time_ms'), a.step, a.iterTimeMs);
    this.time = time;
  }
}

/** A Trainer evaluation dict at the start of training: `eval_*` keys, no training `loss`, `epoch` 0 or absent. */
function startEval(keys: readonly string[], values: ArrayLike<number>, n: number): boolean {
  let evalKey = false;
  for (let i = 0; i < n; i++) {
    const k = keys[i];
    if (k === 'loss' || (k === 'epoch' && values[i] !== 0)) return false;
    if (k.startsWith('eval_')) evalKey = true;
  }
  return evalKey;
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array { const r = new Uint8Array(a.length + b.length); r.set(a); r.set(b, a.length); return r; }

/** Drops the trailing token of an unterminated last line: it may have been cut (`reducing to 1677721|6`). */
function dropCutToken(line: string): string {
  const t = line.replace(/\s+$/, '');
  if (t.length < line.length) return t; // ended in blanks: the last token is complete
  return t.replace(/[-+.\w]+$/, '');
}

/** Python's json module writes NaN/Infinity/-Infinity bare; turn them into sentinel strings JSON.parse accepts. */
function pythonJsonToJson(text: string): string {
  if (!/NaN|Infinity/.test(text)) return text;
  return text.replace(/("(?:[^"\\]|\\.)*")|(-?Infinity|NaN)/g, (m, str: string | undefined, bare: string | undefined) => str ?? `"__${bare}__"`);
}

/** Creates a streaming parser. */
export function createLogParser(opts: LogParserOptions = {}): LogParser { return new Parser(opts); }

/** Result of {@link parseLog}. */
export interface ParsedLog {
  format: string;
  formats: readonly string[];
  points: MetricPoint[];
  meta: Record<string, number | string>;
  progress?: Progress;
  /** What the alert rules judge where it differs from `points` (see `ParseOutput.alertPoints`). */
  alertPoints?: MetricPoint[];
  /** The crash and launch events of the whole log, in the order the parser reported them (see `LogEvent`; a launch's
   * `at` and `alertAt` count this result's `points` and `alertPoints`); a traceback's crash is here only if confirmed
   * (see `CrashEvent`). Absent: none. */
  events?: LogEvent[];
}

/** Parses a whole log at once (same result as pushing it in any chunks, then `end()`). */
export function parseLog(data: string | Uint8Array, opts: { fileName?: string; format?: string } = {}): ParsedLog {
  const p = new Parser(opts);
  const a = p.push(data);
  const b = p.end();
  const points = b.points.length ? a.points.concat(b.points) : a.points;
  const meta = { ...(a.meta ?? {}), ...(b.meta ?? {}) };
  const r: ParsedLog = { format: p.format, formats: p.formats, points, meta };
  const progress = b.progress ?? a.progress;
  if (progress) r.progress = progress;
  if (a.alertPoints || b.alertPoints) r.alertPoints = (a.alertPoints ?? a.points).concat(b.alertPoints ?? b.points);
  if (a.events || b.events) {
    // end()'s launch events count the points before them in its own output: moved past push()'s
    const n = a.points.length, na = (a.alertPoints ?? a.points).length;
    const late = (b.events ?? []).map((e) => e.kind === 'launch' ? { ...e, at: e.at + n, ...(e.alertAt !== undefined ? { alertAt: e.alertAt + na } : {}) } : e);
    r.events = (a.events ?? []).concat(late);
  }
  return r;
}
