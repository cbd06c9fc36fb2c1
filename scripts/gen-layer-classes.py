#!/usr/bin/env python3
"""Per transformers `model_type`: the layer classes FSDP wraps, read from transformers' own modeling files (issue 15).

FSDP's TRANSFORMER_BASED_WRAP finds the classes named in `transformer_layer_cls_to_wrap` by walking the model's
modules (accelerate utils/dataclasses.py `FullyShardedDataParallelPlugin.set_auto_wrap_policy`,
`get_module_class_from_name`); a name that is no module class of the model raises "Could not find the transformer
layer class ... in the model". transformers' own default for that setting is the model's `_no_split_modules`
(trainer.py / accelerate: `getattr(model, "_no_split_modules", None)`), the decoder layer (LlamaDecoderLayer,
Qwen2DecoderLayer, GPT2Block, ...).

Read with `ast` only: `configuration_<name>.py` gives each config class's `model_type`; the modeling file of the same
folder gives `_no_split_modules` (of its PreTrainedModel) and every `...Layer`/`...Block` class it defines or imports from
another model's modeling file (all the layer classes a model of that type can contain, so a valid choice is never
flagged; the rule judges only names that end in Layer or Block).

    python3 scripts/gen-layer-classes.py --src <root holding transformers/models> 5.18.0 <commit> --src ... (newest first)

Writes src/core/config/tables/transformers-layer-classes.json: `{ releases, models: { model_type: { noSplit: [...],
classes: [...], file } } }` (the union over the given releases; `noSplit` of the newest release that has it).
"""
import argparse
import ast
import json
import os
import sys

# Only layer-like classes are kept (the rule judges only names ending so): what FSDP configs wrap.
LAYER_SUFFIXES = ('Layer', 'Block')
OUT = os.path.join(os.path.dirname(__file__), '..', 'src', 'core', 'config', 'tables', 'transformers-layer-classes.json')


def parse(path):
    try:
        return ast.parse(open(path, encoding='utf-8').read())
    except (OSError, SyntaxError):
        return None


def model_types(cfg_tree):
    out = []
    for node in cfg_tree.body:
        if isinstance(node, ast.ClassDef):
            for b in node.body:
                if isinstance(b, ast.Assign) and any(isinstance(t, ast.Name) and t.id == 'model_type' for t in b.targets) \
                        and isinstance(b.value, ast.Constant) and isinstance(b.value.value, str):
                    out.append(b.value.value)
    return out


def modeling_facts(tree):
    classes, no_split = [], []
    for node in tree.body:
        if isinstance(node, ast.ClassDef):
            if node.name.endswith(LAYER_SUFFIXES) and node.name != 'GradientCheckpointingLayer':
                classes.append(node.name)
            for b in node.body:
                if isinstance(b, (ast.Assign, ast.AnnAssign)):
                    targets = b.targets if isinstance(b, ast.Assign) else [b.target]
                    if any(isinstance(t, ast.Name) and t.id == '_no_split_modules' for t in targets) and isinstance(b.value, (ast.List, ast.Tuple)):
                        for e in b.value.elts:
                            if isinstance(e, ast.Constant) and isinstance(e.value, str) and e.value not in no_split:
                                no_split.append(e.value)
        elif isinstance(node, ast.ImportFrom) and node.module and 'modeling_' in node.module:
            classes.extend(n.asname or n.name for n in node.names if (n.asname or n.name).endswith(LAYER_SUFFIXES) and n.name != 'GradientCheckpointingLayer')
    return classes, no_split


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--src', nargs=3, action='append', metavar=('ROOT', 'RELEASE', 'COMMIT'), required=True)
    a = ap.parse_args()
    models, releases = {}, []
    for root, release, commit in a.src:
        base = os.path.join(root, 'transformers', 'models')
        n = 0
        for name in sorted(os.listdir(base)):
            d = os.path.join(base, name)
            cfg = parse(os.path.join(d, f'configuration_{name}.py'))
            mod = parse(os.path.join(d, f'modeling_{name}.py'))
            if cfg is None or mod is None:
                continue
            classes, no_split = modeling_facts(mod)
            for mt in model_types(cfg):
                m = models.setdefault(mt, {'noSplit': no_split, 'classes': [], 'file': f'src/transformers/models/{name}/modeling_{name}.py'})
                if not m['noSplit']:
                    m['noSplit'] = no_split
                m['classes'] = sorted(set(m['classes']) | set(classes) | set(no_split))
                n += 1
        releases.append({'release': release, 'commit': commit, 'modelTypes': n})
        print(f'{release}: {n} model types', file=sys.stderr)
    table = {'framework': 'transformers', 'repo': 'huggingface/transformers', 'generator': 'scripts/gen-layer-classes.py', 'releases': releases, 'models': dict(sorted(models.items()))}
    with open(OUT, 'w', encoding='utf-8') as f:
        json.dump(table, f, separators=(',', ':'))
        f.write('\n')
    print(f'{OUT}: {len(models)} model types', file=sys.stderr)


if __name__ == '__main__':
    main()
