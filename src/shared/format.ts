/**
 * Number formatting that the host, the CLI and the webviews share (pure, no imports), so a size reads the same in
 * `llmtrain checkpoint`, the Checkpoints view and the details editor.
 */

/** `1.5 GB`-style size in decimal units (as `ls -h --si` and the Hugging Face Hub show them); input in bytes. */
export function formatBytes(n: number): string {
  if (!Number.isFinite(n)) return String(n);
  const units = ['B', 'KB', 'MB', 'GB', 'TB', 'PB'];
  let u = 0;
  let v = n;
  while (Math.abs(v) >= 1000 && u < units.length - 1) { v /= 1000; u++; }
  return u === 0 ? `${v} B` : `${v.toFixed(v < 10 ? 2 : v < 100 ? 1 : 0)} ${units[u]}`;
}

/** Parameter counts as model cards write them: `1.24B`, `6.74M`, `12.3K`, `512`. */
export function formatCount(n: number): string {
  return n >= 1e9 ? `${(n / 1e9).toFixed(2)}B` : n >= 1e6 ? `${(n / 1e6).toFixed(2)}M` : n >= 1e3 ? `${(n / 1e3).toFixed(1)}K` : String(n);
}
