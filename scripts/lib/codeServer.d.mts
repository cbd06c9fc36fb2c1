// Types for codeServer.mjs (used from TypeScript tests).
import type { ChildProcess } from 'node:child_process';
import type { Browser } from 'playwright-core';

export const CODE_SERVER_VERSION: string;
export const NODE_MAJOR: number;
export const CHROMIUM: string;
export function cacheDir(): string;
export function node24Bin(): string;
export function codeServerEntry(): string;
export function assertInstalled(): void;
export function freePort(): Promise<number>;
export function userSettings(extra?: Record<string, unknown>): Record<string, unknown>;

export interface CodeServerOptions {
  folder?: string;
  port?: number;
  settings?: Record<string, unknown>;
  workspaceTrust?: boolean;
  env?: Record<string, string> | ((dirs: { root: string; userDataDir: string; extensionsDir: string }) => Record<string, string>);
  installExtensions?: string[];
  log?: (line: string) => void;
}
export interface CodeServerHandle {
  port: number;
  url: string;
  folder?: string;
  root: string;
  userDataDir: string;
  extensionsDir: string;
  tmp: string;
  marker: string;
  proc: ChildProcess;
  stopped: boolean;
  stop(): Promise<void>;
}
export function startCodeServer(opts: CodeServerOptions): Promise<CodeServerHandle>;
export function stopSync(handle: CodeServerHandle | undefined): void;
export function markedPids(marker: string): number[];
export function launchChromium(opts?: { headless?: boolean }): Promise<Browser>;
export function workbenchUrl(handle: CodeServerHandle, opts?: { folder?: string; extensionDevelopmentPath?: string | string[]; extensionTestsPath?: string }): string;
export function runCodeServerCli(args: string[], opts?: { env?: Record<string, string> }): { status: number | null; stdout: string; stderr: string };
