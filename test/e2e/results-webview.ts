// Issue 11, item 3 in a real VS Code: the benchmark results webview, with stored results for six
// interpreters, sized to exactly 800 CSS px wide. Seeds the extension's latest.json (no interpreter runs),
// opens it with "ftaudit: Open Benchmark Results" and checks from the webview's own document:
//  - no horizontal scrolling anywhere: the page, and every experiment table inside its scroll box, fit in 800 px;
//  - every interpreter is a row header of every table, in the stored order, and each header lies wholly
//    inside 0..800 horizontally;
//  - every column header of every table lies inside 0..800 (no measurement cut off on the right);
//  - the first chart (race) is drawn by Chart.js with one bar per interpreter and lies wholly inside the
//    webview's viewport (both axes) as the page opens, without scrolling.
// Screenshots: test-results/bench-results-800.png (the webview alone, 800 px wide) and
// bench-results-800-workbench.png (the whole window).
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { Frame, Page } from 'playwright-core';
import { sampleRun } from './bench-sample';
import { EditorBrowser, RESULTS_DIR, Sandbox } from './harness';

export const WEBVIEW_WIDTH = 800;
export const WEBVIEW_INTERPRETERS = 6;

/** Where the installed extension keeps benchmark results (its globalStorageUri). */
const storedResults = (box: Sandbox) => join(box.userDataDir, 'User', 'globalStorage', 'ftaudit.ftaudit', 'bench', 'latest.json');

/** Writes a stored run with `count` interpreters as the extension's latest results; returns their labels. */
export function seedResults(box: Sandbox, count = WEBVIEW_INTERPRETERS): string[] {
  const run = sampleRun(count);
  const file = storedResults(box);
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, JSON.stringify(run, null, 2));
  return run.interpreters.map((i) => i.label);
}

// Run inside the webview's document (as strings: this project's TypeScript has no DOM types).
/** Its tables are rendered and Chart.js has drawn the first chart. */
const READY = `(() => {
  const canvas = document.querySelector('.charts canvas');
  return !!document.querySelector('.cards .card table') && !!canvas && typeof Chart !== 'undefined' && !!Chart.getChart(canvas);
})()`;

/** Where everything is, in the webview's viewport coordinates (see Layout). */
const LAYOUT = `(() => {
  const rect = (el) => { const r = el.getBoundingClientRect(); return { left: r.left, right: r.right, top: r.top, bottom: r.bottom }; };
  const tables = Array.from(document.querySelectorAll('.cards .card')).map((card) => {
    const box = card.querySelector('.table-scroll');
    return {
      card: card.id,
      rows: Array.from(card.querySelectorAll('tbody th[scope="row"]')).map((th) => ({ label: (th.firstChild ? th.firstChild.textContent : '').trim(), ...rect(th) })),
      columns: Array.from(card.querySelectorAll('thead th')).map((th) => ({ text: th.textContent.trim(), ...rect(th) })),
      scrollWidth: box.scrollWidth,
      clientWidth: box.clientWidth,
    };
  });
  const canvas = document.querySelector('.charts canvas');
  return {
    innerWidth: window.innerWidth,
    innerHeight: window.innerHeight,
    pageScrollWidth: document.documentElement.scrollWidth,
    tables,
    chart: { id: canvas.id, ...rect(canvas), labels: Chart.getChart(canvas).data.labels.map(String) },
  };
})()`;

/** The webview's document (two iframes deep), once its cards are rendered and its first chart drawn. */
async function resultsFrame(page: Page): Promise<Frame> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    for (const frame of page.frames().filter((f) => f !== page.mainFrame())) {
      const ready = await frame
        .evaluate<boolean>(READY)
        .catch(() => false);
      if (ready) return frame;
    }
    if (Date.now() > deadline) throw new Error('timed out after 30 s waiting for the results webview with its tables and a drawn chart');
    await new Promise((r) => setTimeout(r, 250));
  }
}

const innerWidth = (frame: Frame) => frame.evaluate<number>('window.innerWidth');

/**
 * Resizes the browser window until the webview is WEBVIEW_WIDTH wide, whatever the workbench around it
 * (side bar, editor groups): the webview's width is linear in the window's, so two secant steps suffice.
 */
async function sizeWebview(page: Page, frame: Frame): Promise<number> {
  let viewport = page.viewportSize() ?? { width: 1280, height: 800 };
  let width = await innerWidth(frame);
  let slope = 1;
  for (let i = 0; i < 5 && width !== WEBVIEW_WIDTH; i++) {
    const next = Math.round(viewport.width + (WEBVIEW_WIDTH - width) / slope);
    await page.setViewportSize({ width: next, height: viewport.height });
    let now = width;
    // The workbench lays out on the resize event, the webview a frame later.
    for (let t = 0; t < 20 && now === width; t++) {
      await page.waitForTimeout(100);
      now = await innerWidth(frame);
    }
    if (next !== viewport.width && now !== width) slope = (now - width) / (next - viewport.width);
    viewport = { width: next, height: viewport.height };
    width = now;
  }
  return width;
}

interface Layout {
  innerWidth: number;
  innerHeight: number;
  pageScrollWidth: number;
  tables: { card: string; rows: { label: string; left: number; right: number }[]; columns: { text: string; left: number; right: number }[]; scrollWidth: number; clientWidth: number }[];
  chart: { id: string; left: number; right: number; top: number; bottom: number; labels: string[] };
}

export async function checkResultsWebviewAt800(opts: {
  page: Page;
  browser: EditorBrowser;
  box: Sandbox;
  runCommand: (page: Page, title: string) => Promise<void>;
  step: (what: string) => void;
}): Promise<void> {
  const { page, browser, box, runCommand, step } = opts;
  const labels = seedResults(box);
  // The palette lists the extension's commands once the extension host has scanned it: retry until then.
  for (let attempt = 1; ; attempt++) {
    try {
      await runCommand(page, 'ftaudit: Open Benchmark Results');
      break;
    } catch (error) {
      if (attempt >= 12) throw error;
      await page.keyboard.press('Escape');
      await page.waitForTimeout(2_000);
    }
  }
  await page.locator('.tabs-container .tab[aria-label*="ftaudit Benchmarks"]').first().waitFor({ state: 'visible', timeout: 30_000 });
  const frame = await resultsFrame(page);
  step(`results webview open with ${labels.length} interpreters`);

  const width = await sizeWebview(page, frame);
  console.log(`  [webview800] window ${JSON.stringify(page.viewportSize())} → webview ${width} px wide`);
  assert.equal(width, WEBVIEW_WIDTH, `could not size the webview to ${WEBVIEW_WIDTH} px (got ${width})`);
  // Chart.js redraws on resize (a ResizeObserver): give it a moment before measuring and taking the picture.
  await page.waitForTimeout(500);
  await frame.evaluate('window.scrollTo(0, 0)');
  step(`webview sized to ${WEBVIEW_WIDTH} px`);

  const layout = await frame.evaluate<Layout>(LAYOUT);

  mkdirSync(RESULTS_DIR, { recursive: true });
  await page.mouse.move(1, 1);
  await page.locator('iframe.webview').first().screenshot({ path: join(RESULTS_DIR, 'bench-results-800.png'), timeout: 15_000 });
  await browser.screenshot('bench-results-800-workbench.png');
  console.log(`  [webview800] viewport ${layout.innerWidth}×${layout.innerHeight}; first chart #${layout.chart.id} at x ${Math.round(layout.chart.left)}–${Math.round(layout.chart.right)}, y ${Math.round(layout.chart.top)}–${Math.round(layout.chart.bottom)}`);
  for (const t of layout.tables) console.log(`  [webview800] ${t.card}: ${t.rows.length} interpreter rows, ${t.columns.length} columns, table ${t.scrollWidth} px in a ${t.clientWidth} px box`);

  const W = layout.innerWidth;
  assert.ok(layout.pageScrollWidth <= W, `the page scrolls sideways: ${layout.pageScrollWidth} px wide in a ${W} px webview`);
  assert.deepEqual(layout.tables.map((t) => t.card), ['exp-single', 'exp-io', 'exp-race', 'exp-multiprocessing', 'exp-scaling', 'exp-lock']);
  for (const t of layout.tables) {
    assert.deepEqual(t.rows.map((r) => r.label), labels, `${t.card}: interpreter rows`);
    for (const r of t.rows) assert.ok(r.left >= 0 && r.right <= W, `${t.card}: "${r.label}" is outside 0..${W} (x ${r.left}–${r.right})`);
    for (const c of t.columns) assert.ok(c.left >= 0 && c.right <= W, `${t.card}: column "${c.text}" is outside 0..${W} (x ${c.left}–${c.right})`);
    assert.ok(t.scrollWidth <= t.clientWidth, `${t.card}: the table needs sideways scrolling (${t.scrollWidth} px in ${t.clientWidth} px)`);
  }
  const c = layout.chart;
  assert.equal(c.id, 'chart-race', 'the first chart is the race chart');
  assert.deepEqual(c.labels, labels, 'one race bar per interpreter');
  assert.ok(c.right - c.left > 100 && c.bottom - c.top > 100, `the first chart is too small: ${JSON.stringify(c)}`);
  assert.ok(c.left >= 0 && c.right <= W && c.top >= 0 && c.bottom <= layout.innerHeight, `the first chart is not wholly in view of the ${W}×${layout.innerHeight} webview: ${JSON.stringify(c)}`);
  // And the webview itself is inside the window.
  const frameBox = await page.locator('iframe.webview').first().boundingBox();
  const viewport = page.viewportSize()!;
  assert.ok(frameBox && frameBox.x >= 0 && frameBox.x + frameBox.width <= viewport.width + 1, `the webview is outside the window: ${JSON.stringify(frameBox)} in ${JSON.stringify(viewport)}`);
  step('every interpreter row, every column and the first chart in view at 800 px');
}
