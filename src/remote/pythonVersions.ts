/**
 * The framework versions installed in a host's Python environment (issue 15, "Version awareness"): one
 * `python -c` call (core/config/versions.ts `installedVersionsCommand`, argv through the one spec runner), cached per
 * host + interpreter. Used by config validation in the editor; works on any Runner (local, SSH).
 */
import { installedVersionsCommand, type InstalledVersions } from '../core/config/versions';
import { runSpec } from './commands';
import type { Runner } from './types';

/** Time limit of one probe (ms): a cold interpreter with many site-packages takes a second or two. */
export const PROBE_TIMEOUT_MS = 15_000;

/**
 * Asks `python` on the runner's host for the installed versions. Rejects with the reason when the interpreter is
 * missing, exits non-zero, prints something else or exceeds `timeoutMs`.
 */
export function probeInstalledVersions(runner: Runner, python: string, opts: { timeoutMs?: number } = {}): Promise<InstalledVersions> {
  return runSpec(runner, installedVersionsCommand(python), { timeoutMs: opts.timeoutMs ?? PROBE_TIMEOUT_MS });
}

/** A probe's outcome: the versions, or why there are none (the caller falls back to dependency files). */
export type ProbeOutcome = { ok: true; versions: InstalledVersions } | { ok: false; reason: string };

/**
 * One probe per host + interpreter, shared by every config that asks while it runs and remembered afterwards
 * (failures too, so a missing interpreter is not asked again on every keystroke) until `clear()`.
 */
export class InstalledVersionsCache {
  private readonly entries = new Map<string, Promise<ProbeOutcome>>();
  constructor(private readonly probe: (runner: Runner, python: string) => Promise<InstalledVersions> = probeInstalledVersions) {}

  get(runner: Runner, python: string): Promise<ProbeOutcome> {
    const key = `${runner.host}\0${python}`;
    let p = this.entries.get(key);
    if (!p) {
      p = this.probe(runner, python).then((versions): ProbeOutcome => ({ ok: true, versions }), (e: unknown): ProbeOutcome => ({ ok: false, reason: e instanceof Error ? e.message : String(e) }));
      this.entries.set(key, p);
    }
    return p;
  }

  /** Forgets every result (an environment changed: a dependency file was written, the interpreter was switched). */
  clear(): void { this.entries.clear(); }
}
