// `postinstall`: builds the bundles when the package is installed from its sources (a git clone, as
// pre-commit's node hooks and `npm install <git url>` do), so `bin/ftaudit.js` finds server/out/cli.js.
// It is not a `prepare` script on purpose: `npm pack` runs `prepare` and prints its banner on stdout,
// where pre-commit reads the tarball's name. In a packed install (no esbuild: a devDependency) the
// bundles are already in the package and nothing is built. Never writes to stdout.
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(join(root, 'package.json'));
const built = ['server/out/cli.js', 'server/out/worker.js', 'grammars/tree-sitter-python.wasm'].every((f) => existsSync(join(root, f)));

let canBuild = true;
try {
  require.resolve('esbuild');
} catch {
  canBuild = false;
}

if (!canBuild) {
  if (built) process.exit(0);
  process.stderr.write(
    'ftaudit: the CLI is not built and esbuild (a devDependency) is not installed: run `npm install` then `npm run build`. ' +
      'A global install from git cannot build it (npm/cli#8440); install it locally (docs/ci.md).\n',
  );
  process.exit(1);
}
for (const script of ['scripts/copy-assets.mjs', 'scripts/build.mjs']) {
  const r = spawnSync(process.execPath, [join(root, script)], { cwd: root, stdio: ['ignore', 2, 2] });
  if (r.status !== 0) process.exit(r.status ?? 1);
}
