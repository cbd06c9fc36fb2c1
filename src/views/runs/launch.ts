import * as vscode from 'vscode';
import * as path from 'node:path';
import type { RunRecord } from '../../core/runs/types';
import type { SlurmOptions } from '../../remote/slurm';
import type { RunsContext } from './context';
import type { HostEntry } from './backend';
import { splitShellWords, ShellWordsError } from '../../core/runs/shellWords';
import { parseEnvAssignments, assertEnvNames } from '../../core/runs/env';
import { COMMAND_TEMPLATES, guessTemplate, type CommandTemplate } from '../../core/runs/templates';
import { quoteArgv } from '../../core/runs/quote';
import { reportHostKeyError } from './prompts';
import { assertWorkingDirectory, resolveHostPath } from '../../remote/runs';
import { confirmDeepSpeedResume } from '../checkpoint/resume';

/**
 * Arguments of `llmTraining.launchRun` for programmatic use (tests, tasks, other extensions). With them the command
 * launches without any prompt and resolves with the run id.
 * - `host`: `local` or an ssh alias; `cwd`: absolute directory on that host (`~/x` is resolved on the host);
 * - `argv`: the command, `argv[0]` looked up on the host's PATH; never run through a shell;
 * - `env`: extra environment (names are recorded in run.json, values are not);
 * - `name`: label shown in the Runs tree and the loss-curve panel;
 * - `slurm`: submit through Slurm (`sbatch`) instead of starting on the host directly (see SlurmOptions);
 * - `showLossCurve`: open the loss-curve panel on the new run (default false here, true for the interactive flow).
 */
export interface LaunchRunArgs { host: string; cwd: string; argv: string[]; env?: Record<string, string>; name?: string; slurm?: SlurmOptions; showLossCurve?: boolean }

const UNTRUSTED = 'Launching runs is disabled in an untrusted workspace: a run executes code from this folder. Trust the workspace (Workspaces: Manage Workspace Trust) to launch.';
const CONFIG_GLOB = '**/*.{yaml,yml,json,toml}';
const CONFIG_EXCLUDE = '**/{node_modules,.git,.venv,venv,dist,out,wandb,outputs,checkpoints,__pycache__}/**';
const lastCwdKey = (host: string) => `llmTraining.runs.lastCwd.${host}`;

/** Checks the shape of programmatic arguments; throws an Error that says which field is wrong. */
export function checkLaunchArgs(a: unknown): LaunchRunArgs {
  const o = a as Partial<LaunchRunArgs> | undefined;
  if (!o || typeof o !== 'object') throw new Error('llmTraining.launchRun: expected { host, cwd, argv, env?, name? }');
  if (typeof o.host !== 'string' || !o.host) throw new Error('llmTraining.launchRun: `host` must be a host alias (e.g. "local")');
  if (typeof o.cwd !== 'string' || !o.cwd) throw new Error('llmTraining.launchRun: `cwd` must be a directory on the host');
  if (!Array.isArray(o.argv) || o.argv.length === 0 || !o.argv.every((w) => typeof w === 'string')) throw new Error('llmTraining.launchRun: `argv` must be a non-empty string array');
  if (o.env !== undefined && (typeof o.env !== 'object' || o.env === null || !Object.values(o.env).every((v) => typeof v === 'string'))) throw new Error('llmTraining.launchRun: `env` must map names to strings');
  try { assertEnvNames(o.env ?? {}); } catch (e) { throw new Error(`llmTraining.launchRun: \`env\`: ${(e as Error).message}`); }
  if (o.slurm !== undefined && (typeof o.slurm !== 'object' || o.slurm === null)) throw new Error('llmTraining.launchRun: `slurm` must be an object ({ nodes?, gpusPerNode?, time?, partition?, account?, launcher? })');
  return { host: o.host, cwd: o.cwd, argv: o.argv, env: o.env ?? {}, name: o.name, ...(o.slurm ? { slurm: o.slurm } : {}), showLossCurve: o.showLossCurve };
}

/**
 * Launches on a host and starts following its log. Shared by the command, the task provider and tests.
 * Resolves with the run record (state `running`).
 */
export async function launch(ctx: RunsContext, args: LaunchRunArgs, opts: { token?: vscode.CancellationToken; upload?: { localDir: string }; progress?: vscode.Progress<{ message?: string }>; onRun?: (run: RunRecord) => void; configSnapshot?: { fileName: string; content: string } } = {}): Promise<RunRecord> {
  if (!vscode.workspace.isTrusted) throw new Error(UNTRUSTED);
  const step = (message: string) => { opts.progress?.report({ message }); ctx.log.info(`launch on ${args.host}: ${message}`); };
  const cancelled = () => { if (opts.token?.isCancellationRequested) throw new vscode.CancellationError(); };
  step('connecting');
  const runner = await ctx.backend.getRunner(args.host);
  cancelled();
  const cwd = await resolveHostPath(runner, args.cwd);
  await assertWorkingDirectory(runner, cwd);
  if (opts.upload) {
    step(`uploading changed files to ${cwd}`);
    const ac = new AbortController();
    const sub = opts.token?.onCancellationRequested(() => ac.abort());
    try {
      const n = await ctx.backend.uploadChanged(runner, opts.upload.localDir, cwd, ac.signal);
      ctx.log.info(`uploaded ${n} changed file(s) from ${opts.upload.localDir} to ${args.host}:${cwd}`);
    } finally { sub?.dispose(); }
  }
  cancelled();
  step(`starting ${quoteArgv(args.argv)}`);
  const run = await ctx.backend.launchRun(runner, { argv: args.argv, cwd, env: args.env ?? {}, name: args.name, configSnapshot: opts.configSnapshot, slurm: args.slurm });
  ctx.log.info(`launched ${run.id} on ${args.host} (pid ${run.pid ?? '?'}), log ${run.logPath}`);
  opts.onRun?.(run);
  ctx.feeds.attach(run, runner);
  ctx.tree.refresh();
  return run;
}

/** Factory of the `llmTraining.launchRun` command: QuickPick steps without args, straight launch with them. */
export function launchRunCommand(ctx: RunsContext) {
  return async (args?: unknown): Promise<string | undefined> => {
    if (!vscode.workspace.isTrusted) {
      if (args !== undefined) throw new Error(UNTRUSTED);
      void vscode.window.showErrorMessage(UNTRUSTED);
      return undefined;
    }
    // From the editor's Run menu (shown on training configs: llmTraining.isTrainingConfig) VS Code passes the file's
    // URI: the interactive flow, whose config step puts the active editor's file first.
    if (args instanceof vscode.Uri) args = undefined;
    if (args !== undefined && !(args && typeof args === 'object' && 'kind' in args)) {
      const a = checkLaunchArgs(args);
      const run = await launch(ctx, a);
      if (a.showLossCurve) await vscode.commands.executeCommand('llmTraining.showLossCurve', run.id);
      return run.id;
    }
    const plan = await askLaunchPlan(ctx, args as { kind?: string; host?: HostEntry } | undefined);
    if (!plan) return undefined;
    if (!(await confirmDeepSpeedResume((h) => ctx.backend.getRunner(h), plan, ctx.log))) return undefined;
    try {
      const run = await vscode.window.withProgress(
        { location: vscode.ProgressLocation.Notification, title: `Launching on ${plan.args.host}`, cancellable: true },
        (progress, token) => launch(ctx, plan.args, { token, progress, upload: plan.upload, configSnapshot: plan.configSnapshot }),
      );
      await vscode.commands.executeCommand('llmTraining.showLossCurve', run.id);
      return run.id;
    } catch (e) {
      if (e instanceof vscode.CancellationError) { ctx.log.info('launch cancelled'); return undefined; }
      const msg = e instanceof Error ? e.message : String(e);
      ctx.log.error(`launch on ${plan.args.host} failed: ${msg}`);
      if (reportHostKeyError(e)) return undefined;
      void vscode.window.showErrorMessage(`Launch on ${plan.args.host} failed: ${msg}`, 'Show Log').then((b) => { if (b) ctx.log.show(); });
      return undefined;
    }
  };
}

interface LaunchPlan { args: LaunchRunArgs; upload?: { localDir: string }; configSnapshot?: { fileName: string; content: string } }

const TOTAL = 6;

/** The interactive flow: host → working directory → config → template → command line → environment (→ upload). */
async function askLaunchPlan(ctx: RunsContext, from?: { kind?: string; host?: HostEntry }): Promise<LaunchPlan | undefined> {
  const title = 'Launch Run';
  // 1. host
  let host = from?.kind === 'host' ? from.host : undefined;
  if (!host) {
    const hosts = await ctx.backend.listHosts();
    const pick = await vscode.window.showQuickPick(
      hosts.map((h) => ({ label: h.alias, description: h.source === 'local' ? 'this machine' : h.source === 'settings' ? 'llmTraining.hosts' : 'ssh config', detail: h.detail, host: h })),
      { title: `${title} (1/${TOTAL}): host`, placeHolder: 'Where should the run execute?', ignoreFocusOut: true, matchOnDescription: true, matchOnDetail: true },
    );
    if (!pick) return undefined;
    host = pick.host;
  }
  const local = host.source === 'local';
  const folders = vscode.workspace.workspaceFolders ?? [];

  // 2. working directory
  let cwd: string | undefined;
  let localDir: string | undefined;
  if (local) {
    if (folders.length === 1) cwd = folders[0].uri.fsPath;
    else {
      const f = folders.length > 1 ? await vscode.window.showWorkspaceFolderPick({ placeHolder: `${title} (2/${TOTAL}): working directory`, ignoreFocusOut: true }) : undefined;
      cwd = f?.uri.fsPath ?? (folders.length === 0 ? await vscode.window.showInputBox({ title: `${title} (2/${TOTAL}): working directory`, prompt: 'Absolute directory on this machine', ignoreFocusOut: true }) : undefined);
    }
    localDir = cwd;
  } else {
    const remembered = ctx.extension.globalState.get<string>(lastCwdKey(host.alias));
    cwd = await vscode.window.showInputBox({
      title: `${title} (2/${TOTAL}): working directory on ${host.alias}`,
      prompt: 'Absolute path or ~/path on the host (remembered per host)',
      value: remembered ?? `~/${folders[0]?.name ?? 'train'}`,
      ignoreFocusOut: true,
      validateInput: (v) => (v.trim() === '' ? 'A directory is needed' : undefined),
    });
    if (cwd) await ctx.extension.globalState.update(lastCwdKey(host.alias), cwd.trim());
    localDir = folders[0]?.uri.fsPath;
  }
  if (!cwd) return undefined;
  cwd = cwd.trim();

  // 3. config
  const base = localDir ?? cwd;
  const found = localDir ? await vscode.workspace.findFiles(new vscode.RelativePattern(localDir, CONFIG_GLOB), CONFIG_EXCLUDE, 500) : [];
  found.sort((a, b) => a.fsPath.localeCompare(b.fsPath));
  const active = vscode.window.activeTextEditor?.document.uri;
  const cfgItems: (vscode.QuickPickItem & { rel?: string; uri?: vscode.Uri })[] = found.map((u) => ({ label: path.relative(base, u.fsPath), uri: u, rel: path.relative(base, u.fsPath).split(path.sep).join('/') }));
  const activeIdx = active ? cfgItems.findIndex((i) => i.uri?.toString() === active.toString()) : -1;
  if (activeIdx > 0) cfgItems.unshift(...cfgItems.splice(activeIdx, 1));
  if (activeIdx >= 0) cfgItems[0].description = 'active editor';
  cfgItems.push({ label: '$(close) No config file', rel: undefined });
  const cfgPick = await vscode.window.showQuickPick(cfgItems, { title: `${title} (3/${TOTAL}): config`, placeHolder: 'Config file passed to the launcher', ignoreFocusOut: true });
  if (!cfgPick) return undefined;
  let cfgText = '';
  if (cfgPick.uri) { try { cfgText = new TextDecoder().decode(await vscode.workspace.fs.readFile(cfgPick.uri)); } catch { /* only used to guess the launcher and keep a snapshot */ } }

  // 4. template
  const guess = cfgPick.rel ? guessTemplate(cfgPick.rel, cfgText) : 'python';
  const tItems = COMMAND_TEMPLATES.map((t) => ({ label: t.label, detail: t.detail, template: t, picked: t.id === guess }));
  tItems.sort((a, b) => Number(b.picked) - Number(a.picked));
  const tPick = await vscode.window.showQuickPick(tItems, { title: `${title} (4/${TOTAL}): launcher`, placeHolder: 'Command template (editable next)', ignoreFocusOut: true });
  if (!tPick) return undefined;
  const argv = await buildFromTemplate(tPick.template, cfgPick.rel, base, found);
  if (!argv) return undefined;

  // 5. command line
  const line = await vscode.window.showInputBox({
    title: `${title} (5/${TOTAL}): command`,
    prompt: 'Edit freely. Split into argv like a shell (quotes, backslash) but run without one: no $VARS, pipes or redirections.',
    value: quoteArgv(argv),
    ignoreFocusOut: true,
    validateInput: (v) => {
      try { return splitShellWords(v).length === 0 ? 'Enter a command' : undefined; } catch (e) { return e instanceof ShellWordsError ? e.message : String(e); }
    },
  });
  if (line === undefined) return undefined;
  const finalArgv = splitShellWords(line);

  // 6. environment
  const envKey = `llmTraining.runs.lastEnv.${host.alias}`;
  const envText = await vscode.window.showInputBox({
    title: `${title} (6/${TOTAL}): environment (optional)`,
    prompt: 'NAME=value pairs separated by spaces, e.g. CUDA_VISIBLE_DEVICES=0,1 WANDB_MODE=offline. Values are not stored in run.json.',
    value: ctx.extension.workspaceState.get<string>(envKey) ?? 'PYTHONUNBUFFERED=1',
    ignoreFocusOut: true,
    validateInput: (v) => { try { parseEnvAssignments(v); return undefined; } catch (e) { return e instanceof Error ? e.message : String(e); } },
  });
  if (envText === undefined) return undefined;
  await ctx.extension.workspaceState.update(envKey, envText);
  const env = parseEnvAssignments(envText);

  // upload (SSH hosts with a local workspace only)
  let upload: LaunchPlan['upload'];
  if (!local && localDir) {
    const u = await vscode.window.showQuickPick(
      [{ label: '$(cloud-upload) Upload changed files', detail: `${localDir} → ${host.alias}:${cwd}`, up: true }, { label: 'Run what is on the host', detail: 'Nothing is copied', up: false }],
      { title: `${title}: files`, ignoreFocusOut: true },
    );
    if (!u) return undefined;
    if (u.up) upload = { localDir };
  }
  // The config as it was at launch is kept in the run directory (run.json `configSnapshot`), up to 1 MiB.
  const configSnapshot = cfgPick.rel && cfgText && cfgText.length <= 1 << 20 ? { fileName: path.posix.basename(cfgPick.rel), content: cfgText } : undefined;
  // The run's name follows the config and launcher only while the edited command still runs that config.
  return { args: { host: host.alias, cwd, argv: finalArgv, env, name: cfgPick.rel && finalArgv.some((a) => a.endsWith(cfgPick.rel!)) ? `${cfgPick.rel} · ${tPick.template.id}` : undefined }, upload, configSnapshot };
}

async function buildFromTemplate(t: CommandTemplate, config: string | undefined, base: string, found: vscode.Uri[]): Promise<string[] | undefined> {
  const input: { config?: string; nproc?: number; script?: string; recipe?: string } = { config };
  if (t.needs.includes('script')) {
    const scripts = found.length ? (await vscode.workspace.findFiles(new vscode.RelativePattern(base, '**/*.py'), CONFIG_EXCLUDE, 200)).map((u) => path.relative(base, u.fsPath).split(path.sep).join('/')) : [];
    const preferred = scripts.find((s) => /(^|\/)train\.py$/.test(s) && config && path.posix.dirname(s) === path.posix.dirname(config)) ?? scripts.find((s) => /(^|\/)train\.py$/.test(s));
    if (preferred) input.script = preferred;
  }
  if (t.needs.includes('nproc')) {
    const v = await vscode.window.showInputBox({ title: 'Launch Run: processes per node', value: '1', prompt: 'Number of processes (usually GPUs) on the node', validateInput: (s) => (/^[1-9]\d*$/.test(s.trim()) ? undefined : 'A positive integer') });
    if (v === undefined) return undefined;
    input.nproc = Number(v.trim());
  }
  if (t.needs.includes('recipe')) {
    const v = await vscode.window.showInputBox({ title: 'Launch Run: torchtune recipe', value: 'lora_finetune_single_device', prompt: '`tune ls` lists them' });
    if (v === undefined) return undefined;
    input.recipe = v.trim();
  }
  return t.build(input);
}
