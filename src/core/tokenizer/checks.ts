/**
 * Checks that catch silent tokenizer bugs (training runs, loss falls, the model is still broken). Each problem has a
 * stable `code`, a severity, a message naming the file, and a fix where one exists. They run on a loaded tokenizer,
 * or on the config files alone (a tokenizer_config.json without its vocabulary still gets the static checks).
 */
import { hasGenerationBlocks, renderChatWithSpans } from './chat';
import { chatTemplateOf, tokenContent } from './configValues';
import type { LoadedTokenizer, TokenizerSources } from './types';
import { frameworkTemplate, frameworkTemplateOf, renderFrameworkText, type FrameworkTemplateRef } from './frameworkTemplates';

export type Severity = 'error' | 'warning' | 'info';

/** One finding. `file` is the file the fix belongs in; `key` the JSON key it concerns (for diagnostics ranges). */
export interface TokenizerProblem { code: string; severity: Severity; message: string; file?: string; key?: string; fix?: string }

/** What the training config says, when one is known (see `trainingContextOf`). */
export interface TrainingContext {
  framework?: string;
  /** SFT on chat-formatted data (messages/conversations, a `chat_template` setting). */
  chatSft?: boolean;
  /**
   * Pretraining / completion training on plain text, not SFT: Axolotl `pretraining_dataset` or datasets all of
   * `type: completion` / `type: pretrain`, LLaMA-Factory `stage: pt`, a TRL/HF config on a text field without chat,
   * assistant-only or completion-only settings.
   */
  pretraining?: boolean;
  /** TRL `assistant_only_loss`, Axolotl `roles_to_train` without inputs... anything needing assistant masks. */
  assistantOnlyLoss?: boolean;
  /** File the context came from, for messages. */
  configPath?: string;
  /** The framework's built-in chat template the config selects (LLaMA-Factory `template:`, Axolotl `chat_template:`). */
  template?: FrameworkTemplateRef;
}

/** Input of `checkTokenizer`: a loaded tokenizer, or just the sources read around a config file. */
export interface CheckInput { tokenizer?: LoadedTokenizer; sources: TokenizerSources; chatTemplate?: string; training?: TrainingContext }

const SAMPLE = [{ role: 'user', content: 'Hi there' }, { role: 'assistant', content: 'Hello! How can I help?' }];

/** Runs every check; never throws (a check that cannot run is skipped). */
export function checkTokenizer(input: CheckInput): TokenizerProblem[] {
  const out: TokenizerProblem[] = [];
  const { tokenizer: tok, sources, training } = input;
  const cfg = sources.tokenizerConfig ?? {};
  const cfgPath = sources.paths.tokenizerConfig;
  const template = input.chatTemplate ?? tok?.chatTemplate ?? chatTemplateOf(cfg);
  const templatePath = sources.paths.chatTemplate ?? cfgPath;
  const bos = tok?.bosToken ?? tokenContent(cfg.bos_token) ?? tokenContent(sources.specialTokensMap?.bos_token);
  const eos = tok?.eosToken ?? tokenContent(cfg.eos_token) ?? tokenContent(sources.specialTokensMap?.eos_token);
  const pad = tok?.padToken ?? tokenContent(cfg.pad_token) ?? tokenContent(sources.specialTokensMap?.pad_token);
  const specials = { bos_token: bos ?? '', eos_token: eos ?? '', pad_token: pad ?? '', unk_token: tok?.unkToken ?? '' };

  // 1. Double BOS: the template writes BOS and tokenizing the rendered chat adds another.
  if (template && bos) {
    let rendered: string | undefined;
    try { rendered = renderChatWithSpans(template, SAMPLE, { specialTokens: specials }).text; } catch (e) {
      out.push({ code: 'chat-template-error', severity: 'error', file: templatePath, key: 'chat_template', message: `${templatePath ?? 'chat template'}: rendering a two-turn sample chat failed: ${(e as Error).message}` });
    }
    const templateEmitsBos = rendered !== undefined && rendered.startsWith(bos);
    let addsBos = cfg.add_bos_token === true;
    if (tok) {
      const ids = tok.encode('x').ids;
      const bosId = tok.tokenToId(bos);
      addsBos = bosId !== undefined && ids[0] === bosId && (tok.kind !== 'sentencepiece' || cfg.add_bos_token !== false);
    }
    if (templateEmitsBos && addsBos) {
      out.push({
        code: 'double-bos', severity: 'warning', file: cfgPath, key: 'add_bos_token',
        message: `${cfgPath ?? sources.folder}: the chat template already emits ${bos} and the tokenizer adds one too (add_bos_token / post-processor), so tokenizing the rendered chat gives two BOS tokens`,
        fix: 'tokenize rendered chats with add_special_tokens=False (TRL and transformers\' apply_chat_template do), or set "add_bos_token": false, or drop {{ bos_token }} from the template',
      });
    }
  }

  // 2. pad == eos.
  if (pad && eos && pad === eos) {
    const where = cfgPath ?? sources.paths.specialTokensMap ?? sources.folder;
    const said = padEqualsEosIn(training);
    out.push({
      code: 'pad-equals-eos', severity: said.severity, file: cfgPath ?? sources.paths.specialTokensMap, key: 'pad_token',
      message: `${where}: pad_token is the eos_token (${eos}); ${said.text}`,
      fix: 'use a dedicated pad token (an unused reserved token such as <|finetune_right_pad_id|>, or add "<pad>" and resize the embeddings)',
    });
  }

  // 3. Token ids beyond the model's embedding rows.
  const vocabSize = Number(sources.modelConfig?.vocab_size ?? sources.modelConfig?.text_config?.vocab_size);
  if (Number.isFinite(vocabSize) && vocabSize > 0) {
    const ids: Array<[string, number]> = [];
    for (const [id, v] of Object.entries(cfg.added_tokens_decoder ?? {})) ids.push([tokenContent(v) ?? '?', Number(id)]);
    for (const [c, id] of Object.entries(sources.addedTokensJson ?? {})) ids.push([c, Number(id)]);
    if (tok) for (const a of tok.addedTokens) ids.push([a.content, a.id]);
    const over = ids.filter(([, id]) => id >= vocabSize);
    if (tok && tok.vocabSize > vocabSize && over.length === 0) over.push([`(vocabulary of ${tok.vocabSize})`, tok.vocabSize - 1]);
    if (over.length > 0) {
      const uniq = [...new Map(over.map((o) => [o[1], o])).values()].slice(0, 5);
      out.push({
        code: 'token-id-out-of-range', severity: 'error', file: sources.paths.config, key: 'vocab_size',
        message: `${sources.paths.config}: vocab_size is ${vocabSize} but the tokenizer has ids up to ${Math.max(...over.map((o) => o[1]))} (${uniq.map(([c, id]) => `${c}=${id}`).join(', ')}); the embedding is too small and training dies with a CUDA device-side assert (srcIndex < srcSelectDimSize)`,
        fix: 'call model.resize_token_embeddings(len(tokenizer)) after adding tokens (Axolotl: resize_token_embeddings_to_32x / added tokens in `tokens:`), or remove the added tokens',
      });
    }
  }

  // 4. Legacy SentencePiece behaviour: a space is inserted after special tokens, so the round trip differs.
  if (tok && eos) {
    const sample = `${eos}Hello`;
    const enc = tok.encode(sample, { addSpecialTokens: false });
    const back = tok.decode(enc.ids);
    const spLike = tok.kind === 'sentencepiece' || /Llama|T5|Gemma|Mistral/.test(String(cfg.tokenizer_class ?? '')) || JSON.stringify(sources.tokenizerJson?.normalizer ?? {}).includes('Prepend') || JSON.stringify(sources.tokenizerJson?.pre_tokenizer ?? {}).includes('Metaspace');
    if (spLike && back !== sample && enc.tokens.length > 1 && enc.tokens[1]?.startsWith('\u2581')) {
      out.push({
        code: 'legacy-space-after-special', severity: 'warning', file: cfgPath ?? sources.paths.tokenizer, key: 'legacy',
        message: `${sources.paths.tokenizer}: legacy SentencePiece behaviour: text after a special token gets a "\u2581" prefix (${JSON.stringify(sample)} -> ${JSON.stringify(enc.tokens.slice(0, 3))}), so decode(encode(x)) = ${JSON.stringify(back)} differs from x`,
        fix: 'set "legacy": false in tokenizer_config.json (transformers >= 4.36 with from_slow=True) or make the Metaspace prepend_scheme "first"',
      });
    }
  }

  // 5. Merges stored as pairs.
  const merges = sources.tokenizerJson?.model?.merges;
  if (Array.isArray(merges) && merges.length > 0 && Array.isArray(merges[0])) {
    out.push({
      code: 'merges-as-pairs', severity: 'info', file: sources.paths.tokenizer, key: 'merges',
      message: `${sources.paths.tokenizer}: BPE merges are stored as [a, b] pairs (written by tokenizers >= 0.20); tokenizers < 0.20 (transformers < 4.45) cannot load this file`,
      fix: 'use tokenizers >= 0.20 on every host, or re-save with merges as "a b" strings',
    });
  }

  // 6. Chat SFT without a chat template.
  if (training?.chatSft && !template) {
    out.push({
      code: 'no-chat-template', severity: 'error', file: cfgPath, key: 'chat_template',
      message: `${cfgPath ?? sources.folder}: no chat_template, but ${training.configPath ?? 'the training config'} asks for chat-formatted SFT`,
      fix: 'add a chat_template to tokenizer_config.json (or chat_template.jinja), or set the framework\'s chat_template option',
    });
  }

  // 7. End-of-turn token not among generation_config's eos ids.
  if (template && tok) {
    try {
      const full = renderChatWithSpans(template, SAMPLE, { specialTokens: specials }).text;
      const answer = SAMPLE[1].content;
      const at = full.lastIndexOf(answer);
      if (at >= 0) {
        const tail = full.slice(at + answer.length);
        const enc = tok.encode(tail, { addSpecialTokens: false });
        const eotIdx = enc.special.findIndex((s) => s);
        if (eotIdx >= 0) {
          const eotId = enc.ids[eotIdx];
          const gen = sources.generationConfig?.eos_token_id;
          const genIds = Array.isArray(gen) ? gen.map(Number) : gen !== undefined ? [Number(gen)] : undefined;
          const eosId = eos ? tok.tokenToId(eos) : undefined;
          const stopIds = genIds ?? (eosId !== undefined ? [eosId] : []);
          if (stopIds.length > 0 && !stopIds.includes(eotId)) {
            out.push({
              code: 'eot-not-eos', severity: genIds ? 'error' : 'warning', file: sources.paths.generationConfig ?? cfgPath, key: 'eos_token_id',
              message: `${sources.paths.generationConfig ?? cfgPath ?? sources.folder}: the chat template ends a turn with ${enc.tokens[eotIdx]} (id ${eotId}) but ${genIds ? `generation_config.json's eos_token_id is ${JSON.stringify(gen)}` : `eos_token is ${eos} (id ${eosId})`}: the served model never stops`,
              fix: `add ${eotId} to eos_token_id in generation_config.json (e.g. [${[...stopIds, eotId].join(', ')}])`,
            });
          }
        }
      }
    } catch { /* reported by chat-template-error */ }
  }

  // 8. Assistant-only loss without generation blocks.
  if (training?.assistantOnlyLoss && template && !hasGenerationBlocks(template)) {
    out.push({
      code: 'assistant-mask-without-generation', severity: 'error', file: templatePath, key: 'chat_template',
      message: `${templatePath ?? 'chat template'}: assistant-only loss is asked (${training.configPath ?? 'training config'}) but the template has no {% generation %} block, so the assistant mask is all zeros`,
      fix: 'wrap the assistant content in {% generation %}...{% endgeneration %} in the template, or use completion_only_loss',
    });
  }
  // 9. The framework's built-in template renders the chat differently from the tokenizer's own chat_template.
  if (training?.template && template) {
    const fw = frameworkTemplate(training.template.framework, training.template.name);
    const where = `${training.configPath ?? 'the training config'}: ${training.template.key}: ${training.template.name}`;
    if (!fw) {
      out.push({ code: 'framework-template-unknown', severity: 'info', file: training.configPath, key: training.template.key, message: `${where} is not a template we can render (known: LLaMA-Factory default, alpaca, chatml, empty, gemma, llama2, llama3, mistral, qwen, vicuna, zephyr; Axolotl chatml, llama3, mistral_v1, gemma, alpaca)` });
    } else {
      try {
        const fwSpecials = { bos, eos };
        const fwText = renderFrameworkText(fw, SAMPLE, fwSpecials);
        const tokText = renderChatWithSpans(template, SAMPLE, { specialTokens: specials }).text;
        if (fwText !== tokText) {
          const user = SAMPLE[0].content;
          const tail = (t: string): string => t.slice(t.lastIndexOf(user) + user.length);
          const fwPrompt = tail(renderFrameworkText(fw, SAMPLE.slice(0, 1), fwSpecials, true));
          const tokPrompt = tail(renderChatWithSpans(template, SAMPLE.slice(0, 1), { specialTokens: specials, addGenerationPrompt: true }).text);
          out.push({
            code: 'framework-template-differs', severity: 'warning', file: training.configPath, key: training.template.key,
            message: `${where} formats chats differently from the tokenizer's chat_template (${templatePath ?? sources.folder}): the model is trained on one format and served (vLLM, TGI, transformers' apply_chat_template) with the other. After the user's message the framework writes ${JSON.stringify(fwPrompt)}, the tokenizer's template ${JSON.stringify(tokPrompt)}`,
            fix: training.template.framework === 'axolotl'
              ? 'set chat_template: tokenizer_default (train with the tokenizer\'s template), or save the trained tokenizer with the framework template as its chat_template'
              : 'remove template: so LLaMA-Factory parses the tokenizer\'s chat_template, or ship the framework template as the tokenizer\'s chat_template when serving',
          });
        }
      } catch { /* a template that refuses the sample is reported by chat-template-error */ }
    }
  }
  return out;
}

/**
 * What pad = eos means for the run `training` describes: the text after "pad_token is the eos_token (X); " and the
 * severity. Sources of each claim:
 * - Axolotl pretraining / completion: `encode_pretraining` (src/axolotl/utils/data/pretraining.py) appends
 *   [eos_token_id, pad_token_id] to each document with labels [eos_token_id, -100] and pads blocks with labels -100,
 *   and the packing collators (src/axolotl/utils/collators, DataCollatorForSeq2Seq) pad labels with
 *   label_pad_token_id = -100: labels are masked by position, never by token id, so EOS keeps its label.
 * - LLaMA-Factory `stage: pt`: run_pt (src/llamafactory/train/pt/workflow.py) collates with transformers'
 *   DataCollatorForLanguageModeling(mlm=False), which sets every label equal to pad_token_id to -100.
 * - SFT collators (TRL, LLaMA-Factory sft) mask pad ids in the labels.
 */
export function padEqualsEosIn(training?: TrainingContext): { text: string; severity: Severity } {
  const cfg = training?.configPath ?? 'this run';
  if (training?.pretraining) {
    if (training.framework === 'axolotl') {
      return { severity: 'info', text: `in Axolotl pretraining / completion training (${cfg}) this matters less: Axolotl labels the EOS it appends after each document and gives -100 only to padding positions (by position, not by token id), so EOS stays a label; it matters again when this tokenizer is fine-tuned with an SFT collator that masks pad ids` };
    }
    if (training.framework === 'llamafactory') {
      return { severity: 'warning', text: `in LLaMA-Factory pretraining (stage: pt, ${cfg}) the collator (transformers DataCollatorForLanguageModeling) sets every label equal to the pad id to -100, so the EOS ending each packed document is never a label and the model does not learn where documents end` };
    }
    return { severity: 'info', text: `in pretraining / completion training (${cfg}) EOS stays a label when the collator pads labels by position (TRL, Axolotl, packed blocks without padding); transformers' DataCollatorForLanguageModeling masks every pad id, and so every EOS` };
  }
  if (training?.chatSft || training?.framework) {
    return { severity: 'warning', text: `in SFT (${cfg}) the collator sets the labels of every pad id to -100, so EOS is never a label and the model never learns to stop` };
  }
  return { severity: 'warning', text: 'an SFT collator that masks pad ids also masks every EOS, and the model never learns to stop' };
}

/** Axolotl dataset types that train on raw text (every token a label), not on prompts and answers. */
const AXOLOTL_TEXT_TYPES = new Set(['completion', 'pretrain']);

/**
 * Reads what matters for the checks from a parsed training config (TRL/HF, Axolotl, LLaMA-Factory). Pretraining /
 * completion configs (Axolotl `pretraining_dataset` or only completion/pretrain datasets, LLaMA-Factory `stage: pt`,
 * TRL/HF on a text field without chat, assistant-only or completion-only settings) get `pretraining: true` and
 * `chatSft: false`.
 */
export function trainingContextOf(config: Record<string, any>, configPath?: string): TrainingContext {
  const ctx: TrainingContext = { configPath };
  if ('base_model' in config || 'datasets' in config || 'pretraining_dataset' in config) ctx.framework = 'axolotl';
  if ('stage' in config || 'template' in config) ctx.framework = 'llamafactory';
  if ('assistant_only_loss' in config || 'dataset_name' in config) ctx.framework = 'trl';
  const datasets = Array.isArray(config.datasets) ? config.datasets : [];
  const typeOf = (d: any): string | undefined => (typeof d?.type === 'string' ? d.type : undefined);
  const axolotlPretrain = ctx.framework === 'axolotl' && (config.pretraining_dataset != null
    || datasets.length > 0 && datasets.every((d: any) => AXOLOTL_TEXT_TYPES.has(typeOf(d) ?? '')));
  const chatish = !!config.chat_template || datasets.some((d: any) => d?.type === 'chat_template' || d?.field_messages) || !!config.assistant_only_loss;
  const trlText = ctx.framework === 'trl' && !chatish && config.completion_only_loss !== true && typeof config.dataset_text_field === 'string';
  ctx.pretraining = axolotlPretrain || config.stage === 'pt' || trlText;
  ctx.chatSft = !ctx.pretraining && (chatish || config.stage === 'sft' && !!config.template);
  ctx.assistantOnlyLoss = config.assistant_only_loss === true;
  ctx.template = frameworkTemplateOf(config);
  return ctx;
}
