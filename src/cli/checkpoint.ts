/**
 * `llmtrain checkpoint <path> [--host H] [--format text|json] [--zero-stage N] [--world-size N]`,
 * `llmtrain checkpoint diff <a> <b> [--values] [--python P]` and
 * `llmtrain checkpoint resume-check [--cwd DIR] [--config F] [--slurm --nodes N --gpus-per-node G --launcher L] --
 * <launch command>`: the checkpoint core from the command
 * line, on local or SSH paths, reading headers only (`--values` reads data, on the host, with Python).
 * Exit status: 1 when a file cannot be read (one line naming it) or a problem of severity error is found; 2 on usage.
 */
import { diffCheckpoints, parseValueDiff, valueDiffArgv } from '../core/checkpoint/diff';
import { checkDeepSpeedResume } from '../core/checkpoint/resume';
import { FORMAT_LABELS, inspectCheckpoint } from '../core/checkpoint/index';
import type { CheckpointReport } from '../core/checkpoint/index';
import type { DeepSpeedInfo } from '../core/checkpoint/types';
import { formatBytes, formatCount as fmtParams } from '../shared/format';
import { runnerFileAccess } from '../remote/files';
import { HOST_USAGE, UsageError, parseWithHost, withRunner } from './hostArgs';

const USAGE = `usage: llmtrain checkpoint <path> [--format text|json] [--zero-stage N] [--world-size N] [host options]
       llmtrain checkpoint diff <a> <b> [--values] [--python P] [--format text|json] [host options]
       llmtrain checkpoint resume-check [--cwd DIR] [--config F] [--slurm [--nodes N] [--gpus-per-node G] [--launcher L]]
                                        [--format text|json] [host options] -- <launch command>
Reads checkpoint headers (safetensors, sharded index, PyTorch zip, GGUF, PEFT, DeepSpeed, FSDP, trainer run folders).
  --zero-stage N, --world-size N   compare a DeepSpeed save with the stage / GPU count a resume would use
  resume-check                     will the launch's DeepSpeed resume work? (checkpoint from --resume_from_checkpoint or
                                   the config, ZeRO stage from the DeepSpeed config, world size from the launcher;
                                   exit 1 when it will fail). --cwd: where the command runs (default: here)
  --slurm, --nodes, --gpus-per-node, --launcher
                                   resume-check: the command is submitted as by \`llmtrain run --slurm\` (launcher direct,
                                   srun or torchrun): the world size is the allocation's (torchrun: nodes × GPUs per node)
  --values                         diff: per-tensor relative change, computed on the host (reads all tensor data)
${HOST_USAGE}`;

/** The MiCS / hpZ fields of a DeepSpeed save, only where they are set (`partitions` when MiCS makes it differ from `world_size`). */
function zeroPlusPlusJson(d: DeepSpeedInfo): Record<string, number> {
  const o: Record<string, number> = {};
  if (d.mics_shard_size !== undefined) o.mics_shard_size = d.mics_shard_size;
  if (d.hpz_partition_size !== undefined) o.zero_hpz_partition_size = d.hpz_partition_size;
  if (d.partitions !== undefined && d.partitions !== d.world_size) o.partitions = d.partitions;
  return o;
}

function zeroPlusPlusText(d: DeepSpeedInfo, partitions = true): string {
  return Object.entries(zeroPlusPlusJson(d)).filter(([k]) => partitions || k !== 'partitions').map(([k, v]) => `  ${k} ${v}`).join('');
}

/** The JSON object of the issue: format, tensors, parameters, bytes, metadata, tied, problems, [checkpoints], [deepspeed]. */
export function reportJson(r: CheckpointReport): Record<string, unknown> {
  const o: Record<string, unknown> = {
    format: r.format,
    tensors: r.tensors.map((t) => ({ name: t.name, dtype: t.dtype, shape: t.shape, bytes: t.bytes })),
    parameters: r.parameters,
    bytes: r.bytes,
    metadata: r.metadata,
    tied: r.tied,
    problems: r.problems.map((p) => ({ severity: p.severity, message: p.file && !p.message.includes(p.file) ? `${p.file}: ${p.message}` : p.message })),
  };
  if (r.checkpoints) o.checkpoints = r.checkpoints.map((c) => ({ step: c.step ?? null, path: c.path, best: c.best }));
  if (r.deepspeed) o.deepspeed = { step: r.deepspeed.step ?? null, world_size: r.deepspeed.world_size ?? null, zero_stage: r.deepspeed.zero_stage ?? null, ...zeroPlusPlusJson(r.deepspeed) };
  return o;
}

/** Text report: summary, totals, checkpoints, problems, then tensors (first 200 unless --all). */
export function reportText(r: CheckpointReport, all = false): string {
  const lines: string[] = [];
  lines.push(`${r.host === 'local' ? '' : `${r.host}:`}${r.path}`);
  lines.push(`  format      ${FORMAT_LABELS[r.format]}`);
  lines.push(`  tensors     ${r.tensors.length}   parameters ${fmtParams(r.parameters)}   bytes ${formatBytes(r.bytes)}`);
  for (const [d, t] of Object.entries(r.byDtype)) lines.push(`  dtype ${d.padEnd(8)} ${String(t.tensors).padStart(6)} tensors  ${fmtParams(t.parameters).padStart(8)} params  ${formatBytes(t.bytes)}`);
  for (const [k, t] of Object.entries(r.byKind)) lines.push(`  kind  ${k.padEnd(10)} ${String(t!.tensors).padStart(4)} tensors  ${fmtParams(t!.parameters).padStart(8)} params`);
  if (r.deepspeed) lines.push(`  deepspeed   ${r.deepspeed.tag ?? ''} step ${r.deepspeed.step ?? '?'}  world_size ${r.deepspeed.world_size ?? '?'}  zero_stage ${r.deepspeed.zero_stage ?? '?'}${zeroPlusPlusText(r.deepspeed)}`);
  if (r.peft) lines.push(`  peft        ${r.peft.peft_type ?? ''} r=${r.peft.r ?? '?'} lora_alpha=${r.peft.lora_alpha ?? '?'} target_modules=${r.peft.target_modules.join(',')}  trainable ${fmtParams(r.peft.trainable_parameters)} on ${r.peft.attachments.length} base tensors (${fmtParams(r.peft.attached_base_parameters)} params)`);
  for (const [k, v] of Object.entries(r.metadata)) lines.push(`  meta  ${k} = ${v.length > 120 ? `${v.slice(0, 117)}...` : v}`);
  for (const [a, b] of r.tied) lines.push(`  tied  ${a} = ${b}`);
  for (const c of r.checkpoints ?? []) lines.push(`  ${c.best ? '*' : ' '} step ${String(c.step ?? '-').padStart(7)}  ${c.path}${c.bytes !== undefined ? `  ${formatBytes(c.bytes)}` : ''}${c.metric ? `  ${c.metric.name} ${c.metric.value}` : ''}${c.best ? '  (best)' : ''}`);
  for (const p of r.problems) lines.push(`  ${p.severity}: ${p.message}`);
  const shown = all ? r.tensors : r.tensors.slice(0, 200);
  for (const t of shown) lines.push(`    ${t.name}  ${t.dtype}  [${t.shape.join(', ')}]  ${formatBytes(t.bytes)}`);
  if (shown.length < r.tensors.length) lines.push(`    ... ${r.tensors.length - shown.length} more (--all)`);
  return lines.join('\n') + '\n';
}

function intOpt(v: string | undefined, name: string): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isSafeInteger(n) || n < 0) throw new UsageError(`${name} must be an integer >= 0`);
  return n;
}

/** The `checkpoint` subcommand. */
export const checkpointCommand = {
  summary: 'read checkpoint headers (safetensors, PyTorch, GGUF, PEFT, DeepSpeed, trainer runs); diff two',
  async run(allArgs: string[]): Promise<number> {
    const dd = allArgs.indexOf('--');
    const args = dd >= 0 ? allArgs.slice(0, dd) : allArgs;
    const launchArgv = dd >= 0 ? allArgs.slice(dd + 1) : [];
    const { values, positionals } = parseWithHost(args, {
      format: { type: 'string', default: 'text' }, all: { type: 'boolean', default: false },
      'zero-stage': { type: 'string' }, 'world-size': { type: 'string' },
      values: { type: 'boolean', default: false }, python: { type: 'string', default: 'python3' },
      cwd: { type: 'string' }, config: { type: 'string' },
      slurm: { type: 'boolean', default: false }, nodes: { type: 'string' }, 'gpus-per-node': { type: 'string' }, launcher: { type: 'string' },
    });
    if (values.format !== 'text' && values.format !== 'json') throw new UsageError('--format must be text or json');
    if (positionals[0] === 'resume-check') {
      if (!values.help && (positionals.length !== 1 || launchArgv.length === 0)) throw new UsageError('resume-check expects the launch command after --');
      const launcher = values.launcher;
      if (launcher !== undefined && launcher !== 'direct' && launcher !== 'srun' && launcher !== 'torchrun') throw new UsageError('--launcher must be direct, srun or torchrun');
      if (!values.slurm && (values.nodes !== undefined || values['gpus-per-node'] !== undefined || launcher !== undefined)) throw new UsageError('--nodes/--gpus-per-node/--launcher need --slurm');
      const slurm = values.slurm ? { nodes: intOpt(values.nodes, '--nodes'), gpusPerNode: intOpt(values['gpus-per-node'], '--gpus-per-node'), launcher: launcher as 'direct' | 'srun' | 'torchrun' | undefined } : undefined;
      return withRunner(USAGE, values, async (runner) => {
        const cwd = values.cwd ?? (runner.host === 'local' ? process.cwd() : await runner.home());
        const files = runnerFileAccess(runner);
        const config = values.config ? { path: values.config.startsWith('/') ? values.config : `${cwd}/${values.config}`, text: '' } : undefined;
        if (config) {
          try { config.text = new TextDecoder().decode(await files.read(config.path, 0, 16 * 1024 * 1024)); } catch (e) {
            process.stderr.write(`llmtrain checkpoint resume-check: ${(e as Error).message.split('\n')[0]}\n`);
            return 1;
          }
        }
        const r = await checkDeepSpeedResume({ files, cwd, argv: launchArgv, config, slurm, home: await runner.home().catch(() => undefined) });
        const errors = (r?.problems ?? []).filter((p) => p.severity === 'error');
        if (values.format === 'json') {
          process.stdout.write(JSON.stringify(r ? { checkpoint: r.checkpoint ?? null, saved: r.saved ? { tag: r.saved.tag ?? null, zero_stage: r.saved.zero_stage ?? null, world_size: r.saved.world_size ?? null, ...zeroPlusPlusJson(r.saved) } : null, target: r.target, problems: r.problems.map((p) => ({ severity: p.severity, message: p.message })) } : { checkpoint: null, problems: [] }, null, 2) + '\n');
        } else if (!r) process.stdout.write('not a DeepSpeed resume: nothing to check\n');
        else {
          const lines = [`resume from ${r.checkpoint ?? '(no checkpoint yet)'}`];
          if (r.saved) lines.push(`  saved   ${r.saved.tag ?? ''}  ZeRO stage ${r.saved.zero_stage ?? '?'}  ${r.saved.partitions ?? r.saved.world_size ?? '?'} partition(s)${r.saved.partitions !== undefined && r.saved.partitions !== r.saved.world_size ? ` of ${r.saved.world_size ?? '?'} data-parallel rank(s)` : ''}${zeroPlusPlusText(r.saved, false)}`);
          lines.push(`  launch  ZeRO stage ${r.target.zeroStage ?? '?'}${r.target.zeroStageFrom ? ` (${r.target.zeroStageFrom})` : ''}  world size ${r.target.worldSize ?? '?'}${r.target.worldSizeFrom ? ` (${r.target.worldSizeFrom})` : ''}${r.target.micsShardSize !== undefined ? `  mics_shard_size ${r.target.micsShardSize}` : ''}${r.target.hpzPartitionSize !== undefined ? `  zero_hpz_partition_size ${r.target.hpzPartitionSize}` : ''}`);
          for (const p of r.problems) lines.push(`  ${p.severity}: ${p.message}`);
          if (!errors.length) lines.push('  ok: the resume matches the save');
          process.stdout.write(lines.join('\n') + '\n');
        }
        return errors.length ? 1 : 0;
      });
    }
    const isDiff = positionals[0] === 'diff';
    if (!values.help && (isDiff ? positionals.length !== 3 : positionals.length !== 1)) throw new UsageError(isDiff ? 'diff expects two paths' : 'expected one path');
    const resume = { zeroStage: intOpt(values['zero-stage'], '--zero-stage'), worldSize: intOpt(values['world-size'], '--world-size') };
    return withRunner(USAGE, values, async (runner) => {
      const files = runnerFileAccess(runner);
      const abs = (p: string): string => (runner.host === 'local' && !p.startsWith('/') ? `${process.cwd()}/${p}` : p);
      const read = async (p: string): Promise<CheckpointReport | undefined> => {
        try { return await inspectCheckpoint(files, abs(p), { resume }); } catch (e) {
          process.stderr.write(`llmtrain checkpoint: ${(e as Error).message.split('\n')[0]}\n`);
          return undefined;
        }
      };
      if (isDiff) {
        const [a, b] = await Promise.all([read(positionals[1]), read(positionals[2])]);
        if (!a || !b) return 1;
        const d = diffCheckpoints(a, b);
        let valueChanges: ReturnType<typeof parseValueDiff> | undefined;
        if (values.values) {
          const r = await runner.exec(valueDiffArgv(abs(positionals[1]), abs(positionals[2]), values.python), { timeoutMs: 3_600_000 });
          if (r.exitCode !== 0) { process.stderr.write(`llmtrain checkpoint diff: value comparison failed on ${runner.host}: ${(r.stderr.trim().split('\n').pop() ?? '').slice(0, 300)}\n`); return 1; }
          valueChanges = parseValueDiff(r.stdout);
        }
        if (values.format === 'json') {
          process.stdout.write(JSON.stringify({
            a: d.a, b: d.b,
            added: d.added.map((t) => ({ name: t.name, dtype: t.dtype, shape: t.shape })),
            removed: d.removed.map((t) => ({ name: t.name, dtype: t.dtype, shape: t.shape })),
            changed: d.changed, unchanged: d.same, ...(valueChanges ? { values: valueChanges } : {}),
          }, null, 2) + '\n');
        } else {
          const out: string[] = [`${d.a} -> ${d.b}: ${d.added.length} added, ${d.removed.length} removed, ${d.changed.length} changed, ${d.same} same dtype and shape`];
          for (const t of d.added) out.push(`  + ${t.name}  ${t.dtype} [${t.shape.join(', ')}]`);
          for (const t of d.removed) out.push(`  - ${t.name}  ${t.dtype} [${t.shape.join(', ')}]`);
          for (const c of d.changed) out.push(`  ~ ${c.name}  ${c.from.dtype} [${c.from.shape.join(', ')}] -> ${c.to.dtype} [${c.to.shape.join(', ')}]`);
          for (const v of (valueChanges ?? []).sort((x, y) => y.relative_change - x.relative_change)) out.push(`  Δ ${v.name}  relative ${v.relative_change.toExponential(3)}  max |diff| ${v.max_abs_diff.toExponential(3)}`);
          process.stdout.write(out.join('\n') + '\n');
        }
        return 0;
      }
      const r = await read(positionals[0]);
      if (!r) return 1;
      process.stdout.write(values.format === 'json' ? JSON.stringify(reportJson(r), null, 2) + '\n' : reportText(r, values.all));
      return r.problems.some((p) => p.severity === 'error') ? 1 : 0;
    });
  },
};
