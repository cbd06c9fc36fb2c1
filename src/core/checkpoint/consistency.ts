/**
 * A checkpoint against its `config.json` (transformers `PretrainedConfig`): dtype on disk vs `torch_dtype` (`dtype` in
 * transformers >= 4.56), `tie_word_embeddings` vs the tensors present, embedding rows vs `vocab_size`.
 */
import { dominantDtype } from './summary';
import type { CheckpointReport, Problem, TensorInfo } from './types';

/** torch dtype names in config.json -> safetensors notation. */
const CONFIG_DTYPES: Record<string, string> = { float32: 'F32', float16: 'F16', bfloat16: 'BF16', float64: 'F64', float: 'F32', half: 'F16' };

const EMBED = /(^|\.)(embed_tokens|wte|word_embeddings|tok_embeddings|embed_in)\.weight$/;
const HEAD = /(^|\.)(lm_head|embed_out)\.weight$/;

function find(tensors: TensorInfo[], re: RegExp): TensorInfo | undefined {
  return tensors.find((t) => re.test(t.name));
}

/** Problems of `report` (a model folder's weights) against `config` (parsed config.json at `file`). */
export function configChecks(config: Record<string, unknown>, report: CheckpointReport, file: string): Problem[] {
  const out: Problem[] = [];
  const tensors = report.tensors;
  const want = config.torch_dtype ?? config.dtype;
  const onDisk = dominantDtype(tensors.filter((t) => t.dtype.startsWith('F') || t.dtype === 'BF16'));
  if (typeof want === 'string' && CONFIG_DTYPES[want] && onDisk && CONFIG_DTYPES[want] !== onDisk) {
    const ratio = (bits: string): number => (bits === 'F32' ? 4 : bits === 'F64' ? 8 : bits.startsWith('F8') ? 1 : 2);
    const r = ratio(onDisk) / ratio(CONFIG_DTYPES[want]);
    out.push({ severity: 'warning', file, message: `weights are ${onDisk} on disk but config.json says torch_dtype ${want}${r > 1 ? ` (the files are ${r}x the size they need to be; an fp32 FSDP/ZeRO save of a ${want} model?)` : ''}` });
  }
  const embed = find(tensors, EMBED);
  const head = find(tensors, HEAD);
  const tie = config.tie_word_embeddings;
  if (embed && tie === false && !head) {
    out.push({ severity: 'error', file, message: `tie_word_embeddings is false but there is no lm_head.weight: transformers will initialise the output layer randomly` });
  }
  if (embed && head && tie !== false) {
    const shared = report.tied.some(([a, b]) => (a === embed.name && b === head.name) || (a === head.name && b === embed.name));
    if (!shared) out.push({ severity: 'warning', file, message: `tie_word_embeddings is ${tie === undefined ? 'unset (true by default)' : 'true'} but both ${embed.name} and ${head.name} are written as separate tensors: if they diverged in training, loading ties them and ${head.name} is dropped (compare them with \`llmtrain checkpoint diff --values\`)` });
  }
  const vocab = Number(config.vocab_size);
  if (embed && Number.isFinite(vocab) && embed.shape.length === 2 && embed.shape[0] !== 0 && embed.shape[0] !== vocab) {
    out.push({ severity: 'error', file, message: `${embed.name} has ${embed.shape[0]} rows but config.json says vocab_size ${vocab}: from_pretrained fails with a size mismatch (resize_token_embeddings after adding tokens, then save config and weights together)` });
  }
  if (head && Number.isFinite(vocab) && head.shape.length === 2 && head.shape[0] !== 0 && head.shape[0] !== vocab) {
    out.push({ severity: 'error', file, message: `${head.name} has ${head.shape[0]} rows but config.json says vocab_size ${vocab}` });
  }
  return out;
}
