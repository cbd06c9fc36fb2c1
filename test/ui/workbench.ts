// A small driver for the code-server workbench, used by the UI tests (test/ui/*.ui.ts). The harness
// (scripts/test-vscode.mjs, UI phase) opens the workbench with the extension under development, then hands a
// Workbench to the tests through setWorkbench(); tests call workbench().
//
// Selectors are VS Code's own (1.139): `.monaco-workbench`, `.quick-input-widget`, `.quick-input-list`,
// webviews as `iframe.webview.ready` > `iframe#active-frame`.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Frame, FrameLocator, Locator, Page } from 'playwright-core';
import { poll } from '../poll';

const GLOBAL_KEY = '__llmtsWorkbench';

/** The workbench the harness opened (throws outside the UI phase). */
export function workbench(): Workbench {
  const wb = (globalThis as Record<string, unknown>)[GLOBAL_KEY] as Workbench | undefined;
  if (!wb) throw new Error('no workbench: UI tests run only inside scripts/test-vscode.mjs (UI phase)');
  return wb;
}

/** Called by the harness; kept on globalThis so every module instance (ESM or CJS load) sees the same one. */
export function setWorkbench(wb: Workbench | undefined): void {
  (globalThis as Record<string, unknown>)[GLOBAL_KEY] = wb;
}

/** Polls `probe` until it returns something other than undefined/false; throws after `timeoutMs` naming `what`. */
export async function waitFor<T>(what: string, probe: () => T | undefined | false | Promise<T | undefined | false>, timeoutMs = 15_000, intervalMs = 150): Promise<T> {
  return poll(what, probe, timeoutMs, intervalMs);
}

/** Drives one workbench page: command palette, webviews, screenshots. */
export class Workbench {
  /** @param page the Playwright page showing the workbench; @param resultsDir where screenshot(name) writes `<name>.png`. */
  constructor(readonly page: Page, readonly resultsDir: string) {}

  /**
   * Waits until the workbench is rendered and this extension's contributions are registered: the palette lists
   * `LLM Training: Launch Run…`. The status bar alone is not enough: after a page load the renderer learns the
   * extensions' contributions (commands, custom editors) only once the remote extension host reports them, and an
   * Explorer click before that opened tiny-gpt.onnx in the text editor ("binary file") instead of the ONNX view.
   */
  async ready(timeoutMs = 90_000): Promise<void> {
    await this.page.locator('.monaco-workbench').waitFor({ state: 'visible', timeout: timeoutMs });
    await this.page.locator('.part.statusbar').waitFor({ state: 'visible', timeout: timeoutMs });
    await this.commandPaletteLabels('LLM Training: Launch Run', (l) => l.includes('LLM Training: Launch Run…'), timeoutMs);
    await this.closeQuickInput();
  }

  /**
   * Reloads the page with another workspace folder (absolute path) open, keeping the extension under development,
   * and waits until it is ready. The harness opens test/fixtures/workspace; a file's tests that need another
   * workspace (e.g. examples/) call this first. State kept per workspace (workspaceState) is that folder's own.
   */
  async openFolder(folder: string): Promise<void> {
    const url = new URL(this.page.url());
    url.searchParams.set('folder', folder);
    await this.page.goto(url.toString(), { timeout: 180_000 });
    await this.ready();
  }

  /**
   * Rows the quick input lists, each as its label, description and detail (those shown) joined by ' | ', e.g.
   * `tiny-gpt | folder of the config | /abs/examples/tiny-gpt`.
   */
  async quickPickRowTexts(): Promise<string[]> {
    await this.quickPickLabels(); // until the list settles
    const rows = await this.quickInput.locator('.quick-input-list .monaco-list-row').all();
    const out: string[] = [];
    for (const row of rows) {
      // Only what is rendered: a row keeps a hidden description or detail element from the list it showed before.
      const parts = await row.locator('.label-name, .label-description').evaluateAll((els) => els.filter((e) => e.getClientRects().length > 0).map((e) => e.textContent ?? ''));
      out.push(parts.map((t) => t.replace(/\s+/g, ' ').trim()).filter(Boolean).join(' | '));
    }
    return out;
  }

  /** The quick input widget (command palette, quick picks, input boxes). */
  get quickInput(): Locator {
    return this.page.locator('.quick-input-widget');
  }

  /** Opens the command palette (F1) with `text` typed after the `>` prefix. */
  async openCommandPalette(text = ''): Promise<void> {
    await this.closeQuickInput();
    await this.page.locator('.monaco-workbench').click({ position: { x: 5, y: 5 }, trial: true }).catch(() => {});
    await this.page.keyboard.press('F1');
    const input = this.quickInput.locator('input');
    await input.waitFor({ state: 'visible', timeout: 10_000 });
    // fill() sets the whole value with one input event: typing key by key re-filters the list on every key, which
    // took over 30 s for a long title on a loaded 2-core machine.
    if (text) await input.fill(`>${text}`);
  }

  /** Labels of the rows the quick input currently lists (e.g. `LLM Training: Launch Run…`), once the list settles. */
  async quickPickLabels(): Promise<string[]> {
    const rows = this.quickInput.locator('.quick-input-list .monaco-list-row');
    let previous = '';
    // The list filters asynchronously as text is typed: read until two reads agree.
    return waitFor('the quick pick list to settle', async () => {
      const labels = await rows.locator('.label-name').allInnerTexts();
      const key = labels.join('\n');
      const stable = key === previous;
      previous = key;
      return stable ? labels.map((l) => l.replace(/\s+/g, ' ').trim()) : undefined;
    }, 10_000, 250);
  }

  /** Closes the quick input if it is open. */
  async closeQuickInput(): Promise<void> {
    if (await this.quickInput.isVisible()) {
      await this.page.keyboard.press('Escape');
      await this.quickInput.waitFor({ state: 'hidden', timeout: 5_000 });
    }
  }

  /**
   * Opens the command palette with `text` typed and returns the listed labels once `until(labels)` holds, reopening
   * the palette until then (the palette computes its list when opened, and right after start-up some context keys,
   * e.g. `isWorkspaceTrusted` behind an `enablement`, are not set yet). Leaves the palette open.
   */
  async commandPaletteLabels(text: string, until: (labels: string[]) => boolean = () => true, timeoutMs = 30_000): Promise<string[]> {
    let last: string[] = [];
    try {
      return await waitFor(`the command palette for '${text}' to list what the test expects`, async () => {
        await this.openCommandPalette(text);
        last = await this.quickPickLabels();
        return until(last) ? last : undefined;
      }, timeoutMs, 500);
    } catch (err) {
      throw new Error(`${(err as Error).message}; last listed: ${JSON.stringify(last)}`);
    }
  }

  /**
   * Runs a command by its palette title (`Category: Title`, e.g. `LLM Training: Launch Run…`) through F1:
   * types the title, waits until a row with exactly that label is listed, selects it and presses Enter.
   */
  async runCommand(title: string, timeoutMs = 30_000): Promise<void> {
    await this.commandPaletteLabels(title, (l) => l.includes(title), timeoutMs);
    // Click the row by its label rather than counting ArrowDown presses: the palette re-sorts its list (a "recently
    // used" group appears at the top) between reading the labels and pressing keys, which picked a neighbour before.
    const escaped = title.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    const row = this.quickInput.locator('.quick-input-list .monaco-list-row')
      .filter({ has: this.page.locator('.label-name', { hasText: new RegExp(`^\\s*${escaped}\\s*$`) }) }).first();
    // On a loaded machine the click can time out on a row that is focused and ready: Enter runs the focused row.
    await row.click({ timeout: 10_000 }).catch(() => this.quickInput.locator('input').press('Enter', { timeout: 5_000 }));
  }

  /**
   * The content frame of the visible webview (VS Code nests it: `iframe.webview.ready` > `iframe#active-frame`).
   * Waits until it exists; `hasSelector` picks the webview whose content contains that element.
   */
  async webviewFrame(opts: { hasSelector?: string; timeoutMs?: number } = {}): Promise<Frame> {
    const { hasSelector, timeoutMs = 30_000 } = opts;
    return waitFor(`a webview${hasSelector ? ` containing ${hasSelector}` : ''}`, async () => {
      for (const outer of await this.page.locator('iframe.webview.ready').all()) {
        if (!(await outer.isVisible())) continue;
        const outerFrame = await (await outer.elementHandle())?.contentFrame();
        const inner = await (await outerFrame?.$('iframe#active-frame'))?.contentFrame();
        if (!inner) continue;
        if (!hasSelector || (await inner.$(hasSelector))) return inner;
      }
      return undefined;
    }, timeoutMs);
  }

  /** A FrameLocator for the visible webview's content (auto-waiting, for use with Playwright locators). */
  webviewLocator(): FrameLocator {
    return this.page.locator('iframe.webview.ready:visible').last().contentFrame().locator('iframe#active-frame').contentFrame();
  }

  /**
   * Runs `item` from the context menu of `target` (a tree row): right-clicks it, waits for the menu and clicks the
   * entry; until the menu closes, clicks again (a click that lands while the workbench is still building the menu is
   * dropped: the menu stays open with the entry highlighted), then falls back to Enter on the highlighted entry.
   */
  async contextMenu(target: Locator, item: string, timeoutMs = 20_000): Promise<void> {
    await target.click({ button: 'right' });
    const menu = this.page.locator('.monaco-menu');
    const entry = menu.locator('.action-item').filter({ hasText: item }).first();
    await entry.waitFor({ state: 'visible', timeout: timeoutMs });
    await waitFor(`the context menu entry '${item}' to run`, async () => {
      if (!(await menu.isVisible())) return true;
      await entry.click({ timeout: 3_000 }).catch(() => undefined);
      if (await waitFor('the menu to close', async () => (!(await menu.isVisible())) || undefined, 1_500, 100).catch(() => false)) return true;
      await entry.hover().catch(() => undefined);
      await this.page.keyboard.press('Enter');
      return undefined;
    }, timeoutMs, 500);
  }

  /**
   * Opens `path` (absolute) in an editor through Quick Open and waits until its tab is the active one; `shownAs` is
   * the text the quick pick row and the tab show for it (default: the file name).
   */
  async openInEditor(path: string, shownAs = path.split('/').pop() ?? path): Promise<void> {
    await this.page.keyboard.press('Control+P');
    await this.quickInput.locator('input').waitFor({ state: 'visible' });
    await this.quickInput.locator('input').fill(path);
    await waitFor('the quick open to list the file', async () => ((await this.quickPickLabels()).some((l) => l.includes(shownAs)) ? true : undefined), 30_000);
    await this.page.keyboard.press('Enter');
    await waitFor(`${shownAs} to be the active editor`, async () => {
      const tabs = await this.page.locator('.tab.active').evaluateAll((els) => els.map((e) => `${e.getAttribute('aria-label') ?? ''} ${e.textContent ?? ''}`));
      return tabs.some((t) => t.includes(shownAs)) || undefined;
    }, 30_000);
  }

  /** Texts of the notification toasts currently shown. */
  async notifications(): Promise<string[]> {
    return this.page.locator('.notifications-toasts .notification-list-item-message').allInnerTexts();
  }

  /** Title of the active editor tab, or undefined. */
  async activeTabTitle(): Promise<string | undefined> {
    const t = this.page.locator('.tabs-container .tab.active .label-name').first();
    return (await t.count()) ? (await t.innerText()).trim() : undefined;
  }

  /**
   * Shows the activity-bar view container whose title starts with `title` (e.g. `LLM Training`). Clicking the icon of
   * the container that is already shown hides the side bar, so the click happens only when the side bar does not
   * already show it; then waits until the side bar's title names it.
   */
  async showViewContainer(title: string, timeoutMs = 30_000): Promise<void> {
    const sidebarTitle = this.page.locator('.part.sidebar .composite.title');
    const showing = async () => (await this.page.locator('.part.sidebar').isVisible())
      && (await sidebarTitle.count()) > 0 && (await sidebarTitle.first().innerText()).toUpperCase().includes(title.toUpperCase());
    await waitFor(`the side bar to show ${title}`, async () => {
      if (await showing()) return true;
      await this.page.locator(`.activitybar [aria-label^="${title}"]`).first().click();
      // Let the click take effect before judging (a second click would hide it again): wait for the state, briefly.
      return (await waitFor(`the side bar to switch to ${title}`, async () => (await showing()) || undefined, 5_000, 100).catch(() => undefined)) || undefined;
    }, timeoutMs, 1000);
  }

  /** Waits until `text` is visible somewhere in the workbench (not inside webviews). */
  async waitForText(text: string, timeoutMs = 15_000): Promise<void> {
    await this.page.getByText(text, { exact: false }).first().waitFor({ state: 'visible', timeout: timeoutMs });
  }

  /** Saves a PNG of the whole workbench (webviews included) to `<resultsDir>/<name>.png`; returns the path. */
  async screenshot(name: string): Promise<string> {
    mkdirSync(this.resultsDir, { recursive: true });
    const path = join(this.resultsDir, `${name.replace(/[^\w.-]+/g, '-')}.png`);
    await this.page.screenshot({ path });
    return path;
  }
}
