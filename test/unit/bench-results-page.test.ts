// The results webview's page with many interpreters (issue 11, item 3): a row per interpreter in every
// table, so the tables keep their width whatever the number of interpreters; the charts first; the strict CSP.
// The in-editor test (test/e2e/results-webview.ts) checks the same page laid out at 800 px in VS Code.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { chartData, renderResultsPage } from '../../client/src/bench/html';
import { experimentTables } from '../../bench/format';
import { sampleRun } from '../e2e/bench-sample';

const OPTIONS = {
  cspSource: 'https://*.vscode-cdn.net',
  nonce: 'bm9uY2U=',
  scripts: { chart: 'https://file+.vscode-resource.vscode-cdn.net/ext/client/media/chart.umd.js', page: 'https://file+.vscode-resource.vscode-cdn.net/ext/client/media/results.js' },
};

/** Every table of the page: its card id, column headers and row headers (interpreter labels). */
function tables(html: string): { id: string; columns: string[]; rows: string[]; ratios: number; badges: number }[] {
  return [...html.matchAll(/<section class="card" id="exp-([^"]+)"[\s\S]*?<\/section>/g)].map((m) => ({
    id: m[1],
    columns: [...m[0].matchAll(/<th scope="col">(.*?)<\/th>/g)].map((c) => c[1]),
    rows: [...m[0].matchAll(/<th scope="row">(.*?)<span class="detail">/g)].map((r) => r[1]),
    ratios: [...m[0].matchAll(/<span class="ratio">/g)].length,
    badges: [...m[0].matchAll(/<span class="badge">baseline<\/span>/g)].length,
  }));
}

function assertStrictPage(html: string, nonce: string, scripts: boolean): void {
  const csp = /<meta http-equiv="Content-Security-Policy" content="([^"]*)">/.exec(html)?.[1];
  assert.equal(
    csp,
    `default-src 'none'; img-src ${OPTIONS.cspSource} data:; style-src 'nonce-${nonce}';${scripts ? ` script-src 'nonce-${nonce}';` : ''}`,
    'CSP: nothing by default, styles and scripts only with the nonce (no unsafe-inline, no unsafe-eval, no remote hosts)',
  );
  assert.doesNotMatch(csp!, /unsafe|\*(?!\.vscode-cdn\.net)|http:/);
  for (const tag of html.match(/<script\b[^>]*>/g) ?? []) {
    assert.ok(tag === '<script type="application/json" id="ftaudit-chart-data">' || tag.includes(` nonce="${nonce}" src="https://file+.vscode-resource`), `script without the nonce or inline: ${tag}`);
  }
  // A JSON data block is not run; no other inline script has content.
  assert.equal([...html.matchAll(/<script nonce="[^"]*" src="[^"]*"><\/script>/g)].length, scripts ? 2 : 0);
  assert.equal(html.match(/<style\b[^>]*>/g)?.join(), `<style nonce="${nonce}">`, 'one style element, with the nonce');
  assert.doesNotMatch(html, /\sstyle="/, 'style attributes would be blocked by the CSP');
  assert.doesNotMatch(html, /\son[a-z]+="/i, 'no inline event handlers');
  assert.doesNotMatch(html, /javascript:/i);
  assert.doesNotMatch(html, /<(iframe|object|embed|link|img)\b/i, 'nothing loaded besides the two scripts');
}

for (const count of [4, 6]) {
  test(`results page with ${count} interpreters: a row per interpreter in every table, charts first, strict CSP`, () => {
    const run = sampleRun(count);
    const labels = run.interpreters.map((i) => i.label);
    assert.equal(new Set(labels).size, count);
    const html = renderResultsPage(run, OPTIONS);
    assertStrictPage(html, OPTIONS.nonce, true);

    const found = tables(html);
    assert.deepEqual(found.map((t) => t.id), ['single', 'io', 'race', 'multiprocessing', 'scaling', 'lock']);
    for (const t of found) {
      assert.deepEqual(t.rows, labels, `${t.id}: every interpreter, in order, as a row header`);
      // One ratio line under each figure that has a ratio, for each interpreter but the baseline.
      const withRatios = experimentTables(run).find((e) => e.experiment === t.id)!.rows.filter((r) => r.ratios).length;
      assert.equal(t.ratios, withRatios * (count - 1), `${t.id}: ratio lines`);
      assert.equal(t.badges, 1, `${t.id}: the baseline is marked once`);
    }
    // The columns are the measurements: the same whatever the number of interpreters, so the width is too.
    const twoHtml = renderResultsPage(sampleRun(2), OPTIONS);
    const two = tables(twoHtml);
    // The one-line verdict of each card for two interpreters; with more, the table says it all.
    assert.equal(twoHtml.match(/<p class="summary">/g)?.length, 6);
    assert.match(twoHtml, /<p class="summary">race: GIL 0% lost · free-threaded 58% lost<\/p>/);
    assert.doesNotMatch(html, /class="summary"/);
    assert.deepEqual(found.map((t) => t.columns), two.map((t) => t.columns));
    assert.deepEqual(found.find((t) => t.id === 'scaling')!.columns, ['interpreter', '1 thread', '2 threads', '4 threads', '8 threads', 'min–max (1 trial)']);
    assert.deepEqual(found.find((t) => t.id === 'race')!.columns, ['interpreter', 'time (median)', 'min–max (1 trial)', 'lost updates (mean of trials)', 'count (median trial)']);
    // Every label is a row header of each table, and in the chart data.
    for (const label of labels) assert.ok(html.split(`<th scope="row">${label}<span`).length - 1 === found.length, label);
    const json = JSON.parse(/<script type="application\/json" id="ftaudit-chart-data">(.*?)<\/script>/s.exec(html)![1]);
    assert.deepEqual(json, chartData(run));
    assert.deepEqual(json.race.map((r: { interpreter: string }) => r.interpreter), labels);
    assert.deepEqual(json.scaling.map((r: { interpreter: string }) => r.interpreter), labels);

    // The charts come before the first table, so they are in view when the page opens.
    const charts = html.indexOf('<section class="charts"');
    assert.ok(charts > 0 && charts < html.indexOf('<section class="card"'), 'charts before the tables');
    assert.ok(html.indexOf('id="chart-race"') < html.indexOf('id="chart-scaling"'), 'race chart first');
    assert.match(html, /<figure id="fig-race"><figcaption><span>Race: updates lost<\/span><a href="#exp-race">table<\/a><\/figcaption>/);
    // A number stays with its unit when a cell wraps.
    assert.match(html, /<td>210\u00a0ms<\/td>/);
  });
}

test('results page without scripts: tables only, no empty chart boxes, no script-src', () => {
  const html = renderResultsPage(sampleRun(4), { cspSource: OPTIONS.cspSource, nonce: 'abc' });
  assertStrictPage(html, 'abc', false);
  assert.doesNotMatch(html, /<canvas|class="charts"/);
  assert.equal(tables(html).length, 6);
});

test('results page: labels are escaped in row headers, captions and chart data', () => {
  const html = renderResultsPage(sampleRun(['python3.14', '<img src=x onerror=alert(1)>t', 'a "quoted" & t']), OPTIONS);
  assertStrictPage(html, OPTIONS.nonce, true);
  assert.ok(!html.includes('<img src=x'));
  assert.match(html, /<th scope="row">&lt;img src=x onerror=alert\(1\)&gt;t<span/);
  assert.match(html, /<th scope="row">a &quot;quoted&quot; &amp; t<span/);
  assert.match(html, /<caption>Second lines compare with the baseline, python3\.14\.<\/caption>/);
  assert.ok(!/<\/script>/.test(/<script type="application\/json" id="ftaudit-chart-data">(.*?)<\/script>/s.exec(html)![1]));
});
