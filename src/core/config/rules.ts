/** Cross-field and cross-file rules per framework. Each rule cites the framework code it mirrors. */
import type { Framework } from './types';
import type { ConfigRef, RuleContext } from './engine';
import { resolvePath } from './engine';

type Rule = (ctx: RuleContext) => void;

/** `deepspeed:` reference (HF TrainingArguments.deepspeed, axolotl, LLaMA-Factory): a path string. */
function dsRef(ctx: RuleContext): ConfigRef[] {
  const e = ctx.entry('deepspeed');
  if (!e?.value || e.value.kind !== 'scalar' || typeof e.value.value !== 'string' || !e.value.value.trim()) return [];
  const p = e.value.value.trim();
  return [{ key: 'deepspeed', path: p, resolved: resolvePath(ctx.baseDir, p), start: e.value.start, end: e.value.end, kind: 'deepspeed' }];
}

export function refsFor(fw: Framework): ((ctx: RuleContext) => ConfigRef[]) | undefined {
  if (fw === 'hf-trainer' || fw === 'axolotl' || fw === 'llamafactory') return dsRef;
  if (fw === 'accelerate') return (ctx) => {
    const e = ctx.entry('deepspeed_config', 'deepspeed_config_file');
    if (!e?.value || e.value.kind !== 'scalar' || typeof e.value.value !== 'string' || !e.value.value.trim()) return [];
    const p = e.value.value.trim();
    return [{ key: 'deepspeed_config_file', path: p, resolved: resolvePath(ctx.baseDir, p), start: e.value.start, end: e.value.end, kind: 'deepspeed' }];
  };
  return undefined;
}

export function rulesFor(fw: Framework): Rule[] {
  void fw;
  return [];
}
