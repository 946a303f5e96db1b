// Bundles the client, the server and the CLI with esbuild (CommonJS, Node 20).
// web-tree-sitter must be aliased to its CommonJS build: esbuild would otherwise pick the ESM file,
// whose `import.meta.url` breaks Parser.init inside a CJS bundle.
import * as esbuild from 'esbuild';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const watch = process.argv.includes('--watch');
const production = process.argv.includes('--production');

const common = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  sourcemap: !production,
  minify: production,
  logLevel: 'warning',
  absWorkingDir: root,
  alias: { 'web-tree-sitter': require.resolve('web-tree-sitter') },
};

const builds = [
  { entryPoints: ['client/src/extension.ts'], outfile: 'client/out/extension.js', external: ['vscode'] },
  { entryPoints: ['server/src/server.ts'], outfile: 'server/out/server.js' },
  { entryPoints: ['server/src/analysisWorker.ts'], outfile: 'server/out/analysisWorker.js' },
  { entryPoints: ['server/src/cli/main.ts'], outfile: 'server/out/cli.js' },
  { entryPoints: ['server/src/cli/worker.ts'], outfile: 'server/out/worker.js' },
];

if (watch) {
  for (const b of builds) (await esbuild.context({ ...common, ...b })).watch();
} else {
  await Promise.all(builds.map((b) => esbuild.build({ ...common, ...b })));
}
