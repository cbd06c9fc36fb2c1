/**
 * Cross-file rules across the files of one launch (issue 15): an Accelerate config against the training arguments
 * it launches (`ValidateOptions.launch`). Each finding is reported in the file being validated, with the other file's
 * place as related information, so both files are marked when both are open. Every rule names the framework code
 * it mirrors. The files are read before the rules run (`crossAsks` says which, `index.ts readReferenced` reads them).
 */
import type { Fix, Framework, RelatedLocation, Severity } from './types';
import { RuleContext } from './engine';
import type { CEntry, CNode } from './tree';
import { getEntry, parseJson, parseYaml, reresolve } from './tree';
import { detectFromTree } from './detect';
import { frameworkDef } from './frameworks';
import { batchOf, checkDsAgainstTrainer, refsFor } from './rules';
import type { LoadedRef } from './rules';
import { LineIndex } from './lineIndex';
import { resolvePath } from './engine';
import layerTable from './tables/transformers-layer-classes.json';
import { datasetsInConfig } from '../dataset/resolve';

const TRAINING: Framework[] = ['hf-trainer', 'axolotl', 'llamafactory'];

/** Another config of the launch, parsed and detected, with a context of its own (ranges in that file). */
interface Peer { path: string; fw: Framework; ctx: RuleContext }

/** Reads and parses another file of the launch through the lookup filled before the rules ran. */
function loadPeer(ctx: RuleContext, path: string): Peer | undefined {
  const text = ctx.opts.lookup?.(path);
  if (text === undefined) return undefined;
  const parsed = /\.json$/i.test(path) ? parseJson(text) : parseYaml(text, 'pyyaml');
  if (!parsed.root || parsed.root.kind !== 'map' || parsed.problems.some((p) => p.severity === 'error')) return undefined;
  const det = detectFromTree(parsed.root, text, path, parsed.syntax);
  if (det.framework === 'llamafactory' || det.framework === 'torchtune') reresolve(parsed.root, 'omegaconf');
  const def = frameworkDef(det.framework, 'variant' in det ? det.variant : undefined, ctx.opts.versions);
  if (!def) return undefined;
  const { launch: _l, ...rest } = ctx.opts;
  void _l;
  return { path, fw: det.framework, ctx: new RuleContext(text, parsed, { ...rest, fileName: path }, def) };
}

/** The launch's peers of the other role: Accelerate configs for a training config, training configs for an Accelerate config. */
function launchPeers(ctx: RuleContext): Peer[] {
  const l = ctx.opts.launch;
  if (!l) return [];
  const self = ctx.def.id;
  const want = (fw: Framework) => (self === 'accelerate' ? TRAINING.includes(fw) : TRAINING.includes(self) && fw === 'accelerate');
  return l.files.map((f) => loadPeer(ctx, f)).filter((p): p is Peer => !!p && want(p.fw));
}

/**
 * Touches (through `ctx.opts.lookup`) every file the cross-file rules will read, so `readReferenced` reads them
 * first: the launch's other configs and the DeepSpeed JSONs those name. Called once per read round.
 */
export function crossAsks(ctx: RuleContext): void {
  for (const p of launchPeers(ctx)) refsFor(p.fw)?.(p.ctx);
  modelAsks(ctx);
  datasetAsks(ctx);
}

const sv = (n: CNode | null | undefined): unknown => (n?.kind === 'scalar' ? n.value : undefined);

/** The pair a launch rule compares: the training config (T) and the Accelerate config (A), one of them `ctx`. */
interface Pair { self: RuleContext; t: RuleContext; a: RuleContext; selfIsT: boolean; source: string }

function rel(c: RuleContext, e: CEntry | undefined, message: string, at: 'key' | 'value' | 'entry' = 'entry'): RelatedLocation {
  const [s, en] = !e ? [0, 0] : at === 'value' && e.value ? [e.value.start, e.value.end] : at === 'entry' && e.value ? [e.keyStart, e.value.end] : [e.keyStart, e.keyEnd];
  return { file: c.opts.fileName, range: c.li.range(s, en), message };
}

/**
 * Reports one disagreement in the file being validated: at its side's entry (the first line when that side does not
 * set the key), the other side's entry as related information. `fixOf(side)` builds edits in A's or T's file.
 */
function mark(p: Pair, code: string, severity: Severity, message: string, tE: CEntry | undefined, aE: CEntry | undefined, relT: string, relA: string, fixes: Fix[] = []): void {
  const mine = p.selfIsT ? tE : aE;
  const [other, oE, oMsg] = p.selfIsT ? [p.a, aE, relA] : [p.t, tE, relT];
  const related = [rel(other, oE, oMsg)];
  const f = fixes.map((x) => ({ ...x, edits: x.edits.map((ed) => (ed.file === p.self.opts.fileName ? { range: ed.range, newText: ed.newText } : ed)) }));
  if (mine) p.self.at(mine, code, severity, message, { at: 'entry', related, fixes: f });
  else p.self.add(code, severity, message, 0, 0, { related, fixes: f });
}

/** An edit that deletes an entry of `c`'s file, addressed to that file. */
function deleteIn(c: RuleContext, e: CEntry, title: string): Fix {
  return { title, edits: [{ ...c.deleteEntry(e), file: c.opts.fileName }], isPreferred: true };
}

/** Keys of accelerate's `deepspeed_config` that `accelerate launch` exports as ACCELERATE_* variables (commands/launch.py). */
const DS_PLUGIN_ENV_KEYS = ['gradient_accumulation_steps', 'gradient_clipping', 'zero_stage', 'offload_optimizer_device', 'offload_param_device', 'offload_param_nvme_path', 'offload_optimizer_nvme_path', 'zero3_save_16bit_model'];

/**
 * An Accelerate config against the training config of the same launch (HF/TRL, Axolotl and LLaMA-Factory all run
 * transformers' Trainer on top of accelerate). Mirrors:
 *  - accelerate commands/launch.py: `deepspeed_config.*` of the config file become ACCELERATE_GRADIENT_ACCUMULATION_STEPS,
 *    ACCELERATE_GRADIENT_CLIPPING, ACCELERATE_DEEPSPEED_ZERO_STAGE, ...; command-line arguments override the file;
 *  - accelerate utils/dataclasses.py `DeepSpeedPlugin.__post_init__`: those variables become the DeepSpeed config, and
 *    with a DeepSpeed JSON (the Trainer's `deepspeed:` passes one as `hf_ds_config`) any of them set raises ValueError
 *    "When using `deepspeed_config_file`, the following accelerate config variables will be ignored";
 *  - transformers integrations/deepspeed.py `HfTrainerDeepSpeedConfig.trainer_config_process` / `fill_match`
 *    (via `Trainer.propagate_args_to_deepspeed`): a DeepSpeed value that is not "auto" and differs from the
 *    TrainingArguments value stops the Trainer ("DeepSpeed config values that mismatch TrainingArguments values");
 *  - transformers training_args.py `__post_init__`: "if training args is specified, it will override the one specified
 *    in the accelerate config": fp16/bf16 set ACCELERATE_MIXED_PRECISION.
 */
export function crossLaunch(ctx: RuleContext): void {
  const launch = ctx.opts.launch;
  if (!launch) return;
  for (const peer of launchPeers(ctx)) {
    const selfIsT = ctx.def.id !== 'accelerate';
    const p: Pair = { self: ctx, t: selfIsT ? ctx : peer.ctx, a: selfIsT ? peer.ctx : ctx, selfIsT, source: launch.source };
    const tName = p.t.opts.fileName.replace(/^.*[\\/]/, ''), aName = p.a.opts.fileName.replace(/^.*[\\/]/, '');
    const why = `(one launch: ${launch.source})`;
    const { t, a } = p;
    const dt = a.str('distributed_type');
    const dsc = a.entry('deepspeed_config');
    const dscMap = dsc?.value?.kind === 'map' ? dsc.value : undefined;
    const dsFile = getEntry(dscMap, 'deepspeed_config_file');
    const tDs = t.entry('deepspeed');
    const tDsSet = !!tDs?.value && (tDs.value.kind === 'map' || (typeof sv(tDs.value) === 'string' && String(sv(tDs.value)).trim() !== ''));
    const b = batchOf(t);

    // 1. The Trainer's own DeepSpeed JSON with accelerate plugin settings in A: DeepSpeedPlugin refuses them.
    if (dt === 'DEEPSPEED' && tDsSet && dscMap) {
      for (const e of dscMap.entries!) {
        if (!DS_PLUGIN_ENV_KEYS.includes(e.key) || (e.key.includes('nvme') && sv(e.value) === 'none')) continue;
        mark(p, 'launch-ds-conflict', 'error', `${aName} sets deepspeed_config.${e.key} while ${tName} gives the Trainer its own DeepSpeed config (\`deepspeed:\`) ${why}: accelerate's DeepSpeedPlugin raises "When using \`deepspeed_config_file\`, the following accelerate config variables will be ignored: ['${e.key}']". Remove it from ${aName} and set it in the DeepSpeed JSON.`, tDs, e, 'the DeepSpeed config the Trainer passes', `deepspeed_config.${e.key} in ${aName}`, [deleteIn(a, e, `Remove deepspeed_config.${e.key} from ${aName}`)]);
      }
      if (dsFile) mark(p, 'launch-ignored', 'warning', `${aName} names deepspeed_config_file ${String(sv(dsFile.value))}, but ${tName} sets \`deepspeed:\` ${why}: the Trainer passes its own DeepSpeed config to accelerate, so the file named in ${aName} is not used.`, tDs, dsFile, 'the DeepSpeed config that is used', 'not used');
    }
    // 2. accelerate's DeepSpeed plugin values (no JSON anywhere) against TrainingArguments: fill_match refuses a mismatch.
    if (dt === 'DEEPSPEED' && !tDsSet && dscMap && !dsFile && b) {
      const pairs: [string, string, number, CEntry | undefined][] = [
        ['gradient_accumulation_steps', 'gradient_accumulation_steps', b.gas, t.entry('gradient_accumulation_steps')],
        ['gradient_clipping', 'max_grad_norm', t.num('max_grad_norm') ?? 1.0, t.entry('max_grad_norm')],
      ];
      for (const [aKey, tKey, tVal, tE] of pairs) {
        const e = getEntry(dscMap, aKey);
        const v = sv(e?.value);
        const n = typeof v === 'number' ? v : typeof v === 'string' && /^\d+(\.\d+)?$/.test(v) ? Number(v) : undefined;
        if (!e || n === undefined || n === tVal) continue;
        mark(p, 'launch-mismatch', 'error', `deepspeed_config.${aKey} is ${n} in ${aName}, but \`${tKey}\` is ${tVal}${tE ? '' : ' (the default)'} in ${tName} ${why}. accelerate passes ${aKey} ${n} to DeepSpeed and the HF Trainer refuses to start ("Please correct the following DeepSpeed config values that mismatch TrainingArguments values: ds ${aKey}=${n} vs hf ${tKey}=${tVal}"). Remove it from ${aName}: the Trainer then fills it in.`, tE, e, `${tKey}: ${tVal}`, `deepspeed_config.${aKey}: ${n}`, [deleteIn(a, e, `Remove deepspeed_config.${aKey} from ${aName}`)]);
      }
    }
    // 2b. A's deepspeed_config_file is the DeepSpeed config of a Trainer that names none: the JSON against T.
    if (selfIsT && !tDsSet && dt === 'DEEPSPEED' && dsFile) {
      for (const ref of refsFor('accelerate')!(a)) {
        const text = ctx.opts.lookup?.(ref.resolved);
        if (text === undefined) continue;
        const parsed = parseJson(text);
        if (!parsed.root || parsed.root.kind !== 'map' || parsed.problems.some((x) => x.severity === 'error')) continue;
        const l: LoadedRef = { ref: { ...ref, path: `${ref.path} (deepspeed_config_file of ${aName})`, start: 0, end: 0 }, text, parsed, li: new LineIndex(text) };
        checkDsAgainstTrainer(ctx, l);
      }
    }
    // 3. Distributed backend: the Trainer's DeepSpeed or FSDP against A's distributed_type.
    const tFsdp = t.entry('fsdp') ?? t.entry('fsdp_config');
    const tFsdpOn = !!tFsdp && (() => { const v = sv(tFsdp.value); return tFsdp.value?.kind === 'seq' ? tFsdp.value.items!.length > 0 : tFsdp.value?.kind === 'map' ? tFsdp.value.entries!.length > 0 : typeof v === 'string' ? v.trim() !== '' : v === true; })();
    const dtE = a.entry('distributed_type');
    if (dtE && tDsSet && dt === 'FSDP') mark(p, 'launch-backend', 'warning', `${tName} runs DeepSpeed (\`deepspeed:\`) but ${aName} launches with distributed_type FSDP ${why}: TrainingArguments turns DeepSpeed on by itself, so the FSDP settings of ${aName} are not what this run uses. Use a DeepSpeed accelerate config, or drop \`deepspeed:\`.`, tDs, dtE, 'deepspeed', 'distributed_type: FSDP');
    if (dtE && tFsdpOn && !tDsSet && dt === 'DEEPSPEED') mark(p, 'launch-backend', 'warning', `${tName} asks for FSDP (\`${tFsdp!.key}\`) but ${aName} launches with distributed_type DEEPSPEED ${why}: one run cannot use both; accelerate sets up DeepSpeed and the FSDP settings are not applied.`, tFsdp, dtE, tFsdp!.key, 'distributed_type: DEEPSPEED');
    // 4. Mixed precision: TrainingArguments' explicit fp16/bf16 override A's mixed_precision.
    const mp = a.str('mixed_precision'); const mpE = a.entry('mixed_precision');
    const want = t.bool('bf16') === true || t.bool('pure_bf16') === true ? 'bf16' : t.bool('fp16') === true ? 'fp16' : undefined;
    const wE = want === 'bf16' ? (t.bool('bf16') === true ? t.entry('bf16') : t.entry('pure_bf16')) : t.entry('fp16');
    if (want && mpE && mp && mp !== want) mark(p, 'launch-precision', 'warning', `${tName} trains in ${want} (\`${wE!.key}: true\`) but ${aName} says mixed_precision: ${mp} ${why}. The training arguments win (transformers TrainingArguments sets ACCELERATE_MIXED_PRECISION=${want}), so ${aName}'s setting is not what runs. Make them agree.`, wE, mpE, `${wE!.key}: true`, `mixed_precision: ${mp}`, [{ title: `Set mixed_precision: ${want} in ${aName}`, edits: [{ ...a.replace(mpE.value!.start, mpE.value!.end, want), file: a.opts.fileName }], isPreferred: true }]);
    // 5. Number of processes: the launch command against A, and a fixed DeepSpeed train_batch_size against both.
    const np = a.num('num_processes'); const npE = a.entry('num_processes');
    if (!selfIsT && npE && np !== undefined && launch.worldSize !== undefined && launch.worldSize !== np) {
      ctx.at(npE, 'launch-num-processes', 'warning', `The launch command (${launch.worldSizeFrom ?? 'its --num_processes'}, ${launch.source}) starts ${launch.worldSize} processes: command-line arguments of accelerate launch override num_processes: ${np} here.`, { at: 'entry' });
    }
    const world = launch.worldSize ?? np;
    if (world && b && tDsSet) {
      for (const ref of refsFor(t.def.id)?.(t) ?? []) {
        if (ref.kind !== 'deepspeed') continue;
        const text = ctx.opts.lookup?.(ref.resolved);
        const ds = text === undefined ? undefined : parseJson(text).root;
        const tbsE = getEntry(ds, 'train_batch_size');
        const tbs = sv(tbsE?.value);
        if (typeof tbs !== 'number' || tbs === b.perGpu * world) continue;
        const from = launch.worldSize !== undefined ? (launch.worldSizeFrom ?? 'the launch command') : `num_processes: ${np} in ${aName}`;
        const msg = `DeepSpeed train_batch_size is ${tbs} in ${ref.path}, but this launch runs ${world} processes (${from}) × ${b.microKey} ${b.micro} × gradient_accumulation_steps ${b.gas} = ${b.perGpu * world} ${why}. DeepSpeed asserts train_batch_size = micro batch × gradient_accumulation_steps × world size and stops at start-up. Set it to "auto".`;
        mark(p, 'launch-world-size', 'error', msg, t.entry('deepspeed'), launch.worldSize !== undefined ? undefined : npE, `deepspeed: ${ref.path}`, from);
      }
    }
  }
}

// ---------------------------------------------------------------- FSDP layer class vs the model's architecture


/** transformers-layer-classes.json (scripts/gen-layer-classes.py): per model_type, `_no_split_modules` and its Layer/Block classes. */
interface LayerTable { releases: { release: string; commit: string }[]; models: Record<string, { noSplit: string[]; classes: string[]; file: string }> }
const LAYERS = layerTable as unknown as LayerTable;

/** The model a training config loads (HF/TRL `model_name_or_path`, Axolotl `base_model_config` or `base_model`, LLaMA-Factory `model_name_or_path`). */
function modelOf(t: RuleContext): { name: string; revision?: string } | undefined {
  const keys = t.def.id === 'axolotl' ? ['base_model_config', 'base_model'] : ['model_name_or_path'];
  for (const k of keys) {
    const v = t.str(k);
    if (v && v.trim() && !v.includes('${')) return { name: v.trim(), revision: t.str(t.def.id === 'axolotl' ? 'revision_of_model' : 'model_revision') };
  }
  return undefined;
}

/**
 * Where a model's config.json can be, in the order transformers looks (`PretrainedConfig.get_config_dict`: a local
 * folder first, then the hub, here only its local cache `<cache>/models--org--name/refs/<revision>` ->
 * `snapshots/<commit>/config.json`; never the network). The snapshot path needs refs/<revision>, read first.
 */
function modelConfigPaths(ctx: RuleContext, m: { name: string; revision?: string }): string[] {
  const out: string[] = [];
  const { name } = m;
  if (name.startsWith('~/') && ctx.opts.home) out.push(`${ctx.opts.home.replace(/\/+$/, '')}/${name.slice(2)}/config.json`);
  else if (!name.startsWith('~')) {
    for (const base of [ctx.opts.launchDir ?? ctx.baseDir, ...(ctx.opts.referenceRoots ?? [])]) {
      const p = `${resolvePath(base, name).replace(/\/+$/, '')}/config.json`;
      if (!out.includes(p)) out.push(p);
    }
  }
  const hub = ctx.opts.hfHubCache;
  if (hub && /^[\w.-]+(\/[\w.-]+)?$/.test(name)) {
    const repo = `${hub.replace(/\/+$/, '')}/models--${name.replace(/\//g, '--')}`;
    const rev = m.revision ?? 'main';
    if (/^[0-9a-f]{40}$/.test(rev)) out.push(`${repo}/snapshots/${rev}/config.json`);
    else {
      out.push(`${repo}/refs/${rev}`);
      const commit = ctx.opts.lookup?.(`${repo}/refs/${rev}`)?.trim();
      if (commit && /^[0-9a-f]{40}$/.test(commit)) out.push(`${repo}/snapshots/${commit}/config.json`);
    }
  }
  return out;
}

/** The first config.json found (read before the rules ran), parsed. */
function modelConfig(ctx: RuleContext, m: { name: string; revision?: string }): { path: string; root: CNode; text: string } | undefined {
  for (const p of modelConfigPaths(ctx, m)) {
    if (!p.endsWith('/config.json')) continue;
    const text = ctx.opts.lookup?.(p);
    if (text === undefined) continue;
    const parsed = parseJson(text);
    if (parsed.root?.kind === 'map') return { path: p, root: parsed.root, text };
  }
  return undefined;
}

/** The training config whose model an FSDP setting in `ctx` applies to: itself, or the launch's training config. */
function modelHolder(ctx: RuleContext): RuleContext | undefined {
  if (ctx.def.id !== 'accelerate') return ctx;
  return launchPeers(ctx)[0]?.ctx;
}

/** Touches the model's config.json candidates (see crossAsks). */
export function modelAsks(ctx: RuleContext): void {
  if (!wrapEntries(ctx).length) return;
  const h = modelHolder(ctx);
  const m = h ? modelOf(h) : undefined;
  if (m) for (const p of modelConfigPaths(ctx, m)) ctx.opts.lookup?.(p);
}

/** Where a `transformer_layer_cls_to_wrap` is written: in this file, or in the FSDP config JSON it names (HF `fsdp_config: x.json`). */
interface WrapSetting { e: CEntry; json?: { path: string; text: string; li: LineIndex; refStart: number; refEnd: number } }

/** The `transformer_layer_cls_to_wrap` settings that FSDP's transformer-based wrap policy reads for this config. */
function wrapEntries(ctx: RuleContext): WrapSetting[] {
  const out: WrapSetting[] = [];
  const f = ctx.entry('fsdp_config');
  const fm = f?.value?.kind === 'map' ? f.value : undefined;
  const sizeBased = (m: CNode | undefined) => { const v = sv(getEntry(m, 'min_num_params')?.value); return typeof v === 'number' && v > 0; };
  if (ctx.def.id === 'accelerate') {
    const pol = sv(getEntry(fm, 'fsdp_auto_wrap_policy')?.value);
    if (pol === 'SIZE_BASED_WRAP' || pol === 'NO_WRAP') return [];
  } else if (sizeBased(fm)) return [];
  const keys = ['fsdp_transformer_layer_cls_to_wrap', 'transformer_layer_cls_to_wrap'];
  for (const k of keys) { const e = getEntry(fm, k); if (e?.value) out.push({ e }); }
  const top = ctx.def.id === 'hf-trainer' ? ctx.entry('fsdp_transformer_layer_cls_to_wrap') : undefined;
  if (top?.value) out.push({ e: top });
  // HF TrainingArguments reads `fsdp_config` given as a path as JSON (training_args.py __post_init__).
  if (f?.value?.kind === 'scalar' && (ctx.def.id === 'hf-trainer' || ctx.def.id === 'llamafactory')) {
    for (const ref of refsFor(ctx.def.id)?.(ctx) ?? []) {
      if (ref.kind !== 'fsdp') continue;
      const text = ctx.opts.lookup?.(ref.resolved);
      const root = text === undefined ? undefined : parseJson(text).root;
      if (!text || root?.kind !== 'map' || sizeBased(root)) continue;
      for (const k of keys) { const e = getEntry(root, k); if (e?.value) out.push({ e, json: { path: ref.resolved, text, li: new LineIndex(text), refStart: ref.start, refEnd: ref.end } }); }
    }
  }
  return out;
}

/**
 * FSDP `transformer_layer_cls_to_wrap` against the model's architecture (issue 15): the model's config.json (a local
 * folder or the local hub cache) gives its `model_type` (and those of nested `*_config`s); a name ending in Layer or
 * Block that no such model defines is an error, as accelerate's `FullyShardedDataParallelPlugin.set_auto_wrap_policy`
 * (utils/dataclasses.py) and transformers' Trainer raise "Could not find the transformer layer class ... in the model"
 * at start-up. The fix names the model's `_no_split_modules`, transformers' own default for the setting. Skipped for
 * remote-code models (`auto_map`), model types outside the table and names that are not layer-like.
 */
export function fsdpLayerClass(ctx: RuleContext): void {
  const entries = wrapEntries(ctx);
  if (!entries.length) return;
  const h = modelHolder(ctx);
  const m = h ? modelOf(h) : undefined;
  const cfg = m ? modelConfig(ctx, m) : undefined;
  if (!m || !cfg || getEntry(cfg.root, 'auto_map')) return;
  const types: { type: string; e: CEntry }[] = [];
  const collect = (n: CNode | null, depth: number) => {
    if (!n || n.kind !== 'map' || depth > 3) return;
    for (const e of n.entries!) {
      if (e.key === 'model_type' && typeof sv(e.value) === 'string') types.push({ type: String(sv(e.value)), e });
      else if (e.value?.kind === 'map' && /_config$/.test(e.key)) collect(e.value, depth + 1);
    }
  };
  collect(cfg.root, 0);
  if (!types.length || types.some((x) => !LAYERS.models[x.type])) return;
  const accepted = new Set(types.flatMap((x) => [...LAYERS.models[x.type].classes, ...LAYERS.models[x.type].noSplit]));
  const root = types[0];
  const noSplit = types.flatMap((x) => LAYERS.models[x.type].noSplit);
  if (!accepted.size) return;
  const arch = (() => { const a = getEntry(cfg.root, 'architectures')?.value; const first = a?.kind === 'seq' ? sv(a.items![0]) : undefined; return typeof first === 'string' ? first : root.type; })();
  const suggestion = noSplit.find((c) => /DecoderLayer$/.test(c)) ?? noSplit.find((c) => /(Layer|Block)$/.test(c));
  const cli = new LineIndex(cfg.text);
  const related: RelatedLocation[] = [{ file: cfg.path, range: cli.range(root.e.value!.start, root.e.value!.end), message: `model_type ${root.type}` }];
  const judge = (w: WrapSetting, name: string, start: number, end: number, whole: boolean) => {
    const n = name.trim();
    if (!/(Layer|Block)$/.test(n) || accepted.has(n)) return;
    // In this file: a fix in place (keeping its quoting); in the FSDP JSON: reported at the reference, fixed in the JSON.
    const newText = !whole ? suggestion : w.json ? JSON.stringify(suggestion) : undefined;
    const edit = !suggestion ? undefined : w.json ? { file: w.json.path, range: w.json.li.range(start, end), newText: newText! } : newText ? ctx.replace(start, end, newText) : ctx.replaceWord(start, end, suggestion);
    const fixes: Fix[] = edit ? [{ title: `Use ${suggestion}`, edits: [edit], isPreferred: true }] : [];
    const where = w.json ? ` (in ${w.json.path.replace(/^.*[\\/]/, '')})` : '';
    const rel = w.json ? [{ file: w.json.path, range: w.json.li.range(start, end), message: n }, ...related] : related;
    const [s0, e0] = w.json ? [w.json.refStart, w.json.refEnd] : [start, end];
    ctx.add('fsdp-layer-class', 'error', `${m.name} is a ${arch} (model_type ${types.map((x) => x.type).join(' + ')}, ${cfg.path}), which has no layer class \`${n}\`${where}: FSDP's transformer-based wrap finds no such module and accelerate raises "Could not find the transformer layer class ${n} in the model." at start-up.${suggestion ? ` Its decoder layer is \`${suggestion}\` (its _no_split_modules${noSplit.length > 1 ? `: ${noSplit.join(', ')}` : ''}, ${LAYERS.models[root.type].file}).` : ''}`, s0, e0, { related: rel, fixes });
  };
  for (const w of entries) {
    const v = w.e.value!;
    const text = w.json ? w.json.text : ctx.text;
    if (v.kind === 'seq') { for (const it of v.items!) if (typeof sv(it) === 'string') judge(w, String(sv(it)), it.start, it.end, true); continue; }
    const s = sv(v);
    if (typeof s !== 'string') continue;
    if (!s.includes(',')) { judge(w, s, v.start, v.end, true); continue; }
    // accelerate splits a comma-separated string: judge each name at its own place in the value.
    const raw = text.slice(v.start, v.end);
    let off = 0;
    for (const part of s.split(',')) {
      const at = raw.indexOf(part, off);
      const lead = part.length - part.trimStart().length;
      if (at >= 0) { judge(w, part, v.start + at + lead, v.start + at + lead + part.trim().length, false); off = at + part.length; }
    }
  }
}

// ---------------------------------------------------------------- DeepSpeed scheduler step counts vs the Trainer

/** Local dataset files of a training config (through the dataset core's `datasetsInConfig`), resolved like references. */
function localDatasetFiles(ctx: RuleContext): string[] {
  const s = datasetsInConfig(ctx.text, ctx.opts.fileName);
  if (!s) return [];
  const out: string[] = [];
  for (const d of s.datasets) {
    for (const n of d.dataFiles?.length ? d.dataFiles : [d.name]) {
      if (!/\.(jsonl|json)$/i.test(n) || n.includes('${')) continue;
      const p = n.startsWith('/') ? n : resolvePath(ctx.opts.launchDir ?? ctx.baseDir, n);
      if (!out.includes(p)) out.push(p);
    }
  }
  return out;
}

/** Rows of a JSONL file (non-empty lines) or a JSON array; undefined when the text is neither. */
function rowCount(path: string, text: string): number | undefined {
  if (/\.jsonl$/i.test(path)) { let n = 0; for (const line of text.split('\n')) if (line.trim()) n++; return n; }
  try { const v = JSON.parse(text) as unknown; return Array.isArray(v) ? v.length : undefined; } catch { return undefined; }
}

/** Touches the local dataset files whose rows give the Trainer's step count (see crossAsks). */
export function datasetAsks(ctx: RuleContext): void {
  if (!TRAINING.includes(ctx.def.id) || (ctx.num('max_steps') ?? -1) > 0) return;
  // Only when a DeepSpeed JSON read in an earlier round hard-codes total_num_steps (datasets can be megabytes).
  const jsons: CNode[] = [];
  const inline = ctx.entry('deepspeed')?.value;
  if (inline?.kind === 'map') jsons.push(inline);
  const refs = [...(refsFor(ctx.def.id)?.(ctx) ?? []), ...launchPeers(ctx).flatMap((p) => refsFor(p.fw)?.(p.ctx) ?? [])];
  for (const r of refs) {
    if (r.kind !== 'deepspeed') continue;
    const t = ctx.opts.lookup?.(r.resolved);
    const root = t === undefined ? undefined : parseJson(t).root;
    if (root) jsons.push(root);
  }
  if (!jsons.some((j) => typeof sv(getEntry(getEntry(getEntry(j, 'scheduler')?.value, 'params')?.value, 'total_num_steps')?.value) === 'number')) return;
  for (const p of localDatasetFiles(ctx)) ctx.opts.lookup?.(p);
}

/**
 * The optimizer steps the HF Trainer will run (`num_training_steps` of trainer.py `set_initial_training_values`):
 * `max_steps` when > 0 (exact); else epochs × ceil(ceil(ceil(rows / world) / micro) / accumulation) from the rows of
 * the local dataset files (exact only when no packing or length filtering changes the row count, so `exact: false`).
 */
function trainerSteps(ctx: RuleContext, world: number | undefined): { steps: number; exact: boolean; how: string } | undefined {
  const ms = ctx.num('max_steps');
  if (ms !== undefined && ms > 0) return { steps: ms, exact: true, how: `max_steps: ${ms}` };
  const b = batchOf(ctx);
  if (!b) return undefined;
  let rows = 0; const used: string[] = [];
  for (const p of localDatasetFiles(ctx)) {
    const t = ctx.opts.lookup?.(p);
    const n = t === undefined ? undefined : rowCount(p, t);
    if (n === undefined) return undefined;
    rows += n; used.push(p.replace(/^.*[\\/]/, ''));
  }
  if (!used.length) return undefined;
  const ax = ctx.def.id === 'axolotl';
  const epochs = ctx.num(ax ? 'num_epochs' : 'num_train_epochs') ?? (ax ? 1 : 3);
  const w = world ?? 1;
  const perEpoch = Math.max(1, Math.ceil(Math.ceil(Math.ceil(rows / w) / Math.max(1, b.micro)) / Math.max(1, b.gas)));
  const steps = Math.ceil(epochs * perEpoch);
  return { steps, exact: false, how: `${rows} rows in ${used.join(', ')} on ${w} process${w > 1 ? 'es' : ''}${world === undefined ? ' (the launch does not say how many)' : ''} / ${b.microKey} ${b.micro} / gradient_accumulation_steps ${b.gas} = ${perEpoch} steps per epoch × ${epochs} epochs` };
}

/**
 * DeepSpeed `scheduler.params.total_num_steps` / `warmup_num_steps` hard-coded where the HF Trainer computes them:
 * transformers integrations/deepspeed.py `trainer_config_finalize` fill_match-es them with `num_training_steps
 * (calculated)` and `args.get_warmup_steps(num_training_steps)` (warmup_steps, else ceil(steps × warmup_ratio)) and
 * raises "Please correct the following DeepSpeed config values that mismatch TrainingArguments values" on a
 * difference. An error where the Trainer's number is known exactly (`max_steps`, or `warmup_steps` > 0), else a
 * warning that shows the number the dataset rows imply; the quick fix writes "auto". Called per DeepSpeed JSON by
 * `checkDsAgainstTrainer` (rules.ts).
 */
export function dsScheduleSteps(ctx: RuleContext, l: LoadedRef): void {
  if (!TRAINING.includes(ctx.def.id)) return;
  const sched = getEntry(l.parsed.root, 'scheduler');
  const params = getEntry(sched?.value, 'params')?.value;
  if (!params) return;
  const world = ctx.opts.launch?.worldSize ?? launchPeers(ctx).map((p) => p.ctx.num('num_processes')).find((n) => n !== undefined);
  const total = trainerSteps(ctx, world);
  const auto = (e: CEntry): Fix => ({ title: `Set ${e.key} to "auto" in ${l.ref.path}`, edits: [{ file: l.ref.resolved, range: l.li.range(e.value!.start, e.value!.end), newText: '"auto"' }], isPreferred: true });
  const at = (): [number, number] => [l.ref.start, l.ref.end];
  const totE = getEntry(params, 'total_num_steps');
  const tot = sv(totE?.value);
  if (totE && typeof tot === 'number') {
    const differs = total ? total.steps !== tot : true;
    if (differs) {
      const sev: Severity = total?.exact ? 'error' : 'warning';
      const msg = `DeepSpeed scheduler.params.total_num_steps is hard-coded to ${tot} in ${l.ref.path}; the HF Trainer computes the step count itself${total ? ` (${total.steps}: ${total.how})` : ' from the dataset size, epochs, batch size and number of GPUs'} and refuses to start when they differ ("ds scheduler.params.total_num_steps=${tot} vs hf num_training_steps (calculated)=${total ? total.steps : '…'}"). Set it to "auto".`;
      ctx.add('ds-scheduler-steps', sev, msg, ...at(), { related: [{ file: l.ref.resolved, range: l.li.range(totE.value!.start, totE.value!.end), message: `total_num_steps ${tot}` }], fixes: [auto(totE)] });
    }
  }
  const wE = getEntry(params, 'warmup_num_steps');
  const wv = sv(wE?.value);
  if (wE && typeof wv === 'number') {
    const ws = ctx.num('warmup_steps') ?? 0; const wr = ctx.num('warmup_ratio') ?? 0;
    const known = ws >= 1 ? { n: ws, how: `warmup_steps: ${ws}` } : wr > 0 && total?.exact ? { n: Math.ceil(total.steps * wr), how: `warmup_ratio ${wr} × ${total.steps} steps` } : wr === 0 && ws === 0 ? { n: 0, how: 'no warmup_steps or warmup_ratio set' } : undefined;
    if (!known || known.n !== wv) {
      const hfE = ctx.entry('warmup_steps') ?? ctx.entry('warmup_ratio');
      const msg = `DeepSpeed scheduler.params.warmup_num_steps is hard-coded to ${wv} in ${l.ref.path}, but the HF Trainer computes ${known ? `${known.n} (${known.how})` : 'it from warmup_ratio and the step count'} and refuses to start when they differ ("ds scheduler.params.warmup_num_steps=${wv} vs hf warmup_steps=…"). Set it to "auto" (and the warmup in the training config).`;
      const [s, e] = hfE ? [hfE.keyStart, hfE.value ? hfE.value.end : hfE.keyEnd] : at();
      ctx.add('ds-scheduler-steps', known ? 'error' : 'warning', msg, s, e, { related: [{ file: l.ref.resolved, range: l.li.range(wE.value!.start, wE.value!.end), message: `warmup_num_steps ${wv}` }], fixes: [auto(wE)] });
    }
  }
}
