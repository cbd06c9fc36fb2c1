/**
 * Public API of the config-validation core. Pure: text in, issues out; other files only through `opts.readFile`.
 *
 *  - detectFramework(text, fileName)      which family a YAML/JSON config belongs to, and why
 *  - validateConfig(text, opts)           issues (with ranges, related locations, quick fixes) and facts; never throws
 *  - hoverAt / completeAt                 key documentation and context-aware completion
 *  - jsonSchemaFor(framework)             JSON Schema generated from the zod schemas
 *  - referencedFiles(text, opts)          DeepSpeed / Accelerate files a config names (to watch them)
 */
import type { ConfigCompletion, ConfigIssue, Framework, Range, ValidateOptions, ValidationResult } from './types';
import { z } from 'zod';
import { LineIndex } from './lineIndex';
import { parseJson, parseYaml, reresolve } from './tree';
import type { ParsedConfig } from './tree';
import { detectFromTree } from './detect';
import { RuleContext, walkObject } from './engine';
import type { ConfigRef, FrameworkDef } from './engine';
import { frameworkDef } from './frameworks';
import { toZod } from './spec';
import { hover, complete } from './assist';

export type { ConfigIssue, ConfigFact, ConfigCompletion, Framework, Range, ValidateOptions, ValidationResult, Severity, Fix, TextEdit, RelatedLocation, Position, ReadFile } from './types';


/** Files larger than this (2 MiB; real configs are under 100 KB) are not validated: a clear info instead of a frozen editor. */
export const MAX_VALIDATE_BYTES = 2 * 1024 * 1024;

function looksJson(text: string, fileName: string): boolean {
  if (/\.jsonc?$/i.test(fileName)) return true;
  if (/\.ya?ml$/i.test(fileName)) return false;
  const m = /^\s*(.)/.exec(text);
  return !!m && (m[1] === '{' || m[1] === '[');
}

/** Binary content: NUL bytes or many control characters in the first 8 KiB. */
function isBinary(text: string): boolean {
  const n = Math.min(text.length, 8192);
  let ctrl = 0;
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i);
    if (c === 0) return true;
    if ((c < 9 || (c > 13 && c < 32)) || c === 0xfffd) ctrl++;
  }
  return n > 0 && ctrl / n > 0.1;
}

interface Prepared { parsed: ParsedConfig; li: LineIndex; framework: Framework; reason: string; early?: ConfigIssue[] }

let cache: { text: string; fileName: string; framework?: Framework; prepared: Prepared } | undefined;

function loaderFor(fw: Framework): 'pyyaml' | 'omegaconf' { return fw === 'torchtune' || fw === 'llamafactory' ? 'omegaconf' : 'pyyaml'; }

function prepare(text: string, fileName: string, forced?: Framework): Prepared {
  if (cache && cache.text === text && cache.fileName === fileName && cache.framework === forced) return cache.prepared;
  const li = new LineIndex(text);
  const json = looksJson(text, fileName);
  const early: ConfigIssue[] = [];
  let prepared: Prepared;
  if (text.length > MAX_VALIDATE_BYTES) {
    early.push({ code: 'too-large', severity: 'info', message: `File is ${(text.length / 1048576).toFixed(1)} MB; configs over ${MAX_VALIDATE_BYTES / 1048576} MB are not validated.`, range: li.range(0, 0), related: [], fixes: [] });
    prepared = { parsed: { syntax: json ? 'json' : 'yaml', root: null, problems: [] }, li, framework: 'unknown', reason: 'too large to validate', early };
  } else if (isBinary(text)) {
    early.push({ code: 'binary', severity: 'error', message: 'This file contains binary data (NUL or control bytes), not YAML/JSON text.', range: li.range(0, 0), related: [], fixes: [] });
    prepared = { parsed: { syntax: json ? 'json' : 'yaml', root: null, problems: [] }, li, framework: 'unknown', reason: 'binary content', early };
  } else {
    // Parse once with PyYAML rules for detection; re-read scalars with OmegaConf rules when that framework uses it.
    const parsed = json ? parseJson(text) : parseYaml(text, forced ? loaderFor(forced) : 'pyyaml');
    const det = forced ? { framework: forced, reason: 'set by the user' } : detectFromTree(parsed.root, text, fileName, parsed.syntax);
    if (!json && !forced && loaderFor(det.framework) === 'omegaconf') reresolve(parsed.root, 'omegaconf');
    prepared = { parsed, li, framework: det.framework, reason: det.reason, early };
  }
  cache = { text, fileName, framework: forced, prepared };
  return prepared;
}

export { frameworkLabel, frameworkName, frameworkDescription, frameworkInfo, isFramework, FRAMEWORK_INFO, FRAMEWORK_IDS, type FrameworkInfo } from './registry';

/** Detects the framework of a config from its content (and, where reliable, its file name). Never throws. */
export function detectFramework(text: string, fileName: string): { framework: Framework; reason: string } {
  try { const p = prepare(text, fileName); return { framework: p.framework, reason: p.reason }; } catch (err) { return { framework: 'unknown', reason: `detection failed: ${String(err)}` }; }
}

/**
 * Validates a config. Issues carry exact ranges (0-based line/character), related locations in referenced files
 * and quick fixes; facts are computed values (effective batch size, tokens per step). Never throws: an internal
 * failure becomes an `internal-error` issue.
 */
export function validateConfig(text: string, opts: ValidateOptions): ValidationResult {
  try {
    const p = prepare(text, opts.fileName, opts.framework);
    const issues: ConfigIssue[] = [...(p.early ?? [])];
    for (const s of p.parsed.problems) issues.push({ code: s.code, severity: s.severity, message: s.message, range: p.li.range(s.start, s.end), related: [], fixes: [] });
    const def = frameworkDef(p.framework);
    if (!def || !p.parsed.root) return { framework: p.framework, frameworkReason: p.reason, issues, facts: [] };
    const ctx = new RuleContext(text, p.parsed, opts, def, p.li);
    if (p.parsed.root.kind !== 'map') {
      ctx.add('not-a-mapping', 'error', `A ${def.label} config must be a mapping of keys to values at the top level.`, p.parsed.root.start, p.parsed.root.end);
    } else {
      walkObject(ctx, p.parsed.root, def.root, '');
      const broken = p.parsed.problems.some((x) => x.severity === 'error');
      for (const rule of broken ? [] : def.rules) {
        try { rule(ctx); } catch (err) { ctx.add('internal-error', 'info', `A rule failed (${err instanceof Error ? err.message : String(err)}); other checks still ran.`, 0, 0); }
      }
    }
    issues.push(...ctx.issues);
    issues.sort((a, b) => a.range.start.line - b.range.start.line || a.range.start.character - b.range.start.character);
    return { framework: p.framework, frameworkReason: p.reason, issues, facts: ctx.facts };
  } catch (err) {
    return { framework: opts.framework ?? 'unknown', frameworkReason: 'validation failed', issues: [{ code: 'internal-error', severity: 'error', message: `Validation failed unexpectedly: ${err instanceof Error ? err.message : String(err)}`, range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, related: [], fixes: [] }], facts: [] };
  }
}

function context(text: string, opts: ValidateOptions): { p: Prepared; def?: FrameworkDef } {
  const p = prepare(text, opts.fileName, opts.framework);
  return { p, def: frameworkDef(p.framework) };
}

/** Markdown documentation for the key (or value) at `offset`: what it does, type, default, allowed values, source. */
export function hoverAt(text: string, offset: number, opts: ValidateOptions): { markdown: string; range: Range } | undefined {
  try { const { p, def } = context(text, opts); return def ? hover(p.parsed, p.li, def, offset) : undefined; } catch { return undefined; }
}

/** Completion at `offset`: keys valid at that path (minus those present) or values of the key being edited. */
export function completeAt(text: string, offset: number, opts: ValidateOptions): ConfigCompletion[] {
  try { const { p, def } = context(text, opts); return def ? complete(text, p.parsed, p.li, def, offset) : []; } catch { return []; }
}

const schemaCache = new Map<Framework, object>();
/** JSON Schema (draft 2020-12) generated from the framework's zod schemas; undefined for `unknown`. */
export function jsonSchemaFor(framework: Framework): object | undefined {
  const hit = schemaCache.get(framework);
  if (hit) return hit;
  const def = frameworkDef(framework);
  if (!def) return undefined;
  const schema = z.toJSONSchema(toZod(def.root), { unrepresentable: 'any', io: 'input' }) as Record<string, unknown>;
  schema.$id = `https://llm-training-studio.dev/schemas/${framework}.schema.json`;
  schema.title = `${def.label} config`;
  schemaCache.set(framework, schema);
  return schema;
}

/** Files the config refers to (DeepSpeed JSON, Accelerate config), resolved against the config's directory. */
export function referencedFiles(text: string, opts: ValidateOptions): { path: string; range: Range }[] {
  try {
    const { p, def } = context(text, opts);
    if (!def?.refs || !p.parsed.root) return [];
    const ctx = new RuleContext(text, p.parsed, opts, def, p.li);
    return def.refs(ctx).map((r: ConfigRef) => ({ path: r.resolved, range: p.li.range(r.start, r.end) }));
  } catch { return []; }
}
