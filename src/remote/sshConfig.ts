/**
 * Reads OpenSSH client configuration (ssh_config(5)) with the `ssh-config` package: Host patterns (first value wins),
 * HostName, User, Port, IdentityFile, IdentitiesOnly, ProxyJump chains, HostKeyAlias, UserKnownHostsFile,
 * ServerAlive*, ConnectTimeout. `Include` is expanded here (the package parses it but does not follow it): relative
 * paths are taken from ~/.ssh as OpenSSH does for user configs, globs (`*`, `?`) are expanded, depth is capped at 16.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { homedir, userInfo } from 'node:os';
import { isAbsolute, join } from 'node:path';
import type { SSHConfig as SSHConfigType } from 'ssh-config' with { 'resolution-mode': 'import' };

// ssh-config ships CommonJS under `require` but its types only as ESM; load the CommonJS build, typed from the ESM types,
// on the first config read rather than at activation (the extension bundle makes it dist/vendor/ssh-config.js).
// eslint-disable-next-line @typescript-eslint/no-require-imports
const sshConfigClass = (): typeof SSHConfigType => require('ssh-config').SSHConfig;
type SSHConfig = SSHConfigType;

/** One ProxyJump entry: `[user@]host[:port]`. */
export interface JumpSpec { user?: string; host: string; port?: number }

/** A host as ssh would connect to it after reading the config. */
export interface ResolvedHost {
  /** The name asked for (an alias, or a plain host name). */
  alias: string;
  hostName: string;
  port: number;
  user: string;
  /** Identity files (tilde and %-tokens expanded), in order. */
  identityFiles: string[];
  /** True when IdentityFile was given explicitly (else the default ~/.ssh/id_* list). */
  identityFilesExplicit: boolean;
  identitiesOnly: boolean;
  /** `ProxyJump` hops, first connected first; empty when none. */
  proxyJump: JumpSpec[];
  hostKeyAlias?: string;
  userKnownHostsFiles?: string[];
  /** ServerAliveInterval in seconds (0 = off) and ServerAliveCountMax, when set. */
  serverAliveInterval?: number;
  serverAliveCountMax?: number;
  /** ConnectTimeout in seconds. */
  connectTimeout?: number;
  /** `IdentityAgent` socket path, or 'none'. */
  identityAgent?: string;
}

/** ~/.ssh/config */
export const DEFAULT_SSH_CONFIG = join(homedir(), '.ssh', 'config');
const DEFAULT_IDENTITIES = ['id_ed25519', 'id_ecdsa', 'id_ecdsa_sk', 'id_ed25519_sk', 'id_rsa', 'id_dsa'];

function expandTilde(p: string): string {
  return p === '~' ? homedir() : p.startsWith('~/') ? join(homedir(), p.slice(2)) : p;
}

function globToRegExp(pat: string): RegExp {
  return new RegExp(`^${pat.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.')}$`);
}

/** Expands `*` and `?` in any path segment (no `**`); sorted like glob(3). */
function expandGlob(pattern: string): string[] {
  const segs = pattern.split('/');
  let bases = [segs[0] === '' ? '/' : segs[0]];
  for (const seg of segs.slice(1)) {
    if (seg === '') continue;
    const next: string[] = [];
    for (const b of bases) {
      if (!/[*?]/.test(seg)) { next.push(join(b, seg)); continue; }
      let names: string[] = [];
      try { names = readdirSync(b); } catch { /* missing dir: no match */ }
      const re = globToRegExp(seg);
      for (const n of names.sort()) if (re.test(n) && !(n.startsWith('.') && !seg.startsWith('.'))) next.push(join(b, n));
    }
    bases = next;
  }
  return bases.filter((p) => existsSync(p));
}

/** Splits a directive's value into words, honouring double quotes. */
function words(value: string): string[] {
  return [...value.matchAll(/"([^"]*)"|(\S+)/g)].map((m) => m[1] ?? m[2]);
}

/** The config text with every Include replaced by the included files' text (recursively). */
export function expandIncludes(text: string, opts: { baseDir?: string; depth?: number; seen?: string[] } = {}): string {
  const depth = opts.depth ?? 0;
  if (depth > 16) throw new Error('ssh config: Include nested too deeply (over 16 levels)');
  const baseDir = opts.baseDir ?? join(homedir(), '.ssh');
  return text.split(/\r?\n/).map((line) => {
    const m = /^\s*Include(?:\s*=\s*|\s+)(.+?)\s*$/i.exec(line);
    if (!m) return line;
    const parts: string[] = [];
    for (const w of words(m[1])) {
      const pattern = expandTilde(w);
      const abs = isAbsolute(pattern) ? pattern : join(baseDir, pattern);
      for (const f of expandGlob(abs)) {
        parts.push(`# >>> Include ${f}`, expandIncludes(readFileSync(f, 'utf8'), { baseDir, depth: depth + 1 }), `# <<< Include ${f}`);
      }
    }
    return parts.join('\n');
  }).join('\n');
}

/** Parses ssh config text (Include expanded, relative to `baseDir`, default ~/.ssh). */
export function parseSshConfig(text: string, baseDir?: string): SSHConfig {
  return sshConfigClass().parse(expandIncludes(text, { baseDir }));
}

/** Parses an ssh config file (Include expanded). A missing file gives an empty config. */
export function loadSshConfig(path: string = DEFAULT_SSH_CONFIG): SSHConfig {
  if (!existsSync(path)) return sshConfigClass().parse('');
  return sshConfigClass().parse(expandIncludes(readFileSync(path, 'utf8')));
}

/** `[user@]host[:port]` or `ssh://[user@]host[:port]` (ssh(1) -J syntax); IPv6 in brackets. */
export function parseJumpSpec(spec: string): JumpSpec {
  let s = spec.trim().replace(/^ssh:\/\//, '');
  let user: string | undefined;
  const at = s.lastIndexOf('@');
  if (at >= 0) { user = s.slice(0, at); s = s.slice(at + 1); }
  let host = s;
  let port: number | undefined;
  const m = /^\[([^\]]+)\](?::(\d+))?$/.exec(s) ?? /^([^:]+):(\d+)$/.exec(s);
  if (m) { host = m[1]; port = m[2] ? Number(m[2]) : undefined; }
  if (!host) throw new Error(`bad ProxyJump entry: ${JSON.stringify(spec)}`);
  return { ...(user ? { user } : {}), host, ...(port ? { port } : {}) };
}

function lowerKeys(o: Record<string, string | string[]>): Record<string, string | string[]> {
  const r: Record<string, string | string[]> = {};
  for (const [k, v] of Object.entries(o)) if (!(k.toLowerCase() in r)) r[k.toLowerCase()] = v;
  return r;
}

function first(v: string | string[] | undefined): string | undefined {
  return Array.isArray(v) ? v[0] : v;
}

/** Expands ssh_config TOKENS (%h %p %r %u %d %% %n) in IdentityFile/HostName-like values. */
function tokens(s: string, t: { h: string; p: number; r: string; n: string }): string {
  return s.replace(/%([hprudn%])/g, (_m, c: string) => ({ h: t.h, p: String(t.p), r: t.r, u: userInfo().username, d: homedir(), n: t.n, '%': '%' })[c] ?? '');
}

/**
 * Resolves a host alias the way `ssh alias` would read the config: first obtained value wins, `Host *` defaults,
 * HostName with %h, defaults port 22 and the local user name.
 */
export function resolveHost(alias: string, config: SSHConfig | string = DEFAULT_SSH_CONFIG): ResolvedHost {
  const cfg = typeof config === 'string' ? loadSshConfig(config) : config;
  const c = lowerKeys(cfg.compute(alias));
  const port = Number(first(c.port) ?? 22);
  if (!Number.isInteger(port) || port <= 0 || port > 65535) throw new Error(`ssh config: bad Port for ${alias}: ${first(c.port)}`);
  const user = first(c.user) ?? userInfo().username;
  const hostName = tokens(first(c.hostname) ?? alias, { h: alias, p: port, r: user, n: alias });
  const t = { h: hostName, p: port, r: user, n: alias };
  const idList = c.identityfile === undefined ? [] : Array.isArray(c.identityfile) ? c.identityfile : [c.identityfile];
  const explicit = idList.length > 0;
  const identityFiles = (explicit ? idList : DEFAULT_IDENTITIES.map((n) => `~/.ssh/${n}`)).map((f) => expandTilde(tokens(f, t)));
  const pj = first(c.proxyjump);
  const proxyJump = !pj || pj.toLowerCase() === 'none' ? [] : pj.split(',').map(parseJumpSpec);
  const num = (v: string | string[] | undefined): number | undefined => {
    const n = Number(first(v));
    return first(v) !== undefined && Number.isFinite(n) ? n : undefined;
  };
  const ukh = c.userknownhostsfile;
  return {
    alias, hostName, port, user, identityFiles, identityFilesExplicit: explicit,
    identitiesOnly: (first(c.identitiesonly) ?? 'no').toLowerCase() === 'yes',
    proxyJump,
    ...(first(c.hostkeyalias) ? { hostKeyAlias: first(c.hostkeyalias) } : {}),
    ...(ukh ? { userKnownHostsFiles: (Array.isArray(ukh) ? ukh : words(ukh)).map((f) => expandTilde(tokens(f, t))) } : {}),
    ...(num(c.serveraliveinterval) !== undefined ? { serverAliveInterval: num(c.serveraliveinterval) } : {}),
    ...(num(c.serveralivecountmax) !== undefined ? { serverAliveCountMax: num(c.serveralivecountmax) } : {}),
    ...(num(c.connecttimeout) !== undefined ? { connectTimeout: num(c.connecttimeout) } : {}),
    ...(first(c.identityagent) ? { identityAgent: expandTilde(first(c.identityagent)!) } : {}),
  };
}

/** Resolves `[user@]host[:port]` through the config; explicit user and port win. */
function resolveSpec(text: string, cfg: SSHConfig): ResolvedHost {
  const spec = parseJumpSpec(text);
  const host = resolveHost(spec.host, cfg);
  host.alias = text;
  if (spec.user) host.user = spec.user;
  if (spec.port) host.port = spec.port;
  return host;
}

/**
 * The hops to reach `target`, in connection order, target last. `target` is an alias or `[user@]host[:port]`
 * (explicit user/port win over the config). A jump host is itself resolved through the config (its own
 * User/Port/IdentityFile, and its own ProxyJump for the first hop, as ssh -J does). Loops and chains over 16 hops
 * are refused.
 */
export function resolveChain(target: string, config: SSHConfig | string = DEFAULT_SSH_CONFIG, depth = 0, seen: string[] = []): ResolvedHost[] {
  const cfg = typeof config === 'string' ? loadSshConfig(config) : config;
  if (depth > 16) throw new Error(`ssh config: ProxyJump chain too long reaching ${target}`);
  if (seen.includes(target)) throw new Error(`ssh config: ProxyJump loop: ${[...seen, target].join(' -> ')}`);
  const host = resolveSpec(target, cfg);
  if (host.proxyJump.length === 0) return [host];
  const hops: ResolvedHost[] = [];
  host.proxyJump.forEach((j, i) => {
    const text = `${j.user ? `${j.user}@` : ''}${j.host.includes(':') ? `[${j.host}]` : j.host}${j.port ? `:${j.port}` : ''}`;
    if (i === 0) hops.push(...resolveChain(text, cfg, depth + 1, [...seen, target]));
    else hops.push(resolveSpec(text, cfg));
  });
  return [...hops, host];
}

/** Non-wildcard Host aliases of the config, in file order (negated and pattern entries left out). */
/**
 * The Host patterns of the config that name hosts (`gpu-*`, `*.internal`, `node?? !node00`): each Host line with a
 * wildcard pattern other than a lone `*` (which matches everything and names no host), as written, Include followed.
 */
export function hostPatterns(config: SSHConfig | string = DEFAULT_SSH_CONFIG): string[][] {
  const cfg = typeof config === 'string' ? loadSshConfig(config) : config;
  const out: string[][] = [];
  for (const line of cfg) {
    if (line.type !== sshConfigClass().DIRECTIVE || line.param.toLowerCase() !== 'host') continue;
    const vals = (Array.isArray(line.value) ? line.value.map((v) => v.val) : words(line.value)).flatMap((v) => v.split(','));
    if (vals.some((v) => /[*?]/.test(v) && v !== '*' && !v.startsWith('!'))) out.push(vals);
  }
  return out;
}

/**
 * Whether `host` matches a pattern list of a Host line as ssh_config(5) PATTERNS define it: `*` any run of
 * characters, `?` exactly one, `!pattern` excludes (a matching negated pattern makes the whole line not match).
 * Compared as written (ssh(1) also lowercases the host name it is given; the ssh-config library that applies the
 * settings does not, so neither does this, to accept only what the settings will apply to).
 */
export function matchesHostPatterns(host: string, patterns: readonly string[]): boolean {
  let hit = false;
  for (const p of patterns) {
    if (p.startsWith('!')) { if (globToRegExp(p.slice(1)).test(host)) return false; } else if (globToRegExp(p).test(host)) hit = true;
  }
  return hit;
}

export function configuredAliases(config: SSHConfig | string = DEFAULT_SSH_CONFIG): string[] {
  const cfg = typeof config === 'string' ? loadSshConfig(config) : config;
  const out: string[] = [];
  const visit = (lines: SSHConfig): void => {
    for (const line of lines) {
      if (line.type !== sshConfigClass().DIRECTIVE) continue;
      if (line.param.toLowerCase() === 'host') {
        const vals = Array.isArray(line.value) ? line.value.map((v) => v.val) : words(line.value);
        for (const v of vals) if (!/[*?!]/.test(v) && !out.includes(v)) out.push(v);
      }
    }
  };
  visit(cfg);
  return out;
}
