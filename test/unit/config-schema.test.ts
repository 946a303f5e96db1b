// One table of keys (server/src/config/schema.ts) drives package.json's settings and the README:
// these fail when a setting is missing or different there (regenerate with scripts/sync-settings.mjs).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { CONFIG_KEYS, camelCase, settingsContribution, readmeTable, TOML_KEYS } from '../../server/src/config';

const repo = join(__dirname, '..', '..');
const pkg = JSON.parse(readFileSync(join(repo, 'package.json'), 'utf8'));
const readme = readFileSync(join(repo, 'README.md'), 'utf8');

test('the key table is consistent: camelCase settings for kebab-case keys, unique names', () => {
  for (const k of CONFIG_KEYS) {
    if (k.toml && k.setting) assert.equal(k.setting, camelCase(k.toml), `${k.toml} ↔ ftaudit.${k.setting}`);
    assert.ok(k.description.endsWith('.'), `${k.toml ?? k.setting}: description is a sentence`);
  }
  const names = CONFIG_KEYS.map((k) => k.toml ?? `setting:${k.setting}`);
  assert.equal(new Set(names).size, names.length);
});

test('package.json contributes.configuration.properties matches the key table', () => {
  const actual = pkg.contributes?.configuration?.properties ?? {};
  const expected = settingsContribution();
  for (const name of Object.keys(expected)) {
    assert.ok(name in actual, `package.json lacks the setting ${name} (print the JSON with: node scripts/sync-settings.mjs)`);
    assert.deepEqual(actual[name], expected[name], `package.json's ${name} differs from the key table (node scripts/sync-settings.mjs)`);
  }
  for (const name of Object.keys(actual)) assert.ok(name in expected, `package.json has ${name}, which is not in the key table`);
});

test('scripts/sync-settings.mjs prints the same JSON', () => {
  const r = spawnSync(process.execPath, [join(repo, 'scripts', 'sync-settings.mjs')], { encoding: 'utf8', cwd: repo });
  assert.equal(r.status, 0, r.stderr);
  assert.deepEqual(JSON.parse(r.stdout), settingsContribution());
});

test('the README documents every key with its setting and default', () => {
  for (const row of readmeTable().split('\n').slice(2)) {
    assert.ok(readme.includes(row), `README.md lacks the configuration row:\n${row}\n(print the table with: node scripts/sync-settings.mjs --readme)`);
  }
  for (const k of TOML_KEYS) assert.match(readme, new RegExp(`\`${k.toml}\``), `README.md does not mention ${k.toml}`);
});
