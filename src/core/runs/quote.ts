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

/** Characters that would break a one-line display: C0 controls (newline, CR, tab, ESC, ...), DEL, C1 controls (NEL
 * U+0085 included) and the Unicode line and paragraph separators. */
const BREAKS_LINE = /[\x00-\x1f\x7f-\x9f\u2028\u2029]/;
const UTF8 = new TextEncoder();
const ANSI_C: Record<string, string> = { '\n': '\\n', '\r': '\\r', '\t': '\\t', '\\': '\\\\', "'": "\\'" };

/**
 * One argument for showing on one line (a table row, a tree label): `shellQuote`'s text, except that an argument
 * holding a character in {@link BREAKS_LINE} is written in ANSI-C quoting, `$'import os\nprint(1)'` (`\n`, `\r`, `\t`,
 * `\\`, `\'`, `\xHH` for other C0 controls and DEL, the UTF-8 bytes as `\xHH\xHH` for C1 controls, U+2028, U+2029).
 * bash, zsh and ksh93 read it back as the same argument in any locale (the bash manual, "ANSI-C Quoting"); POSIX sh
 * only since POSIX.1-2024. For display only: shell text that is run goes through `shellQuote`.
 */
export function displayQuote(arg: string): string {
  if (!BREAKS_LINE.test(arg)) return shellQuote(arg);
  let out = "$'";
  for (const ch of arg) {
    const esc = ANSI_C[ch];
    if (esc !== undefined) { out += esc; continue; }
    const c = ch.codePointAt(0)!;
    if (c < 0x20 || c === 0x7f) out += `\\x${c.toString(16).padStart(2, '0')}`;
    // the UTF-8 bytes, not \uHHHH: bash converts \u to the locale's charset and leaves it as typed under LANG=C
    else if ((c >= 0x80 && c <= 0x9f) || c === 0x2028 || c === 0x2029) for (const byte of UTF8.encode(ch)) out += `\\x${byte.toString(16)}`;
    else out += ch;
  }
  return `${out}'`;
}

/** argv on one line for display ({@link displayQuote} per argument, joined with spaces); `''` for an empty argv. */
export function displayJoin(argv: readonly string[]): string {
  return argv.map(displayQuote).join(' ');
}

/** Line breaks shown as `⏎` by {@link displayText}: CRLF, LF, CR, NEL (U+0085), LS and PS (U+2028, U+2029). */
const LINE_BREAK = /\r\n|[\n\r\u0085\u2028\u2029]/g;
/** Other characters {@link displayText} writes as escapes: the remaining C0 and C1 controls and DEL, and the Unicode
 * bidirectional controls (ALM U+061C, LRM/RLM U+200E/F, LRE..RLO U+202A-U+202E, LRI..PDI U+2066-U+2069), which reorder
 * the text around them: `abc\u202Egpj.exe` reads `abcexe.jpg` ("Trojan Source", CVE-2021-42574). */
const HIDDEN = /[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

/**
 * Free text (a run name, a crash reason, an error message) for showing on one line, as text: line breaks become `⏎`
 * (as VS Code shows them in tree labels), a tab a space, other controls and bidirectional controls `\xHH` /
 * `\uHHHH` (so they can be seen, and cannot reorder or hide what follows). Cut to `maxChars` code points at most,
 * the last one then `…` (default: no limit; a surrogate pair is never split). For display only; the raw text stays
 * in run.json and in `--format json`.
 */
export function displayText(text: string, maxChars = Infinity): string {
  const line = text.replace(LINE_BREAK, '⏎').replace(/\t/g, ' ').replace(HIDDEN, (c) => {
    const n = c.charCodeAt(0);
    return n < 0x100 ? `\\x${n.toString(16).padStart(2, '0')}` : `\\u${n.toString(16).padStart(4, '0')}`;
  });
  if (line.length <= maxChars) return line;
  const chars = [...line];
  return chars.length <= maxChars ? line : `${chars.slice(0, Math.max(0, maxChars - 1)).join('')}…`;
}

/**
 * Free text for a VS Code notification (`showErrorMessage` and the like), where it cannot become a link: the
 * workbench turns `[label](target)` into a clickable link when target starts with `https://`, `http://`, `command:`
 * or `file:` (`parseLinkedText`, src/vs/base/common/linkedText.ts, used by the notification renderer after line
 * breaks become spaces), so a run name or a log line such as `[Retry](command:workbench.action.terminal.new)` would
 * run a command on a click. The text is {@link displayText} (one line, controls visible) with a space written
 * between every `]` and a `(` that follows it; nothing else changes. For display only.
 */
export function noticeText(text: string, maxChars = Infinity): string {
  return displayText(text, maxChars).replace(/\]\(/g, '] (');
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
