import * as vscode from 'vscode';
import { defaultRunName } from '../../core/runs/runName';
import * as path from 'node:path';
import type { RunRecord } from '../../core/runs/types';
import type { SlurmOptions } from '../../remote/slurm';
import type { RunsContext } from './context';
import type { HostEntry } from './backend';
import { splitShellWords, ShellWordsError } from '../../core/runs/shellWords';
import { parseEnvAssignments, assertEnvNames } from '../../core/runs/env';
import { COMMAND_TEMPLATES, guessTemplate, type CommandTemplate } from '../../core/runs/templates';
import { noticeText, quoteArgv } from '../../core/runs/quote';
import { reportHostKeyError } from './prompts';
import { assertWorkingDirectory, resolveHostPath } from '../../remote/runs';
import { confirmDeepSpeedResume } from '../checkpoint/resume';
import { confirmLaunchReferences } from '../config/launchCheck';
import { loadConfigCore, type ConfigCore } from '../config/core';
import { chooseInterpreter, envPrefill, isPythonInterpreter, relativeTo, resolveInterpreterSetting, splitLaunchConfigs, workingDirectoryChoices } from '../../core/runs/launchChoices';
import { LAST_LAUNCH_HOST_KEY, lastPythonKey, pythonExtensionInterpreter } from '../python';

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
/** Context key set once a run was launched in this window: the walkthrough's launch step completes on it. */
export const LAUNCHED_CONTEXT = 'llmTraining.runs.launched';
/** Context key set once Launch Run opened the new run's loss curve: the walkthrough's curve step completes on it. */
export const CURVE_SHOWN_CONTEXT = 'llmTraining.runs.curveShown';

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
  // Completes the walkthrough's "Launch a run" step (package.json `walkthroughs`, completionEvents).
  void vscode.commands.executeCommand('setContext', LAUNCHED_CONTEXT, true);
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
    // Issue 15: the launch directory is known now; a file the config names that is missing there stops the run.
    if (!(await confirmLaunchReferences({ host: plan.args.host, cwd: plan.args.cwd, configPath: plan.configPath }, ctx.log))) return undefined;
    try {
      const run = await vscode.window.withProgress(
        { location: vscode.ProgressLocation.Notification, title: `Launching on ${plan.args.host}`, cancellable: true },
        (progress, token) => launch(ctx, plan.args, { token, progress, upload: plan.upload, configSnapshot: plan.configSnapshot }),
      );
      await vscode.commands.executeCommand('llmTraining.showLossCurve', run.id);
      // A command run from the extension host is not seen by the walkthrough's onCommand events: say it opened.
      void vscode.commands.executeCommand('setContext', CURVE_SHOWN_CONTEXT, true);
      return run.id;
    } catch (e) {
      if (e instanceof vscode.CancellationError) { ctx.log.info('launch cancelled'); return undefined; }
      const msg = e instanceof Error ? e.message : String(e);
      ctx.log.error(`launch on ${plan.args.host} failed: ${msg}`);
      if (reportHostKeyError(e)) return undefined;
      void vscode.window.showErrorMessage(noticeText(`Launch on ${plan.args.host} failed: ${msg}`), 'Show Log').then((b) => { if (b) ctx.log.show(); });
      return undefined;
    }
  };
}

interface LaunchPlan { args: LaunchRunArgs; upload?: { localDir: string }; configSnapshot?: { fileName: string; content: string }; configPath?: string }

const TOTAL = 6;
/** Config candidates bigger than this are not read to be recognised (real training configs are under 100 KB). */
const MAX_CONFIG_BYTES = 1 << 20;

type ConfigItem = vscode.QuickPickItem & { uri?: vscode.Uri; other?: true; browse?: true };

/**
 * The config step (2/6): the workspace's YAML/JSON/TOML files that the config detector recognises as training
 * configs (the active editor's first), then "Other file…" (every other such file, or one picked from disk) and
 * "No config file". Resolves with the picked file's URI, `null` for no config, undefined when cancelled.
 */
async function pickConfig(title: string, log: vscode.LogOutputChannel): Promise<vscode.Uri | null | undefined> {
  const found = await vscode.workspace.findFiles(CONFIG_GLOB, CONFIG_EXCLUDE, 500);
  found.sort((a, b) => a.fsPath.localeCompare(b.fsPath));
  const candidates = await Promise.all(found.map(async (uri) => {
    try {
      const st = await vscode.workspace.fs.stat(uri);
      return { uri, path: uri.fsPath, text: st.size <= MAX_CONFIG_BYTES ? new TextDecoder().decode(await vscode.workspace.fs.readFile(uri)) : undefined };
    } catch { return { uri, path: uri.fsPath, text: undefined }; }
  }));
  let core: ConfigCore | undefined;
  try { core = await loadConfigCore(); } catch (e) { log.warn(`launch: config detector unavailable, listing every file: ${e instanceof Error ? e.message : String(e)}`); }
  const { configs, others } = core ? splitLaunchConfigs(candidates, core.detectFramework) : { configs: candidates, others: [] };
  const multiRoot = (vscode.workspace.workspaceFolders?.length ?? 0) > 1;
  const label = (u: vscode.Uri) => vscode.workspace.asRelativePath(u, multiRoot);
  const items: ConfigItem[] = configs.map((c) => ({ label: label(c.uri), uri: c.uri, description: core && c.text !== undefined ? core.frameworkLabel(core.detectFramework(c.text, c.path).framework) : undefined }));
  const active = vscode.window.activeTextEditor?.document.uri;
  const activeIdx = active ? items.findIndex((i) => i.uri?.toString() === active.toString()) : -1;
  if (activeIdx > 0) items.unshift(...items.splice(activeIdx, 1));
  if (activeIdx >= 0) items[0].description = `${items[0].description ? `${items[0].description} · ` : ''}active editor`;
  items.push({ label: '$(file) Other file…', detail: others.length ? `${others.length} more YAML/JSON/TOML file(s) that are not recognised as training configs, or one from disk` : 'A file from disk', other: true });
  items.push({ label: '$(close) No config file' });
  const pick = await vscode.window.showQuickPick(items, {
    title: `${title} (2/${TOTAL}): config`,
    placeHolder: configs.length ? 'Training config passed to the launcher (files recognised as training configs)' : 'No training config recognised in this workspace: pick another file or none',
    ignoreFocusOut: true, matchOnDescription: true,
  });
  if (!pick) return undefined;
  if (pick.uri) return pick.uri;
  if (!pick.other) return null;
  const otherItems: ConfigItem[] = [...others.map((o) => ({ label: label(o.uri), uri: o.uri })), { label: '$(folder-opened) Browse…', browse: true }];
  const o = await vscode.window.showQuickPick(otherItems, { title: `${title} (2/${TOTAL}): other file`, placeHolder: 'Not recognised as training configs: the launcher gets the file as it is', ignoreFocusOut: true });
  if (!o) return undefined;
  if (o.uri) return o.uri;
  const picked = await vscode.window.showOpenDialog({ title: `${title}: config file`, canSelectMany: false, defaultUri: vscode.workspace.workspaceFolders?.[0]?.uri });
  return picked?.[0];
}

/**
 * The working-directory step on this machine (3/6): the config's folder (default), the last choice, every workspace
 * folder, or another folder from disk. Resolves with an absolute path, undefined when cancelled.
 */
async function pickLocalWorkingDirectory(title: string, configDir: string | undefined, last: string | undefined): Promise<string | undefined> {
  const folders = (vscode.workspace.workspaceFolders ?? []).map((f) => [f.name, f.uri.fsPath] as const);
  const rows = workingDirectoryChoices(configDir, last, folders);
  const items: (vscode.QuickPickItem & { path?: string })[] = rows.map((r) => ({ label: `$(folder) ${path.basename(r.path) || r.path}`, description: r.why.join(' · '), detail: r.path, path: r.path }));
  items.push({ label: '$(folder-opened) Other folder…', detail: 'A folder from disk' });
  const pick = await vscode.window.showQuickPick(items, { title: `${title} (3/${TOTAL}): working directory`, placeHolder: 'Where the command runs (relative paths in the command and the config resolve here)', ignoreFocusOut: true, matchOnDetail: true });
  if (!pick) return undefined;
  if (pick.path) return pick.path;
  const picked = await vscode.window.showOpenDialog({ title: `${title}: working directory`, canSelectFolders: true, canSelectFiles: false, canSelectMany: false, defaultUri: configDir ? vscode.Uri.file(configDir) : vscode.workspace.workspaceFolders?.[0]?.uri });
  return picked?.[0]?.fsPath;
}

/** The interactive flow: host → config → working directory → launcher → command line → environment (→ upload). */
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

  // 2. config
  const cfgUri = await pickConfig(title, ctx.log);
  if (cfgUri === undefined) return undefined;
  let cfgText = '';
  if (cfgUri) { try { cfgText = new TextDecoder().decode(await vscode.workspace.fs.readFile(cfgUri)); } catch { /* only used to guess the launcher and keep a snapshot */ } }
  const cfgFolder = cfgUri ? vscode.workspace.getWorkspaceFolder(cfgUri) : undefined;
  // Asked now, answered while the user picks the working directory (activating the Python extension can take seconds).
  const extInterpreter = local ? pythonExtensionInterpreter(cfgUri ?? folders[0]?.uri, ctx.log) : Promise.resolve({ installed: false, path: undefined });

  // 3. working directory, on every host. Locally the default is the config's folder; on an SSH host the directory
  // mirrors a local workspace folder (the one the files are uploaded from), remembered per host.
  let cwd: string | undefined;
  let localDir: string | undefined;
  if (local) {
    const last = ctx.extension.workspaceState.get<string>(lastCwdKey(host.alias));
    cwd = await pickLocalWorkingDirectory(title, cfgUri ? path.dirname(cfgUri.fsPath) : undefined, last);
    if (cwd) await ctx.extension.workspaceState.update(lastCwdKey(host.alias), cwd);
    localDir = cwd;
  } else {
    const mirrored = cfgFolder ?? folders[0];
    const remembered = ctx.extension.globalState.get<string>(lastCwdKey(host.alias));
    cwd = await vscode.window.showInputBox({
      title: `${title} (3/${TOTAL}): working directory on ${host.alias}`,
      prompt: `Absolute path or ~/path on the host${mirrored ? `: the copy of the workspace folder ${mirrored.name}` : ''} (remembered per host)`,
      value: remembered ?? `~/${mirrored?.name ?? 'train'}`,
      ignoreFocusOut: true,
      validateInput: (v) => (v.trim() === '' ? 'A directory is needed' : undefined),
    });
    if (cwd) await ctx.extension.globalState.update(lastCwdKey(host.alias), cwd.trim());
    localDir = mirrored?.uri.fsPath;
  }
  if (!cwd) return undefined;
  cwd = cwd.trim();
  // Paths in the command are relative to the working directory (locally) or to the mirrored folder (remote).
  const base = localDir ?? cwd;
  const cfgArg = cfgUri ? relativeTo(base, cfgUri.fsPath) : undefined;

  // 4. launcher, with the interpreter the plain-python template starts with
  const ext = await extInterpreter;
  const settingFolder = cfgFolder ?? (cwd ? vscode.workspace.getWorkspaceFolder(vscode.Uri.file(cwd)) : undefined) ?? folders[0];
  const workspaceDefault = resolveInterpreterSetting(vscode.workspace.getConfiguration('python', settingFolder?.uri).get('defaultInterpreterPath'), settingFolder?.uri.fsPath);
  const interpreter = chooseInterpreter({ local, alias: host.alias }, ext.path, ext.installed, local ? undefined : ctx.extension.globalState.get<string>(lastPythonKey(host.alias)), workspaceDefault);
  const guess = cfgArg ? guessTemplate(cfgArg, cfgText) : 'python';
  const tItems = COMMAND_TEMPLATES.map((t) => ({
    label: t.id === 'python' ? t.label.replace(/^\S+/, interpreter.command) : t.label,
    detail: t.id === 'python' ? `${t.detail} · Python: ${interpreter.label}` : t.detail, template: t, picked: t.id === guess,
  }));
  tItems.sort((a, b) => Number(b.picked) - Number(a.picked));
  const tPick = await vscode.window.showQuickPick(tItems, { title: `${title} (4/${TOTAL}): launcher`, placeHolder: `Command template (editable next) · Python: ${interpreter.label}`, ignoreFocusOut: true });
  if (!tPick) return undefined;
  const argv = await buildFromTemplate(tPick.template, cfgArg, local || localDir ? base : undefined, interpreter.command);
  if (!argv) return undefined;

  // 5. command line
  const line = await vscode.window.showInputBox({
    title: `${title} (5/${TOTAL}): command`,
    prompt: `Runs in ${cwd} on ${host.alias}${tPick.template.id === 'python' ? ` · Python: ${interpreter.label}` : ''}. Edit freely: split into argv like a shell (quotes, backslash) but run without one (no $VARS, pipes, && or redirections).`,
    value: quoteArgv(argv),
    ignoreFocusOut: true,
    validateInput: (v) => {
      try { return splitShellWords(v).length === 0 ? 'Enter a command' : undefined; } catch (e) { return e instanceof ShellWordsError ? e.message : String(e); }
    },
  });
  if (line === undefined) return undefined;
  const finalArgv = splitShellWords(line);

  // 6. environment, saying where its value comes from
  const envKey = `llmTraining.runs.lastEnv.${host.alias}`;
  const prefill = envPrefill(ctx.extension.workspaceState.get<string>(envKey), host.alias);
  const envText = await vscode.window.showInputBox({
    title: `${title} (6/${TOTAL}): environment (optional)${prefill.from === 'previous-launch' ? ' · from your previous launch' : ''}`,
    prompt: `${prefill.note} NAME=value pairs separated by spaces, e.g. CUDA_VISIBLE_DEVICES=0,1 WANDB_MODE=offline. Values are not stored in run.json.`,
    value: prefill.value,
    ignoreFocusOut: true,
    validateInput: (v) => { try { parseEnvAssignments(v); return undefined; } catch (e) { return e instanceof Error ? e.message : String(e); } },
  });
  if (envText === undefined) return undefined;
  await ctx.extension.workspaceState.update(envKey, envText);
  const env = parseEnvAssignments(envText);
  if (!local && isPythonInterpreter(finalArgv[0])) await ctx.extension.globalState.update(lastPythonKey(host.alias), finalArgv[0]);
  // Config validation asks this host's Python which framework versions the run will use.
  await ctx.extension.workspaceState.update(LAST_LAUNCH_HOST_KEY, host.alias);

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
  const configSnapshot = cfgUri && cfgText && cfgText.length <= 1 << 20 ? { fileName: path.basename(cfgUri.fsPath), content: cfgText } : undefined;
  // `<folder> · <config> · HH:MM` (core/runs/runName.ts); the config is named only while the edited command still
  // runs it, else the script or program. Rename Run… changes it later.
  const runsConfig = cfgUri && cfgArg && finalArgv.some((a) => a.endsWith(cfgArg));
  const name = defaultRunName({ cwd, config: runsConfig ? cfgUri.fsPath : undefined, argv: finalArgv, start: new Date() });
  return { args: { host: host.alias, cwd, argv: finalArgv, env, name }, upload, configSnapshot, ...(runsConfig ? { configPath: cfgUri.fsPath } : {}) };
}

/**
 * argv of a template: `config` relative to `base` (the working directory, or the folder mirrored on an SSH host),
 * the training script found under `base` (a `train.py` beside the config first), `python` for the plain template.
 */
async function buildFromTemplate(t: CommandTemplate, config: string | undefined, base: string | undefined, python: string): Promise<string[] | undefined> {
  const input: { config?: string; nproc?: number; script?: string; recipe?: string; python?: string } = { config, python };
  if (t.needs.includes('script') && base) {
    const scripts = (await vscode.workspace.findFiles(new vscode.RelativePattern(vscode.Uri.file(base), '**/*.py'), CONFIG_EXCLUDE, 200)).map((u) => relativeTo(base, u.fsPath));
    const cfgDir = config ? path.posix.dirname(config) : undefined;
    const preferred = scripts.find((s) => /(^|\/)train\.py$/.test(s) && path.posix.dirname(s) === cfgDir) ?? scripts.find((s) => s === 'train.py') ?? scripts.find((s) => /(^|\/)train\.py$/.test(s));
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
