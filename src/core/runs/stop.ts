/**
 * How Stop Run escalates, in one place: `stopRun` in src/remote/runs.ts sends these signals with these grace
 * periods, and the Stop dialog, the CLI help and the README describe them from here. Pure.
 */

/** ms stopRun waits after SIGINT (a trainer's KeyboardInterrupt handler saves and exits) before SIGTERM. */
export const STOP_INTERRUPT_GRACE_MS = 10_000;
/** ms stopRun waits after SIGTERM before SIGKILL. */
export const STOP_TERMINATE_GRACE_MS = 10_000;
/** ms stopRun waits after SIGKILL for the process group to be gone. */
export const STOP_KILL_GRACE_MS = 5_000;
/** ms stopRun waits after `scancel` for a Slurm job to end. */
export const STOP_SLURM_GRACE_MS = 30_000;

/** Grace periods in ms; defaults are the constants above. */
export interface StopGraces { interruptGraceMs?: number; terminateGraceMs?: number }

const seconds = (ms: number) => `${Number((ms / 1000).toFixed(1))} s`;

/**
 * What Stop Run does, in the order it happens, for the confirmation dialog: `SIGINT to its whole process group
 * (workers included) ...; SIGTERM after 10 s if it is still running; SIGKILL 10 s after that.` A Slurm job gets
 * `scancel` instead. `graces` in ms (the values stopRun uses).
 */
export function stopEscalationText(opts: { slurmJobId?: string } & StopGraces = {}): string {
  if (opts.slurmJobId) return `scancel ${opts.slurmJobId} cancels the Slurm job (Slurm signals its steps); the view waits up to ${seconds(STOP_SLURM_GRACE_MS)} for it to end. Checkpoints not yet written are lost.`;
  const i = opts.interruptGraceMs ?? STOP_INTERRUPT_GRACE_MS;
  const t = opts.terminateGraceMs ?? STOP_TERMINATE_GRACE_MS;
  return `1. SIGINT to its whole process group (workers included): a trainer can save and exit.\n`
    + `2. SIGTERM after ${seconds(i)} if it is still running.\n`
    + `3. SIGKILL ${seconds(t)} after that.\n`
    + `Checkpoints not yet written are lost.`;
}
