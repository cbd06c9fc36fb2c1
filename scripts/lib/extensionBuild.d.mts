// Types for extensionBuild.mjs (used from TypeScript tests and benches).
import type { BuildOptions, Plugin } from 'esbuild';

export const VENDOR_PACKAGES: Record<string, string>;
export const NATIVE_OPTIONAL: string[];
export const lazyVendor: Plugin;
export function vendorBuilds(common: BuildOptions, external: string[]): BuildOptions[];
export const lazyFeatures: Plugin;
/** [dist/extension.js (the activation shell), dist/features.js (every feature, required on first use)] */
export function extensionBuildOptions(common: BuildOptions): [BuildOptions, BuildOptions];
