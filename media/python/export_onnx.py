#!/usr/bin/env python3
"""ONNX export of a checkpoint on the host that holds it, run by LLM Training Studio as a run (`llmtrain export onnx`,
"LLM Training: Export to ONNX..."). Shipped with the extension; uploaded into the run directory on SSH hosts.

Usage:
  export_onnx.py probe
      Prints one JSON line: which exporters this interpreter offers
      {"python", "torch", "transformers", "optimum_cli", "onnx", "onnxruntime", "numpy", "safetensors"}
      (versions, or null when missing).
  export_onnx.py export CHECKPOINT_DIR --out FILE.onnx [--opset N] [--task T] [--model-factory FILE:FUNCTION]
                 [--external-data auto|yes|no] [--atol X] [--exporter auto|optimum|transformers|torch]
                 [--batch N] [--seq-len N] [--seed N]

What `export` does, in order:
  1. Builds the model: `--model-factory FILE:FUNCTION` (FUNCTION(checkpoint_dir, config) -> torch.nn.Module, or
     FUNCTION(config) / FUNCTION()), else the class config.json's `auto_map` names (Hugging Face custom code:
     `"auto_map": {"AutoModelForCausalLM": "modeling_x.MyModel"}`, file in the checkpoint folder), else
     `optimum-cli export onnx` or `transformers` for a model_type transformers knows (`--exporter optimum`: optimum-cli
     whenever it is on PATH; the PyTorch reference for the parity check is then the model the other routes build),
     else the class named in
     `architectures` found in the training code beside the checkpoint (the checkpoint folder and up to three parent
     folders: examples/tiny-gpt's train.py defines TinyGPT). Plain classes are built from config.json by matching
     constructor argument names (aliases: block_size<-n_positions/max_position_embeddings, n_embd<-hidden_size, ...)
     and loaded from model.safetensors / model.safetensors.index.json / pytorch_model.bin (tied weights allowed).
  2. Exports with torch.onnx.export (dynamic axes `batch` and `sequence` on every input and output), opset as asked
     or torch's default; external data (`<out>.data`) when the weights exceed the 2 GiB protobuf limit or when asked.
  3. onnx.checker.check_model on the file (by path, so external data is checked too).
  4. Parity: the same seeded random inputs through PyTorch and ONNX Runtime, max |a-b| over every output against
     atol (1e-4 fp32, 1e-2 fp16, 5e-2 bf16 unless --atol). Inputs and torch outputs are written as .npy files into
     `<out>.parity/` with manifest.json. When onnxruntime is importable here it runs here and a failed parity check
     exits 3; otherwise the manifest says `"runtime": null` and the caller (the extension or the CLI, with
     onnxruntime-node) runs the model and decides.
  Writes `<out>.export.json` (the result) and prints it on the last line after `LLMTRAIN_EXPORT_RESULT `.
Exit codes: 0 ok, 2 bad input (message on stderr), 3 checker or parity failed, 1 anything else.
"""

from __future__ import annotations

import argparse
import importlib
import importlib.util
import inspect
import json
import os
import shutil
import subprocess
import sys
import time

RESULT_MARKER = "LLMTRAIN_EXPORT_RESULT "
PROTOBUF_LIMIT = 2 * 1024 ** 3  # protobuf's 2 GiB message limit: larger models need the external-data format
DEFAULT_ATOL = {"float32": 1e-4, "float16": 1e-2, "bfloat16": 5e-2}

#: config.json keys that may stand for a constructor argument of a plain PyTorch class (HF names on the right).
ALIASES = {
    "block_size": ["n_positions", "max_position_embeddings", "n_ctx", "max_seq_len"],
    "n_embd": ["hidden_size", "d_model", "dim"],
    "n_layer": ["num_hidden_layers", "n_layers", "num_layers"],
    "n_head": ["num_attention_heads", "n_heads", "num_heads"],
    "vocab_size": ["n_vocab"],
    "dropout": ["hidden_dropout_prob", "resid_pdrop"],
}


class BadInput(Exception):
    """A problem with the checkpoint or the arguments: reported in one line, exit code 2."""


def log(msg: str) -> None:
    print(f"[export] {msg}", flush=True)


# ---------------------------------------------------------------------------------------------------------------
# probe
# ---------------------------------------------------------------------------------------------------------------

def _version(module: str):
    try:
        m = importlib.import_module(module)
        return getattr(m, "__version__", "unknown")
    except Exception:
        return None


def probe() -> dict:
    return {
        "python": sys.version.split()[0],
        "executable": sys.executable,
        "torch": _version("torch"),
        "transformers": _version("transformers"),
        "optimum_cli": shutil.which("optimum-cli"),
        "onnx": _version("onnx"),
        "onnxruntime": _version("onnxruntime"),
        "numpy": _version("numpy"),
        "safetensors": _version("safetensors"),
    }


# ---------------------------------------------------------------------------------------------------------------
# weights
# ---------------------------------------------------------------------------------------------------------------

ST_DTYPES = {"F64": "float64", "F32": "float32", "F16": "float16", "BF16": "bfloat16", "I64": "int64", "I32": "int32",
             "I16": "int16", "I8": "int8", "U8": "uint8", "BOOL": "bool"}


def load_safetensors_file(path: str) -> dict:
    """Tensors of one .safetensors file (format: https://github.com/huggingface/safetensors#format). Uses the
    safetensors package when installed, else reads the header and np.frombuffer (bf16 through int16)."""
    import torch
    try:
        from safetensors.torch import load_file
        return load_file(path)
    except ImportError:
        pass
    import numpy as np
    with open(path, "rb") as f:
        n = int.from_bytes(f.read(8), "little")
        header = json.loads(f.read(n))
        data = f.read()
    out = {}
    for name, info in header.items():
        if name == "__metadata__":
            continue
        dtype = ST_DTYPES[info["dtype"]]
        start, end = info["data_offsets"]
        raw = data[start:end]
        if dtype == "bfloat16":
            t = torch.from_numpy(np.frombuffer(raw, dtype="<i2").copy()).view(torch.bfloat16)
        else:
            t = torch.from_numpy(np.frombuffer(raw, dtype=np.dtype(dtype).newbyteorder("<")).copy())
        out[name] = t.reshape(info["shape"])
    return out


def load_state_dict(ckpt: str) -> dict:
    """Weights of a checkpoint folder: model.safetensors, its sharded index, or pytorch_model.bin (+ index)."""
    import torch
    single = os.path.join(ckpt, "model.safetensors")
    if os.path.isfile(single):
        return load_safetensors_file(single)
    for index_name, loader in (("model.safetensors.index.json", load_safetensors_file),
                               ("pytorch_model.bin.index.json", lambda p: torch.load(p, map_location="cpu"))):
        index = os.path.join(ckpt, index_name)
        if os.path.isfile(index):
            with open(index, encoding="utf-8") as f:
                shards = sorted(set(json.load(f)["weight_map"].values()))
            sd = {}
            for s in shards:
                sd.update(loader(os.path.join(ckpt, s)))
            return sd
    binf = os.path.join(ckpt, "pytorch_model.bin")
    if os.path.isfile(binf):
        return torch.load(binf, map_location="cpu")
    raise BadInput(f"{ckpt}: no weights (model.safetensors, model.safetensors.index.json or pytorch_model.bin)")


def load_weights(model, ckpt: str) -> None:
    """load_state_dict(strict=False), then allows only missing keys whose parameter is tied to a loaded one
    (GPT-2's lm_head.weight = wte.weight, which safetensors files leave out)."""
    sd = load_state_dict(ckpt)
    result = model.load_state_dict(sd, strict=False)
    params = model.state_dict(keep_vars=True)
    loaded_ptrs = {params[k].data_ptr() for k in sd if k in params}
    missing = [k for k in result.missing_keys if not (k in params and params[k].data_ptr() in loaded_ptrs)]
    if missing or result.unexpected_keys:
        raise BadInput(f"{ckpt}: the weights do not fit the model: missing {missing[:5]}, unexpected {result.unexpected_keys[:5]}")


# ---------------------------------------------------------------------------------------------------------------
# building the model
# ---------------------------------------------------------------------------------------------------------------

def import_file(path: str, name_hint: str):
    spec = importlib.util.spec_from_file_location(f"llmtrain_export_{name_hint}", path)
    if spec is None or spec.loader is None:
        raise BadInput(f"cannot import {path}")
    module = importlib.util.module_from_spec(spec)
    sys.path.insert(0, os.path.dirname(os.path.abspath(path)))
    spec.loader.exec_module(module)
    return module


def build_from_class(cls, config: dict, ckpt: str):
    """A plain nn.Module class: from_pretrained when it has one, else its constructor with arguments taken from
    config.json by name (or alias), then the checkpoint's weights."""
    if hasattr(cls, "from_pretrained"):
        return cls.from_pretrained(ckpt)
    sig = inspect.signature(cls.__init__)
    kwargs = {}
    missing = []
    for pname, p in list(sig.parameters.items())[1:]:
        if p.kind in (p.VAR_POSITIONAL, p.VAR_KEYWORD):
            continue
        if pname == "config":
            kwargs[pname] = config
            continue
        for key in [pname] + ALIASES.get(pname, []):
            if key in config:
                kwargs[pname] = config[key]
                break
        else:
            if p.default is inspect.Parameter.empty:
                missing.append(pname)
    if missing:
        raise BadInput(f"{cls.__name__}({', '.join(missing)}): not in config.json; pass --model-factory FILE:FUNCTION")
    model = cls(**kwargs)
    load_weights(model, ckpt)
    return model


def call_factory(fn, ckpt: str, config: dict):
    n = len([p for p in inspect.signature(fn).parameters.values() if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)])
    return fn(ckpt, config) if n >= 2 else fn(config) if n == 1 else fn()


def find_architecture_source(ckpt: str, class_name: str):
    """The .py file defining `class <class_name>` in the checkpoint folder or up to three folders above it."""
    needle = f"class {class_name}("
    folder = os.path.abspath(ckpt)
    for _ in range(4):
        try:
            names = sorted(os.listdir(folder))
        except OSError:
            names = []
        for n in names:
            p = os.path.join(folder, n)
            if n.endswith(".py") and os.path.isfile(p) and os.path.getsize(p) < 2_000_000:
                with open(p, encoding="utf-8", errors="replace") as f:
                    if needle in f.read():
                        return p
        parent = os.path.dirname(folder)
        if parent == folder:
            break
        folder = parent
    return None


def has_transformers_model_type(config: dict) -> bool:
    try:
        from transformers import CONFIG_MAPPING  # noqa: F401
        return config.get("model_type") in CONFIG_MAPPING
    except Exception:
        return False


def choose_route(args, config: dict, env: dict) -> tuple:
    """(route, detail): how the model will be built. Routes: factory, auto_map, optimum, transformers, source.
    `--exporter optimum` takes optimum-cli whenever it is on PATH, even where this Python's transformers does not know
    the model type (optimum-cli often lives in its own environment, e.g. pipx); the PyTorch reference for the parity
    check is then built as `reference_route` says."""
    if args.exporter == "optimum":
        if not env["optimum_cli"]:
            raise BadInput("--exporter optimum: optimum-cli is not on PATH on this host")
        return "optimum", env["optimum_cli"]
    if args.model_factory:
        return "factory", args.model_factory
    auto_map = config.get("auto_map") or {}
    if auto_map and args.exporter in ("auto", "torch"):
        ref = next((v for k, v in auto_map.items() if k.startswith("AutoModel")), None)
        if ref:
            return "auto_map", ref if isinstance(ref, str) else ref[0]
    if has_transformers_model_type(config) and args.exporter != "torch":
        if env["optimum_cli"] and args.exporter in ("auto", "optimum"):
            return "optimum", env["optimum_cli"]
        return "transformers", env["transformers"]
    # Say which it is: transformers missing from this Python, or present without this model type.
    why = (f"transformers is not installed in {sys.executable}" if not env["transformers"]
           else f"transformers {env['transformers']} does not know model_type {config.get('model_type')!r}")
    if args.exporter in ("optimum", "transformers"):
        raise BadInput(f"--exporter {args.exporter}: {why}")
    for arch in config.get("architectures") or []:
        src = find_architecture_source(args.checkpoint, arch)
        if src:
            return "source", f"{src}:{arch}"
    raise BadInput(f"{args.checkpoint}: cannot build model_type {config.get('model_type')!r} "
                   f"(architectures {config.get('architectures')}): {why} and no training code "
                   f"beside the checkpoint defines it; install transformers or pass --model-factory FILE:FUNCTION")


def reference_route(args, config: dict, env: dict) -> tuple:
    """(route, detail) of the PyTorch model that an optimum-cli export is compared with: `--model-factory` when given,
    else transformers' Auto class where this Python's transformers knows the model type, else the checkpoint's own
    code (auto_map, or the class `architectures` names in the training code), as the torch route finds it."""
    if not args.model_factory and env["transformers"] and has_transformers_model_type(config):
        return "transformers", env["transformers"]
    return choose_route(argparse.Namespace(**{**vars(args), "exporter": "torch"}), config, env)


def build_model(route: str, detail: str, args, config: dict):
    ckpt = args.checkpoint
    if route == "factory":
        path, _, fn_name = detail.rpartition(":")
        if not path or not fn_name:
            raise BadInput(f"--model-factory {detail}: expected FILE:FUNCTION")
        if not os.path.isfile(path):
            raise BadInput(f"--model-factory: no such file: {path}")
        fn = getattr(import_file(path, "factory"), fn_name, None)
        if fn is None:
            raise BadInput(f"--model-factory: {path} has no {fn_name}")
        return call_factory(fn, ckpt, config)
    if route == "auto_map":
        if "--" in detail:
            raise BadInput(f"auto_map {detail}: code from another repository is not supported; pass --model-factory")
        module_name, _, cls_name = detail.rpartition(".")
        path = os.path.join(ckpt, module_name.replace(".", "/") + ".py")
        if not os.path.isfile(path):
            raise BadInput(f"config.json auto_map names {detail}, but {path} does not exist")
        return build_from_class(getattr(import_file(path, "auto_map"), cls_name), config, ckpt)
    if route == "transformers":
        import transformers
        task = args.task or "text-generation"
        auto = {"text-generation": "AutoModelForCausalLM", "causal-lm": "AutoModelForCausalLM",
                "text-classification": "AutoModelForSequenceClassification", "feature-extraction": "AutoModel",
                "fill-mask": "AutoModelForMaskedLM", "text2text-generation": "AutoModelForSeq2SeqLM"}.get(task)
        if auto is None:
            raise BadInput(f"--task {task}: not one of text-generation, text-classification, feature-extraction, fill-mask")
        return getattr(transformers, auto).from_pretrained(ckpt, torch_dtype="auto")
    if route == "source":
        path, _, cls_name = detail.rpartition(":")
        log(f"model class {cls_name} from {path}")
        return build_from_class(getattr(import_file(path, "source"), cls_name), config, ckpt)
    raise AssertionError(route)


# ---------------------------------------------------------------------------------------------------------------
# export, checker, parity
# ---------------------------------------------------------------------------------------------------------------

class FirstOutput:
    """Wraps a model so ONNX sees tensors only: logits of a ModelOutput, the first element of a tuple."""

    def __new__(cls, model):
        import torch

        class _Wrap(torch.nn.Module):
            def __init__(self, inner):
                super().__init__()
                self.inner = inner

            def forward(self, input_ids, attention_mask=None):
                out = self.inner(input_ids) if attention_mask is None else self.inner(input_ids=input_ids, attention_mask=attention_mask)
                if hasattr(out, "logits"):
                    return out.logits
                if isinstance(out, (tuple, list)):
                    return out[0]
                return out

        return _Wrap(model)


def model_dtype(model) -> str:
    for p in model.parameters():
        if p.is_floating_point():
            return str(p.dtype).replace("torch.", "")
    return "float32"


def param_bytes(model) -> int:
    seen, total = set(), 0
    for p in list(model.parameters()) + list(model.buffers()):
        if p.data_ptr() in seen:
            continue
        seen.add(p.data_ptr())
        total += p.numel() * p.element_size()
    return total


def sample_inputs(config: dict, args, with_mask: bool, seed_offset: int = 0, extra: int = 0):
    """Seeded random token ids [batch + extra, seq_len + extra] (capped at the context length), and an all-ones
    attention_mask for transformers models. The parity inputs use `extra=1`: a shape other than the traced one, so a
    dynamic axis that the trace froze fails the check."""
    import torch
    g = torch.Generator().manual_seed(args.seed + seed_offset)
    vocab = int(config.get("vocab_size") or 100)
    max_len = int(config.get("n_positions") or config.get("max_position_embeddings") or config.get("block_size") or 16)
    seq = min(args.seq_len + extra, max_len)
    ids = torch.randint(0, vocab, (args.batch + extra, seq), generator=g, dtype=torch.int64)
    inputs = {"input_ids": ids}
    if with_mask:
        inputs["attention_mask"] = torch.ones_like(ids)
    return inputs


def export_torch(model, inputs: dict, out: str, opset, external: bool) -> None:
    import torch
    names = list(inputs)
    axes = {n: {0: "batch", 1: "sequence"} for n in names}
    axes["logits"] = {0: "batch", 1: "sequence"}
    kwargs = {"opset_version": opset} if opset else {}
    tmp_dir = out + ".tmp-export"
    shutil.rmtree(tmp_dir, ignore_errors=True)
    os.makedirs(tmp_dir)
    tmp = os.path.join(tmp_dir, "model.onnx")
    with torch.no_grad():
        torch.onnx.export(model, tuple(inputs[n] for n in names), tmp, input_names=names, output_names=["logits"],
                          dynamic_axes=axes, do_constant_folding=True, **kwargs)
    finish_file(tmp, out, external)
    shutil.rmtree(tmp_dir, ignore_errors=True)


def finish_file(src: str, out: str, external: bool) -> None:
    """Moves the exported model to `out`; with `external`, as one `<out>.data` external-data file (onnx's
    save_as_external_data), so a > 2 GiB model never hits protobuf's limit when read back."""
    import onnx
    data_name = os.path.basename(out) + ".data"
    if os.path.exists(os.path.join(os.path.dirname(out) or ".", data_name)):
        os.remove(os.path.join(os.path.dirname(out) or ".", data_name))
    # The exporter may have written external data beside `src` under its own name (torch >= 2.9's dynamo exporter
    # writes `model.onnx.data` even for small models), so the file is always re-saved, never moved: a moved file
    # would point at a data file that is left in the temporary folder.
    model = onnx.load(src, load_external_data=True)
    if not external:
        onnx.save_model(model, out)
        return
    onnx.save_model(model, out, save_as_external_data=True, all_tensors_to_one_file=True, location=data_name, size_threshold=1024)


def export_optimum(cli: str, args, out: str) -> None:
    """optimum-cli export onnx into a folder next to `out`, then its model.onnx (+ data) moved to `out`."""
    work = out + ".optimum"
    shutil.rmtree(work, ignore_errors=True)
    argv = [cli, "export", "onnx", "--model", args.checkpoint, "--task", args.task or "text-generation"]
    if args.opset:
        argv += ["--opset", str(args.opset)]
    argv.append(work)
    log("running " + " ".join(argv))
    r = subprocess.run(argv)
    if r.returncode != 0:
        raise RuntimeError(f"optimum-cli export onnx exited with {r.returncode}")
    finish_file(os.path.join(work, "model.onnx"), out, args.external_data_resolved)
    shutil.rmtree(work, ignore_errors=True)


def io_summary(path: str) -> dict:
    import onnx
    m = onnx.load(path, load_external_data=False)

    def dims(vi):
        return [d.dim_param if d.dim_param else d.dim_value for d in vi.type.tensor_type.shape.dim]

    names = {"FLOAT": "float32", "DOUBLE": "float64", "FLOAT16": "float16", "BFLOAT16": "bfloat16"}

    def dtype(vi):
        name = onnx.TensorProto.DataType.Name(vi.type.tensor_type.elem_type)
        return names.get(name, name.lower())
    inits = {i.name for i in m.graph.initializer}
    opset = next((o.version for o in m.opset_import if o.domain in ("", "ai.onnx")), None)
    return {"opset": opset,
            "inputs": [{"name": v.name, "shape": dims(v), "dtype": dtype(v)} for v in m.graph.input if v.name not in inits],
            "outputs": [{"name": v.name, "shape": dims(v), "dtype": dtype(v)} for v in m.graph.output]}


def run_checker(path: str) -> dict:
    import onnx
    try:
        onnx.checker.check_model(path, full_check=False)
        return {"passed": True, "onnx": onnx.__version__}
    except Exception as e:  # onnx.checker.ValidationError and friends
        return {"passed": False, "onnx": onnx.__version__, "error": str(e).strip().splitlines()[0][:500]}


def onnx_only_inputs(onnx_inputs: list, inputs: dict) -> dict:
    """Inputs the exported graph takes that the PyTorch reference is not given (an optimum-cli export of a model built
    from its own code): `attention_mask` all ones and `position_ids` 0..seq-1, which change nothing; anything else
    cannot be made up here."""
    import torch
    ids = inputs["input_ids"]
    extra = {}
    for i in onnx_inputs:
        name = i["name"]
        if name in inputs:
            continue
        if name == "attention_mask":
            extra[name] = torch.ones_like(ids)
        elif name == "position_ids":
            extra[name] = torch.arange(ids.shape[1], dtype=torch.int64).unsqueeze(0).expand(ids.shape[0], -1).contiguous()
        else:
            raise BadInput(f"the exported model takes an input {name!r} that the parity check cannot make")
    return extra


def save_parity(model, inputs: dict, out: str, atol: float, dtype: str, onnx_only: dict | None = None) -> dict:
    """Writes inputs and torch outputs as .npy into `<out>.parity/` with manifest.json; returns the manifest.
    `onnx_only`: inputs fed to ONNX Runtime but not to the PyTorch model (see `onnx_only_inputs`)."""
    import numpy as np
    import torch
    folder = out + ".parity"
    shutil.rmtree(folder, ignore_errors=True)
    os.makedirs(folder)
    with torch.no_grad():
        logits = model(*inputs.values())
    manifest = {"atol": atol, "dtype": dtype, "inputs": [], "outputs": []}
    for name, t in {**inputs, **(onnx_only or {})}.items():
        np.save(os.path.join(folder, f"input.{name}.npy"), t.numpy())
        manifest["inputs"].append({"name": name, "file": f"input.{name}.npy", "dtype": str(t.numpy().dtype), "shape": list(t.shape)})
    arr = logits.float().numpy()
    np.save(os.path.join(folder, "output.logits.npy"), arr)
    manifest["outputs"].append({"name": "logits", "file": "output.logits.npy", "dtype": str(arr.dtype), "shape": list(arr.shape)})
    with open(os.path.join(folder, "manifest.json"), "w", encoding="utf-8") as f:
        json.dump(manifest, f, indent=2)
    return manifest


def run_parity_ort(out: str, manifest: dict) -> dict:
    import numpy as np
    import onnxruntime as ort
    folder = out + ".parity"
    sess = ort.InferenceSession(out, providers=["CPUExecutionProvider"])
    feeds = {i["name"]: np.load(os.path.join(folder, i["file"])) for i in manifest["inputs"]}
    got = sess.run([o["name"] for o in manifest["outputs"]], feeds)
    diff = 0.0
    for o, g in zip(manifest["outputs"], got):
        ref = np.load(os.path.join(folder, o["file"]))
        if ref.shape != g.shape:
            return {"maxAbsDiff": None, "atol": manifest["atol"], "passed": False, "runtime": f"onnxruntime {ort.__version__} (python, on the host)",
                    "error": f"{o['name']}: shape {list(g.shape)} from ONNX Runtime, {list(ref.shape)} from PyTorch"}
        diff = max(diff, float(np.max(np.abs(g.astype(np.float32) - ref))) if ref.size else 0.0)
    passed = bool(np.isfinite(diff) and diff <= manifest["atol"])
    return {"maxAbsDiff": diff, "atol": manifest["atol"], "passed": passed, "runtime": f"onnxruntime {ort.__version__} (python, on the host)"}


def export(args) -> dict:
    t0 = time.time()
    ckpt = args.checkpoint = os.path.abspath(args.checkpoint)
    out = args.out = os.path.abspath(args.out)
    cfg_path = os.path.join(ckpt, "config.json")
    if not os.path.isfile(cfg_path):
        raise BadInput(f"{ckpt}: no config.json (not a model checkpoint folder)")
    with open(cfg_path, encoding="utf-8") as f:
        config = json.load(f)
    if os.path.isfile(os.path.join(ckpt, "adapter_config.json")) and not os.path.isfile(os.path.join(ckpt, "model.safetensors")):
        raise BadInput(f"{ckpt}: a PEFT adapter; merge it into its base model first (peft: model.merge_and_unload()), unmerged LoRA exports are worse")
    os.makedirs(os.path.dirname(out) or ".", exist_ok=True)
    env = probe()
    if not env["torch"]:
        raise BadInput(f"{sys.executable}: cannot import torch")
    if not env["onnx"]:
        raise BadInput(f"{sys.executable}: cannot import onnx (needed for the checker)")
    import torch
    torch.set_num_threads(max(1, min(4, os.cpu_count() or 1)))
    route, detail = choose_route(args, config, env)
    log(f"route: {route} ({detail}); torch {env['torch']}, onnx {env['onnx']}, onnxruntime {env['onnxruntime'] or 'not installed'}")

    ref_route, ref_detail = (route, detail) if route != "optimum" else reference_route(args, config, env)
    if route == "optimum":
        log(f"parity reference: {ref_route} ({ref_detail})")
    model = build_model(ref_route, ref_detail, args, config)
    model.eval()
    dtype = model_dtype(model)
    nbytes = param_bytes(model)
    external = args.external_data == "yes" or (args.external_data == "auto" and nbytes > PROTOBUF_LIMIT - 64 * 1024 ** 2)
    args.external_data_resolved = external
    log(f"model: {sum(p.numel() for p in model.parameters()):,} parameters, {nbytes:,} bytes, {dtype}; "
        f"external data: {'yes' if external else 'no'}")
    wrapped = FirstOutput(model).eval()
    with_mask = ref_route == "transformers"
    inputs = sample_inputs(config, args, with_mask)

    log(f"exporting to {out} (opset {args.opset or 'default'})")
    if route == "optimum":
        export_optimum(detail, args, out)
    else:
        export_torch(wrapped, inputs, out, args.opset, external)
    log(f"exported in {time.time() - t0:.1f}s")

    summary = io_summary(out)
    checker = run_checker(out)
    log(f"onnx.checker: {'passed' if checker['passed'] else 'FAILED: ' + checker.get('error', '')}")
    atol = args.atol if args.atol is not None else DEFAULT_ATOL.get(dtype, 1e-4)
    parity_inputs = sample_inputs(config, args, with_mask, seed_offset=1, extra=1)
    manifest = save_parity(wrapped, parity_inputs, out, atol, dtype, onnx_only_inputs(summary["inputs"], parity_inputs))
    if env["onnxruntime"]:
        parity = run_parity_ort(out, manifest)
        log(f"parity ({parity['runtime']}): max |diff| {parity['maxAbsDiff']} vs atol {atol}: {'passed' if parity['passed'] else 'FAILED'}")
    else:
        parity = {"maxAbsDiff": None, "atol": atol, "passed": None, "runtime": None,
                  "pending": "no onnxruntime for this Python: inputs and PyTorch outputs saved for the caller's ONNX Runtime"}
        log("parity: " + parity["pending"])
    data_file = out + ".data"
    result = {"onnx": out, "checkpoint": ckpt, "route": route, "exporter": f"torch {env['torch']} torch.onnx.export" if route != "optimum" else f"optimum-cli ({detail})",
              **summary, "externalData": [os.path.basename(data_file)] if os.path.exists(data_file) else [],
              "dtype": dtype, "parameterBytes": nbytes, "checker": checker, "parity": parity, "parityDir": out + ".parity",
              "seconds": round(time.time() - t0, 2)}
    with open(out + ".export.json", "w", encoding="utf-8") as f:
        json.dump(result, f, indent=2)
    return result


def main(argv: list) -> int:
    ap = argparse.ArgumentParser(prog="export_onnx.py")
    sub = ap.add_subparsers(dest="cmd", required=True)
    sub.add_parser("probe")
    e = sub.add_parser("export")
    e.add_argument("checkpoint")
    e.add_argument("--out", required=True)
    e.add_argument("--opset", type=int)
    e.add_argument("--task")
    e.add_argument("--model-factory", dest="model_factory")
    e.add_argument("--external-data", dest="external_data", choices=["auto", "yes", "no"], default="auto")
    e.add_argument("--exporter", choices=["auto", "optimum", "transformers", "torch"], default="auto")
    e.add_argument("--atol", type=float)
    e.add_argument("--batch", type=int, default=2)
    e.add_argument("--seq-len", dest="seq_len", type=int, default=8)
    e.add_argument("--seed", type=int, default=0)
    args = ap.parse_args(argv)
    if args.cmd == "probe":
        print(json.dumps(probe()), flush=True)
        return 0
    try:
        result = export(args)
    except BadInput as err:
        print(f"error: {err}", file=sys.stderr, flush=True)
        print(RESULT_MARKER + json.dumps({"error": str(err)}), flush=True)
        return 2
    print(RESULT_MARKER + json.dumps(result), flush=True)
    if not result["checker"]["passed"] or result["parity"]["passed"] is False:
        return 3
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
