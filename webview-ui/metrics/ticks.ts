/**
 * Tick labels for the chart's y axes. uPlot formats ticks with a fixed number of decimals per axis, which on a log
 * scale or a right-hand axis of small values (a learning rate of 6e-3 falling to 5e-3) printed the same label for
 * different ticks ("0.006, 0.006, 0.005"; issue 11).
 */

/** `v` with `p` significant digits, plain for 1e-4 <= |v| < 1e6 (`0.0055`, `120000`), else exponent form (`3e-7`). */
function formatTick(v: number, p: number): string {
  if (v === 0) return '0';
  const a = Math.abs(v);
  if (a >= 1e-4 && a < 1e6) return String(+v.toPrecision(p));
  return v.toExponential(p - 1).replace(/\.?0+e/, 'e').replace('e+', 'e');
}

/**
 * Labels for the tick values `splits` (uPlot's axis `values` callback; `null` for a tick uPlot filtered out, labelled
 * ''), with the fewest significant digits (1 to 15) at which every label reads back as its tick (to 1e-9 relative:
 * 0.00525 is never rounded to 0.0053), so ticks of different value get different labels.
 * @returns one label per split, same order
 */
export function distinctTickLabels(splits: readonly (number | null)[]): string[] {
  for (let p = 1; p <= 15; p++) {
    const seen = new Map<string, number>();
    const labels = splits.map((v) => (v === null || !Number.isFinite(v) ? '' : formatTick(v, p)));
    const clash = splits.some((v, i) => {
      if (v === null || labels[i] === '') return false;
      const prev = seen.get(labels[i]);
      seen.set(labels[i], v);
      return (prev !== undefined && prev !== v) || Math.abs(Number(labels[i]) - v) > 1e-9 * Math.abs(v);
    });
    if (!clash) return labels;
  }
  return splits.map((v) => (v === null ? '' : String(v)));
}
