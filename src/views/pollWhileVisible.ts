/**
 * Re-reads a tree view on a timer while it is visible, never while it is hidden (STYLE: "poll remote state only while
 * the view is visible"). The period is a setting in seconds (`0` turns polling off; anything else is at least 2 s);
 * a change of the setting or of the view's visibility restarts the timer. `onShow` runs when the view becomes
 * visible again, so what changed while it was hidden shows at once rather than a period later.
 */
import * as vscode from 'vscode';

/** The timer, for tests: whether it is running now. */
export interface VisiblePoll extends vscode.Disposable { readonly polling: boolean }

export function pollWhileVisible(view: vscode.TreeView<unknown>, setting: { section: string; key: string; fallback: number }, tick: () => void, onShow?: () => void): VisiblePoll {
  let timer: NodeJS.Timeout | undefined;
  const update = (): void => {
    if (timer) { clearInterval(timer); timer = undefined; }
    const seconds = vscode.workspace.getConfiguration(setting.section).get<number>(setting.key, setting.fallback);
    if (view.visible && seconds > 0) timer = setInterval(tick, Math.max(2, seconds) * 1000);
  };
  update();
  const subs = [
    view.onDidChangeVisibility((e) => { if (e.visible) onShow?.(); update(); }),
    vscode.workspace.onDidChangeConfiguration((e) => { if (e.affectsConfiguration(`${setting.section}.${setting.key}`)) update(); }),
  ];
  return { get polling() { return timer !== undefined; }, dispose: () => { if (timer) clearInterval(timer); for (const s of subs) s.dispose(); } };
}
