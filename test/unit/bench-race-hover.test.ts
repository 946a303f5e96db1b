import { test } from 'node:test';
import assert from 'node:assert/strict';
import { raceFigureMarkdown } from '../../client/src/bench/raceFigures';
import type { BenchRun } from '../../bench/results';

const result = (interpreter: string, lost: number, gil: boolean) => ({
  experiment: 'race', interpreter, params: { threads: 8, iterations: 200000 }, quick: false, warmup: 1, trials: [],
  median_s: 1, min_s: 1, max_s: 1, spread: 0, gil_enabled: gil, script_sha256: 'x', warnings: [], lost_fraction: lost,
});

test('race hover quotes the measured figures per interpreter', () => {
  const run = { created: '2026-11-22T03:00:00Z', results: [result('python3.14t', 0.553, false), result('python3', 0, true)] } as unknown as BenchRun;
  const md = raceFigureMarkdown(run)!;
  assert.match(md, /on \*\*python3\.14t\*\* here \(free-threaded, GIL off\): this pattern lost \*\*55%\*\* of updates \(8 threads × 200000/);
  assert.match(md, /on \*\*python3\*\* here \(GIL on\): this pattern lost \*\*0%\*\*/);
});

test('no race result, no hover', () => {
  assert.equal(raceFigureMarkdown(undefined), undefined);
  assert.equal(raceFigureMarkdown({ created: 'x', results: [] } as unknown as BenchRun), undefined);
});
