/**
 * The editor side of the file-access seam: turns a `vscode.Uri` into a `FileAccess` + path, for local files
 * (`file:`) and for files on SSH hosts (`llmtraining-remote://<host-alias>/<absolute path>`), and serves remote
 * files read-only to VS Code so custom editors (checkpoints, ONNX, tokenizers) and text editors open them like local
 * ones. Every read goes through the host's `Runner` (range reads over SFTP), so headers are read without copying
 * whole files.
 */
import * as vscode from 'vscode';
import type { FileAccess } from '../core/files';
import { localFileAccess, runnerFileAccess } from '../remote/files';
import type { Runner } from '../remote/types';
import { directHost, type RegistrationHost } from './registrationHost';

/** URI scheme of files on SSH hosts: `llmtraining-remote://gpu-box/home/me/run/checkpoint-10/model.safetensors`. */
export const REMOTE_SCHEME = 'llmtraining-remote';

/** Where a file is: a host alias (`local` or an ssh alias) and an absolute POSIX path on it. */
export interface FileLocation { host: string; path: string }

/** The URI VS Code opens for a location (`file:` on `local`). */
export function uriOf(loc: FileLocation): vscode.Uri {
  if (loc.host === 'local') return vscode.Uri.file(loc.path);
  return vscode.Uri.from({ scheme: REMOTE_SCHEME, authority: loc.host, path: loc.path });
}

/** The location a URI names; throws for schemes this extension cannot read (untitled:, vscode-remote:, ...). */
export function locationOf(uri: vscode.Uri): FileLocation {
  if (uri.scheme === 'file') return { host: 'local', path: uri.fsPath };
  if (uri.scheme === REMOTE_SCHEME) return { host: uri.authority, path: uri.path };
  throw new Error(`cannot read ${uri.toString()}: only local files and ${REMOTE_SCHEME}: paths are supported`);
}

/** `host:/path` as users type it (the CLI's and the Checkpoints view's notation); `local` for plain paths. */
export function parseHostPath(text: string): FileLocation {
  const m = /^([A-Za-z0-9_.@-]+):(\/.*)$/.exec(text.trim());
  if (m && m[1] !== 'local') return { host: m[1], path: m[2] };
  return { host: 'local', path: m ? m[2] : text.trim() };
}

/**
 * A FileAccess over the file system of `base`'s scheme and authority (`file:`, `vscode-remote:`, any provider VS Code
 * has): paths are POSIX URI paths on it. `vscode.workspace.fs` has no range reads, so `read` reads the whole file and
 * slices: use it for small files (configs, logs of schemes without a Runner); `forHost` is the seam for big ones.
 */
export function workspaceFileAccess(base: vscode.Uri): FileAccess {
  const at = (path: string) => base.with({ path, query: '', fragment: '' });
  return {
    host: base.scheme === 'file' ? 'local' : base.authority || base.scheme,
    async read(path, start, end) {
      const all = await vscode.workspace.fs.readFile(at(path));
      return all.slice(Math.max(0, start), Math.max(start, Math.min(end, all.length)));
    },
    async stat(path) {
      try {
        const s = await vscode.workspace.fs.stat(at(path));
        return { size: s.size, mtimeMs: s.mtime, isDirectory: (s.type & vscode.FileType.Directory) !== 0 };
      } catch (e) {
        if (e instanceof vscode.FileSystemError && e.code === 'FileNotFound') return undefined;
        throw e;
      }
    },
    async list(path) {
      try { return (await vscode.workspace.fs.readDirectory(at(path))).map(([n]) => n).sort(); } catch (e) {
        if (e instanceof vscode.FileSystemError && e.code === 'FileNotFound') return [];
        throw e;
      }
    },
  };
}

/** Gives FileAccess per host; remote ones go through the runs backend's connected runners (prompts included). */
export class FilesService implements vscode.Disposable {
  private readonly local = localFileAccess();
  private readonly disposables: vscode.Disposable[] = [];

  constructor(private readonly getRunner: (host: string) => Promise<Runner>) {}

  /** FileAccess for a host alias. */
  async forHost(host: string): Promise<FileAccess> {
    if (host === 'local') return this.local;
    return runnerFileAccess(await this.getRunner(host));
  }

  /** FileAccess and path for a URI (see `locationOf`). */
  async forUri(uri: vscode.Uri): Promise<{ files: FileAccess; path: string; host: string }> {
    const loc = locationOf(uri);
    return { files: await this.forHost(loc.host), path: loc.path, host: loc.host };
  }

  /** Registers the read-only file system for `llmtraining-remote:` URIs (through `host`). Call once at activation. */
  register(context: vscode.ExtensionContext, host: RegistrationHost = directHost): void {
    const provider = new RemoteReadonlyFileSystem(this);
    this.disposables.push(host.registerFileSystemProvider(REMOTE_SCHEME, provider, { isReadonly: true, isCaseSensitive: true }));
    context.subscriptions.push(this);
  }

  dispose(): void { for (const d of this.disposables) d.dispose(); }
}

/** Whole-file reads through this provider are capped (a text editor on a remote 50 GB file must not start). */
const MAX_EDITOR_READ = 64 * 1024 * 1024;

/** `llmtraining-remote:` files, read-only, through the host's FileAccess. */
class RemoteReadonlyFileSystem implements vscode.FileSystemProvider {
  private readonly emitter = new vscode.EventEmitter<vscode.FileChangeEvent[]>();
  readonly onDidChangeFile = this.emitter.event;

  constructor(private readonly service: FilesService) {}

  watch(): vscode.Disposable { return new vscode.Disposable(() => undefined); }

  async stat(uri: vscode.Uri): Promise<vscode.FileStat> {
    const { files, path } = await this.service.forUri(uri);
    const info = await files.stat(path);
    if (!info) throw vscode.FileSystemError.FileNotFound(uri);
    return { type: info.isDirectory ? vscode.FileType.Directory : vscode.FileType.File, ctime: info.mtimeMs, mtime: info.mtimeMs, size: info.size, permissions: vscode.FilePermission.Readonly };
  }

  async readDirectory(uri: vscode.Uri): Promise<[string, vscode.FileType][]> {
    const { files, path } = await this.service.forUri(uri);
    const names = await files.list(path);
    const out: [string, vscode.FileType][] = [];
    for (const name of names) {
      const info = await files.stat(`${path.replace(/\/+$/, '')}/${name}`);
      out.push([name, info?.isDirectory ? vscode.FileType.Directory : vscode.FileType.File]);
    }
    return out;
  }

  async readFile(uri: vscode.Uri): Promise<Uint8Array> {
    const { files, path } = await this.service.forUri(uri);
    const info = await files.stat(path);
    if (!info) throw vscode.FileSystemError.FileNotFound(uri);
    if (info.size > MAX_EDITOR_READ) throw vscode.FileSystemError.Unavailable(`${uri.toString()} is ${info.size} bytes; open it with an LLM Training viewer, which reads only its header`);
    return files.read(path, 0, info.size);
  }

  createDirectory(uri: vscode.Uri): never { throw vscode.FileSystemError.NoPermissions(uri); }
  writeFile(uri: vscode.Uri): never { throw vscode.FileSystemError.NoPermissions(uri); }
  delete(uri: vscode.Uri): never { throw vscode.FileSystemError.NoPermissions(uri); }
  rename(uri: vscode.Uri): never { throw vscode.FileSystemError.NoPermissions(uri); }
}
