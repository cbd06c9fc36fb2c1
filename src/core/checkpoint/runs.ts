/** Where a run writes its checkpoints: `output_dir` from its command line, else from its config snapshot. */
import { joinPath } from '../files';

/**
 * `--output_dir X` / `--output_dir=X` (also `--output-dir`, `--save_dir`) in argv, else an `output_dir:` /
 * `"output_dir":` line of the config text (HF TrainingArguments YAML/JSON, Axolotl, LLaMA-Factory). Relative paths
 * are resolved against `cwd`. `undefined` when neither says.
 */
export function runOutputDir(argv: string[], cwd: string, configText?: string): string | undefined {
  const keys = ['--output_dir', '--output-dir', '--save_dir'];
  let dir: string | undefined;
  for (let i = 0; i < argv.length && !dir; i++) {
    for (const k of keys) {
      if (argv[i] === k && i + 1 < argv.length) dir = argv[i + 1];
      else if (argv[i].startsWith(`${k}=`)) dir = argv[i].slice(k.length + 1);
    }
  }
  if (!dir && configText) {
    const m = /(?:^|[\s{,])"?output_dir"?\s*:\s*(?:"([^"\n]*)"|'([^'\n]*)'|([^\s#,}\n]+))/m.exec(configText);
    if (m) dir = (m[1] ?? m[2] ?? m[3]).trim();
  }
  if (!dir) return undefined;
  return dir.startsWith('/') ? joinPath(dir) : joinPath(cwd, dir);
}
