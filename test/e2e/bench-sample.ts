// A stored benchmark run with any number of interpreters, for the results-webview tests: the unit tests
// render it (test/unit/bench-client.test.ts) and the in-editor test seeds it as the extension's latest.json
// (editor.test.ts). Plain data built with the real result code (bench/results.ts), no interpreter run.
import type { InterpreterInfo } from '../../bench/probe';
import { BenchRun, buildResult, RESULT_SCHEMA, TrialOutput } from '../../bench/results';

/** Labels as users see them (a trailing "t": a free-threaded build): configured names, pyenv discoveries, the Python extension's pick. */
export const SAMPLE_LABELS = ['python3.14', 'python3.14t', 'python3.13t', 'pyenv 3.13.2', 'selected in Python extension', 'python3.15t', 'python3.12', 'pypy3'];

export function sampleInfo(label: string, index: number): InterpreterInfo {
  const ft = /t$/.test(label);
  const minor = Number(/3\.(\d+)/.exec(label)?.[1] ?? 14);
  return {
    label, path: label, executable: `/opt/py/${index}/bin/python3`, version: `3.${minor}.0`, version_info: [3, minor, 0], implementation: label.startsWith('pypy') ? 'PyPy' : 'CPython',
    gil_enabled: !ft, free_threaded_build: ft, cpu_count: 8, affinity: 8, platform: 'linux', machine: 'x86_64', env_keys: [],
  };
}

/**
 * A full run (the article's six experiments, in the runner's order) on the first `count` sample interpreters,
 * or on the given labels; free-threaded ones lose updates in `race` and scale in `scaling`.
 */
export function sampleRun(count: number | string[]): BenchRun {
  const labels = typeof count === 'number' ? SAMPLE_LABELS.slice(0, count) : count;
  const infos = labels.map(sampleInfo);
  const out = (experiment: string, info: InterpreterInfo, elapsed: number, metrics: Record<string, unknown>, params: Record<string, number> = { threads: 8, iterations: 200_000 }): TrialOutput => ({
    experiment, params, quick: false, elapsed_s: elapsed, metrics, gil_enabled: info.gil_enabled, python: info.version,
  });
  const result = (experiment: string, info: InterpreterInfo, outputs: TrialOutput[]) => buildResult({ experiment, interpreter: info, warmup: 1, scriptSha: experiment.slice(0, 12), outputs });
  const results = [];
  for (const [i, info] of infos.entries()) {
    const slow = 1 + i * 0.07;
    results.push(result('single', info, [0, 1, 2].map((t) => out('single', info, (info.gil_enabled ? 2.41 : 2.93) * slow + t * 0.01, {}, { iterations: 80_000_000 }))));
  }
  for (const [i, info] of infos.entries()) results.push(result('io', info, [out('io', info, 0.1021 + i * 0.0003, {}, { threads: 50 })]));
  for (const [i, info] of infos.entries()) {
    const lost = info.gil_enabled ? 0 : 0.55 + i * 0.03;
    const actual = Math.round(1_600_000 * (1 - lost));
    results.push(result('race', info, [out('race', info, 0.21 + i * 0.01, { expected: 1_600_000, actual, lost_fraction: lost })]));
  }
  for (const [i, info] of infos.entries()) {
    results.push(result('multiprocessing', info, [out('multiprocessing', info, 0.61 + i * 0.02, { one_thread_s: 0.35, start_method: 'forkserver' }, { processes: 8, iterations: 10_000_000 })]));
  }
  for (const [i, info] of infos.entries()) {
    const t1 = 0.17 + i * 0.01;
    const times = info.gil_enabled ? [t1, t1 * 1.9, t1 * 3.8, t1 * 7.9] : [t1 * 1.08, t1 * (1.1 + 0.04 * i), t1 * (1.25 + 0.12 * i), t1 * (1.95 + 0.35 * i)];
    results.push(result('scaling', info, [out('scaling', info, times[3], { thread_counts: [1, 2, 4, 8], times_s: times }, { threads: 8, iterations: 10_000_000 })]));
  }
  for (const [i, info] of infos.entries()) {
    results.push(result('lock', info, [out('lock', info, (info.gil_enabled ? 0.114 : 1.25) + i * 0.01, { expected: 1_600_000, actual: 1_600_000, correct: true })]));
  }
  return {
    schema: RESULT_SCHEMA,
    created: '2026-03-01T12:00:00.000Z',
    machine: { platform: 'linux', release: '6.8', arch: 'x64', cpu_model: 'Test CPU @ 3.0GHz', cpu_count: 8, available_parallelism: 8, total_memory_gib: 16, node: 'v20.0.0' },
    options: { trials: 3, warmup: 1, quick: false, threads: null, timeout_s: 120 },
    interpreters: infos,
    failures: [],
    results,
    cancelled: false,
  };
}
