import * as vscode from 'vscode';
import type { MetricsFeed, MetricsBatch, Alert, Progress } from '../../core/metrics/types';
import type { WritableMetricsFeed } from '../../core/metrics/feed';
import type { RunRecord } from '../../core/runs/types';
import type { Runner } from '../../remote/types';
import type { RunsBackend, LogFollow } from './backend';
import { commandLabel } from './format';

/** One followed run: its feed, where in its log we are, and what the views show about it. */
export interface FeedEntry {
  readonly runId: string;
  run: RunRecord;
  readonly feed: MetricsFeed;
  /** Bytes of output.log already delivered to the feed; a re-attach resumes exactly here. */
  offset: number;
  /** Alerts raised so far (each once per episode, as the AlertDetector reports them). */
  alerts: Alert[];
  progress?: Progress;
  /** Latest finite-or-not value of the `loss` series. */
  loss?: number;
  /** Whether a follower is currently reading the log. */
  following: boolean;
  /** Last error that stopped the follower (connection drop...), cleared on re-attach. */
  error?: string;
  /**
   * Byte offset from which log bytes were appended while this window followed the log: their records take the time
   * they arrived (the chart's wall and relative time axes). Bytes before it were written while nobody watched (a run
   * attached after the fact, or bytes written during a dropped connection) and have no time, never the moment they
   * were read (issue 11). Infinity until the log's size at attach is known.
   */
  timedFrom: number;
}

/**
 * The registry of live metrics feeds, one per attached run, kept while the extension lives. It is what the
 * loss-curve panel reads (`registerLossCurve(context, feeds)` takes exactly `{ get, all, onDidChange }`) and what
 * the Runs tree describes runs with.
 *
 * Exactly-once: each entry keeps the byte offset of output.log up to which chunks went into its feed. When the
 * follower stops (connection dropped, host rebooted, VS Code window reloaded the remote connection) `attach` on
 * the same run resumes from that offset, so no byte is parsed twice or skipped. After an extension reload the
 * registry is empty and an attach starts a fresh feed from byte 0, which rebuilds the full curve.
 */
export class RunFeeds implements vscode.Disposable {
  private readonly entries = new Map<string, FeedEntry & { follow?: LogFollow; generation: number }>();
  private readonly changed = new vscode.EventEmitter<void>();
  /** Fires whenever a feed is added, receives data, or its follower starts/stops (the loss-curve panel's FeedRegistry shape). */
  readonly onDidChange = this.changed.event;
  private readonly runChanged = new vscode.EventEmitter<string>();
  /** Fires with the run id of the entry that changed (the Runs tree repaints only that row). */
  readonly onDidChangeRun = this.runChanged.event;
  private readonly alerted = new vscode.EventEmitter<{ entry: FeedEntry; alert: Alert }>();
  /** Fires once per alert episode (the detector already de-duplicates points into episodes). */
  readonly onDidAlert = this.alerted.event;

  private readonly chunked = new vscode.EventEmitter<{ runId: string; bytes: Uint8Array }>();
  /** Raw log bytes as they are read (the task terminal shows them). */
  readonly onDidReadLog = this.chunked.event;
  private readonly ended = new vscode.EventEmitter<{ entry: FeedEntry; error?: string }>();
  /** A follower stopped: without error once the run ended and its log was read to the end. */
  readonly onDidStopFollowing = this.ended.event;

  constructor(private readonly backend: RunsBackend, private readonly log: vscode.LogOutputChannel) {}

  get(runId: string): MetricsFeed | undefined { return this.entries.get(runId)?.feed; }
  all(): MetricsFeed[] { return [...this.entries.values()].map((e) => e.feed); }
  entry(runId: string): FeedEntry | undefined { return this.entries.get(runId); }
  /** A local run's working directory (its chart exports go there); undefined for runs on other hosts. */
  folderOf(runId: string): string | undefined { const r = this.entries.get(runId)?.run; return r?.host === 'local' ? r.cwd : undefined; }
  list(): FeedEntry[] { return [...this.entries.values()]; }

  /**
   * Starts (or resumes) following a run's log into its feed. Idempotent: while a follower runs it returns the
   * entry unchanged. Resolves once the follower has started; data arrives asynchronously.
   */
  attach(run: RunRecord, runner: Runner): FeedEntry {
    let e = this.entries.get(run.id);
    if (!e) {
      const title = `${run.name ?? commandLabel(run.argv)} · ${run.host}`;
      const feed = this.backend.createFeed(run.id, title);
      e = { runId: run.id, run, feed, offset: 0, alerts: [], following: false, generation: 0, timedFrom: Infinity };
      this.entries.set(run.id, e);
      const entry = e;
      feed.subscribe((batch: MetricsBatch) => this.onBatch(entry, batch));
      // The config snapshot and launch command give gradient accumulation, batch, sequence length and world size
      // (loss-scale notes, the tokens axis); the log's banner fills in the rest.
      void this.backend.runSettings?.(runner, run).then((s) => (feed as Partial<WritableMetricsFeed>).updateSettings?.(s), () => undefined);
    } else {
      e.run = run;
    }
    if (e.following) return e;
    const entry = e;
    entry.following = true;
    entry.error = undefined;
    const gen = ++entry.generation;
    this.log.info(`following ${run.id} on ${run.host} from byte ${entry.offset}`);
    // What the log holds now was written before this follower: untimed. Until the size is known, bytes are untimed.
    entry.timedFrom = Infinity;
    runner.stat(run.logPath).then((st) => { if (gen === entry.generation) entry.timedFrom = Math.max(entry.offset, st?.size ?? 0); }, (err: Error) => {
      if (gen !== entry.generation) return;
      this.log.warn(`${run.id}: could not stat ${run.logPath} (${err.message}): log bytes from ${entry.offset} on are timed as they arrive`);
      entry.timedFrom = entry.offset;
    });
    entry.follow = this.backend.follow(runner, run, entry.offset, {
      onChunk: (bytes, endOffset) => {
        // Exactly once, guarded here too: a stopped follower may still hand over a read that was in flight, and a
        // new one starts at entry.offset; keep only bytes past what the feed already has.
        if (gen !== entry.generation || endOffset <= entry.offset) return;
        const start = endOffset - bytes.length;
        if (start > entry.offset) {
          this.log.error(`${run.id}: log bytes ${entry.offset}..${start} were skipped by the follower; re-attaching`);
          this.detach(run.id);
          return;
        }
        const fresh = start < entry.offset ? bytes.subarray(entry.offset - start) : bytes;
        const freshStart = endOffset - fresh.length;
        entry.offset = endOffset;
        const untimedBytes = Math.min(fresh.length, Math.max(0, entry.timedFrom - freshStart));
        if (untimedBytes > 0) this.backend.pushChunk(entry.feed, fresh.subarray(0, untimedBytes), true);
        if (untimedBytes < fresh.length) this.backend.pushChunk(entry.feed, untimedBytes ? fresh.subarray(untimedBytes) : fresh);
        this.chunked.fire({ runId: run.id, bytes: fresh });
      },
      onEnd: ({ error: err, stopped }) => {
        if (gen !== entry.generation) return;
        entry.following = false;
        entry.follow = undefined;
        if (stopped) {
          this.log.info(`detached from ${run.id} at byte ${entry.offset}`);
        } else if (err) {
          entry.error = err instanceof Error ? err.message : String(err);
          this.log.warn(`stopped following ${run.id} at byte ${entry.offset}: ${entry.error}`);
        } else {
          this.backend.endFeed(entry.feed);
          this.log.info(`${run.id}: log complete at byte ${entry.offset}`);
        }
        this.fireRun(run.id);
        this.ended.fire({ entry, error: entry.error });
      },
    });
    this.fireRun(run.id);
    return entry;
  }

  /** Stops following (the feed and its data stay). */
  detach(runId: string): void {
    const e = this.entries.get(runId);
    if (!e?.follow) return;
    const f = e.follow;
    // Bump the generation first so nothing the old follower still delivers reaches the feed.
    e.generation++;
    e.follow = undefined;
    e.following = false;
    f.stop();
    this.fireRun(runId);
  }

  /** Updates the run record (state, end or name changes found by the Runs tree's poll, or a rename). */
  updateRun(run: RunRecord): void {
    const e = this.entries.get(run.id);
    if (e && (e.run.state !== run.state || e.run.endTime !== run.endTime || e.run.name !== run.name)) { e.run = run; this.fireRun(run.id); }
  }

  private onBatch(e: FeedEntry, batch: MetricsBatch): void {
    if (batch.progress) e.progress = batch.progress;
    for (let i = batch.points.length - 1; i >= 0; i--) {
      const p = batch.points[i];
      if (p.series === 'loss') { e.loss = p.value; break; }
    }
    for (const a of batch.alerts) {
      e.alerts.push(a);
      this.alerted.fire({ entry: e, alert: a });
    }
    this.fireRun(e.runId);
  }

  private fireRun(runId: string): void {
    this.runChanged.fire(runId);
    this.changed.fire();
  }

  dispose(): void {
    for (const e of this.entries.values()) e.follow?.stop();
    this.changed.dispose();
    this.runChanged.dispose();
    this.alerted.dispose();
    this.chunked.dispose();
    this.ended.dispose();
  }
}
