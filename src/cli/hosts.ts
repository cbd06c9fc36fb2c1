/** `llmtrain hosts [--ssh-config FILE] [--format json]`: local first, then the ssh config's aliases. */
import { listHosts } from '../remote/hosts';
import { UsageError, parseWithHost } from './hostArgs';

export const hostsCommand = {
  summary: 'list hosts (local and the aliases of the ssh config)',
  async run(args: string[]): Promise<number> {
    const { values, positionals } = parseWithHost(args, { format: { type: 'string', default: 'table' } });
    if (values.help) { process.stdout.write('usage: llmtrain hosts [--ssh-config FILE] [--format table|json]\n'); return 0; }
    if (positionals.length > 0) throw new UsageError(`unexpected argument ${JSON.stringify(positionals[0])}`);
    const hosts = await listHosts({ sshConfigPath: values['ssh-config'] });
    if (values.format === 'json') { process.stdout.write(`${JSON.stringify(hosts, null, 2)}\n`); return 0; }
    for (const h of hosts) {
      const target = h.kind === 'local' ? '(this machine)' : `${h.user ? `${h.user}@` : ''}${h.hostName ?? h.alias}${h.port && h.port !== 22 ? `:${h.port}` : ''}`;
      process.stdout.write(`${h.alias.padEnd(24)} ${target}${h.proxyJump?.length ? ` via ${h.proxyJump.join(' -> ')}` : ''}\n`);
    }
    return 0;
  },
};
