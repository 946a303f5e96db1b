// `npm run bench:recall`: ftaudit on its own real-race corpus (test/corpus/, see test/corpus/README.md),
// in default mode and with --assume-concurrent. A benchmark, not a test: it prints figures and never
// fails a build (test/unit/corpus.test.ts pins the behaviour instead).
//
//   node --import tsx scripts/bench-recall.ts [--json] [--verbose] [--update-expected] [--libs DIR...]
//
// Per mode: case recall (cases with at least one `# race` line reported), line recall (`# race` lines
// reported), clean negatives (safe files without findings), reports on `# fixed` lines of after-files,
// findings in total. A finding reports a line when it starts on that row. With --libs, findings per
// 1,000 lines of Python for each directory, both modes. --update-expected rewrites
// test/corpus/expected.json from the assume-concurrent run.
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { parseArgs } from 'node:util';
import { EXPECTED_FILE, MODES, expectedOf, formatExpected, runCheck, runCorpus, summarize, type CorpusResult, type Mode, type Summary } from '../test/helpers/corpus';

const { values: opts, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    json: { type: 'boolean', default: false },
    verbose: { type: 'boolean', default: false },
    'update-expected': { type: 'boolean', default: false },
    libs: { type: 'string', multiple: true },
  },
});
// `--libs a b c`: parseArgs takes one value per flag, the rest arrive as positionals.
const libs = [...(opts.libs ?? []), ...(opts.libs ? positionals : [])];

const ratio = (a: number, b: number) => `${a}/${b} = ${b === 0 ? '-' : (a / b).toFixed(2)}`;

function table(s: Summary): string {
  const rows: [string, string][] = [
    ['case recall (≥1 `# race` line reported)', ratio(s.casesHit, s.cases)],
    ['line recall (`# race` lines reported)', ratio(s.raceLinesHit, s.raceLines)],
    ['clean negatives (safe files, no finding)', ratio(s.safeClean, s.safeFiles)],
    ['reports on `# fixed` lines of after-files', `${s.fixedReported} of ${s.fixedLines}`],
    ['findings total (races, after-files, safe)', String(s.findings)],
  ];
  const w = Math.max(...rows.map((r) => r[0].length));
  return [`mode: ${s.mode}`, `| ${'measure'.padEnd(w)} | value |`, `|${'-'.repeat(w + 2)}|-------|`, ...rows.map(([k, v]) => `| ${k.padEnd(w)} | ${v} |`)].join('\n');
}

function details(r: CorpusResult): string {
  const out: string[] = [];
  for (const c of r.cases) {
    const missed = Object.entries(c.raceLines).flatMap(([f, rows]) => rows.filter((x) => !c.reportedRace[f]?.includes(x)).map((x) => `${f}:${x}`));
    const fixed = Object.entries(c.reportedFixed).flatMap(([f, rows]) => rows.map((x) => `${f}:${x}`));
    if (missed.length || fixed.length) out.push(`  ${c.name}: missed ${missed.length ? missed.join(' ') : '-'}; fixed lines reported ${fixed.length ? fixed.join(' ') : '-'}`);
  }
  for (const f of r.safe.findings) out.push(`  safe ${f.file}:${f.row} ${f.code}`);
  return out.join('\n');
}

function pyLines(dir: string): number {
  let n = 0;
  for (const name of readdirSync(dir)) {
    const full = join(dir, name);
    if (statSync(full).isDirectory()) n += name === '__pycache__' || name.startsWith('.') ? 0 : pyLines(full);
    else if (name.endsWith('.py')) n += readFileSync(full, 'utf8').split('\n').length;
  }
  return n;
}

async function main() {
  const results: CorpusResult[] = [];
  for (const mode of MODES) results.push(await runCorpus(mode));
  const summaries = results.map(summarize);
  for (const r of results) for (const e of r.errors) process.stderr.write(`warning: ${e}\n`);
  const libRows: { dir: string; lines: number; findings: Record<Mode, number> }[] = [];
  for (const dir of libs) {
    const findings = {} as Record<Mode, number>;
    for (const mode of MODES) findings[mode] = (await runCheck([dir], mode)).length;
    libRows.push({ dir, lines: pyLines(dir), findings });
  }
  if (opts['update-expected'] && results.some((r) => r.errors.length > 0)) {
    process.stderr.write('not writing expected.json: the analysis failed on some corpus files (see the warnings)\n');
  } else if (opts['update-expected']) {
    const expected = expectedOf(results.find((r) => r.mode === 'assume-concurrent')!);
    writeFileSync(EXPECTED_FILE, formatExpected(expected));
    process.stderr.write(`wrote ${relative(process.cwd(), EXPECTED_FILE)}\n`);
  }
  if (opts.json) {
    const perKloc = (n: number, lines: number) => Number(((n * 1000) / Math.max(1, lines)).toFixed(2));
    const json = {
      summaries,
      libs: libRows.map((l) => ({ ...l, perKloc: Object.fromEntries(MODES.map((m) => [m, perKloc(l.findings[m], l.lines)])) })),
      ...(opts.verbose ? { results } : {}),
    };
    process.stdout.write(`${JSON.stringify(json, null, 2)}\n`);
    return;
  }
  for (let i = 0; i < results.length; i++) {
    process.stdout.write(`${table(summaries[i])}\n`);
    if (opts.verbose) process.stdout.write(`${details(results[i])}\n`);
    process.stdout.write('\n');
  }
  if (libRows.length > 0) {
    process.stdout.write(`| library | lines | ${MODES.map((m) => `${m} findings (per 1,000 lines)`).join(' | ')} |\n|---|---|${MODES.map(() => '---').join('|')}|\n`);
    for (const l of libRows) {
      process.stdout.write(`| ${l.dir} | ${l.lines} | ${MODES.map((m) => `${l.findings[m]} (${((l.findings[m] * 1000) / Math.max(1, l.lines)).toFixed(2)})`).join(' | ')} |\n`);
    }
  }
}

main().catch((error) => {
  process.stderr.write(`${(error as Error).stack ?? error}\n`);
  process.exit(2);
});
