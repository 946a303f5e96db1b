// The catalogue of bundled experiments (experiments/bench_<id>.py). Parameters and their defaults live
// in the Python files alone; each run reports the values it used.
import * as path from 'node:path';

export interface ExperimentInfo {
  id: string;
  title: string;
  /** What the figure means, in one sentence. */
  measures: string;
  /** The parameter that `--threads` sets (threads or processes); none for fixed-size experiments. */
  workersParam?: 'threads' | 'processes';
  /** From the article's six (false: ftscalingbench-style extras). */
  article: boolean;
}

export const EXPERIMENTS: readonly ExperimentInfo[] = [
  {
    id: 'single',
    title: 'single thread, 80M × x += 1',
    measures: 'single-core cost of the build: no threads at all',
    article: true,
  },
  {
    id: 'io',
    title: '50 threads × time.sleep(0.1)',
    measures: 'I/O-bound threads: every build releases the GIL while waiting, so all take ~0.1 s',
    article: true,
  },
  {
    id: 'race',
    title: 'N threads × 200,000 unguarded counter[0] += 1',
    measures: 'updates lost by an unsynchronised read-modify-write (0% with the GIL)',
    workersParam: 'threads',
    article: true,
  },
  {
    id: 'multiprocessing',
    title: 'N processes × 10M iterations',
    measures: 'the classic workaround: parallel processes, start-up included',
    workersParam: 'processes',
    article: true,
  },
  {
    id: 'scaling',
    title: '1, 2, 4, … N threads × 10M iterations each',
    measures: 'CPU-bound thread scaling: wall time and speedup per thread count',
    workersParam: 'threads',
    article: true,
  },
  {
    id: 'lock',
    title: 'N threads × 200,000 with lock: counter[0] += 1',
    measures: 'cost of a contended lock (correct everywhere; expensive without the GIL)',
    workersParam: 'threads',
    article: true,
  },
  {
    id: 'shared_dict',
    title: 'N threads writing and reading one dict',
    measures: 'contention on one shared container (per-object lock without the GIL)',
    workersParam: 'threads',
    article: false,
  },
  {
    id: 'object_creation',
    title: 'N threads creating objects of one class',
    measures: 'allocation and type reference counts under threads',
    workersParam: 'threads',
    article: false,
  },
  {
    id: 'thread_local',
    title: 'N threads reading a threading.local() attribute',
    measures: 'per-thread state, the usual replacement for a shared global',
    workersParam: 'threads',
    article: false,
  },
];

export const EXPERIMENT_IDS: readonly string[] = EXPERIMENTS.map((e) => e.id);

export function findExperiment(id: string): ExperimentInfo | undefined {
  return EXPERIMENTS.find((e) => e.id === id);
}

/** The script of an experiment; the CodeLens marker in it is the line `def run(params):`. */
export function experimentScript(experimentsDir: string, id: string): string {
  return path.join(experimentsDir, `bench_${id}.py`);
}

/** Marker line of each experiment file, above which editors place their CodeLens. */
export const RUN_MARKER = /^def run\(/m;
