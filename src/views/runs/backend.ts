/**
 * What the Runs views need from `src/remote` (hosts, runners, run lifecycle, log following, GPUs) and from
 * `src/core/metrics` (feeds), in one small interface. The views depend on this only, so tests and the CLI-facing
 * modules stay separate and a change of shape in either module is absorbed here.
 */
import type { RunSettings } from '../../shared/runSettings';
import type { MetricsFeed } from '../../core/metrics/types';
import type { RunRecord } from '../../core/runs/types';
import type { Runner } from '../../remote/types';
import type { SlurmOptions } from '../../remote/slurm';

/** A host the user can launch on. `local` is the embedded host (this machine, no SSH). */
export interface HostEntry {
  alias: string;
  /** Where it comes from: embedded, ~/.ssh/config (or `llmTraining.sshConfigFile`), or `llmTraining.hosts`. */
  source: 'local' | 'ssh-config' | 'settings';
  /** `user@hostname:port` or similar, for QuickPick details. */
  detail?: string;
}

export type { GpuStatus, GpuInfo } from '../../core/runs/commands';
import type { GpuStatus } from '../../core/runs/commands';

export interface LogFollowHandlers {
  /** Each byte range of output.log exactly once, in order; `endOffset` is the file offset after `bytes`. */
  onChunk(bytes: Uint8Array, endOffset: number): void;
  /**
   * Called once when following ends: `stopped` after `stop()`; else without error when the run ended and the whole
   * log was read; with `error` when following gave up.
   */
  onEnd(result: { error?: unknown; stopped?: boolean }): void;
}
export interface LogFollow { stop(): void }

/** Inputs of a launch. `argv[0]` is looked up on the host's PATH; nothing goes through a shell. */
export interface LaunchSpec { argv: string[]; cwd: string; env: Record<string, string>; name?: string; configSnapshot?: { fileName: string; content: string }; slurm?: SlurmOptions }

export interface RunsBackend {
  listHosts(): Promise<HostEntry[]>;
  /** A connected runner for the host (cached; host-key and auth prompts happen here). */
  getRunner(alias: string): Promise<Runner>;
  launchRun(runner: Runner, spec: LaunchSpec): Promise<RunRecord>;
  /** Every run in the host's run directory, newest first, with state refreshed (a dead pid is no longer running). */
  listRuns(runner: Runner): Promise<RunRecord[]>;
  /** SIGINT to the run's process group, then SIGTERM, then SIGKILL, each after a grace period (`STOP_GRACE`); resolves when no process of it is left. */
  stopRun(runner: Runner, run: RunRecord, onProgress?: (message: string) => void): Promise<RunRecord>;
  /** Deletes an ended run's directory on its host (remote/runs.ts `removeRun`); throws for a run not yet over. */
  removeRun(runner: Runner, run: RunRecord): Promise<void>;
  /** Sets the run's name in its run.json (remote/runs.ts `renameRun`). */
  renameRun(runner: Runner, run: RunRecord, name: string): Promise<void>;
  follow(runner: Runner, run: RunRecord, fromOffset: number, handlers: LogFollowHandlers): LogFollow;
  /** Resolves with the final record once the run's process group (or Slurm job) is gone; aborting rejects. */
  waitForRun(runner: Runner, run: RunRecord, signal?: AbortSignal): Promise<RunRecord>;
  /** GPUs on the host via nvidia-smi; `available: false` with the reason when there are none. */
  queryGpus(runner: Runner): Promise<GpuStatus>;
  /** Copies files of `localDir` changed since the last upload to `remoteDir`; returns how many were copied. */
  uploadChanged(runner: Runner, localDir: string, remoteDir: string, signal?: AbortSignal): Promise<number>;
  /** A feed parsing a log; `fileName` helps format detection (`trainer_state.json`, `*.tfevents.*`, `metrics.csv`). */
  createFeed(runId: string, title: string, fileName?: string): MetricsFeed;
  /** The run's settings from its config snapshot and launch command (remote/runs.ts `runSettingsOf`). */
  runSettings?(runner: Runner, run: RunRecord): Promise<RunSettings>;
  /** Parses bytes of the run's log into its feed; `untimed`: bytes written before this window followed the log (no time). */
  pushChunk(feed: MetricsFeed, bytes: Uint8Array, untimed?: boolean): void;
  /** Flushes a last partial line at the end of the log. */
  endFeed(feed: MetricsFeed): void;
  dispose(): void;
}
