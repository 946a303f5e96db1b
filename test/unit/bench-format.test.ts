import assert from 'node:assert/strict';
import { test } from 'node:test';
import { formatPercent, formatRange, formatRatio, formatRun, formatSeconds } from '../../bench/format';
import type { InterpreterInfo } from '../../bench/probe';
import { BenchRun, buildResult, RESULT_SCHEMA, TrialOutput } from '../../bench/results';

function info(label: string, gil: boolean): InterpreterInfo {
  return {
    label,
    path: label,
    executable: `/opt/${label}/bin/python3`,
    version: gil ? '3.15.0a8' : '3.15.0a8',
    version_info: [3, 15, 0],
    implementation: 'CPython',
    gil_enabled: gil,
    free_threaded_build: !gil,
    cpu_count: 8,
    affinity: 8,
    platform: 'linux',
    machine: 'x86_64',
    env_keys: [],
  };
}

const GIL = info('python3.15', true);
const FT = info('python3.15t', false);

function trial(experiment: string, elapsed: number, metrics: Record<string, unknown>, gil: boolean): TrialOutput {
  return { experiment, params: { threads: 8, iterations: 200_000 }, quick: false, elapsed_s: elapsed, metrics, gil_enabled: gil, python: '3.15.0a8' };
}

/** The article's figures, as a run would record them. */
function articleRun(): BenchRun {
  const race = (actual: number[], gil: boolean) =>
    actual.map((a) => trial('race', 0.1, { expected: 1_600_000, actual: a, lost_fraction: (1_600_000 - a) / 1_600_000 }, gil));
  const scaling = (times: number[][], gil: boolean) =>
    times.map((t) => ({
      ...trial('scaling', t[3], { thread_counts: [1, 2, 4, 8], times_s: t, speedups: [] }, gil),
      params: { threads: 8, iterations: 10_000_000 },
    }));
  const lock = (t: number, gil: boolean) => [trial('lock', t, { expected: 1_600_000, actual: 1_600_000, correct: true }, gil)];
  const results = [
    buildResult({ experiment: 'race', interpreter: GIL, outputs: race([1_600_000, 1_600_000, 1_600_000], true), warmup: 1, scriptSha: 'abc' }),
    buildResult({ experiment: 'race', interpreter: FT, outputs: race([460_316, 452_040, 456_169], false), warmup: 1, scriptSha: 'abc' }),
    buildResult({ experiment: 'scaling', interpreter: GIL, outputs: scaling([[0.1714, 0.3152, 0.6471, 1.3706]], true), warmup: 1, scriptSha: 'def' }),
    buildResult({ experiment: 'scaling', interpreter: FT, outputs: scaling([[0.1848, 0.1842, 0.21, 0.3373]], false), warmup: 1, scriptSha: 'def' }),
    buildResult({ experiment: 'lock', interpreter: GIL, outputs: lock(0.1141, true), warmup: 1, scriptSha: 'ghi' }),
    buildResult({ experiment: 'lock', interpreter: FT, outputs: lock(1.25, false), warmup: 1, scriptSha: 'ghi' }),
  ];
  return {
    schema: RESULT_SCHEMA,
    created: '2026-01-01T00:00:00.000Z',
    machine: { platform: 'linux', release: '6', arch: 'x64', cpu_model: 'test cpu', cpu_count: 8, available_parallelism: 8, total_memory_gib: 16, node: 'v20' },
    options: { trials: 3, warmup: 1, quick: false, threads: null, timeout_s: 120 },
    interpreters: [GIL, FT],
    failures: [{ interpreter: 'python3.14t', message: "interpreter 'python3.14t': not found" }],
    results,
    cancelled: false,
  };
}

test('seconds, ratios and percentages', () => {
  assert.equal(formatSeconds(1.3706), '1.37 s');
  assert.equal(formatSeconds(12.345), '12.3 s');
  assert.equal(formatSeconds(0.3373), '337 ms');
  assert.equal(formatSeconds(0.01578), '15.8 ms');
  assert.equal(formatSeconds(0.0000123), '12.3 µs');
  assert.equal(formatRange(0.0151, 0.0162), '15.1–16.2 ms');
  assert.equal(formatRange(0.95, 1.02), '950 ms–1.02 s');
  assert.equal(formatRatio(1.3706, 0.3373), '4.1× faster');
  assert.equal(formatRatio(1.2979, 1.3993), '1.08× slower');
  assert.equal(formatRatio(0.1141, 1.25), '11.0× slower');
  assert.equal(formatRatio(0.1112, 0.1141), 'about the same');
  assert.equal(formatPercent(0), '0%');
  assert.equal(formatPercent(0.004), '0.4%');
  assert.equal(formatPercent(0.7147), '71%');
});

test('text: one column per interpreter, the ratio, and the summary lines', () => {
  const text = formatRun(articleRun(), 'text');
  assert.match(text, /→ scaling 8 threads: GIL 1\.37 s · free-threaded 337 ms · 4\.1× faster/);
  assert.match(text, /→ race: GIL 0% lost · free-threaded 71% lost/);
  assert.match(text, /→ lock: GIL 114 ms · free-threaded 1\.25 s · 11\.0× slower/);
  assert.match(text, /python3\.15\s+python3\.15t\s+ratio/);
  assert.match(text, /8 threads\s+1\.37 s \(1\.00×\)\s+337 ms \(4\.38×\)\s+4\.1× faster/);
  assert.match(text, /count \(median trial\)\s+1,600,000 of 1,600,000\s+456,169 of 1,600,000/);
  assert.match(text, /correct\s+yes\s+yes/);
  assert.match(text, /not run:\n  interpreter 'python3\.14t': not found/);
});

test('failed results and warnings are shown, not hidden', () => {
  const run = articleRun();
  run.results[1] = buildResult({ experiment: 'race', interpreter: FT, outputs: [], warmup: 1, scriptSha: 'abc', error: 'python3.15t: race: timed out after 120 s' });
  const text = formatRun(run, 'text');
  assert.match(text, /lost updates \(mean of trials\)\s+0%\s+failed/);
  assert.match(text, /→ race: GIL 0% lost · free-threaded failed/);
  assert.match(text, /! free-threaded: python3\.15t: race: timed out after 120 s/);
});

test('labels are used when the GIL mode does not tell interpreters apart', () => {
  const run = articleRun();
  const other = { ...GIL, label: 'python3.13' };
  run.interpreters = [GIL, other];
  run.results = run.results.filter((r) => r.interpreter === GIL.label).flatMap((r) => [r, { ...r, interpreter: other.label }]);
  const text = formatRun(run, 'text');
  assert.match(text, /→ race: python3\.15 0% lost · python3\.13 0% lost/);
  assert.match(text, /→ lock: python3\.15 114 ms · python3\.13 114 ms · about the same/);
});

test('markdown has a table per experiment and the summary in bold', () => {
  const md = formatRun(articleRun(), 'markdown');
  assert.match(md, /^# ftaudit benchmark results/);
  assert.match(md, /## race — N threads × 200,000 unguarded counter\[0\] \+= 1/);
  assert.match(md, /\| lost updates \(mean of trials\) \| 0% \| 71% \| {2}\|/);
  assert.match(md, /\*\*scaling 8 threads: GIL 1\.37 s · free-threaded 337 ms · 4\.1× faster\*\*/);
  assert.match(md, /- not run: interpreter 'python3\.14t': not found/);
});

test('json is the run itself', () => {
  const run = articleRun();
  const back = JSON.parse(formatRun(run, 'json')) as BenchRun;
  assert.deepEqual(back, run);
  const ft = back.results.find((r) => r.experiment === 'race' && r.interpreter === FT.label)!;
  assert.ok(ft.lost_fraction! > 0.7 && ft.lost_fraction! < 0.72);
  const scaling = back.results.find((r) => r.experiment === 'scaling' && r.interpreter === FT.label)!;
  assert.deepEqual(scaling.scaling!.thread_counts, [1, 2, 4, 8]);
  assert.equal(scaling.scaling!.speedups[3].toFixed(2), '4.38');
  assert.equal(scaling.median_s, 0.3373);
});
