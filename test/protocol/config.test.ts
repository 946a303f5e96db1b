// The server reads [tool.ftaudit] from the nearest pyproject.toml, like the CLI, and reports problems
// in it as diagnostics on the file.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { LspTestClient } from '../helpers/lspClient';
import { scratchDir } from '../helpers/scratch';

const SOURCE = 'import threading\n\ncounter = [0]\n\n\ndef worker():\n    counter[0] += 1\n    counter[0] = counter[0] + 1\n\n\nthreading.Thread(target=worker).start()\n';

test('pyproject.toml selects rules and its errors are diagnostics on it', async () => {
  const dir = scratchDir('ftaudit-config-');
  writeFileSync(join(dir, 'pyproject.toml'), '[project]\nname = "x"\n\n[tool.ftaudit]\nignore = ["FT101"]\nselec = ["FT1"]\n');
  writeFileSync(join(dir, 'app.py'), SOURCE);
  const client = await LspTestClient.start(undefined, pathToFileURL(dir).href);
  try {
    const uri = pathToFileURL(join(dir, 'app.py')).href;
    const configUri = pathToFileURL(join(dir, 'pyproject.toml')).href;
    const configDiagnostics = client.diagnostics(configUri);
    await client.connection.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: 'python', version: 1, text: SOURCE } });
    const { diagnostics } = await client.diagnostics(uri, 1);
    assert.deepEqual(diagnostics.map((d) => d.code), ['FT102'], 'FT101 is ignored by the file');
    const config = await configDiagnostics;
    assert.equal(config.diagnostics.length, 1);
    assert.equal(config.diagnostics[0].range.start.line, 5);
    assert.match(config.diagnostics[0].message, /selec/);
  } finally {
    await client.stop();
  }
});
