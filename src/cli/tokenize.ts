/**
 * `llmtrain tokenize <file-or-folder> [--text T | --file F] [--no-special-tokens] [--chat MESSAGES.json] [--check]
 * [--config TRAINING-CONFIG] [--host H] [--format text|json]`: encodes text with any tokenizer artifact (local or on
 * an SSH host), renders a chat with its loss mask, and runs the tokenizer checks; with `--config` also the
 * training-context checks the editor's CodeLens path runs (pad = EOS in SFT, no chat_template for chat SFT,
 * assistant-only loss without {% generation %}, the framework's template differs), and the config's loss mask.
 */
import { readFileSync } from 'node:fs';
import { runnerFileAccess } from '../remote/files';
import { loadTokenizer, readTokenizerSources, type LoadedTokenizer } from '../core/tokenizer';
import { checkTokenizer, type TokenizerProblem } from '../core/tokenizer/checks';
import { renderChatWithMask, type LossMaskMode, type MaskedChat } from '../core/tokenizer/lossMask';
import type { ChatMessage } from '../core/tokenizer/chat';
import { trainingConfigOf, type TrainingConfigInfo } from '../core/tokenizer/openInput';
import { readText } from '../core/files';
import { HOST_USAGE, UsageError, parseWithHost, withRunner } from './hostArgs';

const USAGE = `usage: llmtrain tokenize <file-or-folder> [--text T | --file F] [--no-special-tokens] [--chat MESSAGES.json]
                         [--mask trl|trl-assistant|trl-completion|axolotl|llamafactory] [--check]
                         [--config TRAINING-CONFIG] [--format text|json]
Encodes text with a tokenizer (tokenizer.json, SentencePiece .model, vocab.txt, vocab.json+merges.txt,
tokenizer_config.json, a .jinja chat template or a model folder) exactly as Hugging Face tokenizers / sentencepiece do.
  --text T              text to encode (default: --file, else stdin when piped)
  --file F              read the text from a local file
  --no-special-tokens   do not add the post-processor's special tokens (BOS/EOS/CLS...)
  --chat FILE           render a JSON list of {role, content} messages with the chat template, with its loss mask
  --mask M              loss mask framework for --chat (default: the --config's, else trl: every token;
                        trl-assistant: {% generation %})
  --check               run the tokenizer checks (double BOS, pad == eos, ids beyond vocab_size, ...)
  --config FILE         the training config (TRL/HF YAML or JSON, Axolotl, LLaMA-Factory; on the same host as the
                        tokenizer): --check adds what it means for that run (pad = EOS in SFT, no chat_template for
                        chat SFT, assistant-only loss without {% generation %}, framework template differs)
  --format text|json    json: one object with ids, tokens, offsets, decoded, roundTrip[, problems][, chat]
${HOST_USAGE}`;

function maskMode(m: string): LossMaskMode {
  switch (m) {
    case 'trl': return { framework: 'trl' };
    case 'trl-assistant': return { framework: 'trl', assistantOnlyLoss: true };
    case 'trl-completion': return { framework: 'trl', completionOnlyLoss: true };
    case 'axolotl': return { framework: 'axolotl' };
    case 'llamafactory': return { framework: 'llamafactory' };
    default: throw new UsageError(`--mask must be trl, trl-assistant, trl-completion, axolotl or llamafactory, not '${m}'`);
  }
}

/** Source files the static checks read; a folder with none of them has nothing to check. */
const TOKENIZER_ROLES = ['tokenizer', 'tokenizerConfig', 'specialTokensMap', 'addedTokens', 'chatTemplate', 'merges'] as const;

/**
 * Checks a parsed --chat file against the Hugging Face chat format before any template sees it: a list of messages
 * (or `{"messages": [...]}`), each an object with `role` a string and `content` a string or a list of parts (objects
 * with a string `type`, as multimodal templates take); `content` may be null/absent only on an assistant message
 * with `tool_calls`. Throws an Error naming `file`, the message index and what is wrong.
 */
export function validateMessages(raw: unknown, file: string): ChatMessage[] {
  const list = Array.isArray(raw) ? raw : (raw as { messages?: unknown } | null)?.messages;
  if (!Array.isArray(list)) throw new Error(`${file}: expected a JSON list of {"role", "content"} messages (or {"messages": [...]})`);
  list.forEach((m: unknown, i: number) => {
    const at = `${file}: message ${i}`;
    if (!m || typeof m !== 'object' || Array.isArray(m)) throw new Error(`${at} is ${JSON.stringify(m)}, not an object with "role" and "content"`);
    const { role, content, tool_calls: calls } = m as Record<string, unknown>;
    if (typeof role !== 'string') throw new Error(`${at}: "role" must be a string, ${role === undefined ? 'it is missing' : `not ${JSON.stringify(role)}`}`);
    if (typeof content === 'string') return;
    if (Array.isArray(content)) {
      const bad = content.findIndex((p) => !p || typeof p !== 'object' || typeof (p as { type?: unknown }).type !== 'string');
      if (bad >= 0) throw new Error(`${at} (${role}): content part ${bad} must be an object with a string "type" ({"type": "text", "text": ...}), not ${JSON.stringify(content[bad])}`);
      return;
    }
    if (content == null && role === 'assistant' && Array.isArray(calls)) return;
    throw new Error(`${at} (${role}): "content" must be a string or a list of parts, ${content === undefined ? 'it is missing' : `not ${JSON.stringify(content)}`}`);
  });
  return list as ChatMessage[];
}

/** The `tokenize` subcommand. */
export const tokenizeCommand = {
  summary: 'encode text with a tokenizer; chat template with loss mask; tokenizer checks',
  async run(args: string[]): Promise<number> {
    const { values, positionals } = parseWithHost(args, {
      text: { type: 'string' }, file: { type: 'string' }, 'no-special-tokens': { type: 'boolean', default: false },
      chat: { type: 'string' }, mask: { type: 'string' }, check: { type: 'boolean', default: false }, config: { type: 'string' },
      format: { type: 'string', default: 'text' },
    });
    if (values.help) { process.stdout.write(USAGE); return 0; }
    if (positionals.length !== 1) throw new UsageError('expected exactly one tokenizer file or folder');
    if (values.format !== 'text' && values.format !== 'json') throw new UsageError(`--format must be text or json, not '${values.format}'`);
    if (values.text !== undefined && values.file !== undefined) throw new UsageError('give --text or --file, not both');
    const explicitMode = values.mask !== undefined ? maskMode(values.mask) : undefined;
    let text = values.text;
    if (text === undefined && values.file !== undefined) {
      try { text = readFileSync(values.file, 'utf8'); } catch (e) { throw new Error(`${values.file}: ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (e as Error).message}`); }
    }
    if (text === undefined && values.chat === undefined && !values.check && !process.stdin.isTTY) text = readFileSync(0, 'utf8');
    let messages: ChatMessage[] | undefined;
    if (values.chat !== undefined) {
      let raw: unknown;
      try { raw = JSON.parse(readFileSync(values.chat, 'utf8')); } catch (e) { throw new Error(`${values.chat}: ${(e as Error).message}`); }
      messages = validateMessages(raw, values.chat);
    }
    const path = positionals[0];
    return withRunner(USAGE, values, async (runner) => {
      const files = runnerFileAccess(runner);
      let config: TrainingConfigInfo | undefined;
      if (values.config !== undefined) config = trainingConfigOf(await readText(files, values.config, 4 * 1024 * 1024), values.config);
      const mode = explicitMode ?? config?.mask ?? { framework: 'trl' };
      let tok: LoadedTokenizer | undefined;
      let loadError: Error | undefined;
      try { tok = await loadTokenizer(files, path); } catch (e) { loadError = e as Error; }
      const needsVocab = text !== undefined || messages !== undefined || !values.check;
      if (!tok && (needsVocab || !/no tokenizer vocabulary found/.test(loadError!.message))) throw loadError!;
      const result: Record<string, unknown> = {};
      if (tok && text !== undefined) {
        const enc = tok.encode(text, { addSpecialTokens: !values['no-special-tokens'] });
        const decoded = tok.decode(tok.encode(text, { addSpecialTokens: false }).ids);
        Object.assign(result, { ids: enc.ids, tokens: enc.tokens, offsets: enc.offsets, decoded, roundTrip: decoded === text, count: enc.ids.length });
      }
      let chat: MaskedChat | undefined;
      if (tok && messages) {
        chat = renderChatWithMask(tok, messages, mode);
        result.chat = { text: chat.text, ids: chat.ids, tokens: chat.tokens, mask: chat.mask, generationPrompt: chat.generationPrompt, notes: chat.notes };
      }
      let problems: TokenizerProblem[] | undefined;
      if (values.check) {
        const s = tok ? { sources: tok.sources, chatTemplate: tok.chatTemplate } : await readTokenizerSources(files, path);
        // A folder with no tokenizer file at all has nothing to check: say so as without --check, not "no problems".
        if (!tok && !TOKENIZER_ROLES.some((r) => s.sources.paths[r] !== undefined) && s.chatTemplate === undefined) throw loadError!;
        problems = checkTokenizer({ tokenizer: tok, sources: s.sources, chatTemplate: s.chatTemplate, training: config?.training });
        result.problems = problems.map((p) => ({ severity: p.severity, code: p.code, message: p.message, ...(p.fix ? { fix: p.fix } : {}) }));
      }
      if (values.format === 'json') {
        process.stdout.write(`${JSON.stringify(result)}\n`);
      } else {
        const lines: string[] = [];
        if (tok) lines.push(`${tok.path} (${tok.kind}, ${tok.vocabSize} ids${tok.host !== 'local' ? `, on ${tok.host}` : ''})`);
        if (config) {
          const t = config.training;
          const what = [t.framework ?? 'framework not recognised', t.pretraining ? 'pretraining / completion' : '', t.chatSft ? 'chat SFT' : '', t.assistantOnlyLoss ? 'assistant-only loss' : '', t.template ? `${t.template.key}: ${t.template.name}` : ''].filter(Boolean);
          lines.push(`training config ${values.config} (${what.join(', ')})`);
        }
        if (result.ids) {
          const ids = result.ids as number[];
          const toks = result.tokens as string[];
          lines.push(`${ids.length} tokens, ${(text!.length / Math.max(1, ids.length)).toFixed(2)} characters per token`);
          lines.push(toks.map((t, i) => `${JSON.stringify(t)}=${ids[i]}`).join(' '));
          lines.push(result.roundTrip ? 'round trip: decode(encode(text)) == text' : `round trip differs: ${JSON.stringify(result.decoded)}`);
        }
        if (chat) {
          lines.push('chat (trained tokens in [brackets]):');
          lines.push(chat.tokens.map((t, i) => (chat!.mask[i] ? `[${t}]` : t)).join(''));
          lines.push(`${chat.mask.filter((m) => m).length}/${chat.mask.length} tokens trained; generation prompt ${JSON.stringify(chat.generationPrompt)}`);
          for (const n of chat.notes) lines.push(`note: ${n}`);
        }
        if (problems) {
          if (problems.length === 0) lines.push('no problems found');
          for (const p of problems) lines.push(`${p.severity} ${p.code}: ${p.message}${p.fix ? `\n  fix: ${p.fix}` : ''}`);
        }
        process.stdout.write(`${lines.join('\n')}\n`);
      }
      return problems?.some((p) => p.severity === 'error') ? 1 : 0;
    });
  },
};
