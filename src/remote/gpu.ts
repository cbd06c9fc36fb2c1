/** GPU status of a host through nvidia-smi (see gpuQueryCommand in core/runs/commands for fields and parsing). */
import { gpuQueryCommand } from '../core/runs/commands';
import type { GpuStatus } from '../core/runs/commands';
import type { Runner } from './types';
import { runSpec } from './commands';

export type { GpuInfo, GpuStatus } from '../core/runs/commands';

/** `{ available: true, gpus }`, or `{ available: false, reason }` on a host without NVIDIA GPUs/driver (said plainly). */
export async function gpuStatus(runner: Runner): Promise<GpuStatus> {
  return runSpec(runner, gpuQueryCommand());
}
