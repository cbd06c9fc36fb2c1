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

/** What the harness's UI bridge can do in this suite's workbench page (scripts/test-vscode.mjs, "UI bridge"). */
export type UiBridgeRequest =
  /** Waits for a modal dialog; returns its text; clicks `button` (exact label) when given. */
  | { action: 'dialog'; button?: string; timeoutMs?: number }
  /** Waits for an input box; returns its title, prompt and whether it hides the text; types `value` + Enter (null: Escape). */
  | { action: 'input'; value: string | null; timeoutMs?: number }
  /** Waits for a notification toast containing `contains`; returns its text; clicks `button` when given. */
  | { action: 'notification'; contains: string; button?: string; timeoutMs?: number }
  /** What is open now, without waiting. */
  | { action: 'state' }
  /** The rows the tree view titled `view` shows now (aria-labels), without waiting; `visible: false` when it is not shown. */
  | { action: 'treeRows'; view: string };

/** True when the harness serves the UI bridge (code-server harness; not @vscode/test-electron). */
export function hasUiBridge(): boolean {
  return !!process.env.LLMTS_UI_BRIDGE;
}

/**
 * Acts in this window's workbench as a user would, through the harness (Playwright on the page this extension host
 * belongs to): answers a modal, an input box or a notification that a command under test is waiting on. Start the
 * command first (without awaiting it), then call this. Throws with the harness's message when nothing showed up.
 */
export async function uiBridge<T = Record<string, unknown>>(req: UiBridgeRequest): Promise<T> {
  const url = process.env.LLMTS_UI_BRIDGE;
  if (!url) throw new Error('no UI bridge: run under scripts/test-vscode.mjs');
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(req) });
  const body = (await res.json()) as T & { error?: string };
  if (!res.ok) throw new Error(`UI bridge ${req.action}: ${body.error ?? res.status}`);
  return body;
}
