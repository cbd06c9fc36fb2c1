// The webview bundles, in one place for the build (scripts/build.mjs), the bundle test
// (test/unit/webviewBundles.test.ts) and the size bench (bench/webview.bench.ts): each webview-ui/<app>/main.ts
// becomes dist/webview/<app>.js (+ .css when it imports one), browser IIFE.
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

/** Names of the webview apps: the folders of webview-ui/ that have a main.ts. */
export function webviewApps(root = '.') {
  const dir = join(root, 'webview-ui');
  return readdirSync(dir, { withFileTypes: true })
    .filter((d) => d.isDirectory() && existsSync(join(dir, d.name, 'main.ts')))
    .map((d) => d.name)
    .sort();
}

/** esbuild options of one webview bundle (`production`: minified, no source map, as `npm run package` ships it). */
export function webviewBuildOptions(app, { production = false, root = '.' } = {}) {
  return {
    bundle: true, sourcemap: !production, minify: production, logLevel: 'warning', legalComments: 'none', mainFields: ['module', 'main'],
    entryPoints: [join(root, 'webview-ui', app, 'main.ts')], outfile: join(root, 'dist', 'webview', `${app}.js`),
    platform: 'browser', format: 'iife', target: 'es2022',
  };
}
