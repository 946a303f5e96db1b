// Build step: copies the tree-sitter runtime wasm and the Python grammar into grammars/, and Chart.js
// (for the benchmark webview) into client/media/. They are build outputs (ignored by git), taken from
// the pinned npm packages.
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
mkdirSync(join(root, 'client', 'media'), { recursive: true });
copyFileSync(join(dirname(require.resolve('chart.js')), 'chart.umd.min.js'), join(root, 'client', 'media', 'chart.umd.js'));
console.log(`assets: copied ${files.length} wasm files and Chart.js`);
