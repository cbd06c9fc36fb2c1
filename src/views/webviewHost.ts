/**
 * The one host side of every webview (panels, sidebar views, custom editors): it owns the ready -> snapshot -> deltas
 * flow, visibility, inbound validation and logging, so a feature supplies only its snapshot and its handlers.
 *
 * - The webview app (`webview-ui/<app>/main.ts`, bundled to `dist/webview/<app>.js` and `.css`) sends `{type:'ready'}`
 *   each time its document loads (first show, re-show after being hidden, reload).
 * - On `ready` the host posts `snapshot()`: the whole state, built by the feature from data the host keeps.
 * - `postDelta(m)` sends a change while the webview is ready and visible; otherwise the delta is dropped and the
 *   webview is marked stale (a hidden webview drops messages anyway), and the next `ready` or re-show re-snapshots.
 * - Hiding resets `ready` (without retainContextWhenHidden the document is destroyed and will say `ready` again).
 * - Every inbound message is validated by the feature's `parse` (zod on the host side); invalid ones are logged to the
 *   output channel with what was wrong and dropped; a handler that throws is logged and shown as an error.
 * - Listeners are registered once per webview; everything is disposed with the panel or view.
 *
 * Shell and CSP: `webviewHtml` (`default-src 'none'`, one nonce'd script, `localResourceRoots` = `dist/webview`).
 */
import * as vscode from 'vscode';
import { dispatch, type Handlers, type ParseResult } from '../shared/protocol/dispatch';
import { webviewHtml } from './webviewHtml';

/** What a feature supplies to host its webview. `In` is the webview->host union (including `ready`). */
export interface WebviewHostSpec<In extends { type: string }, Out> {
  /** Bundle name: `dist/webview/<app>.js` (and `<app>.css` when `style` is true). */
  app: string;
  /** Whether the app has a stylesheet (default true). */
  style?: boolean;
  /** Label in log lines (`tokenizer inspector`). */
  label: string;
  /** Validates an inbound message (zod `safeParse` on the host side). */
  parse(raw: unknown): ParseResult<In>;
  /** The whole state to send on `ready`; `undefined` when there is nothing to show yet. */
  snapshot(): Out | undefined | Promise<Out | undefined>;
  /** Handlers for every inbound message but `ready`, which the host handles. */
  handlers: Handlers<Exclude<In, { type: 'ready' }>>;
}

/** The part of a WebviewPanel or WebviewView the host needs (both fit, after `surfaceOf`). */
export interface WebviewSurface {
  readonly webview: vscode.Webview;
  readonly visible: boolean;
  onDidChangeVisible(listener: () => void): vscode.Disposable;
  onDidDispose(listener: () => void): vscode.Disposable;
}

/** Adapts a WebviewPanel (custom editors too) or a WebviewView to a WebviewSurface. */
export function surfaceOf(target: vscode.WebviewPanel | vscode.WebviewView): WebviewSurface {
  if ('onDidChangeViewState' in target) {
    const panel = target;
    return { get webview() { return panel.webview; }, get visible() { return panel.visible; }, onDidChangeVisible: (l) => panel.onDidChangeViewState(() => l()), onDidDispose: (l) => panel.onDidDispose(l) };
  }
  const view = target;
  return { get webview() { return view.webview; }, get visible() { return view.visible; }, onDidChangeVisible: (l) => view.onDidChangeVisibility(l), onDidDispose: (l) => view.onDidDispose(l) };
}

/** Options for a webview this extension renders (scripts on, resources only from the bundle folder). */
export function webviewOptions(extensionUri: vscode.Uri): vscode.WebviewOptions & vscode.WebviewPanelOptions {
  return { enableScripts: true, localResourceRoots: [vscode.Uri.joinPath(extensionUri, 'dist', 'webview')], enableFindWidget: false };
}

/** Hosts one webview for its lifetime. Create it right after the panel/view exists; dispose happens with it. */
export class WebviewHost<In extends { type: string }, Out> implements vscode.Disposable {
  private ready = false;
  private stale = false;
  private disposed = false;
  private readonly disposables: vscode.Disposable[] = [];
  private readonly disposeListeners: (() => void)[] = [];

  constructor(
    readonly surface: WebviewSurface,
    extensionUri: vscode.Uri,
    private readonly spec: WebviewHostSpec<In, Out>,
    private readonly log: vscode.LogOutputChannel,
  ) {
    const webview = surface.webview;
    const root = vscode.Uri.joinPath(extensionUri, 'dist', 'webview');
    webview.options = webviewOptions(extensionUri);
    webview.html = webviewHtml({
      cspSource: webview.cspSource,
      scriptUri: webview.asWebviewUri(vscode.Uri.joinPath(root, `${spec.app}.js`)).toString(),
      styleUri: spec.style === false ? undefined : webview.asWebviewUri(vscode.Uri.joinPath(root, `${spec.app}.css`)).toString(),
    });
    this.disposables.push(
      webview.onDidReceiveMessage((raw: unknown) => this.receive(raw)),
      surface.onDidChangeVisible(() => {
        if (!surface.visible) { this.ready = false; return; }
        if (this.ready && this.stale) void this.sendSnapshot();
      }),
      surface.onDidDispose(() => this.dispose()),
    );
  }

  /** Whether the webview has said `ready` since it was last shown. */
  get isReady(): boolean { return this.ready && !this.disposed; }

  /** Sends a change; dropped (and a re-snapshot scheduled) while the webview is hidden or not ready. */
  postDelta(message: Out): void {
    if (this.disposed) return;
    if (!this.ready || !this.surface.visible) { this.stale = true; return; }
    void this.surface.webview.postMessage(message);
  }

  /** Re-sends the whole state now when the webview can take it, else at its next `ready`/re-show. */
  async refresh(): Promise<void> {
    if (this.ready && this.surface.visible) await this.sendSnapshot(); else this.stale = true;
  }

  /** Calls `listener` once when the webview is disposed. */
  onDidDispose(listener: () => void): void { this.disposeListeners.push(listener); }

  private async sendSnapshot(): Promise<void> {
    this.stale = false;
    try {
      const snap = await this.spec.snapshot();
      if (snap !== undefined && !this.disposed) void this.surface.webview.postMessage(snap);
    } catch (e) {
      this.log.error(`${this.spec.label}: building the snapshot failed: ${(e as Error).stack ?? String(e)}`);
    }
  }

  private receive(raw: unknown): void {
    const parsed = this.spec.parse(raw);
    if (!parsed.ok) { this.log.warn(`${this.spec.label}: dropped an invalid message from the webview: ${parsed.error}`); return; }
    const message = parsed.message;
    if (message.type === 'ready') { this.ready = true; void this.sendSnapshot(); return; }
    void Promise.resolve()
      .then(() => dispatch(this.spec.handlers, message as Exclude<In, { type: 'ready' }>))
      .catch((e: Error) => {
        this.log.error(`${this.spec.label}: handling '${message.type}' failed: ${e.stack ?? e.message}`);
        void vscode.window.showErrorMessage(`${this.spec.label}: ${e.message}`);
      });
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.ready = false;
    for (const d of this.disposables) d.dispose();
    for (const l of this.disposeListeners.splice(0)) { try { l(); } catch { /* a listener's failure must not stop the rest */ } }
  }
}

/**
 * The zod-free validator helper: wraps a zod-like `safeParse` into a ParseResult with a readable error. Host code
 * passes `(raw) => parseWith(schema, raw)` as `spec.parse`. (Defined in the vscode-free `shared/protocol/dispatch.ts`
 * so host-side message modules stay unit-testable; re-exported here where the host code looks for it.)
 */
export { parseWith } from '../shared/protocol/dispatch';
