/**
 * Key tables generated from the frameworks' own source by `scripts/gen-key-tables.py` (committed JSON under
 * `tables/`, one file per framework release: the release, the commit and, per field, its name, Python annotation,
 * default, Literal/Enum values, pydantic bounds, docstring and file:line). This module turns a table into
 * {@link KeySpec}s (zod schema, hover text, completion values) and merges them under the hand-written specs, whose
 * cross-field rules stay hand-written. How to add a release: docs/validate.md.
 */
import { z } from 'zod';
import type { KeySpec, ObjSpec } from './spec';
import { obj } from './spec';
import type { Severity } from './types';
import axolotlHead from './tables/axolotl-0.18.0+9.067b021c.json';
import axolotl0170 from './tables/axolotl-0.17.0.json';
import axolotl0161 from './tables/axolotl-0.16.1.json';
import llamafactoryHead from './tables/llamafactory-0.9.5+54.ff6d4d12.json';
import llamafactory094 from './tables/llamafactory-0.9.4.json';
import llamafactory093 from './tables/llamafactory-0.9.3.json';
import llamafactoryV1Head from './tables/llamafactory-v1-0.9.5+54.ff6d4d12.json';
import peftHead from './tables/peft-0.20.0.json';
import peft0171 from './tables/peft-0.17.1.json';
import trlHead from './tables/trl-1.9.0.json';
import trl180 from './tables/trl-1.8.0.json';
import trl171 from './tables/trl-1.7.1.json';
import transformersHead from './tables/transformers-5.18.0.json';
import transformers4576 from './tables/transformers-4.57.6.json';
import deepspeedHead from './tables/deepspeed-0.19.5.json';
import deepspeed0189 from './tables/deepspeed-0.18.9.json';
import deepspeed0176 from './tables/deepspeed-0.17.6.json';
import { compareVersions } from './trlDefaults';
import { keyKnownIn, keyVersionFinding } from './keyHistory';

/** One field of a generated table (see scripts/gen-key-tables.py for how each part is read). */
export interface TableField {
  name: string;
  /** The Python annotation as written, e.g. `int | None`, `Literal['lora', 'qlora'] | None`. */
  type: string;
  /** Parts of the annotation: `bool`, `int`, `float`, `str`, `dict`, `list[...]`, `literal`, `ref`, `any`, joined by `|`. */
  kind: string;
  nullable: boolean;
  default?: unknown;
  required?: boolean;
  /** Literal members, or the members of a str Enum. */
  values?: (string | number | boolean)[];
  /** Nested model classes (also in the table). */
  ref?: string[];
  /** Name of the Enum class the values come from. */
  enum?: string;
  aliases?: string[];
  /** The Enum has members whose value is not a literal: `values` are incomplete (names), not enforced. */
  open?: boolean;
  ge?: number; gt?: number; le?: number; lt?: number;
  doc?: string;
  line: number;
  /**
   * DeepSpeed's top level (pseudo-class `DeepSpeedConfig`, root `config`): how runtime/config.py reads the key
   * (`get_scalar_param`, `param_dict.get`, `param_dict[...]`, `in param_dict`; `line` is that read), the constant
   * that names it and where (`TRAIN_BATCH_SIZE`, `deepspeed/runtime/constants.py`, line), and the constant of its
   * default (`TRAIN_BATCH_SIZE_DEFAULT`).
   */
  read?: string; const?: string; const_file?: string; const_line?: number;
  /** The module constant a default was written as (DeepSpeed's `COMMS_LOGGER_ENABLED_DEFAULT`); `default` is its value. */
  default_const?: string;
}
/**
 * One class of a table. `extra`/`extra_line`: pydantic's setting for keys the model has no field for, where this
 * class sets it (`model_config = ConfigDict(extra=...)`, line in `file`): `forbid` raises, `ignore` (pydantic's
 * default) drops the key, `allow` keeps it. See {@link classExtra} for the value a class inherits.
 */
export interface TableClass { file: string; line: number; bases: string[]; doc: string; fields: TableField[]; extra?: string; extra_line?: number }
/** A key table of one framework release. */
export interface KeyTable {
  framework: string;
  release: string;
  /** The git commit the source was read at; null when it was read from a PyPI wheel (then `source` names it). */
  commit: string | null;
  /** Set when the source was an unzipped PyPI wheel: "pypi <wheel file name> sha256:<hex>". */
  source?: string;
  repo: string;
  generator: string;
  /** Classes whose fields (and their bases') are the top-level keys of a file; for TRL one entry per config class. */
  roots: Record<string, string[]>;
  /** Base classes outside the table (e.g. transformers' Seq2SeqTrainingArguments). */
  external: string[];
  classes: Record<string, TableClass>;
}

/** The committed tables, newest release of each framework first. */
export const KEY_TABLES: Record<string, KeyTable[]> = {
  // The version of the run picks one (tableForVersion); schemas/axolotl.ts and schemas/llamafactory.ts report a key
  // only another release has as `key-version` (withOtherReleases).
  axolotl: [axolotlHead as unknown as KeyTable, axolotl0170 as unknown as KeyTable, axolotl0161 as unknown as KeyTable],
  llamafactory: [llamafactoryHead as unknown as KeyTable, llamafactory094 as unknown as KeyTable, llamafactory093 as unknown as KeyTable],
  'llamafactory-v1': [llamafactoryV1Head as unknown as KeyTable],
  // Merged additively into the hand-written hf/peft/deepspeed specs (addTable): schemas/hf.ts, schemas/peft.ts,
  // schemas/deepspeed.ts.
  peft: [peftHead as unknown as KeyTable, peft0171 as unknown as KeyTable],
  trl: [trlHead as unknown as KeyTable, trl180 as unknown as KeyTable, trl171 as unknown as KeyTable],
  deepspeed: [deepspeedHead as unknown as KeyTable, deepspeed0189 as unknown as KeyTable, deepspeed0176 as unknown as KeyTable],
  transformers: [transformersHead as unknown as KeyTable, transformers4576 as unknown as KeyTable],
};

/** The table a framework's checks assume (the newest committed release, or the one matching `release`). */
export function keyTable(framework: string, release?: string): KeyTable | undefined {
  const all = KEY_TABLES[framework];
  if (!all?.length) return undefined;
  return (release && all.find((t) => t.release === release || t.release.startsWith(release + '+'))) || all[0];
}

/**
 * The key table for the version of `framework` the run uses (issue 15, "Version awareness"): the newest tabled
 * release at or below `version` (a release past a tag, `0.9.5+54.ff6d4d12`, counts as its tag), or, when `version` is
 * older than every table, the oldest with `older: true`. Without a version: the newest (`version` undefined).
 * Undefined when the framework has no table.
 */
export interface TableChoice { table: KeyTable; version?: string; older?: boolean }
export function tableForVersion(framework: string, version?: string): TableChoice | undefined {
  const all = KEY_TABLES[framework];
  if (!all?.length) return undefined;
  if (!version) return { table: all[0] };
  const at = all.find((t) => compareVersions(t.release.split('+')[0], version) <= 0);
  return at ? { table: at, version } : { table: all[all.length - 1], version, older: true };
}

/**
 * What a {@link TableChoice} means, for the status bar tooltip and hovers: `transformers 4.57.6 (PyPI wheel)`, with
 * `, the newest key table at or below the run's 4.57.9` when the run's version is between tables and
 * `: the run's 4.40.0 is older than every key table (oldest used)` when it predates them. `label` is the package's
 * display name.
 */
export function tableChoiceText(label: string, c: TableChoice): string {
  const base = `${label} ${tableRelease(c.table)}`;
  if (!c.version) return base;
  if (c.older) return `${base}: the run's ${c.version} is older than every key table (the oldest is used)`;
  return c.table.release.split('+')[0] === c.version ? base : `${base}, the newest key table at or below the run's ${c.version}`;
}

/**
 * What {@link versionGaps} says of a key: the message (the unknown-key note of the spec is appended), or a message
 * with its own severity (`note: true`: "If it does not: " and the spec's unknown-key note are appended to it).
 */
export type VersionGap = string | { message: string; severity: Severity; note?: boolean };

/**
 * The keys of `classesOf(table)` in the other tabled releases of `framework` that the chosen release lacks (issue
 * 15: a key is judged by the table of the run's version), each with the message that says so: the release that
 * added or removed it from the framework's key history `history` (`peft`, `trl`) when it tells, else the tabled
 * release nearest the chosen one that has it. A key the history says the run's version has is left out. When the
 * history cannot date a key that a later tabled release has, and the run's version lies strictly between the chosen
 * table and the next tabled release N, which has the key (DeepSpeed 0.18.0 between the 0.17.6 and 0.18.9 tables:
 * 0.18.0–0.18.8 were never read), the entry is a **warning** (`{ severity: 'warning', note: true }`) saying whether
 * the run's version has it is not known; when N lacks the key too it came after N, so the run's version lacks it
 * (the unknown-key severity, as for a run on a tabled release or older than every table). Empty without a version
 * (the checks then accept every tabled release's keys). `label` is the package's display name, `where` the class
 * (`TrainingArguments`).
 */
export function versionGaps(framework: string, choice: TableChoice, classesOf: (t: KeyTable) => string[], o: { label: string; where: string; history?: string }): Record<string, VersionGap> {
  const out: Record<string, VersionGap> = {};
  if (!choice.version) return out;
  const base = (t: KeyTable) => t.release.split('+')[0];
  const names = (t: KeyTable) => new Set(classesOf(t).flatMap((c) => flattenClass(t, c).map((x) => x.field.name)));
  const have = names(choice.table);
  const used = `${o.label} ${base(choice.table)}`;
  const exact = base(choice.table) === choice.version;
  const runs = exact ? `the run's ${o.label} ${choice.version}` : `the table used for the run's ${o.label} ${choice.version}`;
  // Nearest release first: the message names the tabled release closest to the chosen one that has (or had) the key.
  const all = KEY_TABLES[framework] ?? [];
  const at = all.indexOf(choice.table);
  // The oldest tabled release past the run's version (tables are newest first): the releases between it and the
  // chosen table were not read.
  const next = exact || choice.older ? undefined : [...all].reverse().find((t) => compareVersions(base(t), choice.version!) > 0);
  const nextHas = next ? names(next) : new Set<string>();
  for (const t of [...all].sort((a, b) => Math.abs(all.indexOf(a) - at) - Math.abs(all.indexOf(b) - at))) {
    if (t === choice.table) continue;
    const newer = compareVersions(base(t), base(choice.table)) > 0;
    for (const k of names(t)) {
      if (have.has(k) || out[k]) continue;
      const f = o.history ? keyVersionFinding(o.history, k, choice.version) : undefined;
      if (!f && o.history && keyKnownIn(o.history, k, choice.version)) continue;
      if (!f && newer && next && nextHas.has(k)) {
        out[k] = { severity: 'warning', note: true, message: `\`${k}\` is not a field of ${o.where} in ${used} (${runs}) and is in ${o.label} ${next.release}; the releases between were not read, so whether ${o.label} ${choice.version} has it is not known.` };
        continue;
      }
      out[k] = f?.kind === 'added' ? `\`${k}\` was added to ${o.where} in ${o.label} ${f.release}; the run uses ${o.label} ${choice.version}, which does not have it.`
        : f?.kind === 'removed' ? `\`${k}\` was removed from ${o.where} in ${o.label} ${f.release} (last in ${f.lastWith}); the run uses ${o.label} ${choice.version}, which does not have it.`
          // A release past a tag is named in full (`0.18.0+9.067b021c`): the tag itself may lack the key.
          : `\`${k}\` is not a field of ${o.where} in ${used} (${runs}); ${o.label} ${t.release} ${newer ? 'has it (added later)' : 'had it (removed since)'}.`;
    }
  }
  return out;
}

/**
 * The top-level spec `root`, built from `choice.table`, completed with the other tabled releases of `framework`
 * (Axolotl, LLaMA-Factory: frameworks whose spec is built from one table, unlike the additive HF/PEFT/DeepSpeed ones).
 * With the run's version (`choice.version`): a key of `rootsOf(t)` that only another release has, and that `root`
 * neither knows nor lists as renamed, becomes a `versionGaps` entry (a `key-version` finding at `root.unknown`'s
 * severity; message from {@link versionGaps} with the key history `o.history`). Without a version: such keys are
 * accepted, typed by the newest release that has them (the checks then take every tabled release's keys, as for
 * HF/PEFT/DeepSpeed; hovers keep the newest table). `opts(t)` gives the {@link SpecOptions} of a table.
 */
export function withOtherReleases(framework: string, root: ObjSpec, choice: TableChoice, rootsOf: (t: KeyTable) => string[], opts: (t: KeyTable) => SpecOptions, o: { label: string; where: string; history?: string }): ObjSpec {
  const others = (KEY_TABLES[framework] ?? []).filter((t) => t !== choice.table);
  if (!others.length) return root;
  if (choice.version) {
    const gaps: Record<string, VersionGap> = {};
    for (const [k, m] of Object.entries(versionGaps(framework, choice, rootsOf, o))) if (!root.keys[k] && !root.renamed?.[k]) gaps[k] = m;
    return Object.keys(gaps).length ? { ...root, versionGaps: { ...root.versionGaps, ...gaps } } : root;
  }
  const keys = { ...root.keys };
  // Only the missing fields are built (an older table holds some 700: building them all would double the time).
  for (const t of others) {
    for (const c of rootsOf(t)) {
      for (const { field, cls } of flattenClass(t, c)) {
        if (keys[field.name] || root.renamed?.[field.name]) continue;
        keys[field.name] = specFromField(t, cls, field, opts(t));
      }
    }
  }
  return { ...root, keys };
}

/** Short "release (commit)" text for messages and the status bar. */
export function tableRelease(t: KeyTable): string { return `${t.release.split('+')[0]} (${t.commit ? t.commit.slice(0, 8) : 'PyPI wheel'})`; }

/** Fields of a class and of its bases in the table, Python MRO order (own fields first, then bases left to right). */
export function flattenClass(t: KeyTable, name: string, seen = new Set<string>()): { field: TableField; cls: string }[] {
  if (seen.has(name)) return [];
  seen.add(name);
  const c = t.classes[name];
  if (!c) return [];
  const out: { field: TableField; cls: string }[] = c.fields.map((field) => ({ field, cls: name }));
  for (const b of c.bases) out.push(...flattenClass(t, b, seen));
  return out;
}

/**
 * What pydantic does with a key class `name` has no field for, in release `t`: the `extra` of the first class in its
 * MRO (own class, then bases left to right) that sets it, with where (`deepspeed/runtime/config_utils.py:110`).
 * `{ extra: 'ignore' }` without `where` when no class in the table sets it (pydantic's default; a base outside the
 * table could still set it). Undefined when `name` is not in the table.
 */
export function classExtra(t: KeyTable, name: string, seen = new Set<string>()): { extra: string; where?: string } | undefined {
  if (seen.has(name)) return undefined;
  seen.add(name);
  const c = t.classes[name];
  if (!c) return undefined;
  if (c.extra) return { extra: c.extra, where: `${c.file}:${c.extra_line ?? c.line}` };
  for (const b of c.bases) { const e = classExtra(t, b, seen); if (e?.where) return e; }
  return { extra: 'ignore' };
}

/** Link to the line of the framework's source that defines a field, at the table's commit. */
export function fieldSource(t: KeyTable, cls: string, f: TableField): string {
  return `https://github.com/${t.repo}/blob/${t.commit ?? `v${t.release}`}/${t.classes[cls]?.file ?? ''}#L${f.line}`;
}

function bounded(s: z.ZodNumber, f: TableField): z.ZodNumber {
  let r = s;
  if (f.ge !== undefined) r = r.min(f.ge);
  if (f.gt !== undefined) r = r.gt(f.gt);
  if (f.le !== undefined) r = r.max(f.le);
  if (f.lt !== undefined) r = r.lt(f.lt);
  return r;
}
function boundsText(f: TableField): string {
  const p: string[] = [];
  if (f.ge !== undefined) p.push(`>= ${f.ge}`);
  if (f.gt !== undefined) p.push(`> ${f.gt}`);
  if (f.le !== undefined) p.push(`<= ${f.le}`);
  if (f.lt !== undefined) p.push(`< ${f.lt}`);
  return p.length ? ` (${p.join(', ')})` : '';
}

export interface SpecOptions {
  /** Unknown keys inside nested models (pydantic ignores them by default: warning). */
  nestedUnknown: Severity | 'ignore';
  /** How an invalid Literal/Enum value is reported (pydantic / HfArgumentParser choices reject it: error). */
  enumSeverity: Severity;
  /** Text for hovers, e.g. "Axolotl 0.18.0". */
  label: string;
  /**
   * pydantic lax mode (Axolotl): an int or float field also takes a bool, a bool field takes 0/1 and the strings
   * pydantic accepts ('true', 'yes', 'on', '1', ...). https://docs.pydantic.dev/latest/concepts/conversion_table/
   */
  lax?: boolean;
}

const LAX_BOOL_STRINGS = ['0', 'off', 'f', 'false', 'n', 'no', '1', 'on', 't', 'true', 'y', 'yes'] as const;

/**
 * A KeySpec for one table field: type from the annotation, bounds from `Field(ge=..)`, values from Literal/Enum
 * (enforced only when the annotation admits nothing else), nested models as sub-objects (to depth 3).
 */
export function specFromField(t: KeyTable, cls: string, f: TableField, o: SpecOptions, depth = 0): KeySpec {
  const parts = f.kind.split('|');
  const zs: z.ZodType[] = [];
  let numeric = false; let boolean = false; let items: ObjSpec | undefined; let sub: ObjSpec | undefined;
  const enumOnly = !!f.values?.length && !f.open && parts.every((p) => p === 'literal' || p === 'ref');
  for (const p of parts) {
    if (p === 'bool') { zs.push(o.lax ? z.union([z.boolean(), z.literal(0), z.literal(1), z.enum(LAX_BOOL_STRINGS)]) : z.boolean()); boolean = true; }
    else if (p === 'int') { zs.push(o.lax ? z.union([bounded(z.number().int(), f), z.boolean()]) : bounded(z.number().int(), f)); numeric = true; }
    else if (p === 'float') { zs.push(o.lax ? z.union([bounded(z.number(), f), z.boolean()]) : bounded(z.number(), f)); numeric = true; }
    else if (p === 'str') zs.push(z.string());
    else if (p === 'dict') zs.push(z.record(z.string(), z.unknown()));
    else if (p.startsWith('list[')) {
      zs.push(z.array(z.unknown()));
      if (p === 'list[ref]' && f.ref?.length && depth < 3) items = objFromClasses(t, f.ref, `${f.name}[]`, o, depth + 1);
    } else if (p === 'literal') {
      if (f.values?.some((v) => typeof v === 'string')) zs.push(z.string());
      if (f.values?.some((v) => typeof v === 'number')) { zs.push(z.number()); numeric = true; }
      if (f.values?.some((v) => typeof v === 'boolean')) { zs.push(z.boolean()); boolean = true; }
    } else if (p === 'ref') {
      if (f.enum) zs.push(z.union([z.string(), z.number()]));
      else if (f.ref?.length) { zs.push(z.record(z.string(), z.unknown())); if (depth < 3) sub = objFromClasses(t, f.ref, f.name, o, depth + 1); }
      else zs.push(z.unknown());
    } else zs.push(z.unknown());
  }
  const zod = zs.length === 0 ? z.unknown() : zs.length === 1 ? zs[0] : z.union(zs as [z.ZodType, z.ZodType, ...z.ZodType[]]);
  const source = fieldSource(t, cls, f);
  const vals = f.values?.filter((v): v is string => typeof v === 'string');
  const doc = (f.doc || `${f.name} (${cls}).`) + (!enumOnly && vals?.length ? ` Known values: ${vals.join(', ')}.` : '');
  const spec: KeySpec = {
    doc, type: `${f.type}${boundsText(f)}`, zod, default: f.default, nullable: f.nullable || f.default === null,
    numeric: numeric && !parts.includes('str') ? true : numeric && parts.length === 1, boolean, source, obj: sub, items,
  };
  if (enumOnly && vals?.length && vals.length === f.values!.length) { spec.values = vals; spec.enumSeverity = o.enumSeverity; spec.numeric = false; }
  else if (vals?.length) spec.knownValues = vals;
  return spec;
}

/** An object spec whose keys are the union of the fields of `classes` (a pydantic union such as SFTDataset | DPODataset). */
export function objFromClasses(t: KeyTable, classes: string[], name: string, o: SpecOptions, depth = 0): ObjSpec {
  const keys: Record<string, KeySpec> = {};
  for (const c of classes) {
    for (const { field, cls } of flattenClass(t, c)) {
      if (keys[field.name]) continue;
      const s = specFromField(t, cls, field, o, depth);
      keys[field.name] = s;
      for (const a of field.aliases ?? []) keys[a] ??= s;
    }
  }
  const first = t.classes[classes[0]];
  return obj(name, keys, o.nestedUnknown, { source: first ? `https://github.com/${t.repo}/blob/${t.commit ?? `v${t.release}`}/${first.file}#L${first.line}` : undefined, unknownNote: `${o.label} does not read it.` });
}

/**
 * The hand-written spec with the table merged in: every table key is known; where both define a key, the
 * hand-written doc, values and sub-objects stay, but bounds and nullability come from the source (a field typed
 * `int | None` without `ge` accepts 0). Hand-written keys the table lacks are kept only when `keep` says so
 * (keys read outside the models, e.g. by a trainer builder); others are dropped so they are reported unknown.
 */
export function mergeTable(hand: ObjSpec, gen: ObjSpec, keep: (key: string) => boolean = () => true): ObjSpec {
  const keys: Record<string, KeySpec> = {};
  for (const [k, h] of Object.entries(hand.keys)) if (gen.keys[k] || keep(k)) keys[k] = h;
  for (const [k, g] of Object.entries(gen.keys)) {
    const h = keys[k];
    if (!h) { keys[k] = g; continue; }
    const merged: KeySpec = { ...h, source: h.source && !g.source ? h.source : g.source, nullable: g.nullable || h.nullable !== false };
    // The type comes from the source; a hand-written value list (a rule the framework applies later, e.g. in
    // TrainingArguments) stays and keeps its zod.
    if (!h.values && !h.obj && !h.items) { merged.zod = g.zod; merged.type = g.type; merged.numeric = g.numeric; merged.boolean = g.boolean; }
    if (!h.obj && g.obj) merged.obj = g.obj;
    else if (h.obj && g.obj) merged.obj = mergeTable(h.obj, g.obj);
    if (!h.items && g.items) merged.items = g.items;
    else if (h.items && g.items) merged.items = mergeTable(h.items, g.items);
    if (g.default !== undefined && h.default === undefined) merged.default = g.default;
    keys[k] = merged;
  }
  return { ...hand, keys };
}

/**
 * The hand-written spec with a table added without overriding it (HF TrainingArguments / TRL configs, PEFT, whose
 * hand-written specs carry rules the dataclass annotations do not state: bounds, value lists, int | float where the
 * annotation says int but nothing checks it). Table keys the spec lacks are added with the table's type, default,
 * values and source line; for keys both have, the spec's type and doc stay, its values gain the table's, the hover's
 * source becomes the table's file:line at its commit (unless an earlier table pinned it) and a missing default comes
 * from the table. Nothing is removed, and a key the spec lists under `renamed` is not added.
 *
 * `o.defaultsFrom` (the table's label, e.g. `transformers 5.18.0 (PyPI wheel)`): the table's default wins over the
 * hand-written one (issue 15: defaults from the source of the version in use), unless an earlier table already gave
 * it (the run's or the newest release is added first) or it is no value of the key's list (a name the generator kept
 * as text, e.g. `optim`'s `default_optim`, a module variable). A hand-written default the table gives as `None`
 * stays as `defaultWhenUnset` (what `__post_init__` makes of it).
 */
export function addTable(hand: ObjSpec, gen: ObjSpec, o: { defaultsFrom?: string } = {}): ObjSpec {
  const keys: Record<string, KeySpec> = { ...hand.keys };
  for (const [k, g] of Object.entries(gen.keys)) {
    // A deprecated name the spec reports as renamed stays reported (DeepSpeed keeps such fields with an alias).
    if (hand.renamed?.[k]) continue;
    const h = keys[k];
    if (!h) { keys[k] = g; continue; }
    // A source already pinned to a release (an earlier table) stays: TrainingArguments' line, not a TRL override's.
    // A link to a moving branch (`main`, DeepSpeed's `master`) is not pinned: the table's line at its commit wins.
    const pinned = !!h.source && !/\/(blob|tree)\/(main|master)\//.test(h.source);
    const merged: KeySpec = { ...h, source: pinned ? h.source : g.source ?? h.source, default: h.default !== undefined ? h.default : g.default };
    const valid = g.default === null || typeof g.default !== 'string' || !h.values || h.values.includes(g.default);
    if (o.defaultsFrom && !h.defaultFrom && g.default !== undefined && valid) {
      merged.default = g.default;
      merged.defaultFrom = o.defaultsFrom;
      if (g.default === null && h.default !== undefined && h.default !== null) merged.defaultWhenUnset = h.default;
    }
    // Values the release added to an enum the spec lists (e.g. a new scheduler) are accepted too.
    const gv = g.values ?? g.knownValues;
    if (h.values && gv) merged.values = [...new Set([...h.values, ...gv])];
    keys[k] = merged;
  }
  return { ...hand, keys };
}
