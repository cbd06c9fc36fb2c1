/**
 * The ONE quoting function for commands that must pass through a POSIX shell (`sh -c`, an SSH exec string).
 * Every remote or shell-bound argument in this project goes through `shellQuote`/`shellJoin`; nothing else builds
 * shell text from values.
 *
 * Rule (POSIX.1-2017 XCU 2.2.3, single quotes): inside '...' every byte is literal except the closing quote, so a
 * value is wrapped in single quotes and each embedded `'` becomes `'\''` (close, escaped quote, reopen). Newlines,
 * `$()`, backticks, `!`, globs, non-ASCII and control bytes stay literal. NUL cannot be passed in argv at all, so it
 * is refused with an error instead of being silently truncated by the OS.
 */

const PLAIN = /^[A-Za-z0-9_@%+=:,./-]+$/;

/** Quotes one argument for a POSIX shell. Plain words (`[A-Za-z0-9_@%+=:,./-]+`) are returned unchanged for readability. */
export function shellQuote(arg: string): string {
  if (typeof arg !== 'string') throw new TypeError(`shellQuote: expected a string, got ${typeof arg}`);
  if (arg.includes('\0')) throw new Error('shellQuote: an argument cannot contain a NUL byte');
  if (arg !== '' && PLAIN.test(arg)) return arg;
  return `'${arg.replace(/'/g, `'\\''`)}'`;
}

/** Quotes every element of argv and joins them with spaces: the shell parses it back to exactly argv. */
export function shellJoin(argv: readonly string[]): string {
  if (argv.length === 0) throw new Error('shellJoin: empty argv');
  return argv.map(shellQuote).join(' ');
}

/** argv as an editable command line (`shellJoin`), `''` for an empty argv; `splitShellWords` reads it back exactly. */
export function quoteArgv(argv: readonly string[]): string {
  return argv.length === 0 ? '' : shellJoin(argv);
}

/** Environment variable names a shell can assign (`NAME=value`); anything else is refused (it could inject). */
export function isEnvName(name: string): boolean {
  return /^[A-Za-z_][A-Za-z0-9_]*$/.test(name);
}

/**
 * Builds `cd -- CWD && NAME='v' ... exec ARGV` for `sh`. Env names are validated (throws on a bad name),
 * values and argv go through `shellQuote`.
 */
export function shellCommand(argv: readonly string[], opts: { cwd?: string; env?: Record<string, string> } = {}): string {
  const parts: string[] = [];
  if (opts.cwd !== undefined) parts.push(`cd -- ${shellQuote(opts.cwd)} &&`);
  const assigns = Object.entries(opts.env ?? {}).map(([k, v]) => {
    if (!isEnvName(k)) throw new Error(`invalid environment variable name: ${JSON.stringify(k)}`);
    return `${k}=${shellQuote(v)}`;
  });
  parts.push(...assigns, 'exec', shellJoin(argv));
  return parts.join(' ');
}
