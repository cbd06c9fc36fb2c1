/**
 * `llmtrain logs --host H RUN [--follow] [--from BYTE]`: writes the run's output.log bytes unchanged to stdout;
 * status (reconnecting, resumed) goes to stderr. With --follow it re-attaches by itself after a drop and ends when
 * the run ends and the log is drained.
 */
import { LogFollower } from '../remote/logFollower';
import type { FollowerStatus } from '../remote/logFollower';
import { getRun, isRunActive } from '../remote/runs';
import { HOST_USAGE, UsageError, parseWithHost, withRunner } from './hostArgs';

const USAGE = `usage: llmtrain logs [--host H] RUN [--follow] [--from BYTE]
Writes the run's log to stdout, byte for byte. --follow keeps streaming (re-attaching after drops) until the run ends.
${HOST_USAGE}`;

export const logsCommand = {
  summary: "print or follow a run's log",
  async run(args: string[]): Promise<number> {
    const { values, positionals } = parseWithHost(args, { follow: { type: 'boolean', short: 'f', default: false }, from: { type: 'string', default: '0' } });
    if (!values.help && positionals.length !== 1) throw new UsageError('expected exactly one run id');
    const from = Number(values.from);
    if (!Number.isSafeInteger(from) || from < 0) throw new UsageError(`--from must be a byte offset >= 0`);
    return withRunner(USAGE, values, async (runner) => {
      const run = await getRun(runner, positionals[0]);
      const follower = new LogFollower({
        runner, path: run.logPath, fromOffset: from,
        isActive: values.follow ? () => isRunActive(runner, run) : async () => false,
        stream: values.follow,
      });
      let pending = Promise.resolve();
      follower.on('data', (chunk: Uint8Array) => {
        if (!process.stdout.write(chunk)) pending = new Promise((r) => process.stdout.once('drain', r));
      });
      follower.on('status', (s: FollowerStatus) => {
        if (s.kind === 'reconnecting') process.stderr.write(`llmtrain: connection lost (${s.message}); reconnecting in ${s.delayMs} ms (attempt ${s.attempt})\n`);
        else if (s.kind === 'resumed') process.stderr.write(`llmtrain: resumed at byte ${s.offset} after ${s.afterMs} ms\n`);
      });
      const onSigint = (): void => follower.stop();
      process.once('SIGINT', onSigint);
      try {
        const end = await follower.start().done;
        await pending;
        if (end.error) throw end.error;
      } finally {
        process.off('SIGINT', onSigint);
      }
      return 0;
    });
  },
};
