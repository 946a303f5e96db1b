// Extension-host test: runs inside code-server's extension host with the real `vscode` API
// (loaded as extensionTestsPath; bundled to test/e2e/out/suite.js by test/e2e/harness.ts).
// It writes its verdict to a JSON file that the driver (test/e2e/editor.test.ts) polls, because
// code-server, unlike desktop VS Code, has no process exit code to report it with.
import * as vscode from 'vscode';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fixtureLines, FIXTURE_NAME } from '../fixture';

interface Check {
  name: string;
  ms: number;
}

const started = Date.now();
const checks: Check[] = [];

function resultPath(): string {
  const fromEnv = process.env.FTAUDIT_E2E_RESULT;
  if (fromEnv) return fromEnv;
  const folder = vscode.workspace.workspaceFolders?.[0];
  if (!folder) throw new Error('no FTAUDIT_E2E_RESULT and no workspace folder to write the result to');
  return join(folder.uri.fsPath, '.ftaudit-e2e-result.json');
}

function codeOf(d: vscode.Diagnostic): string | undefined {
  if (d.code === undefined) return undefined;
  return typeof d.code === 'object' ? String(d.code.value) : String(d.code);
}

function ours(uri: vscode.Uri): vscode.Diagnostic[] {
  return vscode.languages.getDiagnostics(uri).filter((d) => d.source === 'ftaudit');
}

function dump(uri: vscode.Uri): unknown[] {
  return vscode.languages.getDiagnostics(uri).map((d) => ({
    source: d.source,
    code: codeOf(d),
    target: typeof d.code === 'object' ? d.code.target.toString() : undefined,
    severity: vscode.DiagnosticSeverity[d.severity],
    range: [d.range.start.line, d.range.start.character, d.range.end.line, d.range.end.character],
    message: d.message,
  }));
}

async function waitFor<T>(what: string, timeoutMs: number, probe: () => T | undefined): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function check<T>(name: string, body: () => Promise<T>): Promise<T> {
  const t0 = Date.now();
  const value = await body();
  checks.push({ name, ms: Date.now() - t0 });
  return value;
}

function assert(condition: unknown, message: string): asserts condition {
  if (!condition) throw new Error(message);
}

const ft101At = (uri: vscode.Uri, line: number) => () =>
  ours(uri).find((d) => codeOf(d) === 'FT101' && d.range.start.line === line);

async function runChecks(): Promise<Record<string, unknown>> {
  const folder = vscode.workspace.workspaceFolders?.[0];
  assert(folder, 'the test window has no workspace folder');
  const uri = vscode.Uri.joinPath(folder.uri, FIXTURE_NAME);

  const ext = await check('extension ftaudit.ftaudit is installed', async () => {
    const e = vscode.extensions.getExtension('ftaudit.ftaudit');
    assert(e, `extension ftaudit.ftaudit not found; loaded: ${vscode.extensions.all.map((x) => x.id).join(', ')}`);
    return e;
  });

  const doc = await vscode.workspace.openTextDocument(uri);
  const editor = await vscode.window.showTextDocument(doc);
  const lines = fixtureLines(doc.getText());

  await check('extension activates on a Python file', async () => {
    assert(doc.languageId === 'python', `fixture opened with languageId ${doc.languageId}`);
    await waitFor('activation', 20_000, () => (ext.isActive ? true : undefined));
  });

  const firstDiagnosticMs = Date.now() - started;
  const diag = await check('FT101 on `counter[0] += 1`', () =>
    waitFor(`FT101 at line ${lines.hazard + 1}; diagnostics so far: ${JSON.stringify(dump(uri))}`, 45_000, ft101At(uri, lines.hazard)),
  );

  await check('FT101 diagnostic fields', async () => {
    assert(diag.source === 'ftaudit', `source is ${diag.source}`);
    const hazardText = doc.lineAt(lines.hazard).text;
    const col = hazardText.indexOf('counter');
    assert(
      diag.range.start.character <= col && diag.range.end.character > col,
      `range ${diag.range.start.character}-${diag.range.end.character} does not cover column ${col} of ${JSON.stringify(hazardText)}`,
    );
    assert(diag.message.includes('counter'), `message does not name what is shared: ${diag.message}`);
    assert(
      typeof diag.code === 'object' && diag.code.target.toString().includes('FT101'),
      `code has no codeDescription link to the FT101 rule page: ${JSON.stringify(diag.code)}`,
    );
  });

  await check('no diagnostic on the guarded update or the local `x += 1`', async () => {
    // Give the server a moment in case it published in several passes.
    await new Promise((r) => setTimeout(r, 500));
    for (const [what, line] of [
      ['`with lock:` guarded update', lines.guarded],
      ['local `x += 1`', lines.local],
    ] as const) {
      const hits = ours(uri).filter((d) => d.range.start.line === line);
      assert(hits.length === 0, `${what} at line ${line + 1} was flagged: ${JSON.stringify(hits.map((d) => d.message))}`);
    }
  });

  await check('commands are registered and run', async () => {
    const all = await vscode.commands.getCommands(true);
    for (const id of ['ftaudit.restartServer', 'ftaudit.showOutput']) assert(all.includes(id), `command ${id} is not registered`);
    await vscode.commands.executeCommand('ftaudit.showOutput');
  });

  await check('edit above the hazard moves the diagnostic (incremental sync)', async () => {
    const ok = await editor.edit((e) => e.insert(new vscode.Position(0, 0), '# a line added by the test\n'));
    assert(ok, 'insert edit was not applied');
    await waitFor(`FT101 to move to line ${lines.hazard + 2}; now ${JSON.stringify(dump(uri))}`, 15_000, ft101At(uri, lines.hazard + 1));
  });

  await check('removing the hazard clears FT101', async () => {
    const line = doc.lineAt(lines.hazard + 1);
    const start = line.text.indexOf('counter[0] += 1');
    const ok = await editor.edit((e) =>
      e.replace(new vscode.Range(line.lineNumber, start, line.lineNumber, start + 'counter[0] += 1'.length), 'pass'),
    );
    assert(ok, 'replace edit was not applied');
    await waitFor(`FT101 to go away; now ${JSON.stringify(dump(uri))}`, 15_000, () =>
      ours(uri).some((d) => codeOf(d) === 'FT101') ? undefined : true,
    );
  });

  await check('undo brings FT101 back', async () => {
    await vscode.commands.executeCommand('undo');
    await vscode.commands.executeCommand('undo');
    assert(doc.lineAt(lines.hazard).text.includes('counter[0] += 1'), 'undo did not restore the fixture');
    await waitFor(`FT101 back at line ${lines.hazard + 1}; now ${JSON.stringify(dump(uri))}`, 15_000, ft101At(uri, lines.hazard));
  });

  await check('ftaudit.restartServer: diagnostics still published afterwards', async () => {
    await vscode.commands.executeCommand('ftaudit.restartServer');
    // After a restart the server must serve the open document again: edit it and see the result.
    await new Promise((r) => setTimeout(r, 1000));
    const ok = await editor.edit((e) => e.insert(new vscode.Position(0, 0), '\n'));
    assert(ok, 'edit after restart was not applied');
    await waitFor(`FT101 at line ${lines.hazard + 2} after the restart; now ${JSON.stringify(dump(uri))}`, 30_000, ft101At(uri, lines.hazard + 1));
    await vscode.commands.executeCommand('undo');
  });

  await vscode.commands.executeCommand('workbench.action.files.revert');
  return { firstDiagnosticMs, diagnostics: dump(uri) };
}

export async function run(): Promise<void> {
  let result: Record<string, unknown>;
  try {
    const extra = await runChecks();
    result = { ok: true, checks, ms: Date.now() - started, ...extra };
  } catch (err) {
    const e = err as Error;
    result = { ok: false, error: e.stack ?? String(e), checks, ms: Date.now() - started };
  }
  writeFileSync(resultPath(), JSON.stringify(result, null, 2));
  if (!result.ok) throw new Error(String(result.error));
}
