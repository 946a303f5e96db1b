// Re-parses only the innermost statement an edit falls in and splices its export into the tree —
// rust-analyzer's block reparsing, with Python's indentation in place of braces. tree-sitter's own
// incremental parse of tree-sitter-python re-lexes from the edit to where its indentation scanner's
// state matches again, which after an edit near the end of a block is often the rest of the file
// (11–25 ms for one character in a 5,000-line file, against 1–2 ms elsewhere); a statement parsed on
// its own costs what it is long. A statement inside a block is parsed as the only statement of a
// class body (`class _:` then its own lines), where any indentation is valid.
//
// The piece is taken only when it cannot parse differently in place: the edits lie strictly inside
// the statement; it starts its line, nothing but a comment follows it on its last line and the next
// line with text is indented no deeper; the piece parses without an error into exactly one statement of
// the same kind that ends where the old one ended (moved by the edit), with no empty block; and the
// tree had no error before (error recovery could otherwise change its mind once the text changes).
// Each condition answers a case the fuzz test (test/unit/reparse-statement.test.ts) found. Anything
// else returns null and the caller parses the whole text incrementally.
import type { Parser, ParseOptions } from 'web-tree-sitter';
import { exportPiece, SyntaxNode, SyntaxTree, type TextChange } from './syntaxTree';

const DEFINITIONS = new Set(['function_definition', 'class_definition']);

/** What an indented statement is parsed after. */
const NESTING = 'class _:\n';

/** What the changes (applied in order) did, as one range: `[start, oldEnd)` of the old text became `[start, newEnd)`. */
export function coveringChange(changes: readonly TextChange[]): TextChange | null {
  if (changes.length === 0) return null;
  let { start, oldEnd, newEnd } = changes[0];
  for (let i = 1; i < changes.length; i++) {
    const c = changes[i];
    // Text after newEnd is the old text after oldEnd; a change reaching past it widens the old range too.
    if (c.oldEnd > newEnd) {
      oldEnd += c.oldEnd - newEnd;
      newEnd = c.oldEnd;
    }
    start = Math.min(start, c.start);
    newEnd += c.newEnd - c.oldEnd;
  }
  return { start, oldEnd, newEnd };
}

/**
 * The tree of `text` (the previous tree's text after `changes`) with the innermost statement that
 * holds every change re-parsed, or null when that is not certain to equal a parse of the whole text.
 * On success `previous` must not be used again (its nodes now belong to the new tree).
 */
export function reparseStatement(
  parser: Parser,
  previous: SyntaxTree,
  text: string,
  changes: readonly TextChange[],
  options?: ParseOptions,
): { tree: SyntaxTree; replaced: { startIndex: number; endIndex: number } } | null {
  const change = coveringChange(changes);
  if (!change) return null;
  // tree-sitter can mark a node as erroneous without an ERROR or MISSING node under it (its error cost
  // comes from recovery), which the export cannot see; only its root's flag is tree-sitter's own.
  if (previous.rootNode.hasError) return null;
  // The innermost statement first; when the edit made it more than one statement (a new line in a
  // body), the one around it.
  for (const old of enclosingStatements(previous.rootNode, change).slice(0, 3)) {
    const replacement = reparse(parser, old, text, change, options);
    if (replacement === 'cancelled') return null;
    if (!replacement) continue;
    const delta = change.newEnd - change.oldEnd;
    previous.source.text = text;
    return {
      tree: new SyntaxTree(splice(old, replacement, delta), previous.source, count(replacement)),
      replaced: { startIndex: replacement.startIndex, endIndex: old.endIndex + delta },
    };
  }
  return null;
}

/** The parse of `old`'s new text on its own, when it is certain to equal its parse in place. */
function reparse(parser: Parser, old: SyntaxNode, text: string, change: TextChange, options?: ParseOptions): SyntaxNode | null | 'cancelled' {
  const start = old.startIndex;
  const end = old.endIndex + change.newEnd - change.oldEnd;
  const lineStart = text.lastIndexOf('\n', start - 1) + 1;
  const indentation = text.slice(lineStart, start);
  if (!/^ *$/.test(indentation)) return null;
  if (!closesAt(text, end, indentation.length)) return null;

  const nested = lineStart < start;
  const piece = nested ? NESTING + text.slice(lineStart, end) : text.slice(start, end);
  const parsed = parser.parse(piece, null, options);
  if (!parsed) {
    parser.reset(); // cancelled by the caller's progress callback; it would otherwise resume next time
    return 'cancelled';
  }
  try {
    if (parsed.rootNode.hasError) return null;
    const root = exportPiece(parsed, old.source, nested ? lineStart - NESTING.length : start).rootNode;
    const statements = nested ? (onlyChild(root, 'class_definition')?.childForFieldName('body') ?? null) : root;
    const replacement = onlyChild(statements, old.type);
    // Ending where it ended (moved by the edit): a statement that now ends earlier leaves a comment
    // that followed it on its line on a line of its own, where it may belong to another block.
    if (!replacement || replacement.startIndex !== start || replacement.endIndex !== end) return null;
    // A comment it ends with runs to the end of the line in place (trailing spaces included).
    if (lastLeaf(replacement).type === 'comment' && !/^(\r?\n|$)/.test(text.slice(end, end + 2))) return null;
    // tree-sitter-python accepts a block with no statement at the end of the text (`def f():` and
    // nothing after); in place, the lines that follow could become its body.
    if (replacement.descendantsOfType('block').some((b) => b.children.length === 0)) return null;
    return replacement;
  } finally {
    parsed.delete();
  }
}

/**
 * Nothing but a comment follows `end` on its line, and the next line with text is indented no deeper
 * than `indent` spaces: tree-sitter's indentation scanner forgives inconsistent dedents, so deeper
 * lines that were not part of the statement may become part of it once the levels inside it change.
 */
function closesAt(text: string, end: number, indent: number): boolean {
  const eol = text.indexOf('\n', end);
  if (!/^[ \t]*(#.*)?\r?$/.test(text.slice(end, eol === -1 ? text.length : eol))) return false;
  for (let i = eol; i !== -1; ) {
    const next = text.indexOf('\n', i + 1);
    const line = text.slice(i + 1, next === -1 ? text.length : next);
    if (/\S/.test(line)) {
      const lead = /^[ \t\f]*/.exec(line)![0];
      return !/[\t\f]/.test(lead) && lead.length <= indent;
    }
    i = next;
  }
  return true;
}

/**
 * The statements (of a module or a block) and definitions that strictly contain the change — start
 * before it and end at or after it — innermost first.
 */
function enclosingStatements(root: SyntaxNode, change: TextChange): SyntaxNode[] {
  const out: SyntaxNode[] = [];
  for (let n: SyntaxNode | null = root.descendantForIndex(change.start, change.oldEnd); n; n = n.parent) {
    const statement = (n.parent?.type === 'module' || n.parent?.type === 'block') && n.isNamed && n.type !== 'comment' && n.type !== 'ERROR';
    if ((statement || DEFINITIONS.has(n.type)) && n.startIndex < change.start && change.oldEnd <= n.endIndex) out.push(n);
  }
  return out;
}

/** `parent`'s only child, when it has exactly one and it is of `type`. */
function onlyChild(parent: SyntaxNode | null, type: string): SyntaxNode | null {
  if (!parent || parent.children.length !== 1) return null;
  return parent.children[0].type === type ? parent.children[0] : null;
}

/**
 * Puts `replacement` where `old` was: `old`'s ancestors are copied (they changed, and caches keyed by
 * node identity must see new objects), their other children taken over and those after it shifted.
 */
function splice(old: SyntaxNode, replacement: SyntaxNode, delta: number): SyntaxNode {
  let from = old;
  let to = replacement;
  to.field = old.field;
  to.childIndex = old.childIndex;
  for (let parent = old.parent; parent; parent = parent.parent) {
    const copy = new SyntaxNode(parent.type, parent.isNamed, parent.startIndex, parent.endIndex + delta, to.source);
    copy.field = parent.field;
    copy.childIndex = parent.childIndex;
    copy.isMissing = parent.isMissing;
    const children = parent.children.slice();
    children[from.childIndex] = to;
    for (let i = 0; i < children.length; i++) {
      if (i > from.childIndex && delta !== 0) children[i].shift(delta);
      children[i].parent = copy;
    }
    copy.children = children;
    from = parent;
    to = copy;
  }
  to.parent = null;
  return to;
}

function lastLeaf(node: SyntaxNode): SyntaxNode {
  while (node.children.length > 0) node = node.children[node.children.length - 1];
  return node;
}

function count(node: SyntaxNode): number {
  let n = 0;
  for (const stack = [node]; stack.length > 0; n++) stack.push(...stack.pop()!.children);
  return n;
}
