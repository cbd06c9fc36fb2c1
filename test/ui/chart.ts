// Helpers the loss-curve UI tests share: what the chart drew (its `#chart[data-chart]` summary, DrawSummary in
// webview-ui/metrics/chart.ts), waiting for a chart that satisfies a condition, and a palette command confirmed again
// while the palette stays open.
import type { Frame } from 'playwright-core';
import { workbench, waitFor } from './workbench';

export interface DrawSummary {
  total: number; drawn: number; xMin: number; xMax: number; zoomed: boolean; alerts: number; draws: number; xTicks: string[];
  series: { run: string; name: string; inRange: number; drawn: number; gaps: number; drawnMin: number | null; drawnMax: number | null; smoothMin?: number | null; smoothMax?: number | null }[];
}

export async function summary(frame: Frame): Promise<DrawSummary | undefined> {
  const json = await frame.locator('#chart').getAttribute('data-chart', { timeout: 2_000 }).catch(() => null);
  return json ? (JSON.parse(json) as DrawSummary) : undefined;
}

/** The visible chart webview whose summary satisfies `until`. */
export async function chartWhere(what: string, until: (s: DrawSummary) => boolean, timeoutMs = 90_000): Promise<{ frame: Frame; s: DrawSummary }> {
  const wb = workbench();
  return waitFor(what, async () => {
    const frame = await wb.webviewFrame({ hasSelector: '#chart[data-chart]', timeoutMs: 5_000 }).catch(() => undefined);
    const s = frame && (await summary(frame));
    return frame && s && until(s) ? { frame, s } : undefined;
  }, timeoutMs, 500);
}

/** Runs a command from the palette; on a loaded machine the Enter can land while the list re-renders, so confirm again while the palette stays open. */
export async function runCommand(title: string, timeoutMs = 60_000): Promise<void> {
  const wb = workbench();
  await wb.runCommand(title, timeoutMs);
  // Give the first Enter its chance (state, not a fixed sleep), then confirm again only if the palette still shows it.
  await wb.quickInput.waitFor({ state: 'hidden', timeout: 5_000 }).catch(() => {});
  await waitFor(`the palette to close after '${title}'`, async () => {
    if (!(await wb.quickInput.isVisible())) return true;
    const value = await wb.quickInput.locator('input').inputValue().catch(() => '');
    // Press on the palette's input itself: a page-level Enter could land in an editor if the palette just closed.
    if (value.replace(/^>/, '').trim() === title) await wb.quickInput.locator('input').press('Enter', { timeout: 1_000 }).catch(() => {});
    return undefined;
  }, 20_000, 3_000);
}
