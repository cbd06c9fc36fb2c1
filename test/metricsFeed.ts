/**
 * Helpers of the metrics unit tests that run whole logs through a feed (test/unit/metrics-launch.test.ts,
 * metrics-stepback.test.ts).
 */
import { createMetricsFeed, type WritableMetricsFeed } from '../src/core/metrics';

/** Runs a log through a feed (one chunk per piece, as a followed log grows; no clock) and returns it ended. */
export function feedOf(...chunks: string[]): WritableMetricsFeed {
  const feed = createMetricsFeed('r', 'log', { now: null });
  for (const c of chunks) feed.pushChunk(c);
  feed.end();
  return feed;
}

/** The feed's alerts as `kind@step`, in order. */
export const alertKinds = (feed: WritableMetricsFeed): string[] => feed.snapshot().alerts.map((a) => `${a.kind}@${a.step}`);
