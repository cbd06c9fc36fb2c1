/**
 * Pure helpers of the config-validation views: labels, settings parsing, reference resolution and the
 * dependency graph between open configs and the files they name. No `vscode` import, so node:test covers them
 * (test/unit/configViews.test.ts); `index.ts` and friends wire them to the editor.
 */
import type { ConfigIssue, Framework, Severity } from '../../core/config/types';
import { FRAMEWORK_IDS, frameworkLabel } from '../../core/config/registry';
import { versionSourceLabel } from '../../core/config/versions';

/** Every framework a user can pick in "Set Config Framework…", in the order shown. `unknown` = "don't validate". */
export const FRAMEWORKS: readonly Framework[] = FRAMEWORK_IDS;

export { frameworkLabel, frameworkDescription, isFramework } from '../../core/config/registry';

/** Language ids whose documents may be training configs. */
export const CONFIG_LANGUAGES: readonly string[] = ['yaml', 'json', 'jsonc'];

/** URI schemes we validate: real files (local or remote) and unsaved buffers; not git:, output:, vscode-scm: ... */
export const CONFIG_SCHEMES: readonly string[] = ['file', 'untitled', 'vscode-remote'];

/** Configs are small; a bigger YAML/JSON (a tokenizer.json, a dataset) is not one, and we do not parse it. */
export const MAX_CONFIG_CHARS = 2_000_000;

/** Status bar text for a config file: `$(beaker) Axolotl`, with a pin when the user chose the framework. */
/** Status bar text; with `assumes` (e.g. "Axolotl 0.18.0 (067b021c)") the release the checks assume, without the commit. */
export function statusBarText(framework: Framework, overridden: boolean, assumes?: string, version?: { text: string; source: string }): string {
  // The version the run uses (issue 15), when the workspace or a setting says it, wins over the key table's release.
  const what = version ? `${frameworkLabel(framework)} · ${version.text} (${versionSourceLabel(version.source)})` : assumes ? assumes.replace(/ \([0-9a-f]{8}\)$/, '') : frameworkLabel(framework);
  return `$(beaker) ${what}${overridden ? ' $(pinned)' : ''}`;
}

/**
 * Status bar tooltip: the framework, why (the detector's reason, or that the user/a setting chose and what detection
 * would say), and what clicking does.
 */
export function statusBarTooltip(framework: Framework, reason: string, source: 'override' | 'association' | 'detected', detected?: { framework: Framework; reason: string }, assumes?: string, version?: { text: string; source: string }, pythonNote?: string): string {
  const also = detected ? ` Detection alone: ${frameworkLabel(detected.framework)}${detected.framework === 'unknown' ? '' : ` (${detected.reason})`}.` : '';
  const why = source === 'override' ? `Chosen by you for this file.${also}`
    : source === 'association' ? `Chosen by llmTraining.validation.frameworkAssociations.${also}`
      : `Detected: ${reason}.`;
  const versionLine = version;
  const tableLine = assumes ? `\nKeys, types and defaults checked against ${assumes} (key table generated from its source).` : '';
  const from = (src: string) => versionSourceLabel(src) === 'installed' ? `installed in the ${src.replace(/^Python environment: /, 'Python environment ')}` : `from ${src.replace(/^.*\//, '')}`;
  const runs = framework === 'unknown' ? '' : versionLine ? `\nVersion: ${versionLine.text}, ${from(versionLine.source)}.` : '\nVersion: not found in the host\'s Python or the workspace (uv.lock, poetry.lock, requirements*.txt, pyproject.toml, environment.yml); set llmTraining.validation.versions.';
  const py = framework !== 'unknown' && pythonNote ? `\n${pythonNote}` : '';
  return `${frameworkLabel(framework)} config\n${why}${tableLine}${runs}${py}\nClick to choose the framework for this file.`;
}

/** What `llmTraining.validation.rules` may set per rule code. */
export type RuleLevel = Severity | 'off';
const RULE_LEVELS: readonly RuleLevel[] = ['error', 'warning', 'info', 'off'];

/**
 * Reads `llmTraining.validation.rules` (`{ "<code>": "error" | "warning" | "info" | "off" }`).
 * Entries with another value are ignored and reported in `invalid` (so the caller can log them once).
 */
export function parseRuleLevels(setting: unknown): { levels: Map<string, RuleLevel>; invalid: string[] } {
  const levels = new Map<string, RuleLevel>();
  const invalid: string[] = [];
  if (setting && typeof setting === 'object' && !Array.isArray(setting)) {
    for (const [code, level] of Object.entries(setting as Record<string, unknown>)) {
      if (typeof level === 'string' && (RULE_LEVELS as readonly string[]).includes(level)) levels.set(code, level as RuleLevel);
      else invalid.push(code);
    }
  }
  return { levels, invalid };
}

/** Applies per-rule levels: drops issues set to `off`, replaces the severity of the others. Does not mutate the input. */
export function applyRuleLevels(issues: readonly ConfigIssue[], levels: ReadonlyMap<string, RuleLevel>): ConfigIssue[] {
  if (levels.size === 0) return issues.slice();
  const out: ConfigIssue[] = [];
  for (const issue of issues) {
    const level = levels.get(issue.code);
    if (level === 'off') continue;
    out.push(level ? { ...issue, severity: level } : issue);
  }
  return out;
}

/**
 * Which open configs depend on which other files (by URI string). `set` replaces a config's references and
 * tells which referenced files gained their first dependant or lost their last (to start/stop watching them).
 */
export class DependencyGraph {
  private readonly refsOf = new Map<string, Set<string>>();
  private readonly dependantsOf = new Map<string, Set<string>>();

  /** Replaces the files `config` references. Returns the files now watched for the first time and those no longer needed. */
  set(config: string, refs: Iterable<string>): { added: string[]; removed: string[] } {
    const next = new Set(refs);
    const prev = this.refsOf.get(config) ?? new Set<string>();
    const added: string[] = [];
    const removed: string[] = [];
    for (const r of prev) {
      if (next.has(r)) continue;
      const deps = this.dependantsOf.get(r);
      deps?.delete(config);
      if (deps && deps.size === 0) { this.dependantsOf.delete(r); removed.push(r); }
    }
    for (const r of next) {
      if (prev.has(r)) continue;
      let deps = this.dependantsOf.get(r);
      if (!deps) { deps = new Set(); this.dependantsOf.set(r, deps); added.push(r); }
      deps.add(config);
    }
    if (next.size === 0) this.refsOf.delete(config); else this.refsOf.set(config, next);
    return { added, removed };
  }

  /** Forgets a config (closed). Same return as {@link set}. */
  delete(config: string): { added: string[]; removed: string[] } {
    return this.set(config, []);
  }

  /** The configs that reference `file` (empty when none). */
  dependants(file: string): string[] {
    return [...(this.dependantsOf.get(file) ?? [])];
  }

  /** The files `config` references. */
  references(config: string): string[] {
    return [...(this.refsOf.get(config) ?? [])];
  }

  /** Every referenced file (what should be watched). */
  watched(): string[] {
    return [...this.dependantsOf.keys()];
  }
}

/**
 * Runs a callback per key after `delay()` ms without a new `schedule` for that key (per-document debounce).
 * `delay` is read on every schedule so a settings change applies at once.
 */
export class KeyedDebouncer {
  private readonly timers = new Map<string, ReturnType<typeof setTimeout>>();
  constructor(private readonly delay: () => number, private readonly run: (key: string) => void) {}

  schedule(key: string): void {
    this.cancel(key);
    const ms = Math.max(0, this.delay());
    this.timers.set(key, setTimeout(() => { this.timers.delete(key); this.run(key); }, ms));
  }

  cancel(key: string): void {
    const t = this.timers.get(key);
    if (t !== undefined) { clearTimeout(t); this.timers.delete(key); }
  }

  /** True while a run for `key` is pending. */
  pending(key: string): boolean {
    return this.timers.has(key);
  }

  dispose(): void {
    for (const t of this.timers.values()) clearTimeout(t);
    this.timers.clear();
  }
}
