/**
 * The two implementations of `FileAccess` (`src/core/files.ts`): local files through node:fs, and files on any host
 * through its `Runner` (SFTP range reads on SSH hosts). Core readers (tokenizer, checkpoint, dataset, config
 * references) take either and never know which.
 */
import { promises as fsp } from 'node:fs';
import type { FileAccess, FileInfo } from '../core/files';
import { LocalRunner } from './localRunner';
import type { Runner } from './types';

/** Files of this machine (node:fs). Paths are absolute local paths. */
export function localFileAccess(): FileAccess {
  return runnerFileAccess(new LocalRunner());
}

/**
 * Files on the runner's host: `read` is `Runner.readRange`, `stat` and `list` the runner's. Errors name the host and
 * the path. The runner stays owned by the caller.
 */
export function runnerFileAccess(runner: Runner): FileAccess {
  const where = (path: string): string => (runner.host === 'local' ? path : `${runner.host}:${path}`);
  const wrap = async <T>(path: string, op: () => Promise<T>): Promise<T> => {
    try { return await op(); } catch (e) {
      const err = e as NodeJS.ErrnoException;
      if (err.message?.includes(path)) throw err;
      throw new Error(`${where(path)}: ${err.code === 'ENOENT' || (err as { code?: unknown }).code === 2 ? 'no such file' : err.message}`);
    }
  };
  return {
    host: runner.host,
    read: (path, start, end) => wrap(path, () => runner.readRange(path, start, end)),
    stat: (path): Promise<FileInfo | undefined> => wrap(path, () => runner.stat(path)),
    list: (path) => wrap(path, () => runner.list(path)),
  };
}

/** Whether a local path exists (for front ends deciding between a path and a Hub id, say). */
export async function localPathExists(path: string): Promise<boolean> {
  try { await fsp.stat(path); return true; } catch { return false; }
}
