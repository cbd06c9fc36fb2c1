/**
 * What loading the features (dist/features.js, required on the first use of any feature) costs before any config is open, with the config core split off (as
 * scripts/build.mjs builds it) vs bundled in (what a static import of src/core/config would do).
 * Bundled here with esbuild, minified, then each file is required in a fresh Node process (cold: no module cache),
 * interleaved so machine load hits all alike. `vscode` is a stub: only module load is timed, not activate()
 * (which only registers providers).
 * - config.activation.extensionLoad: median ms to require dist/features.js as built (every feature's code); baseline =
 *   the same with the config core bundled in; baseline - value is what the split saves at every activation
 *   (measured 15 vs 118 ms with only the config views in the bundle; 267 vs 344 ms with all features, loaded machine)
 * - config.activation.coreLoad: median ms to require dist/configCore.js (zod schemas built at load): what the first
 *   opened config pays, once
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { tmpdir } from 'node:os';
import { spawnSync } from 'node:child_process';
import { pathToFileURL } from 'node:url';
import { build } from 'esbuild';

const ROOT = resolve(__dirname, '..');

function median(xs: number[]): number { const s = [...xs].sort((a, b) => a - b); return s[s.length >> 1]!; }

/** Prints the ms `require(file)` took in a fresh process with `vscode` stubbed. */
const PROBE = `
const Module = require('module');
const load = Module._load;
const stub = new Proxy(function () {}, { get: (_t, k) => (k === 'then' ? undefined : stub) });
// Every vscode API the bundle touches at load time (enums such as DiagnosticSeverity, classes such as EventEmitter) is
// the same inert proxy: the bench measures module load, not VS Code. It sits on the prototype because esbuild's
// __toESM copies a module's prototype, not a proxy's answers.
const vscode = Object.create(new Proxy({}, { get: (_t, k) => (k === 'then' ? undefined : stub) }));
Module._load = function (req, ...rest) { return req === 'vscode' ? vscode : load.call(this, req, ...rest); };
const t = process.hrtime.bigint();
require(process.argv[2]);
process.stdout.write(String(Number(process.hrtime.bigint() - t) / 1e6));
`;

export async function run(): Promise<Record<string, { value: number; unit: string; baseline?: number; ratio?: number }>> {
  const dir = mkdtempSync(join(tmpdir(), 'llmts-activation-bench-'));
  try {
    const common = { bundle: true, platform: 'node', format: 'cjs', target: 'node20', mainFields: ['module', 'main'] as string[], minify: true, logLevel: 'warning', absWorkingDir: ROOT } as const;
    // The features bundle (dist/features.js, what the first use of a feature loads) as scripts/build.mjs builds it
    // (config core, dataset core and vendor libraries split off), and with the config core bundled in as a static
    // import would do.
    const { extensionBuildOptions } = await (import(pathToFileURL(join(ROOT, 'scripts/lib/extensionBuild.mjs')).href) as Promise<typeof import('../scripts/lib/extensionBuild.mjs', { with: { 'resolution-mode': 'import' } })>);
    const ext = extensionBuildOptions(common)[1];
    await build({ ...ext, outfile: join(dir, 'extension.js') });
    await build({ ...ext, outfile: join(dir, 'eager.js'), plugins: ext.plugins!.filter((p) => p.name !== 'lazy-config-core') });
    await build({ ...common, entryPoints: ['src/core/config/index.ts'], outfile: join(dir, 'configCore.js') });
    writeFileSync(join(dir, 'probe.js'), PROBE);
    const time = (file: string): number => {
      const r = spawnSync(process.execPath, [join(dir, 'probe.js'), join(dir, file)], { encoding: 'utf8' });
      if (r.status !== 0) throw new Error(`loading ${file} failed: ${r.stderr}`);
      return Number(r.stdout);
    };
    const exts: number[] = []; const eager: number[] = []; const core: number[] = [];
    for (let i = 0; i < 9; i++) { exts.push(time('extension.js')); eager.push(time('eager.js')); core.push(time('configCore.js')); }
    const e = median(exts), g = median(eager), c = median(core);
    return {
      'config.activation.extensionLoad': { value: e, unit: 'ms', baseline: g, ratio: e / g },
      'config.activation.coreLoad': { value: c, unit: 'ms' },
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (require.main === module) run().then((r) => { for (const [k, x] of Object.entries(r)) console.log(k, x); });
