// Finds the bundled experiments/ folder by walking up from this module: it is ../../experiments from
// server/out/cli.js and client/out/extension.js (bundled), and ../experiments from bench/
// (tsx, tests). FTAUDIT_EXPERIMENTS_DIR overrides it.
import * as fs from 'node:fs';
import * as path from 'node:path';

const SENTINEL = '_ftbench.py';

export function locateExperimentsDir(start: string = __dirname, env: NodeJS.ProcessEnv = process.env): string {
  const override = env.FTAUDIT_EXPERIMENTS_DIR;
  if (override) {
    if (fs.existsSync(path.join(override, SENTINEL))) return path.resolve(override);
    throw new Error(`ftaudit: FTAUDIT_EXPERIMENTS_DIR=${override} has no ${SENTINEL}`);
  }
  let dir = path.resolve(start);
  for (;;) {
    const candidate = path.join(dir, 'experiments');
    if (fs.existsSync(path.join(candidate, SENTINEL))) return candidate;
    const parent = path.dirname(dir);
    if (parent === dir) break;
    dir = parent;
  }
  throw new Error(`ftaudit: experiments/${SENTINEL} not found in any folder above ${start}`);
}
