/**
 * Registers the ONNX feature in the editor: the command "LLM Training: Export to ONNX…" (palette, the Checkpoints
 * view's menu, code) and the ONNX model view (a read-only custom editor for `*.onnx`, local or on an SSH host).
 *
 * The export: pre-check from headers (refuses with the reasons before any compute), then the export as a run on the
 * host that holds the checkpoint through `api.runs.start` (so it is in the Runs view, with its log, Stop, re-attach),
 * then the checker and parity verdict; the progress notification's Cancel stops the run.
 */
import * as vscode from 'vscode';
import { baseName, dirName } from '../../core/files';
import type { OnnxExportOptions } from '../../core/onnx/export';
import { formatPrecheck } from '../../core/onnx/precheck';
import { exportScriptText, finishOnnxExport, startOnnxExport } from '../../remote/onnxExport';
import { precheckExport } from '../../remote/onnxPrecheck';
import { resolveHostPath } from '../../remote/runs';
import type { FileLocation, FilesService } from '../files';
import { locationOf, parseHostPath, uriOf } from '../files';
import type { RunsApi } from '../runs';
import { OnnxEditorProvider } from './editor';
import { directHost, type RegistrationHost } from '../registrationHost';

/** Command ids of the feature. */
export const ONNX_COMMANDS = {
  exportOnnx: 'llmTraining.exportOnnx',
} as const;

interface Ctx { extensionUri: vscode.Uri; files: FilesService; runs: RunsApi; log: vscode.LogOutputChannel }

const UNTRUSTED = 'Export to ONNX is disabled in an untrusted workspace: it runs Python code (the model\'s and the exporter\'s). Trust the workspace to export.';

/**
 * The checkpoint folder a command argument names: a `vscode.Uri` (`file:` or `llmtraining-remote://host/path`), an
 * object with `resourceUri` (tree items), an object with `loc: { host, path }` (Checkpoints view nodes), or a
 * `host:/path` string. `undefined` when there is none (then the command prompts).
 */
export function checkpointLocationOf(arg: unknown): FileLocation | undefined {
  if (arg instanceof vscode.Uri) return locationOf(arg);
  if (typeof arg === 'string' && arg) return parseHostPath(arg);
  if (arg && typeof arg === 'object') {
    const o = arg as { resourceUri?: unknown; loc?: { host?: unknown; path?: unknown } };
    if (o.resourceUri instanceof vscode.Uri) return locationOf(o.resourceUri);
    if (o.loc && typeof o.loc.host === 'string' && typeof o.loc.path === 'string') return { host: o.loc.host, path: o.loc.path };
  }
  return undefined;
}

async function promptCheckpoint(ctx: Ctx): Promise<FileLocation | undefined> {
  const hosts = await ctx.runs.backend.listHosts();
  const pick = hosts.length <= 1 ? { label: 'local' } : await vscode.window.showQuickPick(hosts.map((h) => ({ label: h.alias, description: h.detail })), { title: 'Export to ONNX: host that holds the checkpoint' });
  if (!pick) return undefined;
  if (pick.label === 'local') {
    const picked = await vscode.window.showOpenDialog({ canSelectFolders: true, canSelectFiles: false, title: 'Export to ONNX: checkpoint folder', openLabel: 'Export' });
    return picked?.[0] ? { host: 'local', path: picked[0].fsPath } : undefined;
  }
  const path = await vscode.window.showInputBox({ title: `Export to ONNX: checkpoint folder on ${pick.label}`, prompt: 'Absolute path (or ~/...) of the folder with config.json and the weights', placeHolder: '/scratch/me/runs/llama-sft/checkpoint-1000' });
  return path ? { host: pick.label, path: path.trim() } : undefined;
}

/** Exports a checkpoint (see the module comment). `arg`: see checkpointLocationOf; `opts` skips the prompts (tests, other commands). */
async function exportOnnx(ctx: Ctx, arg?: unknown, opts: Partial<OnnxExportOptions> & { quiet?: boolean } = {}): Promise<{ ok: boolean; onnx?: string; host?: string; runId?: string; error?: string } | undefined> {
  if (!vscode.workspace.isTrusted) throw new Error(UNTRUSTED);
  const loc = checkpointLocationOf(arg) ?? await promptCheckpoint(ctx);
  if (!loc) return undefined;
  const runner = await ctx.runs.backend.getRunner(loc.host);
  const checkpoint = (await resolveHostPath(runner, loc.path)).replace(/\/+$/, '');
  const defaultOut = `${dirName(checkpoint)}/${baseName(checkpoint)}-onnx/model.onnx`;
  const out = opts.out ?? await vscode.window.showInputBox({ title: 'Export to ONNX: output file', prompt: `The .onnx file to write on ${loc.host}`, value: defaultOut, validateInput: (v) => (v.trim().endsWith('.onnx') ? undefined : 'the file name must end in .onnx') });
  if (!out) return undefined;
  const cfg = vscode.workspace.getConfiguration('llmTraining.export');
  const opset = opts.opset ?? (cfg.get<number>('opset', 0) || undefined);
  const o: OnnxExportOptions = { checkpoint, out: await resolveHostPath(runner, out.trim()), opset, task: opts.task, modelFactory: opts.modelFactory, externalData: opts.externalData ?? 'auto', atol: opts.atol, python: opts.python ?? cfg.get<string>('python', 'python3') };
  const where = loc.host === 'local' ? checkpoint : `${loc.host}:${checkpoint}`;
  return vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: `Export to ONNX: ${where}`, cancellable: true }, async (progress, token) => {
    progress.report({ message: 'pre-check (headers only)…' });
    const pre = await precheckExport(runner, await ctx.files.forHost(loc.host), o);
    ctx.log.info(formatPrecheck(pre));
    const errors = pre.problems.filter((p) => p.severity === 'error');
    if (errors.length) {
      const msg = `Export to ONNX refused for ${where}: ${errors.map((e) => e.message).join('; ')}`;
      if (!opts.quiet) void vscode.window.showErrorMessage(msg, 'Show Log').then((c) => { if (c) ctx.log.show(); });
      return { ok: false, error: msg };
    }
    if (token.isCancellationRequested) return undefined;
    if (pre.externalData && o.externalData === 'auto') o.externalData = 'yes';
    progress.report({ message: `exporting on ${loc.host} (${pre.exporter.text.split(';')[0]})…` });
    const started: { run?: Awaited<ReturnType<RunsApi['start']>> } = {};
    const run = await startOnnxExport(runner, o, {
      scriptText: exportScriptText(ctx.extensionUri.fsPath),
      start: async (l) => { started.run = await ctx.runs.start({ host: loc.host, cwd: l.cwd, argv: l.argv, env: l.env, name: l.name }); return started.run.run; },
    });
    const stopSub = token.onCancellationRequested(() => {
      progress.report({ message: 'stopping the export run…' });
      void ctx.runs.backend.stopRun(runner, run).catch((e: Error) => ctx.log.error(`stopping ${run.id}: ${e.message}`));
    });
    try {
      const final = await started.run!.ended;
      progress.report({ message: 'checker and parity…' });
      const outcome = await finishOnnxExport(runner, final, o.out);
      if (!outcome.ok) {
        const msg = `Export to ONNX failed (${run.id}): ${outcome.error}`;
        ctx.log.error(msg);
        if (!opts.quiet) void vscode.window.showErrorMessage(msg, 'Show Log').then((c) => { if (c) ctx.log.show(); });
        return { ok: false, onnx: o.out, host: loc.host, runId: run.id, error: outcome.error };
      }
      const p = outcome.report.parity;
      const msg = `Exported ${baseName(o.out)} on ${loc.host}: onnx.checker passed; parity max |ONNX − PyTorch| = ${p.maxAbsDiff?.toExponential(2)} ≤ atol ${p.atol} (${p.runtime}).`;
      ctx.log.info(msg);
      if (!opts.quiet) {
        void vscode.window.showInformationMessage(msg, 'Open Model').then((c) => {
          if (c) void vscode.commands.executeCommand('vscode.openWith', uriOf({ host: loc.host, path: o.out }), OnnxEditorProvider.viewType);
        });
      }
      return { ok: true, onnx: o.out, host: loc.host, runId: run.id };
    } finally { stopSub.dispose(); }
  });
}

/** Registers the command and the custom editor (through `host`). */
export function registerOnnx(context: vscode.ExtensionContext, files: FilesService, runs: RunsApi, log: vscode.LogOutputChannel, host: RegistrationHost = directHost): void {
  const ctx: Ctx = { extensionUri: context.extensionUri, files, runs, log };
  context.subscriptions.push(
    vscode.commands.registerCommand(ONNX_COMMANDS.exportOnnx, (arg?: unknown, opts?: Partial<OnnxExportOptions> & { quiet?: boolean }) => exportOnnx(ctx, arg, opts)),
    host.registerCustomEditorProvider(OnnxEditorProvider.viewType, new OnnxEditorProvider(ctx), { supportsMultipleEditorsPerDocument: true }),
  );
}
