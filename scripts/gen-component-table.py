#!/usr/bin/env python3
"""Signature table of torchtune `_component_`s (and torch.optim classes) from their source, for issue 15.

torchtune's `config.instantiate(cfg, *args, **kwargs)` (torchtune/config/_instantiate.py) imports the dotted
`_component_` path and calls it with every other key of the node as a keyword argument, so a key the callable does
not take raises TypeError ("got an unexpected keyword argument") before training starts. This script reads the
signatures with Python's `ast` only (nothing is imported or run) and writes, per dotted path a config can name:
its parameters (name, whether it has a default, the default's source text, keyword-only), whether it takes
`**kwargs`, and the file and line it is defined at.

    python3 scripts/gen-component-table.py torchtune --src <root holding torchtune/> 0.6.1 <sha> --src ... (newest first)
    python3 scripts/gen-component-table.py torch --src <root holding torch/optim/> 2.14.1 <sha> --src ...

Paths are what a config can write: a definition's own module path (`torchtune.models.llama3._model_builders.x`)
and every re-export (`from ._model_builders import x` in `torchtune/models/llama3/__init__.py` gives
`torchtune.models.llama3.x`). A class without its own `__init__` takes its base's (resolved within the table), a
dataclass its fields; a class whose constructor cannot be read is left out (never checked).
Writes src/core/config/tables/<name>-components.json: `releases`, `signatures` (deduplicated) and, per dotted path,
`[signature index, line]` at each release that has it.
"""
import argparse
import ast
import json
import os
import sys

OUT_DIR = os.path.join(os.path.dirname(__file__), '..', 'src', 'core', 'config', 'tables')
PACKAGES = {'torchtune': ['torchtune'], 'torch': ['torch/optim']}
# torchtune modules whose callables configs name (models, losses, schedulers, datasets, checkpointers, loggers...).
KEEP = {'torchtune': ('torchtune.',), 'torch': ('torch.optim.',)}


def module_name(root, path):
    rel = os.path.relpath(path, root)[:-3].replace(os.sep, '.')
    return rel[: -len('.__init__')] if rel.endswith('.__init__') else rel


def src(node, text):
    s = ast.get_source_segment(text, node) or ''
    return s if len(s) <= 40 else s[:37] + '...'


def params_of(fn, text, drop_self):
    a = fn.args
    pos = list(a.posonlyargs) + list(a.args)
    defaults = [None] * (len(pos) - len(a.defaults)) + list(a.defaults)
    out = []
    for i, (p, d) in enumerate(zip(pos, defaults)):
        if drop_self and i == 0:
            continue
        e = {'name': p.arg}
        if d is not None:
            e['default'] = src(d, text)
        else:
            e['required'] = True
        if p in a.posonlyargs:
            e['positionalOnly'] = True
        out.append(e)
    for p, d in zip(a.kwonlyargs, a.kw_defaults):
        e = {'name': p.arg, 'keywordOnly': True}
        if d is not None:
            e['default'] = src(d, text)
        else:
            e['required'] = True
        out.append(e)
    return out, a.kwarg is not None, a.vararg is not None


def is_dataclass(cls):
    for d in cls.decorator_list:
        n = d.func if isinstance(d, ast.Call) else d
        name = n.attr if isinstance(n, ast.Attribute) else getattr(n, 'id', '')
        if name == 'dataclass':
            return True
    return False


def collect(root, package_dirs):
    defs = {}      # module.name -> entry or ('inherit', [base dotted candidates])
    aliases = {}   # module.name -> dotted target
    for pd in package_dirs:
        for dirpath, _, files in os.walk(os.path.join(root, pd)):
            for f in sorted(files):
                if not f.endswith('.py'):
                    continue
                path = os.path.join(dirpath, f)
                text = open(path, encoding='utf-8').read()
                try:
                    tree = ast.parse(text)
                except SyntaxError:
                    continue
                mod = module_name(root, path)
                pkg = mod if f == '__init__.py' else mod.rsplit('.', 1)[0]
                rel = os.path.relpath(path, root).replace(os.sep, '/')
                local_imports = {}
                for node in tree.body:
                    if isinstance(node, ast.ImportFrom):
                        if node.level:
                            base = pkg
                            for _ in range(node.level - 1):
                                base = base.rsplit('.', 1)[0]
                            target = f'{base}.{node.module}' if node.module else base
                        else:
                            target = node.module or ''
                        for n in node.names:
                            if n.name == '*':
                                continue
                            local_imports[n.asname or n.name] = f'{target}.{n.name}'
                            if f == '__init__.py':  # a package's re-export is a path configs write
                                aliases[f'{mod}.{n.asname or n.name}'] = f'{target}.{n.name}'
                    elif isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name) \
                            and isinstance(node.value, ast.Call) and (ast.get_source_segment(text, node.value.func) or '').split('.')[-1] == 'partial' \
                            and node.value.args and isinstance(node.value.args[0], (ast.Name, ast.Attribute)):
                        # `alpaca_cleaned_dataset = partial(alpaca_dataset, source=...)`: the signature of the callee
                        # (the bound keywords can be given again: partial lets a call override them).
                        callee = ast.get_source_segment(text, node.value.args[0]) or ''
                        head = callee.split('.')[0]
                        aliases[f'{mod}.{node.targets[0].id}'] = local_imports.get(head, f'{mod}.{head}') + callee[len(head):]
                    elif isinstance(node, ast.FunctionDef):
                        ps, kw, va = params_of(node, text, False)
                        defs[f'{mod}.{node.name}'] = {'file': rel, 'line': node.lineno, 'params': ps, 'varkw': kw, 'varargs': va}
                    elif isinstance(node, ast.ClassDef):
                        init = next((b for b in node.body if isinstance(b, ast.FunctionDef) and b.name == '__init__'), None)
                        if init is not None:
                            ps, kw, va = params_of(init, text, True)
                            defs[f'{mod}.{node.name}'] = {'file': rel, 'line': node.lineno, 'params': ps, 'varkw': kw, 'varargs': va}
                        elif is_dataclass(node):
                            ps = []
                            for b in node.body:
                                if isinstance(b, ast.AnnAssign) and isinstance(b.target, ast.Name) and 'ClassVar' not in (ast.get_source_segment(text, b.annotation) or ''):
                                    e = {'name': b.target.id}
                                    if b.value is not None:
                                        e['default'] = src(b.value, text)
                                    else:
                                        e['required'] = True
                                    ps.append(e)
                            defs[f'{mod}.{node.name}'] = {'file': rel, 'line': node.lineno, 'params': ps, 'varkw': False, 'varargs': False}
                        else:
                            bases = []
                            for b in node.bases:
                                name = ast.get_source_segment(text, b) or ''
                                head = name.split('.')[0]
                                bases.append(local_imports.get(head, f'{mod}.{head}') + name[len(head):] if head in local_imports or '.' not in name else name)
                            defs[f'{mod}.{node.name}'] = ('inherit', bases, rel, node.lineno)
    return defs, aliases


def resolve(defs, aliases):
    def look(path, depth=0):
        if depth > 20:
            return None
        d = defs.get(path)
        if isinstance(d, dict):
            return d
        if isinstance(d, tuple):
            _, bases, rel, line = d
            if len(bases) != 1:
                return None
            b = look(bases[0], depth + 1)
            return {**b, 'file': rel, 'line': line, 'inheritsFrom': b.get('inheritsFrom', bases[0])} if b else None
        if path in aliases:
            return look(aliases[path], depth + 1)
        return None
    out = {}
    for path in sorted(set(defs) | set(aliases)):
        r = look(path)
        if r is not None and not path.split('.')[-1].startswith('_'):
            out[path] = r
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('name', choices=sorted(PACKAGES))
    ap.add_argument('--src', nargs=3, action='append', metavar=('ROOT', 'RELEASE', 'COMMIT'), required=True,
                    help='a source tree at one release (repeat, newest first)')
    a = ap.parse_args()
    sigs, index, comps, releases = [], {}, {}, []
    for root, release, commit in a.src:
        defs, aliases = collect(root, PACKAGES[a.name])
        found = {k: v for k, v in resolve(defs, aliases).items() if k.startswith(KEEP[a.name])}
        if a.name == 'torch':  # only classes (optimizers, LR schedulers): what configs name
            found = {k: v for k, v in found.items() if k.split('.')[-1][:1].isupper()}
        releases.append({'release': release, 'commit': commit, 'count': len(found)})
        for path, sig in sorted(found.items()):
            line = sig['line']
            sig = {k: v for k, v in sig.items() if k != 'line' and (v or k == 'params')}
            key = json.dumps(sig, sort_keys=True)
            if key not in index:
                index[key] = len(sigs)
                sigs.append(sig)
            comps.setdefault(path, {})[release] = [index[key], line]
        print(f'{release}: {len(found)} components', file=sys.stderr)
    table = {
        'framework': a.name,
        'repo': 'pytorch/torchtune' if a.name == 'torchtune' else 'pytorch/pytorch',
        'generator': 'scripts/gen-component-table.py',
        'releases': releases,
        'signatures': sigs,
        'components': comps,
    }
    out = os.path.join(OUT_DIR, f'{a.name}-components.json')
    with open(out, 'w', encoding='utf-8') as f:
        json.dump(table, f, separators=(',', ':'))
        f.write('\n')
    print(f'{out}: {len(comps)} paths, {len(sigs)} signatures', file=sys.stderr)


if __name__ == '__main__':
    main()
