/**
 * Config validation in the editor: diagnostics, quick fixes, hover, completion, CodeLens facts and the framework
 * status bar item for training configs (Axolotl, HF Trainer/TRL, LLaMA-Factory, torchtune, DeepSpeed, Accelerate,
 * PEFT). Activation only registers; documents are validated when opened or edited.
 */
import * as vscode from 'vscode';
import { ConfigValidationController } from './controller';
import { CONFIG_SELECTOR, SET_RULE_LEVEL_COMMAND, SchemaCoverage, setRuleLevel, ConfigCodeActionProvider, ConfigCompletionProvider, ConfigFactsCodeLensProvider, ConfigHoverProvider } from './providers';
import { ConfigStatusBar, DESCRIBE_COMMAND, SET_FRAMEWORK_COMMAND, describe, setFrameworkCommand } from './statusBar';

export { SET_FRAMEWORK_COMMAND, DESCRIBE_COMMAND } from './statusBar';
export type { ConfigDescription } from './statusBar';

/**
 * Registers every config-validation feature; all disposables go to `context.subscriptions`. Returns the controller,
 * whose `useHostRunners` lets it ask an SSH host's Python for the framework versions installed there.
 */
export function registerConfigValidation(context: vscode.ExtensionContext, log: vscode.LogOutputChannel): ConfigValidationController {
  const controller = new ConfigValidationController(context, log);
  const lenses = new ConfigFactsCodeLensProvider(controller);
  const coverage = new SchemaCoverage(context.extension.packageJSON);
  context.subscriptions.push(
    controller,
    lenses,
    new ConfigStatusBar(controller),
    vscode.languages.registerCodeActionsProvider(CONFIG_SELECTOR, new ConfigCodeActionProvider(controller), ConfigCodeActionProvider.metadata),
    vscode.languages.registerHoverProvider(CONFIG_SELECTOR, new ConfigHoverProvider(controller, coverage)),
    vscode.languages.registerCompletionItemProvider(CONFIG_SELECTOR, new ConfigCompletionProvider(controller, coverage), ...ConfigCompletionProvider.triggerCharacters),
    vscode.languages.registerCodeLensProvider(CONFIG_SELECTOR, lenses),
    vscode.commands.registerCommand(SET_FRAMEWORK_COMMAND, setFrameworkCommand(controller)),
    vscode.commands.registerCommand(SET_RULE_LEVEL_COMMAND, setRuleLevel),
    vscode.commands.registerCommand(DESCRIBE_COMMAND, async (uri?: vscode.Uri | string) => {
      const u = typeof uri === 'string' ? vscode.Uri.parse(uri) : uri ?? vscode.window.activeTextEditor?.document.uri;
      if (!u) return describe(undefined);
      const doc = vscode.workspace.textDocuments.find((d) => d.uri.toString() === u.toString());
      return describe(doc ? await controller.currentState(doc) : controller.state(u));
    }),
  );
  return controller;
}
