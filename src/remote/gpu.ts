/** GPU status of a host through nvidia-smi (see gpuQueryCommand in core/runs/commands for fields and parsing). */
import { gpuQueryCommand } from '../core/runs/commands';
import type { GpuStatus } from '../core/runs/commands';
import type { Runner } from './types';

export type { GpuInfo, GpuStatus } from '../core/runs/commands';

/** `{ available: true, gpus }`, or `{ available: false, reason }` on a host without NVIDIA GPUs/driver (said plainly). */
export async function gpuStatus(runner: Runner): Promise<GpuStatus> {
  const cmd = gpuQueryCommand();
  return cmd.parse(await runner.exec(cmd.argv, { timeoutMs: 30_000 }));
}
