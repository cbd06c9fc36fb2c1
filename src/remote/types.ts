/**
 * The seam between run lifecycle code and the place commands execute: the embedded `local` host, an SSH host
 * (possibly through ProxyJump), or a Slurm cluster reached through either. Every command is an argv array;
 * where a shell is unavoidable, it is quoted by `shellQuote` in `src/core/runs/quote.ts`.
 */

export interface ExecResult { stdout: string; stderr: string; exitCode: number | null; signal?: string }

export interface FileStat { size: number; mtimeMs: number; isDirectory: boolean }

export interface Runner {
  /** Host alias (`local`, or the ssh config alias). */
  readonly host: string;
  /** Runs argv to completion. Rejects only when the command could not be run at all (connection lost...). */
  exec(argv: string[], opts?: { cwd?: string; env?: Record<string, string>; stdin?: string; timeoutMs?: number }): Promise<ExecResult>;
  /**
   * Starts argv detached (own session and process group, stdin from /dev/null, stdout+stderr appended to logPath)
   * so it outlives this connection. Resolves with the pid (= pgid) of the detached process.
   */
  spawnDetached(argv: string[], cwd: string, env: Record<string, string>, logPath: string): Promise<{ pid: number }>;
  /** Reads bytes [start, end) of a file; end beyond EOF is clipped. */
  readRange(path: string, start: number, end: number): Promise<Uint8Array>;
  stat(path: string): Promise<FileStat | undefined>;
  list(dir: string): Promise<string[]>;
  writeFile(path: string, data: string | Uint8Array): Promise<void>;
  /** Sends a signal to a process group. */
  kill(pgid: number, signal: 'SIGINT' | 'SIGTERM' | 'SIGKILL'): Promise<void>;
  /** Home directory on the host (for `~/.llm-training-studio`). */
  home(): Promise<string>;
  dispose(): void;
}
