// Real runs of the bundled experiments on the machine's python3, at small parameters. No timing is
// asserted: only counts, shapes and behaviour.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { EXPERIMENTS, findExperiment } from '../../bench/experiments';
import { isAbortError } from '../../bench/proc';
import { ProgressEvent, experimentArgs, parseTrialOutput, runExperiment, runTrial, TrialError, trialConfig } from '../../bench/runner';
import { runSession } from '../../bench/session';
import { countsExactly, experimentsDir, hangingInterpreter, machinePython, readPids, tempDir, waitGone, writeScript } from './bench-helpers';

/** Small parameters per experiment: each run takes well under a second. */
const SMALL: Record<string, Record<string, number>> = {
  single: { iterations: 200_000 },
  io: { threads: 10, sleep_s: 0.01 },
  race: { iterations: 20_000 },
  multiprocessing: { iterations: 100_000 },
  scaling: { iterations: 100_000 },
  lock: { iterations: 20_000 },
  shared_dict: { iterations: 20_000 },
  object_creation: { iterations: 20_000 },
  thread_local: { iterations: 20_000 },
};

const race = findExperiment('race')!;

test('race on a GIL build counts exactly: nothing lost in any trial', async (t) => {
  const python = await machinePython();
  if (!countsExactly(python.info)) return t.skip(`python3 here is ${python.info.version}, ${python.info.gil_enabled ? 'older than 3.10' : 'without the GIL'}`);
  const result = await runExperiment(python, race, { experimentsDir, trials: 3, warmup: 1, threads: 4, params: { race: { iterations: 50_000 } } });
  assert.equal(result.error, undefined);
  assert.equal(result.trials.length, 3);
  assert.equal(result.expected, 200_000);
  for (const trial of result.trials) {
    assert.equal(trial.metrics.actual, 200_000);
    assert.equal(trial.metrics.lost_fraction, 0);
    assert.equal(trial.gil_enabled, true);
  }
  assert.equal(result.lost_fraction, 0);
  assert.deepEqual(result.params, { threads: 4, iterations: 50_000 });
  assert.ok(result.median_s! >= result.min_s! && result.median_s! <= result.max_s!);
  assert.match(result.script_sha256, /^[0-9a-f]{12}$/);
});

test('every experiment runs and reports its metrics', async () => {
  const python = await machinePython();
  const run = await runSession([python], EXPERIMENTS, { experimentsDir, trials: 1, warmup: 0, threads: 2, params: SMALL });
  assert.equal(run.cancelled, false);
  assert.deepEqual(run.results.map((r) => r.experiment), EXPERIMENTS.map((e) => e.id));
  for (const r of run.results) {
    assert.equal(r.error, undefined, `${r.experiment}: ${r.error}`);
    assert.equal(r.trials.length, 1);
    assert.ok(r.median_s! > 0, r.experiment);
  }
  const by = (id: string) => run.results.find((r) => r.experiment === id)!;
  assert.deepEqual(by('scaling').scaling!.thread_counts, [1, 2]);
  assert.equal(by('scaling').scaling!.speedups[0], 1);
  assert.equal(by('scaling').scaling!.median_s.length, 2);
  assert.equal(by('lock').correct, true);
  assert.equal(by('io').params.threads, 10, '--threads does not apply to io');
  assert.equal(by('multiprocessing').params.processes, 2);
  assert.equal(typeof by('multiprocessing').start_method, 'string');
  for (const id of ['shared_dict', 'object_creation', 'thread_local']) {
    assert.ok(by(id).one_thread_s! > 0 && by(id).speedup! > 0, id);
  }
  assert.equal(run.interpreters[0].label, 'python3');
  assert.equal(run.options.trials, 1);
});

test('quick mode and --threads reach the script', async () => {
  const python = await machinePython();
  assert.deepEqual(experimentArgs(race, { quick: true, threads: 3 }), ['--quick', '--threads', '3']);
  assert.deepEqual(experimentArgs(findExperiment('io')!, { threads: 3, params: { io: { sleep_s: 0.01 } } }), ['--sleep-s', '0.01']);
  const out = await runTrial(python.config, path.join(experimentsDir, 'bench_race.py'), ['--quick', '--threads', '3'], { experiment: 'race' });
  assert.equal(out.quick, true);
  assert.deepEqual(out.params, { threads: 3, iterations: 200_000 });
});

test('progress: one start and one done event per run, counted over the session', async () => {
  const python = await machinePython();
  const events: ProgressEvent[] = [];
  await runSession([python], [race], {
    experimentsDir,
    trials: 2,
    warmup: 1,
    params: { race: { iterations: 1000 } },
    onProgress: (e) => events.push(e),
  });
  assert.deepEqual(
    events.map((e) => `${e.state} ${e.phase} ${e.index}/${e.count} ${e.done}/${e.total}`),
    ['start warmup 1/1 0/3', 'done warmup 1/1 1/3', 'start trial 1/2 1/3', 'done trial 1/2 2/3', 'start trial 2/2 2/3', 'done trial 2/2 3/3'],
  );
  assert.ok(events.filter((e) => e.state === 'done').every((e) => typeof e.elapsed_s === 'number'));
});

test('a hanging interpreter times out, is killed, and the session goes on', { skip: process.platform === 'win32' && 'POSIX only' }, async () => {
  const python = await machinePython();
  const dir = tempDir();
  const pidFile = path.join(dir, 'pids');
  const hang = hangingInterpreter(dir, pidFile);
  const fake = { config: { path: hang, label: 'stuck' }, info: { ...python.info, label: 'stuck', executable: hang } };
  const run = await runSession([fake, python], [race], { experimentsDir, trials: 2, warmup: 0, timeoutMs: 1500, params: { race: { iterations: 1000 } } });
  const [stuck, ok] = run.results;
  assert.equal(stuck.interpreter, 'stuck');
  assert.equal(stuck.error, 'stuck: race: timed out after 1.5 s; the process tree was killed');
  assert.equal(stuck.trials.length, 0, 'a timeout ends the pair: no second 1.5 s wait');
  assert.deepEqual(await waitGone(await readPids(pidFile)), []);
  assert.equal(ok.error, undefined);
  assert.equal(ok.trials.length, 2);
});

test('garbage on stdout is a clear error naming interpreter and experiment', async () => {
  const dir = tempDir();
  const fake = writeScript(dir, 'garbage-python', '#!/bin/sh\necho "Hello from a very confused interpreter"\n');
  await assert.rejects(runTrial({ path: fake }, 'bench_race.py', [], { experiment: 'race' }), (e: unknown) => {
    assert.ok(e instanceof TrialError);
    assert.equal(
      e.message,
      "garbage-python: race: printed something that is not a result (expected one JSON result line on stdout, got: 'Hello from a very confused interpreter')",
    );
    return true;
  });
});

test('a failing script reports its exit code and the end of stderr', async () => {
  const python = await machinePython();
  await assert.rejects(
    runTrial(python.config, path.join(experimentsDir, 'bench_race.py'), ['--iterations', '-1'], { experiment: 'race' }),
    /python3: race: failed \(exit code 2\): .*error: --iterations must be positive/,
  );
});

test('result lines are checked, not trusted', () => {
  const good = { experiment: 'race', elapsed_s: 0.1, gil_enabled: true, params: { threads: 2 }, metrics: { lost_fraction: 0 } };
  assert.equal(parseTrialOutput(`noise\n${JSON.stringify(good)}\n\n`, 'race').elapsed_s, 0.1);
  assert.throws(() => parseTrialOutput('', 'race'), /race: printed no result \(expected one JSON result line on stdout, got: nothing\)/);
  assert.throws(() => parseTrialOutput(JSON.stringify({ ...good, experiment: 'lock' }), 'race'), /reported experiment 'lock'/);
  assert.throws(() => parseTrialOutput(JSON.stringify({ ...good, elapsed_s: -1 }), 'race'), /reported no elapsed_s/);
  assert.throws(() => parseTrialOutput(JSON.stringify({ ...good, gil_enabled: 'yes' }), 'race'), /reported no gil_enabled/);
  assert.throws(() => parseTrialOutput('[1, 2]', 'race'), /not a result/);
});

test('cancelling stops the session and keeps what finished', async () => {
  const python = await machinePython();
  const controller = new AbortController();
  const run = await runSession([python], [race, findExperiment('single')!], {
    experimentsDir,
    trials: 1,
    warmup: 0,
    signal: controller.signal,
    params: { race: { iterations: 1000 }, single: { iterations: 500_000_000 } },
    onProgress: (e) => {
      if (e.experiment === 'single' && e.state === 'start') setTimeout(() => controller.abort(), 100);
    },
  });
  assert.equal(run.cancelled, true);
  assert.deepEqual(run.results.map((r) => r.experiment), ['race']);
});

test('trials run the executable the probe found, not the name given', async () => {
  const python = await machinePython();
  assert.deepEqual(trialConfig(python), { path: python.info.executable, label: 'python3' });
  const gone = { ...python, info: { ...python.info, executable: '/nonexistent/python3' } };
  assert.equal(trialConfig(gone).path, 'python3');
  const withEnv = { config: { path: 'python3', label: 'ft', env: { PYTHON_GIL: '0' } }, info: { ...python.info, label: 'ft' } };
  assert.deepEqual(trialConfig(withEnv).env, { PYTHON_GIL: '0' });
});

test('a missing script is an error result, not a crash', async () => {
  const python = await machinePython();
  const result = await runExperiment(python, { id: 'nope', title: 'nope', measures: '', article: false }, { experimentsDir, trials: 1 });
  assert.match(result.error!, /experiment script not found: .*bench_nope\.py/);
});

test('isAbortError', () => {
  const e = new Error('x');
  e.name = 'AbortError';
  assert.equal(isAbortError(e), true);
  assert.equal(isAbortError(new Error('x')), false);
  assert.ok(fs.existsSync(experimentsDir));
});
