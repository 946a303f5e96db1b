// Precision measurement on real libraries (docs/precision.md): runs `ftaudit check` in default mode and
// with `--assume-concurrent` over each library, prints totals per mode per library and per rule, findings
// per 1,000 lines, and a deterministic random sample of findings per mode with ±K lines of source so a
// human can classify each one (true race / benign by design / not a race).
//
//   node --import tsx scripts/precision-sample.ts --root /tmp/libs --libs scripts/precision-libs.txt
//   node --import tsx scripts/precision-sample.ts [--n 50] [--seed 9] [--context 8] [--cli PATH] DIR...
//
// --cli      the ftaudit entry to measure (default: this checkout's bin/ftaudit.js; build it first). Point
//            it at a pinned copy (a `git worktree`) to measure a fixed commit while the tree changes.
// --libs     a list of `name repo commit package-dir` lines (see scripts/precision-libs.txt), resolved
//            under --root as ROOT/name/package-dir. Positional DIRs are measured as given instead.
// --json     also write every finding and the samples to FILE (for diffing a later run against this one).
// --jobs     passed to the CLI (default 1, to share the machine).
// The sample is drawn from the findings sorted by (file, line, column, code), with a seeded PRNG
// (mulberry32): the same findings and seed give the same sample.
// Timing advice is not a race finding: FT215 and every finding of severity `hint` are left out of the
// race totals and of the sample, and counted on a separate line. Each sampled finding shows its
// `confidence` (high / medium / low), and the totals are broken down by confidence per mode.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, relative, resolve } from 'node:path';
import { parseArgs } from 'node:util';

interface Lib { name: string; repo: string; commit: string; dir: string; files: number; lines: number }
interface Row { code: string; message: string; filename: string; location: { row: number; column: number }; severity?: string; confidence?: string }
interface Finding { lib: string; file: string; row: number; column: number; code: string; severity: string; confidence: string; message: string; abs: string }

const { values: opts, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    cli: { type: 'string', default: join(__dirname, '..', 'bin', 'ftaudit.js') },
    libs: { type: 'string' },
    root: { type: 'string', default: '/tmp/libs' },
    n: { type: 'string', default: '50' },
    seed: { type: 'string', default: '9' },
    context: { type: 'string', default: '8' },
    jobs: { type: 'string', default: '1' },
    json: { type: 'string' },
  },
});
const N = Number(opts.n), SEED = Number(opts.seed) >>> 0, K = Number(opts.context);
const MODES: { name: string; args: string[] }[] = [
  { name: 'default', args: [] },
  { name: 'assume-concurrent', args: ['--assume-concurrent'] },
];

function pyFiles(dir: string): string[] {
  const out: string[] = [];
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...pyFiles(p));
    else if (e.isFile() && e.name.endsWith('.py')) out.push(p);
  }
  return out;
}
// newlines, as `wc -l` counts them
const countLines = (f: string) => readFileSync(f, 'utf8').split('\n').length - 1;

function loadLibs(): Lib[] {
  const specs: Omit<Lib, 'files' | 'lines'>[] = [];
  if (opts.libs) {
    for (const line of readFileSync(opts.libs, 'utf8').split('\n')) {
      const t = line.replace(/#.*/, '').trim().split(/\s+/);
      if (t.length < 4) continue;
      specs.push({ name: t[0], repo: t[1], commit: t[2], dir: resolve(opts.root!, t[0], t[3]) });
    }
  }
  for (const d of positionals) specs.push({ name: basename(resolve(d)), repo: '?', commit: '?', dir: resolve(d) });
  if (!specs.length) throw new Error('no libraries: give --libs FILE or DIR...');
  return specs.map((s) => {
    if (!existsSync(s.dir) || !statSync(s.dir).isDirectory()) throw new Error(`${s.name}: ${s.dir} is not a directory`);
    const files = pyFiles(s.dir);
    return { ...s, files: files.length, lines: files.reduce((a, f) => a + countLines(f), 0) };
  });
}

function run(lib: Lib, mode: { args: string[] }): Finding[] {
  const r = spawnSync(process.execPath, [opts.cli!, 'check', '--isolated', '--jobs', opts.jobs!, ...mode.args, '--format', 'json', lib.dir],
    { encoding: 'utf8', maxBuffer: 1 << 28 });
  if (r.status !== 0 && r.status !== 1) throw new Error(`ftaudit failed on ${lib.dir} (exit ${r.status}): ${r.stderr}`);
  const base = dirname(lib.dir);
  return (JSON.parse(r.stdout) as Row[]).map((x) => ({
    lib: lib.name, file: relative(base, x.filename), abs: x.filename, row: x.location.row, column: x.location.column,
    code: x.code, severity: x.severity ?? '', confidence: x.confidence ?? '', message: x.message,
  }));
}

function mulberry32(a: number) {
  return () => { a = (a + 0x6d2b79f5) >>> 0; let t = a; t = Math.imul(t ^ (t >>> 15), t | 1); t ^= t + Math.imul(t ^ (t >>> 7), t | 61); return ((t ^ (t >>> 14)) >>> 0) / 4294967296; };
}
const key = (f: Finding) => `${f.lib}\0${f.file}\0${String(f.row).padStart(7, '0')}\0${String(f.column).padStart(5, '0')}\0${f.code}`;
function sample(all: Finding[], n: number, seed: number): Finding[] {
  const xs = [...all].sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
  const rnd = mulberry32(seed);
  for (let i = xs.length - 1; i > 0; i--) { const j = Math.floor(rnd() * (i + 1)); [xs[i], xs[j]] = [xs[j], xs[i]]; }
  return xs.slice(0, n).sort((a, b) => (key(a) < key(b) ? -1 : 1));
}

function context(f: Finding): string {
  const lines = readFileSync(f.abs, 'utf8').split('\n');
  const out: string[] = [];
  for (let i = Math.max(1, f.row - K); i <= Math.min(lines.length, f.row + K); i++)
    out.push(`${i === f.row ? '>' : ' '}${String(i).padStart(6)}  ${lines[i - 1]}`);
  return out.join('\n');
}

function git(args: string[]): string {
  try { return execFileSync('git', args, { cwd: dirname(resolve(opts.cli!)), encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim(); } catch { return '?'; }
}

const libs = loadLibs();
const dirty = git(['status', '--porcelain', '--untracked-files=no']);
console.log(`# ftaudit precision sample\n`);
console.log(`cli: ${resolve(opts.cli!)} at ${git(['rev-parse', 'HEAD'])}${dirty && dirty !== '?' ? ' (working tree modified)' : ''}`);
console.log(`seed: ${SEED}, sample size: ${N} per mode, context: ±${K} lines\n`);
console.log('| library | repo | commit | .py files | lines |\n|---|---|---|---:|---:|');
for (const l of libs) console.log(`| ${l.name} | ${l.repo} | ${l.commit.slice(0, 12)} | ${l.files} | ${l.lines} |`);
const totalLines = libs.reduce((a, l) => a + l.lines, 0);
console.log(`| **total** | | | ${libs.reduce((a, l) => a + l.files, 0)} | ${totalLines} |\n`);

// timing advice (FT215, severity `hint`) is counted apart, never sampled as a race finding
const isAdvice = (f: Finding) => f.code === 'FT215' || f.severity === 'hint';
const byMode = new Map<string, Finding[]>();
const adviceByMode = new Map<string, Finding[]>();
for (const m of MODES) {
  const all = libs.flatMap((l) => run(l, m));
  byMode.set(m.name, all.filter((f) => !isAdvice(f)));
  adviceByMode.set(m.name, all.filter(isAdvice));
}

const per1k = (n: number, lines: number) => ((n * 1000) / lines).toFixed(2);
console.log(`## Totals per library\n\n| library | ${MODES.map((m) => `${m.name} | per 1k lines`).join(' | ')} |\n|---|${MODES.map(() => '---:|---:').join('|')}|`);
for (const l of [...libs, null]) {
  const cells = MODES.map((m) => {
    const n = byMode.get(m.name)!.filter((f) => !l || f.lib === l.name).length;
    return `${n} | ${per1k(n, l ? l.lines : totalLines)}`;
  });
  console.log(`| ${l ? l.name : '**total**'} | ${cells.join(' | ')} |`);
}
console.log(`| timing advice (FT215 / hint, not in the totals) | ${MODES.map((m) => { const n = adviceByMode.get(m.name)!.length; return `${n} | ${per1k(n, totalLines)}`; }).join(' | ')} |`);
const codes = [...new Set([...byMode.values()].flat().map((f) => f.code))].sort();
console.log(`\n## Totals per rule\n\n| rule | ${MODES.map((m) => m.name).join(' | ')} |\n|---|${MODES.map(() => '---:').join('|')}|`);
for (const c of codes) console.log(`| ${c} | ${MODES.map((m) => byMode.get(m.name)!.filter((f) => f.code === c).length).join(' | ')} |`);
console.log(`| **total** | ${MODES.map((m) => byMode.get(m.name)!.length).join(' | ')} |`);
const adviceCodes = [...new Set([...adviceByMode.values()].flat().map((f) => f.code))].sort();
for (const c of adviceCodes) console.log(`| ${c} (timing advice, not counted) | ${MODES.map((m) => adviceByMode.get(m.name)!.filter((f) => f.code === c).length).join(' | ')} |`);

const CONF = ['high', 'medium', 'low', ''];
console.log(`\n## Totals per confidence\n`);
for (const m of MODES) {
  const all = byMode.get(m.name)!;
  const present = CONF.filter((k) => all.some((f) => f.confidence === k));
  console.log(`### ${m.name}\n\n| rule | ${present.map((k) => k || '(none)').join(' | ')} | total |\n|---|${present.map(() => '---:').join('|')}|---:|`);
  for (const c of [...new Set(all.map((f) => f.code))].sort())
    console.log(`| ${c} | ${present.map((k) => all.filter((f) => f.code === c && f.confidence === k).length).join(' | ')} | ${all.filter((f) => f.code === c).length} |`);
  console.log(`| **total** | ${present.map((k) => all.filter((f) => f.confidence === k).length).join(' | ')} | ${all.length} |\n`);
}

const samples: Record<string, Finding[]> = {};
for (const m of MODES) {
  const all = byMode.get(m.name)!;
  const s = (samples[m.name] = sample(all, N, SEED));
  console.log(`\n## Sample, ${m.name} mode: ${s.length} of ${all.length} (seed ${SEED})\n`);
  s.forEach((f, i) => {
    console.log(`### ${m.name[0].toUpperCase()}${i + 1}. ${f.file}:${f.row} ${f.code} (${f.severity}, ${f.confidence || 'no'} confidence)\n${f.message}\n`);
    console.log('```python\n' + context(f) + '\n```\n');
  });
}
if (opts.json) {
  const strip = (f: Finding) => ({ lib: f.lib, file: f.file, row: f.row, column: f.column, code: f.code, severity: f.severity, confidence: f.confidence, message: f.message });
  writeFileSync(opts.json, JSON.stringify({
    cli: resolve(opts.cli!), commit: git(['rev-parse', 'HEAD']), seed: SEED, n: N,
    libs: libs.map(({ name, repo, commit, files, lines }) => ({ name, repo, commit, files, lines })),
    findings: Object.fromEntries(MODES.map((m) => [m.name, byMode.get(m.name)!.map(strip)])),
    advice: Object.fromEntries(MODES.map((m) => [m.name, adviceByMode.get(m.name)!.map(strip)])),
    samples: Object.fromEntries(Object.entries(samples).map(([k, v]) => [k, v.map(strip)])),
  }, null, 1));
}
