// An open document's text, edited in place by LSP changes without copying the whole text per change.
// vscode-languageserver-textdocument builds a new string on every change and reads a character of it,
// so V8 flattens it: a full copy per keystroke (~6 ms in a 1.5 MB document), and a burst of 2,000
// edits kept the worker busy for seconds after the last one. Here a change costs the pieces it touches
// and the shift of the line table after it; the pieces are joined once, when the text is read (the
// parse, once per analysis). Positions follow LSP (lines break at CR, LF and CRLF; characters are
// UTF-16 units), as TextDocument's do; `point()` gives tree-sitter's (rows break at LF only).
import type { Position, Range, TextDocumentContentChangeEvent } from 'vscode-languageserver';
import type { TextDocument } from 'vscode-languageserver-textdocument';

const CR = 13;
const LF = 10;
/** More pieces than this: join them (each change looks its pieces up one by one). */
const MAX_PIECES = 128;

/** Offsets where a line starts after a break inside `text` (placed at `offset`). */
function lineStartsIn(text: string, offset: number, lfOnly: boolean): number[] {
  const starts: number[] = [];
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === LF) starts.push(offset + i + 1);
    else if (c === CR && !lfOnly) {
      if (i + 1 < text.length && text.charCodeAt(i + 1) === LF) i++;
      starts.push(offset + i + 1);
    }
  }
  return starts;
}

function lastLineAtOrBefore(starts: readonly number[], offset: number): number {
  let low = 0;
  let high = starts.length;
  while (low < high) {
    const mid = (low + high) >>> 1;
    if (starts[mid] > offset) high = mid;
    else low = mid + 1;
  }
  return low - 1;
}

export class EditableText implements TextDocument {
  /** The text, when `pieces` is null; else stale. */
  private text: string;
  private pieces: string[] | null = null;
  private size: number;
  /** Start offset of every LSP line. */
  private lines: number[];
  /** Start offset of every tree-sitter row (LF only), kept once the text has had a CR; else `lines`. */
  private rows: number[] | null = null;
  private hadCR: boolean;

  constructor(
    readonly uri: string,
    readonly languageId: string,
    public version: number,
    text: string,
  ) {
    this.text = text;
    this.size = text.length;
    this.lines = [0, ...lineStartsIn(text, 0, false)];
    this.hadCR = text.includes('\r');
    if (this.hadCR) this.rows = [0, ...lineStartsIn(text, 0, true)];
  }

  get lineCount(): number {
    return this.lines.length;
  }

  /** The text has a CR now or had one since it was opened: LSP lines and tree-sitter rows may differ. */
  get hasCR(): boolean {
    return this.hadCR;
  }

  getText(range?: Range): string {
    if (this.pieces) {
      this.text = this.pieces.join('');
      this.pieces = null;
    }
    return range ? this.text.substring(this.offsetAt(range.start), this.offsetAt(range.end)) : this.text;
  }

  private charCodeAt(offset: number): number {
    if (offset < 0 || offset >= this.size) return NaN;
    if (!this.pieces) return this.text.charCodeAt(offset);
    for (const piece of this.pieces) {
      if (offset < piece.length) return piece.charCodeAt(offset);
      offset -= piece.length;
    }
    return NaN;
  }

  /** Like TextDocument: a position past the end of its line is the end of the line (before its break). */
  offsetAt(position: Position): number {
    if (position.line >= this.lines.length) return this.size;
    if (position.line < 0) return 0;
    const start = this.lines[position.line];
    if (position.character <= 0) return start;
    const next = position.line + 1 < this.lines.length ? this.lines[position.line + 1] : this.size;
    return this.beforeBreak(Math.min(start + position.character, next), start);
  }

  positionAt(offset: number): Position {
    offset = Math.max(Math.min(offset, this.size), 0);
    const line = lastLineAtOrBefore(this.lines, offset);
    return { line, character: this.beforeBreak(offset, this.lines[line]) - this.lines[line] };
  }

  /** tree-sitter's point for an offset: rows break at LF only. */
  point(offset: number): { row: number; column: number } {
    const rows = this.rows ?? this.lines;
    const row = lastLineAtOrBefore(rows, Math.max(Math.min(offset, this.size), 0));
    return { row, column: offset - rows[row] };
  }

  getLineRange(line: number): Range {
    if (line < 0) return { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } };
    line = Math.min(line, this.lines.length - 1);
    const start = this.lines[line];
    const next = line + 1 < this.lines.length ? this.lines[line + 1] : this.size;
    return { start: { line, character: 0 }, end: { line, character: this.beforeBreak(next, start) - start } };
  }

  getEOLCharacters(line: number): string {
    if (line < 0 || line >= this.lines.length) return '';
    const next = line + 1 < this.lines.length ? this.lines[line + 1] : this.size;
    const end = this.beforeBreak(next, this.lines[line]);
    let eol = '';
    for (let i = end; i < next; i++) eol += String.fromCharCode(this.charCodeAt(i));
    return eol;
  }

  private beforeBreak(offset: number, lineStart: number): number {
    while (offset > lineStart) {
      const c = this.charCodeAt(offset - 1);
      if (c !== CR && c !== LF) break;
      offset--;
    }
    return offset;
  }

  /** Applies one change; returns the offsets it replaced, `[start, oldEnd)`, and where its text ends now. */
  apply(change: TextDocumentContentChangeEvent, version: number): { start: number; oldEnd: number; newEnd: number } {
    this.version = version;
    if (!('range' in change) || !change.range) {
      const old = this.size;
      this.replaceAll(change.text);
      return { start: 0, oldEnd: old, newEnd: this.size };
    }
    let { start, end } = change.range;
    if (start.line > end.line || (start.line === end.line && start.character > end.character)) [start, end] = [end, start];
    const from = this.offsetAt(start);
    const to = this.offsetAt(end);
    const text = change.text;
    const startLine = lastLineAtOrBefore(this.lines, from);
    const endLine = lastLineAtOrBefore(this.lines, to);
    let startRow = startLine;
    let endRow = endLine;
    if (this.rows) {
      startRow = lastLineAtOrBefore(this.rows, from);
      endRow = lastLineAtOrBefore(this.rows, to);
    } else if (text.includes('\r')) {
      // The first CR: until now every break was an LF, so the rows were the lines.
      this.hadCR = true;
      this.rows = this.lines.slice();
    }
    this.splice(from, to, text);
    const newEnd = from + text.length;
    if (this.rows) this.shiftLines(this.rows, startRow, endRow, from, to, text, true);
    // A CR and an LF that meet at either end of the change become one break: count the lines again.
    const crlfAtStart = this.charCodeAt(from - 1) === CR && this.charCodeAt(from) === LF;
    const crlfAtEnd = this.charCodeAt(newEnd - 1) === CR && this.charCodeAt(newEnd) === LF;
    if (crlfAtStart || crlfAtEnd) this.lines = [0, ...lineStartsIn(this.getText(), 0, false)];
    else this.shiftLines(this.lines, startLine, endLine, from, to, text, false);
    return { start: from, oldEnd: to, newEnd };
  }

  private replaceAll(text: string): void {
    this.text = text;
    this.pieces = null;
    this.size = text.length;
    this.lines = [0, ...lineStartsIn(text, 0, false)];
    if (text.includes('\r')) this.hadCR = true;
    this.rows = this.hadCR ? [0, ...lineStartsIn(text, 0, true)] : null;
  }

  /** Line starts after `[from, to)` was replaced by `text`: those inside it go, the text's come, the rest move. */
  private shiftLines(starts: number[], startLine: number, endLine: number, from: number, to: number, text: string, lfOnly: boolean): void {
    const added = lineStartsIn(text, from, lfOnly);
    const removed = endLine - startLine;
    if (removed === added.length) {
      for (let i = 0; i < added.length; i++) starts[startLine + 1 + i] = added[i];
    } else if (added.length < 10_000) {
      starts.splice(startLine + 1, removed, ...added);
    } else {
      starts.splice(startLine + 1, removed);
      const tail = starts.splice(startLine + 1);
      for (const a of added) starts.push(a);
      for (const t of tail) starts.push(t);
    }
    const diff = text.length - (to - from);
    if (diff !== 0) for (let i = startLine + 1 + added.length; i < starts.length; i++) starts[i] += diff;
  }

  /** Replaces `[from, to)` by `text` in the pieces, splitting the pieces at both ends. */
  private splice(from: number, to: number, text: string): void {
    const pieces = this.pieces ?? [this.text];
    const out: string[] = [];
    let offset = 0;
    let placed = false;
    for (const piece of pieces) {
      const pieceEnd = offset + piece.length;
      if (piece.length === 0) continue;
      if (pieceEnd <= from || offset >= to) {
        // Wholly before or after the change (the text goes before the first piece after it).
        if (!placed && offset >= to) {
          if (text) out.push(text);
          placed = true;
        }
        out.push(piece);
      } else {
        if (from > offset) out.push(piece.slice(0, from - offset));
        if (!placed) {
          if (text) out.push(text);
          placed = true;
        }
        if (to < pieceEnd) out.push(piece.slice(to - offset));
      }
      offset = pieceEnd;
    }
    if (!placed && text) out.push(text);
    this.size += text.length - (to - from);
    if (out.length > MAX_PIECES) {
      this.text = out.join('');
      this.pieces = null;
    } else {
      this.pieces = out;
    }
  }
}
