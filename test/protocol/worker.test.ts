// The server analyses in a worker thread: the LSP thread answers requests while an analysis runs,
// bursts of edits end in the diagnostics of the final text, big and hostile documents cost bounded
// work, and a worker that crashes or hangs is replaced. Behaviour only: no timing is asserted.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { LspTestClient, type PublishedDiagnostics } from '../helpers/lspClient';

const SOURCE = `import threading

counter = [0]
lock = threading.Lock()


def worker():
    for _ in range(1000):
        counter[0] += 1


threading.Thread(target=worker).start()
`;

const dir = 'file:///tmp/ftaudit-protocol-worker';

interface Health {
  worker: string;
  restarts: number;
  openDocuments: number;
  pendingDocuments: number;
}

const health = (client: LspTestClient) => client.connection.sendRequest<Health>('ftaudit/health');
const open = (client: LspTestClient, uri: string, text: string, version = 1) =>
  client.connection.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: 'python', version, text } });
const comparable = (p: PublishedDiagnostics) => p.diagnostics.map((d) => ({ code: d.code, range: d.range, severity: d.severity, message: d.message }));

// Deterministic pseudo-random numbers (xorshift), so a failure reproduces.
function rng(seed: number) {
  let x = seed;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) / 0x100000000;
  };
}

test('a burst of 200 edits ends in the diagnostics of a from-scratch analysis of the final text', async () => {
  const client = await LspTestClient.start();
  const uri = `${dir}/burst.py`;
  try {
    const base = readFileSync(join(__dirname, '..', 'fixtures', 'rules', 'FT101', 'positives.py'), 'utf8');
    let doc = TextDocument.create(uri, 'python', 1, base);
    await open(client, uri, base);
    assert.ok((await client.diagnostics(uri, 1)).diagnostics.length > 0, 'diagnostics after open');

    const random = rng(10);
    const pieces = ['x', ' += 1', '\n', '\r\n', '    ', '\n    counter[0] += 1\n', 'with lock:\n        ', 'é', '😀', '"""', '(', ')', '#', ''];
    for (let version = 2; version <= 201; version++) {
      const text = doc.getText();
      let start = Math.floor(random() * (text.length + 1));
      let end = Math.min(text.length, start + (random() < 0.3 ? Math.floor(random() * 6) : 0));
      // Never split a surrogate pair (the client would not either).
      if (start > 0 && /[\uD800-\uDBFF]/.test(text[start - 1])) start--;
      if (end > 0 && end < text.length && /[\uD800-\uDBFF]/.test(text[end - 1])) end++;
      const change = { range: { start: doc.positionAt(start), end: doc.positionAt(end) }, text: pieces[Math.floor(random() * pieces.length)] };
      doc = TextDocument.update(doc, [change], version);
      void client.connection.sendNotification('textDocument/didChange', { textDocument: { uri, version }, contentChanges: [change] });
    }
    const final = await client.diagnostics(uri, 201, 30_000);

    const versions = client.allDiagnostics(uri).map((p) => p.version!);
    assert.deepEqual(versions, [...versions].sort((a, b) => a - b), 'never an older version after a newer one');
    assert.ok(versions.length < 100, `a burst is coalesced (${versions.length} publications for 200 edits)`);

    const freshUri = `${dir}/fresh.py`;
    await open(client, freshUri, doc.getText());
    const fresh = await client.diagnostics(freshUri, 1, 30_000);
    assert.deepEqual(comparable(final), comparable(fresh));
    assert.equal((await health(client)).restarts, 0);
  } finally {
    assert.equal(await client.stop(), 0);
  }
});

test('a request sent right after a big document is answered before its analysis ends', async () => {
  // The parse budget is a time: on a loaded machine the 3.4 MB parse can pass 3 s and the document get
  // the "parsing took longer" notice instead of its finding. This test is about ordering, not time.
  const client = await LspTestClient.start(undefined, null, { FTAUDIT_PARSE_BUDGET_MS: '120000' });
  const uri = `${dir}/big.py`;
  try {
    // No size limit for this test, so the 3.4 MB document is parsed and analysed.
    client.connection.onRequest('workspace/configuration', (params: { items: unknown[] }) => params.items.map(() => ({ maxAnalysisSize: 0 })));
    await client.connection.sendNotification('workspace/didChangeConfiguration', { settings: {} });
    await health(client); // the settings were pulled before this answer
    const text = SOURCE + 'TABLE = [\n' + Array.from({ length: 260_000 }, (_, i) => `    ${i},\n`).join('') + ']\n';
    const events: string[] = [];
    const diagnostics = client.diagnostics(uri, 1, 60_000).then((d) => {
      events.push('diagnostics');
      return d;
    });
    await open(client, uri, text);
    const actions = client.connection.sendRequest<unknown[]>('textDocument/codeAction', { textDocument: { uri }, range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, context: { diagnostics: [] } }).then((a) => {
      events.push('codeAction');
      return a;
    });
    const state = health(client).then((h) => {
      events.push('health');
      return h;
    });
    assert.deepEqual(await actions, [], 'no findings known yet');
    assert.equal((await state).pendingDocuments, 1, 'answered while the analysis is pending');
    const published = await diagnostics;
    assert.deepEqual(events, ['codeAction', 'health', 'diagnostics']);
    assert.deepEqual(published.diagnostics.map((d) => d.code), ['FT101']);
  } finally {
    assert.equal(await client.stop(), 0);
  }
});

test('a document over ftaudit.maxAnalysisSize gets a notice, once, and is not analysed', async () => {
  const client = await LspTestClient.start();
  const uri = `${dir}/huge.py`;
  const statuses: Array<{ uri: string; analysed: boolean; message?: string }> = [];
  client.connection.onNotification('ftaudit/status', (s: { uri: string; analysed: boolean; message?: string }) => {
    statuses.push(s);
  });
  try {
    const text = SOURCE + '# padding\n'.repeat(300_000); // 3 MB
    await open(client, uri, text);
    const first = await client.diagnostics(uri, 1, 30_000);
    assert.equal(first.diagnostics.length, 1);
    assert.equal(first.diagnostics[0].severity, 3, 'information');
    assert.deepEqual(first.diagnostics[0].range.start, { line: 0, character: 0 });
    assert.match(first.diagnostics[0].message, /larger than ftaudit\.maxAnalysisSize/);
    await client.connection.sendNotification('textDocument/didChange', { textDocument: { uri, version: 2 }, contentChanges: [{ range: { start: { line: 1, character: 0 }, end: { line: 1, character: 0 } }, text: '# more\n' }] });
    await client.diagnostics(uri, 2, 30_000);
    assert.deepEqual(statuses.filter((s) => s.uri === uri).map((s) => s.analysed), [false], 'said once');
    assert.match(statuses[0].message!, /maxAnalysisSize/);

    // Cut back under the limit: analysed again, and the status says so.
    await client.connection.sendNotification('textDocument/didChange', { textDocument: { uri, version: 3 }, contentChanges: [{ text: SOURCE }] });
    assert.deepEqual((await client.diagnostics(uri, 3, 30_000)).diagnostics.map((d) => d.code), ['FT101']);
    assert.deepEqual(statuses.filter((s) => s.uri === uri).map((s) => s.analysed), [false, true]);
    assert.equal((await health(client)).restarts, 0);
  } finally {
    assert.equal(await client.stop(), 0);
  }
});

test('3,000-deep nesting and binary-looking text are handled without crashing', async () => {
  const client = await LspTestClient.start();
  try {
    const N = 3000;
    const deep =
      SOURCE +
      'def nested():\n' +
      `    a = ${'('.repeat(N)}1${')'.repeat(N)}\n` +
      `    b = ${'['.repeat(N)}${']'.repeat(N)}\n` +
      `    c = ${'f('.repeat(N)}${')'.repeat(N)}\n` +
      `    d = ${Array(N).fill('x').join(' + ')}\n` +
      `    e = ${'lambda: '.repeat(N)}1\n` +
      `    g = ${'not '.repeat(N)}x\n` +
      `    h = x${'.y'.repeat(N)}${'[0]'.repeat(N)}\n` +
      `    i = ${'{"k": '.repeat(N)}1${'}'.repeat(N)}\n` +
      `    j = ${'['.repeat(N)}\n` +
      Array.from({ length: 300 }, (_, k) => `${' '.repeat(k + 1)}if x:\n`).join('') +
      `${' '.repeat(301)}counter[0] += 1\n`;
    const deepUri = `${dir}/deep.py`;
    await open(client, deepUri, deep);
    const published = await client.diagnostics(deepUri, 1, 60_000);
    assert.ok(!published.diagnostics.some((d) => /failed/.test(d.message)), `analysed: ${JSON.stringify(published.diagnostics.map((d) => d.message))}`);

    const binaryUri = `${dir}/binary.py`;
    let x = 7;
    const bytes = Array.from({ length: 200_000 }, () => String.fromCharCode((x = (x * 1103515245 + 12345) & 0x7fffffff) % 256)).join('');
    await open(client, binaryUri, bytes);
    assert.match((await client.diagnostics(binaryUri, 1, 60_000)).diagnostics[0]?.message ?? '', /looks binary/);

    // Still serving: a normal document is analysed.
    const okUri = `${dir}/ok.py`;
    await open(client, okUri, SOURCE);
    assert.deepEqual((await client.diagnostics(okUri, 1)).diagnostics.map((d) => d.code), ['FT101']);
    assert.equal((await health(client)).restarts, 0);
  } finally {
    assert.equal(await client.stop(), 0);
  }
});

test('shutdown is immediate while an analysis runs; a hung or crashed worker is replaced', async () => {
  const client = await LspTestClient.start(undefined, null, { FTAUDIT_TEST_HOOKS: '1', FTAUDIT_ANALYSIS_TIMEOUT_MS: '1500' });
  try {
    const okUri = `${dir}/ok.py`;
    await open(client, okUri, SOURCE);
    await client.diagnostics(okUri, 1);

    // A worker that crashes: restarted, the open documents are sent again, the culprit is left alone.
    const crashUri = `${dir}/crash.py`;
    await open(client, crashUri, SOURCE + '# ftaudit-test: crash-worker\n');
    assert.match((await client.diagnostics(crashUri, 1, 30_000)).diagnostics[0]?.message ?? '', /crashed on this file/);
    await client.connection.sendNotification('textDocument/didChange', { textDocument: { uri: okUri, version: 2 }, contentChanges: [{ range: { start: { line: 8, character: 8 }, end: { line: 8, character: 8 } }, text: 'with lock:\n            ' }] });
    assert.deepEqual((await client.diagnostics(okUri, 2, 30_000)).diagnostics.map((d) => d.code), ['FT108']);

    // A worker that hangs: stopped by the watchdog and replaced.
    const hangUri = `${dir}/hang.py`;
    await open(client, hangUri, SOURCE + '# ftaudit-test: hang-worker\n');
    assert.match((await client.diagnostics(hangUri, 1, 30_000)).diagnostics[0]?.message ?? '', /took longer than 1\.5 s/);
    assert.equal((await health(client)).restarts, 2);
  } finally {
    assert.equal(await client.stop(), 0);
  }

  // Shutdown while the worker is stuck in an analysis (no watchdog in time): still answered, exit 0.
  const busy = await LspTestClient.start(undefined, null, { FTAUDIT_TEST_HOOKS: '1' });
  const uri = `${dir}/hang.py`;
  await open(busy, uri, SOURCE + '# ftaudit-test: hang-worker\n');
  for (let h = await health(busy); h.worker !== 'busy'; h = await health(busy)) await new Promise((resolve) => setTimeout(resolve, 20));
  assert.equal(await busy.stop(), 0);
});
