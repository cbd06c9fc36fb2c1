/**
 * Public API of the config-validation core. Pure: text in, issues out; other files only through `opts.readFile`
 * (async, e.g. over a FileAccess: `fileAccessReader`) in `validateConfigWithFiles`.
 *
 *  - detectFramework(text, fileName)      which family a YAML/JSON config belongs to, and why
 *  - validateConfig(text, opts)           issues (with ranges, related locations, quick fixes) and facts; never throws
 *  - hoverAt / completeAt                 key documentation and context-aware completion
 *  - jsonSchemaFor(framework)             JSON Schema generated from the zod schemas
 *  - referencedFiles(text, opts)          DeepSpeed / Accelerate files a config names (to watch them)
 *  - referencedConfigs(text, opts)        the DeepSpeed JSON files a config names, found, to validate on their own (CLI)
 */
import type { ConfigCompletion, ConfigIssue, Framework, Range, RuleOptions, ValidateOptions, ValidateWithFilesOptions, ValidationResult } from './types';
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
import { batchOf } from './rules';
import { crossAsks } from './rulesCross';
import { datasetPresenceAsks } from './datasetRefs';
import type { BatchOf } from './rules';
import { formatBytes } from '../files';
import type { FileAccess } from '../files';
import { frameworkLabel } from './registry';

export type { ConfigIssue, ConfigFact, ConfigCompletion, Framework, Range, ValidateOptions, ValidateWithFilesOptions, ValidationResult, Severity, Fix, TextEdit, RelatedLocation, Position, ReadFile, LaunchInfo } from './types';
export { accelerateLaunchOf, launchDirFor, launchesFromCommands, launchesFromTasks, launchFor, pairedForValidate, taskCommands } from './launch';
export type { LaunchDir, LaunchGroup, RunLaunch, TaskCommand } from './launch';
export { fileAccessReader, MAX_REFERENCED_BYTES } from './files';
import { fileAccessReader } from './files';
export { detectVersions, frameworkVersionLabel, installedAsDetected, installedVersionsCommand, mergeVersions, parseVersionOverrides, plainVersions, versionFileRank, versionSourceLabel, type DetectedVersions, type InstalledVersions } from './versions';


/** Files larger than this (2 MiB; real configs are under 100 KB) are not validated: a clear info instead of a frozen editor. */
export const MAX_VALIDATE_BYTES = 2 * 1024 * 1024;

/** At most this many issues are reported per file, then one summary line (a 100k-key file must not flood the editor). */
export const MAX_ISSUES = 200;

/**
 * A YAML file with syntax errors whose lines are mostly not `key: value`, `- item` or comments (a TSV, a log, prose):
 * one "not a training config" issue instead of a screen of YAML syntax errors. Undefined when the file is YAML-ish.
 */
function notAConfig(text: string, p: Prepared): ConfigIssue | undefined {
  if (p.parsed.syntax !== 'yaml' || !p.parsed.problems.some((x) => x.code === 'syntax')) return undefined;
  let lines = 0; let yamlish = 0;
  for (const line of text.split('\n', 2000)) {
    const t = line.trim();
    if (!t || t.startsWith('#') || t === '---' || t === '...') continue;
    lines++;
    if (/^(- |-$|[^\t:#]+:(\s|$)|["'][^"']*["']\s*:)/.test(t) && !line.includes('\t')) yamlish++;
  }
  if (lines === 0 || yamlish / lines >= 0.5) return undefined;
  const tabs = /\t/.test(text) ? ' (tab-separated text)' : '';
  return { code: 'not-a-config', severity: 'warning', message: `Not a training config: only ${yamlish} of ${lines} lines look like YAML keys or list items${tabs}. Nothing was validated.`, range: p.li.range(0, 0), related: [], fixes: [] };
}

/** Size in UTF-8 bytes (as on disk) of a string, without encoding it. */
function utf8Length(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) n += 1; else if (c < 0x800) n += 2;
    else if (c >= 0xd800 && c < 0xdc00 && i + 1 < s.length) { n += 4; i++; } else n += 3;
  }
  return n;
}

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

interface Prepared { parsed: ParsedConfig; li: LineIndex; framework: Framework; reason: string; variant?: string; unsure?: string; early?: ConfigIssue[] }

let cache: { text: string; fileName: string; framework?: Framework; prepared: Prepared } | undefined;

function loaderFor(fw: Framework): 'pyyaml' | 'omegaconf' { return fw === 'torchtune' || fw === 'llamafactory' ? 'omegaconf' : 'pyyaml'; }

function prepare(text: string, fileName: string, forced?: Framework): Prepared {
  if (cache && cache.text === text && cache.fileName === fileName && cache.framework === forced) return cache.prepared;
  const li = new LineIndex(text);
  const json = looksJson(text, fileName);
  const early: ConfigIssue[] = [];
  let prepared: Prepared;
  if (text.length > MAX_VALIDATE_BYTES) {
    early.push({ code: 'too-large', severity: 'info', message: `File is ${formatBytes(utf8Length(text))}; configs over ${formatBytes(MAX_VALIDATE_BYTES)} are not validated.`, range: li.range(0, 0), related: [], fixes: [] });
    prepared = { parsed: { syntax: json ? 'json' : 'yaml', root: null, problems: [] }, li, framework: 'unknown', reason: 'too large to validate', early };
  } else if (isBinary(text)) {
    early.push({ code: 'binary', severity: 'error', message: 'This file contains binary data (NUL or control bytes), not YAML/JSON text.', range: li.range(0, 0), related: [], fixes: [] });
    prepared = { parsed: { syntax: json ? 'json' : 'yaml', root: null, problems: [] }, li, framework: 'unknown', reason: 'binary content', early };
  } else {
    // Parse once with PyYAML rules for detection; re-read scalars with OmegaConf rules when that framework uses it.
    const parsed = json ? parseJson(text) : parseYaml(text, forced ? loaderFor(forced) : 'pyyaml');
    const det = forced ? { framework: forced, reason: 'set by the user' } : detectFromTree(parsed.root, text, fileName, parsed.syntax);
    if (!json && !forced && loaderFor(det.framework) === 'omegaconf') reresolve(parsed.root, 'omegaconf');
    prepared = { parsed, li, framework: det.framework, reason: det.reason, variant: 'variant' in det ? det.variant : undefined, unsure: 'unsure' in det ? det.unsure : undefined, early };
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
    const notConfig = notAConfig(text, p);
    if (notConfig) return { framework: p.framework, frameworkReason: 'not a training config', issues: [notConfig], facts: [] };
    for (const s of p.parsed.problems) issues.push({ code: s.code, severity: s.severity, message: s.message, range: p.li.range(s.start, s.end), related: [], fixes: [] });
    const def = frameworkDef(p.framework, p.variant, opts.versions);
    const unsure: ConfigIssue | undefined = p.unsure ? { code: 'detection-unsure', severity: 'info', message: `Detection unsure: this looks like ${p.unsure}; checked as ${frameworkLabel(p.framework)}. Choose it with "LLM Training: Set Config Framework…" to be sure.`, range: p.li.range(0, 0), related: [], fixes: [] } : undefined;
    if (unsure) issues.push(unsure);
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
    if (unsure) {
      // Issue 15: when unsure, say so once instead of guessing: keys the guessed framework does not know are likely
      // the other one's, so they are counted in the one info rather than reported one by one as unknown.
      const unknown = ctx.issues.filter((i) => i.code === 'unknown-key');
      if (unknown.length) {
        for (let i = ctx.issues.length - 1; i >= 0; i--) if (ctx.issues[i].code === 'unknown-key') ctx.issues.splice(i, 1);
        const names = unknown.map((i) => /`([^`]+)`/.exec(i.message)?.[1]).filter(Boolean);
        unsure.message += ` ${unknown.length} key${unknown.length === 1 ? '' : 's'} ${frameworkLabel(p.framework)} does not know (${names.slice(0, 4).join(', ')}${names.length > 4 ? ', …' : ''}) ${unknown.length === 1 ? 'is' : 'are'} not reported while it is unsure.`;
      }
    }
    issues.push(...ctx.issues);
    issues.sort((a, b) => a.range.start.line - b.range.start.line || a.range.start.character - b.range.start.character);
    const dropped = ctx.dropped.error + ctx.dropped.warning + ctx.dropped.info;
    if (issues.length > MAX_ISSUES || dropped) {
      const rest = issues.splice(MAX_ISSUES);
      const errs = rest.filter((i) => i.severity === 'error').length + ctx.dropped.error;
      issues.push({ code: 'too-many-issues', severity: errs ? 'error' : 'warning', message: `${rest.length + dropped} more issues (${errs} errors) are not shown; only the first ${MAX_ISSUES} of this file are listed.`, range: (rest[0] ?? issues[issues.length - 1]).range, related: [], fixes: [] });
    }
    return { framework: p.framework, frameworkReason: p.reason, issues, facts: ctx.facts, ...(def.assumes ? { assumes: def.assumes } : {}) };
  } catch (err) {
    return { framework: opts.framework ?? 'unknown', frameworkReason: 'validation failed', issues: [{ code: 'internal-error', severity: 'error', message: `Validation failed unexpectedly: ${err instanceof Error ? err.message : String(err)}`, range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, related: [], fixes: [] }], facts: [] };
  }
}

function context(text: string, opts: ValidateOptions): { p: Prepared; def?: FrameworkDef } {
  const p = prepare(text, opts.fileName, opts.framework);
  return { p, def: frameworkDef(p.framework, p.variant, opts.versions) };
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

/**
 * Reads, through `opts.readFile`, every file the config's references may name (each candidate location: next to the
 * config, then the folders above it; `~/` with `opts.home`), all at once; returns the lookup the synchronous rules
 * use. A read that rejects counts as missing.
 */
async function readReferenced(text: string, opts: ValidateWithFilesOptions): Promise<{ lookup: (path: string) => string | undefined; present?: (path: string) => boolean | undefined }> {
  const texts = new Map<string, string | undefined>();
  // Dataset paths are only asked whether they exist (they can be gigabytes), once, after the rounds of reads.
  const existing = new Map<string, boolean | undefined>();
  // Rounds: a file read in one round can name the next (the Accelerate config of the launch names its DeepSpeed
  // JSON; a hub cache's refs/main names the snapshot holding config.json). Each round asks what the last one lacked.
  for (let round = 0; round < 4; round++) {
    const asked = new Set<string>();
    const lookup = (path: string): string | undefined => { if (texts.has(path)) return texts.get(path); asked.add(path); return undefined; };
    try {
      const { p, def } = context(text, opts);
      if (def && p.parsed.root) {
        const ctx = new RuleContext(text, p.parsed, { ...opts, lookup }, def, p.li);
        def.refs?.(ctx);
        crossAsks(ctx);
      }
    } catch { /* no references then: validation reports what is wrong with the text */ }
    if (!asked.size) break;
    await Promise.all([...asked].map(async (path) => {
      let t: string | undefined;
      try { t = await opts.readFile(path); } catch { t = undefined; }
      texts.set(path, t);
    }));
  }
  const lookup = (path: string): string | undefined => texts.get(path);
  const exists = opts.exists;
  if (!exists) return { lookup };
  try {
    const { p, def } = context(text, opts);
    const asked = new Set<string>();
    if (def && p.parsed.root) datasetPresenceAsks(new RuleContext(text, p.parsed, { ...opts, lookup, present: (x) => { asked.add(x); return undefined; } }, def, p.li));
    await Promise.all([...asked].map(async (x) => { let v: boolean | undefined; try { v = await exists(x); } catch { v = undefined; } existing.set(x, v); }));
  } catch { /* nothing asked: dataset paths are not checked */ }
  return { lookup, present: (x) => existing.get(x) };
}

/**
 * `validateConfig` plus the cross-file rules: the files the config names (a DeepSpeed JSON, FSDP/Accelerator
 * configs) are read through `opts.readFile` first (async: a FileAccess, an editor's buffer), then checked against
 * the config (batch sizes, precision, optimizer...). A missing or unreadable file is a `missing-reference` error at
 * the reference. With `opts.exists`, the dataset paths the config names are checked too (`missing-reference`:
 * an error with a known `launchDir`, else a warning saying where it looked). Never throws.
 */
export async function validateConfigWithFiles(text: string, opts: ValidateWithFilesOptions): Promise<ValidationResult> {
  const { readFile: _read, exists: _exists, ...rest } = opts;
  void _read; void _exists;
  const { lookup, present } = await readReferenced(text, opts);
  return validateConfig(text, { ...rest, lookup, ...(present ? { present } : {}) } as RuleOptions);
}

/**
 * Files the config refers to (DeepSpeed JSON, Accelerate config), where they were found: with `readFile`, the first
 * candidate location that has the file, else the path resolved against the config's directory.
 */
export async function referencedFiles(text: string, opts: ValidateOptions | ValidateWithFilesOptions): Promise<{ path: string; range: Range }[]> {
  try {
    const lookup = 'readFile' in opts ? (await readReferenced(text, opts)).lookup : undefined;
    const { p, def } = context(text, opts);
    if (!def?.refs || !p.parsed.root) return [];
    const ctx = new RuleContext(text, p.parsed, { ...opts, lookup }, def, p.li);
    return def.refs(ctx).map((r: ConfigRef) => ({ path: r.resolved, range: p.li.range(r.start, r.end) }));
  } catch { return []; }
}

/**
 * The config files a config names that are validated on their own too (`llmtrain validate`, issue 15): a DeepSpeed
 * JSON named by `deepspeed:` (HF/TRL, Axolotl, LLaMA-Factory) or an Accelerate config's `deepspeed_config_file`, each
 * `{ path, framework: 'deepspeed' }` where `opts.readFile` found it (the location the rules read: the launch
 * directory when known, else the first candidate from the config's folder upwards). Missing files are left out
 * (`missing-reference` reports them at the reference); FSDP/Accelerator JSON paths are not configs of a framework
 * here and are left out too. Never throws.
 */
export async function referencedConfigs(text: string, opts: ValidateWithFilesOptions): Promise<{ path: string; framework: Framework }[]> {
  try {
    const { lookup } = await readReferenced(text, opts);
    const { p, def } = context(text, opts);
    if (!def?.refs || !p.parsed.root) return [];
    const ctx = new RuleContext(text, p.parsed, { ...opts, lookup }, def, p.li);
    return def.refs(ctx).filter((r) => r.kind === 'deepspeed' && lookup(r.resolved) !== undefined).map((r) => ({ path: r.resolved, framework: 'deepspeed' as Framework }));
  } catch { return []; }
}

export type { BatchOf } from './rules';
export type { RuleContext as ConfigContext } from './engine';
export type { CNode, CEntry } from './tree';

/**
 * A parsed training config for other cores to read values from (the dataset checks read `datasets`, `cutoff_len`,
 * batch sizes): the framework, a context with typed accessors (`num`, `str`, `entry`, `value`, `li` for ranges) and
 * the batch per GPU from {@link batchOf}. Undefined when the text is not a config of a known framework. Never throws.
 */
export function readConfig(text: string, fileName: string, framework?: Framework): { framework: Framework; ctx: RuleContext; batch?: BatchOf } | undefined {
  try {
    const p = prepare(text, fileName, framework);
    const def = frameworkDef(p.framework);
    if (!def || !p.parsed.root || p.parsed.root.kind !== 'map') return undefined;
    const ctx = new RuleContext(text, p.parsed, { fileName }, def, p.li);
    return { framework: p.framework, ctx, batch: batchOf(ctx) };
  } catch { return undefined; }
}

/**
 * The `missing-reference` errors of the config at `configPath` when launched from `cwd` (issue 15, "a Launch Run in
 * progress": the launch directory is known then): the config and the files it names (DeepSpeed JSON, FSDP/Accelerator
 * JSON, dataset paths: existence only) are read through `files`. Empty when everything is there or the file is not a
 * readable training config. `source` names the launch in messages (default `Launch Run`). Never throws.
 */
export async function missingInLaunchDir(files: FileAccess, configPath: string, cwd: string, opts: { home?: string; source?: string } = {}): Promise<ConfigIssue[]> {
  try {
    const text = await fileAccessReader(files, MAX_VALIDATE_BYTES)(configPath);
    if (text === undefined) return [];
    const r = await validateConfigWithFiles(text, {
      fileName: configPath, ...(opts.home ? { home: opts.home } : {}), launchDir: cwd, launchDirSource: opts.source ?? 'Launch Run',
      readFile: fileAccessReader(files), exists: async (p) => (await files.stat(p)) !== undefined,
    });
    return r.issues.filter((i) => i.code === 'missing-reference' && i.severity === 'error');
  } catch {
    return [];
  }
}
