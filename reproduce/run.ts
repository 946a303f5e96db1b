// Runs a reproduction harness on each interpreter the way the benchmarks run experiments: a probe
// first (what the interpreter is), then a fresh isolated process with a scrubbed environment, a
// timeout that kills the process tree, and cancellation. Never throws for a broken interpreter or a
// failing harness: each interpreter gets an observation saying what happened.
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { InterpreterConfig, isolationArgs, labelOf, scrubbedEnv } from '../bench/interpreter';
import { InterpreterError, probeInterpreter } from '../bench/probe';
import { excerpt, exitText, isAbortError, runProcess, SpawnError } from '../bench/proc';
import { moduleIdentity } from '../server/src/analysis/project/moduleName';
import type { ReproPlan } from '../server/src/analysis/reproduce/types';
import { harnessScript, PHASE_MARKER, RESULT_MARKER } from './harness';
import { describeObservation, isReproduced } from './report';
import type { Observation, Reproduction } from './types';

export type { Observation, Reproduction } from './types';

export const DEFAULT_THREADS = 8;
export const DEFAULT_TIMEOUT_MS = 60_000;

export interface ReproduceOptions {
  /** Dotted module name and the folder that makes it importable (see moduleIdentity). */
  moduleName: string;
  importRoot: string;
  threads?: number;
  /** Calls per thread; default: calibrated to about a quarter second of work per thread. */
  calls?: number;
  timeoutMs?: number;
  signal?: AbortSignal;
  env?: NodeJS.ProcessEnv;
  /** Where to write the harness (default: a new folder in the temp dir). */
  harnessPath?: string;
  onProgress?: (event: { interpreter: string; state: 'start' | 'done'; index: number; count: number }) => void;
}

/** The module's dotted name and the folder above its outermost package, from which it imports. */
export function moduleLocation(file: string): { moduleName: string; importRoot: string } {
  file = path.resolve(file);
  const moduleName = moduleIdentity(file).module;
  let importRoot = path.dirname(file);
  for (let depth = moduleName.split('.').length - 1; depth > 0; depth--) importRoot = path.dirname(importRoot);
  if (path.basename(file) === '__init__.py') importRoot = path.dirname(importRoot);
  return { moduleName, importRoot };
}

export function writeHarness(plan: ReproPlan, options: ReproduceOptions): string {
  // The harness runs in a temp folder: every path in it must be absolute.
  plan = { ...plan, file: path.resolve(plan.file) };
  options = { ...options, importRoot: path.resolve(options.importRoot) };
  const file =
    options.harnessPath ??
    path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'ftaudit-reproduce-')), `reproduce_${path.basename(plan.file, '.py').replace(/\W/g, '_')}_L${plan.line}.py`);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const script = harnessScript(plan, {
    moduleName: options.moduleName,
    importRoot: options.importRoot,
    threads: options.threads ?? DEFAULT_THREADS,
    calls: options.calls ?? 0,
  });
  fs.writeFileSync(file, script);
  return file;
}

/** Runs the plan's harness on every interpreter in turn (one at a time: they compete for the CPUs). */
export async function runReproduction(plan: ReproPlan, interpreters: readonly InterpreterConfig[], options: ReproduceOptions): Promise<Reproduction> {
  const harness = writeHarness(plan, options);
  const observations: Observation[] = [];
  for (const [index, config] of interpreters.entries()) {
    const label = labelOf(config);
    options.onProgress?.({ interpreter: label, state: 'start', index: index + 1, count: interpreters.length });
    observations.push(await runOne(harness, config, options));
    options.onProgress?.({ interpreter: label, state: 'done', index: index + 1, count: interpreters.length });
  }
  return {
    file: plan.file,
    line: plan.line,
    code: plan.code,
    target: plan.target?.qualname,
    state: plan.stateLabel,
    ...(plan.companion ? { companion: plan.companion.qualname } : {}),
    harness,
    interpreters: observations,
    reproduced: observations.some((o) => o.reproduced),
  };
}

/** Runs one harness file on one interpreter. Rejects only when cancelled. */
export async function runOne(harness: string, config: InterpreterConfig, options: Pick<ReproduceOptions, 'timeoutMs' | 'signal' | 'env'>): Promise<Observation> {
  const label = labelOf(config);
  const base: Observation = { label, path: config.path, status: 'error', reproduced: false, summary: '' };
  const failed = (error: string, extra: Partial<Observation> = {}): Observation => ({ ...base, ...extra, error, summary: error });
  let info;
  try {
    const timeoutMs = Math.min(options.timeoutMs ?? DEFAULT_TIMEOUT_MS, 20_000);
    info = (await probeInterpreter(config, { signal: options.signal, env: options.env, timeoutMs })).info;
  } catch (error) {
    if (isAbortError(error)) throw error;
    return failed(error instanceof InterpreterError ? error.message : String(error));
  }
  Object.assign(base, { version: info.version, gil_enabled: info.gil_enabled, free_threaded_build: info.free_threaded_build });
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  let outcome;
  try {
    outcome = await runProcess(config.path, {
      args: [...isolationArgs(config), harness],
      env: scrubbedEnv(config, options.env),
      cwd: os.tmpdir(),
      timeoutMs,
      signal: options.signal,
    });
  } catch (error) {
    if (error instanceof SpawnError) return failed(error.message);
    throw error;
  }
  const phase = lastPhase(outcome.stderr);
  if (outcome.timedOut) {
    return {
      ...failed(`${label}: no result within ${timeoutMs / 1000} s${phase ? ` (during the ${phase} run)` : ''}; killed with its process tree — does the code block, wait for input or loop forever?`, { phase }),
      status: 'timeout',
    };
  }
  const line = outcome.stdout.split(/\r?\n/).find((l) => l.startsWith(RESULT_MARKER));
  let result: Record<string, unknown> | undefined;
  try {
    result = line ? (JSON.parse(line.slice(RESULT_MARKER.length)) as Record<string, unknown>) : undefined;
  } catch {
    result = undefined;
  }
  if (!result) {
    const detail = excerpt(outcome.stderr.split(/\r?\n/).filter((l) => !l.startsWith(PHASE_MARKER)).join('\n')) || 'no output';
    return failed(`${label}: the harness ${exitText(outcome.code, outcome.signal)}${phase ? ` during the ${phase} run` : ''}: ${detail}`, { phase });
  }
  if (typeof result.error === 'string') {
    return failed(`${label}: ${String(result.message ?? result.error)}`, { phase: result.error === 'import' ? 'import' : phase });
  }
  const observation: Observation = { ...base, ...pick(result), status: 'ok', reproduced: false, summary: '' };
  if (typeof result.gil_enabled === 'boolean') observation.gil_enabled = result.gil_enabled;
  observation.reproduced = isReproduced(observation);
  observation.summary = describeObservation(observation);
  return observation;
}

const NUMBER_FIELDS = ['threads', 'calls_per_thread', 'expected_change', 'actual_change', 'act_line', 'acts_serial', 'acts_concurrent', 'extra_acts', 'wrong_results', 'duplicate_objects', 'serial_seconds', 'concurrent_seconds'] as const;

function pick(result: Record<string, unknown>): Partial<Observation> {
  const out: Partial<Observation> = {};
  for (const key of NUMBER_FIELDS) if (typeof result[key] === 'number') (out as Record<string, number>)[key] = result[key] as number;
  if (typeof result.lost_fraction === 'number' || result.lost_fraction === null) out.lost_fraction = result.lost_fraction as number | null;
  if (result.exceptions && typeof result.exceptions === 'object') out.exceptions = result.exceptions as Observation['exceptions'];
  if (result.wrong_example && typeof result.wrong_example === 'object') out.wrong_example = result.wrong_example as Observation['wrong_example'];
  return out;
}

function lastPhase(stderr: string): string | undefined {
  const phases = stderr.split(/\r?\n/).filter((l) => l.startsWith(PHASE_MARKER));
  return phases.length ? phases[phases.length - 1].slice(PHASE_MARKER.length).trim() : undefined;
}

/** A stable id for a plan (the same finding planned twice gets the same harness name). */
export function planId(plan: ReproPlan): string {
  return crypto.createHash('sha256').update(JSON.stringify([plan.file, plan.target?.qualname, plan.state, plan.argSets, plan.instance])).digest('hex').slice(0, 12);
}
