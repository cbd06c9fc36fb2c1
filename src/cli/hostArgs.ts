/** Options shared by the run subcommands: which host, which ssh config / known_hosts, host-key policy. */
import { parseArgs } from 'node:util';
import type { ParseArgsConfig } from 'node:util';
import { openRunner } from '../remote/hosts';
import type { Runner } from '../remote/types';

export const HOST_OPTIONS = {
  host: { type: 'string', default: 'local' },
  'ssh-config': { type: 'string' },
  'known-hosts': { type: 'string' },
  'accept-new-host-key': { type: 'boolean', default: false },
  help: { type: 'boolean', short: 'h', default: false },
} as const satisfies ParseArgsConfig['options'];

export const HOST_USAGE = `host options:
  --host H                 host alias: local (default) or an alias from the ssh config
  --ssh-config FILE        ssh config to read instead of ~/.ssh/config
  --known-hosts FILE       known_hosts to verify against instead of ~/.ssh/known_hosts
  --accept-new-host-key    trust and record an unknown host key (its SHA256 fingerprint is printed); a changed key is always refused
`;

export class UsageError extends Error {}

/** parseArgs with the host options added; unknown options are a UsageError. */
export function parseWithHost<O extends NonNullable<ParseArgsConfig['options']>>(args: string[], options: O) {
  try {
    return parseArgs({ args, options: { ...HOST_OPTIONS, ...options }, allowPositionals: true, strict: true });
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
}

/** Opens the runner for the parsed host options; messages about the connection go to stderr. */
export function runnerFromArgs(values: { host?: string; 'ssh-config'?: string; 'known-hosts'?: string; 'accept-new-host-key'?: boolean }): Runner {
  return openRunner(values.host ?? 'local', {
    sshConfigPath: values['ssh-config'],
    knownHostsPath: values['known-hosts'],
    localHome: process.env.LLMTRAIN_LOCAL_HOME,
  });
}

/** Runs a subcommand body with usage errors mapped to exit code 2 and other errors to 1, runner disposed. */
export async function withRunner(usage: string, values: Parameters<typeof runnerFromArgs>[0] & { help?: boolean }, body: (runner: Runner) => Promise<number>): Promise<number> {
  if (values.help) { process.stdout.write(usage); return 0; }
  const runner = runnerFromArgs(values);
  try {
    return await body(runner);
  } finally {
    runner.dispose();
  }
}
