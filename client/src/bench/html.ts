// The results page of the benchmark webview: tables from the shared formatter, and charts (thread-scaling
// curve per interpreter, lost-update bars) drawn by Chart.js from data embedded as JSON, following the
// VS Code theme's colours. Plain Node: no vscode import, so it is unit-tested directly.
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
  // handlers, no remote content. Chart.js styles its canvases through the CSSOM, which style-src allows.
  const scripts = run && options.scripts ? options.scripts : undefined;
  const csp = `default-src 'none'; img-src ${options.cspSource} data:; style-src 'nonce-${options.nonce}';${scripts ? ` script-src 'nonce-${options.nonce}';` : ''}`;
  const data = run ? JSON.stringify(chartData(run)).replace(/</g, '\\u003c') : '';
  const body = run
    ? `${renderRun(run)}${scripts ? `\n<script type="application/json" id="ftaudit-chart-data">${data}</script>\n<script nonce="${options.nonce}" src="${escapeHtml(scripts.chart)}"></script>\n<script nonce="${options.nonce}" src="${escapeHtml(scripts.page)}"></script>` : ''}`
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

const STYLE = `
body { font-family: var(--vscode-font-family); font-size: var(--vscode-font-size); color: var(--vscode-foreground); background: var(--vscode-editor-background); padding: 0 1.5em 2em; }
h1 { font-size: 1.4em; } h2 { font-size: 1.15em; margin-top: 2em; border-bottom: 1px solid var(--vscode-panel-border); padding-bottom: .3em; }
.meta, .params, .empty { color: var(--vscode-descriptionForeground); }
table { border-collapse: collapse; margin: .6em 0; }
th, td { padding: .25em .9em; text-align: right; border-bottom: 1px solid var(--vscode-panel-border); white-space: nowrap; }
th:first-child, td:first-child { text-align: left; }
th .detail { display: block; font-weight: normal; color: var(--vscode-descriptionForeground); }
.summary { font-weight: bold; margin: .4em 0; }
.note { color: var(--vscode-editorWarning-foreground); }
.failure { color: var(--vscode-errorForeground); }
.chart { position: relative; max-width: 560px; height: 260px; margin: .6em 0; }
`;

function renderRun(run: BenchRun): string {
  const m = run.machine;
  const parts: string[] = [
    '<h1>ftaudit benchmarks</h1>',
    `<p class="meta">${escapeHtml(`${m.platform} ${m.arch} · ${m.available_parallelism} CPUs (${m.cpu_model}) · ${run.options.trials} trials after ${run.options.warmup} warmup${run.options.quick ? ' · quick' : ''} · ${run.created}`)}</p>`,
  ];
  for (const f of run.failures) parts.push(`<p class="failure">${escapeHtml(f.message)}</p>`);
  if (run.cancelled) parts.push('<p class="note">Cancelled: these results are partial.</p>');
  for (const table of experimentTables(run)) {
    parts.push(`<section id="exp-${escapeHtml(table.experiment)}">`);
    parts.push(`<h2>${escapeHtml(`${table.experiment} — ${table.title}`)}</h2>`, `<p class="params">${escapeHtml(table.params)}</p>`);
    parts.push(renderTable(table));
    parts.push(`<p class="summary">${escapeHtml(table.summary)}</p>`);
    const data = chartData(run);
    if (table.experiment === 'scaling' && data.scaling.length > 0) parts.push(chartCanvas('chart-scaling', 'thread scaling: speedup per thread count, per interpreter'));
    if (table.experiment === 'race' && data.race.length > 0) parts.push(chartCanvas('chart-race', 'race: fraction of updates lost, per interpreter'));
    for (const note of table.notes) parts.push(`<p class="note">${escapeHtml(note)}</p>`);
    parts.push('</section>');
  }
  return parts.join('\n');
}

function renderTable(table: ExperimentTable): string {
  const head = [
    '<th></th>',
    ...table.columns.map((c) => `<th>${escapeHtml(c.label)}<span class="detail">${escapeHtml(c.detail)}</span></th>`),
    ...table.ratioHeaders.map((h) => `<th>${escapeHtml(h)}</th>`),
  ];
  const rows = table.rows.map((r) => {
    const ratios = r.ratios ?? table.ratioHeaders.map(() => '');
    return `<tr>${[r.label, ...r.cells, ...ratios].map((c) => `<td>${escapeHtml(c)}</td>`).join('')}</tr>`;
  });
  return `<table><thead><tr>${head.join('')}</tr></thead><tbody>${rows.join('')}</tbody></table>`;
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
