// Seeded edit generators for the server benchmark and the edit-sequence property test. Deterministic:
// the same seed and the same starting text give the same edits. Edits are LSP content changes with
// UTF-16 positions, valid against the document as it stands (the generator keeps its own copy), and
// never split a surrogate pair (no LSP client does).
import { TextDocument } from 'vscode-languageserver-textdocument';

export interface Range {
  start: { line: number; character: number };
  end: { line: number; character: number };
}
/** An LSP `TextDocumentContentChangeEvent`: a ranged change, or the whole text. */
export type Change = { range: Range; text: string } | { text: string };

/** mulberry32: a small, fast, seedable PRNG (returns [0, 1)). */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export const UNICODE_SNIPPETS = ['é', 'ü', '中文', '😀', '𝔘𝔫𝔦𝔠𝔬𝔡𝔢', '🐍🐍', '\u200b', 'ﬁ', '𝄞', 'Ω≈ç√', '👩‍👩‍👧'];

/** A document the generator edits: the text, kept in step with the changes it hands out. */
export class EditedDocument {
  doc: TextDocument;
  version: number;

  constructor(text: string, version = 1, uri = 'file:///fuzz.py') {
    this.version = version;
    this.doc = TextDocument.create(uri, 'python', version, text);
  }

  get text(): string {
    return this.doc.getText();
  }

  /** Applies a change (as the server will) and returns it with the new version. */
  apply(change: Change): { version: number; change: Change } {
    this.version++;
    this.doc = TextDocument.update(this.doc, [change], this.version);
    return { version: this.version, change };
  }

  /** An offset moved off the middle of a surrogate pair. */
  safeOffset(offset: number): number {
    const text = this.text;
    offset = Math.max(0, Math.min(offset, text.length));
    const c = text.charCodeAt(offset);
    return offset > 0 && c >= 0xdc00 && c <= 0xdfff && isHigh(text.charCodeAt(offset - 1)) ? offset - 1 : offset;
  }

  range(start: number, end = start): Range {
    return { start: this.doc.positionAt(this.safeOffset(start)), end: this.doc.positionAt(this.safeOffset(end)) };
  }
}

function isHigh(c: number): boolean {
  return c >= 0xd800 && c <= 0xdbff;
}

export type HostileKind = 'type' | 'unicode' | 'paste' | 'delete' | 'crlf' | 'lone-cr' | 'nesting' | 'binary' | 'huge' | 'restore';

export interface HostileOptions {
  /** Text to cut big pastes from (whole lines). */
  pasteSource: string;
  /** Edit number (0-based) at which the whole text is replaced by `hugeText` (an 8 MB document). */
  hugeAt?: number;
  hugeText?: string;
  /** Edits after the huge replacement at which the text before it is restored (default 5). */
  restoreAfter?: number;
  /** Depth of the nesting paste (default 3,000). */
  nestingDepth?: number;
}

/**
 * `count` hostile edits: one-character typing, unicode and astral characters, big pastes of real code,
 * deletions of up to 2,000 characters, CRLF and lone CR line breaks, a 3,000-deep nested expression,
 * binary-looking bytes, and (optionally) one replacement of the whole text by an 8 MB document, with
 * the previous text restored a few edits later.
 */
export function* hostileEdits(document: EditedDocument, count: number, seed: number, options: HostileOptions): Generator<{ kind: HostileKind; version: number; change: Change }> {
  const random = rng(seed);
  const int = (n: number) => Math.floor(random() * n);
  const pick = <T>(xs: readonly T[]) => xs[int(xs.length)];
  const pasteLines = options.pasteSource.split('\n');
  const depth = options.nestingDepth ?? 3000;
  let saved: string | null = null;
  let restoreAt = -1;
  for (let i = 0; i < count; i++) {
    const text = document.text;
    const at = int(text.length + 1);
    let kind: HostileKind;
    let change: Change;
    if (options.hugeAt === i && options.hugeText) {
      kind = 'huge';
      saved = text;
      restoreAt = i + (options.restoreAfter ?? 5);
      change = { text: options.hugeText };
    } else if (i === restoreAt && saved !== null) {
      kind = 'restore';
      change = { text: saved };
      saved = null;
    } else {
      const r = random();
      if (r < 0.3) {
        kind = 'type';
        change = random() < 0.6 || text.length === 0 ? { range: document.range(at), text: pick(['x', '_', '1', ' ', '(', ':', '\n', '    ', '"', '#']) } : { range: document.range(at, at + 1), text: '' };
      } else if (r < 0.45) {
        kind = 'unicode';
        change = { range: document.range(at), text: pick(UNICODE_SNIPPETS) };
      } else if (r < 0.58) {
        kind = 'paste';
        const from = int(pasteLines.length);
        const n = 1 + int(random() < 0.8 ? 40 : 1500);
        const lineStart = text.lastIndexOf('\n', at - 1) + 1;
        change = { range: document.range(lineStart), text: `${pasteLines.slice(from, from + n).join('\n')}\n` };
      } else if (r < 0.75) {
        kind = 'delete';
        const length = random() < 0.8 ? 1 + int(40) : 1 + int(2000);
        change = { range: document.range(at, at + length), text: '' };
      } else if (r < 0.83) {
        kind = 'crlf';
        const nl = text.indexOf('\n', at);
        change = nl > 0 && text[nl - 1] !== '\r' && random() < 0.5 ? { range: document.range(nl, nl + 1), text: '\r\n' } : { range: document.range(at), text: '\r\n' };
      } else if (r < 0.9) {
        kind = 'lone-cr';
        const nl = text.indexOf('\n', at);
        change = nl >= 0 && random() < 0.5 ? { range: document.range(nl, nl + 1), text: '\r' } : { range: document.range(at), text: '\r' };
      } else if (r < 0.93) {
        kind = 'nesting';
        const open = pick(['(', '[', '{']);
        const close = open === '(' ? ')' : open === '[' ? ']' : '}';
        const lineStart = text.lastIndexOf('\n', at - 1) + 1;
        const inner = random() < 0.5 ? `${open.repeat(depth)}1${close.repeat(depth)}` : open.repeat(depth); // balanced, or not
        change = { range: document.range(lineStart), text: `x = ${inner}\n` };
      } else {
        kind = 'binary';
        let junk = '';
        for (let k = 0, n = 1 + int(200); k < n; k++) junk += String.fromCharCode(int(32));
        change = { range: document.range(at), text: junk };
      }
    }
    const applied = document.apply(change);
    yield { kind, ...applied };
  }
}

const KEYWORDS = new Set(['False', 'None', 'True', 'and', 'as', 'assert', 'async', 'await', 'break', 'class', 'continue', 'def', 'del', 'elif', 'else', 'except', 'finally', 'for', 'from', 'global', 'if', 'import', 'in', 'is', 'lambda', 'nonlocal', 'not', 'or', 'pass', 'raise', 'return', 'try', 'while', 'with', 'yield', 'match', 'case', 'print', 'exec']);
/** A simple statement on its own line (the kind that can be deleted, or have a statement put before it). */
const SIMPLE_STATEMENT = /^([ \t]+)(?:[A-Za-z_][\w.]*(?:\[[^\]\n]*\])?\s*(?:[-+*/|&]?=(?!=)|\()|return\b|pass\b)/;

/**
 * Edits of the kind people make, mostly inside function bodies and mostly leaving the file valid (one
 * unbalanced bracket makes tree-sitter's error recovery swallow the rest of a file, and with it every
 * finding, which would make the property vacuous): renames (a character typed at the start of an
 * identifier, or deleted inside one), statements inserted and deleted (`+=` on fields, `with lock:`
 * blocks), comments and strings with astral characters, a string holding a lone CR, LF ↔ CRLF line
 * ends, and now and then a breaking character that the next edit takes out again.
 * For the property test: any sequence must leave diagnostics equal to a from-scratch analysis.
 */
export function* typingEdits(document: EditedDocument, count: number, seed: number): Generator<{ version: number; change: Change }> {
  const random = rng(seed);
  const int = (n: number) => Math.floor(random() * n);
  const pick = <T>(xs: readonly T[]) => xs[int(xs.length)];
  let repair: { offset: number; length: number } | null = null;
  for (let i = 0; i < count; i++) {
    const text = document.text;
    if (repair) {
      const { offset, length } = repair;
      repair = null;
      yield document.apply({ range: document.range(offset, offset + length), text: '' });
      continue;
    }
    const lines = text.split('\n');
    const starts: number[] = [];
    for (let k = 0, o = 0; k < lines.length; o += lines[k].length + 1, k++) starts.push(o);
    const bodyLines = lines.map((l, k) => k).filter((k) => /^ {4,}\S/.test(lines[k]));
    const simple = lines.map((l, k) => k).filter((k) => SIMPLE_STATEMENT.test(lines[k]) && !/[,([{\\]\s*\r?$/.test(lines[k - 1] ?? ':') && !/^\s*(@|elif|else|except|finally)/.test(lines[k]));
    const r = random();
    let change: Change | null = null;
    if (r < 0.3 && bodyLines.length > 0) {
      // rename by typing: `name` → `xname`
      const k = pick(bodyLines);
      const ids = [...lines[k].matchAll(/(?<![\w.'"])[A-Za-z_]\w*/g)].filter((m) => !KEYWORDS.has(m[0]));
      if (ids.length > 0) change = { range: document.range(starts[k] + pick(ids).index!), text: pick(['x', '_', 'q']) };
    } else if (r < 0.4 && bodyLines.length > 0) {
      // delete one character inside an identifier (not making a keyword)
      const k = pick(bodyLines);
      const ids = [...lines[k].matchAll(/(?<![\w.'"])[A-Za-z_]\w{2,}/g)].filter((m) => !KEYWORDS.has(m[0]));
      if (ids.length > 0) {
        const m = pick(ids);
        const j = 1 + int(m[0].length - 1);
        const renamed = m[0].slice(0, j) + m[0].slice(j + 1);
        if (!KEYWORDS.has(renamed)) change = { range: document.range(starts[k] + m.index! + j, starts[k] + m.index! + j + 1), text: '' };
      }
    } else if (r < 0.58 && simple.length > 0) {
      // a statement before a simple statement, at its indentation
      const k = pick(simple);
      const indent = SIMPLE_STATEMENT.exec(lines[k])![1];
      const eol = lines[k].endsWith('\r') ? '\r\n' : '\n';
      const statement = pick([
        'self._count += 1',
        'counter[0] += 1',
        'total += 1',
        `with self._lock:${eol}${indent}    self._count = 0`,
        "_s = '😀\r𝔘'", // a lone CR inside a string: a line break for LSP clients
        '_t = "𝄞 ünï 👩‍👩‍👧"',
        'self.items.append(item)',
        'if self._cache is None:' + `${eol}${indent}    self._cache = {}`,
      ]);
      change = { range: document.range(starts[k]), text: `${indent}${statement}${eol}` };
    } else if (r < 0.68) {
      // a comment with astral characters at the end of a line
      const k = pick(bodyLines.length > 0 ? bodyLines : [0]);
      const line = lines[k].replace(/\r$/, '');
      if (!line.endsWith('\\')) change = { range: document.range(starts[k] + line.length), text: `  # ${pick(UNICODE_SNIPPETS)} ${pick(UNICODE_SNIPPETS)}` };
    } else if (r < 0.78) {
      // LF → CRLF
      const k = int(lines.length - 1);
      if (!lines[k].endsWith('\r')) change = { range: document.range(starts[k] + lines[k].length, starts[k] + lines[k].length + 1), text: '\r\n' };
    } else if (r < 0.83) {
      // CRLF → LF
      const k = lines.findIndex((l, n) => n >= int(lines.length) && l.endsWith('\r'));
      if (k >= 0) change = { range: document.range(starts[k] + lines[k].length - 1, starts[k] + lines[k].length + 1), text: '\n' };
    } else if (r < 0.93 && simple.length > 0) {
      // delete a simple statement that is not the first of its block
      const k = pick(simple);
      const indent = SIMPLE_STATEMENT.exec(lines[k])![1];
      const prev = lines.slice(0, k).reverse().find((l) => l.trim() !== '');
      const next = lines[k + 1] ?? '';
      if (prev?.startsWith(indent) && !/^\s/.test(prev.slice(indent.length)) && !/:\s*\r?$/.test(prev) && (next.trim() === '' || !next.startsWith(`${indent} `))) {
        change = { range: document.range(starts[k], starts[k] + lines[k].length + 1), text: '' };
      }
    } else {
      // a breaking character, taken out by the next edit
      const at = int(text.length + 1);
      const junk = pick(['(', '[', ':', '"', 'def ', '\\']);
      change = { range: document.range(at), text: junk };
      repair = { offset: document.safeOffset(at), length: junk.length };
    }
    if (!change) {
      i--;
      continue;
    }
    yield document.apply(change);
  }
}
