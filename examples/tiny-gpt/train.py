#!/usr/bin/env python3
"""Tiny character-level GPT trained with plain PyTorch, logging the way a Hugging Face Trainer run does.

It is the demo workload of LLM Training Studio: small enough to train on two CPU cores in well under a minute,
real enough that the loss falls, checkpoints can be resumed exactly and the output looks like the logs of a
`transformers.Trainer` run on a cluster.

What it prints and writes (all formats mirror transformers' Trainer, v4.40+):
  stdout  one Python dict per `logging_steps` (``{'loss': ..., 'grad_norm': ..., 'learning_rate': ..., 'epoch': ...}``),
          one per `eval_steps` (``{'eval_loss': ..., 'eval_runtime': ..., ...}``) and a summary at the end
          (``{'train_runtime': ..., 'train_loss': ..., 'epoch': ...}``), as ProgressCallback.on_log prints them
          (epoch rounded to 2 places, total_flos dropped); flushed after every line.
  stderr  a tqdm-style progress bar redrawn with carriage returns (``  12%|█▏        | 60/500 [00:03<00:22, 19.61it/s]``).
  output_dir/checkpoint-N/  every `save_steps` and at the end: model.safetensors, optimizer.pt, scheduler.pt,
          rng_state.pth, trainer_state.json (log_history, global_step, best_metric, ...), training_args.bin,
          config.json, vocab.json.
  output_dir/  at the end: model.safetensors, config.json, vocab.json, trainer_state.json, train_results.json.

Usage:
  python3 train.py --config config.yaml [--model_config model.yaml] [--KEY VALUE ...]
                   [--resume_from_checkpoint PATH|latest] [--step_delay SECONDS] [--torch_num_threads N]

`config.yaml` holds only transformers.TrainingArguments keys; `model.yaml` holds the model and data keys
(n_layer, n_head, n_embd, dropout, block_size, train_file, validation_split_percentage). Any key of either
file can be overridden on the command line (`--max_steps 200`, `--n_layer 2`). YAML is read with PyYAML when
it is installed, otherwise with a reader for flat `key: value` files (see read_flat_yaml).

Determinism: the batch of a step is a pure function of (seed, step) and the RNG states are saved in every
checkpoint, so `--resume_from_checkpoint output/checkpoint-100` prints the same losses for steps 101.. as the
uninterrupted run.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import random
import re
import shutil
import struct
import sys
import time


def _threads_from_argv(argv: list) -> str:
    """--torch_num_threads N, read before torch loads: OpenBLAS/OpenMP size their pools when the library loads."""
    for i, a in enumerate(argv):
        if a == "--torch_num_threads" and i + 1 < len(argv):
            return argv[i + 1]
        if a.startswith("--torch_num_threads="):
            return a.split("=", 1)[1]
    return "1"


if __name__ == "__main__":
    for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ.setdefault(_var, _threads_from_argv(sys.argv[1:]))

import torch
import torch.nn as nn
import torch.nn.functional as F

HERE = os.path.dirname(os.path.abspath(__file__))

# ---------------------------------------------------------------------------------------------------------------
# Arguments
# ---------------------------------------------------------------------------------------------------------------

#: transformers.TrainingArguments fields this script honours: name -> (type, default). Defaults are the
#: TrainingArguments defaults except where a tiny CPU run needs another one (noted).
TRAINING_ARGS = {
    "output_dir": (str, "output"),
    "max_steps": (int, 500),  # TrainingArguments: -1 (use num_train_epochs); this script is step-based
    "per_device_train_batch_size": (int, 8),
    "per_device_eval_batch_size": (int, 8),
    "gradient_accumulation_steps": (int, 1),
    "learning_rate": (float, 5e-5),
    "weight_decay": (float, 0.0),
    "adam_beta1": (float, 0.9),
    "adam_beta2": (float, 0.999),
    "adam_epsilon": (float, 1e-8),
    "max_grad_norm": (float, 1.0),
    "lr_scheduler_type": (str, "linear"),
    "warmup_steps": (int, 0),
    "warmup_ratio": (float, 0.0),
    "logging_steps": (int, 500),
    "logging_first_step": (bool, False),
    "logging_strategy": (str, "steps"),
    "eval_strategy": (str, "no"),
    "eval_steps": (int, None),
    "save_strategy": (str, "steps"),
    "save_steps": (int, 500),
    "save_total_limit": (int, None),
    "seed": (int, 42),
    "metric_for_best_model": (str, None),
    "greater_is_better": (bool, None),
    "load_best_model_at_end": (bool, False),
    "use_cpu": (bool, False),
    "fp16": (bool, False),
    "bf16": (bool, False),
    "resume_from_checkpoint": (str, None),
    "max_seq_length": (int, None),  # trl.SFTConfig's name for the context length; overrides block_size when set
}

#: TrainingArguments fields that are valid but change nothing in this script (accepted so that a real
#: Trainer config runs unchanged).
IGNORED_TRAINING_ARGS = {
    "do_train", "do_eval", "do_predict", "overwrite_output_dir", "report_to", "run_name", "logging_dir",
    "dataloader_num_workers", "dataloader_pin_memory", "disable_tqdm", "push_to_hub", "hub_model_id",
    "remove_unused_columns", "optim", "gradient_checkpointing", "num_train_epochs", "log_level", "save_safetensors",
}

#: Model and data keys (model.yaml): name -> (type, default).
MODEL_ARGS = {
    "n_layer": (int, 3),
    "n_head": (int, 4),
    "n_embd": (int, 96),
    "dropout": (float, 0.0),
    "block_size": (int, 64),
    "train_file": (str, "data/sonnets.txt"),
    "validation_split_percentage": (int, 10),
}

#: Options of this script only (not in any config file).
SCRIPT_ARGS = {
    "step_delay": (float, 0.0),
    "torch_num_threads": (int, 1),
    "debug_nan_at_step": (int, None),
}


def parse_scalar(text: str):
    """Parses one YAML 1.2 core-schema scalar: null, true/false, int, float, quoted or plain string."""
    s = text.strip()
    if s == "" or s in ("~", "null", "Null", "NULL"):
        return None
    if s in ("true", "True", "TRUE"):
        return True
    if s in ("false", "False", "FALSE"):
        return False
    if len(s) >= 2 and s[0] == s[-1] and s[0] in "'\"":
        body = s[1:-1]
        return body.replace("''", "'") if s[0] == "'" else json.loads(s)
    if re.fullmatch(r"[-+]?[0-9]+", s):
        return int(s)
    if re.fullmatch(r"[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?", s):
        return float(s)
    if s.startswith("[") and s.endswith("]"):
        inner = s[1:-1].strip()
        return [parse_scalar(p) for p in inner.split(",")] if inner else []
    return s


def strip_comment(line: str) -> str:
    """Drops a ` #` comment that is outside quotes."""
    quote = None
    for i, ch in enumerate(line):
        if quote:
            if ch == quote:
                quote = None
        elif ch in "'\"":
            quote = ch
        elif ch == "#" and (i == 0 or line[i - 1] in " \t"):
            return line[:i]
    return line


def read_flat_yaml(text: str, path: str) -> dict:
    """Reads the flat subset of YAML used by config.yaml/model.yaml: `key: scalar` lines, comments, blank
    lines, `---`. Raises ValueError naming the line for anything else (nesting, block lists, anchors)."""
    out = {}
    for lineno, raw in enumerate(text.splitlines(), 1):
        line = strip_comment(raw).rstrip()
        if not line.strip() or line.strip() in ("---", "..."):
            continue
        m = re.fullmatch(r"([A-Za-z_][A-Za-z0-9_.\-]*)\s*:(\s+(.*))?", line)
        if not m or raw[0] in " \t":
            raise ValueError(f"{path}:{lineno}: only flat 'key: value' lines are supported without PyYAML: {raw!r}")
        out[m.group(1)] = parse_scalar(m.group(3) or "")
    return out


def load_yaml(path: str) -> dict:
    """Loads a flat YAML mapping with PyYAML if installed, else with read_flat_yaml."""
    with open(path, encoding="utf-8") as f:
        text = f.read()
    try:
        import yaml  # type: ignore
    except ImportError:
        return read_flat_yaml(text, path)
    data = yaml.safe_load(text)
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise ValueError(f"{path}: expected a mapping at the top level, got {type(data).__name__}")
    return data


def coerce(name: str, kind: type, value):
    """Converts a config value to the field's type (PyYAML reads `3e-4` as a string: YAML 1.1 needs a dot)."""
    if value is None:
        return None
    if kind is bool:
        if isinstance(value, bool):
            return value
        if isinstance(value, str) and value.lower() in ("true", "false", "1", "0", "yes", "no"):
            return value.lower() in ("true", "1", "yes")
        raise ValueError(f"{name}: expected true or false, got {value!r}")
    if kind is int:
        if isinstance(value, bool):
            raise ValueError(f"{name}: expected an integer, got {value!r}")
        if isinstance(value, float) and value.is_integer():
            return int(value)
        try:
            return int(str(value))
        except ValueError:
            raise ValueError(f"{name}: expected an integer, got {value!r}") from None
    if kind is float:
        try:
            return float(value)
        except (TypeError, ValueError):
            raise ValueError(f"{name}: expected a number, got {value!r}") from None
    return str(value)


def build_args(argv: list[str]) -> argparse.Namespace:
    """Merges defaults < config.yaml < model.yaml < command line; raises SystemExit(2) with a clear message on
    unknown keys or bad values (like HfArgumentParser, which refuses unused keys)."""
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0], formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("--config", help="YAML file of transformers.TrainingArguments keys")
    p.add_argument("--model_config", help="YAML file of model/data keys (default: model.yaml beside train.py)")
    for table in (TRAINING_ARGS, MODEL_ARGS, SCRIPT_ARGS):
        for name in table:
            p.add_argument(f"--{name}", dest=name, default=argparse.SUPPRESS, metavar="VALUE")
    cli = vars(p.parse_args(argv))

    merged: dict = {k: v[1] for t in (TRAINING_ARGS, MODEL_ARGS, SCRIPT_ARGS) for k, v in t.items()}
    sources = []
    if cli.get("config"):
        sources.append((cli["config"], TRAINING_ARGS, IGNORED_TRAINING_ARGS))
    model_config = cli.get("model_config") or os.path.join(HERE, "model.yaml")
    if cli.get("model_config") or os.path.exists(model_config):
        sources.append((model_config, MODEL_ARGS, set()))
    for path, table, ignored in sources:
        try:
            data = load_yaml(path)
        except (OSError, ValueError) as e:
            p.error(str(e))
        unknown = sorted(k for k in data if k not in table and k not in ignored)
        if unknown:
            p.error(f"{path}: unknown keys {unknown} (known: {sorted(table)})")
        for k, v in data.items():
            if k in table:
                try:
                    merged[k] = coerce(k, table[k][0], v)
                except ValueError as e:
                    p.error(f"{path}: {e}")
        if table is MODEL_ARGS and "train_file" in data and not os.path.isabs(str(data["train_file"])):
            merged["train_file"] = os.path.join(os.path.dirname(os.path.abspath(path)), str(data["train_file"]))
    for k, v in cli.items():
        if k in ("config", "model_config"):
            continue
        kind = {**TRAINING_ARGS, **MODEL_ARGS, **SCRIPT_ARGS}[k][0]
        try:
            merged[k] = None if v in ("None", "none", "null") and kind is not str else coerce(k, kind, v)
        except ValueError as e:
            p.error(str(e))
    if not os.path.isabs(merged["train_file"]) and not os.path.exists(merged["train_file"]):
        merged["train_file"] = os.path.join(HERE, merged["train_file"])

    a = argparse.Namespace(**merged)
    if a.max_seq_length is not None:
        a.block_size = a.max_seq_length
    if a.lr_scheduler_type not in SCHEDULES:
        p.error(f"lr_scheduler_type must be one of {sorted(SCHEDULES)}, got {a.lr_scheduler_type!r}")
    for key in ("eval_strategy", "save_strategy", "logging_strategy"):
        if getattr(a, key) not in ("no", "steps"):
            p.error(f"{key}: this step-based script supports 'no' and 'steps', got {getattr(a, key)!r}")
    if a.eval_strategy == "steps" and a.eval_steps is None:
        a.eval_steps = a.logging_steps  # TrainingArguments.__post_init__ does the same
    for key in ("max_steps", "per_device_train_batch_size", "per_device_eval_batch_size",
                "gradient_accumulation_steps", "logging_steps", "save_steps", "n_layer", "n_head", "n_embd",
                "block_size", "torch_num_threads"):
        if getattr(a, key) is None or getattr(a, key) < 1:
            p.error(f"{key} must be a positive integer, got {getattr(a, key)!r}")
    if a.eval_steps is not None and a.eval_steps < 1:
        p.error(f"eval_steps must be a positive integer, got {a.eval_steps!r}")
    if a.n_embd % a.n_head:
        p.error(f"n_embd ({a.n_embd}) must be divisible by n_head ({a.n_head})")
    if a.fp16 and a.bf16:
        p.error("At most one of fp16 and bf16 can be true")  # TrainingArguments raises the same
    if a.fp16:
        p.error("fp16 mixed precision needs a CUDA device and a GradScaler; this demo trains in float32 (set fp16: false)")
    if a.load_best_model_at_end and a.metric_for_best_model is None:
        a.metric_for_best_model = "loss"
    if a.metric_for_best_model is not None and a.greater_is_better is None:
        a.greater_is_better = not a.metric_for_best_model.endswith("loss")
    if not 0 <= a.validation_split_percentage < 100:
        p.error("validation_split_percentage must be in [0, 100)")
    return a


# ---------------------------------------------------------------------------------------------------------------
# Model (GPT-2 layout: pre-LayerNorm blocks, learned positions, tied input/output embedding)
# ---------------------------------------------------------------------------------------------------------------


class CausalSelfAttention(nn.Module):
    def __init__(self, n_embd: int, n_head: int, block_size: int, dropout: float):
        super().__init__()
        self.n_head = n_head
        self.c_attn = nn.Linear(n_embd, 3 * n_embd)
        self.c_proj = nn.Linear(n_embd, n_embd)
        self.attn_dropout = nn.Dropout(dropout)
        self.resid_dropout = nn.Dropout(dropout)
        mask = torch.tril(torch.ones(block_size, block_size, dtype=torch.bool)).view(1, 1, block_size, block_size)
        self.register_buffer("mask", mask, persistent=False)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        b, t, c = x.shape
        q, k, v = self.c_attn(x).split(c, dim=2)
        q, k, v = (z.view(b, t, self.n_head, c // self.n_head).transpose(1, 2) for z in (q, k, v))
        att = (q @ k.transpose(-2, -1)) * (1.0 / math.sqrt(k.size(-1)))
        att = att.masked_fill(~self.mask[:, :, :t, :t], float("-inf"))
        att = self.attn_dropout(F.softmax(att, dim=-1))
        y = (att @ v).transpose(1, 2).contiguous().view(b, t, c)
        return self.resid_dropout(self.c_proj(y))


class Block(nn.Module):
    def __init__(self, n_embd: int, n_head: int, block_size: int, dropout: float):
        super().__init__()
        self.ln_1 = nn.LayerNorm(n_embd)
        self.attn = CausalSelfAttention(n_embd, n_head, block_size, dropout)
        self.ln_2 = nn.LayerNorm(n_embd)
        self.mlp = nn.Sequential(nn.Linear(n_embd, 4 * n_embd), nn.GELU(), nn.Linear(4 * n_embd, n_embd), nn.Dropout(dropout))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = x + self.attn(self.ln_1(x))
        return x + self.mlp(self.ln_2(x))


class TinyGPT(nn.Module):
    """Character-level GPT. forward(idx[B,T] int64, targets[B,T] | None) -> (logits[B,T,V], mean CE loss | None)."""

    def __init__(self, vocab_size: int, n_layer: int, n_head: int, n_embd: int, block_size: int, dropout: float):
        super().__init__()
        self.block_size = block_size
        self.wte = nn.Embedding(vocab_size, n_embd)
        self.wpe = nn.Embedding(block_size, n_embd)
        self.drop = nn.Dropout(dropout)
        self.h = nn.ModuleList(Block(n_embd, n_head, block_size, dropout) for _ in range(n_layer))
        self.ln_f = nn.LayerNorm(n_embd)
        self.lm_head = nn.Linear(n_embd, vocab_size, bias=False)
        self.lm_head.weight = self.wte.weight  # tied, as in GPT-2
        self.apply(self._init_weights)
        for name, p in self.named_parameters():  # GPT-2 scaled init of residual projections
            if name.endswith("c_proj.weight") or name.endswith("mlp.2.weight"):
                nn.init.normal_(p, mean=0.0, std=0.02 / math.sqrt(2 * n_layer))

    @staticmethod
    def _init_weights(m: nn.Module) -> None:
        if isinstance(m, nn.Linear):
            nn.init.normal_(m.weight, mean=0.0, std=0.02)
            if m.bias is not None:
                nn.init.zeros_(m.bias)
        elif isinstance(m, nn.Embedding):
            nn.init.normal_(m.weight, mean=0.0, std=0.02)

    def forward(self, idx: torch.Tensor, targets: torch.Tensor | None = None):
        t = idx.size(1)
        pos = torch.arange(t, device=idx.device)
        x = self.drop(self.wte(idx) + self.wpe(pos))
        for block in self.h:
            x = block(x)
        logits = self.lm_head(self.ln_f(x))
        loss = None if targets is None else F.cross_entropy(logits.view(-1, logits.size(-1)), targets.reshape(-1))
        return logits, loss


def num_parameters(model: nn.Module) -> int:
    """Trainable parameters, tied weights counted once."""
    return sum(p.numel() for p in {id(p): p for p in model.parameters() if p.requires_grad}.values())


# ---------------------------------------------------------------------------------------------------------------
# safetensors (format: https://github.com/huggingface/safetensors#format) without the safetensors package
# ---------------------------------------------------------------------------------------------------------------

SAFETENSORS_DTYPES = {torch.float32: "F32", torch.float16: "F16", torch.bfloat16: "BF16", torch.int64: "I64",
                      torch.int32: "I32", torch.bool: "BOOL", torch.uint8: "U8"}


def tensor_bytes(t: torch.Tensor) -> bytes:
    """Raw little-endian bytes of a CPU tensor (bfloat16 via its int16 view, which numpy lacks)."""
    t = t.detach().cpu().contiguous()
    if t.dtype == torch.bfloat16:
        t = t.view(torch.int16)
    arr = t.numpy()
    if sys.byteorder == "big":
        arr = arr.byteswap()
    return arr.tobytes()


def save_safetensors(tensors: dict, path: str, metadata: dict | None = None) -> None:
    """Writes `tensors` (name -> CPU tensor) as: u64 little-endian header length N, N bytes of JSON header
    (padded with spaces to a multiple of 8), then the tensors' bytes back to back in header order."""
    header: dict = {"__metadata__": metadata or {"format": "pt"}}
    blobs, offset = [], 0
    for name in sorted(tensors):
        t = tensors[name]
        data = tensor_bytes(t)
        header[name] = {"dtype": SAFETENSORS_DTYPES[t.dtype], "shape": list(t.shape), "data_offsets": [offset, offset + len(data)]}
        blobs.append(data)
        offset += len(data)
    raw = json.dumps(header, separators=(",", ":")).encode("utf-8")
    raw += b" " * (-len(raw) % 8)
    tmp = path + ".tmp"
    with open(tmp, "wb") as f:
        f.write(struct.pack("<Q", len(raw)))
        f.write(raw)
        for b in blobs:
            f.write(b)
    os.replace(tmp, path)


def load_safetensors(path: str) -> dict:
    """Reads a safetensors file written by save_safetensors (or the safetensors package) into CPU tensors."""
    names = {v: k for k, v in SAFETENSORS_DTYPES.items()}
    with open(path, "rb") as f:
        blob = f.read()
    (n,) = struct.unpack("<Q", blob[:8])
    header = json.loads(blob[8:8 + n])
    base = 8 + n
    out = {}
    for name, info in header.items():
        if name == "__metadata__":
            continue
        begin, end = info["data_offsets"]
        dtype = names[info["dtype"]]
        buf = bytearray(blob[base + begin:base + end])
        t = torch.frombuffer(buf, dtype=torch.int16 if dtype == torch.bfloat16 else dtype) if buf else torch.empty(0, dtype=dtype)
        if dtype == torch.bfloat16:
            t = t.view(torch.bfloat16)
        out[name] = t.reshape(info["shape"]).clone()
    return out


# ---------------------------------------------------------------------------------------------------------------
# Data: characters of one text file, split into train/validation by position
# ---------------------------------------------------------------------------------------------------------------


class CharData:
    """Encodes a text file as character ids. Training samples are `block_size`-long windows; each epoch starts
    the windows at a seeded offset and visits them in a seeded order, so the batch of any step is a pure
    function of (seed, step): resuming needs no data-loader state."""

    def __init__(self, path: str, block_size: int, validation_split_percentage: int, seed: int):
        with open(path, encoding="utf-8") as f:
            text = f.read()
        self.chars = sorted(set(text))
        self.stoi = {c: i for i, c in enumerate(self.chars)}
        ids = torch.tensor([self.stoi[c] for c in text], dtype=torch.long)
        n_val = len(ids) * validation_split_percentage // 100
        self.train, self.val = ids[:len(ids) - n_val], ids[len(ids) - n_val:]
        self.block_size, self.seed = block_size, seed
        self.samples_per_epoch = (len(self.train) - 1 - block_size) // block_size
        if self.samples_per_epoch < 1:
            raise ValueError(f"{path}: {len(self.train)} training characters are too few for block_size {block_size}")
        self._epoch_cache: dict = {}

    def _epoch(self, epoch: int):
        if epoch not in self._epoch_cache:
            g = torch.Generator().manual_seed(self.seed * 1_000_003 + epoch)
            offset = int(torch.randint(0, self.block_size, (1,), generator=g))
            order = torch.randperm(self.samples_per_epoch, generator=g)
            self._epoch_cache = {epoch: (offset, order)}
        return self._epoch_cache[epoch]

    def batch(self, first_sample: int, size: int):
        """Samples first_sample .. first_sample+size-1 of the endless epoch stream -> (x, y) [size, block_size]."""
        xs, ys = [], []
        for s in range(first_sample, first_sample + size):
            offset, order = self._epoch(s // self.samples_per_epoch)
            start = offset + int(order[s % self.samples_per_epoch]) * self.block_size
            xs.append(self.train[start:start + self.block_size])
            ys.append(self.train[start + 1:start + 1 + self.block_size])
        return torch.stack(xs), torch.stack(ys)

    def eval_batches(self, batch_size: int):
        """Non-overlapping windows of the validation split, in order, in batches."""
        n = (len(self.val) - 1) // self.block_size
        for i in range(0, n, batch_size):
            idx = range(i, min(n, i + batch_size))
            x = torch.stack([self.val[j * self.block_size:(j + 1) * self.block_size] for j in idx])
            y = torch.stack([self.val[j * self.block_size + 1:(j + 1) * self.block_size + 1] for j in idx])
            yield x, y


# ---------------------------------------------------------------------------------------------------------------
# Learning-rate schedules (transformers.optimization.get_scheduler)
# ---------------------------------------------------------------------------------------------------------------


def _linear(step: int, warmup: int, total: int) -> float:
    if step < warmup:
        return step / max(1, warmup)
    return max(0.0, (total - step) / max(1, total - warmup))


def _cosine(step: int, warmup: int, total: int) -> float:
    if step < warmup:
        return step / max(1, warmup)
    progress = (step - warmup) / max(1, total - warmup)
    return max(0.0, 0.5 * (1.0 + math.cos(math.pi * progress)))


def _constant(step: int, warmup: int, total: int) -> float:
    return 1.0


def _constant_with_warmup(step: int, warmup: int, total: int) -> float:
    return step / max(1, warmup) if step < warmup else 1.0


SCHEDULES = {"linear": _linear, "cosine": _cosine, "constant": _constant, "constant_with_warmup": _constant_with_warmup}


# ---------------------------------------------------------------------------------------------------------------
# Progress bar (the look of tqdm as transformers uses it) and log printing
# ---------------------------------------------------------------------------------------------------------------


def format_interval(seconds: float) -> str:
    m, s = divmod(int(seconds), 60)
    h, m = divmod(m, 60)
    return f"{h:d}:{m:02d}:{s:02d}" if h else f"{m:02d}:{s:02d}"


class ProgressBar:
    """Writes `  12%|█▏        | 60/500 [00:03<00:22, 19.61it/s]` to stderr with carriage returns, at most
    every 0.1 s, like tqdm(total=max_steps) does in Trainer. `write()` clears the bar, prints a line on stdout
    and redraws the bar, like tqdm.write."""

    PARTS = " ▏▎▍▌▋▊▉█"

    def __init__(self, total: int, initial: int = 0, width: int = 10):
        self.total, self.n, self.initial, self.width = total, initial, initial, width
        self.start = time.time()
        self.last_draw = 0.0
        self.last_len = 0
        self.closed = False
        self.draw()

    def render(self) -> str:
        elapsed = time.time() - self.start
        frac = self.n / self.total if self.total else 1.0
        eighths = int(frac * self.width * 8)
        full, part = divmod(eighths, 8)
        bar = "█" * full + (self.PARTS[part] if full < self.width else "")
        bar = bar.ljust(self.width)
        done = self.n - self.initial
        rate = done / elapsed if elapsed > 0 and done > 0 else None
        remaining = format_interval((self.total - self.n) / rate) if rate else "?"
        if rate is None:
            speed = "?it/s"
        elif rate >= 1:
            speed = f"{rate:5.2f}it/s"
        else:
            speed = f"{1 / rate:5.2f}s/it"
        return f"{frac * 100:3.0f}%|{bar}| {self.n}/{self.total} [{format_interval(elapsed)}<{remaining}, {speed}]"

    def draw(self) -> None:
        s = self.render()
        sys.stderr.write("\r" + s + " " * max(0, self.last_len - len(s)))
        sys.stderr.flush()
        self.last_len = len(s)
        self.last_draw = time.time()

    def update(self, n: int = 1) -> None:
        self.n += n
        if time.time() - self.last_draw >= 0.1 or self.n >= self.total:
            self.draw()

    def write(self, line: str) -> None:
        if self.closed:
            print(line, flush=True)
            return
        sys.stderr.write("\r" + " " * self.last_len + "\r")
        sys.stderr.flush()
        print(line, flush=True)
        self.draw()

    def close(self) -> None:
        """Final redraw and a newline; later write() calls just print (the bar stays as the last line)."""
        self.draw()
        sys.stderr.write("\n")
        sys.stderr.flush()
        self.closed = True


# ---------------------------------------------------------------------------------------------------------------
# Checkpoints (transformers Trainer layout)
# ---------------------------------------------------------------------------------------------------------------

PREFIX_CHECKPOINT_DIR = "checkpoint"
_re_checkpoint = re.compile(r"^" + PREFIX_CHECKPOINT_DIR + r"-(\d+)$")


def get_last_checkpoint(folder: str) -> str | None:
    """The checkpoint-N folder with the highest N in `folder` (transformers.trainer_utils.get_last_checkpoint)."""
    if not os.path.isdir(folder):
        return None
    found = [d for d in os.listdir(folder) if _re_checkpoint.match(d) and os.path.isdir(os.path.join(folder, d))]
    if not found:
        return None
    return os.path.join(folder, max(found, key=lambda d: int(_re_checkpoint.match(d).group(1))))


def model_config(args: argparse.Namespace, vocab_size: int) -> dict:
    return {"architectures": ["TinyGPT"], "model_type": "tiny-gpt", "vocab_size": vocab_size, "n_layer": args.n_layer,
            "n_head": args.n_head, "n_embd": args.n_embd, "n_positions": args.block_size, "dropout": args.dropout,
            "tie_word_embeddings": True, "torch_dtype": "float32"}


def model_tensors(model: TinyGPT) -> dict:
    """State dict without the tied lm_head.weight (safetensors refuses shared storage; HF drops it too)."""
    return {k: v for k, v in model.state_dict().items() if k != "lm_head.weight"}


def write_json(path: str, obj) -> None:
    tmp = path + ".tmp"
    with open(tmp, "w", encoding="utf-8") as f:
        json.dump(obj, f, indent=2, sort_keys=True)
        f.write("\n")
    os.replace(tmp, path)


def rng_state(device: torch.device) -> dict:
    state = {"python": random.getstate(), "cpu": torch.get_rng_state()}
    try:
        import numpy as np
        state["numpy"] = np.random.get_state()
    except ImportError:
        pass
    if device.type == "cuda":
        state["cuda"] = torch.cuda.get_rng_state_all()
    return state


def set_rng_state(state: dict, device: torch.device) -> None:
    random.setstate(state["python"])
    torch.set_rng_state(state["cpu"])
    if "numpy" in state:
        import numpy as np
        np.random.set_state(state["numpy"])
    if device.type == "cuda" and "cuda" in state:
        torch.cuda.set_rng_state_all(state["cuda"])


# ---------------------------------------------------------------------------------------------------------------
# Training
# ---------------------------------------------------------------------------------------------------------------


def set_seed(seed: int) -> None:
    """transformers.set_seed: python, numpy and torch generators."""
    random.seed(seed)
    torch.manual_seed(seed)
    try:
        import numpy as np
        np.random.seed(seed)
    except ImportError:
        pass


class Trainer:
    def __init__(self, args: argparse.Namespace):
        self.args = args
        torch.set_num_threads(args.torch_num_threads)
        self.device = torch.device("cuda" if torch.cuda.is_available() and not args.use_cpu else "cpu")
        if args.bf16 and self.device.type == "cpu":
            print("bf16 requested but training on CPU: running in float32", flush=True)
        set_seed(args.seed)
        self.data = CharData(args.train_file, args.block_size, args.validation_split_percentage, args.seed)
        self.model = TinyGPT(len(self.data.chars), args.n_layer, args.n_head, args.n_embd, args.block_size, args.dropout).to(self.device)
        decay = [p for n, p in self.model.named_parameters() if p.dim() >= 2]
        no_decay = [p for n, p in self.model.named_parameters() if p.dim() < 2]
        self.optimizer = torch.optim.AdamW(
            [{"params": decay, "weight_decay": args.weight_decay}, {"params": no_decay, "weight_decay": 0.0}],
            lr=args.learning_rate, betas=(args.adam_beta1, args.adam_beta2), eps=args.adam_epsilon)
        warmup = args.warmup_steps or math.ceil(args.warmup_ratio * args.max_steps)
        schedule = SCHEDULES[args.lr_scheduler_type]
        self.scheduler = torch.optim.lr_scheduler.LambdaLR(self.optimizer, lambda s: schedule(s, warmup, args.max_steps))
        self.total_batch = args.per_device_train_batch_size * args.gradient_accumulation_steps
        self.num_params = num_parameters(self.model)
        self.state = {
            "best_global_step": None, "best_metric": None, "best_model_checkpoint": None, "epoch": 0.0,
            "eval_steps": args.eval_steps, "global_step": 0, "is_hyper_param_search": False,
            "is_local_process_zero": True, "is_world_process_zero": True, "log_history": [],
            "logging_steps": args.logging_steps, "max_steps": args.max_steps, "num_input_tokens_seen": 0,
            "num_train_epochs": math.ceil(args.max_steps * self.total_batch / self.data.samples_per_epoch),
            "save_steps": args.save_steps, "stateful_callbacks": {}, "total_flos": 0.0,
            "train_batch_size": args.per_device_train_batch_size, "trial_name": None, "trial_params": None,
        }

    # -- state -------------------------------------------------------------------------------------------------
    def epoch_at(self, step: int) -> float:
        return step * self.total_batch / self.data.samples_per_epoch

    def flos(self, steps: int) -> float:
        """6 * parameters * tokens (transformers' floating_point_ops estimate)."""
        return float(6 * self.num_params * steps * self.total_batch * self.args.block_size)

    def log(self, logs: dict, bar: ProgressBar) -> None:
        """Trainer.log + ProgressCallback.on_log: history keeps full precision and `step`; the printed line
        has epoch rounded to 2 places and no total_flos."""
        logs = dict(logs)
        logs["epoch"] = self.state["epoch"]
        self.state["log_history"].append({**logs, "step": self.state["global_step"]})
        shown = dict(logs)
        shown.pop("total_flos", None)
        shown["epoch"] = round(shown["epoch"], 2)
        bar.write(str(shown))

    # -- checkpoints -----------------------------------------------------------------------------------------
    def save_checkpoint(self, metrics: dict | None) -> str:
        a = self.args
        step = self.state["global_step"]
        folder = os.path.join(a.output_dir, f"{PREFIX_CHECKPOINT_DIR}-{step}")
        if metrics and a.metric_for_best_model:
            key = a.metric_for_best_model if a.metric_for_best_model.startswith("eval_") else "eval_" + a.metric_for_best_model
            if key in metrics:
                value, best = metrics[key], self.state["best_metric"]
                if best is None or (value > best if a.greater_is_better else value < best):
                    self.state.update(best_metric=value, best_global_step=step, best_model_checkpoint=folder)
        tmp = folder + ".tmp"
        shutil.rmtree(tmp, ignore_errors=True)
        os.makedirs(tmp)
        save_safetensors(model_tensors(self.model), os.path.join(tmp, "model.safetensors"))
        torch.save(self.optimizer.state_dict(), os.path.join(tmp, "optimizer.pt"))
        torch.save(self.scheduler.state_dict(), os.path.join(tmp, "scheduler.pt"))
        torch.save(rng_state(self.device), os.path.join(tmp, "rng_state.pth"))
        torch.save(vars(a), os.path.join(tmp, "training_args.bin"))
        write_json(os.path.join(tmp, "config.json"), model_config(a, len(self.data.chars)))
        write_json(os.path.join(tmp, "vocab.json"), self.data.stoi)
        write_json(os.path.join(tmp, "trainer_state.json"), self.state)
        shutil.rmtree(folder, ignore_errors=True)
        os.replace(tmp, folder)
        self.rotate_checkpoints()
        return folder

    def rotate_checkpoints(self) -> None:
        """save_total_limit: delete the oldest checkpoints, never the best one (Trainer._rotate_checkpoints)."""
        limit = self.args.save_total_limit
        if not limit:
            return
        out = self.args.output_dir
        found = sorted((int(m.group(1)), d) for d in os.listdir(out) if (m := _re_checkpoint.match(d)))
        keep_best = self.state["best_model_checkpoint"]
        deletable = [os.path.join(out, d) for _, d in found if os.path.join(out, d) != keep_best]
        excess = len(found) - limit
        for path in deletable[:max(0, excess)]:
            shutil.rmtree(path, ignore_errors=True)

    def load_checkpoint(self, folder: str) -> None:
        tensors = load_safetensors(os.path.join(folder, "model.safetensors"))
        tensors["lm_head.weight"] = tensors["wte.weight"]
        self.model.load_state_dict({k: v.to(self.device) for k, v in tensors.items()})
        self.optimizer.load_state_dict(torch.load(os.path.join(folder, "optimizer.pt"), map_location=self.device, weights_only=False))
        self.scheduler.load_state_dict(torch.load(os.path.join(folder, "scheduler.pt"), weights_only=False))
        with open(os.path.join(folder, "trainer_state.json"), encoding="utf-8") as f:
            saved = json.load(f)
        for key in ("global_step", "log_history", "best_metric", "best_global_step", "best_model_checkpoint", "total_flos", "num_input_tokens_seen"):
            if key in saved:
                self.state[key] = saved[key]
        self.state["epoch"] = self.epoch_at(self.state["global_step"])
        # weights_only=False: these files hold Python/NumPy RNG states (torch>=2.6 defaults to True)
        set_rng_state(torch.load(os.path.join(folder, "rng_state.pth"), weights_only=False), self.device)

    # -- loop ------------------------------------------------------------------------------------------------
    @torch.no_grad()
    def evaluate(self) -> dict:
        self.model.eval()
        start = time.time()
        total, tokens, batches, samples = 0.0, 0, 0, 0
        for x, y in self.data.eval_batches(self.args.per_device_eval_batch_size):
            _, loss = self.model(x.to(self.device), y.to(self.device))
            total += loss.item() * y.numel()
            tokens += y.numel()
            batches += 1
            samples += x.size(0)
        self.model.train()
        runtime = time.time() - start
        return {"eval_loss": total / tokens if tokens else float("nan"), "eval_runtime": round(runtime, 4),
                "eval_samples_per_second": round(samples / runtime, 3) if runtime else 0.0,
                "eval_steps_per_second": round(batches / runtime, 3) if runtime else 0.0}

    def train(self, resume_from_checkpoint: str | None) -> None:
        a = self.args
        if resume_from_checkpoint:
            folder = get_last_checkpoint(a.output_dir) if resume_from_checkpoint == "latest" else resume_from_checkpoint
            if folder is None:
                raise SystemExit(f"error: --resume_from_checkpoint latest: no checkpoint-N folder in {a.output_dir}")
            if not os.path.isfile(os.path.join(folder, "trainer_state.json")):
                raise SystemExit(f"error: {folder} is not a checkpoint (no trainer_state.json)")
            self.load_checkpoint(folder)
            print(f"Continuing training from checkpoint {folder}, will skip to saved global_step {self.state['global_step']}", flush=True)
        os.makedirs(a.output_dir, exist_ok=True)
        print("***** Running training *****", flush=True)
        print(f"  Num examples = {self.data.samples_per_epoch:,}", flush=True)
        print(f"  Num Epochs = {self.state['num_train_epochs']:,}", flush=True)
        print(f"  Instantaneous batch size per device = {a.per_device_train_batch_size:,}", flush=True)
        print(f"  Total train batch size (w. parallel, distributed & accumulation) = {self.total_batch:,}", flush=True)
        print(f"  Gradient Accumulation steps = {a.gradient_accumulation_steps:,}", flush=True)
        print(f"  Total optimization steps = {a.max_steps:,}", flush=True)
        print(f"  Number of trainable parameters = {self.num_params:,}", flush=True)

        first_step = self.state["global_step"]
        bar = ProgressBar(a.max_steps, initial=first_step)
        self.model.train()
        start = time.time()
        window_loss, window_steps, run_loss = 0.0, 0, 0.0
        grad_norm = 0.0
        metrics = None
        while self.state["global_step"] < a.max_steps:
            step = self.state["global_step"]  # 0-based index of the step being taken
            step_loss = 0.0
            for micro in range(a.gradient_accumulation_steps):
                first = (step * a.gradient_accumulation_steps + micro) * a.per_device_train_batch_size
                x, y = self.data.batch(first, a.per_device_train_batch_size)
                _, loss = self.model(x.to(self.device), y.to(self.device))
                if a.debug_nan_at_step is not None and step + 1 >= a.debug_nan_at_step:
                    loss = loss * float("nan")  # demo of a diverged run: NaN from here on
                (loss / a.gradient_accumulation_steps).backward()
                step_loss += loss.item() / a.gradient_accumulation_steps
            grad_norm = float(torch.nn.utils.clip_grad_norm_(self.model.parameters(), a.max_grad_norm))
            self.optimizer.step()
            self.scheduler.step()
            self.optimizer.zero_grad(set_to_none=True)

            self.state["global_step"] = step + 1
            self.state["epoch"] = self.epoch_at(step + 1)
            self.state["num_input_tokens_seen"] += self.total_batch * a.block_size
            self.state["total_flos"] += self.flos(1)
            window_loss += step_loss
            window_steps += 1
            run_loss += step_loss
            bar.update(1)
            gs = self.state["global_step"]

            if a.logging_strategy == "steps" and (gs % a.logging_steps == 0 or (gs == 1 and a.logging_first_step)):
                self.log({"loss": round(window_loss / window_steps, 4), "grad_norm": grad_norm,
                          "learning_rate": self.scheduler.get_last_lr()[0]}, bar)
                window_loss, window_steps = 0.0, 0
            metrics = None
            if a.eval_strategy == "steps" and gs % a.eval_steps == 0:
                metrics = self.evaluate()
                self.log(metrics, bar)
            if a.save_strategy == "steps" and (gs % a.save_steps == 0 or gs == a.max_steps):
                self.save_checkpoint(metrics)
            if a.step_delay > 0:
                time.sleep(a.step_delay)
        bar.close()

        runtime = time.time() - start
        steps_run = self.state["global_step"] - first_step
        summary = {"train_runtime": round(runtime, 4),
                   "train_samples_per_second": round(steps_run * self.total_batch / runtime, 3) if runtime else 0.0,
                   "train_steps_per_second": round(steps_run / runtime, 3) if runtime else 0.0,
                   "total_flos": self.state["total_flos"],
                   "train_loss": run_loss / steps_run if steps_run else float("nan")}
        self.log(summary, bar)
        print(f"Saving model to {a.output_dir}", flush=True)
        save_safetensors(model_tensors(self.model), os.path.join(a.output_dir, "model.safetensors"))
        write_json(os.path.join(a.output_dir, "config.json"), model_config(a, len(self.data.chars)))
        write_json(os.path.join(a.output_dir, "vocab.json"), self.data.stoi)
        write_json(os.path.join(a.output_dir, "trainer_state.json"), self.state)
        write_json(os.path.join(a.output_dir, "train_results.json"), {**{k: v for k, v in summary.items() if k != "total_flos"}, "epoch": self.state["epoch"]})
        print(f"Sample: {self.sample(120)!r}", flush=True)

    @torch.no_grad()
    def sample(self, n: int, temperature: float = 0.8) -> str:
        """Continues a newline by sampling at `temperature` from a generator of its own (seeded with `seed`), so
        printing a sample changes no RNG state the training depends on. A diverged (NaN) model gives a note instead."""
        self.model.eval()
        g = torch.Generator().manual_seed(self.args.seed)
        idx = torch.tensor([[self.data.stoi.get("\n", 0)]], device=self.device)
        for _ in range(n):
            logits, _ = self.model(idx[:, -self.model.block_size:])
            probs = F.softmax(logits[:, -1].float().cpu() / temperature, dim=-1)
            if not bool(torch.isfinite(probs).all()):
                return "(no sample: the model's outputs are not finite)"
            idx = torch.cat([idx, torch.multinomial(probs, 1, generator=g).to(self.device)], dim=1)
        return "".join(self.data.chars[i] for i in idx[0, 1:].tolist())


def main(argv: list[str]) -> int:
    args = build_args(argv)
    Trainer(args).train(args.resume_from_checkpoint)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
