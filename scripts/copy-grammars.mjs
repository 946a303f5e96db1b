// Build step: copies the tree-sitter runtime wasm and the Python grammar into grammars/.
// They are build outputs (ignored by git), taken from the pinned npm packages.
import { copyFileSync, mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const out = join(root, 'grammars');
mkdirSync(out, { recursive: true });
const files = [
  require.resolve('web-tree-sitter/web-tree-sitter.wasm'),
  join(dirname(require.resolve('tree-sitter-python/package.json')), 'tree-sitter-python.wasm'),
];
for (const file of files) copyFileSync(file, join(out, file.split(/[\\/]/).pop()));
console.log(`grammars: copied ${files.length} wasm files`);
