import type { Position, Range } from './types';

/**
 * Maps UTF-16 offsets of a text to zero-based line/character positions (LSP convention) and back.
 * Built once per text in O(n); each lookup is a binary search. `\r\n`, `\n` and lone `\r` end lines.
 */
export class LineIndex {
  private readonly starts: number[] = [0];
  constructor(readonly text: string) {
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      if (c === 10) this.starts.push(i + 1);
      else if (c === 13) { if (text.charCodeAt(i + 1) === 10) i++; this.starts.push(i + 1); }
    }
  }
  /** Position of an offset (clamped to [0, text.length]). */
  position(offset: number): Position {
    const o = Math.max(0, Math.min(offset, this.text.length));
    let lo = 0, hi = this.starts.length - 1;
    while (lo < hi) { const mid = (lo + hi + 1) >> 1; if (this.starts[mid] <= o) lo = mid; else hi = mid - 1; }
    return { line: lo, character: o - this.starts[lo] };
  }
  range(start: number, end: number): Range { return { start: this.position(start), end: this.position(Math.max(start, end)) }; }
  /** Offset of a position (clamped to the line and the text). */
  offset(p: Position): number {
    const line = Math.max(0, Math.min(p.line, this.starts.length - 1));
    const next = line + 1 < this.starts.length ? this.starts[line + 1] : this.text.length;
    return Math.min(this.starts[line] + Math.max(0, p.character), next);
  }
  get lineCount(): number { return this.starts.length; }
}
