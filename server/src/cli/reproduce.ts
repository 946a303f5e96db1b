// `ftaudit reproduce FILE:LINE`: drives the racing code of a finding from many threads on real
// interpreters and reports what happened to its state. Exit codes: 0 ran and no race was observed,
// 1 the race was observed on at least one interpreter, 2 usage error / the code cannot be driven /
// no interpreter produced a result, 130 cancelled.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { defaultSelection, discoverInterpreters } from '../../../bench/discover';
import type { InterpreterConfig } from '../../../bench/interpreter';
import { gilMode } from '../../../bench/probe';
import { formatReproduction, summarize } from '../../../reproduce/report';
import { DEFAULT_THREADS, DEFAULT_TIMEOUT_MS, moduleLocation, runReproduction, writeHarness } from '../../../reproduce/run';
import { planForLine } from '../analysis/reproduce/forLine';
import type { ReproPlan } from '../analysis/reproduce/types';
import { readSource } from '../files/source';
import { integer, seconds, UsageError } from './args';
import type { CliIO } from './io';

export const REPRODUCE_USAGE = `Usage: ftaudit reproduce FILE:LINE [options]

Runs the function that holds the race finding on FILE:LINE from many threads at once, on each
interpreter, and compares its state, results and exceptions with a serial run of the same calls.

Options:
  -p, --python PATH      interpreter to run (repeatable); default: the free-threaded interpreters found
                         (python3.13t, python3.14t, … on PATH, pyenv) plus one with the GIL for contrast
      --threads N        threads released together (default ${DEFAULT_THREADS})
      --calls N          calls per thread (default: calibrated to about 0.25 s of work per thread)
      --timeout SECONDS  per interpreter; the process tree is killed after it (default ${DEFAULT_TIMEOUT_MS / 1000})
      --code CODE        the finding to reproduce when the line has several (e.g. FT103)
      --harness FILE     write the generated harness here (default: a temp folder); edit and run it by hand
      --dry-run          write the harness and show the plan, run nothing
      --format F         text or json (default text)
  -h, --help             this help

Exit codes: 0 no race observed, 1 race observed, 2 usage error or the code cannot be driven, 130 cancelled.
`;

interface ReproduceArgs {
  file: string;
  line: number;
  pythons: string[];
  threads: number;
  calls?: number;
  timeoutMs: number;
  code?: string;
  harness?: string;
  dryRun: boolean;
  format: 'text' | 'json';
  help: boolean;
}

function parse(argv: string[]): ReproduceArgs {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      strict: true,
      allowPositionals: true,
      options: {
        python: { type: 'string', short: 'p', multiple: true },
        threads: { type: 'string' },
        calls: { type: 'string' },
        timeout: { type: 'string' },
        code: { type: 'string' },
        harness: { type: 'string' },
        'dry-run': { type: 'boolean' },
        format: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const v = parsed.values;
  if (v.help) return { file: '', line: 0, pythons: [], threads: 0, timeoutMs: 0, dryRun: false, format: 'text', help: true };
  if (parsed.positionals.length !== 1) throw new UsageError(parsed.positionals.length ? 'give exactly one FILE:LINE' : 'missing FILE:LINE');
  const match = /^(.*):(\d+)$/.exec(parsed.positionals[0]);
  if (!match || Number(match[2]) < 1) throw new UsageError(`'${parsed.positionals[0]}' is not FILE:LINE (e.g. app.py:12)`);
  const format = v.format ?? 'text';
  if (format !== 'text' && format !== 'json') throw new UsageError(`--format must be text or json (got '${format}')`);
  const pythons = v.python ?? [];
  if (pythons.some((p) => p.trim() === '')) throw new UsageError('--python needs a path or a command name');
  if (v.code !== undefined && !/^FT\d{3}$/i.test(v.code)) throw new UsageError(`--code must be a rule code like FT101 (got '${v.code}')`);
  return {
    file: match[1],
    line: Number(match[2]),
    pythons,
    threads: integer('--threads', v.threads, 2) ?? DEFAULT_THREADS,
    calls: integer('--calls', v.calls, 1),
    timeoutMs: seconds('--timeout', v.timeout) ?? DEFAULT_TIMEOUT_MS,
    code: v.code?.toUpperCase(),
    harness: v.harness,
    dryRun: v['dry-run'] ?? false,
    format,
    help: false,
  };
}



export async function runReproduceCommand(argv: string[], io: CliIO): Promise<number> {
  let args: ReproduceArgs;
  try {
    args = parse(argv);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    io.stderr(`ftaudit reproduce: ${error.message}\n\n${REPRODUCE_USAGE}`);
    return 2;
  }
  if (args.help) {
    io.stdout(REPRODUCE_USAGE);
    return 0;
  }
  const file = path.resolve(args.file);
  const source = fs.existsSync(file) && fs.statSync(file).isFile() ? await readSource(file) : ({ ok: false, message: 'no such file' } as const);
  if (!source.ok) {
    io.stderr(`ftaudit reproduce: ${args.file}: ${source.message}\n`);
    return 2;
  }
  const lineCount = source.text.split('\n').length;
  if (args.line > lineCount) {
    io.stderr(`ftaudit reproduce: ${args.file} has ${lineCount} lines; there is no line ${args.line}\n`);
    return 2;
  }
  const { plan, finding } = await planForLine(source.text, file, args.line, args.code);
  const options = { ...moduleLocation(file), threads: args.threads, calls: args.calls, timeoutMs: args.timeoutMs, harnessPath: args.harness && path.resolve(args.harness) };
  if (!finding) io.stderr(`ftaudit reproduce: no race finding on ${args.file}:${args.line}; driving the statement there anyway\n`);

  if (plan.blockers.length > 0 || args.dryRun) {
    const harness = writeHarness(plan, options);
    if (plan.blockers.length > 0) {
      const json = { file, line: args.line, code: plan.code, error: 'cannot-drive', blockers: plan.blockers, harness };
      if (args.format === 'json') io.stdout(`${JSON.stringify(json, null, 2)}\n`);
      io.stderr(`ftaudit reproduce: cannot drive ${args.file}:${args.line} as it is:\n${plan.blockers.map((b) => `  - ${b}\n`).join('')}The harness is written to ${harness}: fill in what it marks TODO and run it with a free-threaded Python (python3.14t ${harness}).\n`);
      return 2;
    }
    const json = { file, line: args.line, code: plan.code, target: plan.target?.qualname, instance: plan.instance, args: plan.argSets, state: plan.stateLabel, act_line: plan.actLine, companion: plan.companion?.qualname, harness };
    if (args.format === 'json') io.stdout(`${JSON.stringify(json, null, 2)}\n`);
    else io.stdout(`${describePlan(plan)}harness: ${harness}\n`);
    return 0;
  }

  const controller = new AbortController();
  const onSigint = () => {
    io.stderr('ftaudit reproduce: cancelling…\n');
    controller.abort();
  };
  process.once('SIGINT', onSigint);
  try {
    const interpreters = args.pythons.length ? args.pythons.map((p): InterpreterConfig => ({ path: p })) : await discover(io, controller.signal);
    if (interpreters.length === 0) {
      io.stderr('ftaudit reproduce: no Python interpreter found; name one with --python PATH\n');
      return 2;
    }
    if (args.format === 'text') io.stderr(describePlan(plan));
    const result = await runReproduction(plan, interpreters, {
      ...options,
      signal: controller.signal,
      onProgress: (e) => {
        if (e.state === 'start') io.stderr(`[${e.index}/${e.count}] ${e.interpreter}…\n`);
      },
    });
    if (args.format === 'json') {
      io.stdout(`${JSON.stringify({ ...result, instance: plan.instance, args: plan.argSets, notes: plan.notes ?? [], summary: summarize(result) }, null, 2)}\n`);
    } else {
      io.stdout(formatReproduction(result));
    }
    if (result.interpreters.every((o) => o.status !== 'ok')) return 2;
    return result.reproduced ? 1 : 0;
  } catch (error) {
    if (error instanceof Error && error.name === 'AbortError') return 130;
    throw error;
  } finally {
    process.removeListener('SIGINT', onSigint);
  }
}

function describePlan(plan: ReproPlan): string {
  const lines = [
    `target: ${plan.target?.qualname ?? '?'}()${plan.instanceWhy ? ` on ${plan.instanceWhy}` : ''}`,
    `arguments: ${plan.argsWhy ?? plan.argSets ?? '?'}`,
    `observing: ${plan.stateLabel ?? 'results and exceptions'}${plan.actLine ? `; executions of line ${plan.actLine}` : ''}`,
    ...(plan.companion ? [`alongside: ${plan.companion.qualname}() on every other thread (it changes ${plan.stateLabel})`] : []),
    ...(plan.notes ?? []).map((n) => `note: ${n}`),
  ];
  return `${lines.join('\n')}\n`;
}

/** Free-threaded interpreters found, plus the first GIL one for contrast. */
async function discover(io: CliIO, signal: AbortSignal): Promise<InterpreterConfig[]> {
  const { selected } = defaultSelection(await discoverInterpreters({ probe: { signal } }));
  const free = selected.filter((f) => !f.info.gil_enabled);
  const gil = selected.find((f) => f.info.gil_enabled);
  const chosen = [...free, ...(gil ? [gil] : [])];
  for (const f of chosen) io.stderr(`using ${f.info.label} (${f.info.version}, ${gilMode(f.info)})\n`);
  if (free.length === 0) io.stderr('ftaudit reproduce: no free-threaded interpreter found (python3.13t, python3.14t, …); with the GIL most races stay hidden. Name one with --python PATH\n');
  return chosen.map((f) => f.config);
}
