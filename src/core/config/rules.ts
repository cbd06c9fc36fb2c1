/**
 * Cross-field and cross-file rules per framework. Every rule names the framework code it mirrors; messages say
 * what will happen at run time and what to do. Rules read values the way the framework's loader produces them.
 */
import type { Framework, Fix, RelatedLocation } from './types';
import type { ConfigRef, RuleContext } from './engine';
import { dirname, resolvePath } from './engine';
import type { CEntry, CNode, ParsedConfig } from './tree';
import { getEntry, getPath, parseJson } from './tree';
import { LineIndex } from './lineIndex';
import type { TrlClassGuess } from './trlDefaults';
import { anyTrlOverrides, compareVersions, guessTrlClass, trlDefault } from './trlDefaults';
import { historyKeys, keyVersionRule, peftKeyRule, trlClassKeyRule } from './keyHistory';
import { alignmentHandbook, hfRenamed, trainingArguments, trlConfigs, trlScript } from './schemas/hf';
import { torchtuneComponentArgs } from './components';
import { KEY_TABLES, flattenClass } from './tables';
import { crossLaunch, dsScheduleSteps, fsdpLayerClass } from './rulesCross';
import { missingDatasets } from './datasetRefs';
import { laxFromString } from './pydanticLax';

type Rule = (ctx: RuleContext) => void;

// ---------------------------------------------------------------- references

/**
 * Candidate locations of a relative reference: the config's folder, then each folder above it. Frameworks open the
 * path relative to the directory training is launched from, which is usually the repository root above the config
 * (axolotl `deepspeed: deepspeed_configs/zero2.json`, LLaMA-Factory `examples/deepspeed/ds_z3_config.json`).
 */
export function candidates(baseDir: string, p: string, home?: string, roots?: string[]): string[] {
  if (p === '~' || p.startsWith('~/')) return home ? [resolvePath('', `${home.replace(/\/+$/, '')}${p.slice(1)}`)] : [p];
  const first = resolvePath(baseDir, p);
  if (first === p && /^([a-zA-Z]:[\\/]|[\\/]|~)/.test(p)) return [p];
  const out = [first];
  if (roots) { for (const r of roots) { const c = resolvePath(r, p); if (!out.includes(c)) out.push(c); } return out; }
  let dir = baseDir;
  for (let i = 0; i < 8 && dir; i++) {
    const up = dirname(dir);
    if (up === dir) break;
    dir = up;
    out.push(resolvePath(dir, p));
  }
  return out;
}

function scalarRef(ctx: RuleContext, path: string[], kind: ConfigRef['kind']): ConfigRef[] {
  const e = ctx.entry(...path);
  if (!e?.value || e.value.kind !== 'scalar' || typeof e.value.value !== 'string' || !e.value.value.trim()) return [];
  const p = e.value.value.trim();
  if (p.includes('${')) return [];
  let resolved = resolvePath(ctx.baseDir, p);
  const read = ctx.opts.lookup;
  if (read) {
    const launch = ctx.opts.launchDir;
    const fromLaunch = launch !== undefined && !/^([a-zA-Z]:[\\/]|[\\/]|~)/.test(p);
    // A known launch directory is where the framework opens it: a copy next to the config does not count.
    if (fromLaunch) resolved = resolvePath(launch, p);
    const tries = fromLaunch ? [resolved] : candidates(ctx.baseDir, p, ctx.opts.home, ctx.opts.referenceRoots);
    for (const c of tries) {
      if (read(c) !== undefined) { resolved = c; break; }
    }
  }
  return [{ key: path[path.length - 1], path: p, resolved, start: e.value.start, end: e.value.end, kind }];
}

/** Files a config names: `deepspeed:` (HF TrainingArguments.deepspeed, axolotl, LLaMA-Factory) or accelerate's deepspeed_config_file. */
export function refsFor(fw: Framework): ((ctx: RuleContext) => ConfigRef[]) | undefined {
  if (fw === 'hf-trainer' || fw === 'llamafactory') return (ctx) => [...scalarRef(ctx, ['deepspeed'], 'deepspeed'), ...scalarRef(ctx, ['fsdp_config'], 'fsdp'), ...scalarRef(ctx, ['accelerator_config'], 'accelerate')];
  if (fw === 'axolotl') return (ctx) => scalarRef(ctx, ['deepspeed'], 'deepspeed');
  if (fw === 'accelerate') return (ctx) => scalarRef(ctx, ['deepspeed_config', 'deepspeed_config_file'], 'deepspeed');
  return undefined;
}

/** A referenced file, read and parsed (JSON), with its line index for ranges in that file. */
export interface LoadedRef { ref: ConfigRef; text: string; parsed: ParsedConfig; li: LineIndex }

/** Reads and parses a referenced DeepSpeed JSON; reports a missing or broken file at the reference. */
export function loadDsRef(ctx: RuleContext, ref: ConfigRef): LoadedRef | undefined {
  const read = ctx.opts.lookup;
  if (!read) return undefined;
  const text = read(ref.resolved);
  if (text === undefined) {
    const rel = !/^([a-zA-Z]:[\\/]|[\\/]|~)/.test(ref.path);
    const what = ref.kind === 'deepspeed' ? 'DeepSpeed config' : ref.kind === 'fsdp' ? 'FSDP config JSON' : 'Accelerator config JSON';
    // Issue 15: a relative path is opened from the launch directory. Known (a task, a run, Launch Run): a miss is an
    // error there. Unknown: we looked from the config's folder upwards; a miss is a warning saying where we looked.
    const launch = ctx.opts.launchDir;
    if (!rel) ctx.add('missing-reference', 'error', `${what} not found: ${ref.resolved}. Training stops at start-up when it opens this file.`, ref.start, ref.end);
    else if (launch !== undefined) ctx.add('missing-reference', 'error', `${what} not found: ${ref.path} is not in the launch directory ${launch || '.'} (${resolvePath(launch, ref.path)})${ctx.opts.launchDirSource ? ` (the launch directory given by ${ctx.opts.launchDirSource})` : ''}. Training stops at start-up when it opens this file.`, ref.start, ref.end);
    else {
      const looked = candidates(ctx.baseDir, ref.path);
      ctx.add('missing-reference', 'warning', `${what} ${ref.path} not found from the config's folder or the folders above it (looked at ${looked.slice(0, 3).join(', ')}${looked.length > 3 ? `, … ${looked.length} places` : ''}). Relative paths are opened from the directory you launch in, which is not known here: training stops at start-up if it is missing there.`, ref.start, ref.end);
    }
    return undefined;
  }
  const parsed = parseJson(text);
  const li = new LineIndex(text);
  const err = parsed.problems.find((p) => p.severity === 'error');
  if (err || !parsed.root || parsed.root.kind !== 'map') {
    ctx.add('reference-invalid', 'error', `The ${ref.kind === 'deepspeed' ? 'DeepSpeed config' : ref.key} file ${ref.path} is not valid JSON${err ? `: ${err.message}` : ''}.`, ref.start, ref.end, {
      related: err ? [{ file: ref.resolved, range: li.range(err.start, err.end), message: err.message }] : [],
    });
    return undefined;
  }
  return { ref, text, parsed, li };
}

export function relatedAt(l: LoadedRef, e: CEntry, message: string, at: 'key' | 'value' = 'value'): RelatedLocation {
  const [s, en] = at === 'value' && e.value ? [e.value.start, e.value.end] : [e.keyStart, e.keyEnd];
  return { file: l.ref.resolved, range: l.li.range(s, en), message };
}

export function fixInOther(l: LoadedRef, e: CEntry, newText: string, title: string): Fix {
  const v = e.value!;
  return { title, edits: [{ file: l.ref.resolved, range: l.li.range(v.start, v.end), newText }], isPreferred: true };
}

const isAuto = (n: CNode | null | undefined): boolean => n?.kind === 'scalar' && n.value === 'auto';
const numOf = (n: CNode | null | undefined): number | undefined => (n?.kind === 'scalar' && typeof n.value === 'number' ? n.value : undefined);
const boolOf = (n: CNode | null | undefined): boolean | undefined => (n?.kind === 'scalar' && typeof n.value === 'boolean' ? n.value : undefined);
const truthy = (v: unknown): boolean => !(v === undefined || v === null || v === false || v === 0 || v === '' || (Array.isArray(v) && v.length === 0));

/** Names under which a training framework passes each TrainingArguments value, with HF defaults. */
interface TrainerView {
  micro: { key: string; value: number | undefined; entry?: CEntry };
  gas: { key: string; value: number | undefined; entry?: CEntry };
  /** `whose`: the class whose default applies when unset; `unsure`: that default depends on a TRL class not known here. */
  lr?: { key: string; value: number | undefined; entry?: CEntry; whose?: string; unsure?: boolean };
  clip: { key: string; value: number; entry?: CEntry };
  beta1: number; beta2: number; eps: number; wd: { key: string; value: number; entry?: CEntry };
  fp16: { value: boolean | undefined; entry?: CEntry };
  bf16: { value: boolean | undefined; entry?: CEntry; whose?: string; unsure?: boolean };
  optimExplicit?: CEntry;
  /** The TRL config class guessed for an HF/TRL YAML (its defaults are used), when keys or file name say it. */
  trl?: TrlClassGuess;
}

/**
 * The default an HF/TRL YAML gets for a TrainingArguments key it does not set. Issue 15: TRL's config classes
 * override some TrainingArguments defaults (tables/trl-defaults.json, per release), so with a known class (and
 * TRL version, `opts.versions.trl`) that class's default is used; with an unknown class, a key that some TRL class
 * overrides keeps TrainingArguments' default but is marked `unsure` (reported as a warning, not an error).
 */
function hfDefault(ctx: RuleContext, trl: TrlClassGuess | undefined, key: string, ta: unknown, fp16: boolean): { value: unknown; whose: string; unsure: boolean } {
  if (ctx.def.id !== 'hf-trainer') return { value: ta, whose: 'TrainingArguments', unsure: false };
  if (trl) {
    const d = trlDefault(trl.cls, key, ta, ctx.opts.versions?.trl, fp16);
    return d.known ? { value: d.value, whose: `${d.whose}; class from ${trl.reason}`, unsure: false } : { value: undefined, whose: d.whose, unsure: true };
  }
  if (anyTrlOverrides(key)) return { value: ta, whose: 'TrainingArguments (a TRL config class such as SFTConfig or DPOConfig has another default; which class parses this file is not known)', unsure: true };
  return { value: ta, whose: 'TrainingArguments', unsure: false };
}

function trainerView(ctx: RuleContext): TrainerView {
  const ax = ctx.def.id === 'axolotl';
  const mk = (key: string, def?: number) => ({ key, value: ctx.num(key) ?? def, entry: ctx.entry(key) });
  const b = (key: string) => { const v = ctx.scalar(key); return { value: typeof v === 'boolean' ? v : v === 'auto' ? undefined : v === null || v === undefined ? false : undefined, entry: ctx.entry(key) }; };
  const trl = ctx.def.id === 'hf-trainer' ? guessTrlClass(new Set(ctx.root?.kind === 'map' ? ctx.root.entries!.map((e) => e.key) : []), ctx.opts.fileName) : undefined;
  const fp16 = b('fp16');
  const lrSet = ctx.num('learning_rate');
  const lrD = lrSet === undefined && !ax ? hfDefault(ctx, trl, 'learning_rate', 5e-5, fp16.value === true) : undefined;
  const bf16 = b('bf16');
  const bfD = ctx.scalar('bf16') === undefined || ctx.scalar('bf16') === null ? hfDefault(ctx, trl, 'bf16', false, fp16.value === true) : undefined;
  // Defaults: transformers TrainingArguments (per_device_train_batch_size=8, gradient_accumulation_steps=1,
  // learning_rate=5e-5, max_grad_norm=1.0, adam 0.9/0.999/1e-8, weight_decay=0); axolotl micro_batch_size=1.
  return {
    micro: ax ? mk('micro_batch_size', 1) : mk('per_device_train_batch_size', 8),
    gas: mk('gradient_accumulation_steps', 1),
    lr: { ...mk('learning_rate', ax ? undefined : lrD ? (lrD.value as number | undefined) : 5e-5), whose: lrD?.whose, unsure: lrD?.unsure },
    clip: { key: 'max_grad_norm', value: ctx.num('max_grad_norm') ?? 1.0, entry: ctx.entry('max_grad_norm') },
    beta1: ctx.num('adam_beta1') ?? 0.9, beta2: ctx.num('adam_beta2') ?? 0.999, eps: ctx.num('adam_epsilon') ?? 1e-8,
    wd: { key: 'weight_decay', value: ctx.num('weight_decay') ?? 0, entry: ctx.entry('weight_decay') },
    fp16, bf16: bfD ? { value: typeof bfD.value === 'boolean' ? bfD.value : undefined, entry: bf16.entry, whose: bfD.whose, unsure: bfD.unsure } : bf16,
    optimExplicit: ctx.entry(ax ? 'optimizer' : 'optim'),
    trl,
  };
}

/**
 * Training YAML + DeepSpeed JSON, as the HF Trainer integration checks them: every DeepSpeed value that is not
 * "auto" must equal the TrainingArguments value, else `HfTrainerDeepSpeedConfig.trainer_config_finalize` raises
 * "Please correct the following DeepSpeed config values that mismatch TrainingArguments values".
 * Source: transformers/integrations/deepspeed.py (`trainer_config_process`, `fill_match`); DeepSpeed
 * runtime/config.py (`_batch_assertion`: train_batch_size == micro × GAS × world_size).
 */
function crossDeepSpeed(ctx: RuleContext): void {
  const inline = ctx.entry('deepspeed');
  const loaded: (LoadedRef | undefined)[] = [];
  if (inline?.value?.kind === 'map') {
    // `deepspeed:` given inline as a mapping: the same checks, both places in this file.
    loaded.push({ ref: { key: 'deepspeed', path: 'the inline deepspeed mapping', resolved: ctx.opts.fileName, start: inline.keyStart, end: inline.keyEnd, kind: 'deepspeed' }, text: ctx.text, parsed: { syntax: ctx.parsed.syntax, root: inline.value, problems: [] }, li: ctx.li });
  }
  for (const ref of refsFor(ctx.def.id)?.(ctx) ?? []) {
    if (ref.kind !== 'deepspeed') { loadDsRef(ctx, ref); continue; } // fsdp_config / accelerator_config JSON: must exist and parse
    loaded.push(loadDsRef(ctx, ref));
  }
  for (const l of loaded) if (l) checkDsAgainstTrainer(ctx, l);
}

/**
 * One DeepSpeed JSON against the training config's values (see crossDeepSpeed): also used for the JSON an Accelerate
 * config of the same launch names (rulesCross.ts).
 */
export function checkDsAgainstTrainer(ctx: RuleContext, l: LoadedRef): void {
  dsScheduleSteps(ctx, l);
  {
    const ref = l.ref;
    const ds = l.parsed.root!;
    const tv = trainerView(ctx);
    const mismatch = (dsPath: string[], hfKey: string, hfValue: unknown, hfEntry: CEntry | undefined, fmt: (v: unknown) => string = String, dflt?: { whose?: string; unsure?: boolean }) => {
      const e = getPath(ds, dsPath);
      if (!e || !e.value || isAuto(e.value)) return;
      const dv = e.value.kind === 'scalar' ? e.value.value : undefined;
      const eq = Array.isArray(hfValue) ? e.value.kind === 'seq' && e.value.items!.every((it, i) => it.value === (hfValue as unknown[])[i]) : dv === hfValue || (typeof dv === 'number' && typeof hfValue === 'number' && Math.abs(dv - hfValue) <= 1e-12 * Math.max(1, Math.abs(hfValue)));
      if (eq || hfValue === undefined) return;
      const dsText = e.value.kind === 'scalar' ? String(dv) : l.text.slice(e.value.start, e.value.end);
      // A number or boolean written as a JSON string ("8"): fill_match compares "8" != 8 and refuses, and a message
      // saying "8 vs 8" would be a riddle. Issue 15: say the JSON holds a string.
      const quoted = typeof dv === 'string' && (typeof hfValue === 'number' ? dv.trim() !== '' && Number(dv) === hfValue : typeof hfValue === 'boolean' && dv === String(hfValue));
      if (quoted) {
        const at = hfEntry ? `\`${hfKey}\` is ${fmt(hfValue)}` : `\`${hfKey}\` defaults to ${fmt(hfValue)}`;
        const msg = `DeepSpeed \`${dsPath.join('.')}\` holds the string "${dv}" in ${ref.path} (quoted), not the ${typeof hfValue} ${fmt(hfValue)}; ${at}, and the HF Trainer compares the two as they are and refuses to start ("DeepSpeed config values that mismatch TrainingArguments"). Remove the quotes, or use "auto".`;
        const s0 = hfEntry ? (hfEntry.value ? hfEntry.value.start : hfEntry.keyStart) : ref.start;
        const e0 = hfEntry ? (hfEntry.value ? hfEntry.value.end : hfEntry.keyEnd) : ref.end;
        ctx.add('ds-quoted-number', 'error', msg, s0, e0, { related: [relatedAt(l, e, `the string "${dv}"`)], fixes: [fixInOther(l, e, String(dv), `Write ${dsPath.join('.')} as ${dv} (no quotes) in ${ref.path}`)] });
        return;
      }
      const where = hfEntry ? `\`${hfKey}\` is ${fmt(hfValue)}` : `\`${hfKey}\` is not set here, so the Trainer uses its default ${fmt(hfValue)}${dflt?.whose && dflt.whose !== 'TrainingArguments' ? ` from ${dflt.whose}` : ''}`;
      const unsure = !hfEntry && dflt?.unsure;
      const msg = `DeepSpeed \`${dsPath.join('.')}\` is ${dsText} in ${ref.path}, but ${where}. The HF Trainer refuses to start ("DeepSpeed config values that mismatch TrainingArguments")${unsure ? ' if that default applies' : ''}. Set it to "auto" in the JSON so the Trainer fills it in.`;
      const s = hfEntry ? (hfEntry.value ? hfEntry.value.start : hfEntry.keyStart) : ref.start;
      const en = hfEntry ? (hfEntry.value ? hfEntry.value.end : hfEntry.keyEnd) : ref.end;
      ctx.add('ds-mismatch', unsure ? 'warning' : 'error', msg, s, en, { related: [relatedAt(l, e, `DeepSpeed value ${dsText}`)], fixes: [fixInOther(l, e, '"auto"', `Set ${dsPath.join('.')} to "auto" in ${ref.path}`)] });
    };
    mismatch(['train_micro_batch_size_per_gpu'], tv.micro.key, tv.micro.value, tv.micro.entry);
    mismatch(['gradient_accumulation_steps'], tv.gas.key, tv.gas.value, tv.gas.entry);
    mismatch(['gradient_clipping'], tv.clip.key, tv.clip.value, tv.clip.entry);
    if (tv.lr) {
      mismatch(['optimizer', 'params', 'lr'], tv.lr.key, tv.lr.value, tv.lr.entry, String, tv.lr);
      mismatch(['scheduler', 'params', 'warmup_max_lr'], tv.lr.key, tv.lr.value, tv.lr.entry, String, tv.lr);
    }
    mismatch(['optimizer', 'params', 'betas'], 'adam_beta1/adam_beta2', [tv.beta1, tv.beta2], ctx.entry('adam_beta1') ?? ctx.entry('adam_beta2'), (v) => JSON.stringify(v));
    mismatch(['optimizer', 'params', 'eps'], 'adam_epsilon', tv.eps, ctx.entry('adam_epsilon'));
    mismatch(['optimizer', 'params', 'weight_decay'], tv.wd.key, tv.wd.value, tv.wd.entry);
    if (tv.fp16.value !== undefined) mismatch(['fp16', 'enabled'], 'fp16', tv.fp16.value, tv.fp16.entry);
    if (tv.bf16.value !== undefined) mismatch(['bf16', 'enabled'], 'bf16', tv.bf16.value, tv.bf16.entry, String, tv.bf16);
    // train_batch_size identity with the trainer's micro batch and accumulation.
    const tbsE = getEntry(ds, 'train_batch_size');
    const tbs = numOf(tbsE?.value);
    if (tbsE && tbs !== undefined && tv.micro.value && tv.gas.value) {
      const per = tv.micro.value * tv.gas.value;
      if (tbs % per !== 0) {
        ctx.add('ds-batch-size', 'error', `DeepSpeed train_batch_size is ${tbs} in ${ref.path}, which is not a multiple of ${tv.micro.key} × gradient_accumulation_steps = ${tv.micro.value} × ${tv.gas.value} = ${per}. DeepSpeed requires train_batch_size = micro batch × gradient_accumulation_steps × world_size and stops at start-up. Use "auto".`, ref.start, ref.end, { related: [relatedAt(l, tbsE, `train_batch_size ${tbs}`)], fixes: [fixInOther(l, tbsE, '"auto"', `Set train_batch_size to "auto" in ${ref.path}`)] });
      } else {
        ctx.facts.push({ label: `DeepSpeed train_batch_size ${tbs} ⇒ world size ${tbs / per}`, range: ctx.li.range(ref.start, ref.end), detail: `${tbs} / (${tv.micro.value} × ${tv.gas.value}); launching on a different number of GPUs fails the DeepSpeed batch assertion.` });
      }
    }
    // Optimizer in the DeepSpeed JSON overrides the trainer's optimizer setting.
    const dsOpt = getEntry(ds, 'optimizer');
    if (dsOpt && tv.optimExplicit?.value) {
      ctx.at(tv.optimExplicit, 'ds-optimizer-overrides', 'warning', `${ref.path} defines its own "optimizer" block, so \`${tv.optimExplicit.key}\` here is ignored: DeepSpeed builds the optimizer from the JSON. Remove one of them.`, { at: 'entry', related: [relatedAt(l, dsOpt, 'DeepSpeed optimizer block', 'key')] });
    }
    // ZeRO-3 with bitsandbytes quantization (QLoRA): needs bnb_4bit_quant_storage to shard the 4-bit weights.
    const stage = numOf(getPath(ds, ['zero_optimization', 'stage'])?.value);
    const q4 = ctx.entry('load_in_4bit');
    if (stage === 3 && q4 && ctx.bool('load_in_4bit') && ctx.def.id === 'hf-trainer' && !ctx.entry('bnb_4bit_quant_storage')) {
      ctx.at(q4, 'zero3-qlora-storage', 'warning', `4-bit loading with ZeRO-3 (${ref.path}) needs \`bnb_4bit_quant_storage\` set to the compute dtype (e.g. bfloat16); otherwise ZeRO-3 cannot shard the quantized weights and loading fails or every GPU holds the full model.`, { related: [relatedAt(l, getPath(ds, ['zero_optimization', 'stage'])!, 'ZeRO stage 3')] });
    }
  }
}

// ---------------------------------------------------------------- HF TrainingArguments / TRL

/** Both set: transformers TrainingArguments.__post_init__ raises "At most one of fp16 and bf16 can be True". */
function fp16Bf16(ctx: RuleContext): void {
  const f = ctx.entry('fp16'), b = ctx.entry('bf16');
  if (f && b && ctx.bool('fp16') === true && ctx.bool('bf16') === true) {
    const src = ctx.def.id === 'axolotl' ? 'axolotl' : 'transformers TrainingArguments';
    ctx.at(f, 'fp16-bf16-conflict', 'error', `fp16 and bf16 are both true; ${src} refuses this ("At most one of fp16 and bf16 can be True"). Keep bf16 on Ampere or newer GPUs, fp16 on older ones.`, {
      at: 'entry', related: [{ file: ctx.opts.fileName, range: ctx.li.range(b.keyStart, b.value?.end ?? b.keyEnd), message: 'bf16 is also true' }],
      fixes: [{ title: 'Remove fp16 (keep bf16)', edits: [ctx.deleteEntry(f)], isPreferred: true }],
    });
  }
}

/**
 * load_best_model_at_end: transformers TrainingArguments.__post_init__ raises when the eval and save strategies
 * differ ("--load_best_model_at_end requires the save and eval strategy to match") and, for "steps", when
 * save_steps is not a round multiple of eval_steps. eval_steps defaults to logging_steps (default 500).
 */
/**
 * The eval strategy a config asks for: `eval_strategy`, else its old name `evaluation_strategy` (the field before
 * transformers 4.46, training_args.py; a later release refuses it with its own `renamed-key` finding, so the rules
 * that depend on the strategy follow what the user meant rather than add a second, misleading finding), `'no'` for a
 * YAML `false`, else undefined (the default, "no").
 */
function evalStrategyOf(ctx: RuleContext): string | undefined {
  const s = ctx.str('eval_strategy') ?? (ctx.entry('eval_strategy') ? undefined : ctx.str('evaluation_strategy'));
  if (s !== undefined) return s;
  return ctx.bool('eval_strategy') === false || (!ctx.entry('eval_strategy') && ctx.bool('evaluation_strategy') === false) ? 'no' : undefined;
}

function loadBest(ctx: RuleContext): void {
  const lb = ctx.entry('load_best_model_at_end');
  if (!lb || ctx.bool('load_best_model_at_end') !== true) return;
  const ev = evalStrategyOf(ctx) ?? 'no';
  const sv = (ctx.str('save_strategy') ?? (ctx.bool('save_strategy') === false ? 'no' : undefined) ?? 'steps');
  const evE = ctx.entry('eval_strategy') ?? ctx.entry('evaluation_strategy'), svE = ctx.entry('save_strategy');
  if (sv !== 'best' && ev !== sv) {
    ctx.at(lb, 'load-best-strategy-mismatch', 'error', `load_best_model_at_end needs save_strategy and eval_strategy to match, but eval_strategy is "${ev}"${evE ? '' : ' (default)'} and save_strategy is "${sv}"${svE ? '' : ' (default)'}. transformers stops with "--load_best_model_at_end requires the save and eval strategy to match".`, {
      related: [evE, svE].filter((x): x is CEntry => !!x).map((x) => ({ file: ctx.opts.fileName, range: ctx.li.range(x.keyStart, x.value?.end ?? x.keyEnd), message: `${x.key}: ${String(ctx.scalar(x.key))}` })),
      fixes: evE && svE && sv !== 'no' ? [{ title: `Set eval_strategy to "${sv}"`, edits: [ctx.replace(evE.value!.start, evE.value!.end, sv)], isPreferred: true }] : [],
    });
    return;
  }
  if (sv === 'steps' && ev === 'steps') {
    const saveSteps = ctx.num('save_steps') ?? 500;
    // eval_steps falls back to logging_steps, whose default TRL's config classes change (500 -> 10): with an unsure
    // default (the TRL class is not known), no error.
    const trl = ctx.def.id === 'hf-trainer' ? guessTrlClass(new Set(ctx.root?.kind === 'map' ? ctx.root.entries!.map((e) => e.key) : []), ctx.opts.fileName) : undefined;
    const logD = ctx.num('logging_steps') === undefined ? hfDefault(ctx, trl, 'logging_steps', 500, false) : undefined;
    const evalSteps = ctx.num('eval_steps') ?? ctx.num('logging_steps') ?? (logD && !logD.unsure && typeof logD.value === 'number' ? logD.value : undefined);
    // Ratio steps (floats below 1, a share of the total steps): transformers TrainingArguments.__post_init__ refuses
    // a mix of ratio and absolute steps, and compares two ratios scaled by 1e6 (issue 15: no longer skipped).
    if (evalSteps !== undefined && saveSteps > 0 && evalSteps > 0 && (saveSteps < 1 || evalSteps < 1)) {
      const se = ctx.entry('save_steps') ?? lb;
      const mixed = !(saveSteps < 1 && evalSteps < 1);
      if (mixed || Math.round(saveSteps * 1e6) % Math.round(evalSteps * 1e6) !== 0) {
        ctx.at(se, 'save-steps-not-multiple', 'error', mixed
          ? `save_steps (${saveSteps}) and eval_steps (${evalSteps}${ctx.entry('eval_steps') ? '' : ', from logging_steps'}) mix a ratio of the total steps with an absolute step count; with load_best_model_at_end transformers stops ("cannot get guaranteed when mixing ratio and absolute steps"). Use ratios for both or step counts for both.`
          : `save_steps (${saveSteps}) must be a multiple of eval_steps (${evalSteps}${ctx.entry('eval_steps') ? '' : ', from logging_steps'}) with load_best_model_at_end; as ratios of the total steps too, transformers stops with "requires the saving steps to be a multiple of the evaluation steps".`,
        { at: ctx.entry('save_steps') ? 'value' : 'key' });
      }
    } else if (evalSteps !== undefined && saveSteps >= 1 && evalSteps >= 1 && saveSteps % evalSteps !== 0) {
      const se = ctx.entry('save_steps') ?? lb;
      ctx.at(se, 'save-steps-not-multiple', 'error', `save_steps (${saveSteps}) must be a round multiple of eval_steps (${evalSteps}${ctx.entry('eval_steps') ? '' : ', from logging_steps/default'}) with load_best_model_at_end; transformers stops with "requires the saving steps to be a round multiple of the evaluation steps".`, {
        at: ctx.entry('save_steps') ? 'value' : 'key',
        fixes: ctx.entry('save_steps') ? [{ title: `Set save_steps to ${Math.max(evalSteps, Math.round(saveSteps / evalSteps) * evalSteps)}`, edits: [ctx.replace(se.value!.start, se.value!.end, String(Math.max(evalSteps, Math.round(saveSteps / evalSteps) * evalSteps)))], isPreferred: true }] : [],
      });
    }
  }
}

/**
 * logging_steps / eval_steps / save_steps above 1 must be whole numbers when their strategy is "steps": transformers
 * TrainingArguments.__post_init__ raises "--logging_steps must be an integer if bigger than 1" (values below 1 are
 * ratios of the total steps).
 */
function stepsNotInteger(ctx: RuleContext): void {
  const strategy = (k: string, d: string) => ctx.str(k) ?? (ctx.bool(k) === false ? 'no' : undefined) ?? d;
  for (const [key, strat, d] of [['logging_steps', 'logging_strategy', 'steps'], ['eval_steps', 'eval_strategy', 'no'], ['save_steps', 'save_strategy', 'steps']] as const) {
    const e = ctx.entry(key); const v = ctx.num(key);
    if (!e || v === undefined || v <= 1 || Number.isInteger(v)) continue;
    if (strategy(strat, d) !== 'steps') continue;
    ctx.at(e, 'steps-not-integer', 'error', `${key} is ${v}: above 1 it is a step count and must be a whole number (below 1 it is a ratio of the total steps); transformers stops with "--${key} must be an integer if bigger than 1".`, {
      at: 'value', fixes: [{ title: `Set ${key} to ${Math.round(v)}`, edits: [ctx.replace(e.value!.start, e.value!.end, String(Math.round(v)))], isPreferred: true }],
    });
  }
}

/** warmup_steps overrides warmup_ratio (transformers get_warmup_steps); a ratio above 0.5 is almost surely a typo. */
function warmup(ctx: RuleContext): void {
  const r = ctx.num('warmup_ratio'), s = ctx.num('warmup_steps');
  const re = ctx.entry('warmup_ratio'), se = ctx.entry('warmup_steps');
  if (re && se && r !== undefined && s !== undefined && r > 0 && s > 0) {
    if (ctx.def.id === 'axolotl') ctx.at(se, 'warmup-conflict', 'error', 'warmup_steps and warmup_ratio are mutually exclusive in axolotl; keep one.', { related: [{ file: ctx.opts.fileName, range: ctx.li.range(re.keyStart, re.keyEnd), message: 'warmup_ratio' }] });
    else ctx.at(se, 'warmup-conflict', 'warning', `Both warmup_steps (${s}) and warmup_ratio (${r}) are set; transformers uses warmup_steps and ignores warmup_ratio.`, { related: [{ file: ctx.opts.fileName, range: ctx.li.range(re.keyStart, re.keyEnd), message: 'ignored warmup_ratio' }], fixes: [{ title: 'Remove warmup_ratio', edits: [ctx.deleteEntry(re)], isPreferred: true }] });
  }
  if (re && r !== undefined && r > 0.5 && r <= 1) ctx.at(re, 'warmup-ratio-large', 'warning', `warmup_ratio ${r} spends ${Math.round(r * 100)}% of training warming up; the learning rate barely reaches its peak. Typical values are 0.01–0.1.`, { at: 'value' });
}

/**
 * Learning rates that are legal but almost surely wrong. The "very high for full fine-tuning" warning needs a
 * pretrained model named in the config (`model_name_or_path`, axolotl `base_model`): a config without one may train
 * from scratch (the script builds the model), where 1e-3 and more is normal (nanoGPT uses 1e-3, a tiny char model
 * 6e-3), so only the >= 1 "far above any usable value" warning applies there.
 */
function learningRate(ctx: RuleContext, adapter: boolean): void {
  const e = ctx.entry('learning_rate') ?? ctx.entry('lr');
  const lr = ctx.num('learning_rate');
  if (!e || lr === undefined) return;
  const finetuning = !!(ctx.entry('model_name_or_path') ?? ctx.entry('base_model'));
  if (lr === 0) ctx.at(e, 'lr-zero', 'warning', 'learning_rate is 0: the weights will not change.', { at: 'value' });
  else if (lr >= 1) ctx.at(e, 'lr-too-high', 'warning', `learning_rate ${lr} is far above any usable value for transformer fine-tuning (typical: 1e-5–2e-4); the loss will diverge. Did you mean ${lr}e-5?`, { at: 'value' });
  else if (!adapter && finetuning && lr > 1e-3) ctx.at(e, 'lr-too-high', 'warning', `learning_rate ${lr} is very high for full fine-tuning (typical 1e-5–5e-5; LoRA uses up to ~2e-4); expect the loss to spike or diverge.`, { at: 'value' });
}

const BNB_OPTIM = /bnb|8bit|paged|lion_32bit/;
/** bitsandbytes optimizers need CUDA (bitsandbytes), so they cannot run with use_cpu. transformers trainer.get_optimizer_cls_and_kwargs. */
function precisionOptimizer(ctx: RuleContext, optimKey: string): void {
  const o = ctx.entry(optimKey); const name = ctx.str(optimKey);
  if (o && name && BNB_OPTIM.test(name) && ctx.bool('use_cpu') === true && !name.startsWith('adamw_torch_')) {
    ctx.at(o, 'optimizer-needs-gpu', 'error', `${optimKey} "${name}" is a bitsandbytes optimizer and needs a CUDA GPU, but use_cpu is true.`, { at: 'value' });
  }
  if (o && name && /^adamw_torch_(4|8)bit$/.test(name) && ctx.bool('fp16') === true) {
    ctx.at(o, 'optimizer-precision', 'warning', `${optimKey} "${name}" (torchao low-bit AdamW) with fp16 loss scaling is untested upstream; use bf16 or a bitsandbytes 8-bit optimizer.`, { at: 'value' });
  }
}

function hfLora(ctx: RuleContext): void {
  const usePeft = ctx.bool('use_peft');
  const q4 = ctx.entry('load_in_4bit'), q8 = ctx.entry('load_in_8bit');
  if (q4 && q8 && ctx.bool('load_in_4bit') && ctx.bool('load_in_8bit')) {
    ctx.at(q8, 'quantization-conflict', 'error', 'load_in_4bit and load_in_8bit are both true; transformers BitsAndBytesConfig accepts only one ("load_in_4bit and load_in_8bit are both True, but only one can be used").', { related: [{ file: ctx.opts.fileName, range: ctx.li.range(q4.keyStart, q4.keyEnd), message: 'load_in_4bit' }] });
  }
  const q = (q4 && ctx.bool('load_in_4bit')) ? q4 : (q8 && ctx.bool('load_in_8bit')) ? q8 : undefined;
  if (q && usePeft !== true) {
    const explicit = ctx.entry('use_peft');
    ctx.at(q, 'quantized-full-finetune', explicit ? 'error' : 'warning', `${q.key} is true but ${explicit ? 'use_peft is false' : 'use_peft is not set'}: training a quantized model without a LoRA adapter fails in the HF Trainer ("You cannot perform fine-tuning on purely quantized models"). Set use_peft: true.`, {
      fixes: explicit ? [{ title: 'Set use_peft: true', edits: [ctx.replace(explicit.value!.start, explicit.value!.end, 'true')], isPreferred: true }] : [],
    });
  }
  if (usePeft !== true) {
    for (const k of ['lora_r', 'lora_alpha', 'lora_dropout', 'lora_target_modules']) {
      const e = ctx.entry(k);
      if (e && ctx.def.root.keys.use_peft && ctx.entry('model_name_or_path')) { ctx.at(e, 'lora-without-peft', 'warning', `${k} has no effect: TRL only builds a LoRA adapter when use_peft is true.`); break; }
    }
  }
  loraValues(ctx, 'lora_r', 'lora_alpha', 'lora_dropout');
}

/** LoRA ranges that are legal but almost surely wrong. */
function loraValues(ctx: RuleContext, rKey: string, alphaKey: string, dropKey: string, base: (string | number)[] = []): void {
  const r = ctx.num(...base, rKey), a = ctx.num(...base, alphaKey), d = ctx.num(...base, dropKey);
  const re = ctx.entry(...base, rKey), de = ctx.entry(...base, dropKey);
  if (re && r !== undefined && r > 1024) ctx.at(re, 'lora-rank-large', 'warning', `LoRA rank ${r} is larger than most hidden sizes' useful range (typical 8–256); the adapter is nearly as big as the layer.`, { at: 'value' });
  if (de && d !== undefined && d >= 0.5 && d < 1) ctx.at(de, 'lora-dropout-large', 'warning', `LoRA dropout ${d} drops half or more of the adapter input; typical values are 0–0.1.`, { at: 'value' });
  if (r && a !== undefined && a / r > 16) { const ae = ctx.entry(...base, alphaKey)!; ctx.at(ae, 'lora-alpha-ratio', 'warning', `lora_alpha / r = ${a}/${r} = ${a / r}: the adapter update is scaled ×${a / r}, which usually destabilises training (common: alpha = r or 2r).`, { at: 'value' }); }
}

/** TRL: packing needs a max_length (SFTConfig); prompt length must leave room for the completion (DPO/ORPO). */
function trlLengths(ctx: RuleContext): void {
  const pk = ctx.entry('packing');
  if (pk && ctx.bool('packing') === true && ctx.entry('max_length') && ctx.scalar('max_length') === null) {
    ctx.at(pk, 'packing-needs-length', 'error', 'packing is true but max_length is null: TRL packs sequences into blocks of max_length and refuses an unbounded length.', { related: [{ file: ctx.opts.fileName, range: ctx.li.range(ctx.entry('max_length')!.keyStart, ctx.entry('max_length')!.keyEnd), message: 'max_length: null' }] });
  }
  const mp = ctx.num('max_prompt_length'), ml = ctx.num('max_length');
  const mpe = ctx.entry('max_prompt_length');
  if (mpe && mp !== undefined && ml !== undefined && mp >= ml) {
    ctx.at(mpe, 'prompt-longer-than-max', 'warning', `max_prompt_length (${mp}) is not smaller than max_length (${ml}): prompts can fill the whole sequence and leave no tokens for the chosen/rejected completion.`, { at: 'value', related: [{ file: ctx.opts.fileName, range: ctx.li.range(ctx.entry('max_length')!.keyStart, ctx.entry('max_length')!.keyEnd), message: 'max_length' }] });
  }
  const pf = ctx.entry('padding_free'); const attn = ctx.str('attn_implementation');
  if ((pk && ctx.bool('packing')) || (pf && ctx.bool('padding_free'))) {
    if (attn === 'eager' || attn === 'sdpa') {
      const at = ctx.entry('attn_implementation')!;
      ctx.at(at, 'packing-attention', 'warning', `Packing/padding-free batches with attn_implementation "${attn}" let tokens attend across packed samples (cross-contamination); TRL recommends flash_attention_2/3 or flex_attention for this.`, { at: 'value' });
    }
  }
}

/** eval_strategy "steps"/"epoch" and "no": informative checks that are legal but almost surely unintended. */
function evalSetup(ctx: RuleContext): void {
  const de = ctx.entry('do_eval');
  const ev = ctx.str('eval_strategy');
  if (de && ctx.bool('do_eval') === true && ctx.entry('eval_strategy') && (ev === 'no' || ctx.bool('eval_strategy') === false)) {
    ctx.at(de, 'eval-never-runs', 'warning', 'do_eval is true but eval_strategy is "no": the Trainer never evaluates during training (do_eval is only read by scripts).', { related: [{ file: ctx.opts.fileName, range: ctx.li.range(ctx.entry('eval_strategy')!.keyStart, ctx.entry('eval_strategy')!.keyEnd), message: 'eval_strategy' }] });
  }
}

/** Samples per optimizer step on one GPU, as the framework reads its config (with the framework's defaults). */
export interface BatchOf { micro: number; microKey: string; gas: number; perGpu: number }

/**
 * The per-device (micro) batch and gradient accumulation a config trains with, with each framework's defaults:
 * transformers TrainingArguments `per_device_train_batch_size` 8 / `gradient_accumulation_steps` 1; Axolotl
 * `micro_batch_size` 1; LLaMA-Factory (HF arguments) `per_device_train_batch_size` 8; torchtune recipes `batch_size`
 * (recipes default to 1 when absent) and `gradient_accumulation_steps` 1. Undefined for configs without a batch
 * (DeepSpeed, Accelerate, PEFT). The effective batch is `perGpu × number of GPUs` (a launch-time choice).
 */
export function batchOf(ctx: RuleContext): BatchOf | undefined {
  const gas = ctx.num('gradient_accumulation_steps') ?? 1;
  const key = ctx.def.id === 'axolotl' ? 'micro_batch_size' : ctx.def.id === 'torchtune' ? 'batch_size' : ctx.def.id === 'hf-trainer' || ctx.def.id === 'llamafactory' ? 'per_device_train_batch_size' : undefined;
  if (!key) return undefined;
  const micro = ctx.num(key) ?? (ctx.def.id === 'hf-trainer' || ctx.def.id === 'llamafactory' ? 8 : 1);
  return { micro, microKey: key, gas, perGpu: micro * gas };
}

/**
 * Effective batch size and tokens per optimizer step, per GPU: the number of GPUs is a launch-time choice (it is
 * not in a training YAML), so the facts say "× number of GPUs" instead of guessing it.
 */
function hfFacts(ctx: RuleContext, microKey: string, seqKeys: string[]): void {
  const { micro, gas } = batchOf(ctx)!;
  const e = ctx.entry(microKey) ?? ctx.entry('gradient_accumulation_steps');
  if (!e) return;
  ctx.facts.push({ label: `Effective batch: ${micro} × ${gas} = ${micro * gas} per GPU (× number of GPUs)`, range: ctx.li.range(e.keyStart, e.keyEnd), detail: `${microKey} × gradient_accumulation_steps × number of GPUs: samples per optimizer step.` });
  for (const k of seqKeys) {
    const len = ctx.num(k);
    if (len) {
      ctx.facts.push({ label: `Tokens per optimizer step: ≤ ${(micro * gas * len).toLocaleString('en-US')} per GPU`, range: ctx.li.range(ctx.entry(k)!.keyStart, ctx.entry(k)!.keyEnd), detail: `${micro} × ${gas} × ${k} ${len} (an upper bound unless sequences are packed to full length).` });
      break;
    }
  }
  const ng = ctx.num('num_generations');
  if (ng && ctx.entry('num_generations')) ctx.facts.push({ label: `GRPO: ${micro} × GPUs × steps_per_generation must be divisible by num_generations ${ng}`, range: ctx.li.range(ctx.entry('num_generations')!.keyStart, ctx.entry('num_generations')!.keyEnd), detail: 'TRL GRPOConfig: the generation batch (per_device_train_batch_size × number of processes × steps_per_generation, which defaults to gradient_accumulation_steps) must be a multiple of num_generations.' });
}

/**
 * More TrainingArguments.__post_init__ checks (transformers training_args.py): reduce_lr_on_plateau needs an eval
 * strategy; cosine_with_min_lr needs min_lr or min_lr_rate in lr_scheduler_kwargs (raised when the scheduler is
 * built, optimization.py); FSDP activation checkpointing and gradient_checkpointing are exclusive; DeepSpeed and FSDP
 * cannot be combined. Plus settings that are silently ignored because their strategy is off.
 */
function hfSchedulesAndStrategies(ctx: RuleContext): void {
  const v = ctx.value;
  const sched = ctx.str('lr_scheduler_type'); const se = ctx.entry('lr_scheduler_type');
  const ev = evalStrategyOf(ctx) ?? 'no';
  if (se && sched === 'reduce_lr_on_plateau' && ev === 'no') ctx.at(se, 'scheduler-needs-eval', 'error', 'lr_scheduler_type reduce_lr_on_plateau lowers the LR when the eval metric stalls, so it needs eval_strategy "steps" or "epoch"; transformers refuses it with eval_strategy "no".', { at: 'value' });
  if (se && (sched === 'cosine_with_min_lr' || sched === 'cosine_warmup_with_min_lr')) {
    const kw = v.lr_scheduler_kwargs as Record<string, unknown> | null | undefined;
    if (!kw || typeof kw !== 'object' || (kw.min_lr === undefined && kw.min_lr_rate === undefined)) ctx.at(se, 'scheduler-needs-kwargs', 'error', `lr_scheduler_type ${sched} needs lr_scheduler_kwargs with min_lr or min_lr_rate (e.g. {min_lr_rate: 0.1}); transformers raises "One of min_lr or min_lr_rate should be set" when it builds the scheduler.`, { at: 'value' });
  }
  const fc = v.fsdp_config as Record<string, unknown> | null | undefined;
  const gc = ctx.entry('gradient_checkpointing');
  if (gc && v.gradient_checkpointing === true && fc && typeof fc === 'object' && (fc.activation_checkpointing === true || fc.fsdp_activation_checkpointing === true)) {
    ctx.at(gc, 'checkpointing-conflict', 'error', 'gradient_checkpointing and fsdp_config.activation_checkpointing are both true; transformers refuses this ("can\'t be set to True simultaneously") — with FSDP use only activation_checkpointing.', { at: 'entry' });
  }
  if (truthy(v.deepspeed) && truthy(v.fsdp)) ctx.at(ctx.entry('deepspeed')!, 'deepspeed-fsdp-conflict', 'error', 'deepspeed and fsdp are both set; a run uses one or the other (Accelerate cannot combine them).', { related: [{ file: ctx.opts.fileName, range: ctx.li.range(ctx.entry('fsdp')!.keyStart, ctx.entry('fsdp')!.keyEnd), message: 'fsdp' }] });
  // Settings silently ignored because their strategy is off (IntervalStrategy checks in trainer callbacks).
  const es = ctx.entry('eval_steps');
  if (es && ctx.num('eval_steps') !== undefined && ev !== 'steps' && !(ctx.def.id === 'axolotl')) ctx.at(es, 'ignored-setting', 'warning', `eval_steps is ignored: eval_strategy is "${ev}"${ctx.entry('eval_strategy') || ctx.entry('evaluation_strategy') ? '' : ' (the default)'}. Set eval_strategy: steps to evaluate every ${ctx.num('eval_steps')} steps.`);
  const sv = ctx.str('save_strategy') ?? (ctx.bool('save_strategy') === false ? 'no' : 'steps');
  const ss = ctx.entry('save_steps');
  if (ss && ctx.num('save_steps') !== undefined && sv !== 'steps' && sv !== 'best') ctx.at(ss, 'ignored-setting', 'warning', `save_steps is ignored: save_strategy is "${sv}".`);
  const ws = ctx.num('warmup_steps'), ms = ctx.num('max_steps');
  if (ws !== undefined && ms !== undefined && ms > 0 && ws >= ms) ctx.at(ctx.entry('warmup_steps')!, 'warmup-longer-than-training', 'warning', `warmup_steps (${ws}) ≥ max_steps (${ms}): the learning rate never leaves warmup.`, { at: 'value' });
}

// ---------------------------------------------------------------- Axolotl

/**
 * Axolotl model validators (src/axolotl/utils/schemas/config.py and validation.py): batch-size fields, attention
 * exclusivity, pretraining needs max_steps, qlora needs 4-bit, quantized loading needs an adapter, etc.
 */
function axolotlRules(ctx: RuleContext): void {
  const v = ctx.value;
  const first = ctx.root!.entries![0];
  // check_batch_size_fields: at least two of micro_batch_size, gradient_accumulation_steps, batch_size.
  const bs = ['micro_batch_size', 'gradient_accumulation_steps', 'batch_size'];
  const set = bs.filter((k) => truthy(v[k]));
  if (set.length < 2) {
    const at = ctx.entry(set[0] ?? '') ?? first;
    ctx.at(at, 'batch-size-fields', 'error', `Axolotl needs at least two of micro_batch_size, gradient_accumulation_steps and batch_size (it refuses the config otherwise); ${set.length ? `only ${set[0]} is set` : 'none is set'}.`);
  }
  // check_attention_fields: only one attention switch.
  const attn = ['xformers_attention', 'sdp_attention', 's2_attention', 'flash_attention', 'flex_attention'].filter((k) => truthy(v[k])).sort((a, b) => ctx.entry(a)!.keyStart - ctx.entry(b)!.keyStart);
  if (attn.length > 1) {
    const e = ctx.entry(attn[attn.length - 1])!;
    ctx.at(e, 'attention-conflict', 'error', `Only one attention implementation can be enabled; ${attn.join(' and ')} are all true (axolotl: "Only one of xformers_attention, sdp_attention, s2_attention, flash_attention, flex_attention must be set").`, { related: attn.slice(0, 1).map((k) => ({ file: ctx.opts.fileName, range: ctx.li.range(ctx.entry(k)!.keyStart, ctx.entry(k)!.keyEnd), message: `${k}: true` })) });
  }
  const ai = ctx.str('attn_implementation'); const aie = ctx.entry('attn_implementation');
  if (aie && ai && attn.length === 1) {
    const legacy = attn[0];
    const match = (legacy === 'flash_attention' && /flash/.test(ai)) || (legacy === 'sdp_attention' && ai === 'sdpa') || (legacy === 'flex_attention' && ai === 'flex_attention');
    if (!match) ctx.at(aie, 'attention-conflict', 'error', `attn_implementation "${ai}" contradicts ${legacy}: true; set only attn_implementation.`, { at: 'value', related: [{ file: ctx.opts.fileName, range: ctx.li.range(ctx.entry(legacy)!.keyStart, ctx.entry(legacy)!.keyEnd), message: legacy }] });
  }
  // check_pretraining_w_max_steps
  const pre = ctx.entry('pretraining_dataset');
  if (pre && truthy(v.pretraining_dataset) && !truthy(v.max_steps)) ctx.at(pre, 'pretraining-needs-max-steps', 'error', 'pretraining_dataset is a streaming dataset, so max_steps must be set: the Trainer cannot infer the length to schedule the learning rate.');
  // sample_packing + s2_attention
  if (truthy(v.sample_packing) && truthy(v.s2_attention)) ctx.at(ctx.entry('s2_attention')!, 'packing-attention', 'error', 'Shifted-sparse attention (s2_attention) does not support sample_packing.');
  // chat_template: jinja requires chat_template_jinja
  if (v.chat_template === 'jinja' && !truthy(v.chat_template_jinja)) ctx.at(ctx.entry('chat_template')!, 'missing-chat-template-jinja', 'error', 'chat_template: jinja requires chat_template_jinja (the template text).', { at: 'value' });
  // adapter / quantization (validation.py check_qlora, check_lora_8bit...)
  const adapter = ctx.str('adapter');
  const ae = ctx.entry('adapter');
  if (adapter === 'qlora') {
    if (truthy(v.load_in_8bit)) ctx.at(ctx.entry('load_in_8bit')!, 'qlora-needs-4bit', 'error', 'adapter: qlora cannot load the model in 8-bit; set load_in_8bit: false and load_in_4bit: true.', { at: 'entry' });
    if (v.load_in_4bit !== true) ctx.at(ae!, 'qlora-needs-4bit', 'error', 'adapter: qlora requires load_in_4bit: true (axolotl: "Require cfg.load_in_4bit to be True for qlora").', { at: 'value', fixes: ctx.entry('load_in_4bit')?.value ? [{ title: 'Set load_in_4bit: true', edits: [ctx.replace(ctx.entry('load_in_4bit')!.value!.start, ctx.entry('load_in_4bit')!.value!.end, 'true')], isPreferred: true }] : [] });
    if (truthy(v.gptq)) ctx.at(ctx.entry('gptq')!, 'qlora-needs-4bit', 'error', 'adapter: qlora does not work with gptq models; use adapter: lora.');
  }
  if (!adapter && (v.load_in_4bit === true || v.load_in_8bit === true)) {
    const q = ctx.entry(v.load_in_4bit === true ? 'load_in_4bit' : 'load_in_8bit')!;
    ctx.at(q, 'quantized-full-finetune', 'error', `${q.key} is true without an adapter: a quantized model cannot be fully fine-tuned. Add adapter: ${q.key === 'load_in_4bit' ? 'qlora' : 'lora'}, or set ${q.key}: false.`, { at: 'entry' });
  }
  if (!adapter) {
    const lk = ['lora_r', 'lora_alpha', 'lora_dropout', 'lora_target_modules', 'lora_target_linear'].find((k) => truthy(v[k]));
    if (lk) ctx.at(ctx.entry(lk)!, 'lora-without-adapter', 'warning', `${lk} has no effect without \`adapter: lora\` or \`adapter: qlora\`; this config trains all weights (full fine-tuning).`);
  } else if ((adapter === 'lora' || adapter === 'qlora') && !truthy(v.lora_target_modules) && !truthy(v.lora_target_linear) && !truthy(v.lora_target_parameters)) {
    ctx.at(ae!, 'lora-no-targets', 'warning', 'No lora_target_modules and no lora_target_linear: PEFT falls back to its built-in default for the architecture (often only q_proj/v_proj), or fails for unknown models. Set lora_target_linear: true or list the modules.', { at: 'value' });
  }
  loraValues(ctx, 'lora_r', 'lora_alpha', 'lora_dropout');
  // eval/save frequency fields are mutually exclusive (validation.py check_evals / check_saves).
  for (const [a, b] of [['evals_per_epoch', 'eval_steps'], ['saves_per_epoch', 'save_steps']] as const) {
    if (truthy(v[a]) && truthy(v[b])) ctx.at(ctx.entry(b)!, `${a === 'evals_per_epoch' ? 'eval' : 'save'}-frequency-conflict`, 'error', `${a} and ${b} are mutually exclusive in axolotl; keep one.`, { related: [{ file: ctx.opts.fileName, range: ctx.li.range(ctx.entry(a)!.keyStart, ctx.entry(a)!.keyEnd), message: a }] });
  }
  // deepspeed and fsdp together
  if (truthy(v.deepspeed) && (truthy(v.fsdp) || truthy(v.fsdp_config))) ctx.at(ctx.entry('deepspeed')!, 'deepspeed-fsdp-conflict', 'error', 'deepspeed and fsdp are both configured; a run uses one or the other (Accelerate cannot combine them).', { related: [{ file: ctx.opts.fileName, range: ctx.li.range(ctx.entry(truthy(v.fsdp) ? 'fsdp' : 'fsdp_config')!.keyStart, ctx.entry(truthy(v.fsdp) ? 'fsdp' : 'fsdp_config')!.keyEnd), message: 'fsdp' }] });
  // sample packing without an attention that masks across samples (config.py check_sample_packing_wo_flash warns)
  if (truthy(v.sample_packing) && !attn.length && !(ai && (/flash|flex|sdpa|\//.test(ai)))) {
    ctx.at(ctx.entry('sample_packing')!, 'packing-attention', 'warning', 'sample_packing without flash/sdp/flex/xformers attention lets packed samples attend to each other (cross-sample contamination). Set attn_implementation: flash_attention_2 (or sdpa/flex_attention).');
  }
  // validation set missing while evaluation is requested
  const vs = ctx.num('val_set_size');
  if (ctx.entry('val_set_size') && vs === 0 && !truthy(v.test_datasets) && (truthy(v.evals_per_epoch) || truthy(v.eval_steps))) {
    const e = ctx.entry(truthy(v.evals_per_epoch) ? 'evals_per_epoch' : 'eval_steps')!;
    ctx.at(e, 'eval-without-data', 'warning', `${e.key} is set but val_set_size is 0 and there are no test_datasets, so no evaluation will run.`, { related: [{ file: ctx.opts.fileName, range: ctx.li.range(ctx.entry('val_set_size')!.keyStart, ctx.entry('val_set_size')!.keyEnd), message: 'val_set_size: 0' }] });
  }
  // datasets entries need a path
  const ds = ctx.entry('datasets');
  if (ds?.value?.kind === 'seq') for (const it of ds.value.items!) {
    if (it.kind === 'map' && !getEntry(it, 'path')) ctx.add('dataset-missing-path', 'error', 'This dataset entry has no `path` (Hub id, local file or folder).', it.start, Math.min(it.end, ctx.text.indexOf('\n', it.start) < 0 ? it.end : ctx.text.indexOf('\n', it.start)));
  }
  fp16Bf16(ctx);
  warmup(ctx);
  learningRate(ctx, !!adapter);
  precisionOptimizer(ctx, 'optimizer');
  if (ctx.num('sequence_len') !== undefined && ctx.num('sequence_len')! > 131072) ctx.at(ctx.entry('sequence_len')!, 'sequence-len-large', 'warning', `sequence_len ${ctx.num('sequence_len')} is beyond the context length of nearly all models; check the value.`, { at: 'value' });
  hfFacts(ctx, 'micro_batch_size', ['sequence_len']);
}

// ---------------------------------------------------------------- LLaMA-Factory

/** LLaMA-Factory hparams/parser.py checks (get_train_args, _check_extra_dependencies). */
function llamafactoryRules(ctx: RuleContext): void {
  const v = ctx.value;
  const ft = ctx.str('finetuning_type') ?? 'lora';
  const qb = ctx.entry('quantization_bit');
  if (qb && truthy(v.quantization_bit) && ft !== 'lora' && ft !== 'oft') ctx.at(qb, 'quantized-full-finetune', 'error', `quantization_bit is set but finetuning_type is "${ft}": LLaMA-Factory only supports quantized training with LoRA/OFT ("Quantization is only compatible with the LoRA method").`, { related: ctx.entry('finetuning_type') ? [{ file: ctx.opts.fileName, range: ctx.li.range(ctx.entry('finetuning_type')!.keyStart, ctx.entry('finetuning_type')!.keyEnd), message: 'finetuning_type' }] : [] });
  if (qb && truthy(v.quantization_bit) && ![2, 3, 4, 5, 6, 8].includes(Number(v.quantization_bit))) ctx.at(qb, 'invalid-value', 'error', `quantization_bit ${String(v.quantization_bit)} is not supported; bitsandbytes takes 4 or 8 (HQQ/EETQ support 2–8).`, { at: 'value' });
  const stage = ctx.str('stage') ?? 'sft';
  if (stage !== 'sft' && v.predict_with_generate === true) ctx.at(ctx.entry('predict_with_generate')!, 'stage-conflict', 'error', '`predict_with_generate` only works with stage: sft.');
  if (stage === 'ppo' && !truthy(v.reward_model) && v.do_train !== false) ctx.at(ctx.entry('stage')!, 'ppo-needs-reward-model', 'error', 'stage: ppo needs reward_model (a path or adapter).', { at: 'value' });
  if (v.do_train === true && !truthy(v.dataset)) ctx.at(ctx.entry('do_train')!, 'missing-dataset', 'error', 'do_train is true but no `dataset` is set (names from dataset_info.json); LLaMA-Factory stops with "Please specify dataset for training."');
  if (v.do_train === true && (stage === 'sft' || stage === 'dpo' || stage === 'kto' || stage === 'rm') && !ctx.entry('template')) ctx.at(ctx.entry('stage') ?? ctx.entry('do_train')!, 'missing-template', 'warning', `No \`template\`: LLaMA-Factory falls back to the "empty" template, which does not match an instruct model's chat format. Set template to the model family (e.g. llama3, qwen).`);
  const es = ctx.str('eval_strategy');
  // parser.py: (do_eval or do_predict or predict_with_generate) without eval data raises; transformers turns
  // do_eval on whenever eval_strategy is not "no".
  const evalKey = es && es !== 'no' ? 'eval_strategy' : v.do_eval === true ? 'do_eval' : v.do_predict === true ? 'do_predict' : v.predict_with_generate === true ? 'predict_with_generate' : undefined;
  if (evalKey && !truthy(v.val_size) && !truthy(v.eval_dataset)) ctx.at(ctx.entry(evalKey)!, 'eval-without-data', 'error', `${evalKey === 'eval_strategy' ? `eval_strategy is "${es}"` : `${evalKey} is true`} but there is no eval_dataset and val_size is 0; LLaMA-Factory stops with "Please make sure eval_dataset be provided or val_size >1e-6".`, { at: evalKey === 'eval_strategy' ? 'value' : 'key' });
  if (truthy(v.streaming) && !truthy(v.max_steps)) ctx.at(ctx.entry('streaming')!, 'streaming-needs-max-steps', 'error', 'streaming: true needs max_steps (the dataset length is unknown); LLaMA-Factory stops with "Please specify `max_steps` in streaming mode".');
  if (truthy(v.streaming) && typeof v.val_size === 'number' && v.val_size > 0 && v.val_size < 1) ctx.at(ctx.entry('val_size')!, 'streaming-val-size', 'error', 'With streaming, val_size must be an integer number of samples ("Streaming mode should have an integer val size").', { at: 'value' });
  // DataArguments.__post_init__ (hparams/data_args.py)
  const vsE = ctx.entry('val_size');
  const vsz = ctx.num('val_size') ?? 0;
  if (vsE && vsz > 1e-6 && !truthy(v.dataset)) ctx.at(vsE, 'val-size-conflict', 'error', 'val_size splits the training `dataset`, but no dataset is set ("Cannot specify `val_size` if `dataset` is None").');
  if (vsE && vsz > 1e-6 && truthy(v.eval_dataset)) ctx.at(vsE, 'val-size-conflict', 'error', 'val_size and eval_dataset are exclusive: evaluation uses either a split of the training data or eval_dataset ("Cannot specify `val_size` if `eval_dataset` is not None").', { related: [{ file: ctx.opts.fileName, range: ctx.li.range(ctx.entry('eval_dataset')!.keyStart, ctx.entry('eval_dataset')!.keyEnd), message: 'eval_dataset' }] });
  const ip = ctx.entry('interleave_probs');
  if (ip && truthy(v.interleave_probs)) {
    const mix = ctx.str('mix_strategy') ?? 'concat';
    if (mix === 'concat') ctx.at(ip, 'interleave-probs-concat', 'error', 'interleave_probs only applies to mix_strategy interleave_under/interleave_over; with "concat" LLaMA-Factory stops ("`interleave_probs` is only valid for interleaved mixing").');
    const n = (x: unknown) => (typeof x === 'string' ? x.split(',').length : Array.isArray(x) ? x.length : 0);
    if (truthy(v.dataset) && n(v.interleave_probs) !== n(v.dataset)) ctx.at(ip, 'interleave-probs-count', 'error', `interleave_probs has ${n(v.interleave_probs)} value(s) but dataset names ${n(v.dataset)}; they must match one to one.`, { at: 'value' });
  }
  if (truthy(v.streaming) && ctx.entry('max_samples') && truthy(v.max_samples)) ctx.at(ctx.entry('max_samples')!, 'streaming-max-samples', 'error', '`max_samples` is incompatible with `streaming` (LLaMA-Factory refuses the combination).');
  if (v.mask_history === true && v.train_on_prompt === true) ctx.at(ctx.entry('mask_history')!, 'mask-history-train-on-prompt', 'error', '`mask_history` is incompatible with `train_on_prompt`: one masks earlier turns, the other trains on prompts.', { related: [{ file: ctx.opts.fileName, range: ctx.li.range(ctx.entry('train_on_prompt')!.keyStart, ctx.entry('train_on_prompt')!.keyEnd), message: 'train_on_prompt' }] });
  if (ft !== 'lora') {
    const lk = ['lora_rank', 'lora_alpha', 'lora_dropout', 'lora_target'].find((k) => ctx.entry(k));
    if (lk) ctx.at(ctx.entry(lk)!, 'lora-without-adapter', 'warning', `${lk} has no effect with finetuning_type: ${ft}.`);
  }
  loraValues(ctx, 'lora_rank', 'lora_alpha', 'lora_dropout');
  const cl = ctx.num('cutoff_len');
  if (cl && cl > 131072) ctx.at(ctx.entry('cutoff_len')!, 'sequence-len-large', 'warning', `cutoff_len ${cl} exceeds the context length of nearly all models.`, { at: 'value' });
  fp16Bf16(ctx); loadBest(ctx); warmup(ctx); hfSchedulesAndStrategies(ctx); learningRate(ctx, ft === 'lora' || ft === 'oft'); precisionOptimizer(ctx, 'optim'); evalSetup(ctx);
  hfFacts(ctx, 'per_device_train_batch_size', ['cutoff_len']);
}

// ---------------------------------------------------------------- torchtune

const INTERP = /\$\{([^}]*)\}/g;

/** OmegaConf interpolations must resolve (InterpolationKeyError otherwise); recipe-level checks from torchtune recipes. */
/**
 * torchtune `_component_` paths that moved between releases (checked against torchtune's git history:
 * torchtune/utils/metric_logging.py became torchtune/training/metric_logging.py in v0.3.0, commit 4dff2077e
 * "Move metric logging from utils to training (#1459)"). `from`: the old module prefix, `to`: the new one.
 */
const TORCHTUNE_MOVES: { from: string; to: string; release: string }[] = [
  { from: 'torchtune.utils.metric_logging.', to: 'torchtune.training.metric_logging.', release: '0.3.0' },
];

/**
 * A `_component_` path the torchtune version of the run cannot import: the old path with torchtune >= the move
 * (error), or the new one before it (error); with the version unknown, the old path is a warning that says from
 * which release it fails.
 */
function torchtuneComponents(ctx: RuleContext): void {
  const ver = ctx.opts.versions?.torchtune;
  const visit = (n: CNode | null, depth: number) => {
    if (!n || depth > 64) return;
    if (n.kind === 'seq') { for (const it of n.items!) visit(it, depth + 1); return; }
    if (n.kind !== 'map') return;
    for (const e of n.entries!) {
      if (e.key === '_component_' && e.value?.kind === 'scalar' && typeof e.value.value === 'string') {
        const path = e.value.value;
        for (const m of TORCHTUNE_MOVES) {
          const fixTo = (a: string, b: string) => [{ title: `Use ${b}${path.slice(a.length)}`, edits: [ctx.replace(e.value!.start, e.value!.end, b + path.slice(a.length))], isPreferred: true }];
          if (path.startsWith(m.from)) {
            const after = ver !== undefined && compareVersions(ver, m.release) >= 0;
            if (ver !== undefined && !after) continue;
            ctx.at(e, 'component-moved', after ? 'error' : 'warning', `\`${path}\` moved to \`${m.to}${path.slice(m.from.length)}\` in torchtune ${m.release}; ${after ? `the run uses torchtune ${ver}, where` : 'from that release'} config.instantiate fails with "No module named ${m.from.slice(0, -1)}".`, { at: 'value', fixes: fixTo(m.from, m.to) });
          } else if (path.startsWith(m.to) && ver !== undefined && compareVersions(ver, m.release) < 0) {
            ctx.at(e, 'component-moved', 'error', `\`${path}\` exists from torchtune ${m.release}; the run uses torchtune ${ver}, where it is \`${m.from}${path.slice(m.to.length)}\`.`, { at: 'value', fixes: fixTo(m.to, m.from) });
          }
        }
      } else visit(e.value, depth + 1);
    }
  };
  visit(ctx.root, 0);
}

function torchtuneRules(ctx: RuleContext): void {
  const root = ctx.root!;
  const visit = (n: CNode | null, depth: number) => {
    if (!n || depth > 64) return;
    if (n.kind === 'map') for (const e of n.entries!) visit(e.value, depth + 1);
    else if (n.kind === 'seq') for (const it of n.items!) visit(it, depth + 1);
    else if (typeof n.value === 'string' && n.value.includes('${')) {
      INTERP.lastIndex = 0;
      let m: RegExpExecArray | null;
      while ((m = INTERP.exec(n.value))) {
        const ref = m[1].trim();
        if (!ref || ref.includes(':') || ref.startsWith('.') || ref.includes('${')) continue; // resolvers (oc.env:...), relative refs
        const path = ref.split('.');
        if (!getPath(root, path)) ctx.add('unresolved-interpolation', 'error', `\${${ref}} refers to a key that does not exist in this config; OmegaConf raises InterpolationKeyError when the recipe reads it.`, n.start, n.end);
      }
    }
  };
  visit(root, 0);
  const v = ctx.value;
  const oib = ctx.entry('optimizer_in_bwd');
  const gas = ctx.num('gradient_accumulation_steps');
  if (oib && v.optimizer_in_bwd === true && gas !== undefined && gas > 1) ctx.at(ctx.entry('gradient_accumulation_steps')!, 'optimizer-in-bwd-gas', 'error', `optimizer_in_bwd: true steps the optimizer inside backward, so gradient_accumulation_steps must be 1 (the recipes raise "Gradient accumulation is not supported with optimizer in bwd"); it is ${gas}.`, { at: 'value', related: [{ file: ctx.opts.fileName, range: ctx.li.range(oib.keyStart, oib.keyEnd), message: 'optimizer_in_bwd: true' }], fixes: [{ title: 'Set gradient_accumulation_steps: 1', edits: [ctx.replace(ctx.entry('gradient_accumulation_steps')!.value!.start, ctx.entry('gradient_accumulation_steps')!.value!.end, '1')], isPreferred: true }] });
  if (v.enable_activation_offloading === true && v.enable_activation_checkpointing !== true) ctx.at(ctx.entry('enable_activation_offloading')!, 'offloading-without-checkpointing', 'warning', 'enable_activation_offloading without enable_activation_checkpointing offloads every activation and is very slow; torchtune recommends enabling both.', { at: 'entry' });
  if (v.dtype === 'fp16') ctx.at(ctx.entry('dtype')!, 'dtype-fp16', 'warning', 'torchtune recipes do not support fp16 training (they raise "full fp16 training is not supported"); use bf16 or fp32.', { at: 'value' });
  // components need _component_
  for (const k of ['model', 'tokenizer', 'checkpointer', 'optimizer', 'loss', 'lr_scheduler', 'metric_logger']) {
    const e = ctx.entry(k);
    if (e?.value?.kind === 'map' && !getEntry(e.value, '_component_')) ctx.at(e, 'missing-component', 'error', `\`${k}\` has no \`_component_\`: torchtune's config.instantiate needs the dotted path of what to build.`);
  }
  // packed datasets need tokenizer.max_seq_len (torchtune datasets: "PackedDataset requires a max_seq_len")
  const packedE = ctx.entry('dataset', 'packed');
  if (packedE && ctx.bool('dataset', 'packed') === true && !ctx.num('tokenizer', 'max_seq_len')) ctx.at(packedE, 'packing-needs-length', 'error', 'dataset.packed: true requires tokenizer.max_seq_len to be set (the pack size).', { at: 'entry' });
  const lr = ctx.num('optimizer', 'lr'); const lre = ctx.entry('optimizer', 'lr');
  if (lre && lr !== undefined && lr >= 1) ctx.at(lre, 'lr-too-high', 'warning', `optimizer.lr ${lr} is far above usable values (typical 1e-5–3e-4).`, { at: 'value' });
  const lrs = ctx.str('optimizer', 'lr');
  if (lre && lrs && !lrs.includes('${')) ctx.at(lre, 'wrong-type', 'error', `optimizer.lr is the string '${lrs}', not a number.`, { at: 'value' });
  if (ctx.entry('model', 'lora_rank')) loraValues(ctx, 'lora_rank', 'lora_alpha', 'lora_dropout', ['model']);
  const ld = ctx.num('model', 'lora_dropout'); const lde = ctx.entry('model', 'lora_dropout');
  if (lde && ld !== undefined && (ld < 0 || ld >= 1)) ctx.at(lde, 'out-of-range', 'error', `lora_dropout must be in [0, 1); got ${ld}.`, { at: 'value' });
  const { micro: bs, gas: g } = batchOf(ctx)!; const be = ctx.entry('batch_size');
  if (be) {
    ctx.facts.push({ label: `Effective batch: ${bs} × ${g} = ${bs * g} per GPU (× number of GPUs)`, range: ctx.li.range(be.keyStart, be.keyEnd), detail: 'batch_size × gradient_accumulation_steps × number of GPUs: samples per optimizer step.' });
    const msl = ctx.num('tokenizer', 'max_seq_len');
    if (msl) ctx.facts.push({ label: `Tokens per optimizer step: ≤ ${(bs * g * msl).toLocaleString('en-US')} per GPU`, range: ctx.li.range(ctx.entry('tokenizer', 'max_seq_len')!.keyStart, ctx.entry('tokenizer', 'max_seq_len')!.keyEnd), detail: `${bs} × ${g} × max_seq_len ${msl}` });
  }
}

// ---------------------------------------------------------------- DeepSpeed

/**
 * DeepSpeed alone (runtime/config.py `_batch_assertion`, `_do_error_check`; zero/config.py):
 * batch identity, fp16+bf16, ZeRO stage vs offload.
 */
function deepspeedRules(ctx: RuleContext): void {
  const root = ctx.root!;
  // Values of the pydantic sections as DeepSpeed reads them: lax mode converts "3", "true", "1e-5" (pydanticLax.ts).
  const laxStr = (n: CNode | null | undefined) => (n?.kind === 'scalar' && typeof n.value === 'string' ? n.value : undefined);
  const dsNum = (n: CNode | null | undefined, kind: 'int' | 'float'): number | undefined => { const s = laxStr(n); return numOf(n) ?? (s === undefined ? undefined : laxFromString(s, kind) as number | undefined); };
  const dsBool = (n: CNode | null | undefined): boolean | undefined => { const s = laxStr(n); return boolOf(n) ?? (s === undefined ? undefined : laxFromString(s, 'bool') as boolean | undefined); };
  const tbsE = getEntry(root, 'train_batch_size'), mbE = getEntry(root, 'train_micro_batch_size_per_gpu'), gaE = getEntry(root, 'gradient_accumulation_steps');
  const tbs = numOf(tbsE?.value), mb = numOf(mbE?.value), ga = numOf(gaE?.value);
  if (tbs !== undefined && mb !== undefined && ga !== undefined) {
    if (tbs % (mb * ga) !== 0) ctx.at(tbsE!, 'ds-batch-size', 'error', `train_batch_size (${tbs}) must equal train_micro_batch_size_per_gpu × gradient_accumulation_steps × world_size = ${mb} × ${ga} × N; ${tbs} is not a multiple of ${mb * ga}, so no GPU count satisfies it and DeepSpeed stops with "Check batch related parameters".`, { at: 'value', related: [mbE!, gaE!].map((e) => ({ file: ctx.opts.fileName, range: ctx.li.range(e.keyStart, e.value!.end), message: `${e.key}: ${String(e.value!.value)}` })) });
    else ctx.facts.push({ label: `Batch identity holds for exactly ${tbs / (mb * ga)} GPU(s)`, range: ctx.li.range(tbsE!.keyStart, tbsE!.keyEnd), detail: `${tbs} = ${mb} × ${ga} × ${tbs / (mb * ga)}; any other world size fails DeepSpeed's batch assertion.` });
  } else if (tbs !== undefined && (mb !== undefined || ga !== undefined)) {
    const per = (mb ?? 1) * (ga ?? 1);
    if (tbs % per !== 0) ctx.at(tbsE!, 'ds-batch-size', 'error', `train_batch_size (${tbs}) is not a multiple of ${mb !== undefined ? `train_micro_batch_size_per_gpu (${mb})` : `gradient_accumulation_steps (${ga})`}; DeepSpeed cannot derive the missing value and stops at start-up.`, { at: 'value' });
  }
  const fp = getPath(root, ['fp16', 'enabled']), bf = getPath(root, ['bf16', 'enabled']) ?? getPath(root, ['bfloat16', 'enabled']);
  if (fp && bf && dsBool(fp.value) === true && dsBool(bf.value) === true) ctx.at(bf, 'fp16-bf16-conflict', 'error', 'fp16.enabled and bf16.enabled are both true; DeepSpeed asserts "bfloat16 and fp16 modes cannot be simultaneously enabled". Keep one.', { at: 'value', related: [{ file: ctx.opts.fileName, range: ctx.li.range(fp.value!.start, fp.value!.end), message: 'fp16.enabled: true' }] });
  const stageE = getPath(root, ['zero_optimization', 'stage']);
  // An unreadable stage ("three", "auto") is no stage 0: the type check reports it.
  const stage = stageE ? dsNum(stageE.value, 'int') : getEntry(root, 'zero_optimization') ? 0 : undefined;
  const offP = getPath(root, ['zero_optimization', 'offload_param', 'device']);
  const offO = getPath(root, ['zero_optimization', 'offload_optimizer', 'device']);
  const dev = (e?: CEntry) => (e?.value?.kind === 'scalar' && typeof e.value.value === 'string' ? e.value.value : undefined);
  if (stage !== undefined && stage < 3 && offP && dev(offP) && dev(offP) !== 'none') ctx.at(offP, 'zero-offload-stage', 'warning', `offload_param only works with ZeRO stage 3; with stage ${stage} it is ignored and parameters stay on the GPU. Use stage 3 or remove offload_param.`, { at: 'value', related: stageE ? [{ file: ctx.opts.fileName, range: ctx.li.range(stageE.value!.start, stageE.value!.end), message: `stage ${stage}` }] : [] });
  if (stage === 0 && offO && dev(offO) && dev(offO) !== 'none') ctx.at(offO, 'zero-offload-stage', 'warning', 'offload_optimizer needs ZeRO stage 1, 2 or 3; with stage 0 it is ignored.', { at: 'value' });
  for (const e of [offP, offO]) if (e && dev(e) === 'nvme' && !getPath(root, ['zero_optimization', e === offP ? 'offload_param' : 'offload_optimizer', 'nvme_path'])) ctx.at(e, 'nvme-path-missing', 'error', 'device "nvme" needs nvme_path (a fast local NVMe directory).', { at: 'value' });
  const opt = getPath(root, ['optimizer', 'type']);
  const optName = opt?.value?.kind === 'scalar' ? String(opt.value.value) : undefined;
  if (opt && optName && offO && dev(offO) === 'cpu' && /^(OneBit|ZeroOne|Lamb|Lion)/.test(optName)) ctx.at(opt, 'offload-optimizer-type', 'warning', `ZeRO-Offload runs the optimizer on the CPU with DeepSpeedCPUAdam/Adagrad/Lion; optimizer "${optName}" is not supported there.`, { at: 'value' });
  const fp16 = dsBool(fp?.value) === true;
  const ls = dsNum(getPath(root, ['fp16', 'loss_scale'])?.value, 'float');
  if (fp16 && ls !== undefined && ls > 0 && ls < 1) ctx.at(getPath(root, ['fp16', 'loss_scale'])!, 'loss-scale', 'warning', `fp16.loss_scale ${ls} < 1 shrinks gradients and makes fp16 underflow worse; use 0 (dynamic) or a power of two ≥ 1.`, { at: 'value' });
  if (stage === 3) {
    const g = getPath(root, ['zero_optimization', 'stage3_gather_16bit_weights_on_model_save']) ?? getPath(root, ['zero_optimization', 'gather_16bit_weights_on_model_save']) ?? getPath(root, ['zero_optimization', 'stage3_gather_fp16_weights_on_model_save']);
    if (g && dsBool(g.value) === false) ctx.at(g, 'zero3-save', 'info', 'With ZeRO-3 and this false, save_model() writes only the sharded DeepSpeed checkpoint; run zero_to_fp32.py to get usable weights.', { at: 'value' });
  }
  const clip = getEntry(root, 'gradient_clipping');
  if (clip && numOf(clip.value) === 0) ctx.at(clip, 'clipping-off', 'info', 'gradient_clipping 0 disables clipping.', { at: 'value' });
}

// ---------------------------------------------------------------- Accelerate

/** accelerate utils/dataclasses.py DeepSpeedPlugin/FullyShardedDataParallelPlugin __post_init__ and launch checks. */
function accelerateRules(ctx: RuleContext): void {
  const v = ctx.value;
  const dt = ctx.str('distributed_type');
  const dsc = ctx.entry('deepspeed_config'), fsc = ctx.entry('fsdp_config');
  if (dsc?.value?.kind === 'map' && dsc.value.entries!.length && dt && dt !== 'DEEPSPEED') ctx.at(dsc, 'ignored-section', 'warning', `deepspeed_config is ignored because distributed_type is ${dt}, not DEEPSPEED.`, { related: [{ file: ctx.opts.fileName, range: ctx.li.range(ctx.entry('distributed_type')!.value!.start, ctx.entry('distributed_type')!.value!.end), message: 'distributed_type' }] });
  if (fsc?.value?.kind === 'map' && fsc.value.entries!.length && dt && dt !== 'FSDP') ctx.at(fsc, 'ignored-section', 'warning', `fsdp_config is ignored because distributed_type is ${dt}, not FSDP.`, { related: [{ file: ctx.opts.fileName, range: ctx.li.range(ctx.entry('distributed_type')!.value!.start, ctx.entry('distributed_type')!.value!.end), message: 'distributed_type' }] });
  if (dt === 'DEEPSPEED' && !dsc) ctx.at(ctx.entry('distributed_type')!, 'missing-section', 'warning', 'distributed_type is DEEPSPEED but there is no deepspeed_config; accelerate will fall back to ZeRO stage 2 defaults or prompt for them.', { at: 'value' });
  const np = ctx.num('num_processes'), nm = ctx.num('num_machines');
  if (np !== undefined && nm !== undefined && np < nm) ctx.at(ctx.entry('num_processes')!, 'num-processes', 'error', `num_processes (${np}) is the total over all machines, so it cannot be smaller than num_machines (${nm}).`, { at: 'value' });
  if (np !== undefined && nm !== undefined && nm > 1 && np % nm !== 0) ctx.at(ctx.entry('num_processes')!, 'num-processes', 'warning', `num_processes (${np}) is not divisible by num_machines (${nm}); accelerate launches num_processes / num_machines processes per machine.`, { at: 'value' });
  if (np !== undefined && np > 1 && (dt === 'NO' || !dt) && ctx.entry('distributed_type')) ctx.at(ctx.entry('distributed_type')!, 'single-process', 'warning', `num_processes is ${np} but distributed_type is NO: only one process runs.`, { at: 'value' });
  if (ctx.entry('machine_rank') && nm !== undefined && (ctx.num('machine_rank') ?? 0) >= nm) ctx.at(ctx.entry('machine_rank')!, 'machine-rank', 'error', `machine_rank ${ctx.num('machine_rank')} must be smaller than num_machines (${nm}).`, { at: 'value' });
  if (nm !== undefined && nm > 1 && !v.main_process_ip) ctx.at(ctx.entry('num_machines')!, 'multi-node-ip', 'warning', 'num_machines > 1 needs main_process_ip (and main_process_port) so the other machines can reach rank 0.', { at: 'value' });
  // Inline deepspeed_config
  if (dsc?.value?.kind === 'map') {
    const file = getEntry(dsc.value, 'deepspeed_config_file');
    const stage = numOf(getEntry(dsc.value, 'zero_stage')?.value);
    const offP = getEntry(dsc.value, 'offload_param_device');
    if (offP && stage !== undefined && stage < 3 && offP.value?.value && offP.value.value !== 'none') ctx.at(offP, 'zero-offload-stage', 'warning', `offload_param_device only works with ZeRO stage 3 (zero_stage is ${stage}); parameters will not be offloaded.`, { at: 'value' });
    if (file) {
      // DeepSpeedPlugin.__post_init__: with a config file, these plugin fields must not be set (ValueError).
      const ignored = ['gradient_accumulation_steps', 'gradient_clipping', 'zero_stage', 'offload_optimizer_device', 'offload_param_device', 'offload_param_nvme_path', 'offload_optimizer_nvme_path', 'zero3_save_16bit_model'];
      for (const e of dsc.value.entries!) if (ignored.includes(e.key) && !(e.value?.value === 'none' && e.key.includes('nvme'))) ctx.at(e, 'ds-config-file-conflict', 'error', `With deepspeed_config_file set, accelerate refuses ${e.key} here ("the following accelerate config variables will be ignored"); put it in the DeepSpeed JSON instead.`, { fixes: [{ title: `Remove ${e.key}`, edits: [ctx.deleteEntry(e)], isPreferred: true }] });
      crossAccelerateDs(ctx);
    }
  }
  if (fsc?.value?.kind === 'map') {
    const f = fsc.value;
    const cre = getEntry(f, 'fsdp_cpu_ram_efficient_loading'), sms = getEntry(f, 'fsdp_sync_module_states');
    if (cre && boolOf(cre.value) === true && sms && boolOf(sms.value) === false) ctx.at(sms, 'fsdp-sync-module-states', 'error', 'fsdp_cpu_ram_efficient_loading: true loads weights only on rank 0, so fsdp_sync_module_states must be true to broadcast them (accelerate raises otherwise).', { at: 'value', related: [{ file: ctx.opts.fileName, range: ctx.li.range(cre.keyStart, cre.keyEnd), message: 'fsdp_cpu_ram_efficient_loading' }] });
    const wrap = getEntry(f, 'fsdp_auto_wrap_policy'); const cls = getEntry(f, 'fsdp_transformer_layer_cls_to_wrap');
    if (wrap && wrap.value?.value === 'SIZE_BASED_WRAP' && cls) ctx.at(cls, 'fsdp-wrap-ignored', 'warning', 'fsdp_transformer_layer_cls_to_wrap is ignored with SIZE_BASED_WRAP (use fsdp_min_num_params).');
    const ver = numOf(getEntry(f, 'fsdp_version')?.value);
    const ss = getEntry(f, 'fsdp_sharding_strategy');
    if (ver === 2 && ss) ctx.at(ss, 'fsdp2-key', 'warning', 'FSDP2 (fsdp_version: 2) does not use fsdp_sharding_strategy; use fsdp_reshard_after_forward (true = FULL_SHARD, false = SHARD_GRAD_OP).');
  }
  if (np) ctx.facts.push({ label: `World size: ${np} process${np > 1 ? 'es' : ''}${nm && nm > 1 ? ` on ${nm} machines` : ''}`, range: ctx.li.range(ctx.entry('num_processes')!.keyStart, ctx.entry('num_processes')!.keyEnd) });
}

/** Accelerate config + its deepspeed_config_file: precision must agree (accelerate DeepSpeedPlugin + HF integration). */
function crossAccelerateDs(ctx: RuleContext): void {
  for (const ref of refsFor('accelerate')!(ctx)) {
    const l = loadDsRef(ctx, ref);
    if (!l) continue;
    const mp = ctx.str('mixed_precision');
    const ds = l.parsed.root!;
    const mpE = ctx.entry('mixed_precision');
    for (const [kind, other] of [['fp16', 'bf16'], ['bf16', 'fp16']] as const) {
      const en = getPath(ds, [kind, 'enabled']);
      if (mp === other && en && boolOf(en.value) === true && mpE) ctx.at(mpE, 'precision-mismatch', 'error', `mixed_precision is ${mp} but ${ref.path} enables ${kind}; accelerate stops on the conflicting precision. Set ${kind}.enabled to "auto" in the JSON, or mixed_precision to ${kind}.`, { at: 'value', related: [relatedAt(l, en, `${kind}.enabled: true`)], fixes: [fixInOther(l, en, '"auto"', `Set ${kind}.enabled to "auto" in ${ref.path}`)] });
    }
    const np = ctx.num('num_processes');
    const tbsE = getEntry(ds, 'train_batch_size'); const tbs = numOf(tbsE?.value);
    const mb = numOf(getEntry(ds, 'train_micro_batch_size_per_gpu')?.value), ga = numOf(getEntry(ds, 'gradient_accumulation_steps')?.value);
    if (np && tbs !== undefined && mb !== undefined && ga !== undefined && tbs !== mb * ga * np) {
      ctx.at(ctx.entry('num_processes')!, 'ds-batch-size', 'error', `${ref.path} says train_batch_size ${tbs}, but train_micro_batch_size_per_gpu × gradient_accumulation_steps × num_processes = ${mb} × ${ga} × ${np} = ${mb * ga * np}; DeepSpeed's batch assertion fails at start-up.`, { at: 'value', related: [relatedAt(l, tbsE!, `train_batch_size ${tbs}`)] });
    }
  }
}

// ---------------------------------------------------------------- PEFT

/** PEFT LoraConfig.__post_init__ checks (tuners/lora/config.py). */
function peftRules(ctx: RuleContext): void {
  const v = ctx.value;
  if (truthy(v.layers_pattern) && !truthy(v.layers_to_transform)) ctx.at(ctx.entry('layers_pattern')!, 'peft-layers-pattern', 'error', 'layers_pattern only makes sense with layers_to_transform; PEFT raises "When `layers_pattern` is specified, `layers_to_transform` must also be specified".');
  if (truthy(v.use_dora) && truthy(v.megatron_config)) ctx.at(ctx.entry('use_dora')!, 'peft-dora-megatron', 'error', 'DoRA does not support Megatron layers.');
  if (v.peft_type !== undefined && v.peft_type !== 'LORA') return;
  if (ctx.entry('r') && ctx.entry('target_modules') && (v.target_modules === null) && !truthy(v.target_parameters)) ctx.at(ctx.entry('target_modules')!, 'peft-no-targets', 'info', 'target_modules is null: PEFT uses its default for known architectures and fails for others.');
  loraValues(ctx, 'r', 'lora_alpha', 'lora_dropout');
}

/**
 * `key-version` for TRL (keyHistory.ts): the *Config fields and those of TRL's ScriptArguments/ModelConfig (the
 * hand-written `trlScript` list) by the TRL history; the alignment handbook's keys follow its own scripts, so they
 * are left to unknown-key.
 */
const keyVersions = keyVersionRule('trl', new Set([...Object.keys(hfRenamed), ...Object.keys(alignmentHandbook)]));
/**
 * `key-version` for transformers (keyHistory.ts, tables/transformers-key-history.json): a TrainingArguments key the
 * run's transformers does not have, with the release that added or removed it. Keys another dataclass of the same
 * parser defines (TRL's configs, ScriptArguments/ModelConfig, the alignment handbook) are left alone: the parser
 * accepts them whatever the transformers release.
 */
const transformersKeyVersions = keyVersionRule('transformers', new Set([...Object.keys(trlScript), ...Object.keys(trlConfigs), ...Object.keys(alignmentHandbook), ...historyKeys('trl')]));
/**
 * The same for LLaMA-Factory (hparams/parser.py: HfArgumentParser over its dataclasses and transformers'
 * Seq2SeqTrainingArguments): LLaMA-Factory's own fields, in any tabled or historical release, are left to its rules.
 */
const lfTransformersKeyVersions = keyVersionRule('transformers', new Set([
  ...historyKeys('llamafactory'),
  ...(KEY_TABLES.llamafactory ?? []).flatMap((t) => Object.values(t.roots).flat().flatMap((c) => flattenClass(t, c).map((x) => x.field.name))),
]));

/**
 * `key-version` for LLaMA-Factory: its key history covers its own dataclasses only, so a key transformers'
 * TrainingArguments has (the external base of its TrainingArguments: hand-written in schemas/hf.ts, and every
 * transformers key table) is left out. `overwrite_output_dir` is a field of LLaMA-Factory's TrainingArguments from
 * 0.9.4 (transformers 5 dropped it), but 0.9.3 takes it from Seq2SeqTrainingArguments: all 30 training examples of
 * 0.9.3 set it.
 */
const lfKeyVersions = keyVersionRule('llamafactory', new Set([...Object.keys(trainingArguments), ...(KEY_TABLES.transformers ?? []).flatMap((t) => Object.values(t.roots).flat().flatMap((c) => flattenClass(t, c).map((x) => x.field.name)))]));

export function rulesFor(fw: Framework): Rule[] {
  switch (fw) {
    case 'hf-trainer': return [fp16Bf16, loadBest, warmup, hfSchedulesAndStrategies, (c) => learningRate(c, c.bool('use_peft') === true), (c) => precisionOptimizer(c, 'optim'), hfLora, trlLengths, evalSetup, (c) => hfFacts(c, 'per_device_train_batch_size', ['max_length', 'max_seq_length']), crossDeepSpeed, keyVersions, transformersKeyVersions, trlClassKeyRule, peftKeyRule('hf-trainer'), stepsNotInteger, crossLaunch, fsdpLayerClass, missingDatasets];
    case 'axolotl': return [axolotlRules, crossDeepSpeed, keyVersionRule('axolotl'), peftKeyRule('axolotl'), crossLaunch, fsdpLayerClass, missingDatasets];
    case 'llamafactory': return [llamafactoryRules, crossDeepSpeed, stepsNotInteger, lfKeyVersions, lfTransformersKeyVersions, peftKeyRule('llamafactory'), crossLaunch, fsdpLayerClass, missingDatasets];
    case 'torchtune': return [torchtuneRules, torchtuneComponents, torchtuneComponentArgs, missingDatasets];
    case 'deepspeed': return [deepspeedRules];
    case 'accelerate': return [accelerateRules, crossLaunch, fsdpLayerClass];
    case 'peft': return [peftRules];
    default: return [];
  }
}
