/**
 * Slurm as a way to launch on a host: sbatch a generated script whose output is the run's output.log (followed like
 * any log), state from squeue (then scontrol for recently ended jobs), scancel to stop.
 */
import { scancelCommand, sbatchCommand, scontrolShowJobCommand, slurmBatchScript, slurmEndProblem, slurmStateToRunState, slurmWaitReason, squeueCommand } from '../core/runs/slurm';
import type { SlurmOptions } from '../core/runs/slurm';
import type { RunRecord, RunState } from '../core/runs/types';
import type { Runner } from './types';
import { runSpec } from './commands';

export type { SlurmOptions } from '../core/runs/slurm';

/** Writes the batch script into the run folder, submits it, removes it (Slurm keeps its copy); returns the job id. */
export async function submitSlurmRun(runner: Runner, p: { runDir: string; argv: string[]; cwd: string; env: Record<string, string>; logPath: string; name: string; slurm: SlurmOptions }): Promise<string> {
  const scriptPath = `${p.runDir}/sbatch.sh`;
  await runner.writeFile(scriptPath, slurmBatchScript(p), { mode: 0o600 }); // holds env values until sbatch copied it
  try {
    const cmd = sbatchCommand({ scriptPath, name: p.name, logPath: p.logPath, cwd: p.cwd, slurm: p.slurm });
    return await runSpec(runner, cmd, { timeoutMs: 60_000 });
  } finally {
    await runner.exec(['rm', '-f', '--', scriptPath]).catch(() => undefined);
  }
}

/** A Slurm run's live state, what Slurm says went wrong when the job ended badly (see `slurmEndProblem`:
 * `TIMEOUT (TimeLimit)`, `NODE_FAIL (NodeDown)`, ...), and why a job not started yet waits (`slurmWaitReason`:
 * `PENDING (Resources)`, ...). */
export interface SlurmRunState { state: RunState; problem?: string; waiting?: string }

/**
 * Live state of Slurm runs, by job id: squeue for jobs it still knows, scontrol for the rest, and for jobs Slurm
 * forgot (MinJobAge passed) the run's exit.json (finished/failed), else `unknown`.
 */
export async function slurmRunStates(runner: Runner, runs: readonly RunRecord[]): Promise<Map<string, SlurmRunState>> {
  const ids = runs.map((r) => r.slurmJobId!).filter(Boolean);
  const result = new Map<string, SlurmRunState>();
  if (ids.length === 0) return result;
  const of = (job: { state: string; reason?: string }): SlurmRunState => {
    const problem = slurmEndProblem(job), waiting = slurmWaitReason(job);
    return { state: slurmStateToRunState(job.state), ...(problem ? { problem } : {}), ...(waiting ? { waiting } : {}) };
  };
  const known = await runSpec(runner, squeueCommand(ids));
  for (const [id, job] of known) result.set(id, of(job));
  for (const r of runs) {
    const id = r.slurmJobId!;
    if (result.has(id)) continue;
    const fields = await runSpec(runner, scontrolShowJobCommand(id));
    if (fields?.JobState) result.set(id, of({ state: fields.JobState, reason: fields.Reason }));
    else if (r.exitCode !== undefined) result.set(id, { state: r.exitCode === 0 ? 'finished' : 'failed' });
    else result.set(id, { state: 'unknown' });
  }
  return result;
}

/** `scancel JOB`; throws with Slurm's message when it refuses. */
export async function cancelSlurmJob(runner: Runner, jobId: string): Promise<void> {
  await runSpec(runner, scancelCommand(jobId));
}
