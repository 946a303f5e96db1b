// What web-tree-sitter 0.27's offsets mean for JS strings, so the analysis may slice text from the
// source string instead of asking `node.text`: it parses a JS string as UTF-16, so `startIndex` and
// `endIndex` are UTF-16 code-unit offsets into that string (not UTF-8 bytes), and `column`s are code
// units too — an astral character (a surrogate pair) counts 2. Tree-sitter's rows count `\n` only: a
// lone CR does not start a row, though it ends a line for LSP clients — so positions for clients come
// from offsets through LineIndex, never from `startPosition` (messages that quote
// `startPosition.row + 1` are a line off after a lone CR).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { WasmNode as Node } from '../../server/src/analysis/parser';
import { createPythonParser } from '../../server/src/analysis/parser';
import { LineIndex } from '../../server/src/analysis/text';

const SOURCE = [
  '# 😀 𝔘𝔫𝔦𝔠𝔬𝔡𝔢 — é ü 中文',
  's = "𝄞 clef 😀"\r\n',
  'def f(𝔵=1):  # comment with 🎉\r',
  '    return "é" + "😀😀"  ',
  'a = "𝔞"\rb = 2  # lone CR before b',
  'x = f()\r\ny = "tail 🐍"\n',
].join('\n');

function allNodes(root: Node): Node[] {
  const out: Node[] = [];
  const stack = [root];
  while (stack.length > 0) {
    const n = stack.pop()!;
    out.push(n);
    for (const c of n.children) if (c) stack.push(c);
  }
  return out;
}

/** Tree-sitter's row/column (code units) of an offset: only `\n` starts a row. */
function treeSitterPoint(text: string, offset: number): { row: number; column: number } {
  let row = 0;
  let lineStart = 0;
  for (let i = 0; i < offset; i++) {
    if (text[i] === '\n') {
      row++;
      lineStart = i + 1;
    }
  }
  return { row, column: offset - lineStart };
}

test('startIndex/endIndex are UTF-16 offsets into the JS string: text equals a slice of the source', async () => {
  const parser = await createPythonParser();
  const tree = parser.parse(SOURCE)!;
  assert.equal(tree.rootNode.endIndex, SOURCE.length);
  let astral = 0;
  for (const n of allNodes(tree.rootNode)) {
    assert.equal(n.text, SOURCE.slice(n.startIndex, n.endIndex), `${n.type} at ${n.startIndex}`);
    if (/[\u{10000}-\u{10FFFF}]/u.test(n.text)) astral++;
  }
  assert.ok(astral > 3, 'the sample has nodes with astral characters');
  const string = tree.rootNode.descendantsOfType('string').find((s) => s?.text.includes('🐍'))!;
  assert.equal(string.startIndex, SOURCE.indexOf('"tail 🐍"'));
  tree.delete();
});

test('columns count UTF-16 code units; rows count LF only; LineIndex gives LSP positions from offsets', async () => {
  const parser = await createPythonParser();
  const tree = parser.parse(SOURCE)!;
  for (const n of allNodes(tree.rootNode)) {
    assert.deepEqual({ ...n.startPosition }, treeSitterPoint(SOURCE, n.startIndex), `start of ${n.type} ${JSON.stringify(n.text.slice(0, 20))}`);
    assert.deepEqual({ ...n.endPosition }, treeSitterPoint(SOURCE, n.endIndex), `end of ${n.type} ${JSON.stringify(n.text.slice(0, 20))}`);
  }
  const lines = new LineIndex(SOURCE);
  const b = tree.rootNode.descendantsOfType('identifier').find((i) => i?.text === 'b')!;
  assert.deepEqual({ ...b.startPosition }, { row: 5, column: 9 }, 'after a lone CR tree-sitter stays on the row');
  assert.deepEqual(lines.positionAt(b.startIndex), { line: 6, character: 0 }, 'an LSP client sees a new line');
  const y = tree.rootNode.descendantsOfType('identifier').find((i) => i?.text === 'y')!;
  assert.deepEqual(lines.positionAt(y.startIndex), { line: 8, character: 0 });
  const clef = tree.rootNode.descendantsOfType('string').find((s) => s?.text.includes('𝄞'))!;
  assert.equal(clef.endPosition.column, '"𝄞 clef 😀"'.length + 4, 'astral characters count 2 columns each');
  tree.delete();
});
