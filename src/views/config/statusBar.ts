/**
 * The status bar item naming the active config's framework ("$(beaker) Axolotl", tooltip: why), the context key
 * `llmTraining.isTrainingConfig`, and the "LLM Training: Set Config Framework…" command that overrides detection
 * per file (stored in workspaceState by the controller).
 */
import * as vscode from 'vscode';
import type { Framework } from '../../core/config/types';
import type { ConfigState, ConfigValidationController } from './controller';
import { FRAMEWORKS, frameworkDescription, frameworkLabel, isFramework, statusBarText, statusBarTooltip } from './model';

export const SET_FRAMEWORK_COMMAND = 'llmTraining.setConfigFramework';
/** Internal (not in the palette): describes the framework state of a document; used by tests and other features. */
export const DESCRIBE_COMMAND = 'llmTraining.config.describe';
export const CONTEXT_KEY = 'llmTraining.isTrainingConfig';

/** What {@link DESCRIBE_COMMAND} returns. */
export interface ConfigDescription {
  isConfig: boolean;
  framework: Framework;
  reason: string;
  overridden: boolean;
  statusText: string;
  issueCount: number;
  /** What the host's Python said about installed versions, or why it was not asked (issue 15). */
  pythonNote: string;
}

export class ConfigStatusBar implements vscode.Disposable {
  private readonly item = vscode.window.createStatusBarItem('llmTraining.configFramework', vscode.StatusBarAlignment.Right, 100);
  private readonly subscriptions: vscode.Disposable[];
  private contextValue: boolean | undefined;

  constructor(private readonly controller: ConfigValidationController) {
    this.item.name = 'LLM Training: Config Framework';
    this.item.command = SET_FRAMEWORK_COMMAND;
    this.subscriptions = [
      this.item,
      vscode.window.onDidChangeActiveTextEditor(() => this.update()),
      controller.onDidChangeState((uri) => {
        if (vscode.window.activeTextEditor?.document.uri.toString() === uri.toString()) this.update();
      }),
    ];
    this.update();
  }

  dispose(): void {
    for (const s of this.subscriptions) s.dispose();
  }

  /** Shows the item for a config (or a file the user pinned as "not a config"), hides it otherwise. */
  update(): void {
    const doc = vscode.window.activeTextEditor?.document;
    const state = doc ? this.controller.state(doc.uri) : undefined;
    const overridden = state?.source === 'override';
    if (state && (state.isConfig || overridden)) {
      this.item.text = statusBarText(state.framework, overridden, state.isConfig ? state.result.assumes : undefined, state.frameworkVersion);
      this.item.tooltip = statusBarTooltip(state.framework, state.reason, state.source, state.detected, state.isConfig ? state.result.assumes : undefined, state.frameworkVersion, state.pythonNote);
      this.item.show();
    } else {
      this.item.hide();
    }
    this.setContext(state?.isConfig === true);
  }

  private setContext(value: boolean): void {
    if (this.contextValue === value) return;
    this.contextValue = value;
    void vscode.commands.executeCommand('setContext', CONTEXT_KEY, value);
  }
}

/** Summary of a state for {@link DESCRIBE_COMMAND}. */
export function describe(state: ConfigState | undefined): ConfigDescription {
  const overridden = state?.source === 'override';
  const framework = state?.framework ?? 'unknown';
  return {
    isConfig: state?.isConfig === true,
    framework,
    reason: state?.reason ?? '',
    overridden,
    statusText: state && (state.isConfig || overridden) ? statusBarText(framework, overridden, state.isConfig ? state.result.assumes : undefined, state.frameworkVersion) : '',
    issueCount: state?.issues.length ?? 0,
    pythonNote: state?.pythonNote ?? '',
  };
}

/**
 * "Set Config Framework…": `(uri?, framework?)`. Without a framework it asks with a QuickPick; `'auto'` clears the
 * choice. Returns the new description (or undefined when cancelled / no document).
 */
export function setFrameworkCommand(controller: ConfigValidationController) {
  return async (uriArg?: vscode.Uri | string, frameworkArg?: Framework | 'auto'): Promise<ConfigDescription | undefined> => {
    const uri = typeof uriArg === 'string' ? vscode.Uri.parse(uriArg) : uriArg instanceof vscode.Uri ? uriArg : vscode.window.activeTextEditor?.document.uri;
    if (!uri) {
      void vscode.window.showInformationMessage('Open a YAML or JSON training config first.');
      return undefined;
    }
    let choice: Framework | 'auto' | undefined = frameworkArg;
    if (choice !== undefined && choice !== 'auto' && !isFramework(choice)) {
      throw new Error(`Unknown framework "${String(choice)}"; expected one of: auto, ${FRAMEWORKS.join(', ')}`);
    }
    if (choice === undefined) choice = await pickFramework(controller, uri);
    if (choice === undefined) return undefined;
    const state = await controller.setOverride(uri, choice === 'auto' ? undefined : choice);
    return describe(state ?? controller.state(uri));
  };
}

interface FrameworkPick extends vscode.QuickPickItem { value: Framework | 'auto' }

async function pickFramework(controller: ConfigValidationController, uri: vscode.Uri): Promise<Framework | 'auto' | undefined> {
  const state = controller.state(uri);
  const current = controller.override(uri);
  const detected = state ? `detected: ${frameworkLabel(state.detected.framework)}` : 'detect from the file';
  const items: FrameworkPick[] = [
    { value: 'auto', label: `${current === undefined ? '$(check) ' : ''}Auto-detect`, description: detected, detail: 'Use the file name and keys to tell the framework (the default).' },
    { value: 'auto', label: '', kind: vscode.QuickPickItemKind.Separator },
    ...FRAMEWORKS.map((fw): FrameworkPick => ({
      value: fw,
      label: `${current === fw ? '$(check) ' : ''}${fw === 'unknown' ? 'None' : frameworkLabel(fw)}`,
      description: fw === 'unknown' ? '' : fw,
      detail: frameworkDescription(fw),
    })),
  ];
  const picked = await vscode.window.showQuickPick(items, {
    title: 'Config framework for this file',
    placeHolder: `${uri.path.slice(uri.path.lastIndexOf('/') + 1)}: validate as…`,
    matchOnDescription: true,
  });
  return picked?.value;
}
