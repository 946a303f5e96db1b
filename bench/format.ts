// Renders a BenchRun: one table per experiment with a column per interpreter and the ratio to the
// first (the baseline), plus a one-line summary such as
// "scaling 8 threads: GIL 1.37 s · free-threaded 337 ms · 4.1× faster" or "race: GIL 0% lost · free-threaded 55% lost".
import { findExperiment } from './experiments';
import { gilMode, InterpreterInfo } from './probe';
import type { BenchResult, BenchRun, ParamValue } from './results';
import { median } from './stats';

export type OutputFormat = 'text' | 'json' | 'markdown';
export const OUTPUT_FORMATS: readonly OutputFormat[] = ['text', 'json', 'markdown'];

export function formatRun(run: BenchRun, format: OutputFormat): string {
  switch (format) {
    case 'json':
      return JSON.stringify(run, null, 2) + '\n';
    case 'markdown':
      return renderMarkdown(run);
    default:
      return renderText(run);
  }
}

// ---- numbers -------------------------------------------------------------------------------

/** 3 significant digits: "1.37 s", "12.3 s", "337 ms", "15.8 ms". */
export function formatSeconds(seconds: number): string {
  if (!Number.isFinite(seconds)) return '–';
  if (seconds >= 1) return `${trim3(seconds)} s`;
  const ms = seconds * 1000;
  if (ms >= 0.1) return `${trim3(ms)} ms`;
  return `${trim3(ms * 1000)} µs`;
}

/** "15.1–16.2 ms", or "950 ms–1.02 s" across units. */
export function formatRange(min: number, max: number): string {
  const a = formatSeconds(min);
  const b = formatSeconds(max);
  const unitA = a.split(' ')[1];
  return unitA !== undefined && unitA === b.split(' ')[1] ? `${a.split(' ')[0]}–${b}` : `${a}–${b}`;
}

function trim3(value: number): string {
  if (value >= 100) return value.toFixed(0);
  return value >= 10 ? value.toFixed(1) : value.toFixed(2);
}

/** How `other` compares with `baseline` for a time (lower is better): "4.1× faster", "1.08× slower". */
export function formatRatio(baseline: number, other: number): string {
  if (!(baseline > 0) || !(other > 0)) return '–';
  const r = baseline / other;
  if (r >= 1 / 1.05 && r < 1.05) return 'about the same';
  const factor = r >= 1 ? r : 1 / r;
  return `${factor < 2 ? factor.toFixed(2) : factor.toFixed(1)}× ${r >= 1 ? 'faster' : 'slower'}`;
}

/** "0%", "0.4%", "55%". */
export function formatPercent(fraction: number): string {
  const pct = fraction * 100;
  if (pct === 0) return '0%';
  return pct < 1 ? `${pct.toFixed(1)}%` : `${Math.round(pct)}%`;
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

function formatCount(n: number): string {
  return Math.round(n).toLocaleString('en-US');
}

function formatParams(params: Record<string, ParamValue>): string {
  return Object.entries(params)
    .map(([k, v]) => `${k}=${typeof v === 'number' && Number.isInteger(v) ? formatCount(v) : String(v)}`)
    .join(' · ');
}

// ---- the table model shared by the text and markdown renderers -----------------------------

interface Row {
  label: string;
  cells: string[];
  /** One per non-baseline interpreter, or none for rows without a ratio. */
  ratios?: string[];
}

export interface ExperimentTable {
  experiment: string;
  title: string;
  params: string;
  columns: { label: string; detail: string }[];
  ratioHeaders: string[];
  rows: Row[];
  summary: string;
  notes: string[];
}

export function experimentTables(run: BenchRun): ExperimentTable[] {
  const order: string[] = [];
  for (const r of run.results) if (!order.includes(r.experiment)) order.push(r.experiment);
  return order.map((id) => experimentTable(run, id));
}

function experimentTable(run: BenchRun, id: string): ExperimentTable {
  const results = run.results.filter((r) => r.experiment === id);
  const infos = results.map((r) => run.interpreters.find((i) => i.label === r.interpreter) ?? unknownInfo(r.interpreter));
  const names = shortNames(infos);
  const base = results[0];
  const others = results.slice(1);
  const ratioHeaders = others.length === 1 ? ['ratio'] : others.map((_, i) => `${names[i + 1]} vs ${names[0]}`);
  const ok = (r: BenchResult) => !r.error && r.median_s !== null;
  const timeRatios = (pick: (r: BenchResult) => number | undefined | null) =>
    others.map((r) => {
      const a = ok(base) ? pick(base) : undefined;
      const b = ok(r) ? pick(r) : undefined;
      return a && b ? formatRatio(a, b) : '–';
    });
  const cell = (r: BenchResult, text: (r: BenchResult) => string) => (r.error ? 'failed' : r.median_s === null ? '–' : text(r));
  const noisy = (r: BenchResult) => (r.warnings.some((w) => w.startsWith('spread')) ? ' !' : '');

  const rows: Row[] = [];
  const scaling = base.scaling ?? others.find((r) => r.scaling)?.scaling;
  if (scaling) {
    scaling.thread_counts.forEach((n, i) => {
      const at = (r: BenchResult) => r.scaling?.median_s[i];
      rows.push({
        label: plural(n, 'thread'),
        cells: results.map((r) =>
          cell(r, (x) => (at(x) === undefined ? '–' : `${formatSeconds(at(x)!)} (${x.scaling!.speedups[i].toFixed(2)}×)`)),
        ),
        ratios: timeRatios(at),
      });
    });
  } else if (base.one_thread_s !== undefined) {
    const n = base.params.threads;
    rows.push({ label: '1 thread', cells: results.map((r) => cell(r, (x) => formatSeconds(x.one_thread_s ?? NaN))) });
    rows.push({
      label: `${n} threads`,
      cells: results.map((r) => cell(r, (x) => formatSeconds(x.median_s!) + noisy(x))),
      ratios: timeRatios((r) => r.median_s),
    });
    rows.push({
      label: 'speedup',
      cells: results.map((r) => cell(r, (x) => (x.speedup === undefined ? '–' : `${x.speedup.toFixed(2)}× (ideal ${n}×)`))),
    });
  } else {
    rows.push({
      label: 'time (median)',
      cells: results.map((r) => cell(r, (x) => formatSeconds(x.median_s!) + noisy(x))),
      ratios: timeRatios((r) => r.median_s),
    });
  }
  rows.push({
    label: `min–max (${plural(base.trials.length || run.options.trials, 'trial')})`,
    cells: results.map((r) => cell(r, (x) => formatRange(x.min_s!, x.max_s!))),
  });
  if (results.some((r) => r.lost_fraction !== undefined)) {
    rows.push({ label: 'lost updates (mean of trials)', cells: results.map((r) => cell(r, (x) => formatPercent(x.lost_fraction ?? NaN))) });
    rows.push({
      label: 'count (median trial)',
      cells: results.map((r) =>
        cell(r, (x) => `${formatCount(median(x.trials.map((t) => Number(t.metrics.actual))))} of ${formatCount(x.expected ?? NaN)}`),
      ),
    });
  }
  if (results.some((r) => r.correct !== undefined)) {
    rows.push({ label: 'correct', cells: results.map((r) => cell(r, (x) => (x.correct ? 'yes' : 'NO'))) });
  }

  const notes: string[] = [];
  results.forEach((r, i) => {
    if (r.error) notes.push(`${names[i]}: ${r.error}`);
    for (const w of r.warnings) notes.push(`${names[i]}: ${w}`);
  });
  const paramsDiffer = results.some((r) => JSON.stringify(r.params) !== JSON.stringify(base.params));
  return {
    experiment: id,
    title: findExperiment(id)?.title ?? id,
    params: formatParams(base.params) + (base.quick ? ' · quick' : '') + (paramsDiffer ? ' (differ per interpreter: see JSON)' : ''),
    columns: infos.map((info) => ({ label: info.label, detail: `${info.version} · ${gilMode(info)}` })),
    ratioHeaders: results.length > 1 ? ratioHeaders : [],
    rows,
    summary: summaryLine(id, results, names),
    notes,
  };
}

/** The one-line verdict of an experiment, e.g. "race: GIL 0% lost · free-threaded 55% lost". */
function summaryLine(id: string, results: BenchResult[], names: string[]): string {
  const values: string[] = [];
  let head = id;
  if (results.some((r) => r.lost_fraction !== undefined)) {
    results.forEach((r, i) => values.push(`${names[i]} ${r.error ? 'failed' : `${formatPercent(r.lost_fraction ?? NaN)} lost`}`));
    return `${head}: ${values.join(' · ')}`;
  }
  const threads = results[0].params.threads ?? results[0].params.processes;
  if (results.some((r) => r.scaling || r.one_thread_s !== undefined) && typeof threads === 'number') {
    head = `${id} ${threads} threads`;
  }
  results.forEach((r, i) => values.push(`${names[i]} ${r.error || r.median_s === null ? 'failed' : formatSeconds(r.median_s)}`));
  const base = results[0];
  results.slice(1).forEach((r, i) => {
    if (base.median_s && r.median_s && !base.error && !r.error) {
      const ratio = formatRatio(base.median_s, r.median_s);
      values.push(results.length === 2 ? ratio : `${names[i + 1]} ${ratio}`);
    }
  });
  const wrong = results.filter((r) => r.correct === false).map((r) => names[results.indexOf(r)]);
  if (wrong.length > 0) values.push(`WRONG count on ${wrong.join(', ')}`);
  return `${head}: ${values.join(' · ')}`;
}

/** "GIL" / "free-threaded" when that tells the interpreters apart, else their labels. */
function shortNames(infos: InterpreterInfo[]): string[] {
  const modes = infos.map(gilMode);
  if (infos.length > 1 && new Set(modes).size === modes.length) return modes;
  return infos.map((i) => i.label);
}

function unknownInfo(label: string): InterpreterInfo {
  return {
    label,
    path: label,
    executable: label,
    version: '?',
    version_info: [],
    implementation: '?',
    gil_enabled: true,
    free_threaded_build: false,
    cpu_count: null,
    affinity: null,
    platform: '',
    machine: '',
    env_keys: [],
  };
}

// ---- text ------------------------------------------------------------------------------------

function headerLines(run: BenchRun): string[] {
  const m = run.machine;
  const o = run.options;
  return [
    `ftaudit bench · ${m.platform} ${m.arch} · ${m.available_parallelism} CPUs (${m.cpu_model}) · ` +
      `${plural(o.trials, 'trial')} after ${o.warmup} warmup${o.quick ? ' · quick' : ''}`,
  ];
}

function interpreterLine(info: InterpreterInfo): [string, string, string, string] {
  const cpus = info.affinity !== null && info.affinity !== info.cpu_count ? `${info.affinity} of ${info.cpu_count} CPUs` : `${info.cpu_count ?? '?'} CPUs`;
  const env = info.env_keys.length ? ` · env ${info.env_keys.join(', ')}` : '';
  return [info.label, `${info.implementation} ${info.version}`, `${gilMode(info)} · ${cpus}${env}`, info.executable];
}

function renderText(run: BenchRun): string {
  const out: string[] = [...headerLines(run), ''];
  if (run.interpreters.length > 0) {
    out.push('interpreters:');
    out.push(...alignRows(run.interpreters.map(interpreterLine)).map((l) => `  ${l}`));
  }
  if (run.failures.length > 0) {
    out.push('not run:');
    for (const f of run.failures) out.push(`  ${f.message}`);
  }
  for (const table of experimentTables(run)) {
    out.push('', `${table.experiment} — ${table.title}`, `  ${table.params}`);
    const grid: string[][] = [
      ['', ...table.columns.map((c) => c.label), ...table.ratioHeaders],
      ['', ...table.columns.map((c) => c.detail), ...table.ratioHeaders.map(() => '')],
      ...table.rows.map((r) => [r.label, ...r.cells, ...(r.ratios ?? table.ratioHeaders.map(() => ''))]),
    ];
    out.push(...alignRows(grid).map((l) => `  ${l}`));
    out.push(`  → ${table.summary}`);
    for (const note of table.notes) out.push(`  ! ${note}`);
  }
  if (run.results.length === 0) out.push('', 'no results');
  if (run.cancelled) out.push('', 'cancelled: the results above are partial');
  return out.join('\n') + '\n';
}

function alignRows(rows: string[][]): string[] {
  const widths: number[] = [];
  for (const row of rows) row.forEach((c, i) => (widths[i] = Math.max(widths[i] ?? 0, c.length)));
  return rows.map((row) =>
    row
      .map((c, i) => (i === row.length - 1 ? c : c.padEnd(widths[i])))
      .join('   ')
      .trimEnd(),
  );
}

// ---- markdown --------------------------------------------------------------------------------

function md(text: string): string {
  return text.replace(/\|/g, '\\|');
}

/** A markdown table; figures (every column after the first) right-aligned unless `text`. */
function mdTable(rows: string[][], text = false): string[] {
  const [head, ...body] = rows;
  return [
    `| ${head.map(md).join(' | ')} |`,
    `|${head.map((_, i) => (i === 0 || text ? '---' : '---:')).join('|')}|`,
    ...body.map((r) => `| ${r.map(md).join(' | ')} |`),
  ];
}

function renderMarkdown(run: BenchRun): string {
  const out: string[] = ['# ftaudit benchmark results', '', headerLines(run)[0], ''];
  if (run.interpreters.length > 0) {
    out.push(...mdTable([['interpreter', 'version', 'mode', 'executable'], ...run.interpreters.map(interpreterLine)], true), '');
  }
  for (const f of run.failures) out.push(`- not run: ${md(f.message)}`);
  if (run.failures.length > 0) out.push('');
  for (const table of experimentTables(run)) {
    out.push(`## ${table.experiment} — ${md(table.title)}`, '', `_${md(table.params)}_`, '');
    out.push(
      ...mdTable([
        ['', ...table.columns.map((c) => `${c.label} (${c.detail})`), ...table.ratioHeaders],
        ...table.rows.map((r) => [r.label, ...r.cells, ...(r.ratios ?? table.ratioHeaders.map(() => ''))]),
      ]),
    );
    out.push('', `**${md(table.summary)}**`, '');
    for (const note of table.notes) out.push(`- ${md(note)}`);
    if (table.notes.length > 0) out.push('');
  }
  if (run.cancelled) out.push('_Cancelled: the results are partial._', '');
  return out.join('\n');
}

// ---- csv (export) ----------------------------------------------------------------------------

/** One row per experiment × interpreter × trial, for spreadsheets. */
export function formatCsv(run: BenchRun): string {
  const header = ['experiment', 'interpreter', 'version', 'gil_enabled', 'trial', 'elapsed_s', 'median_s', 'min_s', 'max_s', 'lost_fraction', 'correct', 'speedup', 'params', 'error'];
  const lines = [header.join(',')];
  for (const r of run.results) {
    const info = run.interpreters.find((i) => i.label === r.interpreter);
    const common = (trial: string, elapsed: number | '') => [
      r.experiment,
      r.interpreter,
      info?.version ?? '',
      r.gil_enabled ?? '',
      trial,
      elapsed,
      r.median_s ?? '',
      r.min_s ?? '',
      r.max_s ?? '',
      r.lost_fraction ?? '',
      r.correct ?? '',
      r.speedup ?? r.scaling?.speedups[r.scaling.speedups.length - 1] ?? '',
      formatParams(r.params),
      r.error ?? '',
    ];
    const rows = r.trials.length > 0 ? r.trials.map((t, i) => common(String(i + 1), t.elapsed_s)) : [common('', '')];
    for (const row of rows) lines.push(row.map((v) => csvCell(String(v))).join(','));
  }
  return lines.join('\n') + '\n';
}

function csvCell(value: string): string {
  return /[",\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}
