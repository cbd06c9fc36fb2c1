/**
 * Chat templates (`chat_template` of tokenizer_config.json, `chat_template.jinja`) rendered with `@huggingface/jinja`
 * the way transformers' `apply_chat_template` does (variables `messages`, `add_generation_prompt`, `tools`,
 * `bos_token`, `eos_token`..., `raise_exception`), plus the `{% generation %}` spans transformers records for
 * `return_assistant_tokens_mask` (TRL `assistant_only_loss`).
 */
import type { Template as TemplateType } from '@huggingface/jinja' with { 'resolution-mode': 'import' };
import { hfJinja } from '../vendor';

/** The library's Template class, required on the first render (not at activation: src/core/vendor.ts). */
const Template = (): typeof TemplateType => hfJinja().Template;

/** One chat message. `content` may be a string or a list of parts (multimodal templates). */
export interface ChatMessage { role: string; content: string | unknown; [k: string]: unknown }

/** Options of `renderChat`. */
export interface RenderOptions {
  addGenerationPrompt?: boolean;
  tools?: unknown[];
  /** Extra template variables (`enable_thinking`, `date_string`...). */
  extra?: Record<string, unknown>;
}

/** Largest rendered output accepted (a looping template is cut off with an error, not left to fill memory). */
export const MAX_RENDERED_CHARS = 8 * 1024 * 1024;

const GEN_OPEN = '\uE000';
const GEN_CLOSE = '\uE001';

/** A rendered chat and the character ranges produced inside `{% generation %}` blocks. */
export interface RenderedChat { text: string; generationSpans: Array<[number, number]>; hasGenerationBlocks: boolean }

/** Error raised by a template (`raise_exception`) or by rendering it. */
export class ChatTemplateError extends Error {
  constructor(message: string) { super(message); this.name = 'ChatTemplateError'; }
}

/** Whether the template marks assistant output with `{% generation %}` (what TRL's `assistant_only_loss` needs). */
export function hasGenerationBlocks(template: string): boolean {
  return /{%-?\s*generation\s*-?%}/.test(template);
}

/**
 * Renders `template` and returns the text with the `{% generation %}` spans (UTF-16 ranges). Throws
 * ChatTemplateError when the template raises, fails to parse, or renders more than MAX_RENDERED_CHARS.
 */
export function renderChatWithSpans(template: string, messages: ChatMessage[], opts: RenderOptions & { specialTokens?: Record<string, string> } = {}): RenderedChat {
  const hasGen = hasGenerationBlocks(template);
  // Turn the generation tags into marker output, keeping their whitespace control.
  const marked = template
    .replace(/{%(-?)\s*generation\s*(-?)%}/g, (_m, l, r) => `{{${l} "${GEN_OPEN}" ${r}}}`)
    .replace(/{%(-?)\s*endgeneration\s*(-?)%}/g, (_m, l, r) => `{{${l} "${GEN_CLOSE}" ${r}}}`);
  let out: string;
  try {
    const t = new (Template())(marked);
    out = t.render({
      messages, add_generation_prompt: !!opts.addGenerationPrompt, ...(opts.tools ? { tools: opts.tools } : {}),
      ...(opts.specialTokens ?? {}), ...(opts.extra ?? {}),
    });
  } catch (e) {
    throw new ChatTemplateError(`chat template: ${(e as Error).message}`);
  }
  if (out.length > MAX_RENDERED_CHARS) throw new ChatTemplateError(`chat template rendered more than ${MAX_RENDERED_CHARS} characters (a loop?)`);
  const spans: Array<[number, number]> = [];
  let text = '';
  let open = -1;
  for (const ch of out) {
    if (ch === GEN_OPEN) { open = text.length; continue; }
    if (ch === GEN_CLOSE) { if (open >= 0) spans.push([open, text.length]); open = -1; continue; }
    text += ch;
  }
  return { text, generationSpans: spans, hasGenerationBlocks: hasGen };
}

/** Renders a chat template to text (transformers `apply_chat_template(..., tokenize=False)`). */
export function renderChatTemplate(template: string, messages: ChatMessage[], opts: RenderOptions & { specialTokens?: Record<string, string> } = {}): string {
  return renderChatWithSpans(template, messages, opts).text;
}
