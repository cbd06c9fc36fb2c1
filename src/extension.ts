import * as vscode from 'vscode';
import { registerConfigValidation } from './views/config';

/** Builds the services and registers every feature. Nothing else happens here. */
export function activate(context: vscode.ExtensionContext): void {
  const log = vscode.window.createOutputChannel('LLM Training Studio', { log: true });
  context.subscriptions.push(log);
  registerConfigValidation(context, log);
  log.info('activated');
}

export function deactivate(): void {}
