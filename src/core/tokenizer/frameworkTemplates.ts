/**
 * The chat templates training frameworks build in, selected by name in the training config instead of the
 * tokenizer's own `chat_template`:
 * - LLaMA-Factory `template:` (default, alpaca, chatml, empty, gemma, llama2, llama3, mistral, qwen, vicuna, zephyr),
 *   rendered as `src/llamafactory/data/template.py` (LLaMA-Factory main, 2025: `register_template` slots and
 *   defaults, `Template._encode`, `Llama2Template._encode`, `fix_special_tokens`' `replace_eos`) does it: each turn
 *   is a list of slots (strings with `{{content}}`, `bos_token`, `eos_token`), every string slot is tokenized on its
 *   own (`_convert_elements_to_ids`, `add_special_tokens=False`), turn 0 gets the prefix and the system slot
 *   (the `default_system` when the chat has none), `Llama2Template` fuses the system text into the first user turn,
 *   and `replace_eos` makes the first stop word the EOS. With `train_on_prompt: false` the labels are the assistant
 *   turns' ids only.
 * - Axolotl `chat_template:` (chatml, llama3, mistral_v1, gemma, alpaca), rendered as the Jinja files of
 *   `src/axolotl/utils/chat_templates/templates/{name}.jinja` (Axolotl main, 2025) do, written out here as code
 *   (roles, `trim` of llama3/gemma content, role alternation errors of mistral_v1/gemma, bos/eos placement).
 * Rendering is pure: it returns the pieces with their role, and `renderFrameworkChat` tokenizes them the framework's
 * way with a LoadedTokenizer.
 */
import type { ChatMessage } from './chat';
import type { LoadedTokenizer } from './types';

/** A training framework that names chat templates. */
export type TemplateFramework = 'llamafactory' | 'axolotl';

/** A template as the training config names it. */
export interface FrameworkTemplateRef { framework: TemplateFramework; name: string; key: string }

/** One piece of a rendered chat: text (special-token strings included) and whether the framework trains on it. */
export interface TemplatePiece { text: string; train: boolean }

/** Special tokens a template may emit. */
export interface TemplateSpecials { bos?: string; eos?: string }

/** A framework template: renders messages into pieces. Throws Error when the template refuses the chat. */
export interface FrameworkTemplate {
  framework: TemplateFramework;
  name: string;
  /** The EOS the framework uses (LLaMA-Factory `replace_eos`: the first stop word), or undefined for the tokenizer's. */
  eosOverride?: string;
  render(messages: ChatMessage[], specials: TemplateSpecials, addGenerationPrompt: boolean): TemplatePiece[];
}

const text = (c: unknown): string => (typeof c === 'string' ? c : Array.isArray(c) ? c.map((p) => (p && typeof p === 'object' && typeof (p as { text?: unknown }).text === 'string' ? (p as { text: string }).text : '')).join('') : c === undefined || c === null ? '' : String(c));

// ---------------------------------------------------------------------------------------------- LLaMA-Factory

/** A slot: a string with `{{content}}`, or the BOS/EOS token. */
type Slot = string | 'BOS' | 'EOS';
interface LfDef {
  user: Slot[]; assistant?: Slot[]; system?: Slot[]; observation?: Slot[]; prefix?: Slot[];
  defaultSystem?: string; stopWords?: string[]; replaceEos?: boolean; llama2?: boolean;
}

const CHATML_U = '<|im_start|>user\n{{content}}<|im_end|>\n<|im_start|>assistant\n';
const CHATML_A = '{{content}}<|im_end|>\n';
const CHATML_S = '<|im_start|>system\n{{content}}<|im_end|>\n';

/** LLaMA-Factory's templates by name (slots as `register_template` declares them; omitted ones take its defaults). */
const LF: Record<string, LfDef> = {
  default: { user: ['Human: {{content}}', 'EOS', '\nAssistant:'], assistant: ['{{content}}', 'EOS', '\n'], system: ['System: {{content}}', 'EOS', '\n'] },
  alpaca: {
    user: ['### Instruction:\n{{content}}\n\n### Response:\n'], assistant: ['{{content}}', 'EOS', '\n\n'],
    defaultSystem: 'Below is an instruction that describes a task. Write a response that appropriately completes the request.\n\n',
  },
  chatml: { user: [CHATML_U], assistant: [CHATML_A], system: [CHATML_S], observation: ['<|im_start|>tool\n{{content}}<|im_end|>\n<|im_start|>assistant\n'], stopWords: ['<|im_end|>', '<|im_start|>'], replaceEos: true },
  empty: { user: ['{{content}}'], assistant: ['{{content}}'] },
  gemma: {
    user: ['<start_of_turn>user\n{{content}}<end_of_turn>\n<start_of_turn>model\n'], assistant: ['{{content}}<end_of_turn>\n'], system: ['{{content}}\n\n'],
    observation: ['<start_of_turn>tool\n{{content}}<end_of_turn>\n<start_of_turn>model\n'], prefix: ['BOS'], stopWords: ['<end_of_turn>'], replaceEos: true, llama2: true,
  },
  llama2: { user: ['BOS', '[INST] {{content}} [/INST]'], system: ['<<SYS>>\n{{content}}\n<</SYS>>\n\n'], llama2: true },
  llama3: {
    user: ['<|start_header_id|>user<|end_header_id|>\n\n{{content}}<|eot_id|><|start_header_id|>assistant<|end_header_id|>\n\n'],
    assistant: ['{{content}}<|eot_id|>'], system: ['<|start_header_id|>system<|end_header_id|>\n\n{{content}}<|eot_id|>'],
    observation: ['<|start_header_id|>ipython<|end_header_id|>\n\n{{content}}<|eot_id|><|start_header_id|>assistant<|end_header_id|>\n\n'],
    prefix: ['BOS'], stopWords: ['<|eot_id|>', '<|eom_id|>'], replaceEos: true,
  },
  mistral: {
    user: ['[INST] {{content}}[/INST]'], assistant: [' {{content}}', 'EOS'], system: ['{{content}}\n\n'],
    observation: ['[TOOL_RESULTS] {"content": {{content}}}[/TOOL_RESULTS]'], prefix: ['BOS'], llama2: true,
  },
  qwen: {
    user: [CHATML_U], assistant: [CHATML_A], system: [CHATML_S],
    observation: ['<|im_start|>user\n<tool_response>\n{{content}}\n</tool_response><|im_end|>\n<|im_start|>assistant\n'],
    defaultSystem: 'You are Qwen, created by Alibaba Cloud. You are a helpful assistant.', stopWords: ['<|im_end|>'], replaceEos: true,
  },
  vicuna: {
    user: ['USER: {{content}} ASSISTANT:'],
    defaultSystem: 'A chat between a curious user and an artificial intelligence assistant. The assistant gives helpful, detailed, and polite answers to the user\'s questions.',
  },
  zephyr: { user: ['<|user|>\n{{content}}', 'EOS', '<|assistant|>\n'], system: ['<|system|>\n{{content}}', 'EOS'], defaultSystem: 'You are Zephyr, a helpful assistant.' },
};

/** Names of the LLaMA-Factory templates we render. */
export const LLAMAFACTORY_TEMPLATES = Object.keys(LF);

function lfTemplate(name: string, d: LfDef): FrameworkTemplate {
  // register_template defaults: assistant [content, eos] (efficient_eos false), system and observation = user formatter
  // (system = the default user formatter ['{{content}}']), prefix empty.
  const assistant = d.assistant ?? ['{{content}}', 'EOS'];
  const system = d.system ?? ['{{content}}'];
  const observation = d.observation ?? d.user;
  const prefix = d.prefix ?? [];
  const eosOverride = d.replaceEos ? d.stopWords?.[0] : undefined;
  return {
    framework: 'llamafactory', name, eosOverride,
    render(messages, specials, addGenerationPrompt) {
      const eos = eosOverride ?? specials.eos;
      const apply = (slots: Slot[], content: string, train: boolean, out: TemplatePiece[]): void => {
        for (const s of slots) {
          if (s === 'BOS') { if (specials.bos) out.push({ text: specials.bos, train }); }
          else if (s === 'EOS') { if (eos) out.push({ text: eos, train }); }
          else { const t = s.split('{{content}}').join(content); if (t.length > 0) out.push({ text: t, train }); }
        }
      };
      let msgs = messages;
      let sys = d.defaultSystem ?? '';
      if (msgs[0]?.role === 'system') { sys = text(msgs[0].content) || sys; msgs = msgs.slice(1); }
      const out: TemplatePiece[] = [];
      msgs.forEach((m, i) => {
        const content = text(m.content);
        const train = m.role === 'assistant';
        let systemText = '';
        if (i === 0) {
          apply(prefix, '', false, out);
          if (sys) {
            if (d.llama2) { const first = system[0]; systemText = typeof first === 'string' && first !== 'BOS' && first !== 'EOS' ? first.split('{{content}}').join(sys) : ''; }
            else apply(system, sys, false, out);
          }
        }
        if (m.role === 'user') apply(d.user, systemText + content, false, out);
        else if (m.role === 'assistant') apply(assistant, content, true, out);
        else if (m.role === 'tool' || m.role === 'observation') apply(observation, content, false, out);
        else throw new Error(`LLaMA-Factory template "${name}": unexpected role ${JSON.stringify(m.role)}`);
      });
      void addGenerationPrompt; // the user slot already ends with the assistant header
      return out;
    },
  };
}

// ---------------------------------------------------------------------------------------------- Axolotl

type AxRender = (messages: ChatMessage[], s: TemplateSpecials, gen: boolean) => TemplatePiece[];

function alternate(messages: ChatMessage[], name: string): void {
  messages.forEach((m, i) => {
    if ((m.role === 'user') !== (i % 2 === 0)) throw new Error(`Axolotl template "${name}": Conversation roles must alternate user/assistant/user/assistant/...`);
  });
}

const AX: Record<string, AxRender> = {
  chatml: (messages, _s, gen) => [
    ...messages.map((m) => ({ text: `<|im_start|>${m.role}\n${text(m.content)}<|im_end|>\n`, train: m.role === 'assistant' })),
    ...(gen ? [{ text: '<|im_start|>assistant\n', train: false }] : []),
  ],
  llama3: (messages, s, gen) => [
    ...messages.map((m, i) => ({ text: `${i === 0 ? s.bos ?? '' : ''}<|start_header_id|>${m.role}<|end_header_id|>\n\n${text(m.content).trim()}<|eot_id|>`, train: m.role === 'assistant' })),
    ...(gen ? [{ text: '<|start_header_id|>assistant<|end_header_id|>\n\n', train: false }] : []),
  ],
  mistral_v1: (messages, s) => {
    alternate(messages, 'mistral_v1');
    return [{ text: s.bos ?? '', train: false }, ...messages.map((m) => {
      if (m.role === 'user') return { text: ` [INST] ${text(m.content)} [/INST]`, train: false };
      if (m.role === 'assistant') return { text: ` ${text(m.content)}${s.eos ?? ''}`, train: true };
      throw new Error('Axolotl template "mistral_v1": Only user and assistant roles are supported!');
    })];
  },
  gemma: (messages, s, gen) => {
    if (messages[0]?.role === 'system') throw new Error('Axolotl template "gemma": System role not supported');
    alternate(messages, 'gemma');
    return [
      { text: s.bos ?? '', train: false },
      ...messages.map((m) => ({ text: `<start_of_turn>${m.role === 'assistant' ? 'model' : m.role}\n${text(m.content).trim()}<end_of_turn>\n`, train: m.role === 'assistant' })),
      ...(gen ? [{ text: '<start_of_turn>model\n', train: false }] : []),
    ];
  },
  alpaca: (messages, s, gen) => {
    const out: TemplatePiece[] = [{ text: s.bos ?? '', train: false }];
    messages.forEach((m, i) => {
      const c = text(m.content);
      if (m.role === 'system' && i === 0) out.push({ text: c, train: false });
      else if (m.role === 'user') out.push({ text: `### Instruction:\n${c}`, train: false });
      else if (m.role === 'assistant') out.push({ text: `### Response:\n${c}${s.eos ?? ''}`, train: true });
      if (i < messages.length - 1) out.push({ text: '\n\n', train: false });
    });
    if (gen) out.push({ text: '\n\n### Response:\n', train: false });
    return out;
  },
};

/** Names of the Axolotl templates we render. */
export const AXOLOTL_TEMPLATES = Object.keys(AX);

/** The named template, or undefined when we do not know it. */
export function frameworkTemplate(framework: TemplateFramework, name: string): FrameworkTemplate | undefined {
  if (framework === 'llamafactory') return Object.hasOwn(LF, name) ? lfTemplate(name, LF[name]) : undefined;
  if (!Object.hasOwn(AX, name)) return undefined;
  const r = AX[name];
  return { framework, name, render: (m, s, g) => r(m, s, g).filter((p) => p.text.length > 0) };
}

/**
 * The framework template a training config selects: LLaMA-Factory `template:` (with `stage`/`model_name_or_path`),
 * Axolotl `chat_template:` at the top level or on the first `datasets:` entry (`tokenizer_default`, `jinja` and
 * `tokenizer_default_fallback_*` mean the tokenizer's own, so undefined).
 */
export function frameworkTemplateOf(config: Record<string, unknown>): FrameworkTemplateRef | undefined {
  const c = config as Record<string, any>;
  if (typeof c.template === 'string' && ('stage' in c || 'model_name_or_path' in c || 'dataset' in c)) return { framework: 'llamafactory', name: c.template, key: 'template' };
  const d0 = Array.isArray(c.datasets) && c.datasets[0] && typeof c.datasets[0] === 'object' ? c.datasets[0] : {};
  const name = typeof d0.chat_template === 'string' ? d0.chat_template : typeof c.chat_template === 'string' ? c.chat_template : undefined;
  if (name && ('base_model' in c || 'datasets' in c) && name !== 'jinja' && !name.startsWith('tokenizer_default')) return { framework: 'axolotl', name, key: 'chat_template' };
  return undefined;
}

/** A chat rendered with a framework template and tokenized the framework's way. */
export interface FrameworkRendered {
  text: string; ids: number[]; tokens: string[];
  /** UTF-16 ranges of each token in `text`. */
  offsets: [number, number][];
  special: boolean[];
  /** 1 where the framework computes the loss (assistant turns; LLaMA-Factory `train_on_prompt: false`). */
  mask: number[];
}

/**
 * Renders `messages` with `tpl` and tokenizes it as the framework does: LLaMA-Factory encodes every piece on its own
 * (`add_special_tokens=False`); Axolotl tokenizes the whole rendered text (`apply_chat_template(tokenize=True)`),
 * without adding special tokens again. The mask marks the tokens of the trained pieces.
 */
export function renderFrameworkChat(tok: LoadedTokenizer, tpl: FrameworkTemplate, messages: ChatMessage[], addGenerationPrompt = false): FrameworkRendered {
  const specials = { bos: tok.bosToken, eos: tok.eosToken };
  const pieces = tpl.render(messages, specials, addGenerationPrompt);
  const out: FrameworkRendered = { text: '', ids: [], tokens: [], offsets: [], special: [], mask: [] };
  if (tpl.framework === 'llamafactory') {
    for (const p of pieces) {
      const base = out.text.length;
      const e = tok.encode(p.text, { addSpecialTokens: false });
      out.ids.push(...e.ids); out.tokens.push(...e.tokens); out.special.push(...e.special);
      for (const [a, b] of e.utf16Offsets) out.offsets.push([a + base, b + base]);
      for (let i = 0; i < e.ids.length; i++) out.mask.push(p.train ? 1 : 0);
      out.text += p.text;
    }
    return out;
  }
  // Axolotl (chat_template strategy, train_on_inputs false, roles_to_train [assistant], train_on_eos turn): the
  // assistant turns' content and the first special token after each (the turn's end).
  for (const p of pieces) out.text += p.text;
  const e = tok.encode(out.text, { addSpecialTokens: false });
  const mask = new Array<number>(e.ids.length).fill(0);
  let cursor = 0;
  for (const m of messages) {
    const c = text(m.content);
    const content = tpl.name === 'llama3' || tpl.name === 'gemma' ? c.trim() : c;
    if (!content) continue;
    const at = out.text.indexOf(content, cursor);
    if (at < 0) continue;
    cursor = at + content.length;
    if (m.role !== 'assistant') continue;
    e.utf16Offsets.forEach(([a, b], i) => { if (a < cursor && b > at) mask[i] = 1; });
    const eot = e.utf16Offsets.findIndex(([a], i) => a >= cursor && e.special[i]);
    if (eot >= 0) mask[eot] = 1;
  }
  return { text: out.text, ids: e.ids, tokens: e.tokens, offsets: e.utf16Offsets, special: e.special, mask };
}

/** Text of the rendered pieces. */
export function renderFrameworkText(tpl: FrameworkTemplate, messages: ChatMessage[], specials: TemplateSpecials, addGenerationPrompt = false): string {
  return tpl.render(messages, specials, addGenerationPrompt).map((p) => p.text).join('');
}
