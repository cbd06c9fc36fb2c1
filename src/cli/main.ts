/** `llmtrain`: a thin command-line front end over src/core and src/remote. Subcommands register in `commands`. */
import { metricsCommand } from './metrics';
import packageJson from '../../package.json';
import { runValidate } from './validate';

import { hostsCommand } from './hosts';
import { logsCommand } from './logs';
import { runCommand } from './run';
import { runsCommand } from './runs';
import { stopCommand } from './stop';
import { exportCommand } from './export';
import { onnxCommand } from './onnx';
import { UsageError } from './hostArgs';
import { dataCommand } from './data';
import { tokenizeCommand } from './tokenize';
import { checkpointCommand } from './checkpoint';

type Command = (args: string[]) => Promise<number>;
const commands: Record<string, { summary: string; run: Command }> = {
  hosts: hostsCommand,
  run: runCommand,
  runs: runsCommand,
  logs: logsCommand,
  stop: stopCommand,
  export: exportCommand,
  onnx: onnxCommand,
  metrics: metricsCommand,
  data: dataCommand,
  tokenize: tokenizeCommand,
  checkpoint: checkpointCommand,
  validate: { summary: 'Check training configs (HF/TRL, Axolotl, LLaMA-Factory, torchtune, DeepSpeed, Accelerate, PEFT)', run: (a) => runValidate(a) },
};

function usage(): string {
  const lines = Object.entries(commands).map(([name, c]) => `  ${name.padEnd(10)} ${c.summary}`);
  return `usage: llmtrain <command> [options]\n\ncommands:\n${lines.join('\n')}\n`;
}

export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h') { process.stdout.write(usage()); return name ? 0 : 2; }
  if (name === '--version' || name === '-V') { process.stdout.write(`llmtrain ${packageJson.version}\n`); return 0; }
  const cmd = commands[name];
  if (!cmd) { process.stderr.write(`llmtrain: unknown command '${name}'\n${usage()}`); return 2; }
  try {
    return await cmd.run(rest);
  } catch (e) {
    if (e instanceof UsageError) { process.stderr.write(`llmtrain ${name}: ${e.message}\n`); return 2; }
    throw e;
  }
}

if (require.main === module) {
  // `llmtrain logs --follow | head` closes our stdout: end quietly with the status a tool killed by SIGPIPE has in
  // a shell (128 + 13, as git's), not 0: under `set -o pipefail` a check whose output was cut short is not a success.
  process.stdout.on('error', (err: NodeJS.ErrnoException) => { if (err.code === 'EPIPE') process.exit(141); throw err; });
  main(process.argv.slice(2)).then((code) => { process.exitCode = code; }, (err) => { process.stderr.write(`llmtrain: ${err instanceof Error ? err.message : String(err)}\n`); process.exitCode = 1; });
}
