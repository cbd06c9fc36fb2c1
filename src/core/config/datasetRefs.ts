/**
 * Dataset paths a training config names, checked for existence (issue 15, "References whose launch directory is
 * unknown": "a DeepSpeed JSON or dataset path relative to where the user will launch"). Frameworks open a relative
 * dataset path from the directory training is launched in:
 * - Axolotl `datasets[].path` / `test_datasets[].path`: a local file or folder when it exists there, else a Hub id
 *   (src/axolotl/utils/data/shared.py); only paths that look local (`./`, `../`, `/`, `~/`, or a data file
 *   extension) are checked, so a Hub id is never reported;
 * - HF/TRL `dataset_name` (TRL ScriptArguments, `load_dataset(dataset_name)`), the same way;
 * - torchtune `dataset.data_files` with a local loader `source` (json, csv, parquet, text, arrow);
 * - LLaMA-Factory `dataset_dir` (when set): its `dataset_info.json`, which `get_dataset_list`
 *   (src/llamafactory/data/parser.py) opens, raising "Cannot open <dir>/dataset_info.json".
 * Dataset files can be gigabytes: only their existence is asked (`RuleOptions.present`), never their text. Pure.
 */
import type { RuleContext } from './engine';
import { resolvePath } from './engine';
import type { CEntry, CNode } from './tree';
import { candidates } from './rules';

/** A dataset path at a position of the config; `want` is the file that must exist (the path itself, or a file in it). */
interface DatasetRef { path: string; want: string; what: string; start: number; end: number }

const ABS = /^([a-zA-Z]:[\\/]|[\\/])/;
const looksLocal = (p: string): boolean => /^(\.{1,2}[\\/]|[\\/]|~\/|[a-zA-Z]:[\\/])/.test(p) || /\.(jsonl?|ndjson|parquet|csv|tsv|arrow|txt)$/i.test(p);
const LOCAL_SOURCES = new Set(['json', 'csv', 'parquet', 'text', 'arrow']);

function scalarStr(n: CNode | null | undefined): string | undefined {
  return n?.kind === 'scalar' && typeof n.value === 'string' && n.value.trim() && !n.value.includes('${') ? n.value.trim() : undefined;
}

function entryOf(map: CNode, key: string): CEntry | undefined { return map.kind === 'map' ? map.entries!.find((e) => e.key === key) : undefined; }

/** The dataset paths of the config that must exist, by framework. */
function datasetRefs(ctx: RuleContext): DatasetRef[] {
  const out: DatasetRef[] = [];
  const add = (n: CNode | null | undefined, what: string, file?: string) => {
    const p = scalarStr(n);
    if (!p || !n || (!file && !looksLocal(p))) return;
    out.push({ path: p, want: file ? `${p.replace(/[\\/]+$/, '')}/${file}` : p, what, start: n.start, end: n.end });
  };
  const fw = ctx.def.id;
  if (fw === 'axolotl') {
    for (const key of ['datasets', 'test_datasets']) {
      const seq = ctx.entry(key)?.value;
      if (seq?.kind === 'seq') for (const item of seq.items!) if (item.kind === 'map') add(entryOf(item, 'path')?.value, 'Dataset');
    }
  } else if (fw === 'hf-trainer') {
    add(ctx.entry('dataset_name')?.value, 'Dataset');
  } else if (fw === 'torchtune') {
    const d = ctx.entry('dataset')?.value;
    for (const item of d?.kind === 'seq' ? d.items! : d ? [d] : []) {
      if (item.kind !== 'map' || !LOCAL_SOURCES.has(scalarStr(entryOf(item, 'source')?.value) ?? '')) continue;
      const df = entryOf(item, 'data_files')?.value;
      // data_files of a local loader are files, whatever their extension.
      for (const n of df?.kind === 'seq' ? df.items! : df ? [df] : []) { const p = scalarStr(n); if (p) out.push({ path: p, want: p, what: 'Dataset file', start: n.start, end: n.end }); }
    }
  } else if (fw === 'llamafactory') {
    const e = ctx.entry('dataset_dir');
    const dir = scalarStr(e?.value);
    if (e && dir && dir !== 'ONLINE' && !dir.startsWith('REMOTE:') && (ctx.str('dataset') || ctx.str('eval_dataset'))) add(e.value, 'dataset_info.json of dataset_dir', 'dataset_info.json');
  }
  return out;
}

/** Where each reference may be: the launch directory when known, else the config's folder and the folders above it. */
function placesOf(ctx: RuleContext, r: DatasetRef): string[] {
  if (r.want === '~' || r.want.startsWith('~/')) return ctx.opts.home ? candidates('', r.want, ctx.opts.home) : [];
  if (ABS.test(r.want)) return [r.want];
  const launch = ctx.opts.launchDir;
  return launch !== undefined ? [resolvePath(launch, r.want)] : candidates(ctx.baseDir, r.want, ctx.opts.home, ctx.opts.referenceRoots);
}

/** Asks (through `ctx.opts.present`) whether each place of each dataset reference exists; see index.ts readReferenced. */
export function datasetPresenceAsks(ctx: RuleContext): void {
  if (!ctx.opts.present) return;
  for (const r of datasetRefs(ctx)) for (const p of placesOf(ctx, r)) ctx.opts.present(p);
}

/**
 * `missing-reference` for dataset paths. Known launch directory (`ctx.opts.launchDir`: a tasks.json task's cwd, a
 * run's run.json, Launch Run, `--launch-dir`): an **error** naming that directory (the framework fails at start-up
 * when it loads the data). Unknown: a **warning** listing where it looked (the config's folder and those above it),
 * since the run may start elsewhere. An absolute path missing here is an error only with a known launch directory
 * (a config edited here may run on a cluster whose paths this machine lacks). Only when existence can be asked.
 */
export function missingDatasets(ctx: RuleContext): void {
  const present = ctx.opts.present;
  if (!present) return;
  const launch = ctx.opts.launchDir;
  for (const r of datasetRefs(ctx)) {
    const places = placesOf(ctx, r);
    if (!places.length || places.some((p) => present(p) === true)) continue;
    if (places.some((p) => present(p) === undefined)) continue; // not asked (or could not be): say nothing
    const name = r.want === r.path ? r.path : `${r.path} (${r.want})`;
    if (launch !== undefined) {
      const from = ctx.opts.launchDirSource ? ` (the launch directory given by ${ctx.opts.launchDirSource})` : '';
      const where = ABS.test(r.want) ? places[0] : `the launch directory ${launch || '.'} (${places[0]})${from}`;
      ctx.add('missing-reference', 'error', `${r.what} not found: ${name} is not in ${where}. Training stops when it loads the data.`, r.start, r.end);
    } else {
      const looked = places.slice(0, 3).join(', ') + (places.length > 3 ? `, … ${places.length} places` : '');
      const why = ABS.test(r.want) ? 'It may exist on the host the training runs on.' : 'Relative paths are opened from the directory you launch in, which is not known here (no task, run or Launch Run names this config): training stops if it is missing there.';
      ctx.add('missing-reference', 'warning', `${r.what} ${name} not found (looked at ${looked}). ${why}`, r.start, r.end);
    }
  }
}
