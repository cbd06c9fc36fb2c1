import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => { const p = join(dir, n); return statSync(p).isDirectory() ? files(p) : p.endsWith('.ts') ? [p] : []; });
}

test('src/core never imports vscode, node:fs, ssh2 or child_process (it is pure)', () => {
  const offenders = files('src/core').filter((f) => /from\s+['"](vscode|ssh2|node:fs|fs|node:child_process|child_process)['"]|require\(['"](vscode|ssh2|fs|child_process)['"]\)/.test(readFileSync(f, 'utf8')));
  assert.deepEqual(offenders, []);
});

test('webview apps never import vscode', () => {
  const offenders = files('webview-ui').filter((f) => /from\s+['"]vscode['"]/.test(readFileSync(f, 'utf8')));
  assert.deepEqual(offenders, []);
});
