// Prints what package.json `contributes.configuration.properties` must be, generated from the key
// table in server/src/config/schema.ts (test/unit/config-schema.test.ts fails when they differ).
//   node scripts/sync-settings.mjs           the JSON for contributes.configuration.properties
//   node scripts/sync-settings.mjs --readme  the README's configuration table (markdown)
//   node scripts/sync-settings.mjs --check   exit 1 (with a diff summary) when package.json differs
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { isDeepStrictEqual } from 'node:util';
import { tsImport } from 'tsx/esm/api';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const schema = await tsImport('../server/src/config/schema.ts', import.meta.url);
const expected = schema.settingsContribution();

if (process.argv.includes('--readme')) {
  process.stdout.write(`${schema.readmeTable()}\n`);
} else if (process.argv.includes('--check')) {
  const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
  const actual = pkg.contributes?.configuration?.properties ?? {};
  const names = [...new Set([...Object.keys(expected), ...Object.keys(actual)])];
  const wrong = names.filter((n) => !isDeepStrictEqual(expected[n], actual[n]));
  for (const n of wrong) {
    const why = !(n in actual) ? 'missing from package.json' : !(n in expected) ? 'not in the key table' : 'differs';
    process.stderr.write(`${n}: ${why}\n`);
  }
  process.exit(wrong.length > 0 ? 1 : 0);
} else {
  process.stdout.write(`${JSON.stringify(expected, null, 2)}\n`);
}
