/** Default run names: `<folder> · <config> · HH:MM`, so runs of one config on one day can be told apart. Pure. */

const base = (p: string) => p.replace(/[\\/]+$/, '').split(/[\\/]/).pop() ?? p;
const pad = (n: number) => String(n).padStart(2, '0');

/**
 * A run's default name: the working directory's folder name, the config's file name (or, without a config, the
 * script's or program's file name) and the launch time as local `HH:MM`: `tiny-gpt · config.yaml · 14:02`.
 * Parts that are empty are left out. `cwd`/`config` may be POSIX or Windows paths, `~/x` allowed.
 */
export function defaultRunName(o: { cwd: string; config?: string; argv?: readonly string[]; start: Date }): string {
  const folder = base(o.cwd) || o.cwd;
  const script = o.argv?.find((a) => /\.(py|sh)$/.test(a) && !/\s/.test(a));
  const what = o.config ? base(o.config) : script ? base(script) : o.argv?.length ? base(o.argv[0]) : undefined;
  const time = `${pad(o.start.getHours())}:${pad(o.start.getMinutes())}`;
  return [folder, what, time].filter((s): s is string => !!s && s !== '~').join(' · ');
}

/** A user-typed run name, trimmed and on one line; an error message for an empty or over-long one (200 characters). */
export function checkRunName(v: string): { name: string } | { error: string } {
  const name = v.replace(/[\r\n\t]+/g, ' ').trim();
  if (!name) return { error: 'A run name cannot be empty' };
  if (name.length > 200) return { error: 'At most 200 characters' };
  return { name };
}
