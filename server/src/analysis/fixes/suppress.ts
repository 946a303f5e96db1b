// "Suppress on this line" and "for this file": edits that add or extend a suppression comment.
import type { TextEdit } from '../types';
import { LineIndex } from '../text';
import { lineEnding } from './text';

const LINE_COMMENT = /#\s*ftaudit:\s*ignore\[([^\]]*)\]/i;
const FILE_COMMENT = /#\s*ftaudit:\s*ignore-file\[([^\]]*)\]/i;

/** Adds `code` to the line's `# ftaudit: ignore[…]`, or appends one. */
export function suppressLineEdit(text: string, line: number, code: string): TextEdit {
  const lines = new LineIndex(text);
  const start = lines.offsetAt({ line, character: 0 });
  const content = lines.lineText(line);
  const existing = LINE_COMMENT.exec(content);
  if (existing) {
    const codes = existing[1].split(/[\s,]+/).filter(Boolean);
    const at = start + existing.index + existing[0].indexOf('[') + 1;
    if (codes.includes(code)) return { start: at, end: at, newText: '' };
    return { start: at, end: at + existing[1].length, newText: [...codes, code].join(', ') };
  }
  const end = start + content.length;
  return { start: end, end, newText: `  # ftaudit: ignore[${code}]` };
}

/** Adds `code` to the file's `# ftaudit: ignore-file[…]`, or inserts one after a shebang/encoding line. */
export function suppressFileEdit(text: string, code: string): TextEdit {
  const existing = FILE_COMMENT.exec(text);
  if (existing) {
    const codes = existing[1].split(/[\s,]+/).filter(Boolean);
    const at = existing.index + existing[0].indexOf('[') + 1;
    if (codes.includes(code)) return { start: at, end: at, newText: '' };
    return { start: at, end: at + existing[1].length, newText: [...codes, code].join(', ') };
  }
  const lines = new LineIndex(text);
  let line = 0;
  while (line < lines.lineCount - 1 && line < 2 && /^#!|^#.*coding[:=]/.test(lines.lineText(line))) line++;
  const at = lines.offsetAt({ line, character: 0 });
  return { start: at, end: at, newText: `# ftaudit: ignore-file[${code}]${lineEnding(text)}` };
}
