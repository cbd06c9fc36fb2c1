/**
 * How a Python YAML loader reads an unquoted (plain) scalar. JavaScript YAML parsers implement YAML 1.2, but the
 * training frameworks load YAML with PyYAML (`yaml.safe_load`, YAML 1.1 resolvers) or OmegaConf (PyYAML SafeLoader
 * with a patched float resolver and without timestamps). The difference bites: `1e-5` is the *string* '1e-5' for
 * PyYAML, `no` is `False`, `010` is 8 and `1:30` is 90.
 *
 * Sources: PyYAML `lib/yaml/resolver.py` (`Resolver.add_implicit_resolver` calls, BaseResolver) and
 * `lib/yaml/constructor.py` (`SafeConstructor.construct_yaml_int/float/bool`);
 * OmegaConf `omegaconf/_utils.py` `get_yaml_loader()` (float regex allowing `1e-5`, timestamp resolver removed).
 */

/** Which loader reads the file. */
export type YamlLoader = 'pyyaml' | 'omegaconf';

/** The Python value of a plain scalar, with the YAML 1.1 quirk that produced it, if any. */
export interface PyScalar {
  value: null | boolean | number | string;
  /** Python type name: NoneType, bool, int, float, str (timestamps are reported as 'datetime'). */
  pyType: 'NoneType' | 'bool' | 'int' | 'float' | 'str' | 'datetime';
  /** A YAML 1.1 reading that differs from what YAML 1.2 (and most people) expect. */
  quirk?: 'bool-word' | 'octal' | 'sexagesimal' | 'float-without-dot' | 'timestamp' | 'underscore';
}

const BOOL = /^(?:yes|Yes|YES|no|No|NO|true|True|TRUE|false|False|FALSE|on|On|ON|off|Off|OFF)$/;
const NULL = /^(?:~|null|Null|NULL|)$/;
// PyYAML resolver.py, int: binary, octal (leading 0), decimal, hex, sexagesimal.
const INT = /^(?:[-+]?0b[0-1_]+|[-+]?0[0-7_]+|[-+]?(?:0|[1-9][0-9_]*)|[-+]?0x[0-9a-fA-F_]+|[-+]?[1-9][0-9_]*(?::[0-5]?[0-9])+)$/;
// PyYAML resolver.py, float: a dot is mandatory and the exponent needs a sign.
const FLOAT_PY = /^(?:[-+]?(?:[0-9][0-9_]*)\.[0-9_]*(?:[eE][-+][0-9]+)?|\.[0-9_]+(?:[eE][-+][0-9]+)?|[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+\.[0-9_]*|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$/;
// OmegaConf get_yaml_loader(): dot optional when an exponent is present; exponent sign optional.
const FLOAT_OMEGA = /^(?:[-+]?[0-9][0-9_]*\.[0-9_]*(?:[eE][-+]?[0-9]+)?|[-+]?[0-9][0-9_]*(?:[eE][-+]?[0-9]+)|\.[0-9_]+(?:[eE][-+][0-9]+)?|[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+\.[0-9_]*|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$/;
const TIMESTAMP = /^(?:[0-9]{4}-[0-9]{2}-[0-9]{2}|[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}(?:[Tt]|[ \t]+)[0-9]{1,2}:[0-9]{2}:[0-9]{2}(?:\.[0-9]*)?(?:[ \t]*(?:Z|[-+][0-9]{1,2}(?::[0-9]{2})?))?)$/;
/** What a reader (and YAML 1.2) takes for a number: used to spot numbers that a loader keeps as strings. */
export const LOOKS_NUMERIC = /^[-+]?(?:[0-9][0-9_]*)?(?:\.[0-9_]*)?(?:[eE][-+]?[0-9]+)?$/;

function sexagesimal(body: string): number {
  let v = 0;
  for (const part of body.split(':')) v = v * 60 + Number(part.replace(/_/g, ''));
  return v;
}

function pyInt(src: string): number {
  let s = src.replace(/_/g, '');
  let sign = 1;
  if (s[0] === '-') { sign = -1; s = s.slice(1); } else if (s[0] === '+') s = s.slice(1);
  if (s === '0') return 0;
  if (s.startsWith('0b')) return sign * parseInt(s.slice(2), 2);
  if (s.startsWith('0x')) return sign * parseInt(s.slice(2), 16);
  if (s.startsWith('0')) return sign * parseInt(s, 8);
  if (s.includes(':')) return sign * sexagesimal(s);
  return sign * parseInt(s, 10);
}

function pyFloat(src: string): number {
  let s = src.replace(/_/g, '').toLowerCase();
  let sign = 1;
  if (s[0] === '-') { sign = -1; s = s.slice(1); } else if (s[0] === '+') s = s.slice(1);
  if (s === '.inf') return sign * Infinity;
  if (s === '.nan') return NaN;
  if (s.includes(':')) return sign * sexagesimal(s);
  return sign * Number(s);
}

/** Resolves a plain scalar's source text as `loader` would (see module doc). Never throws. */
export function resolvePlain(src: string, loader: YamlLoader): PyScalar {
  const c = src.charCodeAt(0);
  // Fast path: most scalars are words that start with a letter other than the resolver's first characters.
  if (NULL.test(src)) return { value: null, pyType: 'NoneType' };
  if (BOOL.test(src)) {
    const v = /^(?:yes|true|on)$/i.test(src);
    return { value: v, pyType: 'bool', quirk: /^(?:true|false)$/i.test(src) ? undefined : 'bool-word' };
  }
  const numStart = (c >= 48 && c <= 57) || c === 43 || c === 45 || c === 46;
  if (!numStart) return { value: src, pyType: 'str' };
  if (INT.test(src)) {
    const s = src.replace(/^[-+]/, '');
    let quirk: PyScalar['quirk'];
    if (s.includes(':')) quirk = 'sexagesimal';
    else if (/^0[0-7_]+$/.test(s)) quirk = 'octal';
    else if (s.includes('_')) quirk = 'underscore';
    return { value: pyInt(src), pyType: 'int', quirk };
  }
  const floatRe = loader === 'omegaconf' ? FLOAT_OMEGA : FLOAT_PY;
  if (floatRe.test(src)) {
    return { value: pyFloat(src), pyType: 'float', quirk: src.includes(':') ? 'sexagesimal' : src.includes('_') ? 'underscore' : undefined };
  }
  if (loader === 'pyyaml' && TIMESTAMP.test(src)) return { value: src, pyType: 'datetime', quirk: 'timestamp' };
  if (LOOKS_NUMERIC.test(src) && /[0-9]/.test(src)) return { value: src, pyType: 'str', quirk: 'float-without-dot' };
  return { value: src, pyType: 'str' };
}
