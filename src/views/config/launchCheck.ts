/**
 * Launch Run's check of the files a config names, in the working directory the launch will use (issue 15: "an error
 * only where the launch directory is known (a task, a run, a Launch Run in progress)"). Before a local launch, the
 * config is validated with that directory as its launch directory (core `missingInLaunchDir`); a DeepSpeed JSON,
 * FSDP/Accelerator JSON or dataset path missing there is shown in a modal that can launch anyway or cancel.
 */
import * as vscode from 'vscode';
import { homedir } from 'node:os';
import { loadConfigCore } from './core';
import { localFileAccess } from '../../remote/files';

/** The modal's button that goes on with the launch. */
export const LAUNCH_ANYWAY_REFS = 'Launch Anyway';

/**
 * Asks before a local launch whose config names files missing in the working directory; true = go on. Remote
 * launches are not checked here (the files are on the host, or uploaded first); a failed check lets the launch go.
 */
export async function confirmLaunchReferences(plan: { host: string; cwd: string; configPath?: string }, log: vscode.LogOutputChannel): Promise<boolean> {
  if (plan.host !== 'local' || !plan.configPath) return true;
  let missing;
  try {
    const core = await loadConfigCore();
    missing = await core.missingInLaunchDir(localFileAccess(), plan.configPath, plan.cwd, { home: homedir() });
  } catch (e) {
    log.warn(`launch: reference check skipped: ${e instanceof Error ? e.message : String(e)}`);
    return true;
  }
  if (!missing.length) return true;
  for (const i of missing) log.warn(`launch: ${plan.configPath}:${i.range.start.line + 1}: ${i.message}`);
  const pick = await vscode.window.showWarningMessage(`${missing.length === 1 ? 'A file' : `${missing.length} files`} the config names ${missing.length === 1 ? 'is' : 'are'} not in ${plan.cwd}`, { modal: true, detail: missing.map((i) => `• line ${i.range.start.line + 1}: ${i.message}`).join('\n\n') }, LAUNCH_ANYWAY_REFS);
  return pick === LAUNCH_ANYWAY_REFS;
}
