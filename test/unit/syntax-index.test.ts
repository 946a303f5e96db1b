// The syntax index caches what each definition holds and replays it when the definition is taken over
// by a later export: a replay must give what a fresh walk gives (nodes, order, enclosing function).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createPythonParser } from '../../server/src/analysis/parser';
import { exportTree } from '../../server/src/analysis/syntaxTree';
import { INDEXED_TYPES, SyntaxIndex } from '../../server/src/analysis/model/syntaxIndex';
import { DocumentStore } from '../../server/src/documents';
import { seededRandom } from '../helpers/random';
import { listPythonFiles } from '../helpers/fixtures';

function listing(index: SyntaxIndex): string[] {
  return INDEXED_TYPES.flatMap((type) => index.all(type).map((e) => `${type} ${e.node.startIndex}-${e.node.endIndex} in ${e.fn}`));
}

test('a replayed definition puts the statements after a nested def back in the enclosing function', async () => {
  const parser = await createPythonParser();
  const text = 'class A:\n    def outer(self):\n        def inner():\n            pass\n        foo()\n        x = 1\n';
  const tree = exportTree(parser.parse(text)!, text);
  const fresh = listing(new SyntaxIndex(tree));
  assert.ok(fresh.includes('call 76-81 in 0') && fresh.includes('assignment 90-95 in 0'), fresh.join('\n'));
  assert.deepEqual(listing(new SyntaxIndex(tree)), fresh);
});

test('indexing an export a second time (every definition replayed) equals the first walk, on the corpus', async () => {
  const parser = await createPythonParser();
  for (const file of listPythonFiles(join(__dirname, '..', 'corpus'))) {
    const text = readFileSync(file, 'utf8');
    const tree = exportTree(parser.parse(text)!, text);
    const first = new SyntaxIndex(tree);
    const again = new SyntaxIndex(tree);
    assert.deepEqual(listing(again), listing(first), file);
    assert.deepEqual(again.comments, first.comments, file);
  }
});

test('the nodes of a type inside a definition, from its top-level statement alone, are all()\'s nodes there', async () => {
  const parser = await createPythonParser();
  // The real-code corpus as one module: hundreds of definitions, classes and nested functions.
  const text = listPythonFiles(join(__dirname, '..', 'corpus')).map((f) => readFileSync(f, 'utf8')).join('\n');
  const tree = exportTree(parser.parse(text)!, text);
  const whole = new SyntaxIndex(tree);
  let ranges = 0;
  for (const { node: fn } of whole.all('function_definition')) {
    const around = new SyntaxIndex(tree);
    for (const type of INDEXED_TYPES) {
      const inside = (list: readonly { node: { startIndex: number; endIndex: number } }[]) =>
        list.filter((e) => e.node.startIndex >= fn.startIndex && e.node.endIndex <= fn.endIndex).map((e) => `${e.node.startIndex}-${e.node.endIndex}`);
      assert.deepEqual(inside(around.ofTypeAround(type, fn.startIndex, fn.endIndex)), inside(whole.all(type)), `${type} in the function at ${fn.startIndex}`);
    }
    ranges++;
  }
  assert.ok(ranges > 100, `not vacuous: ${ranges} functions`);
});

/** Everything the index answers, as plain data: per type, per function, functionOf, comments. */
function answers(index: SyntaxIndex): unknown {
  const fnAt = (n: { startIndex: number; endIndex: number }) => `${n.startIndex}-${n.endIndex}`;
  return {
    nodes: listing(index),
    functions: index.functions.map(fnAt),
    parents: index.functionParents,
    own: [-1, ...index.functions.map((_, i) => i)].map((fn) => index.inFunction(fn).map((e) => `${e.node.type} ${fnAt(e.node)}`)),
    functionOf: INDEXED_TYPES.flatMap((type) => index.all(type).map((e) => index.functionOf(e.node))),
    comments: index.comments,
  };
}

test('after random edits that add, remove and move definitions, the index of the edited tree equals a fresh one', async () => {
  const parser = await createPythonParser();
  const fresh = await createPythonParser();
  const store = new DocumentStore(parser);
  const base = readFileSync(join(__dirname, '..', 'fixtures', 'rules', 'FT101', 'positives.py'), 'utf8');
  const uri = 'file:///x.py';
  const entry = store.open(uri, 'python', 1, base);
  new SyntaxIndex(store.tree(entry));
  const random = seededRandom(7);
  // Pieces that open and close scopes: a def before others renumbers every function after it.
  const pieces = ['x', '\n', '    ', '\ndef added():\n    y = f()\n', '\nclass K:\n    def m(self):\n        self.n += 1\n', 'def ', 'class ', ':', '# c\n', '(', ''];
  for (let version = 2; version < 202; version++) {
    const text = entry.document.getText();
    // Edits at line starts most of the time, so whole definitions come and go.
    let a = Math.floor(random() * text.length);
    if (random() < 0.6) a = text.lastIndexOf('\n', a) + 1;
    const b = Math.min(text.length, a + (random() < 0.3 ? Math.floor(random() * 40) : 0));
    const insert = pieces[Math.floor(random() * pieces.length)];
    const start = entry.document.positionAt(a);
    const end = entry.document.positionAt(b);
    store.change(uri, version, [{ range: { start, end }, text: insert }]);
    const after = entry.document.getText();
    const incremental = answers(new SyntaxIndex(store.tree(entry)));
    const scratch = answers(new SyntaxIndex(exportTree(fresh.parse(after)!, after)));
    assert.deepEqual(incremental, scratch, `version ${version}: ${JSON.stringify(insert)} at ${a}-${b}`);
  }
});
