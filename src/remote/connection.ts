/**
 * SSH connections, one shared per host alias: hosts resolved from the ssh config (ProxyJump chains of any length,
 * each hop's host key checked), auth through callbacks, keepalives that notice a hung or vanished server within
 * seconds, and reconnection with exponential backoff on next use. Events on SshConnection: `connected`,
 * `lost` ({ reason }), `reconnected` ({ afterMs }).
 */
import { EventEmitter } from 'node:events';
import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { Duplex } from 'node:stream';
import type { Client } from 'ssh2';

/** ssh2, required on the first connection: evaluating it (and its crypto) at activation would cost every window that
 * never opens an SSH host (bench `extension.activate`). */
function ssh2(): typeof import('ssh2') {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require('ssh2') as typeof import('ssh2');
}
import type { AnyAuthMethod, AuthenticationType, ConnectConfig, KeyboardInteractiveCallback, ParsedKey, Prompt, SFTPWrapper } from 'ssh2';
import { DEFAULT_KNOWN_HOSTS, addKnownHost, knownKeyTypes, verifyHostKey } from './knownHosts';
import type { HostKeyVerdict } from './knownHosts';
import { DEFAULT_SSH_CONFIG, loadSshConfig, resolveChain } from './sshConfig';
import type { ResolvedHost } from './sshConfig';

/** What a host-key prompt is shown: an unknown key. (A changed key never reaches a prompt.) */
export interface HostKeyPromptInfo { alias: string; host: string; port: number; keyType: string; fingerprint: string; knownHostsFile: string }

/** UI hooks. Each may return undefined/false to decline. Secrets returned here are used once and never stored. */
export interface SshCallbacks {
  /** An unknown host key: return true to trust it (it is then appended to known_hosts). */
  hostKeyPrompt?(info: HostKeyPromptInfo): Promise<boolean>;
  /** Passphrase for an encrypted identity file. `host` is `hostname[:port]` here and below. */
  passphrase?(info: { keyPath: string; host: string }): Promise<string | undefined>;
  /** The passphrase `passphrase` gave does not decrypt the key: a kept one must be forgotten, or it is tried forever. */
  passphraseRejected?(info: { keyPath: string; host: string }): void | Promise<void>;
  /** Password for `user@host` (password auth, and keyboard-interactive with a single hidden prompt). */
  password?(info: { host: string; user: string }): Promise<string | undefined>;
  /** keyboard-interactive prompts (OTP, 2FA...): one answer per prompt. */
  keyboardInteractive?(info: { host: string; user: string; name: string; instructions: string; prompts: { prompt: string; echo: boolean }[] }): Promise<string[] | undefined>;
  /** Diagnostics (never secrets). */
  log?(message: string): void;
}

/** Settings shared by the connections of a pool. */
export interface ConnectionOptions {
  /** ssh config file (default ~/.ssh/config). */
  sshConfigPath?: string;
  /** known_hosts to check and to add accepted keys to (default: the config's UserKnownHostsFile, else ~/.ssh/known_hosts). */
  knownHostsPath?: string;
  callbacks?: SshCallbacks;
  /** Keepalive interval (ms, default 1000) and unanswered count before the connection is dropped (default 3). */
  keepaliveIntervalMs?: number;
  keepaliveCountMax?: number;
  /** Handshake timeout per hop (ms, default ConnectTimeout or 15 000). */
  readyTimeoutMs?: number;
  /** ssh-agent socket (default SSH_AUTH_SOCK; false: no agent). */
  agent?: string | false;
  /** Reconnect backoff: first delay and cap (ms, defaults 250 and 10 000). */
  backoff?: { initialMs?: number; maxMs?: number };
}

/** A host key that is changed, revoked or was not accepted: never retried. */
export class HostKeyError extends Error {
  readonly fatal = true;
  constructor(message: string, readonly verdict: HostKeyVerdict, readonly host: string, readonly port: number) { super(message); this.name = 'HostKeyError'; }
}

/** Authentication failed with every method: not retried (retrying cannot help and may lock the account). */
export class AuthError extends Error {
  readonly fatal = true;
  constructor(message: string) { super(message); this.name = 'AuthError'; }
}

/** The connection was closed on purpose (pool disposed): users of it should stop, not retry. */
export class ConnectionClosedError extends Error {
  readonly fatal = true;
  constructor(alias: string) { super(`connection to ${alias} is closed`); this.name = 'ConnectionClosedError'; }
}

/** True for errors that a retry cannot fix (host key, auth, closed on purpose). */
export function isFatalError(e: unknown): boolean {
  return !!(e && typeof e === 'object' && (e as { fatal?: boolean }).fatal);
}

const SUPPORTED_HOST_KEY_ALGOS = ['ssh-ed25519', 'ecdsa-sha2-nistp256', 'ecdsa-sha2-nistp384', 'ecdsa-sha2-nistp521', 'rsa-sha2-512', 'rsa-sha2-256', 'ssh-rsa'];

function hostKeyAlgoPrefs(keyTypes: string[]): string[] {
  const out: string[] = [];
  for (const t of keyTypes) {
    for (const a of t === 'ssh-rsa' ? ['rsa-sha2-512', 'rsa-sha2-256', 'ssh-rsa'] : [t]) if (SUPPORTED_HOST_KEY_ALGOS.includes(a) && !out.includes(a)) out.push(a);
  }
  return out;
}

function describe(h: ResolvedHost): string {
  return `${h.user}@${h.hostName}${h.port !== 22 ? `:${h.port}` : ''}`;
}

/** The auth methods for one hop, tried in order: agent, identity files, keyboard-interactive, password. */
function authHandlerFor(hop: ResolvedHost, opts: ConnectionOptions, tried: string[]): ConnectConfig['authHandler'] {
  const cb = opts.callbacks ?? {};
  const host = `${hop.hostName}${hop.port !== 22 ? `:${hop.port}` : ''}`;
  const agentSock = opts.agent === false ? undefined : hop.identityAgent && hop.identityAgent !== 'none' ? hop.identityAgent : hop.identityAgent === 'none' ? undefined : opts.agent ?? process.env.SSH_AUTH_SOCK;
  type Step = { needs: AuthenticationType; label: string; make: () => Promise<AnyAuthMethod | undefined> };
  const steps: Step[] = [];
  if (agentSock && !hop.identitiesOnly) steps.push({ needs: 'publickey', label: 'agent', make: async () => ({ type: 'agent', username: hop.user, agent: agentSock }) });
  for (const keyPath of hop.identityFiles) {
    steps.push({
      needs: 'publickey',
      label: `key ${keyPath}`,
      make: async () => {
        if (!existsSync(keyPath)) return undefined;
        const data = readFileSync(keyPath);
        let parsed = ssh2().utils.parseKey(data);
        if (parsed instanceof Error && /encrypted|passphrase/i.test(parsed.message)) {
          const pass = await cb.passphrase?.({ keyPath, host });
          if (!pass) return undefined;
          parsed = ssh2().utils.parseKey(data, pass);
          if (parsed instanceof Error) await cb.passphraseRejected?.({ keyPath, host });
        }
        if (parsed instanceof Error) { cb.log?.(`skipping identity ${keyPath}: ${parsed.message}`); return undefined; }
        const key = (Array.isArray(parsed) ? parsed[0] : parsed) as ParsedKey;
        return { type: 'publickey', username: hop.user, key };
      },
    });
  }
  if (cb.keyboardInteractive || cb.password) {
    steps.push({
      needs: 'keyboard-interactive',
      label: 'keyboard-interactive',
      make: async () => ({
        type: 'keyboard-interactive', username: hop.user,
        prompt: (name: string, instructions: string, _lang: string, prompts: Prompt[], finish: KeyboardInteractiveCallback) => {
          const asked = prompts.map((p) => ({ prompt: p.prompt, echo: !!p.echo }));
          const answer = cb.keyboardInteractive
            ? cb.keyboardInteractive({ host, user: hop.user, name, instructions, prompts: asked })
            : asked.length === 1 && !asked[0].echo ? cb.password!({ host, user: hop.user }).then((p) => (p === undefined ? undefined : [p])) : Promise.resolve(asked.length === 0 ? [] : undefined);
          answer.then((a) => finish(a ?? []), () => finish([]));
        },
      }),
    });
  }
  if (cb.password) {
    steps.push({ needs: 'password', label: 'password', make: async () => { const p = await cb.password!({ host, user: hop.user }); return p === undefined ? undefined : { type: 'password', username: hop.user, password: p }; } });
  }
  let i = 0;
  return (methodsLeft, _partial, next) => {
    void (async () => {
      while (i < steps.length) {
        const s = steps[i++];
        if (methodsLeft && !methodsLeft.includes(s.needs)) continue;
        try {
          const m = await s.make();
          if (m) {
            tried.push(s.label);
            next(m);
            return;
          }
        } catch (e) { cb.log?.(`auth step failed: ${(e as Error).message}`); }
      }
      (next as unknown as (v: false) => void)(false);
    })();
  };
}

interface Live { clients: Client[]; target: Client }

/**
 * One host's connection (through its jump hosts). Reconnects lazily on the next use after a loss, with backoff.
 * Events: `connected`, `lost` ({ reason }), `reconnected` ({ afterMs }).
 */
export class SshConnection extends EventEmitter {
  private live?: Live;
  private connecting?: Promise<Client>;
  private sftpP?: Promise<SFTPWrapper>;
  private failures = 0;
  private lostAt?: number;
  private closed = false;
  private everConnected = false;

  constructor(readonly alias: string, private readonly opts: ConnectionOptions = {}) { super(); }

  get isConnected(): boolean { return !!this.live; }

  /** The connected client for the target host, connecting or reconnecting (with backoff) when needed. */
  client(): Promise<Client> {
    if (this.closed) return Promise.reject(new ConnectionClosedError(this.alias));
    if (this.live) return Promise.resolve(this.live.target);
    this.connecting ??= this.connectWithBackoff().finally(() => { this.connecting = undefined; });
    return this.connecting;
  }

  /** One SFTP session per live connection. */
  sftp(): Promise<SFTPWrapper> {
    if (this.sftpP && this.live) return this.sftpP;
    const p = this.client().then((c) => new Promise<SFTPWrapper>((resolve, reject) => c.sftp((err, s) => (err ? reject(err) : resolve(s)))));
    this.sftpP = p;
    p.catch(() => { if (this.sftpP === p) this.sftpP = undefined; });
    return p;
  }

  /** Drops the current connection (for tests and "reconnect now" commands); the next use reconnects. */
  drop(): void {
    this.live?.clients.forEach((c) => c.end());
  }

  close(): void {
    this.closed = true;
    const l = this.live;
    this.live = undefined;
    this.sftpP = undefined;
    l?.clients.slice().reverse().forEach((c) => c.end());
  }

  private async connectWithBackoff(): Promise<Client> {
    if (this.failures > 0) {
      const b = this.opts.backoff ?? {};
      await new Promise((r) => setTimeout(r, Math.min(b.maxMs ?? 10_000, (b.initialMs ?? 250) * 2 ** Math.min(this.failures - 1, 10))));
    }
    try {
      let chain: ResolvedHost[];
      try {
        chain = resolveChain(this.alias, loadSshConfig(this.opts.sshConfigPath ?? DEFAULT_SSH_CONFIG));
      } catch (e) {
        throw Object.assign(e as Error, { fatal: true }); // a broken ssh config does not heal by retrying
      }
      const clients: Client[] = [];
      try {
        let sock: Duplex | undefined;
        for (let i = 0; i < chain.length; i++) {
          const hop = chain[i];
          if (i > 0) sock = await forwardOut(clients[i - 1], hop);
          clients.push(await this.connectHop(hop, sock));
        }
      } catch (e) {
        clients.slice().reverse().forEach((c) => c.end());
        throw e;
      }
      if (this.closed) { clients.forEach((c) => c.end()); throw new ConnectionClosedError(this.alias); }
      const live: Live = { clients, target: clients[clients.length - 1] };
      this.live = live;
      this.failures = 0;
      let reason = 'connection closed';
      for (const c of clients) {
        c.on('error', (e: Error) => { reason = e.message; });
        c.on('close', () => this.onClose(live, reason));
      }
      if (this.everConnected) this.emit('reconnected', { afterMs: this.lostAt ? Date.now() - this.lostAt : 0 });
      else this.emit('connected');
      this.everConnected = true;
      this.lostAt = undefined;
      return live.target;
    } catch (e) {
      this.failures++;
      throw e;
    }
  }

  private onClose(live: Live, reason: string): void {
    if (this.live !== live) return;
    this.live = undefined;
    this.sftpP = undefined;
    live.clients.forEach((c) => c.end());
    if (this.closed) return;
    this.lostAt = Date.now();
    this.emit('lost', { reason });
  }

  private knownHostsFiles(hop: ResolvedHost): { check: string[]; write: string } {
    if (this.opts.knownHostsPath) return { check: [this.opts.knownHostsPath], write: this.opts.knownHostsPath };
    const user = hop.userKnownHostsFiles ?? [DEFAULT_KNOWN_HOSTS, join(homedir(), '.ssh', 'known_hosts2')];
    return { check: [...user, '/etc/ssh/ssh_known_hosts', '/etc/ssh/ssh_known_hosts2'], write: user[0] };
  }

  private connectHop(hop: ResolvedHost, sock: Duplex | undefined): Promise<Client> {
    const files = this.knownHostsFiles(hop);
    const prefs = hostKeyAlgoPrefs(knownKeyTypes(files.check, hop.hostName, hop.port, hop.hostKeyAlias));
    let keyError: Error | undefined;
    const tried: string[] = [];
    return new Promise((resolve, reject) => {
      const c = new (ssh2().Client)();
      let settled = false;
      const fail = (e: Error): void => { if (!settled) { settled = true; c.end(); reject(e); } };
      c.once('ready', () => {
        settled = true; c.removeListener('error', onError); c.on('error', () => undefined);
        // Small request/answer exchanges (SFTP stat/open/read) stall ~40 ms each under Nagle + delayed ACK: send at once.
        c.setNoDelay(true);
        resolve(c);
      });
      const onError = (e: Error & { level?: string }): void => {
        if (keyError) fail(keyError);
        else if (e.level === 'client-authentication') fail(new AuthError(`authentication to ${describe(hop)} failed (tried: ${tried.length ? tried.join(', ') : 'no usable method: no agent, no readable identity file, no password prompt'})`));
        else fail(new Error(`cannot connect to ${describe(hop)}: ${e.message}`));
      };
      c.on('error', onError);
      c.once('close', () => fail(keyError ?? new Error(`connection to ${describe(hop)} closed during handshake`)));
      c.connect({
        ...(sock ? { sock } : { host: hop.hostName, port: hop.port }),
        username: hop.user,
        keepaliveInterval: this.opts.keepaliveIntervalMs ?? 1000,
        keepaliveCountMax: this.opts.keepaliveCountMax ?? 3,
        readyTimeout: this.opts.readyTimeoutMs ?? (hop.connectTimeout ? hop.connectTimeout * 1000 : 15_000),
        ...(prefs.length ? { algorithms: { serverHostKey: { prepend: prefs } as never } } : {}),
        authHandler: authHandlerFor(hop, this.opts, tried),
        hostVerifier: (key: Buffer, verify: (ok: boolean) => void) => {
          void this.checkHostKey(hop, key, files).then(
            () => verify(true),
            (e: Error) => { keyError = e; verify(false); },
          );
        },
      } as ConnectConfig);
    });
  }

  private async checkHostKey(hop: ResolvedHost, key: Buffer, files: { check: string[]; write: string }): Promise<void> {
    const v = verifyHostKey(files.check, hop.hostName, hop.port, key, hop.hostKeyAlias);
    const where = `${hop.hostName}${hop.port !== 22 ? `:${hop.port}` : ''}`;
    if (v.status === 'ok') return;
    if (v.status === 'revoked') throw new HostKeyError(`the host key of ${where} (${v.fingerprint}) is marked @revoked in ${v.file}:${v.line}; refusing to connect`, v, hop.hostName, hop.port);
    if (v.status === 'changed') {
      throw new HostKeyError(
        `HOST KEY CHANGED for ${where}: it offered ${v.keyType} ${v.fingerprint}, but ${v.file}:${v.line} records ${v.knownFingerprints.join(', ')}. ` +
        'Someone could be intercepting the connection, or the host was reinstalled. Refusing to connect; if the change is expected, remove the old line from known_hosts.',
        v, hop.hostName, hop.port);
    }
    const prompt = this.opts.callbacks?.hostKeyPrompt;
    const accepted = prompt ? await prompt({ alias: hop.alias, host: hop.hostName, port: hop.port, keyType: v.keyType, fingerprint: v.fingerprint, knownHostsFile: files.write }) : false;
    if (!accepted) throw new HostKeyError(`the host key of ${where} is not known (${v.keyType} ${v.fingerprint}) and was not accepted`, v, hop.hostName, hop.port);
    await addKnownHost(files.write, hop.hostName, hop.port, key, { hostKeyAlias: hop.hostKeyAlias });
  }
}

function forwardOut(via: Client, hop: ResolvedHost): Promise<Duplex> {
  return new Promise((resolve, reject) => {
    via.forwardOut('127.0.0.1', 0, hop.hostName, hop.port, (err, stream) => (err ? reject(new Error(`jump to ${describe(hop)} failed: ${err.message}`)) : resolve(stream)));
  });
}

/** Connections shared per host alias. Events: `lost`/`reconnected`/`connected` with `{ alias, ... }`. */
export class ConnectionPool extends EventEmitter {
  private readonly conns = new Map<string, SshConnection>();
  constructor(private readonly opts: ConnectionOptions = {}) { super(); }

  get(alias: string): SshConnection {
    let c = this.conns.get(alias);
    if (!c) {
      c = new SshConnection(alias, this.opts);
      for (const ev of ['connected', 'lost', 'reconnected'] as const) c.on(ev, (info?: object) => this.emit(ev, { alias, ...(info ?? {}) }));
      this.conns.set(alias, c);
    }
    return c;
  }

  /** Closes one host's connection (it is re-created on next get). */
  release(alias: string): void {
    this.conns.get(alias)?.close();
    this.conns.delete(alias);
  }

  dispose(): void {
    for (const c of this.conns.values()) c.close();
    this.conns.clear();
  }
}
