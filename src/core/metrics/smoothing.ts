/**
 * Smoothing of a series for display. Non-finite values (NaN, ±Infinity) pass through unchanged and do not enter
 * the average, so a NaN loss stays visible as a NaN point.
 */

/**
 * Debiased exponential moving average, as TensorBoard's scalar dashboard computes it
 * (tensorboard/plugins/scalar/vz_line_chart2, `resmoothDataset`): `last = last * w + (1 - w) * v`,
 * `smoothed = last / (1 - w^k)` for the k-th finite value. A constant series is returned unchanged.
 * `weight` in [0, 1): 0 = no smoothing, 0.6 is TensorBoard's default, 0.99 heavy.
 */
export function emaDebiased(values: ArrayLike<number>, weight: number): Float64Array {
  const n = values.length;
  const out = new Float64Array(n);
  const w = Math.min(Math.max(weight, 0), 1);
  let constant = true;
  for (let i = 1; i < n; i++) if (values[i] !== values[0]) { constant = false; break; }
  let last = 0, k = 0;
  for (let i = 0; i < n; i++) {
    const v = values[i];
    if (constant || !Number.isFinite(v)) { out[i] = v; continue; }
    last = last * w + (1 - w) * v;
    k++;
    out[i] = w === 1 ? last : last / (1 - Math.pow(w, k));
  }
  return out;
}

/**
 * Time-weighted (irregularly sampled) debiased EMA: each earlier value's weight decays by `exp(-dx / tau)` with
 * `tau = halfLife / ln 2`, dx measured on `xs` (steps, seconds, tokens). Equals {@link emaDebiased} with
 * `weight = 2^(-1/halfLife)` when xs are 0, 1, 2, ... (both are the normalised sum of w^k v / sum of w^k).
 */
export function emaTimeWeighted(xs: ArrayLike<number>, values: ArrayLike<number>, halfLife: number): Float64Array {
  const n = Math.min(xs.length, values.length);
  const out = new Float64Array(n);
  if (!(halfLife > 0)) { for (let i = 0; i < n; i++) out[i] = values[i]; return out; }
  const tau = halfLife / Math.LN2;
  let s = 0, w = 0, prevX = NaN;
  for (let i = 0; i < n; i++) {
    const v = values[i];
    if (!Number.isFinite(v)) { out[i] = v; continue; }
    const x = xs[i];
    const decay = prevX === prevX ? Math.exp(-Math.max(0, x - prevX) / tau) : 0;
    s = s * decay + v;
    w = w * decay + 1;
    prevX = x;
    out[i] = s / w;
  }
  return out;
}

/**
 * Gaussian kernel smoothing on x: each output is the kernel-weighted mean of the finite values within ±3 sigma
 * (sigma in x units). O(n x window) with a sliding window; xs ascending.
 */
export function gaussianSmooth(xs: ArrayLike<number>, values: ArrayLike<number>, sigma: number): Float64Array {
  const n = Math.min(xs.length, values.length);
  const out = new Float64Array(n);
  if (!(sigma > 0)) { for (let i = 0; i < n; i++) out[i] = values[i]; return out; }
  const reach = 3 * sigma;
  const inv = 1 / (2 * sigma * sigma);
  let lo = 0, hi = 0;
  for (let i = 0; i < n; i++) {
    const v = values[i];
    if (!Number.isFinite(v)) { out[i] = v; continue; }
    const x = xs[i];
    while (lo < n && xs[lo] < x - reach) lo++;
    if (hi < i) hi = i;
    while (hi + 1 < n && xs[hi + 1] <= x + reach) hi++;
    let sw = 0, sv = 0;
    for (let j = lo; j <= hi; j++) {
      const y = values[j];
      if (!Number.isFinite(y)) continue;
      const d = xs[j] - x;
      const k = Math.exp(-d * d * inv);
      sw += k; sv += k * y;
    }
    out[i] = sv / sw;
  }
  return out;
}
