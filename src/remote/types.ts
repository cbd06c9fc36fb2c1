/**
 * The seam between run lifecycle code and the place commands execute: the embedded `local` host, an SSH host
 * (possibly through ProxyJump), or a Slurm cluster reached through either. Every command is an argv array;
 * where a shell is unavoidable, it is quoted by `shellQuote` in `src/core/runs/quote.ts`.
 */
import type { FileInfo } from '../core/files';

export interface ExecResult { stdout: string; stderr: string; exitCode: number | null; signal?: string }

/** What `Runner.stat` says of a path: the core's `FileInfo` (size, mtime, folder, `special` for a FIFO or device). */
export type FileStat = FileInfo;

/** A running `Runner.tail`: `stop()` ends it; `done` settles when it ended, with the error when it broke. */
export interface TailHandle { stop(): void; readonly done: Promise<{ error?: Error }> }

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
  /** Writes a whole file atomically (temp + rename), creating parent folders; `mode` for new files (default 0644). */
  writeFile(path: string, data: string | Uint8Array, opts?: { mode?: number }): Promise<void>;
  /** Sends a signal to a process group. */
  kill(pgid: number, signal: 'SIGINT' | 'SIGTERM' | 'SIGKILL'): Promise<void>;
  /**
   * Optional streaming read, for low latency: calls onData with the bytes of `path` from byte `offset` on, in order,
   * as they are appended (SSH: `tail -c +N -F` on an exec channel; local: file watching). Bytes are never skipped or
   * repeated within one tail; after it breaks, start a new one at the count of bytes received.
   */
  tail?(path: string, offset: number, onData: (chunk: Uint8Array) => void): TailHandle;
  /** Home directory on the host (for `~/.llm-training-studio`). */
  home(): Promise<string>;
  dispose(): void;
}
