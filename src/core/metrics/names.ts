/**
 * Canonical series names. Logs name the same quantity differently (Megatron `lm loss`, mlx-lm `Train loss`,
 * LLaMA2-Accessory `closs`, Lightning `val_loss`); the views and alerts look for one name per quantity.
 * Where no canonical name exists the log's own key is kept (Megatron's prose labels become snake_case).
 */

/** The canonical names: training loss, evaluation loss, gradient norm, learning rate, epoch, fp16 loss scale. */
export const CANONICAL = ['loss', 'eval_loss', 'grad_norm', 'learning_rate', 'epoch', 'loss_scale'] as const;

/** Log key (lower case) -> canonical name. A Map, not an object literal: a log key such as `constructor` or
 * `__proto__` must not find Object.prototype's members. */
const ALIASES = new Map<string, string>(Object.entries({
  'loss': 'loss', 'lm loss': 'loss', 'lm_loss': 'loss', 'train loss': 'loss', 'train_loss': 'loss', 'closs': 'loss',
  'eval_loss': 'eval_loss', 'val loss': 'eval_loss', 'val_loss': 'eval_loss', 'validation_loss': 'eval_loss',
  'valid_loss': 'eval_loss', 'eval loss': 'eval_loss', 'validation loss': 'eval_loss', 'val/loss': 'eval_loss',
  'grad_norm': 'grad_norm', 'grad norm': 'grad_norm', 'gradient_norm': 'grad_norm', 'grad-norm': 'grad_norm',
  'lr': 'learning_rate', 'learning_rate': 'learning_rate', 'learning rate': 'learning_rate',
  'epoch': 'epoch',
  'loss_scale': 'loss_scale', 'loss scale': 'loss_scale', 'loss-scale': 'loss_scale',
}));

/**
 * Names (after canonicalisation) that count as "tokens seen so far" for the tokens x-axis, first found wins.
 * `num_input_tokens_seen`: the HF Trainer's `state.num_input_tokens_seen` (logged with `include_num_input_tokens_seen`);
 * `total_tokens`: the same counter as LLaMA-Factory's trainer_log.jsonl names it (LogCallback.on_log in
 * src/llamafactory/train/callbacks.py: `logs["total_tokens"] = state.num_input_tokens_seen`); `tokens_seen`: a custom
 * loop's `Tokens seen: 409600` line or `tokens_seen` key. A series is the axis only when it is a running total
 * (MetricStore.tokenSeries).
 */
export const TOKEN_SERIES = ['tokens', 'tokens_seen', 'num_input_tokens_seen', 'total_tokens', 'num_tokens', 'trained_tokens', 'consumed_tokens'];

/** Results of {@link canonicalName} by key, one map per `prose`: logs repeat a handful of keys on every line, and the
 * lookups, lower-casing and replaces cost a sixth of parsing a Megatron log. Bounded: a log that invents a key per
 * line stops being remembered rather than growing memory. */
const memo = [new Map<string, string>(), new Map<string, string>()];
const MEMO_MAX = 4096;

/**
 * Canonical name of a key as printed by a log. Case-insensitive for the aliases above; other keys are returned
 * unchanged when `prose` is false (dict/JSON/CSV keys are identifiers already) or converted to snake_case when
 * `prose` is true (`'number of skipped iterations'` -> `number_of_skipped_iterations`,
 * `'elapsed time per iteration (ms)'` -> `elapsed_time_per_iteration_ms`).
 */
export function canonicalName(key: string, prose = false): string {
  const m = memo[prose ? 1 : 0];
  let name = m.get(key);
  if (name === undefined) {
    name = computeName(key, prose);
    if (m.size < MEMO_MAX) m.set(key, name);
  }
  return name;
}

function computeName(key: string, prose: boolean): string {
  const k = key.trim();
  const alias = ALIASES.get(k) ?? ALIASES.get(k.toLowerCase());
  if (alias) return alias;
  if (!prose) return k;
  return k.toLowerCase().replace(/[^a-z0-9/]+/g, '_').replace(/^_+|_+$/g, '');
}

/** `<name>/<split>` suffixes of TensorBoard-style tags (`loss/train`, `loss/val`, as Lightning users group them):
 * train -> the name itself, the evaluation splits -> `eval_<name>`. */
const SPLIT_SUFFIX_RE = /^(.+)\/(train|val|valid|validation|eval)$/;

/**
 * Series name of a tag or record key that may carry a split: HF's TensorBoard tags `train/loss` -> `loss`,
 * `eval/loss` -> `eval_loss`; the suffix form `loss/train` -> `loss`, `loss/val` -> `eval_loss`; else
 * {@link canonicalName}. Used for TensorBoard tags, JSON-line keys and `Key: value` block keys alike, so the same key
 * makes the same series (and raises the same alerts) whatever the log's format.
 */
export function tbName(tag: string): string {
  if (tag.startsWith('train/')) return canonicalName(tag.slice(6));
  if (tag.startsWith('eval/')) return canonicalName(`eval_${tag.slice(5)}`);
  const m = tag.indexOf('/') > 0 ? SPLIT_SUFFIX_RE.exec(tag) : null;
  if (m) return canonicalName(m[2] === 'train' ? m[1] : `eval_${m[1]}`);
  return canonicalName(tag);
}
