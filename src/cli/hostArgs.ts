/** Options shared by the run subcommands: which host, which ssh config / known_hosts, host-key policy. */
import { existsSync } from 'node:fs';
import { parseArgs } from 'node:util';
import type { ParseArgsConfig } from 'node:util';
import { assertKnownHost, openRunner } from '../remote/hosts';
import type { SshCallbacks } from '../remote/connection';
import type { Runner } from '../remote/types';

/** parseArgs options every host-facing subcommand accepts. */
export const HOST_OPTIONS = {
  host: { type: 'string', default: 'local' },
  'ssh-config': { type: 'string' },
  'known-hosts': { type: 'string' },
  'accept-new-host-key': { type: 'boolean', default: false },
  help: { type: 'boolean', short: 'h', default: false },
} as const satisfies ParseArgsConfig['options'];

/** Usage text for HOST_OPTIONS. */
export const HOST_USAGE = `host options:
  --host H                 host alias: local (default) or an alias from the ssh config
  --ssh-config FILE        ssh config to read instead of ~/.ssh/config
  --known-hosts FILE       known_hosts to verify against instead of ~/.ssh/known_hosts
  --accept-new-host-key    trust and record an unknown host key (its SHA256 fingerprint is printed); a changed key is always refused
`;

/** Bad command-line use: main() prints it and exits 2. */
export class UsageError extends Error {}

/**
 * parseArgs with the host options added; unknown options are a UsageError, and so is an explicitly given
 * `--ssh-config` that does not exist (a mistyped path would otherwise read as an empty config: `hosts` listed only
 * `local` and exited 0, `--host alias` said the alias was unknown). The default `~/.ssh/config` may be absent.
 */
export function parseWithHost<O extends NonNullable<ParseArgsConfig['options']>>(args: string[], options: O) {
  const all = { ...HOST_OPTIONS, ...options };
  let parsed;
  try {
    parsed = parseArgs({ args: joinDashValues(args, all), options: all, allowPositionals: true, strict: true });
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
  const cfg = (parsed.values as { 'ssh-config'?: unknown })['ssh-config'];
  if (typeof cfg === 'string' && !existsSync(cfg)) throw new UsageError(`--ssh-config ${cfg}: no such file`);
  return parsed;
}

/**
 * `--text -8 apples` -> `--text=-8 apples`: the value of a string option is the next argument even when it starts
 * with `-`, as users expect of `--text` (node's parseArgs calls such a value ambiguous and refuses it). Arguments
 * after `--` are left alone.
 */
export function joinDashValues(args: string[], options: NonNullable<ParseArgsConfig['options']>): string[] {
  const out: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a === '--') { out.push(...args.slice(i)); break; }
    const name = a.startsWith('--') ? a.slice(2) : undefined;
    if (name !== undefined && !name.includes('=') && options[name]?.type === 'string' && i + 1 < args.length && args[i + 1].startsWith('-')) {
      out.push(`${a}=${args[i + 1]}`);
      i++;
    } else out.push(a);
  }
  return out;
}

/** Reads a line from the terminal without echo; undefined when there is no terminal (never blocks a pipeline). */
async function askHidden(question: string): Promise<string | undefined> {
  if (!process.stdin.isTTY || !process.stderr.isTTY) return undefined;
  process.stderr.write(question);
  const stdin = process.stdin;
  stdin.setRawMode(true);
  stdin.resume();
  return new Promise((resolve) => {
    let answer = '';
    const onData = (b: Buffer): void => {
      for (const ch of b.toString('utf8')) {
        if (ch === '\r' || ch === '\n' || ch === '\u0004') { finish(answer); return; }
        if (ch === '\u0003') { finish(undefined); return; }
        if (ch === '\u007f') answer = answer.slice(0, -1); else answer += ch;
      }
    };
    const finish = (v: string | undefined): void => {
      stdin.off('data', onData);
      stdin.setRawMode(false);
      stdin.pause();
      process.stderr.write('\n');
      resolve(v);
    };
    stdin.on('data', onData);
  });
}

/** CLI prompts: host keys per --accept-new-host-key (never interactive), secrets from the terminal when there is one. */
export function cliCallbacks(acceptNewHostKey: boolean): SshCallbacks {
  return {
    hostKeyPrompt: async (i) => {
      const where = `${i.host}${i.port !== 22 ? `:${i.port}` : ''}`;
      if (acceptNewHostKey) {
        process.stderr.write(`llmtrain: accepting new host key for ${where}: ${i.keyType} ${i.fingerprint} (added to ${i.knownHostsFile})\n`);
        return true;
      }
      process.stderr.write(`llmtrain: the host key of ${where} is not known: ${i.keyType} ${i.fingerprint}\n` +
        `llmtrain: check this fingerprint with the host's administrator, then rerun with --accept-new-host-key to trust it\n`);
      return false;
    },
    passphrase: (i) => askHidden(`passphrase for ${i.keyPath}: `),
    password: (i) => askHidden(`password for ${i.user}@${i.host}: `),
  };
}

/** Opens the runner for the parsed host options; messages about the connection go to stderr. */
export function runnerFromArgs(values: { host?: string; 'ssh-config'?: string; 'known-hosts'?: string; 'accept-new-host-key'?: boolean }): Runner {
  assertKnownHost(values.host ?? 'local', { sshConfigPath: values['ssh-config'] });
  return openRunner(values.host ?? 'local', {
    sshConfigPath: values['ssh-config'],
    knownHostsPath: values['known-hosts'],
    callbacks: cliCallbacks(!!values['accept-new-host-key']),
    localHome: process.env.LLMTRAIN_LOCAL_HOME,
    remoteHome: process.env.LLMTRAIN_REMOTE_HOME,
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
