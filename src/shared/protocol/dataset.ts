/**
 * Messages between the dataset panel (webview-ui/dataset) and its host (src/views/dataset/panel.ts). Types only
 * (plus the dependency-free dispatch); the host validates inbound messages with zod (src/views/dataset/messages.ts).
 */
import type { DatasetReport, DatasetProgress } from '../../core/dataset/types';
import type { ReadyMessage } from './dispatch';
export { dispatch } from './dispatch';
export type { Handlers } from './dispatch';

/** The whole panel state: the file, the latest report (or none yet), a running check's progress, an error. */
export interface DatasetSnapshot {
  type: 'snapshot';
  title: string;
  /** Where the file is, for the header (`local:/data/train.jsonl`, `gpu-box:/data/train.jsonl`). */
  location: string;
  report?: DatasetReport;
  /** Label of the format (`alpaca (instruction/input/output)`). */
  formatLabel?: string;
  running?: DatasetProgress;
  error?: string;
  /** Whether the rows can be opened in the tokenizer inspector (a tokenizer is known). */
  canInspect: boolean;
}

/** Host -> webview. */
export type DatasetHostToWebview = DatasetSnapshot | ({ type: 'progress' } & DatasetProgress);

/** Webview -> host. `reveal` opens the file at a row; `inspect` opens a row in the tokenizer inspector. */
export type DatasetWebviewToHost =
  | ReadyMessage
  | { type: 'reveal'; index: number; line?: number; row?: number; startLine?: number }
  | { type: 'inspect'; index: number }
  | { type: 'recheck' }
  | { type: 'chooseTokenizer' };
