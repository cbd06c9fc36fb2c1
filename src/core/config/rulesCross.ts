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
  const def = frameworkDef(det.framework, 'variant' in det ? det.variant : undefined);
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
