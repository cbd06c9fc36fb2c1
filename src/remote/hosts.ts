/**
 * Hosts a run can go to: `local` first, then the non-wildcard aliases of the ssh config (with Include followed), then
 * hosts from settings. `openRunner(alias)` gives the Runner for one of them.
 */
import { LocalRunner } from './localRunner';
import type { Runner } from './types';

export interface HostEntry {
  alias: string;
  kind: 'local' | 'ssh';
  /** Where the entry came from. */
  source: 'builtin' | 'ssh-config' | 'settings';
  hostName?: string;
  user?: string;
  port?: number;
  /** Jump hosts in order (first is connected to first). */
  proxyJump?: string[];
}

export interface HostContext {
  /** ssh config file (default ~/.ssh/config). */
  sshConfigPath?: string;
  /** known_hosts file to verify and record host keys in (default ~/.ssh/known_hosts). */
  knownHostsPath?: string;
  /** Home for the `local` host (tests). */
  localHome?: string;
}

export async function listHosts(opts: { sshConfigPath?: string; extraHosts?: string[] } = {}): Promise<HostEntry[]> {
  const hosts: HostEntry[] = [{ alias: 'local', kind: 'local', source: 'builtin' }];
  const seen = new Set(['local']);
  for (const h of opts.extraHosts ?? []) {
    if (!seen.has(h)) { seen.add(h); hosts.push({ alias: h, kind: 'ssh', source: 'settings' }); }
  }
  return hosts;
}

/** The Runner for a host alias. Callers own it: `dispose()` when done. */
export function openRunner(alias: string, ctx: HostContext = {}): Runner {
  if (alias === 'local') return new LocalRunner({ home: ctx.localHome });
  throw new Error(`SSH hosts are not available yet (${alias})`);
}
