// `ftaudit check [options] PATH...`
// Exit codes: 0 nothing found, 1 findings, 2 usage, I/O or config errors (results for readable files
// still print). Each file is checked with the `[tool.ftaudit]` table of its nearest pyproject.toml
// (or --config FILE, or none with --isolated), the command-line flags overriding it. The files are checked
// together, so a function started on a thread in one file is thread code in another.
import * as fs from 'fs';
import * as path from 'path';
import { parseArgs } from 'util';
import { moduleIdentity, unknownCodes } from '../analysis';
import { checkProject } from '../analysis/project/checkProject';
import { applicationModules, mainLoopFacts } from '../analysis/project/mainLoop';
import type { ProjectFacts } from '../analysis/options';
import { formatConfigError, normalizeTargetVersion, type SettingsOverrides } from '../config';
import { collectPythonFiles } from '../files/collect';
import type { Reported } from './report';
import { formatJson } from './formatters/json';
import { formatText } from './formatters/text';
import { formatSarif } from './formatters/sarif';
import type { CliIO } from './io';
import { CliConfig, type ConfigMode } from './config';
import { CheckPool, defaultJobs, workerCount } from './pool';
import type { FileOutcome } from './checkfile';

export const CHECK_USAGE = `Usage: ftaudit check [options] PATH...

Report free-threading hazards in Python files and directories (recursing into *.py).

Options:
  --format text|json|sarif   output format (default: text; json is ruff-shaped)
  --select CODES             only these rule codes or prefixes, comma-separated (ALL for every rule)
  --ignore CODES             skip these rule codes or prefixes
  --assume-concurrent        treat every function as callable from several threads at once
  --min-confidence LEVEL     report only findings of at least this confidence: low (default), medium, high
  --target-version VERSION   Python version the code targets (py313, py314 or 3.14)
  --lock-types NAMES         extra lock constructors, comma-separated dotted names
  --thread-entry-points NAMES
                             extra functions whose callable argument runs on a thread
  --config FILE              read [tool.ftaudit] from FILE instead of each file's nearest pyproject.toml
  --isolated                 ignore every configuration file
  --fix                      apply safe fixes to the files (ruff's applicability: they keep behaviour)
  --unsafe-fixes             with --fix, apply the fixes that may change behaviour too
  --jobs N                   worker threads (default: one per core; 1 checks in-process)
  --no-color                 plain text output
  -h, --help                 show this help

Settings come from the [tool.ftaudit] table of the nearest pyproject.toml; the options above override it.

Exit status: 0 nothing found, 1 findings reported, 2 usage, I/O or configuration error.`;

const FORMATS = ['text', 'json', 'sarif'] as const;
type Format = (typeof FORMATS)[number];

const splitList = (values: string[] | undefined) => (values ?? []).flatMap((v) => v.split(',')).map((v) => v.trim()).filter(Boolean);
const splitCodes = (values: string[] | undefined) => splitList(values).map((v) => v.toUpperCase());
const DOTTED_NAME = /^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$/;

function isFile(p: string): boolean {
  try {
    return fs.statSync(p).isFile();
  } catch {
    return false;
  }
}

export async function runCheckCommand(argv: string[], io: CliIO, version: string): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        format: { type: 'string', default: 'text' },
        select: { type: 'string', multiple: true },
        ignore: { type: 'string', multiple: true },
        'assume-concurrent': { type: 'boolean', default: false },
        'target-version': { type: 'string' },
        'min-confidence': { type: 'string' },
        'lock-types': { type: 'string', multiple: true },
        'thread-entry-points': { type: 'string', multiple: true },
        config: { type: 'string' },
        isolated: { type: 'boolean', default: false },
        jobs: { type: 'string', short: 'j' },
        fix: { type: 'boolean', default: false },
        'unsafe-fixes': { type: 'boolean', default: false },
        'no-color': { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
    });
  } catch (error) {
    io.stderr(`ftaudit check: ${(error as Error).message}\n\n${CHECK_USAGE}\n`);
    return 2;
  }
  const { values, positionals } = parsed;
  if (values.help) {
    io.stdout(`${CHECK_USAGE}\n`);
    return 0;
  }
  const usage = (message: string) => {
    io.stderr(`ftaudit check: ${message}\n`);
    return 2;
  };
  const format = values.format as Format;
  if (!FORMATS.includes(format)) return usage(`unknown --format '${values.format}' (expected ${FORMATS.join(', ')})`);
  if (positionals.length === 0) {
    io.stderr(`ftaudit check: no PATH given\n\n${CHECK_USAGE}\n`);
    return 2;
  }
  const select = splitCodes(values.select);
  const ignore = splitCodes(values.ignore);
  const unknown = unknownCodes([...select, ...ignore]);
  if (unknown.length > 0) return usage(`unknown rule code${unknown.length > 1 ? 's' : ''} ${unknown.join(', ')} (see \`ftaudit rules\`)`);
  let targetVersion: string | undefined;
  if (values['target-version'] !== undefined) {
    targetVersion = normalizeTargetVersion(values['target-version']);
    if (!targetVersion) return usage(`--target-version expects a Python version such as py313, py314 or 3.14 (got '${values['target-version']}')`);
  }
  const minConfidence = values['min-confidence']?.trim().toLowerCase();
  if (minConfidence !== undefined && minConfidence !== 'low' && minConfidence !== 'medium' && minConfidence !== 'high') {
    return usage(`--min-confidence expects low, medium or high (got '${values['min-confidence']}')`);
  }
  const lockTypes = splitList(values['lock-types']);
  const threadEntryPoints = splitList(values['thread-entry-points']);
  const badName = [...lockTypes, ...threadEntryPoints].find((n) => !DOTTED_NAME.test(n));
  if (badName) return usage(`'${badName}' is not a dotted Python name (like mypkg.sync.SpinLock)`);
  let jobs = defaultJobs();
  if (values.jobs !== undefined) {
    if (!/^\d+$/.test(values.jobs.trim()) || Number(values.jobs) < 1) return usage(`--jobs expects a whole number ≥ 1 (got '${values.jobs}')`);
    jobs = Number(values.jobs);
  }
  if (values.config !== undefined && values.isolated) return usage('--config cannot be used with --isolated');
  if (values['unsafe-fixes'] && !values.fix) return usage('--unsafe-fixes applies with --fix');
  const fix = values.fix ? (values['unsafe-fixes'] ? 'unsafe' : 'safe') : undefined;
  let fixed = 0;
  if (values.config !== undefined && values.config.trim() === '') return usage('--config needs a file name');

  const overrides: SettingsOverrides = {
    ...(values.select ? { select } : {}),
    ...(values.ignore ? { ignore } : {}),
    ...(values['assume-concurrent'] ? { assumeConcurrent: true } : {}),
    ...(targetVersion ? { targetVersion } : {}),
    ...(minConfidence ? { minConfidence } : {}),
    ...(lockTypes.length > 0 ? { lockTypes } : {}),
    ...(threadEntryPoints.length > 0 ? { threadEntryPoints } : {}),
  };
  const mode: ConfigMode = values.isolated ? { kind: 'isolated' } : values.config !== undefined ? { kind: 'file', path: values.config } : { kind: 'discover' };
  const config = new CliConfig(mode, overrides);

  const { files: found, errors } = await collectPythonFiles(positionals);
  let failures = errors.length;
  for (const e of errors) io.stderr(`ftaudit: error: ${e.path}: ${e.message}\n`);

  // Files named on the command line are checked even when extend-exclude matches them (as in ruff).
  const named = new Set(positionals.filter(isFile).map((p) => path.resolve(p)));
  const files = found.filter((f) => named.has(path.resolve(f)) || !config.excluded(f));
  const settingsOf = new Map(files.map((file) => [file, config.settingsFor(file)]));

  for (const loaded of config.used) {
    for (const e of loaded.errors) io.stderr(`ftaudit: error: ${formatConfigError(loaded.path, e)}\n`);
  }
  failures += config.errorCount;

  // Cross-file thread reachability: every file once, then again only those whose functions turn out
  // to run on threads started in other files (analysis/project/checkProject), on the same workers.
  const identities = new Map(files.map((f) => [f, moduleIdentity(f)]));
  const pool = new CheckPool({
    workers: workerCount(files.length, jobs),
    onWorkerError: (message) => io.stderr(`ftaudit: warning: a worker thread failed (${message}); its file is checked in-process\n`),
  });
  let outcomes: Map<string, FileOutcome>;
  try {
    outcomes = await checkProject(
      files.map((file) => ({ key: file, module: identities.get(file)!.module })),
      async (batch) => {
        const done = await pool.run(batch.map(({ key, facts, deriveOwnFacts }) => ({ file: key, settings: settingsOf.get(key)!, module: identities.get(key), facts, deriveOwnFacts, fix })));
        for (const outcome of done) fixed += outcome.fixed ?? 0;
        return done;
      },
      applicationFacts(files, identities),
    );
  } finally {
    await pool.close();
  }
  const results: Reported[] = [];
  for (const file of files) {
    const outcome = outcomes.get(file)!;
    for (const m of outcome.messages) io.stderr(m);
    failures += outcome.errors;
    results.push(...outcome.reported);
  }

  if (format === 'json') io.stdout(formatJson(results));
  else if (format === 'sarif') io.stdout(formatSarif(results, version));
  else io.stdout(formatText(results, process.cwd(), !values['no-color'] && io.isTTY));
  if (fix) io.stderr(`ftaudit: ${fixed} fix${fixed === 1 ? '' : 'es'} applied, ${results.length} finding${results.length === 1 ? '' : 's'} remaining\n`);
  if (failures > 0) return 2;
  return results.length > 0 ? 1 : 0;
}

/**
 * The application facts of the run, read from the files' text before any analysis (a cheap scan): given
 * in the first round, they cause no second one.
 */
function applicationFacts(files: readonly string[], identities: ReadonlyMap<string, { module: string }>): Map<string, ProjectFacts> {
  const scanned = files.map((file) => {
    let text = '';
    try {
      text = fs.readFileSync(file, 'latin1');
    } catch {
      // Unreadable files are reported by their own analysis.
    }
    return mainLoopFacts(identities.get(file)!.module, text);
  });
  const facts = new Map<string, ProjectFacts>();
  for (const [module, mainLoop] of applicationModules(scanned)) facts.set(module, { mainLoop });
  return facts;
}
