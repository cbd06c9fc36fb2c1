/**
 * Runner over SSH (ssh2): commands through an exec channel, files through SFTP, live logs with `tail -c +N -F`.
 *
 * Every command is POSIX sh text built by shellQuote/shellCommand. The exec request then carries
 * `sh -c 'eval "$(printf %s BASE64 | base64 -d)"'`, so the user's login shell (bash, zsh, fish, tcsh...) only ever
 * sees a constant string plus base64 and cannot reinterpret any quoting.
 */
import type { ClientChannel, SFTPWrapper, Stats } from 'ssh2';
import { detachedLaunchScript, parseDetachedPid } from '../core/runs/commands';
import { shellCommand, shellQuote } from '../core/runs/quote';
import type { SshConnection } from './connection';
import type { ExecResult, FileStat, Runner, TailHandle } from './types';

/** Wraps sh script text so that any login shell hands it to /bin/sh byte for byte. */
export function loginShellSafe(script: string): string {
  return `sh -c 'eval "$(printf %s ${Buffer.from(script, 'utf8').toString('base64')} | base64 -d)"'`;
}

/** Options of SshRunner. */
export interface SshRunnerOptions {
  /** Home directory to use instead of asking the host (tests isolate runs this way). */
  home?: string;
  /** Close the connection on dispose() (default false: connections belong to the pool). */
  ownsConnection?: boolean;
}

const SFTP_NO_SUCH_FILE = 2;

/**
 * Streaming tails allowed at once per connection. OpenSSH allows 10 sessions per connection (MaxSessions); SFTP and
 * short execs need some, so further followers get `tail` refused and fall back to SFTP polling.
 */
export const MAX_TAILS_PER_CONNECTION = 4;
/** Short exec channels at once per connection; more wait their turn (4 tails + 4 execs + SFTP stay under 10). */
export const MAX_EXECS_PER_CONNECTION = 4;
const openTails = new WeakMap<SshConnection, number>();

/** FIFO limit on concurrent exec channels of one connection. */
class ChannelGate {
  private active = 0;
  private readonly waiting: (() => void)[] = [];
  constructor(private readonly limit: number) {}
  async run<T>(fn: () => Promise<T>): Promise<T> {
    if (this.active >= this.limit) await new Promise<void>((r) => this.waiting.push(r));
    else this.active++;
    try {
      return await fn();
    } finally {
      const next = this.waiting.shift();
      if (next) next(); else this.active--;
    }
  }
}
const execGates = new WeakMap<SshConnection, ChannelGate>();

/** Runner for an SSH host, over a (pooled) SshConnection. */
export class SshRunner implements Runner {
  readonly host: string;
  private homeP?: Promise<string>;
  private readonly madeDirs = new Set<string>();

  constructor(readonly connection: SshConnection, private readonly opts: SshRunnerOptions = {}) {
    this.host = connection.alias;
    if (opts.home) this.homeP = Promise.resolve(opts.home);
  }

  /** Runs POSIX sh script text on the host. Rejects when the connection fails or drops before the exit status. */
  async execScript(script: string, opts: { stdin?: string | Uint8Array; timeoutMs?: number; viaStdin?: boolean } = {}): Promise<ExecResult> {
    let gate = execGates.get(this.connection);
    if (!gate) { gate = new ChannelGate(MAX_EXECS_PER_CONNECTION); execGates.set(this.connection, gate); }
    return gate.run(() => this.execNow(script, opts));
  }

  private async execNow(script: string, opts: { stdin?: string | Uint8Array; timeoutMs?: number; viaStdin?: boolean }): Promise<ExecResult> {
    if (opts.viaStdin && opts.stdin !== undefined) throw new Error('execScript: viaStdin and stdin exclude each other');
    const client = await this.connection.client();
    return new Promise((resolve, reject) => {
      client.exec(opts.viaStdin ? 'sh -s' : loginShellSafe(script), (err, ch: ClientChannel) => {
        if (err) { reject(new Error(`${this.host}: cannot run command: ${err.message}`)); return; }
        const out: Buffer[] = [];
        const errb: Buffer[] = [];
        let exit: { code: number | null; signal?: string } | undefined;
        let timedOut = false;
        const timer = opts.timeoutMs ? setTimeout(() => { timedOut = true; ch.close(); }, opts.timeoutMs) : undefined;
        ch.on('data', (b: Buffer) => out.push(b));
        ch.stderr.on('data', (b: Buffer) => errb.push(b));
        ch.on('exit', (code: number | null, signal?: string) => { exit = { code, ...(signal ? { signal: `SIG${signal}` } : {}) }; });
        ch.on('close', () => {
          if (timer) clearTimeout(timer);
          const stdout = Buffer.concat(out).toString('utf8');
          const stderr = Buffer.concat(errb).toString('utf8');
          if (exit) resolve({ stdout, stderr, exitCode: exit.code, ...(exit.signal ? { signal: exit.signal } : {}) });
          else if (timedOut) reject(new Error(`${this.host}: command timed out after ${opts.timeoutMs} ms`));
          else reject(new Error(`${this.host}: connection lost while a command was running`));
        });
        ch.end(opts.viaStdin ? `${script}\n` : opts.stdin ?? undefined);
      });
    });
  }

  exec(argv: string[], opts: { cwd?: string; env?: Record<string, string>; stdin?: string; timeoutMs?: number } = {}): Promise<ExecResult> {
    return this.execScript(shellCommand(argv, { cwd: opts.cwd, env: opts.env }), { stdin: opts.stdin, timeoutMs: opts.timeoutMs });
  }

  /**
   * The launch script (with env values) goes over the channel's stdin to `sh -s`, so values never appear in any
   * process's argv on the host (other users can read argv through ps; they cannot read another user's environ).
   */
  async spawnDetached(argv: string[], cwd: string, env: Record<string, string>, logPath: string): Promise<{ pid: number }> {
    const out = await this.execScript(detachedLaunchScript(argv, cwd, env, logPath), { timeoutMs: 60_000, viaStdin: true });
    return { pid: parseDetachedPid(out) };
  }

  private async sftp(): Promise<SFTPWrapper> {
    return this.connection.sftp();
  }

  async readRange(path: string, start: number, end: number): Promise<Uint8Array> {
    const sftp = await this.sftp();
    const handle = await new Promise<Buffer>((res, rej) => sftp.open(path, 'r', (e, h) => (e ? rej(e) : res(h))));
    try {
      const chunks: Buffer[] = [];
      let pos = start;
      while (pos < end) {
        const want = Math.min(end - pos, 256 * 1024);
        const buf = Buffer.alloc(want);
        const n = await new Promise<number>((res, rej) => sftp.read(handle, buf, 0, want, pos, (e, bytesRead) => {
          // ssh2 reports EOF as an error with code SFTP_STATUS_CODE.EOF (1)
          if (e && (e as { code?: number }).code === 1) res(0); else if (e) rej(e); else res(bytesRead);
        }));
        if (n === 0) break;
        chunks.push(buf.subarray(0, n));
        pos += n;
        // OpenSSH's sftp-server answers a read with one read(2) of a regular file, so a short read is the end of the
        // file: stopping here saves the round trip that would only return EOF (a header read then costs open + read).
        if (n < want) break;
      }
      return Buffer.concat(chunks);
    } finally {
      sftp.close(handle, () => undefined);
    }
  }

  async stat(path: string): Promise<FileStat | undefined> {
    const sftp = await this.sftp();
    return new Promise((res, rej) => sftp.stat(path, (e, s: Stats) => {
      if (e) { if ((e as { code?: number }).code === SFTP_NO_SUCH_FILE) res(undefined); else rej(e); return; }
      res({ size: s.size, mtimeMs: s.mtime * 1000, isDirectory: s.isDirectory(), ...(!s.isFile() && !s.isDirectory() ? { special: true } : {}) });
    }));
  }

  async list(dir: string): Promise<string[]> {
    const sftp = await this.sftp();
    return new Promise((res, rej) => sftp.readdir(dir, (e, list) => {
      if (e) { if ((e as { code?: number }).code === SFTP_NO_SUCH_FILE) res([]); else rej(e); return; }
      res(list.map((x) => x.filename).filter((n) => n !== '.' && n !== '..').sort());
    }));
  }

  /** Writes through SFTP to a temp name, then renames over the target (posix-rename@openssh.com when offered). */
  async writeFile(path: string, data: string | Uint8Array, opts: { mode?: number } = {}): Promise<void> {
    const dir = path.slice(0, path.lastIndexOf('/')) || '/';
    if (!this.madeDirs.has(dir)) {
      const r = await this.exec(['mkdir', '-p', '--', dir]);
      if (r.exitCode !== 0) throw new Error(`${this.host}: cannot create ${dir}: ${r.stderr.trim()}`);
      this.madeDirs.add(dir);
    }
    const sftp = await this.sftp();
    const tmp = `${path}.tmp-${Date.now()}-${Math.random().toString(36).slice(2, 8)}`;
    await new Promise<void>((res, rej) => sftp.writeFile(tmp, Buffer.from(data), { mode: opts.mode ?? 0o644 }, (e) => (e ? rej(e) : res())));
    await new Promise<void>((res, rej) => {
      const done = (e?: Error | null): void => (e ? rej(e) : res());
      try { sftp.ext_openssh_rename(tmp, path, done); } catch { sftp.rename(tmp, path, done); }
    });
  }

  async kill(pgid: number, signal: 'SIGINT' | 'SIGTERM' | 'SIGKILL'): Promise<void> {
    if (!Number.isInteger(pgid) || pgid <= 1) throw new Error(`refusing to signal process group ${pgid}`);
    const r = await this.exec(['kill', '-s', signal.slice(3), '--', `-${pgid}`]);
    if (r.exitCode !== 0 && !/no such process/i.test(r.stderr)) throw new Error(`${this.host}: kill -${signal} -${pgid} failed: ${r.stderr.trim()}`);
  }

  home(): Promise<string> {
    if (!this.homeP) {
      const p = this.execScript('printf %s "$HOME"').then((r) => {
        if (r.exitCode !== 0 || !r.stdout.startsWith('/')) throw new Error(`${this.host}: cannot read $HOME: ${r.stderr.trim()}`);
        return r.stdout;
      });
      this.homeP = p;
      p.catch(() => { if (this.homeP === p) this.homeP = undefined; });
    }
    return this.homeP;
  }

  /**
   * `tail -c +(offset+1) -F PATH` on an exec channel. A reader on the channel's stdin kills tail when the channel
   * ends (our stop(), or the connection dropping), so no tail is left behind on the host.
   */
  tail(path: string, offset: number, onData: (chunk: Uint8Array) => void): TailHandle {
    let stopped = false;
    let ch: ClientChannel | undefined;
    let settle!: (r: { error?: Error }) => void;
    const done = new Promise<{ error?: Error }>((r) => { settle = r; });
    const inUse = openTails.get(this.connection) ?? 0;
    if (inUse >= MAX_TAILS_PER_CONNECTION) {
      settle({ error: Object.assign(new Error(`${this.host}: ${inUse} log streams already open on this connection; polling instead`), { streamUnavailable: true }) });
      return { stop: () => undefined, done };
    }
    openTails.set(this.connection, inUse + 1);
    void done.then(() => openTails.set(this.connection, (openTails.get(this.connection) ?? 1) - 1));
    const script = [
      `tail -c +${offset + 1} -F -- ${shellQuote(path)} 2>/dev/null &`,
      't=$!',
      'cat > /dev/null',
      'kill "$t" 2>/dev/null',
    ].join('\n');
    this.connection.client().then((client) => {
      if (stopped) { settle({}); return; }
      client.exec(loginShellSafe(script), (err, channel) => {
        // A refused channel (server's MaxSessions) is not a lost connection: the follower polls instead.
        if (err) { settle({ error: Object.assign(err, { streamUnavailable: true }) }); return; }
        ch = channel;
        if (stopped) channel.end();
        channel.on('data', (b: Buffer) => { if (!stopped) onData(b); });
        channel.stderr.resume();
        channel.on('close', () => settle(stopped ? {} : { error: new Error(`${this.host}: log stream closed`) }));
      });
    }, (e: Error) => settle({ error: e }));
    return {
      stop: () => {
        if (stopped) return;
        stopped = true;
        ch?.end();
      },
      done,
    };
  }

  dispose(): void {
    if (this.opts.ownsConnection) this.connection.close();
  }
}
