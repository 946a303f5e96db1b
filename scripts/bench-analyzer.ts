// `npm run bench:analyzer`: the analyzer's speed on real Python — the top-level Lib/*.py of the
// machine's python3 — in one run. A benchmark, not a test: it prints figures and checks them against
// the budgets of the performance issues, but never fails a build. Run after `npm run build` (the npm
// script does) with `node --expose-gc --import tsx scripts/bench-analyzer.ts [--reps N] [--cli-reps N]
// [--edits N] [--burst N] [--seed N] [--huge-mb N] [--no-server] [--no-cli] [--ruff PATH]`.
//
// Prints, side by side: tree-sitter parse-only vs full analysis (parse + every rule), lines/s;
// `ftaudit check` wall and CPU time with --jobs 1 and --jobs 2, paired with `ruff check --no-cache
// --isolated` on the same files when ruff is on PATH; a one-character edit re-analysed in-process
// (DocumentStore); and the real server over stdio (LSP only, so it measures a server that analyses on
// its message loop or in a worker thread alike): didChange → publishDiagnostics latency over 200 edits
// in function bodies of the 5,026-line file of 14 stdlib modules, request latency during a burst of
// 2,000 seeded hostile edits (scripts/bench/fuzz.ts), time to diagnostics and request latency right
// after an 8 MB document is opened, and the server's peak RSS (VmHWM) — then a markdown table.
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync, mkdtempSync, rmSync } from 'node:fs';
import * as os from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { pathToFileURL } from 'node:url';
import { analyze, Checker, selectRules } from '../server/src/analysis';
import { createPythonParser } from '../server/src/analysis/parser';
import { DocumentStore } from '../server/src/documents';
import { LspTestClient } from '../test/helpers/lspClient';
import { editFile, functionBodySites, lineCount, moduleLevelSites, repeatTo, stdlibCorpus } from './bench/corpus';
import { editLatency, hostileBurst, hugeDocument, misplacedRanges, peakRssKb } from './bench/server';

const BUDGET = { overheadPct: 30, editP95Ms: 15, rssMb: 300, serverEditP95Ms: 20, requestP95Ms: 200, hugeBlockMs: 1000, serverRssMb: 400, ruffRatio: 6, cliRssMb: 200 };
const repo = join(__dirname, '..');
const { values: opts } = parseArgs({
  options: {
    reps: { type: 'string', default: '5' },
    'cli-reps': { type: 'string', default: '3' },
    edits: { type: 'string', default: '200' },
    'no-server': { type: 'boolean', default: false },
    'no-cli': { type: 'boolean', default: false },
    burst: { type: 'string', default: '2000' },
    seed: { type: 'string', default: '10' },
    'huge-mb': { type: 'string', default: '8' },
    ruff: { type: 'string' },
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
  const corpus = stdlibCorpus(opts.python);
  const { stdlib, files, texts, lines } = corpus;
  const pyVersion = corpus.pythonVersion;
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

  // 2. The CLI over the same files, --jobs 1 and --jobs 2, each paired with ruff when it is on PATH:
  // the runs alternate (ftaudit 1, ftaudit 2, ruff), so the ratios compare runs made under the same load.
  if (!opts['no-cli']) await cliSection(files);

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

  if (!opts['no-server']) await serverSection(corpus);
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

/** `ruff` to compare with: --ruff PATH, else the one on PATH; null when there is none. */
function findRuff(): { path: string; version: string } | null {
  const path = opts.ruff ?? 'ruff';
  const r = spawnSync(path, ['--version'], { encoding: 'utf8' });
  return r.status === 0 ? { path, version: r.stdout.trim() } : null;
}

/** Runs any command: wall time, CPU time (ms, children included) and peak RSS (kB) via /usr/bin/time when present. */
function runCommand(command: string, args: string[]): Promise<{ wall: number; rss: number; cpu: number }> {
  const dir = mkdtempSync(join(os.tmpdir(), 'ftaudit-bench-'));
  const out = join(dir, 'time');
  const timeBin = '/usr/bin/time';
  let useTime = false;
  try {
    useTime = spawnSync(timeBin, ['-f', '%e', 'true']).status === 0;
  } catch {
    useTime = false;
  }
  return new Promise((resolve, reject) => {
    const t = now();
    const child = useTime
      ? spawn(timeBin, ['-o', out, '-f', '%U %S %M', command, ...args], { stdio: ['ignore', 'ignore', 'pipe'] })
      : spawn(command, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('exit', (code) => {
      const wall = now() - t;
      try {
        if (code !== 0 && code !== 1) return reject(new Error(`${command} exited ${code}: ${stderr.slice(0, 500)}`));
        if (!useTime) return resolve({ wall, rss: 0, cpu: NaN });
        const [user, system, rss] = readFileSync(out, 'utf8').trim().split(/\s+/).slice(-3).map(Number);
        resolve({ wall, rss, cpu: (user + system) * 1000 });
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
  });
}

async function cliSection(files: string[]): Promise<void> {
  const ruff = findRuff();
  log(`\nftaudit check (bundled CLI, --isolated, default rules, --format json), ${CLI_REPS} paired rounds${ruff ? ` with ${ruff.version} (check --no-cache --isolated)` : ' — ruff is not on PATH: no comparison (pass --ruff PATH)'}`);
  const cliArgs = (jobs: number) => ['check', '--isolated', '--format', 'json', '--jobs', String(jobs), ...files];
  type Run = { wall: number; rss: number; cpu: number };
  const j1: Run[] = [];
  const j2: Run[] = [];
  const rf: Run[] = [];
  for (let i = 0; i < CLI_REPS; i++) {
    j1.push(await runCli(cliArgs(1)));
    j2.push(await runCli(cliArgs(2)));
    if (ruff) rf.push(await runCommand(ruff.path, ['check', '--no-cache', '--isolated', '--exit-zero', '--quiet', ...files]));
  }
  const best = (runs: Run[]) => runs.reduce((a, b) => (b.wall < a.wall ? b : a));
  const pairedRatio = (runs: Run[], k: 'wall' | 'cpu') => median(runs.map((r, i) => r[k] / rf[i][k]));
  const describe = (runs: Run[]) => {
    const b = best(runs);
    return `${sec(b.wall)} s wall (median ${sec(median(runs.map((r) => r.wall)))}), ${sec(b.cpu)} s CPU (${((b.cpu / b.wall) * 100).toFixed(0)} % of one core), peak RSS ${mb(b.rss)} MB`;
  };
  const vsRuff = (runs: Run[]) => (ruff ? `; ×${pairedRatio(runs, 'wall').toFixed(1)} ruff's wall, ×${pairedRatio(runs, 'cpu').toFixed(1)} its CPU (median of paired runs)` : '');
  row('CLI, --jobs 1', `${describe(j1)}${vsRuff(j1)}`);
  const ratio2 = ruff ? pairedRatio(j2, 'wall') : NaN;
  row(
    'CLI, --jobs 2 (worker threads)',
    `${describe(j2)} — ×${(best(j1).wall / best(j2).wall).toFixed(2)} vs --jobs 1${vsRuff(j2)}`,
    ruff ? `≤ ×${BUDGET.ruffRatio} ruff, ≤ ${BUDGET.cliRssMb} MB` : `≤ ${BUDGET.cliRssMb} MB`,
    (!ruff || ratio2 <= BUDGET.ruffRatio) && best(j2).rss / 1024 <= BUDGET.cliRssMb,
  );
  if (ruff) row(`${ruff.version} check --no-cache --isolated`, describe(rf));
  else row('ruff', 'not on PATH: skipped (install it or pass --ruff PATH for the paired comparison)');
}

async function serverSection(corpus: ReturnType<typeof stdlibCorpus>): Promise<void> {
  const { text, modules } = editFile(corpus);
  const editLines = lineCount(text);
  const sites = functionBodySites(text, Math.max(1, Math.ceil(EDITS / 2)));
  const BURST = Number(opts.burst);
  const SEED = Number(opts.seed);
  const hugeBytes = Number(opts['huge-mb']) * 1024 * 1024;
  const huge = repeatTo(text, hugeBytes);
  const dir = mkdtempSync(join(os.tmpdir(), 'ftaudit-bench-server-'));
  const uri = (name: string) => pathToFileURL(join(dir, name)).href;
  log(`\nthe server over stdio (node server/out/server.js --stdio, default settings): ${editLines.toLocaleString('en')}-line file of ${modules.length} modules (${modules[0]} … ${modules[modules.length - 1]})`);
  const client = await LspTestClient.start();
  const pid = client.process.pid;
  let crashed = false;
  client.process.once('exit', (code, signal) => {
    if (code !== 0) crashed = true;
    if (code !== 0) log(`  the server exited: code ${code}, signal ${signal}`);
  });
  try {
    // (a) one-character edits in function bodies.
    const edits = await editLatency(client, uri('edit.py'), text, sites, EDITS);
    const p95 = quantile(edits.times, 0.95);
    row(
      `server: didChange → publishDiagnostics, ${EDITS} one-character edits in function bodies (${editLines.toLocaleString('en')} lines)`,
      `median ${ms(median(edits.times))} ms, p95 ${ms(p95)} ms, max ${ms(Math.max(...edits.times))} ms`,
      `p95 ≤ ${BUDGET.serverEditP95Ms} ms`,
      p95 <= BUDGET.serverEditP95Ms,
    );
    row(
      `server: didChange → ftaudit/diagnosticsComplete (the full analysis), ${edits.completeTimes.length} of those edits`,
      `median ${ms(median(edits.completeTimes))} ms, p95 ${ms(quantile(edits.completeTimes, 0.95))} ms, max ${ms(Math.max(...edits.completeTimes))} ms`,
    );
    await client.connection.sendNotification('textDocument/didClose', { textDocument: { uri: uri('edit.py') } });
    // (a') edits at module and class level: no first answer covers them, the full analysis runs before the first publish.
    const outside = await editLatency(client, uri('edit-module-level.py'), text, moduleLevelSites(text, 10), 20);
    row(
      `server: didChange → publishDiagnostics, 20 one-character edits at module or class level (full analysis first)`,
      `median ${ms(median(outside.times))} ms, p95 ${ms(quantile(outside.times, 0.95))} ms, max ${ms(Math.max(...outside.times))} ms`,
    );
    await client.connection.sendNotification('textDocument/didClose', { textDocument: { uri: uri('edit-module-level.py') } });
    const afterEdits = peakRssKb(pid);

    // (b) a burst of hostile edits, with a request every ~50 ms.
    const burst = await hostileBurst(client, uri('fuzz.py'), text, BURST, SEED, {
      pasteSource: corpus.texts.join('\n'),
      hugeAt: Math.floor(BURST * 0.75),
      hugeText: huge,
      restoreAfter: 5,
    });
    const rp95 = quantile(burst.requestTimes, 0.95);
    const misplaced = misplacedRanges(burst.finalText, burst.final.diagnostics);
    row(
      `server: requests during ${BURST.toLocaleString('en')} hostile edits (seed ${SEED}; ${Object.entries(burst.kinds).map(([k, n]) => `${n} ${k}`).join(', ')})`,
      `${burst.requestTimes.length} code-action requests every ~50 ms: median ${ms(median(burst.requestTimes))} ms, p95 ${ms(rp95)} ms, max ${ms(Math.max(...burst.requestTimes))} ms (${burst.requestErrors} answered with an error; this client's own event-loop lag meanwhile: p95 ${ms(quantile(burst.clientLag, 0.95))} ms, max ${ms(Math.max(...burst.clientLag))} ms); final diagnostics ${ms(burst.settleMs)} ms after the last edit; ${crashed ? 'CRASHED' : '0 crashes'}, ${misplaced.length} misplaced ranges; burst took ${sec(burst.wallMs)} s`,
      `p95 ≤ ${BUDGET.requestP95Ms} ms`,
      rp95 <= BUDGET.requestP95Ms && !crashed && misplaced.length === 0,
    );
    await client.connection.sendNotification('textDocument/didClose', { textDocument: { uri: uri('fuzz.py') } });
    const afterBurst = peakRssKb(pid);

    // (c) an 8 MB document opened.
    const big = await hugeDocument(client, uri('huge.py'), huge);
    const worst = Math.max(...big.requestTimes);
    row(
      `server: a ${(huge.length / 2 ** 20).toFixed(1)} MB document (${lineCount(huge).toLocaleString('en')} lines) opened`,
      `diagnostics after ${sec(big.diagnosticsMs)} s (${big.count} published); a request sent right after the didOpen answered in ${ms(big.firstRequestMs)} ms; ${big.requestTimes.length} requests until then: median ${ms(median(big.requestTimes))} ms, max ${ms(worst)} ms`,
      `no request waits > ${BUDGET.hugeBlockMs} ms`,
      worst <= BUDGET.hugeBlockMs,
    );
    await client.connection.sendNotification('textDocument/didClose', { textDocument: { uri: uri('huge.py') } });
    const peak = peakRssKb(pid);
    row(
      'server: peak RSS (VmHWM)',
      peak ? `${mb(peak)} MB (after the edits ${mb(afterEdits ?? 0)} MB, after the burst ${mb(afterBurst ?? 0)} MB)` : 'unknown (no /proc)',
      `≤ ${BUDGET.serverRssMb} MB`,
      !!peak && peak / 1024 <= BUDGET.serverRssMb,
    );
  } finally {
    if (!crashed) await Promise.race([client.stop(), new Promise((r) => setTimeout(r, 10_000))]);
    if (client.process.exitCode === null) client.process.kill();
    rmSync(dir, { recursive: true, force: true });
  }
}

main().then(
  () => process.exit(0),
  (error) => {
    log(`bench-analyzer: ${error instanceof Error ? error.stack : String(error)}`);
    process.exit(1);
  },
);
