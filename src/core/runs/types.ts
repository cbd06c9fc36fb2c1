/**
 * The run directory on a host, the truth about a run that any editor or CLI can find again:
 * `~/.llm-training-studio/runs/<run-id>/run.json` (this record) and `.../output.log` (stdout+stderr, appended).
 */

/** `crashed`: ended by a line that ends runs (CUDA OOM, NCCL timeout, traceback, `Killed`/137; see crash.ts). */
export type RunState = 'starting' | 'running' | 'finished' | 'failed' | 'crashed' | 'stopped' | 'unknown';

/** The content of `run.json`. Times are ISO-8601 strings; env holds variable names only, never values. */
export interface RunRecord {
  id: string;
  /** The name the user gave (free text; the id holds a sanitized form of it). */
  name?: string;
  /** Host alias the run was launched on (`local` for the embedded host). */
  host: string;
  /** The command as argv, never a shell string. */
  argv: string[];
  cwd: string;
  envNames: string[];
  pid?: number;
  pgid?: number;
  slurmJobId?: string;
  startTime: string;
  endTime?: string;
  exitCode?: number;
  state: RunState;
  /** Absolute path on the host of the copy of the training config taken at launch (inside the run directory). */
  configSnapshot?: string;
  gitCommit?: string;
  /** True when the working tree at `cwd` had uncommitted changes at launch (`git status --porcelain` non-empty). */
  gitDirty?: boolean;
  /** Why the launch failed, when state is `failed` before the command ran. */
  error?: string;
  /** Absolute path of the log on the host. */
  logPath: string;
  /** Why the run crashed (state `crashed`): `CUDA out of memory`, `NCCL watchdog timeout`, `ValueError`, ... Live
   * state only: read from the log's tail when the runs are listed, never written to run.json. */
  crashReason?: string;
  /** The last line of the log that ends runs (the traceback's exception line, the OOM message...); for a `failed` run
   * whose log has no such line, the log's last non-blank line (see `lastLogLine`). Live state only. */
  lastError?: string;
  /**
   * A Slurm run only: what Slurm says went wrong, `Slurm job 123: TIMEOUT (TimeLimit)` (the job's end state and
   * Slurm's reason, for a job that ended other than COMPLETED or cancelled: FAILED, TIMEOUT, NODE_FAIL, OUT_OF_MEMORY,
   * PREEMPTED, ...), or `Slurm did not answer (squeue failed (exit 1): ...): the state is what the run folder says`.
   * Live state only (set by `listRunsDetailed`), never written to run.json. A refused `sbatch` is `error` instead.
   */
  slurmError?: string;
  /**
   * A Slurm run that has not started yet: why it waits, as squeue says it, `Slurm job 123 is PENDING (Resources)`
   * (or `(Priority)`, `(BeginTime)`, `(QOSMaxGRESPerUser)`, ...; see `slurmWaitReason`). Live state only (set by
   * `listRunsDetailed`), never written to run.json.
   */
  slurmWaiting?: string;
}
