/** `llmtrain run --host H [--cwd D] [--name N] [--env K=V]... -- CMD...`: starts a detached run, prints its id. */
import { startRun } from '../remote/runs';
import { parseEnvList } from '../core/runs/env';
import type { SlurmOptions } from '../remote/slurm';
import { HOST_USAGE, UsageError, parseWithHost, withRunner } from './hostArgs';

const USAGE = `usage: llmtrain run [--host H] [--cwd DIR] [--name NAME] [--env K=V]... [--config FILE] -- CMD [ARG]...
Starts CMD detached on the host (it survives disconnects) and prints the run id.
  --cwd DIR      working directory on the host, ~/x allowed (default: the current directory for local, the home directory over SSH)
  --env K=V      environment variable for the run (repeatable); only names are recorded in run.json
  --config FILE  local training config file to keep a snapshot of in the run directory
Slurm (submits with sbatch instead of starting directly; the job's output is the run's log):
  --slurm                 submit through Slurm
  --nodes N               --nodes (default 1)
  --gpus-per-node G       --gres=gpu:G (and torchrun --nproc_per_node)
  --time T                time limit (Slurm format, e.g. 2:00:00)
  --partition P, --account A
  --launcher L            direct (default) | srun | torchrun (multi-node, c10d rendezvous on the first node)
${HOST_USAGE}`;

/** The `run` subcommand. */
export const runCommand = {
  summary: 'start a detached run on a host and print its id',
  async run(args: string[]): Promise<number> {
    const { values, positionals } = parseWithHost(args, {
      cwd: { type: 'string' }, name: { type: 'string' }, env: { type: 'string', multiple: true }, config: { type: 'string' },
      slurm: { type: 'boolean', default: false }, nodes: { type: 'string' }, 'gpus-per-node': { type: 'string' }, time: { type: 'string' },
      partition: { type: 'string' }, account: { type: 'string' }, launcher: { type: 'string' },
    });
    const int = (name: string, v: string | undefined): number | undefined => {
      if (v === undefined) return undefined;
      const n = Number(v);
      if (!Number.isInteger(n) || n < 1) throw new UsageError(`--${name} must be a positive integer`);
      return n;
    };
    const launcher = values.launcher;
    if (launcher !== undefined && launcher !== 'direct' && launcher !== 'srun' && launcher !== 'torchrun') throw new UsageError('--launcher must be direct, srun or torchrun');
    const slurmOnly = ['nodes', 'gpus-per-node', 'time', 'partition', 'account', 'launcher'] as const;
    if (!values.slurm && slurmOnly.some((k) => values[k] !== undefined)) throw new UsageError('--nodes/--gpus-per-node/--time/--partition/--account/--launcher need --slurm');
    const slurm = values.slurm ? {
      nodes: int('nodes', values.nodes), gpusPerNode: int('gpus-per-node', values['gpus-per-node']), time: values.time,
      partition: values.partition, account: values.account, launcher: launcher as SlurmOptions['launcher'],
    } : undefined;
    if (!values.help && positionals.length === 0) throw new UsageError('missing command after --');
    let env: Record<string, string>;
    try { env = parseEnvList(values.env ?? []); } catch (e) { throw new UsageError(`--env: ${(e as Error).message}`); }
    let configSnapshot: { fileName: string; content: string } | undefined;
    if (values.config) {
      const { readFileSync } = await import('node:fs');
      configSnapshot = { fileName: values.config, content: readFileSync(values.config, 'utf8') };
    }
    return withRunner(USAGE, values, async (runner) => {
      const cwd = values.cwd ?? (runner.host === 'local' ? process.cwd() : '~');
      const run = await startRun(runner, { argv: positionals, cwd, env, name: values.name, configSnapshot, slurm });
      process.stdout.write(`${run.id}\n`);
      process.stderr.write(`started ${run.id} on ${run.host} (${run.slurmJobId ? `Slurm job ${run.slurmJobId}` : `pid ${run.pid}`}); log: ${run.logPath}\n`);
      return 0;
    });
  },
};
