/**
 * The one parser of environment assignments for runs (`NAME=value`), shared by Launch Run's environment step,
 * `llmTraining.launchRun` from code, `llm-training` tasks and `llmtrain run --env`. A name must be a POSIX shell
 * variable name (`[A-Za-z_][A-Za-z0-9_]*`, XBD 8.1 / XCU 2.2: what `NAME=value` can assign); anything else is refused
 * here with the entry named, instead of failing later inside a remote shell (or, worse, being passed through).
 */
import { isEnvName } from './quote';
import { splitShellWords } from './shellWords';

/** An environment entry that is not `NAME=value` (or a name no shell can assign). */
export class EnvAssignmentError extends Error {
  constructor(readonly entry: string, reason: string) {
    super(`${JSON.stringify(entry)} is not NAME=value: ${reason}`);
    this.name = 'EnvAssignmentError';
  }
}

/** One `NAME=value` entry -> `[name, value]` (the value may be empty and may contain `=`). @throws EnvAssignmentError */
export function parseEnvAssignment(entry: string): [string, string] {
  const eq = entry.indexOf('=');
  if (eq < 0) throw new EnvAssignmentError(entry, 'no "="');
  const name = entry.slice(0, eq);
  if (!isEnvName(name)) throw new EnvAssignmentError(entry, name === '' ? 'empty name' : `${JSON.stringify(name)} is not a variable name ([A-Za-z_][A-Za-z0-9_]*)`);
  return [name, entry.slice(eq + 1)];
}

/** A list of `NAME=value` entries (e.g. repeated `--env`) -> env object; a later entry wins. @throws EnvAssignmentError */
export function parseEnvList(entries: readonly string[]): Record<string, string> {
  const env: Record<string, string> = {};
  for (const e of entries) { const [k, v] = parseEnvAssignment(e); env[k] = v; }
  return env;
}

/**
 * `NAME=value` entries in one text, separated by whitespace or newlines, shell-words quoting allowed
 * (`CUDA_VISIBLE_DEVICES=0,1 WANDB_MODE="offline"`, see splitShellWords).
 * @throws ShellWordsError for bad quoting, EnvAssignmentError naming the first bad entry.
 */
export function parseEnvAssignments(text: string): Record<string, string> {
  return parseEnvList(splitShellWords(text));
}

/** Checks an env object built elsewhere (API callers, tasks.json): @throws EnvAssignmentError on the first bad name. */
export function assertEnvNames(env: Record<string, string>): void {
  for (const k of Object.keys(env)) if (!isEnvName(k)) throw new EnvAssignmentError(`${k}=…`, `${JSON.stringify(k)} is not a variable name ([A-Za-z_][A-Za-z0-9_]*)`);
}
