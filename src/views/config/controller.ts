/**
 * Keeps config diagnostics up to date: decides which open YAML/JSON documents are training configs (detection,
 * the user's per-file choice, `llmTraining.validation.frameworkAssociations`), validates them with the pure core
 * (debounced on edit, at once on open), reads the files they reference (open editor text first, else disk),
 * watches those files and re-validates dependants when they change, and publishes Diagnostics.
 * Nothing here runs or writes anything, so it works in untrusted workspaces.
 */
import * as vscode from 'vscode';
import { homedir } from 'node:os';
import { loadConfigCore, type ConfigCore } from './core';
import { workspaceFileAccess } from '../files';
import { hubCacheDir } from '../../core/tokenizer/resolve';
import type { ConfigIssue, Framework, ValidateOptions, ValidationResult } from '../../core/config/types';
import type { RunLaunch } from '../../core/config/launch';
import type { DetectedVersions } from '../../core/config/versions';
import { LocalRunner } from '../../remote/localRunner';
import { InstalledVersionsCache, type ProbeOutcome } from '../../remote/pythonVersions';
import type { Runner } from '../../remote/types';
import { chooseInterpreter } from '../../core/runs/launchChoices';
import { LAST_LAUNCH_HOST_KEY, lastPythonKey, localLaunchInterpreter } from '../python';
import { DIAGNOSTIC_SOURCE, diagnosticCode, fromRange, toDiagnostic, type PathMapper } from './convert';
import {
  CONFIG_LANGUAGES, CONFIG_SCHEMES, DependencyGraph, KeyedDebouncer, MAX_CONFIG_CHARS,
  applyRuleLevels, isFramework, parseRuleLevels,
} from './model';

/** How long a validation waits for the host's Python to list its versions (ms); then it goes on without them. */
const PROBE_WAIT_MS = 2000;
/** workspaceState key of the per-file framework choices: `Record<uri string, Framework>`. */
export const OVERRIDES_KEY = 'llmTraining.config.frameworkOverrides';
/** Referenced files bigger than this are treated as missing (a config is never that big). */

/** How the framework of a document was chosen. */
export type FrameworkSource = 'override' | 'association' | 'detected';

/** What we know about one validated document (at `version`). */
export interface ConfigState {
  uri: vscode.Uri;
  version: number;
  /** False when the document is not a training config (detected `unknown`, or the user said "don't validate"). */
  isConfig: boolean;
  framework: Framework;
  /** Why this framework: the detector's reason, or who chose it (`set by you`, `llmTraining.validation.frameworkAssociations`). */
  reason: string;
  source: FrameworkSource;
  /** What detection alone says (differs from `framework` when the user or a setting chose). */
  detected: { framework: Framework; reason: string };
  /** Options the core was called with (framework forced to the chosen one); reuse for hover/completion. */
  options: ValidateOptions;
  result: ValidationResult;
  /** The framework version the checks assume and where it came from (the host's Python, a dependency file, `setting`), when known. */
  frameworkVersion?: { text: string; source: string };
  /** What the host's Python said or why it was not asked (status bar tooltip). */
  pythonNote?: string;
  /** Issues after `llmTraining.validation.rules`, in the order of `diagnostics`. */
  issues: ConfigIssue[];
  diagnostics: vscode.Diagnostic[];
  mapPath: PathMapper;
}

export class ConfigValidationController implements vscode.Disposable {
  readonly diagnostics = vscode.languages.createDiagnosticCollection('llmTraining.config');
  private readonly states = new Map<string, ConfigState>();
  private readonly graph = new DependencyGraph();
  private readonly watchers = new Map<string, vscode.FileSystemWatcher>();
  /** Per document, the number of its latest validation; an older one that finishes late is dropped. */
  private readonly generation = new Map<string, number>();
  private sequence = 0;
  private readonly debouncer: KeyedDebouncer;
  private readonly onDidChangeStateEmitter = new vscode.EventEmitter<vscode.Uri>();
  /** Fires after a document's state changed (validated, cleared, framework changed). */
  readonly onDidChangeState = this.onDidChangeStateEmitter.event;
  private readonly disposables: vscode.Disposable[] = [];
  private warnedRules = '';

  constructor(private readonly context: vscode.ExtensionContext, private readonly log: vscode.LogOutputChannel) {
    this.debouncer = new KeyedDebouncer(
      () => vscode.workspace.getConfiguration('llmTraining.validation').get<number>('debounceMs', 200),
      (key) => { const doc = this.openDocument(key); if (doc) void this.validate(doc); },
    );
    this.disposables.push(
      this.diagnostics,
      this.onDidChangeStateEmitter,
      vscode.workspace.onDidOpenTextDocument((doc) => { if (this.isCandidate(doc)) void this.validate(doc); }),
      vscode.workspace.onDidChangeTextDocument((e) => this.onChange(e)),
      vscode.workspace.onDidCloseTextDocument((doc) => this.forget(doc.uri)),
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (e.affectsConfiguration('llmTraining.validation')) this.revalidateAll();
      }),
      vscode.workspace.onDidRenameFiles((e) => void this.onRename(e)),
      // Trust granted: the host's Python may now be asked for the installed versions.
      vscode.workspace.onDidGrantWorkspaceTrust(() => this.revalidateAll()),
      ...(() => {
        // A dependency file changed: versions are read again, open configs re-checked.
        const w = vscode.workspace.createFileSystemWatcher('**/{uv.lock,poetry.lock,pdm.lock,requirements*.txt,pyproject.toml,environment.yml,environment.yaml}');
        const drop = () => { this.versionFiles.clear(); this.installed.clear(); this.revalidateAll(); };
        return [w, w.onDidChange(drop), w.onDidCreate(drop), w.onDidDelete(drop)];
      })(),
      // A document outlives its last editor tab (onDidCloseTextDocument comes minutes later, if ever):
      // the problems of a config go away with its last tab, as users expect.
      vscode.window.tabGroups.onDidChangeTabs((e) => this.onTabs(e)),
    );
    // Documents already open when we activate: validated after the debounce, not during activate().
    for (const doc of vscode.workspace.textDocuments) if (this.isCandidate(doc)) this.debouncer.schedule(doc.uri.toString());
  }

  dispose(): void {
    this.debouncer.dispose();
    for (const w of this.watchers.values()) w.dispose();
    this.watchers.clear();
    for (const d of this.disposables) d.dispose();
  }

  /** The last state of a document, if validated. May be older than the document's current version. */
  state(uri: vscode.Uri): ConfigState | undefined {
    return this.states.get(uri.toString());
  }

  /** A state for the document's current text: the cached one, or a fresh validation. */
  async currentState(doc: vscode.TextDocument): Promise<ConfigState | undefined> {
    const s = this.states.get(doc.uri.toString());
    if (s && s.version === doc.version) return s;
    if (!this.isCandidate(doc)) return undefined;
    return this.validate(doc);
  }

  /** YAML/JSON in a real file or an untitled buffer, validation enabled, not huge. */
  isCandidate(doc: vscode.TextDocument): boolean {
    if (!CONFIG_LANGUAGES.includes(doc.languageId) || !CONFIG_SCHEMES.includes(doc.uri.scheme)) return false;
    if (!vscode.workspace.getConfiguration('llmTraining.validation', doc.uri).get<boolean>('enable', true)) return false;
    return true;
  }

  /** The user's per-file framework choice, if any. */
  override(uri: vscode.Uri): Framework | undefined {
    const v = this.context.workspaceState.get<Record<string, string>>(OVERRIDES_KEY, {})[uri.toString()];
    return isFramework(v) ? v : undefined;
  }

  /** Sets (or with `undefined` clears) the per-file framework choice and re-validates the document. */
  async setOverride(uri: vscode.Uri, framework: Framework | undefined): Promise<ConfigState | undefined> {
    const all = { ...this.context.workspaceState.get<Record<string, string>>(OVERRIDES_KEY, {}) };
    if (framework === undefined) delete all[uri.toString()]; else all[uri.toString()] = framework;
    await this.context.workspaceState.update(OVERRIDES_KEY, all);
    const doc = this.openDocument(uri.toString());
    return doc ? this.validate(doc) : undefined;
  }

  /** The framework from `llmTraining.validation.frameworkAssociations` (glob -> framework), first match wins. */
  private association(doc: vscode.TextDocument): Framework | undefined {
    const assoc = vscode.workspace.getConfiguration('llmTraining.validation', doc.uri).get<Record<string, unknown>>('frameworkAssociations', {});
    for (const [glob, fw] of Object.entries(assoc ?? {})) {
      if (!isFramework(fw)) continue;
      if (vscode.languages.match({ pattern: glob }, doc) > 0) return fw;
    }
    return undefined;
  }

  /**
   * Validates a document now and publishes its diagnostics. Returns the new state, or undefined when the document
   * changed or closed meanwhile (a newer validation is then on its way) or is not a candidate.
   */
  /** Dependency files per workspace folder (path + text), read once and dropped when one of them changes. */
  private readonly versionFiles = new Map<string, Promise<{ path: string; text: string }[]>>();

  /**
   * The framework versions for a config (issue 15): dependency files (uv.lock, poetry.lock, requirements*.txt,
   * pyproject.toml, environment.yml) in the config's folder or a folder above it inside its workspace folder, the
   * nearest folder that has any deciding, then `llmTraining.validation.versions` on top.
   */
  /** Installed versions per host + interpreter (one `python -c` each; cleared when a dependency file changes). */
  private readonly installed = new InstalledVersionsCache();
  private localRunner: LocalRunner | undefined;
  private readonly probeWarned = new Set<string>();

  /** Runners of SSH hosts (the Runs feature's, sharing its connections); set by {@link useHostRunners}. */
  private hostRunner: ((alias: string) => Promise<Runner>) | undefined;

  /** Lets config validation ask an SSH host's Python (the host of this workspace's last Launch Run). */
  useHostRunners(get: (alias: string) => Promise<Runner>): void { this.hostRunner = get; }

  /** Runs of this machine as their run.json records them (the Runs feature's); set by {@link useLocalRuns}. */
  private localRuns: { get: () => RunLaunch[]; load: () => Promise<unknown> } | undefined;
  private localRunsAsked = false;
  private launchesKey = '';

  /**
   * Lets config validation take a config's launch directory from the runs that ran it (issue 15): `get` gives the
   * local runs last read (run.json: argv, cwd), `load` reads them once if nothing did yet (asked with the first
   * config validated), `changed` fires when they were read again; configs are re-validated only when the set of
   * (cwd, argv) changed, e.g. after a Launch Run started a run of an open config.
   */
  useLocalRuns(get: () => RunLaunch[], load: () => Promise<unknown>, changed: vscode.Event<unknown>): void {
    this.localRuns = { get, load };
    this.disposables.push(changed(() => {
      const key = JSON.stringify(get().map((r) => [r.cwd, r.argv]));
      if (key !== this.launchesKey) { this.launchesKey = key; this.revalidateAll(); }
    }));
  }

  /**
   * The versions installed in the Python the run will use, and a line saying so or why not: on the SSH host of
   * this workspace's last Launch Run, the interpreter last launched there (else python3); otherwise the interpreter
   * a local Launch Run of `uri` would use (the Python extension's selection, `python.defaultInterpreterPath`, else
   * python3). Never in an untrusted workspace (the interpreter path may come from the workspace's settings).
   */
  private async installedFor(core: ConfigCore, uri: vscode.Uri): Promise<{ versions: DetectedVersions; note: string }> {
    if (!vscode.workspace.isTrusted) return { versions: {}, note: 'Host Python: not asked (this workspace is not trusted).' };
    const lastHost = this.context.workspaceState.get<string>(LAST_LAUNCH_HOST_KEY);
    const remote = lastHost && lastHost !== 'local' && this.hostRunner ? lastHost : undefined;
    const interp = remote
      ? chooseInterpreter({ local: false, alias: remote }, undefined, false, this.context.globalState.get<string>(lastPythonKey(remote)))
      : await localLaunchInterpreter(uri.scheme === 'untitled' ? undefined : uri, this.log);
    const where = remote ? `${interp.label}, the host of this workspace's last Launch Run` : interp.label;
    const probe = (async (): Promise<ProbeOutcome> => {
      try {
        const runner = remote ? await this.hostRunner!(remote) : (this.localRunner ??= new LocalRunner());
        return await this.installed.get(runner, interp.command);
      } catch (e) { return { ok: false, reason: e instanceof Error ? e.message : String(e) }; }
    })();
    // Diagnostics never wait long on an interpreter or a connection: past PROBE_WAIT_MS the config is checked with
    // the files' versions now and again when the answer (cached) arrives.
    let waited: NodeJS.Timeout | undefined;
    const out = await Promise.race([probe, new Promise<undefined>((r) => { waited = setTimeout(() => r(undefined), PROBE_WAIT_MS); })]);
    clearTimeout(waited);
    if (!out) {
      void probe.then(() => this.revalidateAll());
      return { versions: {}, note: `Host Python ${where}: still answering; versions come from the workspace's files until it does.` };
    }
    if (!out.ok) {
      const key = `${remote ?? 'local'} ${interp.command}`;
      if (!this.probeWarned.has(key)) { this.probeWarned.add(key); this.log.warn(`config: could not read installed versions from ${interp.command} on ${remote ?? 'local'}: ${out.reason}`); }
      return { versions: {}, note: `Host Python ${where}: ${out.reason}. Versions come from the workspace's files.` };
    }
    const n = Object.keys(out.versions.packages).length;
    return { versions: core.installedAsDetected(out.versions, remote ?? 'local'), note: `Host Python: ${where}, Python ${out.versions.python}, ${n ? `${n} of the training packages installed` : 'none of the training packages installed'}.` };
  }

  private async versionsFor(core: ConfigCore, uri: vscode.Uri): Promise<{ versions: DetectedVersions; pythonNote: string }> {
    const folder = vscode.workspace.getWorkspaceFolder(uri);
    let found: DetectedVersions = {};
    if (folder && uri.scheme !== 'untitled') {
      const k = folder.uri.toString();
      let p = this.versionFiles.get(k);
      if (!p) {
        p = (async () => {
          const uris = await vscode.workspace.findFiles(new vscode.RelativePattern(folder, '**/{uv.lock,poetry.lock,pdm.lock,requirements*.txt,pyproject.toml,environment.yml,environment.yaml}'), '**/{node_modules,.git,.venv,venv,site-packages}/**', 200);
          const out: { path: string; text: string }[] = [];
          for (const u of uris) {
            try { const st = await vscode.workspace.fs.stat(u); if (st.size > 8 * 1024 * 1024) continue; out.push({ path: u.path, text: new TextDecoder().decode(await vscode.workspace.fs.readFile(u)) }); } catch { /* gone: skip */ }
          }
          return out;
        })();
        this.versionFiles.set(k, p);
      }
      const files = await p;
      for (let dir = uri.path.slice(0, uri.path.lastIndexOf('/')); dir.length >= folder.uri.path.replace(/\/+$/, '').length; dir = dir.slice(0, Math.max(0, dir.lastIndexOf('/')))) {
        found = core.detectVersions(files.filter((f) => f.path.slice(0, f.path.lastIndexOf('/')) === dir));
        if (Object.keys(found).length || !dir) break;
      }
    }
    const setting = vscode.workspace.getConfiguration('llmTraining.validation', uri).get<Record<string, unknown>>('versions', {});
    const o = core.parseVersionOverrides(setting ?? {}, 'setting llmTraining.validation.versions');
    if (o.invalid.length) this.log.warn(`config: llmTraining.validation.versions: ignored ${o.invalid.join(', ')} (write "trl": "0.19.1")`);
    // Precedence (docs/validate.md): the setting, then what the host's Python has installed, then dependency files.
    const installed = await this.installedFor(core, uri);
    return { versions: core.mergeVersions(found, installed.versions, o.versions), pythonNote: installed.note };
  }

  async validate(doc: vscode.TextDocument): Promise<ConfigState | undefined> {
    const key = doc.uri.toString();
    this.debouncer.cancel(key);
    const gen = ++this.sequence;
    this.generation.set(key, gen);
    if (!this.isCandidate(doc) || doc.isClosed) { this.clear(doc.uri); return undefined; }
    const version = doc.version;
    const text = doc.getText();
    if (text.length > MAX_CONFIG_CHARS) {
      this.log.debug(`config: ${doc.uri.fsPath} is ${text.length} chars, not validated`);
      this.clear(doc.uri);
      return undefined;
    }
    const started = Date.now();
    let core: ConfigCore;
    try {
      core = await loadConfigCore();
    } catch (e) {
      this.log.error(`config: cannot load the validation engine (dist/configCore.js): ${e instanceof Error ? e.message : String(e)}`);
      return undefined;
    }
    if (this.generation.get(key) !== gen || doc.isClosed || doc.version !== version) return undefined;
    const chosen = this.override(doc.uri);
    const associated = chosen === undefined ? this.association(doc) : undefined;
    const source: FrameworkSource = chosen !== undefined ? 'override' : associated !== undefined ? 'association' : 'detected';
    const forced = chosen ?? associated;
    const configPath = doc.uri.path;
    const base: ValidateOptions = { fileName: configPath, ...(forced !== undefined ? { framework: forced } : {}) };

    // Files the config names (DeepSpeed JSON, FSDP/Accelerator configs) are read by the core, through this reader:
    // an open editor's text (unsaved edits included), else the file through a FileAccess on the config's file system.
    const watched = new Set<string>();
    const access = workspaceFileAccess(doc.uri.scheme === 'untitled' ? vscode.Uri.file('/') : doc.uri);
    const onDisk = core.fileAccessReader(access);
    // Dataset paths: only whether something is there (a dataset can be gigabytes); an open editor counts.
    const exists = async (p: string): Promise<boolean> => !!this.openDocument(this.uriFor(doc.uri, p).toString()) || (await access.stat(p)) !== undefined;
    // Watched for changes: the candidates inside the config's workspace folder (else its own folder), not every
    // folder up to the root the core also looks in (a watcher each, outside the workspace, for files rarely there).
    const scope = (vscode.workspace.getWorkspaceFolder(doc.uri)?.uri.path ?? configPath.slice(0, configPath.lastIndexOf('/'))).replace(/\/+$/, '');
    const readFile = async (p: string): Promise<string | undefined> => {
      const uri = this.uriFor(doc.uri, p);
      if (uri.path.startsWith(`${scope}/`)) watched.add(uri.toString());
      const open = this.openDocument(uri.toString());
      return open ? open.getText() : onDisk(p);
    };
    const mapPath: PathMapper = (p) => this.uriFor(doc.uri, p);
    // Relative references: next to the config, then at the root of its workspace folder (where launchers run).
    const wsRoot = doc.uri.scheme === 'untitled' ? undefined : vscode.workspace.getWorkspaceFolder(doc.uri)?.uri.path;
    const { versions, pythonNote } = await this.versionsFor(core, doc.uri);
    // Issue 15: a tasks.json task that runs `accelerate launch --config_file A ... B.yaml` makes A and B one launch
    // (read through readFile, so editing tasks.json re-validates this config).
    const tasks = wsRoot ? await readFile(`${wsRoot.replace(/\/+$/, '')}/.vscode/tasks.json`) : undefined;
    const commands = tasks && wsRoot ? core.taskCommands(tasks, wsRoot.replace(/\/+$/, '')) : [];
    const launch = commands.length ? core.launchFor(configPath, core.launchesFromCommands(commands)) : undefined;
    // Issue 15: where the config is launched from, when a launch says so: a tasks.json task whose command names it
    // (its options.cwd, else the workspace folder), else the newest local run (run.json) that ran it. Then a missing
    // relative reference is an error in that directory; otherwise a warning saying where it looked.
    const launchAt = doc.uri.scheme === 'file' ? core.launchDirFor(configPath, commands, this.runLaunches()) : undefined;
    const hub = hubCacheDir(process.env, homedir());
    const options: ValidateOptions = { ...base, home: homedir(), referenceRoots: wsRoot ? [wsRoot] : [], versions: core.plainVersions(versions), hfHubCache: hub, ...(launch ? { launch } : {}), ...(launchAt ? { launchDir: launchAt.dir, launchDirSource: launchAt.source } : {}) };
    let result: ValidationResult;
    try {
      result = forced === 'unknown'
        ? { framework: 'unknown', frameworkReason: 'you chose not to validate this file', issues: [], facts: [] }
        : await core.validateConfigWithFiles(text, { ...options, readFile, exists });
    } catch (e) {
      // validateConfigWithFiles promises not to throw; if it does, say so once in the log and show nothing wrong.
      this.log.error(`config: validateConfig threw for ${doc.uri.fsPath}: ${e instanceof Error ? e.stack ?? e.message : String(e)}`);
      this.clear(doc.uri);
      return undefined;
    }
    if (this.generation.get(key) !== gen || doc.isClosed || doc.version !== version) return undefined;
    const isConfig = forced !== 'unknown' && result.framework !== 'unknown';
    const detected = forced === undefined ? { framework: result.framework, reason: result.frameworkReason } : core.detectFramework(text, configPath);
    const reason = source === 'override' ? 'set by you for this file'
      : source === 'association' ? 'matched by llmTraining.validation.frameworkAssociations' : result.frameworkReason;
    const issues = isConfig ? applyRuleLevels(result.issues, this.ruleLevels(doc.uri)) : [];
    const diagnostics = issues.map((i) => toDiagnostic(doc, i, mapPath));
    const state: ConfigState = {
      uri: doc.uri, version, isConfig, framework: isConfig ? result.framework : 'unknown',
      reason, detected,
      source, options: { ...options, framework: isConfig ? result.framework : 'unknown' }, result, issues, diagnostics, mapPath,
      frameworkVersion: isConfig ? core.frameworkVersionLabel(result.framework, versions) : undefined, pythonNote,
    };
    this.states.set(key, state);
    this.diagnostics.set(doc.uri, diagnostics);
    this.updateReferences(key, isConfig ? watched : new Set());
    this.log.debug(`config: ${doc.uri.fsPath} v${version} ${state.framework} (${source}): ${issues.length} issue(s), ${watched.size} referenced path(s) looked up, ${Date.now() - started} ms`);
    this.onDidChangeStateEmitter.fire(doc.uri);
    return state;
  }

  /** The issue behind one of our diagnostics in `state` (same object, else same code, range and message). */
  issueFor(state: ConfigState, d: vscode.Diagnostic): ConfigIssue | undefined {
    if (d.source !== DIAGNOSTIC_SOURCE) return undefined;
    const i = state.diagnostics.indexOf(d);
    if (i >= 0) return state.issues[i];
    const code = diagnosticCode(d);
    const r = fromRange(d.range);
    return state.issues.find((x, j) => x.code === code && x.message === d.message && state.diagnostics[j]!.range.isEqual(d.range))
      ?? state.issues.find((x) => x.code === code && x.range.start.line === r.start.line);
  }

  private ruleLevels(uri: vscode.Uri) {
    const { levels, invalid } = parseRuleLevels(vscode.workspace.getConfiguration('llmTraining.validation', uri).get('rules', {}));
    const said = invalid.join(',');
    if (said && said !== this.warnedRules) {
      this.warnedRules = said;
      this.log.warn(`config: llmTraining.validation.rules: ignoring ${invalid.join(', ')} (use "error", "warning", "info" or "off")`);
    }
    return levels;
  }

  private onChange(e: vscode.TextDocumentChangeEvent): void {
    if (e.contentChanges.length === 0) return; // dirty-state-only change
    const key = e.document.uri.toString();
    if (this.isCandidate(e.document)) this.debouncer.schedule(key);
    this.scheduleDependants(key);
  }

  /** The document closed (or lost its last tab): drop its diagnostics, state and pending validation. */
  private forget(uri: vscode.Uri): void {
    const key = uri.toString();
    this.debouncer.cancel(key);
    this.clear(uri);
    this.generation.delete(key); // an in-flight validation now sees a different generation and drops its result
    // A referenced file closed with unsaved edits: dependants now read it from disk.
    this.scheduleDependants(key);
  }

  private onTabs(e: vscode.TabChangeEvent): void {
    for (const tab of e.closed) {
      const uri = tabUri(tab);
      if (uri && this.states.has(uri.toString()) && !this.hasTab(uri)) this.forget(uri);
    }
    for (const tab of e.opened) {
      const uri = tabUri(tab);
      const doc = uri && !this.states.has(uri.toString()) ? this.openDocument(uri.toString()) : undefined;
      if (doc && this.isCandidate(doc)) void this.validate(doc);
    }
  }

  private hasTab(uri: vscode.Uri): boolean {
    const key = uri.toString();
    return vscode.window.tabGroups.all.some((g) => g.tabs.some((t) => tabUri(t)?.toString() === key));
  }

  private async onRename(e: vscode.FileRenameEvent): Promise<void> {
    const all = this.context.workspaceState.get<Record<string, string>>(OVERRIDES_KEY, {});
    let changed = false;
    const next = { ...all };
    for (const { oldUri, newUri } of e.files) {
      const v = next[oldUri.toString()];
      if (v !== undefined) { delete next[oldUri.toString()]; next[newUri.toString()] = v; changed = true; }
    }
    if (changed) await this.context.workspaceState.update(OVERRIDES_KEY, next);
  }

  private clear(uri: vscode.Uri): void {
    const key = uri.toString();
    this.diagnostics.delete(uri);
    const had = this.states.delete(key);
    this.updateReferences(key, new Set());
    if (had) this.onDidChangeStateEmitter.fire(uri);
  }

  /** Local runs as last read; the first call (trusted workspace only) asks the Runs feature to read them. */
  private runLaunches(): RunLaunch[] {
    if (!this.localRuns) return [];
    if (!this.localRunsAsked && vscode.workspace.isTrusted) {
      this.localRunsAsked = true;
      void this.localRuns.load().catch((e: unknown) => this.log.debug(`config: local runs not read: ${e instanceof Error ? e.message : String(e)}`));
    }
    return this.localRuns.get();
  }

  private revalidateAll(): void {
    for (const doc of vscode.workspace.textDocuments) {
      if (this.isCandidate(doc)) this.debouncer.schedule(doc.uri.toString());
      else if (this.states.has(doc.uri.toString())) this.clear(doc.uri);
    }
  }

  private scheduleDependants(fileKey: string): void {
    for (const dep of this.graph.dependants(fileKey)) if (dep !== fileKey) this.debouncer.schedule(dep);
  }

  /** Records what `configKey` references and starts/stops file watchers to match. */
  private updateReferences(configKey: string, refs: Set<string>): void {
    const { added, removed } = this.graph.set(configKey, refs);
    for (const r of removed) { this.watchers.get(r)?.dispose(); this.watchers.delete(r); }
    for (const r of added) {
      const uri = vscode.Uri.parse(r);
      const dir = vscode.Uri.joinPath(uri, '..');
      const name = uri.path.slice(uri.path.lastIndexOf('/') + 1);
      try {
        const w = vscode.workspace.createFileSystemWatcher(new vscode.RelativePattern(dir, name));
        const poke = () => this.scheduleDependants(r);
        w.onDidChange(poke); w.onDidCreate(poke); w.onDidDelete(poke);
        this.watchers.set(r, w);
      } catch (e) {
        this.log.warn(`config: cannot watch ${uri.fsPath}: ${String(e)}`);
      }
    }
  }

  private openDocument(key: string): vscode.TextDocument | undefined {
    return vscode.workspace.textDocuments.find((d) => d.uri.toString() === key && !d.isClosed);
  }

  /** A URI for a POSIX path on the same file system as `like` (local file, or the remote's). */
  private uriFor(like: vscode.Uri, path: string): vscode.Uri {
    if (like.scheme === 'untitled') return vscode.Uri.file(path);
    return like.with({ path, query: '', fragment: '' });
  }
}

/** The text document a tab shows (the modified side of a diff), if it shows one. */
function tabUri(tab: vscode.Tab): vscode.Uri | undefined {
  if (tab.input instanceof vscode.TabInputText) return tab.input.uri;
  if (tab.input instanceof vscode.TabInputTextDiff) return tab.input.modified;
  return undefined;
}
