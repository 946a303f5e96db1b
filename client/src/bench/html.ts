// The results page of the benchmark webview, rendered here as static HTML: tables from the shared
// formatter plus inline SVG charts (thread-scaling curve per interpreter, lost-update bars). No script
// runs in the page, so its CSP allows none; colours come from the VS Code theme's CSS variables.
// Plain Node: no vscode import, so it is unit-tested directly.
import { experimentTables, ExperimentTable } from '../../../server/src/bench/format';
import type { BenchRun } from '../../../server/src/bench/results';

export interface PageOptions {
  /** webview.cspSource */
  cspSource: string;
  nonce: string;
}

const SERIES = ['--vscode-charts-blue', '--vscode-charts-orange', '--vscode-charts-green', '--vscode-charts-purple', '--vscode-charts-red', '--vscode-charts-yellow'];

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string);
}

export function renderResultsPage(run: BenchRun | undefined, options: PageOptions): string {
  const csp = `default-src 'none'; img-src ${options.cspSource} data:; style-src 'nonce-${options.nonce}';`;
  const body = run ? renderRun(run) : '<p class="empty">No benchmark results yet. Run <b>ftaudit: Run Benchmarks…</b> from the command palette.</p>';
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
svg { display: block; margin: .6em 0; max-width: 100%; }
svg text { fill: var(--vscode-foreground); font-size: 11px; font-family: var(--vscode-font-family); }
svg .axis { stroke: var(--vscode-descriptionForeground); stroke-width: 1; }
svg polyline.line { fill: none; stroke-width: 2; }
svg .ideal { stroke: var(--vscode-descriptionForeground); stroke-dasharray: 4 3; fill: none; }
${SERIES.map((v, i) => `.s${i} { stroke: var(${v}); fill: var(${v}); }`).join('\n')}
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
    const chart = table.experiment === 'scaling' ? scalingChart(run) : table.experiment === 'race' ? lostBars(run) : '';
    if (chart) parts.push(chart);
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

/** Speedup per thread count, one line per interpreter, with the ideal (n× at n threads) dashed. */
export function scalingChart(run: BenchRun): string {
  const series = run.results.filter((r) => r.experiment === 'scaling' && r.scaling && !r.error);
  if (series.length === 0) return '';
  const counts = [...new Set(series.flatMap((r) => r.scaling!.thread_counts))].sort((a, b) => a - b);
  const maxN = counts[counts.length - 1];
  const maxY = Math.max(maxN, ...series.flatMap((r) => r.scaling!.speedups));
  const W = 420, H = 240, L = 40, R = 130, T = 12, B = 32;
  const x = (n: number) => L + (maxN === 1 ? 0 : ((n - 1) / (maxN - 1)) * (W - L - R));
  const y = (v: number) => H - B - (v / maxY) * (H - T - B);
  const parts = [
    `<svg role="img" aria-label="thread scaling: speedup per thread count" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}">`,
    `<line class="axis" x1="${L}" y1="${H - B}" x2="${W - R}" y2="${H - B}"/>`,
    `<line class="axis" x1="${L}" y1="${T}" x2="${L}" y2="${H - B}"/>`,
    ...counts.map((n) => `<text x="${x(n)}" y="${H - B + 14}" text-anchor="middle">${n}</text>`),
    `<text x="${(L + W - R) / 2}" y="${H - 4}" text-anchor="middle">threads</text>`,
    `<text x="${L - 6}" y="${y(maxY) + 4}" text-anchor="end">${maxY.toFixed(0)}×</text>`,
    `<text x="${L - 6}" y="${y(1) + 4}" text-anchor="end">1×</text>`,
    `<polyline class="ideal" points="${counts.map((n) => `${x(n)},${y(n)}`).join(' ')}"/>`,
    `<text x="${W - R + 6}" y="${y(maxN) + 4}">ideal</text>`,
  ];
  series.forEach((r, i) => {
    const s = r.scaling!;
    const cls = `s${i % SERIES.length}`;
    const points = s.thread_counts.map((n, j) => `${x(n)},${y(s.speedups[j])}`).join(' ');
    parts.push(`<polyline class="line ${cls}" points="${points}"/>`);
    s.thread_counts.forEach((n, j) => parts.push(`<circle class="${cls}" cx="${x(n)}" cy="${y(s.speedups[j])}" r="3"/>`));
    const last = s.thread_counts.length - 1;
    parts.push(`<text x="${W - R + 6}" y="${y(s.speedups[last]) + 4 + i * 12}">${escapeHtml(`${r.interpreter} ${s.speedups[last].toFixed(1)}×`)}</text>`);
  });
  parts.push('</svg>');
  return parts.join('');
}

/** One bar per interpreter: the fraction of race updates lost. */
export function lostBars(run: BenchRun): string {
  const bars = run.results.filter((r) => r.experiment === 'race' && r.lost_fraction !== undefined && !r.error);
  if (bars.length === 0) return '';
  const W = 420, L = 130, barH = 18, gap = 8, H = bars.length * (barH + gap) + 20;
  const parts = [`<svg role="img" aria-label="race: fraction of updates lost" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}">`];
  bars.forEach((r, i) => {
    const top = i * (barH + gap);
    const width = Math.max(1, r.lost_fraction! * (W - L - 50));
    parts.push(`<text x="${L - 8}" y="${top + 13}" text-anchor="end">${escapeHtml(r.interpreter)}</text>`);
    parts.push(`<rect class="s${i % SERIES.length}" x="${L}" y="${top}" width="${width}" height="${barH}"/>`);
    parts.push(`<text x="${L + width + 6}" y="${top + 13}">${(r.lost_fraction! * 100).toFixed(r.lost_fraction! > 0 && r.lost_fraction! < 0.01 ? 1 : 0)}% lost</text>`);
  });
  parts.push(`<line class="axis" x1="${L}" y1="0" x2="${L}" y2="${H - 20}"/>`, '</svg>');
  return parts.join('');
}
