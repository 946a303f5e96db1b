// `npm start`: checks the example workspace (examples/) with the built CLI, then says how to go on —
// apply the fixes, reproduce a race on a free-threaded interpreter. Exit 0 when the check ran (findings
// are the point of the examples); the CLI's status otherwise.
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
/** The finding the reproduce hint names (test/unit/examples.test.ts checks it is reported there). */
export const REPRODUCE_EXAMPLE = 'examples/race_counter.py:10';
export const HINT =
  `Fix: ftaudit check --fix [--unsafe-fixes] examples/ · ` +
  `Reproduce: ftaudit reproduce ${REPRODUCE_EXAMPLE} --python PATH (a free-threaded interpreter, e.g. python3.14t)`;

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const r = spawnSync(process.execPath, [join(root, 'bin', 'ftaudit.js'), 'check', 'examples/'], { cwd: root, stdio: 'inherit' });
  const status = r.status ?? 2;
  if (status === 0 || status === 1) {
    process.stdout.write(`\n${HINT}\n`);
    process.exit(0);
  }
  process.exit(status);
}
