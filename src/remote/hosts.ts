/**
 * Hosts a run can go to: `local` first, then the non-wildcard aliases of the ssh config (Include followed), then
 * hosts from settings. `openRunner(alias, ctx)` gives the Runner for one of them.
 */
import { ConnectionPool, SshConnection } from './connection';
import type { SshCallbacks } from './connection';
import { LocalRunner } from './localRunner';
import { DEFAULT_SSH_CONFIG, configuredAliases, hostPatterns, loadSshConfig, matchesHostPatterns, resolveHost } from './sshConfig';
import { SshRunner } from './sshRunner';
import type { Runner } from './types';

/** One host the user can launch on, as listed by listHosts. */
export interface HostEntry {
  alias: string;
  kind: 'local' | 'ssh';
  /** Where the entry came from. */
  source: 'builtin' | 'ssh-config' | 'settings';
  hostName?: string;
  user?: string;
  port?: number;
  /** Jump hosts as written in ProxyJump (first is connected to first). */
  proxyJump?: string[];
}

/** Where hosts come from and how to talk to them. */
export interface HostContext {
  /** ssh config file (default ~/.ssh/config). */
  sshConfigPath?: string;
  /** known_hosts file to verify against and record accepted keys in (default ~/.ssh/known_hosts). */
  knownHostsPath?: string;
  /** Prompts for host keys, passphrases, passwords (the CLI and the extension supply their own). */
  callbacks?: SshCallbacks;
  /** Share connections through this pool (the extension keeps one); without it each runner owns its connection. */
  pool?: ConnectionPool;
  /** Home folder for the `local` host instead of the user's (tests). */
  localHome?: string;
  /** Home folder to use on SSH hosts instead of asking `$HOME` (tests). */
  remoteHome?: string;
}

/**
 * `local`, then ssh config aliases (patterns like `Host *` or `gpu-*` are not hosts and are left out), then
 * `extraHosts` (from settings; `user@host[:port]` or an alias). Duplicates are dropped, first one wins.
 */
export async function listHosts(opts: { sshConfigPath?: string; extraHosts?: string[] } = {}): Promise<HostEntry[]> {
  const hosts: HostEntry[] = [{ alias: 'local', kind: 'local', source: 'builtin' }];
  const seen = new Set(['local']);
  const cfg = loadSshConfig(opts.sshConfigPath ?? DEFAULT_SSH_CONFIG);
  const add = (alias: string, source: HostEntry['source']): void => {
    if (seen.has(alias)) return;
    seen.add(alias);
    try {
      const r = resolveHost(alias, cfg);
      hosts.push({ alias, kind: 'ssh', source, hostName: r.hostName, user: r.user, port: r.port, ...(r.proxyJump.length ? { proxyJump: r.proxyJump.map((j) => `${j.user ? `${j.user}@` : ''}${j.host}${j.port ? `:${j.port}` : ''}`) } : {}) });
    } catch {
      hosts.push({ alias, kind: 'ssh', source });
    }
  };
  for (const a of configuredAliases(cfg)) add(a, 'ssh-config');
  for (const h of opts.extraHosts ?? []) add(h, 'settings');
  return hosts;
}

/** A `--host` that names no known host: its message says so and lists the known ones (and the Host patterns). */
export class UnknownHostError extends Error {
  constructor(readonly alias: string, readonly known: string[], configPath: string, readonly patterns: string[] = []) {
    super(`unknown host ${JSON.stringify(alias)}: it is not a Host alias in ${configPath}${patterns.length ? ' and matches none of its Host patterns' : ''}; known hosts: ${known.join(', ')}${patterns.length ? `; patterns: ${patterns.join(', ')}` : ''} (or give user@host)`);
  }
}

/**
 * Throws {@link UnknownHostError} unless `alias` is `local`, a Host alias of the ssh config (Include followed), a name
 * one of its Host patterns matches (`gpu-17` under `Host gpu-*`, as clusters configure their nodes; a lone `Host *`
 * does not count) or an explicit `user@host[:port]`. Checked before connecting, so a typo is not sent to DNS as a
 * host name (ssh(1) would try `gpu-nod1` as a host name and fail with a resolver error that says nothing about the
 * config).
 */
export function assertKnownHost(alias: string, opts: { sshConfigPath?: string; extraHosts?: string[] } = {}): void {
  if (alias === 'local' || alias.includes('@')) return;
  const path = opts.sshConfigPath ?? DEFAULT_SSH_CONFIG;
  const cfg = loadSshConfig(path);
  const known = ['local', ...configuredAliases(cfg), ...(opts.extraHosts ?? [])];
  if (known.includes(alias)) return;
  const patterns = hostPatterns(cfg);
  if (patterns.some((p) => matchesHostPatterns(alias, p))) return;
  throw new UnknownHostError(alias, [...new Set(known)], path, patterns.map((p) => p.join(' ')));
}

/** The Runner for a host alias. Callers own it: `dispose()` when done (a pooled connection stays in the pool). */
export function openRunner(alias: string, ctx: HostContext = {}): Runner {
  if (alias === 'local') return new LocalRunner({ home: ctx.localHome });
  if (!alias || /[\s]/.test(alias) || alias.startsWith('-')) throw new Error(`not a host alias: ${JSON.stringify(alias)}`);
  const opts = { sshConfigPath: ctx.sshConfigPath, knownHostsPath: ctx.knownHostsPath, callbacks: ctx.callbacks };
  if (ctx.pool) return new SshRunner(ctx.pool.get(alias), { home: ctx.remoteHome });
  return new SshRunner(new SshConnection(alias, opts), { home: ctx.remoteHome, ownsConnection: true });
}
