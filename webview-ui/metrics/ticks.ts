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

/**
 * Tick steps (seconds) of the relative-time axis, given to uPlot as the axis' `incrs`: its default steps are decimal
 * (1, 2, 5 x 10^n), which on a duration axis put ticks at 0:16:40, 0:33:20 for a run of hours, and at 0.5 s steps
 * that round to the same whole second for a run of seconds ("0:01, 0:01"). These divide the clock's units instead.
 */
export const DURATION_INCRS: readonly number[] = [
  0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5,
  1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800,
  3600, 7200, 10800, 21600, 43200, 86400, 2 * 86400, 7 * 86400, 14 * 86400, 28 * 86400,
];

/**
 * `seconds` as `m:ss` or `h:mm:ss` (hours keep counting past 24), with `decimals` digits of the second (`0:01.5`).
 * Negative values get a leading minus.
 */
export function formatDuration(seconds: number, decimals = 0): string {
  if (!Number.isFinite(seconds)) return '';
  const sign = seconds < 0 ? '-' : '';
  const scale = 10 ** decimals;
  const total = Math.round(Math.abs(seconds) * scale); // in 1/scale seconds
  const whole = Math.floor(total / scale), frac = total % scale;
  const h = Math.floor(whole / 3600), m = Math.floor((whole % 3600) / 60), s = whole % 60;
  const ss = `${String(s).padStart(2, '0')}${decimals > 0 ? `.${String(frac).padStart(decimals, '0')}` : ''}`;
  return h > 0 ? `${sign}${h}:${String(m).padStart(2, '0')}:${ss}` : `${sign}${m}:${ss}`;
}

/**
 * Labels of relative-time ticks `splits` (seconds; `null` for a tick uPlot filtered out, labelled '') placed `incr`
 * seconds apart: as many decimals of a second as the step needs (none from 1 s up), so neighbouring ticks never
 * share a label.
 */
export function durationTickLabels(splits: readonly (number | null)[], incr: number): string[] {
  const decimals = incr > 0 && incr < 1 ? Math.min(3, Math.ceil(-Math.log10(incr) - 1e-9)) : 0;
  return splits.map((v) => (v === null ? '' : formatDuration(v, decimals)));
}

/**
 * Labels of wall-clock ticks `splits` (seconds since the epoch; `null` for a filtered tick, labelled '') placed `incr`
 * seconds apart, on a 24-hour clock as the Runs view prints times (`21:33`): `HH:MM:SS` under a minute (with tenths
 * under a second), `HH:MM` under a day, the date from a day up. The first labelled tick, and the first of each new
 * day, also carry the date on a second line. uPlot's default read `:00, :05, :10` with `12/5/26 9:33pm` under the
 * first. `utc` formats in UTC instead of the local zone (for tests).
 */
export function wallTickLabels(splits: readonly (number | null)[], incr: number, utc = false): string[] {
  const two = (n: number) => String(n).padStart(2, '0');
  let lastDay = '';
  return splits.map((v) => {
    if (v === null || !Number.isFinite(v)) return '';
    const d = new Date(v * 1000);
    const [Y, M, D, h, m, s, ms] = utc
      ? [d.getUTCFullYear(), d.getUTCMonth() + 1, d.getUTCDate(), d.getUTCHours(), d.getUTCMinutes(), d.getUTCSeconds(), d.getUTCMilliseconds()]
      : [d.getFullYear(), d.getMonth() + 1, d.getDate(), d.getHours(), d.getMinutes(), d.getSeconds(), d.getMilliseconds()];
    const day = `${Y}-${two(M)}-${two(D)}`;
    if (incr >= 86400) return day;
    const clock = incr < 1 ? `${two(h)}:${two(m)}:${two(s)}.${Math.floor(ms / 100)}` : incr < 60 ? `${two(h)}:${two(m)}:${two(s)}` : `${two(h)}:${two(m)}`;
    const withDay = day !== lastDay;
    lastDay = day;
    return withDay ? `${clock}\n${day}` : clock;
  });
}
