/**
 * Size of each webview bundle as `npm run package` ships it (minified, no source map), built in memory from
 * webview-ui/<app>/main.ts with the build's own options (scripts/lib/webviewBuilds.mjs):
 * - webview.<app>.bytes: bytes of dist/webview/<app>.js (+ its .css), no baseline (a size is read on its own; before
 *   the protocol files dropped zod: metrics 620,637 B and sparklines 456,676 B of JS, ~454 KB of each was zod)
 * - webview.<app>.dependencyBytes: of those, bytes from node_modules (uplot, @vscode-elements, ...)
 */
import * as esbuild from 'esbuild';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

type Result = Record<string, { value: number; unit: string; baseline?: number; ratio?: number }>;

export async function run(): Promise<Result> {
  // Absolute URL: the bench harness loads this file from a data: URL, where a relative specifier has no base.
  const { webviewApps, webviewBuildOptions } = (await import(pathToFileURL(join(__dirname, '..', 'scripts', 'lib', 'webviewBuilds.mjs')).href)) as typeof import('../scripts/lib/webviewBuilds.mjs', { with: { 'resolution-mode': 'import' } });
  const out: Result = {};
  for (const app of webviewApps()) {
    const r = await esbuild.build({ ...webviewBuildOptions(app, { production: true }), write: false, metafile: true, logLevel: 'silent' });
    const bytes = r.outputFiles.filter((f) => /\.(js|css)$/.test(f.path)).reduce((n, f) => n + f.contents.length, 0);
    let deps = 0;
    for (const o of Object.values(r.metafile.outputs)) for (const [p, i] of Object.entries(o.inputs)) if (p.includes('node_modules/')) deps += i.bytesInOutput;
    out[`webview.${app}.bytes`] = { value: bytes, unit: 'bytes' };
    out[`webview.${app}.dependencyBytes`] = { value: deps, unit: 'bytes' };
  }
  return out;
}

if (require.main === module) run().then((r) => { for (const [k, x] of Object.entries(r)) console.log(k, x); });
