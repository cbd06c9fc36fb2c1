/**
 * Launch Run's check of the files a config names, in the working directory the launch will use (issue 15: "an error
 * only where the launch directory is known (a task, a run, a Launch Run in progress)"). Before a local launch, the
 * config is validated with that directory as its launch directory; a DeepSpeed JSON, FSDP/Accelerator JSON or dataset
 * path missing there (`missing-reference` errors) is shown in a modal that can launch anyway or cancel.
 */
import * as vscode from 'vscode';
import { homedir } from 'node:os';
import { loadConfigCore } from './core';
import { localFileAccess } from '../../remote/files';
import type { ConfigIssue } from '../../core/config/types';

/** The modal's button that goes on with the launch. */
export const LAUNCH_ANYWAY_REFS = 'Launch Anyway';

/**
 * The `missing-reference` errors of the config at `configPath` (absolute local path) when launched from `cwd` (a
 * local directory): empty when everything is there, the file is not a training config, or the check failed (logged).
 */
export async function missingInLaunchDir(configPath: string, cwd: string, log: vscode.LogOutputChannel): Promise<ConfigIssue[]> {
  try {
    const core = await loadConfigCore();
    const fa = localFileAccess();
    const text = await core.fileAccessReader(fa, core.MAX_VALIDATE_BYTES)(configPath);
    if (text === undefined) return [];
    const r = await core.validateConfigWithFiles(text, {
      fileName: configPath, home: homedir(), launchDir: cwd, launchDirSource: 'Launch Run',
      readFile: core.fileAccessReader(fa), exists: async (p) => (await fa.stat(p)) !== undefined,
    });
    return r.issues.filter((i) => i.code === 'missing-reference' && i.severity === 'error');
  } catch (e) {
    log.warn(`launch: reference check skipped: ${e instanceof Error ? e.message : String(e)}`);
    return [];
  }
}

/**
 * Asks before a local launch whose config names files missing in the working directory; true = go on. Remote
 * launches are not checked here (the files are on the host, or uploaded first).
 */
export async function confirmLaunchReferences(plan: { host: string; cwd: string; configPath?: string; upload?: unknown }, log: vscode.LogOutputChannel): Promise<boolean> {
  if (plan.host !== 'local' || !plan.configPath) return true;
  const missing = await missingInLaunchDir(plan.configPath, plan.cwd, log);
  if (!missing.length) return true;
  for (const i of missing) log.warn(`launch: ${plan.configPath}:${i.range.start.line + 1}: ${i.message}`);
  const pick = await vscode.window.showWarningMessage(`${missing.length === 1 ? 'A file' : `${missing.length} files`} the config names ${missing.length === 1 ? 'is' : 'are'} not in ${plan.cwd}`, { modal: true, detail: missing.map((i) => `• line ${i.range.start.line + 1}: ${i.message}`).join('\n\n') }, LAUNCH_ANYWAY_REFS);
  return pick === LAUNCH_ANYWAY_REFS;
}
