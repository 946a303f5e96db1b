// The result file: one run of some experiments on some interpreters, with machine information,
// saved as JSON (extension storage, or `ftaudit bench --output FILE`) and loaded back for comparison.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { InterpreterInfo } from './probe';
import { mean, median, summarize } from './stats';

export const RESULT_SCHEMA = 'ftaudit-bench/1';

export type ParamValue = number | string | boolean;

/** The one JSON line an experiment script prints (see experiments/_ftbench.py). */
export interface TrialOutput {
  experiment: string;
  params: Record<string, ParamValue>;
  quick: boolean;
  elapsed_s: number;
  metrics: Record<string, unknown>;
  gil_enabled: boolean;
  python: string;
}

export interface Trial {
  elapsed_s: number;
  /** sys._is_gil_enabled() read after the experiment's work. */
  gil_enabled: boolean;
  metrics: Record<string, unknown>;
}

export interface ScalingFigures {
  thread_counts: number[];
  /** Median wall time per thread count. */
  median_s: number[];
  /** n × time(1 thread) / time(n threads), from the medians: n is perfect scaling, 1 none. */
  speedups: number[];
}

export interface BenchResult {
  experiment: string;
  /** Label of the interpreter; its details are in BenchRun.interpreters. */
  interpreter: string;
  params: Record<string, ParamValue>;
  quick: boolean;
  warmup: number;
  trials: Trial[];
  median_s: number | null;
  min_s: number | null;
  max_s: number | null;
  /** (max − min) / median of the trial times. */
  spread: number | null;
  /** GIL state after the runs: null when trials disagreed or none ran. */
  gil_enabled: boolean | null;
  /** First 12 hex digits of the script's SHA-256: results are comparable when these match. */
  script_sha256: string;
  warnings: string[];
  /** Set when the experiment could not be run on this interpreter (timeout, crash, bad output). */
  error?: string;
  // Experiment metrics, aggregated over the trials (each trial keeps its own in `metrics`).
  expected?: number;
  /** race: mean fraction of increments lost. */
  lost_fraction?: number;
  /** lock: every trial counted exactly. */
  correct?: boolean;
  /** scaling: per thread count. */
  scaling?: ScalingFigures;
  /** ftscalingbench-style extras: the one-thread time and N × t1 / tN. */
  one_thread_s?: number;
  speedup?: number;
  /** multiprocessing: the start method used. */
  start_method?: string;
}

export interface MachineInfo {
  platform: string;
  release: string;
  arch: string;
  cpu_model: string;
  cpu_count: number;
  available_parallelism: number;
  total_memory_gib: number;
  node: string;
}

export interface RunOptionsRecord {
  trials: number;
  warmup: number;
  quick: boolean;
  /** --threads when given; otherwise each experiment used min(CPUs, 8). */
  threads: number | null;
  timeout_s: number;
}

export interface InterpreterFailure {
  interpreter: string;
  message: string;
}

export interface BenchRun {
  schema: typeof RESULT_SCHEMA;
  created: string;
  machine: MachineInfo;
  options: RunOptionsRecord;
  interpreters: InterpreterInfo[];
  /** Interpreters that could not be used (missing, broken, too old). */
  failures: InterpreterFailure[];
  results: BenchResult[];
  cancelled: boolean;
}

export function machineInfo(): MachineInfo {
  const cpus = os.cpus();
  return {
    platform: os.platform(),
    release: os.release(),
    arch: os.arch(),
    cpu_model: cpus[0]?.model.trim() ?? 'unknown',
    cpu_count: cpus.length,
    available_parallelism: os.availableParallelism(),
    total_memory_gib: Math.round((os.totalmem() / 2 ** 30) * 10) / 10,
    node: process.version,
  };
}

export interface ResultInput {
  experiment: string;
  interpreter: InterpreterInfo;
  outputs: readonly TrialOutput[];
  warmup: number;
  scriptSha: string;
  error?: string;
}

/** Aggregates the trials of one experiment on one interpreter. */
export function buildResult(input: ResultInput): BenchResult {
  const { outputs, interpreter } = input;
  const trials: Trial[] = outputs.map((o) => ({ elapsed_s: o.elapsed_s, gil_enabled: o.gil_enabled, metrics: o.metrics }));
  const result: BenchResult = {
    experiment: input.experiment,
    interpreter: interpreter.label,
    params: outputs[0]?.params ?? {},
    quick: outputs[0]?.quick ?? false,
    warmup: input.warmup,
    trials,
    median_s: null,
    min_s: null,
    max_s: null,
    spread: null,
    gil_enabled: null,
    script_sha256: input.scriptSha,
    warnings: [],
  };
  if (input.error) result.error = input.error;
  if (trials.length === 0) return result;

  const times = summarize(trials.map((t) => t.elapsed_s));
  Object.assign(result, { median_s: times.median, min_s: times.min, max_s: times.max, spread: times.spread });
  if (times.noisy) {
    result.warnings.push(
      `spread ${percent(times.spread)} between trials (over 10%): noisy; close other programs or raise --trials`,
    );
  }
  const states = new Set(trials.map((t) => t.gil_enabled));
  result.gil_enabled = states.size === 1 ? trials[0].gil_enabled : null;
  if (states.size > 1 || trials[0].gil_enabled !== interpreter.gil_enabled) {
    const after = states.size > 1 ? 'differed between trials' : trials[0].gil_enabled ? 'enabled' : 'disabled';
    result.warnings.push(
      `GIL ${interpreter.gil_enabled ? 'enabled' : 'disabled'} at start-up but ${after} after the experiment (an imported extension module can re-enable it)`,
    );
  }
  addMetrics(result, trials);
  return result;
}

/** "12.3%" below 20%, where the 10% threshold needs the decimal; "47%" above. */
function percent(fraction: number): string {
  return fraction < 0.2 ? `${(fraction * 100).toFixed(1)}%` : `${Math.round(fraction * 100)}%`;
}

function numbers(trials: readonly Trial[], key: string): number[] {
  return trials.map((t) => t.metrics[key]).filter((v): v is number => typeof v === 'number' && Number.isFinite(v));
}

function numberList(value: unknown): number[] | undefined {
  return Array.isArray(value) && value.every((v) => typeof v === 'number') ? (value as number[]) : undefined;
}

function addMetrics(result: BenchResult, trials: readonly Trial[]): void {
  const first = trials[0].metrics;
  if (typeof first.expected === 'number') result.expected = first.expected;
  const lost = numbers(trials, 'lost_fraction');
  if (lost.length > 0) result.lost_fraction = mean(lost);
  if (typeof first.correct === 'boolean') result.correct = trials.every((t) => t.metrics.correct === true);
  if (typeof first.start_method === 'string') result.start_method = first.start_method;

  const counts = numberList(first.thread_counts);
  const series = trials.map((t) => numberList(t.metrics.times_s));
  if (counts && series.every((times) => times?.length === counts.length)) {
    const perCount = counts.map((_, i) => median(series.map((times) => times![i])));
    result.scaling = {
      thread_counts: counts,
      median_s: perCount,
      speedups: perCount.map((t, i) => (counts[i] * perCount[0]) / t),
    };
  }
  const one = numbers(trials, 'one_thread_s');
  const workers = result.params.threads;
  if (one.length > 0 && typeof workers === 'number' && result.median_s) {
    result.one_thread_s = median(one);
    result.speedup = (workers * result.one_thread_s) / result.median_s;
  }
}

export function saveRun(file: string, run: BenchRun): void {
  fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, JSON.stringify(run, null, 2) + '\n');
  fs.renameSync(tmp, file);
}

/** Reads a result file back; throws a readable error for anything that is not one. */
export function loadRun(file: string): BenchRun {
  const text = fs.readFileSync(file, 'utf8');
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    throw new Error(`${file}: not JSON (${(error as Error).message})`);
  }
  const run = data as Partial<BenchRun> | null;
  if (!run || typeof run !== 'object' || run.schema !== RESULT_SCHEMA) {
    throw new Error(`${file}: not an ftaudit benchmark result (expected "schema": "${RESULT_SCHEMA}")`);
  }
  if (!Array.isArray(run.results) || !Array.isArray(run.interpreters)) {
    throw new Error(`${file}: malformed result file (results and interpreters must be lists)`);
  }
  return run as BenchRun;
}

/**
 * The newest figure of every experiment × interpreter pair: `current` replaces the pairs it ran and
 * keeps the others from `previous` (what the editor shows after running a single experiment).
 */
export function mergeRuns(previous: BenchRun | undefined, current: BenchRun): BenchRun {
  if (!previous) return current;
  const key = (r: BenchResult) => `${r.experiment}\0${r.interpreter}`;
  const fresh = new Set(current.results.map(key));
  const kept = previous.results.filter((r) => !fresh.has(key(r)));
  const labels = new Set(current.interpreters.map((i) => i.label));
  const keptLabels = new Set(kept.map((r) => r.interpreter));
  return {
    ...current,
    interpreters: [...current.interpreters, ...previous.interpreters.filter((i) => !labels.has(i.label) && keptLabels.has(i.label))],
    results: [...kept, ...current.results],
  };
}
