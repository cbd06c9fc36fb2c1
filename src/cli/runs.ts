/** `llmtrain runs --host H [--format json|table]`: runs on a host with live state, newest first. */
import { displayJoin, displayText } from '../core/runs/quote';
import type { RunRecord } from '../core/runs/types';
import { listRunsDetailed } from '../remote/runs';
import { HOST_USAGE, UsageError, parseWithHost, withRunner } from './hostArgs';
import stringWidth from 'string-width';

const USAGE = `usage: llmtrain runs [--host H] [--format table|json]
Lists the runs on the host, newest first, with their live state. A run that ended on a line that ends runs (CUDA
out of memory, NCCL timeout, traceback, Killed/137, Segmentation fault/139) is "crashed"; --format json has its
exitCode, crashReason and lastError (a failed run's lastError is its log's last line); a Slurm run whose job ended badly (TIMEOUT, NODE_FAIL, ...) or whose state Slurm did not give has
slurmError, a launch that failed (sbatch refused) has error, and a Slurm job still queued has slurmWaiting (why it
waits: PENDING (Resources), (Priority), ...), also shown in the STATE column.
${HOST_USAGE}`;

/** Widest name and reason a table cell shows (code points; longer ones end in `…`, `--format json` has them whole):
 * one long error line must not widen every row of the table. */
const NAME_CHARS = 40;
const REASON_CHARS = 80;

/** The STATE cell: `crashed (137): Killed`, `failed (1): Slurm job 12: TIMEOUT (TimeLimit)`, `failed: sbatch failed
 * (exit 1): ...`, on one line (line breaks in a reason shown as `⏎`, see `displayText`). */
function stateCell(r: RunRecord): string {
  const reason = r.crashReason ?? ((r.state === 'failed' && r.error) || r.slurmError || (r.state === 'starting' && r.slurmWaiting));
  return `${r.state}${r.exitCode !== undefined ? ` (${r.exitCode})` : ''}${reason ? `: ${displayText(reason, REASON_CHARS)}` : ''}`;
}

/** The `runs` subcommand. */
export const runsCommand = {
  summary: 'list runs on a host with live state',
  async run(args: string[]): Promise<number> {
    const { values, positionals } = parseWithHost(args, { format: { type: 'string', default: 'table' } });
    if (positionals.length > 0) throw new UsageError(`unexpected argument ${JSON.stringify(positionals[0])}`);
    if (values.format !== 'table' && values.format !== 'json') throw new UsageError(`--format must be table or json`);
    return withRunner(USAGE, values, async (runner) => {
      const { runs, skipped, slurmError } = await listRunsDetailed(runner);
      for (const s of skipped) process.stderr.write(`skipped ${s.dir}: ${s.error}\n`);
      if (slurmError) process.stderr.write(`Slurm did not answer (${slurmError}); Slurm runs show what their run folders say\n`);
      if (values.format === 'json') {
        process.stdout.write(`${JSON.stringify(runs, null, 2)}\n`);
        return 0;
      }
      const rows = runs.map((r) => [r.id, displayText(r.name ?? '', NAME_CHARS), stateCell(r), r.startTime.replace('T', ' ').replace(/\.\d+Z$/, 'Z'), displayJoin(r.argv)]);
      const head = ['RUN', 'NAME', 'STATE', 'STARTED', 'COMMAND'];
      // Columns by display width (a CJK or emoji run name takes two terminal cells per character), not string length.
      const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => stringWidth(r[i]))));
      for (const r of [head, ...rows]) process.stdout.write(`${r.map((c, i) => (i === r.length - 1 ? c : c + ' '.repeat(widths[i] - stringWidth(c)))).join('  ')}\n`);
      return 0;
    });
  },
};
