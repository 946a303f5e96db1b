// Confidence in the editor: findings only assume-concurrent supports are Information, the others keep
// their severity, and `ftaudit.minConfidence` leaves the weak ones out.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LspTestClient } from '../helpers/lspClient';

const SOURCE = `TOTAL = 0


class Counter:
    def __init__(self):
        self.n = 0

    def inc(self):
        self.n += 1


def bump():
    global TOTAL
    TOTAL += 1
`;

test('low-confidence findings are Information; minConfidence = medium leaves them out', async () => {
  const client = await LspTestClient.start();
  let settings: Record<string, unknown> = { assumeConcurrent: true };
  client.connection.onRequest('workspace/configuration', (params: { items: unknown[] }) => params.items.map(() => settings));
  const uri = 'file:///tmp/ftaudit-protocol/confidence.py';
  try {
    await client.connection.sendNotification('workspace/didChangeConfiguration', { settings: {} });
    await client.connection.sendRequest('ftaudit/health');
    await client.connection.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: 'python', version: 1, text: SOURCE } });
    const all = await client.diagnostics(uri, 1);
    assert.deepEqual(
      all.diagnostics.map((d) => [d.range.start.line, d.code, d.severity]),
      [
        [8, 'FT101', 3], // `self.n += 1`: only assume-concurrent says the object is shared → Information
        [13, 'FT101', 2], // a module global is shared by nature → Warning
      ],
    );
    settings = { assumeConcurrent: true, minConfidence: 'medium' };
    const next = client.nextDiagnostics(uri);
    await client.connection.sendNotification('workspace/didChangeConfiguration', { settings: {} });
    assert.deepEqual((await next).diagnostics.map((d) => d.range.start.line), [13]);
  } finally {
    await client.stop();
  }
});
