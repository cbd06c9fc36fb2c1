/**
 * Config validation speed vs a plain `yaml` parse of the same file, in the same run.
 * - config.validate.largest: median ms to validate the largest corpus YAML config that gets a schema (LitGPT/NeMo
 *   are only syntax-checked, so they would flatter the ratio); fresh text each time: no cache hit
 * - config.validate.ratioToYamlParse: that median / median of YAML.parse on the same text (goal < 3)
 * - config.validate.corpus: ms to validate every corpus config once
 * - config.validate.aliasBomb: median ms to validate a 272-byte YAML alias bomb (issue 15: must stay milliseconds;
 *   baseline: parseDocument of the same text, which does not expand aliases)
 * - config.validate.keys100k: ms to validate a config with 100k keys (baseline: parseDocument of it, uniqueKeys off)
 */
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { parse, parseDocument } from 'yaml';
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
  const bomb = 'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n' + 'bcdefg'.split('').map((c, i) => `${c}: &${c} [${Array(9).fill('*' + 'abcdefg'[i]).join(',')}]`).join('\n') + '\n';
  const tBomb: number[] = []; const tBombParse: number[] = [];
  for (let i = 0; i < 9; i++) {
    let t = performance.now(); parseDocument(bomb + `#${i}\n`); tBombParse.push(performance.now() - t);
    t = performance.now(); validateConfig(bomb + `#${i}\n`, { fileName: 'bomb.yaml', framework: 'axolotl' }); tBomb.push(performance.now() - t);
  }
  const big = Array.from({ length: 100000 }, (_, i) => `key_${i}: ${i}`).join('\n') + '\nbase_model: m\n';
  // yaml's default uniqueKeys check is quadratic in the number of keys; the validator parses without it.
  let t = performance.now(); parseDocument(big, { uniqueKeys: false }); const bigParse = performance.now() - t;
  t = performance.now(); validateConfig(big, { fileName: 'big.yaml', framework: 'axolotl' }); const bigVal = performance.now() - t;
  return {
    'config.validate.largest': { value: v, unit: 'ms', baseline: p, ratio: v / p },
    'config.validate.ratioToYamlParse': { value: v / p, unit: 'x', goal: 3 },
    'config.validate.corpus': { value: median(tCorpus), unit: 'ms' },
    'config.validate.aliasBomb': { value: median(tBomb), unit: 'ms', baseline: median(tBombParse), ratio: median(tBomb) / median(tBombParse) },
    'config.validate.keys100k': { value: bigVal, unit: 'ms', baseline: bigParse, ratio: bigVal / bigParse },
  };
}

if (require.main === module) run().then((r) => { for (const [k, x] of Object.entries(r)) console.log(k, x); });
