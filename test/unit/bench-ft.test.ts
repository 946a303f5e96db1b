// Needs a free-threaded interpreter: set FTAUDIT_TEST_FT_PYTHON=/path/to/python3.14t. Without one the
// test is reported as skipped, never passed.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { findExperiment } from '../../bench/experiments';
import { probeInterpreter } from '../../bench/probe';
import { runExperiment } from '../../bench/runner';
import { experimentsDir } from './bench-helpers';

const ftPython = process.env.FTAUDIT_TEST_FT_PYTHON;

test('a free-threaded interpreter: GIL disabled in the probe, updates lost in race', async (t) => {
  if (!ftPython) {
    t.skip('FTAUDIT_TEST_FT_PYTHON is not set: no free-threaded Python to test (set it to e.g. python3.14t)');
    return;
  }
  const ft = await probeInterpreter({ path: ftPython });
  assert.equal(ft.info.free_threaded_build, true, `${ftPython} is not a free-threaded build`);
  assert.equal(ft.info.gil_enabled, false, `${ftPython} runs with the GIL (PYTHON_GIL=1?)`);
  // 8 threads even on a 2-core machine: with only as many threads as cores, a loaded machine often
  // runs them one after the other and a trial loses nothing (seen: 15 of 20 runs with 2 threads).
  const result = await runExperiment(ft, findExperiment('race')!, { experimentsDir, trials: 3, warmup: 0, threads: 8 });
  assert.equal(result.error, undefined);
  assert.equal(result.gil_enabled, false);
  assert.ok(result.lost_fraction! > 0, `expected lost updates without the GIL, got ${result.lost_fraction}`);
});
