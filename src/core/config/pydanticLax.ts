/**
 * pydantic v2 "lax" mode on a string given to a bool, int or float field, as DeepSpeed's config models see it
 * (issue 15, "severity that matches what the framework does").
 *
 * DeepSpeedConfigModel (deepspeed/runtime/config_utils.py:105-113 in 0.17.6, 0.18.9 and 0.19.5; every release
 * requires `pydantic>=2.0.0`) sets no `strict`, so its sections (zero_optimization with offload_param /
 * offload_optimizer, bf16, fp16, comms_logger) convert strings as pydantic's conversion table says
 * (https://docs.pydantic.dev/latest/concepts/conversion_table/). The rules below were checked by running those
 * models (sources of the three tags, pydantic 2.13.4):
 * - bool: 'true' 'false' 'yes' 'no' 'on' 'off' '1' '0' 't' 'f' 'y' 'n', any case, no surrounding space
 *   (' true' and '2' are refused: bool_parsing);
 * - int (and ZeroStageEnum, an int Enum): optional sign, digits with single underscores, surrounding whitespace,
 *   a fraction of zeros only ('12.0'); '12.5', '12.', '5e8' and '0x10' are refused (int_parsing);
 * - float: Python float syntax ('1e-5', '.5', '1_000.5', ' 1.5 '); 'inf'/'nan' are not converted here (fp16's
 *   loss_scale validator refuses them).
 */

/** The field types whose strings pydantic's lax mode converts. */
export type LaxKind = 'bool' | 'int' | 'float';

const TRUE = new Set(['true', 'yes', 'on', '1', 't', 'y']);
const FALSE = new Set(['false', 'no', 'off', '0', 'f', 'n']);
const DIGITS = String.raw`\d+(?:_\d+)*`;
const INT = new RegExp(String.raw`^\s*[-+]?${DIGITS}(?:\.0+)?\s*$`);
const FLOAT = new RegExp(String.raw`^\s*[-+]?(?:${DIGITS}(?:\.(?:${DIGITS})?)?|\.${DIGITS})(?:[eE][-+]?${DIGITS})?\s*$`);

/**
 * The value pydantic lax mode makes of string `s` for a field of type `kind`: a boolean for `bool`, a number for
 * `int` / `float`; undefined where pydantic refuses the string (a validation error, the run fails).
 */
export function laxFromString(s: string, kind: LaxKind): boolean | number | undefined {
  if (kind === 'bool') { const l = s.toLowerCase(); return TRUE.has(l) ? true : FALSE.has(l) ? false : undefined; }
  if (!(kind === 'int' ? INT : FLOAT).test(s)) return undefined;
  const n = Number(s.trim().replace(/_/g, ''));
  return Number.isFinite(n) ? n : undefined;
}

/**
 * The lax kind of a key spec's type text: `bool` for a boolean key, `int` / `float` from the type's head (the
 * hand-written `int (>= 0) | 'auto'`, a table's `Optional[int]`); undefined for other types (no conversion).
 */
export function laxKindOf(spec: { type: string; boolean?: boolean; numeric?: boolean }): LaxKind | undefined {
  if (spec.boolean) return 'bool';
  if (!spec.numeric) return undefined;
  const m = /^(?:Optional\[)?(int|float)\b/.exec(spec.type);
  return m ? (m[1] as LaxKind) : undefined;
}
