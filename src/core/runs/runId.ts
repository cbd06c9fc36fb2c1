/**
 * Run ids: `YYYYMMDD-HHMMSS-<name>-<rand>`, safe as one path component on any file system and in a shell word.
 * The user's run name is only a hint: it is reduced to `[a-z0-9._-]`, at most 40 characters, never `.`/`..`.
 */

/** Reduces a free-form run name to a safe slug (may be empty). */
export function sanitizeRunName(name: string): string {
  return name
    .normalize('NFKD')
    .toLowerCase()
    .replace(/[^a-z0-9._-]+/g, '-')
    .replace(/\.{2,}/g, '.')
    .replace(/[-.]*-[-.]*/g, '-')
    .replace(/^[-._]+|[-._]+$/g, '')
    .slice(0, 40)
    .replace(/[-._]+$/g, '');
}

/** True when `id` has the shape `makeRunId` produces (used before an id from user input becomes part of a path). */
export function isValidRunId(id: string): boolean {
  return /^[0-9]{8}-[0-9]{6}-(?:[a-z0-9][a-z0-9._-]{0,39}-)?[a-z0-9]{6}$/.test(id) && !id.includes('..');
}

/**
 * Makes a fresh run id. `now` and `random` are injectable for tests; `random()` must return values in [0, 1).
 */
export function makeRunId(name: string | undefined, now: Date = new Date(), random: () => number = Math.random): string {
  const p = (n: number, w = 2): string => String(n).padStart(w, '0');
  const stamp = `${now.getUTCFullYear()}${p(now.getUTCMonth() + 1)}${p(now.getUTCDate())}-${p(now.getUTCHours())}${p(now.getUTCMinutes())}${p(now.getUTCSeconds())}`;
  const alphabet = 'abcdefghijklmnopqrstuvwxyz0123456789';
  let rand = '';
  for (let i = 0; i < 6; i++) rand += alphabet[Math.floor(random() * alphabet.length) % alphabet.length];
  const slug = sanitizeRunName(name ?? '');
  return slug ? `${stamp}-${slug}-${rand}` : `${stamp}-${rand}`;
}
