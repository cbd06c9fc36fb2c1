/** `llmtrain run --host H [--cwd D] [--name N] [--env K=V]... -- CMD...`: starts a detached run, prints its id. */
import { launchRun } from '../remote/runs';
import { HOST_USAGE, UsageError, parseWithHost, withRunner } from './hostArgs';

const USAGE = `usage: llmtrain run [--host H] [--cwd DIR] [--name NAME] [--env K=V]... [--config FILE] -- CMD [ARG]...
Starts CMD detached on the host (it survives disconnects) and prints the run id.
  --cwd DIR      working directory on the host (default: the current directory for local, the home directory over SSH)
  --env K=V      environment variable for the run (repeatable); only names are recorded in run.json
  --config FILE  local training config file to keep a snapshot of in the run directory
${HOST_USAGE}`;

export const runCommand = {
  summary: 'start a detached run on a host and print its id',
  async run(args: string[]): Promise<number> {
    const { values, positionals } = parseWithHost(args, {
      cwd: { type: 'string' }, name: { type: 'string' }, env: { type: 'string', multiple: true }, config: { type: 'string' },
    });
    if (!values.help && positionals.length === 0) throw new UsageError('missing command after --');
    const env: Record<string, string> = {};
    for (const kv of values.env ?? []) {
      const i = kv.indexOf('=');
      if (i <= 0) throw new UsageError(`--env expects K=V, got ${JSON.stringify(kv)}`);
      env[kv.slice(0, i)] = kv.slice(i + 1);
    }
    let configSnapshot: { fileName: string; content: string } | undefined;
    if (values.config) {
      const { readFileSync } = await import('node:fs');
      configSnapshot = { fileName: values.config, content: readFileSync(values.config, 'utf8') };
    }
    return withRunner(USAGE, values, async (runner) => {
      const cwd = values.cwd ?? (runner.host === 'local' ? process.cwd() : await runner.home());
      const run = await launchRun(runner, { argv: positionals, cwd, env, name: values.name, configSnapshot });
      process.stdout.write(`${run.id}\n`);
      process.stderr.write(`started ${run.id} on ${run.host} (${run.slurmJobId ? `Slurm job ${run.slurmJobId}` : `pid ${run.pid}`}); log: ${run.logPath}\n`);
      return 0;
    });
  },
};
