#!/usr/bin/env python3
"""Writes the key history of a framework: in which releases each top-level config key exists (added, removed).

Usage:
  python3 scripts/gen-key-history.py trl GIT_DIR TAG [TAG ...] [--out FILE]

Reads each TAG's source with `git archive` and the same `ast` reader as scripts/gen-key-tables.py (never imports
the framework): the fields of the root classes (for TRL every *Config class built on TrainingArguments) and of their
bases inside the framework. transformers' TrainingArguments fields are left out (they follow transformers'
version, not TRL's). Output src/core/config/tables/<framework>-key-history.json:
{framework, repo, generator, releases: [oldest..newest], commits, keys: {name: [first, last]}} with indices into
`releases`: the key exists from releases[first] through releases[last] (last = newest: still there).
"""
import argparse
import importlib.util
import json
import os
import re
import subprocess
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
spec = importlib.util.spec_from_file_location('gen_key_tables', os.path.join(HERE, 'gen-key-tables.py'))
gkt = importlib.util.module_from_spec(spec)
spec.loader.exec_module(gkt)
defaults_spec = importlib.util.spec_from_file_location('gen_trl_defaults', os.path.join(HERE, 'gen-trl-defaults.py'))
gtd = importlib.util.module_from_spec(defaults_spec)
defaults_spec.loader.exec_module(gtd)


def keys_at(git_dir, tag, fw, skip):
    with tempfile.TemporaryDirectory() as tmp:
        top = {'trl': ['trl']}[fw]
        arch = subprocess.run(['git', '--git-dir', git_dir, 'archive', tag] + top, capture_output=True, check=True)
        subprocess.run(['tar', '-x', '-C', tmp], input=arch.stdout, check=True)
        classes, _ = gkt.read_classes(tmp, gkt.SETS[fw]['globs'])
        roots = gkt.roots_for(fw, classes, tmp)
        keys = set()
        for names in roots.values():
            for n in names:
                for c in gtd.mro(n, classes):
                    keys.update(f['name'] for f in classes[c]['fields'])
        return keys - skip


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('framework', choices=['trl'])
    ap.add_argument('git_dir')
    ap.add_argument('tags', nargs='+')
    ap.add_argument('--out')
    a = ap.parse_args()
    tags = sorted(a.tags, key=lambda t: [int(x) for x in re.findall(r'\d+', t)])
    skip = gtd.training_argument_names()
    per = [keys_at(a.git_dir, t, a.framework, skip) for t in tags]
    keys = {}
    for i, ks in enumerate(per):
        for k in ks:
            keys.setdefault(k, [i, i])[1] = i
    out = a.out or os.path.join(HERE, '..', 'src', 'core', 'config', 'tables', '%s-key-history.json' % a.framework)
    commits = [subprocess.check_output(['git', '--git-dir', a.git_dir, 'rev-list', '-n1', t], text=True).strip() for t in tags]
    with open(out, 'w', encoding='utf-8') as fh:
        json.dump({'framework': a.framework, 'repo': gkt.SETS[a.framework]['repo'], 'generator': 'scripts/gen-key-history.py',
                   'releases': [t.lstrip('v') for t in tags], 'commits': commits, 'keys': dict(sorted(keys.items()))}, fh, indent=0)
        fh.write('\n')
    print('%s: %d keys over %d releases' % (os.path.relpath(out), len(keys), len(tags)))


if __name__ == '__main__':
    main()
