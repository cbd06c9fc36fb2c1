/** `llmtrain stop --host H RUN`: SIGINT, then SIGTERM, then SIGKILL to the run's process group (Slurm: scancel). */
import { stopRun } from '../remote/runs';
import { HOST_USAGE, UsageError, parseWithHost, withRunner } from './hostArgs';

const USAGE = `usage: llmtrain stop [--host H] RUN [--grace SECONDS]
Stops a run: SIGINT to its process group, SIGTERM after the grace period, SIGKILL after another (Slurm: scancel).
  --grace SECONDS  wait between signals (default 10)
${HOST_USAGE}`;

export const stopCommand = {
  summary: 'stop a run (SIGINT, SIGTERM, SIGKILL; Slurm: scancel)',
  async run(args: string[]): Promise<number> {
    const { values, positionals } = parseWithHost(args, { grace: { type: 'string', default: '10' } });
    if (!values.help && positionals.length !== 1) throw new UsageError('expected exactly one run id');
    const graceMs = Number(values.grace) * 1000;
    if (!Number.isFinite(graceMs) || graceMs < 0) throw new UsageError('--grace must be a number of seconds');
    return withRunner(USAGE, values, async (runner) => {
      const { run, signals } = await stopRun(runner, positionals[0], { interruptGraceMs: graceMs, terminateGraceMs: graceMs, onProgress: (m) => process.stderr.write(`${m}\n`) });
      process.stdout.write(`${run.id} ${run.state}${signals.length === 0 ? ' (was not running)' : ''}\n`);
      return 0;
    });
  },
};
