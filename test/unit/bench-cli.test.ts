import assert from 'node:assert/strict';
import * as path from 'node:path';
import { test } from 'node:test';
import { runBenchCommand } from '../../server/src/cli/bench';
import { BenchRun, loadRun } from '../../bench/results';
import { countsExactly, tempDir, writeScript } from './bench-helpers';

async function bench(...argv: string[]) {
  let stdout = '';
  let stderr = '';
  const code = await runBenchCommand(argv, { stdout: (s) => (stdout += s), stderr: (s) => (stderr += s) });
  return { code, stdout, stderr };
}

test('usage errors exit 2 with a clear message and the usage', async () => {
  const cases: [string[], RegExp][] = [
    [['--bogus'], /Unknown option '--bogus'/],
    [['--trials', '0'], /--trials must be a whole number ≥ 1 \(got '0'\)/],
    [['--trials', 'three'], /--trials must be a whole number ≥ 1 \(got 'three'\)/],
    [['--threads', '1.5'], /--threads must be a whole number ≥ 1/],
    [['--experiment', 'race,nope'], /unknown experiment 'nope' \(known: single, io, race, multiprocessing, scaling, lock, shared_dict, object_creation, thread_local\)/],
    [['--format', 'html'], /--format must be one of text, json, markdown \(got 'html'\)/],
    [['--timeout', '0'], /--timeout must be a number of seconds > 0 \(got '0'\)/],
    [['--timeout=-3'], /--timeout must be a number of seconds > 0 \(got '-3'\)/],
    [['--python', ''], /--python needs a path/],
    [['extra'], /Unexpected argument 'extra'/],
  ];
  for (const [argv, message] of cases) {
    const { code, stdout, stderr } = await bench(...argv);
    assert.equal(code, 2, argv.join(' '));
    assert.equal(stdout, '');
    assert.match(stderr, /^ftaudit bench: /);
    assert.match(stderr, message);
    assert.match(stderr, /Usage: ftaudit bench/);
  }
});

test('--help prints the usage and exits 0', async () => {
  const { code, stdout } = await bench('--help');
  assert.equal(code, 0);
  assert.match(stdout, /--python PATH/);
  assert.match(stdout, /--timeout SECONDS/);
});

test('--list shows the experiments and probes the given interpreters', async () => {
  const { code, stdout } = await bench('--list', '--python', 'python3', '--python', 'python3.99t-missing');
  assert.equal(code, 0);
  assert.match(stdout, /race\s+N threads × 200,000 unguarded counter\[0\] \+= 1 — /);
  assert.match(stdout, /python3: CPython 3\.\d+\.\d+, (GIL|free-threaded)/);
  assert.match(stdout, /interpreter 'python3\.99t-missing': not found/);
});

test('a missing interpreter is named, the others run, the table is printed, exit 1', async () => {
  const dir = tempDir();
  const out = path.join(dir, 'results', 'run.json');
  const { code, stdout, stderr } = await bench(
    '--python', 'python3.99t-missing', '--python', 'python3',
    '--experiment', 'race', '--trials', '2', '--warmup', '0', '--threads', '2', '--output', out,
  );
  assert.equal(code, 1);
  assert.match(stderr, /ftaudit bench: interpreter 'python3\.99t-missing': not found; going on without it/);
  assert.match(stderr, /\[2\/2\] race · python3 · trial 2\/2: /);
  assert.match(stderr, /results saved to .*run\.json \(json\)/);
  assert.match(stdout, /race — N threads × 200,000 unguarded counter\[0\] \+= 1/);
  assert.match(stdout, /not run:\n  interpreter 'python3\.99t-missing': not found/);
  const run = loadRun(out);
  assert.equal(run.results.length, 1);
  assert.equal(run.results[0].interpreter, 'python3');
  assert.equal(run.failures[0].interpreter, 'python3.99t-missing');
  if (countsExactly(run.interpreters[0])) {
    assert.match(stdout, /→ race: python3 0% lost/);
    assert.equal(run.results[0].lost_fraction, 0);
  }
});

test('--format json prints the run; --quick and --threads are recorded; exit 0', async () => {
  const { code, stdout } = await bench('-p', 'python3', '-e', 'lock', '--quick', '--threads', '2', '--trials', '1', '--warmup', '0', '--format', 'json');
  assert.equal(code, 0);
  const run = JSON.parse(stdout) as BenchRun;
  assert.equal(run.schema, 'ftaudit-bench/1');
  assert.deepEqual(run.options, { trials: 1, warmup: 0, quick: true, threads: 2, timeout_s: 120 });
  const [lock] = run.results;
  assert.equal(lock.experiment, 'lock');
  assert.equal(lock.correct, true);
  assert.equal(lock.quick, true);
  assert.deepEqual(lock.params, { threads: 2, iterations: 100_000 });
  assert.ok(run.machine.available_parallelism >= 1);
});

test('--format markdown, and a garbage interpreter is reported by name', async () => {
  const dir = tempDir();
  const fake = writeScript(dir, 'python-garbage', '#!/bin/sh\necho "@@@ not python @@@"\n');
  const { code, stdout, stderr } = await bench('-p', fake, '-p', 'python3', '-e', 'io', '--trials', '1', '--warmup', '0', '--format', 'markdown');
  assert.equal(code, 1);
  assert.match(stderr, /interpreter 'python-garbage' \(.*\) is not a working Python: .*printed: @@@ not python @@@; going on without it/);
  assert.match(stdout, /^# ftaudit benchmark results/);
  assert.match(stdout, /## io — 50 threads × time\.sleep\(0\.1\)/);
  assert.match(stdout, /\| time \(median\) \| \d/);
});

test('no usable interpreter at all: exit 1 and no results', async () => {
  const { code, stdout } = await bench('-p', 'python3.99t-missing', '-e', 'race');
  assert.equal(code, 1);
  assert.match(stdout, /no results/);
});
