// The reproduce action over LSP: offered on race findings only to a client that implements the
// `ftaudit.reproduce` command, and `ftaudit/reproducePlan` answers with the plan the CLI would make.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { LspTestClient } from '../helpers/lspClient';
import { scratchDir } from '../helpers/scratch';

const SOURCE = `import threading

counter = [0]


def work():
    for _ in range(1000):
        counter[0] += 1


threading.Thread(target=work).start()
`;

async function actionTitles(client: LspTestClient, uri: string): Promise<{ titles: string[]; commands: unknown[] }> {
  await client.connection.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: 'python', version: 1, text: SOURCE } });
  const { diagnostics } = await client.diagnostics(uri, 1);
  const ft101 = diagnostics.filter((d) => d.code === 'FT101');
  assert.equal(ft101.length, 1);
  const actions = await client.connection.sendRequest<Array<{ title: string; command?: { command: string; arguments: unknown[] } }>>('textDocument/codeAction', {
    textDocument: { uri },
    range: ft101[0].range,
    context: { diagnostics: ft101 },
  });
  return { titles: actions.map((a) => a.title), commands: actions.flatMap((a) => (a.command ? [a.command] : [])) };
}

test('the reproduce action goes to clients that implement the command, with the finding as argument', async () => {
  const dir = scratchDir('ftaudit-repro-lsp-');
  const file = join(dir, 'app.py');
  writeFileSync(file, SOURCE);
  const uri = pathToFileURL(file).href;

  const plain = await LspTestClient.start();
  try {
    const { titles } = await actionTitles(plain, uri);
    assert.ok(titles.some((t) => t.startsWith('Suppress FT101')));
    assert.ok(!titles.some((t) => /Reproduce/.test(t)), `a client without the command got ${JSON.stringify(titles)}`);
  } finally {
    await plain.stop();
  }

  const vscodeLike = await LspTestClient.start(undefined, null, {}, { clientCommands: ['ftaudit.reproduce'] });
  try {
    const { titles, commands } = await actionTitles(vscodeLike, uri);
    assert.ok(titles.includes('Reproduce this race on free-threaded Python'), JSON.stringify(titles));
    assert.deepEqual(commands, [{ title: 'Reproduce this race on free-threaded Python', command: 'ftaudit.reproduce', arguments: [{ uri, line: 8, code: 'FT101' }] }]);

    const plan = await vscodeLike.connection.sendRequest<Record<string, unknown>>('ftaudit/reproducePlan', { uri, line: 8, code: 'FT101' });
    assert.equal(plan.file, file);
    assert.equal(plan.code, 'FT101');
    assert.deepEqual(plan.blockers, []);
    assert.equal(plan.state, 'counter[0]');
    assert.equal((plan.target as { qualname: string }).qualname, 'work');

    await assert.rejects(vscodeLike.connection.sendRequest('ftaudit/reproducePlan', { uri: 'untitled:Untitled-1', line: 1 }), /only files saved on disk/);
    await assert.rejects(vscodeLike.connection.sendRequest('ftaudit/reproducePlan', { uri: pathToFileURL(join(dir, 'gone.py')).href, line: 1 }), /cannot plan the reproduction/);
  } finally {
    await vscodeLike.stop();
  }
});
