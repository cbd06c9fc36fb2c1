export interface Skip { title: string; reason: string }
export interface Counts { passed: number; failed: number; skipped: number; skips: Skip[]; secs?: number }
export function parseNodeTest(out: string): Counts | undefined;
export function parseSummary(out: string, label: string): Counts | undefined;
export function isOptionalSkip(reason: string): boolean;
