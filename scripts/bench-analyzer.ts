// `npm run bench:analyzer`: the analyzer's speed on real Python — the top-level Lib/*.py of the
// machine's python3 — in one run. A benchmark, not a test: it prints figures and checks them against
// the budgets of the engine issue, but never fails a build. Run after `npm run build` (the npm script
// does) with `node --expose-gc --import tsx scripts/bench-analyzer.ts [--reps N] [--edits N] [--no-server]`.
//
// Prints: tree-sitter parse-only time, full check time (parse + every rule), their ratio, lines/s,
// `ftaudit check` wall time on every core vs one (worker threads), peak memory (RSS), and the latency
// to re-analyse a 5,000-line file after a one-character edit — in-process (DocumentStore: edit,
// incremental parse, analysis) and through the real server over stdio — then a markdown table.
import { execFileSync, spawn } from 'node:child_process';
import { readdirSync, readFileSync, writeFileSync, mkdtempSync, rmSync } from 'node:fs';
import * as os from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { pathToFileURL } from 'node:url';
import { analyze, Checker, selectRules } from '../server/src/analysis';
import { createPythonParser } from '../server/src/analysis/parser';
import { DocumentStore } from '../server/src/documents';
import { LspTestClient } from '../test/helpers/lspClient';

const BUDGET = { overheadPct: 30, editP95Ms: 15, rssMb: 300 };
const repo = join(__dirname, '..');
const { values: opts } = parseArgs({
  options: {
    reps: { type: 'string', default: '5' },
    'cli-reps': { type: 'string', default: '3' },
    edits: { type: 'string', default: '200' },
    'no-server': { type: 'boolean', default: false },
    python: { type: 'string', default: 'python3' },
  },
});
const REPS = Number(opts.reps);
const CLI_REPS = Number(opts['cli-reps']);
const EDITS = Number(opts.edits);

const gc = (globalThis as { gc?: () => void }).gc ?? (() => undefined);
const now = () => performance.now();
const median = (xs: number[]) => quantile(xs, 0.5);
function quantile(xs: number[], q: number): number {
  const s = [...xs].sort((a, b) => a - b);
  const i = (s.length - 1) * q;
  const lo = Math.floor(i);
  return s[lo] + (s[Math.min(lo + 1, s.length - 1)] - s[lo]) * (i - lo);
}
const ms = (x: number) => (x >= 100 ? x.toFixed(0) : x >= 10 ? x.toFixed(1) : x.toFixed(2));
const sec = (x: number) => (x / 1000).toFixed(2);
const mb = (kb: number) => (kb / 1024).toFixed(0);
const log = (s: string) => process.stderr.write(`${s}\n`);

interface Row {
  what: string;
  value: string;
  budget?: string;
  ok?: boolean;
}
const rows: Row[] = [];
const row = (what: string, value: string, budget?: string, ok?: boolean) => {
  rows.push({ what, value, budget, ok });
  log(`  ${what}: ${value}${budget ? `  (budget ${budget}: ${ok ? 'met' : 'MISSED'})` : ''}`);
};

async function main(): Promise<void> {
  const stdlib = execFileSync(opts.python, ['-c', "import sysconfig;print(sysconfig.get_paths()['stdlib'])"], { encoding: 'utf8' }).trim();
  const pyVersion = execFileSync(opts.python, ['-c', 'import sys;print(sys.version.split()[0])'], { encoding: 'utf8' }).trim();
  const files = readdirSync(stdlib).filter((f) => f.endsWith('.py')).sort().map((f) => join(stdlib, f));
  const texts = files.map((f) => readFileSync(f, 'utf8'));
  const lines = texts.reduce((n, t) => n + t.split('\n').length - (t.endsWith('\n') ? 1 : 0), 0);
  const rules = selectRules({ select: ['ALL'] });
  const machine = `${os.cpus()[0]?.model ?? 'unknown CPU'} × ${os.availableParallelism()} (${(os.totalmem() / 2 ** 30).toFixed(0)} GB), ${os.platform()} ${os.release()}, Node ${process.versions.node}`;
  const load = os.loadavg().map((l) => l.toFixed(2)).join(' ');
  let commit = 'unknown commit';
  try {
    commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: repo, encoding: 'utf8' }).trim();
    if (execFileSync('git', ['status', '--porcelain', '--', 'server/src'], { cwd: repo, encoding: 'utf8' }).trim()) commit += ' + uncommitted changes';
  } catch {
    // not a git checkout
  }
  log(`ftaudit analyzer benchmark — ${new Date().toISOString()}`);
  log(`machine: ${machine}; load average at start: ${load}; ftaudit at ${commit}`);
  log(`corpus: ${files.length} files, ${lines.toLocaleString('en')} lines — top-level ${stdlib}/*.py (Python ${pyVersion}); rules: ${rules.map((r) => r.code).join(' ')}`);

  // 1. Parse only vs parse + every rule, in-process, best of REPS passes over the corpus.
  const parser = await createPythonParser();
  const checker = await Checker.create({ select: ['ALL'] });
  // Wall time, and CPU time of the process (on a shared machine CPU time is the steadier figure).
  const timed = <T>(fn: () => T): { wall: number; cpu: number; value: T } => {
    const c = process.cpuUsage();
    const t = now();
    const value = fn();
    const wall = now() - t;
    const used = process.cpuUsage(c);
    return { wall, cpu: (used.user + used.system) / 1000, value };
  };
  const parsePass = () => timed(() => texts.forEach((text) => parser.parse(text)!.delete()));
  const checkPass = () => timed(() => texts.reduce((n, text) => n + checker.checkText(text).findings.length, 0));
  parsePass(); // warm-up: JIT and the wasm heap
  checkPass();
  const parseRuns: Array<{ wall: number; cpu: number }> = [];
  const checkRuns: Array<{ wall: number; cpu: number }> = [];
  let findings = 0;
  for (let i = 0; i < REPS; i++) {
    gc();
    parseRuns.push(parsePass());
    gc();
    const c = checkPass();
    checkRuns.push(c);
    findings = c.value;
  }
  const best = (runs: Array<{ wall: number; cpu: number }>, k: 'wall' | 'cpu') => Math.min(...runs.map((r) => r[k]));
  const parseMs = best(parseRuns, 'wall');
  const checkMs = best(checkRuns, 'wall');
  const overhead = ((checkMs - parseMs) / parseMs) * 100;
  const overheadCpu = ((best(checkRuns, 'cpu') - best(parseRuns, 'cpu')) / best(parseRuns, 'cpu')) * 100;
  log('\nin-process, one thread (best of ' + REPS + ')');
  row('parse only (tree-sitter)', `${ms(parseMs)} ms (CPU ${ms(best(parseRuns, 'cpu'))} ms)`);
  row('full check (parse + all rules)', `${ms(checkMs)} ms (CPU ${ms(best(checkRuns, 'cpu'))} ms), ${findings} findings`);
  row(
    'analysis overhead (check ÷ parse − 1)',
    `${overhead.toFixed(0)} % (×${(checkMs / parseMs).toFixed(2)}); by CPU time ${overheadCpu.toFixed(0)} %`,
    `≤ ${BUDGET.overheadPct} %`,
    overhead <= BUDGET.overheadPct,
  );
  row('throughput', `${Math.round(lines / (checkMs / 1000)).toLocaleString('en')} lines/s (parse only: ${Math.round(lines / (parseMs / 1000)).toLocaleString('en')})`);
  const inProcessRss = process.resourceUsage().maxRSS;
  row('peak RSS of this process so far', `${mb(inProcessRss)} MB`);

  // 2. The CLI over the same files: every core (worker threads) vs one.
  const cores = os.availableParallelism();
  log(`\nftaudit check (bundled CLI, --isolated --select ALL --format json), best of ${CLI_REPS}`);
  // Alternated, best of CLI_REPS each: on a shared machine the minimum is the figure least disturbed.
  const cliArgs = (jobs: number) => ['check', '--isolated', '--select', 'ALL', '--format', 'json', '--jobs', String(jobs), ...files];
  let one = { wall: Infinity, rss: 0, cpu: 0 };
  let all = { wall: Infinity, rss: 0, cpu: 0 };
  for (let i = 0; i < CLI_REPS; i++) {
    const a = await runCli(cliArgs(1));
    if (a.wall < one.wall) one = a;
    const b = await runCli(cliArgs(cores));
    if (b.wall < all.wall) all = b;
  }
  const cpu = (r: typeof one) => `${sec(r.cpu)} s CPU (${((r.cpu / r.wall) * 100).toFixed(0)} % of one core)`;
  row(`CLI wall time, --jobs 1`, `${sec(one.wall)} s; ${cpu(one)}; peak RSS ${mb(one.rss)} MB`);
  row(
    `CLI wall time, --jobs ${cores} (worker threads)`,
    `${sec(all.wall)} s — ×${(one.wall / all.wall).toFixed(2)} vs --jobs 1; ${cpu(all)}; peak RSS ${mb(all.rss)} MB`,
    `≤ ${BUDGET.rssMb} MB`,
    all.rss / 1024 <= BUDGET.rssMb,
  );

  // 3. A one-character edit in a 5,000-line file.
  const { text: big, name } = fiveThousandLines(files, texts);
  const bigLines = big.split('\n').length - 1;
  const edit = editSite(big);
  log(`\none-character edits in a ${bigLines}-line file (${name}), ${EDITS} edits (insert, then delete, a character at line ${edit.line})`);
  const store = new DocumentStore(await createPythonParser());
  const uri = 'file:///bench/big.py';
  const entry = store.open(uri, 'python', 1, big);
  const options = { assumeConcurrent: true };
  analyze({ tree: store.tree(entry), text: big, rules, options });
  const editTimes: number[] = [];
  const editCpu: number[] = [];
  const parseOnly: number[] = [];
  let version = 1;
  for (let i = 0; i < EDITS + 20; i++) {
    const insert = i % 2 === 0;
    const change = insert
      ? { range: { start: edit.position, end: edit.position }, text: 'x' }
      : { range: { start: edit.position, end: { line: edit.position.line, character: edit.position.character + 1 } }, text: '' };
    const c0 = process.cpuUsage();
    const t0 = now();
    store.change(uri, ++version, [change]);
    const tree = store.tree(entry);
    const t1 = now();
    analyze({ tree, text: entry.document.getText(), rules, options });
    const t2 = now();
    const c = process.cpuUsage(c0);
    if (i >= 20) {
      editTimes.push(t2 - t0);
      editCpu.push((c.user + c.system) / 1000);
      parseOnly.push(t1 - t0);
    }
  }
  const fresh = await createPythonParser();
  const fullTimes: number[] = [];
  for (let i = 0; i < 20; i++) {
    const t = now();
    const tree = fresh.parse(big)!;
    analyze({ tree, text: big, rules, options });
    fullTimes.push(now() - t);
    tree.delete();
  }
  const p95 = quantile(editTimes, 0.95);
  row(
    'in-process edit → incremental parse → all rules (assume-concurrent)',
    `median ${ms(median(editTimes))} ms, p95 ${ms(p95)} ms (CPU: median ${ms(median(editCpu))}, p95 ${ms(quantile(editCpu, 0.95))} ms; the incremental parse alone: median ${ms(median(parseOnly))} ms)`,
    `p95 ≤ ${BUDGET.editP95Ms} ms`,
    p95 <= BUDGET.editP95Ms,
  );
  row('same file from scratch (parse + all rules)', `median ${ms(median(fullTimes))} ms`);

  if (!opts['no-server']) {
    const server = await serverLatency(big, edit.position, Math.min(EDITS, 60));
    row(
      'server over stdio: didChange → publishDiagnostics (default rules)',
      `median ${ms(server.median)} ms, p95 ${ms(server.p95)} ms, including its ${server.debounce} ms debounce (so ≈ ${ms(server.median - server.debounce)} / ${ms(server.p95 - server.debounce)} ms of work)${server.rssKb ? `; server peak RSS ${mb(server.rssKb)} MB` : ''}`,
    );
  }
  row('peak RSS of this process (all of the above in-process)', `${mb(process.resourceUsage().maxRSS)} MB`);

  // Markdown for docs/performance.md.
  const md = [
    `Measured ${new Date().toISOString().slice(0, 10)} on ${machine}; load average at start ${load}; ftaudit at ${commit}.`,
    `Corpus: ${files.length} files, ${lines.toLocaleString('en')} lines (top-level \`Lib/*.py\` of Python ${pyVersion}); rules: ${rules.map((r) => r.code).join(', ')}.`,
    '',
    '| measure | result | budget |',
    '|---|---|---|',
    ...rows.map((r) => `| ${r.what} | ${r.value} | ${r.budget ? `${r.budget} ${r.ok ? '✅' : '❌'}` : ''} |`),
  ].join('\n');
  process.stdout.write(`\n${md}\n`);
}

/** Runs the bundled CLI: wall time, CPU time (ms) and the peak RSS (kB) of the whole process (all its threads). */
function runCli(args: string[]): Promise<{ wall: number; rss: number; cpu: number }> {
  const dir = mkdtempSync(join(os.tmpdir(), 'ftaudit-bench-'));
  const rssFile = join(dir, 'rss');
  const hook = join(dir, 'hook.cjs');
  writeFileSync(
    hook,
    `process.on('exit', () => { const u = process.resourceUsage(); require('fs').writeFileSync(${JSON.stringify(rssFile)}, JSON.stringify([u.maxRSS, (u.userCPUTime + u.systemCPUTime) / 1000])); });\n`,
  );
  return new Promise((resolve, reject) => {
    const t = now();
    const child = spawn(process.execPath, ['--require', hook, join(repo, 'bin', 'ftaudit.js'), ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('exit', (code) => {
      const wall = now() - t;
      try {
        if (code !== 0 && code !== 1) return reject(new Error(`ftaudit ${args.slice(0, 8).join(' ')} … exited ${code}: ${stderr}`));
        const [rss, cpu] = JSON.parse(readFileSync(rssFile, 'utf8')) as [number, number];
        resolve({ wall, rss, cpu });
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
  });
}

/** A real file of about 5,000 lines: the longest top-level module, cut before a top-level or method definition. */
function fiveThousandLines(files: string[], texts: string[]): { text: string; name: string } {
  let best = 0;
  for (let i = 1; i < texts.length; i++) if (texts[i].length > texts[best].length) best = i;
  const all = texts[best].split('\n');
  let cut = Math.min(all.length, 5000);
  if (all.length > 5000) while (cut > 4500 && !/^(    )?(def |class |@|async def )/.test(all[cut])) cut--;
  const name = `${files[best].split('/').pop()}${cut < all.length ? `, first ${cut} lines` : ''}`;
  return { text: `${all.slice(0, cut).join('\n')}\n`, name };
}

/** An identifier inside a function body near the middle of the file: `name` → `xname` and back. */
function editSite(text: string): { line: number; position: { line: number; character: number } } {
  const lines = text.split('\n');
  for (let n = Math.floor(lines.length / 2); n < lines.length; n++) {
    const m = /^( {8,})([A-Za-z_]\w*) = /.exec(lines[n]);
    if (m) return { line: n + 1, position: { line: n, character: m[1].length } };
  }
  throw new Error('no edit site found');
}

async function serverLatency(text: string, at: { line: number; character: number }, edits: number) {
  const debounce = Number(/ANALYSIS_DELAY_MS = (\d+)/.exec(readFileSync(join(repo, 'server', 'src', 'server.ts'), 'utf8'))?.[1] ?? 0);
  const client = await LspTestClient.start();
  const uri = pathToFileURL(join(os.tmpdir(), 'ftaudit-bench-big.py')).href;
  try {
    await client.connection.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: 'python', version: 1, text } });
    await client.diagnostics(uri, 1, 30_000);
    const times: number[] = [];
    for (let i = 0, version = 1; i < edits + 5; i++) {
      const insert = i % 2 === 0;
      const range = insert ? { start: at, end: at } : { start: at, end: { line: at.line, character: at.character + 1 } };
      const t = now();
      const published = client.diagnostics(uri, ++version, 30_000);
      await client.connection.sendNotification('textDocument/didChange', { textDocument: { uri, version }, contentChanges: [{ range, text: insert ? 'x' : '' }] });
      await published;
      if (i >= 5) times.push(now() - t);
    }
    let rssKb: number | undefined;
    try {
      const status = readFileSync(`/proc/${client.process.pid}/status`, 'utf8');
      rssKb = Number(/VmHWM:\s+(\d+) kB/.exec(status)?.[1]);
    } catch {
      rssKb = undefined; // not Linux
    }
    return { median: median(times), p95: quantile(times, 0.95), debounce, rssKb };
  } finally {
    await client.stop();
  }
}

main().then(
  () => process.exit(0),
  (error) => {
    log(`bench-analyzer: ${error instanceof Error ? error.stack : String(error)}`);
    process.exit(1);
  },
);
