// EditableText must answer exactly as vscode-languageserver-textdocument's TextDocument does after any
// sequence of LSP changes (CR, LF, CRLF and breaks split across changes, astral characters, positions
// past a line's end, reversed ranges, whole-text replacements), and its tree-sitter points must be
// those of a scan of the text (rows break at LF only).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { EditableText } from '../../server/src/editableText';
import { rng } from '../../scripts/bench/fuzz';

function scanPoint(text: string, offset: number): { row: number; column: number } {
  let row = 0;
  let start = 0;
  for (let i = 0; i < offset; i++) {
    if (text.charCodeAt(i) === 10) {
      row++;
      start = i + 1;
    }
  }
  return { row, column: offset - start };
}

const SNIPPETS = ['x', 'def f():\n    pass\n', '\r', '\n', '\r\n', '\r\r\n\n', '😀', 'é', '', '\t', '    ', '# c\r\n', 'a\rb\nc\r\nd'];

function randomChange(random: () => number, doc: TextDocument) {
  const int = (n: number) => Math.floor(random() * n);
  if (random() < 0.02) return { text: SNIPPETS.slice(0, int(SNIPPETS.length) + 1).join('') };
  const position = () => ({ line: int(doc.lineCount + 1), character: int(12) });
  let text = '';
  for (let n = int(4); n > 0; n--) text += SNIPPETS[int(SNIPPETS.length)];
  return { range: { start: position(), end: position() }, text };
}

test('EditableText answers as TextDocument after random changes', () => {
  for (let seed = 1; seed <= 60; seed++) {
    const random = rng(seed * 7919);
    const initial = ['import threading\n', 'a = 1\r\nb = 2\r\n', 'x\ry\rz', '', '😀\n\n'][seed % 5].repeat(1 + (seed % 7));
    let reference = TextDocument.create('file:///t.py', 'python', 1, initial);
    const text = new EditableText('file:///t.py', 'python', 1, initial);
    for (let step = 0; step < 150; step++) {
      const change = randomChange(random, reference);
      const expected = 'range' in change && change.range ? { start: reference.offsetAt(change.range.start), oldEnd: reference.offsetAt(change.range.end) } : null;
      const applied = text.apply(change, step + 2);
      reference = TextDocument.update(reference, [change], step + 2);
      const where = `seed ${seed} step ${step}`;
      if (expected) {
        assert.equal(applied.start, Math.min(expected.start, expected.oldEnd), where);
        assert.equal(applied.oldEnd, Math.max(expected.start, expected.oldEnd), where);
        assert.equal(applied.newEnd, applied.start + change.text.length, where);
      }
      const full = reference.getText();
      assert.equal(text.getText(), full, where);
      assert.equal(text.lineCount, reference.lineCount, where);
      assert.equal(text.version, reference.version, where);
      for (let k = 0; k < 6; k++) {
        const offset = Math.floor(random() * (full.length + 3)) - 1;
        assert.deepEqual(text.positionAt(offset), reference.positionAt(offset), `${where} positionAt(${offset})`);
        const clamped = Math.max(0, Math.min(offset, full.length));
        assert.deepEqual(text.point(clamped), scanPoint(full, clamped), `${where} point(${clamped})`);
        const position = { line: Math.floor(random() * (reference.lineCount + 2)) - 1, character: Math.floor(random() * 14) };
        assert.equal(text.offsetAt(position), reference.offsetAt(position), `${where} offsetAt(${JSON.stringify(position)})`);
        const line = Math.floor(random() * (reference.lineCount + 2)) - 1;
        assert.deepEqual(text.getLineRange(line), reference.getLineRange(line), `${where} getLineRange(${line})`);
        assert.equal(text.getEOLCharacters(line), reference.getEOLCharacters(line), `${where} getEOLCharacters(${line})`);
      }
      const range = { start: reference.positionAt(Math.floor(random() * full.length)), end: reference.positionAt(full.length) };
      assert.equal(text.getText(range), reference.getText(range), where);
    }
  }
});
