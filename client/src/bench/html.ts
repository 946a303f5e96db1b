// The results page of the benchmark webview. Layout, for any number of interpreters in a narrow panel:
//  - the charts first ("at a glance": lost-update bars, thread-scaling curves), side by side when the panel is
//    wide enough and stacked when not, so they are in view when the page opens;
//  - then one card per experiment whose table has a ROW per interpreter and a column per measurement (the
//    shared formatter's table, transposed): its width depends on the experiment, not on how many interpreters
//    were compared, and the ratio to the baseline sits under each figure instead of in extra columns. Should a
//    table still be wider than the panel (many thread counts), it scrolls sideways inside its card with the
//    interpreter column pinned.
// Charts are drawn by Chart.js from data embedded as JSON (client/media/results.js), in the VS Code theme's
// colours. Plain Node: no vscode import, so it is unit-tested directly.
import { experimentTables, ExperimentTable } from '../../../bench/format';
import type { BenchRun } from '../../../bench/results';

export interface PageOptions {
  /** webview.cspSource */
  cspSource: string;
  nonce: string;
  /** webview URIs of Chart.js (client/media/chart.umd.js) and the page script (client/media/results.js). */
  scripts?: { chart: string; page: string };
}

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string);
}

export function renderResultsPage(run: BenchRun | undefined, options: PageOptions): string {
  // Scripts only from the extension's media folder, and only with this page's nonce; no eval, no inline
  // handlers, no remote content. Chart.js (and the page script, for a chart's height) style elements through
  // the CSSOM, which style-src allows; style attributes in the markup would be blocked.
  const scripts = run && options.scripts ? options.scripts : undefined;
  const csp = `default-src 'none'; img-src ${options.cspSource} data:; style-src 'nonce-${options.nonce}';${scripts ? ` script-src 'nonce-${options.nonce}';` : ''}`;
  const data = run ? JSON.stringify(chartData(run)).replace(/</g, '\\u003c') : '';
  const body = run
    ? `${renderRun(run, scripts !== undefined)}${scripts ? `\n<script type="application/json" id="ftaudit-chart-data">${data}</script>\n<script nonce="${options.nonce}" src="${escapeHtml(scripts.chart)}"></script>\n<script nonce="${options.nonce}" src="${escapeHtml(scripts.page)}"></script>` : ''}`
    : '<p class="empty">No benchmark results yet. Run <b>ftaudit: Run Benchmarks…</b> from the command palette.</p>';
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<title>ftaudit benchmarks</title>
<style nonce="${options.nonce}">${STYLE}</style>
</head>
<body>
${body}
</body>
</html>
`;
}

// Theme colours only (VS Code sets the --vscode-* variables on the webview's <html>), with fallbacks for
// variables an old theme may lack.
const STYLE = `
* { box-sizing: border-box; }
body { --ft-surface: var(--vscode-editor-background); --ft-border: var(--vscode-widget-border, var(--vscode-panel-border, rgba(128,128,128,.35)));
  font-family: var(--vscode-font-family); font-size: var(--vscode-font-size); color: var(--vscode-foreground); background: var(--vscode-editor-background);
  margin: 0; padding: 0 16px 24px; }
main { max-width: 1280px; }
h1 { font-size: 1.3em; font-weight: 600; margin: .8em 0 .15em; }
h2 { font-size: 1.08em; font-weight: 600; margin: 0; }
.meta, .params, .empty, caption, .detail, .ratio { color: var(--vscode-descriptionForeground); }
.meta { margin: 0 0 .8em; }
a { color: var(--vscode-textLink-foreground); text-decoration: none; }
a:hover { color: var(--vscode-textLink-activeForeground); text-decoration: underline; }
a:focus-visible { outline: 1px solid var(--vscode-focusBorder); outline-offset: 1px; }
.note { color: var(--vscode-editorWarning-foreground); margin: .4em 0 0; }
.failure { color: var(--vscode-errorForeground); margin: .3em 0; }
.charts { display: grid; grid-template-columns: repeat(auto-fit, minmax(min(100%, 320px), 1fr)); gap: 12px; margin: 0 0 14px; }
figure, .card { margin: 0; min-width: 0; border: 1px solid var(--ft-border); border-radius: 4px; background: var(--ft-surface); }
figure { padding: 8px 12px 10px; }
figcaption { display: flex; justify-content: space-between; align-items: baseline; gap: 8px; margin-bottom: 6px; font-weight: 600; }
figcaption a { font-weight: normal; white-space: nowrap; }
.chart { position: relative; height: 240px; }
.cards { display: flex; flex-direction: column; gap: 12px; }
.card { padding: 10px 14px 12px; scroll-margin-top: 8px; }
.params { margin: .15em 0 .5em; overflow-wrap: anywhere; }
.summary { font-weight: 600; margin: .4em 0 .5em; }
.table-scroll { overflow-x: auto; max-width: 100%; }
table { border-collapse: separate; border-spacing: 0; font-variant-numeric: tabular-nums; }
th, td { padding: 4px 10px; text-align: right; vertical-align: top; border-bottom: 1px solid var(--ft-border); }
thead th { font-weight: 600; vertical-align: bottom; min-width: 5.5em; max-width: 10em; }
th[scope="row"], thead th:first-child { position: sticky; left: 0; z-index: 1; background: var(--ft-surface); text-align: left; min-width: 7.5em; max-width: 15em; overflow-wrap: break-word; }
th[scope="row"] { font-weight: 600; }
tbody tr:last-child > * { border-bottom: none; }
.detail, .ratio { display: block; font-weight: normal; font-size: .92em; }
.ratio { white-space: nowrap; }
.badge { display: inline-block; margin-top: 2px; padding: 0 5px; border-radius: 8px; font-size: .85em; font-weight: normal;
  color: var(--vscode-badge-foreground); background: var(--vscode-badge-background); }
caption { caption-side: bottom; text-align: left; font-size: .92em; padding-top: 6px; }
`;

function renderRun(run: BenchRun, charts: boolean): string {
  const m = run.machine;
  const parts: string[] = [
    '<main>',
    '<h1>ftaudit benchmarks</h1>',
    `<p class="meta">${escapeHtml(`${m.platform} ${m.arch} · ${m.available_parallelism} CPUs (${m.cpu_model}) · ${run.options.trials} trials after ${run.options.warmup} warmup${run.options.quick ? ' · quick' : ''} · ${run.created}`)}</p>`,
  ];
  for (const f of run.failures) parts.push(`<p class="failure">${escapeHtml(f.message)}</p>`);
  if (run.cancelled) parts.push('<p class="note">Cancelled: these results are partial.</p>');
  const tables = experimentTables(run);
  const ids = new Set(tables.map((t) => t.experiment));
  const data = chartData(run);
  const figures: string[] = [];
  if (charts && data.race.length > 0) {
    figures.push(chartFigure('race', 'Race: updates lost', 'chart-race', 'race: fraction of updates lost, per interpreter', ids.has('race')));
  }
  if (charts && data.scaling.length > 0) {
    figures.push(chartFigure('scaling', 'Thread scaling: speedup', 'chart-scaling', 'thread scaling: speedup per thread count, per interpreter', ids.has('scaling')));
  }
  if (figures.length > 0) parts.push(`<section class="charts" aria-label="charts">\n${figures.join('\n')}\n</section>`);
  parts.push('<div class="cards">');
  for (const table of tables) parts.push(renderCard(table));
  parts.push('</div>', '</main>');
  return parts.join('\n');
}

function chartFigure(experiment: string, caption: string, id: string, label: string, linkTable: boolean): string {
  const link = linkTable ? `<a href="#exp-${experiment}">table</a>` : '';
  return `<figure id="fig-${experiment}"><figcaption><span>${escapeHtml(caption)}</span>${link}</figcaption>${chartCanvas(id, label)}</figure>`;
}

function renderCard(table: ExperimentTable): string {
  const id = escapeHtml(table.experiment);
  return [
    `<section class="card" id="exp-${id}" aria-labelledby="exp-${id}-title">`,
    `<h2 id="exp-${id}-title">${escapeHtml(`${table.experiment} — ${table.title}`)}</h2>`,
    `<p class="params">${escapeHtml(table.params)}</p>`,
    // The one-line verdict reads well for two or three interpreters; past that it only repeats the table.
    ...(table.columns.length <= 3 ? [`<p class="summary">${escapeHtml(table.summary)}</p>`] : []),
    `<div class="table-scroll">${renderTable(table)}</div>`,
    ...table.notes.map((note) => `<p class="note">${escapeHtml(note)}</p>`),
    '</section>',
  ].join('\n');
}

/**
 * The experiment's table transposed: a row per interpreter (label, version and GIL mode, "baseline" on the
 * first when there are ratios) and a column per measurement; each figure of a non-baseline interpreter that
 * has a ratio carries it on a second line.
 */
function renderTable(table: ExperimentTable): string {
  const hasRatios = table.ratioHeaders.length > 0 && table.rows.some((r) => r.ratios);
  const head = ['<th scope="col">interpreter</th>', ...table.rows.map((r) => `<th scope="col">${escapeHtml(r.label)}</th>`)];
  const body = table.columns.map((column, i) => {
    const badge = hasRatios && i === 0 ? '<span class="badge">baseline</span>' : '';
    const name = `<th scope="row">${escapeHtml(column.label)}<span class="detail">${escapeHtml(column.detail)}</span>${badge}</th>`;
    const cells = table.rows.map((r) => {
      const ratio = i > 0 ? r.ratios?.[i - 1] : undefined;
      const second = ratio && ratio !== '–' ? `<span class="ratio">${escapeHtml(ratio)}</span>` : '';
      return `<td>${escapeHtml(keepUnits(r.cells[i] ?? ''))}${second}</td>`;
    });
    return `<tr>${name}${cells.join('')}</tr>`;
  });
  const caption = hasRatios ? `<caption>Second lines compare with the baseline, ${escapeHtml(table.columns[0]?.label ?? '')}.</caption>` : '';
  return `<table>${caption}<thead><tr>${head.join('')}</tr></thead><tbody>${body.join('\n')}</tbody></table>`;
}

/** A figure never wraps between its number and its unit ("1.37 s", "15.1–16.2 ms"). */
function keepUnits(text: string): string {
  return text.replace(/(\d) (?=(?:s|ms|µs)\b)/g, '$1\u00a0');
}

/** What the page script (client/media/results.js) draws with Chart.js: plain data, no markup. */
export interface ChartData {
  scaling: Array<{ interpreter: string; threads: number[]; speedups: number[] }>;
  race: Array<{ interpreter: string; lostPercent: number }>;
}

export function chartData(run: BenchRun): ChartData {
  return {
    scaling: run.results
      .filter((r) => r.experiment === 'scaling' && r.scaling && !r.error)
      .map((r) => ({ interpreter: r.interpreter, threads: r.scaling!.thread_counts, speedups: r.scaling!.speedups })),
    race: run.results
      .filter((r) => r.experiment === 'race' && r.lost_fraction !== undefined && !r.error)
      .map((r) => ({ interpreter: r.interpreter, lostPercent: Math.round(r.lost_fraction! * 1000) / 10 })),
  };
}

/** A canvas for a chart, with its accessible description; drawn by the page script. */
function chartCanvas(id: string, label: string): string {
  return `<div class="chart"><canvas id="${id}" role="img" aria-label="${escapeHtml(label)}"></canvas></div>`;
}
