/**
 * The validation engine: one pass over the parsed tree against the framework's key specs (unknown, renamed, typed,
 * enum and YAML-1.1 pitfalls), then the framework's cross-field and cross-file rules.
 */
import type { ConfigFact, ConfigIssue, Fix, Framework, RelatedLocation, Severity, ValidateOptions, RuleOptions } from './types';
import type { CEntry, CNode, ParsedConfig } from './tree';
import { getEntry, getPath, toValue } from './tree';
import type { KeySpec, ObjSpec, Rename } from './spec';
import { compareVersions } from './trlDefaults';
import type { YamlLoader } from './pyyaml';
import { LOOKS_NUMERIC, resolvePlain } from './pyyaml';
import { LineIndex } from './lineIndex';
import { didYouMean } from './suggest';
import { laxFromString, laxKindOf } from './pydanticLax';

/** A reference from one config to another file (DeepSpeed JSON, Accelerate YAML). */
export interface ConfigRef { key: string; path: string; resolved: string; start: number; end: number; kind: 'deepspeed' | 'accelerate' | 'fsdp' }

export interface FrameworkDef {
  id: Framework;
  label: string;
  loader: YamlLoader;
  root: ObjSpec;
  /**
   * A number written so that the loader yields a str (`1e-5` for PyYAML): `coerce` when the framework converts it
   * (pydantic lax mode), otherwise the severity to report it with.
   */
  numericStrings: 'coerce' | Severity;
  /** Cross-field and cross-file rules, run after the key walk. */
  rules: ((ctx: RuleContext) => void)[];
  refs?: (ctx: RuleContext) => ConfigRef[];
  /** Loader description for messages, e.g. "PyYAML (yaml.safe_load)". */
  loaderName: string;
  /**
   * The parser builds the top-level dataclasses without checking types (HfArgumentParser.parse_dict: `obj =
   * dtype(**inputs)`, transformers 5.18.0 `hf_argparser.py:380`), so an int 0/1 where a bool is declared works by
   * Python truthiness: reported at this severity (a `bool-as-int` finding with a fix) instead of a `wrong-type` error.
   * Unset where the loader's model checks types (pydantic: Axolotl, DeepSpeed).
   */
  untypedBools?: Severity;
  /** The framework release the key table is from, e.g. "Axolotl 0.18.0 (067b021c)" (status bar, hovers). */
  assumes?: string;
}

export const dirname = (p: string): string => { const i = Math.max(p.lastIndexOf('/'), p.lastIndexOf('\\')); return i < 0 ? '' : i === 0 ? p[0] : p.slice(0, i); };
/** Resolves `ref` against `base` dir (POSIX-style; keeps Windows drive letters as given). */
export function resolvePath(baseDir: string, ref: string): string {
  if (/^([a-zA-Z]:[\\/]|[\\/]|~)/.test(ref)) return ref;
  const parts = (baseDir ? baseDir + '/' + ref : ref).split(/[\\/]+/);
  const out: string[] = [];
  for (const p of parts) { if (p === '..' && out.length && out[out.length - 1] !== '..' && out[out.length - 1] !== '') out.pop(); else if (p !== '.') out.push(p); }
  return out.join('/');
}

export class RuleContext {
  readonly issues: ConfigIssue[] = [];
  readonly facts: ConfigFact[] = [];
  readonly li: LineIndex;
  readonly root: CNode | null;
  private valueCache: unknown;
  constructor(readonly text: string, readonly parsed: ParsedConfig, readonly opts: RuleOptions, readonly def: FrameworkDef, li?: LineIndex) {
    this.li = li ?? new LineIndex(text);
    this.root = parsed.root;
  }
  get value(): Record<string, unknown> {
    if (this.valueCache === undefined) { const v = toValue(this.root); this.valueCache = v && typeof v === 'object' && !Array.isArray(v) ? v : {}; }
    return this.valueCache as Record<string, unknown>;
  }
  /** Issues past {@link RuleContext.CAP}: counted (by severity), not built, so a 100k-key file stays fast. */
  readonly dropped = { error: 0, warning: 0, info: 0 };
  static readonly CAP = 1000;
  add(code: string, severity: Severity, message: string, start: number, end: number, extra?: { related?: RelatedLocation[]; fixes?: Fix[] }): ConfigIssue {
    if (this.issues.length >= RuleContext.CAP) { this.dropped[severity]++; return { code, severity, message, range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, related: [], fixes: [] }; }
    const issue: ConfigIssue = { code, severity, message, range: this.li.range(start, end), related: extra?.related ?? [], fixes: extra?.fixes ?? [] };
    this.issues.push(issue);
    return issue;
  }
  /** Adds an issue at a key (or at its value with `at: 'value'`). */
  at(e: CEntry, code: string, severity: Severity, message: string, extra?: { related?: RelatedLocation[]; fixes?: Fix[]; at?: 'key' | 'value' | 'entry' }): ConfigIssue {
    const [s, en] = extra?.at === 'value' && e.value ? [e.value.start, e.value.end] : extra?.at === 'entry' && e.value ? [e.keyStart, e.value.end] : [e.keyStart, e.keyEnd];
    return this.add(code, severity, message, s, en, extra);
  }
  /**
   * The entry at `path`. A top-level key that a version-aware rename replaced (`eval_strategy`) and that is absent
   * resolves to the old name's entry (`evaluation_strategy`) while the run's version still reads it (before its
   * removal, or unknown): the rules see the value the framework uses.
   */
  entry(...path: (string | number)[]): CEntry | undefined {
    const e = getPath(this.root, path);
    if (e || path.length !== 1 || typeof path[0] !== 'string' || !this.def.root.renamed) return e;
    const old = renamedFrom(this.def.root).get(path[0]);
    if (!old) return undefined;
    const v = this.opts.versions?.[old.byVersion.pkg];
    return v && compareVersions(v, old.byVersion.removedIn) >= 0 ? undefined : getPath(this.root, [old.from]);
  }
  /** Loaded scalar at path (undefined when absent or not a scalar). */
  scalar(...path: (string | number)[]): null | boolean | number | string | undefined {
    const e = this.entry(...path);
    if (!e) return undefined;
    if (!e.value) return null;
    return e.value.kind === 'scalar' ? e.value.value : undefined;
  }
  /** Number at path as the framework will read it (numeric strings count when the framework coerces them). */
  num(...path: (string | number)[]): number | undefined {
    const v = this.scalar(...path);
    if (typeof v === 'number') return v;
    if (typeof v === 'string' && this.def.numericStrings === 'coerce' && LOOKS_NUMERIC.test(v) && v !== '') { const n = Number(v.replace(/_/g, '')); return Number.isFinite(n) ? n : undefined; }
    return undefined;
  }
  bool(...path: (string | number)[]): boolean | undefined { const v = this.scalar(...path); return typeof v === 'boolean' ? v : undefined; }
  str(...path: (string | number)[]): string | undefined { const v = this.scalar(...path); return typeof v === 'string' ? v : undefined; }
  /** A replacement edit of an entry's key or value in this file. */
  replace(start: number, end: number, newText: string): { range: ReturnType<LineIndex['range']>; newText: string } { return { range: this.li.range(start, end), newText }; }
  /**
   * A replacement of a key or a string value by `word` that keeps the source's quoting: `"..."` (JSON, or a
   * double-quoted YAML scalar) gets a JSON string, `'...'` a single-quoted YAML one, a plain scalar stays plain.
   * (Writing a bare word over `"key"` would turn valid JSON into invalid JSON.)
   */
  replaceWord(start: number, end: number, word: string): { range: ReturnType<LineIndex['range']>; newText: string } {
    const q = this.text[start];
    return this.replace(start, end, q === '"' ? JSON.stringify(word) : q === "'" ? `'${word.replace(/'/g, "''")}'` : word);
  }
  /**
   * The entry's whole line(s) moved one level down, under a new block key `parent` at the entry's indentation
   * (`rope_scaling:\n  type: x` -> `model_config:\n  rope_scaling:\n    type: x`). YAML block mappings only:
   * undefined for JSON or flow entries, where no such line edit is right.
   */
  nestUnder(e: CEntry, parent: string): { range: ReturnType<LineIndex['range']>; newText: string } | undefined {
    const s = this.li.position(e.keyStart); const en = this.li.position(e.value ? e.value.end : e.keyEnd);
    const lineStart = e.keyStart - s.character;
    const indent = this.text.slice(lineStart, e.keyStart);
    if (/[^ ]/.test(indent) || this.text[e.keyStart] === '"' || this.text[e.keyStart] === "'") return undefined;
    const del = this.deleteEntry(e);
    const body = this.text.slice(lineStart, en.line + 1 < this.li.lineCount ? this.li.offset({ line: en.line + 1, character: 0 }) : this.text.length);
    const lines = body.replace(/\n$/, '').split('\n').map((l) => (l ? `  ${l}` : l));
    return { range: del.range, newText: `${indent}${parent}:\n${lines.join('\n')}\n` };
  }
  /** An edit that deletes the whole line(s) of an entry. */
  deleteEntry(e: CEntry): { range: ReturnType<LineIndex['range']>; newText: string } {
    const s = this.li.position(e.keyStart); const endOff = e.value ? e.value.end : e.keyEnd; const en = this.li.position(endOff);
    return { range: { start: { line: s.line, character: 0 }, end: { line: en.line + 1, character: 0 } }, newText: '' };
  }
  get baseDir(): string { return dirname(this.opts.fileName); }
}

function describe(v: unknown, n: CNode | null): string {
  if (n?.kind === 'map') return 'a mapping';
  if (n?.kind === 'seq') return 'a list';
  if (v === null) return 'null';
  if (typeof v === 'string') return `the string '${v.length > 40 ? v.slice(0, 40) + '…' : v}'`;
  if (typeof v === 'boolean') return `the boolean ${v ? 'True' : 'False'}`;
  return `${Number.isInteger(v) ? 'int' : 'float'} ${String(v)}`;
}

function quoteYaml(s: string): string { return JSON.stringify(s); }

/** Rewrites a PyYAML-string number so that every YAML 1.1 loader reads a float: `1e-5` -> `1.0e-5`. */
export function pyFloatLiteral(src: string): string {
  const m = /^([-+]?)([0-9][0-9_]*)?(?:\.([0-9_]*))?(?:[eE]([-+]?)([0-9]+))?$/.exec(src);
  if (!m) return src;
  const [, sign, intPart = '0', frac, esign, exp] = m;
  const mant = `${sign}${intPart || '0'}.${frac || '0'}`;
  return exp ? `${mant}e${esign || '+'}${exp}` : mant;
}

const renamedFromCache = new WeakMap<ObjSpec, Map<string, { from: string; byVersion: NonNullable<Rename['byVersion']> }>>();
/** New name -> the old name of each version-aware rename of `spec` (`eval_strategy` -> `evaluation_strategy`). */
function renamedFrom(spec: ObjSpec): Map<string, { from: string; byVersion: NonNullable<Rename['byVersion']> }> {
  let m = renamedFromCache.get(spec);
  if (!m) {
    m = new Map();
    for (const [from, r] of Object.entries(spec.renamed ?? {})) if (r.to && r.byVersion && !r.byVersion.newNameCheckedElsewhere) m.set(r.to, { from, byVersion: r.byVersion });
    renamedFromCache.set(spec, m);
  }
  return m;
}

/**
 * Whether the framework loads the YAML with OmegaConf.load, whose loader refuses duplicate keys: torchtune, and
 * LLaMA-Factory from 0.9.4 (`hparams/parser.py` `read_args`: `OmegaConf.load(...)`, line 75 at v0.9.4; v0.9.3 line 65
 * used `yaml.safe_load`, which keeps the last value), so a run's LLaMA-Factory version below 0.9.4 keeps the warning.
 */
function refusesDuplicates(ctx: RuleContext): boolean {
  if (ctx.def.loader !== 'omegaconf') return false;
  const lf = ctx.def.id === 'llamafactory' ? ctx.opts.versions?.llamafactory : undefined;
  return !(lf && compareVersions(lf, '0.9.4') < 0);
}

/** Whether OmegaConf's loader reads a mapping key as a str (its duplicate check skips other tags: ints, bools, merge keys `<<`). */
function omegaStrKey(ctx: RuleContext, e: CEntry): boolean {
  if (e.key === '<<') return false;
  const src = ctx.text.slice(e.keyStart, e.keyEnd);
  return /^['"]/.test(src) || resolvePlain(src, 'omegaconf').pyType === 'str';
}

/**
 * Duplicate keys of a map under OmegaConf.load (torchtune, LLaMA-Factory): its loader refuses them, so the run stops
 * before it starts. Each repeat (2nd, 3rd, ...) of a str key is an error pointing back at the first: omegaconf
 * `_utils.py:136-151` (v2.3.0, `get_yaml_loader`, `OmegaConfLoader.construct_mapping`) raises
 * `ConstructorError("while constructing a mapping", ..., "found duplicate key <key>")` at line 144. A key of another
 * tag (an int, a bool, `<<`) is not checked there: PyYAML keeps the last value (a warning).
 */
function duplicateKeysOmegaConf(ctx: RuleContext, entries: CEntry[]): void {
  const first = new Map<string, CEntry>();
  const last = new Map<string, CEntry>();
  for (const e of entries) last.set(e.key, e);
  for (const e of entries) {
    const f = first.get(e.key);
    if (!f) { first.set(e.key, e); continue; }
    if (ctx.issues.length >= RuleContext.CAP) return;
    const line = (x: CEntry) => ctx.li.position(x.keyStart).line + 1;
    if (omegaStrKey(ctx, e) && omegaStrKey(ctx, f)) {
      ctx.at(e, 'duplicate-key', 'error', `\`${e.key}\` is already set on line ${line(f)}. OmegaConf's YAML loader refuses duplicate keys: OmegaConf.load raises ConstructorError "found duplicate key ${e.key}" and the run stops before it starts. Keep one of them.`, { related: [{ file: ctx.opts.fileName, range: ctx.li.range(f.keyStart, f.keyEnd), message: 'first set here' }], fixes: [{ title: 'Remove this duplicate', edits: [ctx.deleteEntry(e)] }] });
    } else {
      ctx.at(f, 'duplicate-key', 'warning', `\`${e.key}\` is set again on line ${line(last.get(e.key)!)}; the loader keeps only the last value, so this one is silently ignored.`, { related: [{ file: ctx.opts.fileName, range: ctx.li.range(e.keyStart, e.keyEnd), message: 'set again here' }], fixes: [{ title: 'Remove this duplicate', edits: [ctx.deleteEntry(f)], isPreferred: true }] });
      first.set(e.key, e);
    }
  }
}

/** Walks a map node against an object spec. */
export function walkObject(ctx: RuleContext, node: CNode, spec: ObjSpec, path: string): void {
  if (node.kind !== 'map') return;
  const entries = node.entries!;
  if (entries.length > 1) {
    const last = new Map<string, CEntry>();
    for (const e of entries) last.set(e.key, e);
    if (last.size < entries.length && refusesDuplicates(ctx)) duplicateKeysOmegaConf(ctx, entries);
    else if (last.size < entries.length) {
      for (const e of entries) {
        const l = last.get(e.key)!;
        // A DeepSpeed JSON given by path to deepspeed.initialize is read by DeepSpeedConfig (runtime/config.py:
        // hjson.load with object_pairs_hook=dict_raise_error_on_duplicate_keys), which refuses duplicates; the HF
        // Trainer and Accelerate read it with json.load (keeps the last) and hand DeepSpeed a dict.
        const dsNote = ctx.def.id === 'deepspeed' ? ' (under the HF Trainer and Accelerate, which read it with json.load); DeepSpeed\'s own reader, a path given to deepspeed.initialize (DeepSpeedConfig, runtime/config.py: dict_raise_error_on_duplicate_keys), refuses the file' : '';
        if (l !== e && ctx.issues.length < RuleContext.CAP) ctx.at(e, 'duplicate-key', 'warning', `\`${e.key}\` is set again on line ${ctx.li.position(l.keyStart).line + 1}; the loader keeps only the last value, so this one is silently ignored${dsNote}.`, { related: [{ file: ctx.opts.fileName, range: ctx.li.range(l.keyStart, l.keyEnd), message: 'the value that wins' }], fixes: [{ title: 'Remove this duplicate', edits: [ctx.deleteEntry(e)], isPreferred: true }] });
      }
    }
  }
  for (const e of entries) {
    if (e.key === '<<') continue; // YAML 1.1 merge key: its keys are checked where the anchor is defined
    const full = path ? `${path}.${e.key}` : e.key;
    const rn = spec.renamed?.[e.key];
    const bv = rn?.byVersion;
    const runs = bv ? ctx.opts.versions?.[bv.pkg] : undefined;
    if (rn && bv && runs && compareVersions(runs, bv.deprecatedIn) < 0) {
      // The old name is the one this version has (issue 15): checked like the new key, nothing to rename.
      const ks = spec.keys[e.key] ?? (rn.to ? spec.keys[rn.to] : undefined);
      if (ks && e.value) checkValue(ctx, e, ks, full, spec);
      continue;
    }
    if (rn) {
      const present = rn.to ? getEntry(node, rn.to) : undefined;
      const redundant = present ? ` \`${rn.to}\` is also set, so this line is redundant.` : '';
      let severity = rn.severity;
      let msg = rn.to
        ? `\`${e.key}\` was renamed \`${rn.to}\` in ${rn.version}.${rn.severity === 'error' ? ' Current versions reject the old name.' : ''}${rn.note ? ' ' + rn.note : ''}${redundant}`
        : `\`${e.key}\` was removed in ${rn.version}.${rn.note ? ' ' + rn.note : ''}`;
      if (bv && runs) {
        const removed = compareVersions(runs, bv.removedIn) >= 0;
        severity = removed ? 'error' : 'warning';
        msg = removed
          ? `\`${e.key}\` was removed in ${bv.label} ${bv.removedIn} (deprecated in ${bv.deprecatedIn} for \`${rn.to}\`); the run uses ${bv.label} ${runs}, which refuses it: ${bv.source}.${redundant}`
          : `\`${e.key}\` is deprecated since ${bv.label} ${bv.deprecatedIn} and removed in ${bv.removedIn}; the run uses ${bv.label} ${runs}, which still reads it (with a deprecation warning). Rename it to \`${rn.to}\` before upgrading.${redundant}`;
      } else if (bv && rn.severity === 'error') msg += ` The ${bv.label} version of the run is unknown: set it (llmTraining.validation.versions) to check against that release.`;
      const nested = rn.to && rn.under && !present ? ctx.nestUnder(e, rn.to) : undefined;
      const fixes: Fix[] = rn.under ? (nested ? [{ title: `Move under \`${rn.to}\``, edits: [nested], isPreferred: true }] : [])
        : rn.to && !present ? [{ title: `Rename to \`${rn.to}\``, edits: [ctx.replaceWord(e.keyStart, e.keyEnd, rn.to)], isPreferred: true }]
          : [{ title: `Remove \`${e.key}\``, edits: [ctx.deleteEntry(e)], isPreferred: true }];
      ctx.at(e, 'renamed-key', severity, msg, { fixes });
      const ks = spec.keys[e.key] ?? (rn.to ? spec.keys[rn.to] : undefined);
      if (ks && e.value) checkValue(ctx, e, ks, full, spec);
      continue;
    }
    const ks = spec.keys[e.key];
    const older = ctx.opts.versions ? renamedFrom(spec).get(e.key) : undefined;
    const ov = older ? ctx.opts.versions?.[older.byVersion.pkg] : undefined;
    if (older && ov && compareVersions(ov, older.byVersion.deprecatedIn) < 0) {
      // The new name in a run whose version predates it (issue 15): that version's parser does not know it.
      const b = older.byVersion;
      const sev: Severity = spec.unknown === 'error' ? 'error' : 'warning';
      const clash = getEntry(node, older.from);
      ctx.at(e, 'key-version', sev, `\`${e.key}\` was added in ${b.label} ${b.deprecatedIn} (it replaced \`${older.from}\`); the run uses ${b.label} ${ov}, which does not have it: ${b.source}. Use \`${older.from}\` or upgrade ${b.label}.`, {
        at: 'key', fixes: clash ? [] : [{ title: `Rename to \`${older.from}\``, edits: [ctx.replaceWord(e.keyStart, e.keyEnd, older.from)], isPreferred: true }],
      });
      if (ks && e.value) checkValue(ctx, e, ks, full, spec);
      continue;
    }
    const gap = ks ? undefined : spec.versionGaps?.[e.key];
    if (gap) {
      // A key of another tabled release (issue 15): the table of the run's version decides, at the unknown-key severity.
      const fixes = [{ title: `Remove \`${e.key}\``, edits: [ctx.deleteEntry(e)] }];
      if (typeof gap !== 'string') ctx.at(e, 'key-version', gap.severity, `${gap.message}${gap.note && spec.unknownNote ? ` If it does not: ${spec.unknownNote}` : ''}`, { fixes });
      else ctx.at(e, 'key-version', spec.unknown === 'error' ? 'error' : 'warning', `${gap}${spec.unknownNote ? ' ' + spec.unknownNote : ''}`, { fixes });
      continue;
    }
    if (!ks) {
      if (spec.unknown === 'ignore') continue;
      // Past a few hundred findings the file is reported in summary (index.ts MAX_ISSUES): skip the O(keys) search.
      const sugg = ctx.issues.length < 400 && ctx.dropped.warning + ctx.dropped.error === 0 ? didYouMean(e.key, Object.keys(spec.keys)) : undefined;
      if (spec.unknown === 'near-miss') {
        if (sugg && sugg !== e.key && !getEntry(node, sugg)) ctx.at(e, 'unknown-key', 'warning', `\`${e.key}\` looks like a misspelling of \`${sugg}\`, which this config does not set.${spec.unknownNote ? ' ' + spec.unknownNote : ''}`, { fixes: [{ title: `Change to \`${sugg}\``, edits: [ctx.replaceWord(e.keyStart, e.keyEnd, sugg)], isPreferred: true }] });
        continue;
      }
      const where = spec.name;
      const msg = `Unknown key \`${e.key}\` in ${where}.${sugg ? ` Did you mean \`${sugg}\`?` : ''}${spec.unknownNote ? ' ' + spec.unknownNote : ''}`;
      ctx.at(e, 'unknown-key', spec.unknown as Severity, msg, { fixes: sugg && !getEntry(node, sugg) ? [{ title: `Change to \`${sugg}\``, edits: [ctx.replaceWord(e.keyStart, e.keyEnd, sugg)], isPreferred: true }] : [] });
      continue;
    }
    checkValue(ctx, e, ks, full, spec);
  }
}

/**
 * Checks one value against its key spec (type, range, enum, YAML 1.1 readings), recursing into sub-objects.
 * `parent`: the mapping's spec (its `laxModel` says a pydantic model converts strings there).
 */
export function checkValue(ctx: RuleContext, e: CEntry, ks: KeySpec, path: string, parent?: ObjSpec): void {
  const n = e.value;
  if (!n || (n.kind === 'scalar' && n.value === null)) {
    if (ks.nullable === false) ctx.at(e, 'missing-value', 'error', `\`${e.key}\` has no value (YAML reads it as null) but needs ${ks.type}.`);
    return;
  }
  if (n.kind === 'map') {
    if (ks.obj) { walkObject(ctx, n, ks.obj, path); return; }
  } else if (n.kind === 'seq') {
    if (ks.items) {
      for (const it of n.items!) if (it.kind === 'map') walkObject(ctx, it, ks.items, path + '[]');
      return;
    }
  }
  let v: unknown = n.kind === 'scalar' ? n.value : toValue(n);
  // OmegaConf interpolation (`${other.key}`) or mandatory value (`???`): resolved at load time; checked by rules.
  if (ctx.def.loader === 'omegaconf' && typeof v === 'string' && (v.includes('${') || v === '???')) return;
  if (n.kind === 'scalar' && n.plain !== undefined && n.quirk) {
    const src = n.plain;
    switch (n.quirk) {
      case 'bool-word':
        if (!ks.boolean) {
          ctx.at(e, 'yaml11-bool', 'error', `${ctx.def.loaderName} reads an unquoted \`${src}\` as the boolean ${n.value ? 'True' : 'False'} (YAML 1.1), not the string '${src}'. Quote it: "${src}".`, { at: 'value', fixes: [{ title: `Quote as "${src}"`, edits: [ctx.replace(n.start, n.end, quoteYaml(src))], isPreferred: true }] });
          return;
        }
        break;
      case 'float-without-dot':
        if (ks.numeric && !parent?.laxModel) {
          const fixed = pyFloatLiteral(src);
          if (ctx.def.numericStrings !== 'coerce') {
            ctx.at(e, 'yaml11-float-string', ctx.def.numericStrings, `${ctx.def.loaderName} reads \`${src}\` as the string '${src}', not a number: YAML 1.1 floats need a dot (and a signed exponent). HfArgumentParser.parse_yaml_file passes the string on unchanged and training fails later (e.g. "'<=' not supported between 'float' and 'str'" in the optimizer; only the trl CLI converts it). Write \`${fixed}\`.`, { at: 'value', fixes: [{ title: `Write ${fixed}`, edits: [ctx.replace(n.start, n.end, fixed)], isPreferred: true }] });
            return;
          }
          v = Number(src.replace(/_/g, ''));
        }
        break;
      case 'octal':
        ctx.at(e, 'yaml11-octal', 'warning', `${ctx.def.loaderName} reads \`${src}\` as an octal number (= ${String(n.value)}), because of the leading zero (YAML 1.1). Drop the leading zero${ks.numeric ? '' : ' or quote it'}.`, { at: 'value', fixes: [{ title: ks.numeric ? `Write ${src.replace(/^([-+]?)0+(?=\d)/, '$1')}` : `Quote as "${src}"`, edits: [ctx.replace(n.start, n.end, ks.numeric ? src.replace(/^([-+]?)0+(?=\d)/, '$1') : quoteYaml(src))], isPreferred: true }] });
        break;
      case 'sexagesimal':
        ctx.at(e, 'yaml11-sexagesimal', 'warning', `${ctx.def.loaderName} reads \`${src}\` as a base-60 number (= ${String(n.value)}), YAML 1.1 sexagesimal notation. Quote it if you meant the text.`, { at: 'value', fixes: [{ title: `Quote as "${src}"`, edits: [ctx.replace(n.start, n.end, quoteYaml(src))], isPreferred: true }] });
        break;
      default: break;
    }
  }
  // Axolotl's pydantic model coerces its own numeric fields; an inline `deepspeed:` mapping is an opaque dict to it and
  // reaches DeepSpeed's models as written (their lax conversion is judged below).
  if (ctx.def.numericStrings === 'coerce' && !parent?.laxModel && ks.numeric && typeof v === 'string' && v !== '' && LOOKS_NUMERIC.test(v)) v = Number(v.replace(/_/g, ''));
  if (ks.values && typeof v === 'string' && !ks.values.includes(v)) {
    if (v === 'auto' && ks.type.includes("'auto'")) return;
    if (!(ks.enumSeverity === 'warning' && v.includes('/'))) {
      const sugg = didYouMean(v, ks.values);
      const sev = ks.enumSeverity ?? 'error';
      ctx.at(e, 'invalid-value', sev, `\`${e.key}: ${v}\` is not ${sev === 'error' ? 'a valid' : 'a known'} value.${sugg ? ` Did you mean \`${sugg}\`?` : ''} Allowed: ${ks.values.slice(0, 12).join(', ')}${ks.values.length > 12 ? ', …' : ''}.`, { at: 'value', fixes: sugg ? [{ title: `Change to ${sugg}`, edits: [ctx.replaceWord(n.start, n.end, sugg)], isPreferred: true }] : [] });
      return;
    }
  }
  if (ks.values && Array.isArray(v) && n.kind === 'seq') {
    for (const it of n.items!) {
      if (it.kind === 'scalar' && typeof it.value === 'string' && !ks.values.includes(it.value)) {
        const sugg = didYouMean(it.value, ks.values);
        ctx.add('invalid-value', ks.enumSeverity ?? 'error', `\`${it.value}\` is not a known value of \`${e.key}\`.${sugg ? ` Did you mean \`${sugg}\`?` : ''}`, it.start, it.end, { fixes: sugg ? [{ title: `Change to ${sugg}`, edits: [ctx.replaceWord(it.start, it.end, sugg)], isPreferred: true }] : [] });
      }
    }
  }
  if (ctx.def.untypedBools && ks.boolean && !path.includes('.') && (v === 0 || v === 1) && n.kind === 'scalar' && n.plain !== undefined && n.pyType === 'int') {
    const word = v === 1 ? 'true' : 'false';
    ctx.at(e, 'bool-as-int', ctx.def.untypedBools, `\`${e.key}\` is declared bool but set to the int ${v}. HfArgumentParser does not check types (it passes the value to the dataclass as it is), so the run works: Python reads ${v} as ${v === 1 ? 'True' : 'False'}. Write \`${word}\`.`, { at: 'value', fixes: [{ title: `Write ${word}`, edits: [ctx.replace(n.start, n.end, word)], isPreferred: true }] });
    return;
  }
  if (parent?.laxModel && n.kind === 'scalar' && (typeof v === 'string' || v === 0 || v === 1) && !ks.zod.safeParse(v).success) {
    const conv = laxValue(ctx, e, ks, path, parent.laxModel, v);
    if (conv === 'reported') return;
    if (conv !== undefined) v = conv; // converted but out of range: reported below with the number
  }
  const r = ks.zod.safeParse(v);
  if (!r.success) {
    const iss = r.error.issues[0];
    const code = iss.code === 'too_small' || iss.code === 'too_big' ? 'out-of-range' : iss.code === 'invalid_type' || iss.code === 'invalid_union' ? 'wrong-type' : 'invalid-value';
    const hint = n.kind === 'scalar' && typeof v === 'string' && ks.numeric
      ? (n.plain === undefined ? ' (it is quoted, so it is a string)' : /^[-+]?0o[0-7_]+$/i.test(n.plain) ? ` (${ctx.def.loaderName} does not know YAML 1.2 \`0o\` octals and reads a string)` : '') + laxIntHint(ks, v, parent)
      : '';
    // A fraction in a step count where the same model has the ratio field (Axolotl's warmup_steps: int; the fraction
    // of the training steps is warmup_ratio): say so, and offer the rename.
    const ratioKey = e.key.endsWith('_steps') ? `${e.key.slice(0, -'_steps'.length)}_ratio` : undefined;
    if (code === 'wrong-type' && typeof v === 'number' && v > 0 && v < 1 && ratioKey && parent?.keys[ratioKey] && ks.zod.safeParse(1).success) {
      ctx.at(e, code, 'error', `\`${e.key}\` must be ${ks.type}; got ${describe(v, n)}${hint}: a fraction of the training steps is \`${ratioKey}\`.`, { at: 'value', fixes: [{ title: `Rename to \`${ratioKey}\``, edits: [ctx.replaceWord(e.keyStart, e.keyEnd, ratioKey)], isPreferred: true }] });
      return;
    }
    ctx.at(e, code, 'error', `\`${e.key}\` must be ${ks.type}; got ${describe(v, n)}${hint}.`, { at: 'value' });
  }
}

/**
 * Why a lax pydantic model still refuses a numeric string for an int field (`"5e8"`, `"16.5"`: int_parsing; only
 * digits with an optional `.0` convert), with the digits to write where the number is whole; '' otherwise.
 */
function laxIntHint(ks: KeySpec, v: string, parent?: ObjSpec): string {
  if (!parent?.laxModel || laxKindOf(ks) !== 'int') return '';
  const f = laxFromString(v, 'float');
  if (f === undefined || typeof f !== 'number') return '';
  return `; DeepSpeed's pydantic model ${parent.laxModel} converts a string to an int only when it is written in digits (an exponent or a fraction is refused)${Number.isInteger(f) ? `: write ${f}` : ''}`;
}

/**
 * A string (or a 0/1 for a bool field) in a mapping that a lax pydantic model reads (`ObjSpec.laxModel`, DeepSpeed's
 * sections): where the model converts it to the field's type and the result is valid, a `converted-value` warning
 * with a fix that writes the value as that type (JSON: the literal; YAML: a literal PyYAML reads as that type,
 * `1.0e-5` for `1e-5`) and 'reported'; converted but invalid (`"4"` for stage): the number, for the range check;
 * refused: undefined (the `wrong-type` error stays: pydantic raises). Conversion rules: pydanticLax.ts.
 */
function laxValue(ctx: RuleContext, e: CEntry, ks: KeySpec, path: string, model: string, v: string | number): boolean | number | 'reported' | undefined {
  const n = e.value!;
  const kind = laxKindOf(ks);
  const conv = typeof v === 'number' ? (kind === 'bool' ? v === 1 : undefined) : kind ? laxFromString(v, kind) : undefined;
  if (conv === undefined) return undefined;
  if (!ks.zod.safeParse(conv).success) return conv;
  const src = String(v).trim().replace(/_/g, '');
  const text = typeof conv === 'boolean' ? String(conv)
    : ctx.parsed.syntax === 'json' ? (/^-?(0|[1-9]\d*)(\.\d+)?([eE][-+]?\d+)?$/.test(src) && kind === 'float' ? src : String(conv))
      : kind === 'float' ? pyFloatLiteral(src.replace(/^\+/, '')) : String(conv);
  const shown = typeof conv === 'boolean' ? (conv ? 'True' : 'False') : String(conv);
  const how = typeof v === 'number' ? `\`${e.key}\` holds the number ${v}`
    : n.plain !== undefined ? `${ctx.def.loaderName} reads \`${n.plain}\` as the string '${v}'` : `\`${e.key}\` holds the string "${v}" (quoted)`;
  // accelerate/utils/deepspeed.py HfDeepSpeedConfig.set_stage_and_offload: `_stage = get_value("zero_optimization.stage")`,
  // is_zero3(): `self._stage == 3` on the raw value, before DeepSpeed's model converts it.
  const stage = path.endsWith('zero_optimization.stage') && shown === '3'
    ? ` The HF Trainer and Accelerate read \`stage\` unconverted (HfDeepSpeedConfig.is_zero3() compares it with the number 3, accelerate/utils/deepspeed.py), so under them the string is not taken for ZeRO-3 (e.g. no zero.Init when the model is loaded).`
    : '';
  ctx.at(e, 'converted-value', 'warning', `${how}; DeepSpeed's pydantic model ${model} converts it to the ${kind} ${shown} (pydantic lax mode), so DeepSpeed accepts it.${stage} Write \`${text}\`${typeof v === 'number' ? '' : ' without quotes'}.`, {
    at: 'value', fixes: [{ title: `Write ${text}`, edits: [ctx.replace(n.start, n.end, text)], isPreferred: true }],
  });
  return 'reported';
}
