// Types for webviewBuilds.mjs (used from TypeScript tests and benches).
import type { BuildOptions } from 'esbuild';

export function webviewApps(root?: string): string[];
export function webviewBuildOptions(app: string, opts?: { production?: boolean; root?: string }): BuildOptions & { entryPoints: string[]; outfile: string };
