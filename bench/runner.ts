// Runs experiments the pyperf way: a warmup run, then N trials, each in a fresh process (`-I`, a
// scrubbed environment), each with a timeout that kills the process tree; cancellable; one progress
// event when a trial starts and one when it ends.
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ExperimentInfo, experimentScript } from './experiments';
import { InterpreterConfig, isolationArgs, labelOf, scrubbedEnv } from './interpreter';
import { ProbedInterpreter } from './probe';
import { excerpt, exitText, runProcess, SpawnError } from './proc';
import { BenchResult, buildResult, ParamValue, TrialOutput } from './results';

export const DEFAULT_TRIALS = 3;
export const DEFAULT_WARMUP = 1;
export const DEFAULT_TIMEOUT_MS = 120_000;

export interface ProgressEvent {
  experiment: string;
  interpreter: string;
  phase: 'warmup' | 'trial';
  /** 1-based index within the phase. */
  index: number;
  count: number;
  state: 'start' | 'done';
  /** Set when state is 'done'. */
  elapsed_s?: number;
  /** Runs finished so far and in all, over every experiment and interpreter of the session. */
  done: number;
  total: number;
}

export interface RunnerOptions {
  experimentsDir: string;
  trials?: number;
  warmup?: number;
  /** Sets each experiment's threads (or processes) parameter; default: min(CPUs, 8), chosen by the script. */
  threads?: number;
  quick?: boolean;
  /** More parameters per experiment id, passed as `--name value` (e.g. `{ race: { iterations: 1000 } }`). */
  params?: Record<string, Record<string, number>>;
  /** Per trial, in milliseconds. */
  timeoutMs?: number;
  signal?: AbortSignal;
  onProgress?: (event: ProgressEvent) => void;
  /** Environment to scrub (default: process.env). */
  env?: NodeJS.ProcessEnv;
}

/** A trial that did not produce a result; the message names the interpreter and the experiment. */
export class TrialError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TrialError';
  }
}

/** Command-line arguments for one experiment script. */
export function experimentArgs(experiment: ExperimentInfo, options: Pick<RunnerOptions, 'threads' | 'quick' | 'params'>): string[] {
  const args: string[] = [];
  if (options.quick) args.push('--quick');
  if (options.threads !== undefined && experiment.workersParam) args.push(`--${experiment.workersParam}`, String(options.threads));
  for (const [name, value] of Object.entries(options.params?.[experiment.id] ?? {})) {
    args.push(`--${name.replace(/_/g, '-')}`, String(value));
  }
  return args;
}

export interface TrialOptions {
  experiment: string;
  timeoutMs?: number;
  signal?: AbortSignal;
  env?: NodeJS.ProcessEnv;
  cwd?: string;
}

/** Runs one script once in a fresh process and reads its JSON line. */
export async function runTrial(
  config: InterpreterConfig,
  script: string,
  args: readonly string[],
  options: TrialOptions,
): Promise<TrialOutput> {
  const where = `${labelOf(config)}: ${options.experiment}`;
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  let outcome;
  try {
    outcome = await runProcess(config.path, {
      args: [...isolationArgs(config), script, ...args],
      env: scrubbedEnv(config, options.env),
      cwd: options.cwd,
      timeoutMs,
      signal: options.signal,
    });
  } catch (error) {
    if (error instanceof SpawnError) throw new TrialError(`${where}: ${error.message}`);
    throw error;
  }
  if (outcome.timedOut) throw new TrialError(`${where}: timed out after ${timeoutMs / 1000} s; the process tree was killed`);
  if (outcome.code !== 0) {
    const detail = excerpt(outcome.stderr) || excerpt(outcome.stdout) || 'no output';
    throw new TrialError(`${where}: failed (${exitText(outcome.code, outcome.signal)}): ${detail}`);
  }
  return parseTrialOutput(outcome.stdout, options.experiment, where);
}

/** The last non-empty stdout line must be the experiment's JSON result. */
export function parseTrialOutput(stdout: string, experiment: string, where = experiment): TrialOutput {
  const lines = stdout.split(/\r?\n/).filter((l) => l.trim() !== '');
  const last = lines[lines.length - 1];
  const bad = (why: string) =>
    new TrialError(`${where}: ${why} (expected one JSON result line on stdout, got: ${last ? `'${excerpt(last, 160)}'` : 'nothing'})`);
  if (!last) throw bad('printed no result');
  let data: unknown;
  try {
    data = JSON.parse(last);
  } catch {
    throw bad('printed something that is not a result');
  }
  if (typeof data !== 'object' || data === null || Array.isArray(data)) throw bad('printed something that is not a result');
  const d = data as Record<string, unknown>;
  if (d.experiment !== experiment) throw bad(`reported experiment '${String(d.experiment)}'`);
  if (typeof d.elapsed_s !== 'number' || !Number.isFinite(d.elapsed_s) || d.elapsed_s < 0) throw bad('reported no elapsed_s');
  if (typeof d.gil_enabled !== 'boolean') throw bad('reported no gil_enabled');
  const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
  return {
    experiment,
    params: isObject(d.params) ? (d.params as Record<string, ParamValue>) : {},
    quick: d.quick === true,
    elapsed_s: d.elapsed_s,
    metrics: isObject(d.metrics) ? d.metrics : {},
    gil_enabled: d.gil_enabled,
    python: typeof d.python === 'string' ? d.python : '',
  };
}

/** Short SHA-256 of an experiment script, stored with each result to tell comparable runs apart. */
export function scriptDigest(script: string): string {
  return crypto.createHash('sha256').update(fs.readFileSync(script)).digest('hex').slice(0, 12);
}

/**
 * What a trial runs: the executable the probe reported (sys.executable), so that a shim resolving per
 * folder (pyenv) cannot switch interpreters between the probe and the trials; the configured
 * environment still applies. Falls back to the configured path when that file is not there.
 */
export function trialConfig({ config, info }: ProbedInterpreter): InterpreterConfig {
  const exe = info.executable;
  const usable = path.isAbsolute(exe) && fs.existsSync(exe);
  return { ...config, label: info.label, path: usable ? exe : config.path };
}

export interface Counter {
  done: number;
  total: number;
}

/**
 * Warmup and trials of one experiment on one interpreter. A failing trial ends this pair with an
 * `error` in the result (the session goes on); cancellation rejects with an AbortError.
 */
export async function runExperiment(
  interpreter: ProbedInterpreter,
  experiment: ExperimentInfo,
  options: RunnerOptions,
  counter: Counter = { done: 0, total: (options.warmup ?? DEFAULT_WARMUP) + (options.trials ?? DEFAULT_TRIALS) },
): Promise<BenchResult> {
  const trials = options.trials ?? DEFAULT_TRIALS;
  const warmup = options.warmup ?? DEFAULT_WARMUP;
  const script = experimentScript(options.experimentsDir, experiment.id);
  const base = { experiment: experiment.id, interpreter: interpreter.info.label };
  const outputs: TrialOutput[] = [];
  let scriptSha = '';
  const result = (error?: string) =>
    buildResult({ experiment: experiment.id, interpreter: interpreter.info, outputs, warmup, scriptSha, error });
  try {
    scriptSha = scriptDigest(script);
  } catch {
    return result(`experiment script not found: ${script}`);
  }
  const args = experimentArgs(experiment, options);
  const config = trialConfig(interpreter);
  const trialOptions: TrialOptions = {
    experiment: experiment.id,
    timeoutMs: options.timeoutMs,
    signal: options.signal,
    env: options.env,
    cwd: options.experimentsDir,
  };
  const runs = [
    ...Array.from({ length: warmup }, (_, i) => ({ phase: 'warmup' as const, index: i + 1, count: warmup })),
    ...Array.from({ length: trials }, (_, i) => ({ phase: 'trial' as const, index: i + 1, count: trials })),
  ];
  for (let i = 0; i < runs.length; i++) {
    const run = runs[i];
    options.onProgress?.({ ...base, ...run, state: 'start', done: counter.done, total: counter.total });
    let output: TrialOutput;
    try {
      output = await runTrial(config, script, args, trialOptions);
    } catch (error) {
      if (!(error instanceof TrialError)) throw error;
      counter.done += runs.length - i; // the rest of this pair is skipped
      return result(error.message);
    }
    counter.done++;
    if (run.phase === 'trial') outputs.push(output);
    options.onProgress?.({ ...base, ...run, state: 'done', elapsed_s: output.elapsed_s, done: counter.done, total: counter.total });
  }
  return result();
}
