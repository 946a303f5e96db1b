// `ftaudit check` with pyproject.toml: nearest config per file, flags over the file, --config,
// --isolated, exit 2 on an invalid config with the results still printed, and worker threads giving
// the same output as the serial run.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, cpSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runJobs, workerCount, MIN_FILES_FOR_WORKERS } from '../../server/src/cli/pool';
import { scratchDir } from '../helpers/scratch';

const repo = join(__dirname, '..', '..');
const bin = join(repo, 'bin', 'ftaudit.js');
const race = readFileSync(join(repo, 'examples', 'race_counter.py'), 'utf8');

function ftaudit(cwd: string, args: string[], env: Record<string, string> = {}) {
  return spawnSync(process.execPath, [bin, 'check', ...args], { encoding: 'utf8', cwd, env: { ...process.env, ...env } });
}

const rows = (stdout: string) => (JSON.parse(stdout) as Array<{ filename: string; code: string; location: { row: number } }>).map((r) => `${r.filename}:${r.code}`);

/** A project: pyproject.toml at the root, race.py in src/ and tests/, a sub-project in sub/. */
function project(pyproject: string): string {
  const dir = scratchDir('ftaudit-cfgcli-');
  for (const sub of ['src', 'tests', 'sub/pkg']) mkdirSync(join(dir, sub), { recursive: true });
  writeFileSync(join(dir, 'pyproject.toml'), pyproject);
  for (const sub of ['src', 'tests', 'sub/pkg']) writeFileSync(join(dir, sub, 'race.py'), race);
  return dir;
}

test('each file uses its nearest pyproject.toml; per-file-ignores apply', () => {
  const dir = project('[tool.ftaudit]\n[tool.ftaudit.per-file-ignores]\n"tests/**" = ["FT101"]\n');
  writeFileSync(join(dir, 'sub', 'pyproject.toml'), '[tool.ftaudit]\nignore = ["FT101"]\n');
  const r = ftaudit(dir, ['--format', 'json', '.']);
  assert.equal(r.status, 1, r.stderr);
  assert.deepEqual(rows(r.stdout), [`${join(dir, 'src', 'race.py')}:FT101`]);
  // Running from elsewhere finds the same configs (lookup is relative to each file, not the cwd).
  assert.deepEqual(rows(ftaudit(tmpdir(), ['--format', 'json', dir]).stdout), [`${join(dir, 'src', 'race.py')}:FT101`]);
});

test('flags override the file: --select replaces its selection, --ignore adds to it', () => {
  const dir = project('[tool.ftaudit]\nignore = ["FT101"]\n');
  assert.equal(ftaudit(dir, ['src']).status, 0);
  assert.equal(ftaudit(dir, ['--select', 'FT101', 'src']).status, 1);
  const only = project('[tool.ftaudit]\nselect = ["FT101"]\n');
  assert.equal(ftaudit(only, ['--ignore', 'FT1', 'src']).status, 0);
});

test('--isolated ignores pyproject.toml; --config forces one file for every file', () => {
  const dir = project('[tool.ftaudit]\nignore = ["FT101"]\n');
  assert.equal(ftaudit(dir, ['src']).status, 0);
  assert.equal(ftaudit(dir, ['--isolated', 'src']).status, 1);

  const other = scratchDir('ftaudit-cfgcli-');
  writeFileSync(join(other, 'strict.toml'), '[tool.ftaudit]\nselect = ["ALL"]\n[tool.ftaudit.per-file-ignores]\n"race.py" = ["FT101"]\n');
  writeFileSync(join(other, 'loose.toml'), '[tool.ftaudit]\nselect = ["ALL"]\n');
  assert.equal(ftaudit(dir, ['--config', join(other, 'strict.toml'), 'src']).status, 0);
  const loose = ftaudit(dir, ['--config', join(other, 'loose.toml'), '--format', 'json', '.']);
  assert.equal(loose.status, 1);
  assert.equal(rows(loose.stdout).filter((r) => r.endsWith(':FT101')).length, 3);

  const both = ftaudit(dir, ['--config', join(other, 'loose.toml'), '--isolated', 'src']);
  assert.equal(both.status, 2);
  assert.match(both.stderr, /--config cannot be used with --isolated/);
});

test('an invalid config: one message naming file:line:col, defaults kept, results printed, exit 2', () => {
  const dir = project('[project]\nname = "demo"\n\n[tool.ftaudit]\nselect = [\n  "FT1",\n  "XY1",\n]\nassume-concurent = true\n');
  const r = ftaudit(dir, ['--format', 'json', 'src']);
  assert.equal(r.status, 2, r.stderr);
  const lines = r.stderr.trim().split('\n');
  assert.deepEqual(lines, [
    'ftaudit: error: pyproject.toml:7:3: [tool.ftaudit] select: unknown rule code XY1 (see `ftaudit rules`)',
    `ftaudit: error: pyproject.toml:9:1: [tool.ftaudit] unknown key 'assume-concurent' (did you mean 'assume-concurrent'?); known keys: select, ignore, per-file-ignores, assume-concurrent, target-version, lock-types, thread-entry-points, extra-packages, extend-exclude, min-confidence`,
  ]);
  assert.deepEqual(rows(r.stdout), [`${join(dir, 'src', 'race.py')}:FT101`], 'the check still runs and prints');

  const broken = project('[tool.ftaudit]\nselect = ["FT1"\nignore = ["FT101"]\n');
  const b = ftaudit(broken, ['src']);
  assert.equal(b.status, 2);
  assert.match(b.stderr, /^ftaudit: error: pyproject\.toml:3:1: invalid TOML: /m);
  assert.match(b.stdout, /race\.py:10:9: FT101/, 'a broken file keeps every default');

  const missing = ftaudit(broken, ['--config', 'nope.toml', 'src']);
  assert.equal(missing.status, 2);
  assert.match(missing.stderr, /nope\.toml: cannot read the config file: no such file/);
  assert.match(missing.stdout, /FT101/);
});

test('extend-exclude skips walked files, not files named on the command line', () => {
  const dir = project('[tool.ftaudit]\nextend-exclude = ["tests", "sub/**"]\n');
  assert.deepEqual(rows(ftaudit(dir, ['--format', 'json', '.']).stdout), [`${join(dir, 'src', 'race.py')}:FT101`]);
  assert.deepEqual(rows(ftaudit(dir, ['--format', 'json', join('tests', 'race.py')]).stdout), [`${join(dir, 'tests', 'race.py')}:FT101`]);
});

test('new flags: --target-version, --jobs and dotted names are validated', () => {
  const dir = project('');
  assert.equal(ftaudit(dir, ['--target-version', 'py314', 'src']).status, 1);
  assert.match(ftaudit(dir, ['--target-version', '2.7', 'src']).stderr, /--target-version expects a Python version/);
  assert.match(ftaudit(dir, ['--jobs', '0', 'src']).stderr, /--jobs expects a whole number/);
  assert.match(ftaudit(dir, ['--lock-types', 'my lock', 'src']).stderr, /'my lock' is not a dotted Python name/);
  assert.equal(ftaudit(dir, ['--lock-types', 'pkg.SpinLock', '--thread-entry-points', 'pkg.spawn', 'src']).status, 1);
});

test('worker threads and the serial run give identical output on 30 files', () => {
  const dir = scratchDir('ftaudit-cfgcli-');
  const fixtures = join(repo, 'test', 'fixtures', 'rules');
  const sources = [join(repo, 'examples', 'race_counter.py'), join(repo, 'examples', 'safe_counter.py'), join(repo, 'examples', 'webapp', 'metrics.py')];
  for (const rule of ['FT101']) for (const f of ['positives.py', 'negatives.py', 'library_shaped.py']) sources.push(join(fixtures, rule, f));
  for (let i = 0; i < 30; i++) {
    const sub = join(dir, `pkg${i % 4}`);
    mkdirSync(sub, { recursive: true });
    const name = join(sub, `mod_${String(i).padStart(2, '0')}.py`);
    if (i === 7) writeFileSync(name, 'import threading\nc = [0]\ndef w(:\n    pass\ndef v():\n    c[0] += 1\nthreading.Thread(target=v)\n');
    else if (i === 11) writeFileSync(name, Buffer.from([0x7f, 0x45, 0x4c, 0x46, 0, 1]));
    else copyFileSync(sources[i % sources.length], name);
  }
  // A small project whose workers are started in another module (cross-file reachability, two rounds).
  cpSync(join(repo, 'test', 'fixtures', 'projects', 'app'), join(dir, 'app'), { recursive: true });
  writeFileSync(join(dir, 'pyproject.toml'), '[tool.ftaudit]\nselect = ["ALL"]\n[tool.ftaudit.per-file-ignores]\n"pkg1/**" = ["FT101"]\n');
  const args = ['--format', 'json', '.'];
  const serial = ftaudit(dir, [...args, '--jobs', '1']);
  const parallel = ftaudit(dir, [...args, '--jobs', '3']);
  const viaEnv = ftaudit(dir, args, { FTAUDIT_WORKERS: '2' });
  assert.equal(serial.status, 2, serial.stderr); // the binary file
  assert.ok(JSON.parse(serial.stdout).length > 10, 'enough findings to compare');
  for (const other of [parallel, viaEnv]) {
    assert.equal(other.status, serial.status);
    assert.equal(other.stdout, serial.stdout);
    assert.equal(other.stderr, serial.stderr);
  }
  assert.match(serial.stdout, /`process` runs on threads \(pool\.map\(process, …\) in main, line 8\)/, 'cross-file finding');
  assert.match(serial.stderr, /mod_07\.py:3: syntax error/);
  assert.match(serial.stderr, /mod_11\.py: binary file/);
  const sarif = (extra: string[]) => ftaudit(dir, ['--format', 'sarif', '.', ...extra]).stdout;
  assert.equal(sarif(['--jobs', '1']), sarif(['--jobs', '2']));
});

test('worker count: in-process for few files or --jobs 1, else min(files, jobs)', () => {
  assert.equal(workerCount(MIN_FILES_FOR_WORKERS - 1, 8), 0);
  assert.equal(workerCount(100, 1), 0);
  assert.equal(workerCount(10, 4), 4);
  assert.equal(workerCount(9, 16), 9);
});

test('runJobs from source (worker.ts through tsx) matches the in-process run, in job order', async () => {
  const fixtures = join(repo, 'test', 'fixtures', 'rules', 'FT101');
  const files = ['positives.py', 'negatives.py', 'library_shaped.py', 'no_concurrency.py'].map((f) => join(fixtures, f));
  const jobs = [...files, ...files, ...files].map((file, i) => ({ file, settings: { select: ['ALL'], assumeConcurrent: i % 2 === 0 } }));
  const seen: number[] = [];
  const failures: string[] = [];
  const threaded = await runJobs(jobs, { workers: 2, onOutcome: (i) => seen.push(i), onWorkerError: (m) => failures.push(m) });
  assert.deepEqual(failures, [], 'the workers ran (no fallback to in-process)');
  assert.deepEqual(seen, jobs.map((_, i) => i));
  assert.deepEqual(threaded, await runJobs(jobs, { workers: 0 }));
  assert.ok(threaded.some((o) => o.reported.length > 0));
});

test('a file that outgrows the workers\' heap cap is checked again on a worker without it, in its place', async () => {
  const dir = scratchDir('ftaudit-heapcap-');
  // One big module (~300 kB: 1,500 of classes sharing state with threads) among small ones.
  const cls = (i: number) => `class Worker${i}:\n    def __init__(self):\n        self.n = 0\n        self.items = {}\n\n    def run(self, key):\n        self.n += 1\n        if key not in self.items:\n            self.items[key] = [self.n]\n\n`;
  const big = `import threading\n\n${Array.from({ length: 1500 }, (_, i) => cls(i)).join('')}worker = Worker0()\nthreading.Thread(target=worker.run, args=(1,)).start()\n`;
  writeFileSync(join(dir, 'big.py'), big);
  const small = ['positives.py', 'negatives.py'].map((f) => join(repo, 'test', 'fixtures', 'rules', 'FT101', f));
  const jobs = [join(dir, 'big.py'), ...small, ...small].map((file) => ({ file, settings: { select: ['ALL'] } }));
  const capped: string[] = [];
  const failures: string[] = [];
  try {
    const threaded = await runJobs(jobs, { workers: 2, heapCapMb: 24, onHeapCapReached: (f) => capped.push(f), onWorkerError: (m) => failures.push(m) });
    assert.deepEqual(capped, [join(dir, 'big.py')], 'the big file reached the cap');
    assert.deepEqual(failures, [], 'no file fell back to the main thread');
    assert.deepEqual(threaded, await runJobs(jobs, { workers: 0 }));
    assert.ok(threaded[0].reported.length > 0);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
