/**
 * `inspectCheckpoint`: one entry point for a checkpoint file or folder, local or remote (through `FileAccess`),
 * reading headers only. It recognises safetensors (single and sharded), PyTorch zip (single and sharded), legacy
 * PyTorch, GGUF, PEFT adapters, DeepSpeed `global_stepN/` folders, FSDP / torch DCP folders, trainer output folders
 * (`checkpoint-N/` + trainer_state.json) and Git LFS pointers, and checks the folder against its config.json.
 */
import { baseName, joinPath, readText } from '../files';
import type { FileAccess, FileInfo } from '../files';
import { inspectDeepSpeed, isDeepSpeedTagDir } from './deepspeed';
import type { DeepSpeedResumeTarget } from './deepspeed';
import { readGgufHeader, isGguf } from './gguf';
import { parseLfsPointer } from './lfs';
import { configChecks } from './consistency';
import { FIRST_READ_BYTES, readSafetensorsHeader } from './safetensors';
import { countParameters, totals } from './summary';
import { listTrainerCheckpoints, mapLimit } from './trainer';
import { readTorchZip, sniffTorch } from './torch';
import { isTensorRef } from './pickle';
import { CheckpointReadError } from './types';
import type { CheckpointFormat, CheckpointReport, PeftInfo, Problem, TensorInfo } from './types';

export * from './types';
export { readSafetensorsHeader } from './safetensors';
export { parseLfsPointer } from './lfs';

/** What a resume will use, to compare a DeepSpeed checkpoint with (from the DeepSpeed config and the launcher). */
export type ResumeTarget = DeepSpeedResumeTarget;

export interface InspectOptions {
  /** Compare DeepSpeed checkpoints against this (a resume with another ZeRO stage or GPU count fails). */
  resume?: ResumeTarget;
  /** Read each checkpoint's size on disk in a trainer-run listing (one stat per file; default true). */
  sizes?: boolean;
}


function emptyReport(files: FileAccess, path: string, format: CheckpointFormat): CheckpointReport {
  return { path, host: files.host, format, tensors: [], parameters: 0, bytes: 0, metadata: {}, tied: [], problems: [], byDtype: {}, byKind: {} };
}

/** Fills parameters, bytes and totals from the tensors. */
function finish(r: CheckpointReport): CheckpointReport {
  // Tensors sharing one storage (tied weights saved once) count once, as on disk and as model.num_parameters() does.
  const byName = new Map(r.tensors.map((t) => [t.name, t]));
  const shared = r.tied.map(([, b]) => byName.get(b)).filter((t): t is TensorInfo => !!t);
  r.parameters = countParameters(r.tensors) - countParameters(shared);
  if (r.tensors.length) r.bytes = r.tensors.reduce((a, t) => a + t.bytes, 0) - shared.reduce((a, t) => a + t.bytes, 0);
  const t = totals(shared.length ? r.tensors.filter((x) => !shared.includes(x)) : r.tensors);
  r.byDtype = t.byDtype; r.byKind = t.byKind;
  return r;
}

const WEIGHT_FILE = /\.(safetensors|bin|pt|pth|ckpt|gguf)$/;

/**
 * Reads one weight file's header. Throws CheckpointReadError (message names the file) when it cannot be read at all;
 * findings that still leave a header (bad offsets, hostile zip names, LFS pointers found in a folder) are problems.
 */
export async function inspectFile(files: FileAccess, path: string): Promise<CheckpointReport> {
  const name = baseName(path);
  // One stat and one read of the first 64 KiB, issued together: enough to sniff the format and, for safetensors,
  // usually the whole header (2 round trips over SFTP).
  const [info, first] = await Promise.all([files.stat(path), name.endsWith('.index.json') ? Promise.resolve(new Uint8Array(0)) : files.read(path, 0, FIRST_READ_BYTES).catch((e: Error) => e)]);
  if (!info) throw new CheckpointReadError(path, files.host === 'local' ? 'no such file' : `no such file on ${files.host}`);
  if (info.isDirectory) return inspectCheckpoint(files, path);
  if (name.endsWith('.index.json')) return inspectShardIndex(files, path);
  if (first instanceof Error) throw new CheckpointReadError(path, first.message);
  const head = first.subarray(0, 1024);
  const lfs = parseLfsPointer(head);
  if (lfs) {
    const r = emptyReport(files, path, 'lfs-pointer');
    r.bytes = lfs.size;
    r.metadata = { oid: lfs.oid, size: String(lfs.size) };
    r.problems.push({ severity: 'error', file: path, message: `${name} is a Git LFS pointer to ${lfs.size} bytes, not the weights: run \`git lfs pull\`` });
    return r;
  }
  if (name.endsWith('.gguf') || isGguf(head)) {
    const h = await readGgufHeader(files, path);
    const r = emptyReport(files, path, 'gguf');
    r.tensors = h.tensors; r.metadata = h.metadata;
    r.files = [{ path, bytes: h.fileSize, format: 'gguf' }];
    return finish(r);
  }
  const torchKind = sniffTorch(head);
  if (torchKind === 'zip') {
    const z = await readTorchZip(files, path);
    const r = emptyReport(files, path, 'pytorch-zip');
    r.tensors = z.tensors; r.tied = z.tied; r.problems.push(...z.problems);
    if (z.root instanceof Map && [...z.root.values()].some((v) => !isTensorRef(v))) r.metadata.keys = z.topKeys.slice(0, 50).join(', ');
    r.files = [{ path, bytes: z.fileSize, format: 'pytorch-zip' }];
    const zeroPlaceholders = z.tensors.filter((t) => t.shape.length === 1 && t.shape[0] === 0).length;
    if (zeroPlaceholders > 0 && zeroPlaceholders >= z.tensors.length / 2) r.problems.push({ severity: 'error', file: path, message: `${zeroPlaceholders} of ${z.tensors.length} tensors are empty (0,) placeholders: a ZeRO-3 save without gathered weights; run zero_to_fp32.py on the global_step folder, or save with stage3_gather_16bit_weights_on_model_save: true` });
    return finish(r);
  }
  if (torchKind === 'legacy') {
    const r = emptyReport(files, path, 'pytorch-legacy');
    r.bytes = info.size;
    r.problems.push({ severity: 'warning', file: path, message: `${name} is a legacy PyTorch file (torch.save before 1.6, not a zip): its tensors cannot be listed without unpickling; re-save it with a current torch or convert to safetensors` });
    r.files = [{ path, bytes: info.size, format: 'pytorch-legacy' }];
    return r;
  }
  if (name.endsWith('.pt') || name.endsWith('.pth') || name.endsWith('.ckpt') || (name.endsWith('.bin') && head.length >= 8 && head[7] !== 0)) {
    throw new CheckpointReadError(path, head.length < 4 ? 'is too short to be a checkpoint (truncated?)' : 'is neither a PyTorch zip, a legacy PyTorch file nor safetensors');
  }
  const h = await readSafetensorsHeader(files, path, { info, first });
  const r = emptyReport(files, path, 'safetensors');
  r.tensors = h.tensors.map(({ name: n, dtype, shape, bytes, dataOffsets }) => ({ name: n, dtype, shape, bytes, dataOffsets }));
  r.metadata = h.metadata; r.problems.push(...h.problems);
  r.files = [{ path, bytes: h.fileSize, format: 'safetensors' }];
  return finish(r);
}

/**
 * A sharded checkpoint's index (`model.safetensors.index.json`, `pytorch_model.bin.index.json`: `{ metadata:
 * { total_size }, weight_map: { tensor: shard file } }`, written by transformers' `save_pretrained`) checked against
 * every shard's header: missing shard, tensor listed but absent, tensor in two shards, total_size mismatch.
 */
export async function inspectShardIndex(files: FileAccess, indexPath: string): Promise<CheckpointReport> {
  const dir = indexPath.slice(0, indexPath.lastIndexOf('/')) || '/';
  let index: { metadata?: { total_size?: unknown }; weight_map?: Record<string, string> };
  try { index = JSON.parse(await readText(files, indexPath, 64 * 1024 * 1024)); } catch (e) {
    throw new CheckpointReadError(indexPath, e instanceof SyntaxError ? `not valid JSON (${e.message})` : (e as Error).message);
  }
  if (!index || typeof index.weight_map !== 'object' || index.weight_map === null) throw new CheckpointReadError(indexPath, 'has no weight_map');
  const sharded: CheckpointFormat = baseName(indexPath).includes('safetensors') ? 'safetensors-sharded' : 'pytorch-sharded';
  const r = emptyReport(files, indexPath, sharded);
  const shards = [...new Set(Object.values(index.weight_map))].sort();
  const hostile = shards.filter((s) => s.includes('/') || s.includes('..'));
  for (const s of hostile) r.problems.push({ severity: 'error', file: indexPath, message: `weight_map names a shard outside the folder: ${JSON.stringify(s)}` });
  const read = await mapLimit(shards.filter((s) => !hostile.includes(s)), 32, async (s) => {
    try { return { shard: s, report: await inspectFile(files, joinPath(dir, s)) }; } catch (e) { return { shard: s, error: e as Error }; }
  });
  const where = new Map<string, string[]>();
  r.files = [];
  for (const x of read) {
    if ('error' in x && x.error) {
      const missing = /no such file/.test(x.error.message);
      r.problems.push({ severity: 'error', file: joinPath(dir, x.shard), message: missing ? `shard ${x.shard} is missing (listed in ${baseName(indexPath)})` : x.error.message });
      continue;
    }
    const rep = x.report!;
    r.problems.push(...rep.problems);
    r.tied.push(...rep.tied);
    r.files.push(...(rep.files ?? []));
    for (const t of rep.tensors) {
      const list = where.get(t.name) ?? [];
      list.push(x.shard);
      where.set(t.name, list);
      if (list.length === 1) r.tensors.push(t);
    }
    for (const [k, v] of Object.entries(rep.metadata)) if (!(k in r.metadata)) r.metadata[k] = v;
  }
  // An LFS pointer shard already says "run git lfs pull"; its tensors are not also reported as absent.
  const readShards = new Set(read.filter((x) => !('error' in x && x.error) && x.report?.format !== 'lfs-pointer').map((x) => x.shard));
  const absent: string[] = [];
  for (const [tensor, shard] of Object.entries(index.weight_map)) {
    if (!readShards.has(shard)) continue;
    if (!(where.get(tensor) ?? []).includes(shard)) absent.push(`${tensor} (in ${shard})`);
  }
  if (absent.length) r.problems.push({ severity: 'error', file: indexPath, message: `${absent.length} tensor(s) listed in ${baseName(indexPath)} are absent from their shard: ${absent.slice(0, 5).join(', ')}${absent.length > 5 ? `, and ${absent.length - 5} more` : ''}` });
  const dup: string[] = [], unlisted: string[] = [];
  for (const [tensor, in2] of where) {
    if (in2.length > 1) dup.push(`${tensor} (${in2.join(', ')})`);
    else if (!(tensor in index.weight_map)) unlisted.push(`${tensor} (in ${in2[0]})`);
  }
  const few = (xs: string[]): string => `${xs.slice(0, 5).join(', ')}${xs.length > 5 ? `, and ${xs.length - 5} more` : ''}`;
  if (dup.length) r.problems.push({ severity: 'error', file: indexPath, message: `${dup.length} tensor(s) are in more than one shard; loading keeps one copy silently: ${few(dup)}` });
  if (unlisted.length) r.problems.push({ severity: 'warning', file: indexPath, message: `${unlisted.length} tensor(s) are in a shard but not in ${baseName(indexPath)}, so they are not loaded: ${few(unlisted)}` });
  finish(r);
  const total = Number(index.metadata?.total_size);
  if (index.metadata?.total_size !== undefined && Number.isFinite(total) && readShards.size === shards.length && total !== r.bytes) {
    r.problems.push({ severity: 'warning', file: indexPath, message: `metadata.total_size is ${total} but the shards hold ${r.bytes} bytes of tensors` });
  }
  r.metadata.shards = String(shards.length);
  return r;
}

async function statAll(files: FileAccess, dir: string, names: string[]): Promise<Map<string, FileInfo>> {
  const infos = await mapLimit(names, 32, (n) => files.stat(joinPath(dir, n)).catch(() => undefined));
  const m = new Map<string, FileInfo>();
  names.forEach((n, i) => { if (infos[i]) m.set(n, infos[i]!); });
  return m;
}

/** The weight entry point of a model folder, in transformers' load order (safetensors first, then .bin). */
export function pickWeights(names: string[]): string | undefined {
  const order = ['model.safetensors.index.json', 'model.safetensors', 'pytorch_model.bin.index.json', 'pytorch_model.bin', 'adapter_model.safetensors', 'adapter_model.bin', 'consolidated.safetensors', 'model.pt'];
  for (const n of order) if (names.includes(n)) return n;
  const single = names.filter((n) => WEIGHT_FILE.test(n) && !/optim|scheduler|rng_state|training_args|scaler/.test(n));
  return single.length === 1 ? single[0] : undefined;
}

/**
 * Inspects a file or a folder (see the module comment). Throws CheckpointReadError naming the path when a file cannot
 * be read at all; inside folders, unreadable files become problems instead.
 */
export async function inspectCheckpoint(files: FileAccess, path: string, opts: InspectOptions = {}): Promise<CheckpointReport> {
  const info = await files.stat(path);
  if (!info) throw new CheckpointReadError(path, files.host === 'local' ? 'no such file or folder' : `no such file or folder on ${files.host}`);
  if (!info.isDirectory) return inspectFile(files, path);
  const names = await files.list(path);
  const infos = await statAll(files, path, names);
  const dirs = names.filter((n) => infos.get(n)?.isDirectory);

  // DeepSpeed: a global_stepN folder itself, or a folder with `latest` / global_step* sub-folders.
  if (isDeepSpeedTagDir(names)) {
    const ds = await inspectDeepSpeed(files, path, undefined, opts.resume);
    const r = emptyReport(files, path, 'deepspeed');
    Object.assign(r, { deepspeed: ds.deepspeed, problems: ds.problems, tensors: ds.tensors, tied: ds.tied, metadata: ds.metadata });
    finish(r);
    r.bytes = [...infos.values()].filter((x) => !x.isDirectory).reduce((a, x) => a + x.size, 0);
    return r;
  }
  const ckptDirs = dirs.filter((d) => /^checkpoint-\d+$/.test(d));
  const weights = pickWeights(names.filter((n) => !infos.get(n)?.isDirectory));
  const hasDs = names.includes('latest') || dirs.some((d) => /^global_step\d+$/.test(d));

  // Trainer output folder with checkpoint-N/ sub-folders (and maybe a final model at its root).
  if (ckptDirs.length > 0 && !weights) {
    const r = emptyReport(files, path, 'trainer-run');
    const listing = await listTrainerCheckpoints(files, path, { names, infos, sizes: opts.sizes ?? true });
    r.checkpoints = listing.checkpoints;
    r.problems.push(...listing.problems);
    r.metadata = listing.metadata;
    r.bytes = listing.checkpoints.reduce((a, c) => a + (c.bytes ?? 0), 0);
    return r;
  }

  // FSDP / torch.distributed.checkpoint: `.metadata` + `__R_0.distcp` files, here or in pytorch_model_fsdp_N/.
  const dcpDir = names.includes('.metadata') ? path : dirs.find((d) => /^pytorch_model_fsdp_\d+$/.test(d)) ? joinPath(path, dirs.find((d) => /^pytorch_model_fsdp_\d+$/.test(d))!) : undefined;
  let r: CheckpointReport;
  if (weights) {
    try { r = await inspectFile(files, joinPath(path, weights)); } catch (e) {
      r = emptyReport(files, path, 'unknown');
      r.problems.push({ severity: 'error', file: joinPath(path, weights), message: (e as Error).message });
    }
    r.path = path;
  } else if (dcpDir) {
    r = emptyReport(files, path, 'fsdp-dcp');
  } else if (hasDs) {
    r = emptyReport(files, path, 'deepspeed');
  } else {
    r = emptyReport(files, path, 'unknown');
    r.problems.push({ severity: 'warning', file: path, message: `no weights found in ${baseName(path)} (looked for model.safetensors, pytorch_model.bin, their index files, adapter_model.*, .gguf, .pt)` });
  }
  if (dcpDir) {
    const dn = dcpDir === path ? names : await files.list(dcpDir);
    const di = dcpDir === path ? infos : await statAll(files, dcpDir, dn);
    const shards = dn.filter((n) => n.endsWith('.distcp'));
    const bytes = shards.reduce((a, n) => a + (di.get(n)?.size ?? 0), 0);
    r.metadata.dcp_folder = dcpDir;
    r.metadata.dcp_files = String(shards.length);
    if (!weights) r.bytes = bytes;
    r.problems.push({ severity: 'info', file: dcpDir, message: `${baseName(dcpDir)} is sharded FSDP state (torch.distributed.checkpoint, ${shards.length} .distcp file(s)), not Hugging Face weights: convert with \`accelerate merge-weights ${dcpDir} <out_dir>\` or \`python -m torch.distributed.checkpoint.format_utils dcp_to_torch ${dcpDir} <out.pt>\`` });
  }
  if (names.includes('adapter_config.json')) await addPeft(files, path, r);
  if (hasDs) {
    const ds = await inspectDeepSpeed(files, path, names, opts.resume);
    r.deepspeed = ds.deepspeed;
    r.problems.push(...ds.problems);
    if (!weights && !dcpDir) { r.tensors = ds.tensors; r.tied = ds.tied; r.metadata = { ...ds.metadata, ...r.metadata }; }
  }
  if (ckptDirs.length) {
    const listing = await listTrainerCheckpoints(files, path, { names, infos, sizes: opts.sizes ?? true });
    r.checkpoints = listing.checkpoints;
    r.problems.push(...listing.problems);
  } else if (names.includes('trainer_state.json')) {
    const listing = await listTrainerCheckpoints(files, path, { names, infos, sizes: false, single: true });
    r.checkpoints = listing.checkpoints;
    Object.assign(r.metadata, listing.metadata);
  }
  finish(r);
  if (!r.tensors.length && r.bytes === 0) r.bytes = [...infos.values()].filter((x) => !x.isDirectory).reduce((a, x) => a + x.size, 0);
  if (names.includes('config.json') && r.tensors.length && r.format !== 'peft-adapter') {
    try { r.problems.push(...configChecks(JSON.parse(await readText(files, joinPath(path, 'config.json'), 16 * 1024 * 1024)), r, joinPath(path, 'config.json'))); } catch (e) {
      r.problems.push({ severity: 'warning', file: joinPath(path, 'config.json'), message: `config.json: ${(e as Error).message}` });
    }
  }
  // LFS pointers among the other files of the folder (a clone without git-lfs).
  const small = names.filter((n) => WEIGHT_FILE.test(n) && (infos.get(n)?.size ?? 0) < 1024 && !r.problems.some((p) => p.file?.endsWith(`/${n}`) && /LFS/.test(p.message)));
  for (const n of small) {
    const head = await files.read(joinPath(path, n), 0, 1024).catch(() => new Uint8Array(0));
    const lfs = parseLfsPointer(head);
    if (lfs) r.problems.push({ severity: 'error', file: joinPath(path, n), message: `${n} is a Git LFS pointer to ${lfs.size} bytes, not the weights: run \`git lfs pull\`` });
  }
  return r;
}

/** Adds PEFT adapter details from adapter_config.json (peft's `PeftConfig`: peft_type, r, lora_alpha, target_modules). */
async function addPeft(files: FileAccess, dir: string, r: CheckpointReport): Promise<void> {
  let cfg: Record<string, unknown> = {};
  try { cfg = JSON.parse(await readText(files, joinPath(dir, 'adapter_config.json'), 4 * 1024 * 1024)); } catch (e) {
    r.problems.push({ severity: 'error', file: joinPath(dir, 'adapter_config.json'), message: `adapter_config.json: ${(e as Error).message}` });
  }
  r.format = 'peft-adapter';
  r.peft = peftInfo(cfg, r.tensors);
  if (!r.tensors.length) r.problems.push({ severity: 'error', file: dir, message: 'adapter_config.json without adapter_model.safetensors or adapter_model.bin' });
  const targets = r.peft.target_modules;
  if (targets.length && r.peft.attachments.length) {
    const hit = new Set(r.peft.attachments.map((a) => a.base.split('.').slice(-2, -1)[0]));
    const missing = targets.filter((t) => !hit.has(t) && !/[*|\\(]/.test(t));
    if (missing.length) r.problems.push({ severity: 'warning', file: joinPath(dir, 'adapter_config.json'), message: `target_modules ${missing.join(', ')} have no adapter tensors in the weights` });
  }
}

/**
 * PEFT details from the config and the adapter tensors. Adapter tensor names are the base module's name with
 * `base_model.model.` in front and `.lora_A.weight` / `.lora_B.weight` (or `lora_embedding_A/B`, DoRA's
 * `lora_magnitude_vector`) at the end (peft `get_peft_model_state_dict`); the base tensor is `<module>.weight`.
 */
export function peftInfo(cfg: Record<string, unknown>, tensors: TensorInfo[]): PeftInfo {
  const tm = cfg.target_modules;
  const targets = Array.isArray(tm) ? tm.map(String) : typeof tm === 'string' ? [tm] : [];
  const groups = new Map<string, string[]>();
  let trainable = 0, base = 0;
  const shapes = new Map<string, { a?: number[]; b?: number[] }>();
  for (const t of tensors) {
    trainable += t.shape.reduce((a, b) => a * b, 1);
    const m = /^(?:base_model\.model\.)?(.*)\.(lora_A|lora_B|lora_embedding_A|lora_embedding_B|lora_magnitude_vector)(?:\.[^.]+)?(?:\.weight)?$/.exec(t.name);
    if (!m) continue;
    const baseName = `${m[1]}.weight`;
    const list = groups.get(baseName) ?? [];
    list.push(t.name);
    groups.set(baseName, list);
    const s = shapes.get(baseName) ?? {};
    if (m[2].endsWith('A')) s.a = t.shape; else if (m[2].endsWith('B')) s.b = t.shape;
    shapes.set(baseName, s);
  }
  for (const s of shapes.values()) if (s.a && s.b && s.a.length === 2 && s.b.length === 2) base += s.b[0] * s.a[1];
  const num = (x: unknown): number | undefined => (typeof x === 'number' ? x : undefined);
  return {
    peft_type: typeof cfg.peft_type === 'string' ? cfg.peft_type : undefined,
    r: num(cfg.r), lora_alpha: num(cfg.lora_alpha), target_modules: targets,
    base_model: typeof cfg.base_model_name_or_path === 'string' ? cfg.base_model_name_or_path : undefined,
    attachments: [...groups].map(([b, adapters]) => ({ base: b, adapters })).sort((x, y) => x.base.localeCompare(y.base, undefined, { numeric: true })),
    trainable_parameters: trainable,
    attached_base_parameters: base,
  };
}

export type { Problem };
