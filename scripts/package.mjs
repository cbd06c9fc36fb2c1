// `npm run package`: production build, then dist/llm-training-studio.vsix via `vsce package --no-dependencies`
// (everything the extension needs is bundled into dist/ by esbuild). Checks that the .vsix carries only what
// .vscodeignore allows (dist/extension.js, dist/configCore.js (the config core, loaded lazily), dist/cli.js,
// dist/webview/**, media, syntaxes, schemas, package.json, README, LICENSE) and prints its size and file list. Exit 1 on any unexpected file.
import { spawnSync } from 'node:child_process';
import { rmSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';

const ROOT = resolve(import.meta.dirname, '..');
process.chdir(ROOT);
const VSIX = join(ROOT, 'dist', 'llm-training-studio.vsix');
const ALLOWED = [/^package\.json$/, /^README\.md$/i, /^LICENSE(\.txt|\.md)?$/i, /^dist\/extension\.js$/, /^dist\/configCore\.js$/, /^dist\/cli\.js$/,
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
for (const need of [/^package\.json$/, /^dist\/extension\.js$/, /^dist\/configCore\.js$/, /^dist\/cli\.js$/, /^LICENSE(\.txt)?$/i, /^README\.md$/i]) {
  if (!files.some((f) => need.test(f))) unexpected.push(`(missing) ${need.source}`);
}
const size = statSync(VSIX).size;
process.stdout.write(`vsix: ${VSIX} ${size} bytes, ${files.length} files:\n${files.map((f) => `  ${f}`).join('\n')}\n`);
if (unexpected.length) {
  process.stderr.write(`package: unexpected content in the .vsix (fix .vscodeignore):\n  ${unexpected.join('\n  ')}\n`);
  process.exit(1);
}
