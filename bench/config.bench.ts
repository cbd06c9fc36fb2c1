/**
 * Config validation speed vs a plain `yaml` parse of the same file, in the same run.
 * - config.validate.largest: median ms to validate the largest corpus YAML config that gets a schema (LitGPT/NeMo
 *   are only syntax-checked, so they would flatter the ratio); fresh text each time: no cache hit
 * - config.validate.ratioToYamlParse: that median / median of YAML.parse on the same text (goal < 3)
 * - config.validate.corpus: ms to validate every corpus config once
 */
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { validateConfig } from '../src/core/config/index';

const DIR = join(__dirname, '..', 'test', 'fixtures', 'configs');

function median(xs: number[]): number { const s = [...xs].sort((a, b) => a - b); return s[s.length >> 1]; }

export async function run(): Promise<Record<string, { value: number; unit: string; baseline?: number; ratio?: number; goal?: number }>> {
  const files = readdirSync(DIR).filter((f) => /\.(ya?ml|json)$/.test(f));
  const largest = files.filter((f) => /\.ya?ml$/.test(f) && validateConfig(readFileSync(join(DIR, f), 'utf8'), { fileName: f }).framework !== 'unknown')
    .sort((a, b) => statSync(join(DIR, b)).size - statSync(join(DIR, a)).size)[0];
  const text = readFileSync(join(DIR, largest), 'utf8');
  const N = 60;
  // Warm up both paths (JIT, schema construction happens once per process).
  for (let i = 0; i < 10; i++) { parse(text); validateConfig(text + `\n# ${i}`, { fileName: largest }); }
  const tParse: number[] = []; const tVal: number[] = [];
  for (let i = 0; i < N; i++) {
    // Interleave so that machine load affects both equally; a trailing comment defeats the one-entry cache.
    const variant = text + `\n# run ${i}`;
    let t = performance.now(); parse(variant); tParse.push(performance.now() - t);
    t = performance.now(); validateConfig(variant, { fileName: largest }); tVal.push(performance.now() - t);
  }
  const texts = files.map((f) => [f, readFileSync(join(DIR, f), 'utf8')] as const);
  const tCorpus: number[] = [];
  for (let r = 0; r < 5; r++) {
    const t = performance.now();
    for (const [f, s] of texts) validateConfig(s + (f.endsWith('.json') ? ' '.repeat(r + 1) : `\n# ${r}`), { fileName: f });
    tCorpus.push(performance.now() - t);
  }
  const v = median(tVal), p = median(tParse);
  void largest;
  return {
    'config.validate.largest': { value: v, unit: 'ms', baseline: p, ratio: v / p },
    'config.validate.ratioToYamlParse': { value: v / p, unit: 'x', goal: 3 },
    'config.validate.corpus': { value: median(tCorpus), unit: 'ms' },
  };
}

if (require.main === module) run().then((r) => { for (const [k, x] of Object.entries(r)) console.log(k, x); });
