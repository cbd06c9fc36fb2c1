/**
 * The datasets a training config names, where the config names them (for CodeLens), and how each resolves to local
 * files with a declared format and field mapping; plus the run settings the checks need (length limit and policy,
 * batch per GPU, tokenizer). Parsing and framework detection are the config core's (`readConfig`).
 *
 * - Axolotl `datasets[].path` (+ `type`, `data_files`, `field_messages`, `message_property_mappings`, `field`):
 *   `src/axolotl/utils/schemas/datasets.py` (`SFTDataset`), loading in `utils/data/shared.py`.
 * - LLaMA-Factory `dataset` (comma-separated names) through `dataset_info.json` in `dataset_dir` (default `data`):
 *   `src/llamafactory/data/parser.py` (`DatasetAttr`: file_name, formatting, ranking, columns, tags).
 * - TRL / HF `dataset_name` when it is a local file or folder (`trl/scripts/utils.py` `ScriptArguments`).
 * - torchtune `dataset` (`_component_`, `source`, `data_files`, `conversation_style`, `column_map`):
 *   `torchtune/datasets/_sft.py`, `_chat.py`, `_alpaca.py`, `_text_completion.py`, `_preference.py`.
 */
import type { FileAccess } from '../files';
import { joinPath, dirName, normalizePath, readTextIfExists } from '../files';
import { readConfig } from '../config';
import type { ConfigContext, CNode, BatchOf } from '../config';
import type { Framework, Range } from '../config/types';
import type { DatasetFormat, DatasetSpec, FieldMap } from './types';
import { fileKindOf } from './readers';
import { lengthPolicyOf } from './lengths';
import type { LengthLimit } from './lengths';

/** A dataset named in a config, at the range of the key (or list item) naming it. */
export interface ConfigDataset {
  /** Config path of the naming key, e.g. `datasets[0].path`, `dataset`, `dataset_name`, `dataset.data_files`. */
  key: string;
  /** The name as written (a path, or a LLaMA-Factory dataset name). */
  name: string;
  range: Range;
  /** Declared format (undefined: detect), with the declaration as written. */
  declared?: DatasetFormat; declaredAs?: string;
  fields?: FieldMap;
  /** LLaMA-Factory: look `name` up in dataset_info.json under this folder (relative to the config's folder or above). */
  datasetDir?: string;
  /** Explicit files (Axolotl / torchtune `data_files`). */
  dataFiles?: string[];
}

/** What the checks need from a config. */
export interface RunSettings {
  framework: Framework;
  configPath: string;
  datasets: ConfigDataset[];
  limit?: LengthLimit;
  batch?: BatchOf;
  /** Tokenizer (local folder or Hub id) as the config names it, and the key. */
  tokenizer?: { name: string; key: string };
}

function rangeOf(ctx: ConfigContext, n: { start: number; end: number }): Range { return ctx.li.range(n.start, n.end); }
function strList(v: unknown): string[] | undefined {
  if (typeof v === 'string') return [v];
  if (Array.isArray(v) && v.every((x) => typeof x === 'string')) return v as string[];
  return undefined;
}

/** Axolotl `type` -> format and fields. */
function axolotlType(d: Record<string, unknown>, rl: boolean): { declared?: DatasetFormat; fields?: FieldMap } {
  const t = typeof d.type === 'string' ? d.type : undefined;
  if (!t) return rl ? {} : { declared: 'alpaca' };
  if (t.startsWith('alpaca')) return { declared: 'alpaca' };
  if (t.startsWith('sharegpt')) return { declared: 'sharegpt' };
  if (t === 'chat_template' || t.startsWith('chat_template.')) {
    const fm = typeof d.field_messages === 'string' ? d.field_messages : 'messages';
    const mp = (d.message_property_mappings ?? {}) as Record<string, unknown>;
    const roleKey = typeof mp.role === 'string' ? mp.role : typeof d.message_field_role === 'string' ? d.message_field_role : 'role';
    const contentKey = typeof mp.content === 'string' ? mp.content : typeof d.message_field_content === 'string' ? d.message_field_content : 'content';
    if (t === 'chat_template' && !rl) return { declared: 'messages', fields: { messages: fm, roleKey, contentKey } };
    return rl ? { declared: 'preference', fields: {} } : {};
  }
  if (t === 'completion') return { declared: 'text', fields: typeof d.field === 'string' ? { text: d.field } : {} };
  return {};
}

/** torchtune builder -> format and fields. */
function torchtuneBuilder(d: Record<string, unknown>): { declared?: DatasetFormat; fields?: FieldMap } {
  const c = typeof d._component_ === 'string' ? d._component_ : '';
  const cm = (d.column_map ?? {}) as Record<string, string>;
  if (/alpaca/.test(c)) return { declared: 'alpaca', fields: { instruction: cm.instruction, input: cm.input, output: cm.output } };
  if (/chat_dataset|slimorca|sharegpt/.test(c)) {
    const style = d.conversation_style;
    if (style === 'openai') return { declared: 'messages', fields: { messages: cm.messages ?? 'messages' } };
    return { declared: 'sharegpt', fields: { conversations: cm.conversations ?? 'conversations' } };
  }
  if (/text_completion/.test(c)) return { declared: 'text', fields: { text: typeof d.column === 'string' ? d.column : cm.text } };
  if (/preference|stack_exchange/.test(c)) return { declared: 'preference', fields: { chosen: cm.chosen, rejected: cm.rejected } };
  return {};
}

/**
 * The datasets a config names and its run settings; only the config text is read (fast enough for CodeLens).
 * Undefined when the text is not a config of a known framework.
 */
export function datasetsInConfig(text: string, configPath: string): RunSettings | undefined {
  const rc = readConfig(text, configPath);
  if (!rc) return undefined;
  const { ctx, framework } = rc;
  const datasets: ConfigDataset[] = [];
  const v = ctx.value;
  const trl = ['max_length', 'dataset_name', 'beta', 'packing', 'completion_only_loss', 'assistant_only_loss', 'dataset_text_field'].some((k) => k in v);
  const limit = lengthPolicyOf(framework, (...p) => ctx.num(...p), (...p) => ctx.str(...p), trl);
  let tokenizer: RunSettings['tokenizer'];
  const tok = (key: string, ...path: string[]): void => { const s = ctx.str(...path); if (s && !tokenizer) tokenizer = { name: s, key }; };

  if (framework === 'axolotl') {
    tok('tokenizer_config', 'tokenizer_config'); tok('base_model', 'base_model');
    const rl = typeof v.rl === 'string' || v.rl === true;
    for (const key of ['datasets', 'test_datasets']) {
      const e = ctx.entry(key);
      if (e?.value?.kind !== 'seq') continue;
      e.value.items!.forEach((item: CNode, i: number) => {
        if (item.kind !== 'map') return;
        const pe = item.entries!.find((x) => x.key === 'path');
        const pv = pe?.value?.kind === 'scalar' && typeof pe.value.value === 'string' ? pe.value.value : undefined;
        if (!pe || !pv) return;
        const d = (v[key] as Record<string, unknown>[])[i] ?? {};
        const t = axolotlType(d, rl);
        datasets.push({ key: `${key}[${i}].path`, name: pv, range: rangeOf(ctx, { start: pe.keyStart, end: pe.value!.end }), ...t, declaredAs: typeof d.type === 'string' ? `type: ${d.type}` : t.declared ? 'type: alpaca (the default)' : undefined, dataFiles: strList(d.data_files) });
      });
    }
  } else if (framework === 'llamafactory') {
    tok('model_name_or_path', 'model_name_or_path');
    const dir = ctx.str('dataset_dir') ?? 'data';
    for (const key of ['dataset', 'eval_dataset']) {
      const e = ctx.entry(key);
      const s = ctx.str(key);
      if (!e || !s) continue;
      for (const name of s.split(',').map((x) => x.trim()).filter(Boolean)) datasets.push({ key, name, range: rangeOf(ctx, { start: e.keyStart, end: e.value!.end }), datasetDir: dir });
    }
  } else if (framework === 'hf-trainer') {
    tok('tokenizer_name_or_path', 'tokenizer_name_or_path'); tok('tokenizer_name', 'tokenizer_name'); tok('model_name_or_path', 'model_name_or_path');
    const e = ctx.entry('dataset_name');
    const s = ctx.str('dataset_name');
    const fields: FieldMap = ctx.str('dataset_text_field') ? { text: ctx.str('dataset_text_field') } : {};
    if (e && s) datasets.push({ key: 'dataset_name', name: s, range: rangeOf(ctx, { start: e.keyStart, end: e.value!.end }), fields });
  } else if (framework === 'torchtune') {
    tok('tokenizer.path', 'tokenizer', 'path');
    const e = ctx.entry('dataset');
    const items = e?.value?.kind === 'seq' ? e.value.items!.map((n: CNode, i: number) => ({ node: n, key: `dataset[${i}]`, value: (v.dataset as Record<string, unknown>[])[i] })) : e?.value?.kind === 'map' ? [{ node: e.value, key: 'dataset', value: v.dataset as Record<string, unknown> }] : [];
    for (const it of items) {
      if (it.node.kind !== 'map' || !it.value) continue;
      const df = it.node.entries!.find((x) => x.key === 'data_files');
      const src = it.node.entries!.find((x) => x.key === 'source');
      const files = strList(it.value.data_files);
      const at = df ?? src ?? { keyStart: it.node.start, value: it.node };
      const name = files?.[0] ?? (typeof it.value.source === 'string' ? it.value.source : undefined);
      if (!name) continue;
      datasets.push({ key: df ? `${it.key}.data_files` : `${it.key}.source`, name, range: rangeOf(ctx, { start: at.keyStart, end: at.value?.end ?? at.keyStart }), ...torchtuneBuilder(it.value), declaredAs: typeof it.value._component_ === 'string' ? it.value._component_ : undefined, dataFiles: files });
    }
  }
  return { framework, configPath, datasets, limit, batch: rc.batch, tokenizer };
}

/** A dataset spec resolved to files, or why it could not be (a Hub dataset, a name missing from dataset_info.json). */
export type Resolved = { specs: DatasetSpec[]; note?: string } | { specs: []; error: string };

const isHubId = (s: string): boolean => /^[\w.-]+\/[\w.-]+$/.test(s) && !/\.(jsonl?|parquet|csv|tsv|ndjson)$/i.test(s);

/** Metadata files that sit next to data (LLaMA-Factory's index, `datasets` save_to_disk artifacts). */
const NOT_DATA = new Set(['dataset_info.json', 'dataset_dict.json', 'state.json']);

/** The dataset files in a folder (non-recursive, sorted), metadata files left out. */
async function filesIn(files: FileAccess, dir: string): Promise<string[]> {
  return (await files.list(dir)).filter((n) => fileKindOf(n) && !NOT_DATA.has(n)).map((n) => joinPath(dir, n));
}

async function pathsFor(files: FileAccess, base: string, names: string[]): Promise<{ paths: string[]; missing: string[] }> {
  const paths: string[] = [], missing: string[] = [];
  for (const n of names) {
    const p = n.startsWith('/') ? normalizePath(n) : joinPath(base, n);
    const st = await files.stat(p);
    if (!st) { missing.push(n); continue; }
    if (st.isDirectory) paths.push(...await filesIn(files, p)); else paths.push(p);
  }
  return { paths, missing };
}

/**
 * Resolves a dataset of a config to local files (relative paths against the config's folder; LLaMA-Factory's
 * `dataset_dir` against the config's folder and up to three folders above it, since its examples run from the
 * repository root). Reads `dataset_info.json` through `files`.
 */
export async function resolveDataset(files: FileAccess, settings: RunSettings, d: ConfigDataset): Promise<Resolved> {
  const base = dirName(settings.configPath);
  const spec = (path: string, extra: Partial<DatasetSpec> = {}): DatasetSpec => ({ path, declared: d.declared, declaredAs: d.declaredAs, fields: d.fields, ...extra });
  if (d.datasetDir !== undefined) {
    // LLaMA-Factory dataset_info.json
    let dir = base;
    for (let up = 0; up < 4; up++) {
      const infoDir = d.datasetDir.startsWith('/') ? d.datasetDir : joinPath(dir, d.datasetDir);
      const text = await readTextIfExists(files, joinPath(infoDir, 'dataset_info.json'), 16 * 1024 * 1024);
      if (text !== undefined) {
        let info: Record<string, Record<string, unknown>>;
        try { info = JSON.parse(text); } catch (e) { return { specs: [], error: `${joinPath(infoDir, 'dataset_info.json')} is not valid JSON: ${(e as Error).message}` }; }
        const a = info[d.name];
        if (!a) return { specs: [], error: `"${d.name}" is not in ${joinPath(infoDir, 'dataset_info.json')}` };
        if (typeof a.file_name !== 'string') return { specs: [], error: `"${d.name}" is a Hub/ModelScope/script dataset (${String(a.hf_hub_url ?? a.ms_hub_url ?? a.script_url ?? 'no file_name')}), not a local file` };
        const cols = (a.columns ?? {}) as Record<string, string>;
        const tags = (a.tags ?? {}) as Record<string, string>;
        const sharegpt = a.formatting === 'sharegpt';
        let declared: DatasetFormat = sharegpt ? 'sharegpt' : 'alpaca';
        let fields: FieldMap = sharegpt
          ? { conversations: cols.messages ?? 'conversations', system: cols.system, roleKey: tags.role_tag ?? 'from', contentKey: tags.content_tag ?? 'value', roles: { user: tags.user_tag ?? 'human', assistant: tags.assistant_tag ?? 'gpt', system: tags.system_tag ?? 'system', observation: tags.observation_tag ?? 'observation', function: tags.function_tag ?? 'function_call' } }
          : { instruction: cols.prompt ?? 'instruction', input: cols.query ?? 'input', output: cols.response ?? 'output', system: cols.system };
        if (sharegpt && (tags.role_tag === 'role' || cols.messages === 'messages') && (tags.content_tag ?? 'value') === 'content') { declared = 'messages'; fields = { messages: cols.messages ?? 'messages', roleKey: 'role', contentKey: 'content' }; }
        if (a.ranking === true) { declared = 'preference'; fields = { prompt: cols.prompt ?? 'instruction', chosen: cols.chosen ?? 'chosen', rejected: cols.rejected ?? 'rejected' }; }
        if (cols.kto_tag) { declared = 'kto'; fields = { ...fields, label: cols.kto_tag, prompt: cols.prompt ?? 'instruction', completion: cols.response ?? 'output' }; }
        const declaredAs = `dataset_info.json "${d.name}": formatting ${String(a.formatting ?? 'alpaca')}${a.ranking ? ', ranking' : ''}`;
        const { paths, missing } = await pathsFor(files, infoDir, [a.file_name]);
        if (!paths.length) return { specs: [], error: `${joinPath(infoDir, a.file_name)} (from dataset_info.json "${d.name}") does not exist${missing.length ? '' : ' or holds no dataset files'}` };
        return { specs: paths.map((p) => ({ path: p, declared, declaredAs, fields })), note: `via ${joinPath(infoDir, 'dataset_info.json')}` };
      }
      if (d.datasetDir.startsWith('/') || dir === '/' || dir === '.') break;
      dir = dirName(dir);
    }
    return { specs: [], error: `no dataset_info.json in ${d.datasetDir} next to the config or in the folders above it` };
  }
  const names = d.dataFiles?.length ? d.dataFiles : [d.name];
  const { paths, missing } = await pathsFor(files, base, names);
  if (paths.length) return { specs: paths.map((p) => spec(p)), ...(missing.length ? { note: `not found: ${missing.join(', ')}` } : {}) };
  if (isHubId(d.name)) return { specs: [], error: `${d.name} is a Hugging Face Hub dataset, not a local path: download it (huggingface-cli download --repo-type dataset ${d.name}) to check it` };
  return { specs: [], error: `${missing.join(', ')} not found next to ${settings.configPath}` };
}
