// Small helpers for integration suites (bundled into each test file; keep them stateless).
import * as vscode from 'vscode';
import { poll } from '../poll';

/** `<publisher>.<name>` from package.json. */
export const EXTENSION_ID = 'llm-training-studio.llm-training-studio';

/** The extension, activated (activation is idempotent). Throws when it is not installed in this host. */
export async function activeExtension(): Promise<vscode.Extension<unknown>> {
  const ext = vscode.extensions.getExtension(EXTENSION_ID);
  if (!ext) throw new Error(`${EXTENSION_ID} is not installed in this extension host`);
  await ext.activate();
  return ext;
}

/**
 * Polls `probe` every `intervalMs` until it returns a value other than undefined/false, or throws after
 * `timeoutMs` with `what` in the message. For state VS Code updates a moment after a call returns
 * (e.g. a webview tab appears in window.tabGroups after executeCommand resolves).
 */
export async function waitFor<T>(what: string, probe: () => T | undefined | false | Promise<T | undefined | false>, timeoutMs = 10_000, intervalMs = 100): Promise<T> {
  return poll(what, probe, timeoutMs, intervalMs);
}

/** Absolute path of the first workspace folder (the harness opens test/fixtures/workspace or examples/). */
export function workspaceRoot(): string {
  const f = vscode.workspace.workspaceFolders?.[0];
  if (!f) throw new Error('no workspace folder is open');
  return f.uri.fsPath;
}

/** The tab whose label is `label`, once it exists (polls: tabs appear a moment after the command returns). */
export function waitForTab(label: string, timeoutMs = 10_000): Promise<vscode.Tab> {
  return waitFor(`a tab labelled '${label}'`, () => vscode.window.tabGroups.all.flatMap((g) => g.tabs).find((t) => t.label === label), timeoutMs);
}
