// One benchmark session, as the CLI and the extension run it: probe the interpreters (a missing or
// broken one is recorded and the others go on), run every experiment on each, collect a BenchRun.
import { ExperimentInfo } from './experiments';
import { InterpreterConfig, labelOf } from './interpreter';
import { InterpreterError, probeInterpreter, ProbedInterpreter } from './probe';
import { isAbortError } from './proc';
import { BenchResult, BenchRun, InterpreterFailure, machineInfo, RESULT_SCHEMA } from './results';
import { Counter, DEFAULT_TIMEOUT_MS, DEFAULT_TRIALS, DEFAULT_WARMUP, runExperiment, RunnerOptions } from './runner';

export interface SessionOptions extends RunnerOptions {
  probeTimeoutMs?: number;
  /** Told about each interpreter once probed (or rejected), before any experiment runs. */
  onInterpreter?: (event: { interpreter: ProbedInterpreter } | { failure: InterpreterFailure }) => void;
  /** Told about each finished experiment × interpreter pair (check `error`). */
  onResult?: (result: BenchResult) => void;
}

/** Probes the configs that are not probed yet; failures are returned, not thrown (except cancellation). */
export async function probeAll(
  interpreters: readonly (InterpreterConfig | ProbedInterpreter)[],
  options: Pick<SessionOptions, 'probeTimeoutMs' | 'signal' | 'env' | 'onInterpreter'> = {},
): Promise<{ usable: ProbedInterpreter[]; failures: InterpreterFailure[] }> {
  const usable: ProbedInterpreter[] = [];
  const failures: InterpreterFailure[] = [];
  const labels = new Set<string>();
  for (const item of interpreters) {
    let probed: ProbedInterpreter;
    if ('info' in item) {
      probed = item;
    } else {
      try {
        probed = await probeInterpreter(item, { timeoutMs: options.probeTimeoutMs, signal: options.signal, env: options.env });
      } catch (error) {
        if (!(error instanceof InterpreterError)) throw error;
        const failure = { interpreter: labelOf(item), message: error.message };
        failures.push(failure);
        options.onInterpreter?.({ failure });
        continue;
      }
    }
    // Results refer to interpreters by label: keep labels unique.
    let label = probed.info.label;
    for (let n = 2; labels.has(label); n++) label = `${probed.info.label} (${n})`;
    labels.add(label);
    if (label !== probed.info.label) probed = { ...probed, info: { ...probed.info, label } };
    usable.push(probed);
    options.onInterpreter?.({ interpreter: probed });
  }
  return { usable, failures };
}

export async function runSession(
  interpreters: readonly (InterpreterConfig | ProbedInterpreter)[],
  experiments: readonly ExperimentInfo[],
  options: SessionOptions,
): Promise<BenchRun> {
  const trials = options.trials ?? DEFAULT_TRIALS;
  const warmup = options.warmup ?? DEFAULT_WARMUP;
  const run: BenchRun = {
    schema: RESULT_SCHEMA,
    created: new Date().toISOString(),
    machine: machineInfo(),
    options: {
      trials,
      warmup,
      quick: options.quick ?? false,
      threads: options.threads ?? null,
      timeout_s: (options.timeoutMs ?? DEFAULT_TIMEOUT_MS) / 1000,
    },
    interpreters: [],
    failures: [],
    results: [],
    cancelled: false,
  };
  try {
    const { usable, failures } = await probeAll(interpreters, options);
    run.interpreters = usable.map((p) => p.info);
    run.failures = failures;
    const counter: Counter = { done: 0, total: usable.length * experiments.length * (trials + warmup) };
    for (const experiment of experiments) {
      for (const interpreter of usable) {
        const result: BenchResult = await runExperiment(interpreter, experiment, { ...options, trials, warmup }, counter);
        run.results.push(result);
        options.onResult?.(result);
      }
    }
  } catch (error) {
    if (!isAbortError(error)) throw error;
    run.cancelled = true;
  }
  return run;
}
