/**
 * The loss mask of a chat example (1 = the token's label is trained on, 0 = label -100), computed the way the
 * training frameworks compute it:
 * - TRL `SFTTrainer` (trl/trainer/sft_trainer.py): `assistant_only_loss` uses transformers'
 *   `apply_chat_template(return_assistant_tokens_mask=True)`, i.e. the characters inside `{% generation %}` blocks
 *   (no blocks: all zeros); `completion_only_loss` trains on the completion after the prompt rendered with
 *   `add_generation_prompt=True`; neither: every token. The chat is tokenized without adding special tokens.
 * - Axolotl `chat_template` strategy (axolotl/prompt_strategies/chat_template.py): `train_on_inputs: false`,
 *   `roles_to_train` (default `["assistant"]`) mark the content of those turns, `train_on_eos` (default `turn`)
 *   adds the end-of-turn token after each trained turn (`all`: after every turn, `last`: only the last, `none`).
 * - LLaMA-Factory (llamafactory/data/processor/supervised.py): each assistant response (its formatted text up to
 *   and including the template's end-of-turn suffix) is trained, prompts are masked unless `train_on_prompt`;
 *   with the tokenizer's template, a response is what rendering the turn adds after the generation prompt.
 */
import { renderChatWithSpans, type ChatMessage, type RenderOptions } from './chat';
import type { LoadedTokenizer } from './types';

/** Which framework's masking to mirror, with its options. */
export type LossMaskMode =
  | { framework: 'trl'; assistantOnlyLoss?: boolean; completionOnlyLoss?: boolean }
  | { framework: 'axolotl'; trainOnInputs?: boolean; rolesToTrain?: string[]; trainOnEos?: 'turn' | 'all' | 'last' | 'none' }
  | { framework: 'llamafactory'; trainOnPrompt?: boolean };

/** A rendered, tokenized chat with its loss mask. */
export interface MaskedChat {
  text: string;
  ids: number[];
  tokens: string[];
  /** UTF-16 ranges of each token in `text`. */
  offsets: [number, number][];
  special: boolean[];
  mask: number[];
  /** What serving appends for the model to answer (`add_generation_prompt=True` minus `False` on the prompt turns). */
  generationPrompt: string;
  /** Why the mask may not be what the user expects (e.g. no `{% generation %}` block). */
  notes: string[];
}

function renderText(tok: LoadedTokenizer, messages: ChatMessage[], opts: RenderOptions): string {
  if (!tok.renderChat) throw new Error(`${tok.path}: the tokenizer has no chat_template`);
  return tok.renderChat(messages, opts);
}

/** Renders `messages` with the tokenizer's chat template, tokenizes it and computes the loss mask for `mode`. */
export function renderChatWithMask(tok: LoadedTokenizer, messages: ChatMessage[], mode: LossMaskMode = { framework: 'trl' }, opts: RenderOptions = {}): MaskedChat {
  if (!tok.chatTemplate) throw new Error(`${tok.path}: the tokenizer has no chat_template`);
  const specialTokens = { bos_token: tok.bosToken ?? '', eos_token: tok.eosToken ?? '', pad_token: tok.padToken ?? '', unk_token: tok.unkToken ?? '' };
  const rendered = renderChatWithSpans(tok.chatTemplate, messages, { ...opts, addGenerationPrompt: false, specialTokens });
  const text = rendered.text;
  const enc = tok.encode(text, { addSpecialTokens: false });
  const offsets = enc.utf16Offsets;
  const mask = new Array<number>(enc.ids.length).fill(0);
  const notes: string[] = [];
  const markRange = (s: number, e: number): void => {
    offsets.forEach(([a, b], i) => { if (a < e && (b > s || (a === b && a >= s && a < e))) mask[i] = 1; });
  };
  const lastUser = messages.map((m) => m.role).lastIndexOf('user');
  const promptMsgs = lastUser >= 0 ? messages.slice(0, lastUser + 1) : messages.slice(0, Math.max(0, messages.length - 1));
  let generationPrompt = '';
  try {
    const withPrompt = renderText(tok, promptMsgs, { ...opts, addGenerationPrompt: true });
    const without = renderText(tok, promptMsgs, { ...opts, addGenerationPrompt: false });
    generationPrompt = withPrompt.startsWith(without) ? withPrompt.slice(without.length) : withPrompt;
  } catch { /* the template may refuse a prompt-only chat */ }

  if (mode.framework === 'trl') {
    if (mode.assistantOnlyLoss) {
      if (!rendered.hasGenerationBlocks) notes.push('assistant_only_loss: the chat template has no {% generation %} block, so the mask is all zeros (TRL raises or trains on nothing)');
      for (const [s, e] of rendered.generationSpans) markRange(s, e);
    } else if (mode.completionOnlyLoss) {
      const prompt = renderText(tok, promptMsgs, { ...opts, addGenerationPrompt: true });
      if (text.startsWith(prompt)) markRange(prompt.length, text.length);
      else notes.push('completion_only_loss: the rendered prompt is not a prefix of the rendered chat; TRL would tokenize them separately');
    } else mask.fill(1);
  } else if (mode.framework === 'axolotl') {
    if (mode.trainOnInputs) mask.fill(1);
    else {
      const roles = mode.rolesToTrain ?? ['assistant'];
      const trainOnEos = mode.trainOnEos ?? 'turn';
      let cursor = 0;
      const lastTrained = messages.map((m) => roles.includes(m.role)).lastIndexOf(true);
      messages.forEach((m, idx) => {
        const content = typeof m.content === 'string' ? m.content : '';
        if (!content) return;
        const at = text.indexOf(content, cursor);
        if (at < 0) { notes.push(`turn ${idx} (${m.role}): content not found verbatim in the rendered text`); return; }
        cursor = at + content.length;
        const trained = roles.includes(m.role);
        if (trained) markRange(at, cursor);
        const eos = trainOnEos === 'all' || (trainOnEos === 'turn' && trained) || (trainOnEos === 'last' && idx === lastTrained);
        if (eos) {
          const i = offsets.findIndex(([a], k) => a >= cursor && enc.special[k]);
          if (i >= 0) mask[i] = 1;
        }
      });
    }
  } else {
    if (mode.trainOnPrompt) mask.fill(1);
    else {
      messages.forEach((m, idx) => {
        if (m.role !== 'assistant') return;
        try {
          const before = renderText(tok, messages.slice(0, idx), { ...opts, addGenerationPrompt: true });
          const through = renderText(tok, messages.slice(0, idx + 1), { ...opts, addGenerationPrompt: false });
          if (through.startsWith(before) && text.startsWith(through)) markRange(before.length, through.length);
          else notes.push(`turn ${idx}: the template does not render turn by turn as a prefix; mask approximated from the content`);
        } catch (e) { notes.push(`turn ${idx}: ${(e as Error).message}`); }
      });
    }
  }
  return { text, ids: enc.ids, tokens: enc.tokens, offsets, special: enc.special, mask, generationPrompt, notes };
}
