// Extension-host test: runs inside code-server's extension host with the real `vscode` API
// (loaded as extensionTestsPath; bundled to test/e2e/out/suite.js by test/e2e/harness.ts).
// It writes its verdict to a JSON file that the driver (test/e2e/editor.test.ts) polls, because
// code-server, unlike desktop VS Code, has no process exit code to report it with.
import * as vscode from 'vscode';
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { fixtureLines, FIXTURE_NAME, GUARD_FIX_LOCK, GUARD_FIX_TITLE, GUARD_FIX_WITH, QUICKFIX_NAME, quickfixHazard } from '../fixture';

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
  const editor = await vscode.window.showTextDocument(doc, { preview: false });
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
  const diagnostics = dump(uri);
  await quickFixChecks(folder.uri);
  const bench = await benchmarkChecks(folder.uri);
  const reproduce = await reproduceChecks(folder.uri);
  await scratchStateFixChecks(folder.uri);
  await eventLoopChecks(folder.uri);
  await conditionWaitChecks(folder.uri);
  await threadStartChecks(folder.uri);
  await exchangeChecks(folder.uri);
  await tornReadChecks(folder.uri);
  await publicationOrderChecks(folder.uri);
  await notifyChecks(folder.uri);
  await unsafeClientChecks(folder.uri);
  await viewPastLockChecks(folder.uri);
  await queueStorageChecks(folder.uri);
  await runtimeThreadChecks(folder.uri);
  await crossModuleChecks(folder.uri);
  await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  return { firstDiagnosticMs, diagnostics, bench, reproduce };
}

// ---- reproduce a race (issue 11) --------------------------------------------------------------------

const REPRODUCE_SOURCE = `import threading

counter = [0]


def bump():
    counter[0] += 1


if __name__ == "__main__":
    threads = [threading.Thread(target=bump) for _ in range(4)]
    for t in threads:
        t.start()
`;

interface ReproObservation {
  label: string;
  status: string;
  gil_enabled?: boolean;
  lost_fraction?: number | null;
  reproduced: boolean;
  summary: string;
}

/**
 * The reproduce action on an unguarded counter: offered as a code action and a CodeLens, it runs on the
 * interpreters found (python3 here; plus FTAUDIT_TEST_FT_PYTHON when set, which must show lost updates),
 * the result reaches the hover and the diagnostic's related information, and after the lock fix the
 * re-run shows nothing lost.
 */
async function reproduceChecks(folderUri: vscode.Uri): Promise<Record<string, unknown>> {
  const python = process.env.FTAUDIT_E2E_PYTHON;
  if (!python) {
    checks.push({ name: 'reproduce SKIPPED: no python3 on PATH', ms: 0 });
    return { skipped: 'no python3' };
  }
  const ft = process.env.FTAUDIT_TEST_FT_PYTHON;
  if (ft) {
    const config = vscode.workspace.getConfiguration('ftaudit');
    await config.update('interpreters', [{ label: 'python3.14t-test', path: ft }, { label: 'python3', path: python }], vscode.ConfigurationTarget.Global);
  }
  const uri = vscode.Uri.joinPath(folderUri, 'repro_counter.py');
  writeFileSync(uri.fsPath, REPRODUCE_SOURCE);
  const doc = await vscode.workspace.openTextDocument(uri);
  await vscode.window.showTextDocument(doc, { preview: false });
  const line = REPRODUCE_SOURCE.split('\n').findIndex((l) => l.includes('counter[0] += 1'));
  const diag = await waitFor(`FT101 at line ${line + 1} of repro_counter.py; now ${JSON.stringify(dump(uri))}`, 30_000, ft101At(uri, line));
  const target = { uri: uri.toString(), line: line + 1, code: 'FT101' };

  await check('the reproduce code action is offered on FT101', async () => {
    const actions = await vscode.commands.executeCommand<vscode.CodeAction[]>('vscode.executeCodeActionProvider', uri, diag.range);
    const action = (actions ?? []).find((a) => a.title === 'Reproduce this race on free-threaded Python');
    assert(action?.command?.command === 'ftaudit.reproduce', `no reproduce action: ${JSON.stringify((actions ?? []).map((a) => a.title))}`);
  });
  await check('CodeLens "Reproduce FT101 on free-threaded Python" above the finding', async () => {
    const titles = await waitForLens(uri, (t) => t.includes('Reproduce FT101'));
    assert(titles.length > 0, 'no lens');
  });

  const before = await check(`ftaudit.reproduce on ${ft ? 'the free-threaded interpreter and python3' : 'python3'}`, async () => {
    const result = await vscode.commands.executeCommand<{ interpreters: ReproObservation[]; reproduced: boolean; harness: string } | undefined>('ftaudit.reproduce', target);
    assert(result, 'ftaudit.reproduce returned nothing (see the ftaudit output)');
    const gil = result.interpreters.find((o) => o.gil_enabled === true);
    assert(gil && gil.status === 'ok', `python3 did not run the harness: ${JSON.stringify(result.interpreters)}`);
    if (ft) {
      const free = result.interpreters.find((o) => o.gil_enabled === false);
      assert(free && free.status === 'ok' && (free.lost_fraction ?? 0) > 0, `no lost updates on the free-threaded interpreter: ${JSON.stringify(result.interpreters)}`);
    }
    return result;
  });
  if (!ft) checks.push({ name: 'reproduce on a free-threaded interpreter SKIPPED: set FTAUDIT_TEST_FT_PYTHON', ms: 0 });

  await check('the result shows in the hover and in the diagnostic\'s related information', async () => {
    const hovers = await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', uri, new vscode.Position(line, 6));
    const text = (hovers ?? []).flatMap((h) => h.contents.map((c) => (typeof c === 'string' ? c : c.value))).join('\n');
    assert(/ftaudit reproduce/.test(text) && /python3/.test(text), `hover without the reproduction: ${text}`);
    await waitFor('related information with the reproduction summary', 10_000, () => {
      const d = ours(uri).find((x) => codeOf(x) === 'FT101');
      return d?.relatedInformation?.some((r) => /reproduced|not reproduced/.test(r.message)) ? true : undefined;
    });
  });

  const after = await check('after the lock fix, Run Again loses nothing', async () => {
    const actions = await vscode.commands.executeCommand<vscode.CodeAction[]>('vscode.executeCodeActionProvider', uri, diag.range);
    const guard = (actions ?? []).find((a) => a.title === GUARD_FIX_TITLE);
    assert(guard?.edit, `no guard fix: ${JSON.stringify((actions ?? []).map((a) => a.title))}`);
    assert(await vscode.workspace.applyEdit(guard.edit), 'the guard fix was not applied');
    assert(await doc.save(), 'the fixed file was not saved');
    const result = await vscode.commands.executeCommand<{ interpreters: ReproObservation[] } | undefined>('ftaudit.reproduce.rerun', target);
    assert(result, 'ftaudit.reproduce.rerun returned nothing');
    for (const o of result.interpreters) {
      assert(o.status === 'ok' && o.lost_fraction === 0 && !o.reproduced, `after the fix ${o.label} still shows a race: ${o.summary}`);
    }
    return result;
  });
  if (ft) await vscode.workspace.getConfiguration('ftaudit').update('interpreters', undefined, vscode.ConfigurationTarget.Global);
  return {
    before: before.interpreters.map((o) => `${o.label}: ${o.summary}`),
    after: after.interpreters.map((o) => `${o.label}: ${o.summary}`),
  };
}

/** The FT109 example (per-call scratch on a shared parser) offers the thread-local fix; the fixed file parses and no longer reports. */
/** Writes `source` to `name` in the workspace, opens it, and waits for the first `code` finding in it. */
async function openWithFinding(folderUri: vscode.Uri, name: string, source: string, code: string): Promise<{ uri: vscode.Uri; doc: vscode.TextDocument; diag: vscode.Diagnostic }> {
  const uri = vscode.Uri.joinPath(folderUri, name);
  writeFileSync(uri.fsPath, source);
  const doc = await vscode.workspace.openTextDocument(uri);
  await vscode.window.showTextDocument(doc, { preview: false });
  const diag = await waitFor(`${code} in ${name}; now ${JSON.stringify(dump(uri))}`, 30_000, () => ours(uri).find((d) => codeOf(d) === code));
  return { uri, doc, diag };
}

/** Kind 7 across modules: the workspace index tells hub/workers.py that hub/registry.py iterates what it changes from threads. */
async function crossModuleChecks(folderUri: vscode.Uri): Promise<void> {
  await check('FT107 across modules: changes of another module\'s registry from threads, learnt from the workspace index', async () => {
    const uri = vscode.Uri.joinPath(folderUri, 'hub', 'workers.py');
    const doc = await vscode.workspace.openTextDocument(uri);
    await vscode.window.showTextDocument(doc, { preview: false });
    const hits = await waitFor(`two FT107 in hub/workers.py; now ${JSON.stringify(dump(uri))}`, 60_000, () => {
      const found = ours(uri).filter((d) => codeOf(d) === 'FT107');
      return found.length >= 2 ? found : undefined;
    });
    for (const d of hits) {
      const line = doc.lineAt(d.range.start.line).text;
      assert(/registry\._(handlers|seen)/.test(line), `FT107 on an unexpected line: ${JSON.stringify(line)}`);
      assert(/a module global of `hub\.registry`/.test(d.message) && /in hub\.registry/.test(d.message), `the message does not name the other module's loop: ${d.message}`);
    }
  });
}

async function scratchStateFixChecks(folderUri: vscode.Uri): Promise<void> {
  const extension = vscode.extensions.getExtension('ftaudit.ftaudit');
  assert(extension, 'the extension is not installed');
  const { uri, doc, diag } = await openWithFinding(folderUri, 'parser_scratch.py', readFileSync(join(extension.extensionPath, 'examples', 'parser_scratch.py'), 'utf8'), 'FT109');
  await check('FT109 offers the thread-local fix; applied, the file parses and FT109 is gone', async () => {
    const actions = await vscode.commands.executeCommand<vscode.CodeAction[]>('vscode.executeCodeActionProvider', uri, diag.range);
    const titles = (actions ?? []).map((a) => a.title);
    const local = (actions ?? []).find((a) => /threading\.local/.test(a.title));
    assert(local?.edit, `no thread-local fix for FT109: ${JSON.stringify(titles)}`);
    assert(titles.some((t) => /in a local variable/.test(t)), `no local-variable fix for FT109: ${JSON.stringify(titles)}`);
    assert(await vscode.workspace.applyEdit(local.edit), 'the thread-local fix was not applied');
    assert(await doc.save(), 'the fixed file was not saved');
    assert(/threading\.local/.test(doc.getText()), `the fix made no threading.local:\n${doc.getText()}`);
    await waitFor(`FT109 to go away; now ${JSON.stringify(dump(uri))}`, 15_000, () => (ours(uri).some((d) => codeOf(d) === 'FT109') ? undefined : true));
    const python = process.env.FTAUDIT_E2E_PYTHON;
    if (python) {
      const r = spawnSync(python, ['-I', '-m', 'py_compile', uri.fsPath], { encoding: 'utf8', timeout: 30_000 });
      assert(r.status === 0, `the fixed parser_scratch.py does not compile: ${r.stderr}`);
      const run = spawnSync(python, ['-I', uri.fsPath], { encoding: 'utf8', timeout: 60_000 });
      assert(run.status === 0 && /3,?000 lines parsed/.test(run.stdout), `the fixed example did not run: ${run.stdout}${run.stderr}`);
    }
  });
}

const LOOP_SOURCE = `import asyncio
import queue
import threading


class Background:
    def __init__(self):
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)
        self._thread.start()

    def stop(self):
        self._loop.stop()


jobs = queue.Queue()
failed = []


def consume():
    while True:
        job = jobs.get()
        jobs.task_done()
        if not job():
            failed.append(job)


def wait_all():
    jobs.join()
    return not failed
`;

/**
 * FT217 and FT218 as a user meets them: both squiggles in one file, and FT217's quick fix hands
 * `self._loop.stop()` over to the loop with `call_soon_threadsafe`, after which FT217 is gone.
 */
async function eventLoopChecks(folderUri: vscode.Uri): Promise<void> {
  const { uri, doc, diag } = await openWithFinding(folderUri, 'loop_service.py', LOOP_SOURCE, 'FT217');
  await check('FT218 on `jobs.task_done()` before the work', async () => {
    const ft218 = ours(uri).find((d) => codeOf(d) === 'FT218');
    assert(ft218, `no FT218 in loop_service.py: ${JSON.stringify(dump(uri))}`);
    assert(doc.getText(ft218.range) === 'jobs.task_done()', `FT218 on ${doc.getText(ft218.range)}`);
  });
  await check('FT217 offers the hand-over fix; applied, FT217 is gone', async () => {
    assert(doc.getText(diag.range) === 'self._loop.stop()', `FT217 on ${doc.getText(diag.range)}`);
    const actions = await vscode.commands.executeCommand<vscode.CodeAction[]>('vscode.executeCodeActionProvider', uri, diag.range);
    const titles = (actions ?? []).map((a) => a.title);
    const handOver = (actions ?? []).find((a) => /call_soon_threadsafe/.test(a.title));
    assert(handOver?.edit, `no hand-over fix for FT217: ${JSON.stringify(titles)}`);
    assert(await vscode.workspace.applyEdit(handOver.edit), 'the hand-over fix was not applied');
    assert(await doc.save(), 'the fixed file was not saved');
    assert(doc.getText().includes('self._loop.call_soon_threadsafe(self._loop.stop)'), `unexpected fix:\n${doc.getText()}`);
    await waitFor(`FT217 to go away; now ${JSON.stringify(dump(uri))}`, 15_000, () => (ours(uri).some((d) => codeOf(d) === 'FT217') ? undefined : true));
  });
}

const CONSUMER_SOURCE = `import threading


class Consumer:
    def __init__(self, stream):
        self._stream = stream
        self._paused = False
        self._wake = threading.Condition()

    def run(self):
        while self._stream.is_open:
            with self._wake:
                if self._paused:
                    self._wake.wait()
            self._stream.deliver()

    def pause(self):
        with self._wake:
            self._paused = True

    def resume(self):
        with self._wake:
            self._paused = False
            self._wake.notify_all()
`;

/**
 * FT222 as a user meets it: the squiggle on a condition wait under an `if`; the user turns the `if`
 * into a `while` that re-tests the flag, and the squiggle goes.
 */
async function conditionWaitChecks(folderUri: vscode.Uri): Promise<void> {
  const { uri, doc, diag } = await openWithFinding(folderUri, 'consumer_wait.py', CONSUMER_SOURCE, 'FT222');
  await check('FT222 on a condition wait under `if`; made a `while`, it is gone', async () => {
    assert(doc.getText(diag.range) === 'self._wake.wait()', `FT222 on ${doc.getText(diag.range)}`);
    const line = doc.getText().split('\n').findIndex((l) => l.trim() === 'if self._paused:');
    assert(line >= 0, 'no `if self._paused:` line');
    const edit = new vscode.WorkspaceEdit();
    const at = doc.lineAt(line).firstNonWhitespaceCharacterIndex;
    edit.replace(uri, new vscode.Range(line, at, line, at + 2), 'while');
    assert(await vscode.workspace.applyEdit(edit), 'the edit was not applied');
    await waitFor(`FT222 to go away; now ${JSON.stringify(dump(uri))}`, 15_000, () => (ours(uri).some((d) => codeOf(d) === 'FT222') ? undefined : true));
  });
}

const PUMP_SOURCE = `import threading
import time


class Pump:
    def __init__(self):
        self._thread = None

    def start(self):
        self._thread = threading.Thread(target=self._loop, daemon=True)
        self._thread.start()

    def _loop(self):
        self._stopping = False
        while not self._stopping:
            time.sleep(0.1)

    def close(self):
        self._stopping = True
`;

/**
 * FT114 as a user meets it: the squiggle on the flag the thread clears when it starts; its quick fix
 * moves the assignment into \`start()\`, above the thread's start, and the squiggle goes.
 */
async function threadStartChecks(folderUri: vscode.Uri): Promise<void> {
  const { uri, doc, diag } = await openWithFinding(folderUri, 'pump.py', PUMP_SOURCE, 'FT114');
  await check('FT114 on a flag the thread sets when it starts; the fix moves it before the start', async () => {
    assert(doc.getText(diag.range) === 'self._stopping = False', `FT114 on ${doc.getText(diag.range)}`);
    const actions = await vscode.commands.executeCommand<vscode.CodeAction[]>('vscode.executeCodeActionProvider', uri, diag.range);
    const titles = (actions ?? []).map((a) => a.title);
    const move = (actions ?? []).find((a) => /before the thread starts/.test(a.title));
    assert(move?.edit, `no FT114 fix: ${JSON.stringify(titles)}`);
    assert(await vscode.workspace.applyEdit(move.edit), 'the FT114 fix was not applied');
    assert(await doc.save(), 'the fixed file was not saved');
    assert(/self\._stopping = False\n\s+self\._thread\.start\(\)/.test(doc.getText()), `unexpected fix:\n${doc.getText()}`);
    await waitFor(`FT114 to go away; now ${JSON.stringify(dump(uri))}`, 15_000, () => (ours(uri).some((d) => codeOf(d) === 'FT114') ? undefined : true));
  });
}

const DEVICE_SOURCE = `import socket
import threading


class Device:
    def __init__(self, host):
        self._sock = socket.create_connection((host, 8888))
        self._lock = threading.Lock()

    def version(self):
        with self._lock:
            self._sock.sendall(b"VERSION")
            return self._sock.recv(32)

    def read_block(self, n):
        with self._lock:
            self._sock.sendall(b"READ %d" % n)
        return self._sock.recv(n)
`;

/**
 * FT115 as a user meets it: the squiggle on a reply read after the lock is let go; the user moves the
 * read into the locked block, and the squiggle goes.
 */
async function exchangeChecks(folderUri: vscode.Uri): Promise<void> {
  const { uri, doc, diag } = await openWithFinding(folderUri, 'device.py', DEVICE_SOURCE, 'FT115');
  await check('FT115 on a reply read after the lock is released; read under the lock, it is gone', async () => {
    assert(doc.getText(diag.range) === 'self._sock.recv(n)', `FT115 on ${doc.getText(diag.range)}`);
    const line = diag.range.start.line;
    const edit = new vscode.WorkspaceEdit();
    edit.insert(uri, new vscode.Position(line, 0), '    ');
    assert(await vscode.workspace.applyEdit(edit), 'the edit was not applied');
    await waitFor(`FT115 to go away; now ${JSON.stringify(dump(uri))}`, 15_000, () => (ours(uri).some((d) => codeOf(d) === 'FT115') ? undefined : true));
  });
}

const METER_SOURCE = `import threading


class Meter:
    def __init__(self, device):
        self._device = device
        self._lock = threading.Lock()
        self.total = 0
        self.count = 0
        threading.Thread(target=self._measure, daemon=True).start()

    def _measure(self):
        while True:
            samples = self._device.read()
            with self._lock:
                self.total += sum(samples)
                self.count += len(samples)

    def average(self):
        return self.total / max(self.count, 1)
`;

/**
 * FT116 as a user meets it: the squiggle on a ratio of two fields the thread updates together under its
 * lock; the quick fix reads them holding that lock, and the squiggle goes.
 */
async function tornReadChecks(folderUri: vscode.Uri): Promise<void> {
  const { uri, doc, diag } = await openWithFinding(folderUri, 'meter.py', METER_SOURCE, 'FT116');
  await check('FT116 on two fields updated together, combined without the lock; the fix reads them under it', async () => {
    assert(doc.getText(diag.range) === 'self.total / max(self.count, 1)', `FT116 on ${doc.getText(diag.range)}`);
    const actions = await vscode.commands.executeCommand<vscode.CodeAction[]>('vscode.executeCodeActionProvider', uri, diag.range);
    const titles = (actions ?? []).map((a) => a.title);
    const guard = (actions ?? []).find((a) => /Guard with `self\._lock`/.test(a.title));
    assert(guard?.edit, `no FT116 fix: ${JSON.stringify(titles)}`);
    assert(await vscode.workspace.applyEdit(guard.edit), 'the FT116 fix was not applied');
    assert(await doc.save(), 'the fixed file was not saved');
    assert(/with self\._lock:\n\s+return self\.total \/ max\(self\.count, 1\)/.test(doc.getText()), `unexpected fix:\n${doc.getText()}`);
    await waitFor(`FT116 to go away; now ${JSON.stringify(dump(uri))}`, 15_000, () => (ours(uri).some((d) => codeOf(d) === 'FT116') ? undefined : true));
  });
}

const PRINTER_SOURCE = `import threading


class Printer:
    def __init__(self):
        self.printing = False
        self.queue = []
        self.index = 0
        threading.Thread(target=self._listen, daemon=True).start()

    def start_print(self, lines):
        self.printing = True
        self.queue = lines
        self.index = 0

    def _listen(self):
        while True:
            if self.printing and self.index < len(self.queue):
                print(self.queue[self.index])
                self.index += 1
`;

/**
 * FT117 as a user meets it: the squiggle on a flag the listener thread tests, raised before the queue
 * it announces; moving the flag after the state (the remedy the message gives) makes it go.
 */
async function publicationOrderChecks(folderUri: vscode.Uri): Promise<void> {
  const { uri, doc, diag } = await openWithFinding(folderUri, 'printer.py', PRINTER_SOURCE, 'FT117');
  await check('FT117 on a flag raised before the state it announces; setting it last clears it', async () => {
    assert(doc.getText(diag.range) === 'self.printing = True', `FT117 on ${doc.getText(diag.range)}`);
    const flagLine = diag.range.start.line;
    const lastState = flagLine + 2;
    const edit = new vscode.WorkspaceEdit();
    edit.insert(uri, new vscode.Position(lastState + 1, 0), doc.lineAt(flagLine).text + '\n');
    edit.delete(uri, new vscode.Range(flagLine, 0, flagLine + 1, 0));
    assert(await vscode.workspace.applyEdit(edit), 'the reorder was not applied');
    assert(await doc.save(), 'the edited file was not saved');
    assert(/self\.index = 0\n\s+self\.printing = True/.test(doc.getText()), `unexpected edit:\n${doc.getText()}`);
    await waitFor(`FT117 to go away; now ${JSON.stringify(dump(uri))}`, 15_000, () => (ours(uri).some((d) => codeOf(d) === 'FT117') ? undefined : true));
  });
}

const SUBSCRIBER_SOURCE = `import threading


class Subscriber:
    def __init__(self, connection):
        self._lock = threading.Lock()
        self._cond = threading.Condition(self._lock)
        self._queue = []
        connection.set_cleanup_callback(self._closed)

    def _closed(self, connection):
        self._cond.notify()
`;

/** FT223 as a user meets it: the squiggle on a notify without the Condition's lock; the fix holds it. */
async function notifyChecks(folderUri: vscode.Uri): Promise<void> {
  const { uri, doc, diag } = await openWithFinding(folderUri, 'subscriber.py', SUBSCRIBER_SOURCE, 'FT223');
  await check('FT223 on a notify without the lock; the fix wraps it in `with self._cond:`', async () => {
    assert(doc.getText(diag.range) === 'self._cond.notify()', `FT223 on ${doc.getText(diag.range)}`);
    const actions = await vscode.commands.executeCommand<vscode.CodeAction[]>('vscode.executeCodeActionProvider', uri, diag.range);
    const hold = (actions ?? []).find((a) => /Hold `self\._cond`/.test(a.title));
    assert(hold?.edit, `no FT223 fix: ${JSON.stringify((actions ?? []).map((a) => a.title))}`);
    assert(await vscode.workspace.applyEdit(hold.edit), 'the FT223 fix was not applied');
    assert(await doc.save(), 'the fixed file was not saved');
    assert(/with self\._cond:\n\s+self\._cond\.notify\(\)/.test(doc.getText()), `unexpected fix:\n${doc.getText()}`);
    await waitFor(`FT223 to go away; now ${JSON.stringify(dump(uri))}`, 15_000, () => (ours(uri).some((d) => codeOf(d) === 'FT223') ? undefined : true));
  });
}

const CAPTURE_SOURCE = `import threading

from Xlib import display


class Capture(threading.Thread):
    def __init__(self):
        super().__init__()
        self._display = display.Display()

    def run(self):
        while True:
            self.on_event(self._display.next_event())

    def suppress(self, key):
        self._display.grab_key(key)
`;

const FANOUT_SOURCE = `import threading


class MultiSubscriber:
    def __init__(self):
        self.lock = threading.Lock()
        self.subscriptions = {}

    def subscribe(self, client_id, callback):
        with self.lock:
            self.subscriptions[client_id] = callback

    def unsubscribe(self, client_id):
        with self.lock:
            del self.subscriptions[client_id]

    def callback(self, msg):
        with self.lock:
            callbacks = self.subscriptions.values()
        for cb in callbacks:
            cb(msg)


def start(bridge):
    threading.Thread(target=bridge.callback, args=("hello",)).start()
`;

/** A live view kept past the lock (FT107): reported at the view; a snapshot taken under the lock clears it. */
async function viewPastLockChecks(folderUri: vscode.Uri): Promise<void> {
  const { uri, doc, diag } = await openWithFinding(folderUri, 'fanout.py', FANOUT_SOURCE, 'FT107');
  await check('FT107 on a live view kept past the lock; a snapshot under the lock clears it', async () => {
    assert(doc.getText(diag.range) === 'self.subscriptions.values()', `FT107 on ${doc.getText(diag.range)}`);
    assert(/keeps a live view/.test(diag.message) && /line 20/.test(diag.message), `unexpected message: ${diag.message}`);
    const edit = new vscode.WorkspaceEdit();
    edit.replace(uri, diag.range, 'list(self.subscriptions.values())');
    assert(await vscode.workspace.applyEdit(edit), 'the snapshot was not written');
    await waitFor(`FT107 to go away; now ${JSON.stringify(dump(uri))}`, 15_000, () => (ours(uri).some((d) => codeOf(d) === 'FT107') ? undefined : true));
    assert(await doc.save(), 'the edited file was not saved');
  });
}

const JOBQUEUE_SOURCE = `import threading
from queue import PriorityQueue


class JobQueue:
    def __init__(self):
        self.queue = PriorityQueue()
        threading.Thread(target=self._main_loop, daemon=True).start()

    def _main_loop(self):
        while True:
            when, job = self.queue.get()
            job()
            self.queue.put((when + 1, job))

    def jobs(self):
        return tuple(job for _, job in self.queue.queue)
`;

/** FT107 on a walk of a queue's own list: the fix holds the queue's mutex around it. */
async function queueStorageChecks(folderUri: vscode.Uri): Promise<void> {
  const { uri, doc, diag } = await openWithFinding(folderUri, 'jobqueue.py', JOBQUEUE_SOURCE, 'FT107');
  await check("FT107 on a walk of a queue's own list; the fix wraps it in `with self.queue.mutex:`", async () => {
    assert(doc.getText(diag.range) === 'self.queue.queue', `FT107 on ${doc.getText(diag.range)}`);
    assert(/without holding `self\.queue\.mutex`/.test(diag.message), `unexpected message: ${diag.message}`);
    const actions = await vscode.commands.executeCommand<vscode.CodeAction[]>('vscode.executeCodeActionProvider', uri, diag.range);
    const guard = (actions ?? []).find((a) => /Guard with `self\.queue\.mutex`/.test(a.title));
    assert(guard?.edit, `no FT107 fix: ${JSON.stringify((actions ?? []).map((a) => a.title))}`);
    assert(await vscode.workspace.applyEdit(guard.edit), 'the FT107 fix was not applied');
    assert(await doc.save(), 'the fixed file was not saved');
    assert(/with self\.queue\.mutex:\n\s+return tuple\(/.test(doc.getText()), `unexpected fix:\n${doc.getText()}`);
    await waitFor(`FT107 to go away; now ${JSON.stringify(dump(uri))}`, 15_000, () => (ours(uri).some((d) => codeOf(d) === 'FT107') ? undefined : true));
  });
}

async function unsafeClientChecks(folderUri: vscode.Uri): Promise<void> {
  const { uri, doc, diag } = await openWithFinding(folderUri, 'capture.py', CAPTURE_SOURCE, 'FT224');
  await check('FT224 on a Display two threads use; importing Xlib.threaded makes it thread-safe', async () => {
    assert(doc.getText(diag.range) === 'self._display', `FT224 on ${doc.getText(diag.range)}`);
    assert(/line 16/.test(diag.message) && /`run` runs on threads/.test(diag.message), `unexpected message: ${diag.message}`);
    const edit = new vscode.WorkspaceEdit();
    edit.insert(uri, new vscode.Position(0, 0), 'import Xlib.threaded\n');
    assert(await vscode.workspace.applyEdit(edit), 'the import was not inserted');
    await waitFor(`FT224 to go away; now ${JSON.stringify(dump(uri))}`, 15_000, () => (ours(uri).some((d) => codeOf(d) === 'FT224') ? undefined : true));
    assert(await doc.save(), 'the edited file was not saved');
  });
}

const RUNTIME_SOURCE = `import sqlite3
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

hits = 0


class History:
    def __init__(self, path):
        self.db = sqlite3.connect(path)
        self.saver = Saver(self)

    def save(self):
        self.db.commit()


class Saver(threading.Thread):
    def __init__(self, history):
        super().__init__(daemon=True)
        self.history = history

    def run(self):
        self.history.save()


class Handler(BaseHTTPRequestHandler):
    def do_GET(self):
        global hits
        hits += 1


def serve():
    ThreadingHTTPServer(("", 8000), Handler).serve_forever()
`;

/**
 * Threads the runtime starts, as a user meets them: a threading server's handler updating a global
 * (FT101, citing the server) and a sqlite connection opened in __init__ used from a Thread's run (FT219).
 */
async function runtimeThreadChecks(folderUri: vscode.Uri): Promise<void> {
  const uri = vscode.Uri.joinPath(folderUri, 'history_service.py');
  writeFileSync(uri.fsPath, RUNTIME_SOURCE);
  const doc = await vscode.workspace.openTextDocument(uri);
  await vscode.window.showTextDocument(doc, { preview: false });
  const ft219 = await waitFor(`FT219 in history_service.py; now ${JSON.stringify(dump(uri))}`, 30_000, () => ours(uri).find((d) => codeOf(d) === 'FT219'));
  await check('FT219 on the connection used from the Saver thread; FT101 on the handler, citing the server', async () => {
    assert(doc.getText(ft219.range) === 'self.db.commit()', `FT219 on ${doc.getText(ft219.range)}`);
    assert(/ProgrammingError/.test(ft219.message), `FT219 message: ${ft219.message}`);
    const ft101 = ours(uri).find((d) => codeOf(d) === 'FT101');
    assert(ft101 && doc.getText(ft101.range) === 'hits += 1', `no FT101 on the handler: ${JSON.stringify(dump(uri))}`);
    assert(/handles each request on a thread of its own/.test(ft101.message), `FT101 message: ${ft101.message}`);
  });
}

async function waitForLens(uri: vscode.Uri, match: (title: string) => boolean): Promise<string[]> {
  const deadline = Date.now() + 15_000;
  for (;;) {
    const lenses = await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', uri);
    const titles = (lenses ?? []).map((l) => l.command?.title ?? '').filter(match);
    if (titles.length) return titles;
    if (Date.now() > deadline) throw new Error(`no CodeLens matched; got ${JSON.stringify((lenses ?? []).map((l) => l.command?.title))}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

// ---- quick fixes (issue 4) ------------------------------------------------------------------------

async function quickFixChecks(folderUri: vscode.Uri): Promise<void> {
  const uri = vscode.Uri.joinPath(folderUri, QUICKFIX_NAME);
  const doc = await vscode.workspace.openTextDocument(uri);
  await vscode.window.showTextDocument(doc, { preview: false });
  const original = doc.getText();
  const hazard = quickfixHazard(original);

  const diag = await check(`${QUICKFIX_NAME}: FT101 on \`counter[0] += 1\``, () =>
    waitFor(`FT101 at line ${hazard.line + 1} of ${QUICKFIX_NAME}; diagnostics so far: ${JSON.stringify(dump(uri))}`, 30_000, ft101At(uri, hazard.line)),
  );

  await check('vscode.executeCodeActionProvider offers the guard fix and both suppressions', async () => {
    const actions = await vscode.commands.executeCommand<(vscode.CodeAction | vscode.Command)[]>('vscode.executeCodeActionProvider', uri, diag.range);
    const codeActions = (actions ?? []).filter((a): a is vscode.CodeAction => !('command' in a && typeof a.command === 'string'));
    const titles = codeActions.map((a) => a.title);
    const guard = codeActions.find((a) => a.title === GUARD_FIX_TITLE);
    assert(guard, `no code action titled ${JSON.stringify(GUARD_FIX_TITLE)}; offered: ${JSON.stringify(titles)}`);
    assert(guard.kind?.value === vscode.CodeActionKind.QuickFix.value, `guard fix has kind ${guard.kind?.value}`);
    assert(guard.isPreferred === true, 'guard fix (a safe fix) is not the preferred action');
    // (vscode.executeCodeActionProvider does not convert CodeAction.diagnostics: nothing to check there.)
    const edits = guard.edit?.get(uri) ?? [];
    assert(edits.some((e) => e.newText.includes(GUARD_FIX_LOCK)), `guard fix does not create the lock: ${JSON.stringify(edits)}`);
    assert(edits.some((e) => e.newText.includes(GUARD_FIX_WITH)), `guard fix does not add \`${GUARD_FIX_WITH}\`: ${JSON.stringify(edits)}`);
    for (const title of ['Suppress FT101 on this line', 'Suppress FT101 for this file']) {
      assert(titles.includes(title), `no code action ${JSON.stringify(title)}; offered: ${JSON.stringify(titles)}`);
    }
  });

  await check('source.fixAll.ftaudit + workspace.applyEdit removes FT101', async () => {
    const whole = new vscode.Range(0, 0, doc.lineCount, 0);
    const actions = await vscode.commands.executeCommand<vscode.CodeAction[]>('vscode.executeCodeActionProvider', uri, whole, 'source.fixAll.ftaudit');
    const fixAll = (actions ?? []).find((a) => a.kind?.value === 'source.fixAll.ftaudit');
    assert(fixAll?.edit, `no source.fixAll.ftaudit action with an edit; got ${JSON.stringify((actions ?? []).map((a) => [a.title, a.kind?.value]))}`);
    // VS Code saves files a workspace edit changes unless they are in the active editor: keep it active.
    await vscode.window.showTextDocument(doc, { preview: false });
    assert(await vscode.workspace.applyEdit(fixAll.edit), 'workspace.applyEdit refused the fix-all edit');
    const text = doc.getText();
    assert(doc.isDirty, `fix-all left ${QUICKFIX_NAME} saved (active editor: ${vscode.window.activeTextEditor?.document.uri.toString()})`);
    assert(text.includes(GUARD_FIX_LOCK) && text.includes(GUARD_FIX_WITH), `fix-all did not guard the update:\n${text}`);
    await waitFor(`FT101 to go away after fix-all; now ${JSON.stringify(dump(uri))}`, 15_000, () =>
      ours(uri).some((d) => codeOf(d) === 'FT101') ? undefined : true,
    );
    // The fixed program runs and counts every update (python3 -I: nothing from the environment).
    const python = process.env.FTAUDIT_E2E_PYTHON;
    if (python) {
      const r = spawnSync(python, ['-I', '-c', text], { encoding: 'utf8', timeout: 30_000 });
      assert(r.status === 0 && r.stdout.trim() === '4', `the fixed ${QUICKFIX_NAME} did not print 4 (exit ${r.status}): ${r.stdout}${r.stderr}`);
    }
  });

  await check(`restore ${QUICKFIX_NAME}: FT101 back`, async () => {
    await vscode.window.showTextDocument(doc, { preview: false });
    // An edit back to the original text, not workbench.action.files.revert: in code-server 4.100 the
    // revert intermittently left the fixed text in place (not dirty) on this loaded 2-core machine.
    const whole = new vscode.Range(0, 0, doc.lineCount, 0);
    const edit = new vscode.WorkspaceEdit();
    edit.replace(uri, whole, original);
    assert(await vscode.workspace.applyEdit(edit), 'the edit back to the original text was refused');
    await waitFor(`the original text of ${QUICKFIX_NAME}`, 10_000, () => (doc.getText() === original ? true : undefined));
    await doc.save();
    await waitFor(`FT101 back in ${QUICKFIX_NAME}; now ${JSON.stringify(dump(uri))}`, 15_000, ft101At(uri, hazard.line));
  });
}

// ---- benchmarks (issue 5) -------------------------------------------------------------------------

const BENCH_COMMAND_IDS = [
  'ftaudit.bench.run',
  'ftaudit.bench.runAll',
  'ftaudit.bench.runExperiment',
  'ftaudit.bench.openResults',
  'ftaudit.bench.export',
  'ftaudit.bench.configureInterpreters',
  'ftaudit.bench.openExperiment',
];
const RESULTS_TITLE = 'ftaudit Benchmarks';

/** The results webview's tab, found through the tab groups API. */
function resultsTab(): vscode.Tab | undefined {
  return vscode.window.tabGroups.all
    .flatMap((g) => g.tabs)
    .find((t) => t.input instanceof vscode.TabInputWebview && t.input.viewType.endsWith('ftaudit.benchResults') && t.label === RESULTS_TITLE);
}

function allTabs(): string[] {
  return vscode.window.tabGroups.all.flatMap((g) => g.tabs).map((t) => `${t.label} (${t.input?.constructor?.name ?? 'no input'}${t.input instanceof vscode.TabInputWebview ? ` ${t.input.viewType}` : ''})`);
}

async function lensTitles(uri: vscode.Uri): Promise<string[]> {
  const lenses = await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', uri, 10);
  return (lenses ?? []).map((l) => l.command?.title ?? '(unresolved)');
}

interface BenchRunLike {
  options: { quick: boolean; trials: number };
  interpreters: { label: string; executable: string }[];
  failures: { interpreter: string; message: string }[];
  results: { experiment: string; interpreter: string; error?: string; lost_fraction?: number; params: Record<string, unknown>; trials: unknown[] }[];
  cancelled: boolean;
}

async function benchmarkChecks(folderUri: vscode.Uri): Promise<Record<string, unknown>> {
  await check('benchmark commands are registered', async () => {
    const all = await vscode.commands.getCommands(true);
    const missing = BENCH_COMMAND_IDS.filter((id) => !all.includes(id));
    assert(missing.length === 0, `benchmark commands not registered: ${missing.join(', ')}`);
  });

  const python = process.env.FTAUDIT_E2E_PYTHON;
  if (!python) {
    checks.push({ name: 'benchmark run SKIPPED: no python3 on PATH', ms: 0 });
    return { skipped: 'no python3' };
  }

  await check('settings for a small run: ftaudit.bench.quick, trials 1, threads 2, ftaudit.interpreters', async () => {
    const bench = vscode.workspace.getConfiguration('ftaudit.bench');
    const got = { quick: bench.get('quick'), trials: bench.get('trials'), threads: bench.get('threads') };
    assert(got.quick === true && got.trials === 1 && got.threads === 2, `user settings not seen by the extension host: ${JSON.stringify(got)}`);
    const interpreters = vscode.workspace.getConfiguration('ftaudit').get<unknown[]>('interpreters');
    assert(Array.isArray(interpreters) && interpreters.length === 1, `ftaudit.interpreters: ${JSON.stringify(interpreters)}`);
  });

  const source = await check('ftaudit.bench.openExperiment race: bench_race.py with "Run race" and "no results yet" lenses', async () => {
    await vscode.commands.executeCommand('ftaudit.bench.openExperiment', 'race');
    const editor = await waitFor('bench_race.py to be the active editor', 10_000, () => {
      const e = vscode.window.activeTextEditor;
      return e && basename(e.document.uri.fsPath) === 'bench_race.py' ? e : undefined;
    });
    const titles = await lensTitles(editor.document.uri);
    assert(titles.some((t) => t.includes('Run race')), `no "Run race" lens: ${JSON.stringify(titles)}`);
    assert(titles.includes('no results yet'), `before any run the lens should say "no results yet": ${JSON.stringify(titles)}`);
    const runLine = editor.document.getText().split('\n').findIndex((l) => l.startsWith('def run('));
    const lenses = await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', editor.document.uri);
    assert(lenses?.every((l) => l.range.start.line === runLine), `lenses not above \`def run(\` (line ${runLine + 1}): ${JSON.stringify(lenses?.map((l) => l.range.start.line))}`);
    return editor.document.uri;
  });

  const run = await check(`ftaudit.bench.runExperiment race on ${python} (quick, 1 trial)`, async () => {
    const result = await Promise.race([
      vscode.commands.executeCommand<BenchRunLike | undefined>('ftaudit.bench.runExperiment', 'race'),
      new Promise<never>((_, reject) => setTimeout(() => reject(new Error('ftaudit.bench.runExperiment race did not finish within 180 s')), 180_000)),
    ]);
    assert(result, 'the command returned no run (untrusted? no interpreter? see the ftaudit output)');
    assert(!result.cancelled, 'the run was cancelled');
    assert(result.failures.length === 0, `interpreter failures: ${JSON.stringify(result.failures)}`);
    assert(result.options.quick === true && result.options.trials === 1, `run options: ${JSON.stringify(result.options)}`);
    const race = result.results.filter((r) => r.experiment === 'race');
    assert(race.length >= 1, `no race result: ${JSON.stringify(result.results)}`);
    for (const r of race) {
      assert(!r.error, `race on ${r.interpreter} failed: ${r.error}`);
      assert(typeof r.lost_fraction === 'number', `race on ${r.interpreter} has no lost_fraction: ${JSON.stringify(r)}`);
      assert(r.trials.length === 1, `race on ${r.interpreter}: ${r.trials.length} trials, expected 1`);
    }
    const configured = race.find((r) => r.interpreter === 'python3');
    assert(configured, `no result for the configured interpreter "python3": ${JSON.stringify(race.map((r) => r.interpreter))}`);
    return result;
  });

  await check('the results webview opened after the run (tab groups API)', async () => {
    await waitFor(`a webview tab "${RESULTS_TITLE}"; tabs: ${JSON.stringify(allTabs())}`, 15_000, resultsTab);
  });

  const lens = await check('CodeLens above `def run(` shows the result', async () => {
    const titles = await lensTitles(source);
    const last = titles.find((t) => t.startsWith('last run: race'));
    assert(last, `no "last run: race…" lens after the run: ${JSON.stringify(titles)}`);
    assert(/python3/.test(last) && /lost/.test(last), `lens does not quote the interpreter and the lost updates: ${last}`);
    return last;
  });

  await check('ftaudit.bench.openResults reopens the webview', async () => {
    const tab = resultsTab();
    assert(tab, 'results tab vanished');
    await vscode.window.tabGroups.close(tab);
    await waitFor('the results tab to close', 10_000, () => (resultsTab() ? undefined : true));
    await vscode.commands.executeCommand('ftaudit.bench.openResults');
    await waitFor(`a webview tab "${RESULTS_TITLE}" after ftaudit.bench.openResults; tabs: ${JSON.stringify(allTabs())}`, 15_000, resultsTab);
  });

  const hover = await check('hover on a race diagnostic quotes the measured figure', async () => {
    const uri = vscode.Uri.joinPath(folderUri, QUICKFIX_NAME);
    const doc = await vscode.workspace.openTextDocument(uri);
    await vscode.window.showTextDocument(doc, { preview: false });
    const at = quickfixHazard(doc.getText());
    await waitFor(`FT101 in ${QUICKFIX_NAME}`, 15_000, ft101At(uri, at.line));
    const hovers = await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', uri, new vscode.Position(at.line, at.character + 2));
    const texts = (hovers ?? []).flatMap((h) => h.contents.map((c) => (typeof c === 'string' ? c : c.value)));
    const measured = texts.find((t) => t.includes('Measured on this machine'));
    assert(measured && /lost \*\*\d+%\*\*/.test(measured), `no hover quoting the race figure: ${JSON.stringify(texts)}`);
    return measured.split('\n').find((l) => l.includes('lost')) ?? measured;
  });

  return { interpreters: run.interpreters.map((i) => `${i.label} ${i.executable}`), lens, hover };
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
