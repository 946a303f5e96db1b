// The real-race corpus under test/corpus/: enumeration, `# race` / `# fixed` markers, and one CLI run
// per case (a file, or a folder checked as one project), in-process through `ftaudit check --format json`.
// Shared by scripts/bench-recall.ts and test/unit/corpus.test.ts.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { runCheckCommand } from '../../server/src/cli/check';

export const CORPUS = join(__dirname, '..', 'corpus');
export const EXPECTED_FILE = join(CORPUS, 'expected.json');

export type Mode = 'default' | 'assume-concurrent';
export const MODES: readonly Mode[] = ['default', 'assume-concurrent'];

/** A unit checked in one run: a .py file, or a folder of modules checked together. */
export interface Unit {
  /** Path relative to test/corpus, with forward slashes (`races/x.py`, `races/x/`). */
  id: string;
  path: string;
  /** The .py files of the unit, relative to test/corpus. */
  files: string[];
}

export interface RaceCase {
  name: string;
  racy: Unit;
  after?: Unit;
}

export interface Finding {
  file: string; // relative to test/corpus
  row: number; // 1-based
  code: string;
  confidence?: string;
}

const slash = (p: string) => p.split(sep).join('/');

function listPy(dir: string): string[] {
  return readdirSync(dir)
    .sort()
    .flatMap((name) => {
      const full = join(dir, name);
      if (statSync(full).isDirectory()) return name === '__pycache__' ? [] : listPy(full);
      return name.endsWith('.py') ? [full] : [];
    });
}

function unit(path: string): Unit {
  const isDir = statSync(path).isDirectory();
  const files = (isDir ? listPy(path) : [path]).map((f) => slash(relative(CORPUS, f)));
  return { id: slash(relative(CORPUS, path)) + (isDir ? '/' : ''), path, files };
}

function entries(dir: string): string[] {
  return readdirSync(dir)
    .filter((n) => n !== '__pycache__' && (n.endsWith('.py') || statSync(join(dir, n)).isDirectory()))
    .sort();
}

export function raceCases(): RaceCase[] {
  const dir = join(CORPUS, 'races');
  const names = entries(dir);
  const present = new Set(names);
  return names
    .filter((n) => !/_after(\.py)?$/.test(n))
    .map((n) => {
      const name = n.replace(/\.py$/, '');
      const afterName = n.endsWith('.py') ? `${name}_after.py` : `${name}_after`;
      return { name, racy: unit(join(dir, n)), after: present.has(afterName) ? unit(join(dir, afterName)) : undefined };
    });
}

export function safeUnits(): Unit[] {
  const dir = join(CORPUS, 'safe');
  return entries(dir).map((n) => unit(join(dir, n)));
}

/** Safe files that count as negatives: every .py file except empty package markers. */
export function safeFiles(units: Unit[]): string[] {
  return units.flatMap((u) => u.files).filter((f) => readFileSync(join(CORPUS, f), 'utf8').trim() !== '');
}

/** 1-based rows whose code ends with a trailing `# race` (or `# fixed`) comment. */
export function markedLines(file: string, marker: 'race' | 'fixed'): number[] {
  const re = new RegExp(`^\\s*[^#\\s].*#\\s*${marker}\\s*$`);
  const rows: number[] = [];
  readFileSync(join(CORPUS, file), 'utf8')
    .split(/\r\n|\r|\n/)
    .forEach((line, i) => {
      if (re.test(line)) rows.push(i + 1);
    });
  return rows;
}

interface JsonRow {
  filename: string;
  code: string;
  location: { row: number };
  confidence?: string;
}

/**
 * Runs `ftaudit check --format json --isolated --jobs 1 [--assume-concurrent] PATH` in-process. Errors
 * (exit status 2: a file the analysis failed on) go to `errors`; the findings of the rest still count.
 */
export async function runCheck(paths: string[], mode: Mode, errors: string[] = []): Promise<Finding[]> {
  let out = '';
  let err = '';
  const io = { stdout: (t: string) => void (out += t), stderr: (t: string) => void (err += t), isTTY: false };
  const args = ['--format', 'json', '--isolated', '--jobs', '1', ...(mode === 'assume-concurrent' ? ['--assume-concurrent'] : []), ...paths];
  const status = await runCheckCommand(args, io, '0.0.0');
  if (status === 2) errors.push(`ftaudit check (${mode}) failed on ${paths.map((p) => slash(relative(CORPUS, p))).join(' ')}: ${err.trim()}`);
  const rows = JSON.parse(out) as JsonRow[];
  return rows.map((r) => ({ file: slash(relative(CORPUS, r.filename)), row: r.location.row, code: r.code, ...(r.confidence ? { confidence: r.confidence } : {}) }));
}

export interface CaseResult {
  name: string;
  raceLines: Record<string, number[]>; // file → marked rows
  reportedRace: Record<string, number[]>; // file → marked rows with a finding starting on them
  fixedLines: Record<string, number[]>;
  reportedFixed: Record<string, number[]>;
  findings: Finding[]; // racy and after units
}

export interface CorpusResult {
  mode: Mode;
  cases: CaseResult[];
  safe: { files: string[]; findings: Finding[] };
  errors: string[];
}

const rowsByFile = (findings: Finding[]) => {
  const m = new Map<string, Set<number>>();
  for (const f of findings) {
    if (!m.has(f.file)) m.set(f.file, new Set());
    m.get(f.file)!.add(f.row);
  }
  return m;
};

function hits(files: string[], marker: 'race' | 'fixed', findings: Finding[]) {
  const byFile = rowsByFile(findings);
  const marked: Record<string, number[]> = {};
  const reported: Record<string, number[]> = {};
  for (const file of files) {
    const rows = markedLines(file, marker);
    if (rows.length === 0) continue;
    marked[file] = rows;
    reported[file] = rows.filter((r) => byFile.get(file)?.has(r));
  }
  return { marked, reported };
}

export async function runCorpus(mode: Mode): Promise<CorpusResult> {
  const cases: CaseResult[] = [];
  const errors: string[] = [];
  for (const c of raceCases()) {
    const racyFindings = await runCheck([c.racy.path], mode, errors);
    const afterFindings = c.after ? await runCheck([c.after.path], mode, errors) : [];
    const race = hits(c.racy.files, 'race', racyFindings);
    const fixed = hits(c.after?.files ?? [], 'fixed', afterFindings);
    cases.push({ name: c.name, raceLines: race.marked, reportedRace: race.reported, fixedLines: fixed.marked, reportedFixed: fixed.reported, findings: [...racyFindings, ...afterFindings] });
  }
  const units = safeUnits();
  const safeFindings: Finding[] = [];
  for (const u of units) safeFindings.push(...(await runCheck([u.path], mode, errors)));
  return { mode, cases, safe: { files: safeFiles(units), findings: safeFindings }, errors };
}

export interface Summary {
  mode: Mode;
  cases: number;
  casesHit: number;
  raceLines: number;
  raceLinesHit: number;
  safeFiles: number;
  safeClean: number;
  fixedLines: number;
  fixedReported: number;
  findings: number;
}

const count = (r: Record<string, number[]>) => Object.values(r).reduce((n, rows) => n + rows.length, 0);

export function summarize(result: CorpusResult): Summary {
  const dirty = new Set(result.safe.findings.map((f) => f.file));
  return {
    mode: result.mode,
    cases: result.cases.length,
    casesHit: result.cases.filter((c) => count(c.reportedRace) > 0).length,
    raceLines: result.cases.reduce((n, c) => n + count(c.raceLines), 0),
    raceLinesHit: result.cases.reduce((n, c) => n + count(c.reportedRace), 0),
    safeFiles: result.safe.files.length,
    safeClean: result.safe.files.filter((f) => !dirty.has(f)).length,
    fixedLines: result.cases.reduce((n, c) => n + count(c.fixedLines), 0),
    fixedReported: result.cases.reduce((n, c) => n + count(c.reportedFixed), 0),
    findings: result.cases.reduce((n, c) => n + c.findings.length, 0) + result.safe.findings.length,
  };
}

/**
 * The pinned behaviour (assume-concurrent mode): the race lines that are missed, the fixed lines that
 * are reported, and the rows of safe files with findings. Sorted, timestamp-free: regenerate with
 * `node --import tsx scripts/bench-recall.ts --update-expected`.
 */
export interface Expected {
  mode: Mode;
  missedRaceLines: Record<string, number[]>;
  reportedFixedLines: Record<string, number[]>;
  safeFileFindings: Record<string, number[]>;
}

export function expectedOf(result: CorpusResult): Expected {
  const missed: Record<string, number[]> = {};
  const fixed: Record<string, number[]> = {};
  for (const c of result.cases) {
    for (const [file, rows] of Object.entries(c.raceLines)) {
      const hit = new Set(c.reportedRace[file]);
      const m = rows.filter((r) => !hit.has(r));
      if (m.length > 0) missed[file] = m;
    }
    for (const [file, rows] of Object.entries(c.reportedFixed)) if (rows.length > 0) fixed[file] = rows;
  }
  const safe: Record<string, number[]> = {};
  for (const [file, rows] of rowsByFile(result.safe.findings)) safe[file] = [...rows].sort((a, b) => a - b);
  const sorted = (r: Record<string, number[]>) => Object.fromEntries(Object.keys(r).sort().map((k) => [k, r[k]]));
  return { mode: result.mode, missedRaceLines: sorted(missed), reportedFixedLines: sorted(fixed), safeFileFindings: sorted(safe) };
}

/** expected.json's text: two-space JSON with each list of rows on one line. */
export function formatExpected(expected: Expected): string {
  const text = JSON.stringify(expected, null, 2).replace(/\[\s+([\d,\s]+?)\s+\]/g, (_m, inner: string) => `[${inner.split(/,\s*/).join(', ')}]`);
  return `${text}\n`;
}
