/**
 * Turns the command line a user edits in the Launch Run box into argv, the only form in which commands are run
 * (locally with `spawn(argv[0], argv.slice(1))`, never through a shell; remotely each word is quoted by the one
 * quoting function of `src/remote`).
 *
 * Rules (a subset of POSIX shell word splitting, chosen so what users paste from READMEs keeps its meaning):
 * - words are separated by unquoted spaces, tabs and newlines;
 * - `'...'` keeps everything literally (no escapes inside);
 * - `"..."` keeps everything literally except `\"`, `\\`, `` \` `` and `\$`, which lose the backslash,
 *   and backslash-newline, which is removed;
 * - outside quotes a backslash keeps the next character literally; backslash-newline joins lines (as in
 *   `torchrun \` continuation lines);
 * - `''` and `""` produce an empty word;
 * - a `#` at the start of a word begins a comment to the end of the line.
 * There is no expansion of any kind: `$VAR`, `~`, `*` and `$(...)` stay as written (set variables in the
 * environment step instead). Operators a shell would interpret (`|`, `;`, `&&`, `>`, `<`, `&`) are refused
 * with an error rather than passed on as words, since running the line without a shell would silently change
 * what it does.
 *
 * @throws ShellWordsError with the 0-based `offset` of the problem (unterminated quote, trailing backslash,
 *   shell operator).
 */
export function splitShellWords(line: string): string[] {
  const words: string[] = [];
  let word = '';
  let inWord = false;
  let i = 0;
  const n = line.length;
  while (i < n) {
    const c = line[i];
    if (c === ' ' || c === '\t' || c === '\n' || c === '\r') {
      if (inWord) { words.push(word); word = ''; inWord = false; }
      i++;
    } else if (c === '#' && !inWord) {
      while (i < n && line[i] !== '\n') i++;
    } else if (c === "'") {
      const end = line.indexOf("'", i + 1);
      if (end < 0) throw new ShellWordsError('unterminated single quote', i);
      word += line.slice(i + 1, end);
      inWord = true;
      i = end + 1;
    } else if (c === '"') {
      const start = i;
      i++;
      let closed = false;
      while (i < n) {
        const d = line[i];
        if (d === '"') { closed = true; i++; break; }
        if (d === '\\' && i + 1 < n) {
          const e = line[i + 1];
          if (e === '"' || e === '\\' || e === '`' || e === '$') { word += e; i += 2; continue; }
          if (e === '\n') { i += 2; continue; }
        }
        word += d;
        i++;
      }
      if (!closed) throw new ShellWordsError('unterminated double quote', start);
      inWord = true;
    } else if (c === '\\') {
      if (i + 1 >= n) throw new ShellWordsError('trailing backslash', i);
      const e = line[i + 1];
      if (e === '\n') { i += 2; continue; }
      if (e === '\r' && line[i + 2] === '\n') { i += 3; continue; }
      word += e;
      inWord = true;
      i += 2;
    } else if (c === '|' || c === ';' || c === '&' || c === '<' || c === '>' || c === '`' || (c === '$' && line[i + 1] === '(')) {
      throw new ShellWordsError(`shell operator '${shellOperatorAt(line, i)}' is not supported: commands run without a shell (quote it to pass it literally)`, i);
    } else {
      word += c;
      inWord = true;
      i++;
    }
  }
  if (inWord) words.push(word);
  return words;
}

/** Two-character operators of POSIX shells and bash, longest first where one is a prefix of another. */
const TWO_CHAR_OPERATORS = ['&&', '||', ';;', '>>', '<<', '>&', '<&', '&>', '|&', '>|', '<>', '$('];

/**
 * The shell operator that starts at `i` of `line`, as the user typed it: `&&` for `a && b` (not `&`), `>>` for
 * `a >> log`, `$(` for a command substitution, else the single character (`|`, `;`, `&`, `<`, `>`, `` ` ``).
 */
export function shellOperatorAt(line: string, i: number): string {
  const two = line.slice(i, i + 2);
  if (line.slice(i, i + 3) === '<<<') return '<<<';
  if (line.slice(i, i + 3) === '&>>') return '&>>';
  return TWO_CHAR_OPERATORS.includes(two) ? two : line[i];
}

/** A command line that cannot be split into argv; `offset` is the 0-based index in the line where it went wrong. */
export class ShellWordsError extends Error {
  constructor(readonly reason: string, readonly offset: number) {
    super(`${reason} (at column ${offset + 1})`);
    this.name = 'ShellWordsError';
  }
}
