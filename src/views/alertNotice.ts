/**
 * The notification of a metric alert (NaN/Inf, spike, divergence, loss-scale collapse, ...; the kinds of
 * src/core/metrics/alerts.ts), one shape whether the alert comes from a followed run or from a log opened as a chart
 * (issue 11: an opened log's spike showed its marker and no notification).
 */
import * as vscode from 'vscode';
import type { Alert } from '../core/metrics/types';
import { noticeText } from '../core/runs/quote';

/**
 * `<title>: <message> (step N)`, with `(+K more alerts)` when one notice stands for several (an opened log's first
 * read raises all of its alerts at once).
 */
export function alertNoticeText(title: string, alert: Alert, more = 0): string {
  return `${title}: ${alert.message} (step ${alert.step})${more > 0 ? ` (+${more} more alert${more === 1 ? '' : 's'})` : ''}`;
}

/** Alerts worth a notification: all but `restart` (a resume is marked on the chart; a loss jump after it alerts itself). */
export function notifiable(alerts: readonly Alert[]): Alert[] {
  return alerts.filter((a) => a.kind !== 'restart');
}

/**
 * Shows one warning for `alerts` (the first, with a count of the rest); "Show Loss Curve" calls `showCurve`.
 * Does nothing for an empty list.
 */
export function notifyAlerts(title: string, alerts: readonly Alert[], showCurve: () => void): void {
  const shown = notifiable(alerts);
  if (shown.length === 0) return;
  void vscode.window.showWarningMessage(noticeText(alertNoticeText(title, shown[0], shown.length - 1)), 'Show Loss Curve').then((b) => { if (b) showCurve(); });
}
