// The syntax index caches what each definition holds and replays it when the definition is taken over
// by a later export: a replay must give what a fresh walk gives (nodes, order, enclosing function).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { createPythonParser } from '../../server/src/analysis/parser';
import { exportTree } from '../../server/src/analysis/syntaxTree';
import { INDEXED_TYPES, SyntaxIndex } from '../../server/src/analysis/model/syntaxIndex';

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
  const dir = join(__dirname, '..', 'corpus');
  const files: string[] = [];
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      if (e.isDirectory()) walk(join(d, e.name));
      else if (e.name.endsWith('.py')) files.push(join(d, e.name));
    }
  };
  walk(dir);
  for (const file of files) {
    const text = readFileSync(file, 'utf8');
    const tree = exportTree(parser.parse(text)!, text);
    const first = new SyntaxIndex(tree);
    const again = new SyntaxIndex(tree);
    assert.deepEqual(listing(again), listing(first), file);
    assert.deepEqual(again.comments, first.comments, file);
  }
});
