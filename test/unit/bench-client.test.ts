// The vscode-free parts of the editor's benchmark features: the results page, CodeLens texts, the
// result store, CSV export.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { chartData, escapeHtml, renderResultsPage } from '../../client/src/bench/html';
import { experimentIdForFile, lastResultTitle, markerLine } from '../../client/src/bench/lenses';
import { ResultStore } from '../../client/src/bench/store';
import { formatCsv } from '../../bench/format';
import type { InterpreterInfo } from '../../bench/probe';
import { BenchRun, buildResult, mergeRuns, RESULT_SCHEMA, TrialOutput } from '../../bench/results';
import { experimentsDir, tempDir } from './bench-helpers';

function info(label: string, gil: boolean): InterpreterInfo {
  return {
    label, path: label, executable: `/opt/${label}`, version: '3.14.0', version_info: [3, 14, 0], implementation: 'CPython',
    gil_enabled: gil, free_threaded_build: !gil, cpu_count: 4, affinity: 4, platform: 'linux', machine: 'x86_64', env_keys: [],
  };
}
const GIL = info('python3.14', true);
const FT = info('python3.14t<x>', false);

function out(experiment: string, elapsed: number, metrics: Record<string, unknown>, gil: boolean): TrialOutput {
  return { experiment, params: { threads: 4, iterations: 1000 }, quick: true, elapsed_s: elapsed, metrics, gil_enabled: gil, python: '3.14.0' };
}

function run(created: string, results: BenchRun['results'], interpreters = [GIL, FT]): BenchRun {
  return {
    schema: RESULT_SCHEMA, created,
    machine: { platform: 'linux', release: '6', arch: 'x64', cpu_model: 'cpu', cpu_count: 4, available_parallelism: 4, total_memory_gib: 8, node: 'v20' },
    options: { trials: 1, warmup: 0, quick: true, threads: null, timeout_s: 120 },
    interpreters, failures: [], results, cancelled: false,
  };
}

const race = (i: InterpreterInfo, lost: number) =>
  buildResult({ experiment: 'race', interpreter: i, warmup: 0, scriptSha: 'x', outputs: [out('race', 0.1, { expected: 4000, actual: 4000 * (1 - lost), lost_fraction: lost }, i.gil_enabled)] });
const scaling = (i: InterpreterInfo, times: number[]) =>
  buildResult({ experiment: 'scaling', interpreter: i, warmup: 0, scriptSha: 'y', outputs: [out('scaling', times[2], { thread_counts: [1, 2, 4], times_s: times }, i.gil_enabled)] });

test('results page: strict CSP, scripts only by nonce, escaped text, chart data', () => {
  const page = run('2026-01-01T00:00:00Z', [race(GIL, 0), race(FT, 0.55), scaling(GIL, [0.1, 0.2, 0.4]), scaling(FT, [0.1, 0.11, 0.14])]);
  const html = renderResultsPage(page, {
    cspSource: 'vscode-webview://abc',
    nonce: 'N0NCE',
    scripts: { chart: 'https://file+.vscode-resource/ext/client/media/chart.umd.js', page: 'https://file+.vscode-resource/ext/client/media/results.js' },
  });
  assert.match(html, /content="default-src 'none'; img-src vscode-webview:\/\/abc data:; style-src 'nonce-N0NCE'; script-src 'nonce-N0NCE';"/);
  const scripts = html.match(/<script[^>]*>/g) ?? [];
  assert.deepEqual(scripts, [
    '<script type="application/json" id="ftaudit-chart-data">',
    '<script nonce="N0NCE" src="https://file+.vscode-resource/ext/client/media/chart.umd.js">',
    '<script nonce="N0NCE" src="https://file+.vscode-resource/ext/client/media/results.js">',
  ]);
  assert.doesNotMatch(html, / style="/, 'inline style attributes would be blocked by the CSP');
  assert.doesNotMatch(html, / on[a-z]+="/, 'no inline event handlers');
  assert.match(html, /<style nonce="N0NCE">/);
  assert.ok(!html.includes('python3.14t<x>'), 'labels are escaped');
  assert.match(html, /python3\.14t&lt;x&gt;/);
  assert.match(html, /race: GIL 0% lost · free-threaded 55% lost/);
  assert.match(html, /<canvas id="chart-scaling" role="img" aria-label="thread scaling: speedup per thread count, per interpreter">/);
  assert.match(html, /<canvas id="chart-race" role="img" aria-label="race: fraction of updates lost, per interpreter">/);
  const json = JSON.parse(/<script type="application\/json" id="ftaudit-chart-data">(.*?)<\/script>/s.exec(html)![1]);
  assert.deepEqual(json, chartData(page));
  assert.deepEqual(json.race.map((r: { lostPercent: number }) => r.lostPercent), [0, 55]);
  assert.equal(json.scaling.length, 2);
  assert.ok(!/<\/script>/.test(JSON.stringify(json).replace(/</g, '\\u003c')), 'embedded JSON cannot close the script element');
});

test('results page without results says how to get some', () => {
  assert.match(renderResultsPage(undefined, { cspSource: 'x', nonce: 'n' }), /No benchmark results yet/);
  assert.equal(escapeHtml(`<a href="x">'&'</a>`), '&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;');
});

test('CodeLens helpers: bundled scripts only, above `def run(`, with the last result', () => {
  assert.equal(experimentIdForFile(path.join(experimentsDir, 'bench_race.py'), experimentsDir), 'race');
  assert.equal(experimentIdForFile(path.join(experimentsDir, '_ftbench.py'), experimentsDir), undefined);
  assert.equal(experimentIdForFile(path.join(tempDir(), 'bench_race.py'), experimentsDir), undefined);
  assert.equal(experimentIdForFile(path.join(experimentsDir, 'bench_nope.py'), experimentsDir), undefined);
  const source = fs.readFileSync(path.join(experimentsDir, 'bench_race.py'), 'utf8');
  const line = markerLine(source)!;
  assert.match(source.split('\n')[line], /^def run\(params\):/);
  assert.equal(markerLine('x = 1\n'), undefined);
  const r = run('2026-01-01T00:00:00Z', [race(GIL, 0), race(FT, 0.55)]);
  assert.equal(lastResultTitle(r, 'race'), 'last run: race: GIL 0% lost · free-threaded 55% lost');
  assert.equal(lastResultTitle(r, 'lock'), undefined);
  assert.equal(lastResultTitle(undefined, 'race'), undefined);
});

test('the store merges runs: a single-experiment run keeps the other figures', () => {
  const store = new ResultStore(tempDir());
  assert.equal(store.latest(), undefined);
  store.add(run('2026-01-01T00:00:00.000Z', [race(GIL, 0), race(FT, 0.5), scaling(GIL, [0.1, 0.2, 0.4])]));
  const merged = store.add(run('2026-01-02T00:00:00.000Z', [race(FT, 0.6)], [FT]));
  assert.deepEqual(merged.results.map((r) => `${r.experiment} ${r.interpreter} ${r.lost_fraction ?? ''}`), [
    'race python3.14 0',
    'scaling python3.14 ',
    'race python3.14t<x> 0.6',
  ]);
  assert.deepEqual(merged.interpreters.map((i) => i.label), ['python3.14t<x>', 'python3.14']);
  assert.deepEqual(store.latest(), merged);
  for (let i = 0; i < 25; i++) store.add(run(`2026-02-${String(i + 1).padStart(2, '0')}T00:00:00.000Z`, [race(GIL, 0)], [GIL]));
  const dir = path.dirname(store.latestFile);
  assert.equal(fs.readdirSync(path.join(dir, 'runs')).length, 20);
  assert.equal(mergeRuns(undefined, merged), merged);
});

test('CSV: one row per trial, quoted where needed', () => {
  const csv = formatCsv(run('2026-01-01T00:00:00Z', [race(GIL, 0), buildResult({ experiment: 'lock', interpreter: FT, warmup: 0, scriptSha: 'z', outputs: [], error: 'python3.14t: lock: timed out, "killed"' })]));
  const lines = csv.trim().split('\n');
  assert.equal(lines[0], 'experiment,interpreter,version,gil_enabled,trial,elapsed_s,median_s,min_s,max_s,lost_fraction,correct,speedup,params,error');
  assert.equal(lines[1], 'race,python3.14,3.14.0,true,1,0.1,0.1,0.1,0.1,0,,,"threads=4 · iterations=1,000",');
  assert.equal(lines[2], 'lock,python3.14t<x>,3.14.0,,,,,,,,,,,"python3.14t: lock: timed out, ""killed"""');
});
