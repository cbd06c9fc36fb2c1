// Writes schemas/<framework>.schema.json from the zod schemas in src/core/config (jsonSchemaFor).
// Run: npx tsx scripts/gen-schemas.ts   (test/unit/config.assist.test.ts fails when the committed files are stale)
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { jsonSchemaFor } from '../src/core/config/index';
import type { Framework } from '../src/core/config/index';

export const SCHEMA_FRAMEWORKS: Exclude<Framework, 'unknown'>[] = ['hf-trainer', 'axolotl', 'llamafactory', 'torchtune', 'deepspeed', 'accelerate', 'peft'];

export function schemaText(fw: Exclude<Framework, 'unknown'>): string {
  return JSON.stringify(jsonSchemaFor(fw), null, 2) + '\n';
}

if (require.main === module) {
  const dir = join(__dirname, '..', 'schemas');
  mkdirSync(dir, { recursive: true });
  for (const fw of SCHEMA_FRAMEWORKS) {
    writeFileSync(join(dir, `${fw}.schema.json`), schemaText(fw));
    process.stdout.write(`schemas/${fw}.schema.json\n`);
  }
}
