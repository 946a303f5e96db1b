// Property: after any sequence of edits, the diagnostics the server publishes for the final version
// equal those of a from-scratch analysis of the final text — the same text opened fresh in the same
// server, and the in-process checker's findings placed through LineIndex. Seeded random edit sequences
// (scripts/bench/fuzz.ts: typing, deletions, new lines, pasted lines, astral characters, CRLF and lone CR)
// on real files, sent partly one at a time (each analysed) and partly in bursts (coalesced).
// Asserts behaviour only, never times.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { LspTestClient } from '../helpers/lspClient';
import { EditedDocument, typingEdits } from '../../scripts/bench/fuzz';
import { canonical, hostileBurst, misplacedRanges, openDocument, sendChange } from '../../scripts/bench/server';
import { Checker } from '../../server/src/analysis';
import { LineIndex } from '../../server/src/analysis/text';

const EDITS = 50;
const SEEDS = [1, 2, 3];

function sources(): Array<{ name: string; text: string }> {
  const out = [{ name: 'race_counter.py', text: readFileSync(join(__dirname, '..', '..', 'examples', 'race_counter.py'), 'utf8') }];
  let stdlib: string | null = null;
  try {
    stdlib = execFileSync('python3', ['-c', "import sysconfig;print(sysconfig.get_paths()['stdlib'])"], { encoding: 'utf8' }).trim();
  } catch {
    stdlib = null; // no python3: the example file alone
  }
  for (const name of ['telnetlib.py']) {
    const path = stdlib ? join(stdlib, name) : '';
    if (stdlib && existsSync(path)) out.push({ name, text: readFileSync(path, 'utf8') });
  }
  return out;
}

test('diagnostics after seeded edit sequences equal a from-scratch analysis of the final text', async () => {
  const client = await LspTestClient.start();
  const checker = await Checker.create();
  let exited = false;
  client.process.once('exit', () => (exited = true));
  let compared = 0;
  let withFindings = 0;
  try {
    for (const { name, text } of sources()) {
      for (const seed of SEEDS) {
        const label = `${name}, seed ${seed}`;
        const uri = `file:///tmp/ftaudit-edits/${seed}/edited/${name}`;
        const document = new EditedDocument(text, 1, uri);
        await openDocument(client, uri, text, 1);
        const initial = await client.diagnostics(uri, 1, 30_000);
        let i = 0;
        for (const edit of typingEdits(document, EDITS, seed)) {
          await sendChange(client, uri, edit.version, edit.change);
          // The first ten edits are analysed one by one (incremental reuse); the rest arrive in bursts.
          if (i++ < 10 || i % 13 === 0) await client.diagnostics(uri, edit.version, 30_000);
        }
        const final = await client.diagnostics(uri, document.version, 30_000);
        const finalText = document.text;
        if (process.env.FTAUDIT_DEBUG) console.log(label, initial.diagnostics.length, '→', final.diagnostics.length, final.diagnostics.map((d) => d.code).join(' '));
        assert.ok(/[\u{10000}-\u{10FFFF}]/u.test(finalText) || /\r(?!\n)/.test(finalText) || /\r\n/.test(finalText), `${label}: the edits add astral characters or CR line breaks`);

        // From scratch, through the server: the same text opened as a new document (same file name).
        const fresh = `file:///tmp/ftaudit-edits/${seed}/fresh/${name}`;
        await openDocument(client, fresh, finalText, 1);
        const scratch = await client.diagnostics(fresh, 1, 30_000);
        assert.deepEqual(canonical(final.diagnostics), canonical(scratch.diagnostics), `${label}: incremental ≠ from scratch`);
        assert.deepEqual(misplacedRanges(finalText, final.diagnostics), [], `${label}: ranges fit the text`);

        // From scratch, in-process: every published range is a finding's offsets placed by LineIndex.
        const lines = new LineIndex(finalText);
        const expected = new Set(checker.checkText(finalText).findings.map((f) => JSON.stringify([f.code, lines.positionAt(f.start), lines.positionAt(f.end)])));
        for (const d of final.diagnostics) {
          if (d.source !== 'ftaudit' || !/^FT\d+$/.test(String(d.code))) continue;
          const key = JSON.stringify([d.code, { line: d.range.start.line, character: d.range.start.character }, { line: d.range.end.line, character: d.range.end.character }]);
          assert.ok(expected.has(key), `${label}: ${key} is not where the in-process analysis puts a finding`);
        }
        if (final.diagnostics.length > 0) withFindings++;
        compared++;
        await client.connection.sendNotification('textDocument/didClose', { textDocument: { uri } });
        await client.connection.sendNotification('textDocument/didClose', { textDocument: { uri: fresh } });
      }
    }
    assert.ok(compared >= SEEDS.length, 'at least one file was edited');
    assert.ok(withFindings > 0, 'some final texts still have findings (the comparison is not vacuous)');
    assert.equal(exited, false, 'the server is still running');
  } finally {
    if (!exited) await client.stop();
  }
});

test('a seeded burst of hostile edits: no crash, requests answered, final diagnostics equal a from-scratch analysis', async () => {
  const client = await LspTestClient.start();
  let exited = false;
  client.process.once('exit', () => (exited = true));
  try {
    const [example, ...stdlib] = sources();
    const text = [example, ...stdlib].map((s) => s.text).join('\n');
    const uri = 'file:///tmp/ftaudit-hostile/edited/mod.py';
    // Unicode and astral characters, pastes, deletes, CRLF and lone CR, 3,000-deep nesting, control characters.
    const burst = await hostileBurst(client, uri, text, 300, 7, { pasteSource: text, probeEveryMs: 100 });
    assert.equal(exited, false, 'the server survived the burst');
    assert.ok(burst.requestTimes.length > 0 && burst.requestTimes.length === burst.requestTimes.filter((t) => Number.isFinite(t)).length, 'every request was answered');
    assert.ok((burst.kinds.nesting ?? 0) > 0 && (burst.kinds['lone-cr'] ?? 0) > 0 && (burst.kinds.unicode ?? 0) > 0, `the burst has the hostile kinds: ${JSON.stringify(burst.kinds)}`);
    assert.deepEqual(misplacedRanges(burst.finalText, burst.final.diagnostics), [], 'ranges fit the final text');
    const fresh = 'file:///tmp/ftaudit-hostile/fresh/mod.py';
    await openDocument(client, fresh, burst.finalText, 1);
    const scratch = await client.diagnostics(fresh, 1, 60_000);
    assert.deepEqual(canonical(burst.final.diagnostics), canonical(scratch.diagnostics), 'incremental ≠ from scratch after the burst');
  } finally {
    if (!exited) await client.stop();
  }
});
