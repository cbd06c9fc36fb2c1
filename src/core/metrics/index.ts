/**
 * Public API of the metrics core: training logs -> metric points -> store -> downsampled, smoothed series and alerts.
 * Pure TypeScript (no fs, no vscode): callers hand in bytes or text.
 */
export type { Alert, AlertKind, CrashEvent, LaunchEvent, LogEvent, MetricPoint, MetricsBatch, MetricsFeed, ParseOutput, Progress, SeriesColumns } from './types';
export { detectCrashLine, type CrashLine, type CrashKind } from './textFormats';
export { createLogParser, parseLog, type LogParser, type LogParserOptions, type ParsedLog } from './parser';
export { MetricStore, alignSeries, segmentName, type AlignedSeries, type MetricStoreOptions, type RawColumns, type Restart, type XAxis } from './store';
export { minMaxColumns, type Downsampled } from '../../shared/downsample';
export { AlertDetector, type AlertOptions } from './alerts';
export { createMetricsFeed, type FeedInfo, type LaunchInfo, type MetricsFeedOptions, type WritableMetricsFeed } from './feed';
export { batchGeometryDiffers, lossFactorAt, lossScaleOf, mergeSettings, scaleDifferences, settingsFromConfig, settingsFromMeta, tokensPerStepOf, worldSizeFromArgv, type LossScale, type RunSettings } from '../../shared/runSettings';
export { openLogFile, LOG_CHUNK_BYTES, type OpenLogFileOptions, type LogFileEnd } from './logFile';
export { emaDebiased, emaTimeWeighted, gaussianSmooth } from './smoothing';
export { canonicalName, tbName, CANONICAL, TOKEN_SERIES } from './names';
export { TfEventsReader, crc32c, maskedCrc32c, type TfScalar } from './tensorboard';
