// The exported syntax tree answers as web-tree-sitter's nodes do, and an incremental export after any
// sequence of edits equals a full export of the final text.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { Edit, type Node as WasmNode, type Tree as WasmTree } from 'web-tree-sitter';
import { createPythonParser, directWalks, walkTree } from '../../server/src/analysis/parser';
import { analyze } from '../../server/src/analysis/analyze';
import { selectRules } from '../../server/src/analysis/selection';
import { exportTree, exportTreeIncrementally, type SyntaxNode, type TextChange } from '../../server/src/analysis/syntaxTree';
import { seededRandom } from '../helpers/random';

function pythonSamples(): Array<{ name: string; text: string }> {
  const dir = join(__dirname, '..', 'corpus');
  const out: Array<{ name: string; text: string }> = [];
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.name.endsWith('.py')) out.push({ name: p, text: readFileSync(p, 'utf8') });
    }
  };
  walk(dir);
  return out;
}

/** Compares every node: type, offsets, named-ness, field of each child, missing, error. */
function sameAsWasm(mine: SyntaxNode, theirs: WasmNode, path = 'root'): void {
  assert.equal(mine.type, theirs.type, `${path}: type`);
  assert.equal(mine.startIndex, theirs.startIndex, `${path} ${mine.type}: start`);
  assert.equal(mine.endIndex, theirs.endIndex, `${path} ${mine.type}: end`);
  assert.equal(mine.isNamed, theirs.isNamed, `${path} ${mine.type}: named`);
  assert.equal(mine.isMissing, theirs.isMissing, `${path} ${mine.type}: missing`);
  assert.equal(mine.hasError, theirs.hasError, `${path} ${mine.type}: hasError`);
  assert.deepEqual(mine.startPosition, theirs.startPosition, `${path} ${mine.type}: startPosition`);
  assert.equal(mine.children.length, theirs.childCount, `${path} ${mine.type}: child count`);
  for (let i = 0; i < mine.children.length; i++) {
    assert.equal(mine.children[i].field, theirs.fieldNameForChild(i), `${path} ${mine.type}: field of child ${i}`);
    assert.equal(mine.children[i].parent, mine);
    sameAsWasm(mine.children[i], theirs.child(i)!, `${path}.${i}`);
  }
}

/** Structure of an export as plain data, ids left out. */
function shape(node: SyntaxNode): unknown {
  return [node.type, node.startIndex, node.endIndex, node.isMissing, node.field, node.children.map((c, i) => (assert.equal(c.childIndex, i), assert.equal(c.parent, node), shape(c)))];
}

test('the export answers as web-tree-sitter does (types, offsets, fields, positions, errors)', async () => {
  const parser = await createPythonParser();
  const samples = [
    ...pythonSamples().slice(0, 40),
    { name: 'astral and CRLF', text: 'x = "😀"\r\ndef f():\r\n    return 𝔘\r\n' },
    { name: 'syntax errors', text: 'def f(:\n    x = (1,\nclass\n' },
    { name: 'empty', text: '' },
  ];
  for (const { name, text } of samples) {
    const tree = parser.parse(text)!;
    try {
      sameAsWasm(exportTree(tree, text).rootNode, tree.rootNode, name);
    } finally {
      tree.delete();
    }
  }
});

test('the direct walk answers as the public cursor does, node for node (the export uses it)', async () => {
  const parser = await createPythonParser();
  // With the pinned web-tree-sitter the walk is direct; a version whose internals differ falls back to
  // the public cursor (correct, slower) — this says so rather than slowing down unnoticed.
  assert.equal(directWalks(), true, 'web-tree-sitter no longer exposes what the direct walk needs');
  const samples = [
    ...pythonSamples().slice(0, 40).map((s) => s.text),
    'x = "😀"\r\ndef f():\r\n    return 𝔘\r\n',
    'def f(:\n    x = (1,\nclass\n',
    'if x:\n    y = [1, 2\nz = 3\n',
    '',
  ];
  // One walk at a time: a direct walk keeps its cursor in the binding's transfer buffer, which any other
  // call into tree-sitter overwrites.
  const answers = (tree: WasmTree, publicCursor: boolean) => {
    const walk = walkTree(tree, { publicCursor });
    const out: unknown[] = [];
    try {
      for (;;) {
        out.push([walk.typeId(), walk.startIndex(), walk.endIndex(), walk.fieldId(), walk.isMissing(), walk.hasError()]);
        if (walk.gotoFirstChild()) continue;
        while (!walk.gotoNextSibling()) {
          out.push('up');
          if (!walk.gotoParent()) return out;
        }
      }
    } finally {
      walk.delete();
    }
  };
  for (const text of samples) {
    const tree = parser.parse(text)!;
    try {
      assert.deepEqual(answers(tree, false), answers(tree, true), JSON.stringify(text.slice(0, 40)));
    } finally {
      tree.delete();
    }
  }
});

test('descendantForIndex and sibling links match web-tree-sitter', async () => {
  const parser = await createPythonParser();
  const text = 'import threading\n# note\nx = [1, 2]  # trailing\ndef f(a, b=2):\n    return a + b\n';
  const tree = parser.parse(text)!;
  const mine = exportTree(tree, text).rootNode;
  for (let at = 0; at <= text.length; at++) {
    const a = mine.descendantForIndex(at);
    const b = tree.rootNode.descendantForIndex(at)!;
    assert.deepEqual([a.type, a.startIndex, a.endIndex], [b.type, b.startIndex, b.endIndex], `at ${at}`);
    assert.equal(a.previousNamedSibling?.startIndex ?? null, b.previousNamedSibling?.startIndex ?? null, `previousNamedSibling at ${at}`);
    assert.equal(a.nextSibling?.startIndex ?? null, b.nextSibling?.startIndex ?? null, `nextSibling at ${at}`);
  }
  tree.delete();
});

test('descendantForIndex over spans matches web-tree-sitter on real modules', async () => {
  const parser = await createPythonParser();
  for (const { name, text } of pythonSamples().slice(0, 6)) {
    const tree = parser.parse(text)!;
    try {
      const mine = exportTree(tree, text).rootNode;
      // Deterministic spans of every width, zero-width ones included (the binary search's edge).
      for (let i = 0, seed = 7; i < 400; i++) {
        seed = (seed * 1103515245 + 12345) & 0x7fffffff;
        const start = seed % (text.length + 1);
        const end = Math.min(text.length, start + (i % 4 === 0 ? 0 : seed % 200));
        const a = mine.descendantForIndex(start, end);
        const b = tree.rootNode.descendantForIndex(start, end)!;
        assert.deepEqual([a.type, a.startIndex, a.endIndex], [b.type, b.startIndex, b.endIndex], `${name} ${start}-${end}`);
      }
    } finally {
      tree.delete();
    }
  }
});

const SNIPPETS = ['x', ' ', '\n', '(', ')', ':', '"', "'''", '\n    ', 'self.n += 1\n', 'def g():\n    pass\n', '😀', '\r\n', '\r', 'with lock:\n        ', '#', 'if x:\n', ']'];

function pointAt(text: string, offset: number) {
  const before = text.slice(0, offset);
  const row = before.split('\n').length - 1;
  return { row, column: offset - (before.lastIndexOf('\n') + 1) };
}

test('an incremental export after random edits equals a full export of the final text', async () => {
  const parser = await createPythonParser();
  const rules = selectRules({ select: ['ALL'] });
  const samples = pythonSamples().slice(0, 12);
  let compared = 0;
  let exportedIncrementally = 0;
  let exportedFully = 0;
  for (let s = 0; s < samples.length; s++) {
    const rand = seededRandom(1000 + s);
    let text = samples[s].text;
    let tree: WasmTree = parser.parse(text)!;
    let syntax = exportTree(tree, text);
    for (let round = 0; round < 25; round++) {
      const changes: TextChange[] = [];
      const edits = 1 + Math.floor(rand() * 3);
      for (let k = 0; k < edits; k++) {
        const start = Math.floor(rand() * (text.length + 1));
        const oldEnd = Math.min(text.length, start + (rand() < 0.5 ? 0 : Math.floor(rand() * 40)));
        const insert = rand() < 0.3 ? '' : SNIPPETS[Math.floor(rand() * SNIPPETS.length)];
        const after = text.slice(0, start) + insert + text.slice(oldEnd);
        tree.edit(new Edit({ startIndex: start, oldEndIndex: oldEnd, newEndIndex: start + insert.length, startPosition: pointAt(text, start), oldEndPosition: pointAt(text, oldEnd), newEndPosition: pointAt(after, start + insert.length) }));
        changes.push({ start, oldEnd, newEnd: start + insert.length });
        text = after;
      }
      const next = parser.parse(text, tree)!;
      const changed = tree.getChangedRanges(next);
      tree.delete();
      tree = next;
      syntax = exportTreeIncrementally(tree, text, syntax, changes, changed);
      const full = exportTree(tree, text);
      assert.deepEqual(shape(syntax.rootNode), shape(full.rootNode), `${samples[s].name}, round ${round}`);
      assert.equal(syntax.rootNode.text, text);
      // The analysis of the incremental export (with what it cached about the definitions taken over)
      // equals that of a fresh one.
      const options = { assumeConcurrent: true };
      assert.deepEqual(analyze({ tree: syntax, text, rules, options }), analyze({ tree: full, text, rules, options }), `${samples[s].name}, round ${round}: findings`);
      compared++;
      exportedIncrementally += syntax.exportedNodes;
      exportedFully += full.exportedNodes;
    }
    tree.delete();
  }
  assert.equal(compared, samples.length * 25);
  // Reuse is the point: most nodes are taken over, not exported again.
  assert.ok(exportedIncrementally < exportedFully / 2, `exported ${exportedIncrementally} nodes incrementally vs ${exportedFully} fully`);
});
