/**
 * Where the tokenizer a training run will load lives: the value of `model_name_or_path` / `base_model` /
 * `tokenizer` / `tokenizer_name_or_path` (whichever the framework uses) as a local path (absolute, or relative to
 * the config's folder), or a Hugging Face Hub id found in the local cache (`HF_HUB_CACHE`, `HF_HOME/hub`,
 * `~/.cache/huggingface/hub`: `models--org--name/snapshots/<revision>/`, the revision `refs/main` names first).
 * No network.
 */
import { joinPath, readTextIfExists, type FileAccess } from '../files';

/** The config keys that name the tokenizer (or the model whose tokenizer is used), per framework. */
export const TOKENIZER_KEYS = ['tokenizer_name_or_path', 'tokenizer_name', 'tokenizer_config', 'tokenizer', 'base_model', 'model_name_or_path', 'pretrained_model_name_or_path'] as const;

/** A key/value found in a config's text, with its 0-based line. */
export interface TokenizerReference { key: string; value: string; line: number }

/** Finds `key: value` / `"key": "value"` lines naming a tokenizer or model (YAML or JSON). */
export function findTokenizerReferences(text: string): TokenizerReference[] {
  const out: TokenizerReference[] = [];
  const re = new RegExp(`^\\s*"?(${TOKENIZER_KEYS.join('|')})"?\\s*:\\s*["']?([^"'#,\\s][^"'#,]*?)["']?\\s*,?\\s*(#.*)?$`);
  text.split('\n').forEach((line, i) => {
    const m = re.exec(line.replace(/\r$/, ''));
    if (m && m[2] !== 'null' && m[2] !== '~') out.push({ key: m[1], value: m[2].trim(), line: i });
  });
  return out;
}

/** Hub cache folder from the environment, as huggingface_hub computes it. */
export function hubCacheDir(env: Record<string, string | undefined>, home: string): string {
  if (env.HF_HUB_CACHE) return env.HF_HUB_CACHE;
  if (env.HUGGINGFACE_HUB_CACHE) return env.HUGGINGFACE_HUB_CACHE;
  if (env.HF_HOME) return joinPath(env.HF_HOME, 'hub');
  return joinPath(env.XDG_CACHE_HOME ?? joinPath(home, '.cache'), 'huggingface', 'hub');
}

/**
 * Resolves a reference to a folder or file that `loadTokenizer` can open, or `undefined` when it is neither a
 * local path nor a Hub id in the cache.
 */
export async function resolveTokenizerPath(files: FileAccess, value: string, configDir: string, cacheDir: string): Promise<string | undefined> {
  const local = value.startsWith('/') ? value : joinPath(configDir, value);
  if (await files.stat(local)) return local;
  if (!/^[\w.-]+\/[\w.-]+$/.test(value) && !/^[\w.-]+$/.test(value)) return undefined;
  const repo = joinPath(cacheDir, `models--${value.replace(/\//g, '--')}`);
  const snapshots = joinPath(repo, 'snapshots');
  const revs = await files.list(snapshots).catch(() => [] as string[]);
  if (revs.length === 0) return undefined;
  const main = (await readTextIfExists(files, joinPath(repo, 'refs', 'main')))?.trim();
  const rev = main && revs.includes(main) ? main : revs[0];
  return joinPath(snapshots, rev);
}
