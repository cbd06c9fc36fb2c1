/**
 * Trainer output folders (transformers `Trainer._save_checkpoint`): `checkpoint-<global_step>/` per save, each with
 * `trainer_state.json` (`global_step`, `log_history`, `best_metric`, `best_model_checkpoint`, `best_global_step`);
 * DeepSpeed saves add `global_step<N>/` + `latest` inside. The latest checkpoint's log_history covers all steps, so
 * one trainer_state.json gives every checkpoint's eval metric.
 */
import { baseName, joinPath, readTextIfExists } from '../files';
import type { FileAccess, FileInfo } from '../files';
import type { CheckpointEntry, Problem } from './types';

/** `trainer_state.json` fields we use. */
export interface TrainerState {
  global_step?: number;
  best_metric?: number | null;
  best_model_checkpoint?: string | null;
  best_global_step?: number | null;
  log_history?: Record<string, unknown>[];
}

/** Runs `fn` over items with at most `limit` in flight (SFTP pipelines requests; this bounds them). */
export async function mapLimit<T, R>(items: T[], limit: number, fn: (x: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, async () => { while (next < items.length) { const i = next++; out[i] = await fn(items[i]); } }));
  return out;
}

/** Bytes of the files of a folder and of its direct sub-folders (one level: DeepSpeed's global_stepN). */
export async function folderBytes(files: FileAccess, dir: string): Promise<number> {
  const names = await files.list(dir).catch(() => [] as string[]);
  const sizes = await mapLimit(names, 16, async (n) => {
    const p = joinPath(dir, n);
    const s = await files.stat(p).catch(() => undefined);
    if (!s) return 0;
    if (!s.isDirectory) return s.size;
    const sub = await files.list(p).catch(() => [] as string[]);
    const ss = await mapLimit(sub, 16, (m) => files.stat(joinPath(p, m)).catch(() => undefined));
    return ss.reduce((a, x) => a + (x && !x.isDirectory ? x.size : 0), 0);
  });
  return sizes.reduce((a, b) => a + b, 0);
}

/** The eval metric logged at `step`: `eval_loss` when present, else the first `eval_*` number. */
export function evalMetricAt(state: TrainerState, step: number): { name: string; value: number } | undefined {
  for (const e of state.log_history ?? []) {
    if (e.step !== step) continue;
    if (typeof e.eval_loss === 'number') return { name: 'eval_loss', value: e.eval_loss };
    for (const [k, v] of Object.entries(e)) if (k.startsWith('eval_') && typeof v === 'number' && !/runtime|per_second/.test(k)) return { name: k, value: v };
  }
  return undefined;
}

export interface TrainerListing { checkpoints: CheckpointEntry[]; problems: Problem[]; metadata: Record<string, string>; state?: TrainerState }

/** Parses trainer_state.json text; undefined when it is not JSON. */
export function parseTrainerState(text: string | undefined): TrainerState | undefined {
  if (!text) return undefined;
  try { const j = JSON.parse(text); return j && typeof j === 'object' ? j as TrainerState : undefined; } catch { return undefined; }
}

/**
 * Lists the checkpoints of a run folder `dir` (its listing `names` and stats `infos` already read). `single`: `dir`
 * is itself one checkpoint. Sizes (one stat per file) only when `sizes`.
 */
export async function listTrainerCheckpoints(files: FileAccess, dir: string, o: { names: string[]; infos: Map<string, FileInfo>; sizes: boolean; single?: boolean }): Promise<TrainerListing> {
  const problems: Problem[] = [];
  const metadata: Record<string, string> = {};
  if (o.single) {
    const state = parseTrainerState(await readTextIfExists(files, joinPath(dir, 'trainer_state.json'), 64 * 1024 * 1024));
    const step = state?.global_step ?? Number(/checkpoint-(\d+)$/.exec(dir)?.[1] ?? NaN);
    const best = !!state?.best_model_checkpoint && baseName(state.best_model_checkpoint) === baseName(dir);
    if (state?.best_model_checkpoint) metadata.best_model_checkpoint = state.best_model_checkpoint;
    if (typeof state?.best_metric === 'number') metadata.best_metric = String(state.best_metric);
    const entry: CheckpointEntry = { step: Number.isFinite(step) ? step : undefined, path: dir, best, kind: 'checkpoint' };
    if (state && entry.step !== undefined) entry.metric = evalMetricAt(state, entry.step);
    return { checkpoints: [entry], problems, metadata, state };
  }
  const ck = o.names.filter((n) => o.infos.get(n)?.isDirectory && /^checkpoint-\d+$/.test(n)).sort((a, b) => Number(a.slice(11)) - Number(b.slice(11)));
  const gs = o.names.filter((n) => o.infos.get(n)?.isDirectory && /^global_step\d+$/.test(n)).sort((a, b) => Number(a.slice(11)) - Number(b.slice(11)));
  // The newest state covers the whole log_history; fall back to the run folder's own (written at the end of train()).
  let state: TrainerState | undefined;
  for (const c of [...ck].reverse().slice(0, 3)) { state = parseTrainerState(await readTextIfExists(files, joinPath(dir, c, 'trainer_state.json'), 64 * 1024 * 1024).catch(() => undefined)); if (state) break; }
  const rootState = parseTrainerState(await readTextIfExists(files, joinPath(dir, 'trainer_state.json'), 64 * 1024 * 1024).catch(() => undefined));
  if (!state || (rootState?.global_step ?? 0) > (state.global_step ?? 0)) state = rootState ?? state;
  const bestName = state?.best_model_checkpoint ? baseName(state.best_model_checkpoint) : undefined;
  if (state?.best_model_checkpoint) metadata.best_model_checkpoint = state.best_model_checkpoint;
  if (typeof state?.best_metric === 'number') metadata.best_metric = String(state.best_metric);
  if (state?.global_step !== undefined) metadata.global_step = String(state.global_step);
  const entries: CheckpointEntry[] = [
    ...ck.map((n): CheckpointEntry => ({ step: Number(n.slice(11)), path: joinPath(dir, n), best: n === bestName, kind: 'checkpoint', mtimeMs: o.infos.get(n)?.mtimeMs })),
    ...gs.map((n): CheckpointEntry => ({ step: Number(n.slice(11)), path: joinPath(dir, n), best: false, kind: 'global_step', mtimeMs: o.infos.get(n)?.mtimeMs })),
  ];
  if (state) for (const e of entries) if (e.step !== undefined) e.metric = evalMetricAt(state, e.step);
  if (bestName && !ck.includes(bestName)) problems.push({ severity: 'warning', file: joinPath(dir, 'trainer_state.json'), message: `best_model_checkpoint ${state!.best_model_checkpoint} is no longer on disk (deleted by save_total_limit?)` });
  if (o.sizes) {
    const sizes = await mapLimit(entries, 8, (e) => folderBytes(files, e.path));
    entries.forEach((e, i) => { e.bytes = sizes[i]; });
  }
  return { checkpoints: entries, problems, metadata, state };
}
