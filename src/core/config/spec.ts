/**
 * A small vocabulary for describing config keys once and using the description everywhere: each key carries a zod
 * schema (validates the value *as the framework's loader reads it*), documentation, default, allowed values and the
 * source it was taken from. The validator walks these specs; hover and completion read them; `jsonSchemaFor`
 * turns the zod schemas into JSON Schema.
 */
import { z } from 'zod';
import type { Severity } from './types';

export interface KeySpec {
  /** One or two sentences: what the key does, in the framework's own terms. */
  doc: string;
  /** Human-readable type, e.g. `int`, `float`, `bool`, `str`, `list[str]`. */
  type: string;
  /** Validates the loaded value (null is handled by the walker via `nullable`). */
  zod: z.ZodType;
  default?: unknown;
  /** The key table `default` comes from (`transformers 5.18.0 (PyPI wheel)`), shown by the hover; unset: hand-written. */
  defaultFrom?: string;
  /**
   * What an unset field becomes after the dataclass's `__post_init__` (hand-written), shown by the hover where the
   * table's field default is `None` (`output_dir` -> 'trainer_output').
   */
  defaultWhenUnset?: unknown;
  /** Allowed values (enums), offered by completion. */
  values?: readonly string[];
  /**
   * Values a generated table lists for a field whose annotation also admits other values (`SchedulerType | str`):
   * not enforced; addTable (tables.ts) adds them to a hand-written `values` list of the same key.
   */
  knownValues?: readonly string[];
  /** Unknown enum value: error (the framework raises) or warning (the list grows between versions). */
  enumSeverity?: Severity;
  /** Whether the key expects a number (used to spot numbers that the loader keeps as strings). */
  numeric?: boolean;
  /** Whether the key expects a bool. */
  boolean?: boolean;
  /** Whether `null` is accepted (Optional[...] in the framework). Default true. */
  nullable?: boolean;
  /** Known sub-keys when the value is a mapping. */
  obj?: ObjSpec;
  /** Known keys of each element when the value is a list of mappings. */
  items?: ObjSpec;
  /** Doc or code URL this key was taken from (overrides the object's). */
  source?: string;
  /** Deprecated (still accepted) with this note. */
  deprecated?: string;
}

export interface Rename {
  /** The replacement key, or undefined when the key was removed without one. */
  to?: string;
  /** e.g. "transformers 4.46". */
  version: string;
  severity: Severity;
  note?: string;
  /** The key moved one level down, under `to` (its quick fix nests the entry rather than renaming it). */
  under?: boolean;
  /**
   * The rename by the version of the run (issue 15, "Version awareness"): the Python distribution whose version
   * decides (`ValidateOptions.versions[pkg]`, e.g. `transformers`), the release that deprecated the old name (both
   * names accepted, a FutureWarning) and the one that removed it. With the version known: before `deprecatedIn` the
   * old name is the right one (and `to` is flagged as too new), between them a warning, from `removedIn` an error.
   * Unknown version: `severity` and `version` as for any rename. `newNameCheckedElsewhere`: the new name is not
   * flagged as too new here (it depends on more than the version, e.g. the TRL class: keyHistory.ts).
   */
  byVersion?: { pkg: string; label: string; deprecatedIn: string; removedIn: string; source: string; newNameCheckedElsewhere?: boolean };
}

export interface ObjSpec {
  /** Display name, e.g. `TrainingArguments` or `zero_optimization`. */
  name: string;
  keys: Record<string, KeySpec>;
  renamed?: Record<string, Rename>;
  /**
   * How an unknown key is reported: the framework raises (error), ignores it silently (warning), anything goes
   * (ignore), or only a near-miss of a known key is worth a warning (`near-miss`, for open key sets like torchtune's).
   */
  unknown: Severity | 'ignore' | 'near-miss';
  /**
   * Keys another tabled release of the framework has and the release the checks use does not (issue 15: the run's
   * version picks the key table, tables.ts `versionGaps`): key -> what to say. Reported as `key-version` at the
   * unknown-key severity instead of a bare unknown key (the `unknownNote` appended). An object gives its own
   * severity and the whole message (a key some launch of the release reads outside its tabled classes, e.g.
   * LLaMA-Factory 0.9.4's USE_MCA=1 launch: a warning); with `note: true` "If it does not: " and the `unknownNote` are appended (a
   * run between two tabled releases that were not read: a warning, tables.ts `versionGaps`).
   */
  versionGaps?: Record<string, string | { message: string; severity: Severity; note?: boolean }>;
  /** Why unknown keys matter, appended to the message. */
  unknownNote?: string;
  source?: string;
  /**
   * The pydantic model (not strict: lax mode) that reads this mapping, e.g. `DeepSpeedZeroConfig` (issue 15): a
   * string its bool/int/float field converts (`"true"`, `"3"`, `"1e-5"`, pydanticLax.ts) is a `converted-value`
   * warning with a fix, not a `wrong-type` error. Unset: strings are not converted.
   */
  laxModel?: string;
}

interface Opts { min?: number; max?: number; gt?: number; lt?: number; nullable?: boolean; auto?: boolean; source?: string; deprecated?: string }

function withAuto(s: z.ZodType, o?: Opts): z.ZodType { return o?.auto ? z.union([s, z.literal('auto')]) : s; }
function num(base: z.ZodNumber, o?: Opts): z.ZodNumber {
  let s = base;
  if (o?.min !== undefined) s = s.min(o.min);
  if (o?.max !== undefined) s = s.max(o.max);
  if (o?.gt !== undefined) s = s.gt(o.gt);
  if (o?.lt !== undefined) s = s.lt(o.lt);
  return s;
}
function rangeText(o?: Opts): string {
  const parts: string[] = [];
  if (o?.min !== undefined) parts.push(`>= ${o.min}`);
  if (o?.gt !== undefined) parts.push(`> ${o.gt}`);
  if (o?.max !== undefined) parts.push(`<= ${o.max}`);
  if (o?.lt !== undefined) parts.push(`< ${o.lt}`);
  return parts.length ? ` (${parts.join(', ')})` : '';
}
function base(o?: Opts): Partial<KeySpec> { return { nullable: o?.nullable ?? true, source: o?.source, deprecated: o?.deprecated }; }

export function int(doc: string, def?: unknown, o?: Opts): KeySpec {
  return { ...base(o), doc, default: def, type: `int${rangeText(o)}${o?.auto ? " | 'auto'" : ''}`, zod: withAuto(num(z.number().int(), o), o), numeric: true };
}
export function float(doc: string, def?: unknown, o?: Opts): KeySpec {
  return { ...base(o), doc, default: def, type: `float${rangeText(o)}${o?.auto ? " | 'auto'" : ''}`, zod: withAuto(num(z.number(), o), o), numeric: true };
}
export function bool(doc: string, def?: unknown, o?: Opts): KeySpec {
  return { ...base(o), doc, default: def, type: `bool${o?.auto ? " | 'auto'" : ''}`, zod: withAuto(z.boolean(), o), boolean: true };
}
export function str(doc: string, def?: unknown, o?: Opts): KeySpec {
  return { ...base(o), doc, default: def, type: 'str', zod: z.string() };
}
/** A key whose value is one of `values`; `severity` says what an unknown value is. */
export function enm(values: readonly string[], doc: string, def?: unknown, o?: Opts & { severity?: Severity; extra?: z.ZodType }): KeySpec {
  // Validation of the exact value is done by the walker (for did-you-mean); zod checks the type.
  const zod = o?.extra ? z.union([z.string(), o.extra]) : z.string();
  return { ...base(o), doc, default: def, type: values.map((v) => `'${v}'`).join(' | '), zod: withAuto(zod, o), values, enumSeverity: o?.severity ?? 'error', numeric: false };
}
export function list(of: 'str' | 'int' | 'float' | 'any', doc: string, def?: unknown, o?: Opts & { orScalar?: boolean }): KeySpec {
  const item = of === 'str' ? z.string() : of === 'int' ? z.number().int() : of === 'float' ? z.number() : z.unknown();
  const zod = o?.orScalar ? z.union([z.array(item), item]) : z.array(item);
  return { ...base(o), doc, default: def, type: `list[${of}]${o?.orScalar ? ` | ${of}` : ''}`, zod };
}
export function map(doc: string, obj?: ObjSpec, def?: unknown, o?: Opts): KeySpec {
  return { ...base(o), doc, default: def, type: 'mapping', zod: z.record(z.string(), z.unknown()), obj };
}
export function listOf(items: ObjSpec, doc: string, o?: Opts & { orScalar?: z.ZodType }): KeySpec {
  const zod = o?.orScalar ? z.union([z.array(z.unknown()), o.orScalar]) : z.array(z.unknown());
  return { ...base(o), doc, type: `list[${items.name}]`, zod, items };
}
export function any(doc: string, def?: unknown, o?: Opts & { type?: string }): KeySpec {
  return { ...base(o), doc, default: def, type: o?.type ?? 'any', zod: z.unknown() };
}
export function custom(type: string, zod: z.ZodType, doc: string, def?: unknown, o?: Opts & { numeric?: boolean; values?: readonly string[] }): KeySpec {
  return { ...base(o), doc, default: def, type, zod, numeric: o?.numeric, values: o?.values };
}

/** Builds an object spec. */
export function obj(name: string, keys: Record<string, KeySpec>, unknown: ObjSpec['unknown'], o?: { renamed?: Record<string, Rename>; source?: string; unknownNote?: string }): ObjSpec {
  return { name, keys, unknown, renamed: o?.renamed, source: o?.source, unknownNote: o?.unknownNote };
}

/** Descends through an object spec by a path of keys (list indexes step into `items`). */
export function specAt(root: ObjSpec, path: (string | number)[]): { obj?: ObjSpec; key?: KeySpec } {
  let cur: ObjSpec | undefined = root; let key: KeySpec | undefined;
  for (const p of path) {
    if (typeof p === 'number') { if (!key?.items) return {}; cur = key.items; key = undefined; continue; }
    if (!cur) return {};
    key = cur.keys[p];
    if (!key) return {};
    cur = key.obj;
  }
  return { obj: cur, key };
}

/** zod object schema for an ObjSpec (all keys optional; strict when unknown keys are errors), with descriptions. */
export function toZod(o: ObjSpec, depth = 0): z.ZodType {
  const shape: Record<string, z.ZodType> = {};
  for (const [k, s] of Object.entries(o.keys)) {
    let t: z.ZodType = s.values && s.enumSeverity === 'error' ? z.enum(s.values as [string, ...string[]]) : s.zod;
    if (s.values && s.enumSeverity === 'error' && s.type.includes("'auto'") && !s.values.includes('auto')) t = z.union([t, z.literal('auto')]);
    if (s.obj && depth < 4) t = toZod(s.obj, depth + 1);
    if (s.items && depth < 4) t = z.array(toZod(s.items, depth + 1));
    if (s.nullable !== false) t = t.nullable();
    const meta: Record<string, unknown> = { description: s.doc + (s.source ? `\n\nSource: ${s.source}` : '') };
    if (s.default !== undefined) meta.default = s.default;
    if (s.deprecated) meta.deprecated = true;
    shape[k] = t.optional().meta(meta);
  }
  const base = o.unknown === 'error' ? z.strictObject(shape) : z.looseObject(shape);
  return base.meta({ title: o.name, description: o.source ? `Source: ${o.source}` : undefined });
}
