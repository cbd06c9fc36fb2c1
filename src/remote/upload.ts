/**
 * Uploads the workspace files git considers changed (modified or new, not ignored: `git ls-files -m -o
 * --exclude-standard`) to the same relative paths under a remote folder, through the runner (SFTP for SSH hosts).
 * Files listed by git but deleted locally are skipped. Honours .gitignore, .git/info/exclude and the global excludes.
 */
import { execFile } from 'node:child_process';
import { promises as fsp } from 'node:fs';
import { join, posix } from 'node:path';
import type { Runner } from './types';

export interface UploadResult {
  /** Relative paths uploaded (posix separators). */
  uploaded: string[];
  /** Total bytes written. */
  bytes: number;
  /** Listed by git but missing locally (deleted), not uploaded. */
  skipped: string[];
}

/** Lists changed files of the git work tree at `localDir`, relative to it. Throws when it is not a git work tree. */
export function changedFiles(localDir: string): Promise<string[]> {
  return new Promise((resolve, reject) => {
    execFile('git', ['-C', localDir, 'ls-files', '-m', '-o', '--exclude-standard', '-z', '--', '.'], { maxBuffer: 64 * 1024 * 1024 }, (err, stdout, stderr) => {
      if (err) { reject(new Error(`git ls-files failed in ${localDir}: ${stderr.trim() || err.message}`)); return; }
      resolve([...new Set(stdout.split('\0').filter(Boolean))].sort());
    });
  });
}

export async function uploadChanged(runner: Runner, localDir: string, remoteDir: string, opts: { onFile?: (rel: string, bytes: number) => void } = {}): Promise<UploadResult> {
  const files = await changedFiles(localDir);
  const result: UploadResult = { uploaded: [], bytes: 0, skipped: [] };
  for (const rel of files) {
    const parts = rel.split('/');
    if (parts.some((s) => s === '..' || s === '') || rel.startsWith('/')) throw new Error(`refusing to upload a path outside the work tree: ${rel}`);
    let data: Buffer;
    try {
      const st = await fsp.lstat(join(localDir, rel));
      if (!st.isFile()) { result.skipped.push(rel); continue; }
      data = await fsp.readFile(join(localDir, rel));
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') { result.skipped.push(rel); continue; }
      throw e;
    }
    await runner.writeFile(posix.join(remoteDir, rel), data);
    result.uploaded.push(rel);
    result.bytes += data.length;
    opts.onFile?.(rel, data.length);
  }
  return result;
}
