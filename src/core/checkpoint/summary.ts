/**
 * Totals and grouping over tensor lists: parameters and bytes per dtype and per module kind, and the layer prefix a
 * tensor belongs to (for the collapsible groups of the details view). Names follow transformers' models (Llama,
 * Mistral, Qwen, GPT-2, BERT, Falcon, GPT-NeoX) and llama.cpp's GGUF names (`blk.N.attn_q`, `token_embd`, `output`).
 */
import { numel } from './safetensors';
import type { ModuleKind, TensorInfo, Totals } from './types';

const KIND_RULES: [ModuleKind, RegExp][] = [
  ['adapter', /lora_|\.adapter|prompt_encoder|ia3_/],
  ['norm', /norm|(^|\.)ln_?\w*|layernorm|layer_norm/i],
  ['embeddings', /embed|(^|\.)wte\.|(^|\.)wpe\.|token_embd|tok_embeddings/],
  ['head', /(^|\.)lm_head\.|^output\.weight$|(^|\.)score\.|(^|\.)classifier\.|(^|\.)embed_out\./],
  ['attention', /attn|attention|(^|\.)(q|k|v|o)_proj\.|(^|\.)(query|key|value|query_key_value|c_attn|c_proj)\./],
  ['mlp', /mlp|ffn|feed_forward|(^|\.)(gate_proj|up_proj|down_proj|fc1|fc2|c_fc|dense_h_to_4h|dense_4h_to_h|w1|w2|w3|intermediate)\./],
];

/** The module kind of a tensor from its name; `other` when no rule matches. */
export function moduleKind(name: string): ModuleKind {
  for (const [kind, re] of KIND_RULES) if (re.test(name)) return kind;
  return 'other';
}

/** Layer prefix for grouping: `model.layers.3`, `transformer.h.0`, `blk.7`; else the first dotted segment(s). */
export function layerPrefix(name: string): string {
  const m = /^(.*?(?:^|\.)(?:layers|layer|h|blocks|blk|block)\.\d+)(?:\.|$)/.exec(name);
  if (m) return m[1];
  const parts = name.split('.');
  return parts.length > 2 ? parts.slice(0, -2).join('.') || parts[0] : parts[0];
}

/** Parameters (elements) of all tensors. */
export function countParameters(tensors: TensorInfo[]): number {
  let n = 0;
  for (const t of tensors) n += numel(t.shape);
  return n;
}

/** Totals keyed by dtype and by module kind. */
export function totals(tensors: TensorInfo[]): { byDtype: Record<string, Totals>; byKind: Partial<Record<ModuleKind, Totals>> } {
  const byDtype: Record<string, Totals> = {};
  const byKind: Partial<Record<ModuleKind, Totals>> = {};
  const add = (m: Record<string, Totals>, k: string, t: TensorInfo): void => {
    const e = m[k] ?? (m[k] = { parameters: 0, bytes: 0, tensors: 0 });
    e.parameters += numel(t.shape); e.bytes += t.bytes; e.tensors++;
  };
  for (const t of tensors) { add(byDtype, t.dtype, t); add(byKind as Record<string, Totals>, moduleKind(t.name), t); }
  return { byDtype, byKind };
}

/** The dtype holding most bytes (what a checkpoint is "in"). */
export function dominantDtype(tensors: TensorInfo[]): string | undefined {
  const { byDtype } = totals(tensors);
  let best: string | undefined; let max = -1;
  for (const [k, v] of Object.entries(byDtype)) if (v.bytes > max) { best = k; max = v.bytes; }
  return best;
}
