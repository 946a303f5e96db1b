// The server indexes the workspace and reports races in modules whose functions only run on threads
// started by other modules.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { LspTestClient } from '../helpers/lspClient';

const root = join(__dirname, '..', 'fixtures', 'projects', 'app');

test('a worker module learns from the workspace index that it runs on threads', async () => {
  const client = await LspTestClient.start(undefined, pathToFileURL(root).href);
  try {
    const uri = pathToFileURL(join(root, 'pkg', 'stats.py')).href;
    const text = readFileSync(join(root, 'pkg', 'stats.py'), 'utf8');
    await client.connection.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: 'python', version: 1, text } });
    // After indexing, the document is re-published with the cross-file finding.
    const deadline = Date.now() + 15_000;
    let codes: string[] = [];
    while (Date.now() < deadline) {
      const published = await client.nextDiagnostics(uri, 15_000).catch(() => undefined);
      codes = published?.diagnostics.map((d) => `${d.code}:${d.range.start.line}:${d.severity}`) ?? codes;
      if (codes.length > 0) break;
    }
    assert.deepEqual(codes, ['FT102:4:1']);
  } finally {
    await client.stop();
  }
});

test('a registry module and the module that changes it from threads both learn of the other from the index', async () => {
  const project = join(__dirname, '..', 'fixtures', 'projects', 'crossmodule');
  const client = await LspTestClient.start(undefined, pathToFileURL(project).href);
  try {
    for (const [file, expected] of [
      // The changing side first: the registry's loops reach it only through the index's later passes.
      [join(project, 'hub', 'workers.py'), ['FT107:11:2', 'FT107:12:2']],
      [join(project, 'hub', 'registry.py'), ['FT107:10:2', 'FT107:15:2']],
    ] as const) {
      const uri = pathToFileURL(file).href;
      await client.connection.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: 'python', version: 1, text: readFileSync(file, 'utf8') } });
      const deadline = Date.now() + 15_000;
      let codes: string[] = [];
      while (Date.now() < deadline && codes.length < expected.length) {
        const published = await client.nextDiagnostics(uri, 15_000).catch(() => undefined);
        codes = published?.diagnostics.map((d) => `${d.code}:${d.range.start.line}:${d.severity}`) ?? codes;
      }
      assert.deepEqual(codes, expected, file);
    }
  } finally {
    await client.stop();
  }
});
