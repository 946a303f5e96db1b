// Open documents with one tree-sitter tree each. Edits are applied to the text and to the tree at once
// (cheap: `tree.edit`), while re-parsing is deferred to the next analysis so a burst of keystrokes costs
// one parse. Edits inside one statement re-parse only that statement and splice it into the exported
// tree (`reparseStatement`); other edits re-parse the whole text incrementally and export it, taking
// over the subtrees of the previous export that the edits did not touch.
import type { TextDocumentContentChangeEvent } from 'vscode-languageserver';
import type { Parser, Tree, WasmTree } from './analysis/parser';
import { Edit } from 'web-tree-sitter';
import { exportTree, exportTreeIncrementally, type TextChange } from './analysis/syntaxTree';
import { reparseStatement } from './analysis/reparseStatement';
import { EditableText } from './editableText';
import { parseRecovering } from './analysis/bracketRecovery';

export interface OpenDocument {
  /** The text, edited in place (EditableText: a change never copies the whole text). */
  document: EditableText;
  /** The last whole-text parse, edited in place by every later change until the next one. */
  tree: WasmTree | null;
  /** The export of the text as of the last parse or statement re-parse. */
  syntax: Tree | null;
  /** Changes since `syntax` was made, in order. */
  changes: TextChange[];
  /** True when the text has changed since `syntax` was made. */
  stale: boolean;
  /**
   * Ranges (in the current text) whose structure in `syntax` comes from statement re-parses made
   * after `tree`'s parse: the next whole-text parse must not take over `syntax`'s nodes there, since
   * `tree` never saw that structure and so cannot report it as changed.
   */
  spliced: Array<{ startIndex: number; endIndex: number }>;
  /**
   * Every change since the reader last took them (takeEdits), as offsets, in order; null after a change
   * that replaced the whole text. The editor maps its last findings through them.
   */
  edits: TextChange[] | null;
}

/** More changes than this between two parses: export the whole tree rather than map every node through them. */
const MAX_MAPPED_CHANGES = 64;

/** The point after inserting `text` at `start`. */
function pointAfter(start: { row: number; column: number }, text: string): { row: number; column: number } {
  const last = text.lastIndexOf('\n');
  if (last === -1) return { row: start.row, column: start.column + text.length };
  let rows = 0;
  for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) rows++;
  return { row: start.row + rows, column: text.length - last - 1 };
}

/** Moves `range` (offsets in a text) through the change `[start, oldEnd)` → `[start, newEnd)`; a change touching it widens it. */
function moveThrough(range: { startIndex: number; endIndex: number }, start: number, oldEnd: number, newEnd: number): void {
  const delta = newEnd - oldEnd;
  if (oldEnd < range.startIndex) {
    range.startIndex += delta;
    range.endIndex += delta;
  } else if (start <= range.endIndex) {
    range.startIndex = Math.min(range.startIndex, start);
    range.endIndex = Math.max(range.endIndex + delta, newEnd);
  }
}

/** Adds `range` to `ranges`, merged with those it overlaps or touches (re-parsing one statement again and again adds nothing). */
function addRange(ranges: Array<{ startIndex: number; endIndex: number }>, range: { startIndex: number; endIndex: number }): void {
  let { startIndex, endIndex } = range;
  for (let i = ranges.length - 1; i >= 0; i--) {
    const r = ranges[i];
    if (r.endIndex < startIndex || r.startIndex > endIndex) continue;
    startIndex = Math.min(startIndex, r.startIndex);
    endIndex = Math.max(endIndex, r.endIndex);
    ranges.splice(i, 1);
  }
  ranges.push({ startIndex, endIndex });
}

export class DocumentStore {
  private readonly docs = new Map<string, OpenDocument>();

  constructor(readonly parser: Parser) {}

  open(uri: string, languageId: string, version: number, text: string): OpenDocument {
    this.close(uri);
    const entry: OpenDocument = { document: new EditableText(uri, languageId, version, text), tree: null, syntax: null, changes: [], stale: true, spliced: [], edits: null };
    this.docs.set(uri, entry);
    return entry;
  }

  get(uri: string): OpenDocument | undefined {
    return this.docs.get(uri);
  }

  change(uri: string, version: number, changes: TextDocumentContentChangeEvent[]): OpenDocument | undefined {
    const entry = this.docs.get(uri);
    if (!entry) return undefined;
    for (const change of changes) {
      if (!('range' in change) || !change.range) {
        this.dropTree(entry);
        entry.edits = null;
      } else {
        const doc = entry.document;
        const a = doc.offsetAt(change.range.start);
        const b = doc.offsetAt(change.range.end);
        const startIndex = Math.min(a, b);
        const oldEndIndex = Math.max(a, b);
        const newEndIndex = startIndex + change.text.length;
        entry.edits?.push({ start: startIndex, oldEnd: oldEndIndex, newEnd: newEndIndex });
        if (!entry.tree) {
          entry.document.apply(change, version);
          continue;
        }
        // tree-sitter's rows break at LF only (LSP lines also at CR): the text's own row table says where.
        const startPosition = doc.point(startIndex);
        const oldEndPosition = doc.point(oldEndIndex);
        entry.tree.edit(new Edit({ startIndex, oldEndIndex, newEndIndex, startPosition, oldEndPosition, newEndPosition: pointAfter(startPosition, change.text) }));
        entry.changes.push({ start: startIndex, oldEnd: oldEndIndex, newEnd: newEndIndex });
        for (const r of entry.spliced) moveThrough(r, startIndex, oldEndIndex, newEndIndex);
      }
      entry.document.apply(change, version);
    }
    entry.stale = true;
    return entry;
  }

  /** The changes since the last call (null: the text was replaced meanwhile); starts a new log. */
  takeEdits(entry: OpenDocument): TextChange[] | null {
    const edits = entry.edits;
    entry.edits = [];
    return edits;
  }

  /** The up-to-date tree: re-parses the edited definition, or the whole text incrementally, when needed. */
  tree(entry: OpenDocument): Tree {
    if (!entry.stale && entry.syntax) return entry.syntax;
    const spliced = this.reparseStatement(entry);
    if (spliced) return spliced;
    const next = parseRecovering(this.parser, entry.document.getText(), entry.tree);
    if (!next) throw new Error(`tree-sitter could not parse ${entry.document.uri}`);
    return this.adopt(entry, next);
  }

  /**
   * The whole-text parse of the current text (the analysis reads `tree()`; this is for callers that
   * need tree-sitter's own tree). Brings the export up to date first.
   */
  parsedTree(entry: OpenDocument): WasmTree {
    this.tree(entry);
    if (entry.spliced.length > 0 || !entry.tree) {
      const next = parseRecovering(this.parser, entry.document.getText(), entry.tree);
      if (!next) throw new Error(`tree-sitter could not parse ${entry.document.uri}`);
      entry.tree?.delete();
      entry.tree = next;
      entry.spliced = [];
    }
    return entry.tree;
  }

  /** Splices a re-parse of the one statement the changes fall in, when that is certain to be right. */
  private reparseStatement(entry: OpenDocument, options?: { progressCallback: () => boolean }): Tree | null {
    if (!entry.tree || !entry.syntax || entry.changes.length === 0) return null;
    const text = entry.document.getText();
    const result = reparseStatement(this.parser, entry.syntax, text, entry.changes, options);
    if (!result) return null;
    addRange(entry.spliced, result.replaced);
    entry.syntax = result.tree;
    entry.changes = [];
    entry.stale = false;
    return entry.syntax;
  }

  /** Makes `next` (the parse of the document's current text) its tree, and exports it. */
  private adopt(entry: OpenDocument, next: WasmTree): Tree {
    const text = entry.document.getText();
    const old = entry.tree;
    entry.syntax =
      old && entry.syntax && entry.changes.length <= MAX_MAPPED_CHANGES
        ? exportTreeIncrementally(next, text, entry.syntax, entry.changes, [...old.getChangedRanges(next), ...entry.spliced])
        : exportTree(next, text);
    old?.delete();
    entry.tree = next;
    entry.changes = [];
    entry.spliced = [];
    entry.stale = false;
    return entry.syntax;
  }

  /**
   * Like tree(), but gives up when parsing takes longer than `budgetMs` (tree-sitter's progress
   * callback cancels it): null then, and the document has no tree until the next parse.
   */
  treeWithin(entry: OpenDocument, budgetMs: number): Tree | null {
    if (!entry.stale && entry.syntax) return entry.syntax;
    const deadline = performance.now() + budgetMs;
    const spliced = this.reparseStatement(entry, { progressCallback: () => performance.now() > deadline });
    if (spliced) return spliced;
    const next = parseRecovering(this.parser, entry.document.getText(), entry.tree, { progressCallback: () => performance.now() > deadline });
    if (!next) {
      this.parser.reset(); // a cancelled parse would otherwise resume on the next call
      this.dropTree(entry);
      return null;
    }
    return this.adopt(entry, next);
  }

  /** Frees the document's tree (too big or too costly to keep); the next parse starts from scratch. */
  dropTree(entry: OpenDocument): void {
    entry.tree?.delete();
    entry.tree = null;
    entry.syntax = null;
    entry.changes = [];
    entry.spliced = [];
    entry.stale = true;
  }

  close(uri: string): void {
    this.docs.get(uri)?.tree?.delete();
    this.docs.delete(uri);
  }

  get uris(): string[] {
    return [...this.docs.keys()];
  }
}
