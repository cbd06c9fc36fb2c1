/**
 * The HTML shell of this extension's webviews (pure: no vscode import, so tests and the benchmark page use it too).
 * Strict CSP: nothing loads unless listed; the one script carries a fresh nonce; styles only from the bundle folder
 * (plus constructable stylesheets, which CSP does not govern); images only from the bundle folder or data: URLs.
 */
import { randomBytes } from 'node:crypto';

export interface WebviewShell {
  /** `webview.cspSource` (the origin of `asWebviewUri` URLs). */
  cspSource: string;
  /** URL of the bundled script (dist/webview/<app>.js via `asWebviewUri`). */
  scriptUri: string;
  /** URL of the bundled stylesheet, when the app has one. */
  styleUri?: string;
  /** Base64 nonce; a fresh one per render when omitted. */
  nonce?: string;
}

/** A fresh 128-bit nonce (base64). */
export function makeNonce(): string { return randomBytes(16).toString('base64'); }

/** The CSP string for a shell (exported for tests). */
export function contentSecurityPolicy(cspSource: string, nonce: string): string {
  return [
    "default-src 'none'",
    `script-src 'nonce-${nonce}'`,
    `style-src ${cspSource} 'nonce-${nonce}'`,
    `img-src ${cspSource} data:`,
    `font-src ${cspSource}`,
  ].join('; ');
}

function attr(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** The document: CSP meta, the stylesheet, an empty body and the nonce'd script. The app builds its DOM itself. */
export function webviewHtml(shell: WebviewShell): string {
  const nonce = shell.nonce ?? makeNonce();
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${attr(contentSecurityPolicy(shell.cspSource, nonce))}">
<meta name="viewport" content="width=device-width, initial-scale=1">
${shell.styleUri ? `<link rel="stylesheet" nonce="${attr(nonce)}" href="${attr(shell.styleUri)}">` : ''}
</head>
<body>
<script nonce="${attr(nonce)}" src="${attr(shell.scriptUri)}"></script>
</body>
</html>`;
}
