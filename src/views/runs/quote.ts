import { shellJoin } from '../../core/runs/quote';

/**
 * Shows argv as an editable command line that `splitShellWords` turns back into the same argv. Delegates to the
 * project's one quoting function (`shellJoin`, POSIX single quotes), whose output `splitShellWords` reads back exactly.
 */
export function quoteArgv(argv: readonly string[]): string {
  return argv.length === 0 ? '' : shellJoin(argv);
}
