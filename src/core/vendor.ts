/**
 * Libraries that only some features need, required on their first use rather than imported (issue 12: activation).
 *
 * Loading `dist/extension.js` evaluates every module it bundles, so a library imported at the top of any module the
 * extension reaches is parsed and run in every window that activates the extension, whether or not its feature is
 * used (zod alone was 1 MB of the 2.4 MB bundle). Code reaches these libraries only through the functions below,
 * called where the library is needed. In the extension bundle, scripts/lib/extensionBuild.mjs turns each `require` here
 * (and every other `require` of a listed package under src/, such as ssh2's in src/remote/connection.ts) into
 * `require('./vendor/<name>.js')`, a separate bundle per library (dist/vendor/*.js) read on that first call;
 * test/unit/activationBundle.test.ts checks that none of them is in dist/extension.js or loaded by activation.
 * The CLI, the lazily loaded cores and the tests get the packages themselves (the `require` bundles or resolves them).
 *
 * Each function returns the module's namespace (the same object on every call: Node caches it). Errors: a missing
 * dist/vendor file throws `Cannot find module` from the first call (the smoke test loads each one).
 */
/* eslint-disable @typescript-eslint/no-require-imports */
import type * as ZodModule from 'zod';
import type * as YamlModule from 'yaml';
import type * as JsoncModule from 'jsonc-parser';
import type * as ChokidarModule from 'chokidar';
import type * as ProtobufModule from 'protobufjs';
import type * as ProtobufLightModule from 'protobufjs/light';
import type * as GgufModule from '@huggingface/gguf' with { 'resolution-mode': 'import' };
import type * as TokenizersModule from '@huggingface/tokenizers' with { 'resolution-mode': 'import' };
import type * as JinjaModule from '@huggingface/jinja' with { 'resolution-mode': 'import' };

/** An ES module bundled to CommonJS answers `require` with its namespace; a CommonJS module may export a function. */
function ns<T>(m: unknown): T { return m as T; }

/** zod (schemas of webview messages); `zod().z` is the usual `z`. */
export function zod(): typeof ZodModule { return ns(require('zod')); }
/** yaml (eemeli/yaml): `parse`, `parseDocument`, `isMap`, `isScalar`, ... */
export function yaml(): typeof YamlModule { return ns(require('yaml')); }
/** jsonc-parser: `parseTree`, `modify`, ... */
export function jsonc(): typeof JsoncModule { return ns(require('jsonc-parser')); }
/** chokidar: `watch`. */
export function chokidar(): typeof ChokidarModule { return ns(require('chokidar')); }
/** protobufjs (full: `.proto` text parser; a CommonJS module whose exports are the namespace). */
export function protobuf(): typeof ProtobufModule { return ns(require('protobufjs')); }
/** protobufjs/light (reflection from JSON definitions, no parser). */
export function protobufLight(): typeof ProtobufLightModule { return ns(require('protobufjs/light')); }
/** @huggingface/gguf: `gguf`, `GGMLQuantizationType`. */
export function hfGguf(): typeof GgufModule { return ns(require('@huggingface/gguf')); }
/** @huggingface/tokenizers: `Tokenizer`. */
export function hfTokenizers(): typeof TokenizersModule { return ns(require('@huggingface/tokenizers')); }
/** @huggingface/jinja: `Template`. */
export function hfJinja(): typeof JinjaModule { return ns(require('@huggingface/jinja')); }
