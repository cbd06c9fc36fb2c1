/**
 * The run directory on a host, the truth about a run that any editor or CLI can find again:
 * `~/.llm-training-studio/runs/<run-id>/run.json` (this record) and `.../output.log` (stdout+stderr, appended).
 */

export type RunState = 'starting' | 'running' | 'finished' | 'failed' | 'stopped' | 'unknown';

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
}
