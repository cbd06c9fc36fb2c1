/**
 * DOM helpers the webview apps share. File- and log-derived text only ever goes in through `textContent`
 * (never innerHTML), which these helpers make the only way in.
 */

/** An element with `text` as its textContent and `cls` as its class. */
export function el<K extends keyof HTMLElementTagNameMap>(tag: K, text?: string, cls?: string): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  if (text !== undefined) e.textContent = text;
  if (cls) e.className = cls;
  return e;
}

/** A table with a header row; numbers get class `num` (right-aligned by the apps' CSS); Nodes are appended as is. */
export function table(head: string[], rows: (string | number | Node)[][]): HTMLTableElement {
  const t = el('table');
  const tr = el('tr');
  for (const h of head) tr.append(el('th', h));
  t.append(tr);
  for (const r of rows) {
    const row = el('tr');
    for (const c of r) {
      const td = el('td', undefined, typeof c === 'number' ? 'num' : undefined);
      if (typeof c === 'object') td.append(c); else td.textContent = String(c);
      row.append(td);
    }
    t.append(row);
  }
  return t;
}
