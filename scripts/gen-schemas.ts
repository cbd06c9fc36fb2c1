// Writes schemas/<framework>.schema.json from the zod schemas in src/core/config (jsonSchemaFor), and the framework
// `enum`/`enumDescriptions` of package.json's settings from the framework registry (src/core/config/registry.ts).
// Run: npx tsx scripts/gen-schemas.ts   (test/unit/config.assist.test.ts and test/unit/frameworkRegistry.test.ts fail
// when the committed files are stale)
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { jsonSchemaFor } from '../src/core/config/index';
import { FRAMEWORK_IDS, FRAMEWORK_INFO } from '../src/core/config/registry';
import type { Framework } from '../src/core/config/index';

export const SCHEMA_FRAMEWORKS: Exclude<Framework, 'unknown'>[] = ['hf-trainer', 'axolotl', 'llamafactory', 'torchtune', 'deepspeed', 'accelerate', 'peft'];

export function schemaText(fw: Exclude<Framework, 'unknown'>): string {
  return JSON.stringify(jsonSchemaFor(fw), null, 2) + '\n';
}

/**
 * package.json's text with every framework enum (an `"enum": [...]` that lists `"axolotl"`, and the
 * `"enumDescriptions": [...]` right after it) rewritten from the registry: ids in registry order, its Markdown
 * descriptions. Only those arrays change; the rest of the text (its hand formatting) is kept byte for byte.
 */
export function withFrameworkEnums(pkgText: string): string {
  const array = (indent: string, items: readonly string[]) => `[\n${items.map((i) => `${indent}  ${JSON.stringify(i)}`).join(',\n')}\n${indent}]`;
  return pkgText.replace(/^( *)"enum": \[[^\]]*\](,\n *"enumDescriptions": \[[^\]]*\])?/gm, (whole: string, indent: string) => {
    if (!/"axolotl"/.test(whole.slice(0, whole.indexOf(']') + 1))) return whole;
    return `${indent}"enum": ${array(indent, FRAMEWORK_IDS)},\n${indent}"enumDescriptions": ${array(indent, FRAMEWORK_INFO.map((f) => f.markdownDescription))}`;
  });
}

if (require.main === module) {
  const dir = join(__dirname, '..', 'schemas');
  mkdirSync(dir, { recursive: true });
  for (const fw of SCHEMA_FRAMEWORKS) {
    writeFileSync(join(dir, `${fw}.schema.json`), schemaText(fw));
    process.stdout.write(`schemas/${fw}.schema.json\n`);
  }
  const pkgPath = join(__dirname, '..', 'package.json');
  const pkg = readFileSync(pkgPath, 'utf8');
  const next = withFrameworkEnums(pkg);
  if (next !== pkg) { writeFileSync(pkgPath, next); process.stdout.write('package.json (framework enums)\n'); }
}
