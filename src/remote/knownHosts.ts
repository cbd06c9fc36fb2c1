/**
 * Host key verification against OpenSSH known_hosts files (sshd(8) "SSH_KNOWN_HOSTS FILE FORMAT"): plain host
 * patterns (comma lists, `*`/`?` wildcards, `!` negation, `[host]:port` for non-22 ports), hashed entries
 * `|1|base64(salt)|base64(HMAC-SHA1(salt, host))`, and the `@revoked` marker (`@cert-authority` lines are skipped:
 * certificates are not supported). Fingerprints are OpenSSH's `SHA256:` + unpadded base64 of the key blob's SHA-256.
 */
import { createHash, createHmac, randomBytes } from 'node:crypto';
import { existsSync, promises as fsp, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';

export const DEFAULT_KNOWN_HOSTS = join(homedir(), '.ssh', 'known_hosts');

export type HostKeyVerdict =
  | { status: 'ok'; keyType: string; fingerprint: string; file: string; line: number }
  | { status: 'unknown'; keyType: string; fingerprint: string }
  | { status: 'changed'; keyType: string; fingerprint: string; knownFingerprints: string[]; file: string; line: number }
  | { status: 'revoked'; keyType: string; fingerprint: string; file: string; line: number };

/** `SHA256:...` fingerprint of a public key blob (the wire format ssh2 hands to hostVerifier). */
export function fingerprintSha256(keyBlob: Buffer): string {
  return `SHA256:${createHash('sha256').update(keyBlob).digest('base64').replace(/=+$/, '')}`;
}

/** Key type name at the start of a key blob (`ssh-ed25519`, `ecdsa-sha2-nistp256`, `ssh-rsa`, ...). */
export function keyTypeOf(keyBlob: Buffer): string {
  if (keyBlob.length < 4) throw new Error('host key blob too short');
  const n = keyBlob.readUInt32BE(0);
  if (n > keyBlob.length - 4 || n > 64) throw new Error('malformed host key blob');
  return keyBlob.subarray(4, 4 + n).toString('latin1');
}

/** The name a host is recorded under: `host` on port 22, `[host]:port` otherwise (ssh(1) convention). */
export function knownHostName(host: string, port: number): string {
  return port === 22 ? host : `[${host}]:${port}`;
}

function patternMatches(pattern: string, name: string): boolean {
  const re = new RegExp(`^${pattern.replace(/[.+^${}()|\\]/g, '\\$&').replace(/\[/g, '\\[').replace(/\]/g, '\\]').replace(/\*/g, '.*').replace(/\?/g, '.')}$`, 'i');
  return re.test(name);
}

/** Whether a known_hosts host field matches `name` (hashed or a pattern list with negation). */
export function hostFieldMatches(field: string, name: string): boolean {
  if (field.startsWith('|1|')) {
    const [, , salt, hash] = field.split('|');
    if (!salt || !hash) return false;
    const mac = createHmac('sha1', Buffer.from(salt, 'base64')).update(name).digest('base64');
    return mac === hash;
  }
  let matched = false;
  for (const p of field.split(',')) {
    if (p.startsWith('!')) { if (patternMatches(p.slice(1), name)) return false; }
    else if (patternMatches(p, name)) matched = true;
  }
  return matched;
}

/** Checks a key against known_hosts text; `names` are tried as the host's names (e.g. HostKeyAlias, or `[h]:p`). */
export function checkKnownHostsText(text: string, file: string, names: string[], keyBlob: Buffer): HostKeyVerdict {
  const keyType = keyTypeOf(keyBlob);
  const fingerprint = fingerprintSha256(keyBlob);
  const b64 = keyBlob.toString('base64');
  let ok: HostKeyVerdict | undefined;
  let changed: HostKeyVerdict | undefined;
  const known: string[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i].trim();
    if (!line || line.startsWith('#')) continue;
    const f = line.split(/\s+/);
    let marker: string | undefined;
    if (f[0].startsWith('@')) marker = f.shift();
    if (f.length < 3 || !names.some((n) => hostFieldMatches(f[0], n))) continue;
    if (marker === '@cert-authority') continue;
    if (marker === '@revoked') {
      if (f[2] === b64) return { status: 'revoked', keyType, fingerprint, file, line: i + 1 };
      continue;
    }
    if (f[1] !== keyType) continue;
    if (f[2] === b64) ok ??= { status: 'ok', keyType, fingerprint, file, line: i + 1 };
    else {
      try { known.push(fingerprintSha256(Buffer.from(f[2], 'base64'))); } catch { /* bad line */ }
      changed ??= { status: 'changed', keyType, fingerprint, knownFingerprints: known, file, line: i + 1 };
    }
  }
  // Like OpenSSH, a matching line for this key wins over a stale line of the same type elsewhere.
  return ok ?? changed ?? { status: 'unknown', keyType, fingerprint };
}

/**
 * Verifies a host key against the given known_hosts files (missing files count as empty). A revoked or changed key
 * in any file is reported as such (first one found), else `ok` when any file has it, else `unknown`.
 */
export function verifyHostKey(files: string[], host: string, port: number, keyBlob: Buffer, hostKeyAlias?: string): HostKeyVerdict {
  const names = hostKeyAlias ? [hostKeyAlias] : [knownHostName(host, port)];
  let result: HostKeyVerdict | undefined;
  for (const file of files) {
    if (!existsSync(file)) continue;
    const v = checkKnownHostsText(readFileSync(file, 'utf8'), file, names, keyBlob);
    if (v.status === 'revoked' || v.status === 'changed') return v;
    if (v.status === 'ok') result ??= v;
  }
  return result ?? { status: 'unknown', keyType: keyTypeOf(keyBlob), fingerprint: fingerprintSha256(keyBlob) };
}

/** Key types recorded for a host, to prefer them in the key exchange (as OpenSSH orders HostKeyAlgorithms). */
export function knownKeyTypes(files: string[], host: string, port: number, hostKeyAlias?: string): string[] {
  const names = hostKeyAlias ? [hostKeyAlias] : [knownHostName(host, port)];
  const types: string[] = [];
  for (const file of files) {
    if (!existsSync(file)) continue;
    for (const raw of readFileSync(file, 'utf8').split('\n')) {
      const f = raw.trim().split(/\s+/);
      if (f.length < 3 || f[0].startsWith('@') || f[0].startsWith('#')) continue;
      if (names.some((n) => hostFieldMatches(f[0], n)) && !types.includes(f[1])) types.push(f[1]);
    }
  }
  return types;
}

/** Appends the host's key to known_hosts (creating the file 0600 and its folder 0700); hashed when `hash` is set. */
export async function addKnownHost(file: string, host: string, port: number, keyBlob: Buffer, opts: { hash?: boolean; hostKeyAlias?: string } = {}): Promise<void> {
  let name = opts.hostKeyAlias ?? knownHostName(host, port);
  if (opts.hash) {
    const salt = randomBytes(20);
    name = `|1|${salt.toString('base64')}|${createHmac('sha1', salt).update(name).digest('base64')}`;
  }
  await fsp.mkdir(dirname(file), { recursive: true, mode: 0o700 });
  let prefix = '';
  if (existsSync(file)) {
    const cur = await fsp.readFile(file, 'utf8');
    if (cur.length > 0 && !cur.endsWith('\n')) prefix = '\n';
  }
  await fsp.appendFile(file, `${prefix}${name} ${keyTypeOf(keyBlob)} ${keyBlob.toString('base64')}\n`, { mode: 0o600 });
}
