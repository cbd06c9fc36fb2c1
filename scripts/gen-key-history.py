#!/usr/bin/env python3
"""Writes the key history of a framework: in which releases each config key exists (added, removed).

Usage:
  python3 scripts/gen-key-history.py FRAMEWORK GIT_DIR TAG [TAG ...] [--out FILE]
  python3 scripts/gen-key-history.py transformers --dir RELEASE FOLDER SOURCE [--dir ...] [--removed-in R=KEY[:NEW],...]

  FRAMEWORK  trl | axolotl | llamafactory | peft | transformers
  GIT_DIR    a git directory of the framework's repository with its release tags (a bare clone is enough)
  TAG        the releases to table, e.g. v0.12.2 v0.13.0 (sorted by version; every tag listed is read)

Reads each TAG's source with `git archive` and the same `ast` reader as scripts/gen-key-tables.py (never imports
the framework). Per framework:
  trl           the fields of every *Config class built on TrainingArguments (trl/trainer/*config*.py) and of their
                bases inside TRL; transformers' TrainingArguments fields are left out (they follow transformers'
                version, not TRL's). `script`: the fields of ScriptArguments, ModelConfig and DatasetMixtureConfig
                (trl/scripts/utils.py or trl/utils.py, trl/trainer/model_config.py), which TrlParser takes too.
  axolotl       top level: the fields (and pydantic aliases) of AxolotlConfigWCapabilities with its mixins, plus
                every integration plugin's args model; `datasets[]`: the fields of the models the `datasets` field
                takes (SFTDataset, DPODataset, ...). Before 0.8 the models were in
                src/axolotl/utils/config/models/input/v0_4_1/; a tag with no pydantic config (0.4.0) adds no key
                data. `datasetTypes`: the prompt-strategy modules of src/axolotl/prompt_strategies/ (what
                `type: sharegpt.load_role` imports), over every tag listed (0.4.0 included).
  llamafactory  the fields of the dataclasses HfArgumentParser gets (`_TRAIN_ARGS`, `_INFER_ARGS`, `_EVAL_ARGS` of
                hparams/parser.py, with their bases inside LLaMA-Factory; transformers' Seq2SeqTrainingArguments is
                left out); src/llmtuner/ (releases before 0.8) is read as src/llamafactory/.
  peft          the fields of LoraConfig (src/peft/tuners/lora/config.py, src/peft/tuners/lora.py before 0.7) with its
                bases inside PEFT (PeftConfig, PeftConfigMixin of src/peft/config.py or src/peft/utils/config.py):
                the keyword arguments the frameworks pass to LoraConfig (TRL's get_peft_config, Axolotl's
                load_lora, LLaMA-Factory's adapter.py), which raises TypeError on one its release lacks.
  transformers  the fields of TrainingArguments and Seq2SeqTrainingArguments (src/transformers/training_args*.py),
                what HfArgumentParser accepts. The repository is too large to fetch whole, so each release may be
                an unzipped PyPI wheel instead of a tag: `--dir 5.18.0 /tmp/tf-5.18.0 "pypi transformers-5.18.0-
                py3-none-any.whl sha256:<hex>"` (the wheel's transformers/ under FOLDER/src/). Two tabled releases
                with releases between them that were not read (another major, or a minor skipped: 4.57.6 and
                5.17.0) are listed in `unread`: a key that appears or goes between them is dated "after 4.57.6",
                not "in 5.17.0". `--removed-in 5.0.0=no_cuda:use_cpu,logging_dir` dates removals that the source
                of the release itself documents (transformers' MIGRATION_GUIDE_V5.md, "## Trainer") and names the
                key that replaces one (`notes`); each must be in the tabled release before it and absent after.

Output src/core/config/tables/<framework>-key-history.json:
{framework, repo, generator, releases: [oldest..newest], commits, keys: {name: [first, last]},
 nested?: {"datasets[]": {name: [first, last]}}, datasetTypes?: {releases, commits, types: {module: [first, last]}}}
(trl also `classes`: {releases, commits, names: {class: {name: [first, last]}}}, each *Config class's own keys,
over the tags and --class-tags; peft also `values`: {field: {value: [first, last]}}, the values of the Literal fields in VALUE_FIELDS), with indices into
`releases`: the key exists from releases[first] through releases[last] (last = newest: still
there). Only releases with key data are in `releases`. transformers: `commits` are null and `sources` name the
wheels; `unread` lists [i, i+1] pairs with unread releases between; `notes` {key: {removedIn, to?}}.
"""
import argparse
import importlib.util
import json
import os
import re
import shutil
import subprocess
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
spec = importlib.util.spec_from_file_location('gen_key_tables', os.path.join(HERE, 'gen-key-tables.py'))
gkt = importlib.util.module_from_spec(spec)
spec.loader.exec_module(gkt)
defaults_spec = importlib.util.spec_from_file_location('gen_trl_defaults', os.path.join(HERE, 'gen-trl-defaults.py'))
gtd = importlib.util.module_from_spec(defaults_spec)
defaults_spec.loader.exec_module(gtd)

# Source folders per framework (each is archived when the tag has it).
PATHS = {
    'trl': ['trl'],
    'axolotl': ['src/axolotl/utils/schemas', 'src/axolotl/utils/config/models', 'src/axolotl/integrations', 'src/axolotl/prompt_strategies'],
    'llamafactory': ['src/llamafactory/hparams', 'src/llmtuner/hparams'],
    'peft': ['src/peft/tuners/lora', 'src/peft/tuners/lora.py', 'src/peft/config.py', 'src/peft/utils/config.py'],
}
# Frameworks the key-table generator (gen-key-tables.py) has no set for: their repository, globs and root classes.
# peft: the Literal fields whose values are tabled by release. Only init_lora_weights: `bias` and `task_type` were
# plain str (accepting the same values) before their Literal annotations, so their annotations do not date values.
VALUE_FIELDS = {'peft': ['init_lora_weights']}
EXTRA = {'peft': {'repo': 'huggingface/peft', 'globs': ['src/peft/tuners/lora/config.py', 'src/peft/tuners/lora.py', 'src/peft/config.py', 'src/peft/utils/config.py'], 'roots': {'config': ['LoraConfig']}}}
AXOLOTL_OLD_GLOBS = ['src/axolotl/utils/config/models/input/v0_4_1/*.py']
# trl: the dataclasses TrlParser parses next to the *Config class (`trl sft --config`, the example scripts):
# ScriptArguments (trl/scripts/utils.py; trl/utils.py before 0.13), ModelConfig (trl/trainer/model_config.py) and
# DatasetMixtureConfig where a release has it. trl/scripts/vllm_serve.py's ScriptArguments (a server) is not read.
TRL_SCRIPT_GLOBS = ['trl/scripts/utils.py', 'trl/utils.py', 'trl/trainer/model_config.py']
TRL_SCRIPT_ROOTS = list(gkt.TRL_SCRIPT_ROOTS)
# Dataset fields of Axolotl's config whose entries are models (their keys are tabled under `<field>[]`).
NESTED = {'axolotl': ['datasets']}


def archive(git_dir, tag, paths, dest):
    """Extracts the `paths` of `tag` that exist into dest."""
    have = [p for p in paths if subprocess.run(['git', '--git-dir', git_dir, 'cat-file', '-e', '%s:%s' % (tag, p)], capture_output=True).returncode == 0]
    if not have:
        return
    arch = subprocess.run(['git', '--git-dir', git_dir, 'archive', tag] + have, capture_output=True, check=True)
    subprocess.run(['tar', '-x', '-C', dest], input=arch.stdout, check=True)


def fields_of(names, classes, aliases=False):
    """Field names (and pydantic aliases) of the classes `names` with their bases inside the framework."""
    out = set()
    for n in names:
        if n not in classes:
            continue
        for c in gtd.mro(n, classes):
            for f in classes[c]['fields']:
                out.add(f['name'])
                if aliases:
                    out.update(a for a in f.get('aliases', []) if isinstance(a, str))
    return out


def literal_values(names, classes, fw):
    """{field: set of its Literal values} of the classes `names` with their bases (e.g. LoraConfig.init_lora_weights)."""
    out = {}
    for n in names:
        for c in gtd.mro(n, classes) if n in classes else []:
            for f in classes[c]['fields']:
                if f.get('values') and f['name'] in VALUE_FIELDS.get(fw, []):
                    out.setdefault(f['name'], set()).update(v for v in f['values'] if isinstance(v, str))
    return out


def keys_in_dir(folder, fw):
    """The keys HfArgumentParser takes for `fw` (transformers) from a source folder (a checkout or an unzipped wheel)."""
    classes, enums = gkt.read_classes(folder, gkt.SETS[fw]['globs'])
    gkt.resolve_enum_refs(classes, enums)
    names = sorted({n for ns in gkt.roots_for(fw, classes, folder).values() for n in ns})
    if not names:
        raise SystemExit('%s: no %s root classes under %s' % (fw, ', '.join(('TrainingArguments', 'Seq2SeqTrainingArguments')), folder))
    return fields_of(names, classes)


def unread_pairs(releases):
    """Indices [i, i+1] of adjacent releases with releases between them that were not read: another major, or a
    minor skipped (4.57.6 -> 5.17.0; 5.17.0 -> 5.18.0 is read through)."""
    out = []
    for i in range(len(releases) - 1):
        a = [int(x) for x in re.findall(r'\d+', releases[i])[:2]]
        b = [int(x) for x in re.findall(r'\d+', releases[i + 1])[:2]]
        if a[0] != b[0] or b[1] - a[1] > 1:
            out.append([i, i + 1])
    return out


def dir_history(a):
    """The transformers history from --dir folders (one per release, oldest first after sorting)."""
    dirs = sorted(a.dir, key=lambda d: [int(x) for x in re.findall(r'\d+', d[0])])
    rels = [d[0] for d in dirs]
    keys = [keys_in_dir(d[1], a.framework) for d in dirs]
    doc = {'framework': a.framework, 'repo': gkt.SETS[a.framework]['repo'], 'generator': 'scripts/gen-key-history.py',
           'releases': rels, 'commits': [None] * len(rels), 'sources': [d[2] for d in dirs], 'keys': spans(keys),
           'unread': unread_pairs(rels)}
    notes = {}
    for spec in a.removed_in:
        rel, _, names = spec.partition('=')
        for item in names.split(','):
            key, _, to = item.strip().partition(':')
            span = doc['keys'].get(key)
            # The release before the removal has it, the first tabled release at or past the removal does not.
            if not span or span[1] == len(rels) - 1 or gkt_cmp(rels[span[1]], rel) >= 0 or gkt_cmp(rels[span[1] + 1], rel) < 0:
                raise SystemExit('--removed-in %s: %s is not in %s and absent from the next tabled release' % (rel, key, 'the release before it'))
            if to and to not in keys[-1]:
                raise SystemExit('--removed-in %s: %s -> %s, which the newest release does not have' % (rel, key, to))
            notes[key] = {'removedIn': rel, **({'to': to} if to else {})}
    if notes:
        doc['notes'] = dict(sorted(notes.items()))
        doc['notesSource'] = a.notes_source
    return doc


def gkt_cmp(x, y):
    """Compares two release strings numerically (-1, 0, 1)."""
    p = [int(v) for v in re.findall(r'\d+', x)]
    q = [int(v) for v in re.findall(r'\d+', y)]
    return (p > q) - (p < q)


def keys_at(git_dir, tag, fw, skip):
    """(top-level keys, {nested path: keys}, dataset type modules or None, {field: Literal values}) of one release;
    keys None = no key data."""
    with tempfile.TemporaryDirectory() as tmp:
        archive(git_dir, tag, PATHS[fw], tmp)
        old = os.path.join(tmp, 'src', 'llmtuner')
        if fw == 'llamafactory' and os.path.isdir(old) and not os.path.isdir(os.path.join(tmp, 'src', 'llamafactory')):
            shutil.move(old, os.path.join(tmp, 'src', 'llamafactory'))
        globs = EXTRA[fw]['globs'] if fw in EXTRA else gkt.SETS[fw]['globs'] + (AXOLOTL_OLD_GLOBS if fw == 'axolotl' else [])
        classes, enums = gkt.read_classes(tmp, globs)
        types = None
        if fw == 'axolotl':
            ps = os.path.join(tmp, 'src', 'axolotl', 'prompt_strategies')
            if os.path.isdir(ps):
                types = {re.sub(r'\.py$', '', n) for n in os.listdir(ps) if not n.startswith('_') and (n.endswith('.py') or os.path.isdir(os.path.join(ps, n)))}
                types.discard('base')
        if not classes:
            return None, {}, types, {}, {}
        gkt.resolve_enum_refs(classes, enums)
        roots = EXTRA[fw]['roots'] if fw in EXTRA else gkt.roots_for(fw, classes, tmp)
        if fw == 'trl':
            # The *Config classes only: ScriptArguments/ModelConfig are the `script` group below.
            roots = {k: v for k, v in roots.items() if k not in gkt.TRL_SCRIPT_ROOTS}
        if fw == 'llamafactory':
            roots = {k: v for k, v in roots.items() if k in ('config', 'infer', 'eval', 'megatron_bridge')}
        names = sorted({n for ns in roots.values() for n in ns})
        if not any(n in classes for n in names):
            return None, {}, types, {}, {}
        keys = fields_of(names, classes, aliases=fw == 'axolotl') - skip
        nested = {}
        for field in NESTED.get(fw, []):
            refs = set()
            for n in names:
                for c in gtd.mro(n, classes) if n in classes else []:
                    for f in classes[c]['fields']:
                        if f['name'] == field:
                            # `ref`, else the model names in the annotation (0.5/0.6: `conlist(Union[SFTDataset, ...])`).
                            refs.update(f.get('ref') or [w for w in re.findall(r'\w+', f['type']) if w in classes])
            if refs:
                nested[field + '[]'] = fields_of(sorted(refs), classes, aliases=True)
        per_class = {r: fields_of(ns, classes) - skip for r, ns in roots.items()} if fw == 'trl' else {}
        if fw == 'trl':
            sc, se = gkt.read_classes(tmp, TRL_SCRIPT_GLOBS)
            gkt.resolve_enum_refs(sc, se)
            nested['script'] = fields_of(TRL_SCRIPT_ROOTS, sc)
        return keys, nested, types, literal_values(names, classes, fw), per_class


def spans(per):
    """{name: [first, last]} over a list of sets (None entries skipped by the caller)."""
    out = {}
    for i, ks in enumerate(per):
        for k in ks:
            out.setdefault(k, [i, i])[1] = i
    return dict(sorted(out.items()))


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('framework', choices=sorted(PATHS) + ['transformers'])
    ap.add_argument('git_dir', nargs='?')
    ap.add_argument('tags', nargs='*')
    ap.add_argument('--dir', nargs=3, action='append', default=[], metavar=('RELEASE', 'FOLDER', 'SOURCE'),
                    help='transformers: a release read from a folder (a checkout or an unzipped wheel) and where it came from')
    ap.add_argument('--removed-in', action='append', default=[], help='transformers: RELEASE=KEY[:NEW],... removals the release documents')
    ap.add_argument('--notes-source', default=None, help='transformers: where --removed-in comes from (file and commit)')
    ap.add_argument('--out')
    ap.add_argument('--class-tags', nargs='*', default=[], help='trl: older tags read only for `classes` (e.g. v0.8.6, before SFTConfig existed)')
    a = ap.parse_args()
    if a.framework == 'transformers':
        if not a.dir:
            ap.error('transformers: give each release with --dir RELEASE FOLDER SOURCE')
        doc = dir_history(a)
        out = a.out or os.path.join(HERE, '..', 'src', 'core', 'config', 'tables', 'transformers-key-history.json')
        with open(out, 'w', encoding='utf-8') as fh:
            json.dump(doc, fh, indent=0)
            fh.write('\n')
        print('%s: %d keys over %d releases, %d dated by notes' % (os.path.relpath(out), len(doc['keys']), len(doc['releases']), len(doc.get('notes', {}))))
        return
    if not a.git_dir or not a.tags:
        ap.error('give GIT_DIR and at least one TAG')
    tags = sorted(a.tags, key=lambda t: [int(x) for x in re.findall(r'\d+', t)])
    skip = gtd.training_argument_names() if a.framework == 'trl' else set()
    commit = {t: subprocess.check_output(['git', '--git-dir', a.git_dir, 'rev-list', '-n1', t], text=True).strip() for t in tags}
    got = {t: keys_at(a.git_dir, t, a.framework, skip) for t in tags}
    with_keys = [t for t in tags if got[t][0] is not None]
    doc = {'framework': a.framework, 'repo': (EXTRA.get(a.framework) or gkt.SETS[a.framework])['repo'], 'generator': 'scripts/gen-key-history.py',
           'releases': [t.lstrip('v') for t in with_keys], 'commits': [commit[t] for t in with_keys],
           'keys': spans([got[t][0] for t in with_keys])}
    paths = sorted({p for t in with_keys for p in got[t][1]})
    if paths:
        doc['nested'] = {p: spans([got[t][1].get(p, set()) for t in with_keys]) for p in paths}
    fields = sorted({f for t in with_keys for f in got[t][3]})
    if fields:
        # peft: the values each Literal field accepts, by release ({field: {value: [first, last]}}).
        doc['values'] = {f: spans([got[t][3].get(f, set()) for t in with_keys]) for f in fields}
    if a.framework == 'trl':
        # Per class ({SFTConfig: {key: [first, last]}}) over the tags and the --class-tags: a key that moved between
        # trainers or into a config class (SFTTrainer keyword arguments became SFTConfig fields in 0.9).
        ctags = sorted(set(tags) | set(a.class_tags), key=lambda t: [int(x) for x in re.findall(r'\d+', t)])
        for t in ctags:
            if t not in got:
                commit[t] = subprocess.check_output(['git', '--git-dir', a.git_dir, 'rev-list', '-n1', t], text=True).strip()
                got[t] = keys_at(a.git_dir, t, a.framework, skip)
        cls_names = sorted({c for t in ctags for c in got[t][4]})
        doc['classes'] = {'releases': [t.lstrip('v') for t in ctags], 'commits': [commit[t] for t in ctags],
                          'names': {c: spans([got[t][4].get(c, set()) for t in ctags]) for c in cls_names}}
    with_types = [t for t in tags if got[t][2] is not None]
    if with_types:
        doc['datasetTypes'] = {'releases': [t.lstrip('v') for t in with_types], 'commits': [commit[t] for t in with_types],
                               'types': spans([got[t][2] for t in with_types])}
    out = a.out or os.path.join(HERE, '..', 'src', 'core', 'config', 'tables', '%s-key-history.json' % a.framework)
    with open(out, 'w', encoding='utf-8') as fh:
        json.dump(doc, fh, indent=0)
        fh.write('\n')
    print('%s: %d keys over %d releases%s' % (os.path.relpath(out), len(doc['keys']), len(with_keys),
                                               ', %d dataset types over %d' % (len(doc['datasetTypes']['types']), len(with_types)) if with_types else ''))


if __name__ == '__main__':
    main()
