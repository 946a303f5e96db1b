// In a real VS Code (code-server 4.100.3 = VS Code 1.100.3, driven by Debian's chromium):
//  1. the extension-host test (test/e2e/suite) against the repo's build, with the real `vscode` API;
//  2. a UI smoke test on the packaged .vsix: the FT101 row in the Problems panel, with a screenshot;
//  3. the same .vsix in Restricted Mode (workspace trust on, folder not trusted): diagnostics still appear.
// Needs: scripts/setup-editor.sh (code-server, chromium), `npm run build` and `npm run package`.
// scripts/test-editor.sh does all of that and then runs this file.
import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { buildSuite, CodeServer, EditorBrowser, EXTENSION_DIR, REPO, Sandbox, VSIX, waitForJson } from './harness';
import { FIXTURE_NAME, fixtureLines } from './fixture';

const SCREENSHOT = 'problems-panel.png';
const README_SCREENSHOT = join(REPO, 'docs', 'images', 'problems-panel.png');

/** One code-server + chromium session; always torn down, with logs attached to a failure. */
async function session<T>(
  name: string,
  opts: { workspaceTrust: boolean; vsix?: string; env?: (box: Sandbox) => NodeJS.ProcessEnv; settings?: Record<string, unknown> },
  body: (ctx: { box: Sandbox; server: CodeServer; browser: EditorBrowser }) => Promise<T>,
): Promise<T> {
  const box = new Sandbox(name);
  const server = new CodeServer(box);
  const browser = new EditorBrowser(box);
  let failed = false;
  try {
    if (opts.settings) box.writeSettings(opts.settings);
    if (opts.vsix) box.installExtension(opts.vsix);
    await server.start({ workspaceTrust: opts.workspaceTrust, env: opts.env?.(box) });
    return await body({ box, server, browser });
  } catch (err) {
    failed = true;
    const shot = await browser.screenshot(`${name}-failure.png`);
    const e = err as Error;
    const problems = await browser.page
      ?.locator('.markers-panel .monaco-list-row')
      .allInnerTexts()
      .catch(() => []);
    throw new Error(
      `[${name}] ${e.message}` +
        `\n\n===== screenshot: ${shot ?? '(none)'}` +
        `\n===== Problems panel rows: ${JSON.stringify(problems ?? [])}` +
        `\n===== browser console (last 40):\n${browser.consoleLines.slice(-40).join('\n')}` +
        `\n===== extension host logs and the ftaudit output channel:\n${box.logs()}` +
        `\n===== code-server stdout/stderr:\n${server.log()}`,
      { cause: err },
    );
  } finally {
    await browser.close();
    await server.stop();
    if (!failed) box.dispose();
    else console.error(`[e2e] kept ${box.root} for inspection`);
  }
}

async function waitForWorkbench(page: Page): Promise<void> {
  await page.locator('.monaco-workbench').waitFor({ state: 'visible', timeout: 60_000 });
  await page.locator('.part.statusbar').waitFor({ state: 'visible', timeout: 60_000 });
}

/** Answers the "Do you trust the authors…?" dialog, which appears when workspace trust is on. */
async function answerTrustDialog(page: Page, trust: boolean): Promise<void> {
  const button = page.getByRole('button', { name: trust ? /Yes, I trust the authors/ : /No, I don.t trust the authors/ });
  await button.waitFor({ state: 'visible', timeout: 30_000 });
  await button.click();
  await button.waitFor({ state: 'hidden', timeout: 10_000 });
}

async function openFixture(page: Page): Promise<void> {
  // Quick Open, as a person would; the explorer tree is not always expanded at this size.
  const editorTab = page.locator(`.tabs-container .tab[aria-label*="${FIXTURE_NAME}"]`);
  for (let attempt = 0; attempt < 3 && !(await editorTab.isVisible()); attempt++) {
    await page.locator('.monaco-workbench').click({ position: { x: 640, y: 300 } }).catch(() => undefined);
    await page.keyboard.press('Control+P');
    const input = page.locator('.quick-input-widget input');
    await input.waitFor({ state: 'visible', timeout: 10_000 });
    await input.fill(FIXTURE_NAME);
    await page.locator('.quick-input-list .monaco-list-row', { hasText: FIXTURE_NAME }).first().waitFor({ timeout: 15_000 });
    await page.keyboard.press('Enter');
    await editorTab.waitFor({ state: 'visible', timeout: 10_000 }).catch(() => undefined);
  }
  await editorTab.waitFor({ state: 'visible', timeout: 5_000 });
  await page.locator('.monaco-editor .view-lines', { hasText: 'counter' }).waitFor({ timeout: 15_000 });
}

/** Opens the Problems panel and returns the text of the row holding FT101. */
async function problemsRow(page: Page, timeoutMs = 60_000): Promise<string> {
  const panel = page.locator('.markers-panel');
  if (!(await panel.isVisible())) {
    await page.keyboard.press('Control+Shift+M');
    await panel.waitFor({ state: 'visible', timeout: 15_000 });
  }
  const row = panel.locator('.monaco-list-row', { hasText: 'FT101' }).first();
  await row.waitFor({ state: 'visible', timeout: timeoutMs });
  return (await row.innerText()).replace(/\s+/g, ' ').trim();
}

/** Logs how long each step of a UI session took, so slow steps show up in CI output. */
function stepper(tag: string): (what: string) => void {
  let t = Date.now();
  return (what) => {
    console.log(`  [${tag}] ${what} (${Date.now() - t} ms)`);
    t = Date.now();
  };
}

/** Runs a command through the command palette (F1), by its full title. */
async function runCommand(page: Page, title: string): Promise<void> {
  await page.keyboard.press('F1');
  const input = page.locator('.quick-input-widget input');
  await input.waitFor({ state: 'visible', timeout: 10_000 });
  await input.fill(`>${title}`);
  await page.locator('.quick-input-list .monaco-list-row', { hasText: title }).first().waitFor({ timeout: 10_000 });
  await page.keyboard.press('Enter');
  await input.waitFor({ state: 'hidden', timeout: 10_000 });
}

const fixtureText = readFileSync(join(__dirname, 'workspace', FIXTURE_NAME), 'utf8');
const lines = fixtureLines(fixtureText);

describe('ftaudit in a real VS Code (code-server)', () => {
  let suite = '';
  before(async () => {
    const manifest = JSON.parse(readFileSync(join(EXTENSION_DIR, 'package.json'), 'utf8')) as { main: string };
    const main = join(EXTENSION_DIR, manifest.main);
    assert.ok(existsSync(main), `${main} does not exist: run  npm run build`);
    suite = await buildSuite();
  });

  test('extension-host test: vscode.languages.getDiagnostics has FT101', { timeout: 180_000 }, async () => {
    // The extension host inherits code-server's environment: the suite writes its verdict where this says.
    const resultFile = (box: Sandbox) => join(box.root, 'exthost-result.json');
    const env = (box: Sandbox) => ({ FTAUDIT_E2E_RESULT: resultFile(box) });
    await session('exthost', { workspaceTrust: false, env }, async ({ box, server, browser }) => {
      const url = server.folderUrl([
        ['extensionDevelopmentPath', server.remoteUri(EXTENSION_DIR)],
        ['extensionTestsPath', server.remoteUri(suite)],
      ]);
      await browser.open(url);
      type Result = { ok: boolean; error?: string; checks: { name: string; ms: number }[]; firstDiagnosticMs?: number; ms: number };
      const result = await waitForJson<Result>(resultFile(box), 120_000, () =>
        'The extension-host test never reported. Is the extension host up? Did the suite load?',
      );
      for (const c of result.checks) console.log(`  [exthost] ✓ ${c.name} (${c.ms} ms)`);
      if (!result.ok) {
        throw new Error(`extension-host test failed:\n${result.error}\n(passed before it: ${result.checks.map((c) => c.name).join('; ')})`);
      }
      console.log(`  [exthost] first FT101 ${result.firstDiagnosticMs} ms after the suite started; all checks ${result.ms} ms`);
    });
  });

  test('UI smoke test on the installed .vsix: FT101 row in the Problems panel', { timeout: 180_000 }, async () => {
    await session('ui', { workspaceTrust: true, vsix: VSIX }, async ({ browser, server }) => {
      const step = stepper('ui');
      const page = await browser.open(server.folderUrl());
      await waitForWorkbench(page);
      step('workbench loaded');
      await answerTrustDialog(page, true);
      step('trusted the folder');
      await openFixture(page);
      step(`opened ${FIXTURE_NAME}`);
      const row = await problemsRow(page);
      step('FT101 row in the Problems panel');
      console.log(`  [ui] Problems row: ${row}`);
      assert.match(row, /FT101/);
      assert.match(row, /ftaudit/);
      assert.match(row, new RegExp(`Ln ${lines.hazard + 1}\\b`), `row does not point at line ${lines.hazard + 1}`);
      assert.match(row, /counter/);
      const squiggles = await page.locator('.monaco-editor [class*="squiggly-"]').count();
      assert.ok(squiggles > 0, 'no squiggle drawn in the editor');
      // Let the panel and the squiggle settle for the picture.
      await page.mouse.move(1, 1);
      await page.waitForTimeout(500);
      const shot = await browser.screenshot(SCREENSHOT);
      assert.ok(shot, 'screenshot failed');
      console.log(`  [ui] screenshot: ${shot}`);
      if (process.env.FTAUDIT_UPDATE_SCREENSHOT === '1') {
        mkdirSync(join(REPO, 'docs', 'images'), { recursive: true });
        copyFileSync(shot, README_SCREENSHOT);
        console.log(`  [ui] copied to ${README_SCREENSHOT}`);
      }
      // Hovering the squiggle shows the full message with the rule code.
      const box = await page.locator('.monaco-editor [class*="squiggly-"]').first().boundingBox();
      assert.ok(box, 'squiggle has no bounding box');
      await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2 - 4);
      const hover = page.locator('.monaco-hover', { hasText: 'FT101' }).first();
      await hover.waitFor({ state: 'visible', timeout: 15_000 });
      await browser.screenshot('hover.png');
      step('hover on the squiggle shows FT101');
      await page.keyboard.press('Escape');
      await page.mouse.move(1, 1);
      // The packaged commands are in the command palette: "ftaudit: Show Output" shows the log channel.
      await runCommand(page, 'ftaudit: Show Output');
      // The Output view's channel picker now has the ftaudit channel selected.
      const selected = page.locator('.part.panel select.monaco-select-box option:checked', { hasText: /ftaudit/i });
      await selected.first().waitFor({ state: 'attached', timeout: 15_000 });
      console.log(`  [ui] output channel shown: ${await selected.first().textContent()}`);
    });
  });

  test('Restricted Mode (untrusted folder): diagnostics still appear', { timeout: 180_000 }, async () => {
    await session('restricted', { workspaceTrust: true, vsix: VSIX }, async ({ browser, server }) => {
      const step = stepper('restricted');
      const page = await browser.open(server.folderUrl());
      await waitForWorkbench(page);
      step('workbench loaded');
      await answerTrustDialog(page, false);
      await page.locator('.statusbar-item', { hasText: 'Restricted Mode' }).first().waitFor({ timeout: 15_000 });
      step('folder left untrusted: Restricted Mode');
      await openFixture(page);
      step(`opened ${FIXTURE_NAME}`);
      const row = await problemsRow(page);
      step('FT101 row in the Problems panel');
      console.log(`  [restricted] Problems row: ${row}`);
      assert.match(row, /FT101/);
      await browser.screenshot('restricted-mode.png');
    });
  });
});
