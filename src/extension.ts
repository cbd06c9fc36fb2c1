/**
 * Activation (issue 12: `extension.activate` vs an empty extension). Loading every feature at activation (parsing and
 * running a 400 KB bundle, building the services) cost several times what an empty extension costs, in every window
 * that activates the extension, whether or not a feature is used. So activate() only registers what VS Code must find
 * from activation on, as placeholders, and the features themselves (src/features.ts, bundled as dist/features.js) load
 * on the first use of any of them:
 * - every command (the contributed ones and those code calls), as a stub that loads the features, then runs the real one;
 * - the Runs and Checkpoints tree views, the sparklines view, the custom editors, the loss-curve panel serializer, the
 *   `llmtraining-remote:` file system, the `llmtraining-log:` documents and the `llm-training` tasks, as forwarders
 *   that load the features on their first call and then pass every call on;
 * - an open document that a feature checks (YAML/JSON configs, tokenizer_config.json, JSONL datasets): the features load
 *   at once when one is open, else when the first one opens;
 * - the API the integration tests read (`runs`, `files`, `checkpoints`).
 * The shell imports nothing but `vscode`, types and the command lists of src/views/shellCommands.ts; test/unit/activationBundle.test.ts checks that activation loads
 * no other file.
 */
import * as vscode from 'vscode';
import type { ExtensionApi } from './features';
import type { EditorOptions, RegistrationHost } from './views/registrationHost';
import { FAILURE_NOTICES_SINCE_KEY, INTERNAL_COMMANDS, TEST_HOOK_COMMANDS, testHooksOn } from './views/shellCommands';

export type { ExtensionApi } from './features';


/** The tree views and their options, as the features create them (the same options must be given up front). */
const TREE_VIEWS: Record<string, { showCollapseAll: boolean; canSelectMany: boolean }> = {
  'llmTraining.runs': { showCollapseAll: true, canSelectMany: true },
  'llmTraining.checkpoints': { showCollapseAll: true, canSelectMany: true },
};
const CUSTOM_EDITORS = ['llmTraining.checkpoint', 'llmTraining.checkpoint.any', 'llmTraining.onnx', 'llmTraining.tokenizerModel'];
const EDITOR_OPTIONS: EditorOptions = { supportsMultipleEditorsPerDocument: true };
const WEBVIEW_VIEWS = ['llmTraining.sparklines'];
const PANEL_SERIALIZERS = ['llmTraining.lossCurve'];
const FILE_SYSTEMS: Record<string, { isReadonly: boolean; isCaseSensitive: boolean }> = { 'llmtraining-remote': { isReadonly: true, isCaseSensitive: true } };
const CONTENT_SCHEMES = ['llmtraining-log'];
const TASK_TYPES = ['llm-training'];

/** VS Code's own JSON files (user and workspace settings, tasks, launch, keybindings): never a training config. */
const VSCODE_JSON = /(^|\/)(\.vscode|User)\/[^/]+\.json$/;
/** Schemes of the documents the features read (local, unsaved, remote window, SSH host). */
const SCHEMES = ['file', 'untitled', 'vscode-remote', 'llmtraining-remote'];

/**
 * Documents a feature acts on when they are open: configs (YAML/JSON), tokenizer_config.json, JSONL datasets; not
 * VS Code's own settings files (code-server and VS Code keep the user settings.json open as a document, which loaded
 * the features at every activation).
 */
export function wantsFeatures(doc: { languageId: string; uri: { scheme: string; path: string } }): boolean {
  if (!SCHEMES.includes(doc.uri.scheme) || VSCODE_JSON.test(doc.uri.path)) return false;
  return doc.languageId === 'yaml' || doc.languageId === 'json' || doc.languageId === 'jsonc' || /\.(jsonl|ndjson)$/i.test(doc.uri.path);
}

/** A placeholder's target: the feature's own provider, once the features are loaded. */
class Slot<T> {
  target: T | undefined;
  constructor(private readonly load: () => void, private readonly what: string) {}
  get(): T {
    this.load();
    if (!this.target) throw new Error(`LLM Training Studio: the features registered no ${this.what}`);
    return this.target;
  }
}

export function activate(context: vscode.ExtensionContext): ExtensionApi {
  const testHooks = testHooksOn(context.extensionMode);
  if (testHooks) void vscode.commands.executeCommand('setContext', 'llmTraining.testHooks', true);
  // Failure notices cover runs that end from the first activation on, also before the features first load.
  if (!context.globalState.get<string>(FAILURE_NOTICES_SINCE_KEY)) void context.globalState.update(FAILURE_NOTICES_SINCE_KEY, new Date().toISOString());

  let api: ExtensionApi | undefined;
  let loaded = false;
  const stubs: vscode.Disposable[] = [];
  const slots = new Map<string, Slot<unknown>>();
  const slot = <T>(key: string): Slot<T> => {
    let s = slots.get(key);
    if (!s) { s = new Slot<T>(load, key); slots.set(key, s); }
    return s as Slot<T>;
  };
  const bind = <T>(key: string, target: T): vscode.Disposable => {
    slot<T>(key).target = target;
    return new vscode.Disposable(() => { if (slot<T>(key).target === target) slot<T>(key).target = undefined; });
  };

  // Tree views are created here, with forwarding data providers; the features' createTreeView gets the view back.
  const views = new Map<string, { view: vscode.TreeView<unknown>; changed: vscode.EventEmitter<unknown> }>();
  for (const [id, options] of Object.entries(TREE_VIEWS)) {
    const s = slot<vscode.TreeDataProvider<unknown>>(`tree:${id}`);
    const changed = new vscode.EventEmitter<unknown>();
    const provider: vscode.TreeDataProvider<unknown> = {
      onDidChangeTreeData: changed.event,
      getChildren: (e) => s.get().getChildren(e),
      getTreeItem: (e) => s.get().getTreeItem(e),
      // no getParent/resolveTreeItem: the features' trees have neither, and VS Code asks for them only when present
    };
    const view = vscode.window.createTreeView(id, { treeDataProvider: provider, ...options });
    views.set(id, { view, changed });
    context.subscriptions.push(view, changed);
  }

  const host: RegistrationHost = {
    createTreeView: <T>(id: string, options: vscode.TreeViewOptions<T>): vscode.TreeView<T> => {
      const v = views.get(id);
      if (!v) return vscode.window.createTreeView(id, options);
      const sub = options.treeDataProvider.onDidChangeTreeData?.((e) => v.changed.fire(e));
      if (sub) context.subscriptions.push(sub);
      context.subscriptions.push(bind(`tree:${id}`, options.treeDataProvider));
      return v.view as vscode.TreeView<T>;
    },
    registerCustomEditorProvider: (t, p) => bind(`editor:${t}`, p),
    registerWebviewViewProvider: (id, p) => bind(`webviewView:${id}`, p),
    registerWebviewPanelSerializer: (t, s) => bind(`serializer:${t}`, s),
    registerFileSystemProvider: (scheme, p) => {
      const changes = p.onDidChangeFile((e) => fsChanged.get(scheme)?.fire(e));
      return vscode.Disposable.from(changes, bind(`fs:${scheme}`, p));
    },
    registerTextDocumentContentProvider: (scheme, p) => {
      const changes = p.onDidChange?.((u) => contentChanged.get(scheme)?.fire(u));
      return vscode.Disposable.from(...(changes ? [changes] : []), bind(`content:${scheme}`, p));
    },
    registerTaskProvider: (t, p) => bind(`task:${t}`, p),
  };

  /** Loads the features (once; a failure is not retried): the stubs give way to the real commands, the placeholders get their targets. */
  function load(): void {
    if (loaded) return;
    loaded = true;
    for (const d of stubs.splice(0)) d.dispose();
    // The output channel is made here too: a log channel creates its file, which activation need not wait for.
    const log = vscode.window.createOutputChannel('LLM Training Studio', { log: true });
    context.subscriptions.push(log);
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const features = require('./features') as typeof import('./features');
    api = features.activateFeatures(context, log, host);
  }

  const commandIds = [
    ...((context.extension.packageJSON?.contributes?.commands ?? []) as { command: string }[]).map((c) => c.command),
    ...INTERNAL_COMMANDS, ...(testHooks ? TEST_HOOK_COMMANDS : []),
  ];
  for (const id of new Set(commandIds)) {
    stubs.push(vscode.commands.registerCommand(id, (...args: unknown[]) => { load(); return vscode.commands.executeCommand(id, ...args); }));
  }
  context.subscriptions.push({ dispose: () => { for (const d of stubs.splice(0)) d.dispose(); } });

  for (const t of CUSTOM_EDITORS) {
    const s = slot<vscode.CustomReadonlyEditorProvider>(`editor:${t}`);
    context.subscriptions.push(vscode.window.registerCustomEditorProvider(t, {
      openCustomDocument: (uri, ctx, token) => s.get().openCustomDocument(uri, ctx, token),
      resolveCustomEditor: (doc, panel, token) => s.get().resolveCustomEditor(doc, panel, token),
    }, EDITOR_OPTIONS));
  }
  for (const id of WEBVIEW_VIEWS) {
    const s = slot<vscode.WebviewViewProvider>(`webviewView:${id}`);
    context.subscriptions.push(vscode.window.registerWebviewViewProvider(id, { resolveWebviewView: (view, ctx, token) => s.get().resolveWebviewView(view, ctx, token) }));
  }
  for (const t of PANEL_SERIALIZERS) {
    const s = slot<vscode.WebviewPanelSerializer>(`serializer:${t}`);
    context.subscriptions.push(vscode.window.registerWebviewPanelSerializer(t, { deserializeWebviewPanel: (panel, state) => s.get().deserializeWebviewPanel(panel, state) }));
  }
  const fsChanged = new Map<string, vscode.EventEmitter<vscode.FileChangeEvent[]>>();
  for (const [scheme, options] of Object.entries(FILE_SYSTEMS)) {
    const s = slot<vscode.FileSystemProvider>(`fs:${scheme}`);
    const changed = new vscode.EventEmitter<vscode.FileChangeEvent[]>();
    fsChanged.set(scheme, changed);
    context.subscriptions.push(changed, vscode.workspace.registerFileSystemProvider(scheme, {
      onDidChangeFile: changed.event,
      watch: (uri, o) => s.get().watch(uri, o),
      stat: (uri) => s.get().stat(uri),
      readDirectory: (uri) => s.get().readDirectory(uri),
      createDirectory: (uri) => s.get().createDirectory(uri),
      readFile: (uri) => s.get().readFile(uri),
      writeFile: (uri, content, o) => s.get().writeFile(uri, content, o),
      delete: (uri, o) => s.get().delete(uri, o),
      rename: (a, b, o) => s.get().rename(a, b, o),
    }, options));
  }
  const contentChanged = new Map<string, vscode.EventEmitter<vscode.Uri>>();
  for (const scheme of CONTENT_SCHEMES) {
    const s = slot<vscode.TextDocumentContentProvider>(`content:${scheme}`);
    const changed = new vscode.EventEmitter<vscode.Uri>();
    contentChanged.set(scheme, changed);
    context.subscriptions.push(changed, vscode.workspace.registerTextDocumentContentProvider(scheme, {
      onDidChange: changed.event,
      provideTextDocumentContent: (uri, token) => s.get().provideTextDocumentContent(uri, token),
    }));
  }
  for (const t of TASK_TYPES) {
    const s = slot<vscode.TaskProvider>(`task:${t}`);
    context.subscriptions.push(vscode.tasks.registerTaskProvider(t, {
      provideTasks: (token) => s.get().provideTasks(token),
      resolveTask: (task, token) => s.get().resolveTask(task, token),
    }));
  }

  // Documents the features check: now when one is open, else at the first one opened.
  let open = false;
  for (const d of vscode.workspace.textDocuments) if (wantsFeatures(d)) open = true;
  if (open) load();
  else {
    const sub = vscode.workspace.onDidOpenTextDocument((d) => { if (wantsFeatures(d)) { sub.dispose(); load(); } });
    context.subscriptions.push(sub);
  }

  const lazyApi = (): ExtensionApi => { load(); return api!; };
  return {
    get runs() { return lazyApi().runs; },
    get files() { return lazyApi().files; },
    get checkpoints() { return lazyApi().checkpoints; },
  };
}

export function deactivate(): void {}
