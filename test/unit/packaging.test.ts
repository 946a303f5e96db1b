// The .vsix ships every bundle the build makes: a bundle missing from .vscodeignore's allow-list works
// from the repository but not in the installed extension (the analysis worker once did exactly that).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const root = join(__dirname, '..', '..');

test('.vscodeignore lets every bundle of scripts/build.mjs into the package', () => {
  const build = readFileSync(join(root, 'scripts', 'build.mjs'), 'utf8');
  const outfiles = [...build.matchAll(/outfile:\s*'([^']+)'/g)].map((m) => m[1]);
  assert.ok(outfiles.length >= 5, 'the build lists its bundles');
  const allowed = new Set(readFileSync(join(root, '.vscodeignore'), 'utf8').split('\n').filter((l) => l.startsWith('!')).map((l) => l.slice(1).trim()));
  assert.deepEqual(outfiles.filter((f) => !allowed.has(f)), []);
});
