// The bundled server over stdio, driven like an editor would: open, edit incrementally, close.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LspTestClient } from '../helpers/lspClient';

const SOURCE = `import threading

counter = [0]
lock = threading.Lock()


def worker():
    for _ in range(1000):
        counter[0] += 1


threading.Thread(target=worker).start()
`;

test('open → diagnostics → incremental edits → updated diagnostics → close', async () => {
  const client = await LspTestClient.start();
  const uri = 'file:///tmp/ftaudit-protocol/worker.py';
  try {
    await client.connection.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: 'python', version: 1, text: SOURCE } });
    const first = await client.diagnostics(uri, 1);
    assert.equal(first.diagnostics.length, 1);
    const [d] = first.diagnostics;
    assert.equal(d.code, 'FT101');
    assert.equal(d.source, 'ftaudit');
    assert.equal(d.severity, 1);
    assert.deepEqual(d.range, { start: { line: 8, character: 8 }, end: { line: 8, character: 23 } });
    assert.match(d.codeDescription!.href, /docs\/rules\/FT101\.md$/);
    assert.match(d.message, /module global `counter`/);

    // Edit 1: wrap the update in `with lock:` (insert a line, indent the old one): the finding goes away.
    await client.connection.sendNotification('textDocument/didChange', {
      textDocument: { uri, version: 2 },
      contentChanges: [
        { range: { start: { line: 8, character: 8 }, end: { line: 8, character: 8 } }, text: 'with lock:\n            ' },
      ],
    });
    const second = await client.diagnostics(uri, 2);
    assert.deepEqual(second.diagnostics.map((x) => x.code), ['FT108'], 'guarded now, but a lock in a tight loop (FT108)');

    // Edit 2 and 3 in one burst: add a second, unguarded update after the `with` block, then change it.
    await client.connection.sendNotification('textDocument/didChange', {
      textDocument: { uri, version: 3 },
      contentChanges: [{ range: { start: { line: 9, character: 27 }, end: { line: 9, character: 27 } }, text: '\n        counter[0] -= 1' }],
    });
    await client.connection.sendNotification('textDocument/didChange', {
      textDocument: { uri, version: 4 },
      contentChanges: [{ range: { start: { line: 10, character: 19 }, end: { line: 10, character: 20 } }, text: '*' }],
    });
    const fourth = (await client.diagnostics(uri, 4)).diagnostics.filter((x) => x.code === 'FT101');
    assert.equal(fourth.length, 1);
    assert.equal(fourth[0].range.start.line, 10);
    assert.match(fourth[0].message, /`counter\[0\] \*= 1`/);

    // CRLF and a lone CR still map to the right lines (LSP line breaks, not tree-sitter rows).
    const crUri = 'file:///tmp/ftaudit-protocol/crlf.py';
    await client.connection.sendNotification('textDocument/didOpen', {
      textDocument: { uri: crUri, languageId: 'python', version: 1, text: SOURCE.replace(/\n/g, '\r\n').replace('lock = threading.Lock()\r\n', 'lock = threading.Lock()\r') },
    });
    const cr = await client.diagnostics(crUri, 1);
    assert.equal(cr.diagnostics[0]?.range.start.line, 8);

    const cleared = client.nextDiagnostics(uri);
    await client.connection.sendNotification('textDocument/didClose', { textDocument: { uri } });
    const closed = await cleared;
    assert.deepEqual(closed.diagnostics, [], 'closing clears the diagnostics');
  } finally {
    assert.equal(await client.stop(), 0);
  }
});

test('a document full of syntax errors and garbage never crashes the server', async () => {
  const client = await LspTestClient.start();
  const uri = 'file:///tmp/ftaudit-protocol/garbage.py';
  try {
    await client.connection.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: 'python', version: 1, text: 'def (((:\n\x00\x01 ' + '['.repeat(3000) } });
    await client.diagnostics(uri, 1);
    await client.connection.sendNotification('textDocument/didChange', { textDocument: { uri, version: 2 }, contentChanges: [{ text: SOURCE }] });
    const after = await client.diagnostics(uri, 2);
    assert.equal(after.diagnostics.length, 1, 'a full-text replacement is analysed again');
  } finally {
    assert.equal(await client.stop(), 0);
  }
});

const COUNTER = `import threading


class Counter:
    def __init__(self):
        self.lock = threading.Lock()
        self.n = 0

    def inc(self):
        with self.lock:
            self.n += 1

    def reset(self):
        self.n = 0


def start(c):
    threading.Thread(target=c.inc).start()
    threading.Thread(target=c.reset).start()
`;

test('an edit inside one function: a first answer re-checks that function, then the full analysis settles the rest', async () => {
  const client = await LspTestClient.start();
  const uri = 'file:///tmp/ftaudit-protocol/counter.py';
  try {
    await client.connection.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: 'python', version: 1, text: COUNTER } });
    const opened = await client.diagnostics(uri, 1);
    assert.deepEqual(opened.diagnostics.map((d) => [d.code, d.range.start.line]), [['FT105', 13]], 'reset writes unlocked what inc writes locked');

    // `with self.lock:` → `if self.lock:` inside `inc`: its update is unguarded now, and `reset` no longer
    // breaks a lock discipline (there is none).
    await client.connection.sendNotification('textDocument/didChange', {
      textDocument: { uri, version: 2 },
      contentChanges: [{ range: { start: { line: 9, character: 8 }, end: { line: 9, character: 12 } }, text: 'if' }],
    });
    const settled = await client.diagnostics(uri, 2, 30_000);
    const answers = client.allDiagnostics(uri).filter((p) => p.version === 2);
    assert.ok(answers.length >= 1 && answers.length <= 2, `one or two answers for the version: ${answers.length}`);
    assert.ok(answers[0].diagnostics.some((d) => d.code === 'FT101' && d.range.start.line === 10), 'the first answer already has the edited function’s new finding');
    assert.deepEqual(settled.diagnostics.map((d) => [d.code, d.range.start.line]), [['FT101', 10]], 'the full analysis: nothing left in reset');

    const fresh = 'file:///tmp/ftaudit-protocol/counter-fresh.py';
    const text = COUNTER.replace('with self.lock:', 'if self.lock:');
    await client.connection.sendNotification('textDocument/didOpen', { textDocument: { uri: fresh, languageId: 'python', version: 1, text } });
    assert.deepEqual((await client.diagnostics(fresh, 1)).diagnostics, settled.diagnostics, 'equal to a from-scratch analysis');
  } finally {
    await client.stop();
  }
});
