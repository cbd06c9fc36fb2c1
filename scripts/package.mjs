// `npm run package`: production build, then dist/llm-training-studio.vsix via `vsce package --no-dependencies`
// (everything the extension needs is bundled into dist/ by esbuild). Checks that the .vsix carries only what
// .vscodeignore allows (dist/extension.js, dist/features.js (every feature, required on first use), dist/*Core.js (the config and dataset cores, loaded lazily), dist/vendor/*.js
// (libraries required on first use, src/core/vendor.ts), dist/*Worker.js (worker threads started by path: the
// tokenizer inspector's encode worker), dist/cli.js, dist/webview/**, dist/ort (onnxruntime-node), media, syntaxes,
// schemas, package.json, README, LICENSE) and prints its size and file list. Exit 1 on any unexpected file, and on any
// file the bundles load lazily that the .vsix lacks: every `require("./x.js")` left in dist/extension.js,
// dist/features.js and dist/cli.js, every dist/*Core.js, dist/*Worker.js and dist/vendor/*.js the build wrote, and
// onnxruntime-node under dist/ort when the build carried it (a .vscodeignore that omitted dist/datasetCore.js made
// Check Dataset fail with "Cannot find module './datasetCore.js'" in the installed extension only).
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';

const ROOT = resolve(import.meta.dirname, '..');
process.chdir(ROOT);
const VSIX = join(ROOT, 'dist', 'llm-training-studio.vsix');
const ALLOWED = [/^package\.json$/, /^README\.md$/i, /^LICENSE(\.txt|\.md)?$/i, /^dist\/extension\.js$/, /^dist\/features\.js$/, /^dist\/\w+Core\.js$/, /^dist\/\w+Worker\.js$/, /^dist\/vendor\/[\w.-]+\.js$/, /^dist\/cli\.js$/,
  /^dist\/webview\/[^]+$/, /^dist\/ort\/node_modules\/onnxruntime-(node|common)\/[^]+$/, /^media\//, /^syntaxes\//, /^schemas\//, /^changelog\.md$/i];
// Added by vsce itself around the extension folder.
const VSCE_OWN = /^(\[Content_Types\]\.xml|extension\.vsixmanifest)$/;

function run(cmd, args) {
  const r = spawnSync(cmd, args, { stdio: ['ignore', 'pipe', 'inherit'], encoding: 'utf8' });
  if (r.status !== 0) { process.stdout.write(r.stdout ?? ''); throw new Error(`${cmd} ${args.join(' ')} exited with ${r.status}`); }
  return r.stdout;
}

rmSync('dist', { recursive: true, force: true }); // no stale dev bundles or source maps
run(process.execPath, ['scripts/build.mjs', '--production']);
const vsce = join(ROOT, 'node_modules', '@vscode', 'vsce', 'vsce');
process.stdout.write(run(process.execPath, [vsce, 'package', '--no-dependencies', '--out', VSIX]));
const entries = run('unzip', ['-Z1', VSIX]).split('\n').filter((l) => l && !l.endsWith('/'));
const files = entries.filter((e) => !VSCE_OWN.test(e)).map((e) => e.replace(/^extension\//, ''));
const unexpected = files.filter((f) => !ALLOWED.some((re) => re.test(f)));
for (const need of [/^package\.json$/, /^dist\/extension\.js$/, /^dist\/features\.js$/, /^dist\/configCore\.js$/, /^dist\/tokenizerWorker\.js$/, /^dist\/dedupWorker\.js$/, /^dist\/cli\.js$/, /^LICENSE(\.txt)?$/i, /^README\.md$/i]) {
  if (!files.some((f) => need.test(f))) unexpected.push(`(missing) ${need.source}`);
}
for (const need of lazyRequired()) if (!files.includes(need)) unexpected.push(`(missing, required lazily) ${need}`);
const size = statSync(VSIX).size;

/**
 * The dist/ files the bundles load at run time rather than carry: relative `require("./….js")` calls esbuild left in
 * dist/extension.js, dist/features.js and dist/cli.js (the features, the lazy cores and dist/vendor libraries; ssh2's optional ./crypto/…/sshcrypto.node is tried in a
 * try/catch and falls back to JavaScript, so it is not required), every dist/*Core.js and dist/*Worker.js, and onnxruntime-node's package.json and
 * native binding when the build copied them to dist/ort. Paths relative to the extension root.
 */
function lazyRequired() {
  const need = new Set();
  for (const bundle of ['dist/extension.js', 'dist/features.js', 'dist/cli.js']) {
    for (const m of readFileSync(bundle, 'utf8').matchAll(/require\(\s*["']\.\/([^"']+\.js)["']\s*\)/g)) need.add(`dist/${m[1].replace(/^\.\//, '')}`);
  }
  for (const f of readdirSync('dist')) if (/^\w+(Core|Worker)\.js$/.test(f)) need.add(`dist/${f}`);
  if (existsSync('dist/vendor')) for (const f of readdirSync('dist/vendor')) if (f.endsWith('.js')) need.add(`dist/vendor/${f}`);
  const ort = 'dist/ort/node_modules/onnxruntime-node';
  if (existsSync(ort)) {
    need.add(`${ort}/package.json`);
    const walk = (dir) => readdirSync(dir, { withFileTypes: true }).flatMap((d) => d.isDirectory() ? walk(`${dir}/${d.name}`) : [`${dir}/${d.name}`]);
    for (const f of walk(ort)) if (f.endsWith('.node')) need.add(f);
  }
  return [...need].sort();
}
process.stdout.write(`vsix: ${VSIX} ${size} bytes, ${files.length} files:\n${files.map((f) => `  ${f}`).join('\n')}\n`);
if (unexpected.length) {
  process.stderr.write(`package: unexpected content in the .vsix (fix .vscodeignore):\n  ${unexpected.join('\n  ')}\n`);
  process.exit(1);
}
