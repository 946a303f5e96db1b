// `ftaudit check [--format text|json|sarif] [--select CODES] [--ignore CODES] PATH...`
// Exit codes: 0 nothing found, 1 findings, 2 usage or I/O errors (results for readable files still print).
import { parseArgs } from 'util';
import { Checker, unknownCodes, type CheckResult } from '../analysis';
import type { Node } from '../analysis/parser';
import { collectPythonFiles } from './files';
import { readSource } from './source';
import { reportFindings, type Reported } from './report';
import { formatJson } from './formatters/json';
import { formatText } from './formatters/text';
import { formatSarif } from './formatters/sarif';
import type { CliIO } from './io';

export const CHECK_USAGE = `Usage: ftaudit check [options] PATH...

Report free-threading hazards in Python files and directories (recursing into *.py).

Options:
  --format text|json|sarif   output format (default: text; json is ruff-shaped)
  --select CODES             only these rule codes or prefixes, comma-separated (ALL for every rule)
  --ignore CODES             skip these rule codes or prefixes
  --assume-concurrent        treat every function as callable from several threads at once
  --no-color                 plain text output
  -h, --help                 show this help

Exit status: 0 nothing found, 1 findings reported, 2 usage or I/O error.`;

const FORMATS = ['text', 'json', 'sarif'] as const;
type Format = (typeof FORMATS)[number];

const splitCodes = (values: string[] | undefined) =>
  (values ?? []).flatMap((v) => v.split(',')).map((v) => v.trim().toUpperCase()).filter(Boolean);

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
  const format = values.format as Format;
  if (!FORMATS.includes(format)) {
    io.stderr(`ftaudit check: unknown --format '${values.format}' (expected ${FORMATS.join(', ')})\n`);
    return 2;
  }
  if (positionals.length === 0) {
    io.stderr(`ftaudit check: no PATH given\n\n${CHECK_USAGE}\n`);
    return 2;
  }
  const select = splitCodes(values.select);
  const ignore = splitCodes(values.ignore);
  const unknown = unknownCodes([...select, ...ignore]);
  if (unknown.length > 0) {
    io.stderr(`ftaudit check: unknown rule code${unknown.length > 1 ? 's' : ''} ${unknown.join(', ')} (see \`ftaudit rules\`)\n`);
    return 2;
  }

  const { files, errors } = await collectPythonFiles(positionals);
  let ioErrors = errors.length;
  for (const e of errors) io.stderr(`ftaudit: error: ${e.path}: ${e.message}\n`);

  const checker = await Checker.create({ select, ignore, assumeConcurrent: values['assume-concurrent'] });
  const results: Reported[] = [];
  for (const file of files) {
    const source = await readSource(file);
    if (!source.ok) {
      io.stderr(`ftaudit: error: ${file}: ${source.message}\n`);
      ioErrors++;
      continue;
    }
    let result: CheckResult;
    try {
      result = checker.check(source.text);
    } catch (error) {
      io.stderr(`ftaudit: error: ${file}: analysis failed: ${(error as Error).message}\n`);
      ioErrors++;
      continue;
    }
    if (result.hasSyntaxErrors) {
      const at = firstErrorLine(result.tree.rootNode);
      io.stderr(`ftaudit: warning: ${file}:${at}: syntax error; results for this file may be partial\n`);
    }
    result.tree.delete();
    results.push(...reportFindings(file, source.text, result.findings));
  }

  if (format === 'json') io.stdout(formatJson(results));
  else if (format === 'sarif') io.stdout(formatSarif(results, version));
  else io.stdout(formatText(results, process.cwd(), !values['no-color'] && io.isTTY));
  if (ioErrors > 0) return 2;
  return results.length > 0 ? 1 : 0;
}

/** 1-based line of the first ERROR or MISSING node. */
function firstErrorLine(root: Node): number {
  const cursor = root.walk();
  try {
    for (;;) {
      if (cursor.nodeType === 'ERROR' || cursor.nodeIsMissing) return cursor.startPosition.row + 1;
      const node = cursor.currentNode;
      if (node.hasError && cursor.gotoFirstChild()) continue;
      while (!cursor.gotoNextSibling()) if (!cursor.gotoParent()) return 1;
    }
  } finally {
    cursor.delete();
  }
}
