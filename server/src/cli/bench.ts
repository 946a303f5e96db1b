// `ftaudit bench`: runs the bundled experiments on one or more interpreters and prints a table per
// experiment. Exit codes: 0 all ran, 1 something failed (an interpreter or an experiment; the rest
// still ran and is printed), 2 usage error, 130 cancelled (Ctrl-C; partial results are printed).
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { defaultSelection, discoverInterpreters } from '../../../bench/discover';
import { EXPERIMENT_IDS, EXPERIMENTS, ExperimentInfo, findExperiment } from '../../../bench/experiments';
import { formatRun, formatSeconds, OUTPUT_FORMATS, OutputFormat } from '../../../bench/format';
import { InterpreterConfig } from '../../../bench/interpreter';
import { locateExperimentsDir } from '../../../bench/locate';
import { gilMode, InterpreterInfo, ProbedInterpreter } from '../../../bench/probe';
import { BenchRun, saveRun } from '../../../bench/results';
import { DEFAULT_TIMEOUT_MS, DEFAULT_TRIALS, DEFAULT_WARMUP } from '../../../bench/runner';
import { probeAll, runSession } from '../../../bench/session';

import { integer, seconds, UsageError } from './args';

export interface BenchIO {
  stdout: (s: string) => void;
  stderr: (s: string) => void;
}

const USAGE = `Usage: ftaudit bench [options]

Runs the bundled free-threading experiments on each interpreter and prints a table per experiment
(one column per interpreter, with the ratio to the first).

Options:
  -p, --python PATH      interpreter to run (repeatable); default: discovered python3, python3.13t,
                         python3.14, python3.14t, python3.15t on PATH and free-threaded pyenv versions
  -e, --experiment ID    experiment to run (repeatable or comma-separated); default: all
                         ${EXPERIMENT_IDS.join(', ')}
      --trials N         timed runs per experiment and interpreter (default ${DEFAULT_TRIALS}; a warmup run comes first)
      --warmup N         untimed runs first (default ${DEFAULT_WARMUP})
      --threads N        threads (or processes) per experiment (default: CPUs, at most 8)
      --quick            smaller iterations (about 10×), for a first look
      --format F         text, json or markdown (default text)
      --output FILE      also save the results: JSON, or markdown/text for a .md/.txt name
      --timeout SECONDS  per run; the process tree is killed after it (default ${DEFAULT_TIMEOUT_MS / 1000})
      --list             list the experiments and the interpreters found, run nothing
  -h, --help             this help
`;

interface BenchArgs {
  pythons: string[];
  experiments: ExperimentInfo[];
  trials: number;
  warmup: number;
  threads?: number;
  quick: boolean;
  format: OutputFormat;
  output?: string;
  timeoutMs: number;
  list: boolean;
  help: boolean;
}

function parseBenchArgs(argv: string[]): BenchArgs {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      strict: true,
      allowPositionals: false,
      options: {
        python: { type: 'string', short: 'p', multiple: true },
        experiment: { type: 'string', short: 'e', multiple: true },
        trials: { type: 'string' },
        warmup: { type: 'string' },
        threads: { type: 'string' },
        quick: { type: 'boolean' },
        format: { type: 'string' },
        output: { type: 'string', short: 'o' },
        timeout: { type: 'string' },
        list: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const v = parsed.values;
  const ids = (v.experiment ?? []).flatMap((e) => e.split(',')).map((e) => e.trim()).filter(Boolean);
  const experiments = ids.length === 0 || ids.includes('all') ? [...EXPERIMENTS] : ids.map(experimentById);
  const format = v.format ?? 'text';
  if (!(OUTPUT_FORMATS as readonly string[]).includes(format)) {
    throw new UsageError(`--format must be one of ${OUTPUT_FORMATS.join(', ')} (got '${format}')`);
  }
  const pythons = v.python ?? [];
  if (pythons.some((p) => p.trim() === '')) throw new UsageError('--python needs a path or a command name');
  return {
    pythons,
    experiments: [...new Set(experiments)],
    trials: integer('--trials', v.trials, 1) ?? DEFAULT_TRIALS,
    warmup: integer('--warmup', v.warmup, 0) ?? DEFAULT_WARMUP,
    threads: integer('--threads', v.threads, 1),
    quick: v.quick ?? false,
    format: format as OutputFormat,
    output: v.output,
    timeoutMs: seconds('--timeout', v.timeout) ?? DEFAULT_TIMEOUT_MS,
    list: v.list ?? false,
    help: v.help ?? false,
  };
}

function experimentById(id: string): ExperimentInfo {
  const found = findExperiment(id);
  if (!found) throw new UsageError(`unknown experiment '${id}' (known: ${EXPERIMENT_IDS.join(', ')})`);
  return found;
}



function describe(info: InterpreterInfo): string {
  return `${info.label}: ${info.implementation} ${info.version}, ${gilMode(info)} (${info.executable})`;
}

/** `ftaudit bench …`; `argv` is what follows the word `bench`. */
export async function runBenchCommand(argv: string[], io: BenchIO): Promise<number> {
  let args: BenchArgs;
  try {
    args = parseBenchArgs(argv[0] === 'bench' ? argv.slice(1) : argv);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    io.stderr(`ftaudit bench: ${error.message}\n\n${USAGE}`);
    return 2;
  }
  if (args.help) {
    io.stdout(USAGE);
    return 0;
  }

  let experimentsDir: string;
  try {
    experimentsDir = locateExperimentsDir();
  } catch (error) {
    io.stderr(`${(error as Error).message}\n`);
    return 1;
  }

  const controller = new AbortController();
  const onSigint = () => {
    io.stderr('ftaudit bench: cancelling…\n');
    controller.abort();
  };
  process.once('SIGINT', onSigint);
  try {
    if (args.list) {
      await list(io, args.pythons, controller.signal);
      return 0;
    }
    let interpreters: (InterpreterConfig | ProbedInterpreter)[];
    if (args.pythons.length > 0) {
      interpreters = args.pythons.map((p) => ({ path: p }));
    } else {
      interpreters = await discover(io, controller.signal);
      if (interpreters.length === 0) {
        io.stderr('ftaudit bench: no Python interpreter found; name one with --python PATH\n');
        return 1;
      }
    }

    const started = Date.now();
    const run = await runSession(interpreters, args.experiments, {
      experimentsDir,
      trials: args.trials,
      warmup: args.warmup,
      threads: args.threads,
      quick: args.quick,
      timeoutMs: args.timeoutMs,
      signal: controller.signal,
      onInterpreter: (event) => {
        if ('failure' in event) io.stderr(`ftaudit bench: ${event.failure.message}; going on without it\n`);
        else io.stderr(`using ${describe(event.interpreter.info)}\n`);
      },
      onProgress: (e) => {
        if (e.state !== 'done') return;
        const what = e.phase === 'warmup' ? 'warmup' : `trial ${e.index}/${e.count}`;
        io.stderr(`[${e.done}/${e.total}] ${e.experiment} · ${e.interpreter} · ${what}: ${formatSeconds(e.elapsed_s ?? NaN)}\n`);
      },
      onResult: (r) => {
        if (r.error) io.stderr(`${r.experiment} · ${r.interpreter}: ${r.error}\n`);
      },
    });
    io.stderr(`done in ${((Date.now() - started) / 1000).toFixed(1)} s\n`);

    io.stdout(formatRun(run, args.format));
    const saved = args.output ? writeOutput(args.output, run, io) : true;
    if (run.cancelled) return 130;
    const failed = run.interpreters.length === 0 || run.failures.length > 0 || run.results.some((r) => r.error);
    return failed || !saved ? 1 : 0;
  } finally {
    process.removeListener('SIGINT', onSigint);
  }
}

async function discover(io: BenchIO, signal: AbortSignal): Promise<ProbedInterpreter[]> {
  const discovery = await discoverInterpreters({ probe: { signal } });
  const { selected, skipped } = defaultSelection(discovery);
  for (const f of selected) io.stderr(`discovered ${f.info.label} (${f.source})\n`);
  if (skipped.length > 0) {
    const names = skipped.map((f) => `${f.info.executable} (${f.info.version}, ${gilMode(f.info)})`);
    io.stderr(`also found, not run (add with --python): ${names.join(', ')}\n`);
  }
  return selected;
}

/** --list: the experiments, then the interpreters given (probed) or discovered. */
async function list(io: BenchIO, pythons: string[], signal: AbortSignal): Promise<void> {
  listExperiments(io);
  if (pythons.length > 0) {
    const { usable, failures } = await probeAll(pythons.map((p) => ({ path: p })), { signal });
    io.stdout('\nInterpreters:\n');
    for (const p of usable) io.stdout(`  ${describe(p.info)}\n`);
    for (const f of failures) io.stdout(`  ${f.message}\n`);
    return;
  }
  const discovery = await discoverInterpreters({ probe: { signal } });
  const { selected, skipped } = defaultSelection(discovery);
  io.stdout('\nInterpreters found (* = run by default):\n');
  for (const f of selected) io.stdout(`  * ${describe(f.info)}\n`);
  for (const f of skipped) io.stdout(`    ${describe(f.info)}\n`);
  for (const r of discovery.rejected) io.stdout(`    ${r.message}\n`);
}

function listExperiments(io: BenchIO): void {
  io.stdout('Experiments:\n');
  const width = Math.max(...EXPERIMENTS.map((e) => e.id.length));
  for (const e of EXPERIMENTS) io.stdout(`  ${e.id.padEnd(width)}  ${e.title} — ${e.measures}\n`);
}

/** Saves the run: JSON, or markdown/text for a .md/.txt name. Returns false when it could not. */
function writeOutput(file: string, run: BenchRun, io: BenchIO): boolean {
  const ext = path.extname(file).toLowerCase();
  const format: OutputFormat = ext === '.md' ? 'markdown' : ext === '.txt' ? 'text' : 'json';
  try {
    if (format === 'json') {
      saveRun(file, run);
    } else {
      fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
      fs.writeFileSync(file, formatRun(run, format));
    }
    io.stderr(`results saved to ${file} (${format})\n`);
    return true;
  } catch (error) {
    io.stderr(`ftaudit bench: cannot write ${file}: ${(error as Error).message}\n`);
    return false;
  }
}
