// The server's queued document copy: changes applied late give the same text as applied one by one.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { PendingDocument } from '../../server/src/pendingDocument';

test('queued changes, applied when the text is asked for, equal applying each change at once', () => {
  const start = 'def f():\r\n    x = 1\n    return x\r\n';
  const batches = [
    [{ range: { start: { line: 1, character: 8 }, end: { line: 1, character: 9 } }, text: '2' }],
    [{ range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, text: '# 😀\n' }],
    [
      { range: { start: { line: 3, character: 4 }, end: { line: 3, character: 12 } }, text: 'pass' },
      { range: { start: { line: 2, character: 0 }, end: { line: 2, character: 0 } }, text: '    y = 3\r' },
    ],
    [{ text: 'print(1)\n' }, { range: { start: { line: 0, character: 6 }, end: { line: 0, character: 7 } }, text: '2' }],
  ];
  let eager = TextDocument.create('file:///x.py', 'python', 1, start);
  const lazy = new PendingDocument('file:///x.py', 'python', 1, start);
  batches.forEach((changes, i) => {
    eager = TextDocument.update(eager, changes, i + 2);
    lazy.update(changes, i + 2);
    assert.equal(lazy.version, i + 2, 'the version is known before the text');
    if (i === 1) assert.equal(lazy.current().getText(), eager.getText());
  });
  assert.equal(lazy.current().getText(), eager.getText());
  assert.equal(lazy.current().getText(), 'print(2)\n');
  assert.equal(lazy.current().version, 5);
});
