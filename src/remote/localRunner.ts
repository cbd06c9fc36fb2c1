/**
 * The embedded `local` host: commands run with child_process from argv (never through a shell), files through fs.
 */
import { spawn } from 'node:child_process';
import { promises as fsp, openSync, closeSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname } from 'node:path';
import { chokidar } from '../core/vendor';
import type { ExecResult, FileStat, Runner, TailHandle } from './types';

/** Options of LocalRunner. */
export interface LocalRunnerOptions {
  /** Home directory to use instead of the user's (tests point it at a temp folder). */
  home?: string;
}

/** Runner for this machine. */
export class LocalRunner implements Runner {
  readonly host = 'local';
  private readonly homeDir: string;

  constructor(opts: LocalRunnerOptions = {}) {
    this.homeDir = opts.home ?? homedir();
  }

  exec(argv: string[], opts: { cwd?: string; env?: Record<string, string>; stdin?: string; timeoutMs?: number } = {}): Promise<ExecResult> {
    if (argv.length === 0) return Promise.reject(new Error('exec: empty argv'));
    return new Promise((resolve) => {
      const child = spawn(argv[0], argv.slice(1), { cwd: opts.cwd, env: { ...process.env, ...opts.env }, stdio: ['pipe', 'pipe', 'pipe'] });
      const out: Buffer[] = [];
      const err: Buffer[] = [];
      let timer: NodeJS.Timeout | undefined;
      if (opts.timeoutMs) timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs);
      child.stdout.on('data', (b: Buffer) => out.push(b));
      child.stderr.on('data', (b: Buffer) => err.push(b));
      child.stdin.on('error', () => { /* the command may exit without reading its stdin */ });
      child.on('error', (e: NodeJS.ErrnoException) => {
        if (timer) clearTimeout(timer);
        // Same shape as a shell's "command not found" so local and SSH hosts read alike.
        resolve({ stdout: '', stderr: `${argv[0]}: ${e.message}\n`, exitCode: e.code === 'ENOENT' ? 127 : 126 });
      });
      child.on('close', (code, signal) => {
        if (timer) clearTimeout(timer);
        resolve({ stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8'), exitCode: code, ...(signal ? { signal } : {}) });
      });
      child.stdin.end(opts.stdin ?? '');
    });
  }

  spawnDetached(argv: string[], cwd: string, env: Record<string, string>, logPath: string): Promise<{ pid: number }> {
    return new Promise((resolve, reject) => {
      let fd: number;
      try { fd = openSync(logPath, 'a'); } catch (e) { reject(e); return; }
      // detached: true = setsid(2) in the child: own session and process group, pid == pgid.
      const child = spawn(argv[0], argv.slice(1), { cwd, env: { ...process.env, ...env }, detached: true, stdio: ['ignore', fd, fd] });
      child.once('error', (e) => { closeSync(fd); reject(new Error(`could not start ${argv[0]}: ${e.message}`)); });
      child.once('spawn', () => {
        closeSync(fd);
        child.unref();
        resolve({ pid: child.pid! });
      });
    });
  }

  async readRange(path: string, start: number, end: number): Promise<Uint8Array> {
    const fh = await fsp.open(path, 'r');
    try {
      const size = (await fh.stat()).size;
      const stop = Math.min(end, size);
      if (stop <= start) return new Uint8Array(0);
      const buf = Buffer.alloc(stop - start);
      let got = 0;
      while (got < buf.length) {
        const { bytesRead } = await fh.read(buf, got, buf.length - got, start + got);
        if (bytesRead === 0) break;
        got += bytesRead;
      }
      return buf.subarray(0, got);
    } finally {
      await fh.close();
    }
  }

  async stat(path: string): Promise<FileStat | undefined> {
    try {
      const s = await fsp.stat(path);
      return { size: s.size, mtimeMs: s.mtimeMs, isDirectory: s.isDirectory(), ...(!s.isFile() && !s.isDirectory() ? { special: true } : {}) };
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw e;
    }
  }

  async list(dir: string): Promise<string[]> {
    try {
      return (await fsp.readdir(dir)).sort();
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw e;
    }
  }

  /** Writes atomically (temp file + rename), creating parent folders. */
  async writeFile(path: string, data: string | Uint8Array, opts: { mode?: number } = {}): Promise<void> {
    await fsp.mkdir(dirname(path), { recursive: true });
    const tmp = `${path}.tmp-${process.pid}-${Date.now()}`;
    await fsp.writeFile(tmp, data, { mode: opts.mode ?? 0o644 });
    await fsp.rename(tmp, path);
  }

  async kill(pgid: number, signal: 'SIGINT' | 'SIGTERM' | 'SIGKILL'): Promise<void> {
    if (!Number.isInteger(pgid) || pgid <= 1) throw new Error(`refusing to signal process group ${pgid}`);
    try {
      process.kill(-pgid, signal);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ESRCH') throw e;
    }
  }

  async home(): Promise<string> {
    return this.homeDir;
  }

  /** Follows a local file with chokidar change events, plus a slow poll as a safety net for missed events. */
  tail(path: string, offset: number, onData: (chunk: Uint8Array) => void): TailHandle {
    let pos = offset;
    let stopped = false;
    let reading = false;
    let again = false;
    let settle!: (r: { error?: Error }) => void;
    const done = new Promise<{ error?: Error }>((r) => { settle = r; });
    const watcher = chokidar().watch(path, { persistent: true, ignoreInitial: true });
    const poll = setInterval(() => void pump(), 500);
    const finish = (error?: Error): void => {
      if (stopped) return;
      stopped = true;
      clearInterval(poll);
      void watcher.close();
      settle(error ? { error } : {});
    };
    const pump = async (): Promise<void> => {
      if (stopped) return;
      if (reading) { again = true; return; }
      reading = true;
      try {
        do {
          again = false;
          const st = await this.stat(path);
          if (!st) continue;
          if (st.size < pos) throw new Error(`${path} shrank from ${pos} to ${st.size} bytes (truncated?)`);
          while (!stopped && pos < st.size) {
            const chunk = await this.readRange(path, pos, Math.min(st.size, pos + (1 << 20)));
            if (chunk.length === 0) break;
            pos += chunk.length;
            onData(chunk);
          }
        } while (again && !stopped);
      } catch (e) {
        finish(e as Error);
      } finally {
        reading = false;
      }
    };
    watcher.on('add', () => void pump()).on('change', () => void pump()).on('error', (e) => finish(e as Error));
    void pump();
    return { stop: () => finish(), done };
  }

  dispose(): void { /* nothing held */ }
}
