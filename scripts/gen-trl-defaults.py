#!/usr/bin/env python3
"""Writes the TrainingArguments defaults that each TRL config class overrides, for several TRL releases.

Usage:
  python3 scripts/gen-trl-defaults.py TRL_GIT_DIR TAG [TAG ...] [--out FILE]

  TRL_GIT_DIR  a git directory of huggingface/trl (a clone or a bare mirror); each TAG is read with `git archive`
  --out        default src/core/config/tables/trl-defaults.json

TRL's trainer configs (SFTConfig, DPOConfig, GRPOConfig, KTOConfig, ORPOConfig, ...) subclass transformers'
TrainingArguments and re-declare some of its fields with other defaults ("Parameters whose default values are
overridden from TrainingArguments"), some through a shared TRL base (`_BaseConfig` in trl/trainer/base_config.py
from 1.x). A config YAML parsed by `TrlParser`/`HfArgumentParser` into such a class gets those defaults, not
TrainingArguments'. This script reads the classes with `ast` (never imports TRL; same reader as
scripts/gen-key-tables.py), keeps the fields whose names are TrainingArguments fields (the hand-written spec
src/core/config/schemas/hf.ts `trainingArguments`), and notes the `bf16 = not fp16 if bf16 is None` rule of
`__post_init__` (TRL >= 0.20: bf16 defaults to True unless fp16 is set).

Output: {generator, repo, releases: [{release, commit, classes: {Name: {file, line, defaults: {key: {value, line,
file}}, bf16NotFp16?: true}}}]}, newest release first.
"""
import argparse
import importlib.util
import json
import os
import re
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
spec = importlib.util.spec_from_file_location('gen_key_tables', os.path.join(HERE, 'gen-key-tables.py'))
gkt = importlib.util.module_from_spec(spec)
spec.loader.exec_module(gkt)


def training_argument_names():
    """Field names of transformers TrainingArguments as the hand-written spec lists them."""
    text = open(os.path.join(HERE, '..', 'src', 'core', 'config', 'schemas', 'hf.ts'), encoding='utf-8').read()
    block = text[text.index('export const trainingArguments'):]
    block = block[:block.index('\n};')]
    return set(re.findall(r'^  (\w+):', block, re.M))


def mro(name, classes):
    out, seen = [name], {name}
    for b in gkt.closure_bases(name, classes):
        if b in classes and b not in seen:
            seen.add(b)
            out.append(b)
    return out


def one_release(git_dir, tag, ta):
    commit = subprocess.check_output(['git', '--git-dir', git_dir, 'rev-list', '-n1', tag], text=True).strip()
    with tempfile.TemporaryDirectory() as tmp:
        arch = subprocess.run(['git', '--git-dir', git_dir, 'archive', tag, 'trl/trainer', 'trl/experimental'], capture_output=True)
        if arch.returncode != 0:
            arch = subprocess.run(['git', '--git-dir', git_dir, 'archive', tag, 'trl/trainer'], capture_output=True, check=True)
        subprocess.run(['tar', '-x', '-C', tmp], input=arch.stdout, check=True)
        classes, _ = gkt.read_classes(tmp, gkt.SETS['trl']['globs'])
        roots = gkt.roots_for('trl', classes, tmp)
        out = {}
        for name in sorted(roots):
            defaults = {}
            for cls in mro(name, classes):  # own fields first: the first declaration wins, as in Python
                for f in classes[cls]['fields']:
                    if f['name'] in ta and f['name'] not in defaults and 'default' in f:
                        defaults[f['name']] = {'value': f['default'], 'line': f['line'], 'file': classes[cls]['file']}
            if not defaults:
                continue
            entry = {'file': classes[name]['file'], 'line': classes[name]['line'], 'defaults': defaults}
            files = {classes[c]['file'] for c in mro(name, classes)}
            if 'bf16' in defaults and defaults['bf16']['value'] is None and any(
                    re.search(r'self\.bf16\s*=\s*not\s*\(?\s*self\.fp16\s*\)?\s*if\s+self\.bf16\s+is\s+None', open(os.path.join(tmp, p), encoding='utf-8').read()) for p in files):
                entry['bf16NotFp16'] = True
            out[name] = entry
    return {'release': tag.lstrip('v'), 'commit': commit, 'classes': out}


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('git_dir')
    ap.add_argument('tags', nargs='+')
    ap.add_argument('--out', default=os.path.join(HERE, '..', 'src', 'core', 'config', 'tables', 'trl-defaults.json'))
    a = ap.parse_args()
    ta = training_argument_names()
    if len(ta) < 50:
        sys.exit('could not read the TrainingArguments field names from schemas/hf.ts')
    releases = [one_release(a.git_dir, t, ta) for t in a.tags]
    releases.sort(key=lambda r: [int(x) for x in re.findall(r'\d+', r['release'])], reverse=True)
    with open(a.out, 'w', encoding='utf-8') as fh:
        json.dump({'generator': 'scripts/gen-trl-defaults.py', 'repo': 'huggingface/trl', 'releases': releases}, fh, indent=1)
        fh.write('\n')
    for r in releases:
        print('%s: %s' % (r['release'], ', '.join('%s(%d)' % (n, len(c['defaults'])) for n, c in r['classes'].items())))


if __name__ == '__main__':
    main()
