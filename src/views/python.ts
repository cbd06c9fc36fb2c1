/**
 * Which Python interpreter a local launch would use, shared by Launch Run (its plain-python template) and config
 * validation (the installed framework versions it asks that interpreter for).
 */
import * as vscode from 'vscode';
import { chooseInterpreter, pythonFromExtensionApi, resolveInterpreterSetting, type InterpreterChoice, type PythonExtensionApi } from '../core/runs/launchChoices';

/** globalState key: the interpreter of the last Launch Run on an SSH host (`chooseInterpreter`'s `lastOnHost`). */
export const lastPythonKey = (host: string): string => `llmTraining.runs.lastPython.${host}`;
/** workspaceState key: the host alias of this workspace's last Launch Run (`local` or an SSH alias). */
export const LAST_LAUNCH_HOST_KEY = 'llmTraining.runs.lastHost';

/**
 * The interpreter the Python extension (ms-python.python) has selected for `resource`, when it is installed;
 * `installed` says whether it is. Waits at most 5 s for the extension to be ready.
 */
export async function pythonExtensionInterpreter(resource: vscode.Uri | undefined, log: vscode.LogOutputChannel): Promise<{ installed: boolean; path?: string }> {
  const ext = vscode.extensions.getExtension<PythonExtensionApi>('ms-python.python');
  if (!ext) return { installed: false };
  try {
    const api = ext.isActive ? ext.exports : await ext.activate();
    if (api?.ready) await Promise.race([api.ready, new Promise((r) => setTimeout(r, 5000))]);
    return { installed: true, path: await pythonFromExtensionApi(api, resource) };
  } catch (e) {
    log.warn(`python: the Python extension's interpreter is unavailable: ${e instanceof Error ? e.message : String(e)}`);
    return { installed: true };
  }
}

/**
 * The interpreter Launch Run pre-fills for a local launch of `resource` (chooseInterpreter): the Python extension's
 * selection, else `python.defaultInterpreterPath` of the resource's workspace folder, else `python3`.
 */
export async function localLaunchInterpreter(resource: vscode.Uri | undefined, log: vscode.LogOutputChannel): Promise<InterpreterChoice> {
  const ext = await pythonExtensionInterpreter(resource, log);
  const folder = resource ? vscode.workspace.getWorkspaceFolder(resource) : vscode.workspace.workspaceFolders?.[0];
  const workspaceDefault = resolveInterpreterSetting(vscode.workspace.getConfiguration('python', folder?.uri).get('defaultInterpreterPath'), folder?.uri.fsPath);
  return chooseInterpreter({ local: true, alias: 'local' }, ext.path, ext.installed, undefined, workspaceDefault);
}
