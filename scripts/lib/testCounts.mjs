// Reads test counts from the suites' output for scripts/test-all.mjs (unit-tested in test/unit/testCounts.test.ts).

/**
 * Counts from node:test output, spec (`ℹ pass 3`) or TAP (`# pass 3`); undefined when there is no summary.
 * `skipped` counts skipped and todo tests; `skips` lists the spec reporter's skipped tests `{ title, reason }`.
 */
export function parseNodeTest(out) {
  const grab = (k) => {
    const all = [...out.matchAll(new RegExp(`^(?:ℹ|#) ${k} (\\d+)\\s*$`, 'gm'))];
    return all.length ? Number(all.at(-1)[1]) : undefined;
  };
  const pass = grab('pass'); const fail = grab('fail');
  if (pass === undefined || fail === undefined) return undefined;
  const skips = [...out.matchAll(/^\s*﹣ (.*?) \([\d.]+m?s\)(?: # (.*))?$/gm)].map((m) => ({ title: m[1], reason: m[2] ?? '' }));
  return { passed: pass, failed: fail + (grab('cancelled') ?? 0), skipped: (grab('skipped') ?? 0) + (grab('todo') ?? 0), skips };
}

/**
 * Counts from a `<label>: N passed, N failed[, N skipped]` line (test-vscode.mjs prints `vscode:` and `ui:`); last
 * one wins. Skipped Mocha tests are listed by test-vscode.mjs as `<label> skipped: <title>` lines.
 */
export function parseSummary(out, label) {
  const all = [...out.matchAll(new RegExp(`^${label}: (\\d+) passed, (\\d+) failed(?:, (\\d+) skipped)?.*?(?:\\((\\d+(?:\\.\\d+)?) s\\))?$`, 'gm'))];
  if (!all.length) return undefined;
  const m = all.at(-1);
  const skips = [...out.matchAll(new RegExp(`^${label} skipped: (.*?)(?: # (.*))?$`, 'gm'))].map((x) => ({ title: x[1], reason: x[2] ?? '' }));
  return { passed: Number(m[1]), failed: Number(m[2]), skipped: Number(m[3] ?? 0), skips, secs: m[4] === undefined ? undefined : Number(m[4]) };
}

/** A skip allowed even under --strict/CI: its reason says the part cannot exist on this machine. */
export const isOptionalSkip = (reason) => /^\(optional\)/.test(reason.trim());

/**
 * What the failing tests said, from a suite's output: node's spec reporter ends with a `✖ failing tests:` section,
 * mocha (the code-server suites) with `N failing` and the numbered errors. At most 60 lines, without colour codes,
 * so the summary at the end of a CI log says why, not only which.
 */
export function failureExcerpt(out) {
  const plain = out.replace(/\x1b\[[0-9;]*m/g, '');
  const parts = [];
  const nodeAt = plain.lastIndexOf('✖ failing tests:');
  if (nodeAt >= 0) parts.push(plain.slice(nodeAt).split('\n').slice(1));
  for (const m of plain.matchAll(/^\s*\d+ failing\s*$/gm)) {
    // mocha's numbered errors end where its next output begins (three blank lines, a warning, the next suite's count)
    const after = plain.slice(m.index + m[0].length).split('\n');
    const lines = [];
    let blank = 0;
    for (const l of after) {
      if (/^\s*mocha-result |^\(node:\d+\)|^\s*\d+ passing/.test(l) || (blank = l.trim() ? 0 : blank + 1) >= 3 || lines.length >= 40) break;
      lines.push(l);
    }
    parts.push(lines);
  }
  const lines = parts.flat().filter((l) => l.trim() !== '');
  return lines.length ? lines.slice(0, 60).join('\n') : '';
}
