/**
 * Which version of each framework a run will use, read from the workspace's dependency files (issue 15, "Version
 * awareness"): lock files (uv.lock, poetry.lock, pdm.lock: exact versions), pinned requirements*.txt lines
 * (`trl==0.19.1`), PEP 621 / Poetry dependencies in pyproject.toml and pins in a conda environment.yml. A setting
 * (`llmTraining.validation.versions`) or `llmtrain validate --version trl=0.19.1` overrides them. Pure: the caller
 * reads the files. Versions are keyed by the Python distribution name, lower case (`trl`, `axolotl`,
 * `llamafactory`, `torchtune`, `torch`, `transformers`, `peft`, `deepspeed`, `accelerate`).
 */
import type { Framework } from './types';
import type { CommandSpec } from '../runs/commands';

/** A version and where it was read: a file path, `setting` or `--version`. */
export interface VersionSource { version: string; source: string }
export type DetectedVersions = Record<string, VersionSource>;

/** The distributions whose version decides what each framework's configs may say (first = shown in the status bar). */
export const FRAMEWORK_PACKAGES: Record<Framework, string[]> = {
  'hf-trainer': ['trl', 'transformers'], axolotl: ['axolotl', 'transformers'], llamafactory: ['llamafactory', 'transformers'],
  torchtune: ['torchtune', 'torch'], deepspeed: ['deepspeed'], accelerate: ['accelerate'], peft: ['peft'], unknown: [],
};
const WANTED = new Set(Object.values(FRAMEWORK_PACKAGES).flat());

/** Normalised distribution name (PEP 503: lower case, runs of `-_.` as `-`); `llama-factory` and `llamafactory` are one. */
export function normalizeName(n: string): string { const s = n.toLowerCase().replace(/[-_.]+/g, '-'); return s === 'llama-factory' ? 'llamafactory' : s; }

/** The kind of dependency file a base name is, in the order of trust (exact lock files first); undefined = not one. */
export function versionFileRank(baseName: string): number | undefined {
  const b = baseName.toLowerCase();
  if (b === 'uv.lock' || b === 'poetry.lock' || b === 'pdm.lock') return 0;
  if (/^requirements[\w.-]*\.txt$/.test(b)) return 1;
  if (b === 'pyproject.toml') return 2;
  if (b === 'environment.yml' || b === 'environment.yaml') return 3;
  return undefined;
}

const VER = /^\d+(\.\d+)*([a-z]+\d*)?(\.post\d+|\.dev\d+)?$/i;

/** Exact pins of the wanted distributions in one dependency file (`{ trl: '0.19.1' }`); other specifiers are ignored. */
export function versionsFromFile(baseName: string, text: string): Record<string, string> {
  const out: Record<string, string> = {};
  const put = (name: string, v: string) => { const n = normalizeName(name); if (WANTED.has(n) && VER.test(v) && !(n in out)) out[n] = v; };
  const b = baseName.toLowerCase();
  if (b.endsWith('.lock')) {
    // [[package]] tables: name = "trl" followed by version = "0.19.1" (uv, Poetry, PDM).
    for (const block of text.split(/^\[\[package\]\]\s*$/m).slice(1)) {
      const n = /^name\s*=\s*"([^"]+)"/m.exec(block); const v = /^version\s*=\s*"([^"]+)"/m.exec(block);
      if (n && v) put(n[1], v[1]);
    }
    return out;
  }
  // `name[extras]==1.2.3` (requirements, PEP 621 strings, pip: entries of environment.yml), conda `name=1.2.3`.
  const pin = /(?:^|["'\s-])([A-Za-z0-9][A-Za-z0-9._-]*)(?:\[[^\]]*\])?\s*(===?|=)\s*([0-9][0-9A-Za-z.+!-]*)/gm;
  for (const line of text.split('\n')) {
    const l = line.replace(/#.*$/, '');
    if (b === 'pyproject.toml') {
      // Poetry: trl = "0.19.1" or trl = { version = "0.19.1" } (exact only).
      const po = /^\s*([A-Za-z0-9][A-Za-z0-9._-]*)\s*=\s*(?:"(?:==)?(\d[^"]*)"|\{[^}]*version\s*=\s*"(?:==)?(\d[^"]*)")/.exec(l);
      if (po) { put(po[1], po[2] ?? po[3]); continue; }
    }
    for (const m of l.matchAll(pin)) if (m[2] !== '=' || b.startsWith('environment')) put(m[1], m[3].replace(/[+].*$/, ''));
  }
  return out;
}

/**
 * Versions from several dependency files: for each distribution, the most trusted file kind wins (lock, then
 * requirements, pyproject, environment.yml), and among equals the earlier file (callers list the config's own
 * folder first). `files`: path + text.
 */
export function detectVersions(files: { path: string; text: string }[]): DetectedVersions {
  const ranked = files.map((f, i) => ({ ...f, i, rank: versionFileRank(f.path.replace(/^.*[\\/]/, '')) })).filter((f) => f.rank !== undefined)
    .sort((a, b) => a.rank! - b.rank! || a.i - b.i);
  const out: DetectedVersions = {};
  for (const f of ranked) for (const [n, v] of Object.entries(versionsFromFile(f.path.replace(/^.*[\\/]/, ''), f.text))) if (!out[n]) out[n] = { version: v, source: f.path };
  return out;
}

/**
 * Overrides as `name=version` strings (`--version trl=0.19.1`) or a map (the setting); invalid ones are returned in
 * `invalid` (so the caller can say so), not applied.
 */
export function parseVersionOverrides(v: string[] | Record<string, unknown>, source: string): { versions: DetectedVersions; invalid: string[] } {
  const versions: DetectedVersions = {}; const invalid: string[] = [];
  const pairs: [string, unknown][] = Array.isArray(v) ? v.map((s) => { const i = s.indexOf('='); return i > 0 ? [s.slice(0, i), s.slice(i + 1)] : [s, undefined]; }) : Object.entries(v ?? {});
  for (const [k, val] of pairs) {
    const n = normalizeName(k.trim()); const ver = typeof val === 'string' ? val.trim().replace(/^v/, '') : '';
    if (!n || !VER.test(ver)) invalid.push(`${k}${val === undefined ? '' : `=${String(val)}`}`);
    else versions[n] = { version: ver, source };
  }
  return { versions, invalid };
}

/** `ValidateOptions.versions` from detected versions and overrides (later arguments win). */
export function mergeVersions(...layers: DetectedVersions[]): DetectedVersions { return Object.assign({}, ...layers); }
export function plainVersions(v: DetectedVersions): Record<string, string> { return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, x.version])); }

/** What the status bar says about a framework's version: `TRL 0.19.1` and its source, or undefined when unknown. */
export function frameworkVersionLabel(framework: Framework, v: DetectedVersions): { text: string; source: string } | undefined {
  const NAMES: Record<string, string> = { trl: 'TRL', transformers: 'transformers', axolotl: 'Axolotl', llamafactory: 'LLaMA-Factory', torchtune: 'torchtune', deepspeed: 'DeepSpeed', accelerate: 'Accelerate', peft: 'PEFT' };
  for (const p of FRAMEWORK_PACKAGES[framework] ?? []) { const x = v[p]; if (x && NAMES[p]) return { text: `${NAMES[p] ?? p} ${x.version}`, source: x.source }; }
  return undefined;
}

/** The distributions the host's Python is asked about (one `importlib.metadata` call; `torch` for context). */
export const PROBE_PACKAGES = ['transformers', 'trl', 'peft', 'accelerate', 'deepspeed', 'axolotl', 'llamafactory', 'torchtune', 'torch'] as const;

/**
 * What the host's Python says: its version and executable, and the installed version of each of
 * {@link PROBE_PACKAGES} (missing ones left out).
 */
export interface InstalledVersions { python: string; executable: string; packages: Record<string, string> }

/**
 * The probe, run as `python -c PROBE_SCRIPT`: drops the current directory from `sys.path` first (so a workspace file
 * named like a module, `json.py`, is never imported), reads `importlib.metadata.version(name)` per distribution
 * (`importlib_metadata` on Python 3.7) and prints one JSON line. Nothing of the frameworks is imported.
 */
export const PROBE_SCRIPT = [
  'import sys',
  "sys.path[:] = [p for p in sys.path if p not in ('', '.')]",
  'import json',
  'try:',
  '    from importlib import metadata',
  'except ImportError:',
  '    import importlib_metadata as metadata',
  'out = {}',
  'for n in sys.argv[1:]:',
  '    try:',
  '        out[n] = metadata.version(n)',
  '    except Exception:',
  '        pass',
  "print(json.dumps({'python': '%d.%d.%d' % sys.version_info[:3], 'executable': sys.executable, 'packages': out}))",
].join('\n');

/**
 * The command that asks `python` (an interpreter path or name: `python3`, `/opt/venv/bin/python`) for the installed
 * versions, as argv for a Runner (no shell; SSH quotes each word), and how to read its output. `parse` throws with
 * the reason (exit status and the last line of stderr, or unreadable output) when the interpreter cannot say.
 */
export function installedVersionsCommand(python: string): CommandSpec<InstalledVersions> {
  return {
    argv: [python, '-c', PROBE_SCRIPT, ...PROBE_PACKAGES],
    parse(out) {
      if (out.exitCode !== 0) {
        const last = out.stderr.trim().split('\n').pop() ?? '';
        throw new Error(`${python} exited with ${out.exitCode === null ? 'a signal' : `status ${out.exitCode}`}${last ? `: ${last.slice(0, 300)}` : ''}`);
      }
      const line = out.stdout.trim().split('\n').pop() ?? '';
      let v: unknown;
      try { v = JSON.parse(line); } catch { throw new Error(`${python} printed no version list (${JSON.stringify(line.slice(0, 80))})`); }
      const o = v as Partial<InstalledVersions>;
      if (!o || typeof o !== 'object' || typeof o.python !== 'string' || !o.packages || typeof o.packages !== 'object') throw new Error(`${python} printed an unexpected version list`);
      const packages: Record<string, string> = {};
      for (const [k, x] of Object.entries(o.packages)) { const n = normalizeName(k); if (typeof x === 'string' && VER.test(x.replace(/[+].*$/, ''))) packages[n] = x.replace(/[+].*$/, ''); }
      return { python: o.python, executable: typeof o.executable === 'string' ? o.executable : python, packages };
    },
  };
}

/**
 * Installed versions as {@link DetectedVersions}, each with the source `Python environment: <executable> on <host>`
 * (see {@link versionSourceLabel}). Precedence (see docs/validate.md): the setting / `--version` over the host's
 * Python over dependency files: `mergeVersions(files, installedAsDetected(...), overrides)`.
 */
export function installedAsDetected(v: InstalledVersions, host: string): DetectedVersions {
  const source = `${PYTHON_SOURCE}${v.executable} on ${host}`;
  return Object.fromEntries(Object.entries(v.packages).filter(([n]) => WANTED.has(n) || n === 'torch').map(([n, ver]) => [n, { version: ver, source }]));
}
const PYTHON_SOURCE = 'Python environment: ';

/** A short name for a version's source, for the status bar: `uv.lock`, `requirements.txt`, `installed`, `setting`, `--version`. */
export function versionSourceLabel(source: string): string {
  if (source.startsWith(PYTHON_SOURCE)) return 'installed';
  if (source.startsWith('setting')) return 'setting';
  if (source === '--version') return '--version';
  return source.replace(/^.*[\\/]/, '');
}
