/**
 * The layers, checked over the real module graph (esbuild's metafile of every file under src/ and webview-ui/, the
 * way GitLens checks its layers), not a regex over import lines: re-exports, `require`, dynamic `import()` and
 * `node:`-prefixed builtins all count; `import type` does not (it is erased and costs nothing at run time).
 * - src/core is pure: no vscode, fs, child_process, ssh2 (any spelling), and nothing of src/views, src/remote, src/cli.
 * - src/remote has no vscode.
 * - src/shared (the protocol files, and pure code both sides run, like the M4 downsampling) imports only src/shared:
 *   it is bundled into webviews.
 * - a webview app imports only its own folder, src/shared and libraries: no vscode, no node builtins, no host code.
 * - no file imports its own folder's aggregator (index.ts): it would make a circle through the aggregator.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, statSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { join, posix } from 'node:path';
import * as esbuild from 'esbuild';

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => { const p = join(dir, n); return statSync(p).isDirectory() ? files(p) : /\.ts$/.test(p) && !p.endsWith('.d.ts') ? [p] : []; });
}

interface Edge { from: string; to: string; kind: string; external: boolean }

let graph: Promise<Edge[]> | undefined;
/** Every import edge of every source file, as esbuild resolves it (packages and builtins external). */
function moduleGraph(): Promise<Edge[]> {
  graph ??= (async () => {
    const entryPoints = [...files('src'), ...files('webview-ui')];
    const r = await esbuild.build({ entryPoints, bundle: true, write: false, metafile: true, outdir: 'out/architecture', platform: 'node', format: 'esm', packages: 'external', external: ['vscode'], logLevel: 'silent', loader: { '.css': 'empty' } });
    const edges: Edge[] = [];
    for (const [from, input] of Object.entries(r.metafile.inputs)) {
      for (const imp of input.imports) edges.push({ from, to: imp.path, kind: imp.kind, external: imp.external === true });
    }
    return edges;
  })();
  return graph;
}

const builtins = new Set(builtinModules.flatMap((m) => [m, `node:${m}`]));
const isBuiltin = (p: string) => builtins.has(p) || p.startsWith('node:');
/** `node:fs/promises` -> `fs`, `ssh2/lib/x` -> `ssh2`. */
const root = (p: string) => p.replace(/^node:/, '').split('/')[0];
const show = (e: Edge) => `${e.from} -> ${e.to} (${e.kind})`;

test('the module graph covers the sources (the check below sees real edges)', async () => {
  const edges = await moduleGraph();
  assert.ok(edges.some((e) => e.from === 'src/extension.ts' && e.to === 'vscode'), 'extension.ts imports vscode');
  assert.ok(edges.some((e) => e.from.startsWith('src/remote/') && root(e.to) === 'ssh2'), 'src/remote imports ssh2');
  assert.ok(edges.some((e) => e.from.startsWith('webview-ui/metrics/') && e.to.startsWith('src/shared/protocol/')), 'the metrics app imports its protocol');
});

test('src/core is pure: no vscode, fs, child_process or ssh2 (node:, require and import() included), no views/remote/cli', async () => {
  const forbidden = new Set(['vscode', 'fs', 'child_process', 'ssh2']);
  const bad = (await moduleGraph()).filter((e) => e.from.startsWith('src/core/') && (forbidden.has(root(e.to)) || /^src\/(views|remote|cli)\/|^src\/extension\.ts$/.test(e.to)));
  assert.deepEqual(bad.map(show), []);
});

test('src/remote does not import vscode; src/shared imports only src/shared (no library, no builtin)', async () => {
  const edges = await moduleGraph();
  assert.deepEqual(edges.filter((e) => e.from.startsWith('src/remote/') && root(e.to) === 'vscode').map(show), []);
  assert.deepEqual(edges.filter((e) => e.from.startsWith('src/shared/') && !e.to.startsWith('src/shared/')).map(show), []);
});

test('webview apps import only their own folder, src/shared and libraries', async () => {
  const bad = (await moduleGraph()).filter((e) => {
    const m = /^webview-ui\/([^/]+)\//.exec(e.from);
    if (!m) return false;
    if (e.to.startsWith(`webview-ui/${m[1]}/`) || e.to.startsWith('src/shared/')) return false;
    if (e.external) return e.to === 'vscode' || isBuiltin(e.to);
    return !e.to.startsWith('node_modules/');
  });
  assert.deepEqual(bad.map(show), []);
});

test('no file imports its own folder\'s aggregator (index.ts)', async () => {
  const bad = (await moduleGraph()).filter((e) => !e.external && e.from !== e.to && posix.basename(e.to) === 'index.ts' && posix.dirname(e.to) === posix.dirname(e.from));
  assert.deepEqual(bad.map(show), []);
});
