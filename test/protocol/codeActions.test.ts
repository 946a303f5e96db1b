// Code actions over the protocol: the fix of a finding, suppression, and source.fixAll.ftaudit.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { LspTestClient } from '../helpers/lspClient';

const SOURCE = `import threading

counter = [0]
hits = {}


def worker(key):
    counter[0] += 1  # keep this comment
    if key in hits:
        del hits[key]


threading.Thread(target=worker, args=("k",)).start()
`;

interface Action {
  title: string;
  kind: string;
  isPreferred?: boolean;
  edit: { changes: Record<string, Array<{ range: { start: { line: number; character: number }; end: { line: number; character: number } }; newText: string }>> };
}

function apply(text: string, uri: string, action: Action): string {
  return TextDocument.applyEdits(TextDocument.create(uri, 'python', 1, text), action.edit.changes[uri]);
}

test('quick fixes, suppressions and fix-all', async () => {
  const client = await LspTestClient.start();
  const uri = 'file:///tmp/ftaudit-protocol/actions.py';
  try {
    await client.connection.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: 'python', version: 1, text: SOURCE } });
    const { diagnostics } = await client.diagnostics(uri, 1);
    const ft101 = diagnostics.find((d) => d.code === 'FT101')!;
    const actions: Action[] = await client.connection.sendRequest('textDocument/codeAction', {
      textDocument: { uri },
      range: ft101.range,
      context: { diagnostics: [ft101] },
    });
    assert.deepEqual(actions.map((a) => a.title), [
      'Guard with a new lock `_counter_lock`',
      'Make `counter` thread-local (each thread gets its own, starting from `[0]`) (changes behaviour: review it)',
      'Suppress FT101 on this line',
      'Suppress FT101 for this file',
    ]);
    assert.equal(actions[0].isPreferred, true);
    const guarded = apply(SOURCE, uri, actions[0]);
    assert.match(guarded, /counter = \[0\]\n_counter_lock = threading\.Lock\(\)\n/);
    assert.match(guarded, /    with _counter_lock:\n        counter\[0\] \+= 1  # keep this comment\n/);
    const local = apply(SOURCE, uri, actions[1]);
    assert.match(local, /class _CounterLocal\(threading\.local\):\n    def __init__\(self\):\n        self\.value = \[0\]\n\n\n_counter_local = _CounterLocal\(\)\n/);
    assert.match(local, /    _counter_local\.value\[0\] \+= 1  # keep this comment\n/);
    assert.match(apply(SOURCE, uri, actions[2]), /counter\[0\] \+= 1  # keep this comment  # ftaudit: ignore\[FT101\]\n/);
    assert.match(apply(SOURCE, uri, actions[3]), /^# ftaudit: ignore-file\[FT101\]\nimport threading/);

    const fixAll: Action[] = await client.connection.sendRequest('textDocument/codeAction', {
      textDocument: { uri },
      range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } },
      context: { diagnostics: [], only: ['source.fixAll'] },
    });
    assert.equal(fixAll.length, 1);
    assert.equal(fixAll[0].kind, 'source.fixAll.ftaudit');
    const fixed = apply(SOURCE, uri, fixAll[0]);
    assert.match(fixed, /with _counter_lock:/);
    assert.match(fixed, /hits\.pop\(key, None\)/);

    // The fixed text has no fixable finding left.
    await client.connection.sendNotification('textDocument/didChange', { textDocument: { uri, version: 2 }, contentChanges: [{ text: fixed }] });
    const after = await client.diagnostics(uri, 2);
    assert.deepEqual(after.diagnostics.filter((d) => d.code === 'FT101' || d.code === 'FT103'), []);
  } finally {
    await client.stop();
  }
});
