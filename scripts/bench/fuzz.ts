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

/**
 * Small edits of the kind people make, mostly inside function bodies: typing and deleting characters
 * and identifiers, new lines and indentation, pasted lines, astral characters in strings and comments,
 * CRLF and lone CR line breaks. For the property test: any sequence must leave diagnostics equal to a
 * from-scratch analysis of the final text.
 */
export function* typingEdits(document: EditedDocument, count: number, seed: number): Generator<{ version: number; change: Change }> {
  const random = rng(seed);
  const int = (n: number) => Math.floor(random() * n);
  const pick = <T>(xs: readonly T[]) => xs[int(xs.length)];
  for (let i = 0; i < count; i++) {
    const text = document.text;
    // Prefer offsets inside indented (function-body) lines.
    let at = int(text.length + 1);
    for (let tries = 0; tries < 8; tries++) {
      const lineStart = text.lastIndexOf('\n', at - 1) + 1;
      if (text.startsWith('        ', lineStart)) break;
      at = int(text.length + 1);
    }
    const r = random();
    let change: Change;
    if (r < 0.35) change = { range: document.range(at), text: pick(['x', 'self.', 'n += 1', '_lock', ' ', '(', ')', ':', 'with lock:', 'global g; ', 'lock.acquire()']) };
    else if (r < 0.55) change = { range: document.range(at, at + 1 + int(random() < 0.8 ? 3 : 60)), text: '' };
    else if (r < 0.65) {
      const lineStart = text.lastIndexOf('\n', at - 1) + 1;
      const indent = /^[ \t]*/.exec(text.slice(lineStart, lineStart + 40))![0];
      change = { range: document.range(lineStart), text: `${indent}${pick(['counter += 1', 'self.items.append(x)', 'if x is None:', 'pass', 'return'])}\n` };
    } else if (r < 0.75) change = { range: document.range(at), text: pick([`'${pick(UNICODE_SNIPPETS)}'`, `# ${pick(UNICODE_SNIPPETS)}`, pick(UNICODE_SNIPPETS)]) };
    else if (r < 0.85) {
      const nl = text.indexOf('\n', at);
      change = nl >= 0 ? { range: document.range(nl, nl + 1), text: random() < 0.5 ? '\r\n' : '\r' } : { range: document.range(at), text: '\r\n' };
    } else if (r < 0.92) change = { range: document.range(at), text: pick(['\n', '\r\n', '\r', '\n    ']) };
    else {
      const lines = text.split('\n');
      const from = int(lines.length);
      const lineStart = text.lastIndexOf('\n', at - 1) + 1;
      change = { range: document.range(lineStart), text: `${lines.slice(from, from + 1 + int(6)).join('\n')}\n` };
    }
    yield document.apply(change);
  }
}
