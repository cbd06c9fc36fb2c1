// The shared webview host (src/views/webviewHost.ts), driven through a recording surface in the real extension host:
// ready -> exactly one snapshot, deltas only while ready and visible, hiding resets ready, re-show after a dropped
// delta re-snapshots, invalid inbound messages are logged to the output channel (not console) and dropped,
// listeners are registered once and released on dispose. The loss-curve UI test covers the same through a real panel.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { WebviewHost, type WebviewSurface } from '../../src/views/webviewHost';
import type { ParseResult } from '../../src/shared/protocol/dispatch';

type In = { type: 'ready' } | { type: 'pick'; id: number };
type Out = { type: 'snapshot'; n: number } | { type: 'delta'; n: number };

/** A surface whose webview records posts and whose events the test fires; counts live listeners. */
function recordingSurface() {
  const posted: Out[] = [];
  const listeners = { message: new Set<(m: unknown) => void>(), visible: new Set<() => void>(), dispose: new Set<() => void>() };
  const add = <T>(set: Set<T>, l: T): vscode.Disposable => { set.add(l); return new vscode.Disposable(() => set.delete(l)); };
  let visible = true;
  const webview = {
    options: {}, html: '', cspSource: 'vscode-webview://test',
    asWebviewUri: (u: vscode.Uri) => u,
    onDidReceiveMessage: (l: (m: unknown) => void) => add(listeners.message, l),
    postMessage: async (m: Out) => { posted.push(m); return true; },
  } as unknown as vscode.Webview;
  const surface: WebviewSurface = {
    webview, get visible() { return visible; },
    onDidChangeVisible: (l) => add(listeners.visible, l),
    onDidDispose: (l) => add(listeners.dispose, l),
  };
  return {
    surface, posted, listeners,
    send: (m: unknown) => { for (const l of [...listeners.message]) l(m); },
    setVisible: (v: boolean) => { visible = v; for (const l of [...listeners.visible]) l(); },
  };
}

/** Lets the host's promise chains (snapshot, dispatch) run. */
const settle = () => new Promise((r) => setImmediate(r));

suite('WebviewHost (shared host of every webview)', () => {
  test('ready gets one snapshot; deltas flow only while ready and visible; hiding resets ready; re-show re-snapshots', async () => {
    const s = recordingSurface();
    const warnings: string[] = [];
    const log = { warn: (m: string) => warnings.push(m), error: (m: string) => warnings.push(m), info: () => undefined } as unknown as vscode.LogOutputChannel;
    const picked: number[] = [];
    let n = 0;
    const parse = (raw: unknown): ParseResult<In> => {
      const m = raw as { type?: unknown; id?: unknown };
      if (m?.type === 'ready') return { ok: true, message: { type: 'ready' } };
      if (m?.type === 'pick' && typeof m.id === 'number') return { ok: true, message: { type: 'pick', id: m.id } };
      return { ok: false, error: `unknown message ${JSON.stringify(raw)}` };
    };
    const host = new WebviewHost<In, Out>(s.surface, vscode.Uri.file('/ext'), { app: 'test', label: 'test view', parse, snapshot: () => ({ type: 'snapshot', n: ++n }), handlers: { pick: (m) => { picked.push(m.id); } } }, log);
    assert.match(s.surface.webview.html, /Content-Security-Policy/);
    assert.deepEqual([s.listeners.message.size, s.listeners.visible.size, s.listeners.dispose.size], [1, 1, 1], 'one listener of each kind');

    host.postDelta({ type: 'delta', n: 0 }); // before ready: dropped
    s.send({ type: 'ready' });
    await settle();
    assert.deepEqual(s.posted, [{ type: 'snapshot', n: 1 }], 'exactly one snapshot on ready, no early delta');

    host.postDelta({ type: 'delta', n: 1 });
    assert.deepEqual(s.posted.at(-1), { type: 'delta', n: 1 });

    s.setVisible(false);
    assert.equal(host.isReady, false, 'hiding resets ready');
    host.postDelta({ type: 'delta', n: 2 }); // hidden: dropped, marks stale
    s.setVisible(true);
    await settle();
    assert.deepEqual(s.posted.length, 2, 'not ready after re-show: nothing sent until the document says ready');
    s.send({ type: 'ready' });
    await settle();
    assert.deepEqual(s.posted, [{ type: 'snapshot', n: 1 }, { type: 'delta', n: 1 }, { type: 'snapshot', n: 2 }], 'one fresh snapshot, the dropped delta not replayed');

    s.send({ type: 'pick', id: 7 });
    s.send({ type: 'pick', id: 'x' });
    s.send('<img src=x onerror=alert(1)>');
    await settle();
    assert.deepEqual(picked, [7]);
    assert.equal(warnings.length, 2, `invalid messages are logged: ${JSON.stringify(warnings)}`);
    assert.ok(warnings.every((w) => w.startsWith('test view: dropped an invalid message from the webview: unknown message')), JSON.stringify(warnings));

    host.dispose();
    assert.deepEqual([s.listeners.message.size, s.listeners.visible.size, s.listeners.dispose.size], [0, 0, 0], 'listeners released on dispose');
    host.postDelta({ type: 'delta', n: 3 });
    assert.equal(s.posted.length, 3, 'nothing is posted after dispose');
  });
});
