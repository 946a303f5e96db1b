// The example workspace (examples/, what `npm start` and the Get Started walkthrough show) keeps showing
// the hazard each file is about — and nothing else. A rule change that loses one of them, or adds a
// finding to the correctly locked files, fails here. Needs the built CLI (`npm run build`).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

const repo = join(__dirname, '..', '..');
const examples = join(repo, 'examples');

/** file (relative to examples/) → "CODE:line" of every finding, in order. */
const EXPECTED: Record<string, string[]> = {
  'race_counter.py': ['FT101:10'], // unguarded += on a shared counter
  'hot_lock.py': ['FT108:12'], // a lock taken on every iteration of a tight loop
  'shared_cache.py': ['FT103:14'], // a global dict filled from a thread pool: check-then-act
  'parser_scratch.py': ['FT109:11'], // per-call scratch on a module-level parser
  'webapp/metrics.py': ['FT101:18', 'FT101:19', 'FT101:30'], // a lock used in one place only
  'safe_counter.py': [], // per-thread accumulation, one locked merge
  'safe_registry.py': [], // a correctly locked module
};

function pythonFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = join(dir, name);
    if (statSync(full).isDirectory()) return name === '__pycache__' ? [] : pythonFiles(full);
    return name.endsWith('.py') ? [full] : [];
  });
}

interface Row {
  code: string;
  filename: string;
  location: { row: number; column: number };
}

test('each example yields exactly the findings it is there to show (and the safe ones none)', () => {
  const r = spawnSync(process.execPath, [join(repo, 'bin', 'ftaudit.js'), 'check', '--format', 'json', 'examples/'], { cwd: repo, encoding: 'utf8' });
  assert.equal(r.status, 1, r.stderr);
  const rows = JSON.parse(r.stdout) as Row[];
  const actual: Record<string, string[]> = {};
  for (const file of pythonFiles(examples)) actual[relative(examples, file).split('\\').join('/')] = [];
  for (const row of rows) actual[relative(examples, row.filename).split('\\').join('/')].push(`${row.code}:${row.location.row}`);
  assert.deepEqual(actual, EXPECTED, 'a new example file needs its expected findings here');
});

test('npm start: the findings, then one line on fixing them and on reproducing one that is reported', () => {
  const r = spawnSync(process.execPath, [join(repo, 'scripts', 'start-examples.mjs')], { cwd: repo, encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  const lines = r.stdout.trimEnd().split('\n');
  const hint = lines[lines.length - 1];
  assert.match(hint, /ftaudit check --fix \[--unsafe-fixes\] examples\//);
  const reproduce = /ftaudit reproduce (\S+):(\d+) --python PATH/.exec(hint);
  assert.ok(reproduce, hint);
  assert.ok(lines.some((l) => l.startsWith(`${reproduce[1]}:${reproduce[2]}:`) && /FT10[1-4]/.test(l)), `${reproduce[1]}:${reproduce[2]} is a reported race`);
  assert.match(r.stdout, /Found 7 findings\./);
});
