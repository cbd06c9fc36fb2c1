// `npm run bench`: runs every bench/*.bench.ts module's run() (loaded through tsx) plus the harness's own
// measurements, and writes bench-results.json as { name: { value, unit, baseline?, ratio?, goal? } }.
// `baseline` is always measured in the same run (ratio = value / baseline); a fixed target is a `goal`, never a baseline.
//   extension.activate  ms: ext.activate() of the not yet active extension in code-server's Node 24 extension host
//                       (loads dist/extension.js, production build, and runs activate()); median of BENCH_ACTIVATE_RUNS
//                       (default 6) starts, alternating which of the two is activated first, each timed once the host is idle; baseline: the
//                       same for an extension with an empty activate(), same host
//   vsix.size           bytes of dist/llm-training-studio.vsix from `npm run package`
// usage: node scripts/bench.mjs [--only name,name]   (--only merges into the existing bench-results.json)
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync, mkdtempSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { tmpdir } from 'node:os';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { tsImport } from 'tsx/esm/api';
import { createRequire } from 'node:module';

// Benches import esbuild through tsx's loader, under which esbuild cannot find its own binary (it resolves a
// tsx-namespaced path: spawn ENOENT). Point it at the platform package's binary, resolved by plain Node.
if (!process.env.ESBUILD_BINARY_PATH) {
  try { process.env.ESBUILD_BINARY_PATH = createRequire(import.meta.url).resolve(`@esbuild/${process.platform}-${process.arch}/bin/esbuild`); } catch { /* esbuild falls back to its own lookup */ }
}

const ROOT = resolve(import.meta.dirname, '..');
process.chdir(ROOT);
const OUT = join(ROOT, 'bench-results.json');
const { values: opt } = parseArgs({ options: { only: { type: 'string' }, module: { type: 'string' }, 'module-out': { type: 'string' } } });
const only = opt.only?.split(',');
const wanted = (name) => !only || only.some((o) => name === o || name.startsWith(`${o}.`));

/** Checks one result entry's shape: { value: finite number, unit: string, baseline?: number, ratio?: number, goal?: number }. */
function checkEntry(name, e) {
  const ok = e && typeof e === 'object' && Number.isFinite(e.value) && typeof e.unit === 'string'
    && (e.baseline === undefined || Number.isFinite(e.baseline)) && (e.ratio === undefined || Number.isFinite(e.ratio))
    && (e.goal === undefined || Number.isFinite(e.goal));
  if (!ok) throw new Error(`bench result '${name}' is not { value: number, unit: string, baseline?: number, ratio?: number, goal?: number }: ${JSON.stringify(e)}`);
  return { value: e.value, unit: e.unit, ...(e.baseline !== undefined ? { baseline: e.baseline } : {}), ...(e.ratio !== undefined ? { ratio: e.ratio } : {}), ...(e.goal !== undefined ? { goal: e.goal } : {}) };
}

const median = (xs) => { const s = [...xs].sort((a, b) => a - b); const m = s.length >> 1; return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2; };
const results = {};
let failures = 0;

// 1. bench/*.bench.ts modules (each in a process of its own, see below)
// With --only, a module runs only when its results can be wanted: their names start with the module's leading
// lower-case word (dataset.bench.ts → dataset.*, configActivation.bench.ts → config.*); `--only dataset` used to run
// every module (minutes on a shared 2-core machine) and keep the dataset figures.
const moduleWanted = (f) => !only || only.some((o) => o.split('.')[0] === /^[a-z]+/.exec(f)?.[0]);
const modules = existsSync('bench') ? readdirSync('bench').filter((f) => f.endsWith('.bench.ts') && moduleWanted(f)).sort() : [];

/** Child mode (`--module F --module-out J`): runs one module's run() and writes its results to J. */
async function runModule(f, outFile) {
  const mod = await tsImport(pathToFileURL(join(ROOT, 'bench', f)).href, import.meta.url);
  if (typeof mod.run !== 'function') throw new Error('exports no run()');
  writeFileSync(outFile, JSON.stringify(await mod.run()));
}
if (opt.module) {
  try { await runModule(opt.module, opt['module-out']); process.exit(0); } catch (err) { console.error(err?.stack ?? err); process.exit(1); }
}

// Each module runs in a Node process of its own: in one shared process a module's figures depended on what ran
// before it (heap size, JIT state): the metrics parser's line-split baseline ran at 723 MB/s alone and 1143 MB/s
// after the other modules, which moved metrics.parse.ratioVsLineSplit from 0.47 to 0.28 with no change to the parser.
for (const f of modules) {
  const t0 = Date.now();
  const outFile = join(tmpdir(), `llmts-bench-${process.pid}-${f}.json`);
  try {
    const c = spawnSync(process.execPath, [import.meta.filename, '--module', f, '--module-out', outFile], { stdio: ['ignore', 'inherit', 'inherit'], env: process.env });
    if (c.status !== 0) throw new Error(`exited with ${c.status ?? c.signal}`);
    const r = JSON.parse(readFileSync(outFile, 'utf8'));
    for (const [name, e] of Object.entries(r)) if (wanted(name)) results[name] = checkEntry(name, e);
    console.log(`bench: ${f} (${((Date.now() - t0) / 1000).toFixed(1)} s): ${Object.keys(r).join(', ')}`);
  } catch (err) {
    failures++;
    console.error(`bench: ${f} failed: ${err?.stack ?? err}`);
  } finally {
    rmSync(outFile, { force: true });
  }
}

// 2. extension.activate, measured inside the real VS Code (code-server)
/**
 * Packages an extension with an empty activate() as `llmts-bench.<name>` into `dir`; returns the .vsix path.
 * `warmup` takes the extension host's one-time cost of a first activation (about 300 ms here); `baseline` is what an
 * extension that does nothing costs to load and activate.
 */
function emptyExtensionVsix(dir, name) {
  const ext = join(dir, name);
  mkdirSync(ext);
  writeFileSync(join(ext, 'package.json'), JSON.stringify({ name, publisher: 'llmts-bench', version: '0.0.1',
    license: 'MIT', engines: { vscode: '^1.90.0' }, main: './extension.js', activationEvents: [] }));
  writeFileSync(join(ext, 'extension.js'), 'exports.activate = function () {};\nexports.deactivate = function () {};\n');
  writeFileSync(join(ext, 'README.md'), 'Empty extension for the activation bench of scripts/bench.mjs.\n');
  const out = join(dir, `${name}.vsix`);
  const pk = spawnSync(process.execPath, [join(ROOT, 'node_modules/@vscode/vsce/vsce'), 'package', '--allow-missing-repository',
    '--skip-license', '--no-dependencies', '--out', out], { cwd: ext, encoding: 'utf8' });
  if (pk.status !== 0) throw new Error(`packaging the ${name} extension failed:\n${pk.stdout}${pk.stderr}`);
  return out;
}

if (wanted('extension.activate')) {
  const runs = Number(process.env.BENCH_ACTIVATE_RUNS || 6);
  const samples = [];
  const baselines = [];
  const dir = mkdtempSync(join(tmpdir(), 'llmts-bench-'));
  try {
    const b = spawnSync(process.execPath, ['scripts/build.mjs', '--production'], { stdio: 'inherit' });
    if (b.status !== 0) throw new Error('production build failed');
    const vsixes = [emptyExtensionVsix(dir, 'warmup'), emptyExtensionVsix(dir, 'baseline')];
    for (let i = 0; i < runs; i++) {
      const file = join(dir, `activation-${i}.json`);
      const r = spawnSync(process.execPath, ['scripts/test-vscode.mjs', '--workspace', 'empty', '--no-ui', '--no-build', '--timeout', '300'], {
        encoding: 'utf8',
        env: { ...process.env, LLMTS_EXTRA_ENTRIES: 'test/integration/activation.perf.ts', LLMTS_EXTRA_VSIX: vsixes.join(','), LLMTS_BENCH_OUT: file,
          LLMTS_BENCH_ORDER: i % 2 ? 'extension-first' : 'baseline-first' },
      });
      try {
        const m = JSON.parse(readFileSync(file, 'utf8'));
        samples.push(m.activateMs);
        baselines.push(m.baselineMs);
      } catch {
        console.error(`bench: activation run ${i + 1} produced no measurement:\n${(r.stdout ?? '').split('\n').slice(-30).join('\n')}`);
      }
    }
  } catch (err) {
    console.error(`bench: extension.activate: ${err?.message ?? err}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  if (samples.length) {
    const value = Number(median(samples).toFixed(2));
    const baseline = Number(median(baselines).toFixed(2));
    // A ratio of medians: the host's noise is added to each activation on its own (an empty activate() took 7 to 65 ms
    // in one run), so the ratio of two samples of one start is no steadier than either sample.
    results['extension.activate'] = { value, unit: 'ms', baseline, ratio: Number((value / baseline).toFixed(3)) };
    console.log(`bench: extension.activate samples (ms, production build): ${samples.map((x) => x.toFixed(1)).join(', ')}; empty-extension baseline: ${baselines.map((x) => x.toFixed(1)).join(', ')}`);
  } else failures++;
}

// 3. vsix.size
if (wanted('vsix.size')) {
  const r = spawnSync(process.execPath, ['scripts/package.mjs'], { encoding: 'utf8' });
  const vsix = join(ROOT, 'dist', 'llm-training-studio.vsix');
  if (r.status === 0 && existsSync(vsix)) results['vsix.size'] = { value: statSync(vsix).size, unit: 'bytes' };
  else { failures++; console.error(`bench: npm run package failed:\n${r.stdout}\n${r.stderr}`); }
}

const merged = only && existsSync(OUT) ? { ...JSON.parse(readFileSync(OUT, 'utf8')), ...results } : results;
writeFileSync(OUT, `${JSON.stringify(merged, null, 2)}\n`);
console.log(JSON.stringify(results, null, 2));
console.log(`bench: wrote ${Object.keys(merged).length} results to ${OUT}${failures ? ` (${failures} failed)` : ''}`);
process.exit(failures ? 1 : 0);
