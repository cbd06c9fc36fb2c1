/**
 * PEFT adapter_config.json (LoraConfig and the PeftConfig base). `PeftConfig.from_pretrained` builds the config
 * class from this JSON; keys the installed PEFT does not know are dropped with a warning (newer PEFT) or raise
 * (older), so unknown keys are warnings here.
 *
 * Key list checked against the LoraConfig signature of PEFT v0.19.0 (docs/peft/v0.19.0 package_reference/lora, built
 * from src/peft/tuners/lora/config.py) and against the older config.py (r, target_modules ... runtime_config).
 *
 * Sources: https://github.com/huggingface/peft/blob/main/src/peft/tuners/lora/config.py ,
 * https://github.com/huggingface/peft/blob/main/src/peft/config.py , https://huggingface.co/docs/peft/package_reference/lora
 */
import { z } from 'zod';
import { any, bool, custom, enm, float, int, list, map, obj, str } from '../spec';
import type { ObjSpec } from '../spec';
import { KEY_TABLES, addTable, objFromClasses, tableForVersion, tableRelease, versionGaps } from '../tables';
import type { VersionGap } from '../tables';
import { historyKeys, keyVersionFinding } from '../keyHistory';
import { compareVersions } from '../trlDefaults';

const SRC = 'https://github.com/huggingface/peft/blob/main/src/peft/tuners/lora/config.py';
const BASE = 'https://github.com/huggingface/peft/blob/main/src/peft/config.py';
export const PEFT_TYPES = ['LORA', 'LOHA', 'LOKR', 'ADALORA', 'IA3', 'PROMPT_TUNING', 'PREFIX_TUNING', 'P_TUNING', 'MULTITASK_PROMPT_TUNING', 'OFT', 'BOFT', 'POLY', 'LN_TUNING', 'VERA', 'FOURIERFT', 'XLORA', 'HRA', 'VBLORA', 'CPT', 'BONE', 'RANDLORA', 'TRAINABLE_TOKENS', 'C3A', 'MISS', 'SHIRA', 'ROAD', 'WAVEFT', 'DELORA', 'OSF'] as const;

/**
 * The LoraConfig keys: the hand-written specs below (with their bounds and value lists) plus every field of LoraConfig
 * and its PeftConfig bases in the generated tables (tables/peft-<release>.json), added by {@link addTable}; hovers of
 * table keys link the field's line at that table's commit.
 *
 * `version`: the PEFT version the run uses (issue 15). With it, only the newest table at or below it (else the
 * oldest) is used, and a field that only another tabled release has, or that the PEFT key history
 * (peft-key-history.json, every release 0.4.0-0.20.0) says this version lacks (`use_dora` before 0.9.0), hand-written
 * or not, is a `key-version` finding naming the release that added or removed it, at the severity of what that
 * PEFT does with the key ({@link peftLoadsUnknownKey}: an error for 0.6.0-0.13.x, whose `config_cls(**kwargs)`
 * raises TypeError; a warning from 0.14.0, which drops it, and before 0.6.0, which ignores it). Without it, every
 * tabled release, newest first.
 */
export function peftRoot(version?: string): ObjSpec {
  let spec = peftHand();
  const choice = tableForVersion('peft', version);
  for (const t of choice?.version ? [choice.table] : KEY_TABLES.peft ?? []) {
    if (!t?.classes.LoraConfig) continue;
    spec = addTable(spec, objFromClasses(t, ['LoraConfig'], 'LoraConfig', { nestedUnknown: 'warning', enumSeverity: 'warning', label: `PEFT ${tableRelease(t)}` }));
  }
  if (!choice?.version) return spec;
  const gaps: Record<string, VersionGap> = versionGaps('peft', choice, (t) => (t.classes.LoraConfig ? ['LoraConfig'] : []), { label: 'PEFT', where: 'LoraConfig', history: 'peft' });
  // Every LoraConfig field of the key history (PEFT 0.4.0-0.20.0, each release), not only those another table has:
  // `use_dora` with PEFT 0.8.0 (added 0.9.0) is in both tables, yet 0.8.0 lacks it.
  const load = peftLoadsUnknownKey(choice.version);
  for (const k of historyKeys('peft')) {
    const f = keyVersionFinding('peft', k, choice.version);
    if (!f) continue;
    const when = f.kind === 'added' ? `was added to LoraConfig in PEFT ${f.release}` : `was removed from LoraConfig in PEFT ${f.release} (last in ${f.lastWith})`;
    gaps[k] = { severity: load.severity, message: `\`${k}\` ${when}; the run uses PEFT ${choice.version}, which does not have it: ${load.what}` };
  }
  for (const k of Object.keys(gaps)) delete spec.keys[k];
  return Object.keys(gaps).length ? { ...spec, versionGaps: gaps } : spec;
}

/**
 * What PEFT `version` does when adapter_config.json holds a key its LoraConfig lacks, read from PEFT's source
 * (huggingface/peft, src/peft/config.py, PeftConfig.from_pretrained / from_peft_type):
 * - 0.4.0-0.5.x: `config = config_cls(**class_kwargs)`, then `setattr` only for the attributes the config has
 *   (v0.5.0 src/peft/config.py:128-132; v0.4.0 src/peft/utils/config.py:125-129): the key is ignored silently.
 * - 0.6.0-0.13.x: the JSON's keys go straight to `config_cls(**kwargs)` (v0.6.0-v0.7.0 from_pretrained,
 *   src/peft/config.py:134; v0.7.1 :137; v0.8.x from_peft_type :119; v0.9.0-v0.11.x :118; v0.12.0-v0.13.2 :119),
 *   which raises TypeError ("got an unexpected keyword argument"): loading the adapter fails (an error).
 * - 0.14.0 on (PR #2038, "Make PEFT configs forward compatible"): from_peft_type catches that TypeError, removes the
 *   keys the class's `__init__` lacks (`_check_and_remove_unused_kwargs`) and warns "Unexpected keyword arguments
 *   [...] for class LoraConfig, these are ignored" (v0.14.0 src/peft/config.py:146-169): a warning.
 * Returns the severity and the sentence that says so (for `key-version` messages).
 */
export function peftLoadsUnknownKey(version: string): { severity: 'error' | 'warning'; what: string } {
  if (compareVersions(version, '0.6.0') < 0) return { severity: 'warning', what: `PEFT ${version} ignores it (PeftConfig.from_pretrained sets only the attributes LoraConfig has, src/peft/config.py:130-132 in v0.5.0), so the setting has no effect.` };
  if (compareVersions(version, '0.14.0') >= 0) return { severity: 'warning', what: 'PEFT drops it with a warning ("Unexpected keyword arguments [...] for class LoraConfig, these are ignored", src/peft/config.py:146-169 in v0.14.0), so the setting has no effect. Upgrade PEFT or remove the key.' };
  const at = compareVersions(version, '0.7.1') < 0 ? 'src/peft/config.py:134 (PeftConfig.from_pretrained, v0.6.0-v0.7.0)'
    : compareVersions(version, '0.8.0') < 0 ? 'src/peft/config.py:137 (PeftConfig.from_pretrained, v0.7.1)'
      : compareVersions(version, '0.9.0') < 0 || compareVersions(version, '0.12.0') >= 0 ? `src/peft/config.py:119 (PeftConfig.from_peft_type, ${compareVersions(version, '0.9.0') < 0 ? 'v0.8.x' : 'v0.12.0-v0.13.2'})`
        : 'src/peft/config.py:118 (PeftConfig.from_peft_type, v0.9.0-v0.11.1)';
  return { severity: 'error', what: `loading the adapter fails: \`config_cls(**kwargs)\` raises TypeError (got an unexpected keyword argument) at ${at}; PEFT ignores unknown keys only from 0.14.0. Upgrade PEFT or remove the key.` };
}

function peftHand(): ObjSpec {
  return obj('LoraConfig (adapter_config.json)', {
    peft_type: enm(PEFT_TYPES, 'Adapter method.', 'LORA', { source: BASE, severity: 'warning' }),
    task_type: enm(['SEQ_CLS', 'SEQ_2_SEQ_LM', 'CAUSAL_LM', 'TOKEN_CLS', 'QUESTION_ANS', 'FEATURE_EXTRACTION'], 'Task (selects the PeftModel class).', null, { source: BASE }),
    base_model_name_or_path: str('Base model the adapter was trained on.', null, { source: BASE }),
    revision: str('Base model revision.', null, { source: BASE }),
    inference_mode: bool('Adapter weights frozen (true in saved adapters).', false, { source: BASE }),
    auto_mapping: any('Auto class mapping for custom models.', null, { source: BASE }),
    peft_version: str('PEFT version that saved the adapter.', null, { source: BASE }),
    r: int('LoRA rank (dimension of the low-rank update).', 8, { min: 1, source: SRC, nullable: false }),
    lora_alpha: custom('int | float', z.number().gt(0), 'LoRA scaling numerator: scaling = lora_alpha / r (or / sqrt(r) with use_rslora).', 8, { numeric: true, source: SRC }),
    lora_dropout: float('Dropout on the LoRA input.', 0.0, { min: 0, lt: 1, source: SRC }),
    target_modules: list('str', 'Module names (or a regex string, or "all-linear") to wrap with LoRA.', null, { orScalar: true, source: SRC }),
    target_parameters: list('str', 'Parameter names to adapt (e.g. MoE experts).', null, { source: SRC }),
    exclude_modules: list('str', 'Modules to exclude.', null, { orScalar: true, source: SRC }),
    fan_in_fan_out: bool('Weights stored as (fan_in, fan_out), e.g. GPT-2 Conv1D.', false, { source: SRC }),
    bias: enm(['none', 'all', 'lora_only'], 'Which biases to train.', 'none', { source: SRC }),
    use_rslora: bool('Rank-stabilized LoRA: scaling = lora_alpha / sqrt(r).', false, { source: SRC }),
    modules_to_save: list('str', 'Modules trained fully and saved with the adapter (e.g. lm_head, embed_tokens).', null, { source: SRC }),
    init_lora_weights: custom("bool | 'gaussian' | 'eva' | 'olora' | 'pissa' | 'pissa_niter_[N]' | 'corda' | 'loftq' | 'orthogonal'", z.union([z.boolean(), z.string()]), 'How LoRA weights are initialised.', true, { source: SRC }),
    layers_to_transform: custom('int | list[int]', z.union([z.number().int().min(0), z.array(z.number().int().min(0))]), 'Layer indexes to adapt (only with a list target_modules, not a regex string).', null, { source: SRC }),
    layers_pattern: custom('str | list[str]', z.union([z.string(), z.array(z.string())]), 'Name of the nn.ModuleList holding the layers (often `layers` or `h`), used with layers_to_transform.', null, { source: SRC }),
    rank_pattern: map('Per-module rank overrides.', undefined, {}, { source: SRC }),
    alpha_pattern: map('Per-module alpha overrides.', undefined, {}, { source: SRC }),
    megatron_config: any('Megatron config for LoRA on Megatron layers.', null, { source: SRC }),
    megatron_core: str('Megatron core module.', 'megatron.core', { source: SRC }),
    trainable_token_indices: custom('list[int] | dict[str, list[int]]', z.union([z.array(z.number().int()), z.record(z.string(), z.array(z.number().int()))]), 'Token indices to train in the input embedding (a list), or per embedding module ({embed_tokens: [..]}).', null, { source: SRC }),
    loftq_config: map('LoftQ settings.', undefined, {}, { source: SRC }),
    eva_config: any('EVA settings.', null, { source: SRC }),
    corda_config: any('CorDA settings.', null, { source: SRC }),
    lora_ga_config: any('LoRA-GA initialisation settings.', null, { source: SRC }),
    use_bdlora: any('BD-LoRA (block-diagonal LoRA) settings.', null, { source: SRC }),
    use_dora: bool('Weight-Decomposed LoRA (DoRA).', false, { source: SRC }),
    use_qalora: bool('QALoRA.', false, { source: SRC }),
    qalora_group_size: int('QALoRA group size.', 16, { source: SRC }),
    layer_replication: any('Layer replication ranges.', null, { source: SRC }),
    runtime_config: map('Runtime-only settings.', undefined, {}, { source: SRC }),
    lora_bias: bool('Train a bias on the LoRA B matrix.', false, { source: SRC }),
    ensure_weight_tying: bool('Keep tied weights tied.', false, { source: SRC }),
    arrow_config: any('Arrow routing settings.', null, { source: SRC }),
    alora_invocation_tokens: list('int', 'Activated LoRA (aLoRA): token ids of the invocation string; the adapter acts only from there on.', null, { source: SRC }),
  }, 'warning', { source: SRC, unknownNote: 'PEFT drops keys its LoraConfig does not have (or fails on older versions).' });
}
