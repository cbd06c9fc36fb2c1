/**
 * The DeepSpeed resume check in VS Code (core: `src/core/checkpoint/resume.ts`), in two places:
 *  - the editor: a training config (YAML/JSON) that resumes (`resume_from_checkpoint: <path>` or `true`, axolotl's
 *    `auto_resume_from_checkpoints`) and names a DeepSpeed config gets an error diagnostic on the
 *    `resume_from_checkpoint` value when the checkpoint's ZeRO stage or partition count differs from the DeepSpeed
 *    config (world size where the DeepSpeed batch sizes fix it). Relative paths are resolved against the workspace
 *    folder (where launchers run), then the config's folder. Read-only: works in untrusted workspaces.
 *  - Launch Run: `confirmDeepSpeedResume` runs the check on the launch host with the launcher's world size
 *    (torchrun / deepspeed / accelerate / llamafactory-cli) and asks to launch anyway or cancel.
 */
import * as vscode from 'vscode';
import { checkDeepSpeedResume } from '../../core/checkpoint/resume';
import type { ResumeCheck, ResumeCheckInput } from '../../core/checkpoint/resume';
import { joinPath, readTextIfExists } from '../../core/files';
import { localFileAccess, runnerFileAccess } from '../../remote/files';
import { resolveHostPath } from '../../remote/runs';
import type { Runner } from '../../remote/types';
import type { FilesService } from '../files';

/** Diagnostic code and source of the editor check (`llmTraining.validation.rules` does not apply: it is not a config rule). */
export const RESUME_DIAGNOSTIC = { source: 'LLM Training', code: 'deepspeed-resume' } as const;
/** The modal's button that goes on with the launch. */
export const LAUNCH_ANYWAY = 'Launch Anyway';

const CANDIDATE = /(resume_from_checkpoint|auto_resume_from_checkpoints)\s*"?\s*:/;

/**
 * Keeps the resume diagnostics of open YAML/JSON documents: checked on open, on save, and 800 ms after an edit;
 * only documents whose text names a resume key are read further. Returns its disposables.
 */
export function registerResumeDiagnostics(files: FilesService, log: vscode.LogOutputChannel): vscode.Disposable[] {
  const collection = vscode.languages.createDiagnosticCollection('llmTraining.checkpointResume');
  const timers = new Map<string, NodeJS.Timeout>();
  const generation = new Map<string, number>();
  const check = async (doc: vscode.TextDocument): Promise<void> => {
    const key = doc.uri.toString();
    const gen = (generation.get(key) ?? 0) + 1;
    generation.set(key, gen);
    if (!['yaml', 'json', 'jsonc'].includes(doc.languageId) || (doc.uri.scheme !== 'file' && doc.uri.scheme !== 'llmtraining-remote') || !CANDIDATE.test(doc.getText())) { collection.delete(doc.uri); return; }
    const version = doc.version;
    let result: ResumeCheck | undefined;
    try {
      const { files: fa, path } = await files.forUri(doc.uri);
      const configDir = path.slice(0, path.lastIndexOf('/')) || '/';
      const ws = doc.uri.scheme === 'file' ? vscode.workspace.getWorkspaceFolder(doc.uri)?.uri.fsPath : undefined;
      const text = doc.getText();
      // Where launchers run: the workspace folder; a config outside one, or whose paths only resolve next to it, uses its folder.
      result = await checkDeepSpeedResume({ files: fa, cwd: ws ?? configDir, config: { text, path } });
      if (ws && ws !== configDir && result && !result.saved) {
        const beside = await checkDeepSpeedResume({ files: fa, cwd: configDir, config: { text, path } });
        if (beside?.saved) result = beside;
      }
    } catch (e) {
      log.warn(`checkpoint resume check of ${doc.uri.fsPath}: ${(e as Error).message}`);
      result = undefined;
    }
    if (generation.get(key) !== gen || doc.isClosed || doc.version !== version) return;
    // Errors only: a DeepSpeed file that is missing or broken is already the config validation's diagnostic.
    const errors = (result?.problems ?? []).filter((p) => p.severity === 'error');
    if (!result || !errors.length) { collection.delete(doc.uri); return; }
    const range = result.resumeRange ? new vscode.Range(doc.positionAt(result.resumeRange.start), doc.positionAt(result.resumeRange.end)) : new vscode.Range(0, 0, 0, 0);
    collection.set(doc.uri, errors.map((p) => {
      const d = new vscode.Diagnostic(range, p.message, vscode.DiagnosticSeverity.Error);
      d.source = RESUME_DIAGNOSTIC.source;
      d.code = RESUME_DIAGNOSTIC.code;
      if (p.file && doc.uri.scheme === 'file') d.relatedInformation = [new vscode.DiagnosticRelatedInformation(new vscode.Location(vscode.Uri.file(p.file), new vscode.Position(0, 0)), result!.checkpoint ? `checkpoint ${result!.checkpoint}` : p.file)];
      return d;
    }));
  };
  const schedule = (doc: vscode.TextDocument, ms: number): void => {
    const key = doc.uri.toString();
    clearTimeout(timers.get(key));
    timers.set(key, setTimeout(() => { timers.delete(key); void check(doc); }, ms));
  };
  for (const doc of vscode.workspace.textDocuments) schedule(doc, 500);
  return [
    collection,
    vscode.workspace.onDidOpenTextDocument((d) => schedule(d, 100)),
    vscode.workspace.onDidSaveTextDocument((d) => schedule(d, 0)),
    vscode.workspace.onDidChangeTextDocument((e) => { if (e.contentChanges.length) schedule(e.document, 800); }),
    vscode.workspace.onDidCloseTextDocument((d) => { clearTimeout(timers.get(d.uri.toString())); generation.delete(d.uri.toString()); collection.delete(d.uri); }),
    { dispose: () => { for (const t of timers.values()) clearTimeout(t); } },
  ];
}

/** What the check needs from a launch plan (Launch Run's `LaunchPlan`). */
export interface ResumeLaunchPlan {
  args: { host: string; cwd: string; argv: string[]; env?: Record<string, string>; slurm?: ResumeCheckInput['slurm'] };
  /** Set when the launch will upload the workspace first: configs are read from there, checkpoints on the host. */
  upload?: { localDir: string };
}

/**
 * Runs the DeepSpeed resume check for a launch (at most 30 s; a check that cannot run does not block the launch)
 * and, when the resume would fail, asks in a modal whether to launch anyway. Resolves true to go on.
 */
export async function confirmDeepSpeedResume(getRunner: (host: string) => Promise<Runner>, plan: ResumeLaunchPlan, log: vscode.LogOutputChannel): Promise<boolean> {
  let result: ResumeCheck | undefined;
  let timer: NodeJS.Timeout | undefined;
  try {
    result = await vscode.window.withProgress({ location: vscode.ProgressLocation.Window, title: 'Checking the DeepSpeed resume…' }, () => Promise.race([
      checkLaunch(getRunner, plan),
      new Promise<undefined>((_, reject) => { timer = setTimeout(() => reject(new Error('timed out after 30 s')), 30_000); }),
    ]));
  } catch (e) {
    log.warn(`launch: DeepSpeed resume check skipped: ${(e as Error).message}`);
    return true;
  } finally {
    clearTimeout(timer);
  }
  const errors = (result?.problems ?? []).filter((p) => p.severity === 'error');
  if (!result || !errors.length) {
    if (result?.checkpoint) log.info(`launch: resume from ${result.checkpoint} matches (ZeRO stage ${result.saved?.zero_stage ?? '?'}, ${result.saved?.partitions ?? result.saved?.world_size ?? '?'} partition(s))`);
    return true;
  }
  for (const p of errors) log.warn(`launch: resume check: ${p.message}`);
  const where = result.checkpoint ? `${plan.args.host === 'local' ? '' : `${plan.args.host}:`}${result.checkpoint}` : 'the checkpoint';
  const pick = await vscode.window.showWarningMessage(`The resume from ${where} will fail`, { modal: true, detail: errors.map((p) => `• ${p.message}`).join('\n\n') }, LAUNCH_ANYWAY);
  return pick === LAUNCH_ANYWAY;
}

async function checkLaunch(getRunner: (host: string) => Promise<Runner>, plan: ResumeLaunchPlan): Promise<ResumeCheck | undefined> {
  const runner = await getRunner(plan.args.host);
  const cwd = await resolveHostPath(runner, plan.args.cwd);
  const files = runnerFileAccess(runner);
  const local = plan.upload ? localFileAccess() : undefined;
  // With an upload pending, a config under the working directory is read from the workspace copy about to be sent.
  const readText = async (p: string): Promise<string | undefined> => {
    if (local && plan.upload && (p === cwd || p.startsWith(`${cwd}/`))) {
      const t = await readTextIfExists(local, joinPath(plan.upload.localDir, p.slice(cwd.length + 1)), 16 * 1024 * 1024).catch(() => undefined);
      if (t !== undefined) return t;
    }
    return readTextIfExists(files, p, 16 * 1024 * 1024).catch(() => undefined);
  };
  const home = await runner.home().catch(() => undefined);
  return checkDeepSpeedResume({ files, cwd, argv: plan.args.argv, env: plan.args.env, slurm: plan.args.slurm, readText, home });
}
