// Text helpers for building fixes: statements as whole lines, indentation and line endings.
import type { Node } from '../parser';
import type { TextEdit } from '../types';

/** The document's line ending (CRLF files stay CRLF). */
export function lineEnding(text: string): string {
  const i = text.indexOf('\n');
  return i > 0 && text[i - 1] === '\r' ? '\r\n' : '\n';
}

export function lineStart(text: string, offset: number): number {
  // Scan back to the line break (two lastIndexOf calls would scan to the start of a file without `\r`).
  let i = offset;
  while (i > 0) {
    const c = text.charCodeAt(i - 1);
    if (c === 10 || c === 13) break;
    i--;
  }
  return i;
}

/** Offset just after the line break that ends the line containing `offset` (or the text's end). */
export function nextLineStart(text: string, offset: number): number {
  for (let i = offset; i < text.length; i++) {
    if (text[i] === '\n') return i + 1;
    if (text[i] === '\r') return text[i + 1] === '\n' ? i + 2 : i + 1;
  }
  return text.length;
}

export function indentationAt(text: string, offset: number): string {
  const start = lineStart(text, offset);
  return /^[ \t]*/.exec(text.slice(start, offset))![0];
}

/** One indentation step of the file: the first indented line's indentation, else four spaces. */
export function indentUnit(text: string): string {
  const m = /(?:^|\n)([ \t]+)\S/.exec(text);
  return m ? (m[1].startsWith('\t') ? '\t' : m[1].length <= 8 ? m[1] : '    ') : '    ';
}

/** The statement (child of a block or the module) that contains `node`. */
export function enclosingStatement(node: Node): Node | null {
  for (let n: Node | null = node; n; n = n.parent) {
    if (n.parent && (n.parent.type === 'block' || n.parent.type === 'module')) return n;
  }
  return null;
}

/**
 * The statement's full lines, when it has them to itself: it starts its first line (after indentation)
 * and nothing but a comment follows it on its last line. Null for `a; b` and `if x: y += 1`.
 */
export function ownLines(text: string, stmt: Node): { start: number; end: number; indent: string } | null {
  const start = lineStart(text, stmt.startIndex);
  if (text.slice(start, stmt.startIndex).trim() !== '') return null;
  const end = nextLineStart(text, stmt.endIndex);
  const rest = text.slice(stmt.endIndex, end).trim();
  if (rest !== '' && !rest.startsWith('#')) return null;
  return { start, end, indent: text.slice(start, stmt.startIndex) };
}

/** `lines` re-indented one step deeper (blank lines stay blank). */
export function indentLines(lines: string, unit: string): string {
  return lines.replace(/^(?=[^\r\n])/gm, unit);
}

/** Applies non-overlapping edits (any order) to a text. */
export function applyEdits(text: string, edits: readonly TextEdit[]): string {
  const sorted = [...edits].sort((a, b) => b.start - a.start || b.end - a.end);
  let out = text;
  for (const e of sorted) out = out.slice(0, e.start) + e.newText + out.slice(e.end);
  return out;
}

export function overlaps(a: TextEdit, b: TextEdit): boolean {
  // Two insertions at one point conflict too: their order would be arbitrary.
  return a.start < b.end && b.start < a.end ? true : a.start === b.start || (a.start === a.end && a.start > b.start && a.start < b.end) || (b.start === b.end && b.start > a.start && b.start < a.end);
}
