#!/usr/bin/env python3
"""Writes a versioned key table of a training framework from its own source (never imports it: `ast` only).

Usage:
  python3 scripts/gen-key-tables.py FRAMEWORK CHECKOUT --release R --commit SHA [--out DIR]

  FRAMEWORK  axolotl | llamafactory | llamafactory-v1 | trl
  CHECKOUT   a source checkout (or `git archive` extract) of that framework at the release
  --release  the release the checkout is (e.g. 0.18.0 or 0.18.0+9.067b021c for a commit past a tag)
  --commit   the full commit id of the checkout
  --out      folder for the table (default src/core/config/tables)

Writes OUT/<framework>-<release>.json: {framework, release, commit, repo, generator, roots, classes}. `classes`
maps each pydantic model / dataclass to its file, line, base classes, own fields and, where the class sets it,
`extra`/`extra_line` (pydantic's `extra="forbid"|"ignore"|"allow"`: whether unknown keys raise); a field is
{name, type (the annotation as written), kind, nullable, default, values (Literal members), ge/gt/le/lt, doc, line,
ref (nested class names)}. `roots` names the classes whose fields (with those of their bases) are the top-level
keys of a config file. Only facts (names, types, defaults, constraints, docstrings) are written, no code.

What is read, per framework:
  axolotl          src/axolotl/utils/schemas/*.py and src/axolotl/integrations/*/args.py (pydantic models);
                   root AxolotlInputConfig, plus every plugin's *Args model (keys a plugin adds at the top level)
  llamafactory     src/llamafactory/hparams/*.py (dataclasses read by HfArgumentParser); the roots' external base
                   classes (Seq2SeqTrainingArguments, ...) are named in `external`; roots config/infer/eval/mca
                   are the lists of hparams/parser.py (`_TRAIN_MCA_ARGS`, set under `if ... USE_MCA`, from 0.9.4)
  llamafactory-v1  src/llamafactory/v1/config/*.py (the v1 layout: model, model_class, dist_config, train_dataset, ...)
  trl              trl/trainer/*_config.py and trl/trainer/*/..._config.py (SFTConfig, DPOConfig, GRPOConfig, ...)
  transformers     src/transformers/training_args.py (+ _seq2seq, trainer_utils.py and debug_utils.py for the enums);
                   roots TrainingArguments and Seq2SeqTrainingArguments (dataclasses read by HfArgumentParser)
  deepspeed        deepspeed/runtime/zero/{config,offload_config}.py, runtime/precision_config.py, monitor/config.py,
                   comm/config.py (pydantic DeepSpeedConfigModel sections); roots zero_optimization, bf16, fp16, ...;
                   and root `config`: the top-level keys runtime/config.py reads one by one (get_scalar_param(
                   param_dict, NAME, NAME_DEFAULT), param_dict.get/[...]/in), names and defaults resolved from
                   runtime/constants.py and the constants modules config.py imports, each with the line it is read
                   at and where its name is defined (pseudo-class DeepSpeedConfig)
  peft             src/peft/config.py, src/peft/utils/peft_types.py, src/peft/tuners/*/config.py; one root per tuner
                   config (LoraConfig, ...)

A checkout of a wheel (`pip download X==R --no-deps`, unzipped) works too: point CHECKOUT at a folder holding the
package under the path the globs expect (e.g. put the wheel's `transformers/` under `src/`), and give the tag's
commit in --commit.
"""
import argparse
import ast
import glob
import json
import os
import re
import sys

SETS = {
    'axolotl': {
        'repo': 'axolotl-ai-cloud/axolotl',
        'globs': ['src/axolotl/utils/schemas/*.py', 'src/axolotl/utils/schemas/*/*.py', 'src/axolotl/integrations/*/args.py', 'src/axolotl/integrations/*/*/args.py'],
    },
    'llamafactory': {'repo': 'hiyouga/LlamaFactory', 'globs': ['src/llamafactory/hparams/*.py']},
    'llamafactory-v1': {'repo': 'hiyouga/LlamaFactory', 'globs': ['src/llamafactory/v1/config/*.py']},
    'trl': {'repo': 'huggingface/trl', 'globs': ['trl/trainer/*config*.py', 'trl/trainer/*/*config*.py', 'trl/experimental/*/*_config.py', 'trl/scripts/utils.py']},
    'transformers': {
        'repo': 'huggingface/transformers',
        'globs': ['src/transformers/training_args.py', 'src/transformers/training_args_seq2seq.py', 'src/transformers/trainer_utils.py', 'src/transformers/debug_utils.py'],
    },
    'deepspeed': {
        'repo': 'deepspeedai/DeepSpeed',
        'globs': ['deepspeed/runtime/zero/config.py', 'deepspeed/runtime/zero/offload_config.py', 'deepspeed/runtime/precision_config.py', 'deepspeed/monitor/config.py', 'deepspeed/comm/config.py', 'deepspeed/runtime/config_utils.py'],
    },
    'peft': {'repo': 'huggingface/peft', 'globs': ['src/peft/config.py', 'src/peft/utils/peft_types.py', 'src/peft/tuners/*/config.py']},
}

# The dataclasses TRL's TrlParser parses next to a *Config (tabled as roots of the TRL tables; not config classes).
TRL_SCRIPT_ROOTS = ('ScriptArguments', 'ModelConfig', 'DatasetMixtureConfig')

SCALARS = {'bool': 'bool', 'int': 'int', 'float': 'float', 'str': 'str', 'Any': 'any', 'dict': 'dict', 'list': 'list', 'object': 'any'}


def literal(node):
    """A Python literal as JSON (None when it is not a literal or not JSON-representable)."""
    if isinstance(node, ast.Call) and ast.unparse(node.func).split('.')[-1] in ('pp_int', 'int') and len(node.args) == 1 and not node.keywords:
        # DeepSpeed writes big int defaults as pp_int(5e8) (an int that prints with commas).
        v, ok = literal(node.args[0])
        return (int(v), True) if ok and isinstance(v, (int, float)) and not isinstance(v, bool) else (None, False)
    try:
        v = ast.literal_eval(node)
    except Exception:
        return None, False
    if isinstance(v, tuple):
        v = list(v)
    if isinstance(v, float) and (v != v or v in (float('inf'), float('-inf'))):
        return str(v), True
    try:
        json.dumps(v)
    except Exception:
        return None, False
    return v, True


def unwrap(ann):
    """Members of a union annotation (X | Y, Optional[X], Union[X, Y]), Annotated unwrapped."""
    if isinstance(ann, ast.BinOp) and isinstance(ann.op, ast.BitOr):
        return unwrap(ann.left) + unwrap(ann.right)
    if isinstance(ann, ast.Subscript):
        name = ast.unparse(ann.value).split('.')[-1]
        sl = ann.slice
        if name == 'Optional':
            return unwrap(sl) + [ast.Constant(None)]
        if name == 'Union':
            return [m for e in (sl.elts if isinstance(sl, ast.Tuple) else [sl]) for m in unwrap(e)]
        if name == 'Annotated':
            return unwrap(sl.elts[0] if isinstance(sl, ast.Tuple) else sl)
    if isinstance(ann, ast.Constant) and isinstance(ann.value, str):
        try:
            return unwrap(ast.parse(ann.value, mode='eval').body)
        except SyntaxError:
            return [ann]
    return [ann]


def annotated_constraints(ann, out):
    """Bounds written as Annotated[int, Field(ge=0)] / annotated_types.Ge(0)."""
    for n in ast.walk(ann):
        if isinstance(n, ast.Call):
            fn = ast.unparse(n.func).split('.')[-1]
            for kw in n.keywords:
                if kw.arg in ('ge', 'gt', 'le', 'lt'):
                    v, ok = literal(kw.value)
                    if ok and isinstance(v, (int, float)):
                        out[kw.arg] = v
            if fn in ('Ge', 'Gt', 'Le', 'Lt') and n.args:
                v, ok = literal(n.args[0])
                if ok and isinstance(v, (int, float)):
                    out[fn.lower()] = v


def describe_type(ann, classes_seen):
    members = unwrap(ann)
    nullable = False
    kinds, values, refs = [], [], []
    for m in members:
        if isinstance(m, ast.Constant) and m.value is None:
            nullable = True
            continue
        if isinstance(m, ast.Name) and m.id == 'None':
            nullable = True
            continue
        if isinstance(m, ast.Subscript):
            head = ast.unparse(m.value).split('.')[-1]
            if head == 'Literal':
                sl = m.slice
                for e in (sl.elts if isinstance(sl, ast.Tuple) else [sl]):
                    v, ok = literal(e)
                    if ok:
                        if v is None:
                            nullable = True
                        else:
                            values.append(v)
                kinds.append('literal')
                continue
            if head in ('list', 'List', 'Sequence', 'tuple', 'Tuple', 'set'):
                inner = m.slice.elts[0] if isinstance(m.slice, ast.Tuple) else m.slice
                ik = describe_type(inner, classes_seen)
                kinds.append('list[%s]' % (ik['kind'] if ik['kind'] else 'any'))
                refs.extend(ik['ref'])
                continue
            if head in ('dict', 'Dict', 'Mapping'):
                kinds.append('dict')
                continue
            kinds.append('any')
            continue
        name = ast.unparse(m).split('.')[-1].strip('"\'')
        if name in SCALARS:
            kinds.append(SCALARS[name])
        elif name and name[0].isupper():
            # A nested model, or an Enum (str enums are validated by value: recorded as `ref`).
            kinds.append('ref')
            refs.append(name)
        else:
            kinds.append('any')
    uniq = []
    for k in kinds:
        if k not in uniq:
            uniq.append(k)
    return {'kind': '|'.join(uniq) if uniq else 'any', 'nullable': nullable, 'values': values, 'ref': refs}


def call_name(v):
    return ast.unparse(v.func).split('.')[-1] if isinstance(v, ast.Call) else None


def field_info(stmt, style):
    """Default, doc and constraints of one annotated class attribute."""
    out = {'default': None, 'has_default': False, 'doc': '', 'factory': False}
    v = stmt.value
    if v is None:
        return out
    fn = call_name(v)
    if fn in ('Field', 'field'):
        if v.args:
            d, ok = literal(v.args[0])
            out['default'], out['has_default'] = (d, ok) if ok else (ast.unparse(v.args[0]), True)
            if isinstance(v.args[0], ast.Constant) and v.args[0].value is Ellipsis:
                out['default'], out['has_default'] = None, False
        for kw in v.keywords:
            if kw.arg == 'default':
                d, ok = literal(kw.value)
                out['default'], out['has_default'] = (d, True) if ok else (ast.unparse(kw.value), True)
            elif kw.arg == 'default_factory':
                out['has_default'], out['factory'] = True, True
                src = ast.unparse(kw.value)
                m = re.match(r'^lambda:\s*(.*)$', src)
                if m:
                    try:
                        d, ok = literal(ast.parse(m.group(1), mode='eval').body)
                        out['default'] = d if ok else m.group(1)
                    except SyntaxError:
                        out['default'] = m.group(1)
                else:
                    out['default'] = {'list': [], 'dict': {}}.get(src, src + '()')
            elif kw.arg in ('ge', 'gt', 'le', 'lt'):
                d, ok = literal(kw.value)
                if ok and isinstance(d, (int, float)):
                    out[kw.arg] = d
            elif kw.arg == 'alias':
                d, ok = literal(kw.value)
                if ok and isinstance(d, str):
                    out['aliases'] = [d]
            elif kw.arg == 'validation_alias' and isinstance(kw.value, ast.Call):
                out['aliases'] = [x for x in (literal(e)[0] for e in kw.value.args) if isinstance(x, str)]
            elif kw.arg == 'description':
                d, ok = literal(kw.value)
                if ok and isinstance(d, str):
                    out['doc'] = d
            elif kw.arg in ('json_schema_extra', 'metadata') and isinstance(kw.value, ast.Dict):
                for k, val in zip(kw.value.keys, kw.value.values):
                    kk, ok = literal(k) if k is not None else (None, False)
                    if ok and kk in ('description', 'help'):
                        d, ok2 = literal(val)
                        if ok2 and isinstance(d, str):
                            out['doc'] = d
                        elif isinstance(val, ast.JoinedStr) or isinstance(val, ast.BinOp):
                            out['doc'] = re.sub(r'\s+', ' ', ast.unparse(val))[:400]
                    elif ok and kk == 'choices':
                        d, ok2 = literal(val)
                        if ok2 and isinstance(d, list):
                            out['choices'] = d
    else:
        d, ok = literal(v)
        out['default'], out['has_default'] = (d, True) if ok else (ast.unparse(v), True)
    return out


def is_model_class(node):
    names = [ast.unparse(b).split('.')[-1] for b in node.bases]
    decos = [ast.unparse(d).split('(')[0].split('.')[-1] for d in node.decorator_list]
    return 'dataclass' in decos or any(n in ('BaseModel',) or n.endswith('Config') or n.endswith('Arguments') or n.endswith('Args') or n.endswith('Mixin') or n.endswith('Parameters') or n.endswith('Dataset') for n in names) or node.name.endswith(('Config', 'Arguments', 'Args', 'Mixin', 'Parameters', 'Dataset'))


def enum_values(node):
    """Members of an Enum class (`name = "value"`); (values, open): open when a member's value is not a literal
    (e.g. `int4 = torch.int4`), in which case the names are listed and the set is not enforced."""
    vals, open_ = [], False
    for s in node.body:
        if isinstance(s, ast.Assign) and len(s.targets) == 1 and isinstance(s.targets[0], ast.Name):
            v, ok = literal(s.value)
            if ok and isinstance(v, (str, int)):
                vals.append(v)
            else:
                open_ = True
                vals.append(s.targets[0].id)
    return vals, open_


def model_extra(node):
    """What a pydantic model says about keys it has no field for, where the class itself says it: (value, line) of
    `model_config = ConfigDict(extra=...)` (pydantic 2) or `class Config: extra = ...` (pydantic 1), the value as
    pydantic spells it (`forbid`, `ignore`, `allow`; an `Extra.forbid` member by its name). None when the class does
    not set it (a base may: the reader walks `bases`; pydantic's own default is `ignore`)."""
    for s in node.body:
        if isinstance(s, ast.Assign) and len(s.targets) == 1 and isinstance(s.targets[0], ast.Name) and s.targets[0].id == 'model_config' and isinstance(s.value, ast.Call):
            for kw in s.value.keywords:
                if kw.arg == 'extra':
                    v, ok = literal(kw.value)
                    return (v if ok else ast.unparse(kw.value).split('.')[-1]), kw.value.lineno
        if isinstance(s, ast.ClassDef) and s.name == 'Config':
            for t in s.body:
                if isinstance(t, ast.Assign) and len(t.targets) == 1 and isinstance(t.targets[0], ast.Name) and t.targets[0].id == 'extra':
                    v, ok = literal(t.value)
                    return (v if ok else ast.unparse(t.value).split('.')[-1]), t.value.lineno
    return None


def read_classes(root, globs):
    classes, enums = {}, {}
    files = sorted({f for g in globs for f in glob.glob(os.path.join(root, g))})
    for path in files:
        rel = os.path.relpath(path, root).replace(os.sep, '/')
        tree = ast.parse(open(path, encoding='utf-8').read(), filename=rel)
        consts = None
        for node in tree.body:
            if not isinstance(node, ast.ClassDef):
                continue
            bases = [ast.unparse(b).split('.')[-1] for b in node.bases]
            # str enums: `(str, Enum)`, StrEnum, and transformers' `ExplicitEnum` (a str Enum with a clearer error).
            if any(b in ('Enum', 'str', 'StrEnum', 'IntEnum', 'ExplicitEnum') for b in bases) and any('Enum' in b for b in bases):
                vals, open_ = enum_values(node)
                enums[node.name] = {'file': rel, 'line': node.lineno, 'values': vals, 'open': open_}
                continue
            if not is_model_class(node):
                continue
            fields = []
            for s in node.body:
                if not (isinstance(s, ast.AnnAssign) and isinstance(s.target, ast.Name)):
                    continue
                name = s.target.id
                if name.startswith('_') or name == 'model_config' or 'ClassVar' in ast.unparse(s.annotation):
                    continue
                t = describe_type(s.annotation, classes)
                fi = field_info(s, 'pydantic')
                f = {'name': name, 'type': ast.unparse(s.annotation), 'kind': t['kind'], 'nullable': t['nullable'], 'line': s.lineno}
                if fi['has_default']:
                    f['default'] = fi['default']
                    # A default named by a module constant (DeepSpeed: `enabled: bool = COMMS_LOGGER_ENABLED_DEFAULT`,
                    # from `from .constants import *`): its value, and the constant's name.
                    dv = s.value if s.value is not None and not isinstance(s.value, ast.Call) else None
                    if isinstance(dv, ast.Name) and fi['default'] == dv.id:
                        if consts is None:
                            consts = imported_constants(root, rel, tree)
                            consts.update(module_constants(root, rel))
                        if dv.id in consts:
                            f['default'], f['default_const'] = consts[dv.id][0], dv.id
                else:
                    f['required'] = True
                if t['values']:
                    f['values'] = t['values']
                if fi.get('aliases'):
                    f['aliases'] = fi['aliases']
                if fi.get('choices'):
                    f['values'] = fi['choices']
                if t['ref']:
                    f['ref'] = t['ref']
                cons = {}
                annotated_constraints(s.annotation, cons)
                for k in ('ge', 'gt', 'le', 'lt'):
                    if k in fi:
                        cons[k] = fi[k]
                f.update(cons)
                if fi['doc']:
                    f['doc'] = re.sub(r'\s+', ' ', fi['doc']).strip()
                fields.append(f)
            doc = ast.get_docstring(node) or ''
            classes[node.name] = {'file': rel, 'line': node.lineno, 'bases': bases, 'doc': re.sub(r'\s+', ' ', doc).strip()[:300], 'fields': fields}
            ex = model_extra(node)
            if ex:
                classes[node.name]['extra'], classes[node.name]['extra_line'] = ex
    return classes, enums


def resolve_enum_refs(classes, enums):
    """A field typed with a str Enum gets the Enum's values (pydantic and HfArgumentParser accept exactly those)."""
    for c in classes.values():
        for f in c['fields']:
            for r in f.get('ref', []):
                if r in enums and enums[r]['values']:
                    f.setdefault('values', [])
                    for v in enums[r]['values']:
                        if v not in f['values']:
                            f['values'].append(v)
                    f['enum'] = r
                    if enums[r]['open']:
                        f['open'] = True
            if 'ref' in f:
                f['ref'] = [r for r in f['ref'] if r in classes]
                if not f['ref']:
                    del f['ref']


def parser_lists(root, rel, names):
    """Class names in module-level lists such as `_TRAIN_ARGS = [ModelArguments, ...]` (what HfArgumentParser gets)."""
    path = os.path.join(root, rel)
    if not os.path.exists(path):
        return {}
    out = {}
    body = list(ast.parse(open(path, encoding='utf-8').read()).body)
    # Also the lists set under a module-level `if` (`if is_mcore_adapter_available() and is_env_enabled("USE_MCA"):
    # _TRAIN_MCA_ARGS = [...] else: _TRAIN_MCA_ARGS = []`): the non-empty one is what that launch parses.
    for node in list(body):
        if isinstance(node, ast.If):
            body += node.body + node.orelse
    for node in body:
        if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name) and node.targets[0].id in names and isinstance(node.value, ast.List) and node.value.elts:
            out.setdefault(names[node.targets[0].id], [ast.unparse(e).split('.')[-1] for e in node.value.elts])
    return out


def roots_for(fw, classes, root='.'):
    if fw == 'axolotl':
        # A plugin's input model: a BaseModel in integrations/*/args.py that no other model nests.
        nested = {r for c in classes.values() for f in c['fields'] for r in f.get('ref', [])}
        plugins = sorted(n for n, c in classes.items() if '/integrations/' in c['file'] and 'BaseModel' in c['bases'] and n not in nested and c['fields'])
        return {'config': ['AxolotlConfigWCapabilities'], 'plugins': plugins}
    if fw == 'llamafactory':
        # What each command's HfArgumentParser gets (src/llamafactory/hparams/parser.py).
        # `mca`: the USE_MCA=1 launch (0.9.4 on), whose training arguments are mcore_adapter's (an external class: not
        # in `classes`, so its fields, Megatron-Core's parallelism keys, are not tabled).
        roots = parser_lists(root, 'src/llamafactory/hparams/parser.py', {'_TRAIN_ARGS': 'config', '_INFER_ARGS': 'infer', '_EVAL_ARGS': 'eval', '_TRAIN_MCA_ARGS': 'mca'})
        roots.setdefault('config', [n for n in ('ModelArguments', 'DataArguments', 'TrainingArguments', 'FinetuningArguments', 'GeneratingArguments') if n in classes])
        # Parsed only by some launches: Megatron Bridge (USE_MEGATRON_BRIDGE) and `llamafactory-cli eval`.
        for key, name in (('megatron_bridge', 'MegatronBridgeArguments'),):
            if name in classes:
                roots[key] = [name]
        return roots
    if fw == 'llamafactory-v1':
        return {'config': [n for n in ('ModelArguments', 'DataArguments', 'TrainingArguments', 'SampleArguments') if n in classes]}
    if fw == 'trl':
        # Every *Config built on TrainingArguments, and the dataclasses TrlParser parses next to one (`trl sft
        # --config`, the example scripts): ScriptArguments (trl/scripts/utils.py), ModelConfig
        # (trl/trainer/model_config.py), DatasetMixtureConfig (trl/scripts/utils.py) where the release has them.
        configs = {n: [n] for n in sorted(classes) if re.match(r'^[A-Z][A-Za-z0-9]*Config$', n) and n not in TRL_SCRIPT_ROOTS and 'TrainingArguments' in closure_bases(n, classes)}
        return {**configs, **{n: [n] for n in TRL_SCRIPT_ROOTS if n in classes}}
    if fw == 'transformers':
        # What HfArgumentParser(TrainingArguments) / (Seq2SeqTrainingArguments) accepts.
        return {n: [n] for n in ('TrainingArguments', 'Seq2SeqTrainingArguments') if n in classes}
    if fw == 'deepspeed':
        # The pydantic sections of a DeepSpeed JSON (the top level is read key by key in runtime/config.py).
        return {k: [n] for k, n in (('zero_optimization', 'DeepSpeedZeroConfig'), ('bf16', 'DeepSpeedBF16Config'), ('fp16', 'DeepSpeedFP16Config'), ('comms_logger', 'CommsLoggerConfig')) if n in classes}
    if fw == 'peft':
        # Every tuner config (LoraConfig, ...): the keys of an adapter_config.json or of a `peft:` block.
        return {n: [n] for n in sorted(classes) if n.endswith('Config') and 'PeftConfig' in closure_bases(n, classes)}
    return {}


def closure_bases(name, classes, seen=None):
    seen = seen if seen is not None else set()
    out = []
    for b in classes.get(name, {}).get('bases', []):
        if b in seen:
            continue
        seen.add(b)
        out.append(b)
        out.extend(closure_bases(b, classes, seen))
    return out


# ---------------------------------------------------------------------------------------------------------------
# DeepSpeed's top level: not a model. runtime/config.py reads each key one by one from the config dict
# (`get_scalar_param(param_dict, TRAIN_BATCH_SIZE, TRAIN_BATCH_SIZE_DEFAULT)`, `param_dict.get(KEY, {})`,
# `param_dict[KEY]`, `KEY in param_dict`), with the names and defaults as NAME / NAME_DEFAULT constants of
# runtime/constants.py (and the constants modules config.py imports). Unknown top-level keys are ignored.

DS_READERS = ('get_scalar_param', 'get_list_param', 'get_dict_param')


def module_file(root, pkg_file, module, level):
    """The .py file of an import (`from .constants import *` in deepspeed/runtime/config.py), or None."""
    base = os.path.dirname(pkg_file)
    for _ in range(max(level - 1, 0)):
        base = os.path.dirname(base)
    parts = module.split('.') if module else []
    if level == 0:
        base = ''
    cand = os.path.join(base, *parts)
    for c in (cand + '.py', os.path.join(cand, '__init__.py')):
        if os.path.exists(os.path.join(root, c)):
            return c.replace(os.sep, '/')
    return None


def module_constants(root, rel):
    """Module-level `NAME = literal` (or `= OTHER_NAME`) assignments of one file: name -> (value, file, line)."""
    out = {}
    tree = ast.parse(open(os.path.join(root, rel), encoding='utf-8').read())
    for node in tree.body:
        if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
            v, ok = literal(node.value)
            if ok:
                out[node.targets[0].id] = (v, rel, node.lineno)
            elif isinstance(node.value, ast.Name) and node.value.id in out:
                out[node.targets[0].id] = (out[node.value.id][0], rel, node.lineno)
    return out


def imported_constants(root, rel, tree):
    """The constants a module sees through `from X import *` / `from X import (A, B)` (one level deep)."""
    out = {}
    for node in tree.body:
        if isinstance(node, ast.ImportFrom):
            f = module_file(root, rel, node.module or '', node.level)
            if not f:
                continue
            consts = module_constants(root, f)
            for a in node.names:
                if a.name == '*':
                    out.update({k: v for k, v in consts.items() if not k.startswith('_')})
                elif a.name in consts:
                    out[a.asname or a.name] = consts[a.name]
    return out


def kind_of(v):
    """The table `kind` of a default value (bool before int: a Python bool is an int)."""
    for t, k in ((bool, 'bool'), (int, 'int'), (float, 'float'), (str, 'str'), (list, 'list[any]'), (dict, 'dict')):
        if isinstance(v, t):
            return k
    return 'any'


def deepspeed_top_level(root):
    """A pseudo-class `DeepSpeedConfig` (deepspeed/runtime/config.py) whose fields are the top-level keys that file
    reads: {name, type, kind, nullable, default, line (the read in config.py), read (how), const/const_file/const_line
    (where the key's name is defined), default_const (its NAME_DEFAULT), doc}. None when the file is missing."""
    rel = 'deepspeed/runtime/config.py'
    path = os.path.join(root, rel)
    if not os.path.exists(path):
        return None
    tree = ast.parse(open(path, encoding='utf-8').read(), filename=rel)
    consts = imported_constants(root, rel, tree)
    consts.update(module_constants(root, rel))
    fields = {}
    cls_line = next((n.lineno for n in tree.body if isinstance(n, ast.ClassDef) and n.name == 'DeepSpeedConfig'), 1)

    def name_of(node):
        """A key name: a string literal or a constant that holds one; (name, const) or (None, None)."""
        v, ok = literal(node)
        if ok and isinstance(v, str):
            return v, None
        if isinstance(node, ast.Name) and node.id in consts and isinstance(consts[node.id][0], str):
            return consts[node.id][0], node.id
        return None, None

    def is_dict(node, names):
        # names: name -> the line from which it no longer holds the whole dict (`param_dict = param_dict[X]` in
        # 0.17.6 get_eigenvalue_config: what follows reads the sub-dict).
        if isinstance(node, ast.Name) and node.id in names:
            return node.lineno < names[node.id]
        return isinstance(node, ast.Attribute) and node.attr == '_param_dict'

    def scope(fn, names):
        """`names` with the line each is first assigned to in `fn` (a rebinding ends its reads as the whole dict)."""
        out = {n: 10 ** 9 for n in names}
        for a in ast.walk(fn):
            if isinstance(a, ast.Assign):
                for t in a.targets:
                    if isinstance(t, ast.Name) and t.id in out:
                        out[t.id] = min(out[t.id], a.lineno)
        return out

    def add(key, const, line, read, default=None, has_default=False, default_const=None, kind=None):
        if key is None:
            return
        f = fields.get(key)
        if f is None:
            f = fields[key] = {'name': key, 'line': line, 'read': read}
            if const:
                f['const'], f['const_file'], f['const_line'] = const, consts[const][1], consts[const][2]
        if has_default and 'default' not in f:
            f['default'] = default
            f['read'], f['line'] = read, line
            if default_const:
                f['default_const'] = default_const
        if kind and 'kind_hint' not in f:
            f['kind_hint'] = kind

    def walk(fn, names):
        parents = {}
        for n in ast.walk(fn):
            for c in ast.iter_child_nodes(n):
                parents[c] = n
        for n in ast.walk(fn):
            if isinstance(n, ast.Call) and call_name(n) in DS_READERS and len(n.args) >= 2 and is_dict(n.args[0], names):
                key, const = name_of(n.args[1])
                d, dc, ok = None, None, False
                if len(n.args) >= 3:
                    d, ok = literal(n.args[2])
                    if not ok and isinstance(n.args[2], ast.Name) and n.args[2].id in consts:
                        d, ok, dc = consts[n.args[2].id][0], True, n.args[2].id
                add(key, const, n.lineno, call_name(n), d, ok, dc, {'get_list_param': 'list[any]', 'get_dict_param': 'dict'}.get(call_name(n)))
            elif isinstance(n, ast.Call) and isinstance(n.func, ast.Attribute) and n.func.attr == 'get' and is_dict(n.func.value, names) and n.args:
                key, const = name_of(n.args[0])
                d, ok = (literal(n.args[1]) if len(n.args) > 1 else (None, True))
                dc = None
                if len(n.args) > 1 and not ok and isinstance(n.args[1], ast.Name) and n.args[1].id in consts:
                    d, ok, dc = consts[n.args[1].id][0], True, n.args[1].id
                add(key, const, n.lineno, 'param_dict.get', d, ok, dc, 'dict' if isinstance(d, dict) else None)
            elif isinstance(n, ast.Subscript) and is_dict(n.value, names) and isinstance(n.ctx, ast.Load):
                key, const = name_of(n.slice)
                p = parents.get(n)
                nested = isinstance(p, ast.Subscript) and p.value is n or isinstance(p, ast.Attribute) and p.attr in ('keys', 'get', 'items') or isinstance(p, ast.Compare) and p.comparators and p.comparators[0] is n or isinstance(p, ast.keyword) and p.arg is None
                add(key, const, n.lineno, 'param_dict[...]', kind='dict' if nested else None)
            elif isinstance(n, ast.Compare) and len(n.ops) == 1 and isinstance(n.ops[0], ast.In):
                c = n.comparators[0]
                if is_dict(c, names) or isinstance(c, ast.Call) and isinstance(c.func, ast.Attribute) and c.func.attr == 'keys' and is_dict(c.func.value, names):
                    key, const = name_of(n.left)
                    add(key, const, n.lineno, 'in param_dict')

    # Only what DeepSpeedConfig reads: its methods, and the module functions they (or those) call with the whole
    # dict as first argument (get_sparse_attention_mode(sparsity) takes a sub-dict, also named param_dict).
    funcs = {n.name: n for n in tree.body if isinstance(n, ast.FunctionDef)}
    todo, done = [], set()
    for node in tree.body:
        if isinstance(node, ast.ClassDef) and node.name == 'DeepSpeedConfig':
            for m in node.body:
                if isinstance(m, ast.FunctionDef):
                    # __init__(self, config, ...): `config` is the whole config dict there.
                    todo.append((m, {'param_dict'} | ({'config'} if m.name == '__init__' else set())))
    while todo:
        fn, names = todo.pop(0)
        names = scope(fn, names)
        walk(fn, names)
        for n in ast.walk(fn):
            if isinstance(n, ast.Call) and isinstance(n.func, ast.Name) and n.func.id in funcs and n.func.id not in done and n.args and is_dict(n.args[0], names):
                done.add(n.func.id)
                f = funcs[n.func.id]
                if f.args.args:
                    todo.append((f, {f.args.args[0].arg}))
    out = []
    for f in sorted(fields.values(), key=lambda x: x['line']):
        has = 'default' in f
        k = f.pop('kind_hint', None) or (kind_of(f['default']) if has and f['default'] is not None else 'any')
        d = f.get('default')
        how = {'in param_dict': '`%s in param_dict`' % f['name'], 'param_dict[...]': "param_dict['%s']" % f['name'], 'param_dict.get': "param_dict.get('%s')" % f['name']}.get(f['read'], f['read'])
        src = '%s, %s' % (how, ('default %s = %r' % (f['default_const'], d)) if f.get('default_const') else ('default %r' % (d,)) if has else 'no default')
        const = (' (%s, %s:%d)' % (f['const'], f['const_file'], f['const_line'])) if f.get('const') else ''
        entry = {'name': f['name'], 'type': k if k != 'any' else 'Any', 'kind': k, 'nullable': not has or d is None, 'line': f['line']}
        if has:
            entry['default'] = d
        entry['doc'] = 'Top-level key%s read by runtime/config.py (%s); DeepSpeed does not check its type.' % (const, src)
        for x in ('read', 'const', 'const_file', 'const_line', 'default_const'):
            if x in f:
                entry[x] = f[x]
        out.append(entry)
    return {'file': rel, 'line': cls_line, 'bases': [], 'doc': 'The top-level keys runtime/config.py reads one by one (not a pydantic model: unknown keys are ignored).', 'fields': out}



def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('framework', choices=sorted(SETS))
    ap.add_argument('checkout')
    ap.add_argument('--release', required=True)
    ap.add_argument('--commit', help='the full commit id of the checkout (required unless --wheel is given)')
    ap.add_argument('--wheel', help='when CHECKOUT is an unzipped PyPI wheel: "<file name> sha256:<hex>" (recorded as `source`)')
    ap.add_argument('--out', default=os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'src', 'core', 'config', 'tables'))
    a = ap.parse_args()
    if a.commit is None and not a.wheel:
        sys.exit('give --commit (a git checkout) or --wheel (an unzipped PyPI wheel)')
    if a.commit is not None and not re.match(r'^[0-9a-f]{40}$', a.commit):
        sys.exit('--commit must be a full 40-hex commit id')
    spec = SETS[a.framework]
    classes, enums = read_classes(a.checkout, spec['globs'])
    if not classes:
        sys.exit('no model classes found under %s (is it a %s checkout?)' % (a.checkout, a.framework))
    resolve_enum_refs(classes, enums)
    roots = roots_for(a.framework, classes, a.checkout)
    if a.framework == 'deepspeed':
        top = deepspeed_top_level(a.checkout)
        if top:
            classes['DeepSpeedConfig'] = top
            roots = {'config': ['DeepSpeedConfig'], **roots}
    external = sorted({b for r in roots.values() for n in r for b in [n] + closure_bases(n, classes) if b not in classes and b not in ('BaseModel', 'object', 'Generic')})
    table = {
        'framework': a.framework,
        'release': a.release,
        'commit': a.commit,
        **({'source': 'pypi ' + a.wheel} if a.wheel else {}),
        'repo': spec['repo'],
        'generator': 'scripts/gen-key-tables.py',
        'roots': roots,
        'external': external,
        'classes': classes,
    }
    os.makedirs(a.out, exist_ok=True)
    out = os.path.join(a.out, '%s-%s.json' % (a.framework, a.release))
    with open(out, 'w', encoding='utf-8') as fh:
        json.dump(table, fh, indent=1, sort_keys=False, ensure_ascii=False)
        fh.write('\n')
    n = sum(len(c['fields']) for c in classes.values())
    print('%s: %d classes, %d fields, roots %s' % (os.path.relpath(out), len(classes), n, ', '.join('%s=%d' % (k, len(v)) for k, v in roots.items())[:200]))


if __name__ == '__main__':
    main()
