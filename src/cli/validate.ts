/**
 * `llmtrain validate <files...> [--framework X] [--format text|json]`: the config core from the command line.
 * Reads each file (and the DeepSpeed/Accelerate files it names, relative to the config) from disk.
 * Exit status: 1 when any file has an error, 2 on usage errors, 0 otherwise.
 *
 * Output: text lines `file:line:col: severity code: message`, or (`--format json`) ONE JSON array of
 * `{file, framework, line, column, endLine, endColumn, severity, code, message}` with 1-based lines and columns.
 */
import { readFileSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { validateConfig } from '../core/config/index';
import { FRAMEWORK_IDS } from '../core/config/registry';
import type { Framework } from '../core/config/index';

const FRAMEWORKS = FRAMEWORK_IDS;

export interface CliIssue { file: string; framework: Framework; line: number; column: number; endLine: number; endColumn: number; severity: 'error' | 'warning' | 'info'; code: string; message: string }

function readText(path: string): string | undefined {
  try {
    if (!statSync(path).isFile()) return undefined;
    return readFileSync(path, 'utf8');
  } catch { return undefined; }
}

export const validateUsage = 'usage: llmtrain validate <files...> [--framework hf-trainer|axolotl|llamafactory|torchtune|deepspeed|accelerate|peft] [--format text|json]';

/** Validates files; returns the issues (1-based positions). Missing or unreadable files become `file-not-found` errors. */
export function validateFiles(files: string[], framework?: Framework): CliIssue[] {
  const out: CliIssue[] = [];
  for (const file of files) {
    const abs = resolve(file);
    const text = readText(abs);
    if (text === undefined) {
      out.push({ file, framework: framework ?? 'unknown', line: 1, column: 1, endLine: 1, endColumn: 1, severity: 'error', code: 'file-not-found', message: `Cannot read ${file} (missing, a directory, or no permission).` });
      continue;
    }
    const r = validateConfig(text, { fileName: abs, framework, readFile: (p) => readText(resolve(p)) });
    for (const i of r.issues) {
      out.push({ file, framework: r.framework, line: i.range.start.line + 1, column: i.range.start.character + 1, endLine: i.range.end.line + 1, endColumn: i.range.end.character + 1, severity: i.severity, code: i.code, message: i.message });
    }
  }
  return out;
}

export async function runValidate(args: string[], out: (s: string) => void = (s) => process.stdout.write(s), err: (s: string) => void = (s) => process.stderr.write(s)): Promise<number> {
  let framework: Framework | undefined; let format: 'text' | 'json' = 'text';
  const files: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    const val = (name: string): string | undefined => (a.startsWith(`${name}=`) ? a.slice(name.length + 1) : a === name ? args[++i] : undefined);
    if (a === '-h' || a === '--help') { out(validateUsage + '\n'); return 0; }
    if (a.startsWith('--framework')) {
      const v = val('--framework');
      if (!v || !FRAMEWORKS.includes(v as Framework)) { err(`llmtrain validate: --framework must be one of ${FRAMEWORKS.join(', ')}\n`); return 2; }
      framework = v as Framework;
    } else if (a.startsWith('--format')) {
      const v = val('--format');
      if (v !== 'text' && v !== 'json') { err('llmtrain validate: --format must be text or json\n'); return 2; }
      format = v;
    } else if (a.startsWith('--') && a !== '--') { err(`llmtrain validate: unknown option ${a}\n${validateUsage}\n`); return 2; }
    else if (a !== '--') files.push(a);
  }
  if (!files.length) { err(validateUsage + '\n'); return 2; }
  const issues = validateFiles(files, framework);
  if (format === 'json') out(JSON.stringify(issues, null, 2) + '\n');
  else {
    for (const i of issues) out(`${i.file}:${i.line}:${i.column}: ${i.severity} ${i.code}: ${i.message}\n`);
    const e = issues.filter((i) => i.severity === 'error').length, w = issues.filter((i) => i.severity === 'warning').length;
    err(`${files.length} file(s) checked: ${e} error(s), ${w} warning(s)\n`);
  }
  return issues.some((i) => i.severity === 'error') ? 1 : 0;
}
