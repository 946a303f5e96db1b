// Incremental re-parsing must give the same tree as parsing the final text from scratch.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createPythonParser } from '../../server/src/analysis/parser';
import { exportTree, type SyntaxNode } from '../../server/src/analysis/syntaxTree';
import { DocumentStore } from '../../server/src/documents';
import { parseRecovering } from '../../server/src/analysis/bracketRecovery';

const base = readFileSync(join(__dirname, '..', 'fixtures', 'rules', 'FT101', 'positives.py'), 'utf8');

// Deterministic pseudo-random edits (xorshift), so a failure reproduces.
function rng(seed: number) {
  let x = seed;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) / 0x100000000;
  };
}

/** The structure of an exported tree as plain data. */
function shape(node: SyntaxNode): unknown {
  return [node.type, node.startIndex, node.endIndex, node.field, node.children.map(shape)];
}

test('300 random incremental edits keep the tree and its export identical to a fresh parse', async () => {
  const parser = await createPythonParser();
  const fresh = await createPythonParser();
  const store = new DocumentStore(parser);
  const uri = 'file:///x.py';
  let entry = store.open(uri, 'python', 1, base);
  store.tree(entry);
  const random = rng(42);
  const pieces = ['x', ' += 1', '\n', '\r\n', '    ', 'with lock:\n        ', 'é', '😀', '"""', '(', ')', '#', ''];
  for (let version = 2; version < 302; version++) {
    const text = entry.document.getText();
    const a = Math.floor(random() * text.length);
    const b = Math.min(text.length, a + Math.floor(random() * 12));
    const insert = pieces[Math.floor(random() * pieces.length)];
    const doc = entry.document;
    entry = store.change(uri, version, [{ range: { start: doc.positionAt(a), end: doc.positionAt(b) }, text: insert }])!;
    if (version % 7 === 0 || version === 301) {
      const exported = store.tree(entry);
      const scratch = parseRecovering(fresh, entry.document.getText())!;
      assert.equal(entry.tree!.rootNode.toString(), scratch.rootNode.toString(), `tree differs after edit ${version}`);
      assert.deepEqual(shape(exported.rootNode), shape(exportTree(scratch, entry.document.getText()).rootNode), `export differs after edit ${version}`);
      scratch.delete();
    }
  }
  store.close(uri);
});
