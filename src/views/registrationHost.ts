/**
 * The registrations a feature makes that VS Code must find right after activation (views, custom editors, webview
 * serializers, file system, document and task providers), behind one seam (issue 12: activation vs an empty
 * extension). `directHost` registers with VS Code; src/extension.ts hands the features a host that binds them to the
 * placeholders it registered at activation, which load the features on their first call (src/features.ts).
 */
import * as vscode from 'vscode';

/** Options of the read-only custom editors (each feature registers its editors with these). */
export interface EditorOptions { readonly supportsMultipleEditorsPerDocument?: boolean }

/** The vscode registration functions the features use; each returns what VS Code's own returns. */
export interface RegistrationHost {
  createTreeView<T>(viewId: string, options: vscode.TreeViewOptions<T>): vscode.TreeView<T>;
  registerCustomEditorProvider(viewType: string, provider: vscode.CustomReadonlyEditorProvider, options?: EditorOptions): vscode.Disposable;
  registerWebviewViewProvider(viewId: string, provider: vscode.WebviewViewProvider): vscode.Disposable;
  registerWebviewPanelSerializer(viewType: string, serializer: vscode.WebviewPanelSerializer): vscode.Disposable;
  registerFileSystemProvider(scheme: string, provider: vscode.FileSystemProvider, options: { readonly isCaseSensitive?: boolean; readonly isReadonly?: boolean }): vscode.Disposable;
  registerTextDocumentContentProvider(scheme: string, provider: vscode.TextDocumentContentProvider): vscode.Disposable;
  registerTaskProvider(type: string, provider: vscode.TaskProvider): vscode.Disposable;
}

/** Registers straight with VS Code. */
export const directHost: RegistrationHost = {
  createTreeView: (id, options) => vscode.window.createTreeView(id, options),
  registerCustomEditorProvider: (t, p, o) => vscode.window.registerCustomEditorProvider(t, p, o),
  registerWebviewViewProvider: (id, p) => vscode.window.registerWebviewViewProvider(id, p),
  registerWebviewPanelSerializer: (t, s) => vscode.window.registerWebviewPanelSerializer(t, s),
  registerFileSystemProvider: (s, p, o) => vscode.workspace.registerFileSystemProvider(s, p, o),
  registerTextDocumentContentProvider: (s, p) => vscode.workspace.registerTextDocumentContentProvider(s, p),
  registerTaskProvider: (t, p) => vscode.tasks.registerTaskProvider(t, p),
};
