/**
 * Git LFS pointer files (https://github.com/git-lfs/git-lfs/blob/main/docs/spec.md): a clone without git-lfs leaves
 * ~130-byte text files where the weights should be. Spotting them turns "invalid header" into "run git lfs pull".
 */

/** Pointers are under 1024 bytes by the spec. */
export const LFS_POINTER_MAX_BYTES = 1024;

/**
 * The object id and size a pointer promises, or `undefined` when `bytes` is not an LFS pointer.
 * Format (spec): `version https://git-lfs.github.com/spec/v1\noid sha256:<64 hex>\nsize <bytes>\n`, keys sorted,
 * `version` first; older `version https://hawser.github.com/spec/v1` is accepted too.
 */
export function parseLfsPointer(bytes: Uint8Array): { oid: string; size: number } | undefined {
  if (bytes.length === 0 || bytes.length > LFS_POINTER_MAX_BYTES) return undefined;
  const head = 'version ';
  for (let i = 0; i < head.length; i++) if (bytes[i] !== head.charCodeAt(i)) return undefined;
  let text: string;
  try { text = new TextDecoder('utf-8', { fatal: true }).decode(bytes); } catch { return undefined; }
  const lines = text.split('\n').filter((l) => l.length > 0);
  if (!/^version https:\/\/(git-lfs\.github\.com|hawser\.github\.com)\/spec\/v1$/.test(lines[0] ?? '')) return undefined;
  let oid: string | undefined; let size: number | undefined;
  for (const line of lines.slice(1)) {
    const m = /^oid (sha256:[0-9a-f]{64})$/.exec(line);
    if (m) { oid = m[1]; continue; }
    const s = /^size (\d+)$/.exec(line);
    if (s) size = Number(s[1]);
  }
  return oid !== undefined && size !== undefined && Number.isSafeInteger(size) ? { oid, size } : undefined;
}
