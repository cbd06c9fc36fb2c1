/**
 * One parsed config document as a small tree with exact offsets, whatever the syntax (YAML via `yaml`'s AST,
 * JSON via `jsonc-parser`'s tree). Scalar values are what the *framework's loader* produces (see pyyaml.ts), not
 * what a YAML 1.2 parser would, so rules see the config the way the training code will.
 */
import { parseDocument, isMap, isSeq, isScalar, isAlias, isPair } from 'yaml';
import type { Node as YNode, Scalar as YScalar, Document as YDocument, Alias as YAlias } from 'yaml';
import { parseTree, printParseErrorCode } from 'jsonc-parser';
import type { Node as JNode, ParseError } from 'jsonc-parser';
import { resolvePlain } from './pyyaml';
import type { PyScalar, YamlLoader } from './pyyaml';

export type Syntax = 'yaml' | 'json';

export interface CEntry {
  key: string;
  keyStart: number;
  keyEnd: number;
  /** null for `key:` with nothing after it (YAML null) */
  value: CNode | null;
}

export interface CNode {
  kind: 'map' | 'seq' | 'scalar';
  start: number;
  end: number;
  entries?: CEntry[];
  items?: CNode[];
  /** Loaded value of a scalar (Python semantics: null, bool, number, string). */
  value?: null | boolean | number | string;
  pyType?: PyScalar['pyType'];
  /** Source text of a plain (unquoted) YAML scalar; undefined for quoted/block scalars and JSON. */
  plain?: string;
  quirk?: PyScalar['quirk'];
  /** Explicit tag, if any (e.g. `!!str`). */
  tag?: string;
}

export interface SyntaxProblem { code: string; message: string; start: number; end: number; severity: 'error' | 'warning' }

export interface ParsedConfig {
  syntax: Syntax;
  root: CNode | null;
  problems: SyntaxProblem[];
}

/** Deeper than this we stop building the tree (and say so): no config is this deep, and recursion must stay bounded. */
export const MAX_DEPTH = 200;

/**
 * Alias expansion caps (issue 15: a 360-byte "billion laughs" document grew to gigabytes). `yaml`'s own
 * `maxAliasCount` check (100, its default for toJS) rejects exponential aliasing up front; the node budget bounds
 * what we build from aliases even where that check passes. PyYAML loads such files cheaply (it shares the
 * objects), so the framework does not hang, and neither may we: the file is reported instead of expanded.
 */
export const MAX_ALIAS_COUNT = 100;
export const MAX_ALIAS_NODES = 20000;
let aliasNodes = 0;
let aliasDepth = 0;

function yamlToC(n: YNode | null | undefined, loader: YamlLoader, depth: number, problems: SyntaxProblem[], text: string, doc?: YDocument): CNode | null {
  if (!n) return null;
  const [start, valueEnd] = n.range ?? [0, 0];
  if (aliasDepth > 0 && ++aliasNodes > MAX_ALIAS_NODES) {
    if (!problems.some((p) => p.code === 'alias-bomb')) problems.push({ code: 'alias-bomb', severity: 'error', message: `YAML aliases expand to more than ${MAX_ALIAS_NODES} nodes (an alias bomb); not expanded further. PyYAML would build this structure in memory for the training run.`, start, end: valueEnd });
    return { kind: 'scalar', start, end: valueEnd, value: null, pyType: 'NoneType' };
  }
  if (depth > MAX_DEPTH) {
    if (!problems.some((p) => p.code === 'too-deep')) problems.push({ code: 'too-deep', severity: 'error', message: `Nesting deeper than ${MAX_DEPTH} levels: not a training config, not checked further.`, start, end: valueEnd });
    return { kind: 'scalar', start, end: valueEnd, value: null, pyType: 'NoneType' };
  }
  if (isMap(n)) {
    const entries: CEntry[] = [];
    for (const p of n.items) {
      if (!isPair(p)) continue;
      const k = p.key as YNode | null;
      let key: string; let ks: number; let ke: number;
      if (k && isScalar(k)) { key = String(k.value); [ks, ke] = k.range ?? [start, start]; }
      else if (k) { [ks, ke] = k.range ?? [start, start]; key = text.slice(ks, ke); }
      else { key = ''; ks = ke = start; }
      entries.push({ key, keyStart: ks, keyEnd: ke, value: yamlToC(p.value as YNode | null, loader, depth + 1, problems, text, doc) });
    }
    return { kind: 'map', start, end: valueEnd, entries };
  }
  if (isSeq(n)) {
    const items: CNode[] = [];
    for (const it of n.items) { const c = yamlToC(it as YNode, loader, depth + 1, problems, text, doc); if (c) items.push(c); }
    return { kind: 'seq', start, end: valueEnd, items };
  }
  if (isAlias(n)) {
    // `*name`: the anchored node's value, reported at the alias (depth-bounded, so self-references terminate).
    const target = doc ? (n as YAlias).resolve(doc) : undefined;
    aliasDepth++;
    let c: CNode | null;
    try { c = target ? yamlToC(target as YNode, loader, depth + 1, problems, text, doc) : null; } finally { aliasDepth--; }
    if (!c) return { kind: 'scalar', start, end: valueEnd, value: null, pyType: 'NoneType' };
    return { ...c, start, end: valueEnd, plain: undefined, quirk: undefined };
  }
  if (isScalar(n)) {
    const s = n as YScalar;
    const tag = s.tag && !s.tag.startsWith('tag:yaml.org,2002:') ? s.tag : s.tag;
    if (s.type === 'PLAIN' && !explicitTag(text, start)) {
      const src = (s.source as string | undefined) ?? text.slice(start, valueEnd);
      const r = resolvePlain(src, loader);
      return { kind: 'scalar', start, end: valueEnd, value: r.value, pyType: r.pyType, plain: src, quirk: r.quirk, tag };
    }
    const v = s.value;
    const value = v === null || typeof v === 'boolean' || typeof v === 'number' || typeof v === 'string' ? v : String(v);
    const pyType = value === null ? 'NoneType' : typeof value === 'boolean' ? 'bool' : typeof value === 'number' ? (Number.isInteger(value) ? 'int' : 'float') : 'str';
    return { kind: 'scalar', start, end: valueEnd, value, pyType, tag };
  }
  return null;
}

function explicitTag(text: string, start: number): boolean {
  // `!!str 1e-5` — the tag sits just before the scalar's range.
  let i = start - 1;
  while (i >= 0 && (text[i] === ' ' || text[i] === '\t')) i--;
  let j = i;
  while (j >= 0 && !/\s/.test(text[j])) j--;
  return i >= 0 && text[j + 1] === '!';
}

/** Parses YAML, reading plain scalars the way `loader` does. Never throws. */
export function parseYaml(text: string, loader: YamlLoader): ParsedConfig {
  const problems: SyntaxProblem[] = [];
  try {
    const doc = parseDocument(text, { uniqueKeys: false, prettyErrors: false, strict: false, keepSourceTokens: false });
    for (const e of doc.errors) {
      // The yaml parser's own recursion limit surfaces as a "Maximum call stack size exceeded" error.
      if (/call stack/i.test(e.message)) { if (!problems.some((p) => p.code === 'too-deep')) problems.push({ code: 'too-deep', severity: 'error', message: 'Nested too deeply to parse (the parser ran out of stack): not a training config.', start: e.pos[0], end: Math.max(e.pos[1], e.pos[0] + 1) }); continue; }
      // The yaml library's text for several documents tells a programmer to call parseAllDocuments(); the user needs
      // to know that training frameworks load one document (PyYAML's safe_load: "expected a single document in the stream").
      const message = e.code === 'MULTIPLE_DOCS' ? 'YAML syntax: a second document starts here (`---`); a training config is one document (yaml.safe_load refuses several)' : `YAML syntax: ${firstLine(e.message)}`;
      problems.push({ code: 'syntax', severity: 'error', message, start: e.pos[0], end: Math.max(e.pos[1], e.pos[0] + 1) });
    }
    for (const w of doc.warnings) problems.push({ code: 'syntax-warning', severity: 'warning', message: `YAML: ${firstLine(w.message)}`, start: w.pos[0], end: Math.max(w.pos[1], w.pos[0] + 1) });
    if (problems.some((p) => p.code === 'too-deep')) return { syntax: 'yaml', root: null, problems };
    if (text.includes('*') && !doc.errors.length) {
      try { doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT }); } catch (err) {
        if (err instanceof ReferenceError && /alias/i.test(err.message)) {
          problems.push({ code: 'alias-bomb', severity: 'error', message: `YAML aliases expand exponentially (more than ${MAX_ALIAS_COUNT} alias uses of one anchor: an alias bomb); the file is not expanded or checked further.`, start: 0, end: Math.min(text.length, 1) });
          return { syntax: 'yaml', root: null, problems };
        }
      }
    }
    aliasNodes = 0; aliasDepth = 0;
    const root = yamlToC(doc.contents as YNode | null, loader, 0, problems, text, doc);
    return { syntax: 'yaml', root, problems };
  } catch (err) {
    aliasDepth = 0;
    problems.push({ code: err instanceof RangeError ? 'too-deep' : 'syntax', severity: 'error', message: err instanceof RangeError ? 'Nested too deeply to parse (the parser ran out of stack): not a training config.' : `YAML could not be parsed: ${err instanceof Error ? err.message : String(err)}`, start: 0, end: Math.min(text.length, 1) });
    return { syntax: 'yaml', root: null, problems };
  }
}

function firstLine(s: string): string { const i = s.indexOf('\n'); return i < 0 ? s : s.slice(0, i); }

function jsonToC(n: JNode | undefined, depth: number, problems: SyntaxProblem[]): CNode | null {
  if (!n) return null;
  const start = n.offset, end = n.offset + n.length;
  if (depth > MAX_DEPTH) {
    if (!problems.some((p) => p.code === 'too-deep')) problems.push({ code: 'too-deep', severity: 'error', message: `Nesting deeper than ${MAX_DEPTH} levels: not a training config, not checked further.`, start, end });
    return { kind: 'scalar', start, end, value: null, pyType: 'NoneType' };
  }
  switch (n.type) {
    case 'object': {
      const entries: CEntry[] = [];
      for (const p of n.children ?? []) {
        const [k, v] = p.children ?? [];
        if (!k) continue;
        entries.push({ key: String(k.value), keyStart: k.offset, keyEnd: k.offset + k.length, value: jsonToC(v, depth + 1, problems) });
      }
      return { kind: 'map', start, end, entries };
    }
    case 'array': {
      const items: CNode[] = [];
      for (const c of n.children ?? []) { const x = jsonToC(c, depth + 1, problems); if (x) items.push(x); }
      return { kind: 'seq', start, end, items };
    }
    case 'null': return { kind: 'scalar', start, end, value: null, pyType: 'NoneType' };
    case 'boolean': return { kind: 'scalar', start, end, value: n.value as boolean, pyType: 'bool' };
    case 'number': return { kind: 'scalar', start, end, value: n.value as number, pyType: /[.eE]/.test(String(n.value)) && !Number.isInteger(n.value) ? 'float' : 'int' };
    case 'string': return { kind: 'scalar', start, end, value: n.value as string, pyType: 'str' };
    default: return null;
  }
}

/** Max bracket depth outside strings (cheap pre-check so a 10k-deep JSON never reaches a recursive parser). */
export function jsonDepth(text: string, limit: number): number {
  let d = 0, max = 0, inStr = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inStr) { if (c === 92) i++; else if (c === 34) inStr = false; continue; }
    if (c === 34) inStr = true;
    else if (c === 123 || c === 91) { if (++d > max) { max = d; if (max > limit) return max; } }
    else if (c === 125 || c === 93) d--;
  }
  return max;
}

/**
 * Parses JSON as Python's `json.load` would accept it: comments and trailing commas are errors
 * (DeepSpeed, PEFT and HF all read their JSON with the standard `json` module). Never throws.
 */
export function parseJson(text: string): ParsedConfig {
  const problems: SyntaxProblem[] = [];
  if (jsonDepth(text, MAX_DEPTH * 10) > MAX_DEPTH * 10) {
    problems.push({ code: 'too-deep', severity: 'error', message: `JSON nested more than ${MAX_DEPTH * 10} levels deep: not a training config, not parsed.`, start: 0, end: Math.min(1, text.length) });
    return { syntax: 'json', root: null, problems };
  }
  const errors: ParseError[] = [];
  if (text.charCodeAt(0) === 0xfeff) {
    // json.load(open(path)) reads the BOM as U+FEFF and refuses it: "Unexpected UTF-8 BOM (decode using utf-8-sig)".
    problems.push({ code: 'syntax', severity: 'error', message: 'The file starts with a UTF-8 byte-order mark: Python\'s json module refuses it ("Unexpected UTF-8 BOM"); save the file without one.', start: 0, end: 1 });
    text = ` ${text.slice(1)}`; // the rest is parsed with its offsets kept
  }
  try {
    const tree = parseTree(text, errors, { allowTrailingComma: false, disallowComments: true, allowEmptyContent: true });
    let lastOffset = -1;
    for (const e of errors) {
      if (e.offset === lastOffset) continue; // one finding per place (a trailing comma reports two codes there)
      lastOffset = e.offset;
      const what = printParseErrorCode(e.error);
      const hint = what === 'PropertyNameExpected' || what === 'ValueExpected' ? ' (a trailing comma? Python\'s json module rejects them)' : what === 'InvalidCommentToken' ? ' (comments are not JSON; Python\'s json module rejects them)' : '';
      problems.push({ code: 'syntax', severity: 'error', message: `JSON syntax: ${what}${hint}`, start: e.offset, end: e.offset + Math.max(1, e.length) });
    }
    return { syntax: 'json', root: jsonToC(tree, 0, problems), problems };
  } catch (err) {
    problems.push({ code: err instanceof RangeError ? 'too-deep' : 'syntax', severity: 'error', message: `JSON could not be parsed: ${err instanceof Error ? err.message : String(err)}`, start: 0, end: Math.min(1, text.length) });
    return { syntax: 'json', root: null, problems };
  }
}

/** Re-reads every plain scalar with another loader's rules, in place (cheaper than parsing again). */
export function reresolve(n: CNode | null, loader: YamlLoader, depth = 0): void {
  if (!n || depth > MAX_DEPTH) return;
  if (n.kind === 'map') { for (const e of n.entries!) reresolve(e.value, loader, depth + 1); return; }
  if (n.kind === 'seq') { for (const it of n.items!) reresolve(it, loader, depth + 1); return; }
  if (n.plain !== undefined) { const r = resolvePlain(n.plain, loader); n.value = r.value; n.pyType = r.pyType; n.quirk = r.quirk; }
}

/** Plain JavaScript value of a node (maps -> objects, last duplicate key wins as in PyYAML/json). */
export function toValue(n: CNode | null): unknown {
  if (!n) return null;
  if (n.kind === 'scalar') return n.value;
  if (n.kind === 'seq') return n.items!.map(toValue);
  const o: Record<string, unknown> = {};
  // YAML 1.1 merge keys (`<<: *base`), as PyYAML applies them: explicit keys win over merged ones.
  for (const e of n.entries!) if (e.key === '<<') for (const m of e.value?.kind === 'seq' ? e.value.items! : [e.value]) if (m?.kind === 'map') for (const me of m.entries!) o[me.key] = toValue(me.value);
  for (const e of n.entries!) if (e.key !== '<<') o[e.key] = toValue(e.value);
  return o;
}

/** The entry for `key` in a map node (last one wins, as in the loaders). */
export function getEntry(n: CNode | null | undefined, key: string): CEntry | undefined {
  if (!n || n.kind !== 'map') return undefined;
  const es = n.entries!;
  for (let i = es.length - 1; i >= 0; i--) if (es[i].key === key) return es[i];
  return undefined;
}

/** Follows a path of keys / indexes. */
export function getPath(n: CNode | null, path: (string | number)[]): CEntry | undefined {
  let cur: CNode | null = n; let last: CEntry | undefined;
  for (const p of path) {
    if (!cur) return undefined;
    if (typeof p === 'number') { if (cur.kind !== 'seq') return undefined; const it: CNode | undefined = cur.items![p]; if (!it) return undefined; last = { key: String(p), keyStart: it.start, keyEnd: it.end, value: it }; cur = it; continue; }
    last = getEntry(cur, p); if (!last) return undefined; cur = last.value;
  }
  return last;
}
