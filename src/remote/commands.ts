/**
 * The one runner of command specs (the vscode-containers `CommandRunner` pattern): `src/core/runs` builds
 * `CommandSpec { argv, parse }` (pure, unit-tested with canned output), a `Runner` executes the argv on its host, and
 * the spec reads the output. Every remote command of the run lifecycle (ps, run scan, nvidia-smi, sbatch, squeue,
 * scontrol, scancel) goes through here.
 */
import type { CommandSpec } from '../core/runs/commands';
import type { Runner } from './types';

/** Default time limit of one spec's command (ms). */
export const DEFAULT_SPEC_TIMEOUT_MS = 30_000;

/**
 * Executes `spec.argv` on the runner's host and returns `spec.parse(output)`. `opts.timeoutMs` (default
 * DEFAULT_SPEC_TIMEOUT_MS) bounds the command. Rejects when the command could not run (connection lost, timeout) or
 * when `parse` refuses the output (its error says why: a non-zero exit with stderr, unreadable output).
 */
export async function runSpec<T>(runner: Runner, spec: CommandSpec<T>, opts: { timeoutMs?: number } = {}): Promise<T> {
  return spec.parse(await runner.exec(spec.argv, { timeoutMs: opts.timeoutMs ?? DEFAULT_SPEC_TIMEOUT_MS }));
}
