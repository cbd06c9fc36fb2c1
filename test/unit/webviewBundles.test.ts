/**
 * Webview bundles carry no runtime library the protocol does not need: zod belongs on the host side
 * (src/views/<feature>/messages.ts). Checked two ways, so it fails whether or not a build ran:
 * - the module graph of every webview-ui/<app>/main.ts, from esbuild's metafile (what the bundle WOULD contain);
 * - every dist/webview/*.js present (and its source map), as built.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import * as esbuild from 'esbuild';

const FORBIDDEN = /(^|\/)node_modules\/(zod|yaml|jsonc-parser|ssh2)\//;

test('no webview app imports zod (or another host-side library) anywhere in its module graph', async () => {
  const { webviewApps, webviewBuildOptions } = await import('../../scripts/lib/webviewBuilds.mjs');
  const apps = webviewApps();
  assert.ok(apps.includes('metrics') && apps.includes('sparklines'), `apps found: ${apps.join(', ')}`);
  for (const app of apps) {
    const r = await esbuild.build({ ...webviewBuildOptions(app), write: false, metafile: true, sourcemap: false, logLevel: 'silent' });
    const inputs = Object.keys(r.metafile.inputs);
    assert.ok(inputs.some((p) => p.startsWith(`webview-ui/${app}/`)), `${app}: metafile lists its own sources`);
    const bad = inputs.filter((p) => FORBIDDEN.test(p));
    assert.deepEqual(bad, [], `webview-ui/${app} bundles ${bad.slice(0, 3).join(', ')}: import protocol types with \`import type\`, validate on the host`);
  }
});

test('the built webview bundles in dist/webview contain no zod', (t) => {
  const dir = join('dist', 'webview');
  const bundles = existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith('.js')) : [];
  if (bundles.length === 0) { t.skip('no build in dist/webview (npm run build)'); return; }
  for (const f of bundles) {
    const js = readFileSync(join(dir, f), 'utf8');
    assert.doesNotMatch(js, /node_modules\/zod\/|ZodError|invalid_union_discriminator/, `${f} contains zod`);
    const map = join(dir, `${f}.map`);
    if (existsSync(map)) {
      const sources = (JSON.parse(readFileSync(map, 'utf8')) as { sources: string[] }).sources;
      assert.deepEqual(sources.filter((s) => FORBIDDEN.test(s)), [], `${f}.map lists host-side library sources`);
    }
  }
});
