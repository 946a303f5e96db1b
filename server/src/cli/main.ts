// `ftaudit` command-line entry: dispatches to `check`, `bench` and `rules`.
import { version } from '../../../package.json';
import { ALL_RULES, ruleDocUrl } from '../analysis';
import { runBenchCommand } from './bench';
import { runCheckCommand } from './check';
import { runReproduceCommand } from './reproduce';
import { processIO, type CliIO } from './io';

const USAGE = `ftaudit ${version} — free-threading (no-GIL) audit for Python

Usage:
  ftaudit check [--format text|json|sarif] [--select CODES] [--ignore CODES] [--fix [--unsafe-fixes]]
                [--config FILE | --isolated] [--jobs N] ... PATH...
  ftaudit bench [--python PATH]... [--experiment ID]... [--trials N] [--threads N] [--quick]
                [--format text|json|markdown] [--output FILE]
  ftaudit reproduce FILE:LINE [--python PATH]... [--threads N] [--calls N] [--format text|json]
                                run the racing code from many threads and show what it does
  ftaudit rules                 list the rules
  ftaudit --version

Run \`ftaudit <command> --help\` for the options of a command.`;

export async function main(argv: string[], io: CliIO = processIO): Promise<number> {
  const [command, ...rest] = argv;
  switch (command) {
    case 'check':
      return runCheckCommand(rest, io, version);
    case 'bench':
      return runBenchCommand(rest, io);
    case 'reproduce':
      return runReproduceCommand(rest, io);
    case 'rules':
      for (const r of ALL_RULES) io.stdout(`${r.code}  ${r.name.padEnd(36)} ${r.precision.padEnd(6)}  ${r.summary}${r.optIn ? ' (opt-in: runs when selected)' : ''}\n    ${ruleDocUrl(r.code)}\n`);
      return 0;
    case '--version':
    case '-V':
      io.stdout(`ftaudit ${version}\n`);
      return 0;
    case undefined:
    case '--help':
    case '-h':
    case 'help':
      io.stdout(`${USAGE}\n`);
      return command === undefined ? 2 : 0;
    default:
      io.stderr(`ftaudit: unknown command '${command}'\n\n${USAGE}\n`);
      return 2;
  }
}

