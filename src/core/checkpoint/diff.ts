/**
 * Comparing two checkpoints. From headers: tensors added, removed, changed in dtype or shape. On request only (it
 * reads all the data): per-tensor relative change ||b - a|| / ||a||, computed by Python on the host that has the
 * files (`valueDiffArgv` builds the argv; a Runner executes it, quoted by the one quoting function).
 */
import type { CheckpointReport, TensorInfo } from './types';

export interface TensorChange { name: string; from: { dtype: string; shape: number[] }; to: { dtype: string; shape: number[] } }
/** Header-level differences of `b` against `a`. */
export interface CheckpointDiff { a: string; b: string; added: TensorInfo[]; removed: TensorInfo[]; changed: TensorChange[]; same: number }
/** Per-tensor value change: relative L2 change, max absolute difference. */
export interface ValueChange { name: string; relative_change: number; max_abs_diff: number }

/** Compares tensor lists by name. */
export function diffCheckpoints(a: CheckpointReport, b: CheckpointReport): CheckpointDiff {
  const am = new Map(a.tensors.map((t) => [t.name, t]));
  const bm = new Map(b.tensors.map((t) => [t.name, t]));
  const added = b.tensors.filter((t) => !am.has(t.name));
  const removed = a.tensors.filter((t) => !bm.has(t.name));
  const changed: TensorChange[] = [];
  let same = 0;
  for (const t of a.tensors) {
    const u = bm.get(t.name);
    if (!u) continue;
    if (u.dtype !== t.dtype || u.shape.join(',') !== t.shape.join(',')) changed.push({ name: t.name, from: { dtype: t.dtype, shape: t.shape }, to: { dtype: u.dtype, shape: u.shape } });
    else same++;
  }
  return { a: a.path, b: b.path, added, removed, changed, same };
}

/**
 * Python (3, with torch) that loads two weight files or model folders tensor by tensor (safetensors read with
 * struct/json + torch.frombuffer, so the safetensors package is not needed; .bin/.pt with torch.load(weights_only))
 * and prints one JSON line per common tensor of equal shape: {name, relative_change, max_abs_diff}.
 */
export const VALUE_DIFF_SCRIPT = String.raw`
import json, os, struct, sys, torch
DT = {"F32": torch.float32, "F16": torch.float16, "BF16": torch.bfloat16, "F64": torch.float64, "I64": torch.int64, "I32": torch.int32, "I16": torch.int16, "I8": torch.int8, "U8": torch.uint8, "BOOL": torch.bool}
def files(p):
    if os.path.isfile(p): return [p]
    for idx in ("model.safetensors.index.json", "pytorch_model.bin.index.json"):
        q = os.path.join(p, idx)
        if os.path.exists(q): return sorted({os.path.join(p, f) for f in json.load(open(q))["weight_map"].values()})
    for f in ("model.safetensors", "pytorch_model.bin", "adapter_model.safetensors", "adapter_model.bin"):
        if os.path.exists(os.path.join(p, f)): return [os.path.join(p, f)]
    raise SystemExit("no weights in " + p)
def tensors(p):
    for f in files(p):
        if f.endswith(".safetensors"):
            with open(f, "rb") as fh:
                n = struct.unpack("<Q", fh.read(8))[0]; h = json.loads(fh.read(n)); base = 8 + n
                for k, v in h.items():
                    if k == "__metadata__": continue
                    s, e = v["data_offsets"]; fh.seek(base + s); b = bytearray(fh.read(e - s))
                    yield k, (torch.frombuffer(b, dtype=DT[v["dtype"]]) if e > s else torch.empty(0, dtype=DT[v["dtype"]])).reshape(v["shape"])
        else:
            sd = torch.load(f, map_location="cpu", weights_only=True)
            for k, v in sd.items():
                if torch.is_tensor(v): yield k, v
a = dict(tensors(sys.argv[1]))
for k, v in tensors(sys.argv[2]):
    u = a.pop(k, None)
    if u is None or u.shape != v.shape: continue
    x, y = u.double(), v.double(); d = y - x; n = x.norm().item()
    print(json.dumps({"name": k, "relative_change": (d.norm().item() / n) if n > 0 else (0.0 if d.norm().item() == 0 else float("inf")), "max_abs_diff": d.abs().max().item() if d.numel() else 0.0}), flush=True)
`;

/** argv that runs VALUE_DIFF_SCRIPT on paths `a` and `b` (on the host that has them). */
export function valueDiffArgv(a: string, b: string, python = 'python3'): string[] {
  return [python, '-c', VALUE_DIFF_SCRIPT, a, b];
}

/** Parses the script's output lines; lines that are not JSON are skipped. */
export function parseValueDiff(stdout: string): ValueChange[] {
  const out: ValueChange[] = [];
  for (const line of stdout.split('\n')) {
    if (!line.startsWith('{')) continue;
    try { out.push(JSON.parse(line.replace(/\bInfinity\b/g, '1e999')) as ValueChange); } catch { /* not ours */ }
  }
  return out;
}
