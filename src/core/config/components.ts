/**
 * Signatures of torchtune `_component_`s and torch optimizers, generated from their source by
 * `scripts/gen-component-table.py` (tables/torchtune-components.json, tables/torch-components.json: per dotted path,
 * the signature at each tabled release, with the file and line it is defined at), and the rule that checks a
 * config's component nodes against them (issue 15).
 *
 * Mirrors torchtune/config/_instantiate.py: `instantiate(config, *args, **kwargs)` imports `_component_` and calls it
 * with the recipe's positional `args`, then every other key of the node as a keyword argument, so a key the callable
 * does not take raises TypeError ("got an unexpected keyword argument") and a required parameter nobody passes
 * raises TypeError ("missing 1 required positional argument") before training starts.
 */
import type { Fix } from './types';
import type { RuleContext } from './engine';
import type { CEntry, CNode } from './tree';
import { getEntry } from './tree';
import { compareVersions } from './trlDefaults';
import { didYouMean } from './suggest';
import torchtuneTable from './tables/torchtune-components.json';
import torchTable from './tables/torch-components.json';

/** One parameter as written in the source: `default` is its source text; `required` when it has none. */
export interface ComponentParam { name: string; default?: string; required?: boolean; keywordOnly?: boolean; positionalOnly?: boolean }
/** A callable's signature (a class: its `__init__` without `self`, or its base's; a dataclass: its fields). */
export interface ComponentSignature { file: string; params: ComponentParam[]; varkw?: boolean; varargs?: boolean; inheritsFrom?: string }
/** A generated table: `components[path][release] = [index into signatures, line]`. */
export interface ComponentTable {
  framework: string;
  repo: string;
  generator: string;
  /** Newest first. */
  releases: { release: string; commit: string; count: number }[];
  signatures: ComponentSignature[];
  components: Record<string, Record<string, [number, number]>>;
}

export const COMPONENT_TABLES: Record<'torchtune' | 'torch', ComponentTable> = {
  torchtune: torchtuneTable as unknown as ComponentTable,
  torch: torchTable as unknown as ComponentTable,
};

/** The table a dotted path belongs to: `torch.optim.*` -> torch, `torchtune.*` -> torchtune. */
function tableFor(path: string): 'torch' | 'torchtune' | undefined {
  return path.startsWith('torch.optim.') ? 'torch' : path.startsWith('torchtune.') ? 'torchtune' : undefined;
}

/**
 * The tabled release that describes `version`: the newest release not newer than it (a `+main.<sha>` snapshot only
 * for a version past its base release). Undefined when `version` is older than every tabled release.
 */
export function releaseFor(t: ComponentTable, version: string): string | undefined {
  for (const r of t.releases) {
    const [base, local] = r.release.split('+');
    const c = compareVersions(base, version);
    if (c < 0 || (c === 0 && !local) || (c === 0 && r.release === version)) return r.release;
  }
  return undefined;
}

/**
 * What the component checks assume for the run's version of `fw` (issue 15, "a user can see which framework version
 * the checks assume"): `torchtune 0.6.1 (a6290a5b) component signatures`, with `, the newest table at or below the
 * run's 0.6.3` when the version is between tables, or `...: the run's 0.2.1 is older than every table (the oldest is
 * 0.4.0), so component arguments are not checked` when {@link releaseFor} finds none (componentSignatures then gives
 * nothing). `what` names the table's contents (`component`, `optimizer`).
 */
export function componentTableText(fw: 'torchtune' | 'torch', version: string, what: string): string {
  const t = COMPONENT_TABLES[fw];
  const r = releaseFor(t, version);
  if (!r) return `${fw} ${what} signatures: the run's ${version} is older than every table (the oldest is ${t.releases[t.releases.length - 1].release}), so ${what} arguments are not checked`;
  const at = t.releases.find((x) => x.release === r)!;
  const commit = /^[0-9a-f]{40}$/.test(at.commit) ? at.commit.slice(0, 8) : 'no commit recorded';
  return `${fw} ${r} (${commit}) ${what} signatures${r.split('+')[0] === version ? '' : `, the newest table at or below the run's ${version}`}`;
}

/**
 * Issue 15 (a run between two tabled releases): when the run's version of `path`'s framework lies strictly between
 * the release {@link releaseFor} picks and the next tabled one (torch 2.5.0 between 1.13.1 and 2.14.1), and that next
 * release's callable takes `key` (or `**kwargs`), the release that may have added it and the versions; undefined
 * otherwise (no version, a tabled release itself, or the next release does not take it either).
 */
function laterReleaseTaking(path: string, versions: Record<string, string> | undefined, key: string): { fw: string; version: string; release: string } | undefined {
  const fw = tableFor(path);
  const v = fw && versions?.[fw];
  if (!fw || !v) return undefined;
  const t = COMPONENT_TABLES[fw];
  const used = releaseFor(t, v);
  if (!used || used.split('+')[0] === v) return undefined;
  const next = [...t.releases].reverse().find((r) => compareVersions(r.release.split('+')[0], v) > 0);
  const at = next && t.components[path]?.[next.release];
  const sig = at ? t.signatures[at[0]] : undefined;
  return sig && (sig.varkw || sig.params.some((p) => p.name === key && !p.positionalOnly)) ? { fw, version: v, release: next!.release } : undefined;
}

/** A signature of `path` at one release, with where it is defined (`file:line`). */
export interface SignatureAt { release: string; sig: ComponentSignature; line: number; framework: 'torch' | 'torchtune' }

/**
 * The signatures of a dotted `_component_` path: at the release that describes `versions[torch|torchtune]` when
 * that version is known, else at every tabled release that has the path (checks then hold only where they all
 * agree). Empty when the path is not in a table (not a torch.optim / torchtune callable, or not readable there).
 */
export function componentSignatures(path: string, versions: Record<string, string> | undefined): SignatureAt[] {
  const fw = tableFor(path);
  if (!fw) return [];
  const t = COMPONENT_TABLES[fw];
  const per = t.components[path];
  if (!per) return [];
  const v = versions?.[fw];
  const releases = v ? [releaseFor(t, v)].filter((r): r is string => r !== undefined) : Object.keys(per);
  return releases.filter((r) => per[r]).map((r) => ({ release: r, sig: t.signatures[per[r][0]], line: per[r][1], framework: fw }));
}

/**
 * What torchtune's recipes pass to `config.instantiate` themselves, by top-level config key (recipes/full_finetune_*.py,
 * lora_finetune_*.py): `positional` leading parameters and `keywords`. Required parameters are checked only under
 * these keys (a nested or recipe-specific node may get more from its recipe).
 */
const RECIPE_ARGS: Record<string, { positional: number; keywords: string[] }> = {
  model: { positional: 0, keywords: [] },
  loss: { positional: 0, keywords: [] },
  // `config.instantiate(cfg_lr_scheduler, optimizer, num_training_steps=..., last_epoch=...)`
  lr_scheduler: { positional: 1, keywords: ['num_training_steps', 'last_epoch'] },
};

/**
 * torch optimizers' own argument checks (torch/optim/adamw.py, adam.py, sgd.py ... `__init__`: `if not 0.0 <= lr:
 * raise ValueError("Invalid learning rate")`, `"Invalid epsilon value"`, `"Invalid beta parameter at index 0"`
 * (0.0 <= beta < 1.0), `"Invalid weight_decay value"`, SGD `"Invalid momentum value"`).
 */
const OPTIM_BOUNDS: Record<string, { min: number; what: string }> = {
  lr: { min: 0, what: 'Invalid learning rate' },
  eps: { min: 0, what: 'Invalid epsilon value' },
  weight_decay: { min: 0, what: 'Invalid weight_decay value' },
  momentum: { min: 0, what: 'Invalid momentum value' },
};

function label(s: SignatureAt[]): string {
  const rs = s.map((x) => x.release.split('+')[0]);
  const uniq = [...new Set(rs)];
  return `${s[0].framework} ${uniq.length === 1 ? uniq[0] : `${uniq[uniq.length - 1]}–${uniq[0]}`}`;
}

function loadedNumber(n: CNode | null): number | undefined {
  return n?.kind === 'scalar' && typeof n.value === 'number' ? n.value : undefined;
}

/**
 * Checks every `_component_` node of a torchtune config against the callable's signature at the torch/torchtune
 * version of the run (`component-kwarg`: an unknown keyword, error; `component-missing-arg`: a required parameter of
 * a model builder, loss or LR scheduler that the config does not give, error; `out-of-range`: torch optimizer
 * bounds, error). Nodes whose callable takes `**kwargs`, interpolated values and paths outside the tables are skipped.
 */
export function torchtuneComponentArgs(ctx: RuleContext): void {
  const versions = ctx.opts.versions;
  const visit = (n: CNode | null, top: string | undefined, depth: number) => {
    if (!n || depth > 64) return;
    if (n.kind === 'seq') { for (const it of n.items!) visit(it, top, depth + 1); return; }
    if (n.kind !== 'map') return;
    const comp = getEntry(n, '_component_');
    const path = comp?.value?.kind === 'scalar' && typeof comp.value.value === 'string' ? comp.value.value : undefined;
    if (comp && path) checkNode(ctx, n, comp, path, top, depth, versions);
    for (const e of n.entries!) if (e.key !== '_component_') visit(e.value, depth === 0 ? e.key : top, depth + 1);
  };
  visit(ctx.root, undefined, 0);
}

function checkNode(ctx: RuleContext, n: CNode, comp: CEntry, path: string, top: string | undefined, depth: number, versions: Record<string, string> | undefined): void {
  const sigs = componentSignatures(path, versions);
  if (!sigs.length) return;
  const where = `${path} (${label(sigs)}, ${sigs[0].sig.file}:${sigs[0].line})`;
  const kwargs = n.entries!.filter((e) => !e.key.startsWith('_'));
  // Unknown keyword: TypeError in every release considered (a release whose callable takes it, or **kwargs, wins).
  if (!sigs.some((s) => s.sig.varkw)) {
    for (const e of kwargs) {
      if (sigs.some((s) => s.sig.params.some((p) => p.name === e.key && !p.positionalOnly))) continue;
      const names = [...new Set(sigs.flatMap((s) => s.sig.params.filter((p) => !p.positionalOnly).map((p) => p.name)))];
      const sugg = didYouMean(e.key, names.filter((k) => !getEntry(n, k)));
      const fixes: Fix[] = sugg ? [{ title: `Change to \`${sugg}\``, edits: [ctx.replaceWord(e.keyStart, e.keyEnd, sugg)], isPreferred: true }] : [{ title: `Remove \`${e.key}\``, edits: [ctx.deleteEntry(e)] }];
      const later = laterReleaseTaking(path, versions, e.key);
      if (later) {
        ctx.at(e, 'component-kwarg', 'warning', `\`${e.key}\` is not a parameter of ${where}, the table used for the run's ${later.fw} ${later.version}, and is one in ${later.fw} ${later.release}; the releases between were not read, so whether ${later.fw} ${later.version} takes it is not known. If it does not, config.instantiate raises TypeError "got an unexpected keyword argument '${e.key}'".`, { fixes: [{ title: `Remove \`${e.key}\``, edits: [ctx.deleteEntry(e)] }] });
        continue;
      }
      ctx.at(e, 'component-kwarg', 'error', `\`${e.key}\` is not a parameter of ${where}: config.instantiate passes every key of this node as a keyword argument, so it raises TypeError "got an unexpected keyword argument '${e.key}'".${sugg ? ` Did you mean \`${sugg}\`?` : ` It takes: ${names.slice(0, 12).join(', ')}${names.length > 12 ? ', …' : ''}.`}`, { fixes });
    }
  }
  // Required parameters nobody passes (only where the recipe's own arguments are known).
  const recipe = depth === 1 && top ? RECIPE_ARGS[top] : undefined;
  if (recipe && !sigs.some((s) => s.sig.varargs)) {
    const missing = sigs.map((s) => s.sig.params.filter((p, i) => p.required && i >= recipe.positional && !recipe.keywords.includes(p.name) && !getEntry(n, p.name)).map((p) => p.name));
    const always = missing[0].filter((m) => missing.every((ms) => ms.includes(m)));
    if (always.length) ctx.at(comp, 'component-missing-arg', 'error', `${where} needs ${always.map((m) => `\`${m}\``).join(', ')}, which \`${top}\` does not set and the recipe does not pass: config.instantiate raises TypeError "missing ${always.length} required ${always.length === 1 ? 'argument' : 'arguments'}".`, { at: 'value' });
  }
  // LR scheduler warmup: a step count (int >= 0); the schedulers divide by it.
  const warm = getEntry(n, 'num_warmup_steps');
  const wv = loadedNumber(warm?.value ?? null);
  if (warm && wv !== undefined && (wv < 0 || !Number.isInteger(wv)) && sigs.some((s) => s.sig.params.some((p) => p.name === 'num_warmup_steps'))) {
    ctx.at(warm, 'out-of-range', 'error', `num_warmup_steps must be a whole number of steps ≥ 0 (${where}: the scheduler compares it with the step count and divides by it); got ${wv}.`, { at: 'value' });
  }
  if (!path.startsWith('torch.optim.') || path.includes('lr_scheduler')) return;
  for (const e of kwargs) {
    const b = OPTIM_BOUNDS[e.key];
    const v = loadedNumber(e.value);
    if (b && v !== undefined && v < b.min) ctx.at(e, 'out-of-range', 'error', `${e.key} must be ≥ ${b.min} for ${path}; got ${v}. torch raises ValueError "${b.what}: ${v}" when the optimizer is built (${sigs[0].sig.file}).`, { at: 'value' });
    if (e.key === 'betas' && e.value?.kind === 'seq') {
      e.value.items!.forEach((it, i) => {
        const bv = loadedNumber(it);
        if (bv !== undefined && (bv < 0 || bv >= 1)) ctx.add('out-of-range', 'error', `betas[${i}] must be in [0, 1) for ${path}; got ${bv}. torch raises ValueError "Invalid beta parameter at index ${i}: ${bv}" when the optimizer is built (${sigs[0].sig.file}).`, it.start, it.end);
      });
    }
  }
}
