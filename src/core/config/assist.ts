/** Hover and completion over the same key specs the validator uses. */
import { getLocation } from 'jsonc-parser';
import type { CEntry, CNode, ParsedConfig } from './tree';
import type { LineIndex } from './lineIndex';
import type { FrameworkDef } from './engine';
import type { KeySpec, ObjSpec } from './spec';
import type { ConfigCompletion, Range } from './types';

interface Hit { entry: CEntry; path: (string | number)[]; onKey: boolean }

/** Finds the entry whose key or value contains `offset` (deepest first). */
function findEntry(n: CNode | null, offset: number, path: (string | number)[]): Hit | undefined {
  if (!n) return undefined;
  if (n.kind === 'map') {
    for (const e of n.entries!) {
      const p = [...path, e.key];
      if (offset >= e.keyStart && offset <= e.keyEnd) return { entry: e, path: p, onKey: true };
      if (e.value && offset >= e.value.start && offset <= e.value.end) {
        const deeper = e.value.kind === 'scalar' ? undefined : findEntry(e.value, offset, p);
        return deeper ?? { entry: e, path: p, onKey: false };
      }
    }
  } else if (n.kind === 'seq') {
    for (let i = 0; i < n.items!.length; i++) {
      const it = n.items![i];
      if (offset >= it.start && offset <= it.end) return findEntry(it, offset, [...path, i]);
    }
  }
  return undefined;
}

/** The spec for a path, descending through `obj` and list `items`. */
export function specFor(root: ObjSpec, path: (string | number)[]): { key?: KeySpec; parent?: ObjSpec } {
  let obj: ObjSpec | undefined = root; let key: KeySpec | undefined; let parent: ObjSpec | undefined;
  for (const p of path) {
    if (typeof p === 'number') { if (!key?.items) return {}; obj = key.items; key = undefined; continue; }
    if (!obj) return {};
    parent = obj; key = obj.keys[p];
    if (!key) { const rn: import("./spec").Rename | undefined = obj.renamed?.[p]; key = rn?.to ? obj.keys[rn.to] : undefined; if (!key) return { parent }; }
    obj = key.obj;
  }
  return { key, parent };
}

function fmt(v: unknown): string { return typeof v === 'string' ? v : JSON.stringify(v); }

/**
 * A link text for `url` of at most `max` characters that is never cut mid-path: without `https://` and `www.`; when
 * longer, the host and the first two path segments (a GitHub owner/repo), `…`, and the last segment (the file, with
 * its `#L…` anchor); then the host, `…` and the last segment; only a last segment longer than `max` is itself cut,
 * at its end with `…`. `github.com/huggingface/transformers/blob/v4.46.0/src/transformers/training_args.py#L211`
 * -> `github.com/huggingface/transformers/…/training_args.py#L211`.
 */
export function shortLink(url: string, max = 60): string {
  const t = url.replace(/^https?:\/\/(www\.)?/, '');
  if (t.length <= max) return t;
  const parts = t.split('/');
  const host = parts[0], last = parts[parts.length - 1] || parts[parts.length - 2] || '';
  for (const keep of [2, 1, 0]) {
    const head = [host, ...parts.slice(1, 1 + keep)].join('/');
    const s = `${head}/…/${last}`;
    if (s.length <= max && 1 + keep < parts.length - 1) return s;
  }
  return `${host}/…/${last}`.slice(0, max - 1) + '…';
}

/** Markdown for one key spec. */
export function keyMarkdown(name: string, ks: KeySpec, parent: ObjSpec | undefined, def: FrameworkDef): string {
  const lines = [`**${name}** — ${def.label}${parent && parent.name !== def.root.name ? ` · \`${parent.name}\`` : ''}`, '', ks.doc, ''];
  lines.push(`- Type: \`${ks.type}\``);
  if (ks.default !== undefined) {
    const unset = ks.defaultWhenUnset !== undefined ? `; when unset: \`${fmt(ks.defaultWhenUnset)}\`` : '';
    lines.push(`- Default: \`${ks.default === null && ks.defaultFrom ? 'None' : fmt(ks.default)}\`${ks.defaultFrom ? ` (${ks.defaultFrom}${unset})` : ''}`);
  }
  if (ks.values && ks.values.length <= 24) lines.push(`- Allowed: ${ks.values.map((v) => `\`${v}\``).join(', ')}`);
  if (ks.deprecated) lines.push(`- Deprecated: ${ks.deprecated}`);
  const src = ks.source ?? parent?.source ?? def.root.source;
  if (src) lines.push(`- Source: [${shortLink(src)}](${src})`);
  // Issue 15: which key table the run's version picked (the newest at or below it, or the oldest when it predates them).
  if (def.assumes) lines.push(`- Key table: ${def.assumes}`);
  lines.push(`- Loaded by: ${def.loaderName}`);
  return lines.join('\n');
}

export function hover(parsed: ParsedConfig, li: LineIndex, def: FrameworkDef, offset: number): { markdown: string; range: Range } | undefined {
  const hit = findEntry(parsed.root, offset, []);
  if (!hit) return undefined;
  const { key, parent } = specFor(def.root, hit.path);
  const e = hit.entry;
  const name = String(hit.path[hit.path.length - 1]);
  if (!key) {
    const rn = parent?.renamed?.[name];
    if (rn && hit.onKey) return { markdown: `**${name}** — renamed \`${rn.to ?? '(removed)'}\` in ${rn.version}.`, range: li.range(e.keyStart, e.keyEnd) };
    return undefined;
  }
  let md = keyMarkdown(name, key, parent, def);
  if (!hit.onKey && e.value?.kind === 'scalar' && e.value.plain !== undefined) {
    const v = e.value.value;
    md += `\n\nThis value is read as ${v === null ? '`None`' : typeof v === 'string' ? `the string \`'${v}'\`` : `\`${e.value.pyType === 'bool' ? (v ? 'True' : 'False') : String(v)}\` (${e.value.pyType})`}.`;
  }
  const r = hit.onKey ? li.range(e.keyStart, e.keyEnd) : li.range(e.value!.start, e.value!.end);
  return { markdown: md, range: r };
}

function keyItems(spec: ObjSpec | undefined, present: Set<string>, def: FrameworkDef, replace?: Range, json = false): ConfigCompletion[] {
  if (!spec) return [];
  const out: ConfigCompletion[] = [];
  for (const [k, ks] of Object.entries(spec.keys)) {
    if (present.has(k) || ks.deprecated) continue;
    out.push({ label: k, kind: 'key', detail: ks.type, documentation: keyMarkdown(k, ks, spec, def), insertText: json ? `"${k}": ` : `${k}: `, range: replace });
  }
  return out;
}

function valueItems(ks: KeySpec | undefined, replace?: Range, json = false): ConfigCompletion[] {
  if (!ks) return [];
  const vals: string[] = ks.values ? [...ks.values] : ks.boolean ? ['true', 'false'] : [];
  if (ks.type.includes("'auto'") && !vals.includes('auto')) vals.push('auto');
  return vals.map((v) => {
    // Values that PyYAML would turn into booleans must be quoted (e.g. "no").
    const needsQuote = json ? !(ks.boolean && (v === 'true' || v === 'false')) : /^(?:yes|no|on|off|y|n|true|false|null|~)$/i.test(v) && !ks.boolean;
    return { label: v, kind: 'value' as const, detail: ks.type, insertText: needsQuote ? `"${v}"` : v, range: replace };
  });
}

/** Indentation-aware path of the YAML map a new line at `offset` would belong to. */
function yamlContainer(root: CNode | null, text: string, offset: number, indent: number): { node: CNode | null; path: (string | number)[] } {
  let best: { node: CNode; path: (string | number)[] } | undefined;
  const lineStart = text.lastIndexOf('\n', offset - 1) + 1;
  const col = (o: number) => o - (text.lastIndexOf('\n', o - 1) + 1);
  const visit = (n: CNode | null, path: (string | number)[]) => {
    if (!n || n.start > offset) return;
    if (n.kind === 'map' && n.entries!.length) {
      const c = col(n.entries![0].keyStart);
      if (c === indent && n.start <= lineStart + indent && (!best || n.start >= best.node.start)) {
        // Must not be closed by a less-indented line between the map's last entry and the cursor.
        const firstNl = text.indexOf('\n', n.start);
        const between = firstNl < 0 || firstNl >= lineStart ? [] : text.slice(firstNl + 1, lineStart).split(/\r?\n/).filter((l) => l.trim() && !l.trim().startsWith('#'));
        if (between.every((l) => (l.length - l.trimStart().replace(/^-\s+/, '').length) >= indent || /^\s*-\s/.test(l) && l.indexOf('-') + 2 === indent)) best = { node: n, path };
      }
      for (const e of n.entries!) visit(e.value, [...path, e.key]);
    } else if (n.kind === 'seq') n.items!.forEach((it, i) => visit(it, [...path, i]));
  };
  visit(root, []);
  if (!best && indent === 0) return { node: root, path: [] };
  return best ?? { node: null, path: [] };
}

export function complete(text: string, parsed: ParsedConfig, li: LineIndex, def: FrameworkDef, offset: number): ConfigCompletion[] {
  if (parsed.syntax === 'json') {
    const loc = getLocation(text, offset);
    const path = loc.path.slice();
    const word = /"?[\w.-]*$/.exec(text.slice(Math.max(0, offset - 80), offset))?.[0] ?? '';
    const replace = li.range(offset - word.length, offset);
    if (loc.isAtPropertyKey || (loc.previousNode === undefined && typeof path[path.length - 1] === 'string' && path[path.length - 1] === '')) {
      const parentPath = path.slice(0, -1);
      const container = specFor(def.root, parentPath);
      const spec = parentPath.length ? container.key?.obj ?? container.key?.items : def.root;
      const present = new Set<string>();
      const node = parentPath.length ? findNode(parsed.root, parentPath) : parsed.root;
      if (node?.kind === 'map') for (const e of node.entries!) present.add(e.key);
      return keyItems(spec, present, def, replace, true);
    }
    const { key } = specFor(def.root, path);
    return valueItems(key, replace, true);
  }
  const lineStart = text.lastIndexOf('\n', offset - 1) + 1;
  const before = text.slice(lineStart, offset);
  const valueMatch = /^(\s*)(-\s+)?([\w.-]+):\s+(\S*)$/.exec(before) ?? /^(\s*)(-\s+)?([\w.-]+):()$/.exec(before);
  if (valueMatch) {
    const indent = valueMatch[1].length + (valueMatch[2]?.length ?? 0);
    const { path } = yamlContainer(parsed.root, text, lineStart + indent, indent);
    const { key } = specFor(def.root, [...path, valueMatch[3]]);
    const typed = valueMatch[4];
    return valueItems(key, li.range(offset - typed.length, offset));
  }
  const keyMatch = /^(\s*)(-\s+)?([\w.-]*)$/.exec(before);
  if (!keyMatch) return [];
  const indent = keyMatch[1].length + (keyMatch[2]?.length ?? 0);
  let { node, path } = yamlContainer(parsed.root, text, offset, indent);
  if (!node && path.length === 0 && indent > 0 && !keyMatch[2]) {
    // A new key under `parent:` with nothing below it yet.
    const parentLine = findParentKey(text, lineStart, indent - 1);
    if (!parentLine) return [];
    const pc = yamlContainer(parsed.root, text, parentLine.offset, parentLine.indent);
    path = [...pc.path, parentLine.key];
  }
  // A new "- " item in a list of mappings: offer the item keys.
  if (keyMatch[2] && node === null) {
    const parentLine = findParentKey(text, lineStart, keyMatch[1].length);
    if (parentLine) { path = [...yamlContainer(parsed.root, text, parentLine.offset, parentLine.indent).path, parentLine.key, 0]; node = null; }
  }
  const { key } = path.length ? specFor(def.root, path) : { key: undefined };
  const spec = path.length === 0 ? def.root : typeof path[path.length - 1] === 'number' ? specFor(def.root, path.slice(0, -1)).key?.items : key?.obj;
  const present = new Set<string>();
  if (node?.kind === 'map') for (const e of node.entries!) if (!(offset >= e.keyStart && offset <= e.keyEnd)) present.add(e.key);
  return keyItems(spec, present, def, li.range(offset - keyMatch[3].length, offset));
}

function findParentKey(text: string, lineStart: number, indent: number): { key: string; offset: number; indent: number } | undefined {
  let end = lineStart - 1;
  while (end > 0) {
    const s = text.lastIndexOf('\n', end - 1) + 1;
    const line = text.slice(s, end);
    const m = /^(\s*)([\w.-]+):\s*(#.*)?$/.exec(line);
    if (line.trim() && !line.trim().startsWith('#')) {
      const ind = line.length - line.trimStart().length;
      if (m && ind <= indent) return { key: m[2], offset: s + ind, indent: ind };
      if (ind < indent) return undefined;
    }
    end = s - 1;
  }
  return undefined;
}

function findNode(root: CNode | null, path: (string | number)[]): CNode | null {
  let cur = root;
  for (const p of path) {
    if (!cur) return null;
    if (typeof p === 'number') { cur = cur.kind === 'seq' ? cur.items![p] ?? null : null; continue; }
    if (cur.kind !== 'map') return null;
    const e = cur.entries!.find((x) => x.key === p);
    cur = e?.value ?? null;
  }
  return cur;
}
