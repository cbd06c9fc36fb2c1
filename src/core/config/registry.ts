/**
 * The one registry of config frameworks: ids, labels and descriptions, used by detection, the framework
 * definitions, the status bar and QuickPick, `llmtrain validate --framework`, and the `package.json` setting enums
 * (test/unit/frameworkRegistry.test.ts fails when package.json differs from this table). Pure, no imports but types.
 */
import type { Framework } from './types';

/** What the front ends say about a framework. */
export interface FrameworkInfo {
  id: Framework;
  /** Short name: status bar, QuickPick (`HF Trainer / TRL`). */
  label: string;
  /** Full name in messages, hovers, schema titles and detection reasons (`Hugging Face TrainingArguments / TRL`). */
  name: string;
  /** One plain line: what its configs are (QuickPick detail). */
  description: string;
  /** The same line in Markdown (the setting's `enumDescriptions`). */
  markdownDescription: string;
}

const INFO = {
  axolotl: { id: 'axolotl', label: 'Axolotl', name: 'Axolotl', description: 'Axolotl YAML (axolotl train config.yml)', markdownDescription: 'Axolotl YAML (`axolotl train config.yml`).' },
  'hf-trainer': { id: 'hf-trainer', label: 'HF Trainer / TRL', name: 'Hugging Face TrainingArguments / TRL', description: 'transformers TrainingArguments and TRL configs (SFT, DPO, ORPO, GRPO, reward, PPO) as YAML', markdownDescription: 'Hugging Face `TrainingArguments` and TRL configs (SFT, DPO, ORPO, GRPO, reward, PPO) written as YAML.' },
  llamafactory: { id: 'llamafactory', label: 'LLaMA-Factory', name: 'LLaMA-Factory', description: 'LLaMA-Factory YAML (llamafactory-cli train config.yaml)', markdownDescription: 'LLaMA-Factory YAML (`llamafactory-cli train config.yaml`).' },
  torchtune: { id: 'torchtune', label: 'torchtune', name: 'torchtune', description: 'torchtune recipe YAML with _component_ entries', markdownDescription: 'torchtune recipe YAML with `_component_` entries.' },
  deepspeed: { id: 'deepspeed', label: 'DeepSpeed', name: 'DeepSpeed', description: 'DeepSpeed JSON config (ds_config.json: ZeRO stage, offload, batch sizes)', markdownDescription: 'DeepSpeed JSON config (`ds_config.json`: ZeRO stage, offload, batch sizes).' },
  accelerate: { id: 'accelerate', label: 'Accelerate', name: 'Accelerate', description: 'Accelerate YAML (accelerate launch --config_file)', markdownDescription: 'Accelerate YAML (`accelerate launch --config_file`).' },
  peft: { id: 'peft', label: 'PEFT adapter', name: 'PEFT adapter', description: 'PEFT adapter_config.json', markdownDescription: 'PEFT `adapter_config.json`.' },
  unknown: { id: 'unknown', label: 'Not a training config', name: 'Not a training config', description: 'Do not validate this file', markdownDescription: 'Not a training config: do not validate.' },
} as const satisfies { [K in Framework]: FrameworkInfo & { id: K } };

/** Every framework, in the order the QuickPick and the setting's enum show them; `unknown` ("do not validate") last. */
export const FRAMEWORK_INFO: readonly FrameworkInfo[] = [INFO.axolotl, INFO['hf-trainer'], INFO.llamafactory, INFO.torchtune, INFO.deepspeed, INFO.accelerate, INFO.peft, INFO.unknown];

/** The ids in that order. */
export const FRAMEWORK_IDS: readonly Framework[] = FRAMEWORK_INFO.map((f) => f.id);

/** The entry of a framework id. */
export function frameworkInfo(id: Framework): FrameworkInfo { return INFO[id]; }

/** Short name (status bar, QuickPick). */
export function frameworkLabel(id: Framework): string { return INFO[id]?.label ?? id; }

/** Full name (messages, hovers, schema titles, detection reasons). */
export function frameworkName(id: Framework): string { return INFO[id]?.name ?? id; }

/** One plain line saying what a framework's configs are. */
export function frameworkDescription(id: Framework): string { return INFO[id]?.description ?? ''; }

/** True for a known framework id (guards values from settings, workspaceState and the command line). */
export function isFramework(value: unknown): value is Framework {
  return typeof value === 'string' && Object.prototype.hasOwnProperty.call(INFO, value);
}
