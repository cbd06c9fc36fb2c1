/** Text shown for runs in the Runs tree and the task terminal. Pure: no vscode import. */
import { displayQuote, displayText } from '../../core/runs/quote';
import type { RunRecord } from '../../core/runs/types';
import type { Progress } from '../../core/metrics/types';
import type { GpuStatus } from '../../core/runs/commands';

/**
 * Formats a duration in seconds as `m:ss` or `h:mm:ss` (tqdm's style), `d` prefix past a day.
 * Non-finite or negative input gives `?`.
 */
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '?';
  let s = Math.round(seconds);
  const d = Math.floor(s / 86400); s -= d * 86400;
  const h = Math.floor(s / 3600); s -= h * 3600;
  const m = Math.floor(s / 60); s -= m * 60;
  const mm = h > 0 || d > 0 ? String(m).padStart(2, '0') : String(m);
  const body = `${h > 0 || d > 0 ? `${h}:` : ''}${mm}:${String(s).padStart(2, '0')}`;
  return d > 0 ? `${d}d ${body}` : body;
}

/** A loss value with 4 significant digits (`1.234`, `0.0123`, `NaN`, `inf`). */
export function formatLoss(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (!Number.isFinite(v)) return v > 0 ? 'inf' : '-inf';
  const a = Math.abs(v);
  if (a !== 0 && (a >= 1e5 || a < 1e-3)) return v.toExponential(2);
  return String(Number(v.toPrecision(4)));
}

/**
 * Items per second from a rate as tqdm prints it: `3.1 it/s` is 3.1, `2.5 s/it` is 0.4 (tqdm switches to the
 * inverse when slower than one per second). Other units (`tok/s`, `samples/s`) are taken as per second.
 */
export function perSecond(rate: number, unit = 'it/s'): number {
  if (!Number.isFinite(rate) || rate <= 0) return NaN;
  return /^s\//.test(unit) ? 1 / rate : rate;
}

/** A rate as tqdm shows it: `3.1 it/s`, or `2.5 s/it` when slower than one per second. `unit` as printed. */
export function formatRate(rate: number, unit = 'it/s'): string {
  const ps = perSecond(rate, unit);
  if (!Number.isFinite(ps)) return '';
  const item = /^s\//.test(unit) ? unit.slice(2) : unit.replace(/\/s$/, '');
  if (ps < 1) return `${Number((1 / ps).toPrecision(3))} s/${item}`;
  return `${Number(ps.toPrecision(ps >= 100 ? 4 : 2))} ${item}/s`;
}

/** What the Runs tree needs to describe one run. */
export interface RunSummary {
  progress?: Progress;
  loss?: number;
  elapsedSeconds?: number;
  /** True when the run's process is over: no rate and no ETA are shown (they describe a process that is gone). */
  ended?: boolean;
}

/**
 * One-line description of a run: `step 120/500 · loss 1.234 · 3.1 it/s · ETA 2:10`; parts without data are left
 * out. The ETA is tqdm's when the log printed one, else computed from rate and remaining steps. An `ended` run gets
 * only `step 249/400 · loss 1.234`.
 */
export function describeRun(s: RunSummary): string {
  const parts: string[] = [];
  const p = s.progress;
  if (p) parts.push(p.total ? `step ${p.step}/${p.total}` : `step ${p.step}`);
  if (s.loss !== undefined) parts.push(`loss ${formatLoss(s.loss)}`);
  if (s.ended) return parts.join(' · ');
  if (p?.rate !== undefined) {
    const r = formatRate(p.rate, p.rateUnit);
    if (r) parts.push(r);
  }
  let eta = p?.etaSeconds;
  if (eta === undefined && p?.total && p.rate && p.rate > 0) eta = (p.total - p.step) / perSecond(p.rate, p.rateUnit);
  if (eta !== undefined && p?.total !== undefined && p.step < p.total) parts.push(`ETA ${formatDuration(eta)}`);
  return parts.join(' · ');
}

/**
 * `train.py cfg.yaml` style label: the launcher's script and config, not the whole argv. Each word is shown as a
 * shell would need it typed, on one line (`displayQuote`: `python -c 'print("a b")'`, `python -c $'import os\nos.x()'`);
 * only the script, config and program are shortened to their file names (a `/` inside a quoted argument is not a path).
 */
export function commandLabel(argv: string[]): string {
  const base = (s: string) => s.split('/').pop() ?? s;
  const script = argv.find((a) => /\.(py|sh)$/.test(a) && !/\s/.test(a));
  const cfgIdx = argv.findIndex((a) => /\.(ya?ml|json|toml)$/.test(a) && !/\s/.test(a));
  if (script && cfgIdx >= 0) return `${displayQuote(base(script))} ${displayQuote(base(argv[cfgIdx]))}`;
  if (cfgIdx >= 0) return `${displayQuote(base(argv[0]))} ${displayQuote(base(argv[cfgIdx]))}`;
  return argv.slice(0, 3).map((a, i) => displayQuote(i === 0 ? base(a) : a)).join(' ');
}

/** MiB as GiB with one decimal, `?` when unknown (nvidia-smi `[N/A]`). */
export const gib = (mib: number | undefined) => (mib === undefined ? '?' : (mib / 1024).toFixed(1));

/** `2× H100 80GB HBM3 · 87% · 120.3/160 GiB` (mean utilisation, summed memory), or `no GPUs`. */
export function gpuLabel(n: { gpus?: GpuStatus; error?: string }): string {
  if (n.error) return `GPUs: ${n.error}`;
  if (!n.gpus) return 'GPUs: …';
  if (!n.gpus.available) return 'no GPUs';
  const g = n.gpus.gpus;
  const util = g.reduce((a, x) => a + (x.utilizationGpu ?? 0), 0) / g.length;
  const used = g.reduce((a, x) => a + (x.memoryUsed ?? 0), 0);
  const total = g.reduce((a, x) => a + (x.memoryTotal ?? 0), 0);
  const names = new Set(g.map((x) => x.name));
  return `${g.length}× ${names.size === 1 ? g[0].name : 'GPU'} · ${Math.round(util)}% · ${gib(used)}/${(total / 1024).toFixed(0)} GiB`;
}

/** Widest run name a Runs view label shows (code points; the tooltip has it whole). */
export const LABEL_CHARS = 80;
/** Widest problem (a launch error, what Slurm said) a Runs view description shows; the tooltip has it whole. */
export const PROBLEM_CHARS = 100;

/**
 * A run's label in the Runs view: its name on one line (`displayText`: line breaks as `⏎`, control and bidirectional
 * characters as escapes, so `abc\u202Egpj.exe` cannot pose as `abcexe.jpg`), cut at LABEL_CHARS; a run without a
 * name shows its command (`commandLabel`). VS Code renders tree labels and descriptions as plain text (no `$(icon)`
 * syntax there), so `$(...)` in a name is left as typed; the tooltip, which is markdown with icons, escapes it.
 */
export function runLabel(run: Pick<RunRecord, 'name' | 'argv'>): string {
  return run.name !== undefined && run.name !== '' ? displayText(run.name, LABEL_CHARS) : commandLabel(run.argv);
}

/**
 * What went wrong with a run besides a crash (which `endedLabel` names): the launch's error for a run that failed
 * before its command ran (a refused `sbatch`), else what Slurm said (`Slurm job 12: TIMEOUT (TimeLimit)`, or that
 * Slurm did not answer), else, for a Slurm job still queued, why it waits (`Slurm job 12 is PENDING (Resources)`).
 * Whole and raw; `runDescription` shows it on one line.
 */
export function runProblem(run: Pick<RunRecord, 'state' | 'error' | 'slurmError' | 'slurmWaiting'>): string | undefined {
  return (run.state === 'failed' && run.error) || run.slurmError || (run.state === 'starting' && run.slurmWaiting) || undefined;
}

/**
 * A run's description in the Runs view: how it ended (`endedLabel`), the problem (`runProblem`, on one line, cut at
 * PROBLEM_CHARS) and the progress summary (`describeRun`), joined with ` · `; `fallback` (`running · 14:02`) stands
 * for the first two when the run has not ended and has no progress to show.
 */
export function runDescription(p: { ended?: string; problem?: string; summary?: string; fallback: string }): string {
  const problem = p.problem ? displayText(p.problem, PROBLEM_CHARS) : undefined;
  const head = p.ended || (p.summary ? undefined : p.fallback);
  return [head, problem, p.summary].filter(Boolean).join(' · ');
}
